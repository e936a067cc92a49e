#include "config.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "csv.h"
#include "sweep.h"

/* Runs of one batch are at most this many (points times replications). */
#define MAX_RUNS 100000000ULL

char *sy_path_beside(const char *file, const char *path)
{
	const char *slash = strrchr(file, '/');
	size_t dir = slash ? (size_t)(slash - file) + 1 : 0;
	char *out;

	if (path[0] == '/' || dir == 0)
		return strdup(path);
	out = malloc(dir + strlen(path) + 1);
	if (!out)
		return NULL;
	memcpy(out, file, dir);
	strcpy(out + dir, path);
	return out;
}

uint64_t sy_sweep_seed(uint64_t base, uint64_t point, uint64_t rep)
{
	uint64_t parts[3] = { base, point, rep }, h = 0;

	for (int i = 0; i < 3; i++) {
		uint64_t z = h ^ parts[i];

		/* SplitMix64: add the golden gamma, then the finalizer. */
		z += 0x9e3779b97f4a7c15ULL;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		h = z ^ (z >> 31);
	}
	return h >> 1;
}

/* The text of a scalar setting, as it would be written on a command line;
 * NULL for a group, list or array. */
static char *scalar_text(const config_setting_t *s)
{
	char buf[64];

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, sizeof buf, "%lld", config_setting_get_int64(s));
		return strdup(buf);
	case CONFIG_TYPE_FLOAT:
		sy_csv_number(buf, sizeof buf, config_setting_get_float(s));
		return strdup(buf);
	case CONFIG_TYPE_BOOL:
		return strdup(config_setting_get_bool(s) ? "true" : "false");
	case CONFIG_TYPE_STRING:
		return strdup(config_setting_get_string(s));
	default:
		return NULL;
	}
}

