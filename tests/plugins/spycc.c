/* cc/spycc: NewReno, made of the library's rules, counting every call the
 * endpoint makes and the arguments it gives (spycc.h), for
 * check_cc_endpoint.  The counters live in the instance's state, which
 * the test reads; a test module only, never installed. */
#include <stddef.h>

#include "cc.h"
#include "plugin.h"
#include "spycc.h"

struct spy_conn {
	uint64_t counter;
	const void *self;    /* priv as init saw it */
};

static struct spycc *spy(const void *st)
{
	return (struct spycc *)st;  /* the instance's calloc'd state */
}

static void spy_init(const void *st, sy_cc_conn *cc)
{
	struct spy_conn *k = cc->priv;

	spy(st)->inits++;
	k->self = k;
}

static void spy_destroy(const void *st, sy_cc_conn *cc)
{
	struct spy_conn *k = cc->priv;

	spy(st)->destroys++;
	if (k->self != k)
		spy(st)->priv_mismatch++;
}

static void spy_ack(const void *st, sy_cc_conn *cc, const sy_cc_ack *a)
{
	struct spycc *s = spy(st);
	struct spy_conn *k = cc->priv;

	s->acks[a->type]++;
	s->acked[a->type] += a->acked;
	if (a->rtt >= 0)
		s->rtt_samples++;
	if (a->ece)
		s->ece++;
	if (cc->delivered > s->max_delivered)
		s->max_delivered = cc->delivered;
	if (a->type == SY_CC_ACK_PARTIAL && !cc->in_recovery)
		s->partial_outside++;
	if (a->type == SY_CC_ACK_NEW && cc->in_recovery)
		s->new_inside++;
	s->latest_rtt = cc->latest_rtt;
	if (a->type != SY_CC_ACK_NEW)
		return;
	if (cc->cwnd < cc->ssthresh)
		sy_cc_slow_start(cc, a->acked, 1);
	else
		sy_cc_congestion_avoidance(cc, &k->counter, a->acked);
}

static void spy_congestion(const void *st, sy_cc_conn *cc, sy_cc_signal sig)
{
	spy(st)->signals[sig]++;
	sy_cc_newreno_congestion(cc, sig);
}

static void spy_recovery_exit(const void *st, sy_cc_conn *cc)
{
	spy(st)->recovery_exits++;
	sy_cc_recovery_exit(cc);
}

static void spy_idle_restart(const void *st, sy_cc_conn *cc, uint32_t rw)
{
	sy_cc_idle_restart(cc, rw);
}

static const sy_cc_ops ops = {
	SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops),
	.conn_size = sizeof(struct spy_conn),
	.init = spy_init,
	.destroy = spy_destroy,
	.ack = spy_ack,
	.congestion = spy_congestion,
	.recovery_exit = spy_recovery_exit,
	.idle_restart = spy_idle_restart,
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "cc",
	.name = "spycc",
	.summary = "NewReno counting the endpoint's calls (tests only)",
	.state_size = sizeof(struct spycc),
	.params = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
