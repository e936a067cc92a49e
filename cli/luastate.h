/* The Lua state of the synack program: one for `synack run`, one for each
 * run of `synack batch` (and one for the batch's checks), made alike so
 * that a batch row is what `synack run` gives with its parameters and
 * seed. */
#ifndef SY_LUASTATE_H
#define SY_LUASTATE_H

#include <stdint.h>

#include <lua.h>

/* What the program tells the module synack before it is required (the
 * registry keys of lsynack.h). */
typedef struct sy_cli_opts {
	const char *config; /* --config FILE, or NULL to search */
	int have_seed;	    /* seed is the default seed of every simulator */
	uint64_t seed;
	int realtime; /* --realtime */
} sy_cli_opts;

/* A fresh state: the standard libraries, synack's Lua helpers on
 * package.path, the module synack preloaded, the options in the registry
 * and an empty registry["synack.args"] for the caller to fill.  NULL when
 * out of memory. */
lua_State *sy_cli_state(const sy_cli_opts *o);

/* Requires synack (and so reads the config) in protected mode, without a
 * traceback: a broken config is not the script's fault.  Returns the
 * lua_pcall status, with the message on the stack when not LUA_OK. */
int sy_cli_load_synack(lua_State *L);

/* lua_pcall with sy_lua_msgh as the message handler. */
int sy_cli_docall(lua_State *L, int narg, int nres);

#endif
