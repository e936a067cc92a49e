/* synack batch: parameter sweeps over worker processes, with a resumable
 * CSV (see batch.h and sweep.h).
 *
 * The parent checks everything before the first run: the sweep file, the
 * script (it is loaded once, to learn its parameters), every point's
 * parameters through the experiment contract, the filter, the output file.
 * Then each run is a child forked from the parent, which has no Lua state
 * left at that time: the child builds a fresh one, runs the experiment
 * with the run's seed and writes its result to a pipe as one CSV record.
 * A child that crashes, hangs past the timeout or exits without a result
 * takes nothing down with it: its row says what happened.
 *
 * The output file always holds a header and every run finished so far:
 * rows are appended and flushed as runs finish, and the file is rewritten
 * (to a temporary file, then renamed, when it is a regular file: see
 * outfile.h) when a new metric column appears and at the end, in point
 * order.  A failed write (a full disk) stops the batch with the rows
 * written so far intact.  `--resume` keeps the rows with status ok and
 * runs the rest again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <lauxlib.h>
#include <lua.h>

#ifdef SY_MPI
#include <mpi.h>
#endif

#include "batch.h"
#include "csv.h"
#include "lsynack.h"
#include "luastate.h"
#include "outfile.h"
#include "plugin.h"
#include "sweep.h"

#define EXIT_USAGE 2

enum { ST_OK, ST_ERROR, ST_TIMEOUT, ST_CRASH, ST_N };
static const char *const status_names[ST_N] = { "ok", "error", "timeout", "crash" };

/* Columns of the batch itself; metrics may not take these names. */
static const char *const batch_columns[] = { "point", "rep", "seed", "status",
					     "error", "wall_s", NULL };

typedef struct metric {
	char *name, *value;
} metric;

typedef struct run {
	size_t pt; /* index into batch.pts */
	uint64_t rep, seed;
	int done, status;
	char *msg;
	double wall;
	metric *m;
	size_t nm;
} run;

/* A point of the grid that passed the filter. */
typedef struct point {
	uint64_t index;	   /* in the whole grid: the seed depends on it */
	const char **over; /* the sweep's values for sw->names */
	char **cols;	   /* the parameter columns, as the contract made them */
} point;

typedef struct batch {
	sy_sweep *sw;
	const char *sweep_path, *config, *output;
	long jobs;
	int resume, force, quiet, list;
	char **pcols; /* parameter columns: the grid's, then the others sorted */
	size_t npcols;
	point *pts;
	size_t npts;
	run *runs;
	size_t nruns;
	char **mnames; /* metric columns, sorted */
	size_t nmnames;
	FILE *out; /* appends; NULL once a write failed (and was reported) */
	size_t ndone, nresumed, nran, count[ST_N];
	double t0, last_draw;
	int tty, last_tenth, drawn;
	int rank, nranks; /* MPI; 0 and 1 otherwise */
	int mpi_stuck;	  /* rank 0 left workers waiting: abort, not finalize */
} batch;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "synack: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fprintf(stderr, "synack: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return p;
}

/* ------------------------------------------------------------ Lua */

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

/* Loads synack and the script and leaves the experiment table on the
 * stack, with the contract module below it. */
