/*
 * natgw_apply.c — a NAT gateway plan into the kernel and out again:
 * forwarding through /proc/sys, the public address through ipaddr, the
 * herd_natgw table through libnftables, routes through libnl-route-3.
 *
 * A plan is flattened into items (forwarding, address, table, routes, in
 * the order they must be set up); moving between plans is a diff of item
 * lists, see natgw_apply.h. Each item knows how to add itself (idempotent)
 * and remove itself (absent is fine).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <nftables/libnftables.h>

#include "agentd/addr.h"
#include "failover/ipaddr.h"
#include "failover/natgw_apply.h"
#include "failover/nlerr.h"

enum item_kind {
	ITEM_FORWARDING,
	ITEM_ADDRESS,
	ITEM_NFT,
	ITEM_ROUTE,
};

struct item {
	enum item_kind kind;
	int family;
	struct conf_cidr cidr;          /* ADDRESS: the address; ROUTE: the destination */
	struct sockaddr_storage via;    /* ROUTE */
	char ifname[IF_NAMESIZE];       /* ADDRESS, ROUTE ("" any) */
	unsigned metric;                /* ROUTE */
	char *nft;                      /* NFT: the script, owned */
};

struct natgw_apply {
	struct ipaddr *ipa;
	struct nl_sock *sk;
	struct nft_ctx *nft;
	struct item *items;             /* what is (or may be) in place, set-up order */
	size_t nitems;
	int saved_forwarding[2];        /* [ipv4, ipv6]: value found before we set it; -1 none */
	int error;                      /* first -errno of the current call */
	char errbuf[512];
};

static void items_free(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].nft);
	free(items);
}

/* ---- errors ---- */

_printf_(3, 4) static int fail(struct natgw_apply *a, int r, const char *fmt, ...)
{
	va_list ap;

	if (a->error == 0) {
		a->error = r;
		va_start(ap, fmt);
		vsnprintf(a->errbuf, sizeof(a->errbuf), fmt, ap);
		va_end(ap);
	}
	return r;
}

static void describe(const struct item *it, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], v[INET6_ADDRSTRLEN];
	const char *fam = it->family == AF_INET ? "ipv4" : "ipv6";

	switch (it->kind) {
	case ITEM_FORWARDING:
		snprintf(buf, len, "forwarding %s", fam);
		break;
	case ITEM_ADDRESS:
		snprintf(buf, len, "address %s/%u dev %s",
			 sockaddr_format(a, sizeof(a), &it->cidr.addr), it->cidr.prefix, it->ifname);
		break;
	case ITEM_NFT:
		snprintf(buf, len, "nft table %s " NATGW_NFT_TABLE,
			 it->family == AF_INET ? "ip" : "inet");
		break;
	case ITEM_ROUTE:
		snprintf(buf, len, "route %s/%u via %s%s%s metric %u",
			 sockaddr_format(a, sizeof(a), &it->cidr.addr), it->cidr.prefix,
			 sockaddr_format(v, sizeof(v), &it->via), it->ifname[0] ? " dev " : "",
			 it->ifname, it->metric);
		break;
	}
}

static int item_fail(struct natgw_apply *a, int r, const struct item *it, const char *verb)
{
	char what[160];

	describe(it, what, sizeof(what));
	return fail(a, r, "%s %s: %s", verb, what, strerror(-r));
}

/* ---- forwarding ---- */

static const char *forwarding_path(int family)
{
	return family == AF_INET ? "/proc/sys/net/ipv4/ip_forward"
				 : "/proc/sys/net/ipv6/conf/all/forwarding";
}

static int sysctl_read(const char *path, int *value)
{
	_cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*value = atoi(buf);
	return 0;
}

static int sysctl_write(const char *path, int value)
{
	_cleanup_(closep) int fd = open(path, O_WRONLY | O_CLOEXEC);
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d\n", value);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, (size_t)len);
	if (n != len)
		return n < 0 ? -errno : -EIO;
	return 0;
}

static int forwarding_add(struct natgw_apply *a, int family)
{
	int *saved = &a->saved_forwarding[family == AF_INET6];
	int v = 0, r;

	r = sysctl_read(forwarding_path(family), &v);
	if (r < 0)
		return r;
	if (*saved < 0)
		*saved = v;
	return v == 1 ? 0 : sysctl_write(forwarding_path(family), 1);
}

static int forwarding_remove(struct natgw_apply *a, int family)
{
	int *saved = &a->saved_forwarding[family == AF_INET6];
	int r = 0;

	if (*saved == 0)
		r = sysctl_write(forwarding_path(family), 0);
	if (r == 0)
		*saved = -1;
	return r;
}

/* ---- nft ---- */

