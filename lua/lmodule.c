/* Entry point of the module for a plain lua5.4 interpreter:
 * require "synack" loads synack.so and calls luaopen_synack. */
#include "config.h"

#include <lua.h>

#include "lsynack.h"

int luaopen_synack(lua_State *L);

__attribute__((visibility("default"))) int luaopen_synack(lua_State *L)
{
	return sy_lua_open(L);
}
