/* Lua binding: module functions, simulators, event handles, random streams.
 *
 * Ownership: a simulator userdata owns its sy_sim; the Lua callbacks of its
 * pending events live in a table held as the userdata's first user value,
 * keyed by the integer stored as the event's data.  An event handle holds
 * its simulator (user value), so a handle never outlives the sy_sim it
 * names.  Module state (the config, the default seed) is one userdata shared
 * as an upvalue, never a C global, so independent Lua states never share
 * anything. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "cfg.h"
#include "lpriv.h"
#include "lsynack.h"
#include "outfile.h"
#include "plugin.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "trace.h"
#include "units.h"

#define MT_CTX   "synack.ctx"
#define MT_EVENT "synack.event"
#define MT_RNG   "synack.rng"
#define MT_ERROR "synack.error"
#define MT_WATCH "synack.watch"
#define MT_SIM   SY_MT_SIM

#define DEFAULT_SCHEDULER "ladder"

struct lhandle {
	sy_event_id id;
	int ref;
};

/* ------------------------------------------------------------ helpers */

static struct sy_lua_ctx *get_ctx(lua_State *L)
{
	struct sy_lua_ctx *c = luaL_checkudata(L, lua_upvalueindex(1), MT_CTX);

	/* a finalizer that runs after the module's, at exit */
	if (!c->cfg)
		luaL_error(L, "the synack module is closed");
	return c;
}

/* "file:line" of the innermost Lua function on the stack: the script line
 * that called into synack, also when the call went through pcall. */
void sy_lua_where(lua_State *L, char *buf, size_t n)
{
	lua_Debug ar;

	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			snprintf(buf, n, "%s:%d", ar.short_src, ar.currentline);
			return;
		}
	}
	snprintf(buf, n, "?");
}

/* Raises msg as it is: it already names the place. */
int sy_lua_raise(lua_State *L, const char *msg)
{
	lua_pushstring(L, msg);
	return lua_error(L);
}

/* A time argument: a number of seconds or a string with a unit. */
sy_time sy_lua_check_time(lua_State *L, int idx)
{
	sy_err err;
	sy_time t;
	int rc;

	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			lua_Integer s = lua_tointeger(L, idx);

			if (s < 0 || s > SY_TIME_NEVER / SY_SEC)
				return luaL_argerror(L, idx, s < 0 ?
						     "negative time" :
						     "time too large"), 0;
			return (sy_time)s * SY_SEC;
		}
		rc = sy_duration_from_seconds(lua_tonumber(L, idx), &t, &err);
		break;
	case LUA_TSTRING:
		rc = sy_parse_duration(sy_lua_check_string(L, idx, NULL), &t, &err);
		break;
	default:
		return luaL_typeerror(L, idx,
				      "time (seconds, or a string such as \"10ms\")"), 0;
	}
	if (rc < 0)
		return luaL_argerror(L, idx, err.msg), 0;
	return t;
}

/* Checks that the option table at idx has only the keys in `known`. */
void sy_lua_check_options(lua_State *L, int idx, const char *fname,
			  const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *key;
		int ok = 0;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: option names must be strings", fname);
		key = sy_lua_check_string(L, -1, "option name");
		for (const char *const *k = known; *k; k++)
			ok |= strcmp(*k, key) == 0;
		if (!ok) {
			luaL_Buffer b;

			luaL_buffinit(L, &b);
			for (const char *const *k = known; *k; k++) {
				if (k != known)
					luaL_addstring(&b, ", ");
				luaL_addstring(&b, *k);
			}
			luaL_pushresult(&b);
			luaL_error(L, "%s: unknown option '%s' (known: %s)",
				   fname, key, lua_tostring(L, -1));
		}
	}
}

/* Converts the Lua value at idx to a parameter value; 0 if it cannot be
 * one.  Strings stay owned by the Lua stack. */
static int to_value(lua_State *L, int idx, sy_value *v)
{
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		v->type = SY_V_BOOL;
		v->u.b = lua_toboolean(L, idx);
		return 1;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			v->type = SY_V_INT;
			v->u.i = lua_tointeger(L, idx);
		} else {
			v->type = SY_V_FLOAT;
			v->u.f = lua_tonumber(L, idx);
		}
		return 1;
	case LUA_TSTRING:
		v->type = SY_V_STRING;
		v->u.s = lua_tostring(L, idx);
		return 1;
	default:
		return 0;
	}
}

