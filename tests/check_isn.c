#include "config.h"

/* ISN generators (isn.h) through their ops table, loaded as modules found
 * on the plugin path, and the SipHash-2-4 they rely on.
 *
 * Statistical checks run fixed seeds, so they are deterministic; their
 * bounds are generous (a chi-square more than 5 standard deviations above
 * its mean) so that a correct generator passes for essentially any seed,
 * while a generator that ignores part of the tuple, or leaves bits
 * constant, fails by far. */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "isn.h"
#include "param.h"
#include "plugin.h"
#include "rng.h"
#include "units.h"
#include "vtime.h"
#include "testutil.h"

/* A failing check only; ck_assert records every passing one, which in the
 * loops below would cost more than the generators. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

#define NSIGMA 5.0

/* ---------------------------------------------------------------- siphash */

/* The paper's test vectors (Aumasson and Bernstein 2012, appendix A, and
 * the reference implementation's vectors.h): key 00 01 .. 0f, message of
 * length n made of the bytes 00 01 .. n-1, output as a 64-bit number (the
 * published byte strings read little-endian).  Each was also checked
 * against an independent implementation written from the paper. */
static const uint64_t sip_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, /* 0, 1 */
	0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL, /* 2, 3 */
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, /* 4, 5 */
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, /* 6, 7 */
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, /* 8, 9 */
	0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL, /* 10, 11 */
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, /* 12, 13 */
	0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL, /* 14, 15 */
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, /* 16, 17 */
	0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL, /* 18, 19 */
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, /* 20, 21 */
	0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL, /* 22, 23 */
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, /* 24, 25 */
	0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL, /* 26, 27 */
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, /* 28, 29 */
	0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL, /* 30, 31 */
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, /* 32, 33 */
	0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL, /* 34, 35 */
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, /* 36, 37 */
	0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL, /* 38, 39 */
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, /* 40, 41 */
	0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL, /* 42, 43 */
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, /* 44, 45 */
	0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL, /* 46, 47 */
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, /* 48, 49 */
	0xee64435a9752fe72ULL, 0xa192d576b245165aULL, /* 50, 51 */
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, /* 52, 53 */
	0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL, /* 54, 55 */
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, /* 56, 57 */
	0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL, /* 58, 59 */
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, /* 60, 61 */
	0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL, /* 62, 63 */
};

START_TEST(siphash_vector)
{
	uint8_t key[16], msg[64];
	size_t n = (size_t)_i;
	uint64_t h;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < n; i++)
		msg[i] = (uint8_t)i;
	h = sy_siphash24(key, msg, n);
	ck_assert_msg(h == sip_vectors[n], "length %zu: 0x%016llx, want "
		      "0x%016llx", n, (unsigned long long)h,
		      (unsigned long long)sip_vectors[n]);
}
END_TEST

/* The message need not be aligned, and bytes outside it do not count. */
START_TEST(siphash_unaligned)
{
	uint8_t key[16], buf[80];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t off = 1; off < 8; off++) {
		memset(buf, 0xa5, sizeof buf);
		for (size_t i = 0; i < 63; i++)
			buf[off + i] = (uint8_t)i;
		for (size_t n = 0; n < 64; n++)
			MUST(sy_siphash24(key, buf + off, n) == sip_vectors[n],
			     "offset %zu, length %zu", off, n);
	}
	ck_assert_uint_eq(sy_siphash24(key, NULL, 0), sip_vectors[0]);
}
END_TEST

