#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "testutil.h"

typedef int (*parse_fn)(const char *s, int64_t *out, sy_err *err);
typedef int (*format_fn)(char *buf, unsigned n, int64_t v);

struct ok_case {
	const char *s;
	int64_t want;
};

struct bad_case {
	const char *s;
	const char *phrase;	/* must appear in the message */
};

static void check_ok(parse_fn parse, const struct ok_case *c)
{
	sy_err err = { "" };
	int64_t v = -1;

	for (; c->s; c++) {
		ck_assert_msg(parse(c->s, &v, &err) == 0, "\"%s\" refused: %s",
			      c->s, err.msg);
		ck_assert_msg(v == c->want, "\"%s\" gave %lld, want %lld",
			      c->s, (long long)v, (long long)c->want);
	}
}

/* Every error names the string in quotes, the problem, and leaves the
 * output alone. */
static void check_bad(parse_fn parse, const char *what,
		      const struct bad_case *c)
{
	char quoted[256], head[64];
	sy_err err;
	int64_t v;

	snprintf(head, sizeof head, "bad %s ", what);
	for (; c->s; c++) {
		v = 12345;
		strcpy(err.msg, "untouched");
		ck_assert_msg(parse(c->s, &v, &err) == -1, "\"%s\" accepted",
			      c->s);
		ck_assert_msg(v == 12345, "\"%s\" changed the output", c->s);
		snprintf(quoted, sizeof quoted, "\"%s\"", c->s);
		ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0,
			      "\"%s\": message \"%s\" lacks \"%s\"", c->s,
			      err.msg, head);
		ck_assert_msg(strstr(err.msg, quoted), "\"%s\": message \"%s\" "
			      "does not quote it", c->s, err.msg);
		ck_assert_msg(strstr(err.msg, c->phrase), "\"%s\": message "
			      "\"%s\" lacks \"%s\"", c->s, err.msg, c->phrase);
	}
}

/* ---------------------------------------------------------------- parse */

START_TEST(every_duration_suffix)
{
	static const struct ok_case c[] = {
		{ "1ns", 1 }, { "1us", 1000 }, { "1ms", 1000000 },
		{ "1s", 1000000000 }, { "250ms", 250000000 },
		{ "0s", 0 }, { "0ns", 0 }, { "007ms", 7000000 },
		{ NULL, 0 },
	};

	check_ok(sy_parse_duration, c);
}
END_TEST

START_TEST(every_rate_suffix)
{
	static const struct ok_case c[] = {
		{ "1bps", 1 }, { "1Kbps", 1000 }, { "1Mbps", 1000000 },
		{ "1Gbps", 1000000000 }, { "10Mbps", 10000000 },
		{ "0bps", 0 }, { NULL, 0 },
	};

	check_ok(sy_parse_rate, c);
}
END_TEST

START_TEST(every_size_suffix)
{
	static const struct ok_case c[] = {
		{ "1B", 1 }, { "1KB", 1000 }, { "1MB", 1000000 },
		{ "1GB", 1000000000 }, { "1KiB", 1024 },
		{ "1MiB", 1048576 }, { "1GiB", 1073741824 },
		{ "64KiB", 65536 }, { "0B", 0 }, { NULL, 0 },
	};

	check_ok(sy_parse_size, c);
}
END_TEST

START_TEST(exact_fractions)
{
	static const struct ok_case d[] = {
		{ "0.1s", 100000000 }, { "1.5s", 1500000000 },
		{ "0.000000001s", 1 }, { "1.000000001s", 1000000001 },
		{ "0.001ms", 1000 }, { "2.5us", 2500 },
		{ "1.50000000000000000000000000000000000000s", 1500000000 },
		{ "0.0ns", 0 }, { "3.0ns", 3 },
		{ NULL, 0 },
	};
	static const struct ok_case r[] = {
		{ "1.5Kbps", 1500 }, { "0.001Kbps", 1 },
		{ "2.5Gbps", 2500000000 }, { "0.000001Mbps", 1 },
		{ NULL, 0 },
	};
	static const struct ok_case z[] = {
		{ "0.5KiB", 512 }, { "1.5KiB", 1536 },
		{ "0.0009765625KiB", 1 },	/* 1/1024 */
		{ "0.25MiB", 262144 }, { "1.5KB", 1500 }, { "0.001KB", 1 },
		{ "0.5GiB", 536870912 },
		{ NULL, 0 },
	};

	check_ok(sy_parse_duration, d);
	check_ok(sy_parse_rate, r);
	check_ok(sy_parse_size, z);
}
END_TEST

