/*
 * policyroute_apply.c — per-IP policy routing rules and routes in the
 * kernel through rtnetlink (libnl-route-3). It carries out policyroute.c's
 * decisions and logs nothing; see policyroute_apply.h for the contract.
 *
 * As in ipaddr.c, every step dumps the rules or routes afresh instead of
 * keeping a libnl cache: a dump costs well under a millisecond and can
 * never disagree with the kernel.
 *
 * libnl folds the kernel's errnos into its own NLE_* codes, and some
 * (ENETUNREACH, ESRCH) come back as the catch-all NLE_FAILURE. The socket
 * has an error callback that keeps the kernel's own errno of the last
 * request, so that callers see -ENETUNREACH for an unreachable gateway.
 */
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include "agentd/addr.h"
#include "failover/nlerr.h"
#include "failover/policyroute.h"
#include "failover/policyroute_apply.h"

/* Dumps interrupted by a concurrent change are tried again this often. */
#define DUMP_TRIES 3

struct policyroute {
	struct nl_sock *sk;
	uint32_t pref;
	struct policyroute_tables *tables;
	int kernel_errno; /* of the last request: 0, or -errno from the kernel */
};

static void nl_addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}

static void nl_cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

static void rtnl_route_putp(struct rtnl_route **r)
{
	if (*r)
		rtnl_route_put(*r);
}

static void rtnl_rule_putp(struct rtnl_rule **r)
{
	if (*r)
		rtnl_rule_put(*r);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct policyroute *pr = arg;

	pr->kernel_errno = e->error < 0 ? e->error : -e->error;
	return NL_STOP;
}

/* Before a request: forget the last kernel error. */
static struct nl_sock *request(struct policyroute *pr)
{
	pr->kernel_errno = 0;
	return pr->sk;
}

