/* Compact TIME_WAIT: the table of compact records by 4-tuple, what they
 * take, and the mode (tw.h). */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tw_priv.h"

size_t sy_tcp_tw_record_size(void) { return sizeof(struct sy_tw); }

void sy_tcp_ep_tw_usage(const sy_tcp_ep *ep, size_t *n, size_t *bytes)
{
	*n = ep->ntw;
	*bytes = ep->tw_nhash * sizeof *ep->tw_hash;
	for (size_t i = 0; i < ep->tw_nhash; i++)
		for (const struct sy_tw *w = ep->tw_hash[i]; w; w = w->hnext)
			*bytes += w->idx & IDX_HELD
				? sizeof(struct sy_tw_held) + ((const struct sy_tw_held *)w)->klen
				: sizeof *w;
}

size_t sy_tcp_ep_tw_full(const sy_tcp_ep *ep)
{
	size_t n = 0;

	for (size_t i = 0; i < ep->nhash; i++)
		for (const sy_tcb *c = ep->hash[i]; c; c = c->hnext)
			n += c->state == SY_TCP_TIME_WAIT;
	return n;
}

void sy_tcp_ep_observe_holds(sy_tcp_ep *ep, bool (*holds)(void *ctx, const sy_tcb *c))
{
	ep->obs_holds = holds;
}

int sy_tw_mode_env(sy_err *err)
{
	const char *e = getenv("SYNACK_TW_COMPACT");

	if (!e || !*e || strcmp(e, "1") == 0)
		return SY_TW_ON;
	if (strcmp(e, "0") == 0)
		return SY_TW_OFF;
	if (strcmp(e, "force") == 0)
		return SY_TW_FORCE;
	return sy_err_set(err, "environment variable SYNACK_TW_COMPACT is '%s': "
			  "expected 0, 1 or force", e);
}

static size_t tw_hash(size_t nhash, uint32_t raddr, uint16_t lport, uint16_t rport)
{
	uint64_t h = ((uint64_t)raddr << 32) ^ ((uint64_t)lport << 16) ^ rport;

	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 32) & (nhash - 1);
}

static struct sy_tw **tw_slot(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
			      uint16_t rport)
{
	struct sy_tw **pp;

	if (!ep->tw_nhash)
		return NULL;
	pp = &ep->tw_hash[tw_hash(ep->tw_nhash, raddr, lport, rport)];
	for (; *pp; pp = &(*pp)->hnext)
		if ((*pp)->raddr == raddr && (*pp)->lport == lport && (*pp)->rport == rport)
			return pp;
	return NULL;
}

struct sy_tw *sy_tw_find(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
			  uint16_t rport)
{
	struct sy_tw **pp = tw_slot(ep, raddr, lport, rport);

	return pp ? *pp : NULL;
}

int sy_tw_insert(sy_tcp_ep *ep, struct sy_tw *w)
{
	size_t k;

	if (2 * (ep->ntw + 1) > ep->tw_nhash) {
		size_t n = ep->tw_nhash ? 2 * ep->tw_nhash : 64;
		struct sy_tw **h = calloc(n, sizeof *h);

		if (!h)
			return -1;
		for (size_t i = 0; i < ep->tw_nhash; i++) {
			struct sy_tw *x = ep->tw_hash[i];

			while (x) {
				struct sy_tw *next = x->hnext;

				k = tw_hash(n, x->raddr, x->lport, x->rport);
				x->hnext = h[k];
				h[k] = x;
				x = next;
			}
		}
		free(ep->tw_hash);
		ep->tw_hash = h;
		ep->tw_nhash = n;
	}
	k = tw_hash(ep->tw_nhash, w->raddr, w->lport, w->rport);
	w->hnext = ep->tw_hash[k];
	ep->tw_hash[k] = w;
	ep->ntw++;
	return 0;
}

void sy_tw_remove(sy_tcp_ep *ep, struct sy_tw *w)
{
	struct sy_tw **pp = tw_slot(ep, w->raddr, w->lport, w->rport);

	SY_INVARIANT(pp && *pp == w);
	*pp = w->hnext;
	ep->ntw--;
}

bool sy_tw_exists(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport, uint16_t rport)
{
	return sy_tw_find(ep, raddr, lport, rport) != NULL;
}

void sy_tw_free_all(sy_tcp_ep *ep)
{
	for (size_t i = 0; i < ep->tw_nhash; i++)
		while (ep->tw_hash[i]) {
			struct sy_tw *w = ep->tw_hash[i];

			ep->tw_hash[i] = w->hnext;
			free(w);
		}
	free(ep->tw_hash);
	ep->tw_hash = NULL;
	ep->tw_nhash = ep->ntw = 0;
	/* the timers died with the simulator, freed first (endpoint.c) */
	ep->tw_head = ep->tw_tail = NULL;
	ep->tw_ev = SY_EVENT_NONE;
}
