/* synack batch, worker processes: each run is a child forked from the
 * parent, which has no Lua state left at that time, and writes its result
 * to a pipe as one CSV record.  A child that crashes, hangs past the
 * timeout or exits without a result takes nothing down with it: its row
 * says what happened. */
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
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "batch_priv.h"
#include "csv.h"

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
	batch_execute(b, r, &rec);
	write_all(fd, rec.p ? rec.p : "", rec.len);
	_exit(0);
}

int slot_start(const batch *b, slot *s, size_t ri)
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

void slot_kill(slot *s)
{
	kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
}

/* The result of a finished (or killed) child, as a record:
 * status, message, wall time, then metric names and values. */
void slot_finish(const batch *b, slot *s, sy_buf *res)
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

/* ------------------------------------------------------------ local */

/* Runs every run not done on `jobs` children.  Returns 0, -1 on an error
 * of the batch itself, or the signal that interrupted it. */
int batch_run_local(batch *b)
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
					if (batch_store(b, ri, res.p, res.len) < 0)
						rc = -1;
					batch_progress(b, 0);
					continue;
				}
			}
			if (b->sw->timeout > 0 && !s->timed_out &&
			    t >= s->start + b->sw->timeout) {
				s->timed_out = 1;
				slot_kill(s);
			}
		}
		batch_progress(b, 0);
	}
	for (size_t i = 0; i < nslots; i++)
		sy_buf_free(&slots[i].buf);
	free(slots);
	free(pfd);
	sy_buf_free(&res);
	return rc < 0 ? -1 : got_signal;
}
