#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "net_priv.h"

/* A TUN interface: the device's descriptor, a buffer for one datagram
 * and the routes to it. */
struct sy_tun {
	sy_net *net;
	sy_node *node;
	int fd;
	char name[IFNAMSIZ];
	uint32_t mtu;
	sy_tun_route routes[SY_TUN_ROUTES + 2];
	int nroutes;
	sy_tun_stats st;
	pcap_t *dead;          /* for the capture: NULL without one */
	pcap_dumper_t *dump;
	char *pcap_path;
	int pcap_errno;        /* a write failed: the capture stopped */
	unsigned char buf[SY_IP_MAXLEN];
};

/* ------------------------------------------------------------ TUN */

const char *sy_tun_name(const sy_tun *t) { return t->name; }
sy_node *sy_tun_node(const sy_tun *t) { return t->node; }
int sy_tun_fd(const sy_tun *t) { return t->fd; }
sy_tun_stats sy_tun_stats_get(const sy_tun *t) { return t->st; }

static uint32_t prefix_mask(int len)
{
	return len <= 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

/* The TUN interface whose route matches dst longest; ties: the first. */
sy_tun *sy_net_tun_route(const sy_net *net, uint32_t dst)
{
	sy_tun *best = NULL;
	int best_len = -1;

	for (size_t i = 0; i < net->ntuns; i++) {
		sy_tun *t = net->tuns[i];

		for (int k = 0; k < t->nroutes; k++) {
			uint32_t m = prefix_mask(t->routes[k].len);

			if ((dst & m) == t->routes[k].net && t->routes[k].len > best_len) {
				best = t;
				best_len = t->routes[k].len;
			}
		}
	}
	return best;
}

/* The capture of the device (sy_tun_opts.pcap): the datagrams as they
 * cross it, both ways, at the virtual time they did. */
static void tun_capture(sy_tun *t, const unsigned char *b, size_t n)
{
	struct pcap_pkthdr h;
	sy_time now = sy_sim_now(t->net->sim);

	if (!t->dump || t->pcap_errno)
		return;
	h.ts.tv_sec = (time_t)(now / SY_SEC);
	/* a nanosecond-precision capture keeps nanoseconds in tv_usec */
	h.ts.tv_usec = (suseconds_t)(now % SY_SEC);
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)t->dump, &h, b);
	/* pcap_dump returns nothing: its stream's error flag tells */
	if (ferror(pcap_dump_file(t->dump)))
		t->pcap_errno = errno ? errno : EIO;
}

/* Writes out the capture's buffer; the first failure stays. */
static int tun_capture_flush(sy_tun *t, sy_err *err)
{
	if (t->dump && !t->pcap_errno) {
		errno = 0;
		if (pcap_dump_flush(t->dump) != 0 || ferror(pcap_dump_file(t->dump)))
			t->pcap_errno = errno ? errno : EIO;
	}
	if (t->pcap_errno)
		return sy_err_set(err, "TUN capture: cannot write %s: %s", t->pcap_path,
				  strerror(t->pcap_errno));
	return 0;
}

/* pcap_dump_close reports nothing: sy_net_flush reports what it would
 * lose, before the network is freed. */
static void tun_capture_close(sy_tun *t)
{
	if (t->dump)
		pcap_dump_close(t->dump);
	if (t->dead)
		pcap_close(t->dead);
	free(t->pcap_path);
	t->dump = NULL;
	t->dead = NULL;
	t->pcap_path = NULL;
}

/* The network is being freed: the simulator no longer watches the
 * descriptor (see sy_net_free). */
void sy_net_tun_free(sy_tun *t)
{
	close(t->fd);
	tun_capture_close(t);
	free(t);
}

int sy_net_flush(sy_net *net, sy_err *err)
{
	int rc = 0;

	if (!net)
		return 0;
	for (size_t i = 0; i < net->ntuns; i++)
		if (tun_capture_flush(net->tuns[i], rc < 0 ? NULL : err) < 0)
			rc = -1;
	return rc;
}

static int tun_capture_open(sy_tun *t, const char *path, sy_err *err)
{
	/* nanosecond time stamps, as the link captures */
	t->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SY_IP_MAXLEN,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!t->dead)
		return sy_err_set(err, "libpcap cannot create a raw IPv4 capture");
	if (!(t->pcap_path = strdup(path))) {
		pcap_close(t->dead);
		t->dead = NULL;
		return sy_err_set(err, "TUN capture: out of memory");
	}
	errno = 0;
	t->dump = pcap_dump_open(t->dead, path);
	if (!t->dump) {
		/* libpcap's message repeats the path */
		sy_err_set(err, "TUN capture: cannot write %s: %s", path,
			   errno ? strerror(errno) : pcap_geterr(t->dead));
		pcap_close(t->dead);
		t->dead = NULL;
		return -1;
	}
	return 0;
}

