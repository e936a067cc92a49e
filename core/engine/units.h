/* Quantities with units.
 *
 * The contract (DESIGN.md): a number is in SI base units (seconds, bit/s,
 * bytes); a string must carry a suffix from a closed table:
 *   durations  ns us ms s
 *   rates      bps Kbps Mbps Gbps        (decimal: 1 Kbps = 1000 bit/s)
 *   sizes      B KB MB GB (decimal)  KiB MiB GiB (binary)
 * Anything else (no suffix, an unknown suffix, a value that is negative,
 * not representable, or not a whole number of the base unit) is an error;
 * nothing is ever guessed.  Decimal strings are converted exactly, so
 * "0.1s" is exactly 100000000 ns. */
#ifndef SY_UNITS_H
#define SY_UNITS_H

#include <stdint.h>

#include "errors.h"
#include "vtime.h"

/* Strings.  On error the message quotes the string and lists the suffixes
 * that would have been accepted. */
int sy_parse_duration(const char *s, sy_time *out, sy_err *err);
int sy_parse_rate(const char *s, int64_t *bps, sy_err *err);
int sy_parse_size(const char *s, int64_t *bytes, sy_err *err);

/* Numbers in base units.  Durations are rounded to the nearest nanosecond;
 * rates and sizes must be whole. */
int sy_duration_from_seconds(double sec, sy_time *out, sy_err *err);
int sy_rate_from_number(double bps, int64_t *out, sy_err *err);
int sy_size_from_number(double bytes, int64_t *out, sy_err *err);

/* Formats a value with the largest suffix that represents it exactly
 * ("250ms", "10Mbps", "64KiB"); returns the number of characters written
 * as snprintf does. */
int sy_format_duration(char *buf, unsigned n, sy_time t);
int sy_format_rate(char *buf, unsigned n, int64_t bps);
int sy_format_size(char *buf, unsigned n, int64_t bytes);

#endif