/* Builds an instance of a plugin of `kind` from a spec at idx: nil (the
 * config's default), a name, or a table {NAME, key = value, ...} (or
 * {name = NAME, ...}).  Values apply in the order plugin default, config
 * file, script.  On failure raises a Lua error with nothing leaked. */
void sy_lua_instance(lua_State *L, struct sy_lua_ctx *c, const char *kind,
			  int idx, const char *fallback, sy_instance *in)
{
	const char *name = NULL;
	const sy_plugin *p;
	char where[256], what[64];
	sy_err err;

	sy_lua_where(L, where, sizeof where);
	snprintf(what, sizeof what, "%s plugin name", kind);
	if (lua_isnoneornil(L, idx)) {
		name = sy_cfg_default_plugin(c->cfg, kind, fallback);
	} else if (lua_type(L, idx) == LUA_TSTRING) {
		name = sy_lua_check_string(L, idx, what);
	} else if (lua_istable(L, idx)) {
		lua_rawgeti(L, idx, 1);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			lua_getfield(L, idx, "name");
		}
		if (lua_isnil(L, -1))
			name = sy_cfg_default_plugin(c->cfg, kind, fallback);
		else if (lua_type(L, -1) == LUA_TSTRING)
			name = sy_lua_check_string(L, -1, what);
		else
			luaL_error(L, "%s plugin name must be a string", kind);
		lua_pop(L, 1); /* the string stays alive in the table */
	} else {
		luaL_error(L, "%s must be a plugin name or a table {NAME, param = value, ...}",
			   kind);
	}

	if (!name)
		luaL_error(L, "no %s plugin given (write {NAME, ...})", kind);
	p = sy_plugin_load(kind, name, &err);
	if (!p) {
		sy_err_prefix(&err, "%s", where);
		sy_lua_raise(L, err.msg);
	}
	if (sy_instance_new(in, p, &err) < 0 || sy_cfg_apply(c->cfg, in, &err) < 0)
		goto fail;
	if (lua_istable(L, idx)) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			sy_value v;
			const char *key;

			if (lua_type(L, -2) != LUA_TSTRING) {
				lua_pop(L, 1);
				continue; /* the positional name */
			}
			key = lua_tostring(L, -2);
			if (memchr(key, 0, lua_rawlen(L, -2))) {
				sy_err_set(&err, "%s: %s/%s: parameter name: contains a NUL byte",
					   where, p->kind, p->name);
				lua_pop(L, 2);
				goto fail;
			}
			if (strcmp(key, "name") == 0) {
				lua_pop(L, 1);
				continue;
			}
			if (lua_type(L, -1) == LUA_TSTRING &&
			    memchr(lua_tostring(L, -1), 0, lua_rawlen(L, -1))) {
				sy_err_set(&err, "%s: %s/%s: parameter '%s': contains a NUL byte",
					   where, p->kind, p->name, key);
				lua_pop(L, 2);
				goto fail;
			}
			if (!to_value(L, -1, &v)) {
				sy_err_set(&err, "%s: %s/%s: parameter '%s': expected a boolean, number or string, got a %s",
					   where, p->kind, p->name, key,
					   luaL_typename(L, -1));
				lua_pop(L, 2);
				goto fail;
			}
			if (sy_instance_set(in, key, &v, where, &err) < 0) {
				lua_pop(L, 2);
				goto fail;
			}
			lua_pop(L, 1);
		}
	}
	return;
fail:
	sy_instance_free(in);
	sy_lua_raise(L, err.msg);
}

/* ------------------------------------------------------------ errors */

int sy_lua_error_message(lua_State *L, int idx)
{
	int ours;

	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, MT_ERROR);
	ours = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	if (!ours)
		return 0;
	lua_getfield(L, idx, "message");
	return 1;
}

static int error_tostring(lua_State *L)
{
	lua_getfield(L, 1, "message");
	return 1;
}

int sy_lua_msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (sy_lua_error_message(L, 1))
		return 1; /* carries its own traceback */
	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)",
				      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* ------------------------------------------------------------ simulator */

#define CLOSED "the simulator is closed"

struct sy_lua_sim *sy_lua_check_sim(lua_State *L, int idx)
{
	struct sy_lua_sim *ls = luaL_checkudata(L, idx, MT_SIM);

	if (!ls->sim)
		luaL_error(L, CLOSED);
	return ls;
}

