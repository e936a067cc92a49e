/* ISN plugins: where a TCP connection's initial sequence number comes from.
 *
 * The generator sees the connection's 4-tuple (from the side choosing the
 * ISN: local address and port, remote address and port) and the virtual
 * time.  Randomness and keys come only from the stream given to seed(), so
 * a run is reproducible from its seed. */
#ifndef SY_ISN_H
#define SY_ISN_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "rng.h"
#include "siphash.h"
#include "vtime.h"

typedef struct sy_isn_ctx {
	uint32_t laddr, raddr;  /* IPv4, host byte order */
	uint16_t lport, rport;
	sy_time now;
} sy_isn_ctx;

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_ISN_OPS_VERSION 1

typedef struct sy_isn_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops) */
	/* Gives the generator its stream (after init).  The op may be NULL
	 * for a generator that needs no randomness. */
	void (*seed)(void *st, const sy_rng *r);
	uint32_t (*isn)(void *st, const sy_isn_ctx *c);
} sy_isn_ops;

#endif
