/* A FIFO of packets linked through p->next, with its packet and byte
 * counts: the storage of the queue plugins, which differ only in what they
 * admit and drop.
 *
 * Invariants: n and bytes are the count and total length of the packets
 * in the list; an empty list has both at zero.  Every operation checks
 * what it can in O(1) (no count goes below zero, empty means zero); a
 * flush, which walks the list anyway, checks both totals in sanitizer
 * builds. */
#ifndef SY_FIFO_H
#define SY_FIFO_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "packet.h"

struct sy_fifo {
	sy_packet *head, *tail;
	size_t n;
	uint64_t bytes;
};

static inline void sy_fifo_push(struct sy_fifo *f, sy_packet *p)
{
	p->next = NULL;
	if (f->tail)
		f->tail->next = p;
	else
		f->head = p;
	f->tail = p;
	f->n++;
	f->bytes += p->len;
	SY_INVARIANT(f->n > 0 && f->bytes >= p->len);
}

/* The oldest packet, or NULL. */
static inline sy_packet *sy_fifo_pop(struct sy_fifo *f)
{
	sy_packet *p = f->head;

	if (!p)
		return NULL;
	SY_INVARIANT(f->n > 0 && f->bytes >= p->len);
	f->head = p->next;
	if (!f->head)
		f->tail = NULL;
	p->next = NULL;
	f->n--;
	f->bytes -= p->len;
	SY_INVARIANT(f->head || (f->n == 0 && f->bytes == 0));
	return p;
}

/* Empties the FIFO, then hands each packet to drop() in order (each link
 * is read before drop() may reuse it). */
static inline void sy_fifo_flush(struct sy_fifo *f,
				 void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	sy_packet *p = f->head;

#ifdef SY_DEEP_CHECKS
	size_t n = 0;
	uint64_t bytes = 0;

	for (const sy_packet *q = p; q; q = q->next) {
		n++;
		bytes += q->len;
	}
	SY_DEEP_INVARIANT(n == f->n && bytes == f->bytes);
#endif
	f->head = f->tail = NULL;
	f->n = 0;
	f->bytes = 0;
	while (p) {
		sy_packet *next = p->next;

		p->next = NULL;
		drop(ctx, p);
		p = next;
	}
}

#endif
