/* Conformance case files (lua/synack/conformance.lua): the input is a
 * case file.  A Lua state as the synack program makes it (the binding
 * preloaded, the source tree's helpers on package.path, the test config)
 * parses it through pcall: an error is fine, but it must be a message
 * that starts with the case file's name (file:line).  A case that parses
 * and is short (at most a minute of virtual time, small transfers) is
 * then run against the endpoint, where any Lua error is fine too: what
 * must not happen is a crash, a sanitizer report, a leak or a hang. */
#include "config.h"

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz.h"
#include "lsynack.h"

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
	const char *path = fuzz_write("input.case", data, size);

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
