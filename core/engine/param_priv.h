/* Parameter tables' private parts, shared by param.c (values: conversion,
 * ranges, setting, formatting) and param_check.c (checking a table). */
#ifndef SY_PARAM_PRIV_H
#define SY_PARAM_PRIV_H

#include "param.h"

/* A checked value, in the C type its parameter stores. */
union pval {
	bool b;
	int64_t i;		/* INT, DURATION, RATE, SIZE */
	double f;
	const char *s;		/* borrowed until stored */
	int e;
};

static inline int valid_type(sy_ptype t)
{
	return (unsigned)t <= SY_PT_ENUM;
}

int sy_param_convert(const sy_param *p, const sy_value *v, union pval *out,
		     sy_err *why);
int sy_param_check_range(const sy_param *p, const union pval *x, sy_err *why);
int sy_param_check_table(const sy_param *p, sy_err *why);

#endif
