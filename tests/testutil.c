#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

int sy_test_configure(sy_instance *in, const char *kind, const char *name,
		      const struct sy_test_setting *set, sy_err *err)
{
	const sy_plugin *p = sy_plugin_load(kind, name, err);

	ck_assert_msg(p != NULL, "%s", err->msg);
	ck_assert_str_eq(p->kind, kind);
	ck_assert_str_eq(p->name, name);
	ck_assert_msg(sy_instance_new(in, p, err) == 0, "%s", err->msg);
	for (; set && set->key; set++) {
		sy_value v = { .type = SY_V_STRING, .u.s = set->val };

		if (sy_instance_set(in, set->key, &v, "test", err) < 0)
			return -1;
	}
	return 0;
}

const sy_plugin *sy_test_descriptor(const char *kind, const char *name)
{
	sy_err err;
	const sy_plugin *p = sy_plugin_load(kind, name, &err);

	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_uint_eq(p->abi, SY_PLUGIN_ABI);
	ck_assert_str_eq(p->kind, kind);
	ck_assert_str_eq(p->name, name);
	ck_assert_ptr_nonnull(p->summary);
	ck_assert(p->summary[0] != '\0');
	ck_assert_ptr_null(strchr(p->summary, '\n'));
	ck_assert_ptr_nonnull(p->ops);
	for (const sy_param *q = p->params; q && q->name; q++) {
		ck_assert_msg(q->doc && q->doc[0], "%s/%s: %s undocumented", kind, name, q->name);
		ck_assert_msg(q->def != NULL, "%s/%s: %s has no default", kind, name, q->name);
	}
	return p;
}

int sy_test_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	sy_plugin_unload_all();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
