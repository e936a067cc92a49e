/* Packets (packet.h): the pool, the Internet checksum, IPv4 and TCP
 * headers, virtual payloads and their flips, corruption, wire images and
 * clones.  Checksums are compared with known values and with a plain
 * implementation in this file that shares no code with packet.c. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "testutil.h"

static void contains(const char *msg, const char *part)
{
	ck_assert_msg(strstr(msg, part) != NULL,
		      "message \"%s\" lacks \"%s\"", msg, part);
}

/* ------------------------------------------------------------ reference */

/* RFC 1071 done the obvious way: 16-bit big-endian words, odd byte padded,
 * carries folded at the end, complement. */
static uint16_t ref_csum(const unsigned char *b, size_t n)
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
static uint16_t ref_tcp_csum(const unsigned char *w, size_t n)
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

static uint16_t rd16(const unsigned char *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The whole wire image of p, malloc'd. */
static unsigned char *wire_of(const sy_packet *p, size_t *n)
{
	unsigned char *w = malloc(p->len ? p->len : 1);

	ck_assert_ptr_nonnull(w);
	*n = sy_packet_wire(p, w, p->len);
	ck_assert_uint_eq(*n, p->len);
	return w;
}

/* ------------------------------------------------------------ fixtures */

static sy_ipv4 test_ip(void)
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

static sy_tcp test_tcp(void)
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
static sy_packet *make_seg(sy_pktpool *pool, const void *bytes, uint32_t n)
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

static void fill_random(sy_rng *r, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)sy_rng_next(r);
}

/* ------------------------------------------------------------ checksums */

START_TEST(csum_rfc1071_example)
{
	static const unsigned char b[] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};

	/* RFC 1071 section 3: the folded sum is 0xddf2. */
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, b, 8)), 0x220d);
	ck_assert_uint_eq((uint16_t)~sy_csum_fold(sy_csum_add(0, b, 8)), 0xddf2);
	/* The same in even-length pieces. */
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(sy_csum_add(0, b, 4), b + 4, 4)),
			  0x220d);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(sy_csum_add(0, b, 2), b + 2, 6)),
			  0x220d);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(sy_csum_add(0, b, 6), b + 6, 1) +
				       0x00f7), 0x220d);
	ck_assert_uint_eq(sy_csum_fold(0), 0xffff);
}
END_TEST

START_TEST(csum_known_ipv4_header)
{
	unsigned char h[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};

	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, h, sizeof h)), 0);
	h[10] = h[11] = 0;
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, h, sizeof h)), 0xb861);
}
END_TEST

START_TEST(csum_odd_lengths)
{
	static unsigned char b[70000];
	static const unsigned char one[] = { 0x01 };
	static const unsigned char three[] = { 0x01, 0x02, 0x03 };
	sy_rng r;

	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, one, 1)), (uint16_t)~0x0100);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, three, 3)), (uint16_t)~0x0402);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, three, 0)), 0xffff);

	sy_rng_stream(&r, 1, "csum", 0);
	for (int t = 0; t < 2000; t++) {
		size_t n = (size_t)sy_rng_below(&r, 3000);
		size_t cut = (size_t)sy_rng_below(&r, n / 2 + 1) * 2;
		uint32_t s;

		fill_random(&r, b, n);
		ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, b, n)),
				  ref_csum(b, n));
		/* An even first piece, any second piece. */
		s = sy_csum_add(sy_csum_add(0, b, cut), b + cut, n - cut);
		ck_assert_uint_eq(sy_csum_fold(s), ref_csum(b, n));
	}
	/* No overflow however long the data or the running sum. */
	memset(b, 0xff, sizeof b);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, b, sizeof b)),
			  ref_csum(b, sizeof b));
	fill_random(&r, b, sizeof b);
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, b, 65535)),
			  ref_csum(b, 65535));
	/* 0xffffffff is ones' complement zero: a large running sum going in
	 * changes nothing. */
	ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0xffffffffu, b, 65535)),
			  ref_csum(b, 65535));
}
END_TEST

/* ------------------------------------------------------------ IPv4 */

