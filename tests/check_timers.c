#include "config.h"

/* Timer profiles (timers.h), loaded as modules: timers/rfc and
 * timers/linux.
 *
 * Expected values are written out by hand from the rules they come from
 * (RFC 6298 for rfc, the kernel's tcp_rtt_estimator for linux), in exact
 * nanoseconds; the derivation of each is next to it.  One test also runs
 * the RFC estimator against an independent floating-point computation, with
 * tolerances derived from the single rounding per update that the plugin
 * documents. */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "timers.h"
#include "vtime.h"
#include "testutil.h"

#define MS SY_MS
#define SEC SY_SEC

/* A failing check only, for loops. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

/* ---------------------------------------------------------------- harness */

struct prof {
	sy_instance in;
	const sy_timers_ops *ops;
	const void *st;
	const sy_timer_limits *lim;
};

/* Every setting must be accepted; init may refuse. */
static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	ck_assert_msg(sy_test_configure(in, "timers", name, set, err) == 0,
		      "%s", err->msg);
	return sy_instance_init(in, NULL, err);
}

/* Loads, configures (set ends at a NULL key; may be NULL) and inits. */
static void prof_open(struct prof *t, const char *name,
		      const struct sy_test_setting *set)
{
	sy_err err;

	ck_assert_msg(instance(&t->in, name, set, &err) == 0, "%s", err.msg);
	t->ops = t->in.plugin->ops;
	t->st = t->in.state;
	ck_assert_ptr_nonnull(t->ops);
	ck_assert_ptr_nonnull(t->ops->limits);
	ck_assert_ptr_nonnull(t->ops->rtt_init);
	ck_assert_ptr_nonnull(t->ops->rtt_sample);
	ck_assert_ptr_nonnull(t->ops->rtt_backoff);
	ck_assert_ptr_nonnull(t->ops->rto);
	t->lim = t->ops->limits(t->st);
	ck_assert_ptr_nonnull(t->lim);
}

static void prof_close(struct prof *t)
{
	sy_instance_free(&t->in);
}

/* The init error of a configuration that must be refused; its message
 * must name the profile and the parameters a and b. */
static void init_fails(const char *name, const struct sy_test_setting *set,
		       const char *a, const char *b)
{
	sy_instance in;
	sy_err err;
	char id[64];

	ck_assert_msg(instance(&in, name, set, &err) == -1,
		      "timers/%s accepted %s=%s", name, set->key, set->val);
	snprintf(id, sizeof id, "timers/%s", name);
	ck_assert_msg(strstr(err.msg, id), "no '%s' in: %s", id, err.msg);
	ck_assert_msg(strstr(err.msg, a), "no '%s' in: %s", a, err.msg);
	ck_assert_msg(strstr(err.msg, b), "no '%s' in: %s", b, err.msg);
	sy_instance_free(&in);
}

static void sample(const struct prof *t, sy_rtt *r, sy_time rtt)
{
	t->ops->rtt_sample(t->st, r, rtt);
}

static sy_time rto(const struct prof *t, const sy_rtt *r)
{
	return t->ops->rto(t->st, r);
}

/* Sum of the timeouts of a connection that retries n times from a fresh
 * estimator and then gives up: n + 1 RTOs, backing off after each. */
static sy_time give_up_time(const struct prof *t, int n)
{
	sy_time sum = 0;
	sy_rtt r;

	t->ops->rtt_init(t->st, &r);
	for (int i = 0; i <= n; i++) {
		sum += rto(t, &r);
		t->ops->rtt_backoff(t->st, &r);
	}
	return sum;
}

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
	"frto", "ts_undo", NULL,
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

/* ---------------------------------------------------------------- rfc */