void sy_net_tun_write(sy_tun *t, sy_packet *p)
{
	size_t n;

	if (p->len > t->mtu) {
		t->st.tx_dropped++;
		sy_net_drop(t->net, t->node, p, SY_DROP_MTU);
		return;
	}
	n = sy_packet_wire(p, t->buf, sizeof t->buf);
	/* Observers (a recorder) see it leave the node and arrive at the
	 * device's far end at once: the kernel's side has no clock here. */
	observe(t->net, '-', NULL, p, 0);
	observe(t->net, 'r', NULL, p, 0);
	tun_capture(t, t->buf, n);
	sy_packet_release(t->net->pool, p);
	/* A TUN device does not block a writer: it drops when its queue
	 * is full, as a link's queue would. */
	if (write(t->fd, t->buf, n) != (ssize_t)n) {
		t->st.tx_dropped++;
		return;
	}
	t->st.tx_packets++;
	t->st.tx_bytes += n;
}

/* A datagram read from the device as a packet: an IPv4 header without
 * options, the TCP header (if TCP) in hdr[], the rest as real payload. */
static sy_packet *tun_packet(sy_tun *t, const unsigned char *b, size_t n)
{
	size_t hlen = 20;
	sy_packet *p;

	if (n < 20 || b[0] != 0x45 || ((size_t)b[2] << 8 | b[3]) != n)
		return NULL;
	if (b[9] == SY_IPPROTO_TCP) {
		size_t doff;

		if (n < 40)
			return NULL;
		doff = (size_t)(b[32] >> 4) * 4;
		if (doff < 20 || 20 + doff > n)
			return NULL;
		hlen = 20 + doff;
	}
	p = sy_packet_new(t->net->pool);
	if (!p)
		return NULL;
	p->hdr_len = (uint16_t)hlen;
	if (sy_packet_set_payload(t->net->pool, p, b + hlen, (uint32_t)(n - hlen), NULL) < 0) {
		sy_packet_release(t->net->pool, p);
		return NULL;
	}
	memcpy(p->hdr, b, hlen);
	p->ip_hlen = 20;
	return p;
}

/* The device is readable: every datagram waiting (at most a batch, so
 * that timers due meanwhile are not held up) arrives now. */
#define TUN_BATCH 256

static void tun_input(sy_sim *sim, void *arg, int fd)
{
	sy_tun *t = arg;

	for (int k = 0; k < TUN_BATCH; k++) {
		ssize_t n = read(fd, t->buf, sizeof t->buf);
		sy_packet *p;

		if (n <= 0)
			return; /* EAGAIN: drained */
		t->st.rx_packets++;
		t->st.rx_bytes += (uint64_t)n;
		tun_capture(t, t->buf, (size_t)n);
		p = tun_packet(t, t->buf, (size_t)n);
		if (!p) {
			t->st.rx_dropped++;
			continue;
		}
		/* for observers: sent by the kernel and arrived, now */
		observe(t->net, '+', NULL, p, 0);
		observe(t->net, 'r', NULL, p, 0);
		sy_net_node_input(t->node, p);
	}
}

/* Gives the kernel's end of the device its address, prefix and MTU, and
 * brings it up (what `ip addr add PEER/LEN dev NAME; ip link set NAME mtu
 * MTU up` does). */
static int tun_configure(sy_tun *t, const sy_tun_opts *o, sy_err *err)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *step;

	if (s < 0)
		return sy_err_set(err, "TUN device '%s': socket: %s", t->name, strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, t->name, IFNAMSIZ);
	step = "setting its address";
	sin.sin_addr.s_addr = htonl(o->peer);
	memcpy(&ifr.ifr_addr, &sin, sizeof sin);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		goto fail;
	step = "setting its netmask";
	sin.sin_addr.s_addr = htonl(prefix_mask(o->prefix));
	memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		goto fail;
	if (o->prefix == 32) {
		/* No subnet: the node is the point-to-point peer. */
		step = "setting its peer address";
		sin.sin_addr.s_addr = htonl(o->addr);
		memcpy(&ifr.ifr_dstaddr, &sin, sizeof sin);
		if (ioctl(s, SIOCSIFDSTADDR, &ifr) < 0)
			goto fail;
	}
	step = "setting its MTU";
	ifr.ifr_mtu = (int)t->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	step = "bringing it up";
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return 0;
fail:
	sy_err_set(err, "TUN device '%s': %s: %s%s", t->name, step, strerror(errno),
		   errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	close(s);
	return -1;
}

