#include "config.h"

/* Loss plugins (loss.h) through their ops table, loaded as modules: the
 * models that drop (none, bernoulli, gilbert, list, match).  Those that
 * corrupt, duplicate or delay, and the seeding of all, are tested in
 * check_loss_effects.c.
 *
 * Statistical checks run a fixed seed, so they are deterministic; their
 * tolerances are still stated as a number of standard errors (5, unless
 * said otherwise) of the quantity measured, so that a correct model passes
 * for essentially any seed (a 5-sigma miss has probability below 1e-6 for
 * a normal statistic) and a model off by a few percent of its rate does
 * not. */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "loss.h"
#include "packet.h"
#include "param.h"
#include "plugin.h"
#include "rng.h"
#include "vtime.h"
#include "loss_util.h"
#include "testutil.h"

/* ---------------------------------------------------------------- none */

START_TEST(none_passes_everything)
{
	sy_packet *p = tcp_packet(SY_TCP_ACK, 100, true);
	struct model m;

	model_open(&m, "none", NULL, 1);
	for (int i = 0; i < 10000; i++) {
		struct outcome o = model_apply(&m, p, i & 1, i);

		MUST(o.v == SY_LOSS_PASS && !o.delay && !o.copies &&
		     !o.corrupted, "packet %d touched", i);
	}
	ck_assert(sy_tcp_checksum_ok(p));
	model_close(&m);
	sy_packet_release(pool, p);
}
END_TEST

/* ---------------------------------------------------------------- bernoulli */

/* Drops among n packets; each outcome must be a bare PASS or DROP. */
static uint64_t count_drops(const char *name, const struct sy_test_setting *set,
			    uint64_t seed, uint64_t n)
{
	sy_packet *p = tcp_packet(SY_TCP_ACK, 100, false);
	uint64_t drops = 0;
	struct model m;

	model_open(&m, name, set, seed);
	for (uint64_t i = 0; i < n; i++) {
		struct outcome o = model_apply(&m, p, 0, (sy_time)i);

		MUST(!o.delay && !o.copies && !o.corrupted,
		     "%s changed more than the verdict", name);
		drops += o.v == SY_LOSS_DROP;
	}
	model_close(&m);
	sy_packet_release(pool, p);
	return drops;
}

/* p = 0.1 over n = 10^5 packets: the drop count is binomial, mean 10^4,
 * standard error sqrt(n p (1-p)) = 94.9; tolerance 5 of them (474). */
START_TEST(bernoulli_rate)
{
	static const struct sy_test_setting p01[] = { { "p", "0.1" }, { NULL } };
	static const struct sy_test_setting p0[] = { { "p", "0" }, { NULL } };
	static const struct sy_test_setting p1[] = { { "p", "1" }, { NULL } };
	const double n = 1e5, p = 0.1, se = sqrt(n * p * (1 - p));
	uint64_t d = count_drops("bernoulli", p01, 3, (uint64_t)n);

	ck_assert_msg(fabs((double)d - n * p) <= NSIGMA * se,
		      "%llu drops of %.0f, expected %.0f +- %.0f",
		      (unsigned long long)d, n, n * p, NSIGMA * se);
	ck_assert_uint_eq(count_drops("bernoulli", p0, 3, 10000), 0);
	ck_assert_uint_eq(count_drops("bernoulli", NULL, 3, 10000), 0);
	ck_assert_uint_eq(count_drops("bernoulli", p1, 3, 10000), 10000);
}
END_TEST

