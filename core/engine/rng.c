#include "config.h"

#include <math.h>
#include <string.h>

#include "rng.h"

uint64_t sy_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sy_rng_set_state(sy_rng *r, const uint64_t s[4])
{
	memcpy(r->s, s, sizeof r->s);
}

/* FNV-1a over the name: only used to turn a name into 64 bits that are then
 * mixed by splitmix64, so its weak avalanche does not matter. */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void sy_rng_stream(sy_rng *r, uint64_t seed, const char *name, uint64_t index)
{
	/* Three rounds of splitmix64 fold seed, name and index into one word,
	 * each round fully mixing the last; the four state words then come
	 * from a splitmix64 sequence started there, as the xoshiro authors
	 * recommend.  The all-zero state cannot arise from splitmix64's
	 * outputs in four consecutive draws. */
	uint64_t x = seed;
	uint64_t k = sy_splitmix64(&x);

	x = k ^ name_hash(name ? name : "");
	k = sy_splitmix64(&x);
	x = k ^ index;
	k = sy_splitmix64(&x);
	x = k;
	for (int i = 0; i < 4; i++)
		r->s[i] = sy_splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sy_rng_next(sy_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double sy_rng_uniform(sy_rng *r)
{
	return (double)(sy_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t sy_rng_below(sy_rng *r, uint64_t n)
{
	/* Rejection of the short top range (Lemire's bound computed the
	 * plain way): every value in [0, n) is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = sy_rng_next(r);
	while (x >= limit);
	return x % n;
}

double sy_rng_exponential(sy_rng *r, double mean)
{
	/* 1 - u lies in (0, 1], so the logarithm is finite. */
	return -mean * log(1.0 - sy_rng_uniform(r));
}

int sy_rng_bernoulli(sy_rng *r, double p)
{
	return sy_rng_uniform(r) < p;
}
