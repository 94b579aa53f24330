/*
 * natgw.c — the NAT gateway's decisions: CTDB's master selection
 * (ctdb/tools/ctdb_natgw), this node's role, and the plan of what its role
 * needs (ctdb/config/events/legacy/11.natgw.script), with the nft script
 * that replaces CTDB's iptables rules. Pure: see natgw.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/state.h"
#include "failover/natgw.h"

/*
 * CTDB's three categories (ctdb_natgw find_master), best first: the flags
 * a candidate must not have. `ctdb nodestatus` never lists deleted nodes,
 * so DELETED is excluded everywhere.
 */
static const uint32_t category_excludes[] = {
	/* not DISABLED, UNHEALTHY or INACTIVE (DISCONNECTED, BANNED, STOPPED) */
	NODE_FLAG_UNHEALTHY | NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_INACTIVE,
	/* UNHEALTHY or BANNED will do */
	NODE_FLAG_DISCONNECTED | NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_STOPPED |
		NODE_FLAG_DELETED,
	/* STOPPED will do too */
	NODE_FLAG_DISCONNECTED | NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_DELETED,
};

int natgw_select(const struct natgw_member *members, size_t n)
{
	for (size_t c = 0; c < ARRAY_SIZE(category_excludes); c++) {
		int64_t best = -1;

		for (size_t i = 0; i < n; i++) {
			const struct natgw_member *m = &members[i];

			if (m->slave_only || (m->flags & category_excludes[c]))
				continue;
			if (best < 0 || m->pnn < best)
				best = m->pnn;
		}
		if (best >= 0)
			return (int)best;
	}
	return -1;
}

/* The pnn of the node (not deleted) that has addr as one of its links, or -1. */
static int64_t pnn_of(const struct herd_conf *cf, const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < cf->nnodes; i++) {
		const struct conf_node *node = &cf->nodes[i];

		if (node->deleted)
			continue;
		for (size_t k = 0; k < node->naddrs; k++)
			if (sockaddr_equal_addr(&node->addrs[k], addr))
				return node->pnn;
	}
	return -1;
}

int natgw_decide(const struct herd_conf *cf, const struct herd_state *st,
		 struct natgw_decision *out)
{
	_cleanup_(freep) struct natgw_member *members = NULL;
	bool in_group = false;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->role = NATGW_ROLE_NONE;
	out->master = -1;
	if (cf->nnatgw_nodes == 0)
		return 0;

	members = calloc(cf->nnatgw_nodes, sizeof(*members));
	if (!members)
		return -ENOMEM;
	for (size_t i = 0; i < cf->nnatgw_nodes; i++) {
		const struct conf_rolenode *rn = &cf->natgw_nodes[i];
		struct natgw_member *m = &members[n];
		int64_t pnn = pnn_of(cf, &rn->addr);

		if (pnn < 0)
			continue; /* not a node of this cluster */
		m->pnn = (uint32_t)pnn;
		m->flags = m->pnn < st->nnodes ? st->nodes[m->pnn].flags : NODE_FLAG_DISCONNECTED;
		m->slave_only = rn->slave_only;
		m->addr = rn->addr;
		if (m->pnn == st->pnn)
			in_group = true;
		n++;
	}
	if (!in_group)
		return 0;

	out->master = natgw_select(members, n);
	if (out->master < 0) {
		out->role = NATGW_ROLE_NO_MASTER;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (members[i].pnn == (uint32_t)out->master) {
			out->master_addr = members[i].addr;
			break;
		}
	}
	out->role = (uint32_t)out->master == st->pnn ? NATGW_ROLE_MASTER : NATGW_ROLE_SLAVE;
	return 0;
}

const char *natgw_role_name(enum natgw_role role)
{
	switch (role) {
	case NATGW_ROLE_NONE:
		return "none";
	case NATGW_ROLE_MASTER:
		return "master";
	case NATGW_ROLE_SLAVE:
		return "slave";
	case NATGW_ROLE_NO_MASTER:
		return "no-master";
	}
	return "?";
}

/* ---- addresses ---- */

static bool family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static unsigned addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static const uint8_t *addr_cbytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static uint8_t *addr_bytes(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (uint8_t *)&((struct sockaddr_in *)ss)->sin_addr;
	return (uint8_t *)&((struct sockaddr_in6 *)ss)->sin6_addr;
}

/* src without port, scope or flow label: only the family and the address. */
static struct sockaddr_storage addr_only(const struct sockaddr_storage *src)
{
	struct sockaddr_storage ss = { .ss_family = src->ss_family };

