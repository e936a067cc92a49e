/* synack batch, local workers: `jobs` long-lived child processes, each
 * forked from the parent (which has no Lua state left at that time) and
 * running one run after another, each in a fresh Lua state with its own
 * seed (experiment.c).  A worker gets run indices on one pipe, a line
 * each, written together, and sends each result on another as it ends, as
 * one frame: a header line "INDEX LENGTH WALL END" (END: the monotonic
 * clock when it ended, when the next run starts) and LENGTH bytes of CSV
 * record.  Starting a process and loading its plugins is paid once per
 * worker instead of once per run, which is most of a 1 ms run's cost.
 *
 * The parent keeps each worker ahead: while many runs wait, a worker holds
 * up to about 2 * TAKE_S of work (from the mean wall time of the runs so
 * far, QMAX runs at most), and the parent, instead of waking for every
 * result, sleeps until half of that is done (TAKE_S at most) and then
 * takes every result that came, writing their rows with one flush.  So
 * with runs of 1 ms it wakes a few dozen times a second rather than
 * thousands, and a row reaches the file at most about TAKE_S after its run
 * ended.  A worker that ends (its pipe closes) wakes it at once, as does a
 * timeout.  Near the end, a worker gets more than one run only while more
 * wait than there are workers, fewer the fewer are left, so that no run
 * waits behind another while a worker is idle.
 *
 * A run stays confined to its row: when a worker crashes or exits, the
 * run it was in gets a row saying how (the results it sent before are
 * taken first), and the runs it had been given beyond it go back to be
 * run by a new worker; a run past the timeout has its worker killed,
 * likewise. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#define QMAX 128    /* runs a worker holds at most: the one running and those next */
#define TAKE_S 0.05 /* the longest the parent leaves results in the pipes */

typedef struct queued {
	size_t run;
	double sent; /* when the parent wrote it */
	int mark;    /* the worker wakes the parent when it ends */
} queued;

typedef struct worker {
	pid_t pid;       /* 0: none */
	int res;         /* results, from the worker (non-blocking) */
	int cmd;         /* run indices, to the worker */
	queued *q;       /* the runs it holds, in order: q[0] runs (QMAX) */
	int nq;
	double start;    /* when q[0] started (as far as the parent knows) */
	int timed_out;
	size_t nrun;     /* results taken */
	sy_buf buf;      /* bytes of results not yet taken */
} worker;

typedef struct pool {
	batch *b;
	worker *ws;
	queued *qs;     /* the workers' queues, QMAX each */
	size_t n;
	size_t next;    /* runs before it were given out or done */
	size_t *back;   /* runs given back by workers that ended */
	size_t nback;
	double mean;    /* the mean wall time of a run so far (0: none yet) */
	int stored;     /* rows written since the last flush */
	sy_buf res, line;
	int wake[2];    /* a byte from a worker: a marked run ended */
	struct pollfd *pfd;
	int rc;
} pool;

/* ------------------------------------------------------------ the worker */

/* Reads run indices from fd, a line each ("INDEX", or "INDEX w": a
 * marked run), runs them and writes their frames to out, one write each,
 * until the pipe closes.  After a marked run's frame, a byte to `wake`
 * wakes the parent (which does not wake for every frame). */
