#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "param_priv.h"
#include "units.h"

/* Wording of a "wrong type" error: what the parameter expects. */
static const char *const expects[] = {
	[SY_PT_BOOL] = "a boolean (true or false)",
	[SY_PT_INT] = "an integer",
	[SY_PT_FLOAT] = "a number",
	[SY_PT_DURATION] = "a duration (a number of seconds or a string "
			   "with a unit: ns, us, ms, s)",
	[SY_PT_RATE] = "a rate (a number of bit/s or a string with a unit: "
		       "bps, Kbps, Mbps, Gbps)",
	[SY_PT_SIZE] = "a size (a number of bytes or a string with a unit: "
		       "B, KB, MB, GB, KiB, MiB, GiB)",
	[SY_PT_STRING] = "a string",
	[SY_PT_ENUM] = "one of the choices",
};

const char *sy_ptype_name(sy_ptype t)
{
	static const char *const names[] = {
		[SY_PT_BOOL] = "bool", [SY_PT_INT] = "integer",
		[SY_PT_FLOAT] = "float", [SY_PT_DURATION] = "duration",
		[SY_PT_RATE] = "rate", [SY_PT_SIZE] = "size",
		[SY_PT_STRING] = "string", [SY_PT_ENUM] = "enum",
	};

	if ((unsigned)t >= sizeof names / sizeof names[0])
		return "?";
	return names[t];
}

const char *sy_ptype_unit(sy_ptype t)
{
	switch (t) {
	case SY_PT_DURATION:
		return "s";
	case SY_PT_RATE:
		return "bit/s";
	case SY_PT_SIZE:
		return "B";
	default:
		return "";
	}
}

const sy_param *sy_param_find(const sy_param *tab, const char *key)
{
	if (!tab || !key)
		return NULL;
	for (; tab->name; tab++)
		if (!strcmp(tab->name, key))
			return tab;
	return NULL;
}

/* "WHERE: OWNER: " with either part left out when absent. */
static void context(char *buf, size_t n, const char *where,
		    const char *owner)
{
	snprintf(buf, n, "%s%s%s%s", where && *where ? where : "",
		 where && *where ? ": " : "", owner && *owner ? owner : "",
		 owner && *owner ? ": " : "");
}

/* The final message: "WHERE: OWNER: parameter 'KEY': PROBLEM". */
static int fail(sy_err *err, const char *where, const char *owner,
		const char *key, const sy_err *why)
{
	char ctx[SY_ERR_MAX];

	context(ctx, sizeof ctx, where, owner);
	return sy_err_set(err, "%sparameter '%s': %s", ctx, key, why->msg);
}

/* The shortest %g form that reads back as the same double: "0.1", not
 * "0.10000000000000001"; formatted locally since buf may be too short to
 * read back. */
static int fmt_double(char *buf, size_t n, double x)
{
	char tmp[40];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof tmp, "%.17g", x);
	return snprintf(buf, n, "%s", tmp);
}

static void fmt_pval(const sy_param *p, const union pval *x, char *buf,
		     size_t n)
{
	switch (p->type) {
	case SY_PT_FLOAT:
		fmt_double(buf, n, x->f);
		break;
	case SY_PT_DURATION:
		sy_format_duration(buf, (unsigned)n, x->i);
		break;
	case SY_PT_RATE:
		sy_format_rate(buf, (unsigned)n, x->i);
		break;
	case SY_PT_SIZE:
		sy_format_size(buf, (unsigned)n, x->i);
		break;
	default:
		snprintf(buf, n, "%" PRId64, x->i);
		break;
	}
}

static const char *value_kind(const sy_value *v)
{
	switch (v->type) {
	case SY_V_BOOL:
		return "a boolean";
	case SY_V_INT:
		return "an integer";
	case SY_V_FLOAT:
		return "a number";
	case SY_V_STRING:
		return "a string";
	}
	return "an unknown kind of value";
}

static int wrong_type(const sy_param *p, const sy_value *v, sy_err *why)
{
	return sy_err_set(why, "expected %s, got %s", expects[p->type],
			  value_kind(v));
}