static int is_number(const config_setting_t *s)
{
	int t = s ? config_setting_type(s) : CONFIG_TYPE_NONE;

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static int is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static double number(const config_setting_t *s)
{
	return is_int(s) ? (double)config_setting_get_int64(s) :
			   config_setting_get_float(s);
}

static int add_name(sy_sweep *sw, const char *name, int line, sy_err *err)
{
	char **names;
	int *lines;

	for (size_t i = 0; i < sw->nnames; i++)
		if (strcmp(sw->names[i], name) == 0)
			return sy_err_set(err, "%s:%d: parameter '%s' is already in the grid (line %d)",
					  sw->file, line, name, sw->lines[i]);
	names = realloc(sw->names, (sw->nnames + 1) * sizeof *names);
	if (names)
		sw->names = names;
	lines = realloc(sw->lines, (sw->nnames + 1) * sizeof *lines);
	if (lines)
		sw->lines = lines;
	if (!names || !lines || !(sw->names[sw->nnames] = strdup(name)))
		return sy_err_set(err, "out of memory");
	sw->lines[sw->nnames++] = line;
	return 0;
}

/* A range {from; to; step}: inclusive of `to` up to rounding; integers when
 * all three are integers. */
static int range_axis(sy_sweep *sw, sy_axis *ax, const config_setting_t *s,
		      sy_err *err)
{
	const config_setting_t *from = config_setting_get_member(s, "from");
	const config_setting_t *to = config_setting_get_member(s, "to");
	const config_setting_t *step = config_setting_get_member(s, "step");
	int ints;
	double a, b, d, n;

	for (int i = 0; i < config_setting_length(s); i++) {
		const char *m = config_setting_name(config_setting_get_elem(s, i));

		if (strcmp(m, "from") && strcmp(m, "to") && strcmp(m, "step"))
			return sy_err_set(err, "%s:%d: range '%s' has an unknown member '%s' (expected from, to, step)",
					  sw->file, ax->line, config_setting_name(s), m);
	}
	if (!is_number(from) || !is_number(to) || (step && !is_number(step)))
		return sy_err_set(err, "%s:%d: range '%s' needs numbers: { from = A; to = B; step = C; }",
				  sw->file, ax->line, config_setting_name(s));
	ints = is_int(from) && is_int(to) && (!step || is_int(step));
	a = number(from);
	b = number(to);
	d = step ? number(step) : 1;
	if (!(d > 0))
		return sy_err_set(err, "%s:%d: range '%s' needs a positive step",
				  sw->file, ax->line, config_setting_name(s));
	n = b < a ? 0 : floor((b - a) / d * (1 + 1e-12) + 1e-9) + 1;
	if (n > (double)MAX_RUNS)
		return sy_err_set(err, "%s:%d: range '%s' has too many values",
				  sw->file, ax->line, config_setting_name(s));
	ax->nvalues = (size_t)n;
	ax->values = calloc(ax->nvalues ? ax->nvalues : 1, sizeof *ax->values);
	if (!ax->values)
		return sy_err_set(err, "out of memory");
	for (size_t i = 0; i < ax->nvalues; i++) {
		char buf[64];

		if (ints)
			snprintf(buf, sizeof buf, "%lld",
				 config_setting_get_int64(from) +
					 (long long)i * (step ? config_setting_get_int64(step) : 1));
		else
			snprintf(buf, sizeof buf, "%.12g", a + (double)i * d);
		if (!(ax->values[i] = strdup(buf)))
			return sy_err_set(err, "out of memory");
	}
	return 0;
}

/* The values of a list or array of scalars. */
static int list_values(sy_sweep *sw, const config_setting_t *s, char ***out,
		       size_t *n, sy_err *err)
{
	*n = (size_t)config_setting_length(s);
	*out = calloc(*n ? *n : 1, sizeof **out);
	if (!*out)
		return sy_err_set(err, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (!((*out)[i] = scalar_text(e))) {
			for (size_t j = 0; j < i; j++)
				free((*out)[j]);
			free(*out);
			*out = NULL;
			*n = 0;
			return sy_err_set(err, "%s:%d: '%s' must list numbers, strings or booleans",
					  sw->file, config_setting_source_line(e),
					  config_setting_name(s));
		}
	}
	return 0;
}

/* Zipped lists: members are lists of one length, the i-th values going
 * together. */
static int zip_axis(sy_sweep *sw, sy_axis *ax, const config_setting_t *s,
		    sy_err *err)
{
	ax->nnames = (size_t)config_setting_length(s);
	if (ax->nnames == 0)
		return sy_err_set(err, "%s:%d: zipped lists '%s' hold no list",
				  sw->file, ax->line, config_setting_name(s));
	ax->names = calloc(ax->nnames, sizeof *ax->names);
	if (!ax->names)
		return sy_err_set(err, "out of memory");
	for (size_t j = 0; j < ax->nnames; j++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)j);
		int line = config_setting_source_line(m);
		char **vals;
		size_t n;

		if (!config_setting_is_aggregate(m) || config_setting_is_group(m))
			return sy_err_set(err, "%s:%d: '%s' in zipped lists '%s' must be a list [a, b, ...]",
					  sw->file, line, config_setting_name(m),
					  config_setting_name(s));
		if (list_values(sw, m, &vals, &n, err) < 0)
			return -1;
		if (j == 0) {
			ax->nvalues = n;
			ax->values = calloc(n * ax->nnames + 1, sizeof *ax->values);
			if (!ax->values) {
				free(vals);
				return sy_err_set(err, "out of memory");
			}
		} else if (n != ax->nvalues) {
			for (size_t i = 0; i < n; i++)
				free(vals[i]);
			free(vals);
			return sy_err_set(err, "%s:%d: zipped lists '%s' differ in length: '%s' has %zu values, '%s' has %zu",
					  sw->file, line, config_setting_name(s),
					  ax->names[0], ax->nvalues,
					  config_setting_name(m), n);
		}
		for (size_t i = 0; i < n; i++)
			ax->values[i * ax->nnames + j] = vals[i];
		free(vals);
		if (!(ax->names[j] = strdup(config_setting_name(m))))
			return sy_err_set(err, "out of memory");
		if (add_name(sw, ax->names[j], line, err) < 0)
			return -1;
	}
	return 0;
}

