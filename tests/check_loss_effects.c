#include "config.h"

/* Loss plugins (loss.h) through their ops table, loaded as modules: the
 * models that corrupt, duplicate or delay rather than drop, and the
 * seeding of every model.  The dropping models are tested in check_loss.c,
 * whose statistical tolerances these follow: 5 standard errors of the
 * quantity measured, unless said otherwise. */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "loss.h"
#include "packet.h"
#include "plugin.h"
#include "rng.h"
#include "vtime.h"
#include "loss_util.h"
#include "testutil.h"

/* ---------------------------------------------------------------- corrupt */

/* p = 0.1 over n = 2*10^4 fresh segments (real and virtual payloads, and
 * some without payload): binomial count, mean 2000, standard error 42.4.
 * Every corrupted segment fails its TCP checksum and keeps a valid IPv4
 * header; every other one is untouched. */
START_TEST(corrupt_rate_and_checksums)
{
	static const struct sy_test_setting set[] = { { "p", "0.1" }, { NULL } };
	const double n = 2e4, p = 0.1, se = sqrt(n * p * (1 - p));
	uint64_t hits = 0;
	struct model m;

	model_open(&m, "corrupt", set, 23);
	for (int i = 0; i < (int)n; i++) {
		uint32_t len = (uint32_t)(i % 3) * 500;
		sy_packet *pk = tcp_packet(SY_TCP_ACK, len, i % 2);
		struct outcome o = model_apply(&m, pk, 0, i);
		sy_ipv4 h;

		MUST(o.v == SY_LOSS_PASS && !o.delay && !o.copies,
		     "corrupt did more than corrupt");
		MUST(o.corrupted == !sy_tcp_checksum_ok(pk),
		     "packet %d: corrupted %d but checksum %s", i, o.corrupted,
		     sy_tcp_checksum_ok(pk) ? "good" : "bad");
		MUST(sy_ipv4_read(pk, &h, NULL) == 0, "IPv4 header damaged");
		hits += o.corrupted;
		sy_packet_release(pool, pk);
	}
	ck_assert_msg(fabs((double)hits - n * p) <= NSIGMA * se,
		      "%llu corrupted of %.0f, expected %.0f +- %.0f",
		      (unsigned long long)hits, n, n * p, NSIGMA * se);
	model_close(&m);
}
END_TEST

/* ---------------------------------------------------------------- duplicate */

/* p = 0.2 over n = 10^5: mean 2*10^4 copies, standard error 126. */
START_TEST(duplicate_rate)
{
	static const struct sy_test_setting set[] = { { "p", "0.2" }, { NULL } };
	const double n = 1e5, p = 0.2, se = sqrt(n * p * (1 - p));
	sy_packet *pk = tcp_packet(SY_TCP_ACK, 100, false);
	uint64_t copies = 0;
	struct model m;

	model_open(&m, "duplicate", set, 29);
	for (int i = 0; i < (int)n; i++) {
		struct outcome o = model_apply(&m, pk, 0, i);

		MUST(o.v == SY_LOSS_PASS && !o.delay && !o.corrupted &&
		     o.copies <= 1, "duplicate: %u copies", o.copies);
		copies += o.copies;
	}
	ck_assert_msg(fabs((double)copies - n * p) <= NSIGMA * se,
		      "%llu copies of %.0f, expected %.0f +- %.0f",
		      (unsigned long long)copies, n, n * p, NSIGMA * se);
	model_close(&m);
	sy_packet_release(pool, pk);
}
END_TEST

/* ---------------------------------------------------------------- reorder */

/* p = 0.1, delay 10ms, no jitter, n = 10^5: the delay is 0 or exactly
 * 10ms, the latter binomial with mean 10^4, standard error 94.9. */