/* A "a, b, c" list for a message, cut short with "..." rather than in the
 * middle of a name. */
struct list {
	char buf[SY_ERR_MAX / 2];
	size_t len;
	bool cut;
};

static void list_add(struct list *l, const char *name)
{
	size_t room = sizeof l->buf - l->len;
	int w;

	if (l->cut)
		return;
	w = snprintf(l->buf + l->len, room, "%s%s", l->len ? ", " : "", name);
	if (w < 0 || (size_t)w + sizeof ", ..." > room) {
		snprintf(l->buf + l->len, room, "%s...", l->len ? ", " : "");
		l->cut = true;
		return;
	}
	l->len += (size_t)w;
}

static int conv_bool(const sy_value *v, union pval *out, sy_err *why)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	int i;

	if (v->type == SY_V_BOOL) {
		out->b = v->u.b;
		return 0;
	}
	if (v->type != SY_V_STRING || !v->u.s)
		return sy_err_set(why, "expected a boolean (true or false), "
				  "got %s", value_kind(v));
	for (i = 0; yes[i]; i++) {
		if (!strcmp(v->u.s, yes[i])) {
			out->b = true;
			return 0;
		}
		if (!strcmp(v->u.s, no[i])) {
			out->b = false;
			return 0;
		}
	}
	return sy_err_set(why, "expected a boolean (true, false, yes, no, on, "
			  "off, 1 or 0), got \"%s\"", v->u.s);
}

static int conv_int(const sy_value *v, union pval *out, sy_err *why)
{
	const char *s, *d;
	char num[40];
	int64_t x = 0;
	bool neg;

	switch (v->type) {
	case SY_V_INT:
		out->i = v->u.i;
		return 0;
	case SY_V_FLOAT:
		/* Lua and libconfig may hand over 3.0 for 3. */
		if (isfinite(v->u.f) && floor(v->u.f) == v->u.f &&
		    v->u.f >= -9223372036854775808.0 &&
		    v->u.f < 9223372036854775808.0) {
			out->i = (int64_t)v->u.f;
			return 0;
		}
		fmt_double(num, sizeof num, v->u.f);
		/* Whole but beyond int64_t: converting it would be undefined. */
		if (isfinite(v->u.f) && floor(v->u.f) == v->u.f)
			return sy_err_set(why, "integer %s is out of range "
					  "(%" PRId64 " to %" PRId64 ")",
					  num, INT64_MIN, INT64_MAX);
		return sy_err_set(why, "expected an integer, got %s", num);
	case SY_V_STRING:
		break;
	default:
		return sy_err_set(why, "expected an integer, got %s",
				  value_kind(v));
	}
	s = v->u.s ? v->u.s : "";
	neg = *s == '-';
	d = s + neg;
	if (!*d)
		goto bad;
	/* Accumulated negatively so that INT64_MIN is reachable. */
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			goto bad;
		if (x < (INT64_MIN + (*d - '0')) / 10)
			return sy_err_set(why, "integer \"%s\" is out of range "
					  "(%" PRId64 " to %" PRId64 ")",
					  s, INT64_MIN, INT64_MAX);
		x = x * 10 - (*d - '0');
	}
	if (!neg && x == INT64_MIN)
		return sy_err_set(why, "integer \"%s\" is out of range "
				  "(%" PRId64 " to %" PRId64 ")",
				  s, INT64_MIN, INT64_MAX);
	out->i = neg ? x : -x;
	return 0;
bad:
	return sy_err_set(why, "expected an integer, got \"%s\"", s);
}

