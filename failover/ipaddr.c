/*
 * ipaddr.c — public addresses on and off this node's interfaces through
 * rtnetlink (libnl-route-3): the part of takeover and release that touches
 * the kernel's address table. It decides nothing and logs nothing; see
 * ipaddr.h for the error contract.
 *
 * Lookups dump the address table afresh each time instead of keeping a
 * cache: a node holds tens of addresses, a dump costs well under a
 * millisecond, and a fresh dump can never disagree with the kernel.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <netinet/in.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "failover/ipaddr.h"
#include "failover/nlerr.h"

struct ipaddr {
	struct nl_sock *sk;
};

/* An address the kernel dropped with a primary, to be put back. */
struct saved_addr {
	struct sockaddr_storage addr;
	unsigned prefix;
};

#define MAX_SAVED 64

static void nl_addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}

static void rtnl_addr_putp(struct rtnl_addr **a)
{
	if (*a)
		rtnl_addr_put(*a);
}

static void nl_cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

int ipaddr_new(struct ipaddr **out)
{
	struct ipaddr *ipa;
	int r;

	ipa = calloc(1, sizeof(*ipa));
	if (!ipa)
		return -ENOMEM;
	ipa->sk = nl_socket_alloc();
	if (!ipa->sk) {
		free(ipa);
		return -ENOMEM;
	}
	r = nl_connect(ipa->sk, NETLINK_ROUTE);
	if (r < 0) {
		ipaddr_free(ipa);
		return nlerr_to_errno(r);
	}
	*out = ipa;
	return 0;
}

void ipaddr_free(struct ipaddr *ipa)
{
	if (!ipa)
		return;
	nl_socket_free(ipa->sk);
	free(ipa);
}

/* The raw bytes of an IPv4 or IPv6 address; returns their length or -errno. */
static int addr_bytes(const struct sockaddr_storage *ss, const void **bytes)
{
	switch (ss->ss_family) {
	case AF_INET:
		*bytes = &((const struct sockaddr_in *)ss)->sin_addr;
		return 4;
	case AF_INET6:
		*bytes = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		return 16;
	default:
		return -EAFNOSUPPORT;
	}
}

static int to_nladdr(const struct sockaddr_storage *ss, unsigned prefix, struct nl_addr **out)
{
	const void *bytes;
	struct nl_addr *a;
	int len = addr_bytes(ss, &bytes);

	if (len < 0)
		return len;
	if (prefix > (unsigned)len * 8)
		return -EINVAL;
	a = nl_addr_build(ss->ss_family, bytes, len);
	if (!a)
		return -ENOMEM;
	nl_addr_set_prefixlen(a, prefix);
	*out = a;
	return 0;
}

static void from_nladdr(struct nl_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = nl_addr_get_family(a);
	if (ss->ss_family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, nl_addr_get_binary_addr(a), 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, nl_addr_get_binary_addr(a), 16);
}

static bool nladdr_is(struct nl_addr *a, const struct sockaddr_storage *ss)
{
	const void *bytes;
	int len = addr_bytes(ss, &bytes);

	return a && len > 0 && nl_addr_get_family(a) == ss->ss_family &&
	       nl_addr_get_len(a) == (unsigned)len &&
	       memcmp(nl_addr_get_binary_addr(a), bytes, len) == 0;
}

static int ifindex_of(const char *ifname)
{
	unsigned idx;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	idx = if_nametoindex(ifname);
	if (idx == 0)
		return -ENODEV;
	return (int)idx;
}

static int add_one(struct ipaddr *ipa, int ifindex, const struct sockaddr_storage *addr,
		   unsigned prefix, unsigned flags)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *ra = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *brd = NULL;
	int r;

	r = to_nladdr(addr, prefix, &local);
	if (r < 0)
		return r;
	ra = rtnl_addr_alloc();
	if (!ra)
		return -ENOMEM;
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, addr->ss_family);
	r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		return nlerr_to_errno(r);
	rtnl_addr_set_prefixlen(ra, (int)prefix);
	if (addr->ss_family == AF_INET && prefix < 31) {
		/* brd +: the host part all ones. */
		struct in_addr b = ((const struct sockaddr_in *)addr)->sin_addr;
		uint32_t mask = prefix ? ~UINT32_C(0) << (32 - prefix) : 0;

		b.s_addr = htonl(ntohl(b.s_addr) | ~mask);
		brd = nl_addr_build(AF_INET, &b, 4);
		if (!brd)
			return -ENOMEM;
		r = rtnl_addr_set_broadcast(ra, brd);
		if (r < 0)
			return nlerr_to_errno(r);
	}
	if (addr->ss_family == AF_INET6 && (flags & IPADDR_NODAD))
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	return nlerr_to_errno(rtnl_addr_add(ipa->sk, ra, NLM_F_EXCL));
}

