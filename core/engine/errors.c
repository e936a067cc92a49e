#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

int sy_err_set(sy_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int sy_err_prefix(sy_err *err, const char *fmt, ...)
{
	char old[SY_ERR_MAX];
	va_list ap;
	int n;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof err->msg)
		snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", old);
	return -1;
}

void sy_invariant_failed(const char *what, const char *file, int line,
			 const char *func)
{
	fprintf(stderr, "synack: invariant violated: %s (%s:%d, in %s)\n",
		what, file, line, func);
	fflush(stderr);
	abort();
}
