/*
 * arp.c — gratuitous ARP (IPv4) and unsolicited neighbour advertisements
 * (IPv6) after a takeover, so that clients and switches send traffic for a
 * moved address to this node's MAC at once instead of when their neighbour
 * cache entry expires. Frames are built here byte by byte in network order
 * (never a struct laid over the wire) and sent through short-lived sockets:
 * takeovers are rare, and a socket per round needs no state and no
 * teardown. See arp.h for the frames and the recommended repetition.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#include "failover/arp.h"

#define ARP_FRAME_LEN (14 + 28)
#define NA_LEN (24 + 8) /* header + target, then one TLLA option */

struct ifinfo {
	int index;
	uint8_t mac[ETH_ALEN];
};

static int ifinfo_get(int fd, const char *ifname, struct ifinfo *ifi)
{
	struct ifreq ifr = { 0 };

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	ifi->index = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EOPNOTSUPP;
	memcpy(ifi->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	if (!(ifr.ifr_flags & IFF_UP))
		return -ENETDOWN;
	return 0;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	*p++ = v >> 8;
	*p++ = v & 0xff;
	return p;
}

static uint8_t *put(uint8_t *p, const void *data, size_t len)
{
	memcpy(p, data, len);
	return p + len;
}

/* A broadcast ARP frame: op 1 (request) or 2 (reply), sender = target = ip. */
static void arp_build(uint8_t frame[ARP_FRAME_LEN], const uint8_t mac[ETH_ALEN],
		      const struct in_addr *ip, uint16_t op)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[ETH_ALEN] = { 0 };
	uint8_t *p = frame;

	p = put(p, bcast, ETH_ALEN);
	p = put(p, mac, ETH_ALEN);
	p = put16(p, ETHERTYPE_ARP);
	p = put16(p, ARPHRD_ETHER);
	p = put16(p, ETHERTYPE_IP);
	*p++ = ETH_ALEN;
	*p++ = 4;
	p = put16(p, op);
	p = put(p, mac, ETH_ALEN);
	p = put(p, ip, 4);
	p = put(p, op == ARPOP_REPLY ? mac : zero, ETH_ALEN);
	put(p, ip, 4);
}

static int send_arp(const char *ifname, const struct in_addr *ip)
{
	static const uint16_t ops[] = { ARPOP_REQUEST, ARPOP_REPLY };
	_cleanup_(closep) int fd = -EBADF;
	struct sockaddr_ll sll = { 0 };
	uint8_t frame[ARP_FRAME_LEN];
	struct ifinfo ifi;
	int r;

	/* Protocol 0: a send-only socket that never queues received frames. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = ifinfo_get(fd, ifname, &ifi);
	if (r < 0)
		return r;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = ifi.index;
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		arp_build(frame, ifi.mac, ip, ops[i]);
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return -errno;
	}
	return 0;
}

static int send_na(const char *ifname, const struct in6_addr *ip)
{
	_cleanup_(closep) int fd = -EBADF;
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	uint8_t na[NA_LEN], *p = na;
	union {
		struct cmsghdr hdr;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cmsg = { 0 };
	struct iovec iov = { .iov_base = na, .iov_len = sizeof(na) };
	struct msghdr msg = {
		.msg_name = &dst,
		.msg_namelen = sizeof(dst),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cmsg.buf,
		.msg_controllen = sizeof(cmsg.buf),
	};
	struct in6_pktinfo *pi;
	struct ifinfo ifi;
	int hops = 255, r;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	r = ifinfo_get(fd, ifname, &ifi);
	if (r < 0)
		return r;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifi.index, sizeof(ifi.index)) < 0)
		return -errno;

	/* The kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets. */
	*p++ = ND_NEIGHBOR_ADVERT;
	*p++ = 0;                       /* code */
	p = put16(p, 0);                /* checksum */
	*p++ = 0x20;                    /* flags: Override, not Router, not Solicited */
	*p++ = 0;
	p = put16(p, 0);                /* reserved */
	p = put(p, ip, 16);             /* target */
	*p++ = ND_OPT_TARGET_LINKADDR;
	*p++ = 1;                       /* length in units of 8 bytes */
	put(p, ifi.mac, ETH_ALEN);

	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	dst.sin6_scope_id = ifi.index;

	cmsg.hdr.cmsg_level = IPPROTO_IPV6;
	cmsg.hdr.cmsg_type = IPV6_PKTINFO;
	cmsg.hdr.cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	pi = (struct in6_pktinfo *)CMSG_DATA(&cmsg.hdr);
	pi->ipi6_addr = *ip;
	pi->ipi6_ifindex = ifi.index;
	if (sendmsg(fd, &msg, 0) >= 0)
		return 0;
	if (errno != EADDRNOTAVAIL && errno != EINVAL)
		return -errno;
	/* addr is still tentative (or not ours yet): let the kernel pick. */
	msg.msg_control = NULL;
	msg.msg_controllen = 0;
	if (sendmsg(fd, &msg, 0) < 0)
		return -errno;
	return 0;
}

int arp_send(const char *ifname, const struct sockaddr_storage *addr)
{
	switch (addr->ss_family) {
	case AF_INET:
		return send_arp(ifname, &((const struct sockaddr_in *)addr)->sin_addr);
	case AF_INET6:
		return send_na(ifname, &((const struct sockaddr_in6 *)addr)->sin6_addr);
	default:
		return -EAFNOSUPPORT;
	}
}