static int load_experiment(const batch *b, lua_State *L, char *msg, size_t n)
{
	if (sy_cli_load_synack(L) != LUA_OK ||
	    luaL_loadfile(L, b->sw->script) != LUA_OK) {
		pop_message(L, msg, n);
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

static void describe_point(const batch *b, const char **over, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < b->sw->nnames && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", i ? ", " : "",
					b->sw->names[i], over[i]);
}

/* Loads the script once: its parameters give the columns, and every point
 * goes through the contract and the filter before anything runs. */
static int prepare(batch *b)
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
	if (load_experiment(b, L, msg, sizeof msg) < 0) {
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

			describe_point(b, over, where, sizeof where);
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
				describe_point(b, over, where, sizeof where);
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

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* In the child: runs r and fills rec with its result, one CSV record:
 * status, message, then metric names and values. */
static void execute(const batch *b, const run *r, sy_buf *rec)
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
	if (load_experiment(b, L, msg, sizeof msg) < 0)
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

/* A worker: a child with a pipe, killed with its process group. */
typedef struct slot {
	pid_t pid; /* 0: free */
	int fd;
	size_t run;
	double start;
	int timed_out;
	sy_buf buf;
} slot;

static void child(const batch *b, const run *r, int fd, pid_t parent)
{
	sy_buf rec = { 0 };
	struct sigaction sa = { 0 };
	int null;

	setpgid(0, 0);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(127);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	/* A run's own output goes nowhere: its row is its result. */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	execute(b, r, &rec);
	write_all(fd, rec.p ? rec.p : "", rec.len);
	_exit(0);
}

static int slot_start(const batch *b, slot *s, size_t ri)
{
	int fds[2];
	pid_t parent = getpid();

	if (pipe(fds) < 0) {
		fprintf(stderr, "synack: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		fprintf(stderr, "synack: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		s->pid = 0;
		return -1;
	}
	if (s->pid == 0) {
		close(fds[0]);
		child(b, &b->runs[ri], fds[1], parent);
	}
	setpgid(s->pid, s->pid);
	close(fds[1]);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	s->fd = fds[0];
	s->run = ri;
	s->start = now();
	s->timed_out = 0;
	s->buf.len = 0;
	return 0;
}

static void slot_kill(slot *s)
{
	kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
}

/* The result of a finished (or killed) child, as a record:
 * status, message, wall time, then metric names and values. */
static void slot_finish(const batch *b, slot *s, sy_buf *res)
{
	int ws = 0, status = ST_CRASH, ok = 0;
	char msg[256], wall[32];
	sy_csv_rec rec = { 0 };

	close(s->fd);
	while (waitpid(s->pid, &ws, 0) < 0 && errno == EINTR)
		;
	snprintf(wall, sizeof wall, "%.3f", now() - s->start);
	res->len = 0;
	if (s->timed_out) {
		status = ST_TIMEOUT;
		snprintf(msg, sizeof msg, "no result after %g s", b->sw->timeout);
	} else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && s->buf.len) {
		size_t pos = 0, line = 1;
		int term;

		if (sy_csv_next(s->buf.p, s->buf.len, &pos, &line, &rec, &term, NULL) == 1 &&
		    term && rec.n >= 2 && rec.n % 2 == 0) {
			ok = 1;
			sy_csv_field(res, rec.f[0], 1);
			sy_csv_field(res, rec.f[1], 0);
			sy_csv_field(res, wall, 0);
			for (size_t i = 2; i < rec.n; i++)
				sy_csv_field(res, rec.f[i], 0);
			sy_csv_end(res);
		} else {
			snprintf(msg, sizeof msg, "the run's result is garbled");
		}
	} else if (WIFSIGNALED(ws)) {
		snprintf(msg, sizeof msg, "killed by signal %d (%s)", WTERMSIG(ws),
			 strsignal(WTERMSIG(ws)));
	} else {
		snprintf(msg, sizeof msg, "exited with status %d without a result",
			 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	}
	if (!ok) {
		sy_csv_field(res, status_names[status], 1);
		sy_csv_field(res, msg, 0);
		sy_csv_field(res, wall, 0);
		sy_csv_end(res);
	}
	sy_csv_rec_free(&rec);
	s->pid = 0;
}

/* ------------------------------------------------------------ output */

static void add_row(const batch *b, sy_buf *o, const run *r)
{
	const point *p = &b->pts[r->pt];
	char num[32];

	snprintf(num, sizeof num, "%" PRIu64, p->index);
	sy_csv_field(o, num, 1);
	snprintf(num, sizeof num, "%" PRIu64, r->rep);
	sy_csv_field(o, num, 0);
	snprintf(num, sizeof num, "%" PRIu64, r->seed);
	sy_csv_field(o, num, 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(o, p->cols[i], 0);
	for (size_t i = 0; i < b->nmnames; i++) {
		const char *v = "";

		for (size_t j = 0; j < r->nm; j++)
			if (strcmp(r->m[j].name, b->mnames[i]) == 0)
				v = r->m[j].value;
		sy_csv_field(o, v, 0);
	}
	sy_csv_field(o, status_names[r->status], 0);
	sy_csv_field(o, r->msg ? r->msg : "", 0);
	snprintf(num, sizeof num, "%.3f", r->wall);
	sy_csv_field(o, num, 0);
	sy_csv_end(o);
}

static void add_header(const batch *b, sy_buf *o)
{
	sy_csv_field(o, "point", 1);
	sy_csv_field(o, "rep", 0);
	sy_csv_field(o, "seed", 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(o, b->pcols[i], 0);
	for (size_t i = 0; i < b->nmnames; i++)
		sy_csv_field(o, b->mnames[i], 0);
	sy_csv_field(o, "status", 0);
	sy_csv_field(o, "error", 0);
	sy_csv_field(o, "wall_s", 0);
	sy_csv_end(o);
}

/* Closes the handle rows are appended through. */
static int close_append(batch *b)
{
	int rc = 0;

	if (b->out && fclose(b->out) != 0) {
		fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
		rc = -1;
	}
	b->out = NULL;
	return rc;
}

/* Writes the header and every finished row, in point order, over the
 * output: a regular file is replaced only once all of it is written, so a
 * failure (a full disk) leaves the rows it held.  With `append`, rows are
 * then appended to it.  On failure nothing more is appended. */
static int rewrite(batch *b, int append)
{
	sy_buf o = { 0 };
	sy_out *f;
	sy_err err;
	int rc = close_append(b);

	add_header(b, &o);
	for (size_t i = 0; i < b->nruns; i++)
		if (b->runs[i].done)
			add_row(b, &o, &b->runs[i]);
	if ((f = sy_out_open(b->output, &err)) && sy_out_write(f, o.p, o.len, &err) < 0) {
		sy_out_abandon(f);
		f = NULL;
	}
	if (!f || sy_out_close(f, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		rc = -1;
	} else if (rc == 0 && append && !(b->out = fopen(b->output, "a"))) {
		fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
		rc = -1;
	}
	sy_buf_free(&o);
	return rc;
}

/* Adds metric names not yet in the columns; returns 1 if any was new. */
static int add_metric_names(batch *b, const run *r)
{
	int added = 0;

	for (size_t j = 0; j < r->nm; j++) {
		size_t i = 0;

		while (i < b->nmnames && strcmp(b->mnames[i], r->m[j].name) < 0)
			i++;
		if (i < b->nmnames && strcmp(b->mnames[i], r->m[j].name) == 0)
			continue;
		b->mnames = realloc(b->mnames, (b->nmnames + 1) * sizeof *b->mnames);
		if (!b->mnames) {
			fprintf(stderr, "synack: out of memory\n");
			exit(EXIT_FAILURE);
		}
		memmove(b->mnames + i + 1, b->mnames + i, (b->nmnames - i) * sizeof *b->mnames);
		b->mnames[i] = xstrdup(r->m[j].name);
		b->nmnames++;
		added = 1;
	}
	return added;
}

/* Stores the result record of run ri (as slot_finish makes it) and
 * writes its row. */
static int store(batch *b, size_t ri, const char *res, size_t len)
{
	run *r = &b->runs[ri];
	sy_csv_rec rec = { 0 };
	size_t pos = 0, line = 1;
	int term, rc = 0;

	if (sy_csv_next(res, len, &pos, &line, &rec, &term, NULL) != 1 || rec.n < 3) {
		sy_csv_rec_free(&rec);
		return -1;
	}
	r->status = ST_CRASH;
	for (int s = 0; s < ST_N; s++)
		if (strcmp(rec.f[0], status_names[s]) == 0)
			r->status = s;
	r->msg = xstrdup(rec.f[1]);
	r->wall = strtod(rec.f[2], NULL);
	r->nm = (rec.n - 3) / 2;
	r->m = xcalloc(r->nm, sizeof *r->m);
	for (size_t i = 0; i < r->nm; i++) {
		r->m[i].name = xstrdup(rec.f[3 + 2 * i]);
		r->m[i].value = xstrdup(rec.f[4 + 2 * i]);
	}
	sy_csv_rec_free(&rec);
	r->done = 1;
	b->ndone++;
	b->nran++;
	b->count[r->status]++;
	if (!b->out) {
		rc = -1; /* an earlier write failed and said so */
	} else if (add_metric_names(b, r)) {
		rc = rewrite(b, 1);
	} else {
		sy_buf o = { 0 };

		add_row(b, &o, r);
		if (fwrite(o.p, 1, o.len, b->out) != o.len || fflush(b->out) != 0) {
			fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
			/* What reached the file ends in a row cut short, which
			 * --resume drops; append nothing after it. */
			fclose(b->out);
			b->out = NULL;
			rc = -1;
		}
		sy_buf_free(&o);
	}
	return rc;
}

/* ------------------------------------------------------------ resume */

static size_t find_point(const batch *b, uint64_t index)
{
	size_t lo = 0, hi = b->npts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->pts[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->npts && b->pts[lo].index == index ? lo : SIZE_MAX;
}

static int resume_error(const batch *b, const char *what, size_t line)
{
	if (line)
		fprintf(stderr, "synack: %s:%zu: %s; the sweep changed since it was written: write to another file (-o) or start again (--force)\n",
			b->output, line, what);
	else
		fprintf(stderr, "synack: %s: %s; write to another file (-o) or start again (--force)\n",
			b->output, what);
	return -1;
}

/* Reads the rows of an earlier batch: those with status ok are kept, the
 * others will run again.  A last row cut short (no newline) is dropped. */
static int load_previous(batch *b)
{
	char *data;
	size_t len, pos = 0, line = 1, ncols, nm;
	sy_csv_rec head = { 0 }, rec = { 0 };
	sy_err err;
	int term, rc = -1, got;

	if (sy_read_file(b->output, &data, &len, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		return -1;
	}
	got = sy_csv_next(data, len, &pos, &line, &head, &term, &err);
	if (got < 0) {
		fprintf(stderr, "synack: %s:%s\n", b->output, err.msg + 4);
		goto out;
	}
	if (got == 0 || !term) { /* empty: nothing done yet */
		rc = 0;
		goto out;
	}
	ncols = head.n;
	if (ncols < 6 + b->npcols || strcmp(head.f[0], "point") || strcmp(head.f[1], "rep") ||
	    strcmp(head.f[2], "seed") || strcmp(head.f[ncols - 3], "status") ||
	    strcmp(head.f[ncols - 2], "error") || strcmp(head.f[ncols - 1], "wall_s")) {
		resume_error(b, "not the output of a batch (its header is not point, rep, seed, ..., status, error, wall_s)", 0);
		goto out;
	}
	for (size_t i = 0; i < b->npcols; i++)
		if (strcmp(head.f[3 + i], b->pcols[i]) != 0) {
			char what[512];

			snprintf(what, sizeof what, "column %zu is '%s', this sweep's parameter there is '%s'",
				 4 + i, head.f[3 + i], b->pcols[i]);
			resume_error(b, what, 1);
			goto out;
		}
	nm = ncols - 6 - b->npcols;
	for (;;) {
		size_t pi, start = line;
		uint64_t pidx, rep;
		char *end;
		run *r;

		got = sy_csv_next(data, len, &pos, &line, &rec, &term, &err);
		if (got < 0) {
			if (pos < len && !memchr(data + pos, '\n', len - pos))
				break; /* a quoted field cut short at the end */
			fprintf(stderr, "synack: %s:%s\n", b->output, err.msg + 4);
			goto out;
		}
		if (got == 0 || !term)
			break;
		if (rec.n != ncols) {
			char what[128];

			snprintf(what, sizeof what, "%zu fields where the header has %zu", rec.n, ncols);
			resume_error(b, what, start);
			goto out;
		}
		pidx = strtoull(rec.f[0], &end, 10);
		if (*end || (pi = find_point(b, pidx)) == SIZE_MAX) {
			resume_error(b, "a point that is not in this sweep", start);
			goto out;
		}
		rep = strtoull(rec.f[1], &end, 10);
		if (*end || rep >= b->sw->replications) {
			resume_error(b, "a replication that is not in this sweep", start);
			goto out;
		}
		r = &b->runs[pi * (size_t)b->sw->replications + (size_t)rep];
		{
			char seed[32];
			int same = 1;

			snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
			same = strcmp(seed, rec.f[2]) == 0;
			for (size_t i = 0; same && i < b->npcols; i++)
				same = strcmp(rec.f[3 + i], b->pts[pi].cols[i]) == 0;
			if (!same) {
				resume_error(b, "a row whose seed or parameters differ from this sweep's", start);
				goto out;
			}
		}
		if (strcmp(rec.f[ncols - 3], "ok") != 0 || r->done)
			continue;
		r->done = 1;
		r->status = ST_OK;
		r->wall = strtod(rec.f[ncols - 1], NULL);
		r->m = xcalloc(nm, sizeof *r->m);
		for (size_t i = 0; i < nm; i++) {
			const char *v = rec.f[3 + b->npcols + i];

			if (!*v)
				continue;
			r->m[r->nm].name = xstrdup(head.f[3 + b->npcols + i]);
			r->m[r->nm++].value = xstrdup(v);
		}
		add_metric_names(b, r);
		b->ndone++;
		b->nresumed++;
		b->count[ST_OK]++;
	}
	rc = 0;
out:
	sy_csv_rec_free(&head);
	sy_csv_rec_free(&rec);
	free(data);
	return rc;
}

/* ------------------------------------------------------------ progress */

static void hms(char *buf, size_t n, double s)
{
	long t = s < 0 || !isfinite(s) ? 0 : lround(s);

	if (t >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void progress(batch *b, int last)
{
	double t = now(), el = t - b->t0, rate = el > 0 ? (double)b->nran / el : 0;
	size_t failed = b->ndone - b->count[ST_OK];
	char eta[32];
	int tenth;

	if (b->quiet)
		return;
	hms(eta, sizeof eta, rate > 0 ? (double)(b->nruns - b->ndone) / rate : 0);
	if (b->tty) {
		char bar[31];
		size_t fill = b->nruns ? 30 * b->ndone / b->nruns : 30;

		if (!last && t - b->last_draw < 0.1)
			return;
		b->last_draw = t;
		for (size_t i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r[%s] %zu/%zu runs, %zu failed, %.1f runs/s, ETA %s\033[K%s",
			bar, b->ndone, b->nruns, failed, rate, rate > 0 ? eta : "?",
			last ? "\n" : "");
		b->drawn = !last;
		return;
	}
	tenth = b->nruns ? (int)(10 * b->ndone / b->nruns) : 10;
	if (tenth == b->last_tenth)
		return;
	b->last_tenth = tenth;
	fprintf(stderr, "synack: %zu/%zu runs (%d%%), %zu failed, %.1f runs/s, ETA %s\n",
		b->ndone, b->nruns, (int)(b->nruns ? 100 * b->ndone / b->nruns : 100),
		failed, rate, rate > 0 ? eta : "?");
}

/* ------------------------------------------------------------ local */

/* Runs every run not done on `jobs` children.  Returns 0, -1 on an error
 * of the batch itself, or the signal that interrupted it. */
static int run_local(batch *b)
{
	size_t nslots = (size_t)b->jobs, next = 0, active = 0;
	slot *slots = xcalloc(nslots, sizeof *slots);
	struct pollfd *pfd = xcalloc(nslots, sizeof *pfd);
	sy_buf res = { 0 };
	int rc = 0;

	for (;;) {
		int timeout = 200, n = 0;
		double t;

		while (!got_signal && rc == 0 && active < nslots && next < b->nruns) {
			size_t i = 0;

			if (b->runs[next].done) {
				next++;
				continue;
			}
			while (slots[i].pid)
				i++;
			if (slot_start(b, &slots[i], next) < 0) {
				rc = -1;
				break;
			}
			next++;
			active++;
		}
		if (active == 0)
			break;
		if (got_signal || rc < 0) {
			for (size_t i = 0; i < nslots; i++)
				if (slots[i].pid) {
					slot_kill(&slots[i]);
					slot_finish(b, &slots[i], &res);
				}
			active = 0;
			break;
		}
		t = now();
		for (size_t i = 0; i < nslots; i++) {
			if (!slots[i].pid)
				continue;
			if (b->sw->timeout > 0 && !slots[i].timed_out) {
				double left = slots[i].start + b->sw->timeout - t;
				int ms = left <= 0 ? 0 : (int)ceil(left * 1000);

				if (ms < timeout)
					timeout = ms;
			}
			pfd[n].fd = slots[i].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "synack: poll: %s\n", strerror(errno));
			rc = -1;
			continue;
		}
		t = now();
		for (size_t i = 0, k = 0; i < nslots; i++) {
			slot *s = &slots[i];
			struct pollfd *q;

			if (!s->pid)
				continue;
			q = &pfd[k++];
			if (q->revents) {
				char chunk[4096];
				ssize_t got = read(s->fd, chunk, sizeof chunk);

				if (got > 0) {
					sy_buf_add(&s->buf, chunk, (size_t)got);
				} else if (got == 0 || errno != EINTR) {
					size_t ri = s->run;

					slot_finish(b, s, &res);
					active--;
					if (store(b, ri, res.p, res.len) < 0)
						rc = -1;
					progress(b, 0);
					continue;
				}
			}
			if (b->sw->timeout > 0 && !s->timed_out &&
			    t >= s->start + b->sw->timeout) {
				s->timed_out = 1;
				slot_kill(s);
			}
		}
		progress(b, 0);
	}
	for (size_t i = 0; i < nslots; i++)
		sy_buf_free(&slots[i].buf);
	free(slots);
	free(pfd);
	sy_buf_free(&res);
	return rc < 0 ? -1 : got_signal;
}

/* ------------------------------------------------------------ MPI */

#ifdef SY_MPI
enum { TAG_RESULT = 1, TAG_WORK = 2 };

/* True when started by mpirun (or srun with PMI). */
static int under_mpi(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") ||
	       getenv("PMIX_RANK");
}

/* A worker rank: asks rank 0 for a run, runs it in a child, sends the
 * result (prefixed with the run's index) and asks again, until told to
 * stop (index -1). */
static int mpi_worker(batch *b)
{
	sy_buf msg = { 0 }, res = { 0 };
	slot s = { 0 };

	sy_buf_str(&msg, "ready");
	for (;;) {
		long long ri;

		MPI_Send(msg.p, (int)msg.len + 1, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
		MPI_Recv(&ri, 1, MPI_LONG_LONG, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (ri < 0)
			break;
		if (slot_start(b, &s, (size_t)ri) < 0)
			return -1;
		for (;;) {
			struct pollfd q = { .fd = s.fd, .events = POLLIN };
			char chunk[4096];
			int timeout = 200;
			ssize_t got;

			if (got_signal) {
				/* mpirun signals every rank: rank 0 writes the
				 * file, this one just goes. */
				slot_kill(&s);
				slot_finish(b, &s, &res);
				_exit(128 + got_signal);
			}
			if (b->sw->timeout > 0) {
				double left = s.start + b->sw->timeout - now();

				timeout = left <= 0 ? 0 : (int)ceil(left * 1000);
				if (timeout > 200)
					timeout = 200;
				if (left <= 0 && !s.timed_out) {
					s.timed_out = 1;
					slot_kill(&s);
				}
			}
			if (poll(&q, 1, timeout) <= 0)
				continue;
			got = read(s.fd, chunk, sizeof chunk);
			if (got > 0) {
				sy_buf_add(&s.buf, chunk, (size_t)got);
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			slot_finish(b, &s, &res);
			break;
		}
		msg.len = 0;
		sy_buf_printf(&msg, "%lld\n", ri);
		sy_buf_add(&msg, res.p, res.len);
	}
	sy_buf_free(&s.buf);
	sy_buf_free(&msg);
	sy_buf_free(&res);
	return 0;
}

/* Rank 0: hands out the runs not done, one at a time, to whichever rank
 * asks (dynamic load balancing), and writes the rows. */
static int mpi_master(batch *b)
{
	size_t next = 0;
	int stopped = 0, rc = 0, nworkers = b->nranks - 1;
	char *buf = NULL, *p;

	while (stopped < nworkers) {
		MPI_Status st;
		int flag = 0, count;
		long long ri = -1;

		MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
		if (!flag) {
			struct timespec ts = { 0, 1000000 };

			if (got_signal)
				break; /* the workers were signalled too */
			nanosleep(&ts, NULL);
			progress(b, 0);
			continue;
		}
		MPI_Get_count(&st, MPI_CHAR, &count);
		if (count < 0 || !(p = realloc(buf, (size_t)count + 1))) {
			/* The message cannot be taken: the workers are left
			 * waiting, so the batch ends with MPI_Abort. */
			fprintf(stderr, "synack: out of memory receiving a result of %d bytes\n",
				count);
			b->mpi_stuck = 1;
			rc = -1;
			break;
		}
		buf = p;
		MPI_Recv(buf, count, MPI_CHAR, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		buf[count] = 0;
		if (strncmp(buf, "ready", 5) != 0) {
			char *nl = strchr(buf, '\n');
			long long done = strtoll(buf, NULL, 10);

			if (nl && done >= 0 && (size_t)done < b->nruns &&
			    store(b, (size_t)done, nl + 1, strlen(nl + 1)) < 0)
				rc = -1;
			progress(b, 0);
		}
		if (got_signal && rc == 0)
			rc = got_signal;
		while (rc == 0 && next < b->nruns && b->runs[next].done)
			next++;
		if (rc == 0 && next < b->nruns)
			ri = (long long)next++;
		else
			stopped++;
		MPI_Send(&ri, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
	}
	free(buf);
	return got_signal ? got_signal : rc;
}
#endif

/* ------------------------------------------------------------ command */

static const char batch_usage[] =
	"usage: synack batch SWEEP.cfg [-j N] [-o FILE] [--resume | --force]\n"
	"                    [--config FILE] [--list] [-q]\n";

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "synack: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%sTry 'synack --help'.\n", batch_usage);
	return EXIT_USAGE;
}

static void list_runs(const batch *b)
{
	sy_buf o = { 0 };

	sy_csv_field(&o, "point", 1);
	sy_csv_field(&o, "rep", 0);
	sy_csv_field(&o, "seed", 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(&o, b->pcols[i], 0);
	sy_csv_end(&o);
	for (size_t i = 0; i < b->nruns; i++) {
		const run *r = &b->runs[i];
		char num[32];

		snprintf(num, sizeof num, "%" PRIu64, b->pts[r->pt].index);
		sy_csv_field(&o, num, 1);
		snprintf(num, sizeof num, "%" PRIu64, r->rep);
		sy_csv_field(&o, num, 0);
		snprintf(num, sizeof num, "%" PRIu64, r->seed);
		sy_csv_field(&o, num, 0);
		for (size_t j = 0; j < b->npcols; j++)
			sy_csv_field(&o, b->pts[r->pt].cols[j], 0);
		sy_csv_end(&o);
	}
	fwrite(o.p, 1, o.len, stdout);
	sy_buf_free(&o);
}

static void report(const batch *b)
{
	size_t failed = b->ndone - b->count[ST_OK], shown = 0;

	fprintf(stderr, "synack: %zu runs", b->ndone);
	if (b->nresumed)
		fprintf(stderr, " (%zu from before)", b->nresumed);
	fprintf(stderr, ": %zu ok, %zu failed", b->count[ST_OK], failed);
	/* The failures by kind, in parentheses: " (1 timeout, 2 crash)". */
	for (int s = ST_ERROR, first = 1; s < ST_N; s++)
		if (b->count[s]) {
			fprintf(stderr, "%s%zu %s", first ? " (" : ", ", b->count[s],
				status_names[s]);
			first = 0;
		}
	fprintf(stderr, "%s; results in %s\n", failed ? ")" : "", b->output);
	for (size_t i = 0; i < b->nruns && shown < 10; i++) {
		const run *r = &b->runs[i];
		char where[1024];

		if (!r->done || r->status == ST_OK)
			continue;
		describe_point(b, b->pts[r->pt].over, where, sizeof where);
		fprintf(stderr, "  point %" PRIu64 " rep %" PRIu64 " (%s): %s: %s\n",
			b->pts[r->pt].index, r->rep, where, status_names[r->status], r->msg);
		shown++;
	}
	if (failed > shown)
		fprintf(stderr, "  ... and %zu more (status column of %s)\n", failed - shown,
			b->output);
}

static void batch_free(batch *b)
{
	for (size_t i = 0; i < b->nruns; i++) {
		run *r = &b->runs[i];

		for (size_t j = 0; j < r->nm; j++) {
			free(r->m[j].name);
			free(r->m[j].value);
		}
		free(r->m);
		free(r->msg);
	}
	free(b->runs);
	for (size_t i = 0; i < b->npts; i++) {
		for (size_t j = 0; j < b->npcols; j++)
			free(b->pts[i].cols[j]);
		free(b->pts[i].cols);
		free(b->pts[i].over);
	}
	free(b->pts);
	for (size_t i = 0; i < b->npcols; i++)
		free(b->pcols[i]);
	free(b->pcols);
	for (size_t i = 0; i < b->nmnames; i++)
		free(b->mnames[i]);
	free(b->mnames);
	close_append(b);
	sy_sweep_free(b->sw);
	sy_plugin_unload_all();
}

/* Parses the options; returns -1 to go on, else an exit status. */
static int parse_args(batch *b, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "-j") == 0 || strncmp(a, "-j", 2) == 0 ||
		    strncmp(a, "--jobs", 6) == 0) {
			char *end;

			if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0)
				v = i + 1 < argc ? argv[++i] : "";
			else
				v = a[1] == 'j' ? a + 2 : (a[6] == '=' ? a + 7 : "");
			b->jobs = strtol(v, &end, 10);
			if (!*v || *end || b->jobs < 1 || b->jobs > 4096)
				return usage("-j needs a number of workers from 1 to 4096, got '%s'", v);
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage("%s needs a file name", a);
			b->output = argv[++i];
		} else if (strcmp(a, "--config") == 0 || strncmp(a, "--config=", 9) == 0) {
			b->config = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!b->config || !*b->config)
				return usage("%s needs a file name", "--config");
		} else if (strcmp(a, "--resume") == 0) {
			b->resume = 1;
		} else if (strcmp(a, "--force") == 0) {
			b->force = 1;
		} else if (strcmp(a, "--list") == 0) {
			b->list = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			b->quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option '%s'", a);
		} else if (!b->sweep_path) {
			b->sweep_path = a;
		} else {
			return usage("unexpected argument '%s' (one sweep file)", a);
		}
	}
	if (!b->sweep_path)
		return usage("%s", "batch needs a SWEEP file");
	if (b->resume && b->force)
		return usage("%s", "--resume and --force exclude each other");
	return -1;
}

/* Checks the output before any run: an earlier batch's file is completed
 * (--resume), replaced (--force) or refused; the file is (re)written at
 * once, so an unwritable path fails here.  Something else than a regular
 * file (a device, a FIFO) holds no rows to keep or to resume from: it is
 * written through. */
static int open_output(batch *b)
{
	struct stat st;
	int exists = stat(b->output, &st) == 0;

	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "synack: cannot write %s: it is a directory\n", b->output);
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		if (b->resume) {
			fprintf(stderr, "synack: cannot resume from %s: not a regular file\n",
				b->output);
			return -1;
		}
	} else if (exists && !b->resume && !b->force) {
		fprintf(stderr, "synack: %s exists: --resume completes it, --force starts again\n",
			b->output);
		return -1;
	} else if (exists && b->resume && load_previous(b) < 0) {
		return -1;
	}
	return rewrite(b, 1);
}

/* How to complete the batch with the rows in the output. */
static void resume_hint(const batch *b)
{
	fprintf(stderr, "synack: to complete the batch: synack batch %s --resume%s%s\n",
		b->sweep_path, b->output != b->sw->output ? " -o " : "",
		b->output != b->sw->output ? b->output : "");
}

int sy_batch_main(int argc, char **argv)
{
	batch b = { 0 };
	struct sigaction sa = { 0 };
	sy_err err;
	int rc, sig = 0, bad = 0;

	b.jobs = 0;
	b.last_tenth = -1;
	b.nranks = 1;
	if ((rc = parse_args(&b, argc, argv)) >= 0)
		return rc;
#ifdef SY_MPI
	if (under_mpi()) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
		MPI_Comm_size(MPI_COMM_WORLD, &b.nranks);
		/* Only rank 0 speaks: every rank checks the same files. */
		if (b.rank != 0) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0) {
				dup2(null, 2);
				close(null);
			}
		}
	}
#endif
	if (b.jobs == 0) {
		b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
		if (b.jobs < 1)
			b.jobs = 1;
	}
	if (!(b.sw = sy_sweep_load(b.sweep_path, &err))) {
		fprintf(stderr, "synack: %s\n", err.msg);
		bad = 1;
	}
	if (!bad && !b.output && !(b.output = b.sw->output) && !b.list) {
		fprintf(stderr, "synack: %s: no output file: output = \"results.csv\"; or -o FILE\n",
			b.sweep_path);
		bad = 1;
	}
	if (!bad && prepare(&b) < 0)
		bad = 1;
	if (!bad && b.list) {
		if (b.rank == 0)
			list_runs(&b);
		rc = EXIT_SUCCESS;
		goto done;
	}
	if (!bad && b.rank == 0 && open_output(&b) < 0)
		bad = 1;
#ifdef SY_MPI
	if (b.nranks > 1) {
		int any;

		MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
		if (any && !bad && b.rank == 0)
			fprintf(stderr, "synack: another rank could not read the sweep or the script (same files on every node?)\n");
		bad = any;
	}
#endif
	if (bad) {
		rc = EXIT_FAILURE;
		goto done;
	}

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	b.tty = isatty(2);
	b.t0 = now();
	if (b.rank == 0 && !b.quiet && b.nresumed)
		fprintf(stderr, "synack: resuming: %zu of %zu runs already done\n",
			b.nresumed, b.nruns);
#ifdef SY_MPI
	if (b.nranks > 1)
		sig = b.rank == 0 ? mpi_master(&b) : mpi_worker(&b);
	else
#endif
		sig = run_local(&b);
	if (b.rank != 0) {
		rc = sig ? 128 + sig : EXIT_SUCCESS;
		goto done;
	}
	if (b.drawn || !b.quiet)
		progress(&b, 1);
	/* Whatever happened, the file ends in point order with every row
	 * (or, when that cannot be written, keeps the rows it has). */
	if (rewrite(&b, 0) < 0 && sig == 0)
		sig = -1;
	if (sig > 0) {
		fprintf(stderr, "synack: interrupted by signal %d (%s): %zu of %zu runs are in %s\n",
			sig, strsignal(sig), b.ndone, b.nruns, b.output);
		resume_hint(&b);
		rc = 128 + sig;
#ifdef SY_MPI
		if (b.nranks > 1) {
			fflush(NULL);
			MPI_Abort(MPI_COMM_WORLD, rc);
		}
#endif
	} else if (sig < 0) {
		fprintf(stderr, "synack: the batch stopped: the rows written before the error are in %s\n",
			b.output);
		resume_hint(&b);
		rc = EXIT_FAILURE;
#ifdef SY_MPI
		if (b.mpi_stuck) {
			fflush(NULL);
			MPI_Abort(MPI_COMM_WORLD, rc);
		}
#endif
	} else {
		report(&b);
		rc = b.ndone == b.count[ST_OK] ? EXIT_SUCCESS : EXIT_FAILURE;
	}
done:
	batch_free(&b);
#ifdef SY_MPI
	if (under_mpi())
		MPI_Finalize();
#endif
	return rc;
}
