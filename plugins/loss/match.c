/* Deterministic loss of chosen TCP segments, by what they are rather than
 * by position: "the first two SYN-ACKs", "the ACK that ends the close".
 *
 * A segment matches when all of these hold:
 *   flags      "any", or names from SYN, ACK, FIN, RST joined by '+'
 *              ("SYN+ACK"): the segment's SYN, ACK, FIN and RST bits are
 *              exactly those named (PSH, URG, ECE, CWR are not compared),
 *              so "ACK" does not match a FIN+ACK;
 *   has_data   any, yes (payload_len > 0) or no (SYN and FIN occupy
 *              sequence space but are not data);
 *   direction  any, forward (ctx->direction 0) or reverse (1).
 * Matching segments are numbered from 1 in the order this model sees
 * them; numbers nth .. nth+count-1 are dropped (count 0: every one from
 * nth on).  Everything else passes, as do packets that are not TCP (or
 * whose TCP header does not parse); those are not numbered.
 *
 * Examples: drop the first two SYN-ACKs: flags="SYN+ACK", count=2; drop
 * the final ACK of a close: flags="ACK", has_data=no, nth=N with N the
 * number of pure ACKs that come before it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "loss.h"
#include "plugin.h"

#define COMPARED (SY_TCP_SYN | SY_TCP_ACK | SY_TCP_FIN | SY_TCP_RST)

enum { ANY, YES, NO };                 /* has_data */
enum { BOTH, FORWARD, REVERSE };       /* direction */

struct match {
	/* parameters */
	char *flags;
	int has_data;
	int direction;
	int64_t nth;
	int64_t count;

	bool any_flags;
	uint8_t want;      /* the COMPARED bits a match has, when !any_flags */
	uint64_t seen;     /* matching segments so far */
};

static const struct {
	const char *name;
	uint8_t bit;
} flag_names[] = {
	{ "SYN", SY_TCP_SYN }, { "ACK", SY_TCP_ACK },
	{ "FIN", SY_TCP_FIN }, { "RST", SY_TCP_RST },
};

#define FLAGS_SYNTAX "write \"any\" or names from SYN, ACK, FIN, RST " \
		     "joined by '+', e.g. \"SYN+ACK\""

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses m->flags into any_flags/want.  Names are case-insensitive. */
static int parse_flags(struct match *m, sy_err *err)
{
	const char *s = m->flags ? m->flags : "";
	const char *p = s;

	m->any_flags = false;
	m->want = 0;
	for (;;) {
		const char *start = p, *end;
		size_t i, len;

		while (*p && *p != '+')
			p++;
		end = p;
		while (start < end && is_blank(*start))
			start++;
		while (end > start && is_blank(end[-1]))
			end--;
		len = (size_t)(end - start);
		if (!len)
			return sy_err_set(err, "parameter 'flags' = \"%s\": "
					  "missing flag name at character %zu "
					  "(" FLAGS_SYNTAX ")", s,
					  (size_t)(start - s) + 1);
		if (len == 3 && !strncasecmp(start, "any", 3)) {
			if (start != s + strspn(s, " \t") || *p)
				return sy_err_set(err, "parameter 'flags' "
						  "= \"%s\": \"any\" cannot "
						  "be combined with flag "
						  "names", s);
			m->any_flags = true;
			return 0;
		}
		for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
			if (len == 3 && !strncasecmp(start, flag_names[i].name,
						     3))
				break;
		if (i == sizeof flag_names / sizeof flag_names[0])
			return sy_err_set(err, "parameter 'flags' = \"%s\": "
					  "unknown flag \"%.*s\" at character "
					  "%zu (" FLAGS_SYNTAX "; other bits "
					  "are not compared)", s,
					  len > 40 ? 40 : (int)len, start,
					  (size_t)(start - s) + 1);
		if (m->want & flag_names[i].bit)
			return sy_err_set(err, "parameter 'flags' = \"%s\": "
					  "%s named twice (character %zu)", s,
					  flag_names[i].name,
					  (size_t)(start - s) + 1);
		m->want |= flag_names[i].bit;
		if (!*p)
			return 0;
		p++;
	}
}

static int match_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct match *m = st;

	m->seen = 0;
	return parse_flags(m, err);
}

/* Draws nothing, but a link may seed every model alike. */
static void match_seed(void *st, const sy_rng *r)
{
}

static bool matches(const struct match *m, const sy_packet *p,
		    const sy_loss_ctx *ctx)
{
	sy_tcp tcp;

	if (m->direction == FORWARD && ctx->direction != 0)
		return false;
	if (m->direction == REVERSE && ctx->direction != 1)
		return false;
	/* hdr[9] is the IPv4 protocol field. */
	if (p->ip_hlen < 20 || p->hdr_len < p->ip_hlen ||
	    p->hdr[9] != SY_IPPROTO_TCP)
		return false;
	if (sy_tcp_read(p, &tcp, NULL) < 0)
		return false;
	if (!m->any_flags && (tcp.flags & COMPARED) != m->want)
		return false;
	if (m->has_data == YES && p->payload_len == 0)
		return false;
	if (m->has_data == NO && p->payload_len > 0)
		return false;
	return true;
}

static sy_loss_verdict match_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	struct match *m = st;

	if (!matches(m, p, ctx))
		return SY_LOSS_PASS;
	m->seen++;
	if (m->seen < (uint64_t)m->nth)
		return SY_LOSS_PASS;
	if (m->count && m->seen - (uint64_t)m->nth >= (uint64_t)m->count)
		return SY_LOSS_PASS;
	return SY_LOSS_DROP;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = match_seed,
	.apply = match_apply,
};

static const char *const data_choices[] = { "any", "yes", "no", NULL };
static const char *const dir_choices[] = { "any", "forward", "reverse", NULL };

static const sy_param params[] = {
	{ .name = "flags", .type = SY_PT_STRING,
	  .offset = offsetof(struct match, flags),
	  .def = "any",
	  .doc = "\"any\", or the exact SYN/ACK/FIN/RST bits, e.g. "
		 "\"SYN+ACK\"" },
	{ .name = "has_data", .type = SY_PT_ENUM,
	  .offset = offsetof(struct match, has_data),
	  .def = "any", .choices = data_choices,
	  .doc = "match only segments with (yes) or without (no) payload" },
	{ .name = "direction", .type = SY_PT_ENUM,
	  .offset = offsetof(struct match, direction),
	  .def = "any", .choices = dir_choices,
	  .doc = "match only one direction of the link (forward: from its "
		 "first node)" },
	{ .name = "nth", .type = SY_PT_INT,
	  .offset = offsetof(struct match, nth),
	  .def = "1", .min = "1",
	  .doc = "first matching segment to drop, counting from 1" },
	{ .name = "count", .type = SY_PT_INT,
	  .offset = offsetof(struct match, count),
	  .def = "1", .min = "0",
	  .doc = "how many matching segments to drop from the nth on; 0: all" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "match",
	.summary = "drops TCP segments chosen by flags, payload and direction",
	.state_size = sizeof(struct match),
	.params = params,
	.init = match_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