	if (family_ok(src->ss_family))
		memcpy(addr_bytes(&ss), addr_cbytes(src), addr_len(src->ss_family));
	return ss;
}

/* The network of c: host bits cleared. c must have a known family. */
static struct conf_cidr cidr_net(const struct conf_cidr *c)
{
	struct conf_cidr n = { .addr = addr_only(&c->addr), .prefix = c->prefix };
	uint8_t *b = addr_bytes(&n.addr);
	unsigned bits = addr_len(c->addr.ss_family) * 8;

	for (unsigned i = 0; i < bits; i++)
		if (i >= c->prefix)
			b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return n;
}

static bool cidr_ok(const struct conf_cidr *c, int family)
{
	return c->addr.ss_family == family && c->prefix <= addr_len(family) * 8;
}

/* ---- nft ---- */

static const char *nft_family(int family)
{
	return family == AF_INET ? "ip" : "inet";
}

static const char *nft_match(int family)
{
	return family == AF_INET ? "ip" : "ip6";
}

/* A name nft reads back as the same string inside quotes: no wildcards, quotes or blanks. */
static bool ifname_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= IF_NAMESIZE)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.@", *s))
			return false;
	return true;
}

const char *natgw_nft_delete(int family)
{
	switch (family) {
	case AF_INET:
		return "add table ip " NATGW_NFT_TABLE "\ndelete table ip " NATGW_NFT_TABLE "\n";
	case AF_INET6:
		return "add table inet " NATGW_NFT_TABLE "\ndelete table inet " NATGW_NFT_TABLE "\n";
	default:
		return NULL;
	}
}

