#include "config.h"

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "param.h"
#include "units.h"
#include "testutil.h"

/* A plugin state with one field of every type, plus fields without a
 * default or a range. */
struct st {
	bool flag;
	int64_t count;
	double gain;
	sy_time delay;
	int64_t rate;
	int64_t buffer;
	char *name;
	int mode;
	int64_t plain;
	char *label;
	double any;
};

static const char *const modes[] = { "slow", "fast", "auto", NULL };

#define F(field) offsetof(struct st, field)

static const sy_param tab[] = {
	{ "flag", SY_PT_BOOL, F(flag), "true", NULL, NULL, NULL, "a flag" },
	{ "count", SY_PT_INT, F(count), "4", "1", "100", NULL, "a count" },
	{ "gain", SY_PT_FLOAT, F(gain), "0.5", "0", "1", NULL, "a gain" },
	{ "delay", SY_PT_DURATION, F(delay), "200ms", "1ms", "10s", NULL,
	  "a delay" },
	{ "rate", SY_PT_RATE, F(rate), "10Mbps", "1Kbps", "10Gbps", NULL,
	  "a rate" },
	{ "buffer", SY_PT_SIZE, F(buffer), "64KiB", "1B", "1GiB", NULL,
	  "a buffer" },
	{ "name", SY_PT_STRING, F(name), "reno", NULL, NULL, NULL, "a name" },
	{ "mode", SY_PT_ENUM, F(mode), "fast", NULL, NULL, modes, "a mode" },
	{ "plain", SY_PT_INT, F(plain), NULL, NULL, NULL, NULL, "no default" },
	{ "label", SY_PT_STRING, F(label), NULL, NULL, NULL, NULL, "none" },
	{ "any", SY_PT_FLOAT, F(any), NULL, NULL, NULL, NULL, "any float" },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
};

#define OWNER "test/all"
#define WHERE "run.lua:12"

static struct st *st;
static sy_err err;

/* calloc, as the loader does, then junk in the fields without a string,
 * so that a default that is not written shows. */
static void setup(void)
{
	st = calloc(1, sizeof *st);
	ck_assert_ptr_nonnull(st);
	st->flag = false;
	st->count = st->plain = st->rate = st->buffer = -77;
	st->gain = st->any = -77.5;
	st->delay = -77;
	st->mode = 77;
	strcpy(err.msg, "");
	ck_assert_msg(sy_params_defaults(tab, st, OWNER, &err) == 0, "%s",
		      err.msg);
}

static void teardown(void)
{
	sy_params_free(tab, st);
	free(st);
	st = NULL;
}

static sy_value vb(bool b)
{
	sy_value v = { .type = SY_V_BOOL, .u.b = b };

	return v;
}

static sy_value vi(int64_t i)
{
	sy_value v = { .type = SY_V_INT, .u.i = i };

	return v;
}

static sy_value vf(double f)
{
	sy_value v = { .type = SY_V_FLOAT, .u.f = f };

	return v;
}

static sy_value vs(const char *s)
{
	sy_value v = { .type = SY_V_STRING, .u.s = s };

	return v;
}

static int set(const char *key, sy_value v)
{
	strcpy(err.msg, "");
	return sy_param_set(tab, st, OWNER, key, &v, WHERE, &err);
}

#define OK(key, v) \
	ck_assert_msg(set(key, v) == 0, "%s refused: %s", key, err.msg)

/* Refused, with the full prefix and the given phrase in the message. */
#define BAD(key, v, phrase)                                                 \
	do {                                                                \
		ck_assert_msg(set(key, v) == -1, "%s: accepted (%s)", key,   \
			      phrase);                                      \
		ck_assert_msg(strncmp(err.msg, WHERE ": " OWNER ": parameter '" \
				      key "': ",                            \
				      strlen(WHERE ": " OWNER ": parameter '" \
					     key "': ")) == 0,              \
			      "bad prefix: %s", err.msg);                   \
		ck_assert_msg(strstr(err.msg, phrase), "\"%s\" lacks \"%s\"", \
			      err.msg, phrase);                             \
	} while (0)

