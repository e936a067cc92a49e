/* A FIFO of packets linked through p->next, with its packet and byte
 * counts: the storage of the queue plugins, which differ only in what they
 * admit and drop. */
#ifndef SY_FIFO_H
#define SY_FIFO_H

#include <stddef.h>
#include <stdint.h>

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
}

/* The oldest packet, or NULL. */
static inline sy_packet *sy_fifo_pop(struct sy_fifo *f)
{
	sy_packet *p = f->head;

	if (!p)
		return NULL;
	f->head = p->next;
	if (!f->head)
		f->tail = NULL;
	p->next = NULL;
	f->n--;
	f->bytes -= p->len;
	return p;
}

/* Empties the FIFO, then hands each packet to drop() in order (each link
 * is read before drop() may reuse it). */
static inline void sy_fifo_flush(struct sy_fifo *f,
				 void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	sy_packet *p = f->head;

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
