/* The RFC timer profile: the RTO estimator of RFC 6298 exactly, and the
 * timeouts and retry limits that RFC 9293 and RFC 1122 ask for.
 *
 * The RFC values are the defaults, not constraints: a study may override
 * any of them (rto_min = 0 to watch the bare estimator, a short
 * time_wait); init refuses only what no stack could run with (rto_initial
 * outside [rto_min, rto_max]).
 *
 * Estimator (RFC 6298 section 2), in integer nanoseconds:
 *   before a sample    RTO = rto_initial                               (2.1)
 *   first sample R     SRTT = R, RTTVAR = R/2                          (2.2)
 *   later sample R'    RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|
 *                      SRTT   = 7/8 SRTT + 1/8 R'   (in this order: 2.3)
 *   then               RTO = SRTT + max(G, 4 * RTTVAR), within
 *                      [rto_min, rto_max]                         (2.4, 2.5)
 * Each update rounds once, to the nearest nanosecond, so SRTT and RTTVAR
 * are within half a nanosecond of the exact result of that step; over a
 * long run the rounding errors stay bounded (within 4 ns for SRTT, 6 ns for
 * RTTVAR) since the filters forget them geometrically.
 *
 * G, the clock granularity, is the parameter `granularity`, default 1 ns:
 * the simulator's clock ticks in nanoseconds and its samples are exact, so
 * its G is 1 ns, and max(G, 4*RTTVAR) only matters when RTTVAR is 0 (a
 * path without jitter), where it keeps RTO above SRTT.  Setting it (say
 * 500ms, a BSD slow tick) shows the RFC's floor on the variance term; it
 * does not quantize the samples themselves.
 *
 * Backoff (5.5): each timeout doubles the RTO, up to rto_max; a new sample
 * (which Karn's rule makes the caller take from a segment sent once) ends
 * it.
 *
 * invalid_ack_ratelimit: RFC 5961 7 asks that the ACKs answering
 * unacceptable segments be throttled, configurably, and names no value;
 * the default is Linux's 500 ms.
 *
 * TIME_WAIT and a new SYN (tw_syn_accept off): RFC 9293 3.10.7.4 counts
 * TIME-WAIT among the synchronized states, where a SYN gets a challenge
 * ACK (fourth step, RFC 5961 4.2).  Section 3.6 allows reopening from
 * TIME-WAIT (MAY-2, RFC 1122's rule) and recommends RFC 6191 (SHLD-4),
 * which silently drops the SYNs it refuses; neither is the event
 * processing this profile follows, and Linux's version is the parameter.
 * tw_reuse 0: the side in TIME-WAIT keeps its 4-tuple for 2 MSL (3.6,
 * MUST-13).  crossed_synack off: in a simultaneous open the peer's
 * SYN-ACK is one below RCV.NXT, so the sequence check (3.10.7.4 first)
 * answers it with an ACK, though figure 7 shows it completing the
 * handshake; the peer's ACK completes it instead.
 *
 * Challenge ACKs (RFC 5961 7): an endpoint sends at most
 * challenge_ack_limit (1000, Linux's host-wide default from 4.7 to 5.19;
 * the RFC names none) a second, counted exactly; no per-connection limit
 * besides (challenge_ack_per_conn off).  TSval is the clock itself, ms
 * since the start of the run (ts_offset off): RFC 7323 5.4 asks for a
 * clock and its rate, and leaves a random offset to the implementation,
 * so the RFC profile keeps the plain clock, whose values a study can read
 * as times.
 *
 * Retry limits (RFC 1122 4.2.3.5, RFC 9293 3.8.3): R2 as a count of
 * retransmissions (data_retries 6: at least 123 s > 100 s; RFC 1122 also
 * allows a time), the same for an orphan (orphan_retries -1), and the
 * user timeout on unacknowledged data only, from its oldest send
 * (retries_by_time and user_timeout_probes off).  R1 (the threshold for
 * telling the IP layer) has no effect here. */
#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "rto.h"
#include "timers.h"

struct rfc {
	sy_timer_limits lim;   /* the parameters; limits() points here */
	sy_time granularity;   /* G of RFC 6298 */
};

