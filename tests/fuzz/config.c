/* libconfig files through synack's own checks: the input is read both as
 * a sweep file (`synack batch`) and as a defaults file (synack.conf).  A
 * sweep that loads has every point formed; a config that loads is
 * applied to an instance of every plugin, which is then initialised
 * outside a run (sim NULL) and freed, so that parameter values reach the
 * plugins' own checks. */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include "cfg.h"
#include "fuzz.h"
#include "sweep.h"

static const sy_plugin *plugins[64];
static int nplugins;

static void collect(const sy_plugin *p, const char *path, void *ctx)
{
	if (nplugins < (int)(sizeof plugins / sizeof plugins[0]))
		plugins[nplugins++] = p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sy_err err;

	fuzz_load_plugins();
	if (sy_plugin_each(NULL, collect, NULL, NULL, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		exit(1);
	}
	return 0;
}

static void sweep(const char *path, int included)
{
	sy_sweep *sw;
	const char **values;
	sy_err err;

	sw = sy_sweep_load(path, &err);
	if (!sw) {
		if (!strstr(err.msg, path) && !included)
			FUZZ_FAIL("sweep error does not name the file: %s", err.msg);
		return;
	}
	if (!sw->script || sw->replications < 1)
		FUZZ_FAIL("sweep loaded without a script or replications");
	values = calloc(sw->nnames + 1, sizeof *values);
	if (!values)
		FUZZ_FAIL("out of memory");
	/* the first, last and a middle point: each value must be there */
	for (int k = 0; k < 3 && sw->npoints; k++) {
		uint64_t p = k == 0 ? 0 : k == 1 ? sw->npoints - 1 : sw->npoints / 2;

		sy_sweep_point(sw, p, values);
		for (size_t i = 0; i < sw->nnames; i++)
			if (!values[i])
				FUZZ_FAIL("point %llu has no value for '%s'",
					  (unsigned long long)p, sw->names[i]);
	}
	free(values);
	sy_sweep_free(sw);
}

static void defaults(const char *path, int included)
{
	sy_err err;
	sy_cfg *cfg = sy_cfg_load(path, &err);

	if (!cfg) {
		if (!strstr(err.msg, path) && !included)
			FUZZ_FAIL("config error does not name the file: %s", err.msg);
		return;
	}
	sy_cfg_seed(cfg, 1);
	for (const char *const *k = sy_plugin_kinds; *k; k++)
		sy_cfg_default_plugin(cfg, *k, "none");
	for (int i = 0; i < nplugins; i++) {
		sy_instance in;

		if (sy_instance_new(&in, plugins[i], &err) < 0)
			FUZZ_FAIL("instance of %s/%s: %s", plugins[i]->kind,
				  plugins[i]->name, err.msg);
		if (sy_cfg_apply(cfg, &in, &err) == 0)
			sy_instance_init(&in, NULL, &err);
		sy_instance_free(&in);
	}
	sy_cfg_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("input.cfg", data, size);
	/* an error in an @include'd file names that file */
	int included = memmem(data, size, "@include", 8) != NULL;

	sweep(path, included);
	defaults(path, included);
	return 0;
}
