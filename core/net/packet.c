#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

/* Invariants kept by every function here:
 *  - p->len == p->hdr_len + p->payload_len;
 *  - p->data is NULL or a payload buffer of this pool (below) holding
 *    payload_len > 0 bytes: a zero-length payload never has a buffer;
 *  - flip_at != 0 only for a virtual payload (data == NULL) and then
 *    flip_at - 1 < payload_len and flip_mask != 0.  A real payload takes
 *    its flips in its bytes, so readers apply flip_at to virtual ones only;
 *  - ip_hlen is 0 (no IPv4 header yet) or 20: only sy_ipv4_write sets it.
 * Fields are public, so these hold only as long as owners change payloads
 * and headers through this file. */

#define PKTS_PER_SLAB 256
#define CHUNKS_PER_SLAB 32

/* A slab: one allocation carved into packets or payload chunks.  The
 * flexible member aligns the items for any type. */
struct slab {
	struct slab *next;
	max_align_t items[];
};

/* Every payload buffer is preceded by this header, so that releasing one
 * needs nothing from the packet but its data pointer (payload_len is a
 * public field and says nothing reliable about where the buffer came
 * from).  A chunk (size == SY_PKT_CHUNK) lives in a slab and, when free,
 * is on the chunk free list through next.  A large buffer (size >
 * SY_PKT_CHUNK) is malloc'd alone and, while in use, is on the pool's
 * doubly-linked large list, so that sy_pktpool_free can free those of
 * packets never released. */
struct pbuf {
	struct pbuf *next;
	struct pbuf *prev;
	size_t size;
};

#define CHUNK_STRIDE (sizeof(struct pbuf) + SY_PKT_CHUNK)

_Static_assert(sizeof(struct pbuf) % _Alignof(struct pbuf) == 0 &&
	       CHUNK_STRIDE % _Alignof(struct pbuf) == 0,
	       "chunk headers must stay aligned within a slab");

struct sy_pktpool {
	sy_packet *free_pkts;     /* through next */
	struct pbuf *free_chunks; /* through next */
	struct pbuf *large;       /* large buffers in use */
	struct slab *slabs;       /* packet and chunk slabs alike */
	uint64_t next_uid;        /* starts at 1 */
	size_t live;              /* packets made and not released */
	size_t slab_bytes;
	size_t large_bytes;
};

