/* Conformance case files (lua/synack/conformance.lua): the input is a
 * case file.  A Lua state as the synack program makes it (the binding
 * preloaded, the source tree's helpers on package.path, the test config)
 * parses it through pcall: an error is fine, but it must be a message
 * that starts with the case file's name (file:line).  A case that parses
 * and is short (at most a minute of virtual time, small transfers) is
 * then run against the endpoint, where any Lua error is fine too: what
 * must not happen is a crash, a sanitizer report, a leak or a hang. */
#include "config.h"

#include "lua_glue.h"

static const char glue[] =
	"local path = ...\n"
	"local conformance = require 'synack.conformance'\n"
	"local ok, case = pcall(conformance.parse, path)\n"
	"if not ok then\n"
	"  if type(case) ~= 'string' or case:sub(1, #path + 1) ~= path .. ':' then\n"
	"    return 'parse error without the file name: ' .. tostring(case)\n"
	"  end\n"
	"  return nil\n"
	"end\n"
	"local last = 0\n"
	"for _, s in ipairs(case.steps) do\n"
	"  last = math.max(last, s.time)\n"
	"  if (s.bytes or 0) > 1000000 or (s.len or 0) > 100000 then return nil end\n"
	"end\n"
	"if last > 60 or case.tolerance > 1 or case.rtt > 1 then return nil end\n"
	"pcall(conformance.run, path, case.only_timers or 'rfc')\n"
	"return nil\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_lua_init(glue, sizeof glue - 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lua_run("input.case", data, size);
	return 0;
}