static int conv_float(const sy_value *v, union pval *out, sy_err *why)
{
	const char *s;
	char *end;
	double x;

	switch (v->type) {
	case SY_V_INT:
		out->f = (double)v->u.i;
		return 0;
	case SY_V_FLOAT:
		if (!isfinite(v->u.f))
			return sy_err_set(why, "expected a finite number, got %g",
					  v->u.f);
		out->f = v->u.f;
		return 0;
	case SY_V_STRING:
		break;
	default:
		return sy_err_set(why, "expected a number, got %s",
				  value_kind(v));
	}
	s = v->u.s ? v->u.s : "";
	/* strtod would skip leading white space; nothing else does. */
	if (!*s || strchr(" \t\n\r\v\f", *s))
		return sy_err_set(why, "expected a number, got \"%s\"", s);
	errno = 0;
	x = strtod(s, &end);
	if (*end)
		return sy_err_set(why, "expected a number, got \"%s\"", s);
	if (!isfinite(x) || errno == ERANGE)
		return sy_err_set(why, "number \"%s\" is not finite or out of "
				  "range", s);
	out->f = x;
	return 0;
}

/* Durations, rates and sizes: numbers in base units, strings with a
 * suffix; the messages come from units.c. */
static int conv_unit(const sy_param *p, const sy_value *v, union pval *out,
		     sy_err *why)
{
	double x;

	if (v->type == SY_V_STRING) {
		const char *s = v->u.s ? v->u.s : "";

		if (p->type == SY_PT_DURATION)
			return sy_parse_duration(s, &out->i, why);
		if (p->type == SY_PT_RATE)
			return sy_parse_rate(s, &out->i, why);
		return sy_parse_size(s, &out->i, why);
	}
	if (v->type == SY_V_INT) {
		/* Exact, even beyond 2^53, where a double would round. */
		if (p->type != SY_PT_DURATION && v->u.i >= 0) {
			out->i = v->u.i;
			return 0;
		}
		x = (double)v->u.i;
	} else if (v->type == SY_V_FLOAT) {
		x = v->u.f;
	} else {
		return wrong_type(p, v, why);
	}
	if (p->type == SY_PT_DURATION)
		return sy_duration_from_seconds(x, &out->i, why);
	if (p->type == SY_PT_RATE)
		return sy_rate_from_number(x, &out->i, why);
	return sy_size_from_number(x, &out->i, why);
}

static int conv_enum(const sy_param *p, const sy_value *v, union pval *out,
		     sy_err *why)
{
	struct list list = { .len = 0 };
	int i;

	if (!p->choices || !p->choices[0])
		return sy_err_set(why, "the parameter table lists no choices");
	for (i = 0; p->choices[i]; i++)
		list_add(&list, p->choices[i]);
	if (v->type != SY_V_STRING || !v->u.s)
		return sy_err_set(why, "expected one of %s, got %s", list.buf,
				  value_kind(v));
	for (i = 0; p->choices[i]; i++) {
		if (!strcmp(v->u.s, p->choices[i])) {
			out->e = i;
			return 0;
		}
	}
	return sy_err_set(why, "unknown choice \"%s\" (choices: %s)", v->u.s,
			  list.buf);
}

/* Checks v against p's type; why receives the bare problem. */
int sy_param_convert(const sy_param *p, const sy_value *v, union pval *out,
		     sy_err *why)
{
	switch (p->type) {
	case SY_PT_BOOL:
		return conv_bool(v, out, why);
	case SY_PT_INT:
		return conv_int(v, out, why);
	case SY_PT_FLOAT:
		return conv_float(v, out, why);
	case SY_PT_DURATION:
	case SY_PT_RATE:
	case SY_PT_SIZE:
		return conv_unit(p, v, out, why);
	case SY_PT_STRING:
		if (v->type != SY_V_STRING)
			return wrong_type(p, v, why);
		out->s = v->u.s;
		return 0;
	case SY_PT_ENUM:
		return conv_enum(p, v, out, why);
	}
	return sy_err_set(why, "the parameter table gives it an unknown "
			  "type %d", (int)p->type);
}

static bool has_range(sy_ptype t)
{
	return t == SY_PT_INT || t == SY_PT_FLOAT || t == SY_PT_DURATION ||
	       t == SY_PT_RATE || t == SY_PT_SIZE;
}