START_TEST(rfc_first_samples)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	/* Before a sample: RTO = rto_initial. */
	prof_open(&t, "rfc", NULL);
	t.ops->rtt_init(t.st, &r);
	ck_assert_int_eq(r.samples, 0);
	ck_assert_int_eq(r.backoff, 0);
	ck_assert_int_eq(r.rto, 1 * SEC);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	/* R = 100 ms: SRTT = 100 ms, RTTVAR = 50 ms,
	 * RTO = max(1 s, 100 + 4*50 ms) = 1 s. */
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.samples, 1);
	ck_assert_int_eq(r.srtt, 100 * MS);
	ck_assert_int_eq(r.rttvar, 50 * MS);
	ck_assert_int_eq(r.rto, 1 * SEC);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	prof_close(&t);

	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	/* Without the floor: 100 + 200 = 300 ms. */
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.rto, 300 * MS);
	/* R' = 200 ms: RTTVAR = 3/4*50 + 1/4*|100 - 200| = 62.5 ms (with
	 * the SRTT before the update), SRTT = 7/8*100 + 1/8*200 = 112.5 ms,
	 * RTO = 112.5 + 4*62.5 = 362.5 ms. */
	sample(&t, &r, 200 * MS);
	ck_assert_int_eq(r.samples, 2);
	ck_assert_int_eq(r.rttvar, 62500000);
	ck_assert_int_eq(r.srtt, 112500000);
	ck_assert_int_eq(r.rto, 362500000);
	ck_assert_int_eq(rto(&t, &r), 362500000);
	/* Had SRTT been updated first, RTTVAR would be 3/4*50 +
	 * 1/4*87.5 = 59.375 ms; the order matters and is RFC 6298's. */
	prof_close(&t);
}
END_TEST

/* The clock-granularity term and the ceiling. */
START_TEST(rfc_granularity_and_max)
{
	const struct sy_test_setting g[] = {
		{ "rto_min", "0s" }, { "granularity", "500ms" }, { NULL },
	};
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	/* RTO = 100 + max(500, 4*50) = 600 ms. */
	prof_open(&t, "rfc", g);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.rto, 600 * MS);
	prof_close(&t);

	/* A zero RTT: RTTVAR = 0 and RTO = 0 + max(G, 0) = G = 1 ns by
	 * default, never 0. */
	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 0);
	ck_assert_int_eq(r.rttvar, 0);
	ck_assert_int_eq(r.rto, 1);
	/* A jitter-free path: RTTVAR decays geometrically; rounded to the
	 * nearest nanosecond it settles at 1 ns (3/4 of 1 ns rounds to 1),
	 * and RTO at SRTT + 4 ns. */
	t.ops->rtt_init(t.st, &r);
	for (int i = 0; i < 200; i++)
		sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.srtt, 100 * MS);
	ck_assert_int_eq(r.rttvar, 1);
	ck_assert_int_eq(r.rto, 100 * MS + 4);
	/* 400 s: SRTT = 0.1 + 399.9/8 s = 50.0875 s, RTTVAR about 100 s:
	 * RTO is rto_max = 60 s. */
	sample(&t, &r, 400 * SEC);
	ck_assert_int_eq(r.srtt, 50087500000);
	ck_assert_int_eq(r.rto, 60 * SEC);
	/* No overflow from absurd samples: the RTO saturates at rto_max. */
	sample(&t, &r, INT64_MAX);
	ck_assert_int_eq(r.rto, 60 * SEC);
	ck_assert_int_ge(r.srtt, 0);
	ck_assert_int_ge(r.rttvar, 0);
	prof_close(&t);
}
END_TEST

/* A deterministic sequence of samples (1 ms to about 2 s, odd
 * nanoseconds included) against double-precision RFC 6298.
 *   Per step: from the plugin's own SRTT and RTTVAR, the exact update is
 *   within 1 ns of the plugin's (it rounds once, to half a nanosecond),
 *   and RTO is exactly SRTT + max(G, 4*RTTVAR) of its integers, clamped.
 *   Free-running: the rounding errors are forgotten geometrically: for
 *   SRTT e' = 7/8 e + 1/2 gives |e| <= 4 ns, for RTTVAR
 *   e' = 3/4 e + 1/4 * 4 + 1/2 gives |e| <= 6 ns, and RTO, SRTT + 4*RTTVAR,
 *   is within 4 + 24 = 28 ns.  (Double precision at 2e9 ns is far below
 *   1e-6 ns.) */
