/* Internals shared by the files of the Lua binding. */
#ifndef SY_LPRIV_H
#define SY_LPRIV_H

#include <lauxlib.h>
#include <lua.h>

#include "cfg.h"
#include "net.h"
#include "plugin.h"
#include "sim.h"

#define SY_MT_SIM "synack.sim"

/* Module state, one per Lua state (an upvalue, never a C global). */
struct sy_lua_ctx {
	sy_cfg *cfg;
	uint64_t seed;
};

/* A simulator userdata.  User values: 1 the callbacks of pending events,
 * 2 the module state, 3 the boxes of its nodes and links. */
struct sy_lua_sim {
	sy_sim *sim;      /* NULL once closed */
	sy_net *net;      /* created by the first sim:node() */
	struct sy_trace *trace; /* created by the first pcap or trace call */
	lua_State *L;     /* the thread running sim:run, while it runs */
	int running;
	int cb_idx;       /* stack index of the callbacks table during run */
	int msgh_idx;     /* stack index of the message handler during run */
	int err_ref;      /* error raised by a callback, LUA_NOREF if none */
	struct sy_tcp_table *tcp_table; /* every connection (lstats.c), with the network */
	int samplers;     /* sim:every samplers pending */
	struct sy_record *record; /* sim:record() (lrecord.c), freed before the network */
};

struct sy_lua_sim *sy_lua_check_sim(lua_State *L, int idx);
/* Calls the function below its nargs arguments on the running thread's
 * stack, from inside sy_sim_run.  An error is kept (with the virtual time
 * and a traceback) for sim:run to raise, and stops the run; returns -1. */
int sy_lua_call(struct sy_lua_sim *ls, int nargs);
/* "file:line" of the innermost Lua function on the stack. */
void sy_lua_where(lua_State *L, char *buf, size_t n);
/* Raises msg as it is (it already names its place). */
int sy_lua_raise(lua_State *L, const char *msg);
/* A time: seconds, or a string with a unit. */
sy_time sy_lua_check_time(lua_State *L, int idx);
/* The option table at idx has only the keys in known. */
void sy_lua_check_options(lua_State *L, int idx, const char *fname,
			  const char *const *known);
/* An instance of a plugin of kind from the spec at idx (nil, a name, or
 * {NAME, param = value, ...}); raises on error, leaking nothing. */
void sy_lua_instance(lua_State *L, struct sy_lua_ctx *c, const char *kind,
		     int idx, const char *fallback, sy_instance *in);
typedef int (*sy_unit_parse)(const char *, int64_t *, sy_err *);
typedef int (*sy_unit_number)(double, int64_t *, sy_err *);
/* The quantity at idx: a string through parse, a float through number, an
 * integer exactly.  Returns 0, -1 with a message, or -2 for a value that is
 * neither a number nor a string. */
int sy_lua_to_quantity(lua_State *L, int idx, sy_unit_parse parse,
		       sy_unit_number number, int64_t *v, sy_err *err);
void sy_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
		      lua_CFunction gc, lua_CFunction tostring);

/* lnet.c: node and link classes, and sim:node / sim:duplex_link. */
#define SY_MT_NODE "synack.node"

/* A Lua handle on an object the simulator owns; its user value is the
 * simulator.  ptr is NULL once the object is gone. */
struct sy_lua_box {
	void *ptr;
};

void sy_lua_open_net(lua_State *L);
/* The simulator of the box at idx; raises if it is closed. */
struct sy_lua_sim *sy_lua_box_sim(lua_State *L, int idx);
sy_node *sy_lua_check_node(lua_State *L, int idx);
/* Pushes the one box of ptr (class mt), creating it on first use. */
void sy_lua_push_box(lua_State *L, int sim_idx, void *ptr, const char *mt);
sy_net *sy_lua_net_of(lua_State *L, struct sy_lua_sim *ls);
void sy_lua_hook_input(void *ctx, sy_node *n, sy_packet *p);
void sy_lua_set_int(lua_State *L, const char *k, uint64_t v);
void sy_lua_push_addr(lua_State *L, uint32_t a);

/* ltcp.c: node:tcp and the endpoint and connection classes. */
void sy_lua_open_tcp(lua_State *L);

/* ltun.c: node:tun and the tun class (after the node class exists). */
void sy_lua_open_tun(lua_State *L);

/* lstats.c: synack.summary and synack.series (added to the module table
 * on top), sim:every, sim:tcp_table; the connection table is created with
 * the network and freed after it. */
void sy_lua_open_stats(lua_State *L);
void sy_lua_stats_module(lua_State *L);
void sy_lua_stats_net(lua_State *L, struct sy_lua_sim *ls);
void sy_lua_stats_close(struct sy_lua_sim *ls);

/* lrecord.c: sim:record and the recorder class; the recorder is freed
 * (and its box emptied) when the simulator at sim_idx closes. */
void sy_lua_open_record(lua_State *L);
void sy_lua_record_close(lua_State *L, int sim_idx, struct sy_lua_sim *ls);

#endif