/* Every key bit matters (the vectors above use one key only). */
START_TEST(siphash_key_bits)
{
	uint8_t key[16], msg[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint64_t base;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	base = sy_siphash24(key, msg, sizeof msg);
	for (int b = 0; b < 128; b++) {
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
		MUST(sy_siphash24(key, msg, sizeof msg) != base,
		     "key bit %d ignored", b);
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
}
END_TEST

/* ---------------------------------------------------------------- harness */

struct gen {
	sy_instance in;
	const sy_isn_ops *ops;
	void *st;
};

static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	if (sy_test_configure(in, "isn", name, set, err) < 0)
		return -1;
	return sy_instance_init(in, NULL, err);
}

/* Loads, configures, initializes and seeds from stream ("isn", 0) of the
 * run seed, as the simulator does; set ends at a NULL key. */
static void gen_open(struct gen *g, const char *name,
		     const struct sy_test_setting *set, uint64_t seed)
{
	sy_err err;
	sy_rng r;

	ck_assert_msg(instance(&g->in, name, set, &err) == 0, "%s", err.msg);
	g->ops = g->in.plugin->ops;
	g->st = g->in.state;
	ck_assert_ptr_nonnull(g->ops);
	ck_assert_ptr_nonnull(g->ops->seed);
	ck_assert_ptr_nonnull(g->ops->isn);
	sy_rng_stream(&r, seed, "isn", 0);
	g->ops->seed(g->st, &r);
}

static void gen_close(struct gen *g)
{
	sy_instance_free(&g->in);
}

static uint32_t gen_isn(struct gen *g, uint32_t la, uint16_t lp,
			uint32_t ra, uint16_t rp, sy_time now)
{
	sy_isn_ctx c = {
		.laddr = la, .raddr = ra, .lport = lp, .rport = rp, .now = now,
	};

	return g->ops->isn(g->st, &c);
}

/* A configuration that must be refused, when set or at init. */
static void refused(const char *name, const char *key, const char *val)
{
	const struct sy_test_setting set[] = { { key, val }, { NULL, NULL } };
	sy_instance in;
	sy_err err;

	ck_assert_msg(instance(&in, name, set, &err) == -1,
		      "isn/%s accepted %s=\"%s\"", name, key, val);
	sy_instance_free(&in);
}

/* Chi-square of counts against the uniform over nb buckets, checked
 * against its mean nb-1 plus NSIGMA standard deviations sqrt(2(nb-1)). */
static void uniform_ok(const uint64_t *count, size_t nb, uint64_t n,
		       const char *what)
{
	double e = (double)n / (double)nb, chi = 0, bound;

	for (size_t i = 0; i < nb; i++)
		chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
	bound = (double)(nb - 1) + NSIGMA * sqrt(2.0 * (double)(nb - 1));
	ck_assert_msg(chi <= bound, "%s: chi-square %.1f over %zu buckets, "
		      "bound %.1f", what, chi, nb, bound);
}

/* Low and high bytes of n ISNs, 256 buckets each. */
struct bytes_hist {
	uint64_t lo[256], hi[256], n;
};

static void hist_add(struct bytes_hist *h, uint32_t x)
{
	h->lo[x & 0xff]++;
	h->hi[x >> 24]++;
	h->n++;
}

static void hist_check(const struct bytes_hist *h, const char *what)
{
	char buf[96];

	snprintf(buf, sizeof buf, "%s, low byte", what);
	uniform_ok(h->lo, 256, h->n, buf);
	snprintf(buf, sizeof buf, "%s, high byte", what);
	uniform_ok(h->hi, 256, h->n, buf);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* ---------------------------------------------------------------- rfc6528 */

#define LA 0x0a000001u  /* 10.0.0.1 */
#define RA 0xc0a80102u  /* 192.168.1.2 */
#define LP 40000
#define RP 80

/* Same seed, tuple and time: same ISN, in one instance or another. */
START_TEST(rfc6528_deterministic)
{
	struct gen a, b;

	gen_open(&a, "rfc6528", NULL, 42);
	gen_open(&b, "rfc6528", NULL, 42);
	for (sy_time t = 0; t < 10 * SY_SEC; t += 123456789) {
		uint32_t x = gen_isn(&a, LA, LP, RA, RP, t);

		MUST(gen_isn(&a, LA, LP, RA, RP, t) == x, "repeat at %lld",
		     (long long)t);
		MUST(gen_isn(&b, LA, LP, RA, RP, t) == x,
		     "two instances differ at %lld", (long long)t);
	}
	gen_close(&a);
	gen_close(&b);
}
END_TEST

/* The key comes from the seed: other seeds, other ISNs. */
START_TEST(rfc6528_seed_matters)
{
	struct gen g[4];
	uint32_t x[4];

	for (int i = 0; i < 4; i++) {
		gen_open(&g[i], "rfc6528", NULL, 1000 + (uint64_t)i);
		x[i] = gen_isn(&g[i], LA, LP, RA, RP, 5 * SY_SEC);
	}
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			ck_assert_msg(x[i] != x[j], "seeds %d and %d agree",
				      1000 + i, 1000 + j);
	for (int i = 0; i < 4; i++)
		gen_close(&g[i]);
}
END_TEST

/* The documented construction, recomputed here: key = two draws of the
 * stream, little-endian; F = low 32 bits of SipHash-2-4 over laddr, raddr,
 * lport, rport in network byte order; ISN = now / tick + F (mod 2^32). */
START_TEST(rfc6528_layout)
{
	static const struct sy_test_setting ms[] = {
		{ "tick", "1ms" }, { NULL, NULL }
	};
	uint8_t key[16], msg[12] = {
		0x0a, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02,
		0x9c, 0x40, 0x00, 0x50,  /* 40000, 80 */
	};
	struct gen g;
	sy_rng r;
	uint32_t f;

	sy_rng_stream(&r, 7, "isn", 0);
	for (int w = 0; w < 2; w++) {
		uint64_t x = sy_rng_next(&r);

		for (int i = 0; i < 8; i++)
			key[8 * w + i] = (uint8_t)(x >> (8 * i));
	}
	f = (uint32_t)sy_siphash24(key, msg, sizeof msg);

	gen_open(&g, "rfc6528", NULL, 7);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 0), f);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, SY_SEC),
			  (uint32_t)(f + 250000u));
	gen_close(&g);
	gen_open(&g, "rfc6528", ms, 7);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 3 * SY_SEC + 999999),
			  (uint32_t)(f + 3000u));
	gen_close(&g);
}
END_TEST

