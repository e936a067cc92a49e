/* The instance state of tests/plugins/spycc.c, a NewReno that counts what
 * the endpoint tells it (check_cc_endpoint reads it). */
#ifndef SY_TEST_SPYCC_H
#define SY_TEST_SPYCC_H

#include <stdbool.h>
#include <stdint.h>

#include "cc.h"

struct spycc {
	uint64_t inits, destroys;
	uint64_t acks[3];             /* by sy_cc_ack_type */
	uint64_t acked[3];            /* bytes, by type */
	uint64_t signals[4];          /* by sy_cc_signal */
	uint64_t recovery_exits;
	uint64_t rtt_samples;         /* acks with rtt >= 0 */
	uint64_t ece;                 /* acks with ECN-Echo */
	uint64_t max_delivered;
	uint64_t partial_outside;     /* partial ACKs outside recovery */
	uint64_t new_inside;          /* new-data ACKs during recovery */
	sy_time latest_rtt;
	uint64_t priv_mismatch;       /* priv not what init saw */
};

#endif
