/* synack batch, the Lua side: the script is loaded once in the parent to
 * check every point (its parameters through the experiment contract, the
 * filter) and learn the columns, and kept compiled (lua_dump, debug
 * information included: messages and tracebacks name the same lines); each
 * run loads those bytes in a fresh state in its worker, runs the chunk
 * again there and turns what run() returns into one CSV record.  Every run
 * thus runs the script the checks saw, and none pays for reading and
 * compiling it. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "batch_priv.h"
#include "csv.h"
#include "lsynack.h"
#include "luastate.h"
#include "plugin.h"

/* Columns of the batch itself; metrics may not take these names. */
static const char *const batch_columns[] = { "point", "rep", "seed", "status",
					     "error", "wall_s", NULL };

/* A state as `synack run` makes it, with the config, the run's seed and
 * the run's overrides (none and the config's seed for the checks). */
static lua_State *new_state(const batch *b, const run *r)
{
	lua_State *L = sy_cli_state(&(sy_cli_opts){ .config = b->config,
						    .have_seed = r != NULL,
						    .seed = r ? r->seed : 0 });

	if (L && r) {
		const point *p = &b->pts[r->pt];

		lua_getfield(L, LUA_REGISTRYINDEX, "synack.args");
		for (size_t i = 0; i < b->sw->nnames; i++) {
			lua_pushstring(L, p->over[i]);
			lua_setfield(L, -2, b->sw->names[i]);
		}
		lua_pop(L, 1);
	}
	return L;
}

/* The message on top of the stack on one line, without the traceback. */
static void pop_message(lua_State *L, char *buf, size_t n)
{
	const char *msg = lua_tostring(L, -1);
	char *tb;

	snprintf(buf, n, "%s", msg ? msg : "(no message)");
	if ((tb = strstr(buf, "\nstack traceback:")))
		*tb = 0;
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\t' || *c == '\r')
			*c = ' ';
	lua_pop(L, 1);
}

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
	(void)L;
	return sy_buf_add(ud, p, n) < 0;
}

/* Loads synack and the script (the compiled chunk when the parent kept
 * one) and leaves the experiment table on the stack, with the contract
 * module below it.  With `keep`, the chunk is kept in b. */
static int load_experiment(const batch *b, lua_State *L, char *msg, size_t n,
			   sy_buf *keep)
{
	int st;

	if (sy_cli_load_synack(L) != LUA_OK) {
		pop_message(L, msg, n);
		return -1;
	}
	if (b->chunk.len) {
		char name[1024];

		snprintf(name, sizeof name, "@%s", b->sw->script);
		st = luaL_loadbufferx(L, b->chunk.p, b->chunk.len, name, "b");
	} else {
		st = luaL_loadfile(L, b->sw->script);
	}
	if (st != LUA_OK) {
		pop_message(L, msg, n);
		return -1;
	}
	if (keep && lua_dump(L, dump_writer, keep, 0) != 0) {
		snprintf(msg, n, "out of memory");
		return -1;
	}
	lua_getglobal(L, "require");
	lua_pushliteral(L, "synack.contract");
	if (sy_cli_docall(L, 1, 1) != LUA_OK) {
		pop_message(L, msg, n);
		return -1;
	}
	lua_insert(L, -2);
	if (sy_cli_docall(L, 0, 1) != LUA_OK) {
		pop_message(L, msg, n);
		return -1;
	}
	if (!lua_istable(L, -1) || lua_getfield(L, -1, "run") != LUA_TFUNCTION) {
		snprintf(msg, n, "%s is not an experiment: it must return {params = {...}, run = function(P) ... end}",
			 b->sw->script);
		return -1;
	}
	lua_pop(L, 1);
	return 0;
}

/* A string at idx with an embedded NUL: every C string would end there,
 * so a row would silently hold less than the script gave. */