int natgw_nft_ruleset(const struct conf_cidr *private_network, const char *public_iface,
		      const struct sockaddr_storage *public_address, char **out)
{
	int family = private_network->addr.ss_family;
	char net[INET6_ADDRSTRLEN], pub[INET6_ADDRSTRLEN];
	struct conf_cidr n;
	const char *f, *m;

	if (!family_ok(family) || !cidr_ok(private_network, family) ||
	    public_address->ss_family != family || !ifname_ok(public_iface))
		return -EINVAL;
	n = cidr_net(private_network);
	sockaddr_format(net, sizeof(net), &n.addr);
	sockaddr_format(pub, sizeof(pub), public_address);
	f = nft_family(family);
	m = nft_match(family);

	/*
	 * Masquerade what the private network sends out of the public
	 * interface, except to the private network itself (CTDB: -s NET ! -d
	 * NET -j MASQUERADE). Refuse connections to the NATGW address: it is
	 * only a source for outgoing traffic (CTDB: -p tcp --syn -j REJECT).
	 */
	if (asprintf(out,
		     "%s"
		     "table %s " NATGW_NFT_TABLE " {\n"
		     "\tchain postrouting {\n"
		     "\t\ttype nat hook postrouting priority 100; policy accept;\n"
		     "\t\toifname \"%s\" %s saddr %s/%u %s daddr != %s/%u masquerade\n"
		     "\t}\n"
		     "\tchain input {\n"
		     "\t\ttype filter hook input priority 0; policy accept;\n"
		     "\t\t%s daddr %s tcp flags & (fin | syn | rst | ack) == syn reject\n"
		     "\t}\n"
		     "}\n",
		     natgw_nft_delete(family), f, public_iface, m, net, n.prefix, m, net,
		     n.prefix, m, pub) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* ---- the plan ---- */

void natgw_plan_free(struct natgw_plan *plan)
{
	if (!plan)
		return;
	free(plan->nft);
	free(plan->routes);
	free(plan);
}

static void natgw_plan_freep(struct natgw_plan **p)
{
	natgw_plan_free(*p);
}

/* The static routes to set, or the default route when none is configured. */
static const struct conf_static_route *static_routes(const struct herd_conf *cf, int family,
						     struct conf_static_route *dflt, size_t *n)
{
	if (cf->nnatgw_static_routes > 0) {
		*n = cf->nnatgw_static_routes;
		return cf->natgw_static_routes;
	}
	memset(dflt, 0, sizeof(*dflt));
	dflt->net.addr.ss_family = (sa_family_t)family;
	dflt->net.prefix = 0;
	dflt->gateway.ss_family = AF_UNSPEC;
	*n = 1;
	return dflt;
}

static int plan_master(const struct herd_conf *cf, struct natgw_plan *p)
{
	const struct sockaddr_storage *dgw = &cf->natgw_default_gateway;
	const char *iface = cf->natgw_public_interface ? cf->natgw_public_interface : "";
	const struct conf_static_route *sr;
	struct conf_static_route dflt;
	size_t n;
	int r;

	if (!cidr_ok(&cf->natgw_public_address, p->family) || !ifname_ok(iface))
		return -EINVAL;
	if (dgw->ss_family != AF_UNSPEC && dgw->ss_family != p->family)
		return -EINVAL;

	p->forwarding = true;
	p->address.addr = addr_only(&cf->natgw_public_address.addr);
	p->address.prefix = cf->natgw_public_address.prefix;
	snprintf(p->ifname, sizeof(p->ifname), "%s", iface);
	r = natgw_nft_ruleset(&cf->natgw_private_network, iface, &p->address.addr, &p->nft);
	if (r < 0)
		return r;

	sr = static_routes(cf, p->family, &dflt, &n);
	p->routes = calloc(n, sizeof(*p->routes));
	if (!p->routes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct sockaddr_storage *gw =
			sr[i].gateway.ss_family != AF_UNSPEC ? &sr[i].gateway : dgw;
		struct natgw_route *rt = &p->routes[p->nroutes];

		if (!cidr_ok(&sr[i].net, p->family))
			return -EINVAL;
		if (gw->ss_family == AF_UNSPEC)
			continue; /* no gateway for it: CTDB skips it too */
		if (gw->ss_family != p->family)
			return -EINVAL;
		rt->dst = cidr_net(&sr[i].net);
		rt->via = addr_only(gw);
		snprintf(rt->ifname, sizeof(rt->ifname), "%s", iface);
		rt->metric = NATGW_ROUTE_METRIC;
		p->nroutes++;
	}
	return 0;
}

static int plan_slave(const struct herd_conf *cf, const struct sockaddr_storage *master_addr,
		      struct natgw_plan *p)
{
	const struct conf_static_route *sr;
	struct conf_static_route dflt;
	size_t n;

	if (!master_addr || master_addr->ss_family != p->family)
		return -EINVAL;
	sr = static_routes(cf, p->family, &dflt, &n);
	p->routes = calloc(n, sizeof(*p->routes));
	if (!p->routes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct natgw_route *rt = &p->routes[p->nroutes++];

		if (!cidr_ok(&sr[i].net, p->family))
			return -EINVAL;
		rt->dst = cidr_net(&sr[i].net);
		rt->via = addr_only(master_addr);
		rt->metric = NATGW_ROUTE_METRIC;
	}
	return 0;
}

int natgw_plan_new(const struct herd_conf *cf, enum natgw_role role,
		   const struct sockaddr_storage *master_addr, struct natgw_plan **out)
{
	_cleanup_(natgw_plan_freep) struct natgw_plan *p = NULL;
	int r = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->role = role;
	p->family = AF_UNSPEC;
	p->address.addr.ss_family = AF_UNSPEC;

	switch (role) {
	case NATGW_ROLE_MASTER:
	case NATGW_ROLE_SLAVE:
		p->family = cf->natgw_private_network.addr.ss_family;
		if (!family_ok(p->family) || !cidr_ok(&cf->natgw_private_network, p->family))
			return -EINVAL;
		r = role == NATGW_ROLE_MASTER ? plan_master(cf, p) : plan_slave(cf, master_addr, p);
		break;
	case NATGW_ROLE_NONE:
	case NATGW_ROLE_NO_MASTER:
		break;
	default:
		return -EINVAL;
	}
	if (r < 0)
		return r;
	*out = TAKE_PTR(p);
	return 0;
}

static void cidr_print(FILE *f, const struct conf_cidr *c)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(f, "%s/%u", sockaddr_format(buf, sizeof(buf), &c->addr), c->prefix);
}

char *natgw_plan_format(const struct natgw_plan *plan)
{
	char buf[INET6_ADDRSTRLEN];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "role %s\n", natgw_role_name(plan->role));
	if (plan->forwarding)
		fprintf(f, "forwarding %s\n", plan->family == AF_INET ? "ipv4" : "ipv6");
	if (plan->address.addr.ss_family != AF_UNSPEC) {
		fputs("address ", f);
		cidr_print(f, &plan->address);
		fprintf(f, " dev %s\n", plan->ifname);
	}
	if (plan->nft)
		fprintf(f, "nft %s " NATGW_NFT_TABLE "\n", nft_family(plan->family));
	for (size_t i = 0; i < plan->nroutes; i++) {
		const struct natgw_route *rt = &plan->routes[i];

		fputs("route ", f);
		cidr_print(f, &rt->dst);
		fprintf(f, " via %s", sockaddr_format(buf, sizeof(buf), &rt->via));
		if (rt->ifname[0])
			fprintf(f, " dev %s", rt->ifname);
		fprintf(f, " metric %u\n", rt->metric);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
