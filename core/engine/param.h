/* Typed parameters, shared by every plugin.
 *
 * A plugin declares a table of parameters; each names a field of the
 * plugin's per-instance state (by offset) and its type decides the C type of
 * that field:
 *
 *   SY_PT_BOOL      bool
 *   SY_PT_INT       int64_t
 *   SY_PT_FLOAT     double
 *   SY_PT_DURATION  sy_time   (ns)      numbers are seconds
 *   SY_PT_RATE      int64_t   (bit/s)   numbers are bit/s
 *   SY_PT_SIZE      int64_t   (bytes)   numbers are bytes
 *   SY_PT_STRING    char *    (owned by the state; freed by sy_params_free)
 *   SY_PT_ENUM      int       (index into choices)
 *
 * Defaults and ranges are written as a user would write them ("200ms",
 * "10Mbps", "4") and go through the same parser as user values, so a table
 * cannot hold a default its own parser would refuse.
 *
 * Every source of values (a Lua option table, a libconfig group, a
 * key=value on the command line) converts its value to a sy_value and calls
 * sy_param_set with a description of where the value came from
 * ("run.lua:12", "synack.conf:7"); errors name that place, the owner
 * ("scheduler/calendar") and the key. */
#ifndef SY_PARAM_H
#define SY_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "vtime.h"

typedef enum sy_ptype {
	SY_PT_BOOL,
	SY_PT_INT,
	SY_PT_FLOAT,
	SY_PT_DURATION,
	SY_PT_RATE,
	SY_PT_SIZE,
	SY_PT_STRING,
	SY_PT_ENUM,
} sy_ptype;

typedef struct sy_param {
	const char *name;           /* NULL ends a table */
	sy_ptype type;
	size_t offset;              /* of the field in the instance state */
	const char *def;            /* default, in user notation; NULL: zero/empty */
	const char *min;            /* inclusive bounds, same notation; NULL: none */
	const char *max;
	const char *const *choices; /* SY_PT_ENUM: NULL-terminated names */
	const char *doc;            /* one line */
} sy_param;

/* A value as a source hands it over, before it is checked. */
typedef enum sy_vtype { SY_V_BOOL, SY_V_INT, SY_V_FLOAT, SY_V_STRING } sy_vtype;

typedef struct sy_value {
	sy_vtype type;
	union {
		bool b;
		int64_t i;
		double f;
		const char *s;
	} u;
} sy_value;

const sy_param *sy_param_find(const sy_param *tab, const char *key);

/* Writes every default into state.  Fails only on a broken table (a
 * default outside its range, an unparsable default), with owner named. */
int sy_params_defaults(const sy_param *tab, void *state, const char *owner,
		       sy_err *err);

/* Checks v against the parameter called key and stores it in state.
 * Errors: unknown key (the message lists the known ones), wrong type,
 * unknown or missing unit, out of range, unknown enum choice. */
int sy_param_set(const sy_param *tab, void *state, const char *owner,
		 const char *key, const sy_value *v, const char *where,
		 sy_err *err);

/* Limits of a table that sy_params_check enforces: entries before the
 * terminator, bytes of a name (of a parameter or an enum choice), of a
 * default or bound, of a description, and choices of an enum. */
#define SY_PARAM_MAX 128
#define SY_PARAM_NAME_MAX 64
#define SY_PARAM_VALUE_MAX 256
#define SY_PARAM_DOC_MAX 1024
#define SY_PARAM_CHOICES_MAX 64

/* Checks a whole table against a state of state_size bytes before anything
 * is written through it: a terminator (an all-zero entry) within
 * SY_PARAM_MAX entries, names (letters, digits, '_', '-'; unique), known
 * types, fields inside the state, aligned and not overlapping, strings of
 * bounded length without control characters, bounds and defaults that
 * parse and lie in range.  The message names the entry and the problem. */
int sy_params_check(const sy_param *tab, size_t state_size, sy_err *err);

/* 1 to SY_PARAM_NAME_MAX letters, digits, '_' or '-'. */
bool sy_param_name_valid(const char *s);

/* A quoted copy of s that fits in n bytes, control characters escaped and
 * "..." when cut; "(null)" for NULL.  For messages about strings that a
 * module supplied. */
const char *sy_param_show(const char *s, char *buf, size_t n);

/* Frees the strings that sy_param_set/sy_params_defaults stored. */
void sy_params_free(const sy_param *tab, void *state);

/* The value currently in state, in user notation. */
int sy_param_format(const sy_param *p, const void *state, char *buf,
		    size_t n);

/* "bool", "integer", "float", "duration", "rate", "size", "string", "enum" */
const char *sy_ptype_name(sy_ptype t);

/* Base unit for display: "s", "bit/s", "B", or "" */
const char *sy_ptype_unit(sy_ptype t);

#endif
