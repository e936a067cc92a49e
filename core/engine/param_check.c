#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "param_priv.h"

/* ---------------------------------------------------------------- tables
 *
 * A plugin's table comes from a module that may have been built wrong (or
 * be hostile): everything is checked before anything is written through
 * it, and every string is read only up to its limit. */

/* Writes a short, printable copy of s into buf, for messages about
 * strings that may be long or hold control characters. */
const char *sy_param_show(const char *s, char *buf, size_t n)
{
	size_t i = 0, o = 0;

	if (!s)
		return "(null)";
	if (n < 8)
		return "...";
	buf[o++] = '"';
	for (; s[i] && o + 6 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			if (o + 4 + 6 >= n)
				break;
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	if (s[i]) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

bool sy_param_name_valid(const char *s)
{
	size_t len = s ? strnlen(s, SY_PARAM_NAME_MAX + 1) : 0;

	if (len == 0 || len > SY_PARAM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') ||
		      ('0' <= c && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* NULL, or at most max bytes, none of them a control character. */
static int check_text(const char *s, size_t max, const char *what,
		      sy_err *why)
{
	size_t len;
	char show[64];

	if (!s)
		return 0;
	len = strnlen(s, max + 1);
	if (len > max)
		return sy_err_set(why, "its %s %s is longer than %zu bytes",
				  what, sy_param_show(s, show, sizeof show),
				  max);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return sy_err_set(why, "its %s %s holds a control "
					  "character", what,
					  sy_param_show(s, show, sizeof show));
	return 0;
}

/* Size and alignment of the field a type stores into. */
static void field_shape(sy_ptype t, size_t *size, size_t *align)
{
	switch (t) {
	case SY_PT_BOOL:
		*size = sizeof(bool);
		*align = _Alignof(bool);
		break;
	case SY_PT_INT:
	case SY_PT_RATE:
	case SY_PT_SIZE:
		*size = sizeof(int64_t);
		*align = _Alignof(int64_t);
		break;
	case SY_PT_DURATION:
		*size = sizeof(sy_time);
		*align = _Alignof(sy_time);
		break;
	case SY_PT_FLOAT:
		*size = sizeof(double);
		*align = _Alignof(double);
		break;
	case SY_PT_STRING:
		*size = sizeof(char *);
		*align = _Alignof(char *);
		break;
	case SY_PT_ENUM:
	default:
		*size = sizeof(int);
		*align = _Alignof(int);
		break;
	}
}

static int check_choices(const sy_param *p, sy_err *why)
{
	char show[64];
	size_t i, j;

	if (!p->choices)
		return 0;
	for (i = 0; i < SY_PARAM_CHOICES_MAX && p->choices[i]; i++) {
		if (!sy_param_name_valid(p->choices[i]))
			return sy_err_set(why, "choice %zu %s is not a name (1 "
					  "to %d letters, digits, '_' or '-')",
					  i, sy_param_show(p->choices[i], show,
							   sizeof show),
					  SY_PARAM_NAME_MAX);
		for (j = 0; j < i; j++)
			if (!strcmp(p->choices[i], p->choices[j]))
				return sy_err_set(why, "choice \"%s\" is "
						  "listed twice",
						  p->choices[i]);
	}
	if (i == SY_PARAM_CHOICES_MAX)
		return sy_err_set(why, "its choices have no NULL end within "
				  "the first %d", SY_PARAM_CHOICES_MAX);
	return 0;
}

/* One entry on its own: name, type, field, strings, bounds and default. */
static int check_entry(const sy_param *p, size_t state_size, sy_err *why)
{
	size_t size, align;
	union pval x;
	sy_err e;

	if (!valid_type(p->type))
		return sy_err_set(why, "unknown type %d", (int)p->type);
	field_shape(p->type, &size, &align);
	if (p->offset > state_size || size > state_size - p->offset)
		return sy_err_set(why, "its %s field (%zu bytes at offset "
				  "%zu) lies outside the state (%zu bytes)",
				  sy_ptype_name(p->type), size, p->offset,
				  state_size);
	if (p->offset % align)
		return sy_err_set(why, "its %s field at offset %zu is not "
				  "aligned to %zu bytes",
				  sy_ptype_name(p->type), p->offset, align);
	if (check_text(p->def, SY_PARAM_VALUE_MAX, "default", why) < 0 ||
	    check_text(p->min, SY_PARAM_VALUE_MAX, "minimum", why) < 0 ||
	    check_text(p->max, SY_PARAM_VALUE_MAX, "maximum", why) < 0 ||
	    check_text(p->doc, SY_PARAM_DOC_MAX, "description", why) < 0)
		return -1;
	if (p->type == SY_PT_ENUM && check_choices(p, why) < 0)
		return -1;
	if (sy_param_check_table(p, why) < 0)
		return -1;
	/* The default, converted and range-checked as sy_params_defaults
	 * will, without a state to write it to. */
	if (p->def && p->type != SY_PT_STRING) {
		sy_value v = { .type = SY_V_STRING, .u.s = p->def };

		if (sy_param_convert(p, &v, &x, &e) < 0)
			return sy_err_set(why, "its default: %s", e.msg);
	} else {
		memset(&x, 0, sizeof x);
		if (p->type == SY_PT_FLOAT)
			x.f = 0.0;
	}
	if (sy_param_check_range(p, &x, &e) < 0)
		return sy_err_set(why, "its default: %s", e.msg);
	return 0;
}

/* Whether every field of a terminator is zero: one that is not is an entry
 * whose name was left out. */
static bool is_terminator(const sy_param *p)
{
	return !p->name && p->type == 0 && p->offset == 0 && !p->def &&
	       !p->min && !p->max && !p->choices && !p->doc;
}

int sy_params_check(const sy_param *tab, size_t state_size, sy_err *err)
{
	char show[64];
	size_t n, i, j;
	sy_err why;

	if (!tab)
		return 0;
	/* The end first, so that nothing past a table without one is read. */
	for (n = 0; n < SY_PARAM_MAX && tab[n].name; n++)
		;
	if (n == SY_PARAM_MAX)
		return sy_err_set(err, "the parameter table has no end within "
				  "its first %d entries (a table ends with "
				  "{ .name = NULL })", SY_PARAM_MAX);
	if (!is_terminator(&tab[n]))
		return sy_err_set(err, "parameter table entry %zu has a NULL "
				  "name but other fields set: a parameter "
				  "without a name, or a terminator that is not "
				  "all zero", n);
	for (i = 0; i < n; i++) {
		const sy_param *p = &tab[i];
		size_t s1, s2, a;

		if (!sy_param_name_valid(p->name))
			return sy_err_set(err, "parameter table entry %zu: "
					  "name %s is not a parameter name (1 "
					  "to %d letters, digits, '_' or '-')",
					  i, sy_param_show(p->name, show,
							   sizeof show),
					  SY_PARAM_NAME_MAX);
		if (check_entry(p, state_size, &why) < 0)
			return sy_err_set(err, "parameter '%s' (table entry "
					  "%zu): %s", p->name, i, why.msg);
		field_shape(p->type, &s1, &a);
		for (j = 0; j < i; j++) {
			const sy_param *q = &tab[j];

			if (!strcmp(p->name, q->name))
				return sy_err_set(err, "parameter '%s' is "
						  "declared twice (table "
						  "entries %zu and %zu)",
						  p->name, j, i);
			field_shape(q->type, &s2, &a);
			if (p->offset < q->offset + s2 &&
			    q->offset < p->offset + s1)
				return sy_err_set(err, "parameter '%s' (table "
						  "entry %zu): its field "
						  "overlaps that of '%s'",
						  p->name, i, q->name);
		}
	}
	return 0;
}