static const char *fmt(const char *key)
{
	static char buf[128];
	const sy_param *p = sy_param_find(tab, key);

	ck_assert_ptr_nonnull(p);
	sy_param_format(p, st, buf, sizeof buf);
	return buf;
}

/* ---------------------------------------------------------------- basics */

START_TEST(defaults_are_applied)
{
	ck_assert(st->flag);
	ck_assert_int_eq(st->count, 4);
	ck_assert_double_eq(st->gain, 0.5);
	ck_assert_int_eq(st->delay, 200 * SY_MS);
	ck_assert_int_eq(st->rate, 10000000);
	ck_assert_int_eq(st->buffer, 65536);
	ck_assert_str_eq(st->name, "reno");
	ck_assert_int_eq(st->mode, 1);
	/* A NULL default is zero. */
	ck_assert_int_eq(st->plain, 0);
	ck_assert_ptr_null(st->label);
	ck_assert_double_eq(st->any, 0.0);
}
END_TEST

START_TEST(find_and_names)
{
	ck_assert_ptr_eq(sy_param_find(tab, "delay"), &tab[3]);
	ck_assert_ptr_eq(sy_param_find(tab, "any"), &tab[10]);
	ck_assert_ptr_null(sy_param_find(tab, "Delay"));
	ck_assert_ptr_null(sy_param_find(tab, "del"));
	ck_assert_ptr_null(sy_param_find(NULL, "delay"));

	ck_assert_str_eq(sy_ptype_name(SY_PT_BOOL), "bool");
	ck_assert_str_eq(sy_ptype_name(SY_PT_INT), "integer");
	ck_assert_str_eq(sy_ptype_name(SY_PT_FLOAT), "float");
	ck_assert_str_eq(sy_ptype_name(SY_PT_DURATION), "duration");
	ck_assert_str_eq(sy_ptype_name(SY_PT_RATE), "rate");
	ck_assert_str_eq(sy_ptype_name(SY_PT_SIZE), "size");
	ck_assert_str_eq(sy_ptype_name(SY_PT_STRING), "string");
	ck_assert_str_eq(sy_ptype_name(SY_PT_ENUM), "enum");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_DURATION), "s");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_RATE), "bit/s");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_SIZE), "B");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_INT), "");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_FLOAT), "");
	ck_assert_str_eq(sy_ptype_unit(SY_PT_STRING), "");
}
END_TEST

START_TEST(unknown_key_lists_known)
{
	static const sy_param empty[] = { { NULL, 0, 0, NULL, NULL, NULL,
					    NULL, NULL } };
	sy_value v = vi(1);

	ck_assert_int_eq(set("bogus", vi(1)), -1);
	ck_assert_str_eq(err.msg, WHERE ": " OWNER ": unknown parameter "
			 "'bogus' (known: flag, count, gain, delay, rate, "
			 "buffer, name, mode, plain, label, any)");
	ck_assert_int_eq(sy_param_set(empty, st, "x/y", "k", &v, "f:1", &err),
			 -1);
	ck_assert_str_eq(err.msg, "f:1: x/y: unknown parameter 'k' (it has no "
			 "parameters)");
	ck_assert_int_eq(sy_param_set(NULL, st, "x/y", "k", &v, NULL, &err),
			 -1);
	ck_assert_str_eq(err.msg, "x/y: unknown parameter 'k' (it has no "
			 "parameters)");
}
END_TEST

START_TEST(where_and_owner)
{
	sy_value v = vs("10");

	ck_assert_int_eq(sy_param_set(tab, st, "link/p2p", "delay", &v,
				      "synack.conf:7", &err), -1);
	ck_assert_str_eq(err.msg, "synack.conf:7: link/p2p: parameter 'delay': "
			 "bad duration \"10\": missing unit (use ns, us, ms or s)");
	ck_assert_int_eq(sy_param_set(tab, st, "link/p2p", "delay", &v, NULL,
				      &err), -1);
	ck_assert_str_eq(err.msg, "link/p2p: parameter 'delay': bad duration "
			 "\"10\": missing unit (use ns, us, ms or s)");
	ck_assert_int_eq(st->delay, 200 * SY_MS);
}
END_TEST

