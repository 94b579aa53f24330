/*
 * tickle.c — list the TCP connections to a public address from the
 * kernel's socket table (NETLINK_SOCK_DIAG, inet_diag dumps of AF_INET and
 * AF_INET6 filtered to ESTABLISHED) and send tickle ACKs for them through
 * a raw socket. Packets are built byte by byte in network order (never a
 * struct laid over the wire), with checksums computed here. Sockets are
 * short-lived: this runs at release and takeover only. See tickle.h.
 */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "failover/tickle.h"

#define TICKLE_WINDOW 1234 /* as CTDB; any value does */
#define TCP_HDR_LEN 20
#define IP4_HDR_LEN 20
#define IP6_HDR_LEN 40

/* ---- the socket table ---- */

/* addr's raw bytes and length (4 or 16); 0 if not IP. */
static size_t addr_bytes(const struct sockaddr_storage *ss, const uint8_t **p)
{
	*p = NULL;
	if (ss->ss_family == AF_INET) {
		*p = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		return 4;
	}
	if (ss->ss_family == AF_INET6) {
		*p = (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		return 16;
	}
	return 0;
}

static bool is_v4mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/*
 * One end of a dumped socket as a sockaddr: fam is the socket's family, a
 * its address (4 or 16 bytes used), port in network order. A v4-mapped
 * IPv6 address becomes AF_INET.
 */
static void end_to_sockaddr(struct sockaddr_storage *ss, int fam, const uint8_t *a,
			    uint16_t port_be, uint32_t ifindex)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6 && is_v4mapped(a)) {
		fam = AF_INET;
		a += 12;
	}
	if (fam == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port_be;
		memcpy(&sin->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port_be;
		memcpy(&sin6->sin6_addr, a, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = ifindex;
	}
}

/* Does the dumped local end (family fam, address a) equal want? */
static bool local_matches(int fam, const uint8_t *a, const struct sockaddr_storage *want)
{
	const uint8_t *w = NULL;
	size_t wlen;

	if (!want)
		return true;
	wlen = addr_bytes(want, &w);
	if (fam == AF_INET)
		return wlen == 4 && memcmp(a, w, 4) == 0;
	if (wlen == 16)
		return memcmp(a, w, 16) == 0;
	return wlen == 4 && is_v4mapped(a) && memcmp(a + 12, w, 4) == 0;
}

struct conn_vec {
	struct tickle_conn *v;
	size_t n, cap;
};

static int conn_push(struct conn_vec *cv, const struct inet_diag_msg *m)
{
	struct tickle_conn *c;

	if (cv->n == cv->cap) {
		size_t cap = cv->cap ? 2 * cv->cap : 16;
		struct tickle_conn *v = reallocarray(cv->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		cv->v = v;
		cv->cap = cap;
	}
	c = &cv->v[cv->n++];
	end_to_sockaddr(&c->local, m->idiag_family, (const uint8_t *)m->id.idiag_src,
			m->id.idiag_sport, m->id.idiag_if);
	end_to_sockaddr(&c->remote, m->idiag_family, (const uint8_t *)m->id.idiag_dst,
			m->id.idiag_dport, m->id.idiag_if);
	return 0;
}

/* One inet_diag dump of family fam on fd; matches appended to cv. */
static int dump_family(int fd, int fam, uint32_t seq, const struct sockaddr_storage *addr,
		       struct conn_vec *cv)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} rq = {
		.nlh = {
			.nlmsg_len = sizeof(rq),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = seq,
		},
		.req = {
			.sdiag_family = fam,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1u << TCP_ESTABLISHED,
		},
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	/* uint64_t: aligned for nlmsghdr; 32 KiB holds a good part of a dump. */
	uint64_t buf[4096];

	if (sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (len == 0)
			return -EIO;
		for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			int r;

			if (h->nlmsg_seq != seq)
				continue; /* not ours */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error < 0 ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			if (m->idiag_family != fam || m->idiag_state != TCP_ESTABLISHED ||
			    !local_matches(fam, (const uint8_t *)m->id.idiag_src, addr))
				continue;
			r = conn_push(cv, m);
			if (r < 0)
				return r;
		}
	}
}

int tickle_list(const struct sockaddr_storage *addr, struct tickle_conn **out, size_t *n)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct conn_vec cv = { 0 };
	int fd, r;

	*out = NULL;
	*n = 0;
	if (addr && addr->ss_family != AF_INET && addr->ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		r = -errno;
		goto out;
	}
	/*
	 * IPv4 clients may also be on AF_INET6 sockets (a dual-stack
	 * listener), as ::ffff:a.b.c.d; IPv6 ones only on AF_INET6.
	 */
	r = 0;
	if (!addr || addr->ss_family == AF_INET)
		r = dump_family(fd, AF_INET, 1, addr, &cv);
	if (r >= 0)
		r = dump_family(fd, AF_INET6, 2, addr, &cv);