START_TEST(ipv4_roundtrip)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = sy_packet_new(pool);
	sy_ipv4 ip = test_ip(), got;
	sy_err err;

	ip.proto = SY_IPPROTO_UDP;
	ip.tos = 0xb8;
	ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL, 100, &err), 0);
	sy_ipv4_write(p, &ip);
	ck_assert_uint_eq(p->hdr_len, 20);
	ck_assert_uint_eq(p->ip_hlen, 20);
	ck_assert_uint_eq(p->len, 120);
	ck_assert_uint_eq(rd16(p->hdr + 2), 120);
	ck_assert_uint_eq(p->hdr[0], 0x45);
	ck_assert_uint_eq(p->hdr[6], 0x40);
	ck_assert_uint_eq(p->hdr[12], 192);
	ck_assert_uint_eq(p->hdr[19], 2);
	ck_assert_uint_eq(ref_csum(p->hdr, 20), 0);
	ck_assert_msg(sy_ipv4_read(p, &got, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(got.src, ip.src);
	ck_assert_uint_eq(got.dst, ip.dst);
	ck_assert_uint_eq(got.proto, SY_IPPROTO_UDP);
	ck_assert_uint_eq(got.ttl, 64);
	ck_assert_uint_eq(got.tos, 0xb8);
	ck_assert_uint_eq(got.id, 0x1234);
	ck_assert(got.df);

	ip.df = false;
	sy_ipv4_write(p, &ip);
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	ck_assert(!got.df);
	ck_assert_uint_eq(p->hdr[6], 0);

	/* A transport header already in place stays where it is. */
	p->hdr_len = 28;
	memset(p->hdr + 20, 0xab, 8);
	ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL, 10, &err), 0);
	sy_ipv4_write(p, &ip);
	ck_assert_uint_eq(p->hdr_len, 28);
	ck_assert_uint_eq(p->len, 38);
	ck_assert_uint_eq(p->hdr[20], 0xab);
	ck_assert_uint_eq(p->hdr[27], 0xab);
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(ipv4_read_errors)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = sy_packet_new(pool);
	sy_ipv4 ip = test_ip(), got;
	unsigned char save[20];
	char want[64];
	sy_err err;

	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	contains(err.msg, "too few for an IPv4 header");

	ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL, 40, &err), 0);
	sy_ipv4_write(p, &ip);
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	memcpy(save, p->hdr, 20);

	p->hdr[0] = 0x65;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	contains(err.msg, "version 6");
	memcpy(p->hdr, save, 20);

	p->hdr[0] = 0x44;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	contains(err.msg, "header length 16 bytes");
	memcpy(p->hdr, save, 20);

	p->hdr[0] = 0x46;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	contains(err.msg, "header length 24 bytes but the packet has 20 header bytes");
	memcpy(p->hdr, save, 20);

	p->hdr[3] = 40;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	ck_assert_str_eq(err.msg, "IPv4 total length 40 but the packet has 60 bytes");
	memcpy(p->hdr, save, 20);

	p->hdr[8] ^= 0x01;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	snprintf(want, sizeof want, "IPv4 header checksum 0x%04x does not verify",
		 rd16(save + 10));
	ck_assert_str_eq(err.msg, want);
	memcpy(p->hdr, save, 20);

	p->hdr[10] ^= 0x80;
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), -1);
	contains(err.msg, "does not verify");
	memcpy(p->hdr, save, 20);
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(ttl_incremental_matches_full)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = sy_packet_new(pool);
	sy_rng r;
	sy_err err;

	sy_rng_stream(&r, 2, "ttl", 0);
	for (int t = 0; t < 10000; t++) {
		uint64_t x = sy_rng_next(&r);
		sy_ipv4 ip, got;
		unsigned char h[20];
		uint8_t ttl;

		ip.src = (uint32_t)x;
		ip.dst = (uint32_t)(x >> 32);
		x = sy_rng_next(&r);
		ip.id = (uint16_t)x;
		ip.tos = (uint8_t)(x >> 16);
		ip.proto = (uint8_t)(x >> 24);
		ip.ttl = (uint8_t)(x >> 32);
		ip.df = (x >> 40) & 1;
		ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL,
						       (uint32_t)sy_rng_below(&r, 65516),
						       &err), 0);
		sy_ipv4_write(p, &ip);
		ttl = sy_ipv4_dec_ttl(p);
		ck_assert_uint_eq(ttl, ip.ttl ? ip.ttl - 1 : 0);
		ck_assert_uint_eq(p->hdr[8], ttl);
		memcpy(h, p->hdr, 20);
		h[10] = h[11] = 0;
		ck_assert_uint_eq(rd16(p->hdr + 10), ref_csum(h, 20));
		ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	}
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(ttl_reaches_zero)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = make_seg(pool, NULL, 500);
	sy_ipv4 got;
	sy_err err;
	uint16_t c;

	for (int ttl = 63; ttl >= 0; ttl--) {
		ck_assert_uint_eq(sy_ipv4_dec_ttl(p), ttl);
		ck_assert_msg(sy_ipv4_read(p, &got, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(got.ttl, ttl);
		/* The TTL is not in the TCP checksum. */
		ck_assert(sy_tcp_checksum_ok(p));
	}
	c = rd16(p->hdr + 10);
	ck_assert_uint_eq(sy_ipv4_dec_ttl(p), 0);
	ck_assert_uint_eq(p->hdr[8], 0);
	ck_assert_uint_eq(rd16(p->hdr + 10), c);
	ck_assert_int_eq(sy_ipv4_read(p, &got, &err), 0);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(ipv4_parse_format)
{
	static const char *bad[] = {
		"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "a.b.c.d",
		"1.2.3.4 ", " 1.2.3.4", "", "1..2.3", "+1.2.3.4", "1.2.3.4.",
		"1.2.3.-4", "1.2.3.256", "1.2.3.0004", "00.0.0.0", "1.2.3.4a",
		"1.2.3.99999999999999999999", ".1.2.3", "1,2,3,4",
	};
	char buf[16];
	uint32_t a;
	sy_rng r;

	ck_assert_int_eq(sy_ipv4_parse("192.0.2.1", &a), 0);
	ck_assert_uint_eq(a, 0xc0000201);
	ck_assert_int_eq(sy_ipv4_parse("0.0.0.0", &a), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_int_eq(sy_ipv4_parse("255.255.255.255", &a), 0);
	ck_assert_uint_eq(a, 0xffffffff);
	ck_assert_int_eq(sy_ipv4_parse("10.0.100.200", &a), 0);
	ck_assert_uint_eq(a, 0x0a0064c8);
	sy_ipv4_format(0xffffffff, buf);
	ck_assert_str_eq(buf, "255.255.255.255");
	sy_ipv4_format(0, buf);
	ck_assert_str_eq(buf, "0.0.0.0");
	sy_ipv4_format(0xc6336402, buf);
	ck_assert_str_eq(buf, "198.51.100.2");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		a = 0x12345678;
		ck_assert_msg(sy_ipv4_parse(bad[i], &a) == -1,
			      "\"%s\" accepted", bad[i]);
		ck_assert_uint_eq(a, 0x12345678);
	}
	ck_assert_int_eq(sy_ipv4_parse(NULL, &a), -1);
	sy_rng_stream(&r, 3, "addr", 0);
	for (int t = 0; t < 10000; t++) {
		uint32_t x = (uint32_t)sy_rng_next(&r);

		sy_ipv4_format(x, buf);
		ck_assert_int_eq(sy_ipv4_parse(buf, &a), 0);
		ck_assert_uint_eq(a, x);
	}
}
END_TEST

/* ------------------------------------------------------------ TCP */

START_TEST(tcp_roundtrip)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_ipv4 ip = test_ip(), gip;
	sy_tcp tcp = test_tcp(), got;
	sy_err err;
	sy_rng r;

	sy_rng_stream(&r, 4, "tcp", 0);
	ip.proto = SY_IPPROTO_UDP; /* forced to TCP */
	for (unsigned optlen = 0; optlen <= 40; optlen += 4) {
		sy_packet *p = sy_packet_new(pool);
		unsigned char pay[333];

		fill_random(&r, pay, sizeof pay);
		tcp.optlen = (uint8_t)optlen;
		fill_random(&r, tcp.opt, sizeof tcp.opt);
		tcp.seq = (uint32_t)sy_rng_next(&r);
		tcp.ack = (uint32_t)sy_rng_next(&r);
		tcp.flags = (uint8_t)sy_rng_next(&r);
		tcp.window = (uint16_t)sy_rng_next(&r);
		tcp.urg = (uint16_t)sy_rng_next(&r);
		ck_assert_int_eq(sy_packet_set_payload(pool, p, pay, sizeof pay,
						       &err), 0);
		sy_tcp_build(p, &ip, &tcp);
		ck_assert_uint_eq(p->hdr_len, 40 + optlen);
		ck_assert_uint_eq(p->ip_hlen, 20);
		ck_assert_uint_eq(p->len, 40 + optlen + sizeof pay);
		ck_assert_msg(sy_ipv4_read(p, &gip, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(gip.proto, SY_IPPROTO_TCP);
		ck_assert_msg(sy_tcp_read(p, &got, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(got.sport, tcp.sport);
		ck_assert_uint_eq(got.dport, tcp.dport);
		ck_assert_uint_eq(got.seq, tcp.seq);
		ck_assert_uint_eq(got.ack, tcp.ack);
		ck_assert_uint_eq(got.flags, tcp.flags);
		ck_assert_uint_eq(got.window, tcp.window);
		ck_assert_uint_eq(got.urg, tcp.urg);
		ck_assert_uint_eq(got.optlen, optlen);
		ck_assert_mem_eq(got.opt, tcp.opt, optlen);
		ck_assert(sy_tcp_checksum_ok(p));
		sy_packet_release(pool, p);
	}
	/* Options not a multiple of 4 are padded with zeros. */
	{
		sy_packet *p = make_seg(pool, NULL, 0);

		tcp.optlen = 3;
		memset(tcp.opt, 1, sizeof tcp.opt);
		sy_tcp_build(p, &ip, &tcp);
		ck_assert_uint_eq(p->hdr_len, 44);
		ck_assert_int_eq(sy_tcp_read(p, &got, &err), 0);
		ck_assert_uint_eq(got.optlen, 4);
		ck_assert_uint_eq(got.opt[2], 1);
		ck_assert_uint_eq(got.opt[3], 0);
		ck_assert(sy_tcp_checksum_ok(p));
	}
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(tcp_read_errors)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = sy_packet_new(pool);
	sy_ipv4 ip = test_ip();
	sy_tcp tcp;
	sy_err err;

	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), -1);
	contains(err.msg, "no IPv4 header");
	ck_assert(!sy_tcp_checksum_ok(p));

	p->hdr_len = 30;
	sy_ipv4_write(p, &ip);
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), -1);
	contains(err.msg, "too short: 10 header bytes");
	ck_assert(!sy_tcp_checksum_ok(p));
	sy_packet_release(pool, p);

	p = make_seg(pool, NULL, 10);
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), 0);
	p->hdr[32] = 0x40;
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), -1);
	contains(err.msg, "data offset 4 (16 bytes) is below the minimum of 5");
	p->hdr[32] = 0x70;
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), -1);
	contains(err.msg, "data offset 7 (28 bytes) but the packet has 24 TCP header bytes");
	p->hdr[32] = 0x50;
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), -1);
	contains(err.msg, "data offset 5 (20 bytes) but the packet has 24");
	p->hdr[32] = 0x60;
	ck_assert_int_eq(sy_tcp_read(p, &tcp, &err), 0);
	sy_pktpool_free(pool);
}
END_TEST