/* Negative if a < b, and so on; in the stored type. */
static int cmp(const sy_param *p, const union pval *a, const union pval *b)
{
	if (p->type == SY_PT_FLOAT)
		return (a->f > b->f) - (a->f < b->f);
	return (a->i > b->i) - (a->i < b->i);
}

/* A bound goes through the same conversion as a user's string. */
static int bound(const sy_param *p, const char *s, const char *which,
		 union pval *out, sy_err *why)
{
	sy_value v = { .type = SY_V_STRING, .u.s = s };
	sy_err e;

	if (sy_param_convert(p, &v, out, &e) < 0)
		return sy_err_set(why, "the parameter table has a bad %s: %s",
				  which, e.msg);
	return 0;
}

int sy_param_check_range(const sy_param *p, const union pval *x, sy_err *why)
{
	union pval lo, hi;
	char a[64], b[64];

	if (!has_range(p->type))
		return 0;
	if (p->min && bound(p, p->min, "minimum", &lo, why) < 0)
		return -1;
	if (p->max && bound(p, p->max, "maximum", &hi, why) < 0)
		return -1;
	if (p->min && cmp(p, x, &lo) < 0) {
		fmt_pval(p, x, a, sizeof a);
		fmt_pval(p, &lo, b, sizeof b);
		return sy_err_set(why, "value %s is below the minimum %s", a, b);
	}
	if (p->max && cmp(p, x, &hi) > 0) {
		fmt_pval(p, x, a, sizeof a);
		fmt_pval(p, &hi, b, sizeof b);
		return sy_err_set(why, "value %s is above the maximum %s", a, b);
	}
	return 0;
}

static void *field(const sy_param *p, void *state)
{
	return (char *)state + p->offset;
}

static int store(const sy_param *p, void *state, const union pval *x,
		 sy_err *why)
{
	void *f = field(p, state);
	char *dup = NULL;

	switch (p->type) {
	case SY_PT_BOOL:
		*(bool *)f = x->b;
		break;
	case SY_PT_INT:
	case SY_PT_RATE:
	case SY_PT_SIZE:
		*(int64_t *)f = x->i;
		break;
	case SY_PT_DURATION:
		*(sy_time *)f = x->i;
		break;
	case SY_PT_FLOAT:
		*(double *)f = x->f;
		break;
	case SY_PT_STRING:
		/* Copied before the old value goes, so that setting a
		 * parameter to its own current value works. */
		if (x->s) {
			size_t len = strlen(x->s) + 1;

			if (!(dup = malloc(len)))
				return sy_err_set(why, "out of memory");
			memcpy(dup, x->s, len);
		}
		free(*(char **)f);
		*(char **)f = dup;
		break;
	case SY_PT_ENUM:
		*(int *)f = x->e;
		break;
	}
	return 0;
}

static int set(const sy_param *p, void *state, const char *owner,
	       const sy_value *v, const char *where, sy_err *err)
{
	union pval x;
	sy_err why;

	if (sy_param_convert(p, v, &x, &why) < 0 ||
	    sy_param_check_range(p, &x, &why) < 0 ||
	    store(p, state, &x, &why) < 0)
		return fail(err, where, owner, p->name, &why);
	return 0;
}

int sy_param_set(const sy_param *tab, void *state, const char *owner,
		 const char *key, const sy_value *v, const char *where,
		 sy_err *err)
{
	const sy_param *p = sy_param_find(tab, key);
	struct list known = { .len = 0 };
	char ctx[SY_ERR_MAX];

	if (!p) {
		context(ctx, sizeof ctx, where, owner);
		if (!tab || !tab->name)
			return sy_err_set(err, "%sunknown parameter '%s' (it has "
					  "no parameters)", ctx, key ? key : "");
		for (p = tab; p->name; p++)
			list_add(&known, p->name);
		return sy_err_set(err, "%sunknown parameter '%s' (known: %s)",
				  ctx, key ? key : "", known.buf);
	}
	if (!v) {
		sy_err why;

		sy_err_set(&why, "no value");
		return fail(err, where, owner, p->name, &why);
	}
	return set(p, state, owner, v, where, err);
}