/* For a fixed tuple the ISN is the offset plus the clock: it advances by
 * exactly the number of ticks elapsed, modulo 2^32, stands still within a
 * tick, and wraps. */
static const char *const ticks[] = { "4us", "1ns", "1ms", "3us" };

START_TEST(rfc6528_clock)
{
	const struct sy_test_setting set[] = { { "tick", ticks[_i] }, { NULL, NULL } };
	sy_time tick;
	sy_err err;
	struct gen g;
	uint32_t base;
	sy_rng r;

	ck_assert_int_eq(sy_parse_duration(ticks[_i], &tick, &err), 0);
	gen_open(&g, "rfc6528", set, 3);
	base = gen_isn(&g, LA, LP, RA, RP, 0);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, tick - 1), base);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, tick), base + 1);
	sy_rng_stream(&r, 99, "check_isn", 0);
	for (int i = 0; i < 10000; i++) {
		/* Times up to 2^52 ns (52 days), past several wraps of a
		 * 1 ns clock; steps from 0 to a million ticks. */
		sy_time t1 = (sy_time)(sy_rng_next(&r) >> 12);
		sy_time dt = (sy_time)sy_rng_below(&r, 1000000) * tick +
			     (sy_time)sy_rng_below(&r, (uint64_t)tick);
		sy_time t2 = t1 + dt;
		uint32_t want = (uint32_t)(uint64_t)(t2 / tick - t1 / tick);
		uint32_t got = gen_isn(&g, LA, LP, RA, RP, t2) -
			       gen_isn(&g, LA, LP, RA, RP, t1);

		MUST(got == want, "tick %s: from %lld to %lld ns advanced by "
		     "%u, want %u", ticks[_i], (long long)t1, (long long)t2,
		     got, want);
		MUST(gen_isn(&g, LA, LP, RA, RP, t1) - base ==
		     (uint32_t)(uint64_t)(t1 / tick), "tick %s: at %lld ns "
		     "not base + ticks", ticks[_i], (long long)t1);
	}
	gen_close(&g);
}
END_TEST

/* 10^4 random tuples at one time.  Their ISNs must all differ: for 32-bit
 * values the chance of a collision somewhere is about n^2 / 2^33 = 1.2%,
 * so a seed that passes keeps passing, and a hash ignoring part of the
 * tuple collides at once.  Low and high bytes must look uniform. */