static int rfc_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct rfc *t = st;

	return rto_limits_check(&t->lim, err);
}

static const sy_timer_limits *rfc_limits(const void *st)
{
	const struct rfc *t = st;

	return &t->lim;
}

static void rfc_rtt_init(const void *st, sy_rtt *r)
{
	const struct rfc *t = st;

	rto_rtt_init(&t->lim, r);
}

static void rfc_rtt_sample(const void *st, sy_rtt *r, sy_time rtt)
{
	const struct rfc *t = st;
	sy_time var;

	if (rtt < 0)
		rtt = 0;
	if (!r->samples) {
		r->srtt = rtt;
		r->rttvar = rto_div_round(rtt, 2);
	} else {
		/* RTTVAR first: it measures the error against the SRTT
		 * that predicted this sample, not the updated one.  Both
		 * differences are of non-negative values, so they fit. */
		sy_time err = rto_abs_diff(r->srtt, rtt);

		r->rttvar += rto_div_round(err - r->rttvar, 4);
		r->srtt += rto_div_round(rtt - r->srtt, 8);
	}
	var = rto_mul(r->rttvar, 4);
	if (var < t->granularity)
		var = t->granularity;
	r->rto = rto_bound(&t->lim, rto_add(r->srtt, var));
	rto_count_sample(r);
}

static void rfc_rtt_backoff(const void *st, sy_rtt *r)
{
	const struct rfc *t = st;

	rto_backoff(&t->lim, r);
}

static sy_time rfc_rto(const void *st, const sy_rtt *r)
{
	const struct rfc *t = st;

	return rto_backed_off(&t->lim, r);
}

static const sy_timers_ops ops = {
	SY_OPS_HEAD(SY_TIMERS_OPS_VERSION, sy_timers_ops),
	.limits = rfc_limits,
	.rtt_init = rfc_rtt_init,
	.rtt_sample = rfc_rtt_sample,
	.rtt_backoff = rfc_rtt_backoff,
	.rto = rfc_rto,
};

#define LIM(f) offsetof(struct rfc, lim.f)

/* The retry counts.  A connection gives up when the timeout after its
 * last retransmission expires, i.e. after retries + 1 RTOs, doubling from
 * the first one and capped at rto_max = 60 s:
 *   SYN, SYN-ACK: from rto_initial = 1 s, 7 retries take
 *     1+2+4+8+16+32+60+60 = 183 s, the fewest that reach the 3 minutes
 *     RFC 1122 4.2.3.5 requires of R2 for a SYN (6 give 123 s);
 *   data, FIN: R2 "SHOULD correspond to at least 100 seconds" (RFC 1122
 *     4.2.3.5); the shortest case starts from rto_min = 1 s, where 6
 *     retries take 1+2+4+8+16+32+60 = 123 s (5 give 63 s).
 * rto_max = 60 s is the smallest maximum RFC 6298 2.5 allows ("at least
 * 60 seconds"), as in the BSD stacks (64 s); with it the SYN give-up time
 * stays close to RFC 1122's 3 minutes. */
static const char *const ecn_choices[] = { "off", "accept", "on", NULL };