/* Values computed independently (Python, struct.pack) for the fixture
 * segment: a SYN with an MSS option, without and with the payload
 * "hello". */
START_TEST(tcp_known_segment)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = make_seg(pool, NULL, 0);
	unsigned char *w;
	size_t n;

	w = wire_of(p, &n);
	ck_assert_uint_eq(n, 44);
	ck_assert_uint_eq(rd16(w + 10), 0x3c61);
	ck_assert_uint_eq(rd16(w + 36), 0x7760);
	ck_assert_uint_eq(rd16(w + 36), ref_tcp_csum(w, n));
	ck_assert(sy_tcp_checksum_ok(p));
	free(w);
	sy_packet_release(pool, p);

	p = make_seg(pool, "hello", 5);
	w = wire_of(p, &n);
	ck_assert_uint_eq(n, 49);
	ck_assert_uint_eq(rd16(w + 10), 0x3c5c);
	ck_assert_uint_eq(rd16(w + 36), 0x3389);
	ck_assert_uint_eq(rd16(w + 36), ref_tcp_csum(w, n));
	ck_assert_mem_eq(w + 44, "hello", 5);
	ck_assert(sy_tcp_checksum_ok(p));
	free(w);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(tcp_checksum_real_and_virtual)
{
	static const uint32_t sizes[] = {
		0, 1, 2, 3, 7, 100, 1459, 1460, 2047, 2048, 2049, 9000, 65495,
	};
	static unsigned char pay[65535];
	sy_pktpool *pool = sy_pktpool_new();
	sy_rng r;

	sy_rng_stream(&r, 5, "payload", 0);
	fill_random(&r, pay, sizeof pay);
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		uint32_t n = sizes[i];
		sy_packet *real = make_seg(pool, pay, n);
		sy_packet *virt = make_seg(pool, NULL, n);
		sy_packet *zero;
		unsigned char *w, *wz;
		size_t len, lenz;
		void *zeros = calloc(1, n ? n : 1);

		ck_assert(sy_tcp_checksum_ok(real));
		w = wire_of(real, &len);
		ck_assert_uint_eq(rd16(w + 36), ref_tcp_csum(w, len));
		free(w);

		ck_assert(sy_tcp_checksum_ok(virt));
		w = wire_of(virt, &len);
		ck_assert_uint_eq(rd16(w + 36), ref_tcp_csum(w, len));

		/* N virtual bytes are N zero bytes. */
		zero = make_seg(pool, zeros, n);
		ck_assert(sy_tcp_checksum_ok(zero));
		ck_assert_uint_eq(zero->data != NULL, n > 0);
		wz = wire_of(zero, &lenz);
		ck_assert_uint_eq(len, lenz);
		ck_assert_mem_eq(w, wz, len);
		ck_assert_uint_eq(rd16(zero->hdr + 36), rd16(virt->hdr + 36));
		free(w);
		free(wz);
		free(zeros);
		sy_packet_release(pool, real);
		sy_packet_release(pool, virt);
		sy_packet_release(pool, zero);
	}
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	sy_pktpool_free(pool);
}
END_TEST

