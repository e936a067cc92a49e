/* Random streams.
 *
 * The generator is xoshiro256** (Blackman and Vigna), seeded through
 * splitmix64.  A run has one seed; each consumer draws from its own stream,
 * identified by a name (and optionally a number), whose state is derived
 * from (seed, name, number) alone.  Adding a consumer therefore never
 * changes what another one draws. */
#ifndef SY_RNG_H
#define SY_RNG_H

#include <stdint.h>

typedef struct sy_rng {
	uint64_t s[4];
} sy_rng;

/* splitmix64: advances *state and returns the next output. */
uint64_t sy_splitmix64(uint64_t *state);

/* Seeds r from four explicit words (for test vectors). */
void sy_rng_set_state(sy_rng *r, const uint64_t s[4]);

/* Seeds r for stream (name, index) of a run with this seed. */
void sy_rng_stream(sy_rng *r, uint64_t seed, const char *name, uint64_t index);

uint64_t sy_rng_next(sy_rng *r);

/* Uniform in [0, 1) with 53 random bits. */
double sy_rng_uniform(sy_rng *r);

/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t sy_rng_below(sy_rng *r, uint64_t n);

/* Exponential with the given mean. */
double sy_rng_exponential(sy_rng *r, double mean);

/* True with probability p. */
int sy_rng_bernoulli(sy_rng *r, double p);

#endif