static int tun_open(sy_tun *t, const char *name, sy_err *err)
{
	struct ifreq ifr;
	int e;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			return sy_err_set(err, "TUN interface: no /dev/net/tun (%s): the kernel's tun driver is missing or the device node is not there",
					  strerror(e));
		return sy_err_set(err, "TUN interface: cannot open /dev/net/tun: %s%s", strerror(e),
				  e == EACCES || e == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (name)
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(t->fd);
		t->fd = -1;
		return sy_err_set(err, "TUN device '%s': %s%s", name ? name : "tun%d", strerror(e),
				  e == EPERM ? " (creating or attaching a TUN device needs CAP_NET_ADMIN)" :
				  e == EBUSY ? " (another program has it open)" : "");
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = 0;
	return 0;
}

sy_tun *sy_net_tun(sy_net *net, sy_node *n, const sy_tun_opts *o, sy_err *err)
{
	uint32_t mask = prefix_mask(o->prefix);
	const char *name = o->name && *o->name ? o->name : NULL;
	char ab[16];
	sy_tun *t;

	if (!sy_sim_realtime(net->sim))
		return sy_err_set(err, "a TUN interface needs a real-time simulator (realtime = true, or --realtime)"), NULL;
	if (name && strlen(name) >= IFNAMSIZ)
		return sy_err_set(err, "TUN device name '%s' is longer than %d characters", name, IFNAMSIZ - 1), NULL;
	if (o->prefix < 1 || o->prefix > 32)
		return sy_err_set(err, "TUN interface: prefix length must be 1..32, got %d", o->prefix), NULL;
	if (o->addr == 0 || sy_net_owner(net, o->addr)) {
		sy_ipv4_format(o->addr, ab);
		return sy_err_set(err, "TUN interface: address %s is %s", ab,
				  o->addr ? "already in use" : "not valid"), NULL;
	}
	if (o->peer && (o->peer == o->addr ||
			(o->prefix < 32 && (o->peer & mask) != (o->addr & mask)))) {
		sy_ipv4_format(o->peer, ab);
		return sy_err_set(err, "TUN interface: peer %s must differ from the address and lie in its prefix", ab), NULL;
	}
	if (o->mtu && (o->mtu < 68 || o->mtu > SY_IP_MAXLEN))
		return sy_err_set(err, "TUN interface: MTU %u B out of range (68..65535)", (unsigned)o->mtu), NULL;
	if (o->nroutes < 0 || o->nroutes > SY_TUN_ROUTES)
		return sy_err_set(err, "TUN interface: at most %d routes", SY_TUN_ROUTES), NULL;
	t = calloc(1, sizeof *t);
	if (!t || grow((void **)&net->tuns, &net->captuns, net->ntuns, sizeof *net->tuns) < 0 ||
	    grow((void **)&n->ifs, &n->capifs, n->nifs, sizeof *n->ifs) < 0) {
		free(t);
		return sy_err_set(err, "out of memory creating a TUN interface"), NULL;
	}
	t->net = net;
	t->node = n;
	t->fd = -1;
	t->mtu = o->mtu ? o->mtu : 1500;
	t->routes[t->nroutes++] = (sy_tun_route){ o->addr & mask, o->prefix };
	for (int k = 0; k < o->nroutes; k++) {
		uint32_t m = prefix_mask(o->routes[k].len);

		t->routes[t->nroutes++] = (sy_tun_route){ o->routes[k].net & m, o->routes[k].len };
	}
	if (o->default_route)
		t->routes[t->nroutes++] = (sy_tun_route){ 0, 0 };
	if (tun_open(t, name, err) < 0 ||
	    (o->peer && tun_configure(t, o, err) < 0) ||
	    (o->pcap && tun_capture_open(t, o->pcap, err) < 0) ||
	    sy_sim_watch(net->sim, t->fd, false, tun_input, t, err) < 0) {
		if (t->fd >= 0)
			close(t->fd);
		tun_capture_close(t);
		free(t);
		return NULL;
	}
	if (sy_net_addr_put(net, o->addr, n) < 0) {
		sy_sim_unwatch(net->sim, t->fd);
		close(t->fd);
		tun_capture_close(t);
		free(t);
		return sy_err_set(err, "out of memory creating a TUN interface"), NULL;
	}
	n->ifs[n->nifs++] = (struct iface){ o->addr, NULL, 0, t };
	net->tuns[net->ntuns++] = t;
	net->routes_dirty = true;
	return t;
}
