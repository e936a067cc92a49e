/* The Lua binding of synack: the module `synack`.
 *
 * The same code serves the synack program (which preloads it) and a plain
 * lua5.4 interpreter (through lmodule.c).  Before the module is first
 * required, a host may leave in the registry:
 *   registry["synack.config"]  path of the defaults file (string)
 *   registry["synack.seed"]    default run seed (integer)
 *   registry["synack.realtime"] true: simulators are real-time by default,
 *                              and report their lag when they end
 *   registry["synack.args"]    key=value overrides (table of strings)
 * A plain interpreter sets none: the config is searched as cfg.h says and
 * the seed defaults to the config's, or 1. */
#ifndef SY_LSYNACK_H
#define SY_LSYNACK_H

#include <lua.h>

#include "errors.h"

int sy_lua_open(lua_State *L);

/* Closes every simulator the script left open, as sim:close() would, and
 * returns -1 with the first output failure (a trace or log that could not
 * be written), also one of a simulator the collector already closed.  A
 * host calls it before lua_close, whose errors nobody could hear. */
int sy_lua_close_all(lua_State *L, sy_err *err);

/* Error objects raised by the binding for failures inside event callbacks
 * carry their own traceback; this tells a host's message handler not to add
 * another.  Returns 1 and pushes the message string if v is one. */
int sy_lua_error_message(lua_State *L, int idx);

/* A message handler for lua_pcall: the message with a traceback, or the
 * message of such an error object as it is; an object with __tostring
 * (a usage error) as its string, without a traceback. */
int sy_lua_msgh(lua_State *L);

#endif
