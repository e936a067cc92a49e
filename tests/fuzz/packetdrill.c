/* packetdrill scripts (lua/synack/packetdrill*.lua): the input is a
 * script.  The parser, run through pcall, may refuse it, but only with a
 * message that starts with the script's name (name:line).  A script that
 * parses and is short (at most a minute of virtual time, small writes)
 * is then run against the endpoint, where a Lua error (a script error)
 * is fine too: what must not happen is a crash, a sanitizer report, a
 * leak or a hang.  Backquoted commands are never executed; a shell file
 * they name is only read. */
#include "config.h"

#include "lua_glue.h"

static const char glue[] =
	"local path = ...\n"
	"local pd = require 'synack.packetdrill'\n"
	"local f = assert(io.open(path, 'rb'))\n"
	"local text = f:read('a')\n"
	"f:close()\n"
	"local ok, s = pcall(pd.parse, text, path)\n"
	"if not ok then\n"
	"  if type(s) ~= 'string' or s:sub(1, #path + 1) ~= path .. ':' then\n"
	"    return 'parse error without the script name: ' .. tostring(s)\n"
	"  end\n"
	"  return nil\n"
	"end\n"
	"for _, ev in ipairs(s.events) do\n"
	"  local t = ev.time.t_end or ev.time.t or 0\n"
	"  if t > 60 or (ev.end_time or 0) > 60 or (ev.len or 0) > 100000 then return nil end\n"
	"  for _, a in ipairs(ev.args or {}) do\n"
	"    if a.k == 'int' and a.v > 1000000 then return nil end\n"
	"  end\n"
	"end\n"
	"pcall(pd.run_string, text, path, {dir = '/nonexistent/'})\n"
	"return nil\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_lua_init(glue, sizeof glue - 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lua_run("input.pkt", data, size);
	return 0;
}