/* ---------------------------------------------------------------- types */

START_TEST(set_bool)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	int i;

	OK("flag", vb(false));
	ck_assert(!st->flag);
	OK("flag", vb(true));
	ck_assert(st->flag);
	for (i = 0; i < 4; i++) {
		OK("flag", vs(no[i]));
		ck_assert_msg(!st->flag, "%s", no[i]);
		OK("flag", vs(yes[i]));
		ck_assert_msg(st->flag, "%s", yes[i]);
	}
	BAD("flag", vi(0), "expected a boolean");
	ck_assert(st->flag);
	BAD("flag", vi(1), "expected a boolean");
	BAD("flag", vf(1.0), "expected a boolean");
	BAD("flag", vs("maybe"), "expected a boolean");
	BAD("flag", vs("maybe"), "got \"maybe\"");
	BAD("flag", vs("TRUE"), "expected a boolean");
	BAD("flag", vs(""), "expected a boolean");
	ck_assert(st->flag);
}
END_TEST

START_TEST(set_int)
{
	OK("count", vi(42));
	ck_assert_int_eq(st->count, 42);
	OK("count", vf(7.0));
	ck_assert_int_eq(st->count, 7);
	OK("count", vs("99"));
	ck_assert_int_eq(st->count, 99);
	OK("plain", vs("-3"));
	ck_assert_int_eq(st->plain, -3);
	OK("plain", vs("9223372036854775807"));
	ck_assert_int_eq(st->plain, INT64_MAX);
	OK("plain", vs("-9223372036854775808"));
	ck_assert_int_eq(st->plain, INT64_MIN);
	OK("plain", vi(INT64_MIN));
	ck_assert_int_eq(st->plain, INT64_MIN);
	OK("plain", vf(-4.0));
	ck_assert_int_eq(st->plain, -4);

	BAD("count", vf(7.5), "expected an integer, got 7.5");
	BAD("count", vf(NAN), "expected an integer");
	BAD("count", vf(1e19), "integer 1e+19 is out of range");
	BAD("plain", vf(1e300), "parameter 'plain': integer 1e+300 is out of "
	    "range (-9223372036854775808 to 9223372036854775807)");
	BAD("plain", vf(-1e300), "integer -1e+300 is out of range");
	BAD("plain", vf(9223372036854775808.0), "out of range");
	BAD("plain", vf(INFINITY), "expected an integer, got inf");
	BAD("count", vb(true), "expected an integer, got a boolean");
	BAD("count", vs("12abc"), "expected an integer, got \"12abc\"");
	BAD("count", vs(""), "expected an integer");
	BAD("count", vs("-"), "expected an integer");
	BAD("count", vs("+5"), "expected an integer");
	BAD("count", vs(" 5"), "expected an integer");
	BAD("count", vs("5.0"), "expected an integer");
	BAD("plain", vs("9223372036854775808"), "out of range");
	BAD("plain", vs("-9223372036854775809"), "out of range");
	ck_assert_int_eq(st->count, 99);
	ck_assert_int_eq(st->plain, -4);
}
END_TEST

START_TEST(set_float)
{
	OK("gain", vi(1));
	ck_assert_double_eq(st->gain, 1.0);
	OK("gain", vf(0.25));
	ck_assert_double_eq(st->gain, 0.25);
	OK("gain", vs("0.75"));
	ck_assert_double_eq(st->gain, 0.75);
	OK("gain", vs("1e-1"));
	ck_assert_double_eq(st->gain, 0.1);
	OK("any", vs("-12.5"));
	ck_assert_double_eq(st->any, -12.5);

	BAD("gain", vs("abc"), "expected a number, got \"abc\"");
	BAD("gain", vs("0.5x"), "expected a number");
	BAD("gain", vs(""), "expected a number");
	BAD("gain", vs(" 0.5"), "expected a number");
	BAD("any", vs("nan"), "not finite");
	BAD("any", vs("inf"), "not finite");
	BAD("any", vs("1e999"), "not finite");
	BAD("any", vf(INFINITY), "finite");
	BAD("any", vf(NAN), "finite");
	BAD("gain", vb(false), "expected a number, got a boolean");
	ck_assert_double_eq(st->gain, 0.1);
	ck_assert_double_eq(st->any, -12.5);
}
END_TEST