static inline uint16_t get16(const unsigned char *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static inline void put16(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
}

static inline void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* ------------------------------------------------------------ pool */

sy_pktpool *sy_pktpool_new(void)
{
	sy_pktpool *pool = calloc(1, sizeof *pool);

	if (pool)
		pool->next_uid = 1;
	return pool;
}

void sy_pktpool_free(sy_pktpool *pool)
{
	if (!pool)
		return;
	/* Packets still out live in the slabs; only their large payloads
	 * are allocations of their own. */
	while (pool->large) {
		struct pbuf *b = pool->large;

		pool->large = b->next;
		free(b);
	}
	while (pool->slabs) {
		struct slab *s = pool->slabs;

		pool->slabs = s->next;
		free(s);
	}
	free(pool);
}

static struct slab *slab_new(sy_pktpool *pool, size_t bytes)
{
	struct slab *s = malloc(sizeof *s + bytes);

	if (!s)
		return NULL;
	s->next = pool->slabs;
	pool->slabs = s;
	pool->slab_bytes += sizeof *s + bytes;
	return s;
}

/* Pushed in reverse so that they come off the list in address order. */
static int grow_packets(sy_pktpool *pool)
{
	struct slab *s = slab_new(pool, PKTS_PER_SLAB * sizeof(sy_packet));
	sy_packet *p;

	if (!s)
		return -1;
	p = (sy_packet *)s->items;
	for (int i = PKTS_PER_SLAB; i-- > 0;) {
		p[i].next = pool->free_pkts;
		pool->free_pkts = &p[i];
	}
	return 0;
}

static int grow_chunks(sy_pktpool *pool)
{
	struct slab *s = slab_new(pool, CHUNKS_PER_SLAB * CHUNK_STRIDE);
	unsigned char *base;

	if (!s)
		return -1;
	base = (unsigned char *)s->items;
	for (int i = CHUNKS_PER_SLAB; i-- > 0;) {
		struct pbuf *b = (struct pbuf *)(base + (size_t)i * CHUNK_STRIDE);

		b->size = SY_PKT_CHUNK;
		b->prev = NULL;
		b->next = pool->free_chunks;
		pool->free_chunks = b;
	}
	return 0;
}

/* A payload buffer of at least len (> 0) bytes, or NULL. */
static unsigned char *buf_get(sy_pktpool *pool, size_t len)
{
	struct pbuf *b;

	if (len <= SY_PKT_CHUNK) {
		if (!pool->free_chunks && grow_chunks(pool) < 0)
			return NULL;
		b = pool->free_chunks;
		pool->free_chunks = b->next;
		return (unsigned char *)(b + 1);
	}
	b = malloc(sizeof *b + len);
	if (!b)
		return NULL;
	b->size = len;
	b->prev = NULL;
	b->next = pool->large;
	if (pool->large)
		pool->large->prev = b;
	pool->large = b;
	pool->large_bytes += sizeof *b + len;
	return (unsigned char *)(b + 1);
}

static void buf_put(sy_pktpool *pool, unsigned char *data)
{
	struct pbuf *b = (struct pbuf *)data - 1;

	if (b->size <= SY_PKT_CHUNK) {
		b->next = pool->free_chunks;
		pool->free_chunks = b;
		return;
	}
	if (b->prev)
		b->prev->next = b->next;
	else
		pool->large = b->next;
	if (b->next)
		b->next->prev = b->prev;
	pool->large_bytes -= sizeof *b + b->size;
	free(b);
}

sy_packet *sy_packet_new(sy_pktpool *pool)
{
	sy_packet *p;

	if (!pool->free_pkts && grow_packets(pool) < 0)
		return NULL;
	p = pool->free_pkts;
	pool->free_pkts = p->next;
	memset(p, 0, sizeof *p);
	p->uid = pool->next_uid++;
	pool->live++;
	return p;
}

sy_packet *sy_packet_clone(sy_pktpool *pool, const sy_packet *p)
{
	sy_packet *q = sy_packet_new(pool);
	uint64_t uid;

	if (!q)
		return NULL;
	uid = q->uid;
	*q = *p;
	q->uid = uid;
	q->next = NULL;
	q->data = NULL;
	if (p->data) {
		q->data = buf_get(pool, p->payload_len);
		if (!q->data) {
			sy_packet_release(pool, q);
			return NULL;
		}
		memcpy(q->data, p->data, p->payload_len);
	}
	return q;
}

void sy_packet_release(sy_pktpool *pool, sy_packet *p)
{
	if (!p)
		return;
	if (p->data)
		buf_put(pool, p->data);
	/* uid 0 marks a released packet for whoever looks at a stale
	 * pointer in a debugger; no live packet has it. */
	p->data = NULL;
	p->uid = 0;
	p->next = pool->free_pkts;
	pool->free_pkts = p;
	pool->live--;
}

int sy_packet_set_payload(sy_pktpool *pool, sy_packet *p, const void *bytes,
			  uint32_t len, sy_err *err)
{
	uint64_t total = (uint64_t)p->hdr_len + len;
	unsigned char *buf = NULL;

	if (total > SY_IP_MAXLEN)
		return sy_err_set(err,
				  "a payload of %" PRIu32 " bytes after %u header bytes makes a %" PRIu64 "-byte datagram, over the IPv4 limit of %d bytes",
				  len, (unsigned)p->hdr_len, total, SY_IP_MAXLEN);
	/* The new buffer is filled before the old one goes, so bytes may
	 * point into the current payload and a failure changes nothing. */
	if (bytes && len) {
		buf = buf_get(pool, len);
		if (!buf)
			return sy_err_set(err,
					  "out of memory for a payload of %" PRIu32 " bytes",
					  len);
		memcpy(buf, bytes, len);
	}
	if (p->data)
		buf_put(pool, p->data);
	p->data = buf;
	p->payload_len = len;
	p->len = (uint32_t)total;
	p->flip_at = 0;
	p->flip_mask = 0;
	return 0;
}

uint8_t sy_packet_payload_byte(const sy_packet *p, uint32_t i)
{
	if (i >= p->payload_len)
		return 0;
	if (p->data)
		return p->data[i];
	return p->flip_at == i + 1 ? p->flip_mask : 0;
}

size_t sy_packet_wire(const sy_packet *p, void *buf, size_t n)
{
	unsigned char *out = buf;
	size_t h = p->hdr_len < n ? p->hdr_len : n;
	size_t m = p->payload_len < n - h ? p->payload_len : n - h;

	memcpy(out, p->hdr, h);
	if (p->data) {
		memcpy(out + h, p->data, m);
	} else {
		memset(out + h, 0, m);
		if (p->flip_at && p->flip_at - 1 < m)
			out[h + p->flip_at - 1] ^= p->flip_mask;
	}
	return h + m;
}

size_t sy_pktpool_live(const sy_pktpool *pool)
{
	return pool->live;
}

size_t sy_pktpool_memory(const sy_pktpool *pool)
{
	return sizeof *pool + pool->slab_bytes + pool->large_bytes;
}

/* ------------------------------------------------------------ checksums */

/* Precondition for a running sum: every earlier piece had even length.
 * Each piece is summed as if it started on a 16-bit boundary, so a piece
 * after an odd-length one would be summed with its bytes in the wrong
 * halves of their words.  The odd last byte of a piece is the high byte
 * of a word padded with zero (RFC 1071).
 *
 * Whole 8-byte words are added first, in the machine's byte order, with
 * end-around carry: the ones' complement sum is the same in either byte
 * order up to a swap of its two bytes (RFC 1071 2(B)), so it is folded to
 * 16 bits and swapped on a little-endian machine.  The rest, and the sum
 * passed in, are added as big-endian 16-bit words in 64 bits, folded back
 * to 32 with end-around carry; since 2^32 = 1 (mod 0xffff) that keeps the
 * ones' complement sum, and no input length can overflow it. */
uint32_t sy_csum_add(uint32_t sum, const void *data, size_t len)
{
	const unsigned char *b = data;
	uint64_t s = 0, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		s += w;
		s += s < w; /* the carry out, back in */
	}
	if (i) {
		s = (s & 0xffffffff) + (s >> 32);
		s = (s & 0xffffffff) + (s >> 32);
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		s = (s >> 8 | s << 8) & 0xffff;
#endif
	}
	s += sum;
	for (; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t sy_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ------------------------------------------------------------ IPv4 */

#define IP_HLEN 20
#define IP_DF 0x40 /* in the flags byte, hdr[6] */

/* Total length is written as p->len's low 16 bits: a caller that set a
 * payload before the header existed must keep hdr_len + payload_len within
 * SY_IP_MAXLEN itself (sy_ipv4_read then catches a mismatch). */
void sy_ipv4_write(sy_packet *p, const sy_ipv4 *ip)
{
	unsigned char *h = p->hdr;

	if (p->hdr_len < IP_HLEN)
		p->hdr_len = IP_HLEN;
	p->ip_hlen = IP_HLEN;
	p->len = p->hdr_len + p->payload_len;
	h[0] = 0x45;
	h[1] = ip->tos;
	put16(h + 2, p->len);
	put16(h + 4, ip->id);
	h[6] = ip->df ? IP_DF : 0;
	h[7] = 0;
	h[8] = ip->ttl;
	h[9] = ip->proto;
	put16(h + 10, 0);
	put32(h + 12, ip->src);
	put32(h + 16, ip->dst);
	put16(h + 10, sy_csum_fold(sy_csum_add(0, h, IP_HLEN)));
}

int sy_ipv4_read(const sy_packet *p, sy_ipv4 *ip, sy_err *err)
{
	const unsigned char *h = p->hdr;
	unsigned ihl;

	if (p->hdr_len < IP_HLEN)
		return sy_err_set(err,
				  "packet has %u header bytes, too few for an IPv4 header",
				  (unsigned)p->hdr_len);
	if (h[0] >> 4 != 4)
		return sy_err_set(err, "IP version %u, not 4", h[0] >> 4);
	ihl = (h[0] & 0xf) * 4u;
	if (ihl < IP_HLEN)
		return sy_err_set(err,
				  "IPv4 header length %u bytes is below the minimum of 20",
				  ihl);
	if (ihl > p->hdr_len)
		return sy_err_set(err,
				  "IPv4 header length %u bytes but the packet has %u header bytes",
				  ihl, (unsigned)p->hdr_len);
	if (get16(h + 2) != p->len)
		return sy_err_set(err,
				  "IPv4 total length %u but the packet has %" PRIu32 " bytes",
				  get16(h + 2), p->len);
	if (sy_csum_fold(sy_csum_add(0, h, ihl)) != 0)
		return sy_err_set(err,
				  "IPv4 header checksum 0x%04x does not verify",
				  get16(h + 10));
	ip->tos = h[1];
	ip->id = get16(h + 4);
	ip->df = (h[6] & IP_DF) != 0;
	ip->ttl = h[8];
	ip->proto = h[9];
	ip->src = get32(h + 12);
	ip->dst = get32(h + 16);
	return 0;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m the 16-bit word holding TTL
 * and protocol.  Unlike eqn. 2 it cannot produce 0x0000 where a full
 * recomputation gives 0xffff.  A TTL of 0 stays 0 (a router drops at TTL
 * <= 1 before forwarding; wrapping to 255 would resurrect the packet). */
uint8_t sy_ipv4_dec_ttl(sy_packet *p)
{
	unsigned char *h = p->hdr;
	uint16_t m, m1, hc;

	if (h[8] == 0)
		return 0;
	m = get16(h + 8);
	h[8]--;
	m1 = get16(h + 8);
	hc = get16(h + 10);
	put16(h + 10, sy_csum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m + m1));
	return h[8];
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Strict dotted quad: exactly four decimal parts of 0..255, no signs,
 * spaces or leading zeros (inet_aton reads "010" as octal 8, so such a
 * spelling would mean different things to different readers). */
int sy_ipv4_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0;

	if (!s)
		return -1;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0;

		if (part > 0 && *s++ != '.')
			return -1;
		if (!is_digit(*s) || (s[0] == '0' && is_digit(s[1])))
			return -1;
		for (; is_digit(*s); s++) {
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return -1;
		}
		a = a << 8 | v;
	}
	if (*s)
		return -1;
	*addr = a;
	return 0;
}

void sy_ipv4_format(uint32_t addr, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(addr >> 24),
		 (unsigned)(addr >> 16 & 0xff), (unsigned)(addr >> 8 & 0xff),
		 (unsigned)(addr & 0xff));
}