/* A virtual payload's flip shows in its checksum exactly as the same flip
 * in real zero bytes does, in either half of a 16-bit word. */
START_TEST(virtual_flip_matches_real)
{
	sy_pktpool *pool = sy_pktpool_new();
	unsigned char zeros[101] = { 0 };

	for (uint32_t at = 0; at < sizeof zeros; at++) {
		sy_packet *v = make_seg(pool, NULL, sizeof zeros);
		sy_packet *z = make_seg(pool, zeros, sizeof zeros);
		unsigned char *wv, *wz;
		size_t nv, nz;
		uint8_t mask = (uint8_t)(1u << (at % 8));

		v->flip_at = at + 1;
		v->flip_mask = mask;
		z->data[at] ^= mask;
		ck_assert(!sy_tcp_checksum_ok(v));
		ck_assert(!sy_tcp_checksum_ok(z));
		ck_assert_uint_eq(sy_packet_payload_byte(v, at), mask);
		ck_assert_uint_eq(sy_packet_payload_byte(v, at ? at - 1 : 1), 0);
		wv = wire_of(v, &nv);
		wz = wire_of(z, &nz);
		ck_assert_mem_eq(wv, wz, nv);
		/* Fixing the checksum field by the reference makes both verify. */
		wv[36] = (unsigned char)(ref_tcp_csum(wv, nv) >> 8);
		wv[37] = (unsigned char)ref_tcp_csum(wv, nv);
		v->hdr[36] = z->hdr[36] = wv[36];
		v->hdr[37] = z->hdr[37] = wv[37];
		ck_assert(sy_tcp_checksum_ok(v));
		ck_assert(sy_tcp_checksum_ok(z));
		free(wv);
		free(wz);
		sy_packet_release(pool, v);
		sy_packet_release(pool, z);
	}
	sy_pktpool_free(pool);
}
END_TEST

