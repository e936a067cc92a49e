#include "config.h"

/* Timer profiles (timers.h), loaded as modules: timers/rfc and
 * timers/linux: their parameter tables and defaults, the checks of a
 * configuration, the backoff and the give-up times.  Their RTO
 * estimators are check_timers_rtt.c's.
 *
 * Expected values are written out by hand from the rules they come from
 * (RFC 6298 and RFC 1122 for rfc, the kernel's for linux), in exact
 * nanoseconds; the derivation of each is next to it. */

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "timers.h"
#include "vtime.h"
#include "testutil.h"
#include "timers_util.h"

/* ---------------------------------------------------------------- values */

/* Every field of two limits structs, naming the first that differs. */
static void limits_eq(const sy_timer_limits *got, const sy_timer_limits *want)
{
#define EQ(f) ck_assert_msg(got->f == want->f, #f ": got %lld, want %lld", \
			    (long long)got->f, (long long)want->f)
	EQ(rto_initial);
	EQ(rto_min);
	EQ(rto_max);
	EQ(syn_retries);
	EQ(synack_retries);
	EQ(data_retries);
	EQ(time_wait);
	EQ(fin_wait2);
	EQ(syn_received);
	EQ(user_timeout);
	EQ(keepalive);
	EQ(keepalive_time);
	EQ(keepalive_intvl);
	EQ(keepalive_probes);
	EQ(delack);
	EQ(invalid_ack_ratelimit);
	EQ(syn_linear_timeouts);
	EQ(acceptq_drop_syn);
	EQ(dup_syn_synack);
	EQ(quickack);
	EQ(rst_ack);
	EQ(pingpong);
	EQ(tw_syn_accept);
	EQ(tw_reuse);
	EQ(tw_reuse_delay);
	EQ(crossed_synack);
	EQ(challenge_ack_per_conn);
	EQ(challenge_ack_limit);
	EQ(challenge_ack_random);
	EQ(ts_offset);
	EQ(ts_recent_acked);
	EQ(retries_by_time);
	EQ(orphan_retries);
	EQ(user_timeout_probes);
	EQ(wnd_no_shrink);
	EQ(nagle_minshall);
	EQ(fin_delack);
	EQ(tw_ack_restart);
	EQ(tw_rst_exact);
	EQ(tw_rfc1337);
	EQ(syn_retries_by_time);
	EQ(retx_psh);
	EQ(ack_on_read);
	EQ(tlp);
	EQ(rcv_ratio_initial);
	EQ(rcv_ratio);
	EQ(rcv_grow);
	EQ(ecn);
	EQ(prr);
	EQ(dsack);
	EQ(dsack_undo);
	EQ(rack);
	EQ(frto);
	EQ(ts_undo);
	EQ(sack_reneg);
#undef EQ
}