START_TEST(rfc_against_float)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	uint64_t x = 0x9e3779b97f4a7c15u;
	double fs = 0, fv = 0;
	struct prof t;
	sy_rtt r;

	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	for (int i = 0; i < 5000; i++) {
		double ps = (double)r.srtt, pv = (double)r.rttvar, es, ev;
		sy_time rtt, want;

		x = x * 6364136223846793005u + 1442695040888963407u;
		rtt = 1 * MS + (sy_time)((x >> 33) % (2 * SEC));
		if (i % 500 == 250)  /* a plateau, then a spike */
			rtt = 5 * SEC;
		sample(&t, &r, rtt);
		if (i == 0) {
			es = (double)rtt;
			ev = (double)rtt / 2;
			fs = es;
			fv = ev;
		} else {
			ev = 0.75 * pv + 0.25 * fabs(ps - (double)rtt);
			es = 0.875 * ps + 0.125 * (double)rtt;
			fv = 0.75 * fv + 0.25 * fabs(fs - (double)rtt);
			fs = 0.875 * fs + 0.125 * (double)rtt;
		}
		MUST(fabs((double)r.srtt - es) <= 1.0,
		     "step %d: SRTT %lld, exact %.3f", i, (long long)r.srtt,
		     es);
		MUST(fabs((double)r.rttvar - ev) <= 1.0,
		     "step %d: RTTVAR %lld, exact %.3f", i,
		     (long long)r.rttvar, ev);
		want = r.srtt + (4 * r.rttvar > 1 ? 4 * r.rttvar : 1);
		if (want > 60 * SEC)
			want = 60 * SEC;
		MUST(r.rto == want, "step %d: RTO %lld, want %lld", i,
		     (long long)r.rto, (long long)want);
		MUST(fabs((double)r.srtt - fs) <= 4.0,
		     "step %d: SRTT %lld drifted from %.3f", i,
		     (long long)r.srtt, fs);
		MUST(fabs((double)r.rttvar - fv) <= 6.0,
		     "step %d: RTTVAR %lld drifted from %.3f", i,
		     (long long)r.rttvar, fv);
		MUST(fabs((double)r.rto - fmin(fs + fmax(1.0, 4 * fv), 60e9))
		     <= 28.0, "step %d: RTO %lld drifted", i,
		     (long long)r.rto);
	}
	prof_close(&t);
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

/* ---------------------------------------------------------------- linux */

/* The kernel's rules (linux.c, top comment), by hand, with rto_min 200 ms:
 *
 *   R      SRTT         MDEV            rttvar            RTO
 *   100    100          50              max(200, 200)=200 300
 *   100    100          50-50/4=37.5    M=max(150,200)=200; 200 >= 200,
 *                                       no decay: 200     300
 *   300    100+200/8    37.5+(200-37.5)/4
 *          =125         =78.125         M=312.5 > 200: 312.5
 *                                                         437.5
 *   50     125-75/8     |err| 75 < MDEV 78.125: d = -3.125, gain 1/4
 *          =115.625     =77.34375       M=309.375 < 312.5:
 *                                       312.5-3.125/4=311.71875
 *                                                         427.34375
 *   10     115.625-105.625/8            |err| 105.625 > MDEV, falling:
 *          =102.421875  gain 1/32: 77.34375+28.28125/32
 *                       =78.2275390625 -> 78.227539 (ns)
 *                                       M=312.910156 > rttvar: M
 *                                                         415.332031
 *          (with the RFC's gain 1/4, MDEV would be 84.41 ms and RTO
 *          about 440 ms)
 *   100    102.421875-2.421875/8        |err| 2.421875 < MDEV, gain 1/4:
 *          =102.1191406 -> 102.119141   78.227539-75.805664/4
 *                       =59.276123      M=237.104492 < 312.910156:
 *                                       312.910156-75.805664/4
 *                                       =293.958740       396.077881
 * (ms; the last digits are nanoseconds, rounded once per update). */
START_TEST(linux_estimator_by_hand)
{
	static const struct {
		sy_time r, srtt, mdev, rto;
	} step[] = {
		{ 100 * MS, 100000000, 50000000, 300000000 },
		{ 100 * MS, 100000000, 37500000, 300000000 },
		{ 300 * MS, 125000000, 78125000, 437500000 },
		{ 50 * MS, 115625000, 77343750, 427343750 },
		{ 10 * MS, 102421875, 78227539, 415332031 },
		{ 100 * MS, 102119141, 59276123, 396077881 },
	};
	struct prof t;
	sy_rtt r;

	prof_open(&t, "linux", NULL);
	t.ops->rtt_init(t.st, &r);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	for (size_t i = 0; i < sizeof step / sizeof step[0]; i++) {
		sample(&t, &r, step[i].r);
		ck_assert_msg(r.srtt == step[i].srtt, "%zu: SRTT %lld", i,
			      (long long)r.srtt);
		ck_assert_msg(r.rttvar == step[i].mdev, "%zu: MDEV %lld", i,
			      (long long)r.rttvar);
		ck_assert_msg(r.rto == step[i].rto, "%zu: RTO %lld", i,
			      (long long)r.rto);
		ck_assert_int_eq(rto(&t, &r), step[i].rto);
	}
	ck_assert_uint_eq(r.samples, 6);
	prof_close(&t);
}
END_TEST