/* ------------------------------------------------------------ corruption */

static int bits_differing(const unsigned char *a, const unsigned char *b,
			  size_t n, size_t *first)
{
	int d = 0;

	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] && d == 0)
			*first = i;
		d += __builtin_popcount((unsigned)(a[i] ^ b[i]));
	}
	return d;
}

START_TEST(corrupt_breaks_tcp_only)
{
	static const uint32_t sizes[] = { 0, 1, 2, 3, 40, 1460, 2049, 9000 };
	static unsigned char pay[9000];
	sy_pktpool *pool = sy_pktpool_new();
	size_t hdr_hits = 0, pay_hits = 0;
	sy_rng r, data;

	sy_rng_stream(&r, 6, "corrupt", 0);
	sy_rng_stream(&data, 6, "data", 0);
	fill_random(&data, pay, sizeof pay);
	for (int t = 0; t < 10000; t++) {
		uint32_t n = sizes[t % (sizeof sizes / sizeof *sizes)];
		bool virt = (t / 8) % 2;
		sy_packet *p = make_seg(pool, virt ? NULL : pay, n);
		unsigned char *before, *after;
		size_t len, first = 0;
		sy_ipv4 ip;
		sy_err err;

		before = wire_of(p, &len);
		sy_packet_corrupt(p, &r);
		after = wire_of(p, &len);
		ck_assert_int_eq(bits_differing(before, after, len, &first), 1);
		ck_assert_uint_ge(first, 20);
		if (first < p->hdr_len)
			hdr_hits++;
		else
			pay_hits++;
		ck_assert(!sy_tcp_checksum_ok(p));
		ck_assert_msg(sy_ipv4_read(p, &ip, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(p->flip_at != 0, virt && first >= p->hdr_len);
		free(before);
		free(after);
		sy_packet_release(pool, p);
	}
	ck_assert_uint_gt(hdr_hits, 0);
	ck_assert_uint_gt(pay_hits, 0);

	/* 24 header bytes and 24 payload bytes: half the flips each way
	 * (mean 5000, sd 50). */
	hdr_hits = 0;
	for (int t = 0; t < 10000; t++) {
		sy_packet *p = make_seg(pool, pay, 24);

		sy_packet_corrupt(p, &r);
		hdr_hits += memcmp(p->data, pay, 24) == 0;
		sy_packet_release(pool, p);
	}
	ck_assert_uint_gt(hdr_hits, 4700);
	ck_assert_uint_lt(hdr_hits, 5300);
	sy_pktpool_free(pool);
}
END_TEST

/* Repeated corruption of a virtual payload: every call still flips
 * exactly one bit outside the IPv4 header, a second virtual byte going to
 * the TCP header instead. */
START_TEST(corrupt_virtual_repeated)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = make_seg(pool, NULL, 1000);
	unsigned char ip0[20];
	size_t moved = 0;
	sy_rng r;

	sy_rng_stream(&r, 7, "corrupt", 0);
	memcpy(ip0, p->hdr, 20);
	for (int t = 0; t < 2000; t++) {
		unsigned char *before, *after;
		uint32_t at = p->flip_at;
		size_t len, first = 0;

		before = wire_of(p, &len);
		sy_packet_corrupt(p, &r);
		after = wire_of(p, &len);
		ck_assert_int_eq(bits_differing(before, after, len, &first), 1);
		ck_assert_uint_ge(first, 20);
		if (at && p->flip_at == at && first < p->hdr_len)
			moved++;
		ck_assert(!at || !p->flip_at || p->flip_at == at);
		free(before);
		free(after);
	}
	ck_assert_mem_eq(p->hdr, ip0, 20);
	ck_assert_uint_gt(moved, 0);
	sy_pktpool_free(pool);
}
END_TEST

/* ------------------------------------------------------------ wire, clone */

START_TEST(wire_layout)
{
	sy_pktpool *pool = sy_pktpool_new();
	unsigned char pay[300], buf[400];
	sy_packet *p;
	sy_rng r;

	sy_rng_stream(&r, 8, "wire", 0);
	fill_random(&r, pay, sizeof pay);
	p = make_seg(pool, pay, sizeof pay);
	ck_assert_uint_eq(sy_packet_wire(p, buf, sizeof buf), 344);
	ck_assert_mem_eq(buf, p->hdr, 44);
	ck_assert_mem_eq(buf + 44, pay, 300);
	for (uint32_t i = 0; i < 300; i++)
		ck_assert_uint_eq(sy_packet_payload_byte(p, i), pay[i]);
	ck_assert_uint_eq(sy_packet_payload_byte(p, 300), 0);
	/* Truncated inside the header and inside the payload. */
	memset(buf, 0xee, sizeof buf);
	ck_assert_uint_eq(sy_packet_wire(p, buf, 30), 30);
	ck_assert_mem_eq(buf, p->hdr, 30);
	ck_assert_uint_eq(buf[30], 0xee);
	ck_assert_uint_eq(sy_packet_wire(p, buf, 100), 100);
	ck_assert_mem_eq(buf + 44, pay, 56);
	ck_assert_uint_eq(buf[100], 0xee);
	ck_assert_uint_eq(sy_packet_wire(p, buf, 0), 0);
	sy_packet_release(pool, p);

	/* Virtual: zeros, the flip in place, truncation cutting the flip. */
	p = make_seg(pool, NULL, 300);
	p->flip_at = 11;
	p->flip_mask = 0x81;
	memset(buf, 0xee, sizeof buf);
	ck_assert_uint_eq(sy_packet_wire(p, buf, sizeof buf), 344);
	ck_assert_mem_eq(buf, p->hdr, 44);
	for (int i = 0; i < 300; i++)
		ck_assert_uint_eq(buf[44 + i], i == 10 ? 0x81 : 0);
	memset(buf, 0xee, sizeof buf);
	ck_assert_uint_eq(sy_packet_wire(p, buf, 54), 54);
	ck_assert_uint_eq(buf[53], 0);
	ck_assert_uint_eq(buf[54], 0xee);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(clone_independent)
{
	sy_pktpool *pool = sy_pktpool_new();
	unsigned char pay[3000];
	sy_packet *p, *q;
	int meta;
	sy_rng r;

	sy_rng_stream(&r, 9, "clone", 0);
	fill_random(&r, pay, sizeof pay);
	for (int virt = 0; virt < 2; virt++) {
		unsigned char *wp, *wq;
		size_t np, nq;

		p = make_seg(pool, virt ? NULL : pay, sizeof pay);
		p->stamp = 12345 * SY_MS;
		p->meta = &meta;
		if (virt) {
			p->flip_at = 7;
			p->flip_mask = 4;
		} else {
			p->data[6] ^= 4;
		}
		q = sy_packet_clone(pool, p);
		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_ne(q, p);
		ck_assert_uint_gt(q->uid, p->uid);
		ck_assert_int_eq(q->stamp, p->stamp);
		ck_assert_ptr_eq(q->meta, &meta);
		ck_assert_ptr_null(q->next);
		ck_assert_uint_eq(q->len, p->len);
		ck_assert_uint_eq(q->hdr_len, p->hdr_len);
		ck_assert_uint_eq(q->ip_hlen, p->ip_hlen);
		ck_assert_uint_eq(q->flip_at, p->flip_at);
		ck_assert_uint_eq(q->flip_mask, p->flip_mask);
		ck_assert_uint_eq(q->data == NULL, virt);
		if (!virt)
			ck_assert_ptr_ne(q->data, p->data);
		wp = wire_of(p, &np);
		wq = wire_of(q, &nq);
		ck_assert_mem_eq(wp, wq, np);

		/* Changing the clone leaves the original alone. */
		q->hdr[40] ^= 0xff;
		sy_ipv4_dec_ttl(q);
		if (virt)
			q->flip_mask = 0x10;
		else
			q->data[100] ^= 0xff;
		free(wq);
		wq = wire_of(p, &nq);
		ck_assert_mem_eq(wp, wq, np);
		ck_assert(!sy_tcp_checksum_ok(p));
		ck_assert_uint_eq(p->hdr[8], 64);
		/* And releasing it too. */
		sy_packet_release(pool, q);
		free(wq);
		wq = wire_of(p, &nq);
		ck_assert_mem_eq(wp, wq, np);
		free(wp);
		free(wq);
		sy_packet_release(pool, p);
	}
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	sy_pktpool_free(pool);
}
END_TEST

/* ------------------------------------------------------------ pool */

START_TEST(pool_recycles)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p, *q, *win[64];
	unsigned char pay[9000] = { 1 };
	uint64_t last;
	size_t mem;
	sy_err err;

	p = sy_packet_new(pool);
	ck_assert_uint_eq(p->uid, 1);
	ck_assert_uint_eq(sy_pktpool_live(pool), 1);
	/* Dirty everything, release, and get it back clean. */
	ck_assert_int_eq(sy_packet_set_payload(pool, p, pay, sizeof pay, &err), 0);
	memset(p->hdr, 0xaa, sizeof p->hdr);
	p->hdr_len = 44;
	p->ip_hlen = 20;
	p->stamp = 99;
	p->meta = p;
	p->flip_at = 3;
	p->flip_mask = 1;
	sy_packet_release(pool, p);
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	q = sy_packet_new(pool);
	ck_assert_ptr_eq(q, p);
	ck_assert_uint_eq(q->uid, 2);
	ck_assert_ptr_null(q->next);
	ck_assert_ptr_null(q->data);
	ck_assert_ptr_null(q->meta);
	ck_assert_int_eq(q->stamp, 0);
	ck_assert_uint_eq(q->len | q->payload_len | q->hdr_len | q->ip_hlen |
			  q->flip_at | q->flip_mask, 0);
	for (size_t i = 0; i < sizeof q->hdr; i++)
		ck_assert_uint_eq(q->hdr[i], 0);
	sy_packet_release(pool, q);

	/* A sliding window of 64 live packets, with chunked, large and
	 * virtual payloads and clones: after warm-up, no growth. */
	for (int i = 0; i < 64; i++)
		win[i] = sy_packet_new(pool);
	last = win[63]->uid;
	mem = 0;
	for (int i = 0; i < 100000; i++) {
		int k = i % 64;
		uint32_t n = (uint32_t)(i % 5 == 0 ? 9000 : i % 3 * 700);

		if (i == 1000)
			mem = sy_pktpool_memory(pool);
		sy_packet_release(pool, win[k]);
		if (i % 7 == 0) {
			win[k] = sy_packet_clone(pool, win[(k + 1) % 64]);
		} else {
			win[k] = sy_packet_new(pool);
			ck_assert_int_eq(sy_packet_set_payload(pool, win[k],
							       i % 2 ? pay : NULL,
							       n, &err), 0);
		}
		ck_assert_ptr_nonnull(win[k]);
		ck_assert_uint_eq(win[k]->uid, ++last);
		ck_assert_uint_eq(sy_pktpool_live(pool), 64);
		if (i > 1000 && i % 64 == 63)
			ck_assert_uint_le(sy_pktpool_memory(pool), mem + 64 * 9100);
	}
	ck_assert_uint_gt(mem, 0);
	for (int i = 0; i < 64; i++)
		sy_packet_release(pool, win[i]);
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	sy_packet_release(pool, NULL);
	sy_pktpool_free(pool);
}
END_TEST

/* Strict steady state: the same mix every round, so memory() is exactly
 * constant once the pool has grown. */
START_TEST(pool_memory_steady)
{
	sy_pktpool *pool = sy_pktpool_new();
	unsigned char pay[9000] = { 0 };
	size_t base = sy_pktpool_memory(pool), mem = 0;
	sy_err err;

	ck_assert_uint_gt(base, 0);
	for (int i = 0; i < 100000; i++) {
		sy_packet *p = sy_packet_new(pool);
		sy_packet *q;

		ck_assert_int_eq(sy_packet_set_payload(pool, p, pay,
						       i % 2 ? 1460 : 9000, &err), 0);
		q = sy_packet_clone(pool, p);
		ck_assert_uint_eq(sy_pktpool_live(pool), 2);
		sy_packet_release(pool, p);
		sy_packet_release(pool, q);
		if (i == 1)
			mem = sy_pktpool_memory(pool);
		if (i > 1)
			ck_assert_uint_eq(sy_pktpool_memory(pool), mem);
	}
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(large_payload_and_limit)
{
	static unsigned char pay[65535];
	sy_pktpool *pool = sy_pktpool_new();
	size_t mem0, mem1;
	sy_packet *p;
	unsigned char *w;
	size_t n;
	sy_err err;
	sy_rng r;

	sy_rng_stream(&r, 10, "large", 0);
	fill_random(&r, pay, sizeof pay);
	/* Grow the packet and chunk slabs first, so that what follows only
	 * moves the large buffers. */
	sy_packet_release(pool, make_seg(pool, pay, 10));
	mem0 = sy_pktpool_memory(pool);
	p = make_seg(pool, pay, 9000);
	ck_assert_uint_gt(sy_pktpool_memory(pool), mem0 + 9000);
	ck_assert_uint_eq(p->len, 9044);
	ck_assert(sy_tcp_checksum_ok(p));
	w = wire_of(p, &n);
	ck_assert_mem_eq(w + 44, pay, 9000);
	free(w);
	mem1 = sy_pktpool_memory(pool);
	/* Replacing it by a small one gives the large buffer back. */
	ck_assert_int_eq(sy_packet_set_payload(pool, p, pay, 100, &err), 0);
	ck_assert_uint_lt(sy_pktpool_memory(pool), mem1 - 9000);
	ck_assert_int_eq(sy_packet_set_payload(pool, p, pay, 9000, &err), 0);
	ck_assert_uint_eq(sy_pktpool_memory(pool), mem1);
	sy_packet_release(pool, p);
	ck_assert_uint_lt(sy_pktpool_memory(pool), mem1 - 9000);

	/* With a 44-byte header: 65491 payload bytes fit, 65492 do not. */
	p = make_seg(pool, pay, 65491);
	ck_assert_uint_eq(p->len, 65535);
	ck_assert(sy_tcp_checksum_ok(p));
	ck_assert_int_eq(sy_packet_set_payload(pool, p, pay, 65492, &err), -1);
	contains(err.msg, "65492");
	contains(err.msg, "44 header bytes");
	contains(err.msg, "65536");
	contains(err.msg, "65535");
	/* A failed call leaves the packet as it was. */
	ck_assert_uint_eq(p->payload_len, 65491);
	ck_assert_mem_eq(p->data, pay, 65491);
	ck_assert(sy_tcp_checksum_ok(p));
	ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL, UINT32_MAX, &err), -1);
	contains(err.msg, "4294967295");
	ck_assert_int_eq(sy_packet_set_payload(pool, p, NULL, 65491, &err), 0);
	ck_assert_ptr_null(p->data);
	sy_packet_release(pool, p);
	sy_pktpool_free(pool);
}
END_TEST