START_TEST(limits_of_int64)
{
	static const struct ok_case d[] = {
		{ "9223372036854775807ns", INT64_MAX },
		{ "9223372036.854775807s", INT64_MAX },
		{ "9223372036854775.807us", INT64_MAX },
		{ "9223372036s", INT64_C(9223372036000000000) },
		{ NULL, 0 },
	};
	static const struct ok_case r[] = {
		{ "9223372036854775807bps", INT64_MAX },
		{ "9223372036.854775807Gbps", INT64_MAX },
		{ NULL, 0 },
	};
	static const struct ok_case z[] = {
		{ "9223372036854775807B", INT64_MAX },
		{ "8589934591GiB", INT64_C(8589934591) * 1073741824 },
		{ NULL, 0 },
	};
	static const struct bad_case dbad[] = {
		{ "9223372036854775808ns", "too large" },
		{ "9223372036.854775808s", "too large" },
		{ "9223372037s", "too large" },
		{ "99999999999s", "too large" },
		{ "99999999999999999999999999ns", "too large" },
		{ NULL, NULL },
	};
	static const struct bad_case zbad[] = {
		{ "8589934592GiB", "too large" },
		{ "9223372036854775808B", "too large" },
		{ NULL, NULL },
	};

	check_ok(sy_parse_duration, d);
	check_ok(sy_parse_rate, r);
	check_ok(sy_parse_size, z);
	check_bad(sy_parse_duration, "duration", dbad);
	check_bad(sy_parse_size, "size", zbad);
}
END_TEST

START_TEST(duration_errors)
{
	static const struct bad_case c[] = {
		{ "10", "missing unit (use ns, us, ms or s)" },
		{ "0", "missing unit" },
		{ "1.5", "missing unit" },
		{ "10mbit", "unknown unit \"mbit\" (use ns, us, ms or s)" },
		{ "10sec", "unknown unit \"sec\"" },
		{ "10MS", "unknown unit \"MS\"" },
		{ "10S", "unknown unit \"S\"" },
		{ "10µs", "unknown unit" },
		{ "10ms5", "unknown unit \"ms5\"" },
		{ "-1s", "negative" },
		{ "-0.5ms", "negative" },
		{ "1.5ns", "not a whole number of nanoseconds" },
		{ "0.0000000001s", "not a whole number" },
		{ "0.0005us", "not a whole number" },
		{ "10 ms", "white space" },
		{ " 10ms", "white space" },
		{ "10ms ", "white space" },
		{ "10ms\n", "white space" },
		{ "abc", "not a number" },
		{ "s", "not a number" },
		{ ".5s", "not a number" },
		{ "5.s", "not a number" },
		{ "+1s", "not a number" },
		{ "1e3s", "not a number" },
		{ "1.2.3s", "not a number" },
		{ "-s", "not a number" },
		{ NULL, NULL },
	};
	sy_err err;
	sy_time t = 7;

	check_bad(sy_parse_duration, "duration", c);

	ck_assert_int_eq(sy_parse_duration("", &t, &err), -1);
	ck_assert_str_eq(err.msg, "bad duration \"\": empty");
	ck_assert_int_eq(sy_parse_duration(NULL, &t, &err), -1);
	ck_assert_msg(strstr(err.msg, "empty"), "%s", err.msg);
	ck_assert_int_eq(t, 7);

	/* The exact wording, once, so that a drift is noticed. */
	sy_parse_duration("10", &t, &err);
	ck_assert_str_eq(err.msg,
			 "bad duration \"10\": missing unit (use ns, us, ms or s)");
	sy_parse_duration("-1s", &t, &err);
	ck_assert_str_eq(err.msg, "bad duration \"-1s\": negative");

	/* A NULL err only loses the message. */
	ck_assert_int_eq(sy_parse_duration("10", &t, NULL), -1);
}
END_TEST

START_TEST(rate_errors)
{
	static const struct bad_case c[] = {
		{ "10", "missing unit (use bps, Kbps, Mbps or Gbps)" },
		{ "10mbit", "unknown unit \"mbit\" (use bps, Kbps, Mbps or Gbps)" },
		{ "10mbps", "unknown unit \"mbps\"" },
		{ "10kbps", "unknown unit \"kbps\"" },
		{ "10MBps", "unknown unit \"MBps\"" },
		{ "10Tbps", "unknown unit \"Tbps\"" },
		{ "10b/s", "unknown unit \"b/s\"" },
		{ "10Mb", "unknown unit \"Mb\"" },
		{ "10ms", "unknown unit \"ms\"" },
		{ "-10Mbps", "negative" },
		{ "1.0001bps", "not a whole number of bit/s" },
		{ "0.0001Kbps", "not a whole number" },
		{ "", "empty" },
		{ "fast", "not a number" },
		{ "99999999999Gbps", "too large" },
		{ NULL, NULL },
	};

	check_bad(sy_parse_rate, "rate", c);
}
END_TEST

