/* Lua binding: the simulator object, event handles, random streams.
 *
 * Ownership: a simulator userdata owns its sy_sim; the Lua callbacks of its
 * pending events live in a table held as the userdata's first user value,
 * keyed by the integer stored as the event's data.  An event handle holds
 * its simulator (user value), so a handle never outlives the sy_sim it
 * names. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "lsim.h"
#include "lsynack.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "trace.h"
#include "units.h"

#define MT_EVENT "synack.event"
#define MT_RNG   "synack.rng"
#define MT_SIM   SY_MT_SIM

#define DEFAULT_SCHEDULER "ladder"

struct lhandle {
	sy_event_id id;
	int ref;
};

/* ------------------------------------------------------------ simulator */

static void fire(sy_sim *sim, void *arg, uint64_t data)
{
	struct sy_lua_sim *ls = arg;
	lua_State *L = ls->L;

	lua_rawgeti(L, ls->cb_idx, (lua_Integer)data);
	luaL_unref(L, ls->cb_idx, (int)data);
	sy_lua_call(ls, 0);
}

static int schedule(lua_State *L, sy_time t)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	struct lhandle *h;
	sy_err err;
	int ref;

	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_getiuservalue(L, 1, 1);
	lua_pushvalue(L, 3);
	ref = luaL_ref(L, -2);
	h = lua_newuserdatauv(L, sizeof *h, 1);
	h->ref = ref;
	if (sy_sim_at(ls->sim, t, fire, ls, (uint64_t)ref, &h->id, &err) < 0) {
		luaL_unref(L, -2, ref);
		return luaL_error(L, "%s", err.msg);
	}
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, MT_EVENT);
	return 1;
}

static int sim_at(lua_State *L)
{
	return schedule(L, sy_lua_check_time(L, 2));
}

static int sim_after(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_time dt = sy_lua_check_time(L, 2);
	sy_time now = sy_sim_now(ls->sim);

	if (dt > SY_TIME_NEVER - now)
		return luaL_argerror(L, 2, "delay runs past the end of time");
	return schedule(L, now + dt);
}

static int sim_now(lua_State *L)
{
	lua_pushnumber(L, sy_time_to_sec(sy_sim_now(sy_lua_check_sim(L, 1)->sim)));
	return 1;
}