/* The one liveness check: whatever an object points to is freed with its
 * simulator (or before it, for a box emptied by its owner). */
struct sy_lua_sim *sy_lua_obj_sim_open(lua_State *L, int idx)
{
	struct sy_lua_sim *ls;

	lua_getiuservalue(L, idx, 1);
	ls = luaL_testudata(L, -1, MT_SIM);
	lua_pop(L, 1);
	return ls && ls->sim ? ls : NULL;
}

struct sy_lua_sim *sy_lua_obj_sim(lua_State *L, int idx)
{
	struct sy_lua_sim *ls = sy_lua_obj_sim_open(L, idx);

	if (!ls)
		luaL_error(L, CLOSED);
	return ls;
}

void *sy_lua_check_obj(lua_State *L, int idx, const char *mt, struct sy_lua_sim **ls)
{
	void *p = luaL_checkudata(L, idx, mt);
	struct sy_lua_sim *s = sy_lua_obj_sim(L, idx);

	if (ls)
		*ls = s;
	return p;
}

void *sy_lua_check_box(lua_State *L, int idx, const char *mt, const char *kind,
		       struct sy_lua_sim **ls)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, idx, mt, ls);

	if (!b->ptr)
		luaL_error(L, "the %s is gone", kind);
	return b->ptr;
}

void sy_lua_check_owner(lua_State *L, int idx, struct sy_lua_sim *of,
			struct sy_lua_sim *in, const char *kind, const char *opt)
{
	if (of == in)
		return;
	if (opt)
		luaL_error(L, "%s: %s of another simulator", opt, kind);
	luaL_argerror(L, idx, lua_pushfstring(L, "%s of another simulator", kind));
}

const char *sy_lua_check_string(lua_State *L, int idx, const char *what)
{
	const char *s;
	size_t n;
	sy_err err;

	if (!what) {
		s = luaL_checklstring(L, idx, &n);
		if (sy_check_no_nul(s, n, "string", &err) < 0)
			luaL_argerror(L, idx, err.msg);
		return s;
	}
	if (!(s = lua_tolstring(L, idx, &n)))
		luaL_error(L, "%s must be a string, got a %s", what, luaL_typename(L, idx));
	if (sy_check_no_nul(s, n, what, &err) < 0)
		luaL_error(L, "%s", err.msg);
	return s;
}

int sy_lua_check_option(lua_State *L, int idx, const char *def,
			const char *const *list)
{
	if (!lua_isnoneornil(L, idx) || !def)
		sy_lua_check_string(L, idx, NULL);
	return luaL_checkoption(L, idx, def, list);
}

int sy_lua_call(struct sy_lua_sim *ls, int nargs)
{
	lua_State *L = ls->L;
	char when[48];

	if (lua_pcall(L, nargs, 0, ls->msgh_idx) == LUA_OK)
		return 0;
	/* Keep the first error only; the run stops after this event. */
	snprintf(when, sizeof when, "%.9f", sy_time_to_sec(sy_sim_now(ls->sim)));
	lua_createtable(L, 0, 2);
	lua_pushfstring(L, "error in an event at virtual time %s s: %s", when,
			lua_tostring(L, -2) ? lua_tostring(L, -2) : "?");
	lua_setfield(L, -2, "message");
	lua_pushinteger(L, sy_sim_now(ls->sim));
	lua_setfield(L, -2, "time_ns");
	luaL_setmetatable(L, MT_ERROR);
	if (ls->err_ref == LUA_NOREF)
		ls->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	else
		lua_pop(L, 1);
	lua_pop(L, 1); /* the raw message */
	sy_sim_stop(ls->sim);
	return -1;
}

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

/* ------------------------------------------------------------ real time */

/* A watched descriptor of a real-time simulator: the userdata lives in
 * the simulator's callbacks table under "watch<fd>" (so the simulator
 * keeps it), with the Lua function as its user value.  In line mode the
 * bytes after the last newline wait in buf. */
struct lwatch {
	struct sy_lua_sim *ls;
	int fd;
	bool lines;
	bool active;      /* until the end of input or sim:unwatch */
	char *buf;
	size_t len, cap;
};

static int watch_gc(lua_State *L)
{
	struct lwatch *w = luaL_checkudata(L, 1, MT_WATCH);

	free(w->buf);
	w->buf = NULL;
	return 0;
}

/* Calls the watch's function with the string s[0..n) (nil if s is NULL);
 * -1 when it raised (the run stops, the error is kept). */