static int nft_run(struct natgw_apply *a, const char *script, const struct item *it,
		   const char *verb)
{
	char what[64], msg[400];
	const char *err;
	size_t len;
	int r;

	errno = 0;
	r = nft_run_cmd_from_buffer(a->nft, script);
	err = nft_ctx_get_error_buffer(a->nft); /* reading resets the buffers */
	(void)nft_ctx_get_output_buffer(a->nft);
	if (r == 0)
		return 0;

	/*
	 * Netlink errors leave the kernel's errno; after a parse error errno
	 * is stale (EAGAIN from the socket). The message tells which.
	 */
	r = errno > 0 && errno != EAGAIN ? -errno : -EIO;
	snprintf(msg, sizeof(msg), "%s", err && *err ? err : strerror(-r));
	len = strcspn(msg, "\n"); /* the first line says it; the rest echoes the script */
	msg[len] = '\0';
	describe(it, what, sizeof(what));
	return fail(a, r, "%s %s: %s", verb, what, msg);
}

/* ---- routes ---- */

static void rtnl_route_putp(struct rtnl_route **r)
{
	if (*r)
		rtnl_route_put(*r);
}

static struct nl_addr *nladdr(const struct sockaddr_storage *ss, unsigned prefix)
{
	struct nl_addr *a;

