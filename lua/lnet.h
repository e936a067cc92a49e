/* What the network files of the binding give each other: lnet.c (the
 * network, nodes, traces) and llink.c (links); lpriv.h has what the whole
 * binding shares. */
#ifndef SY_LNET_H
#define SY_LNET_H

#include <stdint.h>

#include <lua.h>

#include "trace.h"

struct sy_lua_sim;

/* lnet.c: the trace of ls's network, created on first use; the drop
 * counters as a table {reason = count}; t[k] = v on the table on top. */
sy_trace *sy_lua_trace_of(lua_State *L, struct sy_lua_sim *ls);
void sy_lua_push_drops(lua_State *L, const uint64_t *drops);
void sy_lua_set_num(lua_State *L, const char *k, double v);

/* llink.c: a size option (bytes, or a string with a unit) of duplex_link
 * or send_raw; sim:duplex_link; the link class. */
int64_t sy_lua_opt_size(lua_State *L, int idx, const char *key);
int sy_lua_sim_duplex_link(lua_State *L);
void sy_lua_open_link(lua_State *L);

#endif