START_TEST(rfc6528_tuples)
{
	enum { N = 10000 };
	struct tuple { uint32_t la, ra; uint16_t lp, rp; } *tu;
	uint32_t *x = malloc(N * sizeof *x);
	struct bytes_hist h = { { 0 }, { 0 }, 0 };
	struct gen g;
	sy_rng r;

	tu = malloc(N * sizeof *tu);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(tu);
	sy_rng_stream(&r, 5, "check_isn", 1);
	gen_open(&g, "rfc6528", NULL, 11);
	for (int i = 0; i < N; i++) {
		uint64_t a = sy_rng_next(&r), b = sy_rng_next(&r);

		tu[i].la = (uint32_t)a;
		tu[i].ra = (uint32_t)(a >> 32);
		tu[i].lp = (uint16_t)b;
		tu[i].rp = (uint16_t)(b >> 16);
		x[i] = gen_isn(&g, tu[i].la, tu[i].lp, tu[i].ra, tu[i].rp,
			       77 * SY_SEC);
		hist_add(&h, x[i]);
	}
	qsort(x, N, sizeof *x, cmp_u32);
	for (int i = 1; i < N; i++)
		MUST(x[i] != x[i - 1], "two tuples share ISN %u", x[i]);
	hist_check(&h, "rfc6528 over tuples");
	gen_close(&g);
	free(x);
	free(tu);
}
END_TEST

/* Tuples that differ in one bit, in any field, get different ISNs; so do
 * the two ends of one connection, which see the tuple swapped: the hash
 * covers the ordered tuple (local first), not a set of two endpoints. */
START_TEST(rfc6528_every_field)
{
	struct gen g;
	uint32_t base;

	gen_open(&g, "rfc6528", NULL, 13);
	base = gen_isn(&g, LA, LP, RA, RP, SY_SEC);
	for (int b = 0; b < 32; b++) {
		MUST(gen_isn(&g, LA ^ (1u << b), LP, RA, RP, SY_SEC) != base,
		     "laddr bit %d ignored", b);
		MUST(gen_isn(&g, LA, LP, RA ^ (1u << b), RP, SY_SEC) != base,
		     "raddr bit %d ignored", b);
	}
	for (int b = 0; b < 16; b++) {
		MUST(gen_isn(&g, LA, (uint16_t)(LP ^ (1u << b)), RA, RP,
			     SY_SEC) != base, "lport bit %d ignored", b);
		MUST(gen_isn(&g, LA, LP, RA, (uint16_t)(RP ^ (1u << b)),
			     SY_SEC) != base, "rport bit %d ignored", b);
	}
	ck_assert_uint_ne(gen_isn(&g, RA, RP, LA, LP, SY_SEC), base);
	/* Only addresses swapped, only ports swapped. */
	ck_assert_uint_ne(gen_isn(&g, RA, LP, LA, RP, SY_SEC), base);
	ck_assert_uint_ne(gen_isn(&g, LA, RP, RA, LP, SY_SEC), base);
	/* Same ports, addresses equal: fields are not xored together. */
	ck_assert_uint_ne(gen_isn(&g, LA, LP, LA, LP, SY_SEC),
			  gen_isn(&g, RA, LP, RA, LP, SY_SEC));
	gen_close(&g);
}
END_TEST

/* Seeded with NULL, the generator keeps its default key: still usable and
 * deterministic. */
START_TEST(rfc6528_null_stream)
{
	struct gen a, b;

	gen_open(&a, "rfc6528", NULL, 1);
	gen_open(&b, "rfc6528", NULL, 1);
	a.ops->seed(a.st, NULL);
	b.ops->seed(b.st, NULL);
	ck_assert_uint_eq(gen_isn(&a, LA, LP, RA, RP, SY_SEC),
			  gen_isn(&b, LA, LP, RA, RP, SY_SEC));
	gen_close(&a);
	gen_close(&b);
}
END_TEST

START_TEST(rfc6528_bad_tick)
{
	refused("rfc6528", "tick", "0ns");
	refused("rfc6528", "tick", "4");
	refused("rfc6528", "tick", "-1us");
}
END_TEST

/* ---------------------------------------------------------------- rfc793 */

START_TEST(rfc793_exact)
{
	static const struct sy_test_setting off[] = {
		{ "offset", "1000" }, { NULL, NULL }
	};
	static const struct sy_test_setting ms[] = {
		{ "tick", "1ms" }, { "offset", "7" }, { NULL, NULL }
	};
	struct gen g;

	gen_open(&g, "rfc793", NULL, 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 0), 0);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 3999), 0);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 4000), 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, SY_SEC), 250000);
	/* The same for every tuple: the clock is global. */
	ck_assert_uint_eq(gen_isn(&g, RA, RP, LA, LP, SY_SEC), 250000);
	ck_assert_uint_eq(gen_isn(&g, 1, 2, 3, 4, SY_SEC), 250000);
	gen_close(&g);

	gen_open(&g, "rfc793", off, 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 0), 1000);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, SY_SEC), 251000);
	gen_close(&g);

	gen_open(&g, "rfc793", ms, 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 2500 * SY_MS + 1),
			  2507);
	gen_close(&g);
}
END_TEST

