/* Packets: IPv4 datagrams with real headers.
 *
 * A packet holds the bytes of its IPv4 header and transport header in
 * hdr[], exactly as they would be on the wire (network byte order, valid
 * checksums), so a trace writer copies them out unchanged.  The payload is
 * either real bytes (data != NULL) or virtual: only its length is kept and
 * it reads as zeros.  Virtual payloads make bulk transfers cheap; real ones
 * let a test compare what arrived with what was sent.
 *
 * A bit flipped in a virtual payload (a corrupting loss model) cannot be
 * stored in bytes that do not exist, so it is recorded in flip_at/flip_mask
 * and applied by everything that reads a virtual payload (checksums,
 * traces, sy_packet_payload_byte).  A flip in a real payload changes the
 * byte itself; flip_at is then unused.
 *
 * Packets come from a pool and go back to it: no allocation per packet once
 * the pool has grown to the run's working set.  Real payload buffers come
 * from the same pool in chunks of SY_PKT_CHUNK bytes; larger payloads (an
 * MTU above the chunk) are allocated separately. */
#ifndef SY_PACKET_H
#define SY_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "rng.h"
#include "vtime.h"

#define SY_PKT_HDR_MAX 120  /* IPv4 header (<= 60) + TCP header (<= 60) */
#define SY_PKT_CHUNK 2048   /* payload bytes a pooled buffer holds */
#define SY_IP_MAXLEN 65535  /* IPv4 total length limit */

#define SY_IPPROTO_ICMP 1
#define SY_IPPROTO_TCP 6
#define SY_IPPROTO_UDP 17

/* TCP header flags, as in the header's flags byte. */
#define SY_TCP_FIN 0x01
#define SY_TCP_SYN 0x02
#define SY_TCP_RST 0x04
#define SY_TCP_PSH 0x08
#define SY_TCP_ACK 0x10
#define SY_TCP_URG 0x20
#define SY_TCP_ECE 0x40
#define SY_TCP_CWR 0x80

typedef struct sy_packet {
	struct sy_packet *next; /* for the current owner's list (queue, pool) */
	uint64_t uid;           /* unique in its pool, in order of creation */
	sy_time stamp;          /* for the current owner (a queue: arrival) */
	uint32_t len;           /* IPv4 total length: hdr_len + payload_len */
	uint32_t payload_len;
	uint16_t hdr_len;       /* bytes of hdr[] in use */
	uint16_t ip_hlen;       /* IPv4 header length within hdr[] (20..60) */
	uint32_t flip_at;       /* 1 + payload offset of a flipped byte; 0: none */
	uint8_t flip_mask;      /* bits flipped at that offset */
	unsigned char *data;    /* payload bytes; NULL: virtual */
	void *meta;             /* for the owner (e.g. the sending interface) */
	unsigned char hdr[SY_PKT_HDR_MAX];
} sy_packet;

/* ------------------------------------------------------------ pool */

typedef struct sy_pktpool sy_pktpool;

sy_pktpool *sy_pktpool_new(void);
/* Frees the pool and every packet it made, returned or not. */
void sy_pktpool_free(sy_pktpool *pool);

/* A packet with no header and no payload; uid set.  NULL when memory is
 * exhausted. */
sy_packet *sy_packet_new(sy_pktpool *pool);
/* A deep copy (header, payload, flip) with a new uid. */
sy_packet *sy_packet_clone(sy_pktpool *pool, const sy_packet *p);
/* Returns p (and its payload buffer) to the pool. */
void sy_packet_release(sy_pktpool *pool, sy_packet *p);

/* Sets the payload: bytes copied from `bytes`, or virtual when bytes is
 * NULL.  Fails (-1, message) when len would make the datagram exceed
 * SY_IP_MAXLEN with the header length in place, or memory is exhausted:
 * set hdr_len first to the headers the packet will get (20 for IPv4
 * alone, 40 plus options for TCP).  Updates len; headers must be
 * (re)written afterwards for their length and checksum fields to match. */
int sy_packet_set_payload(sy_pktpool *pool, sy_packet *p, const void *bytes,
			  uint32_t len, sy_err *err);

/* Payload byte i (< payload_len), flips applied. */
uint8_t sy_packet_payload_byte(const sy_packet *p, uint32_t i);

/* Copies the whole datagram as it would be on the wire (headers, payload
 * with zeros for a virtual one, flips applied) into buf, at most n bytes;
 * returns the number of bytes copied. */
size_t sy_packet_wire(const sy_packet *p, void *buf, size_t n);

/* Live packets (made and not released), for leak checks and benchmarks. */
size_t sy_pktpool_live(const sy_pktpool *pool);
/* Bytes the pool holds. */
size_t sy_pktpool_memory(const sy_pktpool *pool);

/* ------------------------------------------------------------ checksums */

/* The Internet checksum (RFC 1071) of len bytes, folded with `sum`, an
 * unfolded 32-bit partial sum from earlier data (0 to start).  Returns the
 * unfolded sum; sy_csum_fold finishes it. */
uint32_t sy_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t sy_csum_fold(uint32_t sum); /* ones' complement of the folded sum */

/* ------------------------------------------------------------ IPv4 */

typedef struct sy_ipv4 {
	uint32_t src, dst;      /* host byte order */
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	uint16_t id;
	bool df;                /* don't fragment */
} sy_ipv4;

/* Writes a 20-byte IPv4 header (no options) for p's current length, with
 * its checksum.  Any transport header must already be in place after it
 * (hdr_len counts both); this sets ip_hlen = 20. */
void sy_ipv4_write(sy_packet *p, const sy_ipv4 *ip);

/* Parses and checks the IPv4 header: version 4, header length, total
 * length equal to p->len, header checksum.  On failure returns -1 with a
 * message saying which check failed. */
int sy_ipv4_read(const sy_packet *p, sy_ipv4 *ip, sy_err *err);

/* Decrements the TTL and updates the header checksum incrementally
 * (RFC 1624).  Returns the new TTL. */
uint8_t sy_ipv4_dec_ttl(sy_packet *p);

/* "192.0.2.1" <-> host-order address. */
int sy_ipv4_parse(const char *s, uint32_t *addr);
void sy_ipv4_format(uint32_t addr, char buf[16]);

/* ------------------------------------------------------------ TCP */

typedef struct sy_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;          /* SY_TCP_* */
	uint16_t window;        /* as on the wire (unscaled) */
	uint16_t urg;
	uint8_t optlen;         /* bytes of options, a multiple of 4, <= 40 */
	uint8_t opt[40];
} sy_tcp;

/* Builds a TCP segment in p: writes the TCP header after a 20-byte IPv4
 * header, then the IPv4 header (ip->proto forced to TCP), then the TCP
 * checksum over the pseudo-header, header and payload (virtual payload
 * and flips included).  The payload must already be set. */
void sy_tcp_build(sy_packet *p, const sy_ipv4 *ip, const sy_tcp *tcp);

/* Parses the TCP header of p (after its IPv4 header).  Fails with a
 * message if the segment is too short or its data offset is invalid. */
int sy_tcp_read(const sy_packet *p, sy_tcp *tcp, sy_err *err);

/* True when p's TCP checksum verifies (pseudo-header, header, payload). */
bool sy_tcp_checksum_ok(const sy_packet *p);

/* Flips one random bit of p's TCP segment (header after the IPv4 header,
 * or payload), so that the TCP checksum no longer verifies while the IPv4
 * header stays valid and the packet is still delivered: the receiver's
 * checksum check is what must catch it. */
void sy_packet_corrupt(sy_packet *p, sy_rng *r);

#endif
