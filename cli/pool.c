/* synack batch, local workers: `jobs` long-lived child processes, each
 * forked from the parent (which has no Lua state left at that time) and
 * running one run after another, each in a fresh Lua state with its own
 * seed (experiment.c).  A worker gets run indices on one pipe, a line
 * each, at most DEPTH ahead of what it has finished (so that it never
 * waits for the next), and sends each result on another as a frame: a
 * header line "INDEX LENGTH WALL" and LENGTH bytes of CSV record.  (Each
 * worker gets one run before any gets a second, and a second only while
 * more runs wait than there are workers.)  Starting
 * a process and loading its plugins is paid once per worker instead of
 * once per run, which is most of a 1 ms run's cost.
 *
 * A run stays confined to its row: when a worker crashes or exits, the
 * run it was in gets a row saying how, and the runs it had been given
 * beyond it go back to be run by a new worker; a run past the timeout
 * has its worker killed, likewise. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch_priv.h"
#include "csv.h"

#define DEPTH 2 /* runs a worker holds: the one running and the next */

typedef struct worker {
	pid_t pid;       /* 0: none */
	int res;         /* results, from the worker */
	int cmd;         /* run indices, to the worker */
	size_t q[DEPTH]; /* the runs it holds, in order: q[0] runs */
	int nq;
	double start;    /* when q[0] started (as far as the parent knows) */
	int timed_out;
	sy_buf buf;      /* bytes of results not yet taken */
} worker;

typedef struct pool {
	batch *b;
	worker *ws;
	size_t n;
	size_t next;    /* runs before it were given out or done */
	size_t *back;   /* runs given back by workers that ended */
	size_t nback;
	sy_buf res;
	struct pollfd *pfd;
	int rc;
} pool;

/* ------------------------------------------------------------ the worker */

/* Reads run indices from fd, a line each, runs them and writes their
 * frames to out, until the pipe closes. */
static void work(const batch *b, int fd, int out)
{
	sy_buf rec = { 0 }, hdr = { 0 };
	char in[256];
	size_t have = 0;

	for (;;) {
		char *nl = memchr(in, '\n', have);
		ssize_t got;

		if (nl) {
			size_t line = (size_t)(nl - in) + 1;
			char *end;
			unsigned long long ri = strtoull(in, &end, 10);
			double t0;

			if (end != nl || ri >= b->nruns)
				_exit(3); /* the parent's bug: it sees an exit */
			memmove(in, in + line, have - line);
			have -= line;
			t0 = now();
			rec.len = 0;
			batch_execute(b, &b->runs[ri], &rec);
			hdr.len = 0;
			sy_buf_printf(&hdr, "%llu %zu %.6f\n", ri, rec.len, now() - t0);
			if (batch_write_all(out, hdr.p, hdr.len) < 0 ||
			    batch_write_all(out, rec.p ? rec.p : "", rec.len) < 0)
				_exit(4);
			continue;
		}
		if (have == sizeof in)
			_exit(3);
		got = read(fd, in + have, sizeof in - have);
		if (got > 0)
			have += (size_t)got;
		else if (got == 0)
			_exit(0);
		else if (errno != EINTR)
			_exit(4);
	}
}

/* In a new worker: the parent's bookkeeping is not the worker's.  The
 * other workers' pipes are closed (a copy kept open here would hide a
 * worker's end from the parent) and the memory freed (a run that ends the
 * process, os.exit, would otherwise leave it to the leak checker). */
static void drop_parent(pool *p, worker *w)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->ws[i].pid && &p->ws[i] != w) {
			close(p->ws[i].res);
			if (p->ws[i].cmd >= 0)
				close(p->ws[i].cmd);
		}
		sy_buf_free(&p->ws[i].buf);
	}
	free(p->ws);
	free(p->back);
	free(p->pfd);
	sy_buf_free(&p->res);
}

