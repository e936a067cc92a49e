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

/* Invariants.  SY_INVARIANT(cond) is always compiled: it costs a compare,
 * so it is for O(1) checks on hot paths (sequence ordering, counts that
 * may not wrap).  SY_DEEP_INVARIANT(cond) is compiled only when
 * SY_DEEP_CHECKS is defined (--enable-sanitizers, --enable-fuzzing): for
 * checks that walk a structure.  A violated invariant is a bug in synack
 * or in a plugin, never bad input: it prints what failed and where, then
 * aborts, so a sanitizer or fuzzer run reports it with a stack. */
void sy_invariant_failed(const char *what, const char *file, int line,
			 const char *func) __attribute__((noreturn));
#define SY_INVARIANT(cond) \
	((cond) ? (void)0 : sy_invariant_failed(#cond, __FILE__, __LINE__, __func__))
#ifdef SY_DEEP_CHECKS
#define SY_DEEP_INVARIANT(cond) SY_INVARIANT(cond)
#else
#define SY_DEEP_INVARIANT(cond) ((void)0)
#endif

#endif
