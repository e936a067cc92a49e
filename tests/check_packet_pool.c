/* Packets (packet.h): corruption of real and virtual payloads, wire
 * images, clones, the pool and payloads.  The checksum and the headers are
 * in check_packet.c. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "packet_util.h"
#include "testutil.h"

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

static Suite *packet_pool_suite(void)
{
	Suite *s = suite_create("packet_pool");
	TCase *k = tcase_create("packets");

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
	return sy_test_main(packet_pool_suite());
}
