/* Error reporting for the synack core.
 *
 * Functions that can fail take a `sy_err *` as their last argument, return -1
 * (or NULL) on failure and leave a complete, human-readable message in it.
 * The message names what was wrong and where it came from; callers add
 * nothing but their own context. */
#ifndef SY_ERRORS_H
#define SY_ERRORS_H

#include <stddef.h>

#define SY_ERR_MAX 1024

typedef struct sy_err {
	char msg[SY_ERR_MAX];
} sy_err;

/* Formats the message into err (if err is non-NULL) and returns -1, so a
 * failing path can read `return sy_err_set(err, "...", ...);`. */
int sy_err_set(sy_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Puts "prefix: " in front of the message already in err. */
int sy_err_prefix(sy_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