/* ------------------------------------------------------------ TCP */

#define TCP_HLEN 20
#define TCP_CSUM 16 /* checksum offset within the TCP header */

/* The unfolded sum over pseudo-header, TCP header and payload.  The TCP
 * header is a whole number of 32-bit words, so the payload starts on a
 * 16-bit boundary as sy_csum_add requires.  A virtual payload is zeros,
 * which add nothing: only its length counts (in the pseudo-header), plus
 * the flipped byte, summed alone in its half of its word. */
static uint32_t tcp_sum(const sy_packet *p)
{
	uint32_t seg = (uint32_t)(p->hdr_len - p->ip_hlen) + p->payload_len;
	unsigned char ph[12];
	uint32_t sum;

	memcpy(ph, p->hdr + 12, 8);
	ph[8] = 0;
	ph[9] = SY_IPPROTO_TCP;
	put16(ph + 10, seg);
	sum = sy_csum_add(0, ph, sizeof ph);
	sum = sy_csum_add(sum, p->hdr + p->ip_hlen, p->hdr_len - p->ip_hlen);
	if (p->data) {
		sum = sy_csum_add(sum, p->data, p->payload_len);
	} else if (p->flip_at && p->flip_at <= p->payload_len) {
		unsigned char w[2] = { 0, 0 };

		w[(p->flip_at - 1) & 1] = p->flip_mask;
		sum = sy_csum_add(sum, w, 2);
	}
	return sum;
}

