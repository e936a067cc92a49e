/* The defaults file: search order, syntax and structure errors with file
 * and line, seed and default plugins, and parameters applied to an
 * instance through the shared parameter code. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "plugin.h"
#include "testutil.h"

static char dir[256];
static char file[300];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/synack-cfg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/test.conf", dir);
	unsetenv("SYNACK_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	sy_plugin_unload_all();
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void contains(const char *msg, const char *part)
{
	ck_assert_msg(strstr(msg, part) != NULL,
		      "message \"%s\" lacks \"%s\"", msg, part);
}

/* Loads text as a config and returns the error message it must produce. */
static const char *load_error(const char *text, sy_err *err)
{
	write_file(file, text);
	ck_assert_ptr_null(sy_cfg_load(file, err));
	contains(err->msg, file);
	return err->msg;
}

START_TEST(missing_file)
{
	sy_err err;

	ck_assert_ptr_null(sy_cfg_load("/nonexistent/synack.conf", &err));
	contains(err.msg, "/nonexistent/synack.conf: config file not found");
}
END_TEST

START_TEST(syntax_error_has_line)
{
	char want[400];
	sy_err err;

	load_error("seed = 1;\nscheduler: {\n  default = heap;\n};\n", &err);
	snprintf(want, sizeof want, "%s:3:", file);
	contains(err.msg, want);
	contains(err.msg, "syntax error");
}
END_TEST

START_TEST(structure_errors)
{
	char want[400];
	sy_err err;

	load_error("seed = 1;\n\nsched: { default = \"heap\"; };\n", &err);
	snprintf(want, sizeof want, "%s:3: unknown setting 'sched'", file);
	contains(err.msg, want);

	load_error("seed = \"one\";\n", &err);
	contains(err.msg, ":1: 'seed' must be an integer");

	load_error("scheduler = \"heap\";\n", &err);
	contains(err.msg, ":1: 'scheduler' must be a group");

	load_error("scheduler: {\n default = 3;\n};\n", &err);
	contains(err.msg, ":2: scheduler.default must be a plugin name");

	load_error("scheduler: {\n heap = 4;\n};\n", &err);
	contains(err.msg, ":2: scheduler.heap must be a group of parameters");
}
END_TEST

START_TEST(seed_and_defaults)
{
	sy_cfg *cfg;
	sy_err err;

	write_file(file, "seed = 1234567890123L;\nscheduler: { default = \"calendar\"; };\n");
	cfg = sy_cfg_load(file, &err);
	ck_assert_msg(cfg != NULL, "%s", err.msg);
	ck_assert_str_eq(sy_cfg_file(cfg), file);
	ck_assert_uint_eq(sy_cfg_seed(cfg, 1), 1234567890123ULL);
	ck_assert_str_eq(sy_cfg_default_plugin(cfg, "scheduler", "heap"), "calendar");
	ck_assert_str_eq(sy_cfg_default_plugin(cfg, "queue", "droptail"), "droptail");
	sy_cfg_free(cfg);

	write_file(file, "# nothing set\n");
	cfg = sy_cfg_load(file, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(sy_cfg_seed(cfg, 5), 5);
	ck_assert_str_eq(sy_cfg_default_plugin(cfg, "scheduler", "heap"), "heap");
	sy_cfg_free(cfg);
}
END_TEST

START_TEST(search_order)
{
	char xdg[300], sys[400];
	sy_cfg *cfg;
	sy_err err;

	/* Nothing anywhere (the system file only if synack is installed). */
	snprintf(sys, sizeof sys, "%s/synack/synack.conf", SY_SYSCONFDIR);
	cfg = sy_cfg_load(NULL, &err);
	ck_assert_ptr_nonnull(cfg);
	if (access(sys, F_OK) == 0)
		ck_assert_str_eq(sy_cfg_file(cfg), sys);
	else
		ck_assert_ptr_null(sy_cfg_file(cfg));
	sy_cfg_free(cfg);

	/* ~/.config/synack/synack.conf */
	snprintf(xdg, sizeof xdg, "%s/.config", dir);
	mkdir(xdg, 0700);
	snprintf(xdg, sizeof xdg, "%s/.config/synack", dir);
	mkdir(xdg, 0700);
	snprintf(xdg, sizeof xdg, "%s/.config/synack/synack.conf", dir);
	write_file(xdg, "seed = 2;\n");
	cfg = sy_cfg_load(NULL, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(sy_cfg_file(cfg), xdg);
	ck_assert_uint_eq(sy_cfg_seed(cfg, 1), 2);
	sy_cfg_free(cfg);

	/* $SYNACK_CONFIG wins, and must exist. */
	write_file(file, "seed = 3;\n");
	setenv("SYNACK_CONFIG", file, 1);
	cfg = sy_cfg_load(NULL, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(sy_cfg_seed(cfg, 1), 3);
	sy_cfg_free(cfg);
	setenv("SYNACK_CONFIG", "/nonexistent.conf", 1);
	ck_assert_ptr_null(sy_cfg_load(NULL, &err));
	contains(err.msg, "/nonexistent.conf");
}
END_TEST

static sy_cfg *cfg_of(const char *text)
{
	sy_err err;
	sy_cfg *cfg;

	write_file(file, text);
	cfg = sy_cfg_load(file, &err);
	ck_assert_msg(cfg != NULL, "%s", err.msg);
	return cfg;
}

static void heap_instance(sy_instance *in)
{
	sy_err err;
	const sy_plugin *p = sy_plugin_load("scheduler", "heap", &err);

	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(in, p, &err), 0);
}

static const char *param_text(const sy_instance *in, const char *name)
{
	static char buf[64];

	sy_param_format(sy_param_find(in->plugin->params, name), in->state,
			buf, sizeof buf);
	return buf;
}

START_TEST(apply_parameters)
{
	sy_cfg *cfg = cfg_of("scheduler: {\n  heap: {\n    arity = 8;\n    capacity = 64;\n  };\n};\n");
	sy_instance in;
	sy_err err;

	heap_instance(&in);
	ck_assert_str_eq(param_text(&in, "arity"), "4");
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), 0);
	ck_assert_str_eq(param_text(&in, "arity"), "8");
	ck_assert_str_eq(param_text(&in, "capacity"), "64");
	sy_instance_free(&in);
	sy_cfg_free(cfg);
}
END_TEST