	if (ss->ss_family == AF_INET)
		a = nl_addr_build(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		a = nl_addr_build(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	if (a)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

/* The route of it, as rtnetlink wants it for both adding and deleting. */
static int route_build(const struct item *it, struct rtnl_route **out)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *dst, *gw;
	int r;

	rt = rtnl_route_alloc();
	if (!rt)
		return -ENOMEM;
	r = rtnl_route_set_family(rt, (uint8_t)it->family);
	if (r < 0)
		return nlerr_to_errno(r);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_priority(rt, it->metric);
	dst = nladdr(&it->cidr.addr, it->cidr.prefix);
	if (!dst)
		return -ENOMEM;
	r = rtnl_route_set_dst(rt, dst);
	nl_addr_put(dst);
	if (r < 0)
		return nlerr_to_errno(r);

	nh = rtnl_route_nh_alloc();
	if (!nh)
		return -ENOMEM;
	gw = nladdr(&it->via, it->family == AF_INET ? 32 : 128);
	if (!gw) {
		rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	rtnl_route_nh_set_gateway(nh, gw);
	nl_addr_put(gw);
	if (it->ifname[0]) {
		unsigned idx = if_nametoindex(it->ifname);

		if (idx == 0) {
			rtnl_route_nh_free(nh);
			return -ENODEV;
		}
		rtnl_route_nh_set_ifindex(nh, (int)idx);
	}
	rtnl_route_add_nexthop(rt, nh);
	*out = TAKE_PTR(rt);
	return 0;
}

static int route_add(struct natgw_apply *a, const struct item *it)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	int r = route_build(it, &rt);

	if (r < 0)
		return r;
	rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(rt, RTN_UNICAST);
	/* Replace: the other role's route (same destination and metric) may still be there. */
	return nlerr_to_errno(rtnl_route_add(a->sk, rt, NLM_F_REPLACE));
}

static int route_remove(struct natgw_apply *a, const struct item *it)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	int r = route_build(it, &rt);

	if (r == -ENODEV)
		return 0; /* the interface went, and its routes with it */
	if (r < 0)
		return r;
	r = nlerr_to_errno(rtnl_route_delete(a->sk, rt, 0));
	return r == -ENOENT || r == -ESRCH || r == -ENODEV ? 0 : r;
}

/* ---- items ---- */

static int item_add(struct natgw_apply *a, const struct item *it)
{
	int r = 0;

	switch (it->kind) {
	case ITEM_FORWARDING:
		r = forwarding_add(a, it->family);
		break;
	case ITEM_ADDRESS:
		r = ipaddr_add(a->ipa, it->ifname, &it->cidr.addr, it->cidr.prefix, IPADDR_NODAD);
		if (r == -EEXIST)
			r = 0;
		break;
	case ITEM_NFT:
		return nft_run(a, it->nft, it, "add");
	case ITEM_ROUTE:
		r = route_add(a, it);
		break;
	}
	return r < 0 ? item_fail(a, r, it, "add") : 0;
}

static int item_remove(struct natgw_apply *a, const struct item *it)
{
	int r = 0;

	switch (it->kind) {
	case ITEM_FORWARDING:
		r = forwarding_remove(a, it->family);
		break;
	case ITEM_ADDRESS:
		r = ipaddr_del(a->ipa, it->ifname, &it->cidr.addr);
		if (r == -EADDRNOTAVAIL || r == -ENODEV)
			r = 0;
		break;
	case ITEM_NFT:
		return nft_run(a, natgw_nft_delete(it->family), it, "remove");
	case ITEM_ROUTE:
		r = route_remove(a, it);
		break;
	}
	return r < 0 ? item_fail(a, r, it, "remove") : 0;
}

static bool cidr_same(const struct conf_cidr *x, const struct conf_cidr *y)
{
	return x->prefix == y->prefix && sockaddr_equal_addr(&x->addr, &y->addr);
}

/* Do x and y stand for the same thing in the kernel? (A table is the same whatever its rules.) */
static bool item_same(const struct item *x, const struct item *y)
{
	if (x->kind != y->kind || x->family != y->family)
		return false;
	switch (x->kind) {
	case ITEM_FORWARDING:
	case ITEM_NFT:
		return true;
	case ITEM_ADDRESS:
		return streq(x->ifname, y->ifname) && cidr_same(&x->cidr, &y->cidr);
	case ITEM_ROUTE:
		return streq(x->ifname, y->ifname) && cidr_same(&x->cidr, &y->cidr) &&
		       sockaddr_equal_addr(&x->via, &y->via) && x->metric == y->metric;
	}
	return false;
}

static bool contains(const struct item *items, size_t n, const struct item *it)
{
	for (size_t i = 0; i < n; i++)
		if (item_same(&items[i], it))
			return true;
	return false;
}

/* Flatten plan into items, in set-up order; room for extra more. */
static int plan_items(const struct natgw_plan *plan, size_t extra, struct item **out, size_t *n)
{
	struct item *items;
	size_t k = 0;

	items = calloc(4 + (plan ? plan->nroutes : 0) + extra, sizeof(*items));
	if (!items)
		return -ENOMEM;
	if (plan && plan->forwarding)
		items[k++] = (struct item){ .kind = ITEM_FORWARDING, .family = plan->family };
	if (plan && plan->address.addr.ss_family != AF_UNSPEC) {
		struct item *it = &items[k++];

		it->kind = ITEM_ADDRESS;
		it->family = plan->address.addr.ss_family;
		it->cidr = plan->address;
		snprintf(it->ifname, sizeof(it->ifname), "%s", plan->ifname);
	}
	if (plan && plan->nft) {
		struct item *it = &items[k++];

		it->kind = ITEM_NFT;
		it->family = plan->family;
		it->nft = strdup(plan->nft);
		if (!it->nft) {
			items_free(items, k);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; plan && i < plan->nroutes; i++) {
		const struct natgw_route *rt = &plan->routes[i];
		struct item *it = &items[k++];

		it->kind = ITEM_ROUTE;
		it->family = rt->dst.addr.ss_family;
		it->cidr = rt->dst;
		it->via = rt->via;
		snprintf(it->ifname, sizeof(it->ifname), "%s", rt->ifname);
		it->metric = rt->metric;
	}
	*out = items;
	*n = k;
	return 0;
}

int natgw_apply(struct natgw_apply *a, const struct natgw_plan *plan)
{
	struct item *next;
	size_t nnext, nplan;
	int r;

	a->error = 0;
	a->errbuf[0] = '\0';
	/* Room for the old items whose removal fails: nothing can fail to allocate later. */
	r = plan_items(plan, a->nitems, &next, &nnext);
	if (r < 0)
		return fail(a, r, "natgw plan: %s", strerror(-r));
	nplan = nnext;

	/* Take out what the new plan does not have, last set up first. */
	for (size_t i = a->nitems; i-- > 0;) {
		struct item *old = &a->items[i];

		if (contains(next, nplan, old))
			continue;
		if (item_remove(a, old) < 0) {
			/* Still there, perhaps: keep it to retry next time. */
			next[nnext++] = *old;
			old->nft = NULL;
		}
	}

	/* (Re)apply everything the plan has: idempotent, and it repairs drift. */
	for (size_t i = 0; i < nplan; i++)
		(void)item_add(a, &next[i]);

	items_free(a->items, a->nitems);
	a->items = next;
	a->nitems = nnext;
	return a->error;
}

int natgw_apply_clear(struct natgw_apply *a)
{
	return natgw_apply(a, NULL);
}

const char *natgw_apply_error(const struct natgw_apply *a)
{
	return a->errbuf;
}

int natgw_apply_new(struct natgw_apply **out)
{
	struct natgw_apply *a;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->saved_forwarding[0] = a->saved_forwarding[1] = -1;
	r = ipaddr_new(&a->ipa);
	if (r < 0)
		goto fail;
	a->sk = nl_socket_alloc();
	if (!a->sk) {
		r = -ENOMEM;
		goto fail;
	}
	r = nlerr_to_errno(nl_connect(a->sk, NETLINK_ROUTE));
	if (r < 0)
		goto fail;
	a->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!a->nft || nft_ctx_buffer_output(a->nft) < 0 || nft_ctx_buffer_error(a->nft) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	*out = a;
	return 0;
fail:
	natgw_apply_free(a);
	return r;
}

void natgw_apply_free(struct natgw_apply *a)
{
	if (!a)
		return;
	items_free(a->items, a->nitems);
	if (a->nft)
		nft_ctx_free(a->nft);
	nl_socket_free(a->sk);
	ipaddr_free(a->ipa);
	free(a);
}