out:
	close(fd);
	if (r < 0) {
		free(cv.v);
		return r;
	}
	*out = cv.v;
	*n = cv.n;
	return 0;
}

/* ---- the tickle ---- */

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	*p++ = v >> 8;
	*p++ = v & 0xff;
	return p;
}

/* Ones'-complement sum of len bytes (big-endian 16-bit words) onto sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * The TCP header at tcp (TCP_HDR_LEN bytes), its checksum over the
 * pseudo-header of src/dst (alen bytes each).
 */
static void build_tcp(uint8_t *tcp, const uint8_t *src, const uint8_t *dst, size_t alen,
		      uint16_t sport_be, uint16_t dport_be)
{
	uint8_t *p = tcp;
	uint32_t sum;

	memset(tcp, 0, TCP_HDR_LEN);
	memcpy(p, &sport_be, 2);       /* already in network order */
	memcpy(p + 2, &dport_be, 2);
	p += 4 + 4 + 4;                /* seq 0, ack 0 */
	*p++ = (TCP_HDR_LEN / 4) << 4; /* data offset, no options */
	*p++ = 0x10;                   /* ACK only */
	put16(p, TICKLE_WINDOW);       /* checksum and urgent pointer stay 0 */

	sum = csum_add(0, src, alen);
	sum = csum_add(sum, dst, alen);
	sum += IPPROTO_TCP + TCP_HDR_LEN; /* zero, protocol, TCP length */
	sum = csum_add(sum, tcp, TCP_HDR_LEN);
	put16(tcp + 16, csum_fold(sum));
}

static int send_raw(int fam, const void *pkt, size_t len, const struct sockaddr_storage *dst)
{
	struct sockaddr_storage to = *dst;
	socklen_t tolen;
	int fd, r = 0;

	/* Raw sockets want no port in the destination. */
	if (fam == AF_INET) {
		((struct sockaddr_in *)&to)->sin_port = 0;
		tolen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
		tolen = sizeof(struct sockaddr_in6);
	}
	/* IPPROTO_RAW implies IP_HDRINCL (IPv4) and its IPv6 counterpart. */
	fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return errno == EACCES ? -EPERM : -errno;
	if (fam == AF_INET) {
		int on = 1;

		if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) < 0)
			r = -errno;
	}
	if (r == 0 && sendto(fd, pkt, len, 0, (struct sockaddr *)&to, tolen) < 0)
		r = -errno;
	close(fd);
	return r;
}

int tickle_send(const struct tickle_conn *c)
{
	const uint8_t *src = NULL, *dst = NULL;
	size_t alen = addr_bytes(&c->local, &src);
	uint8_t pkt[IP6_HDR_LEN + TCP_HDR_LEN];
	uint16_t sport, dport;

	if (alen == 0 || c->remote.ss_family != c->local.ss_family)
		return -EAFNOSUPPORT;
	addr_bytes(&c->remote, &dst);
	memset(pkt, 0, sizeof(pkt));

	if (alen == 4) {
		uint8_t *ip = pkt;

		sport = ((const struct sockaddr_in *)&c->local)->sin_port;
		dport = ((const struct sockaddr_in *)&c->remote)->sin_port;
		ip[0] = 0x45;                           /* version 4, 5 words */
		put16(ip + 2, IP4_HDR_LEN + TCP_HDR_LEN); /* total length */
		/* identification 0 (the kernel fills it in), no fragments */
		ip[8] = 255;                            /* TTL, as CTDB */
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
		build_tcp(ip + IP4_HDR_LEN, src, dst, 4, sport, dport);
		return send_raw(AF_INET, pkt, IP4_HDR_LEN + TCP_HDR_LEN, &c->remote);
	}

	sport = ((const struct sockaddr_in6 *)&c->local)->sin6_port;
	dport = ((const struct sockaddr_in6 *)&c->remote)->sin6_port;
	pkt[0] = 0x60;                /* version 6, class 0, flow 0 */
	put16(pkt + 4, TCP_HDR_LEN);  /* payload length */
	pkt[6] = IPPROTO_TCP;         /* next header */
	pkt[7] = 64;                  /* hop limit, as CTDB */
	memcpy(pkt + 8, src, 16);
	memcpy(pkt + 24, dst, 16);
	build_tcp(pkt + IP6_HDR_LEN, src, dst, 16, sport, dport);
	return send_raw(AF_INET6, pkt, sizeof(pkt), &c->remote);
}