START_TEST(apply_errors_name_file_line)
{
	char want[400];
	sy_instance in;
	sy_cfg *cfg;
	sy_err err;

	cfg = cfg_of("scheduler: {\n  heap: {\n    arity = 8;\n    arty = 2;\n  };\n};\n");
	heap_instance(&in);
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), -1);
	snprintf(want, sizeof want, "%s:4: scheduler/heap: unknown parameter 'arty'", file);
	contains(err.msg, want);
	sy_instance_free(&in);
	sy_cfg_free(cfg);

	cfg = cfg_of("scheduler: {\n  heap: {\n    arity = 1;\n  };\n};\n");
	heap_instance(&in);
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), -1);
	snprintf(want, sizeof want, "%s:3: scheduler/heap: parameter 'arity'", file);
	contains(err.msg, want);
	contains(err.msg, "minimum");
	sy_instance_free(&in);
	sy_cfg_free(cfg);

	cfg = cfg_of("scheduler: {\n  heap: {\n    arity = [1, 2];\n  };\n};\n");
	heap_instance(&in);
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), -1);
	contains(err.msg, ":3: scheduler/heap: parameter 'arity': expected a single value");
	sy_instance_free(&in);
	sy_cfg_free(cfg);

	cfg = cfg_of("scheduler: {\n  heap: {\n    arity = \"four\";\n  };\n};\n");
	heap_instance(&in);
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), -1);
	contains(err.msg, ":3: scheduler/heap: parameter 'arity'");
	sy_instance_free(&in);
	sy_cfg_free(cfg);
}
END_TEST

/* A group for another plugin does not touch this one. */
START_TEST(apply_other_plugin_ignored)
{
	sy_cfg *cfg = cfg_of("scheduler: {\n  calendar: {\n    buckets = 8;\n  };\n};\n");
	sy_instance in;
	sy_err err;

	heap_instance(&in);
	ck_assert_int_eq(sy_cfg_apply(cfg, &in, &err), 0);
	ck_assert_str_eq(param_text(&in, "arity"), "4");
	sy_instance_free(&in);
	sy_cfg_free(cfg);
}
END_TEST

static Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, missing_file);
	tcase_add_test(t, syntax_error_has_line);
	tcase_add_test(t, structure_errors);
	tcase_add_test(t, seed_and_defaults);
	tcase_add_test(t, search_order);
	tcase_add_test(t, apply_parameters);
	tcase_add_test(t, apply_errors_name_file_line);
	tcase_add_test(t, apply_other_plugin_ignored);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(cfg_suite());
}