/* Table mistakes that no value could reveal: bounds on a type that has no
 * order, an empty choice list, a minimum above the maximum. */
int sy_param_check_table(const sy_param *p, sy_err *why)
{
	union pval lo, hi;

	if (!valid_type(p->type))
		return sy_err_set(why, "unknown type %d", (int)p->type);
	if ((p->min || p->max) && !has_range(p->type))
		return sy_err_set(why, "a %s cannot have a minimum or maximum",
				  sy_ptype_name(p->type));
	if (p->type == SY_PT_ENUM && (!p->choices || !p->choices[0]))
		return sy_err_set(why, "the enum lists no choices");
	if (p->min && bound(p, p->min, "minimum", &lo, why) < 0)
		return -1;
	if (p->max && bound(p, p->max, "maximum", &hi, why) < 0)
		return -1;
	if (p->min && p->max && cmp(p, &lo, &hi) > 0)
		return sy_err_set(why, "the minimum %s is above the maximum %s",
				  p->min, p->max);
	return 0;
}

/* The state comes from calloc (plugin.h), so string fields start NULL and
 * the setter may free what it replaces. */
int sy_params_defaults(const sy_param *tab, void *state, const char *owner,
		       sy_err *err)
{
	const sy_param *p;
	sy_err why;

	for (p = tab; p && p->name; p++) {
		if (sy_param_check_table(p, &why) < 0) {
			fail(err, "default", owner, p->name, &why);
			return sy_err_prefix(err, "broken parameter table");
		}
		if (p->def) {
			sy_value v = { .type = SY_V_STRING, .u.s = p->def };

			if (set(p, state, owner, &v, "default", err) < 0)
				return sy_err_prefix(err,
						     "broken parameter table");
		} else {
			/* Zero, NULL or the first choice; still checked
			 * against the range. */
			union pval zero;

			memset(&zero, 0, sizeof zero);
			if (p->type == SY_PT_FLOAT)
				zero.f = 0.0;
			if (sy_param_check_range(p, &zero, &why) < 0 ||
			    store(p, state, &zero, &why) < 0) {
				fail(err, "default", owner, p->name, &why);
				return sy_err_prefix(err,
						     "broken parameter table");
			}
		}
	}
	return 0;
}

void sy_params_free(const sy_param *tab, void *state)
{
	const sy_param *p;

	for (p = tab; p && p->name; p++) {
		if (p->type == SY_PT_STRING) {
			char **f = field(p, state);

			free(*f);
			*f = NULL;
		}
	}
}

int sy_param_format(const sy_param *p, const void *state, char *buf,
		    size_t n)
{
	const void *f = (const char *)state + p->offset;
	unsigned un = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
	const char *s;
	int e;

	switch (p->type) {
	case SY_PT_BOOL:
		return snprintf(buf, n, "%s", *(const bool *)f ? "true" : "false");
	case SY_PT_INT:
		return snprintf(buf, n, "%" PRId64, *(const int64_t *)f);
	case SY_PT_FLOAT:
		return fmt_double(buf, n, *(const double *)f);
	case SY_PT_DURATION:
		return sy_format_duration(buf, un, *(const sy_time *)f);
	case SY_PT_RATE:
		return sy_format_rate(buf, un, *(const int64_t *)f);
	case SY_PT_SIZE:
		return sy_format_size(buf, un, *(const int64_t *)f);
	case SY_PT_STRING:
		s = *(char *const *)f;
		return snprintf(buf, n, "%s", s ? s : "");
	case SY_PT_ENUM:
		e = *(const int *)f;
		if (p->choices && e >= 0) {
			int i;

			for (i = 0; p->choices[i]; i++)
				if (i == e)
					return snprintf(buf, n, "%s",
							p->choices[i]);
		}
		return snprintf(buf, n, "(invalid choice %d)", e);
	}
	return snprintf(buf, n, "(unknown type %d)", (int)p->type);
}
