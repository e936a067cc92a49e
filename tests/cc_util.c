#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cc_util.h"

static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	if (sy_test_configure(in, "cc", name, set, err) < 0)
		return -1;
	return sy_instance_init(in, NULL, err);
}

void conn_open(struct conn *k, const char *name,
	       const struct sy_test_setting *set, uint32_t mss, uint32_t iw)
{
	conn_open_profile(k, name, set, mss, iw, "rfc");
}

void conn_open_profile(struct conn *k, const char *name,
		       const struct sy_test_setting *set, uint32_t mss,
		       uint32_t iw, const char *timers)
{
	sy_err err;

	memset(k, 0, sizeof *k);
	ck_assert_msg(instance(&k->in, name, set, &err) == 0, "%s", err.msg);
	k->ops = k->in.plugin->ops;
	k->st = k->in.state;
	ck_assert_ptr_nonnull(k->ops);
	ck_assert_ptr_nonnull(k->ops->init);
	ck_assert_ptr_nonnull(k->ops->ack);
	ck_assert_ptr_nonnull(k->ops->congestion);
	ck_assert_ptr_nonnull(k->ops->recovery_exit);
	ck_assert_ptr_nonnull(k->ops->idle_restart);
	k->cc.priv = calloc(1, k->ops->conn_size ? k->ops->conn_size : 1);
	ck_assert_ptr_nonnull(k->cc.priv);
	k->cc.cwnd = iw;
	k->cc.ssthresh = INF;
	k->cc.mss = mss;
	k->cc.timers = timers;
	k->ops->init(k->st, &k->cc);
}

void conn_close(struct conn *k)
{
	if (k->ops->destroy)
		k->ops->destroy(k->st, &k->cc);
	free(k->cc.priv);
	sy_instance_free(&k->in);
}

void ack_typed(struct conn *k, sy_cc_ack_type type, uint32_t bytes)
{
	sy_cc_ack a = { .type = type, .acked = bytes, .rtt = -1 };

	k->ops->ack(k->st, &k->cc, &a);
}

void ack(struct conn *k, uint32_t bytes)
{
	ack_typed(k, SY_CC_ACK_NEW, bytes);
}

void congestion(struct conn *k, uint32_t flight, sy_cc_signal sig)
{
	k->cc.flight = flight;
	if (sig != SY_CC_RTO_SPURIOUS) {
		k->cc.prior_cwnd = k->cc.cwnd;
		k->cc.prior_ssthresh = k->cc.ssthresh;
	}
	k->ops->congestion(k->st, &k->cc, sig);
	k->left = 0;
}

void recovery_exit(struct conn *k)
{
	k->ops->recovery_exit(k->st, &k->cc);
}

void idle_restart(struct conn *k, uint32_t rw)
{
	k->ops->idle_restart(k->st, &k->cc, rw);
	k->left = 0;
}

void clock_until(struct conn *k, sy_time rtt, sy_time until)
{
	uint32_t mss = k->cc.mss;

	k->cc.srtt = rtt;
	k->cc.min_rtt = rtt;
	while (k->cc.now < until) {
		if (k->left == 0) {
			k->left = k->cc.cwnd / mss ? k->cc.cwnd / mss : 1;
			k->step = rtt / k->left;
		}
		k->cc.now += k->step;
		ack(k, mss);
		k->left--;
	}
}

void refused(const char *name, const char *key, const char *val)
{
	const struct sy_test_setting set[] = { { key, val }, { NULL, NULL } };
	sy_instance in;
	sy_err err;

	ck_assert_msg(instance(&in, name, set, &err) == -1,
		      "cc/%s accepted %s=\"%s\"", name, key, val);
	sy_instance_free(&in);
}

double segs(const struct conn *k)
{
	return (double)k->cc.cwnd / (double)k->cc.mss;
}