START_TEST(bernoulli_bad_p)
{
	const sy_plugin *p;
	sy_instance in;
	sy_value v = { .type = SY_V_STRING, .u.s = "1.5" };
	sy_err err;

	p = sy_plugin_load("loss", "bernoulli", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	ck_assert_int_eq(sy_instance_set(&in, "p", &v, "t", &err), -1);
	ck_assert_msg(strstr(err.msg, "maximum"), "%s", err.msg);
	v.u.s = "-0.1";
	ck_assert_int_eq(sy_instance_set(&in, "p", &v, "t", &err), -1);
	ck_assert_msg(strstr(err.msg, "minimum"), "%s", err.msg);
	sy_instance_free(&in);
}
END_TEST

/* ---------------------------------------------------------------- gilbert */

struct ge {
	const char *p_gb, *p_bg, *loss_good, *loss_bad;
};

/* Long-run loss rate of the chain and the standard error of the loss count
 * over n packets.  Given the states, losses are independent, so
 *   Var(sum) = n [pi_g lg (1-lg) + pi_b lb (1-lb)]
 *            + (lb - lg)^2 Var(time spent in bad),
 * and for a two-state chain with lambda = 1 - p_gb - p_bg,
 *   Var(time in bad) ~ n pi_b pi_g (1 + lambda) / (1 - lambda). */
static void ge_expect(const struct ge *g, double n, double *rate, double *se)
{
	double gb = atof(g->p_gb), bg = atof(g->p_bg);
	double lg = atof(g->loss_good), lb = atof(g->loss_bad);
	double pb = gb / (gb + bg), pg = 1 - pb, lambda = 1 - gb - bg;
	double var = n * (pg * lg * (1 - lg) + pb * lb * (1 - lb)) +
		     (lb - lg) * (lb - lg) * n * pb * pg * (1 + lambda) /
		     (1 - lambda);

	*rate = pg * lg + pb * lb;
	*se = sqrt(var) / n;
}

static const struct ge ges[] = {
	{ "0.05", "0.25", "0", "1" },     /* Gilbert: bursts of mean 4 */
	{ "0.02", "0.1", "0.01", "0.5" }, /* Elliott: loss in both states */
	{ "0.3", "0.6", "0.1", "0.9" },   /* fast mixing */
};

/* n = 2*10^5 packets per configuration; for the first, rate 1/6 with a
 * standard error of 0.0020 (the bursts inflate the binomial 0.0008). */
START_TEST(gilbert_stationary_rate)
{
	const struct ge *g = &ges[_i];
	const struct sy_test_setting set[] = {
		{ "p_gb", g->p_gb }, { "p_bg", g->p_bg },
		{ "loss_good", g->loss_good }, { "loss_bad", g->loss_bad },
		{ NULL }
	};
	const double n = 2e5;
	double rate, se, got;

	ge_expect(g, n, &rate, &se);
	got = (double)count_drops("gilbert", set, 11, (uint64_t)n) / n;
	ck_assert_msg(fabs(got - rate) <= NSIGMA * se,
		      "p_gb %s p_bg %s: rate %.5f, expected %.5f +- %.5f",
		      g->p_gb, g->p_bg, got, rate, NSIGMA * se);
}
END_TEST

/* Runs of consecutive drops.  With loss_good 0 and loss_bad 1 a run is a
 * stay in the bad state, geometric with mean 1/p_bg = 4 and standard
 * deviation sqrt(1 - p_bg)/p_bg = 3.46.  Over 2*10^5 packets there are
 * about n pi_b p_bg = 8300 runs: standard error of the mean run 0.038.
 * Independent losses at the same rate (1/6) make runs of mean
 * 1/(1 - 1/6) = 1.2, which the same measure must tell apart. */
static double mean_run(const char *name, const struct sy_test_setting *set,
		       uint64_t n, uint64_t *runs_out)
{
	sy_packet *p = tcp_packet(SY_TCP_ACK, 0, false);
	uint64_t runs = 0, dropped = 0;
	bool in_run = false;
	struct model m;

	model_open(&m, name, set, 17);
	for (uint64_t i = 0; i < n; i++) {
		bool drop = model_apply(&m, p, 0, 0).v == SY_LOSS_DROP;

		if (drop && !in_run)
			runs++;
		dropped += drop;
		in_run = drop;
	}
	model_close(&m);
	sy_packet_release(pool, p);
	*runs_out = runs;
	return runs ? (double)dropped / (double)runs : 0;
}

START_TEST(gilbert_burst_length)
{
	static const struct sy_test_setting ge[] = {
		{ "p_gb", "0.05" }, { "p_bg", "0.25" }, { NULL }
	};
	static const struct sy_test_setting indep[] = {
		{ "p", "0.1666666666666667" }, { NULL }
	};
	uint64_t runs;
	double mean = mean_run("gilbert", ge, 200000, &runs);
	double se = sqrt(1 - 0.25) / 0.25 / sqrt((double)runs);

	ck_assert_msg(fabs(mean - 4.0) <= NSIGMA * se,
		      "mean burst %.3f over %llu bursts, expected 4 +- %.3f",
		      mean, (unsigned long long)runs, NSIGMA * se);
	mean = mean_run("bernoulli", indep, 200000, &runs);
	ck_assert_msg(fabs(mean - 1.2) < 0.05, "independent runs %.3f", mean);
}
END_TEST

/* Degenerate chains are deterministic. */
START_TEST(gilbert_start_state)
{
	static const struct sy_test_setting stuck_bad[] = {
		{ "p_bg", "0" }, { "start", "bad" }, { NULL }
	};
	static const struct sy_test_setting stuck_good[] = {
		{ "p_gb", "0" }, { "loss_good", "0" }, { NULL }
	};
	/* Starts bad, must leave at once (p_bg 1) and never return. */
	static const struct sy_test_setting leave[] = {
		{ "p_gb", "0" }, { "p_bg", "1" }, { "start", "bad" }, { NULL }
	};

	ck_assert_uint_eq(count_drops("gilbert", stuck_bad, 1, 1000), 1000);
	ck_assert_uint_eq(count_drops("gilbert", stuck_good, 1, 1000), 0);
	ck_assert_uint_eq(count_drops("gilbert", NULL, 1, 1000), 0);
	ck_assert_uint_eq(count_drops("gilbert", leave, 1, 1000), 0);
}
END_TEST

/* ---------------------------------------------------------------- list */

/* Drops among indices 0..n-1 as a bitmap. */
static void list_drops(const char *drop, bool *out, size_t n)
{
	const struct sy_test_setting set[] = { { "drop", drop }, { NULL } };
	sy_packet *p = tcp_packet(SY_TCP_ACK, 0, false);
	struct model m;

	model_open(&m, "list", set, 1);
	for (size_t i = 0; i < n; i++) {
		struct outcome o = model_apply(&m, p, 0, 0);

		MUST(!o.delay && !o.copies && !o.corrupted, "list touched");
		out[i] = o.v == SY_LOSS_DROP;
	}
	model_close(&m);
	sy_packet_release(pool, p);
}

START_TEST(list_drops_exactly)
{
	static const struct {
		const char *drop;
		const char *want; /* indices 0..39, '1' dropped */
	} cases[] = {
		{ "0,3,7-9", "1001000111" },
		{ "", "" },
		{ "  ", "" },
		{ "5", "000001" },
		{ " 12 , 2-4,3, 20-20 ,8-9,10",
		  "001110001110100000001" },
		/* overlapping, adjacent and out of order */
		{ "30-35,0-1,2,34-39,36",
		  "1110000000000000000000000000001111111111" },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		bool got[40];

		list_drops(cases[c].drop, got, 40);
		for (size_t i = 0; i < 40; i++) {
			bool want = i < strlen(cases[c].want) &&
				    cases[c].want[i] == '1';

			ck_assert_msg(got[i] == want, "drop=\"%s\": index %zu "
				      "%s", cases[c].drop, i,
				      got[i] ? "dropped" : "passed");
		}
	}
}
END_TEST

/* The verdict follows ctx->index, not the number of calls. */
START_TEST(list_uses_ctx_index)
{
	static const struct sy_test_setting set[] = {
		{ "drop", "1000000,18446744073709551615" }, { NULL }
	};
	sy_packet *p = tcp_packet(SY_TCP_ACK, 0, false);
	sy_loss_ctx ctx = { .index = 999999 };
	struct model m;

	model_open(&m, "list", set, 1);
	ck_assert_int_eq(m.ops->apply(m.st, p, &ctx), SY_LOSS_PASS);
	ctx.index = 1000000;
	ck_assert_int_eq(m.ops->apply(m.st, p, &ctx), SY_LOSS_DROP);
	ctx.index = 1000001;
	ck_assert_int_eq(m.ops->apply(m.st, p, &ctx), SY_LOSS_PASS);
	ctx.index = UINT64_MAX;
	ck_assert_int_eq(m.ops->apply(m.st, p, &ctx), SY_LOSS_DROP);
	ctx.index = UINT64_MAX - 1;
	ck_assert_int_eq(m.ops->apply(m.st, p, &ctx), SY_LOSS_PASS);
	model_close(&m);
	sy_packet_release(pool, p);
}
END_TEST

START_TEST(list_rejects_malformed)
{
	static const struct {
		const char *drop;
		const char *says[3]; /* substrings of the message */
	} cases[] = {
		{ "1,,2", { "item 2", "character 3", "empty" } },
		{ "3-1",
		  { "\"3-1\"", "character 1", "backwards: 3 is above 1" } },
		{ "x", { "\"x\"", "character 1", "not an index" } },
		{ "-1", { "\"-1\"", "character 1", "negative" } },
		{ "0, 5,x7", { "\"x7\"", "item 3", "character 6" } },
		{ "1,2,", { "item 3", "character 5", "empty" } },
		{ ",1", { "item 1", "character 1", "empty" } },
		{ "4-", { "\"4-\"", "last index", "character 1" } },
		{ "1-2-3", { "\"1-2-3\"", "not an index", "character 1" } },
		{ "1 2", { "\"1 2\"", "not an index", "character 1" } },
		{ "18446744073709551616", { "too large", "character 1", "" } },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct sy_test_setting set[] = {
			{ "drop", cases[c].drop }, { NULL }
		};
		sy_err err;

		init_fails("list", set, &err);
		ck_assert_msg(strstr(err.msg, "loss/list") &&
			      strstr(err.msg, "'drop'"), "%s", err.msg);
		for (int k = 0; k < 3; k++)
			ck_assert_msg(strstr(err.msg, cases[c].says[k]),
				      "drop=\"%s\": \"%s\" not in: %s",
				      cases[c].drop, cases[c].says[k], err.msg);
	}
}
END_TEST

/* ---------------------------------------------------------------- match */

/* A random mix of segments (and some UDP) in both directions. */
struct seg {
	uint8_t flags;
	bool data;
	int dir;
	bool udp;
};

#define NSEGS 3000

static const uint8_t mix[] = {
	SY_TCP_SYN, SY_TCP_SYN | SY_TCP_ACK, SY_TCP_ACK,
	SY_TCP_ACK | SY_TCP_PSH, SY_TCP_FIN | SY_TCP_ACK, SY_TCP_RST,
	SY_TCP_RST | SY_TCP_ACK, SY_TCP_ACK | SY_TCP_ECE,
	SY_TCP_SYN | SY_TCP_ACK | SY_TCP_ECE | SY_TCP_CWR, SY_TCP_FIN,
};

static void make_segs(struct seg *s, size_t n)
{
	sy_rng r;

	sy_rng_stream(&r, 5, "segments", 0);
	for (size_t i = 0; i < n; i++) {
		s[i].flags = mix[sy_rng_below(&r, sizeof mix)];
		s[i].data = sy_rng_below(&r, 2);
		s[i].dir = (int)sy_rng_below(&r, 2);
		s[i].udp = sy_rng_below(&r, 10) == 0;
	}
}

struct mconf {
	const char *flags;    /* as given to the plugin */
	int want;             /* SYN/ACK/FIN/RST bits, -1 any */
	const char *has_data; /* "any", "yes", "no" */
	const char *dir;      /* "any", "forward", "reverse" */
	const char *nth, *count;
};

static const struct mconf mconfs[] = {
	{ "SYN+ACK", SY_TCP_SYN | SY_TCP_ACK, "any", "any", "1", "2" },
	{ "ACK", SY_TCP_ACK, "no", "any", "7", "1" },
	{ "ACK", SY_TCP_ACK, "yes", "forward", "3", "5" },
	{ "any", -1, "any", "reverse", "1", "0" },
	{ "FIN", SY_TCP_FIN, "any", "any", "2", "3" },
	{ " rst + ack ", SY_TCP_RST | SY_TCP_ACK, "any", "forward", "10", "0" },
	{ "SYN", SY_TCP_SYN, "no", "reverse", "4", "4" },
	{ "FIN+ACK", SY_TCP_FIN | SY_TCP_ACK, "yes", "any", "1", "1000" },
};

#define NMCONFS ((int)(sizeof mconfs / sizeof mconfs[0]))

/* Against a predicate written out here: every verdict, every segment. */
START_TEST(match_drops_nth_to_count)
{
	const struct mconf *c = &mconfs[_i];
	const struct sy_test_setting set[] = {
		{ "flags", c->flags }, { "has_data", c->has_data },
		{ "direction", c->dir }, { "nth", c->nth },
		{ "count", c->count }, { NULL }
	};
	uint64_t nth = strtoull(c->nth, NULL, 10);
	uint64_t count = strtoull(c->count, NULL, 10);
	uint64_t seen = 0, dropped = 0;
	static struct seg segs[NSEGS];
	struct model m;

	make_segs(segs, NSEGS);
	model_open(&m, "match", set, 1);
	for (size_t i = 0; i < NSEGS; i++) {
		const struct seg *s = &segs[i];
		sy_packet *p = s->udp ? udp_packet()
				      : tcp_packet(s->flags, s->data ? 10 : 0,
						   false);
		bool want_drop = false, is = !s->udp;
		struct outcome o;

		if (c->want >= 0 &&
		    (s->flags & (SY_TCP_SYN | SY_TCP_ACK | SY_TCP_FIN |
				 SY_TCP_RST)) != c->want)
			is = false;
		if ((!strcmp(c->has_data, "yes") && !s->data) ||
		    (!strcmp(c->has_data, "no") && s->data))
			is = false;
		if ((!strcmp(c->dir, "forward") && s->dir != 0) ||
		    (!strcmp(c->dir, "reverse") && s->dir != 1))
			is = false;
		if (is) {
			seen++;
			want_drop = seen >= nth &&
				    (count == 0 || seen < nth + count);
		}
		o = model_apply(&m, p, s->dir, (sy_time)i);
		MUST((o.v == SY_LOSS_DROP) == want_drop,
		     "flags=\"%s\": segment %zu (flags %#x, %s, dir %d%s): %s",
		     c->flags, i, s->flags, s->data ? "data" : "no data",
		     s->dir, s->udp ? ", UDP" : "",
		     want_drop ? "passed" : "dropped");
		MUST(!o.delay && !o.copies && !o.corrupted, "match touched");
		dropped += want_drop;
		sy_packet_release(pool, p);
	}
	/* Each configuration must have something to do. */
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_gt(seen, nth);
	model_close(&m);
}
END_TEST

/* The brief's examples, on a real exchange: a SYN whose SYN-ACK is lost
 * twice, then data and a close whose last ACK is lost. */
START_TEST(match_examples)
{
	static const struct { uint8_t flags; uint32_t len; int dir; } ex[] = {
		{ SY_TCP_SYN, 0, 0 },
		{ SY_TCP_SYN | SY_TCP_ACK, 0, 1 },   /* lost */
		{ SY_TCP_SYN | SY_TCP_ACK, 0, 1 },   /* lost */
		{ SY_TCP_SYN | SY_TCP_ACK, 0, 1 },
		{ SY_TCP_ACK, 0, 0 },                /* pure ACK 1 */
		{ SY_TCP_ACK | SY_TCP_PSH, 500, 0 },
		{ SY_TCP_ACK, 0, 1 },                /* pure ACK 2 */
		{ SY_TCP_FIN | SY_TCP_ACK, 0, 0 },
		{ SY_TCP_FIN | SY_TCP_ACK, 0, 1 },
		{ SY_TCP_ACK, 0, 0 },                /* pure ACK 3: lost */
	};
	static const struct sy_test_setting synack[] = {
		{ "flags", "SYN+ACK" }, { "count", "2" }, { NULL }
	};
	static const struct sy_test_setting last_ack[] = {
		{ "flags", "ACK" }, { "has_data", "no" }, { "nth", "3" },
		{ NULL }
	};
	const struct sy_test_setting *sets[] = { synack, last_ack };
	const char *want[] = { "0110000000", "0000000001" };

	for (int k = 0; k < 2; k++) {
		struct model m;

		model_open(&m, "match", sets[k], 1);
		for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
			sy_packet *p = tcp_packet(ex[i].flags, ex[i].len, true);
			struct outcome o = model_apply(&m, p, ex[i].dir, 0);

			ck_assert_msg((o.v == SY_LOSS_DROP) ==
				      (want[k][i] == '1'),
				      "example %d, segment %zu", k, i);
			sy_packet_release(pool, p);
		}
		model_close(&m);
	}
}
END_TEST