START_TEST(set_payload_replaces)
{
	sy_pktpool *pool = sy_pktpool_new();
	sy_packet *p = make_seg(pool, NULL, 50);
	unsigned char buf[100];
	sy_err err;

	p->flip_at = 5;
	p->flip_mask = 2;
	ck_assert_int_eq(sy_packet_set_payload(pool, p, "abcdef", 6, &err), 0);
	ck_assert_uint_eq(p->flip_at | p->flip_mask, 0);
	ck_assert_uint_eq(p->len, 44 + 6);
	/* From its own bytes. */
	ck_assert_int_eq(sy_packet_set_payload(pool, p, p->data + 2, 3, &err), 0);
	ck_assert_mem_eq(p->data, "cde", 3);
	/* Zero real bytes is no buffer at all. */
	ck_assert_int_eq(sy_packet_set_payload(pool, p, "x", 0, &err), 0);
	ck_assert_ptr_null(p->data);
	ck_assert_uint_eq(p->len, 44);
	/* Headers rewritten afterwards match again. */
	ck_assert_int_eq(sy_packet_set_payload(pool, p, "xyz", 3, &err), 0);
	{
		sy_ipv4 ip = test_ip();
		sy_tcp tcp = test_tcp();

		sy_tcp_build(p, &ip, &tcp);
	}
	ck_assert_uint_eq(sy_packet_wire(p, buf, sizeof buf), 47);
	ck_assert_uint_eq(rd16(buf + 2), 47);
	ck_assert_uint_eq(rd16(buf + 36), ref_tcp_csum(buf, 47));
	sy_pktpool_free(pool);
}
END_TEST

