#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

struct per_link {
	pcap_dumper_t *pcap;
	FILE *text;
	bool pcap_failed;  /* opening failed once: reported, not retried */
};

struct sy_trace {
	sy_net *net;
	pcap_t *dead;         /* pcap handle for writing only */
	char *pcap_dir;       /* every link, or NULL */
	FILE *text_all;       /* every link, or NULL */
	struct per_link *links; /* by link index */
	size_t nlinks;
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

void sy_trace_flush(sy_trace *t)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		if (t->links[i].pcap)
			pcap_dump_flush(t->links[i].pcap);
		if (t->links[i].text)
			fflush(t->links[i].text);
	}
	if (t->text_all)
		fflush(t->text_all);
}

void sy_trace_free(sy_trace *t)
{
	if (!t)
		return;
	sy_net_unobserve(t->net, observe, t);
	for (size_t i = 0; i < t->nlinks; i++) {
		if (t->links[i].pcap)
			pcap_dump_close(t->links[i].pcap);
		if (t->links[i].text && t->links[i].text != t->text_all)
			fclose(t->links[i].text);
	}
	if (t->text_all)
		fclose(t->text_all);
	pcap_close(t->dead);
	free(t->links);
	free(t->pcap_dir);
	free(t);
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
	pcap_dumper_t *d = pcap_dump_open(t->dead, path);

	if (!d)
		return sy_err_set(err, "cannot write the pcap file %s: %s", path,
				  pcap_geterr(t->dead));
	if (pl->pcap)
		pcap_dump_close(pl->pcap);
	pl->pcap = d;
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

static FILE *open_text(const char *path, sy_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		sy_err_set(err, "cannot write the trace file %s: %s", path, strerror(errno));
	return f;
}

int sy_trace_text_all(sy_trace *t, const char *path, sy_err *err)
{
	FILE *f = open_text(path, err);

	if (!f)
		return -1;
	if (t->text_all)
		fclose(t->text_all);
	t->text_all = f;
	return 0;
}

int sy_trace_text_link(sy_trace *t, const sy_link *l, const char *path, sy_err *err)
{
	struct per_link *pl = slot(t, l);
	FILE *f;

	if (!pl)
		return sy_err_set(err, "out of memory");
	if (!(f = open_text(path, err)))
		return -1;
	if (pl->text)
		fclose(pl->text);
	pl->text = f;
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
			fprintf(stderr, "synack: %s\n", err.msg);
			pl->pcap_failed = true;
		}
	}
	if (!pl->pcap)
		return;
	n = sy_packet_wire(p, t->wire, sizeof t->wire);
	h.ts.tv_sec = (time_t)(now / SY_SEC);
	h.ts.tv_usec = (suseconds_t)(now % SY_SEC); /* nanoseconds: see open */
	h.caplen = (bpf_u_int32)n;
	h.len = p->len;
	pcap_dump((u_char *)pl->pcap, &h, t->wire);
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
	if (!pl)
		return;
	if (ev == '-')
		write_pcap(t, pl, l, p);
	if (pl->text)
		write_text(t, pl->text, ev, l, dir, p, reason);
	if (t->text_all && t->text_all != pl->text)
		write_text(t, t->text_all, ev, l, dir, p, reason);
}
