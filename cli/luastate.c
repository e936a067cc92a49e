/* The Lua state of the synack program (see luastate.h). */
#include "config.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "luastate.h"
#include "lsynack.h"
#include "plugin.h"

/* Prepends the directory of synack's Lua helpers to package.path: the
 * source tree when running uninstalled, else the install directory. */
static void set_lua_path(lua_State *L)
{
	const char *dir = sy_running_in_tree() ? SY_ABS_SRCDIR "/lua" :
						  SY_LUALMODDIR;

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir,
			lua_tostring(L, -1));
	lua_setfield(L, -3, "path");
	lua_pop(L, 2);
}

lua_State *sy_cli_state(const sy_cli_opts *o)
{
	lua_State *L = luaL_newstate();

	if (!L)
		return NULL;
	luaL_openlibs(L);
	set_lua_path(L);
	if (o->config) {
		lua_pushstring(L, o->config);
		lua_setfield(L, LUA_REGISTRYINDEX, "synack.config");
	}
	if (o->have_seed) {
		lua_pushinteger(L, (lua_Integer)o->seed);
		lua_setfield(L, LUA_REGISTRYINDEX, "synack.seed");
	}
	if (o->realtime) {
		lua_pushboolean(L, 1);
		lua_setfield(L, LUA_REGISTRYINDEX, "synack.realtime");
	}
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "synack.args");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, sy_lua_open);
	lua_setfield(L, -2, "synack");
	lua_pop(L, 1);
	return L;
}

static int open_synack(lua_State *L)
{
	luaL_requiref(L, "synack", sy_lua_open, 0);
	return 1;
}

int sy_cli_load_synack(lua_State *L)
{
	lua_pushcfunction(L, open_synack);
	return lua_pcall(L, 0, 0, 0);
}

int sy_cli_docall(lua_State *L, int narg, int nres)
{
	int base = lua_gettop(L) - narg;
	int status;

	lua_pushcfunction(L, sy_lua_msgh);
	lua_insert(L, base);
	status = lua_pcall(L, narg, nres, base);
	lua_remove(L, base);
	return status;
}