/* 2^32 ticks of 4 us are 4.77 hours: the clock wraps, as in RFC 793. */
START_TEST(rfc793_wraps)
{
	static const struct sy_test_setting top[] = {
		{ "offset", "4294967295" }, { NULL, NULL }
	};
	const sy_time wrap = (sy_time)4294967296LL * 4 * SY_US;
	struct gen g;

	gen_open(&g, "rfc793", NULL, 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, wrap - 1), 4294967295u);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, wrap), 0);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, wrap + 8 * SY_US), 2);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 3 * wrap + SY_SEC),
			  250000);
	gen_close(&g);

	gen_open(&g, "rfc793", top, 1);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 0), 4294967295u);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, 4 * SY_US), 0);
	ck_assert_uint_eq(gen_isn(&g, LA, LP, RA, RP, SY_SEC), 249999);
	gen_close(&g);
}
END_TEST

/* The seed changes nothing. */
START_TEST(rfc793_ignores_seed)
{
	struct gen a, b;

	gen_open(&a, "rfc793", NULL, 1);
	gen_open(&b, "rfc793", NULL, 2);
	for (sy_time t = 0; t < 100 * SY_SEC; t += 987654321)
		MUST(gen_isn(&a, LA, LP, RA, RP, t) ==
		     gen_isn(&b, LA, LP, RA, RP, t), "at %lld", (long long)t);
	gen_close(&a);
	gen_close(&b);
}
END_TEST

START_TEST(rfc793_bad_params)
{
	refused("rfc793", "offset", "4294967296");
	refused("rfc793", "offset", "-1");
	refused("rfc793", "tick", "0s");
}
END_TEST

/* ---------------------------------------------------------------- random */

/* The n-th ISN depends on the seed and n only: not on the tuple, nor on
 * the time. */
START_TEST(random_reproducible)
{
	struct gen a, b;

	gen_open(&a, "random", NULL, 21);
	gen_open(&b, "random", NULL, 21);
	for (int i = 0; i < 1000; i++) {
		uint32_t x = gen_isn(&a, LA, LP, RA, RP, 0);
		uint32_t y = gen_isn(&b, (uint32_t)i, (uint16_t)i, 5, 6,
				     i * SY_SEC);

		MUST(x == y, "ISN %d: %u and %u", i, x, y);
	}
	gen_close(&a);
	gen_close(&b);
}
END_TEST

/* Other seeds, other sequences; and no clock: successive connections of
 * one tuple at one time get fresh numbers. */
START_TEST(random_seed_matters)
{
	struct gen a, b;
	int same = 0, repeats = 0;
	uint32_t prev = 0;

	gen_open(&a, "random", NULL, 21);
	gen_open(&b, "random", NULL, 22);
	for (int i = 0; i < 1000; i++) {
		uint32_t x = gen_isn(&a, LA, LP, RA, RP, SY_SEC);

		same += x == gen_isn(&b, LA, LP, RA, RP, SY_SEC);
		repeats += i > 0 && x == prev;
		prev = x;
	}
	/* Each agreement has probability 2^-32. */
	ck_assert_int_le(same, 1);
	ck_assert_int_le(repeats, 1);
	gen_close(&a);
	gen_close(&b);
}
END_TEST

START_TEST(random_uniform)
{
	struct bytes_hist h = { { 0 }, { 0 }, 0 };
	uint64_t bits[32] = { 0 };
	const double n = 1e5, se = sqrt(n * 0.25);
	struct gen g;

	gen_open(&g, "random", NULL, 23);
	for (int i = 0; i < (int)n; i++) {
		uint32_t x = gen_isn(&g, LA, LP, RA, RP, 0);

		hist_add(&h, x);
		for (int b = 0; b < 32; b++)
			bits[b] += (x >> b) & 1;
	}
	hist_check(&h, "random");
	/* Each bit set half the time: binomial, standard error 158. */
	for (int b = 0; b < 32; b++)
		MUST(fabs((double)bits[b] - n / 2) <= NSIGMA * se,
		     "bit %d set %llu times of %.0f", b,
		     (unsigned long long)bits[b], n);
	gen_close(&g);
}
END_TEST

