/* Deterministic loss of chosen packets: `drop` lists the 0-based indices
 * (ctx->index: the packets this model has seen, in order) to lose, as
 * single indices and inclusive ranges separated by commas, e.g. "0,3,7-9".
 * White space around items is allowed; an empty string drops nothing.
 *
 * The list is parsed once at init into sorted, disjoint, non-adjacent
 * ranges (overlaps and repeats merge), so a packet costs a binary search
 * over the ranges and nothing is allocated afterwards. */
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "plugin.h"

struct range {
	uint64_t lo, hi; /* inclusive; lo <= hi */
};

struct list {
	char *drop;        /* parameter */
	struct range *r;   /* sorted by lo; r[i].hi + 1 < r[i+1].lo */
	size_t n;
};

/* Most items in `drop`: each costs 16 bytes until merged, and a longer
 * list is more likely a mistake than an experiment. */
#define LIST_MAX_ITEMS 1000000

#define LIST_SYNTAX "write indices (from 0) or ranges FIRST-LAST separated " \
		    "by commas, e.g. \"0,3,7-9\""

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the decimal number at *s, advancing *s; false on overflow. */
static bool read_index(const char **s, uint64_t *out)
{
	uint64_t x = 0;

	for (; is_digit(**s); (*s)++) {
		unsigned d = (unsigned)(**s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

/* One item, [item, end) with blanks trimmed by the caller and non-empty.
 * On failure, why receives the problem. */
static int parse_item(const char *item, const char *end, struct range *r,
		      char *why, size_t n)
{
	const char *s = item;
	const char *bad = "not an index or a range";

	if (*s == '-' && s + 1 < end && is_digit(s[1])) {
		bad = "negative index (indices start at 0)";
		goto fail;
	}
	if (!is_digit(*s))
		goto fail;
	if (!read_index(&s, &r->lo))
		goto too_large;
	r->hi = r->lo;
	if (s < end && *s == '-') {
		s++;
		if (s == end || !is_digit(*s)) {
			bad = "a range needs a last index after '-'";
			goto fail;
		}
		if (!read_index(&s, &r->hi))
			goto too_large;
	}
	if (s != end)
		goto fail;
	if (r->hi < r->lo) {
		snprintf(why, n, "range runs backwards: %" PRIu64 " is above %"
			 PRIu64, r->lo, r->hi);
		return -1;
	}
	return 0;
too_large:
	bad = "index too large";
fail:
	snprintf(why, n, "%s", bad);
	return -1;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int list_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct list *l = st;
	const char *s = l->drop ? l->drop : "";
	const char *p;
	size_t cap = 1, item = 0;

	l->r = NULL;
	l->n = 0;
	for (p = s; *p && is_blank(*p); p++)
		;
	if (!*p)
		return 0; /* nothing listed: nothing dropped */
	for (p = s; *p; p++)
		cap += *p == ',';
	if (cap > LIST_MAX_ITEMS)
		return sy_err_set(err, "parameter 'drop': %zu items, more than "
				  "the %d allowed (write runs of indices as "
				  "ranges FIRST-LAST)", cap, LIST_MAX_ITEMS);
	l->r = malloc(cap * sizeof *l->r);
	if (!l->r)
		return sy_err_set(err, "parameter 'drop': out of memory for "
				  "%zu items", cap);

	for (p = s;; p++) {
		const char *start = p, *end;
		char why[128];

		while (*p && *p != ',')
			p++;
		end = p;
		item++;
		while (start < end && is_blank(*start))
			start++;
		while (end > start && is_blank(end[-1]))
			end--;
		if (start == end) {
			sy_err_set(err, "parameter 'drop' = \"%s\": item %zu "
				   "at character %zu is empty ("
				   LIST_SYNTAX ")", s, item,
				   (size_t)(start - s) + 1);
			goto fail;
		}
		if (parse_item(start, end, &l->r[l->n], why, sizeof why) < 0) {
			int len = end - start > 40 ? 40 : (int)(end - start);

			sy_err_set(err, "parameter 'drop' = \"%s\": item %zu "
				   "\"%.*s\" at character %zu: %s (" LIST_SYNTAX
				   ")", s, item, len, start,
				   (size_t)(start - s) + 1, why);
			goto fail;
		}
		l->n++;
		if (!*p)
			break;
	}

	qsort(l->r, l->n, sizeof *l->r, range_cmp);
	{
		size_t j = 0;

		for (size_t i = 1; i < l->n; i++) {
			/* Merge overlapping and adjacent ranges; hi + 1
			 * cannot overflow below UINT64_MAX. */
			if (l->r[j].hi == UINT64_MAX ||
			    l->r[i].lo <= l->r[j].hi + 1) {
				if (l->r[i].hi > l->r[j].hi)
					l->r[j].hi = l->r[i].hi;
			} else {
				l->r[++j] = l->r[i];
			}
		}
		l->n = j + 1;
	}
	return 0;
fail:
	free(l->r);
	l->r = NULL;
	l->n = 0;
	return -1;
}

static void list_fini(void *st)
{
	struct list *l = st;

	free(l->r);
	l->r = NULL;
}

/* Draws nothing, but a link may seed every model alike. */
static void list_seed(void *st, const sy_rng *r)
{
}

static sy_loss_verdict list_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	const struct list *l = st;
	size_t lo = 0, hi = l->n;

	/* The last range starting at or before index, if any. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->r[mid].lo <= ctx->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && ctx->index <= l->r[lo - 1].hi)
		return SY_LOSS_DROP;
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = list_seed,
	.apply = list_apply,
};

static const sy_param params[] = {
	{ .name = "drop", .type = SY_PT_STRING,
	  .offset = offsetof(struct list, drop),
	  .def = "",
	  .doc = "0-based indices of the packets to drop, e.g. \"0,3,7-9\" "
		 "(at most 1000000 items)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "list",
	.summary = "drops the packets whose indices are listed",
	.state_size = sizeof(struct list),
	.params = params,
	.init = list_init,
	.fini = list_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
