/* The plugin loader: search path, refusals with clear messages, listing,
 * and the instance lifecycle. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"
#include "scheduler.h"
#include "testutil.h"

#define TEST_MODULES SY_ABS_BUILDDIR "/tests/plugins/.libs"

static char tmpdir[256];

/* A scratch plugin directory DIR/scheduler/ whose modules are symlinks to
 * test modules under names of our choosing. */
static void scratch_setup(void)
{
	char sub[300];

	snprintf(tmpdir, sizeof tmpdir, "/tmp/synack-loader-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sub, sizeof sub, "%s/scheduler", tmpdir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
}

static void scratch_link(const char *target, const char *name)
{
	char link[400];

	snprintf(link, sizeof link, "%s/scheduler/%s.so", tmpdir, name);
	ck_assert_int_eq(symlink(target, link), 0);
}

static void scratch_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	sy_plugin_unload_all();
}

static void contains(const char *msg, const char *part)
{
	ck_assert_msg(strstr(msg, part) != NULL,
		      "message \"%s\" lacks \"%s\"", msg, part);
}

START_TEST(loads_heap_from_build_tree)
{
	sy_err err;
	const sy_plugin *p = sy_plugin_load("scheduler", "heap", &err);

	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_str_eq(p->kind, "scheduler");
	ck_assert_str_eq(p->name, "heap");
	ck_assert_uint_eq(p->abi, SY_PLUGIN_ABI);
	/* Loading again gives the same descriptor (module cached). */
	ck_assert_ptr_eq(sy_plugin_load("scheduler", "heap", &err), p);
	ck_assert(sy_running_in_tree());
}
END_TEST

START_TEST(missing_file)
{
	sy_err err;

	ck_assert_ptr_null(sy_plugin_load_file("/nonexistent/dir/x.so", &err));
	contains(err.msg, "/nonexistent/dir/x.so");
	contains(err.msg, "no such plugin module");
}
END_TEST

START_TEST(not_a_shared_object)
{
	sy_err err;
	char path[300];
	FILE *f;

	snprintf(path, sizeof path, "%s/scheduler/text.so", tmpdir);
	f = fopen(path, "w");
	fputs("not an ELF file\n", f);
	fclose(f);
	ck_assert_ptr_null(sy_plugin_load_file(path, &err));
	contains(err.msg, "cannot load plugin module");
	contains(err.msg, path);
}
END_TEST

START_TEST(wrong_abi)
{
	sy_err err;
	char want[64];

	ck_assert_ptr_null(sy_plugin_load_file(TEST_MODULES "/badabi.so", &err));
	contains(err.msg, "badabi.so");
	snprintf(want, sizeof want, "ABI version %d,", SY_PLUGIN_ABI + 41);
	contains(err.msg, want);
	snprintf(want, sizeof want, "loads ABI version %d", SY_PLUGIN_ABI);
	contains(err.msg, want);
}
END_TEST

START_TEST(missing_symbol)
{
	sy_err err;

	ck_assert_ptr_null(sy_plugin_load_file(TEST_MODULES "/nosym.so", &err));
	contains(err.msg, "nosym.so");
	contains(err.msg, "the symbol 'synack_plugin' is missing");
}
END_TEST

START_TEST(wrong_kind_refused)
{
	sy_err err;

	scratch_link(TEST_MODULES "/wrongkind.so", "wrongkind");
	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_ptr_null(sy_plugin_load("scheduler", "wrongkind", &err));
	contains(err.msg, "declares itself as queue/impostor");
	contains(err.msg, "expected scheduler/wrongkind");
}
END_TEST

/* SYNACK_PLUGIN_PATH comes first: a module there named scheduler/heap
 * hides the build tree's (here a broken one, so the effect is visible). */