/* ---------------------------------------------------------------- fixed */

static const char *const fixed_values[] = { NULL, "12345", "4294967295" };

START_TEST(fixed_value)
{
	const struct sy_test_setting set[] = {
		{ fixed_values[_i] ? "value" : NULL, fixed_values[_i] },
		{ NULL, NULL }
	};
	uint32_t want = fixed_values[_i] ?
		(uint32_t)strtoul(fixed_values[_i], NULL, 10) : 0;
	struct gen g;
	sy_rng r;

	gen_open(&g, "fixed", set, (uint64_t)_i);
	sy_rng_stream(&r, 31, "check_isn", 2);
	for (int i = 0; i < 1000; i++) {
		uint64_t a = sy_rng_next(&r), b = sy_rng_next(&r);
		uint32_t x = gen_isn(&g, (uint32_t)a, (uint16_t)b,
				     (uint32_t)(a >> 32), (uint16_t)(b >> 16),
				     (sy_time)(b >> 20));

		MUST(x == want, "ISN %u, want %u", x, want);
	}
	/* And the corners: zero fields, small ports, the end of time. */
	ck_assert_uint_eq(gen_isn(&g, 0, 0, 0, 0, 0), want);
	ck_assert_uint_eq(gen_isn(&g, LA, 7, RA, 1, SY_SEC), want);
	ck_assert_uint_eq(gen_isn(&g, UINT32_MAX, UINT16_MAX, UINT32_MAX,
				  UINT16_MAX, INT64_MAX), want);
	gen_close(&g);
}
END_TEST

START_TEST(fixed_bad_value)
{
	refused("fixed", "value", "4294967296");
	refused("fixed", "value", "-1");
	refused("fixed", "nonsense", "1");
}
END_TEST

/* ---------------------------------------------------------------- modules */

static const char *const names[] = { "rfc6528", "rfc793", "random", "fixed" };

/* Each module is found on the path and describes itself: a one-line
 * summary and a documented, defaulted parameter table. */
START_TEST(module_descriptor)
{
	sy_test_descriptor("isn", names[_i]);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *isn_suite(void)
{
	Suite *s = suite_create("isn");
	TCase *tc[] = {
		tcase_create("siphash"), tcase_create("rfc6528"),
		tcase_create("rfc793"), tcase_create("random"),
		tcase_create("fixed"), tcase_create("modules"),
	};

	tcase_add_loop_test(tc[0], siphash_vector, 0, 64);
	tcase_add_test(tc[0], siphash_unaligned);
	tcase_add_test(tc[0], siphash_key_bits);
	tcase_add_test(tc[1], rfc6528_deterministic);
	tcase_add_test(tc[1], rfc6528_seed_matters);
	tcase_add_test(tc[1], rfc6528_layout);
	tcase_add_loop_test(tc[1], rfc6528_clock, 0,
			    (int)(sizeof ticks / sizeof ticks[0]));
	tcase_add_test(tc[1], rfc6528_tuples);
	tcase_add_test(tc[1], rfc6528_every_field);
	tcase_add_test(tc[1], rfc6528_null_stream);
	tcase_add_test(tc[1], rfc6528_bad_tick);
	tcase_add_test(tc[2], rfc793_exact);
	tcase_add_test(tc[2], rfc793_wraps);
	tcase_add_test(tc[2], rfc793_ignores_seed);
	tcase_add_test(tc[2], rfc793_bad_params);
	tcase_add_test(tc[3], random_reproducible);
	tcase_add_test(tc[3], random_seed_matters);
	tcase_add_test(tc[3], random_uniform);
	tcase_add_loop_test(tc[4], fixed_value, 0,
			    (int)(sizeof fixed_values / sizeof *fixed_values));
	tcase_add_test(tc[4], fixed_bad_value);
	tcase_add_loop_test(tc[5], module_descriptor, 0,
			    (int)(sizeof names / sizeof names[0]));
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		/* Generous: the sanitizer build is several times slower. */
		tcase_set_timeout(tc[i], 120);
		suite_add_tcase(s, tc[i]);
	}
	return s;
}

int main(void)
{
	return sy_test_main(isn_suite());
}