/* RTO >= SRTT + rto_min: a LAN's RTO is about 200 ms; and the ceiling. */
START_TEST(linux_floor_and_ceiling)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	prof_open(&t, "linux", NULL);
	t.ops->rtt_init(t.st, &r);
	/* 1 ms: rttvar = max(2 ms, 200 ms): RTO = 201 ms. */
	sample(&t, &r, 1 * MS);
	ck_assert_int_eq(r.rto, 201 * MS);
	/* a steady path keeps it there (MDEV decays, rttvar stays at
	 * rto_min). */
	for (int i = 0; i < 100; i++)
		sample(&t, &r, 1 * MS);
	ck_assert_int_eq(r.rto, 201 * MS);
	/* 1000 s: SRTT alone passes 120 s. */
	sample(&t, &r, 1000 * SEC);
	ck_assert_int_gt(r.srtt, 120 * SEC);
	ck_assert_int_eq(r.rto, 120 * SEC);
	/* back to 1 ms: RTO follows down but stays >= SRTT + rto_min. */
	for (int i = 0; i < 200; i++) {
		sample(&t, &r, 1 * MS);
		MUST(r.rto >= r.srtt + 200 * MS && r.rto <= 120 * SEC,
		     "step %d: RTO %lld, SRTT %lld", i, (long long)r.rto,
		     (long long)r.srtt);
	}
	sample(&t, &r, INT64_MAX);
	ck_assert_int_eq(r.rto, 120 * SEC);
	prof_close(&t);

	/* rto_min 0 and a zero RTT: RTO 3R = 0 would fire for ever in the
	 * same instant; it is 1 ns. */
	prof_open(&t, "linux", min0);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 0);
	ck_assert_int_eq(r.rto, 1);
	/* Without a floor, 3R exactly. */
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 30 * MS);
	ck_assert_int_eq(r.rto, 90 * MS);
	prof_close(&t);
}
END_TEST

/* The two profiles agree on a first sample whose 2R passes both floors,
 * and differ afterwards exactly where the kernel differs from the RFC. */
START_TEST(profiles_compared)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof a, b;
	sy_rtt ra, rb;

	prof_open(&a, "rfc", min0);
	prof_open(&b, "linux", min0);
	a.ops->rtt_init(a.st, &ra);
	b.ops->rtt_init(b.st, &rb);
	sample(&a, &ra, 400 * MS);
	sample(&b, &rb, 400 * MS);
	ck_assert_int_eq(ra.rto, rb.rto);  /* 3R = 1.2 s */
	ck_assert_int_eq(ra.rto, 1200 * MS);
	/* A rising sample: same gains, same MDEV and SRTT; RTO the same
	 * since rttvar rises at once to 4*MDEV. */
	sample(&a, &ra, 800 * MS);
	sample(&b, &rb, 800 * MS);
	ck_assert_int_eq(ra.srtt, rb.srtt);
	ck_assert_int_eq(ra.rttvar, rb.rttvar);
	ck_assert_int_eq(ra.rto, rb.rto);
	/* A falling one: RFC MDEV gain 1/4, Linux 1/32 when |err| > MDEV. */
	sample(&a, &ra, 10 * MS);
	sample(&b, &rb, 10 * MS);
	ck_assert_int_eq(ra.srtt, rb.srtt);
	ck_assert_int_gt(ra.rttvar, rb.rttvar);
	prof_close(&a);
	prof_close(&b);
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
	tcase_add_test(tc, rfc_first_samples);
	tcase_add_test(tc, rfc_granularity_and_max);
	tcase_add_test(tc, rfc_against_float);
	tcase_add_test(tc, backoff_doubles_to_max);
	tcase_add_test(tc, backoff_no_overflow);
	tcase_add_test(tc, syn_give_up_times);
	tcase_add_test(tc, linux_estimator_by_hand);
	tcase_add_test(tc, linux_floor_and_ceiling);
	tcase_add_test(tc, profiles_compared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(timers_suite());
}