static int has_nul(lua_State *L, int idx)
{
	size_t n;
	const char *s;

	if (lua_type(L, idx) != LUA_TSTRING)
		return 0;
	s = lua_tolstring(L, idx, &n);
	return memchr(s, '\0', n) != NULL;
}

/* A parameter or metric value as text; NULL for other types. */
static const char *value_text(lua_State *L, int idx, char *buf, size_t n)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			snprintf(buf, n, "%lld", (long long)lua_tointeger(L, idx));
		else
			sy_csv_number(buf, n, (double)lua_tonumber(L, idx));
		return buf;
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "true" : "false";
	case LUA_TSTRING:
		return lua_tostring(L, idx);
	default:
		return NULL;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_batch_column(const char *name)
{
	for (const char *const *c = batch_columns; *c; c++)
		if (strcmp(*c, name) == 0)
			return 1;
	return 0;
}

/* contract.params(exp, overrides of point p) on top of the stack. */
static int point_params(const batch *b, lua_State *L, int contract, int exp,
			const char **over, char *msg, size_t n)
{
	lua_getfield(L, contract, "params");
	lua_pushvalue(L, exp);
	lua_newtable(L);
	for (size_t i = 0; i < b->sw->nnames; i++) {
		lua_pushstring(L, over[i]);
		lua_setfield(L, -2, b->sw->names[i]);
	}
	if (sy_cli_docall(L, 2, 1) != LUA_OK) {
		pop_message(L, msg, n);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ checks */

void batch_describe_point(const batch *b, const char **over, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < b->sw->nnames && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", i ? ", " : "",
					b->sw->names[i], over[i]);
}

/* Loads the script once: its parameters give the columns, and every point
 * goes through the contract and the filter before anything runs. */
int batch_prepare(batch *b)
{
	sy_sweep *sw = b->sw;
	lua_State *L = new_state(b, NULL);
	char msg[2048];
	int contract, exp, filter = 0, rc = -1;
	size_t nparams = 0;
	char **others;

	if (!L) {
		fprintf(stderr, "synack: out of memory\n");
		return -1;
	}
	if (load_experiment(b, L, msg, sizeof msg, &b->chunk) < 0) {
		fprintf(stderr, "synack: %s\n", msg);
		goto out;
	}
	exp = lua_gettop(L);
	contract = exp - 1;
	/* The script's parameters that the grid can set and a row can show. */
	lua_getfield(L, exp, "params");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		nparams++;
		lua_pop(L, 1);
	}
	others = xcalloc(nparams, sizeof *others);
	nparams = 0;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		int t = lua_type(L, -1);

		if (lua_type(L, -2) == LUA_TSTRING &&
		    (t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TBOOLEAN)) {
			if (has_nul(L, -2) || has_nul(L, -1)) {
				fprintf(stderr, "synack: %s: parameter '%s' holds a NUL byte in its %s, which would cut it short\n",
					sw->script, lua_tostring(L, -2),
					has_nul(L, -2) ? "name" : "value");
				lua_pop(L, 2);
				for (size_t j = 0; j < nparams; j++)
					free(others[j]);
				free(others);
				goto out;
			}
			others[nparams++] = xstrdup(lua_tostring(L, -2));
		}
		lua_pop(L, 1);
	}
	qsort(others, nparams, sizeof *others, cmp_str);
	for (size_t i = 0; i < sw->nnames; i++) {
		int known = 0;

		for (size_t j = 0; j < nparams; j++)
			known |= strcmp(others[j], sw->names[i]) == 0;
		if (!known) {
			size_t len = 0;

			msg[0] = 0;
			for (size_t j = 0; j < nparams; j++)
				len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0,
							"%s%s", j ? ", " : "", others[j]);
			fprintf(stderr, "synack: %s:%d: unknown parameter '%s': script %s has %s%s\n",
				sw->file, sw->lines[i], sw->names[i], sw->script,
				nparams ? "" : "no parameters", msg);
			for (size_t j = 0; j < nparams; j++)
				free(others[j]);
			free(others);
			goto out;
		}
	}
	b->pcols = xcalloc(nparams, sizeof *b->pcols);
	for (size_t i = 0; i < sw->nnames; i++)
		b->pcols[b->npcols++] = xstrdup(sw->names[i]);
	for (size_t j = 0; j < nparams; j++) {
		int swept = 0;

		for (size_t i = 0; i < sw->nnames; i++)
			swept |= strcmp(others[j], sw->names[i]) == 0;
		if (!swept)
			b->pcols[b->npcols++] = others[j];
		else
			free(others[j]);
	}
	free(others);
	lua_pop(L, 1);

	if (sw->filter) {
		sy_buf code = { 0 };

		sy_buf_printf(&code, "return (%s)", sw->filter);
		if (luaL_loadbuffer(L, code.p, code.len, "=filter") != LUA_OK) {
			pop_message(L, msg, sizeof msg);
			fprintf(stderr, "synack: %s:%d: the filter is not a Lua expression: %s\n",
				sw->file, sw->filter_line, msg);
			sy_buf_free(&code);
			goto out;
		}
		sy_buf_free(&code);
		filter = lua_gettop(L);
	}

	b->pts = xcalloc(sw->npoints, sizeof *b->pts);
	for (uint64_t p = 0; p < sw->npoints; p++) {
		const char **over = xcalloc(sw->nnames, sizeof *over);
		point *pt;

		sy_sweep_point(sw, p, over);
		if (point_params(b, L, contract, exp, over, msg, sizeof msg) < 0) {
			char where[1024];

			batch_describe_point(b, over, where, sizeof where);
			fprintf(stderr, "synack: %s: point %" PRIu64 " (%s): %s: %s\n",
				sw->file, p, where, sw->script, msg);
			free(over);
			goto out;
		}
		if (filter) {
			int keep;

			/* The parameters as globals, the standard ones behind. */
			lua_pushvalue(L, filter);
			lua_newtable(L);
			lua_pushnil(L);
			while (lua_next(L, -4)) {
				lua_pushvalue(L, -2);
				lua_insert(L, -2);
				lua_settable(L, -4);
			}
			lua_newtable(L);
			lua_pushglobaltable(L);
			lua_setfield(L, -2, "__index");
			lua_setmetatable(L, -2);
			lua_setupvalue(L, -2, 1);
			if (sy_cli_docall(L, 0, 1) != LUA_OK) {
				char where[1024];

				pop_message(L, msg, sizeof msg);
				batch_describe_point(b, over, where, sizeof where);
				fprintf(stderr, "synack: %s:%d: the filter fails at point %" PRIu64 " (%s): %s\n",
					sw->file, sw->filter_line, p, where, msg);
				free(over);
				goto out;
			}
			keep = lua_toboolean(L, -1);
			lua_pop(L, 1);
			if (!keep) {
				lua_pop(L, 1);
				free(over);
				continue;
			}
		}
		pt = &b->pts[b->npts++];
		pt->index = p;
		pt->over = over;
		pt->cols = xcalloc(b->npcols, sizeof *pt->cols);
		for (size_t i = 0; i < b->npcols; i++) {
			char buf[64];
			const char *v;

			lua_getfield(L, -1, b->pcols[i]);
			v = value_text(L, -1, buf, sizeof buf);
			pt->cols[i] = xstrdup(v ? v : "");
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	if (b->npts == 0) {
		fprintf(stderr, "synack: %s:%d: the grid is empty: the filter excludes every point\n",
			sw->file, sw->filter_line);
		goto out;
	}
	b->nruns = b->npts * (size_t)sw->replications;
	b->runs = xcalloc(b->nruns, sizeof *b->runs);
	for (size_t i = 0; i < b->nruns; i++) {
		run *r = &b->runs[i];

		r->pt = i / (size_t)sw->replications;
		r->rep = i % sw->replications;
		r->seed = sy_sweep_seed(sw->seed, b->pts[r->pt].index, r->rep);
	}
	rc = 0;
out:
	lua_close(L);
	sy_plugin_unload_all();
	return rc;
}

/* ------------------------------------------------------------ one run */

/* In the child: runs r and fills rec with its result, one CSV record:
 * status, message, then metric names and values. */
void batch_execute(const batch *b, const run *r, sy_buf *rec)
{
	lua_State *L = new_state(b, r);
	char msg[4096];
	int exp, contract;
	size_t nkeys = 0;
	char **keys = NULL;

	if (!L) {
		sy_csv_field(rec, "error", 1);
		sy_csv_field(rec, "out of memory", 0);
		sy_csv_end(rec);
		return;
	}
	if (load_experiment(b, L, msg, sizeof msg, NULL) < 0)
		goto fail;
	exp = lua_gettop(L);
	contract = exp - 1;
	if (point_params(b, L, contract, exp, b->pts[r->pt].over, msg, sizeof msg) < 0)
		goto fail;
	lua_getfield(L, exp, "run");
	lua_insert(L, -2);
	if (sy_cli_docall(L, 1, 1) != LUA_OK) {
		pop_message(L, msg, sizeof msg);
		goto fail;
	}
	if (!lua_istable(L, -1)) {
		snprintf(msg, sizeof msg, "the experiment's run() must return a table of metrics, got a %s",
			 luaL_typename(L, -1));
		goto fail;
	}
	/* A trace or log of a simulator left open that could not be written
	 * fails the run, as it fails `synack run`. */
	{
		sy_err err;

		if (sy_lua_close_all(L, &err) < 0) {
			snprintf(msg, sizeof msg, "%s", err.msg);
			goto fail;
		}
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		nkeys++;
		lua_pop(L, 1);
	}
	keys = xcalloc(nkeys, sizeof *keys);
	nkeys = 0;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			snprintf(msg, sizeof msg, "metric names must be strings, got a %s",
				 luaL_typename(L, -1));
			goto fail;
		}
		if (has_nul(L, -1)) {
			snprintf(msg, sizeof msg, "metric name '%s' holds a NUL byte, which would cut it short",
				 lua_tostring(L, -1));
			goto fail;
		}
		keys[nkeys++] = (char *)lua_tostring(L, -1);
	}
	qsort(keys, nkeys, sizeof *keys, cmp_str);
	sy_csv_field(rec, "ok", 1);
	sy_csv_field(rec, "", 0);
	for (size_t i = 0; i < nkeys; i++) {
		char buf[64];
		const char *v;

		for (size_t j = 0; j < b->npcols; j++)
			if (strcmp(b->pcols[j], keys[i]) == 0) {
				snprintf(msg, sizeof msg, "metric '%s' has the name of a parameter",
					 keys[i]);
				goto fail_rec;
			}
		if (is_batch_column(keys[i])) {
			snprintf(msg, sizeof msg, "metric '%s' has the name of a batch column (point, rep, seed, status, error, wall_s)",
				 keys[i]);
			goto fail_rec;
		}
		lua_getfield(L, -1, keys[i]);
		if (has_nul(L, -1)) {
			snprintf(msg, sizeof msg, "metric '%s' holds a NUL byte, which would cut it short",
				 keys[i]);
			goto fail_rec;
		}
		v = value_text(L, -1, buf, sizeof buf);
		if (!v) {
			snprintf(msg, sizeof msg, "metric '%s' is a %s: metrics must be numbers, strings or booleans",
				 keys[i], luaL_typename(L, -1));
			goto fail_rec;
		}
		sy_csv_field(rec, keys[i], 0);
		sy_csv_field(rec, v, 0);
		lua_pop(L, 1);
	}
	sy_csv_end(rec);
	free(keys);
	lua_close(L);
	return;
fail_rec:
	rec->len = 0;
fail:
	free(keys);
	sy_csv_field(rec, "error", 1);
	sy_csv_field(rec, msg, 0);
	sy_csv_end(rec);
	lua_close(L);
}