START_TEST(size_errors)
{
	static const struct bad_case c[] = {
		{ "10", "missing unit (use B, KB, MB, GB, KiB, MiB or GiB)" },
		{ "10kB", "unknown unit \"kB\" (use B, KB, MB, GB, KiB, MiB or GiB)" },
		{ "10KIB", "unknown unit \"KIB\"" },
		{ "10b", "unknown unit \"b\"" },
		{ "10bytes", "unknown unit \"bytes\"" },
		{ "10TB", "unknown unit \"TB\"" },
		{ "10K", "unknown unit \"K\"" },
		{ "-1B", "negative" },
		{ "1.5B", "not a whole number of bytes" },
		{ "0.3B", "not a whole number of bytes" },
		{ "0.0001KiB", "not a whole number" },
		{ "0.0001KB", "not a whole number" },
		{ "", "empty" },
		{ "0x10B", "unknown unit \"x10B\"" },
		{ NULL, NULL },
	};
	sy_err err;
	int64_t v;

	check_bad(sy_parse_size, "size", c);
	sy_parse_size("1.5B", &v, &err);
	ck_assert_str_eq(err.msg,
			 "bad size \"1.5B\": not a whole number of bytes");
}
END_TEST

/* ---------------------------------------------------------------- numbers */

static sy_time secs(double s)
{
	sy_err err = { "" };
	sy_time t = -1;

	ck_assert_msg(sy_duration_from_seconds(s, &t, &err) == 0,
		      "%.17g s refused: %s", s, err.msg);
	return t;
}

static void secs_bad(double s, const char *phrase)
{
	sy_err err = { "" };
	sy_time t = 99;

	ck_assert_msg(sy_duration_from_seconds(s, &t, &err) == -1,
		      "%.17g s accepted", s);
	ck_assert_int_eq(t, 99);
	ck_assert_msg(strstr(err.msg, "bad duration"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, phrase), "%.17g: \"%s\" lacks \"%s\"",
		      s, err.msg, phrase);
}

START_TEST(seconds_round_to_nearest_ns)
{
	ck_assert_int_eq(secs(0), 0);
	ck_assert_int_eq(secs(-0.0), 0);
	ck_assert_int_eq(secs(1), SY_SEC);
	ck_assert_int_eq(secs(0.1), 100000000);
	ck_assert_int_eq(secs(0.2), 200000000);
	ck_assert_int_eq(secs(0.3), 300000000);
	ck_assert_int_eq(secs(1.5), 1500000000);
	ck_assert_int_eq(secs(1e-9), 1);
	ck_assert_int_eq(secs(1.4e-9), 1);
	ck_assert_int_eq(secs(1.6e-9), 2);
	ck_assert_int_eq(secs(0.4e-9), 0);
	ck_assert_int_eq(secs(0.6e-9), 1);
	ck_assert_int_eq(secs(123.000000456), 123000000456);
	/* 1/1024 s is exactly 976562.5 ns: halves go up. */
	ck_assert_int_eq(secs(1.0 / 1024), 976563);
	ck_assert_int_eq(secs(3.0 + 1.0 / 1024), 3000976563);
	/* Large values keep nanosecond precision where the double has it:
	 * 2^32 + 2^-10 s. */
	ck_assert_int_eq(secs(4294967296.0 + 1.0 / 1024),
			 INT64_C(4294967296000976563));
	ck_assert_int_eq(secs(9223372036.0), INT64_C(9223372036000000000));
}
END_TEST

START_TEST(seconds_errors)
{
	secs_bad(NAN, "not a number");
	secs_bad(INFINITY, "too large");
	secs_bad(-INFINITY, "negative");
	secs_bad(-1, "negative");
	secs_bad(-1e-9, "negative");
	secs_bad(9223372037.0, "too large");
	secs_bad(1e300, "too large");
	/* The message shows the number as written, not 17 digits. */
	secs_bad(-0.1, "-0.1: negative");
}
END_TEST

typedef int (*number_fn)(double x, int64_t *out, sy_err *err);

