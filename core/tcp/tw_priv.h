/* Compact TIME_WAIT records inside the library (tw.c, tw_table.c,
 * tw_held.c, tw_reopen.c); tw.h is the interface to the rest. */
#ifndef SY_TW_PRIV_H
#define SY_TW_PRIV_H

#include "tcp_priv.h"
#include "tw.h"

enum {
	F_TS_OK = 1 << 0, F_WS_OK = 1 << 1, F_SACK_OK = 1 << 2, F_TS_OFF_OK = 1 << 3,
	F_FIN_SENT = 1 << 4, F_FIN_RCVD = 1 << 5, F_FIN_PENDING = 1 << 6,
	F_ORPHAN = 1 << 7, F_SHUT_RD = 1 << 8, F_GOT_REAL = 1 << 9,
	F_RATIO = 1 << 10,  /* rcv_ratio was taken (input.c, ratio_take) */
	F_DATA_STARTED = 1 << 11,
	/* c->ecn's bits a TIME_WAIT reads (its ACKs' ECE); a record with
	 * a reduction under way (SY_ECN_CWR, SY_ECN_QUEUE_CWR) stays full */
	F_ECN_REQ = 1 << 12, F_ECN_OK = 1 << 13, F_ECN_DEMAND_CWR = 1 << 14,
	F_ECN_SEEN = 1 << 15,
};

/* Fields a record has only when they hold a value the others give
 * (packable, tw.c): snd_una = snd_nxt = snd_wl2 = snd_max, last_ack_sent
 * = rcv_wup = rcv_nxt, rcv_adv = rcv_nxt + rcv_wnd. */
struct sy_tw {
	struct sy_tw *hnext;
	/* The TIME_WAIT timer (tw.c).  Queued: on the endpoint's queue of
	 * records by expiry, qprev/qnext its neighbours, due its expiry
	 * and SEQF_SEQ the place among equal times it would have as an
	 * event of its own.  With SEQF_OWN: an event of its own, its
	 * sy_event_id in SEQF_SEQ and due (the slot). */
	struct sy_tw *qprev, *qnext;
	sy_time due;
	uint64_t seqf;            /* SEQF_OWN | seq << 16 | flags (F_*) */
	uint64_t idx;             /* id << 16 | snd_wscale << 12 | rcv_wscale << 8
				   * | the local address's interface */
	sy_time tw_since;
	sy_time invalid_ack_next;
	uint32_t raddr;
	uint16_t lport, rport;
	uint32_t iss, irs, snd_wnd, snd_wl1;
	uint32_t rcv_nxt, rcv_wnd, snd_max;
	uint32_t ts_recent, ts_off;
	uint32_t rcv_ssthresh, rcv_clamp;
	uint16_t rcv_mss, mss_peer, mss_local;
};

#define SEQF_OWN ((uint64_t)1 << 63)
#define SEQF_SEQ_MAX (((uint64_t)1 << 47) - 1)
#define SEQF_SEQ(w) (((w)->seqf >> 16) & SEQF_SEQ_MAX)
#define SEQF_FLAGS(w) ((uint16_t)(w)->seqf)

_Static_assert(sizeof(struct sy_tw) <= 128, "a compact TIME_WAIT takes at most 128 bytes");

/* idx's low byte: the local address's interface, and whether the record
 * is the head of a struct sy_tw_held */
#define IDX_IFACE 0x7f
#define IDX_HELD 0x80

/* A compact record of a connection the binding holds: what the binding
 * reads (struct tw_keep but its user) packed after it, klen bytes
 * (tw_held.c: most of it is zero or close to the record's tw_since). */
struct sy_tw_held {
	struct sy_tw w;           /* first: the table and the timer see w */
	sy_tcp_ep *ep;
	void *user;
	uint16_t klen;
	unsigned char k[];
};

/* The most bytes a packed struct tw_keep takes. */
#define TW_KEEP_MAX 1024

/* The table of compact records (tw_table.c). */
SY_HIDDEN struct sy_tw *sy_tw_find(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
				   uint16_t rport);
SY_HIDDEN int sy_tw_insert(sy_tcp_ep *ep, struct sy_tw *w);
SY_HIDDEN void sy_tw_remove(sy_tcp_ep *ep, struct sy_tw *w);

/* What the binding reads of c, saved and given back (tw_held.c). */
/* k packed into buf (TW_KEEP_MAX bytes), its times from base: the bytes
 * taken; and unpacked from them (user left as it is). */
SY_HIDDEN size_t sy_tw_keep_pack(const struct tw_keep *k, sy_time base, unsigned char *buf);
SY_HIDDEN bool sy_tw_keep_same(const struct tw_keep *a, const struct tw_keep *b);
SY_HIDDEN void sy_tw_keep_unpack(const unsigned char *buf, size_t len, sy_time base,
				 struct tw_keep *k);

#endif
