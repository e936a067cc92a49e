/* Helpers shared by the libFuzzer targets (./configure --enable-fuzzing;
 * tests/fuzz/run.sh runs them).
 *
 * A target must not leak, must free everything it made before it
 * returns, and must take well under 10 ms per input.  Inputs that the
 * code under test refuses are fine (it prints its message and the target
 * goes on); a crash, a sanitizer report, a violated invariant, a leak or
 * a hang is a finding. */
#ifndef SY_FUZZ_H
#define SY_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Stops the run with a finding the sanitizers cannot see (an invariant
 * of the harness's own): the message, then abort() so that libFuzzer
 * saves the input. */
#define FUZZ_FAIL(...)                                                 \
	do {                                                           \
		fprintf(stderr, "fuzz finding: " __VA_ARGS__);         \
		fputc('\n', stderr);                                   \
		abort();                                               \
	} while (0)

/* A private directory for the files a target hands to code that reads
 * files (sweeps, configs, CSV, case files), removed at exit. */
static char fuzz_dir[256];
static char fuzz_files[4][300];
static int fuzz_nfiles;

static inline void fuzz_cleanup(void)
{
	for (int i = 0; i < fuzz_nfiles; i++)
		unlink(fuzz_files[i]);
	if (fuzz_dir[0])
		rmdir(fuzz_dir);
}

/* The path of file `name` in the private directory (made on first use). */
static inline const char *fuzz_path(const char *name)
{
	if (!fuzz_dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_dir, sizeof fuzz_dir, "%s/synack-fuzz-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror("fuzz: mkdtemp");
			exit(1);
		}
		atexit(fuzz_cleanup);
	}
	for (int i = 0; i < fuzz_nfiles; i++) {
		const char *base = strrchr(fuzz_files[i], '/') + 1;

		if (strcmp(base, name) == 0)
			return fuzz_files[i];
	}
	if (fuzz_nfiles == 4) {
		fprintf(stderr, "fuzz: too many files\n");
		exit(1);
	}
	snprintf(fuzz_files[fuzz_nfiles], sizeof fuzz_files[0], "%s/%s",
		 fuzz_dir, name);
	return fuzz_files[fuzz_nfiles++];
}

/* Writes the input to file `name` of the private directory; returns its
 * path.  The harness's own I/O failing is not a finding: it exits. */
static inline const char *fuzz_write(const char *name, const uint8_t *data,
				     size_t size)
{
	const char *path = fuzz_path(name);
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return path;
}

static inline void fuzz_plugin_ok(const sy_plugin *p, const char *path, void *ctx)
{
}

static inline void fuzz_plugin_bad(const char *path, const char *why, void *ctx)
{
	fprintf(stderr, "fuzz: plugin %s: %s\n", path, why);
	exit(1);
}

/* Loads every plugin of the build tree before fuzzing starts, so that
 * none is loaded (and its coverage counters registered) in the middle
 * of a run, and none is ever unloaded: libFuzzer keeps reading the
 * counters of every module it saw. */
static inline void fuzz_load_plugins(void)
{
	sy_err err;

	if (!sy_running_in_tree()) {
		fprintf(stderr, "fuzz: run the targets from their build tree (the plugins are found there)\n");
		exit(1);
	}
	if (sy_plugin_each(NULL, fuzz_plugin_ok, fuzz_plugin_bad, NULL, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		exit(1);
	}
}

/* A loaded plugin, or exit. */
static inline const sy_plugin *fuzz_plugin(const char *kind, const char *name)
{
	sy_err err;
	const sy_plugin *p = sy_plugin_load(kind, name, &err);

	if (!p) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		exit(1);
	}
	return p;
}

#endif
