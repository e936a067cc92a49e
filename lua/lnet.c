/* Lua binding of the network model: sim:node, traces, and the node
 * object; links are in llink.c.
 *
 * Nodes and links belong to the network of their simulator, not to Lua:
 * their userdata are boxes holding a pointer, with the simulator as user
 * value (so it outlives them), and one box per object, kept in the
 * simulator's third user value, so the same node is always the same Lua
 * value.  A box of a closed simulator raises a clear error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lnet.h"
#include "lpriv.h"
#include "net.h"
#include "tcp.h"
#include "trace.h"
#include "units.h"

#define MT_NODE SY_MT_NODE

#define PROTO_RAW 253 /* RFC 3692 experimental: node:send_raw packets */

sy_node *sy_lua_check_node(lua_State *L, int idx, struct sy_lua_sim *in)
{
	struct sy_lua_sim *ls;
	sy_node *n = sy_lua_check_box(L, idx, MT_NODE, "node", &ls);

	if (in)
		sy_lua_check_owner(L, idx, ls, in, "node", NULL);
	return n;
}

/* Pushes the box of ptr, creating it once.  sim_idx: the simulator. */
void sy_lua_push_box(lua_State *L, int sim_idx, void *ptr, const char *mt)
{
	struct sy_lua_box *b;

	sim_idx = lua_absindex(L, sim_idx);
	lua_getiuservalue(L, sim_idx, 3);
	if (lua_rawgetp(L, -1, ptr) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	b = lua_newuserdatauv(L, sizeof *b, 2); /* 1: simulator, 2: for the class */
	b->ptr = ptr;
	luaL_setmetatable(L, mt);
	lua_pushvalue(L, sim_idx);
	lua_setiuservalue(L, -2, 1);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, ptr);
	lua_remove(L, -2);
}

sy_net *sy_lua_net_of(lua_State *L, struct sy_lua_sim *ls)
{
	sy_err err;

	if (!ls->net && !(ls->net = sy_net_new(ls->sim, &err)))
		luaL_error(L, "%s", err.msg);
	sy_lua_stats_net(L, ls); /* a row for every connection from the start */
	return ls->net;
}

static void raw_sink(void *ctx, sy_node *at, sy_packet *p)
{
	sy_net_release(ctx, p);
}

/* sim:node(name) */
static int sim_node(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	const char *name = sy_lua_check_string(L, 2, NULL);
	sy_net *net = sy_lua_net_of(L, ls);
	sy_err err;
	sy_node *n = sy_net_node(net, name, &err);

	if (!n)
		return luaL_error(L, "%s", err.msg);
	sy_node_set_proto(n, PROTO_RAW, raw_sink, net);
	sy_lua_push_box(L, 1, n, MT_NODE);
	return 1;
}

