/* SipHash-2-4 (Aumasson and Bernstein): the keyed hash behind RFC 6528's
 * F() in ISN generators and behind SYN cookies. */
#ifndef SY_SIPHASH_H
#define SY_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash of len bytes under a 128-bit key given as 16 bytes. */
uint64_t sy_siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
