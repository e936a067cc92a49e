/* ECN marking for the AQM queues (RFC 3168 5 and 6.1.1.1): a queue that
 * would drop a packet to signal congestion may instead set its IPv4 ECN
 * field to CE, provided the sender declared the transport ECN-capable by
 * setting ECT(0) or ECT(1).  A Not-ECT packet is never marked (it must be
 * dropped), and a CE packet is already marked.  The header checksum is
 * recomputed with the header, so the packet stays a valid datagram. */
#ifndef SY_QUEUE_ECN_H
#define SY_QUEUE_ECN_H

#include <stdbool.h>

#include "errors.h"
#include "packet.h"

#define SY_ECN_MASK 0x03 /* the low two bits of the TOS byte */
#define SY_ECN_CE 0x03

/* Marks p CE if it is ECN-capable (ECT(0), ECT(1) or already CE) and
 * returns true; false for a Not-ECT packet or one without a readable IPv4
 * header, which the caller must drop instead. */
static inline bool sy_ecn_mark(sy_packet *p)
{
	sy_ipv4 ip;
	sy_err err;

	/* sy_ipv4_write writes a 20-byte header: the only kind packets
	 * have (packet.c), checked here all the same. */
	if (p->ip_hlen != 20 || sy_ipv4_read(p, &ip, &err) < 0 ||
	    !(ip.tos & SY_ECN_MASK))
		return false;
	if ((ip.tos & SY_ECN_MASK) != SY_ECN_CE) {
		ip.tos |= SY_ECN_CE;
		sy_ipv4_write(p, &ip);
	}
	return true;
}

#endif
