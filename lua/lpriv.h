/* Internals shared by the files of the Lua binding. */
#ifndef SY_LPRIV_H
#define SY_LPRIV_H

#include <lauxlib.h>
#include <lua.h>

#include "cfg.h"
#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcp.h"

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
	struct sy_tcp_table *tcp_table; /* every connection (lstats.c), once asked for */
	bool want_table;  /* asked for before the network existed */
	uint64_t conn_boxes;      /* connection boxes whose connection lives */
	uint64_t conn_boxes_made; /* connection boxes ever made */
	uint64_t conn_handlers;   /* connection handler tables ever made */
	uint64_t conn_weak;       /* connections let go in TIME_WAIT (ltcp_away.c) */
	int samplers;     /* sim:every samplers pending */
	struct sy_record *record; /* sim:record() (lrecord.c), freed before the network */
	struct sy_lua_log *logs;  /* ep:state_log files (ltcp_ep.c), closed with the simulator */
};

/* Every object the binding gives Lua other than the simulator itself has
 * its simulator as first user value, and is checked alive through the
 * functions below before anything reads what it points to: an object of a
 * closed simulator raises "the simulator is closed", a box whose object
 * was freed "the KIND is gone". */
struct sy_lua_sim *sy_lua_check_sim(lua_State *L, int idx);
/* The open simulator of the object at idx (any index, also an upvalue);
 * the _open variant returns NULL instead of raising. */
struct sy_lua_sim *sy_lua_obj_sim(lua_State *L, int idx);
struct sy_lua_sim *sy_lua_obj_sim_open(lua_State *L, int idx);
/* The userdata at idx of class mt whose simulator is open; *ls (if not
 * NULL) is that simulator. */
void *sy_lua_check_obj(lua_State *L, int idx, const char *mt, struct sy_lua_sim **ls);
/* The object in the box at idx of class mt, alive. */
void *sy_lua_check_box(lua_State *L, int idx, const char *mt, const char *kind,
		       struct sy_lua_sim **ls);
/* The object at idx belongs to simulator `of`; one of simulator `in` was
 * expected: unless they are the same, an error naming argument idx, or
 * the option opt ("send_raw: option 'to'") when not NULL. */
void sy_lua_check_owner(lua_State *L, int idx, struct sy_lua_sim *of,
			struct sy_lua_sim *in, const char *kind, const char *opt);
/* The string at idx as a C string, refusing one with an embedded NUL
 * (every C call would see it cut short).  With what NULL, idx is an
 * argument and the errors are argument errors; else what names the value
 * ("tun: option 'name'"). */
const char *sy_lua_check_string(lua_State *L, int idx, const char *what);
/* luaL_checkoption through sy_lua_check_string. */
int sy_lua_check_option(lua_State *L, int idx, const char *def,
			const char *const *list);
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
/* The node at idx; with in, a node of that simulator (argument idx). */
sy_node *sy_lua_check_node(lua_State *L, int idx, struct sy_lua_sim *in);
/* Pushes the one box of ptr (class mt), creating it on first use. */
void sy_lua_push_box(lua_State *L, int sim_idx, void *ptr, const char *mt);
sy_net *sy_lua_net_of(lua_State *L, struct sy_lua_sim *ls);
void sy_lua_hook_input(void *ctx, sy_node *n, sy_packet *p);
void sy_lua_set_int(lua_State *L, const char *k, uint64_t v);
void sy_lua_push_addr(lua_State *L, uint32_t a);

/* ltcp.c: connections; ltcp_ep.c: node:tcp, endpoints, listeners and
 * state logs.
 *
 * Lua pays for what a script uses: a connection gets a box (struct
 * sy_lua_conn) only when it is given to Lua (returned, or passed to a
 * handler), and a handler table only when a handler is set on it.  Which
 * handlers exist is kept as bits in C, so that the observer of an
 * endpoint with no handlers of its own does one test for a connection
 * with no box, and events become strings only when a handler is called. */
#define SY_MT_CONN "synack.conn"

/* The events of conn:on, in its order; handlers are kept in the handler
 * table (user value 2 of the box) at key event + 1. */
enum sy_lua_conn_ev {
	SY_LEV_STATE, SY_LEV_ESTABLISHED, SY_LEV_CLOSED, SY_LEV_RESET,
	SY_LEV_ERROR, SY_LEV_DATA, SY_LEV_SENT, SY_LEV_N,
};

/* A connection's box: ptr first, as in every box. */
struct sy_lua_conn {
	void *ptr;       /* the sy_tcb, NULL once freed */
	unsigned want;   /* 1 << sy_lua_conn_ev for each handler set */
	uint8_t error;   /* why it ended: SY_LERR_* */
};

/* A box whose connection is a compact TIME_WAIT (ptr tagged 1, tw.h) or
 * was let go in TIME_WAIT (tagged 2, ltcp_away.c) made to point at its rebuilt
 * record, taken back; sy_lua_check_obj does it for every connection box
 * it checks. */