START_TEST(reorder_delay_rate)
{
	static const struct sy_test_setting set[] = {
		{ "p", "0.1" }, { "delay", "10ms" }, { NULL }
	};
	const double n = 1e5, p = 0.1, se = sqrt(n * p * (1 - p));
	sy_packet *pk = tcp_packet(SY_TCP_ACK, 100, false);
	uint64_t held = 0;
	struct model m;

	model_open(&m, "reorder", set, 31);
	for (int i = 0; i < (int)n; i++) {
		struct outcome o = model_apply(&m, pk, 0, i);

		MUST(o.v == SY_LOSS_PASS && !o.copies && !o.corrupted,
		     "reorder did more than delay");
		MUST(o.delay == 0 || o.delay == 10 * SY_MS, "delay %lld",
		     (long long)o.delay);
		held += o.delay != 0;
	}
	ck_assert_msg(fabs((double)held - n * p) <= NSIGMA * se,
		      "%llu delayed of %.0f, expected %.0f +- %.0f",
		      (unsigned long long)held, n, n * p, NSIGMA * se);
	model_close(&m);

	/* The default: no reordering at all. */
	model_open(&m, "reorder", NULL, 31);
	for (int i = 0; i < 10000; i++)
		MUST(model_apply(&m, pk, 0, i).delay == 0, "default delays");
	model_close(&m);
	sy_packet_release(pool, pk);
}
END_TEST

/* jitter 1ms, n = 10^5: every delay in [0, 1ms]; uniform, so the mean is
 * 0.5ms with standard error 1ms/sqrt(12 n) = 0.91us, and the extremes
 * come within 0.1% of the bounds (each missed with probability
 * (1 - 0.001)^n = e^-100).  With p = 0.1 and delay 10ms besides, the
 * delays fall in [0, 1ms] and [10ms, 11ms]. */
START_TEST(reorder_jitter_bounds)
{
	static const struct sy_test_setting jit[] = {
		{ "jitter", "1ms" }, { NULL }
	};
	static const struct sy_test_setting both[] = {
		{ "p", "0.1" }, { "delay", "10ms" }, { "jitter", "1ms" },
		{ NULL }
	};
	const double n = 1e5, se = 1e6 / sqrt(12 * n);
	sy_packet *pk = tcp_packet(SY_TCP_ACK, 100, false);
	sy_time lo = SY_TIME_NEVER, hi = -1;
	double sum = 0;
	uint64_t held = 0;
	struct model m;

	model_open(&m, "reorder", jit, 37);
	for (int i = 0; i < (int)n; i++) {
		sy_time d = model_apply(&m, pk, 0, i).delay;

		MUST(d >= 0 && d <= SY_MS, "jitter %lld out of [0, 1ms]",
		     (long long)d);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += (double)d;
	}
	model_close(&m);
	ck_assert_msg(fabs(sum / n - 5e5) <= NSIGMA * se, "mean jitter %.0f ns",
		      sum / n);
	ck_assert_int_lt(lo, SY_US);
	ck_assert_int_gt(hi, SY_MS - SY_US);

	model_open(&m, "reorder", both, 37);
	for (int i = 0; i < (int)n; i++) {
		sy_time d = model_apply(&m, pk, 0, i).delay;

		MUST((d >= 0 && d <= SY_MS) ||
		     (d >= 10 * SY_MS && d <= 11 * SY_MS), "delay %lld",
		     (long long)d);
		held += d >= 10 * SY_MS;
	}
	ck_assert_msg(fabs((double)held - 1e4) <= NSIGMA * 94.9, "%llu held",
		      (unsigned long long)held);
	model_close(&m);
	sy_packet_release(pool, pk);
}
END_TEST

/* Jitter alone reorders packets sent closer together than the jitter and
 * never those sent at least the jitter apart. */
static uint64_t inversions(sy_time spacing, uint64_t n)
{
	static const struct sy_test_setting set[] = { { "jitter", "1ms" }, { NULL } };
	sy_packet *pk = tcp_packet(SY_TCP_ACK, 100, false);
	sy_time prev = -1;
	uint64_t inv = 0;
	struct model m;

	model_open(&m, "reorder", set, 41);
	for (uint64_t i = 0; i < n; i++) {
		sy_time t = (sy_time)i * spacing;
		sy_time arrive = t + model_apply(&m, pk, 0, t).delay;

		inv += arrive < prev;
		prev = arrive;
	}
	model_close(&m);
	sy_packet_release(pool, pk);
	return inv;
}