static const sy_timer_limits rfc_defaults = {
	.rto_initial = 1 * SEC,      /* RFC 6298 2.1 */
	.rto_min = 1 * SEC,          /* RFC 6298 2.4 */
	.rto_max = 60 * SEC,         /* RFC 6298 2.5: at least 60 s */
	.syn_retries = 7,            /* 183 s >= 3 min, RFC 1122 4.2.3.5 */
	.synack_retries = 7,
	.data_retries = 6,           /* >= 123 s >= 100 s */
	.time_wait = 240 * SEC,      /* 2 * MSL, MSL = 2 min */
	.fin_wait2 = 0,
	.syn_received = 0,
	.user_timeout = 0,
	.keepalive = false,
	.keepalive_time = 7200 * SEC,
	.keepalive_intvl = 75 * SEC,
	.keepalive_probes = 9,
	.delack = 200 * MS,
	.invalid_ack_ratelimit = 500 * MS, /* RFC 5961 7 names none: Linux's */
	.syn_linear_timeouts = 0,    /* RFC 6298 5.5: back off at once */
	.acceptq_drop_syn = false,
	.dup_syn_synack = false,      /* RFC 9293 3.10.7.4 first: an ACK */
	.quickack = 0,
	.rst_ack = false,             /* RFC 9293 3.10.4 */
	.pingpong = 0,
	.tw_syn_accept = false,       /* RFC 9293 3.10.7.4: a challenge ACK */
	.tw_reuse = 0,                /* RFC 9293 3.6: 2 MSL */
	.tw_reuse_delay = 1 * SEC,
	.crossed_synack = false,      /* RFC 9293 3.10.7.4 first: an ACK */
	.challenge_ack_per_conn = false, /* RFC 5961 7: the host's limit */
	.challenge_ack_limit = 1000,
	.challenge_ack_random = false,
	.ts_offset = false,           /* RFC 7323 5.4: the clock */
	.ts_recent_acked = false,     /* RFC 7323 4.3 */
	.retries_by_time = false,     /* RFC 1122 4.2.3.5: counts */
	.orphan_retries = -1,         /* data_retries */
	.user_timeout_probes = false, /* RFC 9293 3.8.3: data only */
	.wnd_no_shrink = false,       /* RFC 9293 3.10.7.4 */
	.nagle_minshall = false,      /* RFC 1122 4.2.3.4 */
	.fin_delack = false,
	.tw_ack_restart = false,      /* RFC 9293 3.10.7.4: a FIN only */
	.tw_rst_exact = false,        /* RFC 5961 3.2: a challenge ACK */
	.tw_rfc1337 = false,          /* RFC 9293 3.10.7.4: the reset ends it */
	.syn_retries_by_time = false, /* RFC 1122 4.2.3.5: a count */
	.retx_psh = false,            /* PSH where the queued data ends */
	.ack_on_read = false,         /* RFC 1122 4.2.3.2 */
	.tlp = false,                 /* RFC 6298: the RTO alone */
	.prr = false,                 /* RFC 6675: cwnd - pipe */
	.dsack = false,               /* RFC 2018 blocks only */
	.dsack_undo = false,          /* no undo */
	.rack = false,                /* three duplicate ACKs (RFC 6675) */
	.frto = false,                /* go-back-N */
	.ts_undo = false,             /* no Eifel */
	.sack_reneg = false,          /* the RTO (RFC 6298 5.3) */
	.rcv_ratio_initial = 256,
	.rcv_ratio = 256,
	.rcv_grow = false,            /* RFC 9293 3.8.6.2.2 */
	.ecn = SY_TCP_ECN_OFF,        /* RFC 3168 6.1.1: the host's choice */
};

static const sy_timer_limits linux_defaults = {
	.rto_initial = 1 * SEC,      /* TCP_TIMEOUT_INIT */
	.rto_min = 200 * MS,         /* TCP_RTO_MIN */
	.rto_max = 120 * SEC,        /* TCP_RTO_MAX */
	.syn_retries = 6,            /* TCP_SYN_RETRIES */
	.synack_retries = 5,         /* TCP_SYNACK_RETRIES */
	.data_retries = 15,          /* TCP_RETR2 */
	.time_wait = 60 * SEC,       /* TCP_TIMEWAIT_LEN */
	.fin_wait2 = 60 * SEC,       /* TCP_FIN_TIMEOUT */
	.syn_received = 0,
	.user_timeout = 0,
	.keepalive = false,
	.keepalive_time = 7200 * SEC, /* TCP_KEEPALIVE_TIME */
	.keepalive_intvl = 75 * SEC,  /* TCP_KEEPALIVE_INTVL */
	.keepalive_probes = 9,        /* TCP_KEEPALIVE_PROBES */
	.delack = 40 * MS,            /* TCP_DELACK_MIN */
	.invalid_ack_ratelimit = 500 * MS, /* tcp_invalid_ratelimit */
	.syn_linear_timeouts = 4,     /* tcp_syn_linear_timeouts, Linux 6.5 */
	.acceptq_drop_syn = true,     /* tcp_conn_request */
	.dup_syn_synack = true,       /* tcp_check_req */
	.quickack = 16,               /* TCP_MAX_QUICKACKS */
	.rst_ack = true,              /* tcp_send_active_reset */
	.pingpong = 1,                /* tcp_pingpong_thresh */
	.tw_syn_accept = true,        /* tcp_timewait_state_process */
	.tw_reuse = 2,                /* tcp_tw_reuse */
	.tw_reuse_delay = 1 * SEC,    /* tcp_tw_reuse_delay */
	.crossed_synack = true,       /* tcp_validate_incoming, 6.11 */
	.challenge_ack_per_conn = true, /* tcp_send_challenge_ack, 4.7 */
	.challenge_ack_limit = 0,     /* tcp_challenge_ack_limit INT_MAX, 6.0 */
	.challenge_ack_random = true, /* 4.7 */
	.ts_offset = true,            /* tcp_timestamps = 1 */
	.ts_recent_acked = true,      /* tcp_ack: tcp_replace_ts_recent */
	.retries_by_time = true,      /* retransmits_timed_out */
	.orphan_retries = 0,          /* tcp_orphan_retries */
	.user_timeout_probes = true,  /* tcp_probe_timer, tcp_keepalive_timer */
	.wnd_no_shrink = true,        /* tcp_may_update_window */
	.nagle_minshall = true,       /* tcp_minshall_check */
	.fin_delack = true,           /* tcp_fin: pingpong mode */
	.tw_ack_restart = true,       /* tcp_timewait_state_process */
	.tw_rst_exact = true,         /* tcp_timewait_state_process */
	.tw_rfc1337 = false,          /* tcp_rfc1337 = 0 */
	.syn_retries_by_time = true,  /* tcp_write_timeout */
	.retx_psh = true,             /* tcp_mark_push */
	.ack_on_read = true,          /* tcp_cleanup_rbuf */
	.tlp = true,                  /* tcp_schedule_loss_probe */
	.rcv_ratio_initial = 128,     /* TCP_DEFAULT_SCALING_RATIO */
	.rcv_ratio = 154,             /* measured: veth, 6.18 */
	.rcv_grow = true,             /* tcp_grow_window */
	.ecn = SY_TCP_ECN_ACCEPT,     /* tcp_ecn = 2 */
	.prr = true,                  /* tcp_cwnd_reduction */
	.dsack = true,                /* tcp_dsack = 1 */
	.dsack_undo = true,           /* tcp_try_undo_dsack */
	.rack = true,                 /* tcp_rack_mark_lost */
	.frto = true,                 /* tcp_frto = 2 */
	.ts_undo = true,              /* tcp_packet_delayed */
	.sack_reneg = true,           /* tcp_check_sack_reneging */
};

