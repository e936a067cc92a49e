/* The rule behind each state change: which section of which RFC, or
 * which parameter of a timer profile (one that models a Linux behaviour),
 * made a connection move from one state to another for a given cause.
 * Ladders and rec:states show it, so that a reader can look the
 * transition up. */
#include "config.h"

#include "tcp.h"

static const char *reset_rule(sy_tcp_state from)
{
	switch (from) {
	case SY_TCP_SYN_SENT:
		return "RFC 9293 3.10.7.3";   /* an acceptable ACK with the RST */
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_FIN_WAIT_2:
	case SY_TCP_CLOSE_WAIT:
	case SY_TCP_CLOSING:
	case SY_TCP_LAST_ACK:
	case SY_TCP_TIME_WAIT:
		/* 3.10.7.4 second, with the exact match of RCV.NXT */
		return "RFC 5961 3";
	default:
		return "RFC 9293 3.10.7.4";
	}
}

static const char *syn_rule(sy_tcp_state from, sy_tcp_state to)
{
	if (to == SY_TCP_SYN_RECEIVED)
		return from == SY_TCP_SYN_SENT ? "RFC 9293 3.10.7.3" /* simultaneous open */
					       : "RFC 9293 3.10.7.2";
	if (from == SY_TCP_TIME_WAIT)
		return "linux: tw_syn_accept";
	/* a SYN in a passive open's SYN-RECEIVED: back to LISTEN */
	return "RFC 9293 3.10.7.4";
}

const char *sy_tcp_cause_rule(sy_tcp_cause cause, sy_tcp_state from, sy_tcp_state to)
{
	switch (cause) {
	case SY_TCP_CAUSE_CONNECT:
		/* a connect taking over a TIME_WAIT's 4-tuple */
		return from == SY_TCP_TIME_WAIT ? "linux: tw_reuse" : "RFC 9293 3.10.1";
	case SY_TCP_CAUSE_CLOSE:
		return "RFC 9293 3.10.4";
	case SY_TCP_CAUSE_ABORT:
		return "RFC 9293 3.10.5";
	case SY_TCP_CAUSE_SYN:
		return syn_rule(from, to);
	case SY_TCP_CAUSE_SYN_TWOWAY:
		return "tcp/twoway";           /* its SYN completes the handshake */
	case SY_TCP_CAUSE_SYN_ACK:
		return "RFC 9293 3.10.7.3";
	case SY_TCP_CAUSE_ACK:
	case SY_TCP_CAUSE_ACK_OF_FIN:
		return "RFC 9293 3.10.7.4";    /* fifth: the ACK field */
	case SY_TCP_CAUSE_FIN:
		return "RFC 9293 3.10.7.4";    /* eighth: the FIN bit */
	case SY_TCP_CAUSE_RESET:
		return reset_rule(from);
	case SY_TCP_CAUSE_SYN_COOKIE:
		return "RFC 4987 3.6";
	case SY_TCP_CAUSE_TIMEOUT:
		return "RFC 9293 3.8.3";       /* R2, or the user timeout */
	case SY_TCP_CAUSE_TIME_WAIT:
		return "RFC 9293 3.10.8";
	case SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT:
		return "linux: fin_wait2 (tcp_fin_timeout)";
	case SY_TCP_CAUSE_SYN_RECEIVED_TIMEOUT:
		return "RFC 4987 3.2";         /* the profile's syn_received */
	case SY_TCP_CAUSE_KEEPALIVE_TIMEOUT:
		return "RFC 9293 3.8.4";
	case SY_TCP_CAUSE_CROSSED_SYNACK:
		return "linux: crossed_synack";
	default:
		return NULL;                   /* refused, accepted, freed */
	}
}
