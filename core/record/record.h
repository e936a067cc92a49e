/* A recorder of TCP conversations, and ladder (sequence) diagrams.
 *
 * The recorder observes a network's packets (sy_net_observe) and the state
 * changes of every TCP connection (sy_tcp_net_observe) and keeps, in
 * memory, each TCP segment's journey: when it left its source (its first
 * '+' event, or the drop that refused it there), where it ended (the 'r'
 * event at the node owning its destination address, or a 'd' event with
 * its link and reason; packets keep their uid hop to hop; or refused by
 * the destination's TCP, which tells its observers of notes, tcp.h), and
 * its header fields and options.  The notable events of a connection
 * (SYN cookies, challenge ACKs, probes) are kept too, and mark the
 * segment they sent or received.  A segment takes 44 bytes and its options' bytes;
 * segments in flight are found by uid in a hash table, so a run of
 * millions of segments costs linear time.
 *
 * Segments and state changes are grouped into connections by 4-tuple.  A
 * 4-tuple starts a new connection (an incarnation) when a SYN without ACK
 * comes from its client with another sequence number than the first one,
 * when a segment or a new record appears after every record of the
 * previous one has closed, or when a new record (another endpoint record
 * id) takes a side that already had one (a record that had a side in an
 * earlier connection stays with it).  The client is the side that
 * sent the first SYN (or went to SYN_SENT); otherwise the side with the
 * higher port.
 *
 * A ladder draws one connection: the client's line on the left, the
 * server's on the right, time flowing down; each segment an arrow from its
 * send time on one line to its arrival on the other, or ending in an X
 * where it was dropped; state changes beside the lines.  Segments of an
 * earlier incarnation of the same 4-tuple that arrive while this one lives
 * are drawn too, marked "old".  As text: one line per event in time
 * order (at one instant, state changes before the segments sent), for an
 * 80-column terminal; as SVG: to scale (a one-way delay is 90 pixels), with
 * idle gaps longer than eight one-way delays cut short and marked. */
#ifndef SY_RECORD_H
#define SY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errors.h"
#include "net.h"
#include "tcp.h"

typedef struct sy_record sy_record;

/* How a segment's journey ended. */
enum { SY_REC_FLIGHT, SY_REC_ARRIVED, SY_REC_DROPPED };

/* One segment.  dir 0: client to server. */
typedef struct sy_rec_seg {
	sy_time sent;          /* left its source node */
	sy_time end;           /* arrived or dropped; -1 while in flight */
	uint32_t seq, ack, len;
	uint32_t conn;         /* its connection, from 0 */
	uint32_t link;         /* where it was dropped: link index (0: a node) */
	uint16_t win;          /* as on the wire */
	uint8_t flags;
	uint8_t dir : 1;
	uint8_t fate : 2;      /* SY_REC_* */
	uint8_t copy : 1;      /* a copy made by a loss model */
	uint8_t at_receiver : 1; /* dropped at its destination (checksum) */
	uint8_t link_dir : 1;  /* direction of that link */
	uint8_t tcp_drop : 1;  /* refused by TCP at its destination: reason
				* is a sy_tcp_drop (tcp.h) */
	uint8_t reason;        /* sy_drop, or sy_tcp_drop */
	uint8_t event;         /* 0, or 1 + the sy_tcp_event it was sent or
				* received for (a probe, a challenge ACK, a
				* SYN cookie) */
	uint8_t ecn;           /* the IP ECN field (RFC 3168 5: 0 Not-ECT,
				* 1 ECT(1), 2 ECT(0), 3 CE) as sent, and
				* once arrived as it arrived: CE when a
				* queue marked it on the way */
} sy_rec_seg;