void sy_lua_conn_resolve(lua_State *L, struct sy_lua_conn *b);

/* conn.error: why a connection ended, if not by the closing sequence. */
enum { SY_LERR_NONE, SY_LERR_REFUSED, SY_LERR_RESET, SY_LERR_TIMEOUT };

/* Endpoint-wide handlers, as bits of struct sy_lua_ep's want. */
enum { SY_LEP_STATE = 1, SY_LEP_ACCEPT = 2 };

/* Per endpoint: the simulator (for calls into Lua), the registry
 * reference of the endpoint's box, whose user value 2 holds the Lua side:
 * [1] = {port -> accept handler}, [2] = state handler; and which of
 * those exist. */
struct sy_lua_ep {
	struct sy_lua_sim *ls;
	int box_ref;
	unsigned want;   /* SY_LEP_* */
	/* The connections let go in TIME_WAIT (ltcp_away.c): a bit
	 * per connection id in a window from wbase (a multiple of 64),
	 * wn words at wbits, inside a buffer of wcap words (a userdata of
	 * the table weak_ref, with the boxes and the handler tables). */
	uint64_t *wbits, *wbuf;
	uint64_t wbase;
	size_t wn, wcap, nweak;
	size_t hdom_n;   /* of those, how many have the usual handler table */
	int weak_ref;
	lua_State *Lmain; /* for them outside a run (a connect taking over one) */
};

void sy_lua_open_tcp(lua_State *L);
void sy_lua_open_tcp_ep(lua_State *L);
/* The endpoint's observers (ltcp.c), reporting to the binding state e. */
void sy_lua_tcp_observe(sy_tcp_ep *ep, struct sy_lua_ep *e);
/* Pushes the box of connection c, made on first use, of the simulator at
 * sim_idx. */
void sy_lua_push_conn(lua_State *L, int sim_idx, sy_tcb *c);
/* Applies the options of conn:set in the table at idx to c, whose box is
 * at 1; errors name fname. */
void sy_lua_conn_options(lua_State *L, int idx, sy_tcb *c, const char *fname);
/* ltcp_sock.c: the socket calls of a connection (conn:read, close,
 * shutdown, poll), its socket options, and its errors. */
void sy_lua_conn_sock_options(lua_State *L, int idx, sy_tcb *c, const char *fname);
int sy_lua_conn_read(lua_State *L);
/* Sets field 3 of the table on top, a freed connection's snapshot, to
 * what c's user has not read yet, if anything (see conn:read); whether
 * there is any. */
void sy_lua_conn_keep_unread(lua_State *L, sy_tcb *c);
bool sy_lua_conn_has_unread(const sy_tcb *c);
int sy_lua_conn_close(lua_State *L);
int sy_lua_conn_shutdown(lua_State *L);
int sy_lua_conn_poll(lua_State *L);
/* "refused", "reset", "timeout", or NULL. */
const char *sy_lua_conn_error_name(const struct sy_lua_conn *b);
/* A refusal, reset or timeout of c (a report of `cause`): kept in its box
 * b (if any), and written to stderr unless the script watches c. */
void sy_lua_conn_error(struct sy_lua_ep *e, sy_tcb *c, struct sy_lua_conn *b,
		       sy_tcp_cause cause);
/* The state logs of ls: flushed, and with close closed and freed; -1 with
 * a message naming the file when a write, flush or close failed. */
int sy_lua_logs_check(struct sy_lua_sim *ls, bool close, sy_err *err);

/* lapp.c: node:app and the app class (opened with the endpoints);
 * sy_lua_apps_close frees the applications of the simulator at sim_idx
 * (after its network). */
void sy_lua_open_apps(lua_State *L);
void sy_lua_apps_close(lua_State *L, int sim_idx);

/* ltun.c: node:tun and the tun class (after the node class exists). */
void sy_lua_open_tun(lua_State *L);

/* lstats.c: synack.summary and synack.series (added to the module table
 * on top), sim:every, sim:tcp_table; the connection table is kept only
 * once asked for (sim:tcp_table, sim:write_tcp_csv, sim:record) and freed
 * after the network. */
void sy_lua_open_stats(lua_State *L);
void sy_lua_stats_module(lua_State *L);
/* With the network: makes the table if it was asked for before. */
void sy_lua_stats_net(lua_State *L, struct sy_lua_sim *ls);
/* Keeps the table from now on if no connection can have existed yet;
 * returns whether it is kept. */
bool sy_lua_stats_keep(lua_State *L, struct sy_lua_sim *ls);
void sy_lua_stats_close(struct sy_lua_sim *ls);

/* lrecord.c: sim:record and the recorder class; the recorder is freed
 * (and its box emptied) when the simulator at sim_idx closes. */
void sy_lua_open_record(lua_State *L);
void sy_lua_record_close(lua_State *L, int sim_idx, struct sy_lua_sim *ls);

#endif
