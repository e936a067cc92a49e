/* The Lua side of the targets that feed a file to a Lua module
 * (conformance cases, packetdrill scripts): one state for the whole run,
 * as the synack program makes it (the binding preloaded, the source
 * tree's helpers on package.path, the test config), and a glue chunk
 * that takes the input's path and returns nil, or a string that is a
 * finding.  Loading the binding and the module for every input would
 * cost more than running most inputs; each input runs the glue on a
 * fresh path name and collects its garbage (simulators included) before
 * the next. */
#ifndef SY_FUZZ_LUA_GLUE_H
#define SY_FUZZ_LUA_GLUE_H

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz.h"
#include "lsynack.h"

static lua_State *fuzz_L;

static inline void fuzz_lua_init(const char *glue, size_t len)
{
	fuzz_load_plugins();
	fuzz_L = luaL_newstate();
	if (!fuzz_L)
		FUZZ_FAIL("out of memory");
	luaL_openlibs(fuzz_L);
	lua_getglobal(fuzz_L, "package");
	lua_pushliteral(fuzz_L, SY_ABS_SRCDIR "/lua/?.lua");
	lua_setfield(fuzz_L, -2, "path");
	lua_pop(fuzz_L, 1);
	lua_pushliteral(fuzz_L, SY_ABS_SRCDIR "/tests/test.conf");
	lua_setfield(fuzz_L, LUA_REGISTRYINDEX, "synack.config");
	luaL_getsubtable(fuzz_L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(fuzz_L, sy_lua_open);
	lua_setfield(fuzz_L, -2, "synack");
	lua_pop(fuzz_L, 1);
	if (luaL_loadbuffer(fuzz_L, glue, len, "=fuzz") != LUA_OK)
		FUZZ_FAIL("glue: %s", lua_tostring(fuzz_L, -1));
	lua_setfield(fuzz_L, LUA_REGISTRYINDEX, "fuzz.glue");
}

/* Writes the input to the file `name` and runs the glue on it. */
static inline void fuzz_lua_run(const char *name, const uint8_t *data, size_t size)
{
	const char *path = fuzz_write(name, data, size);

	lua_getfield(fuzz_L, LUA_REGISTRYINDEX, "fuzz.glue");
	lua_pushstring(fuzz_L, path);
	if (lua_pcall(fuzz_L, 1, 1, 0) != LUA_OK)
		FUZZ_FAIL("error outside pcall: %s", lua_tostring(fuzz_L, -1));
	if (lua_isstring(fuzz_L, -1))
		FUZZ_FAIL("%s", lua_tostring(fuzz_L, -1));
	lua_pop(fuzz_L, 1);
	lua_gc(fuzz_L, LUA_GCCOLLECT);
}

#endif
