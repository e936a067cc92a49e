/* Helpers shared by the packet tests (check_packet, check_packet_pool): a
 * reference checksum that shares no code with packet.c, and a fixture
 * segment. */
#ifndef SY_PACKET_UTIL_H
#define SY_PACKET_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "rng.h"

/* Fails the test unless msg contains part. */
void contains(const char *msg, const char *part);

/* RFC 1071 done the obvious way. */
uint16_t ref_csum(const unsigned char *b, size_t n);

/* The TCP checksum of a wire image (IPv4 header of any length), computed
 * with the checksum field taken as zero. */
uint16_t ref_tcp_csum(const unsigned char *w, size_t n);

/* The big-endian 16-bit word at b. */
uint16_t rd16(const unsigned char *b);

/* The whole wire image of p, malloc'd. */
unsigned char *wire_of(const sy_packet *p, size_t *n);

/* The fixture headers: 192.0.2.1 to 198.51.100.2, a SYN from port 12345
 * to 80 with an MSS option. */
sy_ipv4 test_ip(void);
sy_tcp test_tcp(void);

/* A TCP segment with the given payload (bytes NULL: virtual). */
sy_packet *make_seg(sy_pktpool *pool, const void *bytes, uint32_t n);

void fill_random(sy_rng *r, unsigned char *b, size_t n);

#endif
