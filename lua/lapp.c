/* Lua binding of applications: node:app{...}, the app class
 * (app:stats()), and their end with the simulator. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "app.h"
#include "lpriv.h"
#include "units.h"

#define MT_APP "synack.app"

/* An application instance; the simulator's object table keeps it alive as
 * long as the simulator, and the simulator frees it when it closes, after
 * its network, so that neither its events nor its connections outlive
 * it (whatever order the collector finalizes them in). */
struct lapp {
	sy_instance in;
	bool kept;  /* in the simulator's object table */
};

static int app_gc(lua_State *L)
{
	struct lapp *a = luaL_checkudata(L, 1, MT_APP);
	struct sy_lua_sim *ls;

	lua_getiuservalue(L, 1, 1);
	ls = luaL_testudata(L, -1, SY_MT_SIM);
	if (a->kept && ls && ls->sim)
		return 0;  /* sy_lua_apps_close frees it */
	sy_instance_free(&a->in);
	return 0;
}

void sy_lua_apps_close(lua_State *L, int sim_idx)
{
	sim_idx = lua_absindex(L, sim_idx);
	if (lua_getiuservalue(L, sim_idx, 3) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		struct lapp *a = luaL_testudata(L, -1, MT_APP);

		if (a)
			sy_instance_free(&a->in);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* The app's parameter target given as a node, as connect takes one: the
 * parameters at 2 are replaced by a copy whose target is the node's
 * (first) address, the string the plugins read. */
static void app_target_node(lua_State *L, struct sy_lua_sim *ls)
{
	char buf[16];
	sy_node *n;

	if (!lua_istable(L, 2))
		return;
	if (lua_getfield(L, 2, "target") != LUA_TUSERDATA) {
		lua_pop(L, 1);
		return;
	}
	if (!luaL_testudata(L, -1, SY_MT_NODE))
		luaL_error(L, "app: target must be a node or an address");
	n = sy_lua_check_node(L, -1, ls);
	if (!sy_node_ifaces(n))
		luaL_error(L, "app: target: the node %s has no link", sy_node_name(n));
	sy_ipv4_format(sy_node_addr(n, 0), buf);
	lua_pop(L, 1);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
	lua_pushstring(L, buf);
	lua_setfield(L, -2, "target");
	lua_replace(L, 2);
}

/* node:app{NAME, param = value, ...}: starts an application plugin on the
 * node; returns it (app:stats()).  target, the address of a client's
 * server, may be a node, as ep:connect takes one. */
static int node_app(lua_State *L)
{
	sy_node *n = sy_lua_check_node(L, 1, NULL);
	struct sy_lua_sim *ls = sy_lua_obj_sim(L, 1);
	struct sy_lua_ctx *c;
	struct lapp *a;
	sy_app_ctx ctx;
	sy_err err;

	luaL_checkany(L, 2);
	lua_settop(L, 2);
	app_target_node(L, ls);
	lua_getiuservalue(L, 1, 1);  /* 3: the simulator */
	lua_getiuservalue(L, 3, 2);
	c = lua_touserdata(L, -1);
	lua_pop(L, 1);
	a = lua_newuserdatauv(L, sizeof *a, 1); /* 4 */
	memset(a, 0, sizeof *a);
	lua_pushvalue(L, 3);
	lua_setiuservalue(L, 4, 1);  /* its simulator, for app:stats */
	luaL_setmetatable(L, MT_APP);
	sy_lua_instance(L, c, "app", 2, NULL, &a->in);
	if (sy_instance_init(&a->in, ls->sim, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	ctx.sim = ls->sim;
	ctx.net = sy_lua_net_of(L, ls);
	ctx.node = n;
	/* one stream per application: by node and by its address in the
	 * order of creation on that node */
	lua_getiuservalue(L, 3, 3);
	lua_getfield(L, -1, "napps");
	lua_Integer k = luaL_optinteger(L, -1, 0);
	lua_pop(L, 1);
	lua_pushinteger(L, k + 1);
	lua_setfield(L, -2, "napps");
	sy_sim_stream(ls->sim, &ctx.rng, "app", ((uint64_t)sy_node_index(n) << 20) | (uint64_t)k);
	if (((const sy_app_ops *)a->in.plugin->ops)->start(a->in.state, &ctx, &err) < 0) {
		char id[SY_PLUGIN_ID_MAX];

		sy_plugin_id(a->in.plugin, id);
		return luaL_error(L, "%s: %s", id, err.msg);
	}
	lua_pushvalue(L, 4);
	lua_rawsetp(L, -2, a);  /* kept by the simulator */
	a->kept = true;
	lua_settop(L, 4);
	return 1;
}

static int app_stats(lua_State *L)
{
	struct lapp *a = sy_lua_check_obj(L, 1, MT_APP, NULL);
	sy_app_stats s;

	s = ((const sy_app_ops *)a->in.plugin->ops)->stats(a->in.state);

	lua_createtable(L, 0, 15);
	sy_lua_set_int(L, "packets_sent", s.packets_sent);
	sy_lua_set_int(L, "bytes_sent", s.bytes_sent);
	sy_lua_set_int(L, "packets_received", s.packets_received);
	sy_lua_set_int(L, "bytes_received", s.bytes_received);
	/* TCP applications (app.h); times in seconds, -1 for never */
	sy_lua_set_int(L, "connections", s.connections);
	sy_lua_set_int(L, "completed", s.completed);
	sy_lua_set_int(L, "failed", s.failed);
	lua_pushnumber(L, s.start < 0 ? -1.0 : sy_time_to_sec(s.start));
	lua_setfield(L, -2, "start");
	lua_pushnumber(L, s.completion < 0 ? -1.0 : sy_time_to_sec(s.completion));
	lua_setfield(L, -2, "completion");
	lua_pushnumber(L, s.goodput);  /* bytes per second */
	lua_setfield(L, -2, "goodput");
	lua_pushnumber(L, sy_time_to_sec(s.latency_min));
	lua_setfield(L, -2, "latency_min");
	lua_pushnumber(L, sy_time_to_sec(s.latency_max));
	lua_setfield(L, -2, "latency_max");
	lua_pushnumber(L, s.completed ? sy_time_to_sec(s.latency_sum) / (double)s.completed : 0.0);
	lua_setfield(L, -2, "latency_mean");
	return 1;
}

static const luaL_Reg app_methods[] = {
	{ "stats", app_stats },
	{ NULL, NULL },
};

void sy_lua_open_apps(lua_State *L)
{
	sy_lua_new_class(L, MT_APP, app_methods, app_gc, NULL);
	luaL_getmetatable(L, SY_MT_NODE);
	lua_getfield(L, -1, "__index");
	lua_pushcfunction(L, node_app);
	lua_setfield(L, -2, "app");
	lua_pop(L, 2);
}