static void number_bad(number_fn fn, const char *what, double x,
		       const char *phrase)
{
	sy_err err = { "" };
	int64_t v = 99;

	ck_assert_msg(fn(x, &v, &err) == -1, "%.17g accepted", x);
	ck_assert_int_eq(v, 99);
	ck_assert_msg(strstr(err.msg, what), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, phrase), "%.17g: \"%s\" lacks \"%s\"",
		      x, err.msg, phrase);
}

START_TEST(whole_numbers)
{
	static const number_fn fns[] = { sy_rate_from_number,
					 sy_size_from_number };
	static const char *const what[] = { "bad rate", "bad size" };
	sy_err err;
	int64_t v;
	int k;

	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(fns[k](1500, &v, &err), 0);
		ck_assert_int_eq(v, 1500);
		ck_assert_int_eq(fns[k](0, &v, &err), 0);
		ck_assert_int_eq(v, 0);
		ck_assert_int_eq(fns[k](1e9, &v, &err), 0);
		ck_assert_int_eq(v, 1000000000);
		ck_assert_int_eq(fns[k](4611686018427387904.0, &v, &err), 0);
		ck_assert_int_eq(v, INT64_C(4611686018427387904));
		/* The largest double below 2^63. */
		ck_assert_int_eq(fns[k](9223372036854774784.0, &v, &err), 0);
		ck_assert_int_eq(v, INT64_C(9223372036854774784));

		number_bad(fns[k], what[k], 1.5, "not a whole number");
		number_bad(fns[k], what[k], 0.1, "0.1: not a whole number");
		number_bad(fns[k], what[k], -1, "negative");
		number_bad(fns[k], what[k], NAN, "not a number");
		number_bad(fns[k], what[k], INFINITY, "too large");
		number_bad(fns[k], what[k], 9223372036854775808.0, "too large");
		number_bad(fns[k], what[k], 1e19, "too large");
	}
	number_bad(sy_rate_from_number, "", 1.5, "of bit/s");
	number_bad(sy_size_from_number, "", 1.5, "of bytes");
}
END_TEST

/* ---------------------------------------------------------------- format */

struct fmt_case {
	int64_t v;
	const char *want;
};

static void check_format(format_fn fmt, const struct fmt_case *c)
{
	char buf[64];

	for (; c->want; c++) {
		int n = fmt(buf, sizeof buf, c->v);

		ck_assert_msg(strcmp(buf, c->want) == 0,
			      "%lld formatted as \"%s\", want \"%s\"",
			      (long long)c->v, buf, c->want);
		ck_assert_int_eq(n, (int)strlen(c->want));
	}
}

START_TEST(format_largest_exact_suffix)
{
	static const struct fmt_case d[] = {
		{ 0, "0s" }, { 1, "1ns" }, { 1500, "1500ns" },
		{ 250000000, "250ms" }, { 1000000000, "1s" },
		{ 1500000000, "1500ms" }, { 1000, "1us" },
		{ 1001000, "1001us" }, { 60000000000, "60s" },
		{ INT64_MAX, "9223372036854775807ns" },
		{ -250000000, "-250ms" },
		{ INT64_MIN, "-9223372036854775808ns" },
		{ 0, NULL },
	};
	static const struct fmt_case r[] = {
		{ 0, "0bps" }, { 1500, "1500bps" }, { 1000, "1Kbps" },
		{ 10000000, "10Mbps" }, { 2500000000, "2500Mbps" },
		{ 1000000000, "1Gbps" }, { 100000000000, "100Gbps" },
		{ 0, NULL },
	};
	static const struct fmt_case z[] = {
		{ 0, "0B" }, { 1, "1B" }, { 1500, "1500B" }, { 2000, "2KB" },
		{ 1000, "1KB" }, { 1024, "1KiB" }, { 65536, "64KiB" },
		{ 1048576, "1MiB" }, { 1073741824, "1GiB" },
		{ 1000000, "1MB" }, { 1000000000, "1GB" },
		/* Both families exact: the larger multiplier wins. */
		{ 1024000, "1000KiB" }, { 4096000000, "4096MB" },
		{ 2048000000, "2048MB" }, { 1536, "1536B" },
		{ 0, NULL },
	};

	check_format(sy_format_duration, d);
	check_format(sy_format_rate, r);
	check_format(sy_format_size, z);
}
END_TEST