/* sim:nodes(): every node in creation order */
static int sim_nodes(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	size_t n = ls->net ? sy_net_nodes(ls->net) : 0;

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		sy_lua_push_box(L, 1, sy_net_node_at(ls->net, i), MT_NODE);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* ------------------------------------------------------------ traces */

sy_trace *sy_lua_trace_of(lua_State *L, struct sy_lua_sim *ls)
{
	sy_err err;

	if (!ls->trace && !(ls->trace = sy_trace_new(sy_lua_net_of(L, ls), &err)))
		luaL_error(L, "%s", err.msg);
	return ls->trace;
}

/* sim:pcap(dir): a pcap file per link, DIR/A-B.pcap */
static int sim_pcap(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	const char *dir = sy_lua_check_string(L, 2, NULL);
	sy_err err;

	if (sy_trace_pcap_all(sy_lua_trace_of(L, ls), dir, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* sim:trace(file): an ns-2-style text trace of every link */
static int sim_trace(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	const char *path = sy_lua_check_string(L, 2, NULL);
	sy_err err;

	if (sy_trace_text_all(sy_lua_trace_of(L, ls), path, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* ------------------------------------------------------------ objects */

void sy_lua_push_addr(lua_State *L, uint32_t a)
{
	char buf[16];

	sy_ipv4_format(a, buf);
	lua_pushstring(L, buf);
}

void sy_lua_push_drops(lua_State *L, const uint64_t *drops)
{
	lua_createtable(L, 0, SY_DROP_REASONS);
	for (int r = 0; r < SY_DROP_REASONS; r++) {
		lua_pushinteger(L, (lua_Integer)drops[r]);
		lua_setfield(L, -2, sy_drop_name((sy_drop)r));
	}
}

void sy_lua_set_int(lua_State *L, const char *k, uint64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

void sy_lua_set_num(lua_State *L, const char *k, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

static int node_name(lua_State *L)
{
	lua_pushstring(L, sy_node_name(sy_lua_check_node(L, 1, NULL)));
	return 1;
}

static int node_address(lua_State *L)
{
	sy_node *n = sy_lua_check_node(L, 1, NULL);
	lua_Integer i = luaL_optinteger(L, 2, 1);

	if (i < 1 || (size_t)i > sy_node_ifaces(n))
		return luaL_argerror(L, 2, lua_pushfstring(L, "node '%s' has %d interface(s)",
					    sy_node_name(n), (int)sy_node_ifaces(n)));
	sy_lua_push_addr(L, sy_node_addr(n, (size_t)i - 1));
	return 1;
}

static int node_stats(lua_State *L)
{
	const sy_node_stats *s = sy_node_stats_get(sy_lua_check_node(L, 1, NULL));

	lua_createtable(L, 0, 4);
	sy_lua_set_int(L, "sent", s->sent);
	sy_lua_set_int(L, "received", s->received);
	sy_lua_set_int(L, "forwarded", s->forwarded);
	sy_lua_push_drops(L, s->drops);
	lua_setfield(L, -2, "drops");
	return 1;
}

/* "SYN+ACK" -> flag bits; -1 for an unknown name. */
static int parse_flags(const char *s)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	int flags = 0;

	while (*s) {
		size_t len = strcspn(s, "+");
		int bit = -1;

		for (int i = 0; i < 8; i++)
			if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
				bit = i;
		if (bit < 0)
			return -1;
		flags |= 1 << bit;
		s += len;
		if (*s == '+')
			s++;
	}
	return flags;
}

static lua_Integer opt_int(lua_State *L, int t, const char *key, lua_Integer def,
			   lua_Integer lo, lua_Integer hi, const char *fname)
{
	lua_Integer v;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return def;
	}
	if (!lua_isinteger(L, -1))
		luaL_error(L, "%s: option '%s' must be an integer", fname, key);
	v = lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (v < lo || v > hi)
		luaL_error(L, "%s: option '%s' is %I, not between %I and %I", fname, key, v, lo, hi);
	return v;
}

/* The options of send_raw's tcp table into t: a string of raw option
 * bytes (a multiple of 4, at most 40), or a table {mss =, wscale =,
 * sack_ok =, ts = {val, ecr}, sack = {{left, right}, ...}}. */
static void raw_tcp_options(lua_State *L, int idx, sy_tcp *t)
{
	static const char *const known[] = { "mss", "wscale", "sack_ok", "ts", "sack", NULL };
	sy_tcp_opts o = { 0 };

	switch (lua_getfield(L, idx, "options")) {
	case LUA_TNIL:
		lua_pop(L, 1);
		return;
	case LUA_TSTRING: {
		size_t n;
		const char *b = lua_tolstring(L, -1, &n);

		if (n % 4 || n > 40)
			luaL_error(L, "send_raw: tcp options: %d bytes of raw options; a multiple of 4, at most 40", (int)n);
		memcpy(t->opt, b, n);
		t->optlen = (uint8_t)n;
		lua_pop(L, 1);
		return;
	}
	case LUA_TTABLE:
		break;
	default:
		luaL_error(L, "send_raw: tcp options must be a table or a string of option bytes");
	}
	idx = lua_gettop(L);
	sy_lua_check_options(L, idx, "send_raw: tcp options", known);
	if (lua_getfield(L, idx, "mss") != LUA_TNIL) {
		o.has_mss = true;
		o.mss = (uint16_t)opt_int(L, idx, "mss", 536, 1, 65535, "send_raw: tcp options");
	}
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "wscale") != LUA_TNIL) {
		o.has_ws = true;
		o.ws = (uint8_t)opt_int(L, idx, "wscale", 0, 0, 255, "send_raw: tcp options");
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "sack_ok");
	o.sack_ok = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (lua_getfield(L, -1, "ts") != LUA_TNIL) {
		luaL_checktype(L, -1, LUA_TTABLE);
		o.has_ts = true;
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		o.tsval = (uint32_t)luaL_optinteger(L, -2, 0);
		o.tsecr = (uint32_t)luaL_optinteger(L, -1, 0);
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	if (lua_getfield(L, -1, "sack") != LUA_TNIL) {
		luaL_checktype(L, -1, LUA_TTABLE);
		for (int i = 1; i <= 4; i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TTABLE) {
				lua_pop(L, 1);
				break;
			}
			lua_rawgeti(L, -1, 1);
			lua_rawgeti(L, -2, 2);
			o.sack[o.nsack][0] = (uint32_t)luaL_checkinteger(L, -2);
			o.sack[o.nsack][1] = (uint32_t)luaL_checkinteger(L, -1);
			o.nsack++;
			lua_pop(L, 3);
		}
	}
	lua_pop(L, 1);
	lua_settop(L, idx - 1);
	t->optlen = (uint8_t)sy_tcp_write_options(&o, t->opt);
}

/* node:send_raw{to = NODE, size = BYTES, ttl = 64, tos = 0, tcp = {...}}: one IPv4
 * packet with a virtual payload, for exercising links without a transport.
 * Without `tcp` its protocol is 253 and the destination counts it in its
 * stats; with tcp = {sport=, dport=, seq=, ack=, flags="SYN+ACK", window=}
 * it is a TCP segment with a valid checksum (for traces). */
static int node_send_raw(lua_State *L)
{
	static const char *const known[] = { "to", "size", "ttl", "tos", "tcp", NULL };
	static const char *const tcp_known[] = { "sport", "dport", "seq", "ack", "flags", "window", "options", NULL };
	struct sy_lua_sim *ls;
	sy_node *n = sy_lua_check_node(L, 1, NULL), *to;
	struct sy_lua_sim *tols;
	sy_packet *p;
	int64_t size;
	lua_Integer ttl, tos;
	bool tcp;
	sy_ipv4 ip;
	sy_tcp opt = { 0 };
	sy_err err;

	ls = sy_lua_obj_sim(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	sy_lua_check_options(L, 2, "send_raw", known);
	lua_getfield(L, 2, "to");
	if (!luaL_testudata(L, 3, MT_NODE))
		return luaL_error(L, "send_raw: option 'to' must be a node, got a %s",
				  luaL_typename(L, 3));
	to = sy_lua_check_box(L, 3, MT_NODE, "node", &tols);
	sy_lua_check_owner(L, 3, tols, ls, "node", "send_raw: option 'to'");
	lua_getfield(L, 2, "size");
	size = lua_isnil(L, -1) ? 1000 : sy_lua_opt_size(L, -1, "size");
	ttl = opt_int(L, 2, "ttl", 64, 1, 255, "send_raw");
	tos = opt_int(L, 2, "tos", 0, 0, 255, "send_raw"); /* its low bits: ECN */
	tcp = lua_getfield(L, 2, "tcp") != LUA_TNIL; /* index 5 */
	if (tcp) {
		luaL_checktype(L, 5, LUA_TTABLE);
		sy_lua_check_options(L, 5, "send_raw: tcp", tcp_known);
	}
	if (tcp)
		raw_tcp_options(L, 5, &opt);
	if (size < (tcp ? 40 + opt.optlen : 20) || size > SY_IP_MAXLEN)
		return luaL_error(L, "send_raw: size %I B is not between %d and %d B",
				  (lua_Integer)size, tcp ? 40 + opt.optlen : 20, SY_IP_MAXLEN);
	if (!sy_node_ifaces(n) || !sy_node_ifaces(to))
		return luaL_error(L, "send_raw: both nodes need a link first");
	p = sy_packet_new(sy_net_pool(ls->net));
	if (!p)
		return luaL_error(L, "out of memory");
	p->hdr_len = (uint16_t)(tcp ? 40 + opt.optlen : 20);
	if (sy_packet_set_payload(sy_net_pool(ls->net), p, NULL, (uint32_t)size - p->hdr_len, &err) < 0) {
		sy_net_release(ls->net, p);
		return luaL_error(L, "send_raw: %s", err.msg);
	}
	ip = (sy_ipv4){
		.src = sy_node_addr(n, 0), .dst = sy_node_addr(to, 0),
		.proto = tcp ? SY_IPPROTO_TCP : PROTO_RAW, .ttl = (uint8_t)ttl,
		.tos = (uint8_t)tos, .id = sy_node_next_ip_id(n), .df = true,
	};
	if (tcp) {
		sy_tcp t = opt;
		const char *flags;
		int f;

		t.sport = (uint16_t)opt_int(L, 5, "sport", 40000, 0, 65535, "send_raw: tcp");
		t.dport = (uint16_t)opt_int(L, 5, "dport", 80, 0, 65535, "send_raw: tcp");
		t.seq = (uint32_t)opt_int(L, 5, "seq", 0, 0, UINT32_MAX, "send_raw: tcp");
		t.ack = (uint32_t)opt_int(L, 5, "ack", 0, 0, UINT32_MAX, "send_raw: tcp");
		t.window = (uint16_t)opt_int(L, 5, "window", 65535, 0, 65535, "send_raw: tcp");
		lua_getfield(L, 5, "flags");
		flags = lua_isnil(L, -1) ? "ACK" : lua_tostring(L, -1);
		if (flags && memchr(flags, 0, lua_rawlen(L, -1))) {
			sy_net_release(ls->net, p);
			return luaL_error(L, "send_raw: tcp flags: contains a NUL byte");
		}
		if (!flags || (f = parse_flags(flags)) < 0) {
			sy_net_release(ls->net, p);
			return luaL_error(L, "send_raw: tcp flags '%s' are not names like SYN, ACK, FIN, RST, PSH joined by '+'",
					  flags ? flags : "?");
		}
		t.flags = (uint8_t)f;
		sy_tcp_build(p, &ip, &t);
	} else {
		sy_ipv4_write(p, &ip);
	}
	sy_node_send(n, p);
	return 0;
}

/* ------------------------------------------------------------ hooks */

/* A per-packet Lua hook on a node (node:on_receive): the network owns it
 * and frees it with itself; the function stays in the registry. */
struct hook {
	struct sy_lua_sim *ls;
	int ref;
};

static void flags_string(uint8_t f, char *buf)
{
	static const char names[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			buf[n++] = names[i];
	buf[n] = 0;
}

/* The packet as a table: addresses, protocol, sizes and, for TCP, the
 * header fields (flags as letters: F S R P A U E C). */
static void push_packet(lua_State *L, const sy_packet *p)
{
	sy_ipv4 ip;
	sy_tcp t;
	char buf[16];

	lua_createtable(L, 0, 12);
	if (sy_ipv4_read(p, &ip, NULL) == 0) {
		sy_lua_push_addr(L, ip.src);
		lua_setfield(L, -2, "src");
		sy_lua_push_addr(L, ip.dst);
		lua_setfield(L, -2, "dst");
		sy_lua_set_int(L, "ttl", ip.ttl);
		sy_lua_set_int(L, "tos", ip.tos);
		sy_lua_set_int(L, "proto", ip.proto);
	}
	sy_lua_set_int(L, "size", p->len);
	sy_lua_set_int(L, "len", p->payload_len);
	if (p->hdr[9] == SY_IPPROTO_TCP && sy_tcp_read(p, &t, NULL) == 0) {
		sy_lua_set_int(L, "sport", t.sport);
		sy_lua_set_int(L, "dport", t.dport);
		sy_lua_set_int(L, "seq", t.seq);
		sy_lua_set_int(L, "ack", t.ack);
		sy_lua_set_int(L, "win", t.window);
		flags_string(t.flags, buf);
		lua_pushstring(L, buf);
		lua_setfield(L, -2, "flags");
		lua_pushlstring(L, (const char *)t.opt, t.optlen);
		lua_setfield(L, -2, "options");
	}
}

void sy_lua_hook_input(void *ctx, sy_node *n, sy_packet *p)
{
	struct hook *h = ctx;
	struct sy_lua_sim *ls = h->ls;
	lua_State *L = ls->L;

	if (L && ls->running) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
		push_packet(L, p);
		sy_lua_call(ls, 1);
	}
	sy_net_release(ls->net, p);
}

static int proto_number(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *s = sy_lua_check_string(L, idx, NULL);

		if (strcmp(s, "tcp") == 0)
			return SY_IPPROTO_TCP;
		if (strcmp(s, "raw") == 0)
			return PROTO_RAW;
		return luaL_argerror(L, idx, "protocol must be \"tcp\", \"raw\" or a number");
	}
	lua_Integer v = luaL_checkinteger(L, idx);

	luaL_argcheck(L, v >= 0 && v <= 255, idx, "protocol number out of range");
	return (int)v;
}

/* node:on_receive(proto, fn): fn(packet) for every packet of that protocol
 * delivered to the node (replacing its handler, e.g. its TCP endpoint).
 * Per-packet Lua: for tests and teaching, not for bulk traffic. */
static int node_on_receive(lua_State *L)
{
	sy_node *n = sy_lua_check_node(L, 1, NULL);
	struct sy_lua_sim *ls = sy_lua_obj_sim(L, 1);
	int proto = proto_number(L, 2);
	struct hook *h;

	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (proto == SY_IPPROTO_TCP && sy_tcp_ep_of(n))
		return luaL_error(L, "on_receive: node '%s' has a TCP endpoint; a node is either a TCP endpoint or a hook",
				  sy_node_name(n));
	h = malloc(sizeof *h);
	if (!h)
		return luaL_error(L, "out of memory");
	h->ls = ls;
	lua_pushvalue(L, 3);
	h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	sy_node_set_proto_owned(n, (uint8_t)proto, sy_lua_hook_input, h, free);
	return 0;
}

static int node_tostring(lua_State *L)
{
	sy_node *n = sy_lua_check_node(L, 1, NULL);

	lua_pushfstring(L, "synack.node (%s)", sy_node_name(n));
	return 1;
}

static const luaL_Reg node_methods[] = {
	{ "name", node_name },
	{ "address", node_address },
	{ "stats", node_stats },
	{ "send_raw", node_send_raw },
	{ "on_receive", node_on_receive },
	{ NULL, NULL },
};

static const luaL_Reg sim_net_methods[] = {
	{ "node", sim_node },
	{ "nodes", sim_nodes },
	{ "duplex_link", sy_lua_sim_duplex_link },
	{ "pcap", sim_pcap },
	{ "trace", sim_trace },
	{ NULL, NULL },
};

void sy_lua_open_net(lua_State *L)
{
	sy_lua_new_class(L, MT_NODE, node_methods, NULL, node_tostring);
	sy_lua_open_link(L);
	sy_lua_open_tcp(L);
	sy_lua_open_tun(L);
	/* The simulator's methods grow the network ones. */
	luaL_getmetatable(L, SY_MT_SIM);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, sim_net_methods, 0);
	lua_pop(L, 2);
}