static const char *const common_names[] = {
	"rto_initial", "rto_min", "rto_max", "syn_retries", "synack_retries",
	"data_retries", "time_wait", "fin_wait2", "syn_received",
	"user_timeout", "keepalive", "keepalive_time", "keepalive_intvl",
	"keepalive_probes", "delack", "invalid_ack_ratelimit",
	"syn_linear_timeouts", "acceptq_drop_syn", "dup_syn_synack", "quickack", "rst_ack",
	"pingpong", "tw_syn_accept", "tw_reuse", "tw_reuse_delay", "crossed_synack",
	"challenge_ack_per_conn", "challenge_ack_limit", "challenge_ack_random",
	"ts_offset", "ts_recent_acked", "retries_by_time", "orphan_retries", "user_timeout_probes",
	"wnd_no_shrink", "nagle_minshall", "fin_delack", "tw_ack_restart", "tw_rst_exact",
	"tw_rfc1337", "syn_retries_by_time", "retx_psh", "ack_on_read",
	"tlp", "rcv_ratio_initial", "rcv_ratio", "rcv_grow", "ecn", "prr", "dsack", "dsack_undo", "rack",
	"frto", "ts_undo", "sack_reneg", NULL,
};

/* The table has exactly the names of sy_timer_limits plus extra (may be
 * NULL), each with a doc line. */
