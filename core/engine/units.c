#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

struct unit {
	const char *sfx;
	int64_t mult;		/* base units per one of this unit */
};

/* One kind of quantity: its closed suffix table and the words its error
 * messages use. */
struct kind {
	const char *what;	/* "duration" */
	const char *base;	/* "nanoseconds", for "not a whole number of" */
	const char *use;	/* the accepted suffixes, as a sentence */
	const char *example;
	const char *zero;	/* the suffix 0 is written with */
	const struct unit *units;	/* NULL-terminated, base unit first */
};

static const struct unit duration_units[] = {
	{ "ns", SY_NS }, { "us", SY_US }, { "ms", SY_MS }, { "s", SY_SEC },
	{ NULL, 0 },
};

static const struct unit rate_units[] = {
	{ "bps", 1 }, { "Kbps", 1000 }, { "Mbps", 1000000 },
	{ "Gbps", 1000000000 },
	{ NULL, 0 },
};

static const struct unit size_units[] = {
	{ "B", 1 }, { "KB", 1000 }, { "MB", 1000000 }, { "GB", 1000000000 },
	{ "KiB", 1024 }, { "MiB", 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 },
	{ NULL, 0 },
};

static const struct kind duration_kind = {
	"duration", "nanoseconds", "ns, us, ms or s", "200ms", "s",
	duration_units,
};

static const struct kind rate_kind = {
	"rate", "bit/s", "bps, Kbps, Mbps or Gbps", "10Mbps", "bps",
	rate_units,
};