int ipaddr_add(struct ipaddr *ipa, const char *ifname, const struct sockaddr_storage *addr,
	       unsigned prefix, unsigned flags)
{
	int ifindex = ifindex_of(ifname);

	if (ifindex < 0)
		return ifindex;
	return add_one(ipa, ifindex, addr, prefix, flags);
}

/* The first address in cache equal to addr (on ifindex, unless 0). */
static struct rtnl_addr *lookup(struct nl_cache *cache, const struct sockaddr_storage *addr,
				int ifindex)
{
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;

		if (ifindex > 0 && rtnl_addr_get_ifindex(ra) != ifindex)
			continue;
		if (nladdr_is(rtnl_addr_get_local(ra), addr))
			return ra;
	}
	return NULL;
}

int ipaddr_find(struct ipaddr *ipa, const struct sockaddr_storage *addr,
		char ifname[IF_NAMESIZE], unsigned *prefix)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct rtnl_addr *ra;
	const void *bytes;
	int r;

	r = addr_bytes(addr, &bytes);
	if (r < 0)
		return r;
	r = rtnl_addr_alloc_cache(ipa->sk, &cache);
	if (r < 0)
		return nlerr_to_errno(r);
	ra = lookup(cache, addr, 0);
	if (!ra)
		return 0;
	if (ifname && !if_indextoname(rtnl_addr_get_ifindex(ra), ifname))
		ifname[0] = '\0'; /* vanished since the dump */
	if (prefix)
		*prefix = rtnl_addr_get_prefixlen(ra);
	return rtnl_addr_get_ifindex(ra);
}

int ipaddr_del(struct ipaddr *ipa, const char *ifname, const struct sockaddr_storage *addr)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct saved_addr saved[MAX_SAVED];
	size_t nsaved = 0;
	struct rtnl_addr *ra;
	const void *bytes;
	int ifindex = 0, r;

	r = addr_bytes(addr, &bytes);
	if (r < 0)
		return r;
	if (ifname) {
		ifindex = ifindex_of(ifname);
		if (ifindex < 0)
			return ifindex;
	}
	r = rtnl_addr_alloc_cache(ipa->sk, &cache);
	if (r < 0)
		return nlerr_to_errno(r);
	ra = lookup(cache, addr, ifindex);
	if (!ra)
		return -EADDRNOTAVAIL;
	ifindex = rtnl_addr_get_ifindex(ra);

	/*
	 * Removing an IPv4 primary takes its secondaries with it unless
	 * promote_secondaries is set: remember them to put them back.
	 */
	if (addr->ss_family == AF_INET && !(rtnl_addr_get_flags(ra) & IFA_F_SECONDARY)) {
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *s = (struct rtnl_addr *)o;

			if (s == ra || rtnl_addr_get_family(s) != AF_INET ||
			    rtnl_addr_get_ifindex(s) != ifindex ||
			    !(rtnl_addr_get_flags(s) & IFA_F_SECONDARY) || nsaved == MAX_SAVED)
				continue;
			from_nladdr(rtnl_addr_get_local(s), &saved[nsaved].addr);
			saved[nsaved].prefix = rtnl_addr_get_prefixlen(s);
			nsaved++;
		}
	}

	r = rtnl_addr_delete(ipa->sk, ra, 0);
	if (r < 0)
		return nlerr_to_errno(r);

	for (size_t i = 0; i < nsaved; i++) {
		r = add_one(ipa, ifindex, &saved[i].addr, saved[i].prefix, 0);
		if (r < 0 && r != -EEXIST) /* promoted, not dropped */
			return r;
	}
	return 0;
}
