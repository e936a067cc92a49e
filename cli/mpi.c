/* synack batch under mpirun (built --with-mpi only): rank 0 hands out the
 * runs and writes the rows, every other rank runs them in a child as a
 * local batch does. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mpi.h>

#include "batch_priv.h"

enum { TAG_RESULT = 1, TAG_WORK = 2 };

/* True when started by mpirun (or srun with PMI). */
int batch_under_mpi(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") ||
	       getenv("PMIX_RANK");
}

/* A worker rank: asks rank 0 for a run, runs it in a child, sends the
 * result (prefixed with the run's index) and asks again, until told to
 * stop (index -1). */
int batch_mpi_worker(batch *b)
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
int batch_mpi_master(batch *b)
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
			batch_progress(b, 0);
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
			    batch_store(b, (size_t)done, nl + 1, strlen(nl + 1), 1) < 0)
				rc = -1;
			batch_progress(b, 0);
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
