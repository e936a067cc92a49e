/* Helpers shared by the loss plugin tests (check_loss, check_loss_effects):
 * a model driven through its ops table as a link drives it, and packets
 * from a pool that every test case sets up and checks empty again. */
#ifndef SY_LOSS_UTIL_H
#define SY_LOSS_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "loss.h"
#include "packet.h"
#include "plugin.h"
#include "vtime.h"
#include "testutil.h"

/* A failing check only; ck_assert records every passing one, which in the
 * loops of these tests would cost more than the models. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

/* The tolerance of the statistical checks, in standard errors. */
#define NSIGMA 5.0

struct model {
	sy_instance in;
	const sy_loss_ops *ops;
	void *st;
	uint64_t index;
};

/* What a model decided about one packet. */
struct outcome {
	sy_loss_verdict v;
	sy_time delay;
	unsigned copies;
	bool corrupted;
};

/* Loads, configures, initializes and seeds; set ends at a NULL key. */
void model_open(struct model *m, const char *name,
		const struct sy_test_setting *set, uint64_t seed);
void model_close(struct model *m);

/* As the link does: outputs zeroed, index counting this model's packets. */
struct outcome model_apply(struct model *m, sy_packet *p, int dir,
			   sy_time now);

/* The init error for a configuration that must be refused. */
void init_fails(const char *name, const struct sy_test_setting *set,
		sy_err *err);

/* The packets' pool, set up and torn down (empty) around each test. */
extern sy_pktpool *pool;
void pool_setup(void);
void pool_teardown(void);

/* A TCP segment with valid checksums; a real payload of bytes i*7 when
 * real, otherwise virtual. */
sy_packet *tcp_packet(uint8_t flags, uint32_t paylen, bool real);

/* A UDP datagram: IPv4 header, 8 bytes of UDP header, virtual payload. */
sy_packet *udp_packet(void);

#endif
