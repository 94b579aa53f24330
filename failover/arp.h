/*
 * arp.h — tell the neighbours that an address moved to this node:
 * gratuitous ARP for IPv4, an unsolicited neighbour advertisement for IPv6.
 *
 * arp_send() sends one round and returns; it keeps no state and logs
 * nothing. Repeating is the caller's business: a switch or a client may
 * miss one frame, and an ARP cache may be refreshing just as the first one
 * arrives. CTDB sends a round at takeover and then repeats it
 * (CTDB_ARP_REPEAT = 3 rounds, CTDB_ARP_INTERVAL = 1 s apart); herd
 * recommends the same shape, faster at the start, where it matters:
 * ARP_SEND_COUNT rounds, ARP_SEND_INTERVAL apart, the first at once.
 */
#ifndef HERD_FAILOVER_ARP_H
#define HERD_FAILOVER_ARP_H

#include <sys/socket.h>

#include "agentd/util.h"

#define ARP_SEND_COUNT    5
#define ARP_SEND_INTERVAL (250 * USEC_PER_MSEC)

/*
 * One round for addr, which this node now holds on ifname:
 *
 * IPv4: two broadcast Ethernet frames on ifname through an AF_PACKET
 * socket, as CTDB sends them — an ARP request (RFC 5227 "announcement":
 * sender and target IP both addr, target MAC zero) and an ARP reply
 * (sender and target IP addr, target MAC ours). Some stacks update their
 * caches only from one of the two forms.
 *
 * IPv6: an ICMPv6 neighbour advertisement (type 136) to ff02::1 with the
 * override flag set, target addr and our MAC as target link-layer address,
 * hop limit 255 (receivers drop anything else, RFC 4861 7.1.2), through a
 * raw ICMPv6 socket bound to ifname; its source is addr when the kernel
 * allows it (the address is not tentative), else a link-local address.
 *
 * Returns 0, or -ENODEV (no such interface), -EOPNOTSUPP (the interface
 * has no Ethernet MAC: loopback, tun, ...), -ENETDOWN (interface down),
 * -EAFNOSUPPORT (not IPv4/IPv6), -EPERM (no CAP_NET_RAW), other -errno.
 */
int arp_send(const char *ifname, const struct sockaddr_storage *addr);

#endif