static int sim_now_ns(lua_State *L)
{
	lua_pushinteger(L, sy_sim_now(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

static int sim_seed(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)sy_sim_seed(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

static int sim_pending(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)sy_sim_size(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

static int sim_fired(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)sy_sim_fired(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

static int sim_scheduler(lua_State *L)
{
	lua_pushstring(L, sy_sim_scheduler(sy_lua_check_sim(L, 1)->sim)->name);
	return 1;
}

static int sim_stop(lua_State *L)
{
	sy_sim_stop(sy_lua_check_sim(L, 1)->sim);
	return 0;
}

static int sim_run(lua_State *L)
{
	static const char *const known[] = { "stop", NULL };
	static const char *const ends[] = { "empty", "until", "stopped" };
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_time until = SY_TIME_NEVER;
	sy_run_end end;
	sy_err err;

	if (lua_istable(L, 2)) {
		sy_lua_check_options(L, 2, "sim:run", known);
		lua_getfield(L, 2, "stop");
		if (!lua_isnil(L, -1))
			until = sy_lua_check_time(L, lua_gettop(L));
		lua_pop(L, 1);
	} else if (!lua_isnoneornil(L, 2)) {
		until = sy_lua_check_time(L, 2);
	}
	if (ls->running)
		return luaL_error(L, "sim:run called from inside an event of the same simulator");
	lua_settop(L, 1);
	lua_pushcfunction(L, sy_lua_msgh);
	lua_getiuservalue(L, 1, 1);
	ls->msgh_idx = 2;
	ls->cb_idx = 3;
	ls->L = L;
	ls->running = 1;
	end = sy_sim_run(ls->sim, until);
	ls->running = 0;
	ls->L = NULL;
	/* A script may read its traces once run() returns; a trace that
	 * could not be written is an error (after the script's own). */
	if (((ls->trace && sy_trace_flush(ls->trace, &err) < 0) || sy_net_flush(ls->net, &err) < 0) &&
	    ls->err_ref == LUA_NOREF && end != SY_RUN_FAILED)
		return luaL_error(L, "%s", err.msg);
	/* A failed run (memory it needed could not be had) has wrong
	 * results: that comes first, and this simulator runs no more. */
	if (end == SY_RUN_FAILED) {
		if (ls->err_ref != LUA_NOREF) {
			luaL_unref(L, LUA_REGISTRYINDEX, ls->err_ref);
			ls->err_ref = LUA_NOREF;
		}
		return luaL_error(L, "the run failed: %s", sy_sim_failure(ls->sim));
	}
	if (ls->err_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, ls->err_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, ls->err_ref);
		ls->err_ref = LUA_NOREF;
		return lua_error(L);
	}
	/* A log the run could not write fails the run. */
	if (sy_lua_logs_check(ls, false, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	lua_pushstring(L, ends[end]);
	return 1;
}

static int sim_rng(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	const char *name = sy_lua_check_string(L, 2, NULL);
	lua_Integer index = luaL_optinteger(L, 3, 0);
	sy_rng *r = lua_newuserdatauv(L, sizeof *r, 0);

	sy_sim_stream(ls->sim, r, name, (uint64_t)index);
	luaL_setmetatable(L, MT_RNG);
	return 1;
}

/* Frees everything of the simulator ls at idx; -1 with a message when
 * an output could not be written (everything is freed all the same). */
static int close_sim(lua_State *L, int idx, struct sy_lua_sim *ls, sy_err *err)
{
	int rc, top = lua_gettop(L);

	/* Asked for on the command line (--realtime), the lag report goes
	 * to standard error when a real-time simulator ends. */
	if (ls->sim && sy_sim_realtime(ls->sim) &&
	    lua_getfield(L, LUA_REGISTRYINDEX, "synack.realtime") == LUA_TBOOLEAN &&
	    lua_toboolean(L, -1)) {
		sy_lag g;

		sy_sim_lag(ls->sim, &g);
		fprintf(stderr, "synack: real time: %" PRIu64 " events, %" PRIu64
			" inputs, lag max %.3f ms, mean %.3f ms\n", g.events, g.inputs,
			(double)g.max / 1e6,
			g.events ? (double)g.total / 1e6 / (double)g.events : 0.0);
	}
	lua_settop(L, top);
	sy_sim_free(ls->sim);
	ls->sim = NULL;
	/* After the simulator: no event may run with the network gone. */
	rc = sy_trace_free(ls->trace, err);
	sy_lua_record_close(L, idx, ls);
	ls->trace = NULL;
	if (rc == 0)
		rc = sy_net_flush(ls->net, err);
	sy_net_free(ls->net);
	ls->net = NULL;
	sy_lua_apps_close(L, idx);
	sy_lua_stats_close(ls);
	/* Every log is closed; the first failure of all is reported. */
	if (sy_lua_logs_check(ls, true, rc < 0 ? NULL : err) < 0)
		rc = -1;
	if (ls->err_ref != LUA_NOREF) {
		luaL_unref(L, LUA_REGISTRYINDEX, ls->err_ref);
		ls->err_ref = LUA_NOREF;
	}
	return rc;
}

/* The simulators not yet closed, as the weak keys of a registry table, so
 * a host can close (and hear from) those a script left open. */
#define OPEN_SIMS "synack.open_simulators"

static void push_open_sims(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, OPEN_SIMS) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, OPEN_SIMS);
}

/* The first output failure of a simulator closed by the collector, for
 * sy_lua_close_all to report. */
#define GC_ERROR "synack.gc_error"

/* Protected part of sy_lua_close_all: the first failure's message, or
 * nothing. */
static int close_all(lua_State *L)
{
	int failed = 0;

	lua_settop(L, 0);
	if (lua_getfield(L, LUA_REGISTRYINDEX, GC_ERROR) == LUA_TSTRING)
		failed = 1;
	if (lua_getfield(L, LUA_REGISTRYINDEX, OPEN_SIMS) != LUA_TTABLE) {
		lua_settop(L, 1);
		return failed;
	}
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		struct sy_lua_sim *ls;
		sy_err e;
		int top;

		lua_pop(L, 1);
		top = lua_gettop(L);
		ls = luaL_checkudata(L, top, MT_SIM);
		if (close_sim(L, top, ls, &e) < 0 && !failed) {
			lua_pushstring(L, e.msg);
			lua_replace(L, 1);
			failed = 1;
		}
		lua_settop(L, top);
	}
	lua_settop(L, 1);
	return failed;
}

int sy_lua_close_all(lua_State *L, sy_err *err)
{
	int top = lua_gettop(L), rc = 0;

	lua_pushcfunction(L, close_all);
	if (lua_pcall(L, 0, 1, 0) != LUA_OK)
		rc = sy_err_set(err, "closing the simulators: %s",
				lua_isstring(L, -1) ? lua_tostring(L, -1) : "an error");
	else if (lua_isstring(L, -1))
		rc = sy_err_set(err, "%s", lua_tostring(L, -1));
	lua_settop(L, top);
	return rc;
}

/* sim:close(), and a to-be-closed simulator: raises when an output could
 * not be written. */
static int sim_close(lua_State *L)
{
	struct sy_lua_sim *ls = luaL_checkudata(L, 1, MT_SIM);
	sy_err err;

	if (ls->running)
		return luaL_error(L, "cannot close a simulator while it runs");
	if (close_sim(L, 1, ls, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* A collected simulator has nobody to raise to: the error goes to
 * standard error. */
static int sim_gc(lua_State *L)
{
	struct sy_lua_sim *ls = luaL_checkudata(L, 1, MT_SIM);
	sy_err err;

	if (close_sim(L, 1, ls, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		if (lua_getfield(L, LUA_REGISTRYINDEX, GC_ERROR) != LUA_TSTRING) {
			lua_pushstring(L, err.msg);
			lua_setfield(L, LUA_REGISTRYINDEX, GC_ERROR);
		}
		lua_pop(L, 1);
	}
	return 0;
}

static int sim_tostring(lua_State *L)
{
	struct sy_lua_sim *ls = luaL_checkudata(L, 1, MT_SIM);

	if (!ls->sim)
		lua_pushliteral(L, "synack.simulator (closed)");
	else
		lua_pushfstring(L, "synack.simulator (t=%f s, %I pending)",
				sy_time_to_sec(sy_sim_now(ls->sim)),
				(lua_Integer)sy_sim_size(ls->sim));
	return 1;
}

static const luaL_Reg sim_methods[] = {
	{ "at", sim_at },
	{ "after", sim_after },
	{ "now", sim_now },
	{ "now_ns", sim_now_ns },
	{ "run", sim_run },
	{ "stop", sim_stop },
	{ "seed", sim_seed },
	{ "pending", sim_pending },
	{ "fired", sim_fired },
	{ "scheduler", sim_scheduler },
	{ "rng", sim_rng },
	{ "close", sim_close },
	{ "realtime", sy_lua_sim_realtime },
	{ "lag", sy_lua_sim_lag },
	{ "watch", sy_lua_sim_watch },
	{ "unwatch", sy_lua_sim_unwatch },
	{ NULL, NULL },
};

int sy_lua_simulator(lua_State *L)
{
	static const char *const known[] = { "seed", "scheduler", "realtime", NULL };
	struct sy_lua_ctx *c = sy_lua_get_ctx(L);
	uint64_t seed = c->seed;
	bool realtime;
	struct sy_lua_sim *ls;
	sy_instance sched;
	sy_err err;

	if (lua_isnoneornil(L, 1))
		lua_newtable(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	sy_lua_check_options(L, 1, "synack.simulator", known);
	lua_getfield(L, 1, "seed");
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1))
			return luaL_error(L, "synack.simulator: seed must be an integer");
		seed = (uint64_t)lua_tointeger(L, -1);
	}
	/* realtime: the option, else --realtime */
	if (lua_getfield(L, 1, "realtime") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_getfield(L, LUA_REGISTRYINDEX, "synack.realtime");
	}
	realtime = lua_toboolean(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, 1, "scheduler"); /* index 3 */

	/* The userdata exists (and has its __gc) before the simulator, so
	 * an error below cannot leak it. */
	ls = lua_newuserdatauv(L, sizeof *ls, 3);
	memset(ls, 0, sizeof *ls);
	ls->err_ref = LUA_NOREF;
	luaL_setmetatable(L, MT_SIM);
	lua_newtable(L);
	lua_setiuservalue(L, -2, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_setiuservalue(L, -2, 2);
	lua_newtable(L); /* Lua boxes of nodes and links, by address */
	lua_setiuservalue(L, -2, 3);

	sy_lua_instance(L, c, "scheduler", 3, DEFAULT_SCHEDULER, &sched);
	ls->sim = sy_sim_new(seed, &sched, &err);
	if (!ls->sim)
		return luaL_error(L, "synack.simulator: %s", err.msg);
	sy_sim_set_realtime(ls->sim, realtime);
	push_open_sims(L);
	lua_pushvalue(L, -2);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	return 1;
}

/* ------------------------------------------------------------ events */

/* A handle of a closed simulator is inert (its event never runs): it
 * answers false and nil rather than raising. */
static struct lhandle *check_event(lua_State *L, struct sy_lua_sim **ls)
{
	struct lhandle *h = luaL_checkudata(L, 1, MT_EVENT);

	*ls = sy_lua_obj_sim_open(L, 1);
	return h;
}

static int event_cancel(lua_State *L)
{
	struct sy_lua_sim *ls;
	struct lhandle *h = check_event(L, &ls);

	if (!ls || !sy_sim_cancel(ls->sim, h->id)) {
		lua_pushboolean(L, 0);
		return 1;
	}
	lua_getiuservalue(L, 1, 1);
	lua_getiuservalue(L, -1, 1);
	luaL_unref(L, -1, h->ref);
	lua_pushboolean(L, 1);
	return 1;
}

static int event_pending(lua_State *L)
{
	struct sy_lua_sim *ls;
	struct lhandle *h = check_event(L, &ls);

	lua_pushboolean(L, ls && sy_sim_pending(ls->sim, h->id));
	return 1;
}

static int event_time(lua_State *L)
{
	struct sy_lua_sim *ls;
	struct lhandle *h = check_event(L, &ls);
	sy_time t = ls ? sy_sim_due(ls->sim, h->id) : SY_TIME_NEVER;

	if (t == SY_TIME_NEVER)
		lua_pushnil(L);
	else
		lua_pushnumber(L, sy_time_to_sec(t));
	return 1;
}

static const luaL_Reg event_methods[] = {
	{ "cancel", event_cancel },
	{ "pending", event_pending },
	{ "time", event_time },
	{ NULL, NULL },
};

/* ------------------------------------------------------------ rng */

static int rng_uniform(lua_State *L)
{
	sy_rng *r = luaL_checkudata(L, 1, MT_RNG);

	lua_pushnumber(L, sy_rng_uniform(r));
	return 1;
}

static int rng_exponential(lua_State *L)
{
	sy_rng *r = luaL_checkudata(L, 1, MT_RNG);
	double mean = luaL_checknumber(L, 2);

	luaL_argcheck(L, mean > 0, 2, "mean must be positive");
	lua_pushnumber(L, sy_rng_exponential(r, mean));
	return 1;
}

static int rng_integer(lua_State *L)
{
	sy_rng *r = luaL_checkudata(L, 1, MT_RNG);
	lua_Integer lo = luaL_checkinteger(L, 2);
	lua_Integer hi = luaL_checkinteger(L, 3);

	uint64_t span;

	luaL_argcheck(L, lo <= hi, 3, "empty range");
	span = (uint64_t)hi - (uint64_t)lo;
	if (span == UINT64_MAX)
		lua_pushinteger(L, (lua_Integer)sy_rng_next(r));
	else
		lua_pushinteger(L, (lua_Integer)((uint64_t)lo +
						 sy_rng_below(r, span + 1)));
	return 1;
}

static int rng_bernoulli(lua_State *L)
{
	sy_rng *r = luaL_checkudata(L, 1, MT_RNG);
	double p = luaL_checknumber(L, 2);

	luaL_argcheck(L, p >= 0 && p <= 1, 2, "probability must be in [0, 1]");
	lua_pushboolean(L, sy_rng_bernoulli(r, p));
	return 1;
}

static const luaL_Reg rng_methods[] = {
	{ "uniform", rng_uniform },
	{ "exponential", rng_exponential },
	{ "integer", rng_integer },
	{ "bernoulli", rng_bernoulli },
	{ NULL, NULL },
};

void sy_lua_open_sim(lua_State *L)
{
	sy_lua_new_class(L, MT_SIM, sim_methods, sim_gc, sim_tostring);
	luaL_getmetatable(L, MT_SIM);
	lua_pushcfunction(L, sim_close);
	lua_setfield(L, -2, "__close");
	lua_pop(L, 1);
	sy_lua_new_class(L, MT_EVENT, event_methods, NULL, NULL);
	sy_lua_new_class(L, MT_RNG, rng_methods, NULL, NULL);
	sy_lua_open_realtime(L);
}