static void check_names(const char *name, const char *extra)
{
	const sy_plugin *p;
	sy_err err;
	size_t n = 0, want = 0;

	p = sy_plugin_load("timers", name, &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	for (const char *const *k = common_names; *k; k++, want++) {
		const sy_param *q = sy_param_find(p->params, *k);

		ck_assert_msg(q != NULL, "timers/%s has no '%s'", name, *k);
		ck_assert_msg(q->doc && *q->doc, "'%s' has no doc", *k);
	}
	if (extra) {
		ck_assert_ptr_nonnull(sy_param_find(p->params, extra));
		want++;
	}
	for (const sy_param *q = p->params; q->name; q++)
		n++;
	ck_assert_uint_eq(n, want);
}

START_TEST(rfc_defaults_exact)
{
	struct prof t;
	char buf[64];

	check_names("rfc", "granularity");
	prof_open(&t, "rfc", NULL);
	limits_eq(t.lim, &rfc_defaults);
	ck_assert_int_ge(sy_param_format(sy_param_find(t.in.plugin->params,
						       "granularity"),
					 t.st, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "1ns");
	ck_assert_int_ge(sy_param_format(sy_param_find(t.in.plugin->params,
						       "syn_retries"),
					 t.st, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "7");
	prof_close(&t);
}
END_TEST

START_TEST(linux_defaults_exact)
{
	struct prof t;

	check_names("linux", NULL);
	prof_open(&t, "linux", NULL);
	limits_eq(t.lim, &linux_defaults);
	prof_close(&t);
}
END_TEST

/* Every parameter set to a value no default has; the limits must show it
 * and nothing else may move. */
static void override_each(const char *name, const sy_timer_limits *def)
{
	static const struct {
		const char *key, *val;
		size_t off;
		int kind;  /* 0: sy_time, 1: int64_t, 2: bool */
		int64_t want;
	} o[] = {
#define D(f, v, w) { #f, v, offsetof(sy_timer_limits, f), 0, w }
#define I(f, v, w) { #f, v, offsetof(sy_timer_limits, f), 1, w }
		D(rto_initial, "1500ms", 1500 * MS),
		D(rto_min, "10ms", 10 * MS),
		D(rto_max, "300s", 300 * SEC),
		I(syn_retries, "3", 3),
		I(synack_retries, "2", 2),
		I(data_retries, "4", 4),
		D(time_wait, "30s", 30 * SEC),
		D(fin_wait2, "45s", 45 * SEC),
		D(syn_received, "20s", 20 * SEC),
		D(user_timeout, "90s", 90 * SEC),
		{ "keepalive", "true", offsetof(sy_timer_limits, keepalive),
		  2, 1 },
		D(keepalive_time, "600s", 600 * SEC),
		D(keepalive_intvl, "5s", 5 * SEC),
		I(keepalive_probes, "3", 3),
		D(delack, "100ms", 100 * MS),
		D(invalid_ack_ratelimit, "0s", 0),
		D(invalid_ack_ratelimit, "1s", 1 * SEC),
		I(orphan_retries, "3", 3),
#undef D
#undef I
	};

	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++) {
		struct sy_test_setting set[] = { { o[i].key, o[i].val }, { NULL } };
		sy_timer_limits want = *def;
		char *w = (char *)&want;
		struct prof t;

		if (o[i].kind == 0)
			*(sy_time *)(w + o[i].off) = o[i].want;
		else if (o[i].kind == 1)
			*(int64_t *)(w + o[i].off) = o[i].want;
		else
			*(bool *)(w + o[i].off) = o[i].want != 0;
		prof_open(&t, name, set);
		limits_eq(t.lim, &want);
		prof_close(&t);
	}
}

START_TEST(rfc_override_each)
{
	override_each("rfc", &rfc_defaults);
}
END_TEST

START_TEST(linux_override_each)
{
	override_each("linux", &linux_defaults);
}
END_TEST

static void consistency(const char *name)
{
	const struct sy_test_setting min_over_max[] = {
		{ "rto_min", "2s" }, { "rto_initial", "3s" },
		{ "rto_max", "1s" }, { NULL },
	};
	const struct sy_test_setting init_below_min[] = {
		{ "rto_min", "2s" }, { "rto_initial", "1s" }, { NULL },
	};
	const struct sy_test_setting init_over_max[] = {
		{ "rto_initial", "500s" }, { "rto_max", "100s" }, { NULL },
	};
	const struct sy_test_setting edge[] = {
		{ "rto_min", "5s" }, { "rto_initial", "5s" },
		{ "rto_max", "5s" }, { NULL },
	};
	struct prof t;

	init_fails(name, min_over_max, "'rto_min' (2s)", "'rto_max' (1s)");
	init_fails(name, init_below_min, "'rto_min' (2s)",
		   "'rto_initial' (1s)");
	init_fails(name, init_over_max, "'rto_initial' (500s)",
		   "'rto_max' (100s)");
	/* Equal bounds are a valid (fixed) RTO. */
	prof_open(&t, name, edge);
	prof_close(&t);
}

START_TEST(consistency_errors)
{
	consistency("rfc");
	consistency("linux");
}
END_TEST

/* Values outside a parameter's range are refused when set, naming it. */
START_TEST(range_errors)
{
	static const struct sy_test_setting bad[] = {
		{ "syn_retries", "-1" }, { "data_retries", "1000" },
		{ "keepalive_probes", "0" }, { "rto_max", "0s" },
		{ "rto_min", "-1s" }, { "granularity", "0s" }, { NULL },
	};

	for (const struct sy_test_setting *b = bad; b->key; b++) {
		sy_value v = { .type = SY_V_STRING, .u.s = b->val };
		sy_instance in;
		sy_err err;

		ck_assert_int_eq(sy_instance_new(&in, sy_plugin_load(
			"timers", "rfc", &err), &err), 0);
		ck_assert_msg(sy_instance_set(&in, b->key, &v, "here", &err)
			      == -1, "%s=%s accepted", b->key, b->val);
		ck_assert_msg(strstr(err.msg, b->key), "%s", err.msg);
		sy_instance_free(&in);
	}
}
END_TEST

/* ---------------------------------------------------------------- backoff */

static void backoff_sequence(const char *name, sy_time max)
{
	struct prof t;
	sy_time want = 1 * SEC;
	sy_rtt r;

	prof_open(&t, name, NULL);
	t.ops->rtt_init(t.st, &r);
	for (int i = 0; i < 100; i++) {
		MUST(rto(&t, &r) == want, "%s: timeout %d is %lld, want %lld",
		     name, i, (long long)rto(&t, &r), (long long)want);
		t.ops->rtt_backoff(t.st, &r);
		want = 2 * want < max ? 2 * want : max;
	}
	/* Doubling stopped at the ceiling: 1 s << 6 = 64 s passes 60 s,
	 * 1 s << 7 = 128 s passes 120 s. */
	ck_assert_uint_eq(r.backoff, max == 60 * SEC ? 6 : 7);
	ck_assert_int_eq(r.rto, 1 * SEC);  /* the base is untouched */
	/* A sample ends the backoff. */
	sample(&t, &r, 10 * MS);
	ck_assert_uint_eq(r.backoff, 0);
	ck_assert_int_eq(rto(&t, &r), r.rto);
	prof_close(&t);
}

START_TEST(backoff_doubles_to_max)
{
	backoff_sequence("rfc", 60 * SEC);
	backoff_sequence("linux", 120 * SEC);
}
END_TEST

/* From 1 ns to a day: 47 doublings, each exact, then the ceiling; and
 * any backoff count, however large, gives rto_max without overflow. */
START_TEST(backoff_no_overflow)
{
	const struct sy_test_setting wide[] = {
		{ "rto_min", "0s" }, { "rto_initial", "1ns" },
		{ "rto_max", "86400s" }, { NULL },
	};
	static const char *const names[] = { "rfc", "linux", NULL };

	for (const char *const *n = names; *n; n++) {
		struct prof t;
		sy_rtt r;

		prof_open(&t, *n, wide);
		t.ops->rtt_init(t.st, &r);
		for (int i = 0; i < 100; i++) {
			sy_time want = i < 47 ? (sy_time)1 << i : 86400 * SEC;

			MUST(rto(&t, &r) == want, "%s: timeout %d is %lld", *n,
			     i, (long long)rto(&t, &r));
			t.ops->rtt_backoff(t.st, &r);
		}
		ck_assert_uint_eq(r.backoff, 47);
		for (unsigned b = 60; b < 70; b++) {
			r.backoff = b;
			ck_assert_int_eq(rto(&t, &r), 86400 * SEC);
		}
		r.backoff = UINT32_MAX;
		ck_assert_int_eq(rto(&t, &r), 86400 * SEC);
		prof_close(&t);
	}
}
END_TEST

/* ---------------------------------------------------------------- give-up */

START_TEST(syn_give_up_times)
{
	struct prof t;

	/* Linux: 6 retries, 7 timeouts: 1+2+4+8+16+32+64 = 127 s. */
	prof_open(&t, "linux", NULL);
	ck_assert_int_eq(give_up_time(&t, t.lim->syn_retries), 127 * SEC);
	/* SYN-ACK: 5 retries: 63 s. */
	ck_assert_int_eq(give_up_time(&t, t.lim->synack_retries), 63 * SEC);
	prof_close(&t);

	/* RFC 1122 4.2.3.5: at least 3 minutes for a SYN;
	 * 1+2+4+8+16+32+60+60 = 183 s. */
	prof_open(&t, "rfc", NULL);
	ck_assert_int_ge(give_up_time(&t, t.lim->syn_retries), 180 * SEC);
	ck_assert_int_eq(give_up_time(&t, t.lim->syn_retries), 183 * SEC);
	ck_assert_int_ge(give_up_time(&t, t.lim->synack_retries), 180 * SEC);
	/* and one retry fewer would not do. */
	ck_assert_int_lt(give_up_time(&t, t.lim->syn_retries - 1), 180 * SEC);
	/* R2 for data >= 100 s, from the smallest RTO (rto_min = 1 s):
	 * 1+2+4+8+16+32+60 = 123 s. */
	ck_assert_int_eq(give_up_time(&t, t.lim->data_retries), 123 * SEC);
	ck_assert_int_lt(give_up_time(&t, t.lim->data_retries - 1), 100 * SEC);
	prof_close(&t);
}
END_TEST

static Suite *timers_suite(void)
{
	Suite *s = suite_create("timers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc_defaults_exact);
	tcase_add_test(tc, linux_defaults_exact);
	tcase_add_test(tc, rfc_override_each);
	tcase_add_test(tc, linux_override_each);
	tcase_add_test(tc, consistency_errors);
	tcase_add_test(tc, range_errors);
	tcase_add_test(tc, backoff_doubles_to_max);
	tcase_add_test(tc, backoff_no_overflow);
	tcase_add_test(tc, syn_give_up_times);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(timers_suite());
}
