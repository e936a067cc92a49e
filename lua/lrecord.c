/* sim:record() and the recorder class: connections and ladder diagrams. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpriv.h"
#include "record_priv.h"
#include "tcb.h"
#include "tcp_priv.h"

#define MT_RECORD "synack.record"
#define MT_CONN "synack.conn"

static sy_record *check_record(lua_State *L, int idx, struct sy_lua_sim **ls)
{
	return sy_lua_check_box(L, idx, MT_RECORD, "recorder", ls);
}

/* sim:record(): starts recording now; the same recorder every call. */
static int sim_record(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_err err;

	if (!ls->record) {
		sy_net *net = sy_lua_net_of(L, ls);

		/* a recorded run has its connection table too, when whole */
		(void)sy_lua_stats_keep(L, ls);
		if (!(ls->record = sy_record_new(net, &err)))
			return luaL_error(L, "%s", err.msg);
	}
	sy_lua_push_box(L, 1, ls->record, MT_RECORD);
	return 1;
}

void sy_lua_record_close(lua_State *L, int sim_idx, struct sy_lua_sim *ls)
{
	if (!ls->record)
		return;
	sim_idx = lua_absindex(L, sim_idx);
	if (lua_getiuservalue(L, sim_idx, 3) == LUA_TTABLE) {
		if (lua_rawgetp(L, -1, ls->record) == LUA_TUSERDATA)
			((struct sy_lua_box *)lua_touserdata(L, -1))->ptr = NULL;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	/* called before the network goes: it can still detach */
	sy_record_free(ls->record, true);
	ls->record = NULL;
}

static void push_endpoint(lua_State *L, const sy_rec_conn *c, int s)
{
	char a[16];

	sy_ipv4_format(c->addr[s], a);
	lua_pushfstring(L, "%s:%d", a, (int)c->port[s]);
}

/* rec:connections() -> {{index=, client=, server=, first=, last=,
 * segments=}, ...} */
static int rec_connections(lua_State *L)
{
	sy_record *r = check_record(L, 1, NULL);
	size_t n = sy_record_conns(r);

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		const sy_rec_conn *c = sy_record_conn(r, i);

		lua_createtable(L, 0, 8);
		lua_pushinteger(L, (lua_Integer)i + 1);
		lua_setfield(L, -2, "index");
		push_endpoint(L, c, 0);
		lua_setfield(L, -2, "client");
		push_endpoint(L, c, 1);
		lua_setfield(L, -2, "server");
		lua_pushstring(L, c->node[0] ? sy_node_name(c->node[0]) : "");
		lua_setfield(L, -2, "client_node");
		lua_pushstring(L, c->node[1] ? sy_node_name(c->node[1]) : "");
		lua_setfield(L, -2, "server_node");
		lua_pushnumber(L, sy_time_to_sec(c->first));
		lua_setfield(L, -2, "first");
		lua_pushnumber(L, sy_time_to_sec(c->last));
		lua_setfield(L, -2, "last");
		lua_pushinteger(L, (lua_Integer)c->segments);
		lua_setfield(L, -2, "segments");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* Option 'connection' of the table at idx: an index from 1 or a
 * connection object (nil: the first) -> the index from 0. */
static size_t opt_connection(lua_State *L, int idx, sy_record *r, struct sy_lua_sim *ls,
			     const char *fname)
{
	size_t conn = 0;

	switch (lua_getfield(L, idx, "connection")) {
	case LUA_TNIL:
		break;
	case LUA_TNUMBER: {
		lua_Integer i;

		if (!lua_isinteger(L, -1))
			luaL_error(L, "%s: connection must be an index or a connection", fname);
		i = lua_tointeger(L, -1);
		if (i < 1 || (size_t)i > sy_record_conns(r))
			luaL_error(L, "%s: no connection %I: the recorder has %I", fname, i,
				   (lua_Integer)sy_record_conns(r));
		conn = (size_t)(i - 1);
		break;
	}
	case LUA_TUSERDATA: {
		struct sy_lua_box *b = luaL_testudata(L, -1, MT_CONN);
		struct sy_lua_sim *of;
		char opt[64];
		long i;

		if (!b)
			luaL_error(L, "%s: connection must be an index or a connection", fname);
		/* A gone connection may still be found (by its box); one
		 * of a closed or another simulator cannot. */
		sy_lua_check_obj(L, -1, MT_CONN, &of);
		snprintf(opt, sizeof opt, "%s: option 'connection'", fname);
		sy_lua_check_owner(L, -1, of, ls, "connection", opt);
		if (b->ptr) {
			sy_tcb *c = b->ptr;

			i = sy_record_find(r, c->ep, c->id, b);
		} else {
			i = sy_record_find(r, NULL, 0, b);
		}
		if (i < 0)
			luaL_error(L, "%s: the connection was not recorded (no event of it "
				   "since sim:record())", fname);
		conn = (size_t)i;
		break;
	}
	default:
		luaL_error(L, "%s: connection must be an index or a connection", fname);
	}
	lua_pop(L, 1);
	return conn;
}

/* The options table at idx (or none) as ladder options. */
static void ladder_opts(lua_State *L, int idx, sy_record *r, struct sy_lua_sim *ls,
			sy_ladder_opts *o, const char *fname)
{
	static const char *const known[] = {
		"connection", "from", "to", "title", "width", "relative", "font_size", "scale",
		NULL,
	};

	memset(o, 0, sizeof *o);
	o->to = -1;
	if (lua_isnoneornil(L, idx))
		return;
	luaL_checktype(L, idx, LUA_TTABLE);
	sy_lua_check_options(L, idx, fname, known);
	o->conn = opt_connection(L, idx, r, ls, fname);
	if (lua_getfield(L, idx, "from") != LUA_TNIL)
		o->from = sy_lua_check_time(L, -1);
	if (lua_getfield(L, idx, "to") != LUA_TNIL)
		o->to = sy_lua_check_time(L, -1);
	if (lua_getfield(L, idx, "title") != LUA_TNIL)
		o->title = sy_lua_check_string(L, -1, "ladder: option 'title'"); /* stays on the stack */
	if (lua_getfield(L, idx, "width") == LUA_TSTRING) {
		if (strcmp(lua_tostring(L, -1), "auto") != 0)
			luaL_error(L, "%s: width '%s': a number or \"auto\"", fname,
				   lua_tostring(L, -1));
		o->width = SY_LADDER_WIDTH_AUTO;
	} else if (!lua_isnil(L, -1)) {
		lua_Integer w = luaL_checkinteger(L, -1);

		if (w < 1 || w > 100000)
			luaL_error(L, "%s: width %I is out of range", fname, w);
		o->width = (int)w;
	}
	if (lua_getfield(L, idx, "font_size") != LUA_TNIL) {
		lua_Number v = luaL_checknumber(L, -1);

		if (!(v >= 6 && v <= 48))
			luaL_error(L, "%s: font_size %f: from 6 to 48 (pixels)", fname, v);
		o->font = v;
	}
	if (lua_getfield(L, idx, "scale") != LUA_TNIL) {
		lua_Number v = luaL_checknumber(L, -1);

		if (!(v >= 0.1 && v <= 10))
			luaL_error(L, "%s: scale %f: from 0.1 to 10", fname, v);
		o->scale = v;
	}
	if (lua_getfield(L, idx, "relative") != LUA_TNIL) {
		luaL_checktype(L, -1, LUA_TBOOLEAN);
		o->relative = lua_toboolean(L, -1);
	}
	if (o->to >= 0 && o->to < o->from)
		luaL_error(L, "%s: the window ends (to) before it starts (from)", fname);
	if (!sy_record_conns(r))
		luaL_error(L, "%s: no connection was recorded", fname);
}

/* rec:ladder(path [, opts]): SVG when path ends in ".svg", else text. */
static int rec_ladder(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	const char *path = sy_lua_check_string(L, 2, NULL);
	size_t n = strlen(path);
	bool svg = n >= 4 && strcmp(path + n - 4, ".svg") == 0;
	sy_ladder_opts o;
	sy_err err;

	/* The options are checked before anything touches the file. */
	ladder_opts(L, 3, r, ls, &o, "ladder");
	if (sy_record_ladder_file(r, &o, path, svg, &err) < 0)
		return luaL_error(L, "ladder: %s", err.msg);
	return 0;
}

/* rec:ladder_text([opts]) -> string */
static int rec_ladder_text(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	sy_ladder_opts o;
	sy_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc, bad;

	ladder_opts(L, 2, r, ls, &o, "ladder_text");
	if (!(f = open_memstream(&buf, &len)))
		return luaL_error(L, "ladder_text: out of memory");
	rc = sy_record_ladder_text(r, &o, f, &err);
	bad = ferror(f);
	if (fclose(f) != 0)
		bad = 1;
	if (bad && rc == 0)
		rc = sy_err_set(&err, "out of memory");
	if (rc < 0) {
		free(buf);
		return luaL_error(L, "ladder_text: %s", err.msg);
	}
	lua_pushlstring(L, buf, len);
	free(buf);
	return 1;
}

/* The options of segment i that a reader of the ladder needs, as fields
 * of the table on top: mss, wscale (SYNs), tsval and tsecr, and sack, a
 * list of {left, right} blocks. */
static void push_seg_options(lua_State *L, sy_record *r, size_t i)
{
	unsigned olen;
	const uint8_t *opt = sy_record_seg_options(r, i, &olen);
	sy_tcp_opts o;

	if (!opt || !olen || sy_tcp_parse_options(opt, olen, &o) < 0)
		return;
	if (o.has_mss)
		sy_lua_set_int(L, "mss", o.mss);
	if (o.has_ws)
		sy_lua_set_int(L, "wscale", o.ws);
	if (o.has_ts) {
		sy_lua_set_int(L, "tsval", o.tsval);
		sy_lua_set_int(L, "tsecr", o.tsecr);
	}
	if (o.nsack) {
		lua_createtable(L, o.nsack, 0);
		for (unsigned b = 0; b < o.nsack; b++) {
			lua_createtable(L, 2, 0);
			lua_pushinteger(L, o.sack[b][0]);
			lua_rawseti(L, -2, 1);
			lua_pushinteger(L, o.sack[b][1]);
			lua_rawseti(L, -2, 2);
			lua_rawseti(L, -2, (lua_Integer)b + 1);
		}
		lua_setfield(L, -2, "sack");
	}
}

/* A segment row's drop (reason=; at= the node that refused it at its
 * destination, or link = "a>b" the link direction that dropped it) and
 * event= (what it was sent or received for). */
static void push_seg_notes(lua_State *L, sy_net *net, const sy_record *r,
			   const sy_rec_seg *s)
{
	const sy_rec_conn *c = sy_record_conn(r, s->conn);
	const sy_link *l;

	if (s->fate == SY_REC_DROPPED) {
		lua_pushstring(L, sy_record_drop_name(s));
		lua_setfield(L, -2, "reason");
		if (s->at_receiver && c->node[!s->dir]) {
			lua_pushstring(L, sy_node_name(c->node[!s->dir]));
			lua_setfield(L, -2, "at");
		} else if (!s->at_receiver && !s->tcp_drop && s->link &&
			   (l = sy_net_link_at(net, s->link - 1))) {
			lua_pushfstring(L, "%s>%s", sy_node_name(sy_link_node(l, s->link_dir)),
					sy_node_name(sy_link_node(l, !s->link_dir)));
			lua_setfield(L, -2, "link");
		}
	}
	if (s->event) {
		lua_pushstring(L, sy_tcp_event_name((sy_tcp_event)(s->event - 1)));
		lua_setfield(L, -2, "event");
	}
}

/* rec:events([opts]) -> the connection's notable events in time order:
 * {t=, side = "client" | "server", node=, event = "cookie_sent" | ...,
 * seq=}; honours connection, from and to. */
static int rec_events(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	sy_ladder_opts o;
	lua_Integer k = 0;

	ladder_opts(L, 2, r, ls, &o, "events");
	lua_newtable(L);
	for (size_t i = 0; i < sy_record_events(r); i++) {
		const sy_rec_event *e = sy_record_event(r, i);
		const sy_rec_conn *c = sy_record_conn(r, e->conn);

		if (e->conn != o.conn || e->t < o.from || (o.to >= 0 && e->t > o.to))
			continue;
		lua_createtable(L, 0, 5);
		lua_pushnumber(L, sy_time_to_sec(e->t));
		lua_setfield(L, -2, "t");
		lua_pushstring(L, e->side ? "server" : "client");
		lua_setfield(L, -2, "side");
		if (c->node[e->side]) {
			lua_pushstring(L, sy_node_name(c->node[e->side]));
			lua_setfield(L, -2, "node");
		}
		lua_pushstring(L, sy_tcp_event_name((sy_tcp_event)e->what));
		lua_setfield(L, -2, "event");
		sy_lua_set_int(L, "seq", e->seq);
		lua_rawseti(L, -2, ++k);
	}
	return 1;
}

/* rec:segments([opts]) -> the connection's segments in the order they
 * were sent: {sent=, arrived=, dropped=, reason=, dir = "c>s" | "s>c",
 * flags = "SYN,ACK", seq=, ack=, len=, win=, and the options mss=,
 * wscale=, tsval=, tsecr=, sack = {{left, right}...} it had, ecn =
 * "ect0" | "ect1" | "ce" (as it arrived; absent: Not-ECT)};
 * rec:states([opts]) -> its
 * state changes: {t=, side = "client" | "server", from=, to=, cause=,
 * rule = "RFC 9293 3.10.7.3" | "linux: tw_syn_accept" | ...}.
 * Both honour connection, from and to. */
static int rec_segments(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	sy_ladder_opts o;
	lua_Integer k = 0;
	sy_net *net;

	ladder_opts(L, 2, r, ls, &o, "segments");
	net = sy_lua_net_of(L, ls);
	lua_newtable(L);
	for (size_t i = 0; i < sy_record_segments(r); i++) {
		const sy_rec_seg *s = sy_record_segment(r, i);
		char fl[48];

		if (s->conn != o.conn || (s->end >= 0 && s->end < o.from) ||
		    (o.to >= 0 && s->sent > o.to))
			continue;
		lua_createtable(L, 0, 10);
		lua_pushnumber(L, sy_time_to_sec(s->sent));
		lua_setfield(L, -2, "sent");
		if (s->fate != SY_REC_FLIGHT) {
			lua_pushnumber(L, sy_time_to_sec(s->end));
			lua_setfield(L, -2, s->fate == SY_REC_ARRIVED ? "arrived" : "dropped");
		}
		push_seg_notes(L, net, r, s);
		lua_pushstring(L, s->dir ? "s>c" : "c>s");
		lua_setfield(L, -2, "dir");
		sy_record_flags(s->flags, fl, sizeof fl);
		lua_pushstring(L, fl);
		lua_setfield(L, -2, "flags");
		if (s->ecn) {
			static const char *const ecn[] = { "", "ect1", "ect0", "ce" };

			lua_pushstring(L, ecn[s->ecn & 3]);
			lua_setfield(L, -2, "ecn");
		}
		sy_lua_set_int(L, "seq", s->seq);
		sy_lua_set_int(L, "ack", s->ack);
		sy_lua_set_int(L, "len", s->len);
		sy_lua_set_int(L, "win", s->win);
		push_seg_options(L, r, i);
		lua_rawseti(L, -2, ++k);
	}
	return 1;
}

/* Field rule of the state change on top: the RFC section or the timer
 * profile's parameter that made it (sy_tcp_cause_rule). */
static void push_state_rule(lua_State *L, const sy_rec_state *s)
{
	const char *rule = NULL;

	if (s->cause < SY_TCP_CAUSES && s->from < SY_TCP_STATES && s->to < SY_TCP_STATES)
		rule = sy_tcp_cause_rule((sy_tcp_cause)s->cause, (sy_tcp_state)s->from,
					 (sy_tcp_state)s->to);
	if (rule) {
		lua_pushstring(L, rule);
		lua_setfield(L, -2, "rule");
	}
}

static int rec_states(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	sy_ladder_opts o;
	lua_Integer k = 0;

	ladder_opts(L, 2, r, ls, &o, "states");
	lua_newtable(L);
	for (size_t i = 0; i < sy_record_states(r); i++) {
		const sy_rec_state *s = sy_record_state(r, i);

		if (s->conn != o.conn || s->t < o.from || (o.to >= 0 && s->t > o.to))
			continue;
		lua_createtable(L, 0, 6);
		lua_pushnumber(L, sy_time_to_sec(s->t));
		lua_setfield(L, -2, "t");
		lua_pushstring(L, s->side ? "server" : "client");
		lua_setfield(L, -2, "side");
		lua_pushstring(L, sy_tcp_state_name((sy_tcp_state)s->from));
		lua_setfield(L, -2, "from");
		lua_pushstring(L, sy_tcp_state_name((sy_tcp_state)s->to));
		lua_setfield(L, -2, "to");
		lua_pushstring(L, sy_record_cause(r, s->cause));
		lua_setfield(L, -2, "cause");
		push_state_rule(L, s);
		lua_rawseti(L, -2, ++k);
	}
	return 1;
}

/* Option 'side' of rec:packetdrill: "client", "server", a node, or an
 * address ("10.0.0.1" or "10.0.0.1:80") of connection c -> 0 or 1. */
static int opt_side(lua_State *L, int idx, const sy_rec_conn *c, size_t ci)
{
	int side = 0;

	switch (lua_getfield(L, idx, "side")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING: {
		const char *v = sy_lua_check_string(L, -1, "packetdrill: option 'side'");
		char a[32];
		const char *colon = strchr(v, ':');
		uint32_t addr;
		long port = -1;

		if (strcmp(v, "client") == 0)
			break;
		if (strcmp(v, "server") == 0) {
			side = 1;
			break;
		}
		snprintf(a, sizeof a, "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
		if (colon) {
			char *end;

			port = strtol(colon + 1, &end, 10);
			if (*end || end == colon + 1 || port < 0 || port > 65535)
				port = -2;
		}
		if (port == -2 || sy_ipv4_parse(a, &addr) < 0)
			luaL_error(L, "packetdrill: side '%s' is not \"client\", \"server\", a node "
				   "or an address", v);
		for (side = 0; side < 2; side++)
			if (c->addr[side] == addr && (port < 0 || c->port[side] == port))
				break;
		if (side == 2)
			luaL_error(L, "packetdrill: side '%s' is neither end of connection %I", v,
				   (lua_Integer)ci + 1);
		break;
	}
	case LUA_TUSERDATA: {
		sy_node *n = sy_lua_check_node(L, -1, NULL);

		for (side = 0; side < 2; side++)
			if (c->node[side] == n)
				break;
		if (side == 2)
			luaL_error(L, "packetdrill: node '%s' is neither end of connection %I",
				   sy_node_name(n), (lua_Integer)ci + 1);
		break;
	}
	default:
		luaL_error(L, "packetdrill: side must be \"client\", \"server\", a node or an address");
	}
	lua_pop(L, 1);
	return side;
}

/* An endpoint's plugin instance as {name=, params = {KEY = VALUE},
 * defaults = {KEY = DEFAULT}} (values as the user writes them). */
static void push_instance(lua_State *L, const sy_instance *in)
{
	char buf[128];

	lua_newtable(L);
	if (!in->plugin)
		return;
	lua_pushstring(L, in->plugin->name);
	lua_setfield(L, -2, "name");
	lua_newtable(L);
	for (const sy_param *p = in->plugin->params; p && p->name; p++) {
		if (sy_param_format(p, in->state, buf, sizeof buf) < 0)
			continue;
		lua_pushstring(L, buf);
		lua_setfield(L, -2, p->name);
	}
	lua_setfield(L, -2, "params");
	lua_newtable(L);
	for (const sy_param *p = in->plugin->params; p && p->name; p++) {
		lua_pushstring(L, p->def ? p->def : "");
		lua_setfield(L, -2, p->name);
	}
	lua_setfield(L, -2, "defaults");
}

/* rec:packetdrill(path [, {connection=, side=}]): the connection as a
 * packetdrill script from one side (lua/synack/packetdrill_export.lua
 * writes it from the table built here). */
static int rec_packetdrill(lua_State *L)
{
	static const char *const known[] = { "connection", "side", NULL };
	struct sy_lua_sim *ls;
	sy_record *r = check_record(L, 1, &ls);
	const sy_rec_conn *c;
	const sy_tcp_ep *ep;
	size_t ci = 0;
	lua_Integer k = 0;
	int side = 0;

	sy_lua_check_string(L, 2, NULL);
	lua_settop(L, 3);
	if (!lua_isnil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		sy_lua_check_options(L, 3, "packetdrill", known);
	}
	if (!sy_record_conns(r))
		return luaL_error(L, "packetdrill: no connection was recorded");
	if (!lua_isnil(L, 3))
		ci = opt_connection(L, 3, r, ls, "packetdrill");
	c = sy_record_conn(r, ci);
	if (!lua_isnil(L, 3))
		side = opt_side(L, 3, c, ci);

	lua_getglobal(L, "require");
	lua_pushliteral(L, "synack.packetdrill_export");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "write");
	lua_pushvalue(L, 2);
	lua_createtable(L, 0, 12);
	sy_lua_set_int(L, "index", ci + 1);
	sy_lua_set_int(L, "side", (uint64_t)side);
	for (int s = 0; s < 2; s++) {
		push_endpoint(L, c, s);
		lua_setfield(L, -2, s ? "server" : "client");
		lua_pushstring(L, c->node[s] ? sy_node_name(c->node[s]) : "");
		lua_setfield(L, -2, s ? "server_node" : "client_node");
		lua_pushboolean(L, c->syn_isn[s]);
		lua_setfield(L, -2, s ? "server_syn" : "client_syn");
		sy_lua_set_int(L, s ? "server_isn" : "client_isn", c->isn[s]);
		lua_pushboolean(L, c->side[s].ep != NULL);
		lua_setfield(L, -2, s ? "server_record" : "client_record");
	}
	lua_pushnumber(L, sy_time_to_sec(c->first));
	lua_setfield(L, -2, "first");
	lua_newtable(L);
	for (size_t i = 0; i < sy_record_segments(r); i++) {
		const sy_rec_seg *s = sy_record_segment(r, i);
		const uint8_t *opt;
		unsigned olen;
		char fl[48];

		if (s->conn != ci)
			continue;
		lua_createtable(L, 0, 12);
		lua_pushnumber(L, sy_time_to_sec(s->sent));
		lua_setfield(L, -2, "sent");
		/* one its destination's TCP refused reached that TCP: the
		 * script injects it, and the endpoint refuses it again */
		if (s->fate != SY_REC_FLIGHT) {
			lua_pushnumber(L, sy_time_to_sec(s->end));
			lua_setfield(L, -2, s->fate == SY_REC_ARRIVED || s->tcp_drop ? "arrived" : "dropped");
		}
		lua_pushboolean(L, s->at_receiver && !s->tcp_drop);
		lua_setfield(L, -2, "at_receiver");
		lua_pushboolean(L, s->copy);
		lua_setfield(L, -2, "copy");
		sy_lua_set_int(L, "dir", s->dir);
		sy_record_flags(s->flags, fl, sizeof fl);
		lua_pushstring(L, fl);
		lua_setfield(L, -2, "flags");
		sy_lua_set_int(L, "seq", s->seq);
		sy_lua_set_int(L, "ack", s->ack);
		sy_lua_set_int(L, "len", s->len);
		sy_lua_set_int(L, "win", s->win);
		opt = sy_record_seg_options(r, i, &olen);
		lua_pushlstring(L, opt ? (const char *)opt : "", olen);
		lua_setfield(L, -2, "options");
		lua_rawseti(L, -2, ++k);
	}
	lua_setfield(L, -2, "segments");
	/* the side's endpoint as it is now: its parameters are fixed at
	 * creation, so they are those of the recorded run */
	ep = c->node[side] ? sy_tcp_ep_of(c->node[side]) : NULL;
	if (ep) {
		push_instance(L, &ep->sm);
		lua_setfield(L, -2, "sm");
		push_instance(L, &ep->timers);
		lua_setfield(L, -2, "timers");
		push_instance(L, &ep->cc);
		lua_setfield(L, -2, "cc");
	}
	lua_call(L, 2, 0);
	return 0;
}

/* rec:seqgraph(path [, opts]): a time-sequence graph in SVG, drawn by
 * lua/synack/seqgraph.lua from rec:segments(). */
static int rec_seqgraph(lua_State *L)
{
	check_record(L, 1, NULL);
	lua_settop(L, 3);
	lua_getglobal(L, "require");
	lua_pushliteral(L, "synack.seqgraph");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "write");
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_call(L, 3, 1);
	return 1;
}

/* rec:html(path [, opts]): an interactive viewer of a connection, one
 * self-contained HTML file, written by lua/synack/html.lua from
 * rec:segments(), rec:states() and rec:events(). */
static int rec_html(lua_State *L)
{
	check_record(L, 1, NULL);
	lua_settop(L, 3);
	lua_getglobal(L, "require");
	lua_pushliteral(L, "synack.html");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "write");
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_call(L, 3, 1);
	return 1;
}

static int rec_tostring(lua_State *L)
{
	sy_record *r = check_record(L, 1, NULL);

	lua_pushfstring(L, "synack.record (%I connections, %I segments)",
			(lua_Integer)sy_record_conns(r), (lua_Integer)sy_record_segments(r));
	return 1;
}

static const luaL_Reg rec_methods[] = {
	{ "connections", rec_connections },
	{ "html", rec_html },
	{ "events", rec_events },
	{ "ladder", rec_ladder },
	{ "ladder_text", rec_ladder_text },
	{ "packetdrill", rec_packetdrill },
	{ "segments", rec_segments },
	{ "seqgraph", rec_seqgraph },
	{ "states", rec_states },
	{ NULL, NULL },
};

static const luaL_Reg sim_record_methods[] = {
	{ "record", sim_record },
	{ NULL, NULL },
};

void sy_lua_open_record(lua_State *L)
{
	sy_lua_new_class(L, MT_RECORD, rec_methods, NULL, rec_tostring);
	luaL_getmetatable(L, SY_MT_SIM);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, sim_record_methods, 0);
	lua_pop(L, 2);
}