START_TEST(set_duration)
{
	OK("delay", vi(2));
	ck_assert_int_eq(st->delay, 2 * SY_SEC);
	OK("delay", vf(0.25));
	ck_assert_int_eq(st->delay, 250 * SY_MS);
	OK("delay", vf(0.1));
	ck_assert_int_eq(st->delay, 100 * SY_MS);
	OK("delay", vs("300ms"));
	ck_assert_int_eq(st->delay, 300 * SY_MS);
	OK("delay", vs("1.5ms"));
	ck_assert_int_eq(st->delay, 1500 * SY_US);

	BAD("delay", vs("300"), "bad duration \"300\": missing unit");
	BAD("delay", vs("3 ms"), "white space");
	BAD("delay", vs("3mins"), "unknown unit \"mins\"");
	BAD("delay", vi(-1), "negative");
	BAD("delay", vf(-0.5), "negative");
	BAD("delay", vf(NAN), "not a number");
	BAD("delay", vb(true), "expected a duration (a number of seconds or a "
	    "string with a unit: ns, us, ms, s), got a boolean");
	ck_assert_int_eq(st->delay, 1500 * SY_US);
}
END_TEST

START_TEST(set_rate)
{
	OK("rate", vi(5000000));
	ck_assert_int_eq(st->rate, 5000000);
	OK("rate", vf(1.5e6));
	ck_assert_int_eq(st->rate, 1500000);
	OK("rate", vs("100Mbps"));
	ck_assert_int_eq(st->rate, 100000000);
	OK("rate", vs("1.5Kbps"));
	ck_assert_int_eq(st->rate, 1500);

	BAD("rate", vs("100mbit"), "bad rate \"100mbit\": unknown unit "
	    "\"mbit\" (use bps, Kbps, Mbps or Gbps)");
	BAD("rate", vs("100"), "missing unit");
	BAD("rate", vf(1500.5), "not a whole number of bit/s");
	BAD("rate", vi(-5), "negative");
	BAD("rate", vb(true), "expected a rate");
	ck_assert_int_eq(st->rate, 1500);
}
END_TEST

