/* The units parser: durations, rates and sizes as a user writes them.
 *
 * The input is one string (cut at its first NUL, as a C caller would see
 * it), given to every parser.  Besides not crashing, a value a parser
 * accepts must survive formatting: the formatted text parses back to the
 * same value.  The number converters get the string's strtod value. */
#include "config.h"

#include <math.h>

#include "fuzz.h"
#include "units.h"

typedef int (*parse_fn)(const char *s, int64_t *v, sy_err *err);
typedef int (*format_fn)(char *buf, unsigned n, int64_t v);

static int parse_duration(const char *s, int64_t *v, sy_err *err)
{
	sy_time t;
	int rc = sy_parse_duration(s, &t, err);

	*v = t;
	return rc;
}

static int format_duration(char *buf, unsigned n, int64_t v)
{
	return sy_format_duration(buf, n, v);
}

static void round_trip(const char *what, const char *s, parse_fn parse,
		       format_fn format)
{
	char buf[64];
	int64_t v, back;
	sy_err err;
	int n;

	if (parse(s, &v, &err) < 0) {
		if (!err.msg[0])
			FUZZ_FAIL("%s '%s' refused without a message", what, s);
		return;
	}
	if (v < 0)
		FUZZ_FAIL("%s '%s' parsed to a negative %lld", what, s, (long long)v);
	n = format(buf, sizeof buf, v);
	if (n < 0 || (size_t)n >= sizeof buf)
		FUZZ_FAIL("%s %lld ('%s') does not format in %zu bytes", what,
			  (long long)v, s, sizeof buf);
	if (parse(buf, &back, &err) < 0)
		FUZZ_FAIL("%s '%s' = %lld formats as '%s', which does not parse: %s",
			  what, s, (long long)v, buf, err.msg);
	if (back != v)
		FUZZ_FAIL("%s '%s' = %lld formats as '%s', which parses to %lld",
			  what, s, (long long)v, buf, (long long)back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	sy_time t;
	int64_t v;
	double d;
	sy_err err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	round_trip("duration", s, parse_duration, format_duration);
	round_trip("rate", s, sy_parse_rate, sy_format_rate);
	round_trip("size", s, sy_parse_size, sy_format_size);

	d = strtod(s, NULL);
	sy_duration_from_seconds(d, &t, &err);
	sy_rate_from_number(d, &v, &err);
	sy_size_from_number(d, &v, &err);
	/* and the same from the raw bits, for NaNs, infinities and subnormals */
	if (size >= sizeof d) {
		memcpy(&d, data, sizeof d);
		sy_duration_from_seconds(d, &t, &err);
		sy_rate_from_number(d, &v, &err);
		sy_size_from_number(d, &v, &err);
	}
	free(s);
	return 0;
}
