#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

/* A file is written as the run goes (a script may read it after each
 * run), so it cannot be written to a temporary file and renamed: a
 * failed write is noted instead, the file is no longer written, and
 * sy_trace_flush and sy_trace_free report it. */
struct per_link {
	pcap_dumper_t *pcap;
	char *pcap_path;
	FILE *text;
	char *text_path;
	bool pcap_failed;  /* opening or writing failed: not retried */
	bool text_failed;
};

struct sy_trace {
	sy_net *net;
	pcap_t *dead;         /* pcap handle for writing only */
	char *pcap_dir;       /* every link, or NULL */
	FILE *text_all;       /* every link, or NULL */
	char *text_all_path;
	bool text_all_failed;
	struct per_link *links; /* by link index */
	size_t nlinks;
	bool failed;          /* failure holds the first failure */
	sy_err failure;
	unsigned char wire[SY_IP_MAXLEN];
};

static void observe(void *ctx, char ev, const sy_link *l, int dir,
		    const sy_packet *p, sy_drop reason);

sy_trace *sy_trace_new(sy_net *net, sy_err *err)
{
	sy_trace *t = calloc(1, sizeof *t);

	if (!t) {
		sy_err_set(err, "out of memory creating a trace");
		return NULL;
	}
	t->net = net;
	/* Nanosecond time stamps: virtual time is in nanoseconds. */
	t->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SY_IP_MAXLEN,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!t->dead) {
		free(t);
		sy_err_set(err, "libpcap cannot create a raw IPv4 capture");
		return NULL;
	}
	if (sy_net_observe(net, observe, t) < 0) {
		pcap_close(t->dead);
		free(t);
		sy_err_set(err, "the network has %d observers already", SY_NET_OBSERVERS);
		return NULL;
	}
	return t;
}

/* Notes the first failure: the later ones are its consequences, or
 * alike. */
static void note_failure(sy_trace *t, const char *kind, const char *path, int e)
{
	if (t->failed)
		return;
	t->failed = true;
	sy_err_set(&t->failure, "cannot write the %s %s: %s", kind, path,
		   strerror(e ? e : EIO));
}

/* After a write (flush: and a flush) to a text trace: a failure is noted
 * and the file is not written any more. */
static void check_text(sy_trace *t, FILE *f, bool *failed, const char *path, bool flush)
{
	if (!f || *failed)
		return;
	if (flush)
		errno = 0; /* without a reason from fflush: EIO */
	if ((flush && fflush(f) != 0) || ferror(f)) {
		*failed = true;
		note_failure(t, "trace file", path, errno);
	}
}

/* The same for a pcap file: pcap_dump returns nothing, its stream's
 * error flag tells. */
static void check_pcap(sy_trace *t, struct per_link *pl, bool flush)
{
	if (!pl->pcap || pl->pcap_failed)
		return;
	if (flush)
		errno = 0;
	if ((flush && pcap_dump_flush(pl->pcap) != 0) || ferror(pcap_dump_file(pl->pcap))) {
		pl->pcap_failed = true;
		note_failure(t, "pcap file", pl->pcap_path, errno);
	}
}

/* A text file's last write and close, checked. */
static void close_text(sy_trace *t, FILE *f, bool failed, const char *path)
{
	check_text(t, f, &failed, path, true);
	if (fclose(f) != 0 && !failed)
		note_failure(t, "trace file", path, errno);
}

/* pcap_dump_close reports nothing: what it would lose was flushed and
 * checked here first. */
static void close_pcap(sy_trace *t, struct per_link *pl)
{
	check_pcap(t, pl, true);
	pcap_dump_close(pl->pcap);
	pl->pcap = NULL;
	free(pl->pcap_path);
	pl->pcap_path = NULL;
}

int sy_trace_flush(sy_trace *t, sy_err *err)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		struct per_link *pl = &t->links[i];

		check_pcap(t, pl, true);
		check_text(t, pl->text, &pl->text_failed, pl->text_path, true);
	}
	check_text(t, t->text_all, &t->text_all_failed, t->text_all_path, true);
	if (t->failed) {
		*err = t->failure;
		return -1;
	}
	return 0;
}

int sy_trace_free(sy_trace *t, sy_err *err)
{
	int rc = 0;

	if (!t)
		return 0;
	sy_net_unobserve(t->net, observe, t);
	for (size_t i = 0; i < t->nlinks; i++) {
		struct per_link *pl = &t->links[i];

		if (pl->pcap)
			close_pcap(t, pl);
		if (pl->text)
			close_text(t, pl->text, pl->text_failed, pl->text_path);
		free(pl->text_path);
	}
	if (t->text_all)
		close_text(t, t->text_all, t->text_all_failed, t->text_all_path);
	if (t->failed) {
		if (err)
			*err = t->failure;
		rc = -1;
	}
	pcap_close(t->dead);
	free(t->text_all_path);
	free(t->links);
	free(t->pcap_dir);
	free(t);
	return rc;
}

