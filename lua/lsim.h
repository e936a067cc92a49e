/* What the module (lsynack.c), the simulator object (lsim.c) and its
 * real-time methods (lrealtime.c) give each other; lpriv.h has what the
 * whole binding shares. */
#ifndef SY_LSIM_H
#define SY_LSIM_H

#include <lua.h>

/* lsynack.c: the module state, upvalue 1 of every module function;
 * raises once the module is closed. */
struct sy_lua_ctx *sy_lua_get_ctx(lua_State *L);

/* lsim.c: synack.simulator{seed =, scheduler =, realtime =}, a module
 * function; the simulator, event and random stream classes. */
int sy_lua_simulator(lua_State *L);
void sy_lua_open_sim(lua_State *L);

/* lrealtime.c: sim:watch, sim:unwatch, sim:realtime, sim:lag, and the
 * class of a watched descriptor. */
int sy_lua_sim_watch(lua_State *L);
int sy_lua_sim_unwatch(lua_State *L);
int sy_lua_sim_realtime(lua_State *L);
int sy_lua_sim_lag(lua_State *L);
void sy_lua_open_realtime(lua_State *L);

#endif