static int load_axis(sy_sweep *sw, sy_axis *ax, const config_setting_t *s,
		     sy_err *err)
{
	const char *name = config_setting_name(s);

	ax->line = config_setting_source_line(s);
	if (config_setting_is_group(s)) {
		const config_setting_t *from = config_setting_get_member(s, "from");

		if (from && config_setting_is_scalar(from)) {
			ax->nnames = 1;
			ax->names = calloc(1, sizeof *ax->names);
			if (!ax->names || !(ax->names[0] = strdup(name)))
				return sy_err_set(err, "out of memory");
			if (add_name(sw, name, ax->line, err) < 0)
				return -1;
			return range_axis(sw, ax, s, err);
		}
		return zip_axis(sw, ax, s, err);
	}
	ax->nnames = 1;
	ax->names = calloc(1, sizeof *ax->names);
	if (!ax->names || !(ax->names[0] = strdup(name)))
		return sy_err_set(err, "out of memory");
	if (add_name(sw, name, ax->line, err) < 0)
		return -1;
	if (config_setting_is_aggregate(s))
		return list_values(sw, s, &ax->values, &ax->nvalues, err);
	ax->nvalues = 1;
	ax->values = calloc(1, sizeof *ax->values);
	if (!ax->values || !(ax->values[0] = scalar_text(s)))
		return sy_err_set(err, "out of memory");
	return 0;
}

static int get_string(sy_sweep *sw, const config_setting_t *s, char **out,
		      int beside, sy_err *err)
{
	const char *v = config_setting_get_string(s);

	if (!v || !*v)
		return sy_err_set(err, "%s:%d: '%s' must be a non-empty string in quotes",
				  sw->file, config_setting_source_line(s),
				  config_setting_name(s));
	*out = beside ? sy_path_beside(sw->file, v) : strdup(v);
	return *out ? 0 : sy_err_set(err, "out of memory");
}

static int get_count(sy_sweep *sw, const config_setting_t *s, uint64_t *out,
		     int zero_ok, sy_err *err)
{
	long long v;

	if (!is_int(s) || (v = config_setting_get_int64(s)) < (zero_ok ? 0 : 1))
		return sy_err_set(err, "%s:%d: '%s' must be an integer of at least %d",
				  sw->file, config_setting_source_line(s),
				  config_setting_name(s), zero_ok ? 0 : 1);
	*out = (uint64_t)v;
	return 0;
}