/* optlen is clamped to 40 and rounded up to a multiple of 4 with zero
 * (end-of-options) bytes, as TCP pads its options. */
void sy_tcp_build(sy_packet *p, const sy_ipv4 *ip, const sy_tcp *tcp)
{
	unsigned n = tcp->optlen < 40 ? tcp->optlen : 40;
	unsigned padded = (n + 3) & ~3u;
	unsigned char *t = p->hdr + IP_HLEN;
	sy_ipv4 ip4 = *ip;

	put16(t, tcp->sport);
	put16(t + 2, tcp->dport);
	put32(t + 4, tcp->seq);
	put32(t + 8, tcp->ack);
	t[12] = (unsigned char)((TCP_HLEN + padded) / 4 << 4);
	t[13] = tcp->flags;
	put16(t + 14, tcp->window);
	put16(t + TCP_CSUM, 0);
	put16(t + 18, tcp->urg);
	memcpy(t + TCP_HLEN, tcp->opt, n);
	memset(t + TCP_HLEN + n, 0, padded - n);
	p->hdr_len = (uint16_t)(IP_HLEN + TCP_HLEN + padded);
	ip4.proto = SY_IPPROTO_TCP;
	sy_ipv4_write(p, &ip4);
	put16(t + TCP_CSUM, sy_csum_fold(tcp_sum(p)));
}