/* Run under ASan: the leak checker must find nothing although packets,
 * some with large payloads, were never released. */
START_TEST(free_with_packets_out)
{
	sy_pktpool *pool = sy_pktpool_new();
	unsigned char pay[20000] = { 0 };
	sy_err err;

	for (int i = 0; i < 1000; i++) {
		sy_packet *p = sy_packet_new(pool);
		uint32_t n = (uint32_t)(i % 4 == 0 ? 3000 + i : i % 4 == 1 ? 1000 : 0);

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(sy_packet_set_payload(pool, p, i % 4 == 2 ? NULL : pay,
						       n, &err), 0);
		if (i % 10 == 0)
			ck_assert_ptr_nonnull(sy_packet_clone(pool, p));
		if (i % 3 == 0)
			sy_packet_release(pool, p);
	}
	ck_assert_uint_gt(sy_pktpool_live(pool), 600);
	sy_pktpool_free(pool);
	sy_pktpool_free(NULL);
}
END_TEST

static Suite *packet_suite(void)
{
	Suite *s = suite_create("packet");
	TCase *c = tcase_create("checksum");
	TCase *h = tcase_create("headers");
	TCase *k = tcase_create("packets");

	tcase_add_test(c, csum_rfc1071_example);
	tcase_add_test(c, csum_known_ipv4_header);
	tcase_add_test(c, csum_odd_lengths);
	suite_add_tcase(s, c);

	tcase_add_test(h, ipv4_roundtrip);
	tcase_add_test(h, ipv4_read_errors);
	tcase_add_test(h, ttl_incremental_matches_full);
	tcase_add_test(h, ttl_reaches_zero);
	tcase_add_test(h, ipv4_parse_format);
	tcase_add_test(h, tcp_roundtrip);
	tcase_add_test(h, tcp_read_errors);
	tcase_add_test(h, tcp_known_segment);
	tcase_add_test(h, tcp_checksum_real_and_virtual);
	tcase_add_test(h, virtual_flip_matches_real);
	suite_add_tcase(s, h);

	/* The pool cycles take a few seconds under the sanitizers. */
	tcase_set_timeout(k, 60);
	tcase_add_test(k, corrupt_breaks_tcp_only);
	tcase_add_test(k, corrupt_virtual_repeated);
	tcase_add_test(k, wire_layout);
	tcase_add_test(k, clone_independent);
	tcase_add_test(k, pool_recycles);
	tcase_add_test(k, pool_memory_steady);
	tcase_add_test(k, large_payload_and_limit);
	tcase_add_test(k, set_payload_replaces);
	tcase_add_test(k, free_with_packets_out);
	suite_add_tcase(s, k);
	return s;
}

int main(void)
{
	return sy_test_main(packet_suite());
}
