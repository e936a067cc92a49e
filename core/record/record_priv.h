/* The recorder's private parts, shared by record.c (recording) and the
 * drawings: ladder_view.c (what a ladder shows), ladder_text.c and
 * ladder_svg.c. */
#ifndef SY_RECORD_PRIV_H
#define SY_RECORD_PRIV_H

#include <stdlib.h>

#include "record.h"

/* Open addressing with linear probing; key 0 marks a free slot. */
struct slot {
	uint64_t key;
	uint64_t val;
};

struct tslot {
	uint64_t a, b;   /* the two endpoints, ordered; a = 0: free */
	uint32_t conn;
};

struct sy_record {
	sy_net *net;
	sy_rec_seg *seg;
	size_t nseg, segcap;
	/* each segment's TCP options: those of segment i are
	 * optb[optoff[i] .. optoff[i + 1]) (optoff has nseg + 1 entries) */
	uint8_t *optb;
	size_t noptb, optbcap;
	uint32_t *optoff;
	size_t optoffcap;
	sy_rec_conn *conn;
	size_t nconn, conncap;
	sy_rec_state *st;
	size_t nst, stcap;
	sy_rec_event *ev;
	size_t nev, evcap;
	struct slot *fly;        /* uid + 1 -> segment, while in flight */
	size_t flycap, nfly;
	struct tslot *tup;       /* 4-tuple -> current connection */
	size_t tupcap, ntup;
	uint64_t last_uid;       /* the latest arrival at its destination */
	size_t last_seg;
	bool have_last;
};

static inline int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*v, c * size)))
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* The TCP options of segment i as they were on the wire (*len bytes, 0
 * for none), for the packetdrill export of the binding. */
const uint8_t *sy_record_seg_options(const sy_record *r, size_t i, unsigned *len);

/* What one ladder shows: segments and state changes in time order. */
struct item {
	sy_time t;
	int rank;         /* at one instant, state changes come first */
	size_t seg;       /* SIZE_MAX: a state change */
	size_t st;
	bool old;         /* a segment of an earlier incarnation */
};

struct view {
	const sy_record *r;
	const sy_rec_conn *c;
	sy_time from, to;
	struct item *it;
	size_t n;
	size_t nseg;
};

/* ladder_view.c: what a ladder shows, and the labels both drawings use */
int sy_ladder_view_build(const sy_record *r, const sy_ladder_opts *o, struct view *v, sy_err *err);
void sy_ladder_view_sort(struct view *v);
void sy_ladder_endpoint_text(const sy_rec_conn *c, int s, char *buf, size_t n);
const char *sy_ladder_node_name(const sy_rec_conn *c, int s);
void sy_ladder_seg_label(const struct view *v, const sy_rec_seg *s, bool relative,
			 bool old, bool shrt, char *buf, size_t n);
void sy_ladder_drop_text(const sy_record *r, const sy_rec_seg *s, char *buf, size_t n);
/* The rule that made state change s (sy_tcp_cause_rule), or NULL. */
const char *sy_ladder_state_rule(const sy_rec_state *s);
void sy_ladder_event_mark(const sy_rec_seg *s, char *buf, size_t n);
/* "lost" on the way, or "dropped" by TCP at its destination */
static inline const char *sy_ladder_drop_verb(const sy_rec_seg *s)
{
	return s->tcp_drop ? "dropped" : "lost";
}

#endif
