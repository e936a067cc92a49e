/* Lua binding of TUN interfaces: node:tun{...} and the tun object.
 *
 * A TUN interface belongs to the network of its simulator, like a link:
 * its userdata is a box (lnet.c) with the simulator as user value. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "net.h"

#define MT_TUN "synack.tun"

static sy_tun *check_tun(lua_State *L, int idx)
{
	return sy_lua_check_box(L, idx, MT_TUN, "tun", NULL);
}

/* "A.B.C.D/LEN" (or "A.B.C.D" with dflt as the length). */
static int parse_prefix(const char *s, int dflt, uint32_t *a, int *len)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	char *end;
	long l = dflt;

	if (strlen(s) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	if (sy_ipv4_parse(buf, a) < 0)
		return -1;
	if (slash) {
		if (!slash[1])
			return -1;
		l = strtol(slash + 1, &end, 10);
		if (*end || l < 0 || l > 32)
			return -1;
	}
	*len = (int)l;
	return 0;
}

/* node:tun{name = "syn0", address = "192.0.2.2/24", peer = "192.0.2.1",
 * mtu = 1500, routes = {"198.18.0.0/15", ...}, default = true,
 * pcap = "syn0.pcap"} -> tun.  The address's prefix and the routes (and,
 * unless default = false, every address no node owns) go to the device;
 * with peer, synack gives the kernel's end that address and brings the
 * device up; with pcap, the device's traffic is captured there. */
static int node_tun(lua_State *L)
{
	static const char *const known[] = { "name", "address", "peer", "mtu", "routes",
					      "default", "pcap", NULL };
	sy_node *n = sy_lua_check_node(L, 1, NULL);
	struct sy_lua_sim *ls = sy_lua_obj_sim(L, 1);
	sy_tun_opts o = { .default_route = true };
	sy_tun *t;
	sy_err err;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	sy_lua_check_options(L, 2, "tun", known);
	lua_getfield(L, 2, "name");
	if (!lua_isnil(L, -1))
		o.name = sy_lua_check_string(L, -1, "tun: option 'name'");
	lua_getfield(L, 2, "address");
	if (lua_type(L, -1) != LUA_TSTRING ||
	    parse_prefix(sy_lua_check_string(L, -1, "tun: option 'address'"), 32,
			 &o.addr, &o.prefix) < 0 || o.prefix < 1)
		return luaL_error(L, "tun: address must be a string \"A.B.C.D/LEN\" (LEN 1..32), got %s",
				  luaL_tolstring(L, -1, NULL));
	lua_getfield(L, 2, "peer");
	if (!lua_isnil(L, -1) && (lua_type(L, -1) != LUA_TSTRING ||
				  sy_ipv4_parse(sy_lua_check_string(L, -1, "tun: option 'peer'"),
						&o.peer) < 0))
		return luaL_error(L, "tun: peer must be an IPv4 address string");
	lua_getfield(L, 2, "mtu");
	if (!lua_isnil(L, -1)) {
		lua_Integer m = luaL_checkinteger(L, -1);

		if (m < 68 || m > 65535)
			return luaL_error(L, "tun: mtu must be 68..65535 bytes");
		o.mtu = (uint32_t)m;
	}
	lua_getfield(L, 2, "default");
	if (!lua_isnil(L, -1))
		o.default_route = lua_toboolean(L, -1);
	lua_getfield(L, 2, "pcap");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
		return luaL_error(L, "tun: pcap must be a file name");
	if (!lua_isnil(L, -1))
		o.pcap = sy_lua_check_string(L, -1, "tun: option 'pcap'");
	lua_getfield(L, 2, "routes");
	if (!lua_isnil(L, -1)) {
		luaL_checktype(L, -1, LUA_TTABLE);
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
			if (o.nroutes == SY_TUN_ROUTES)
				return luaL_error(L, "tun: at most %d routes", SY_TUN_ROUTES);
			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING ||
			    parse_prefix(sy_lua_check_string(L, -1, "tun: option 'routes'"), 32, &o.routes[o.nroutes].net,
					 &o.routes[o.nroutes].len) < 0)
				return luaL_error(L, "tun: route %d must be a string \"A.B.C.D/LEN\"", (int)i);
			o.nroutes++;
			lua_pop(L, 1);
		}
	}
	t = sy_net_tun(sy_lua_net_of(L, ls), n, &o, &err);
	if (!t)
		return luaL_error(L, "tun: %s", err.msg);
	lua_getiuservalue(L, 1, 1);
	sy_lua_push_box(L, -1, t, MT_TUN);
	return 1;
}

static int tun_name(lua_State *L)
{
	lua_pushstring(L, sy_tun_name(check_tun(L, 1)));
	return 1;
}

static int tun_node(lua_State *L)
{
	sy_tun *t = check_tun(L, 1);

	lua_getiuservalue(L, 1, 1);
	sy_lua_push_box(L, -1, sy_tun_node(t), SY_MT_NODE);
	return 1;
}

static int tun_stats(lua_State *L)
{
	sy_tun_stats s = sy_tun_stats_get(check_tun(L, 1));

	lua_createtable(L, 0, 6);
	sy_lua_set_int(L, "rx_packets", s.rx_packets);
	sy_lua_set_int(L, "rx_bytes", s.rx_bytes);
	sy_lua_set_int(L, "tx_packets", s.tx_packets);
	sy_lua_set_int(L, "tx_bytes", s.tx_bytes);
	sy_lua_set_int(L, "rx_dropped", s.rx_dropped);
	sy_lua_set_int(L, "tx_dropped", s.tx_dropped);
	return 1;
}

static int tun_tostring(lua_State *L)
{
	sy_tun *t = check_tun(L, 1);

	lua_pushfstring(L, "synack.tun (%s on %s)", sy_tun_name(t),
			sy_node_name(sy_tun_node(t)));
	return 1;
}

static const luaL_Reg tun_methods[] = {
	{ "name", tun_name },
	{ "node", tun_node },
	{ "stats", tun_stats },
	{ NULL, NULL },
};

static const luaL_Reg node_tun_methods[] = {
	{ "tun", node_tun },
	{ NULL, NULL },
};

void sy_lua_open_tun(lua_State *L)
{
	sy_lua_new_class(L, MT_TUN, tun_methods, NULL, tun_tostring);
	/* The node's methods grow node:tun. */
	luaL_getmetatable(L, SY_MT_NODE);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, node_tun_methods, 0);
	lua_pop(L, 2);
}