static int watch_call(struct lwatch *w, const char *s, size_t n)
{
	struct sy_lua_sim *ls = w->ls;
	lua_State *L = ls->L;
	char key[32];

	snprintf(key, sizeof key, "watch%d", w->fd);
	if (lua_getfield(L, ls->cb_idx, key) != LUA_TUSERDATA) {
		lua_pop(L, 1);
		return -1;
	}
	lua_getiuservalue(L, -1, 1);
	lua_remove(L, -2);
	if (s)
		lua_pushlstring(L, s, n);
	else
		lua_pushnil(L);
	return sy_lua_call(ls, 1);
}

static void watch_end(lua_State *L, int cb_idx, sy_sim *sim, struct lwatch *w)
{
	char key[32];

	snprintf(key, sizeof key, "watch%d", w->fd);
	w->active = false;
	sy_sim_unwatch(sim, w->fd);
	lua_pushnil(L);
	lua_setfield(L, cb_idx, key);
}

static void watch_ready(sy_sim *sim, void *arg, int fd)
{
	struct lwatch *w = arg;
	struct sy_lua_sim *ls = w->ls;
	char tmp[8192];
	ssize_t n = read(fd, tmp, sizeof tmp);
	size_t start = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* The end (or an error, which ends it too): a last line
		 * without its newline, then nil.  The watch ends first, so
		 * the function sees it gone; the userdata stays on the
		 * stack meanwhile. */
		lua_State *L = ls->L;
		char key[32];

		snprintf(key, sizeof key, "watch%d", fd);
		lua_getfield(L, ls->cb_idx, key);
		lua_getiuservalue(L, -1, 1);
		watch_end(L, ls->cb_idx, sim, w);
		if (w->lines && w->len) {
			lua_pushvalue(L, -1);
			lua_pushlstring(L, w->buf, w->len);
			w->len = 0;
			if (sy_lua_call(ls, 1) < 0) {
				lua_pop(L, 2);
				return;
			}
		}
		lua_pushnil(L);
		sy_lua_call(ls, 1);
		lua_pop(L, 1);
		return;
	}
	if (!w->lines) {
		watch_call(w, tmp, (size_t)n);
		return;
	}
	if (w->len + (size_t)n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		char *b;

		while (cap < w->len + (size_t)n)
			cap *= 2;
		b = SY_FAULT(SY_FAULT_WATCH) ? NULL : realloc(w->buf, cap);
		if (!b) {
			/* Input dropped unseen would be a silent gap. */
			sy_sim_fail(ls->sim, "out of memory buffering the input of file descriptor %d",
				    w->fd);
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, tmp, (size_t)n);
	w->len += (size_t)n;
	for (size_t i = 0; i < w->len; i++) {
		size_t end = i;

		if (w->buf[i] != '\n')
			continue;
		if (end > start && w->buf[end - 1] == '\r')
			end--;
		/* After an error, or once the function ended the watch,
		 * the rest is not delivered. */
		if (watch_call(w, w->buf + start, end - start) < 0 || !w->active) {
			w->len = 0;
			return;
		}
		start = i + 1;
	}
	memmove(w->buf, w->buf + start, w->len - start);
	w->len -= start;
}

/* The descriptor of a watch source: an integer, or a Lua file. */
static int check_fd(lua_State *L, int idx)
{
	luaL_Stream *f = luaL_testudata(L, idx, LUA_FILEHANDLE);

	if (f) {
		if (!f->closef || !f->f)
			luaL_argerror(L, idx, "the file is closed");
		return fileno(f->f);
	}
	if (!lua_isinteger(L, idx) || lua_tointeger(L, idx) < 0 ||
	    lua_tointeger(L, idx) > 0x7fffffff)
		luaL_typeerror(L, idx, "file or file descriptor");
	return (int)lua_tointeger(L, idx);
}

/* sim:watch(file_or_fd, fn [, {mode = "line" | "chunk", hold = true}]):
 * in a real-time run, fn(line) for each line that arrives (without its
 * newline), or fn(chunk) for each read, and fn(nil) at the end of the
 * input, which also ends the watch.  A holding watch (the default) keeps
 * the run going while the queue is empty. */
