/* The endpoint's private parts, shared by tcp.c (sockets, handshake
 * services) and tcp_data.c (the data path). */
#ifndef SY_TCP_PRIV_H
#define SY_TCP_PRIV_H

#include "isn.h"
#include "tcp.h"

#define MAX_LISTENERS 64

struct sy_tcp_listener {
	sy_tcp_ep *ep;
	uint16_t port;
	int backlog;
	int pending;          /* connections in SYN_RECEIVED */
	sy_syncookies cookies;
	uint64_t overflows;   /* SYNs dropped for a full backlog */
	uint64_t cookies_sent, cookies_accepted, cookies_rejected;
	void (*on_accept)(void *ctx, sy_tcb *c); /* a C application's */
	void *accept_ctx;
	bool manual;          /* established connections wait for accept */
	int accept_backlog;   /* bound of the accept queue */
	int aq_len;
	sy_tcb *aq_head, *aq_tail;
	uint64_t accept_drops; /* handshakes left incomplete: queue full */
};

struct sy_tcp_ep {
	sy_net *net;
	sy_node *node;
	sy_sim *sim;
	sy_instance sm, isn, timers, cc;
	sy_instance *ccx;           /* other cc instances, for connections */
	int nccx;
	const sy_tcp_sm_ops *smo;
	const sy_isn_ops *isno;
	const sy_timers_ops *tmo;
	sy_tcb **hash;              /* by 4-tuple, chained */
	size_t nhash, nconns;
	sy_tcp_listener *lst[MAX_LISTENERS];
	int nlst;
	uint16_t next_port;
	uint64_t next_id;
	sy_tcp_observer obs;
	void *obs_ctx;
	sy_tcp_ep_stats st;
	sy_tcb *zombies;            /* closed, freed after the current event */
	uint8_t cookie_key[16];     /* from the run seed */
	FILE *log;
	sy_tcp_data_opts dopts;     /* defaults for new connections */
	sy_tcp_data_observer dobs;  /* data and "sent" for the binding */
	unsigned char *scratch;     /* a segment's real payload, gathered */
	uint32_t scratch_len;
};


/* tcp_data.c */
void sy_tcb_data_free(sy_tcb *c);   /* buffers, scoreboard, cc state */
int sy_tcp_ep_send_bytes(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
			 uint32_t len, const unsigned char *bytes, sy_err *err);

#endif
