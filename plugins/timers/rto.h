/* What the timer profiles (timers/rfc, timers/linux) share: saturating
 * nanosecond arithmetic, the backoff rule, the consistency checks of a
 * sy_timer_limits and the copy of the integer parameters into it.
 *
 * Every helper here works on non-negative sy_time values and never
 * overflows: sums and products saturate at SY_TIME_NEVER, so an absurd
 * sample (hours, days) gives an RTO of rto_max, not a wrapped negative
 * one. */
#ifndef SY_PLUGINS_TIMERS_RTO_H
#define SY_PLUGINS_TIMERS_RTO_H

#include <stdint.h>

#include "errors.h"
#include "timers.h"
#include "units.h"
#include "vtime.h"

/* Ranges shared by both parameter tables.  They are sanity bounds, not
 * the RFCs' requirements: a study may set any value a real stack could
 * be configured with, and some no stack would (rto_min = 0).  A day bounds
 * every duration so that no sum of a few of them comes near overflow. */
#define RTO_DUR_MAX "86400s"
#define RTO_RETRIES_MAX "255"

/* a + b for a, b >= 0, saturating. */
static inline sy_time rto_add(sy_time a, sy_time b)
{
	return a > SY_TIME_NEVER - b ? SY_TIME_NEVER : a + b;
}

/* a * k for a >= 0, k > 0, saturating. */
static inline sy_time rto_mul(sy_time a, sy_time k)
{
	return a > SY_TIME_NEVER / k ? SY_TIME_NEVER : a * k;
}

/* num / den rounded to the nearest integer, halves away from zero, for
 * den > 0 and small (the estimators divide by 2, 4, 8 and 32).  One
 * rounding per update keeps each step within half a nanosecond of the
 * exact rational result. */
static inline sy_time rto_div_round(sy_time num, sy_time den)
{
	sy_time q = num / den, rem = num % den;

	if (rem < 0 ? -2 * rem >= den : 2 * rem >= den)
		q += num < 0 ? -1 : 1;
	return q;
}

static inline sy_time rto_abs_diff(sy_time a, sy_time b)
{
	return a > b ? a - b : b - a;
}

static inline sy_time rto_clamp(sy_time t, sy_time lo, sy_time hi)
{
	return t < lo ? lo : t > hi ? hi : t;
}

/* The value the estimators store in sy_rtt.rto: within [rto_min, rto_max]
 * and never 0, since a zero timeout would fire again in the same instant
 * for ever (rto_min may be 0; rto_max is at least 1 ns by its range). */
static inline sy_time rto_bound(const sy_timer_limits *l, sy_time t)
{
	sy_time lo = l->rto_min > 0 ? l->rto_min : 1;

	return rto_clamp(t, lo, l->rto_max);
}

static inline void rto_rtt_init(const sy_timer_limits *l, sy_rtt *r)
{
	r->srtt = 0;
	r->rttvar = 0;
	r->rto = l->rto_initial;
	r->backoff = 0;
	r->samples = 0;
}

/* min(rto << backoff, rto_max) without computing the shift when it would
 * pass rto_max: rto << b > max exactly when rto > max >> b (integers), and
 * a shift of 63 or more passes any positive maximum. */
static inline sy_time rto_backed_off(const sy_timer_limits *l,
				     const sy_rtt *r)
{
	sy_time max = l->rto_max;

	if (r->rto >= max || r->backoff >= 63 || r->rto > (max >> r->backoff))
		return max;
	return r->rto << r->backoff;
}

/* Doubling stops once rto_max is reached, so backoff stays small (at most
 * about log2(rto_max / rto) + 1) however many timeouts fire. */
static inline void rto_backoff(const sy_timer_limits *l, sy_rtt *r)
{
	if (rto_backed_off(l, r) < l->rto_max)
		r->backoff++;
}

static inline void rto_count_sample(sy_rtt *r)
{
	if (r->samples < UINT32_MAX)
		r->samples++;
	r->backoff = 0;
}

/* "a" (va) must not exceed "b" (vb). */
static inline int rto_check_le(const char *a, sy_time va, const char *b,
			       sy_time vb, const char *why, sy_err *err)
{
	char sa[48], sb[48];

	if (va <= vb)
		return 0;
	sy_format_duration(sa, sizeof sa, va);
	sy_format_duration(sb, sizeof sb, vb);
	return sy_err_set(err, "parameter '%s' (%s) must not exceed '%s' "
			  "(%s): %s", a, sa, b, sb, why);
}

/* What makes a profile unusable whatever the stack: an RTO range that is
 * empty or does not contain the initial RTO.  Everything else (an RTO
 * below the RFC's 1 s, a TIME_WAIT shorter than 2*MSL, ...) is a choice
 * a study may make.  rto_min against rto_max comes first: when it fails,
 * one of the other two fails too, and this message is the one that names
 * the real conflict. */
static inline int rto_limits_check(const sy_timer_limits *l, sy_err *err)
{
	if (rto_check_le("rto_min", l->rto_min, "rto_max", l->rto_max,
			 "the RTO range is empty", err) < 0 ||
	    rto_check_le("rto_min", l->rto_min, "rto_initial", l->rto_initial,
			 "the initial RTO must lie within [rto_min, rto_max]",
			 err) < 0 ||
	    rto_check_le("rto_initial", l->rto_initial, "rto_max", l->rto_max,
			 "the initial RTO must lie within [rto_min, rto_max]",
			 err) < 0)
		return -1;
	return 0;
}

#endif
