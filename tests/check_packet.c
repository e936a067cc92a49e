/* Packets (packet.h): the Internet checksum and the IPv4 and TCP headers.
 * Checksums are compared with known values and with a plain implementation
 * (packet_util.c) that shares no code with packet.c.  The pool, payloads,
 * corruption, wire images and clones are in check_packet_pool.c. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "packet_util.h"
#include "testutil.h"

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
	/* Any start address (the words are read 8 bytes at a time), every
	 * length around the 8-byte words, all-ones and all-zero data (the
	 * two zeros of ones' complement), after a running sum. */
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 40; n++)
			for (int fill = 0; fill < 3; fill++) {
				unsigned char two_then[2 + 40];

				if (fill == 2)
					fill_random(&r, b + off, n);
				else
					memset(b + off, fill ? 0xff : 0, n);
				ck_assert_uint_eq(sy_csum_fold(sy_csum_add(0, b + off, n)),
						  ref_csum(b + off, n));
				fill_random(&r, two_then, 2);
				memcpy(two_then + 2, b + off, n);
				ck_assert_uint_eq(sy_csum_fold(sy_csum_add(sy_csum_add(0, two_then, 2),
									   b + off, n)),
						  ref_csum(two_then, n + 2));
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

static Suite *packet_suite(void)
{
	Suite *s = suite_create("packet");
	TCase *c = tcase_create("checksum");
	TCase *h = tcase_create("headers");

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
	return s;
}

int main(void)
{
	return sy_test_main(packet_suite());
}