/* Starts worker w of pool p.  Returns 0 or -1 with a message. */
static int worker_start(pool *p, worker *w)
{
	const batch *b = p->b;
	int res[2], cmd[2];
	pid_t parent = getpid();

	if (pipe(res) < 0) {
		fprintf(stderr, "synack: pipe: %s\n", strerror(errno));
		return -1;
	}
	if (pipe(cmd) < 0) {
		fprintf(stderr, "synack: pipe: %s\n", strerror(errno));
		close(res[0]);
		close(res[1]);
		return -1;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		fprintf(stderr, "synack: fork: %s\n", strerror(errno));
		close(res[0]);
		close(res[1]);
		close(cmd[0]);
		close(cmd[1]);
		w->pid = 0;
		return -1;
	}
	if (w->pid == 0) {
		drop_parent(p, w);
		close(res[0]);
		close(cmd[1]);
		batch_child_setup(parent);
		work(b, cmd[0], res[1]);
		_exit(0);
	}
	setpgid(w->pid, w->pid);
	close(res[1]);
	close(cmd[0]);
	w->res = res[0];
	w->cmd = cmd[1];
	w->nq = 0;
	w->timed_out = 0;
	w->buf.len = 0;
	return 0;
}

static void worker_kill(worker *w)
{
	kill(-w->pid, SIGKILL);
	kill(w->pid, SIGKILL);
}

/* ------------------------------------------------------------ the parent */


/* Whether a run waits to be given out. */
static int has_work(pool *p)
{
	while (p->next < p->b->nruns && p->b->runs[p->next].done)
		p->next++;
	return p->nback || p->next < p->b->nruns;
}

/* The next run to give out, or (size_t)-1. */
static size_t take(pool *p)
{
	if (p->nback)
		return p->back[--p->nback];
	while (p->next < p->b->nruns && p->b->runs[p->next].done)
		p->next++;
	return p->next < p->b->nruns ? p->next++ : (size_t)-1;
}

static void store(pool *p, size_t ri)
{
	if (batch_store(p->b, ri, p->res.p, p->res.len) < 0)
		p->rc = -1;
	batch_progress(p->b, 0);
}

/* Gives w runs until it holds depth.  A write that fails means the worker
 * is gone: its end is seen on its result pipe. */
static void top_up(pool *p, worker *w, int depth)
{
	while (w->nq < depth && w->cmd >= 0 && !got_signal && p->rc == 0) {
		size_t ri = take(p);
		char line[32];
		int len;

		if (ri == (size_t)-1)
			return;
		len = snprintf(line, sizeof line, "%zu\n", ri);
		if (batch_write_all(w->cmd, line, (size_t)len) < 0) {
			p->back[p->nback++] = ri;
			return;
		}
		if (w->nq == 0)
			w->start = now();
		w->q[w->nq++] = ri;
	}
}

/* Takes the complete frames in w's buffer.  Returns 0, or -1 when the
 * worker sent what it should not (it is then killed). */
static int take_frames(pool *p, worker *w)
{
	size_t off = 0;
	int rc = 0;

	for (;;) {
		char *nl = memchr(w->buf.p + off, '\n', w->buf.len - off);
		unsigned long long ri;
		size_t len;
		double wall;
		int used;

		if (!nl)
			break;
		*nl = 0;
		if (sscanf(w->buf.p + off, "%llu %zu %lf%n", &ri, &len, &wall, &used) != 3 ||
		    w->buf.p + off + used != nl || w->nq == 0 || ri != w->q[0]) {
			rc = -1;
			break;
		}
		if (w->buf.len - (size_t)(nl + 1 - w->buf.p) < len) {
			*nl = '\n';  /* the record is not all here yet */
			break;
		}
		if (batch_result_ok(&p->res, nl + 1, len, wall) < 0)
			batch_result_failed(p->b, &p->res, 0, 0, "the run's result is garbled", wall);
		off = (size_t)(nl + 1 - w->buf.p) + len;
		memmove(w->q, w->q + 1, (size_t)(--w->nq) * sizeof *w->q);
		w->start = now();
		store(p, (size_t)ri);
	}
	memmove(w->buf.p, w->buf.p + off, w->buf.len - off);
	w->buf.len -= off;
	if (rc < 0)
		worker_kill(w);
	return rc;
}

/* w has ended (its result pipe closed): the run it was in gets a row
 * saying how (unless interrupted), the others go back. */
static void worker_ended(pool *p, worker *w, int garbled)
{
	int st = 0;

	close(w->res);
	if (w->cmd >= 0)
		close(w->cmd);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	if (w->nq > 0 && !got_signal) {
		batch_result_failed(p->b, &p->res, st, w->timed_out,
				    garbled ? "the run's result is garbled" : NULL, now() - w->start);
		store(p, w->q[0]);
		for (int i = 1; i < w->nq; i++)
			p->back[p->nback++] = w->q[i];
	}
	w->nq = 0;
	w->buf.len = 0;
}

