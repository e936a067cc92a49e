/* SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012): the keyed hash RFC 6528 suggests for F().
 *
 * The 128-bit key is read as two little-endian 64-bit words k0, k1 and the
 * message as little-endian 64-bit words; the last word holds the 0..7
 * leftover bytes in its low bytes and the message length modulo 256 in its
 * top byte, so every message (including the empty one) ends with exactly
 * one such word.  Each word m is absorbed as v3 ^= m, c = 2 rounds,
 * v0 ^= m; then v2 ^= 0xff, d = 4 rounds, and the output is the xor of the
 * four state words.
 *
 * Bytes are assembled explicitly, so the result does not depend on the
 * host's byte order or on the alignment of data. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "siphash.h"

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* n <= 8 bytes at p as a little-endian number. */
static inline uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t x = 0;

	while (n--)
		x = (x << 8) | p[n];
	return x;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sipround(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/* The compression step: c = 2 rounds per message word. */
static inline void absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

uint64_t sy_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	const uint64_t k0 = load_le(key, 8), k1 = load_le(key + 8, 8);
	/* The initial constants spell "somepseudorandomlygeneratedbytes". */
	struct sip s = {
		.v0 = k0 ^ UINT64_C(0x736f6d6570736575),
		.v1 = k1 ^ UINT64_C(0x646f72616e646f6d),
		.v2 = k0 ^ UINT64_C(0x6c7967656e657261),
		.v3 = k1 ^ UINT64_C(0x7465646279746573),
	};
	size_t left = len;

	for (; left >= 8; left -= 8, p += 8)
		absorb(&s, load_le(p, 8));
	/* The final word: left (0..7) bytes, the length in the top byte. */
	absorb(&s, load_le(p, left) | (uint64_t)(len & 0xff) << 56);

	/* Finalization: d = 4 rounds. */
	s.v2 ^= 0xff;
	sipround(&s);
	sipround(&s);
	sipround(&s);
	sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