START_TEST(env_path_first)
{
	const char **dirs;
	sy_err err;
	size_t n;

	scratch_link(TEST_MODULES "/badabi.so", "heap");
	setenv("SYNACK_PLUGIN_PATH", "/nonexistent:", 1);
	ck_assert_int_eq(sy_plugin_path(&dirs, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(dirs[0], "/nonexistent");
	ck_assert_str_eq(dirs[1], SY_ABS_BUILDDIR "/plugins");
	ck_assert_str_eq(dirs[2], SY_PKGLIBDIR);

	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_ptr_null(sy_plugin_load("scheduler", "heap", &err));
	contains(err.msg, tmpdir);
	contains(err.msg, "ABI version");
}
END_TEST

/* What a load found is remembered (a topology loads the same plugins for
 * every link) only while SYNACK_PLUGIN_PATH stays as it was: set, it
 * hides the remembered module; unset again, the build tree's is found. */
START_TEST(found_forgotten_when_path_changes)
{
	const sy_plugin *heap, *again;
	sy_err err;

	unsetenv("SYNACK_PLUGIN_PATH");
	heap = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(heap != NULL, "%s", err.msg);
	again = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_ptr_eq(again, heap);

	scratch_link(TEST_MODULES "/badabi.so", "heap");
	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_ptr_null(sy_plugin_load("scheduler", "heap", &err));
	contains(err.msg, "ABI version");

	setenv("SYNACK_PLUGIN_PATH", "/nonexistent", 1);
	again = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(again == heap, "%s", again ? "another module" : err.msg);
	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_ptr_null(sy_plugin_load("scheduler", "heap", &err));
	unsetenv("SYNACK_PLUGIN_PATH");
	ck_assert_ptr_eq(sy_plugin_load("scheduler", "heap", &err), heap);
}
END_TEST

START_TEST(unknown_kind_and_bad_name)
{
	sy_err err;

	ck_assert_ptr_null(sy_plugin_load("sched", "heap", &err));
	contains(err.msg, "unknown plugin kind 'sched'");
	contains(err.msg, "scheduler, queue, loss, tcp, isn, timers, cc, app");
	ck_assert_ptr_null(sy_plugin_load("scheduler", "../heap", &err));
	contains(err.msg, "bad plugin name '../heap'");
	ck_assert_ptr_null(sy_plugin_load("scheduler", "", &err));
	contains(err.msg, "bad plugin name");
}
END_TEST

START_TEST(not_found_lists_available)
{
	sy_err err;

	ck_assert_ptr_null(sy_plugin_load("scheduler", "nope", &err));
	contains(err.msg, "no scheduler plugin named 'nope'");
	contains(err.msg, SY_ABS_BUILDDIR "/plugins/scheduler");
	contains(err.msg, "available: ");
	contains(err.msg, "heap");
	ck_assert_ptr_null(sy_plugin_load("nosuchkind", "nope", &err));
	contains(err.msg, "unknown plugin kind 'nosuchkind'");
}
END_TEST

struct seen {
	char names[128][64];
	int n;
	char bad[4][512];
	int nbad;
};

/* Position of the kind of "kind/name" in sy_plugin_kinds. */
static int kind_rank(const char *id)
{
	for (int k = 0; sy_plugin_kinds[k]; k++) {
		size_t n = strlen(sy_plugin_kinds[k]);

		if (strncmp(id, sy_plugin_kinds[k], n) == 0 && id[n] == '/')
			return k;
	}
	return -1;
}

static void visit(const sy_plugin *p, const char *path, void *ctx)
{
	struct seen *s = ctx;

	ck_assert_int_lt(s->n, 128);
	snprintf(s->names[s->n++], 64, "%s/%s", p->kind, p->name);
}

static void bad(const char *path, const char *why, void *ctx)
{
	struct seen *s = ctx;

	ck_assert_int_lt(s->nbad, 4);
	snprintf(s->bad[s->nbad++], 512, "%s", why);
}

START_TEST(listing)
{
	struct seen s = { 0 };
	sy_err err;
	int heap = -1, zz = -1;

	scratch_link(TEST_MODULES "/badabi.so", "zz-broken");
	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_int_eq(sy_plugin_each(NULL, visit, bad, &s, &err), 0);
	for (int i = 0; i < s.n; i++) {
		if (strcmp(s.names[i], "scheduler/heap") == 0)
			heap = i;
		if (strcmp(s.names[i], "scheduler/zz-broken") == 0)
			zz = i;
		/* Kinds in their fixed order, names sorted within a kind. */
		if (i) {
			int k0 = kind_rank(s.names[i - 1]), k1 = kind_rank(s.names[i]);

			ck_assert_msg(k0 < k1 || (k0 == k1 && strcmp(s.names[i - 1], s.names[i]) < 0),
				      "%s listed before %s", s.names[i - 1], s.names[i]);
		}
	}
	ck_assert_int_ge(heap, 0);
	ck_assert_int_eq(zz, -1);
	ck_assert_int_eq(s.nbad, 1);
	contains(s.bad[0], "zz-broken.so");
	contains(s.bad[0], "ABI version");
	ck_assert_int_eq(sy_plugin_each("bogus", visit, bad, &s, &err), -1);
	contains(err.msg, "unknown plugin kind 'bogus'");
}
END_TEST

START_TEST(instance_lifecycle)
{
	const sy_plugin *p;
	sy_instance in;
	sy_value v = { .type = SY_V_INT, .u.i = 2 };
	sy_err err;

	p = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	ck_assert_int_eq(sy_instance_set(&in, "arity", &v, "test.lua:3", &err), 0);
	ck_assert_int_eq(sy_instance_set(&in, "arty", &v, "test.lua:4", &err), -1);
	contains(err.msg, "test.lua:4");
	contains(err.msg, "scheduler/heap");
	contains(err.msg, "'arty'");
	contains(err.msg, "arity");
	v.u.i = 1;
	ck_assert_int_eq(sy_instance_set(&in, "arity", &v, "test.lua:5", &err), -1);
	contains(err.msg, "test.lua:5");
	ck_assert_int_eq(sy_instance_init(&in, NULL, &err), 0);
	v.u.i = 8;
	ck_assert_int_eq(sy_instance_set(&in, "arity", &v, "test.lua:6", &err), -1);
	contains(err.msg, "fixed");
	sy_instance_free(&in);
	sy_instance_free(&in); /* idempotent */
	ck_assert_ptr_null(in.state);
}
END_TEST

/* Each defect of tests/plugins/baddesc.c: the module's file and a phrase
 * that says what is wrong. */
static const struct {
	const char *module;
	const char *phrase[3];
} defects[] = {
	{ "offset", { "parameter 'limit'", "field (8 bytes at offset 4096) lies outside the state" } },
	{ "size", { "parameter 'limit'", "lies outside the state" } },
	{ "align", { "parameter 'limit'", "offset 3 is not aligned" } },
	{ "type", { "parameter 'limit'", "unknown type 42" } },
	{ "null_name", { "entry 1 has a NULL name but other fields set" } },
	{ "duplicate", { "parameter 'limit' is declared twice", "entries 0 and 1" } },
	{ "overlap", { "parameter 'label'", "overlaps that of 'limit'" } },
	{ "default_range", { "parameter 'limit'", "its default: value 500 is above the maximum 100" } },
	{ "bad_param_name", { "entry 0: name \"li\\x0amit\" is not a parameter name" } },
	{ "long_param_name", { "entry 0: name \"abcdefghijklmnop", "\"... is not a parameter name" } },
	{ "long_doc", { "parameter 'limit'", "its description", "is longer than 1024 bytes" } },
	{ "bad_choice", { "parameter 'mode'", "choice 1 \"two words\" is not a name" } },
	{ "no_end", { "parameter table has no end within its first 128 entries" } },
	{ "no_name", { "plugin has no name" } },
	{ "bad_name", { "plugin name \"bad name\\x1b[2J\" is not a name" } },
	{ "long_name", { "plugin name \"abcdefghijklmnop", "\"... is not a name" } },
	{ "long_kind", { "unknown kind \"schedulerabcdefghijklmnop", "\"..." } },
	{ "no_summary", { "plugin scheduler/baddesc has no summary" } },
	{ "big_state", { "state of 1099511627776 bytes is larger than the 1048576 allowed" } },
	{ "no_ops", { "plugin scheduler/baddesc has no operations table" } },
	{ "no_pop", { "operations table has no 'pop'" } },
};

START_TEST(broken_descriptors_refused)
{
	char path[300];
	sy_err err;

	/* The same file without a defect loads. */
	ck_assert_msg(sy_plugin_load_file(TEST_MODULES "/baddesc_sound.so", &err) != NULL,
		      "%s", err.msg);
	for (size_t i = 0; i < sizeof defects / sizeof defects[0]; i++) {
		snprintf(path, sizeof path, "%s/baddesc_%s.so", TEST_MODULES,
			 defects[i].module);
		strcpy(err.msg, "");
		ck_assert_msg(sy_plugin_load_file(path, &err) == NULL,
			      "%s accepted", path);
		ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0,
			      "message \"%s\" does not start with the path",
			      err.msg);
		for (int j = 0; j < 3 && defects[i].phrase[j]; j++)
			contains(err.msg, defects[i].phrase[j]);
		/* A message stays short whatever the module holds. */
		ck_assert_uint_lt(strlen(err.msg), strlen(path) + 300);
	}
}
END_TEST

/* A module whose operations table has another version or size than this
 * synack's is refused, naming both.  The sound module of the same file
 * loads (broken_descriptors_refused). */
START_TEST(ops_head_mismatch_refused)
{
	const size_t size = sizeof(sy_sched_ops), fn = sizeof(void *);
	const unsigned v = SY_SCHED_OPS_VERSION;
	struct {
		const char *module;
		char want[300];
	} cases[4] = { { .module = "ops_version" }, { .module = "ops_small" },
		       { .module = "ops_large" }, { .module = "ops_no_head" } };
	char path[300];
	sy_err err;

	snprintf(cases[0].want, sizeof cases[0].want,
		 "plugin scheduler/baddesc: its scheduler operations are version %u, but this synack needs version %u; rebuild the plugin",
		 v + 1, v);
	snprintf(cases[1].want, sizeof cases[1].want,
		 "plugin scheduler/baddesc: its scheduler operations table (version %u) is %zu bytes, but this synack's is %zu bytes; rebuild",
		 v, size - fn, size);
	snprintf(cases[2].want, sizeof cases[2].want,
		 "plugin scheduler/baddesc: its scheduler operations table (version %u) is %zu bytes, but this synack's is %zu bytes; rebuild",
		 v, size + fn, size);
	snprintf(cases[3].want, sizeof cases[3].want,
		 "plugin scheduler/baddesc: its scheduler operations table has no version (its head is not set with SY_OPS_HEAD); this synack needs version %u",
		 v);
	ck_assert_uint_ne(v, 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/baddesc_%s.so", TEST_MODULES,
			 cases[i].module);
		strcpy(err.msg, "");
		ck_assert_msg(sy_plugin_load_file(path, &err) == NULL,
			      "%s accepted", path);
		ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0,
			      "message \"%s\" does not start with the path",
			      err.msg);
		contains(err.msg, cases[i].want);
	}
}
END_TEST