static struct per_link *slot(sy_trace *t, const sy_link *l)
{
	size_t i = sy_link_index(l);

	if (i >= t->nlinks) {
		size_t n = i + 16;
		struct per_link *v = realloc(t->links, n * sizeof *v);

		if (!v)
			return NULL;
		memset(v + t->nlinks, 0, (n - t->nlinks) * sizeof *v);
		t->links = v;
		t->nlinks = n;
	}
	return &t->links[i];
}

static int open_pcap(sy_trace *t, struct per_link *pl, const char *path, sy_err *err)
{
	char *p = strdup(path);
	pcap_dumper_t *d;

	if (!p)
		return sy_err_set(err, "out of memory");
	errno = 0;
	if (!(d = pcap_dump_open(t->dead, path))) {
		/* libpcap's message repeats the path */
		sy_err_set(err, "cannot write the pcap file %s: %s", path,
			   errno ? strerror(errno) : pcap_geterr(t->dead));
		free(p);
		return -1;
	}
	if (pl->pcap)
		close_pcap(t, pl);
	pl->pcap = d;
	pl->pcap_path = p;
	pl->pcap_failed = false;
	return 0;
}

/* DIR/A-B.pcap, or A-B-K.pcap for the K-th link between A and B. */
static void link_file(const sy_trace *t, const sy_link *l, char *buf, size_t n)
{
	const sy_node *a = sy_link_node(l, 0), *b = sy_link_node(l, 1);
	int k = 1;

	for (size_t i = 0; i + 1 < sy_link_index(l); i++) {
		const sy_link *o = sy_net_link_at(t->net, i);

		k += sy_link_node(o, 0) == a && sy_link_node(o, 1) == b;
	}
	if (k == 1)
		snprintf(buf, n, "%s/%s-%s.pcap", t->pcap_dir, sy_node_name(a), sy_node_name(b));
	else
		snprintf(buf, n, "%s/%s-%s-%d.pcap", t->pcap_dir, sy_node_name(a),
			 sy_node_name(b), k);
}

int sy_trace_pcap_all(sy_trace *t, const char *dir, sy_err *err)
{
	char *d = strdup(dir);

	if (!d)
		return sy_err_set(err, "out of memory");
	free(t->pcap_dir);
	t->pcap_dir = d;
	/* Open the files of existing links now, so that a bad directory is
	 * reported here rather than at the first packet. */
	for (size_t i = 0; i < sy_net_links(t->net); i++) {
		const sy_link *l = sy_net_link_at(t->net, i);
		struct per_link *pl = slot(t, l);
		char path[4096];

		if (!pl)
			return sy_err_set(err, "out of memory");
		if (pl->pcap)
			continue;
		link_file(t, l, path, sizeof path);
		if (open_pcap(t, pl, path, err) < 0)
			return -1;
	}
	return 0;
}

int sy_trace_pcap_link(sy_trace *t, const sy_link *l, const char *path, sy_err *err)
{
	struct per_link *pl = slot(t, l);

	if (!pl)
		return sy_err_set(err, "out of memory");
	return open_pcap(t, pl, path, err);
}

static FILE *open_text(const char *path, char **copy, sy_err *err)
{
	FILE *f;

	if (!(*copy = strdup(path)))
		return sy_err_set(err, "out of memory"), NULL;
	if (!(f = fopen(path, "w"))) {
		sy_err_set(err, "cannot write the trace file %s: %s", path, strerror(errno));
		free(*copy);
		*copy = NULL;
	}
	return f;
}

int sy_trace_text_all(sy_trace *t, const char *path, sy_err *err)
{
	char *copy;
	FILE *f = open_text(path, &copy, err);

	if (!f)
		return -1;
	if (t->text_all) {
		close_text(t, t->text_all, t->text_all_failed, t->text_all_path);
		free(t->text_all_path);
	}
	t->text_all = f;
	t->text_all_path = copy;
	t->text_all_failed = false;
	return 0;
}

int sy_trace_text_link(sy_trace *t, const sy_link *l, const char *path, sy_err *err)
{
	struct per_link *pl = slot(t, l);
	char *copy;
	FILE *f;

	if (!pl)
		return sy_err_set(err, "out of memory");
	if (!(f = open_text(path, &copy, err)))
		return -1;
	if (pl->text) {
		close_text(t, pl->text, pl->text_failed, pl->text_path);
		free(pl->text_path);
	}
	pl->text = f;
	pl->text_path = copy;
	pl->text_failed = false;
	return 0;
}

