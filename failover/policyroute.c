/*
 * policyroute.c — the decisions of per-IP policy routing (see
 * policyroute.h): table ids, the rule and routes for one address, and
 * which rules found at start-up are leftovers. No I/O, no logging.
 *
 * The table map is an array sorted by table id. A node hosts tens of
 * addresses, so a linear scan for the lowest free id is the simplest
 * thing that is fast enough, and it works for any range up to 2^32 - 1
 * without a bitmap of the range.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>

#include "agentd/addr.h"
#include "failover/policyroute.h"

struct slot {
	struct sockaddr_storage addr;
	uint32_t table;
};

struct policyroute_tables {
	uint32_t low, high;
	struct slot *slots; /* sorted by table */
	size_t n, cap;
};

int policyroute_check_config(uint32_t pref, uint32_t low, uint32_t high)
{
	if (pref == 0 || low == 0 || low > high)
		return -EINVAL;
	/* 253 default, 254 main, 255 local: the kernel's. */
	if (low <= 255 && high >= 253)
		return -EINVAL;
	return 0;
}

/* Bits of an address of this family, or 0 if not IPv4 or IPv6. */
static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static uint8_t *addr_bytes(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (uint8_t *)&((struct sockaddr_in *)ss)->sin_addr;
	return (uint8_t *)&((struct sockaddr_in6 *)ss)->sin6_addr;
}

/* The bare address of ss (no port, flow or scope id). */
static struct sockaddr_storage bare(const struct sockaddr_storage *ss)
{
	struct sockaddr_storage out = { 0 };

	out.ss_family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)&out)->sin_addr = ((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)&out)->sin6_addr =
			((const struct sockaddr_in6 *)ss)->sin6_addr;
	return out;
}

/* ss with the bits after prefix cleared. */
static struct sockaddr_storage masked(const struct sockaddr_storage *ss, unsigned prefix)
{
	struct sockaddr_storage out = bare(ss);
	uint8_t *b = addr_bytes(&out);
	unsigned bytes = family_bits(out.ss_family) / 8;

	for (unsigned i = 0; i < bytes; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		b[i] &= prefix > 8 * i ? (uint8_t)(0xff << (8 - (prefix - 8 * i))) : 0;
	}
	return out;
}

/* ---- table ids ---- */

int policyroute_tables_new(uint32_t low, uint32_t high, struct policyroute_tables **out)
{
	struct policyroute_tables *t;

	if (policyroute_check_config(1, low, high) < 0)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->low = low;
	t->high = high;
	*out = t;
	return 0;
}

void policyroute_tables_free(struct policyroute_tables *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

bool policyroute_tables_in_range(const struct policyroute_tables *t, uint32_t table)
{
	return table >= t->low && table <= t->high;
}

static struct slot *find_addr(const struct policyroute_tables *t, const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (sockaddr_equal_addr(&t->slots[i].addr, addr))
			return &t->slots[i];
	return NULL;
}

int policyroute_tables_lookup(const struct policyroute_tables *t,
			      const struct sockaddr_storage *addr, uint32_t *table)
{
	const struct slot *s = find_addr(t, addr);

	if (!s)
		return -ENOENT;
	*table = s->table;
	return 0;
}

const struct sockaddr_storage *policyroute_tables_owner(const struct policyroute_tables *t,
							uint32_t table)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->slots[i].table == table)
			return &t->slots[i].addr;
	return NULL;
}

size_t policyroute_tables_count(const struct policyroute_tables *t)
{
	return t->n;
}

/* Put (addr, table) in, keeping the order; table must be free. */
static int insert(struct policyroute_tables *t, const struct sockaddr_storage *addr, uint32_t table)
{
	size_t at = 0;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct slot *s = reallocarray(t->slots, cap, sizeof(*s));

		if (!s)
			return -ENOMEM;
		t->slots = s;
		t->cap = cap;
	}
	while (at < t->n && t->slots[at].table < table)
		at++;
	memmove(&t->slots[at + 1], &t->slots[at], (t->n - at) * sizeof(*t->slots));
	t->slots[at].addr = bare(addr);
	t->slots[at].table = table;
	t->n++;
	return 0;
}

int policyroute_tables_alloc(struct policyroute_tables *t, const struct sockaddr_storage *addr,
			     uint32_t *table)
{
	const struct slot *s;
	uint64_t want = t->low; /* 64 bits: high may be UINT32_MAX */
	int r;

	if (family_bits(addr->ss_family) == 0)
		return -EAFNOSUPPORT;
	s = find_addr(t, addr);
	if (s) {
		*table = s->table;
		return 0;
	}
	/* The slots are sorted: the first gap from low on is the lowest free id. */
	for (size_t i = 0; i < t->n && t->slots[i].table <= want; i++)
		if (t->slots[i].table == want)
			want++;
	if (want > t->high)
		return -ENOSPC;
	r = insert(t, addr, (uint32_t)want);
	if (r < 0)
		return r;
	*table = (uint32_t)want;
	return 0;
}