/* A libnl result as 0 or -errno, the kernel's own errno when it sent one. */
static int result(struct policyroute *pr, int nlerr)
{
	if (nlerr >= 0)
		return 0;
	if (pr->kernel_errno < 0)
		return pr->kernel_errno;
	return nlerr_to_errno(nlerr);
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static const void *addr_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return &((const struct sockaddr_in *)ss)->sin_addr;
	return &((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static int to_nladdr(const struct sockaddr_storage *ss, unsigned prefix, struct nl_addr **out)
{
	unsigned bits = family_bits(ss->ss_family);
	struct nl_addr *a;

	if (bits == 0)
		return -EAFNOSUPPORT;
	a = nl_addr_build(ss->ss_family, addr_bytes(ss), bits / 8);
	if (!a)
		return -ENOMEM;
	nl_addr_set_prefixlen(a, prefix);
	*out = a;
	return 0;
}

/* a as a bare socket address and its prefix; AF_UNSPEC for none or "all". */
static void from_nladdr(struct nl_addr *a, struct sockaddr_storage *ss, unsigned *prefix)
{
	unsigned len = a ? nl_addr_get_len(a) : 0;
	int family = a ? nl_addr_get_family(a) : AF_UNSPEC;

	memset(ss, 0, sizeof(*ss));
	*prefix = 0;
	if (len == 0 || nl_addr_get_prefixlen(a) == 0 || len * 8 != family_bits(family))
		return;
	ss->ss_family = family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, nl_addr_get_binary_addr(a), 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, nl_addr_get_binary_addr(a), 16);
	*prefix = nl_addr_get_prefixlen(a);
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

int policyroute_new(uint32_t pref, uint32_t table_low, uint32_t table_high,
		    struct policyroute **out)
{
	struct policyroute *pr;
	int r;

	r = policyroute_check_config(pref, table_low, table_high);
	if (r < 0)
		return r;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return -ENOMEM;
	pr->pref = pref;
	r = policyroute_tables_new(table_low, table_high, &pr->tables);
	if (r < 0)
		goto fail;
	r = -ENOMEM;
	pr->sk = nl_socket_alloc();
	if (!pr->sk)
		goto fail;
	r = nl_connect(pr->sk, NETLINK_ROUTE);
	if (r < 0) {
		r = nlerr_to_errno(r);
		goto fail;
	}
	r = nl_socket_modify_err_cb(pr->sk, NL_CB_CUSTOM, on_error, pr);
	if (r < 0) {
		r = nlerr_to_errno(r);
		goto fail;
	}
	*out = pr;
	return 0;
fail:
	policyroute_free(pr);
	return r;
}

void policyroute_free(struct policyroute *pr)
{
	if (!pr)
		return;
	if (pr->sk)
		nl_socket_free(pr->sk);
	policyroute_tables_free(pr->tables);
	free(pr);
}

int policyroute_table_of(const struct policyroute *pr, const struct sockaddr_storage *addr,
			 uint32_t *table)
{
	return policyroute_tables_lookup(pr->tables, addr, table);
}

/* ---- dumps ---- */

static int dump_rules(struct policyroute *pr, int family, struct nl_cache **out)
{
	int r = 0;

	for (int i = 0; i < DUMP_TRIES; i++) {
		r = rtnl_rule_alloc_cache(request(pr), family, out);
		if (r != -NLE_DUMP_INTR)
			break;
	}
	return result(pr, r);
}

static int dump_routes(struct policyroute *pr, int family, struct nl_cache **out)
{
	int r = 0;

	for (int i = 0; i < DUMP_TRIES; i++) {
		r = rtnl_route_alloc_cache(request(pr), family, 0, out);
		if (r != -NLE_DUMP_INTR)
			break;
	}
	return result(pr, r);
}

/* A kernel rule reduced to what policyroute_sweep looks at. */
static void to_krule(struct rtnl_rule *rule, struct policyroute_krule *k)
{
	struct nl_addr *dst = rtnl_rule_get_dst(rule);

	memset(k, 0, sizeof(*k));
	k->pref = rtnl_rule_get_prio(rule);
	k->table = rtnl_rule_get_table(rule);
	from_nladdr(rtnl_rule_get_src(rule), &k->from, &k->from_prefix);
	k->plain = rtnl_rule_get_action(rule) == FR_ACT_TO_TBL &&
		   (!dst || nl_addr_get_prefixlen(dst) == 0) && !rtnl_rule_get_iif(rule) &&
		   !rtnl_rule_get_oif(rule) && rtnl_rule_get_mark(rule) == 0;
}

/* Is this kernel rule ours, for addr (or for any address when addr is NULL)? */
static bool rule_is_ours(struct policyroute *pr, struct rtnl_rule *rule,
			 const struct sockaddr_storage *addr)
{
	struct policyroute_krule k;

	to_krule(rule, &k);
	return k.pref == pr->pref && k.plain && policyroute_tables_in_range(pr->tables, k.table) &&
	       k.from.ss_family != AF_UNSPEC && k.from_prefix == family_bits(k.from.ss_family) &&
	       (!addr || sockaddr_equal_addr(&k.from, addr));
}

/* ---- rules ---- */

/* Delete the rule "from addr lookup table pref PREF". */
static int rule_delete(struct policyroute *pr, const struct sockaddr_storage *addr, uint32_t table)
{
	_cleanup_(rtnl_rule_putp) struct rtnl_rule *rule = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *src = NULL;
	int r;

	r = to_nladdr(addr, family_bits(addr->ss_family), &src);
	if (r < 0)
		return r;
	rule = rtnl_rule_alloc();
	if (!rule)
		return -ENOMEM;
	rtnl_rule_set_family(rule, addr->ss_family);
	rtnl_rule_set_prio(rule, pr->pref);
	rtnl_rule_set_table(rule, table);
	rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
	r = rtnl_rule_set_src(rule, src);
	if (r < 0)
		return nlerr_to_errno(r);
	r = result(pr, rtnl_rule_delete(request(pr), rule, 0));
	return r == -ENOENT || r == -ESRCH ? 0 : r; /* gone already */
}

static int rule_add(struct policyroute *pr, const struct policyroute_rule *pl)
{
	_cleanup_(rtnl_rule_putp) struct rtnl_rule *rule = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *src = NULL;
	int r;

	r = to_nladdr(&pl->from, family_bits(pl->from.ss_family), &src);
	if (r < 0)
		return r;
	rule = rtnl_rule_alloc();
	if (!rule)
		return -ENOMEM;
	rtnl_rule_set_family(rule, pl->from.ss_family);
	rtnl_rule_set_prio(rule, pl->pref);
	rtnl_rule_set_table(rule, pl->table);
	rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
	r = rtnl_rule_set_src(rule, src);
	if (r < 0)
		return nlerr_to_errno(r);
	/* NLM_F_EXCL: never a duplicate; one that exists is what we want. */
	r = result(pr, rtnl_rule_add(request(pr), rule, NLM_F_EXCL));
	return r == -EEXIST ? 0 : r;
}

/*
 * Delete addr's rules (ours: preference, range, from addr alone) except
 * one to table keep (0: none), and collect the tables they pointed to.
 * *have tells whether the rule to keep exists.
 */
#define MAX_STALE 16
static int rules_of(struct policyroute *pr, const struct sockaddr_storage *addr, uint32_t keep,
		    bool *have, uint32_t *stale, size_t *nstale)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	int r, first = 0;

	*have = false;
	*nstale = 0;
	r = dump_rules(pr, addr->ss_family, &cache);
	if (r < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_rule *rule = (struct rtnl_rule *)o;
		uint32_t table = rtnl_rule_get_table(rule);

		if (!rule_is_ours(pr, rule, addr))
			continue;
		if (table == keep) {
			*have = true;
			continue;
		}
		r = rule_delete(pr, addr, table);
		if (r < 0 && first == 0)
			first = r;
		if (*nstale < MAX_STALE)
			stale[(*nstale)++] = table;
	}
	return first;
}

/* ---- routes ---- */

static int route_add(struct policyroute *pr, const struct policyroute_route *p, int ifindex)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *route = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *dst = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *src = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *gw = NULL;
	struct rtnl_nexthop *nh;
	unsigned bits = family_bits(p->family);
	int r;

	r = to_nladdr(&p->dst, p->prefix, &dst);
	if (r < 0)
		return r;
	r = to_nladdr(&p->src, bits, &src);
	if (r < 0)
		return r;
	if (p->gateway.ss_family != AF_UNSPEC) {
		r = to_nladdr(&p->gateway, bits, &gw);
		if (r < 0)
			return r;
	}
	route = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	if (!route || !nh) {
		if (nh)
			rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(route, nh); /* the route owns nh now */
	rtnl_route_set_family(route, p->family);
	rtnl_route_set_table(route, p->table);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_scope(route, p->scope);
	r = rtnl_route_set_dst(route, dst);
	if (r >= 0)
		r = rtnl_route_set_pref_src(route, src);
	if (r < 0)
		return nlerr_to_errno(r);
	/* NLM_F_REPLACE (with libnl's NLM_F_CREATE): add, or replace the route to dst. */
	return result(pr, rtnl_route_add(request(pr), route, NLM_F_REPLACE));
}

/* Does kernel route r go to p's destination? */
static bool route_is(struct rtnl_route *r, const struct policyroute_route *p)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	unsigned prefix = dst ? nl_addr_get_prefixlen(dst) : 0;

	if (rtnl_route_get_family(r) != p->family || prefix != p->prefix)
		return false;
	if (prefix == 0)
		return true;
	return nl_addr_get_len(dst) == family_bits(p->family) / 8 &&
	       memcmp(nl_addr_get_binary_addr(dst), addr_bytes(&p->dst),
		      family_bits(p->family) / 8) == 0;
}

/* Which routes of a dump to delete. */
struct sieve {
	bool (*doomed)(struct policyroute *pr, struct rtnl_route *r, const void *arg);
	const void *arg;
};

/* Delete the routes the sieve dooms, both families. Returns the first error. */
static int routes_delete(struct policyroute *pr, const struct sieve *s)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int first = 0;

	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
		int r = dump_routes(pr, families[f], &cache);

		if (r < 0) {
			if (first == 0)
				first = r;
			continue;
		}
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_route *route = (struct rtnl_route *)o;

			if (!s->doomed(pr, route, s->arg))
				continue;
			r = result(pr, rtnl_route_delete(request(pr), route, 0));
			if (r < 0 && r != -ESRCH && r != -ENOENT && first == 0)
				first = r;
		}
	}
	return first;
}