static void work(const batch *b, int fd, int out, int wake)
{
	sy_buf rec = { 0 }, frame = { 0 };
	char in[256];
	size_t have = 0;

	for (;;) {
		char *nl = memchr(in, '\n', have);
		ssize_t got;

		if (nl) {
			size_t line = (size_t)(nl - in) + 1;
			char *end;
			unsigned long long ri = strtoull(in, &end, 10);
			int mark = end + 2 == nl && end[0] == ' ' && end[1] == 'w';
			double t0, t1;

			if ((end != nl && !mark) || ri >= b->nruns)
				_exit(3); /* the parent's bug: it sees an exit */
			memmove(in, in + line, have - line);
			have -= line;
			t0 = now();
			rec.len = 0;
			batch_execute(b, &b->runs[ri], &rec);
			t1 = now();
			frame.len = 0;
			if (sy_buf_printf(&frame, "%llu %zu %.6f %.6f\n", ri, rec.len,
					  t1 - t0, t1) < 0 ||
			    sy_buf_add(&frame, rec.p ? rec.p : "", rec.len) < 0)
				_exit(4);
			if (batch_write_all(out, frame.p, frame.len) < 0)
				_exit(4);
			/* (full: the parent has yet to take earlier bytes, and
			 * will wake anyway) */
			while (mark && write(wake, "w", 1) < 0 && errno == EINTR)
				;
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
	free(p->qs);
	free(p->back);
	free(p->pfd);
	sy_buf_free(&p->res);
	sy_buf_free(&p->line);
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
		int wake = p->wake[1];

		close(p->wake[0]);
		drop_parent(p, w);
		close(res[0]);
		close(cmd[1]);
		batch_child_setup(parent);
		work(b, cmd[0], res[1], wake);
		_exit(0);
	}
	setpgid(w->pid, w->pid);
	close(res[1]);
	close(cmd[0]);
	/* taken when the parent wakes: as much as has come */
	fcntl(res[0], F_SETFL, fcntl(res[0], F_GETFL) | O_NONBLOCK);
	w->res = res[0];
	w->cmd = cmd[1];
	w->nq = 0;
	w->nrun = 0;
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

/* Runs waiting to be given out (some may be done already: a resumed
 * batch's, skipped by take). */
static size_t waiting(pool *p)
{
	while (p->next < p->b->nruns && p->b->runs[p->next].done)
		p->next++;
	return p->nback + (p->b->nruns - p->next);
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
	if (batch_store(p->b, ri, p->res.p, p->res.len, 0) < 0)
		p->rc = -1;
	p->stored = 1;
}

/* The runs a worker should hold while many wait: enough for about
 * TAKE_S, at least 2 (the one running and the next). */
static int depth(const pool *p)
{
	double d = p->mean > 0 ? 1 + ceil(TAKE_S / p->mean) : 2;

	return d > QMAX ? QMAX : d < 2 ? 2 : (int)d;
}

/* Gives w runs until it holds `want`, in one write.  The last one and
 * the one half-way are marked: the worker wakes the parent as each ends,
 * in time to give it more before it runs out.  A write that fails means
 * the worker is gone: its end is seen on its result pipe. */
static void top_up(pool *p, worker *w, int want)
{
	int n0 = w->nq, half;
	double t;

	if (want > QMAX)
		want = QMAX;
	while (w->nq < want && w->cmd >= 0 && !got_signal && p->rc == 0) {
		size_t ri = take(p);

		if (ri == (size_t)-1)
			break;
		w->q[w->nq].run = ri;
		w->q[w->nq++].mark = 0;
	}
	if (w->nq == n0)
		return;
	half = (w->nq - 1) / 2;
	w->q[half > n0 ? half : n0].mark = 1;
	w->q[w->nq - 1].mark = 1;
	p->line.len = 0;
	for (int i = n0; i < w->nq; i++)
		if (sy_buf_printf(&p->line, "%zu%s\n", w->q[i].run,
				  w->q[i].mark ? " w" : "") < 0) {
			fprintf(stderr, "synack: out of memory\n");
			p->rc = -1;
			break;
		}
	if (p->rc < 0) {
		while (w->nq > n0)
			p->back[p->nback++] = w->q[--w->nq].run;
		return;
	}
	if (batch_write_all(w->cmd, p->line.p, p->line.len) < 0) {
		while (w->nq > n0)
			p->back[p->nback++] = w->q[--w->nq].run;
		return;
	}
	t = now();
	for (int i = n0; i < w->nq; i++)
		w->q[i].sent = t;
	if (n0 == 0)
		w->start = t;
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
		double wall, end;
		int used;

		if (!nl)
			break;
		*nl = 0;
		if (sscanf(w->buf.p + off, "%llu %zu %lf %lf%n", &ri, &len, &wall, &end,
			   &used) != 4 ||
		    w->buf.p + off + used != nl || w->nq == 0 || ri != w->q[0].run) {
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
		/* The next run started as this one ended, or when it came. */
		if (w->nq > 0)
			w->start = end > w->q[0].sent ? end : w->q[0].sent;
		/* (not a worker's first run, which loads its plugins) */
		if (w->nrun++ > 0)
			p->mean = p->mean > 0 ? 0.75 * p->mean + 0.25 * wall : wall;
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
		store(p, w->q[0].run);
		for (int i = 1; i < w->nq; i++)
			p->back[p->nback++] = w->q[i].run;
	}
	w->nq = 0;
	w->buf.len = 0;
}

/* Takes what w sent since the last time: every frame that came, then its
 * end if it has ended. */
static void drain(pool *p, worker *w)
{
	for (;;) {
		char chunk[65536];
		ssize_t got = read(w->res, chunk, sizeof chunk);

		if (got > 0) {
			if (sy_buf_add(&w->buf, chunk, (size_t)got) < 0) {
				fprintf(stderr, "synack: out of memory\n");
				p->rc = -1;
				return;
			}
			if (take_frames(p, w) < 0) {
				worker_ended(p, w, 1);
				return;
			}
		} else if (got == 0 || (errno != EINTR && errno != EAGAIN &&
					errno != EWOULDBLOCK)) {
			worker_ended(p, w, 0);
			return;
		} else if (errno != EINTR) {
			return;
		}
	}
}

/* Runs every run not done on `jobs` workers.  Returns 0, -1 on an error
 * of the batch itself, or the signal that interrupted it. */
int batch_run_local(batch *b)
{
	pool p = { .b = b, .n = (size_t)b->jobs };
	struct sigaction ign = { 0 }, old;
	struct pollfd *pfd;

	/* a worker gone while given a run: the write fails, and its end
	 * shows on its result pipe */
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	p.ws = xcalloc(p.n, sizeof *p.ws);
	p.qs = xcalloc(p.n * QMAX, sizeof *p.qs);
	for (size_t i = 0; i < p.n; i++)
		p.ws[i].q = p.qs + i * QMAX;
	/* every run at most once given back at a time */
	p.back = xcalloc(b->nruns, sizeof *p.back);
	pfd = p.pfd = xcalloc(p.n + 1, sizeof *pfd);
	if (pipe(p.wake) < 0) {
		fprintf(stderr, "synack: pipe: %s\n", strerror(errno));
		p.rc = -1;
		p.wake[0] = p.wake[1] = -1;
	} else {
		for (int i = 0; i < 2; i++)
			fcntl(p.wake[i], F_SETFL, fcntl(p.wake[i], F_GETFL) | O_NONBLOCK);
	}
	for (;;) {
		int timeout = (int)(TAKE_S * 1000), k = 0, busy = 0;
		double t;

		for (size_t i = 0; i < p.n && !got_signal && p.rc == 0; i++) {
			worker *w = &p.ws[i];

			if (!w->pid && waiting(&p)) {
				if (worker_start(&p, w) < 0) {
					p.rc = -1;
					break;
				}
			}
			if (w->pid)
				top_up(&p, w, 1);
		}
		/* more each while there are more than enough for all, fewer
		 * the fewer are left: near the end a run waiting behind
		 * another could have run at once on an idle worker */
		for (size_t i = 0; i < p.n && !got_signal && p.rc == 0; i++) {
			size_t left = waiting(&p);

			if (left <= p.n)
				break;
			if (p.ws[i].pid) {
				size_t want = 1 + left / p.n;

				top_up(&p, &p.ws[i], want < (size_t)depth(&p) ? (int)want : depth(&p));
			}
		}
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
		/* The parent sleeps until a worker ends a marked run or ends
		 * (POLLHUP comes whatever the events), a run may have timed
		 * out, or TAKE_S has passed: the results that came meanwhile
		 * wait in the pipes. */
		pfd[k].fd = p.wake[0];
		pfd[k].events = POLLIN;
		pfd[k++].revents = 0;
		t = now();
		for (size_t i = 0; i < p.n; i++) {
			worker *w = &p.ws[i];

			if (!w->pid)
				continue;
			pfd[k].fd = w->res;
			pfd[k].events = 0;
			pfd[k++].revents = 0;
			if (b->sw->timeout > 0 && !w->timed_out && w->nq > 0) {
				double left = w->start + b->sw->timeout - t;
				int ms = left <= 0 ? 0 : (int)ceil(left * 1000);

				if (ms < timeout)
					timeout = ms;
			}
		}
		if (poll(pfd, (nfds_t)k, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "synack: poll: %s\n", strerror(errno));
			p.rc = -1;
			continue;
		}
		if (pfd[0].revents) {
			char bytes[256];

			while (read(p.wake[0], bytes, sizeof bytes) == (ssize_t)sizeof bytes)
				;
		}
		for (size_t i = 0; i < p.n && p.rc == 0; i++)
			if (p.ws[i].pid)
				drain(&p, &p.ws[i]);
		if (p.stored) {
			if (batch_flush(b) < 0)
				p.rc = -1;
			p.stored = 0;
		}
		t = now();
		for (size_t i = 0; i < p.n; i++) {
			worker *w = &p.ws[i];

			if (w->pid && b->sw->timeout > 0 && !w->timed_out && w->nq > 0 &&
			    t >= w->start + b->sw->timeout) {
				w->timed_out = 1;
				worker_kill(w);
			}
		}
		batch_progress(b, 0);
	}
	if (p.stored && batch_flush(b) < 0)
		p.rc = -1;
	for (size_t i = 0; i < p.n; i++)
		sy_buf_free(&p.ws[i].buf);
	free(p.ws);
	free(p.qs);
	free(p.back);
	free(pfd);
	sy_buf_free(&p.res);
	sy_buf_free(&p.line);
	if (p.wake[0] >= 0) {
		close(p.wake[0]);
		close(p.wake[1]);
	}
	sigaction(SIGPIPE, &old, NULL);
	return p.rc < 0 ? -1 : got_signal;
}