static void write_pcap(sy_trace *t, struct per_link *pl, const sy_link *l,
		       const sy_packet *p)
{
	sy_time now = sy_sim_now(sy_net_sim(t->net));
	struct pcap_pkthdr h;
	size_t n;

	if (!pl->pcap && t->pcap_dir && !pl->pcap_failed) {
		char path[4096];
		sy_err err;

		link_file(t, l, path, sizeof path);
		if (open_pcap(t, pl, path, &err) < 0) {
			/* reported when the run ends */
			if (!t->failed) {
				t->failed = true;
				t->failure = err;
			}
			pl->pcap_failed = true;
		}
	}
	if (!pl->pcap || pl->pcap_failed)
		return;
	n = sy_packet_wire(p, t->wire, sizeof t->wire);
	h.ts.tv_sec = (time_t)(now / SY_SEC);
	h.ts.tv_usec = (suseconds_t)(now % SY_SEC); /* nanoseconds: see open */
	h.caplen = (bpf_u_int32)n;
	h.len = p->len;
	pcap_dump((u_char *)pl->pcap, &h, t->wire);
	check_pcap(t, pl, false);
}

static void tcp_flags(uint8_t f, char *buf, size_t n)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			len += (size_t)snprintf(buf + len, n > len ? n - len : 0, "%s%s",
						len ? "," : "", names[i]);
	if (!len)
		snprintf(buf, n, "none");
}

static long node_of(const sy_net *net, uint32_t a)
{
	const sy_node *n = sy_net_owner(net, a);

	return n ? (long)sy_node_index(n) : -1;
}

static void write_text(sy_trace *t, FILE *f, char ev, const sy_link *l, int dir,
		       const sy_packet *p, sy_drop reason)
{
	sy_time now = sy_sim_now(sy_net_sim(t->net));
	const sy_node *from = sy_link_node(l, dir), *to = sy_link_node(l, !dir);
	uint32_t src, dst;
	sy_tcp tcp;
	bool is_tcp;
	char type[8];

	memcpy(&src, p->hdr + 12, 4);
	memcpy(&dst, p->hdr + 16, 4);
	src = ntohl(src);
	dst = ntohl(dst);
	is_tcp = p->hdr[9] == SY_IPPROTO_TCP && sy_tcp_read(p, &tcp, NULL) == 0;
	if (is_tcp)
		snprintf(type, sizeof type, "tcp");
	else
		snprintf(type, sizeof type, "%u", (unsigned)p->hdr[9]);
	fprintf(f, "%c %" PRId64 ".%09" PRId64 " %zu %zu %s %" PRIu32 " ------- 0 %ld.%u %ld.%u %" PRId64 " %" PRIu64,
		ev, now / SY_SEC, now % SY_SEC, sy_node_index(from), sy_node_index(to), type,
		p->len, node_of(t->net, src), is_tcp ? tcp.sport : 0,
		node_of(t->net, dst), is_tcp ? tcp.dport : 0,
		is_tcp ? (int64_t)tcp.seq : -1, p->uid);
	if (is_tcp) {
		char fl[64];

		tcp_flags(tcp.flags, fl, sizeof fl);
		fprintf(f, " ACK=%" PRIu32 " FLAGS=%s WIN=%u LEN=%" PRIu32, tcp.ack, fl,
			(unsigned)tcp.window, p->payload_len);
	}
	if (ev == 'd')
		fprintf(f, " REASON=%s", sy_drop_name(reason));
	fputc('\n', f);
}

static void observe(void *ctx, char ev, const sy_link *l, int dir,
		    const sy_packet *p, sy_drop reason)
{
	sy_trace *t = ctx;
	struct per_link *pl;

	if (!l)
		return; /* a drop at a node before any link: nothing to place */
	pl = slot(t, l);
	if (!pl) {
		/* the traces would miss this packet: the run must not end well */
		if (!t->failed) {
			t->failed = true;
			sy_err_set(&t->failure, "out of memory writing the traces");
		}
		return;
	}
	if (ev == '-')
		write_pcap(t, pl, l, p);
	if (pl->text && !pl->text_failed) {
		write_text(t, pl->text, ev, l, dir, p, reason);
		check_text(t, pl->text, &pl->text_failed, pl->text_path, false);
	}
	if (t->text_all && !t->text_all_failed) {
		write_text(t, t->text_all, ev, l, dir, p, reason);
		check_text(t, t->text_all, &t->text_all_failed, t->text_all_path, false);
	}
}