START_TEST(set_size)
{
	static const sy_param big[] = {
		{ "buffer", SY_PT_SIZE, F(buffer), NULL, NULL, NULL, NULL,
		  NULL },
		{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
	};
	sy_value v = vi(INT64_C(9007199254740993));	/* 2^53 + 1 */

	OK("buffer", vi(1500));
	ck_assert_int_eq(st->buffer, 1500);
	OK("buffer", vf(2048));
	ck_assert_int_eq(st->buffer, 2048);
	OK("buffer", vs("1.5KiB"));
	ck_assert_int_eq(st->buffer, 1536);
	OK("buffer", vs("1MB"));
	ck_assert_int_eq(st->buffer, 1000000);

	BAD("buffer", vs("0.3B"), "not a whole number of bytes");
	BAD("buffer", vs("10kb"), "unknown unit \"kb\"");
	BAD("buffer", vf(0.5), "not a whole number");
	BAD("buffer", vs("-1B"), "negative");
	BAD("buffer", vi(-1), "negative");
	BAD("buffer", vb(false), "expected a size");
	ck_assert_int_eq(st->buffer, 1000000);

	/* An integer goes in exactly, even where a double would round. */
	ck_assert_int_eq(sy_param_set(big, st, OWNER, "buffer", &v, NULL,
				      &err), 0);
	ck_assert_int_eq(st->buffer, INT64_C(9007199254740993));
}
END_TEST

START_TEST(set_string_owns_a_copy)
{
	char buf[8];

	strcpy(buf, "cubic");
	OK("name", vs(buf));
	strcpy(buf, "XXXXX");
	ck_assert_str_eq(st->name, "cubic");
	ck_assert_ptr_ne(st->name, buf);
	OK("name", vs("bbr"));
	ck_assert_str_eq(st->name, "bbr");
	/* Its own current value: copied before the old one is freed. */
	OK("name", vs(st->name));
	ck_assert_str_eq(st->name, "bbr");
	OK("label", vs(""));
	ck_assert_str_eq(st->label, "");

	BAD("name", vi(3), "expected a string, got an integer");
	BAD("name", vb(true), "expected a string, got a boolean");
	BAD("name", vf(1.5), "expected a string, got a number");
	ck_assert_str_eq(st->name, "bbr");

	sy_params_free(tab, st);
	ck_assert_ptr_null(st->name);
	ck_assert_ptr_null(st->label);
	/* Freeing twice is harmless. */
	sy_params_free(tab, st);
}
END_TEST

START_TEST(set_enum)
{
	OK("mode", vs("slow"));
	ck_assert_int_eq(st->mode, 0);
	OK("mode", vs("auto"));
	ck_assert_int_eq(st->mode, 2);
	BAD("mode", vs("Slow"), "unknown choice \"Slow\" (choices: slow, "
	    "fast, auto)");
	BAD("mode", vs(""), "unknown choice");
	BAD("mode", vi(1), "expected one of slow, fast, auto, got an integer");
	BAD("mode", vb(true), "got a boolean");
	ck_assert_int_eq(st->mode, 2);
}
END_TEST

/* ---------------------------------------------------------------- ranges */

START_TEST(range_checks)
{
	OK("count", vi(1));
	OK("count", vi(100));
	ck_assert_int_eq(st->count, 100);
	BAD("count", vi(0), "value 0 is below the minimum 1");
	BAD("count", vs("101"), "value 101 is above the maximum 100");
	BAD("count", vi(-5), "value -5 is below the minimum 1");
	ck_assert_int_eq(st->count, 100);

	OK("gain", vi(0));
	OK("gain", vf(1.0));
	BAD("gain", vf(1.5), "value 1.5 is above the maximum 1");
	BAD("gain", vf(-0.1), "value -0.1 is below the minimum 0");
	ck_assert_double_eq(st->gain, 1.0);

	OK("delay", vs("10s"));
	OK("delay", vs("1ms"));
	BAD("delay", vs("20s"), "value 20s is above the maximum 10s");
	BAD("delay", vf(0.0005), "value 500us is below the minimum 1ms");
	BAD("delay", vs("999999ns"), "value 999999ns is below the minimum 1ms");
	ck_assert_int_eq(st->delay, SY_MS);

	BAD("rate", vs("500bps"), "value 500bps is below the minimum 1Kbps");
	BAD("rate", vi(INT64_C(20000000000)),
	    "value 20Gbps is above the maximum 10Gbps");
	OK("rate", vs("10Gbps"));

	BAD("buffer", vs("0B"), "value 0B is below the minimum 1B");
	BAD("buffer", vs("2GiB"), "value 2GiB is above the maximum 1GiB");
	OK("buffer", vs("1GiB"));
	ck_assert_int_eq(st->buffer, 1073741824);
}
END_TEST

START_TEST(bad_bound_at_set_time)
{
	static const sy_param t[] = {
		{ "d", SY_PT_DURATION, F(delay), NULL, "1", NULL, NULL, NULL },
		{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
	};
	sy_value v = vs("5ms");

	ck_assert_int_eq(sy_param_set(t, st, OWNER, "d", &v, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "bad minimum") &&
		      strstr(err.msg, "missing unit"), "%s", err.msg);
}
END_TEST

/* ---------------------------------------------------------------- tables */

static void broken(const sy_param *t, const char *phrase)
{
	struct st *s = calloc(1, sizeof *s);

	ck_assert_ptr_nonnull(s);
	strcpy(err.msg, "");
	ck_assert_msg(sy_params_defaults(t, s, "queue/red", &err) == -1,
		      "table accepted (%s)", phrase);
	ck_assert_msg(strstr(err.msg, "broken parameter table"), "%s",
		      err.msg);
	ck_assert_msg(strstr(err.msg, "queue/red: parameter 'p'"), "%s",
		      err.msg);
	ck_assert_msg(strstr(err.msg, phrase), "\"%s\" lacks \"%s\"",
		      err.msg, phrase);
	sy_params_free(t, s);
	free(s);
}

#define TAB1(...)                                                        \
	((const sy_param[]){ { "p", __VA_ARGS__ },                       \
			     { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL } })

START_TEST(broken_tables)
{
	static const char *const none[] = { NULL };

	broken(TAB1(SY_PT_INT, F(count), "0", "1", NULL, NULL, NULL),
	       "value 0 is below the minimum 1");
	broken(TAB1(SY_PT_INT, F(count), NULL, "1", NULL, NULL, NULL),
	       "value 0 is below the minimum 1");
	broken(TAB1(SY_PT_DURATION, F(delay), "10", NULL, NULL, NULL, NULL),
	       "bad duration \"10\": missing unit");
	broken(TAB1(SY_PT_DURATION, F(delay), "1s", "2s", "1s", NULL, NULL),
	       "minimum 2s is above the maximum 1s");
	broken(TAB1(SY_PT_RATE, F(rate), "1Mbps", "1mbit", NULL, NULL, NULL),
	       "bad minimum");
	broken(TAB1(SY_PT_BOOL, F(flag), "true", "0", NULL, NULL, NULL),
	       "cannot have a minimum");
	broken(TAB1(SY_PT_ENUM, F(mode), "medium", NULL, NULL, modes, NULL),
	       "unknown choice \"medium\"");
	broken(TAB1(SY_PT_ENUM, F(mode), NULL, NULL, NULL, none, NULL),
	       "no choices");
	broken(TAB1(SY_PT_ENUM, F(mode), NULL, NULL, NULL, NULL, NULL),
	       "no choices");
	broken(TAB1(SY_PT_BOOL, F(flag), "maybe", NULL, NULL, NULL, NULL),
	       "expected a boolean");
	broken(TAB1((sy_ptype)42, F(flag), NULL, NULL, NULL, NULL, NULL),
	       "unknown type");
}
END_TEST

START_TEST(defaults_of_empty_tables)
{
	static const sy_param empty[] = { { NULL, 0, 0, NULL, NULL, NULL,
					    NULL, NULL } };

	ck_assert_int_eq(sy_params_defaults(empty, st, OWNER, &err), 0);
	ck_assert_int_eq(sy_params_defaults(NULL, st, OWNER, &err), 0);
	sy_params_free(NULL, st);
}
END_TEST

/* ---------------------------------------------------------------- format */

START_TEST(format_each_type)
{
	const sy_param *p = sy_param_find(tab, "delay");
	char small[4];

	ck_assert_str_eq(fmt("flag"), "true");
	ck_assert_str_eq(fmt("count"), "4");
	ck_assert_str_eq(fmt("gain"), "0.5");
	ck_assert_str_eq(fmt("delay"), "200ms");
	ck_assert_str_eq(fmt("rate"), "10Mbps");
	ck_assert_str_eq(fmt("buffer"), "64KiB");
	ck_assert_str_eq(fmt("name"), "reno");
	ck_assert_str_eq(fmt("mode"), "fast");
	ck_assert_str_eq(fmt("plain"), "0");
	ck_assert_str_eq(fmt("label"), "");
	ck_assert_str_eq(fmt("any"), "0");

	OK("flag", vb(false));
	ck_assert_str_eq(fmt("flag"), "false");
	OK("plain", vi(INT64_MIN));
	ck_assert_str_eq(fmt("plain"), "-9223372036854775808");
	OK("any", vf(0.1));
	ck_assert_str_eq(fmt("any"), "0.1");
	OK("any", vf(1234567.0));
	ck_assert_str_eq(fmt("any"), "1234567");
	OK("any", vf(1.0 / 3));
	ck_assert_double_eq(strtod(fmt("any"), NULL), 1.0 / 3);
	OK("any", vf(-2.5e-300));
	ck_assert_str_eq(fmt("any"), "-2.5e-300");
	OK("delay", vf(1.5));
	ck_assert_str_eq(fmt("delay"), "1500ms");
	OK("buffer", vi(1500));
	ck_assert_str_eq(fmt("buffer"), "1500B");
	OK("mode", vs("slow"));
	ck_assert_str_eq(fmt("mode"), "slow");

	/* snprintf-like: the full length, truncated output. */
	ck_assert_int_eq(sy_param_format(p, st, small, sizeof small), 6);
	ck_assert_str_eq(small, "150");
	ck_assert_int_eq(sy_param_format(p, st, NULL, 0), 6);

	st->mode = 9;
	ck_assert_msg(strstr(fmt("mode"), "invalid"), "%s", fmt("mode"));
}
END_TEST

/* What format writes, set reads back to the same value, for every type. */
START_TEST(format_set_round_trip)
{
	struct st before;
	const sy_param *p;
	char buf[128], name[32], label[32];

	OK("flag", vb(false));
	OK("count", vi(77));
	OK("gain", vf(0.7));
	OK("delay", vi(3));
	OK("delay", vf(0.123456789));
	OK("rate", vi(123456789));
	OK("buffer", vi(1536000));
	OK("name", vs("new reno"));
	OK("mode", vs("auto"));
	OK("plain", vi(-123));
	OK("label", vs("x"));
	OK("any", vf(6.02214076e23));
	before = *st;
	before.name = strcpy(name, st->name);
	before.label = strcpy(label, st->label);

	for (p = tab; p->name; p++) {
		sy_param_format(p, st, buf, sizeof buf);
		strcpy(err.msg, "");
		ck_assert_msg(sy_param_set(tab, st, OWNER, p->name,
					   &(sy_value){ .type = SY_V_STRING,
							.u.s = buf },
					   NULL, &err) == 0,
			      "%s = \"%s\": %s", p->name, buf, err.msg);
	}
	ck_assert_int_eq(st->flag, before.flag);
	ck_assert_int_eq(st->count, before.count);
	ck_assert_double_eq(st->gain, before.gain);
	ck_assert_int_eq(st->delay, before.delay);
	ck_assert_int_eq(st->rate, before.rate);
	ck_assert_int_eq(st->buffer, before.buffer);
	ck_assert_str_eq(st->name, before.name);
	ck_assert_int_eq(st->mode, before.mode);
	ck_assert_int_eq(st->plain, before.plain);
	ck_assert_str_eq(st->label, before.label);
	ck_assert_double_eq(st->any, before.any);
}
END_TEST

static Suite *param_suite(void)
{
	Suite *s = suite_create("param");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_are_applied);
	tcase_add_test(tc, find_and_names);
	tcase_add_test(tc, unknown_key_lists_known);
	tcase_add_test(tc, where_and_owner);
	suite_add_tcase(s, tc);

	tc = tcase_create("types");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, set_bool);
	tcase_add_test(tc, set_int);
	tcase_add_test(tc, set_float);
	tcase_add_test(tc, set_duration);
	tcase_add_test(tc, set_rate);
	tcase_add_test(tc, set_size);
	tcase_add_test(tc, set_string_owns_a_copy);
	tcase_add_test(tc, set_enum);
	suite_add_tcase(s, tc);

	tc = tcase_create("ranges and tables");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, range_checks);
	tcase_add_test(tc, bad_bound_at_set_time);
	tcase_add_test(tc, broken_tables);
	tcase_add_test(tc, defaults_of_empty_tables);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, format_each_type);
	tcase_add_test(tc, format_set_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(param_suite());
}
