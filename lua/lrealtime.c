/* Lua binding: the methods of a real-time simulator (see sim.h): input
 * watched on file descriptors, and how far behind the wall clock the run
 * fell. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "lsim.h"
#include "sim.h"
#include "units.h"

#define MT_WATCH "synack.watch"

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
int sy_lua_sim_watch(lua_State *L)
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
int sy_lua_sim_unwatch(lua_State *L)
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

int sy_lua_sim_realtime(lua_State *L)
{
	lua_pushboolean(L, sy_sim_realtime(sy_lua_check_sim(L, 1)->sim));
	return 1;
}

/* sim:lag(): {events =, inputs =, max =, mean =}, seconds. */
int sy_lua_sim_lag(lua_State *L)
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

void sy_lua_open_realtime(lua_State *L)
{
	luaL_newmetatable(L, MT_WATCH);
	lua_pushcfunction(L, watch_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
}
