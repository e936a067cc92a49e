#include "config.h"

#include <stdlib.h>

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