static const sy_param params[] = {
	{ .name = "rto_initial", .type = SY_PT_DURATION, .offset = LIM(rto_initial),
	  .def = "1s", .min = "1ns", .max = RTO_DUR_MAX,
	  .doc = "RTO before the first RTT sample (RFC 6298 2.1: 1 s)" },
	{ .name = "rto_min", .type = SY_PT_DURATION, .offset = LIM(rto_min),
	  .def = "1s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "lower bound of the RTO (RFC 6298 2.4: 1 s)" },
	{ .name = "rto_max", .type = SY_PT_DURATION, .offset = LIM(rto_max),
	  .def = "60s", .min = "1ns", .max = RTO_DUR_MAX,
	  .doc = "upper bound of the RTO and its backoff (RFC 6298 2.5: at least 60 s)" },
	{ .name = "granularity", .type = SY_PT_DURATION,
	  .offset = offsetof(struct rfc, granularity),
	  .def = "1ns", .min = "1ns", .max = "10s",
	  .doc = "clock granularity G: RTO = SRTT + max(G, 4*RTTVAR) (RFC 6298 2.2)" },
	{ .name = "syn_retries", .type = SY_PT_INT, .offset = LIM(syn_retries),
	  .def = "7", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN retransmissions before giving up (7: 183 s, RFC 1122 4.2.3.5 asks for 3 min)" },
	{ .name = "syn_linear_timeouts", .type = SY_PT_INT,
	  .offset = LIM(syn_linear_timeouts),
	  .def = "0", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN timeouts before the RTO backs off, each one more SYN retry; "
		 "0: backoff from the first (RFC 6298 5.5)" },
	{ .name = "acceptq_drop_syn", .type = SY_PT_BOOL, .offset = LIM(acceptq_drop_syn),
	  .def = "false",
	  .doc = "a SYN finding the accept queue full is dropped, not answered (Linux); false: answered" },
	{ .name = "dup_syn_synack", .type = SY_PT_BOOL, .offset = LIM(dup_syn_synack),
	  .def = "false",
	  .doc = "a retransmitted SYN in SYN_RECEIVED gets the SYN-ACK again (Linux); "
		 "false: an ACK (RFC 9293 3.10.7.4 first)" },
	{ .name = "synack_retries", .type = SY_PT_INT, .offset = LIM(synack_retries),
	  .def = "7", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN-ACK retransmissions before giving up (as for a SYN)" },
	{ .name = "data_retries", .type = SY_PT_INT, .offset = LIM(data_retries),
	  .def = "6", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "data or FIN retransmissions before giving up (6: at least 123 s, RFC 1122 R2 >= 100 s)" },
	{ .name = "time_wait", .type = SY_PT_DURATION, .offset = LIM(time_wait),
	  .def = "240s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "TIME_WAIT length, 2*MSL with MSL = 2 min (RFC 9293)" },
	{ .name = "fin_wait2", .type = SY_PT_DURATION, .offset = LIM(fin_wait2),
	  .def = "0s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "FIN_WAIT_2 timeout; 0: none, the RFC waits for the peer's FIN for ever" },
	{ .name = "syn_received", .type = SY_PT_DURATION, .offset = LIM(syn_received),
	  .def = "0s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "SYN_RECEIVED timeout; 0: the SYN-ACK retries alone decide" },
	{ .name = "user_timeout", .type = SY_PT_DURATION, .offset = LIM(user_timeout),
	  .def = "0s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "user timeout for unacknowledged data (RFC 9293, RFC 5482); 0: none" },
	{ .name = "keepalive", .type = SY_PT_BOOL, .offset = LIM(keepalive),
	  .def = "false",
	  .doc = "send keepalive probes (RFC 1122 4.2.3.6: off by default)" },
	{ .name = "keepalive_time", .type = SY_PT_DURATION, .offset = LIM(keepalive_time),
	  .def = "7200s", .min = "1ms", .max = RTO_DUR_MAX,
	  .doc = "idle time before the first probe (RFC 1122 4.2.3.6: at least 2 hours)" },
	{ .name = "keepalive_intvl", .type = SY_PT_DURATION, .offset = LIM(keepalive_intvl),
	  .def = "75s", .min = "1ms", .max = RTO_DUR_MAX,
	  .doc = "time between unanswered probes (75 s: common practice, not in the RFC)" },
	{ .name = "keepalive_probes", .type = SY_PT_INT, .offset = LIM(keepalive_probes),
	  .def = "9", .min = "1", .max = RTO_RETRIES_MAX,
	  .doc = "unanswered probes before giving up (9: common practice, not in the RFC)" },
	{ .name = "delack", .type = SY_PT_DURATION, .offset = LIM(delack),
	  .def = "200ms", .min = "0s", .max = "10s",
	  .doc = "delayed-ACK timeout; 0: ACK at once (RFC 1122 4.2.3.2: below 500 ms)" },
	{ .name = "quickack", .type = SY_PT_INT, .offset = LIM(quickack),
	  .def = "0", .min = "0", .max = "65535",
	  .doc = "quick-ACK mode (Linux): up to this many ACKs at once for the first data "
		 "and after a duplicate; 0: none, every ACK delayed (RFC 1122 4.2.3.2)" },
	{ .name = "rst_ack", .type = SY_PT_BOOL, .offset = LIM(rst_ack),
	  .def = "false",
	  .doc = "the reset of an abort carries ACK; off: a bare RST (RFC 9293 3.10.4)" },
	{ .name = "wnd_no_shrink", .type = SY_PT_BOOL, .offset = LIM(wnd_no_shrink),
	  .def = "false",
	  .doc = "an ACK with nothing new acknowledged and the last update's sequence number "
		 "may widen or close the send window, not shrink it (Linux); off: RFC 9293 3.10.7.4" },
	{ .name = "nagle_minshall", .type = SY_PT_BOOL, .offset = LIM(nagle_minshall),
	  .def = "false",
	  .doc = "Nagle holds a short segment only while an earlier short one is "
		 "unacknowledged (Minshall, Linux); off: while any data is (RFC 1122 4.2.3.4)" },
	{ .name = "retx_psh", .type = SY_PT_BOOL, .offset = LIM(retx_psh),
	  .def = "false",
	  .doc = "a retransmission carries PSH when it covers the end of a segment sent with "
		 "PSH (Linux); off: only when it ends the queued data (RFC 9293 3.9.1: PSH is "
		 "the sender's choice)" },
	{ .name = "tlp", .type = SY_PT_BOOL, .offset = LIM(tlp),
	  .def = "false",
	  .doc = "Tail Loss Probe (RFC 8985 7) with SACK, as Linux: one segment about 2 SRTT "
		 "after the last send or ACK, before the RTO; off: the RTO alone (RFC 6298)" },
	{ .name = "prr", .type = SY_PT_BOOL, .offset = LIM(prr),
	  .def = "false",
	  .doc = "fast recovery sends what Proportional Rate Reduction allows (RFC 9937, with the "
		 "slow-start reduction bound, as Linux); off: while cwnd - pipe is a segment (RFC 6675)" },
	{ .name = "dsack", .type = SY_PT_BOOL, .offset = LIM(dsack),
	  .def = "false",
	  .doc = "a segment received again is reported in a D-SACK first block (RFC 2883, as "
		 "Linux's tcp_dsack); off: SACK blocks of queued data only (RFC 2018)" },
	{ .name = "dsack_undo", .type = SY_PT_BOOL, .offset = LIM(dsack_undo),
	  .def = "false",
	  .doc = "a fast recovery or timeout whose retransmissions were all D-SACKed is undone: "
		 "cwnd and ssthresh restored (RFC 3708, as Linux), and a timeout during recovery "
		 "keeps its reduction; off: the reduction stays, a timeout reduces again" },
	{ .name = "rack", .type = SY_PT_BOOL, .offset = LIM(rack),
	  .def = "false",
	  .doc = "RACK loss detection (RFC 8985 6) with SACK, as Linux: losses by send time "
		 "and a reordering window start recovery; off: three duplicate ACKs or more "
		 "than two segments SACKed (RFC 5681, RFC 6675)" },
	{ .name = "frto", .type = SY_PT_BOOL, .offset = LIM(frto),
	  .def = "false",
	  .doc = "F-RTO after a timeout: two new segments before going back; an ACK of "
		 "originals undoes the timeout (RFC 5682 with SACK, as Linux); off: go-back-N "
		 "(RFC 6298 5.4, RFC 5681 3.1)" },
	{ .name = "ts_undo", .type = SY_PT_BOOL, .offset = LIM(ts_undo),
	  .def = "false",
	  .doc = "an ACK echoing a TSval older than the first retransmission undoes the "
		 "recovery or timeout (Eifel, RFC 3522 and 4015, as Linux); off: it stays" },
	{ .name = "sack_reneg", .type = SY_PT_BOOL, .offset = LIM(sack_reneg),
	  .def = "false",
	  .doc = "an ACK up to a SACKed segment (the peer reneged) sets the retransmission "
		 "timer to max(SRTT/2, 10 ms), as Linux; off: the RTO as for any ACK "
		 "(RFC 6298 5.3), the SACK marks cleared at a timeout (RFC 2018 8)" },
	{ .name = "rcv_ratio_initial", .type = SY_PT_INT, .offset = LIM(rcv_ratio_initial),
	  .def = "256", .min = "1", .max = "256",
	  .doc = "256ths of the buffer the window offers until a full-sized segment arrives "
		 "(Linux: 128); 256: all of it" },
	{ .name = "rcv_ratio", .type = SY_PT_INT, .offset = LIM(rcv_ratio),
	  .def = "256", .min = "1", .max = "256",
	  .doc = "payload per 256 bytes of buffer a received segment costs, and the window's "
		 "share after a full-sized segment (Linux: its skb overhead); 256: none" },
	{ .name = "rcv_grow", .type = SY_PT_BOOL, .offset = LIM(rcv_grow),
	  .def = "false",
	  .doc = "the window grows from the initial one as Linux's does; off: the free buffer, "
		 "moved in steps of min(buffer/2, MSS) (RFC 9293 3.8.6.2.2)" },
	{ .name = "ecn", .type = SY_PT_ENUM, .offset = LIM(ecn),
	  .def = "off", .choices = ecn_choices,
	  .doc = "ECN (RFC 3168 6.1): off; accept, when a passive open's SYN asks for it "
		 "(Linux's default); on, also asked for by active opens" },
	{ .name = "ack_on_read", .type = SY_PT_BOOL, .offset = LIM(ack_on_read),
	  .def = "false",
	  .doc = "a read sends the delayed ACK at once after more than a receive MSS, or when "
		 "it empties the buffer after short segments (Linux); off: the delayed ACK waits "
		 "for its timer or the second full segment (RFC 1122 4.2.3.2)" },
	{ .name = "fin_delack", .type = SY_PT_BOOL, .offset = LIM(fin_delack),
	  .def = "false",
	  .doc = "a FIN that ends ESTABLISHED gets a delayed ACK (Linux); off: an ACK at once "
		 "(RFC 1122 4.2.3.2: a segment out of the ordinary, as RFC 9293 3.10.7.4 "
		 "eighth step answers a FIN)" },
	{ .name = "pingpong", .type = SY_PT_INT, .offset = LIM(pingpong),
	  .def = "0", .min = "0", .max = "255",
	  .doc = "interactive mode (Linux): after this many data segments each sent within "
		 "delack of data received, no quick ACKs until a delayed ACK times out; 0: never" },
	{ .name = "invalid_ack_ratelimit", .type = SY_PT_DURATION,
	  .offset = LIM(invalid_ack_ratelimit),
	  .def = "500ms", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "per connection, the least time between ACKs answering unacceptable "
		 "segments without data (RFC 5961 7 asks for a limit and names no value: "
		 "Linux's); 0: no limit" },
	{ .name = "tw_syn_accept", .type = SY_PT_BOOL, .offset = LIM(tw_syn_accept),
	  .def = "false",
	  .doc = "a SYN in TIME_WAIT beyond RCV.NXT or with a newer TSval opens a new connection "
		 "(Linux); false: a challenge ACK (RFC 9293 3.10.7.4, RFC 5961 4.2)" },
	{ .name = "tw_reuse", .type = SY_PT_INT, .offset = LIM(tw_reuse),
	  .def = "0", .min = "0", .max = "2",
	  .doc = "connect takes over a TIME_WAIT 4-tuple with timestamps (Linux's tcp_tw_reuse); "
		 "0: never, the 4-tuple waits 2 MSL (RFC 9293 3.6)" },
	{ .name = "tw_reuse_delay", .type = SY_PT_DURATION, .offset = LIM(tw_reuse_delay),
	  .def = "1s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "time in TIME_WAIT before an ephemeral port takes it over (with tw_reuse)" },
	{ .name = "crossed_synack", .type = SY_PT_BOOL, .offset = LIM(crossed_synack),
	  .def = "false",
	  .doc = "the peer's SYN-ACK in a simultaneous open's SYN_RECEIVED completes the handshake "
		 "(Linux); false: an ACK (RFC 9293 3.10.7.4 first)" },
	{ .name = "challenge_ack_per_conn", .type = SY_PT_BOOL,
	  .offset = LIM(challenge_ack_per_conn), .def = "false",
	  .doc = "challenge ACKs are also limited per connection by invalid_ack_ratelimit "
		 "(Linux); off: only the endpoint's budget (RFC 5961 7)" },
	{ .name = "challenge_ack_limit", .type = SY_PT_INT,
	  .offset = LIM(challenge_ack_limit), .def = "1000", .min = "0", .max = "1000000000",
	  .doc = "challenge ACKs per second per endpoint, unless the state machine sets one "
		 "(RFC 5961 7 names no value: 1000); 0: no limit" },
	{ .name = "challenge_ack_random", .type = SY_PT_BOOL,
	  .offset = LIM(challenge_ack_random), .def = "false",
	  .doc = "each second's challenge ACK budget is random around the limit (Linux); "
		 "off: exactly the limit" },
	{ .name = "ts_offset", .type = SY_PT_BOOL, .offset = LIM(ts_offset), .def = "false",
	  .doc = "TSval counts from a random offset per address pair (Linux); off: "
		 "milliseconds since the start of the run" },
	{ .name = "ts_recent_acked", .type = SY_PT_BOOL, .offset = LIM(ts_recent_acked),
	  .def = "false",
	  .doc = "TS.Recent only from a segment whose ACK is accepted (Linux); off: before "
		 "the ACK check (RFC 7323 4.3)" },
	{ .name = "retries_by_time", .type = SY_PT_BOOL, .offset = LIM(retries_by_time),
	  .def = "false",
	  .doc = "data_retries and orphan_retries as a time budget (Linux); false: counts of "
		 "retransmissions (RFC 1122 4.2.3.5), the user timeout on top" },
	{ .name = "orphan_retries", .type = SY_PT_INT, .offset = LIM(orphan_retries),
	  .def = "-1", .min = "-1", .max = RTO_RETRIES_MAX,
	  .doc = "limit of an orphan (closed, in FIN_WAIT_1, CLOSING, LAST_ACK); 0: Linux's "
		 "rule (8, or 0 once the RTO reached rto_max); -1: data_retries, as the RFC" },
	{ .name = "user_timeout_probes", .type = SY_PT_BOOL, .offset = LIM(user_timeout_probes),
	  .def = "false",
	  .doc = "user_timeout also ends zero-window probing and keepalive (Linux); false: "
		 "it applies to unacknowledged data only (RFC 9293 3.8.3)" },
	{ .name = "tw_ack_restart", .type = SY_PT_BOOL, .offset = LIM(tw_ack_restart),
	  .def = "false",
	  .doc = "in TIME_WAIT an ACK restarts the wait and any segment not exactly at RCV.NXT "
		 "is answered (Linux); false: only a retransmitted FIN (RFC 9293 3.10.7.4)" },
	{ .name = "tw_rst_exact", .type = SY_PT_BOOL, .offset = LIM(tw_rst_exact),
	  .def = "false",
	  .doc = "in TIME_WAIT a reset not at RCV.NXT is dropped silently (Linux); false: a "
		 "challenge ACK when in the window (RFC 5961 3.2)" },
	{ .name = "tw_rfc1337", .type = SY_PT_BOOL, .offset = LIM(tw_rfc1337),
	  .def = "false",
	  .doc = "in TIME_WAIT even a reset at RCV.NXT is ignored (RFC 1337); false: it ends "
		 "the TIME_WAIT (RFC 9293 3.10.7.4)" },
	{ .name = "syn_retries_by_time", .type = SY_PT_BOOL,
	  .offset = LIM(syn_retries_by_time), .def = "false",
	  .doc = "an active open also gives up once the time syn_retries timeouts from "
		 "rto_initial take has passed (Linux); false: a count (RFC 1122 4.2.3.5)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "timers",
	.name = "rfc",
	.summary = "RFC 6298 RTO estimator with the RFC 9293 / RFC 1122 timeouts",
	.state_size = sizeof(struct rfc),
	.params = params,
	.init = rfc_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