/* Through the search path, as a script loads a plugin, and in the
 * listing: the refusal names the module's path. */
START_TEST(broken_descriptor_by_name_and_listed)
{
	struct seen s = { 0 };
	char want[400];
	sy_err err;

	scratch_link(TEST_MODULES "/baddesc_offset.so", "baddesc");
	setenv("SYNACK_PLUGIN_PATH", tmpdir, 1);
	ck_assert_ptr_null(sy_plugin_load("scheduler", "baddesc", &err));
	snprintf(want, sizeof want, "%s/scheduler/baddesc.so: plugin scheduler/baddesc: broken parameter table: parameter 'limit'",
		 tmpdir);
	contains(err.msg, want);
	ck_assert_int_eq(sy_plugin_each("scheduler", visit, bad, &s, &err), 0);
	ck_assert_int_eq(s.nbad, 1);
	contains(s.bad[0], "baddesc.so");
	contains(s.bad[0], "lies outside the state");
	for (int i = 0; i < s.n; i++)
		ck_assert_str_ne(s.names[i], "scheduler/baddesc");
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, scratch_setup, scratch_teardown);
	tcase_add_test(t, loads_heap_from_build_tree);
	tcase_add_test(t, missing_file);
	tcase_add_test(t, not_a_shared_object);
	tcase_add_test(t, wrong_abi);
	tcase_add_test(t, missing_symbol);
	tcase_add_test(t, wrong_kind_refused);
	tcase_add_test(t, env_path_first);
	tcase_add_test(t, unknown_kind_and_bad_name);
	tcase_add_test(t, not_found_lists_available);
	tcase_add_test(t, listing);
	tcase_add_test(t, instance_lifecycle);
	tcase_add_test(t, broken_descriptors_refused);
	tcase_add_test(t, ops_head_mismatch_refused);
	tcase_add_test(t, broken_descriptor_by_name_and_listed);
	tcase_add_test(t, found_forgotten_when_path_changes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	unsetenv("SYNACK_PLUGIN_PATH");
	return sy_test_main(loader_suite());
}