/* The data offset must account for exactly the header bytes after the
 * IPv4 header: bytes beyond it would be payload on the wire, which the
 * packet keeps elsewhere. */
int sy_tcp_read(const sy_packet *p, sy_tcp *tcp, sy_err *err)
{
	const unsigned char *t = p->hdr + p->ip_hlen;
	unsigned have, doff;

	if (p->ip_hlen < IP_HLEN || p->ip_hlen > p->hdr_len)
		return sy_err_set(err, "packet has no IPv4 header before its TCP header");
	have = (unsigned)(p->hdr_len - p->ip_hlen);
	if (have < TCP_HLEN)
		return sy_err_set(err,
				  "TCP segment too short: %u header bytes, at least 20 needed",
				  have);
	doff = (t[12] >> 4) * 4u;
	if (doff < TCP_HLEN)
		return sy_err_set(err,
				  "TCP data offset %u (%u bytes) is below the minimum of 5",
				  doff / 4, doff);
	if (doff != have)
		return sy_err_set(err,
				  "TCP data offset %u (%u bytes) but the packet has %u TCP header bytes",
				  doff / 4, doff, have);
	memset(tcp, 0, sizeof *tcp);
	tcp->sport = get16(t);
	tcp->dport = get16(t + 2);
	tcp->seq = get32(t + 4);
	tcp->ack = get32(t + 8);
	tcp->flags = t[13];
	tcp->window = get16(t + 14);
	tcp->urg = get16(t + 18);
	tcp->optlen = (uint8_t)(doff - TCP_HLEN);
	memcpy(tcp->opt, t + TCP_HLEN, tcp->optlen);
	return 0;
}

bool sy_tcp_checksum_ok(const sy_packet *p)
{
	if (p->ip_hlen < IP_HLEN ||
	    p->hdr_len < p->ip_hlen + TCP_HLEN || p->hdr[9] != SY_IPPROTO_TCP)
		return false;
	/* Summed with its checksum field, a valid segment gives ones'
	 * complement zero. */
	return sy_csum_fold(tcp_sum(p)) == 0;
}

/* One bit, uniform over the segment's header bits (after the IPv4 header)
 * and payload bits.  A single flipped bit changes one 16-bit word by
 * +-2^k, which no ones' complement sum absorbs, so one call on a segment
 * that verified always breaks its checksum; repeated calls are independent
 * flips and, as on a real wire, may cancel.
 *
 * A virtual payload records one flipped byte only.  When the bit falls on
 * another virtual byte than the one already flipped, a bit of the TCP
 * header, drawn afresh, is flipped instead (the segment is corrupt either
 * way); with no TCP header either, nothing changes. */
void sy_packet_corrupt(sy_packet *p, sy_rng *r)
{
	uint32_t hbytes = p->hdr_len > p->ip_hlen ? p->hdr_len - p->ip_hlen : 0;
	uint64_t bits = ((uint64_t)hbytes + p->payload_len) * 8;
	uint64_t b;
	uint8_t mask;

	if (!bits)
		return;
	b = sy_rng_below(r, bits);
	mask = (uint8_t)(1u << (b % 8));
	if (b / 8 >= hbytes) {
		uint32_t o = (uint32_t)(b / 8 - hbytes);

		if (p->data) {
			p->data[o] ^= mask;
			return;
		}
		if (!p->flip_at || p->flip_at == o + 1) {
			p->flip_mask ^= mask;
			p->flip_at = p->flip_mask ? o + 1 : 0;
			return;
		}
		if (!hbytes)
			return;
		b = sy_rng_below(r, (uint64_t)hbytes * 8);
		mask = (uint8_t)(1u << (b % 8));
	}
	p->hdr[p->ip_hlen + b / 8] ^= mask;
}
