/* Helpers shared by the loss plugin tests; see loss_util.h. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "loss.h"
#include "packet.h"
#include "plugin.h"
#include "rng.h"
#include "vtime.h"
#include "loss_util.h"
#include "testutil.h"

/* Every setting must be accepted; init may refuse. */
static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	ck_assert_msg(sy_test_configure(in, "loss", name, set, err) == 0,
		      "%s", err->msg);
	return sy_instance_init(in, NULL, err);
}

/* Loads, configures, initializes and seeds; set ends at a NULL key. */
void model_open(struct model *m, const char *name,
		const struct sy_test_setting *set, uint64_t seed)
{
	sy_err err;
	sy_rng r;

	ck_assert_msg(instance(&m->in, name, set, &err) == 0, "%s", err.msg);
	m->ops = m->in.plugin->ops;
	m->st = m->in.state;
	m->index = 0;
	ck_assert_ptr_nonnull(m->ops->seed);
	ck_assert_ptr_nonnull(m->ops->apply);
	sy_rng_stream(&r, seed, "check_loss", 0);
	m->ops->seed(m->st, &r);
}

void model_close(struct model *m)
{
	sy_instance_free(&m->in);
}

/* As the link does: outputs zeroed, index counting this model's packets. */
struct outcome model_apply(struct model *m, sy_packet *p, int dir,
			   sy_time now)
{
	sy_loss_ctx ctx = {
		.now = now, .index = m->index++, .direction = dir,
	};
	struct outcome o;

	o.v = m->ops->apply(m->st, p, &ctx);
	o.delay = ctx.delay;
	o.copies = ctx.copies;
	o.corrupted = ctx.corrupted;
	return o;
}

/* The init error for a configuration that must be refused. */
void init_fails(const char *name, const struct sy_test_setting *set,
		sy_err *err)
{
	sy_instance in;

	ck_assert_msg(instance(&in, name, set, err) == -1,
		      "loss/%s accepted %s=\"%s\"", name, set->key, set->val);
	sy_instance_free(&in);
}

/* ---------------------------------------------------------------- packets */

sy_pktpool *pool;

void pool_setup(void)
{
	pool = sy_pktpool_new();
	ck_assert_ptr_nonnull(pool);
}

void pool_teardown(void)
{
	ck_assert_uint_eq(sy_pktpool_live(pool), 0);
	sy_pktpool_free(pool);
	pool = NULL;
}

static const sy_ipv4 ip = {
	.src = 0x0a000001, .dst = 0x0a000002, .ttl = 64,
};

/* A TCP segment with valid checksums; a real payload of bytes i*7 when
 * real, otherwise virtual. */
sy_packet *tcp_packet(uint8_t flags, uint32_t paylen, bool real)
{
	sy_tcp tcp = {
		.sport = 40000, .dport = 80, .seq = 1000, .ack = 2000,
		.flags = flags, .window = 65535,
	};
	unsigned char buf[1500];
	sy_packet *p = sy_packet_new(pool);
	sy_err err;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_le(paylen, sizeof buf);
	p->hdr_len = 40; /* the headers to come, for the length check */
	for (uint32_t i = 0; i < paylen; i++)
		buf[i] = (unsigned char)(i * 7);
	ck_assert_msg(sy_packet_set_payload(pool, p, real ? buf : NULL, paylen,
					    &err) == 0, "%s", err.msg);
	sy_tcp_build(p, &ip, &tcp);
	ck_assert(sy_tcp_checksum_ok(p));
	return p;
}

/* A UDP datagram: IPv4 header, 8 bytes of UDP header, virtual payload. */
sy_packet *udp_packet(void)
{
	sy_ipv4 u = ip;
	sy_packet *p = sy_packet_new(pool);
	sy_err err;

	ck_assert_ptr_nonnull(p);
	p->hdr_len = 28;
	ck_assert_msg(sy_packet_set_payload(pool, p, NULL, 100, &err) == 0,
		      "%s", err.msg);
	u.proto = SY_IPPROTO_UDP;
	sy_ipv4_write(p, &u);
	return p;
}
