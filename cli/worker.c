/* synack batch, one run in a child process (the MPI ranks' way; local
 * batches use pool.c's workers): the child is forked from the parent,
 * which has no Lua state left at that time, and writes its result to a
 * pipe as one CSV record.  A child that crashes, hangs past the timeout
 * or exits without a result takes nothing down with it: its row says what
 * happened.  Also the rows of results and failures, which pool.c shares. */
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

int batch_write_all(int fd, const char *p, size_t n)
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

/* In a new child: its own process group (killed as one), gone with the
 * parent, default signals, and its own output going nowhere (a run's row
 * is its result). */
void batch_child_setup(pid_t parent)
{
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
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

static void child(const batch *b, const run *r, int fd, pid_t parent)
{
	sy_buf rec = { 0 };

	batch_child_setup(parent);
	batch_execute(b, r, &rec);
	batch_write_all(fd, rec.p ? rec.p : "", rec.len);
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

/* The row of a run from what its child wrote (len bytes at p: a CSV
 * record of status, message, then metric names and values) and its wall
 * time: status, message, wall time, metrics.  Returns 0, or -1 when the
 * record is garbled (res is then empty). */
int batch_result_ok(sy_buf *res, const char *p, size_t len, double wall)
{
	sy_csv_rec rec = { 0 };
	size_t pos = 0, line = 1;
	char w[32];
	int term, rc = -1;

	res->len = 0;
	snprintf(w, sizeof w, "%.3f", wall);
	if (len && sy_csv_next(p, len, &pos, &line, &rec, &term, NULL) == 1 &&
	    term && pos == len && rec.n >= 2 && rec.n % 2 == 0) {
		sy_csv_field(res, rec.f[0], 1);
		sy_csv_field(res, rec.f[1], 0);
		sy_csv_field(res, w, 0);
		for (size_t i = 2; i < rec.n; i++)
			sy_csv_field(res, rec.f[i], 0);
		sy_csv_end(res);
		rc = 0;
	}
	sy_csv_rec_free(&rec);
	return rc;
}

/* The row of a run that gave no result: its process ended with wait
 * status ws (timed_out: killed at the timeout). */
void batch_result_failed(const batch *b, sy_buf *res, int ws, int timed_out,
			 const char *why, double wall)
{
	int status = ST_CRASH;
	char msg[256], w[32];

	if (why) {
		snprintf(msg, sizeof msg, "%s", why);
	} else if (timed_out) {
		status = ST_TIMEOUT;
		snprintf(msg, sizeof msg, "no result after %g s", b->sw->timeout);
	} else if (WIFSIGNALED(ws)) {
		snprintf(msg, sizeof msg, "killed by signal %d (%s)", WTERMSIG(ws),
			 strsignal(WTERMSIG(ws)));
	} else {
		snprintf(msg, sizeof msg, "exited with status %d without a result",
			 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	}
	snprintf(w, sizeof w, "%.3f", wall);
	res->len = 0;
	sy_csv_field(res, status_names[status], 1);
	sy_csv_field(res, msg, 0);
	sy_csv_field(res, w, 0);
	sy_csv_end(res);
}

/* The result of a finished (or killed) child, as a record:
 * status, message, wall time, then metric names and values. */
void slot_finish(const batch *b, slot *s, sy_buf *res)
{
	int ws = 0;
	double wall;

	close(s->fd);
	while (waitpid(s->pid, &ws, 0) < 0 && errno == EINTR)
		;
	wall = now() - s->start;
	if (s->timed_out || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || !s->buf.len)
		batch_result_failed(b, res, ws, s->timed_out, NULL, wall);
	else if (batch_result_ok(res, s->buf.p, s->buf.len, wall) < 0)
		batch_result_failed(b, res, ws, 0, "the run's result is garbled", wall);
	s->pid = 0;
}