static int sim_watch(lua_State *L)
{
	static const char *const known[] = { "mode", "hold", NULL };
	static const char *const modes[] = { "line", "chunk", NULL };
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	int fd = check_fd(L, 2);
	bool lines = true, hold = true;
	struct lwatch *w;
	char key[32];
	sy_err err;

	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		sy_lua_check_options(L, 4, "sim:watch", known);
		lua_getfield(L, 4, "mode");
		if (!lua_isnil(L, -1))
			lines = sy_lua_check_option(L, -1, NULL, modes) == 0;
		lua_getfield(L, 4, "hold");
		if (!lua_isnil(L, -1))
			hold = lua_toboolean(L, -1);
	}
	if (!sy_sim_realtime(ls->sim))
		return luaL_error(L, "sim:watch needs a real-time simulator (synack.simulator{realtime = true}, or --realtime)");
	lua_settop(L, 3);
	w = lua_newuserdatauv(L, sizeof *w, 1);
	memset(w, 0, sizeof *w);
	w->ls = ls;
	w->fd = fd;
	w->lines = lines;
	luaL_setmetatable(L, MT_WATCH);
	lua_pushvalue(L, 3);
	lua_setiuservalue(L, -2, 1);
	if (sy_sim_watch(ls->sim, fd, hold, watch_ready, w, &err) < 0)
		return luaL_error(L, "sim:watch: %s", err.msg);
	w->active = true;
	lua_getiuservalue(L, 1, 1);
	snprintf(key, sizeof key, "watch%d", fd);
	lua_pushvalue(L, 4);
	lua_setfield(L, -2, key);
	return 0;
}

/* sim:unwatch(file_or_fd): true if it was watched. */
static int sim_unwatch(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	int fd = check_fd(L, 2);
	char key[32];

	snprintf(key, sizeof key, "watch%d", fd);
	lua_settop(L, 2);
	lua_getiuservalue(L, 1, 1);
	if (lua_getfield(L, 3, key) != LUA_TUSERDATA) {
		lua_pushboolean(L, 0);
		return 1;
	}
	watch_end(L, 3, ls->sim, luaL_checkudata(L, 4, MT_WATCH));
	lua_pushboolean(L, 1);
	return 1;
}

static int sim_realtime(lua_State *L)
{
	lua_pushboolean(L, sy_sim_realtime(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

/* sim:lag(): {events =, inputs =, max =, mean =}, seconds. */
static int sim_lag(lua_State *L)
{
	sy_lag g;

	sy_sim_lag(sy_lua_check_sim(L, 1)->sim, &g);
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, (lua_Integer)g.events);
	lua_setfield(L, -2, "events");
	lua_pushinteger(L, (lua_Integer)g.inputs);
	lua_setfield(L, -2, "inputs");
	lua_pushnumber(L, sy_time_to_sec(g.max));
	lua_setfield(L, -2, "max");
	lua_pushnumber(L, g.events ? sy_time_to_sec(g.total) / (double)g.events : 0.0);
	lua_setfield(L, -2, "mean");
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
	{ "realtime", sim_realtime },
	{ "lag", sim_lag },
	{ "watch", sim_watch },
	{ "unwatch", sim_unwatch },
	{ NULL, NULL },
};

static int l_simulator(lua_State *L)
{
	static const char *const known[] = { "seed", "scheduler", "realtime", NULL };
	struct sy_lua_ctx *c = get_ctx(L);
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

/* ------------------------------------------------------------ module */

static int ctx_gc(lua_State *L)
{
	struct sy_lua_ctx *c = luaL_checkudata(L, 1, MT_CTX);

	sy_cfg_free(c->cfg);
	c->cfg = NULL;
	return 0;
}

int sy_lua_to_quantity(lua_State *L, int idx, sy_unit_parse parse,
		       sy_unit_number number, int64_t *v, sy_err *err)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);

		if (sy_check_no_nul(s, n, "quantity", err) < 0)
			return -1;
		return parse(s, v, err);
	}
	if (lua_isinteger(L, idx)) {
		/* Exact, as for plugin parameters: no detour through a double. */
		*v = lua_tointeger(L, idx);
		if (*v < 0)
			return sy_err_set(err, "negative value %lld", (long long)*v);
		return 0;
	}
	if (lua_type(L, idx) == LUA_TNUMBER)
		return number(lua_tonumber(L, idx), v, err);
	return -2;
}