START_TEST(match_rejects_bad_flags)
{
	static const struct {
		const char *flags;
		const char *says;
	} cases[] = {
		{ "SYN+PSH", "\"PSH\"" },
		{ "SYN++ACK", "character 5" },
		{ "", "missing flag" },
		{ "SYN+", "missing flag" },
		{ "any+SYN", "any" },
		{ "SYN+syn", "twice" },
		{ "SYNACK", "\"SYNACK\"" },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct sy_test_setting set[] = {
			{ "flags", cases[c].flags }, { NULL }
		};
		sy_err err;

		init_fails("match", set, &err);
		ck_assert_msg(strstr(err.msg, "loss/match") &&
			      strstr(err.msg, "'flags'") &&
			      strstr(err.msg, cases[c].says),
			      "flags=\"%s\": %s", cases[c].flags, err.msg);
	}
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *loss_suite(void)
{
	Suite *s = suite_create("loss");
	TCase *tc[] = {
		tcase_create("none"), tcase_create("bernoulli"),
		tcase_create("gilbert"), tcase_create("list"),
		tcase_create("match"),
	};

	tcase_add_test(tc[0], none_passes_everything);
	tcase_add_test(tc[1], bernoulli_rate);
	tcase_add_test(tc[1], bernoulli_bad_p);
	tcase_add_loop_test(tc[2], gilbert_stationary_rate, 0,
			    (int)(sizeof ges / sizeof ges[0]));
	tcase_add_test(tc[2], gilbert_burst_length);
	tcase_add_test(tc[2], gilbert_start_state);
	tcase_add_test(tc[3], list_drops_exactly);
	tcase_add_test(tc[3], list_uses_ctx_index);
	tcase_add_test(tc[3], list_rejects_malformed);
	tcase_add_loop_test(tc[4], match_drops_nth_to_count, 0, NMCONFS);
	tcase_add_test(tc[4], match_examples);
	tcase_add_test(tc[4], match_rejects_bad_flags);
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		/* Generous: the sanitizer build is several times slower. */
		tcase_set_timeout(tc[i], 120);
		tcase_add_checked_fixture(tc[i], pool_setup, pool_teardown);
		suite_add_tcase(s, tc[i]);
	}
	return s;
}

int main(void)
{
	return sy_test_main(loss_suite());
}
