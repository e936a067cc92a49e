/* Lua binding: the module `synack` (its functions and its state), the
 * checks every class uses, error objects.  The simulator object is in
 * lsim.c, its real-time methods in lrealtime.c.
 *
 * Module state (the config, the default seed) is one userdata shared as an
 * upvalue, never a C global, so independent Lua states never share
 * anything. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "cfg.h"
#include "lpriv.h"
#include "lsim.h"
#include "lsynack.h"
#include "outfile.h"
#include "plugin.h"
#include "sim.h"
#include "units.h"

#define MT_CTX   "synack.ctx"
#define MT_ERROR "synack.error"
#define MT_SIM   SY_MT_SIM

/* ------------------------------------------------------------ helpers */

struct sy_lua_ctx *sy_lua_get_ctx(lua_State *L)
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

/* ------------------------------------------------------------ objects */

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

	if (strcmp(mt, SY_MT_CONN) == 0)
		sy_lua_conn_resolve(L, p);

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
	struct sy_lua_ctx *c = sy_lua_get_ctx(L);

	if (sy_cfg_file(c->cfg))
		lua_pushstring(L, sy_cfg_file(c->cfg));
	else
		lua_pushnil(L);
	return 1;
}

static const luaL_Reg module_funcs[] = {
	{ "simulator", sy_lua_simulator },
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

	sy_lua_open_sim(L);
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
