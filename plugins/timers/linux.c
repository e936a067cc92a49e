/* The Linux timer profile: Linux's default timeouts and retry limits and
 * its RTO estimator (net/ipv4/tcp_input.c, tcp_rtt_estimator and
 * tcp_set_rto; include/net/tcp.h, __tcp_set_rto and tcp_bound_rto).
 *
 * The kernel's estimator keeps, in fixed point (microseconds):
 *   srtt        8 * SRTT
 *   mdev        4 * MDEV, MDEV smoothed like RFC 6298's RTTVAR
 *   mdev_max    the largest 4*MDEV seen in the current flight, at least
 *               rto_min
 *   rttvar      the variance term of the RTO: raised at once to mdev_max,
 *               lowered by a quarter of the gap once per flight (RTT)
 * and sets RTO = SRTT + rttvar, at most TCP_RTO_MAX.  In real units, for a
 * sample R:
 *   first sample    SRTT = R, MDEV = R/2, rttvar = max(2R, rto_min)
 *                   (so RTO = 3R, or R + rto_min on short paths)
 *   later samples   err = R - SRTT (SRTT before this sample)
 *                   SRTT += err / 8
 *                   d = |err| - MDEV
 *                   MDEV += d / 32   if err < 0 and d > 0: an RTT that
 *                                    falls (a sample below SRTT) raises
 *                                    the variance with the finer gain
 *                                    1/32, so RTO does not grow when the
 *                                    path gets faster (the kernel's
 *                                    "Eifel" remark)
 *                   MDEV += d / 4    otherwise
 *                   M = max(4 * MDEV, rto_min)
 *                   rttvar = M                       if M >= rttvar
 *                   rttvar -= (rttvar - M) / 4       otherwise
 *   RTO = SRTT + rttvar, within [rto_min, rto_max]: rttvar >= rto_min
 *   already holds, so RTO >= SRTT + rto_min, which is why a Linux RTO on a
 *   LAN is about 200 ms and not 1 s or 3 RTTs.
 *
 * What this implements differently, and why:
 *   - Exact nanoseconds instead of the kernel's microseconds and jiffies:
 *     each update rounds once to the nearest nanosecond (the decay of
 *     rttvar rounds down, as the kernel's shift does); the kernel's
 *     truncations to microseconds and the rounding of RTO up to a jiffy
 *     are not reproduced.
 *   - One sample is one flight.  The kernel tracks mdev_max over a flight
 *     (until snd_una passes rtt_seq) and decays rttvar once per flight;
 *     the interface gives no sequence numbers, so every sample closes a
 *     flight.  With one sample per RTT (RFC 6298 timing of one segment
 *     at a time, no timestamps) the two agree; with several samples per
 *     RTT (timestamps) this rttvar decays faster than the kernel's.
 *   - State: sy_rtt.srtt is SRTT, sy_rtt.rttvar is MDEV (the same quantity
 *     as RFC 6298's RTTVAR, so the two profiles' fields compare), and the
 *     kernel's rttvar is not stored: it is sy_rtt.rto - sy_rtt.srtt, exact
 *     unless rto was clamped at rto_max, where the recovered value is the
 *     smaller rto_max - SRTT (a path whose RTO is beyond rto_max, over two
 *     minutes by default).
 *   - Backoff (tcp_retransmit_timer doubles icsk_rto up to TCP_RTO_MAX) is
 *     the shared rule: RTO << backoff, at most rto_max.
 *   - Not modelled here (the endpoint's business, or absent): the 3 s
 *     TCP_TIMEOUT_FALLBACK after a handshake without an RTT sample, linear
 *     timeouts for thin streams, per-route rto_min.
 *
 * Defaults, and where Linux has them (include/net/tcp.h unless said), of
 * the timeouts, retry limits, handshake and ACK timing; those of the
 * parameters from rst_ack on are in linux_params.c, with the parameter
 * table:
 *   rto_initial   1 s    TCP_TIMEOUT_INIT (1*HZ)
 *   rto_min     200 ms   TCP_RTO_MIN (HZ/5); tcp_rto_min_us
 *   rto_max     120 s    TCP_RTO_MAX (120*HZ); tcp_bound_rto
 *   syn_retries   6      TCP_SYN_RETRIES; sysctl tcp_syn_retries
 *   syn_linear_timeouts 4  sysctl tcp_syn_linear_timeouts (Linux 6.5,
 *                        "tcp: make the first N SYN RTO backoffs
 *                        linear"): the first 4 SYN timeouts do not back
 *                        off the RTO, and the SYN is sent syn_retries +
 *                        4 more times (tcp_write_timeout): SYNs at 0, 1,
 *                        2, 3, 4, 5, 7, 11, 19, 35, 67 s, giving up at
 *                        131 s.  A SYN-ACK (reqsk_timer_handler) backs off
 *                        from its first timeout whatever this says.  0:
 *                        the schedule before 6.5 (1, 3, 7, ... 63 s,
 *                        giving up at 127 s)
 *   syn_retries_by_time on  tcp_write_timeout (Linux 6.18, checked with
 *                        tests/packetdrill/syn_give_up_time.pkt): in
 *                        SYN_SENT the count (syn_retries + the linear
 *                        timeouts) and retransmits_timed_out both end the
 *                        connect, whichever first: the time since the
 *                        first SYN (retrans_stamp, set by tcp_connect),
 *                        once a SYN went again, reaching
 *                        tcp_model_timeout(syn_retries,
 *                        tcp_timeout_init): syn_retries + 1 timeouts
 *                        doubling from rto_initial without the linear
 *                        ones, so 3 s for 1, 7 s for 2 (the kernel gave up
 *                        after 3.06 and 7.13 s), 127 s for 6, where the
 *                        count (131 s) comes later.  A SYN-ACK is counted
 *                        only (reqsk_timer_handler: num_timeout against
 *                        tcp_synack_retries); the SYN_RECV branch of
 *                        tcp_write_timeout is a Fast Open child's, not
 *                        modelled
 *   synack_retries 5     TCP_SYNACK_RETRIES; sysctl tcp_synack_retries
 *   acceptq_drop_syn on  tcp_conn_request drops a SYN when the listener's
 *                        accept queue is full (sk_acceptq_is_full,
 *                        counted as ListenOverflows), before cookies and
 *                        SYN-ACKs; the final ACK of a handshake that finds
 *                        it full is dropped too (tcp_check_req), which
 *                        every profile does
 *   dup_syn_synack on    tcp_check_req: a SYN with the request's ISN (and
 *                        neither ACK nor RST) is answered by the SYN-ACK
 *                        again (inet_rtx_syn_ack: num_retrans, not
 *                        num_timeout, so no retry is used and no RTT
 *                        sample taken), and the SYN-ACK timer restarts
 *                        with min(TCP_TIMEOUT_INIT << num_timeout,
 *                        TCP_RTO_MAX); at most once per
 *                        tcp_invalid_ratelimit (tcp_oow_rate_limited,
 *                        the request's last_oow_ack_time), the rest
 *                        dropped unanswered
 *   data_retries 15      TCP_RETR2; sysctl tcp_retries2, a time budget
 *                        under retries_by_time
 *   retries_by_time on   tcp_timer.c (Linux 6.x, checked on 6.18 with
 *                        tests/packetdrill/retries2_time.pkt),
 *                        tcp_write_timeout and retransmits_timed_out: a
 *                        data or FIN timeout ends the connection once the
 *                        time since retrans_stamp (set by
 *                        tcp_retransmit_skb at the first retransmission of
 *                        the series, not the original send) reaches
 *                        tcp_model_timeout(retries2, TCP_RTO_MIN): the
 *                        time retries2 + 1 timeouts take from 200 ms,
 *                        doubling for ilog2(TCP_RTO_MAX / TCP_RTO_MIN) = 9
 *                        of them, then 120 s each: 1023 * 0.2 + 6 * 120 =
 *                        924.6 s for 15.  Never before one retransmission.
 *                        A set TCP_USER_TIMEOUT is the budget instead, and
 *                        tcp_clamp_rto_to_user_timeout shortens the timer
 *                        to its end.  SYN retries: syn_retries_by_time.
 *                        tcp_retries1 (3) only triggers MTU probing and a
 *                        route re-check, not modelled.  Not modelled
 *                        either: the jiffy and millisecond roundings
 *   orphan_retries 0     sysctl tcp_orphan_retries (default 0) through
 *                        tcp_orphan_retries(): for an orphan (SOCK_DEAD:
 *                        closed in FIN_WAIT_1, CLOSING, LAST_ACK) the
 *                        budget above is for 8 retries while icsk_rto <
 *                        TCP_RTO_MAX ("alive"; 102.2 s), else 0 (the next
 *                        timeout after a retransmission ends it); a value
 *                        n > 0 is n.  Not modelled: the ICMP soft error
 *                        that makes it 0, and tcp_out_of_resources (the
 *                        orphan count and memory limits)
 *   user_timeout_probes on  tcp_probe_timer (since 5.11): with
 *                        TCP_USER_TIMEOUT a zero window ends the
 *                        connection that long after the first probe
 *                        (icsk_probes_tstamp, reset when the window opens)
 *                        even if the probes are answered, and
 *                        tcp_clamp_probe0_to_user_timeout shortens the
 *                        probe timer to it; tcp_keepalive_timer: with
 *                        TCP_USER_TIMEOUT, keepalive gives up (RST) once
 *                        a probe is out and the time since the last
 *                        segment received reaches it, instead of after
 *                        tcp_keepalive_probes (checked on 6.18:
 *                        zero_window_user_timeout.pkt,
 *                        keepalive_user_timeout.pkt).  Not modelled: the
 *                        retries2 count of unanswered zero-window probes
 *   time_wait    60 s    TCP_TIMEWAIT_LEN (60*HZ), fixed, not 2*MSL
 *   fin_wait2    60 s    TCP_FIN_TIMEOUT (= TCP_TIMEWAIT_LEN); sysctl
 *                        tcp_fin_timeout
 *   syn_received  0      no such timer: a request sock lives as long as its
 *                        SYN-ACK retries (inet_connection_sock.c,
 *                        reqsk_timer_handler)
 *   user_timeout  0      TCP_USER_TIMEOUT unset (icsk_user_timeout = 0)
 *   keepalive   off      SO_KEEPALIVE unset by default
 *   keepalive_time 7200 s  TCP_KEEPALIVE_TIME (120*60*HZ)
 *   keepalive_intvl 75 s   TCP_KEEPALIVE_INTVL (75*HZ)
 *   keepalive_probes 9     TCP_KEEPALIVE_PROBES
 *   delack       40 ms   TCP_DELACK_MIN (HZ/25), also TCP_ATO_MIN.  Linux
 *                        adapts its ACK timeout (icsk_ack.ato) between
 *                        TCP_ATO_MIN and TCP_DELACK_MAX (200 ms); one
 *                        fixed value is a simplification.
 *   quickack     16      TCP_MAX_QUICKACKS: quick-ACK mode
 *                        (tcp_incr_quickack) for the first data
 *                        (tcp_event_data_recv) and a duplicate segment:
 *                        the next min(16, rcv_wnd / (2 * rcv_mss)) (2
 *                        if that is 0; rcv_wnd the last window sent)
 *                        ACKs that are due go at once, each ACK sent
 *                        using one (tcp_dec_quickack_mode).  Not
 *                        modelled: the re-entry after an idle gap longer
 *                        than the RTO and on ECN CE (the ACK when a read
 *                        drains short segments is ack_on_read)
 *   pingpong     1       sysctl tcp_pingpong_thresh (1 in 6.x): a data
 *                        segment sent as the first one after data
 *                        arrived, within the ACK timeout of it (here
 *                        delack), counts (tcp_event_data_sent,
 *                        inet_csk_inc_pingpong_cnt); at this count the
 *                        connection is interactive and quick-ACK mode is
 *                        off (tcp_in_quickack_mode), so ACKs wait for the
 *                        timer or the answer.  A delayed-ACK timeout with
 *                        the ACK still due (tcp_delack_timer_handler) and
 *                        a duplicate segment (tcp_enter_quickack_mode)
 *                        leave it.  Not modelled: the delayed ACK of a
 *                        FIN entering CLOSE_WAIT (tcp_fin enters
 *                        pingpong mode) */
