/*
 * ipaddr.h — add, remove and find public addresses on this node's
 * interfaces, through libnl-route-3 (rtnetlink), never by running `ip`.
 *
 * This is the thin layer that applies takeover and release decisions; it
 * decides nothing. One `struct ipaddr` holds one rtnetlink socket in the
 * network namespace that was current when ipaddr_new() ran. Calls are
 * synchronous request/ack exchanges with the kernel (microseconds; the
 * kernel never waits on the network for them), so they are safe in the
 * event loop. Nothing here logs: every failure is returned as -errno.
 *
 * Errors callers can expect and handle:
 *   -ENODEV         the interface does not exist
 *   -EEXIST         ipaddr_add: the address is already on that interface
 *   -EADDRNOTAVAIL  ipaddr_del: the address is not on that interface
 *   -EAFNOSUPPORT   the address is neither IPv4 nor IPv6
 *   -EINVAL         a prefix longer than the address
 *   -EPERM          no CAP_NET_ADMIN
 */
#ifndef HERD_FAILOVER_IPADDR_H
#define HERD_FAILOVER_IPADDR_H

#include <net/if.h>
#include <sys/socket.h>

#include "agentd/util.h"

struct ipaddr;

/* Flags for ipaddr_add(). */
enum {
	/*
	 * IPv6 only: skip duplicate address detection (IFA_F_NODAD), so the
	 * address is usable at once instead of "tentative" for about a
	 * second. herd only ever hosts an address on one node at a time
	 * (release before takeover), which is what DAD would check.
	 */
	IPADDR_NODAD = 1 << 0,
};

/* Open the rtnetlink socket. */
int ipaddr_new(struct ipaddr **out);
void ipaddr_free(struct ipaddr *ipa);

/*
 * Add addr/prefix to interface ifname (the port of addr is ignored). For
 * IPv4 the broadcast address is set from the prefix, as `ip addr add ...
 * brd +` does.
 */
int ipaddr_add(struct ipaddr *ipa, const char *ifname, const struct sockaddr_storage *addr,
	       unsigned prefix, unsigned flags);

/*
 * Remove addr from interface ifname, whatever its prefix there. ifname
 * may be NULL: remove it from whichever interface holds it. IPv4: when
 * the removed address was the primary one of its subnet and the kernel
 * dropped the secondaries with it (promote_secondaries off, the default),
 * the secondaries are added back — other public addresses in the same
 * subnet must survive the release of one of them (CTDB does the same).
 */
int ipaddr_del(struct ipaddr *ipa, const char *ifname, const struct sockaddr_storage *addr);

/*
 * Is addr configured on this node? Returns the ifindex (> 0) of the
 * interface holding it and fills ifname (IF_NAMESIZE bytes, may be NULL)
 * and *prefix (may be NULL); 0 if no interface holds it; or -errno.
 */
int ipaddr_find(struct ipaddr *ipa, const struct sockaddr_storage *addr,
		char ifname[IF_NAMESIZE], unsigned *prefix);

#endif
