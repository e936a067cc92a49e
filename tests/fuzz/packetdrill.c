/* packetdrill scripts (lua/synack/packetdrill*.lua): the input is a
 * script.  The parser, run through pcall, may refuse it, but only with a
 * message that starts with the script's name (name:line).  A script that
 * parses and is short (at most a minute of virtual time, small writes)
 * is then run against the endpoint, where a Lua error (a script error)
 * is fine too: what must not happen is a crash, a sanitizer report, a
 * leak or a hang.  Backquoted commands are never executed; a shell file
 * they name is only read. */
#include "config.h"

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz.h"
#include "lsynack.h"

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

static lua_State *L;

/* One state for the whole run, as the synack program makes it: loading
 * the binding and the module for every input would cost more than
 * running most cases.  Each input runs the glue on a fresh path name and
 * collects its garbage (simulators included) before the next. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_load_plugins();
	L = luaL_newstate();
	if (!L)
		FUZZ_FAIL("out of memory");
	luaL_openlibs(L);
	lua_getglobal(L, "package");
	lua_pushliteral(L, SY_ABS_SRCDIR "/lua/?.lua");
	lua_setfield(L, -2, "path");
	lua_pop(L, 1);
	lua_pushliteral(L, SY_ABS_SRCDIR "/tests/test.conf");
	lua_setfield(L, LUA_REGISTRYINDEX, "synack.config");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, sy_lua_open);
	lua_setfield(L, -2, "synack");
	lua_pop(L, 1);
	if (luaL_loadbuffer(L, glue, sizeof glue - 1, "=fuzz") != LUA_OK)
		FUZZ_FAIL("glue: %s", lua_tostring(L, -1));
	lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.glue");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("input.pkt", data, size);

	lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.glue");
	lua_pushstring(L, path);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
		FUZZ_FAIL("error outside pcall: %s", lua_tostring(L, -1));
	if (lua_isstring(L, -1))
		FUZZ_FAIL("%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	lua_gc(L, LUA_GCCOLLECT);
	return 0;
}
