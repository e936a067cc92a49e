/* Helpers shared by the packet tests; see packet_util.h. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "packet_util.h"

void contains(const char *msg, const char *part)
{
	ck_assert_msg(strstr(msg, part) != NULL,
		      "message \"%s\" lacks \"%s\"", msg, part);
}

/* ------------------------------------------------------------ reference */

/* RFC 1071 done the obvious way: 16-bit big-endian words, odd byte padded,
 * carries folded at the end, complement. */
uint16_t ref_csum(const unsigned char *b, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint64_t)b[i] << 8 | (i + 1 < n ? b[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The TCP checksum of a wire image (IPv4 header of any length), computed
 * with the checksum field taken as zero. */
uint16_t ref_tcp_csum(const unsigned char *w, size_t n)
{
	size_t ihl = (w[0] & 0xf) * 4u, seg = n - ihl;
	unsigned char *b = malloc(12 + seg);
	uint16_t c;

	ck_assert_ptr_nonnull(b);
	memcpy(b, w + 12, 8);
	b[8] = 0;
	b[9] = 6;
	b[10] = (unsigned char)(seg >> 8);
	b[11] = (unsigned char)seg;
	memcpy(b + 12, w + ihl, seg);
	b[12 + 16] = b[12 + 17] = 0;
	c = ref_csum(b, 12 + seg);
	free(b);
	return c;
}

uint16_t rd16(const unsigned char *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The whole wire image of p, malloc'd. */
unsigned char *wire_of(const sy_packet *p, size_t *n)
{
	unsigned char *w = malloc(p->len ? p->len : 1);

	ck_assert_ptr_nonnull(w);
	*n = sy_packet_wire(p, w, p->len);
	ck_assert_uint_eq(*n, p->len);
	return w;
}

/* ------------------------------------------------------------ fixtures */

sy_ipv4 test_ip(void)
{
	sy_ipv4 ip = { 0 };

	ip.src = 0xc0000201; /* 192.0.2.1 */
	ip.dst = 0xc6336402; /* 198.51.100.2 */
	ip.proto = SY_IPPROTO_TCP;
	ip.ttl = 64;
	ip.id = 0x1234;
	ip.df = true;
	return ip;
}

sy_tcp test_tcp(void)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	sy_tcp t = { 0 };

	t.sport = 12345;
	t.dport = 80;
	t.seq = 0x01020304;
	t.flags = SY_TCP_SYN;
	t.window = 65535;
	t.optlen = 4;
	memcpy(t.opt, mss, 4);
	return t;
}

/* A TCP segment with the given payload (bytes NULL: virtual). */
sy_packet *make_seg(sy_pktpool *pool, const void *bytes, uint32_t n)
{
	sy_ipv4 ip = test_ip();
	sy_tcp tcp = test_tcp();
	sy_packet *p = sy_packet_new(pool);
	sy_err err;

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(sy_packet_set_payload(pool, p, bytes, n, &err) == 0,
		      "%s", err.msg);
	sy_tcp_build(p, &ip, &tcp);
	return p;
}

void fill_random(sy_rng *r, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)sy_rng_next(r);
}
