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

void sy_test_tcp_pair(sy_sim **sim, sy_net **net, sy_node **a, sy_node **b,
		      sy_tcp_ep **ea, sy_tcp_ep **eb)
{
	const sy_plugin *p;
	sy_instance s;
	sy_link_opts o;
	sy_err err;

	p = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&s, p, &err), 0);
	*sim = sy_sim_new(1, &s, &err);
	ck_assert_msg(*sim != NULL, "%s", err.msg);
	*net = sy_net_new(*sim, &err);
	ck_assert_msg(*net != NULL, "%s", err.msg);
	*a = sy_net_node(*net, "a", &err);
	*b = sy_net_node(*net, "b", &err);
	ck_assert_msg(*a && *b, "%s", err.msg);
	memset(&o, 0, sizeof o);
	for (int d = 0; d < 2; d++)
		o.dir[d] = (sy_dir_opts){ .rate = 10000000, .delay = SY_MS, .mtu = 1500 };
	ck_assert_msg(sy_net_link(*net, *a, *b, &o, &err) != NULL, "%s", err.msg);
	*ea = sy_tcp_ep_new(*net, *a, NULL, &err);
	ck_assert_msg(*ea != NULL, "%s", err.msg);
	*eb = sy_tcp_ep_new(*net, *b, NULL, &err);
	ck_assert_msg(*eb != NULL, "%s", err.msg);
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