int policyroute_tables_adopt(struct policyroute_tables *t, const struct sockaddr_storage *addr,
			     uint32_t table)
{
	const struct slot *s;

	if (family_bits(addr->ss_family) == 0)
		return -EAFNOSUPPORT;
	if (!policyroute_tables_in_range(t, table))
		return -ERANGE;
	s = find_addr(t, addr);
	if (s)
		return s->table == table ? 0 : -EEXIST;
	if (policyroute_tables_owner(t, table))
		return -EEXIST;
	return insert(t, addr, table);
}

int policyroute_tables_release(struct policyroute_tables *t, const struct sockaddr_storage *addr)
{
	struct slot *s = find_addr(t, addr);
	size_t at;

	if (!s)
		return -ENOENT;
	at = (size_t)(s - t->slots);
	memmove(&t->slots[at], &t->slots[at + 1], (t->n - at - 1) * sizeof(*t->slots));
	t->n--;
	return 0;
}

/* ---- the plan ---- */

size_t policyroute_count_for(const struct sockaddr_storage *addr, const struct conf_route *routes,
			     size_t nroutes)
{
	size_t n = 0;

	for (size_t i = 0; i < nroutes; i++)
		if (sockaddr_equal_addr(&routes[i].pubaddr, addr))
			n++;
	return n;
}

static bool same_dst(const struct policyroute_route *a, const struct sockaddr_storage *dst,
		     unsigned prefix)
{
	return a->prefix == prefix && sockaddr_equal_addr(&a->dst, dst);
}

/* Index of the route in p to dst/prefix, or -1. */
static ssize_t find_dst(const struct policyroute_plan *p, const struct sockaddr_storage *dst,
			unsigned prefix)
{
	for (size_t i = 0; i < p->nroutes; i++)
		if (same_dst(&p->routes[i], dst, prefix))
			return (ssize_t)i;
	return -1;
}

/* Stable: the link routes, then the routes via a gateway, each in order. */
static void link_routes_first(struct policyroute_plan *p)
{
	for (size_t i = 1; i < p->nroutes; i++) {
		struct policyroute_route rt = p->routes[i];
		size_t j = i;

		if (rt.gateway.ss_family != AF_UNSPEC)
			continue;
		while (j > 0 && p->routes[j - 1].gateway.ss_family != AF_UNSPEC) {
			p->routes[j] = p->routes[j - 1];
			j--;
		}
		p->routes[j] = rt;
	}
}

static int check_line(const struct conf_route *l, int family)
{
	if (l->net.addr.ss_family != family || l->net.prefix > family_bits(family))
		return -EINVAL;
	if (l->gateway.ss_family != AF_UNSPEC && l->gateway.ss_family != family)
		return -EINVAL;
	return 0;
}