static const struct kind size_kind = {
	"size", "bytes", "B, KB, MB, GB, KiB, MiB or GiB", "64KiB", "B",
	size_units,
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

/* mult * 0.DIGITS, exactly: long multiplication of the decimal fraction by
 * mult, from its last digit.  The digits that fall below the decimal point
 * must all be zero for the result to be whole; what carries over is the
 * whole part, which is below mult and so cannot overflow. */
static int frac_scale(const char *digits, size_t k, int64_t mult,
		      int64_t *out)
{
	int64_t carry = 0;
	size_t i;

	for (i = k; i-- > 0;) {
		int64_t t = (digits[i] - '0') * mult + carry;

		if (t % 10)
			return -1;
		carry = t / 10;
	}
	*out = carry;
	return 0;
}

static int parse(const struct kind *kd, const char *s, int64_t *out,
		 sy_err *err)
{
	const struct unit *u;
	const char *p, *frac = NULL, *sfx;
	size_t nfrac = 0;
	int64_t whole = 0, part;

	if (!s || !*s)
		return sy_err_set(err, "bad %s \"\": empty", kd->what);
	for (p = s; *p; p++)
		if (is_space(*p))
			return sy_err_set(err, "bad %s \"%s\": contains white "
					  "space (write the number and the "
					  "unit together, e.g. \"%s\")",
					  kd->what, s, kd->example);
	if (s[0] == '-' && is_digit(s[1]))
		return sy_err_set(err, "bad %s \"%s\": negative", kd->what, s);
	if (!is_digit(*s))
		goto not_number;

	/* The whole part alone may already be too large; the check is
	 * repeated after scaling. */
	for (p = s; is_digit(*p); p++) {
		if (whole > (INT64_MAX - (*p - '0')) / 10)
			goto too_large;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		frac = ++p;
		while (is_digit(*p))
			p++;
		nfrac = (size_t)(p - frac);
		if (!nfrac)
			goto not_number;
	}
	sfx = p;
	if (!*sfx)
		return sy_err_set(err, "bad %s \"%s\": missing unit (use %s)",
				  kd->what, s, kd->use);
	for (u = kd->units; u->sfx; u++)
		if (!strcmp(sfx, u->sfx))
			break;
	if (!u->sfx) {
		/* "1.2.3s", "1e3s": the number itself is malformed, and
		 * calling "e3s" a unit would mislead. */
		if (*sfx == '.' || ((*sfx == 'e' || *sfx == 'E') &&
				    (is_digit(sfx[1]) || sfx[1] == '-' ||
				     sfx[1] == '+')))
			goto not_number;
		return sy_err_set(err,
				  "bad %s \"%s\": unknown unit \"%s\" (use %s)",
				  kd->what, s, sfx, kd->use);
	}

	if (frac_scale(frac, nfrac, u->mult, &part) < 0)
		return sy_err_set(err, "bad %s \"%s\": not a whole number of %s",
				  kd->what, s, kd->base);
	if (whole > (INT64_MAX - part) / u->mult)
		goto too_large;
	*out = whole * u->mult + part;
	return 0;

too_large:
	return sy_err_set(err, "bad %s \"%s\": too large (at most %" PRId64
			  " %s)", kd->what, s, INT64_MAX, kd->base);
not_number:
	return sy_err_set(err,
			  "bad %s \"%s\": not a number followed by a unit "
			  "(digits, an optional fraction, then %s, e.g. \"%s\")",
			  kd->what, s, kd->use, kd->example);
}

int sy_parse_duration(const char *s, sy_time *out, sy_err *err)
{
	return parse(&duration_kind, s, out, err);
}

int sy_parse_rate(const char *s, int64_t *bps, sy_err *err)
{
	return parse(&rate_kind, s, bps, err);
}

int sy_parse_size(const char *s, int64_t *bytes, sy_err *err)
{
	return parse(&size_kind, s, bytes, err);
}

/* The shortest %g form of x that reads back as x, so that a message shows
 * the number the user wrote rather than 17 digits of binary noise. */
static void fmt_double(char *buf, size_t n, double x)
{
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
	snprintf(buf, n, "%.17g", x);
}

/* 2^63 is exactly representable; every double below it converts to int64. */
#define TWO_63 9223372036854775808.0

/* Common checks for a number: 0 if x is finite, non-negative and below
 * 2^63.  limit names the largest value in the number's own unit; NULL
 * means the base unit's. */
static int check_number(const struct kind *kd, double x, const char *limit,
			sy_err *err)
{
	char num[40];

	if (!isnan(x) && x >= 0 && x < TWO_63)
		return 0;
	if (isnan(x))
		return sy_err_set(err, "bad %s NaN: not a number", kd->what);
	fmt_double(num, sizeof num, x);
	if (x < 0)
		return sy_err_set(err, "bad %s %s: negative", kd->what, num);
	if (limit)
		return sy_err_set(err, "bad %s %s: too large (at most %s)",
				  kd->what, num, limit);
	return sy_err_set(err, "bad %s %s: too large (at most %" PRId64 " %s)",
			  kd->what, num, INT64_MAX, kd->base);
}

#define MAX_SECONDS "9223372036.854775807 seconds"

/* The whole seconds are scaled in integer arithmetic and only the fraction
 * goes through a double multiplication, so large values keep nanosecond
 * precision.  Exact halves round up (llround rounds away from zero, and the
 * value is non-negative here). */
int sy_duration_from_seconds(double sec, sy_time *out, sy_err *err)
{
	double whole;
	int64_t ns;
	char num[40];

	if (check_number(&duration_kind, sec, MAX_SECONDS, err) < 0)
		return -1;
	/* Below 2^63 (checked), so whole converts to int64 exactly. */
	whole = floor(sec);
	ns = llround((sec - whole) * 1e9);
	if ((int64_t)whole > (INT64_MAX - ns) / SY_SEC) {
		fmt_double(num, sizeof num, sec);
		return sy_err_set(err, "bad duration %s: too large (at most "
				  MAX_SECONDS ")", num);
	}
	*out = (int64_t)whole * SY_SEC + ns;
	return 0;
}

static int whole_number(const struct kind *kd, double x, int64_t *out,
			sy_err *err)
{
	char num[40];

	if (check_number(kd, x, NULL, err) < 0)
		return -1;
	if (floor(x) != x) {
		fmt_double(num, sizeof num, x);
		return sy_err_set(err, "bad %s %s: not a whole number of %s",
				  kd->what, num, kd->base);
	}
	*out = (int64_t)x;
	return 0;
}

int sy_rate_from_number(double bps, int64_t *out, sy_err *err)
{
	return whole_number(&rate_kind, bps, out, err);
}

int sy_size_from_number(double bytes, int64_t *out, sy_err *err)
{
	return whole_number(&size_kind, bytes, out, err);
}

/* Picks, among the suffixes that divide v exactly, the one with the largest
 * multiplier, so the number printed is the smallest.  For sizes this puts
 * the binary and decimal families in one order by magnitude: 2048 is
 * "2KiB", 2000 is "2KB", 1024000 is "1000KiB" (KiB > KB) and 4096000000 is
 * "4096MB" (MB > KiB, and it is not a whole number of MiB).  Every suffix
 * divides zero, so zero has its own: "0s", "0bps", "0B".  Negative values
 * are formatted with a sign although no parser accepts them back. */
static int format(const struct kind *kd, char *buf, unsigned n, int64_t v)
{
	const struct unit *u, *best = kd->units;
	uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (!v)
		return snprintf(buf, n, "0%s", kd->zero);
	for (u = kd->units; u->sfx; u++)
		if (mag % (uint64_t)u->mult == 0 && u->mult > best->mult)
			best = u;
	return snprintf(buf, n, "%s%" PRIu64 "%s", v < 0 ? "-" : "",
			mag / (uint64_t)best->mult, best->sfx);
}

int sy_format_duration(char *buf, unsigned n, sy_time t)
{
	return format(&duration_kind, buf, n, t);
}

int sy_format_rate(char *buf, unsigned n, int64_t bps)
{
	return format(&rate_kind, buf, n, bps);
}

int sy_format_size(char *buf, unsigned n, int64_t bytes)
{
	return format(&size_kind, buf, n, bytes);
}