#include <stdbool.h>

#include "linux.h"
#include "plugin.h"
#include "rto.h"
#include "timers.h"

static int linux_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct lnx *t = st;

	return rto_limits_check(&t->lim, err);
}

static const sy_timer_limits *linux_limits(const void *st)
{
	const struct lnx *t = st;

	return &t->lim;
}

static void linux_rtt_init(const void *st, sy_rtt *r)
{
	const struct lnx *t = st;

	rto_rtt_init(&t->lim, r);
}

static sy_time max_time(sy_time a, sy_time b)
{
	return a > b ? a : b;
}

static void linux_rtt_sample(const void *st, sy_rtt *r, sy_time rtt)
{
	const struct lnx *t = st;
	const sy_timer_limits *l = &t->lim;
	sy_time var;

	if (rtt < 0)
		rtt = 0;
	if (!r->samples) {
		r->srtt = rtt;
		r->rttvar = rto_div_round(rtt, 2);
		var = max_time(rto_mul(rtt, 2), l->rto_min);
	} else {
		/* The kernel's rttvar, recovered (see the top): invariant
		 * rttvar >= rto_min, which the clamp restores where the
		 * recovery falls short. */
		sy_time prev = max_time(r->rto - r->srtt, l->rto_min);
		sy_time d = rto_abs_diff(r->srtt, rtt) - r->rttvar;
		sy_time m;

		if (rtt < r->srtt && d > 0)
			r->rttvar += rto_div_round(d, 32);
		else
			r->rttvar += rto_div_round(d, 4);
		r->srtt += rto_div_round(rtt - r->srtt, 8);

		m = max_time(rto_mul(r->rttvar, 4), l->rto_min);
		var = m >= prev ? m : prev - (prev - m) / 4;
	}
	r->rto = rto_bound(l, rto_add(r->srtt, var));
	rto_count_sample(r);
}

static void linux_rtt_backoff(const void *st, sy_rtt *r)
{
	const struct lnx *t = st;

	rto_backoff(&t->lim, r);
}

static sy_time linux_rto(const void *st, const sy_rtt *r)
{
	const struct lnx *t = st;

	return rto_backed_off(&t->lim, r);
}

static const sy_timers_ops ops = {
	SY_OPS_HEAD(SY_TIMERS_OPS_VERSION, sy_timers_ops),
	.limits = linux_limits,
	.rtt_init = linux_rtt_init,
	.rtt_sample = linux_rtt_sample,
	.rtt_backoff = linux_rtt_backoff,
	.rto = linux_rto,
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "timers",
	.name = "linux",
	.summary = "Linux's RTO estimator, timeouts and retry limits",
	.state_size = sizeof(struct lnx),
	.params = lnx_params,
	.init = linux_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