/* Routes of the plan's table to a destination the plan does not have. */
static bool doomed_not_in_plan(struct policyroute *pr, struct rtnl_route *r, const void *arg)
{
	const struct policyroute_plan *plan = arg;

	if (rtnl_route_get_table(r) != plan->rule.table)
		return false;
	for (size_t i = 0; i < plan->nroutes; i++)
		if (route_is(r, &plan->routes[i]))
			return false;
	return true;
}

struct table_list {
	const uint32_t *tables;
	size_t n;
};

/* Routes of the listed tables. */
static bool doomed_listed(struct policyroute *pr, struct rtnl_route *r, const void *arg)
{
	const struct table_list *l = arg;
	uint32_t table = rtnl_route_get_table(r);

	for (size_t i = 0; i < l->n; i++)
		if (l->tables[i] == table)
			return true;
	return false;
}

/* Routes of a table in the range that no address holds. */
static bool doomed_unowned(struct policyroute *pr, struct rtnl_route *r, const void *arg)
{
	uint32_t table = rtnl_route_get_table(r);

	return policyroute_tables_in_range(pr->tables, table) &&
	       !policyroute_tables_owner(pr->tables, table);
}

/* ---- take, release, cleanup ---- */

int policyroute_release(struct policyroute *pr, const struct sockaddr_storage *addr)
{
	uint32_t tables[MAX_STALE + 1], mine;
	struct table_list list = { tables, 0 };
	struct sieve s = { doomed_listed, &list };
	size_t n = 0;
	bool have;
	int r, r2;

	if (family_bits(addr->ss_family) == 0)
		return -EAFNOSUPPORT;
	r = rules_of(pr, addr, 0, &have, tables, &n);
	if (policyroute_tables_lookup(pr->tables, addr, &mine) == 0) {
		tables[n++] = mine;
		policyroute_tables_release(pr->tables, addr);
	}
	/* Flush only tables no other address holds (a stale rule may point anywhere). */
	for (size_t i = 0; i < n; i++)
		if (!policyroute_tables_owner(pr->tables, tables[i]))
			tables[list.n++] = tables[i];
	r2 = list.n ? routes_delete(pr, &s) : 0;
	return r < 0 ? r : r2;
}