/* One connection.  Side 0 is the client. */
typedef struct sy_rec_conn {
	uint32_t addr[2];
	uint16_t port[2];
	const sy_node *node[2];  /* owners of the addresses, or NULL */
	sy_time first, last;     /* first and last event */
	uint64_t segments;
	uint32_t prev;           /* the 4-tuple's previous connection; UINT32_MAX: none */
	uint32_t isn[2];         /* each side's first SYN (or first) seq */
	bool has_isn[2];
	bool syn_isn[2];         /* ... from a SYN */
	struct {
		const void *ep;      /* the record's endpoint and id; NULL: none */
		uint64_t id;
		const void *tag;     /* its tcb's user pointer (the binding's) */
		sy_tcp_state state;
	} side[2];
} sy_rec_conn;

/* One state change of a connection's side. */
typedef struct sy_rec_state {
	sy_time t;
	uint64_t before;        /* segments recorded before it (for order) */
	uint32_t conn;
	uint8_t side;
	uint8_t from, to;       /* sy_tcp_state */
	uint16_t cause;         /* a sy_tcp_cause (sy_record_cause names it) */
} sy_rec_state;

/* A notable event of a connection's side (tcp.h's sy_tcp_event): the
 * segment it sent or received for it has seq. */
typedef struct sy_rec_event {
	sy_time t;
	uint32_t conn;
	uint32_t seq;
	uint8_t side;
	uint8_t what;          /* sy_tcp_event */
} sy_rec_event;

/* Starts recording the network now.  Fails when its observer slots are
 * taken. */
sy_record *sy_record_new(sy_net *net, sy_err *err);
/* Stops and frees.  After sy_net_free, pass detach = false (the network
 * and its observers are gone). */
void sy_record_free(sy_record *r, bool detach);

size_t sy_record_conns(const sy_record *r);
const sy_rec_conn *sy_record_conn(const sy_record *r, size_t i);
size_t sy_record_segments(const sy_record *r);
const sy_rec_seg *sy_record_segment(const sy_record *r, size_t i);
size_t sy_record_states(const sy_record *r);
const sy_rec_state *sy_record_state(const sy_record *r, size_t i);
const char *sy_record_cause(const sy_record *r, uint16_t i);
size_t sy_record_events(const sy_record *r);
const sy_rec_event *sy_record_event(const sy_record *r, size_t i);
/* Why a dropped segment was dropped: "queue", "loss", ..., or TCP's
 * "syn_queue_full", "no_socket", ... */
const char *sy_record_drop_name(const sy_rec_seg *s);

/* The latest connection whose side was the record (ep, id), or whose
 * record's user pointer was tag (when tag is not NULL); -1 if none. */
long sy_record_find(const sy_record *r, const void *ep, uint64_t id,
		    const void *tag);

#define SY_LADDER_WIDTH_AUTO (-1)

typedef struct sy_ladder_opts {
	size_t conn;             /* index, from 0 */
	sy_time from, to;        /* the window; to < 0: to the end */
	bool relative;           /* sequence numbers less each side's ISN */
	const char *title;       /* NULL: "client -> server" */
	int width;               /* SVG: pixels (0: 800); text: columns (0: 80;
				  * SY_LADDER_WIDTH_AUTO: as wide as the
				  * longest label needs) */
	double font;             /* SVG: text size in pixels (0: 12) */
	double scale;            /* SVG: drawn size over the picture's own
				  * (0: 1); the layout stays the same */
} sy_ladder_opts;

/* Writes the ladder of a connection as text or SVG.  Fails (message)
 * for a connection that does not exist. */
int sy_record_ladder_text(const sy_record *r, const sy_ladder_opts *o,
			  FILE *f, sy_err *err);
int sy_record_ladder_svg(const sy_record *r, const sy_ladder_opts *o,
			 FILE *f, sy_err *err);
/* The same into a file (outfile.h: a regular file is written whole under
 * a temporary name and renamed, so a failure leaves it as it was; a link
 * or a device is written through).  A failed write is an error naming
 * path.  svg chooses the form. */
int sy_record_ladder_file(const sy_record *r, const sy_ladder_opts *o,
			  const char *path, bool svg, sy_err *err);

/* "SYN,ACK", "FIN,ACK", ... ("none" for no flag). */
void sy_record_flags(uint8_t flags, char *buf, size_t n);

#endif