START_TEST(format_is_snprintf_like)
{
	char buf[4];
	int n;

	memset(buf, 'x', sizeof buf);
	n = sy_format_duration(buf, sizeof buf, 250000000);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "250");
	ck_assert_int_eq(sy_format_rate(NULL, 0, 10000000), 6);
	ck_assert_int_eq(sy_format_size(buf, 1, 65536), 5);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* ---------------------------------------------------------------- round trip */

/* Knuth's MMIX constants; deterministic so a failure reproduces. */
static uint64_t lcg_state = 0x5eed;

static uint64_t lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return lcg_state;
}

/* Values shaped like real ones: a small count of some unit, a random
 * magnitude, or a random 63-bit value. */
static int64_t random_value(const int64_t *mults, int nmult)
{
	uint64_t r = lcg();
	int64_t m;

	switch (r >> 62) {
	case 0:
		m = mults[(lcg() >> 33) % (uint64_t)nmult];
		return (int64_t)((lcg() >> 33) % 100000) * m;
	case 1:
		return (int64_t)((lcg() >> 1) >> ((lcg() >> 33) % 63));
	case 2:
		return (int64_t)(lcg() >> 1);
	default:
		return (int64_t)((lcg() >> 33) % 5000);
	}
}

/* Formats v, parses it back, and checks that no larger suffix than the
 * one chosen divides v.  Plain ifs rather than ck_assert: each ck_assert
 * reports its position to the runner, a system call, and this runs
 * hundreds of thousands of times. */
static void round_trip(format_fn fmt, parse_fn parse, const int64_t *mults,
		       int nmult, int64_t v)
{
	char buf[64];
	sy_err err = { "" };
	int64_t back = -1, shown, mult;
	int i;

	fmt(buf, sizeof buf, v);
	if (parse(buf, &back, &err) != 0)
		ck_abort_msg("%lld -> \"%s\": %s", (long long)v, buf, err.msg);
	if (back != v)
		ck_abort_msg("%lld -> \"%s\" -> %lld", (long long)v, buf,
			     (long long)back);
	if (!v)
		return;
	shown = strtoll(buf, NULL, 10);
	mult = v / shown;
	if (mult * shown != v)
		ck_abort_msg("%lld -> \"%s\": not a multiple", (long long)v, buf);
	for (i = 0; i < nmult; i++)
		if (mults[i] > mult && v % mults[i] == 0)
			ck_abort_msg("%lld -> \"%s\", but %lld divides it",
				     (long long)v, buf, (long long)mults[i]);
}

START_TEST(round_trip_all_kinds)
{
	static const int64_t dm[] = { 1, 1000, 1000000, 1000000000 };
	static const int64_t rm[] = { 1, 1000, 1000000, 1000000000 };
	static const int64_t zm[] = { 1, 1000, 1000000, 1000000000, 1024,
				      1048576, 1073741824 };
	static const int64_t fixed[] = {
		0, 1, 2, 999, 1000, 1001, 1023, 1024, 1025, 1500, 65536,
		1000000, 1048576, 1024000, 4096000000, 1000000000,
		1073741824, INT64_MAX, INT64_MAX - 1, INT64_MAX / 1000 * 1000,
		INT64_MAX / 1024 * 1024, INT64_MAX / 1000000000 * 1000000000,
		INT64_MAX / 1073741824 * 1073741824,
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		round_trip(sy_format_duration, sy_parse_duration, dm, 4,
			   fixed[i]);
		round_trip(sy_format_rate, sy_parse_rate, rm, 4, fixed[i]);
		round_trip(sy_format_size, sy_parse_size, zm, 7, fixed[i]);
	}
	for (k = 0; k < 100000; k++) {
		round_trip(sy_format_duration, sy_parse_duration, dm, 4,
			   random_value(dm, 4));
		round_trip(sy_format_rate, sy_parse_rate, rm, 4,
			   random_value(rm, 4));
		round_trip(sy_format_size, sy_parse_size, zm, 7,
			   random_value(zm, 7));
	}
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, every_duration_suffix);
	tcase_add_test(tc, every_rate_suffix);
	tcase_add_test(tc, every_size_suffix);
	tcase_add_test(tc, exact_fractions);
	tcase_add_test(tc, limits_of_int64);
	tcase_add_test(tc, duration_errors);
	tcase_add_test(tc, rate_errors);
	tcase_add_test(tc, size_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, seconds_round_to_nearest_ns);
	tcase_add_test(tc, seconds_errors);
	tcase_add_test(tc, whole_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, format_largest_exact_suffix);
	tcase_add_test(tc, format_is_snprintf_like);
	tcase_add_test(tc, round_trip_all_kinds);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(units_suite());
}