int policyroute_take(struct policyroute *pr, const struct sockaddr_storage *addr, unsigned prefix,
		     const char *ifname, const struct conf_route *routes, size_t nroutes)
{
	struct policyroute_plan plan;
	uint32_t table, stale[MAX_STALE + 1];
	struct table_list list = { stale, 0 };
	struct sieve s = { doomed_not_in_plan, &plan };
	bool had, have;
	size_t n = 0;
	int ifindex, r;

	if (family_bits(addr->ss_family) == 0)
		return -EAFNOSUPPORT;
	if (policyroute_count_for(addr, routes, nroutes) == 0) {
		r = policyroute_release(pr, addr);
		return r < 0 ? r : 0;
	}
	ifindex = ifindex_of(ifname);
	if (ifindex < 0)
		return ifindex;

	had = policyroute_tables_lookup(pr->tables, addr, &table) == 0;
	r = policyroute_tables_alloc(pr->tables, addr, &table);
	if (r < 0)
		return r;
	r = policyroute_plan_make(addr, prefix, ifname, routes, nroutes, table, pr->pref, &plan);
	if (r < 0) {
		if (!had)
			policyroute_tables_release(pr->tables, addr);
		return r;
	}

	for (size_t i = 0; i < plan.nroutes && r >= 0; i++)
		r = route_add(pr, &plan.routes[i], ifindex);
	if (r >= 0)
		r = routes_delete(pr, &s);
	if (r >= 0)
		r = rules_of(pr, addr, table, &have, stale, &n);
	if (r >= 0 && !have)
		r = rule_add(pr, &plan.rule);
	if (r >= 0 && n > 0) {
		/* Rules of addr to other tables were deleted: flush those nobody holds. */
		struct sieve flush = { doomed_listed, &list };

		for (size_t i = 0; i < n; i++)
			if (!policyroute_tables_owner(pr->tables, stale[i]))
				stale[list.n++] = stale[i];
		r = list.n ? routes_delete(pr, &flush) : 0;
	}
	policyroute_plan_clear(&plan);
	return r < 0 ? r : 1;
}

/*
 * Sweep the rules of one family: adopt the kept, delete the leftovers.
 * Returns 0 once the map is swept (the first failed deletion, if any, in
 * *delete_err), or -errno when it could not be (no dump, no memory).
 */
static int sweep_family(struct policyroute *pr, int family, const struct sockaddr_storage *keep,
			size_t nkeep, int *delete_err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	_cleanup_(freep) struct policyroute_krule *k = NULL;
	_cleanup_(freep) enum policyroute_verdict *v = NULL;
	size_t n = 0, count;
	int r;

	r = dump_rules(pr, family, &cache);
	if (r < 0)
		return r;
	count = (size_t)nl_cache_nitems(cache);
	k = calloc(count + 1, sizeof(*k));
	v = calloc(count + 1, sizeof(*v));
	if (!k || !v)
		return -ENOMEM;
	for (struct nl_object *o = nl_cache_get_first(cache); o && n < count;
	     o = nl_cache_get_next(o))
		to_krule((struct rtnl_rule *)o, &k[n++]);
	r = policyroute_sweep(pr->tables, pr->pref, k, n, keep, nkeep, v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (v[i] != POLICYROUTE_DELETE)
			continue;
		r = rule_delete(pr, &k[i].from, k[i].table);
		if (r < 0 && *delete_err == 0)
			*delete_err = r;
	}
	return 0;
}

int policyroute_cleanup(struct policyroute *pr, const struct sockaddr_storage *keep, size_t nkeep)
{
	struct sieve s = { doomed_unowned, NULL };
	int delete_err = 0, r;

	/*
	 * Both families must be swept before anything is flushed: a table
	 * is a leftover only when no kept address of either family holds it.
	 */
	r = sweep_family(pr, AF_INET, keep, nkeep, &delete_err);
	if (r >= 0)
		r = sweep_family(pr, AF_INET6, keep, nkeep, &delete_err);
	if (r < 0)
		return r;
	r = routes_delete(pr, &s);
	return delete_err < 0 ? delete_err : r;
}