int policyroute_plan_make(const struct sockaddr_storage *addr, unsigned prefix,
			  const char *ifname, const struct conf_route *routes, size_t nroutes,
			  uint32_t table, uint32_t pref, struct policyroute_plan *plan)
{
	struct policyroute_plan p = { 0 };
	struct policyroute_route base = { 0 };
	int family = addr->ss_family;
	bool automatic = false; /* routes[0] is the automatic subnet route */
	size_t n;
	int r;

	*plan = p;
	if (family_bits(family) == 0)
		return -EAFNOSUPPORT;
	if (prefix > family_bits(family) || table == 0 || pref == 0 || !ifname || !*ifname ||
	    strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	for (size_t i = 0; i < nroutes; i++) {
		if (!sockaddr_equal_addr(&routes[i].pubaddr, addr))
			continue;
		r = check_line(&routes[i], family);
		if (r < 0)
			return r;
	}
	n = policyroute_count_for(addr, routes, nroutes);
	if (n == 0)
		return 0;

	p.routes = calloc(n + 1, sizeof(*p.routes));
	if (!p.routes)
		return -ENOMEM;
	p.rule.from = bare(addr);
	p.rule.table = table;
	p.rule.pref = pref;

	base.family = family;
	base.src = bare(addr);
	base.table = table;
	snprintf(base.ifname, sizeof(base.ifname), "%s", ifname);

	if (prefix < family_bits(family)) {
		struct policyroute_route *rt = &p.routes[p.nroutes++];

		*rt = base;
		rt->dst = masked(addr, prefix);
		rt->prefix = prefix;
		rt->scope = family == AF_INET ? POLICYROUTE_SCOPE_LINK : POLICYROUTE_SCOPE_UNIVERSE;
		automatic = true;
	}

	/* One route per destination, in the order of the file. */
	for (size_t i = 0; i < nroutes; i++) {
		const struct conf_route *l = &routes[i];
		struct sockaddr_storage dst;
		struct policyroute_route *rt;
		ssize_t at;

		if (!sockaddr_equal_addr(&l->pubaddr, addr))
			continue;
		dst = masked(&l->net.addr, l->net.prefix);
		at = find_dst(&p, &dst, l->net.prefix);
		if (at > 0 || (at == 0 && !automatic))
			continue; /* an earlier line for the same destination wins */
		if (at == 0) {
			/* The file overrides the automatic route: drop it. */
			memmove(&p.routes[0], &p.routes[1], --p.nroutes * sizeof(*p.routes));
			automatic = false;
		}
		rt = &p.routes[p.nroutes++];
		*rt = base;
		rt->dst = dst;
		rt->prefix = l->net.prefix;
		if (l->gateway.ss_family != AF_UNSPEC) {
			rt->gateway = bare(&l->gateway);
			rt->scope = POLICYROUTE_SCOPE_UNIVERSE;
		} else {
			rt->scope = family == AF_INET ? POLICYROUTE_SCOPE_LINK
						      : POLICYROUTE_SCOPE_UNIVERSE;
		}
	}
	link_routes_first(&p);
	*plan = p;
	return 1;
}

void policyroute_plan_clear(struct policyroute_plan *plan)
{
	free(plan->routes);
	memset(plan, 0, sizeof(*plan));
}

char *policyroute_rule_format(char *buf, size_t len, const struct policyroute_rule *r)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "from %s lookup %" PRIu32 " pref %" PRIu32,
		 sockaddr_format(a, sizeof(a), &r->from), r->table, r->pref);
	return buf;
}

char *policyroute_route_format(char *buf, size_t len, const struct policyroute_route *r)
{
	char a[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN + 8] = "";
	char src[INET6_ADDRSTRLEN];

	if (r->prefix == 0)
		snprintf(dst, sizeof(dst), "default");
	else
		snprintf(dst, sizeof(dst), "%s/%u", sockaddr_format(a, sizeof(a), &r->dst), r->prefix);
	if (r->gateway.ss_family != AF_UNSPEC)
		snprintf(gw, sizeof(gw), " via %s", sockaddr_format(a, sizeof(a), &r->gateway));
	snprintf(buf, len, "%s%s dev %s table %" PRIu32 "%s src %s", dst, gw, r->ifname, r->table,
		 r->scope == POLICYROUTE_SCOPE_LINK ? " scope link" : "",
		 sockaddr_format(src, sizeof(src), &r->src));
	return buf;
}

/* ---- start-up ---- */

static bool in_keep(const struct sockaddr_storage *addr, const struct sockaddr_storage *keep,
		    size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (sockaddr_equal_addr(addr, &keep[i]))
			return true;
	return false;
}

int policyroute_sweep(struct policyroute_tables *t, uint32_t pref,
		      const struct policyroute_krule *rules, size_t nrules,
		      const struct sockaddr_storage *keep, size_t nkeep,
		      enum policyroute_verdict *verdicts)
{
	/* Addresses no longer hosted give their table back. */
	for (size_t i = 0; i < t->n;) {
		struct sockaddr_storage a = t->slots[i].addr;

		if (in_keep(&a, keep, nkeep))
			i++;
		else
			policyroute_tables_release(t, &a);
	}

	for (size_t i = 0; i < nrules; i++) {
		const struct policyroute_krule *k = &rules[i];
		unsigned bits = family_bits(k->from.ss_family);
		int r;

		if (k->pref != pref || !policyroute_tables_in_range(t, k->table) || !k->plain ||
		    bits == 0 || k->from_prefix != bits) {
			verdicts[i] = POLICYROUTE_NOT_OURS;
			continue;
		}
		if (!in_keep(&k->from, keep, nkeep)) {
			verdicts[i] = POLICYROUTE_DELETE;
			continue;
		}
		r = policyroute_tables_adopt(t, &k->from, k->table);
		if (r == -ENOMEM)
			return r;
		verdicts[i] = r == 0 ? POLICYROUTE_KEEP : POLICYROUTE_DELETE;
	}
	return 0;
}