static int load(sy_sweep *sw, config_t *lc, sy_err *err)
{
	config_setting_t *root = config_root_setting(lc), *grid = NULL;
	uint64_t runs;

	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int line = config_setting_source_line(s);

		if (strcmp(name, "script") == 0) {
			if (get_string(sw, s, &sw->script, 1, err) < 0)
				return -1;
		} else if (strcmp(name, "output") == 0) {
			if (get_string(sw, s, &sw->output, 1, err) < 0)
				return -1;
		} else if (strcmp(name, "filter") == 0) {
			if (get_string(sw, s, &sw->filter, 0, err) < 0)
				return -1;
			sw->filter_line = line;
		} else if (strcmp(name, "replications") == 0) {
			if (get_count(sw, s, &sw->replications, 0, err) < 0)
				return -1;
		} else if (strcmp(name, "seed") == 0) {
			if (get_count(sw, s, &sw->seed, 1, err) < 0)
				return -1;
		} else if (strcmp(name, "timeout") == 0) {
			if (!is_number(s) || !(number(s) > 0))
				return sy_err_set(err, "%s:%d: 'timeout' must be a positive number of seconds",
						  sw->file, line);
			sw->timeout = number(s);
		} else if (strcmp(name, "grid") == 0) {
			if (!config_setting_is_group(s))
				return sy_err_set(err, "%s:%d: 'grid' must be a group: grid: { name = [values]; ... };",
						  sw->file, line);
			grid = s;
		} else {
			return sy_err_set(err, "%s:%d: unknown setting '%s' (expected script, output, replications, seed, timeout, filter, grid)",
					  sw->file, line, name);
		}
	}
	if (!sw->script)
		return sy_err_set(err, "%s: no script: script = \"experiment.lua\";", sw->file);
	if (!grid || config_setting_length(grid) == 0)
		return sy_err_set(err, "%s: the grid is empty: grid: { name = [values]; ... }; (one value is enough: n = 3;)",
				  sw->file);
	sw->naxes = (size_t)config_setting_length(grid);
	sw->axes = calloc(sw->naxes, sizeof *sw->axes);
	if (!sw->axes)
		return sy_err_set(err, "out of memory");
	sw->npoints = 1;
	for (size_t i = 0; i < sw->naxes; i++) {
		sy_axis *ax = &sw->axes[i];

		if (load_axis(sw, ax, config_setting_get_elem(grid, (unsigned)i), err) < 0)
			return -1;
		if (ax->nvalues == 0)
			return sy_err_set(err, "%s:%d: the grid is empty: '%s' has no values",
					  sw->file, ax->line, ax->names[0]);
		if (sw->npoints > MAX_RUNS / ax->nvalues)
			return sy_err_set(err, "%s:%d: the grid has more than %llu points",
					  sw->file, ax->line, MAX_RUNS);
		sw->npoints *= ax->nvalues;
	}
	runs = sw->npoints * sw->replications;
	if (sw->replications && runs / sw->replications != sw->npoints)
		runs = MAX_RUNS + 1;
	if (runs > MAX_RUNS)
		return sy_err_set(err, "%s: %llu points times %llu replications is more than %llu runs",
				  sw->file, (unsigned long long)sw->npoints,
				  (unsigned long long)sw->replications, MAX_RUNS);
	if (runs == 0)
		return sy_err_set(err, "%s: replications = 0: nothing to run", sw->file);
	return 0;
}

sy_sweep *sy_sweep_load(const char *path, sy_err *err)
{
	sy_sweep *sw = calloc(1, sizeof *sw);
	config_t lc;
	int rc;

	if (!sw || !(sw->file = strdup(path))) {
		free(sw);
		sy_err_set(err, "out of memory");
		return NULL;
	}
	sw->seed = 1;
	sw->replications = 1;
	config_init(&lc);
	rc = sy_cfg_read(&lc, path, "sweep file", err);
	if (rc == 0)
		rc = load(sw, &lc, err);
	config_destroy(&lc);
	if (rc < 0) {
		sy_sweep_free(sw);
		return NULL;
	}
	return sw;
}

void sy_sweep_free(sy_sweep *sw)
{
	if (!sw)
		return;
	for (size_t i = 0; i < sw->naxes; i++) {
		sy_axis *ax = &sw->axes[i];

		for (size_t j = 0; ax->names && j < ax->nnames; j++)
			free(ax->names[j]);
		for (size_t j = 0; ax->values && j < ax->nvalues * ax->nnames; j++)
			free(ax->values[j]);
		free(ax->names);
		free(ax->values);
	}
	for (size_t i = 0; i < sw->nnames; i++)
		free(sw->names[i]);
	free(sw->names);
	free(sw->lines);
	free(sw->axes);
	free(sw->file);
	free(sw->script);
	free(sw->output);
	free(sw->filter);
	free(sw);
}

void sy_sweep_point(const sy_sweep *sw, uint64_t p, const char **values)
{
	size_t k = sw->nnames;

	/* The last axis varies fastest: peel indices from the end. */
	for (size_t i = sw->naxes; i-- > 0;) {
		const sy_axis *ax = &sw->axes[i];
		size_t v = (size_t)(p % ax->nvalues);

		p /= ax->nvalues;
		k -= ax->nnames;
		for (size_t j = 0; j < ax->nnames; j++)
			values[k + j] = ax->values[v * ax->nnames + j];
	}
}
