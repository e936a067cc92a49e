/* Traces of a network's packets: pcap files (read by Wireshark and
 * tshark) and ns-2-style text.
 *
 * pcap: one file per link, both directions, in LINKTYPE_RAW (IPv4 without
 * a link-layer header).  A packet is written when its transmission starts
 * (a capture at the sending interface), so packets later lost on the wire
 * are in it too; the time stamp is the virtual time.
 *
 * Text: one line per event, the fields of ns-2's trace format:
 *   EVENT TIME FROM TO TYPE SIZE FLAGS FID SRC DST SEQ UID
 * EVENT is + (queued or sent at once), - (transmission starts), r
 * (received by the next node) or d (dropped); FROM and TO are node
 * numbers (creation order, from 0); TYPE is "tcp" or the protocol number;
 * FLAGS is ns-2's 7-character field, unused ("-------"); FID is 0; SRC and
 * DST are NODE.PORT (port 0 without TCP); SEQ is the TCP sequence number
 * (or -1).  synack appends, for TCP: ACK=<ack> FLAGS=<SYN,ACK,...>
 * WIN=<window> LEN=<payload bytes>, and for drops REASON=<reason>.
 * Times are seconds with nine decimals.
 *
 * The files are written as the run goes, through symbolic links and to
 * devices too.  A write that fails (a full disk, an I/O error) ends the
 * writing of that file and is reported, naming it, by the next
 * sy_trace_flush and by sy_trace_free: a trace is never cut short
 * silently. */
#ifndef SY_TRACE_H
#define SY_TRACE_H

#include "errors.h"
#include "net.h"

typedef struct sy_trace sy_trace;

/* Installs itself as the network's observer. */
sy_trace *sy_trace_new(sy_net *net, sy_err *err);
/* Writes out what is buffered (the files stay open).  -1 with the first
 * failed write of any file (since the trace began) in err. */
int sy_trace_flush(sy_trace *t, sy_err *err);
/* Flushes and closes every file, removes the observer, frees t.  -1 with
 * the first failure in err (NULL: not reported) when a file was not
 * written whole. */
int sy_trace_free(sy_trace *t, sy_err *err);

/* pcap for every link (existing and future) into DIR/A-B.pcap, named by
 * the link's nodes (A-B-2.pcap for a second link between them). */
int sy_trace_pcap_all(sy_trace *t, const char *dir, sy_err *err);
/* pcap for one link into a file. */
int sy_trace_pcap_link(sy_trace *t, const sy_link *l, const char *path,
		       sy_err *err);
/* Text trace of every link into one file. */
int sy_trace_text_all(sy_trace *t, const char *path, sy_err *err);
/* Text trace of one link into its own file. */
int sy_trace_text_link(sy_trace *t, const sy_link *l, const char *path,
		       sy_err *err);

#endif
