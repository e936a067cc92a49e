/* Sweep files (libconfig) for `synack batch`: the script, the parameter
 * grid, replications, seeds, the output file, a per-run timeout and an
 * optional filter.
 *
 *   script = "handshake.lua";        # relative to the sweep file
 *   output = "results.csv";          # relative to the sweep file
 *   replications = 10;               # runs per point (default 1)
 *   seed = 1;                        # base seed (default 1)
 *   timeout = 30.0;                  # seconds per run (default: none)
 *   filter = "loss > 0 or timers == 'linux'";   # Lua, over the parameters
 *   grid: {                          # axes, the first varying slowest
 *     loss = [0.0, 0.1, 0.2];                    # a list
 *     delay = { from = 0.01; to = 0.05; step = 0.02; };   # a range
 *     verbose = false;                           # one value
 *     profile: { timers = ["linux", "rfc"];      # zipped lists: one axis,
 *                syn_retries = [6, 5]; };        #   varied together
 *   };
 *
 * Every value is kept as text, as it would be written on the command line
 * (`synack run SCRIPT key=value`), and converted by the experiment contract
 * to the type of the script's default. */
#ifndef SY_SWEEP_H
#define SY_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* One axis of the grid: `nnames` parameters taking `nvalues` tuples of
 * values together (one name except for zipped lists). */
typedef struct sy_axis {
	size_t nnames, nvalues;
	char **names;
	char **values; /* nvalues rows of nnames values */
	int line;
} sy_axis;

typedef struct sy_sweep {
	char *file;	 /* the sweep file as named */
	char *script;	 /* resolved against the sweep file's directory */
	char *output;	 /* idem; NULL when not set */
	char *filter;	 /* Lua expression, or NULL */
	int filter_line;
	uint64_t seed;
	uint64_t replications;
	double timeout;	 /* seconds; 0: none */
	sy_axis *axes;
	size_t naxes;
	/* every parameter of the grid, in axis order, with its line */
	char **names;
	int *lines;
	size_t nnames;
	uint64_t npoints; /* the product of the axes' lengths */
} sy_sweep;

/* Reads and checks a sweep file.  Errors name the file and line. */
sy_sweep *sy_sweep_load(const char *path, sy_err *err);
void sy_sweep_free(sy_sweep *sw);

/* The values of point p (0 <= p < npoints), in the order of sw->names. */
void sy_sweep_point(const sy_sweep *sw, uint64_t p, const char **values);

/* The seed of replication `rep` of point `point`: a hash of the three
 * (SplitMix64 steps), kept below 2^63 so that it is a valid Lua integer
 * and `synack run --seed` reproduces the run. */
uint64_t sy_sweep_seed(uint64_t base, uint64_t point, uint64_t rep);

/* Joins a path relative to the directory of `file` (absolute paths are
 * kept).  Returns a malloc'd string or NULL. */
char *sy_path_beside(const char *file, const char *path);

#endif