static int quantity(lua_State *L, sy_unit_parse parse, sy_unit_number number,
		    const char *what)
{
	int64_t v;
	sy_err err;
	int rc = sy_lua_to_quantity(L, 1, parse, number, &v, &err);

	if (rc == -2)
		return luaL_typeerror(L, 1, what);
	if (rc < 0)
		return luaL_argerror(L, 1, err.msg);
	lua_pushinteger(L, v);
	return 1;
}

static int l_duration(lua_State *L)
{
	lua_pushinteger(L, sy_lua_check_time(L, 1));
	return 1;
}

static int l_rate(lua_State *L)
{
	return quantity(L, sy_parse_rate, sy_rate_from_number,
			"rate (bit/s, or a string such as \"10Mbps\")");
}

static int l_size(lua_State *L)
{
	return quantity(L, sy_parse_size, sy_size_from_number,
			"size (bytes, or a string such as \"64KiB\")");
}

static void plugin_visit(const sy_plugin *p, const char *path, void *ctx)
{
	lua_State *L = ctx;

	lua_createtable(L, 0, 4);
	lua_pushstring(L, p->kind);
	lua_setfield(L, -2, "kind");
	lua_pushstring(L, p->name);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, p->summary ? p->summary : "");
	lua_setfield(L, -2, "summary");
	lua_pushstring(L, path);
	lua_setfield(L, -2, "path");
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

static int l_plugins(lua_State *L)
{
	const char *kind = lua_isnoneornil(L, 1) ? NULL : sy_lua_check_string(L, 1, NULL);
	sy_err err;

	lua_newtable(L);
	if (sy_plugin_each(kind, plugin_visit, NULL, L, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 1;
}

static int l_config(lua_State *L)
{
	struct sy_lua_ctx *c = get_ctx(L);

	if (sy_cfg_file(c->cfg))
		lua_pushstring(L, sy_cfg_file(c->cfg));
	else
		lua_pushnil(L);
	return 1;
}

static const luaL_Reg module_funcs[] = {
	{ "simulator", l_simulator },
	{ "duration", l_duration },
	{ "rate", l_rate },
	{ "size", l_size },
	{ "plugins", l_plugins },
	{ "config", l_config },
	{ NULL, NULL },
};

void sy_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
		      lua_CFunction gc, lua_CFunction tostring)
{
	luaL_newmetatable(L, name);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	if (gc) {
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__close");
	}
	if (tostring) {
		lua_pushcfunction(L, tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
}

int sy_lua_open(lua_State *L)
{
	const char *path = NULL;
	struct sy_lua_ctx *c;
	sy_err err;

	sy_lua_new_class(L, MT_SIM, sim_methods, sim_gc, sim_tostring);
	luaL_getmetatable(L, MT_SIM);
	lua_pushcfunction(L, sim_close);
	lua_setfield(L, -2, "__close");
	lua_pop(L, 1);
	sy_lua_new_class(L, MT_EVENT, event_methods, NULL, NULL);
	sy_lua_new_class(L, MT_RNG, rng_methods, NULL, NULL);
	luaL_newmetatable(L, MT_WATCH);
	lua_pushcfunction(L, watch_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	sy_lua_open_net(L);
	sy_lua_open_record(L);
	sy_lua_open_stats(L);
	luaL_newmetatable(L, MT_ERROR);
	lua_pushcfunction(L, error_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	luaL_newmetatable(L, MT_CTX);
	lua_pushcfunction(L, ctx_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);

	c = lua_newuserdatauv(L, sizeof *c, 0);
	c->cfg = NULL;
	luaL_setmetatable(L, MT_CTX);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "synack.config") == LUA_TSTRING)
		path = lua_tostring(L, -1);
	c->cfg = sy_cfg_load(path, &err);
	lua_pop(L, 1);
	if (!c->cfg)
		return luaL_error(L, "%s", err.msg);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "synack.seed") == LUA_TNUMBER)
		c->seed = (uint64_t)lua_tointeger(L, -1);
	else
		c->seed = sy_cfg_seed(c->cfg, 1);
	lua_pop(L, 1);

	luaL_newlibtable(L, module_funcs);
	lua_pushvalue(L, -2);
	luaL_setfuncs(L, module_funcs, 1);
	sy_lua_stats_module(L);
	lua_pushliteral(L, PACKAGE_VERSION);
	lua_setfield(L, -2, "version");
	if (lua_getfield(L, LUA_REGISTRYINDEX, "synack.args") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_setfield(L, -2, "args");
	lua_remove(L, -2);
	return 1;
}