START_TEST(reorder_jitter_reorders)
{
	ck_assert_uint_gt(inversions(100 * SY_US, 10000), 1000);
	ck_assert_uint_eq(inversions(SY_MS, 10000), 0);
	ck_assert_uint_eq(inversions(5 * SY_MS, 10000), 0);
}
END_TEST

/* ---------------------------------------------------------------- seeds */

struct rconf {
	const char *plugin;
	struct sy_test_setting set[4];
	bool random;  /* different seeds must give different outcomes */
};

static const struct rconf rconfs[] = {
	{ "none", { { NULL } }, false },
	{ "bernoulli", { { "p", "0.3" }, { NULL } }, true },
	{ "gilbert", { { "p_gb", "0.1" }, { "p_bg", "0.3" }, { NULL } }, true },
	{ "list", { { "drop", "1,5,9-20" }, { NULL } }, false },
	{ "match", { { "flags", "ACK" }, { "nth", "3" }, { "count", "50" },
		     { NULL } }, false },
	{ "corrupt", { { "p", "0.3" }, { NULL } }, true },
	{ "duplicate", { { "p", "0.3" }, { NULL } }, true },
	{ "reorder", { { "p", "0.3" }, { "jitter", "1ms" }, { NULL } }, true },
};

#define NRCONFS ((int)(sizeof rconfs / sizeof rconfs[0]))

/* A digest of n outcomes and of the packets' bytes afterwards (corrupt's
 * choice of bit counts too). */
static uint64_t run_digest(const struct rconf *c, uint64_t seed, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char wire[1600];
	struct model m;

	model_open(&m, c->plugin, c->set, seed);
	for (int i = 0; i < n; i++) {
		sy_packet *pk = tcp_packet(i % 4 ? SY_TCP_ACK : SY_TCP_SYN,
					   200, i % 2);
		struct outcome o = model_apply(&m, pk, i % 3 == 0, i);
		uint64_t words[4] = {
			(uint64_t)o.v, (uint64_t)o.delay, o.copies,
			o.corrupted,
		};
		size_t len = sy_packet_wire(pk, wire, sizeof wire);

		for (size_t k = 0; k < sizeof words; k++) {
			h ^= ((unsigned char *)words)[k];
			h *= 0x100000001b3ULL;
		}
		for (size_t k = 0; k < len; k++) {
			h ^= wire[k];
			h *= 0x100000001b3ULL;
		}
		sy_packet_release(pool, pk);
	}
	model_close(&m);
	return h;
}

START_TEST(same_seed_same_outcomes)
{
	const struct rconf *c = &rconfs[_i];
	uint64_t a = run_digest(c, 1234, 2000);
	uint64_t b = run_digest(c, 1234, 2000);
	uint64_t other = run_digest(c, 1235, 2000);

	ck_assert_msg(a == b, "%s: two runs with one seed differ", c->plugin);
	if (c->random)
		ck_assert_msg(a != other, "%s: seeds 1234 and 1235 agree",
			      c->plugin);
	else
		ck_assert_msg(a == other, "%s: depends on the seed", c->plugin);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *loss_effects_suite(void)
{
	Suite *s = suite_create("loss_effects");
	TCase *tc[] = {
		tcase_create("corrupt"), tcase_create("duplicate"),
		tcase_create("reorder"), tcase_create("seeds"),
	};

	tcase_add_test(tc[0], corrupt_rate_and_checksums);
	tcase_add_test(tc[1], duplicate_rate);
	tcase_add_test(tc[2], reorder_delay_rate);
	tcase_add_test(tc[2], reorder_jitter_bounds);
	tcase_add_test(tc[2], reorder_jitter_reorders);
	tcase_add_loop_test(tc[3], same_seed_same_outcomes, 0, NRCONFS);
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
	return sy_test_main(loss_effects_suite());
}