/* Runs every run not done on `jobs` workers.  Returns 0, -1 on an error
 * of the batch itself, or the signal that interrupted it. */
int batch_run_local(batch *b)
{
	pool p = { .b = b, .n = (size_t)b->jobs };
	struct sigaction ign = { 0 }, old;
	struct pollfd *pfd;
	int garbled;

	/* a worker gone while given a run: the write fails, and its end
	 * shows on its result pipe */
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	p.ws = xcalloc(p.n, sizeof *p.ws);
	p.back = xcalloc(p.n * DEPTH, sizeof *p.back);
	pfd = p.pfd = xcalloc(p.n, sizeof *pfd);
	for (;;) {
		int timeout = 200, k = 0, busy = 0;
		double t;

		for (size_t i = 0; i < p.n && !got_signal && p.rc == 0; i++) {
			worker *w = &p.ws[i];

			if (!w->pid && has_work(&p)) {
				if (worker_start(&p, w) < 0) {
					p.rc = -1;
					break;
				}
			}
			if (w->pid)
				top_up(&p, w, 1);
		}
		/* a second run each while there are more than enough for
		 * all: near the end a run waiting behind another could have
		 * run at once on an idle worker */
		for (size_t i = 0; i < p.n && has_work(&p) &&
				   p.nback + (b->nruns - p.next) > p.n; i++)
			if (p.ws[i].pid)
				top_up(&p, &p.ws[i], DEPTH);
		for (size_t i = 0; i < p.n; i++) {
			worker *w = &p.ws[i];

			if (!w->pid)
				continue;
			if (got_signal || p.rc < 0) {
				worker_kill(w);
			} else if (w->nq == 0) {
				/* nothing left for it: closing its pipe ends it */
				close(w->cmd);
				w->cmd = -1;
			} else {
				busy++;
			}
		}
		if (got_signal || p.rc < 0 || !busy) {
			for (size_t i = 0; i < p.n; i++)
				if (p.ws[i].pid) {
					p.ws[i].nq = 0;
					worker_ended(&p, &p.ws[i], 0);
				}
			break;
		}
		t = now();
		for (size_t i = 0; i < p.n; i++) {
			worker *w = &p.ws[i];

			if (!w->pid)
				continue;
			if (b->sw->timeout > 0 && !w->timed_out && w->nq > 0) {
				double left = w->start + b->sw->timeout - t;
				int ms = left <= 0 ? 0 : (int)ceil(left * 1000);

				if (ms < timeout)
					timeout = ms;
			}
			pfd[k].fd = w->res;
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
			k++;
		}
		if (poll(pfd, (nfds_t)k, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "synack: poll: %s\n", strerror(errno));
			p.rc = -1;
			continue;
		}
		t = now();
		for (size_t i = 0, j = 0; i < p.n; i++) {
			worker *w = &p.ws[i];

			if (!w->pid)
				continue;
			if (pfd[j++].revents) {
				char chunk[65536];
				ssize_t got = read(w->res, chunk, sizeof chunk);

				if (got > 0) {
					if (sy_buf_add(&w->buf, chunk, (size_t)got) < 0) {
						fprintf(stderr, "synack: out of memory\n");
						p.rc = -1;
						continue;
					}
					garbled = take_frames(&p, w) < 0;
					if (garbled) {
						worker_ended(&p, w, 1);
						continue;
					}
				} else if (got == 0 || errno != EINTR) {
					worker_ended(&p, w, 0);
					continue;
				}
			}
			if (b->sw->timeout > 0 && !w->timed_out && w->nq > 0 &&
			    t >= w->start + b->sw->timeout) {
				w->timed_out = 1;
				worker_kill(w);
			}
		}
		batch_progress(b, 0);
	}
	for (size_t i = 0; i < p.n; i++)
		sy_buf_free(&p.ws[i].buf);
	free(p.ws);
	free(p.back);
	free(pfd);
	sy_buf_free(&p.res);
	sigaction(SIGPIPE, &old, NULL);
	return p.rc < 0 ? -1 : got_signal;
}
