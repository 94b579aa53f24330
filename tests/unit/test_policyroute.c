/*
 * test_policyroute.c — the pure decisions of per-IP policy routing
 * (failover/policyroute.c), by tables of cases: the configuration check,
 * table ids (lowest free, stable while held, reuse after release, a full
 * range, adoption at start-up), the rule and routes of one address for
 * IPv4 and IPv6 with and without gateways, and the start-up sweep of the
 * kernel's rules. Addresses and routes are written as text.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "agentd/addr.h"
#include "failover/policyroute.h"

/* "10.0.0.1", "fd00::1"; "" gives AF_UNSPEC. */
static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (!*s)
		return ss;
	if (strchr(s, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

/* "ADDR/PREFIX" (or "ADDR", prefix = full length) into *a and *prefix. */
static void cidr(const char *s, struct sockaddr_storage *a, unsigned *prefix)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	*a = ip(buf);
	*prefix = slash ? (unsigned)atoi(slash + 1) : a->ss_family == AF_INET ? 32 : 128;
}

/* One line of the policy routing file, "PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]". */
static struct conf_route line(const char *s, unsigned lineno)
{
	struct conf_route r = { 0 };
	char a[64] = "", n[64] = "", g[64] = "";

	assert_true(sscanf(s, "%63s %63s %63s", a, n, g) >= 2);
	r.pubaddr = ip(a);
	cidr(n, &r.net.addr, &r.net.prefix);
	r.gateway = ip(g);
	r.line = lineno;
	return r;
}

/* ---- the configuration check ---- */

static void test_check_config(void **state)
{
	static const struct {
		uint32_t pref, low, high;
		int want;
	} cases[] = {
		{ 100, 1000, 9000, 0 },
		{ 100, 1000, 1000, 0 },          /* one table */
		{ 100, 1, 252, 0 },
		{ 100, 256, UINT32_MAX, 0 },
		{ 0, 1000, 9000, -EINVAL },      /* pref 0: among the local rule */
		{ 100, 0, 10, -EINVAL },         /* table 0: unspecified */
		{ 100, 2000, 1000, -EINVAL },
		{ 100, 250, 260, -EINVAL },      /* holds default, main, local */
		{ 100, 253, 253, -EINVAL },
		{ 100, 254, 300, -EINVAL },
		{ 100, 100, 255, -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policyroute_tables *t = NULL;
		int want_new = cases[i].want;

		assert_int_equal(policyroute_check_config(cases[i].pref, cases[i].low, cases[i].high),
				 cases[i].want);
		if (cases[i].pref == 0)
			want_new = 0; /* the map does not care about the preference */
		assert_int_equal(policyroute_tables_new(cases[i].low, cases[i].high, &t), want_new);
		policyroute_tables_free(t);
	}
}

/* ---- table ids ---- */

struct step {
	char op;          /* a alloc, r release, d adopt, l lookup */
	const char *addr;
	uint32_t table;   /* d: the table to adopt */
	int want;         /* return value */
	uint32_t got;     /* a, l: the table when want == 0 */
};

static void test_tables(void **state)
{
	static const struct {
		uint32_t low, high;
		struct step steps[20];
	} cases[] = {
		/* Lowest free id, stable while held, reused after release, a full range. */
		{ 1000, 1002, {
			{ 'a', "10.0.0.1", 0, 0, 1000 },
			{ 'a', "10.0.0.2", 0, 0, 1001 },
			{ 'a', "10.0.0.1", 0, 0, 1000 },
			{ 'a', "fd00::1", 0, 0, 1002 },
			{ 'a', "10.0.0.3", 0, -ENOSPC, 0 },
			{ 'l', "10.0.0.3", 0, -ENOENT, 0 },
			{ 'r', "10.0.0.2", 0, 0, 0 },
			{ 'r', "10.0.0.2", 0, -ENOENT, 0 },
			{ 'l', "10.0.0.2", 0, -ENOENT, 0 },
			{ 'a', "10.0.0.3", 0, 0, 1001 },
			{ 'l', "10.0.0.3", 0, 0, 1001 },
			{ 'r', "10.0.0.1", 0, 0, 0 },
			{ 'r', "fd00::1", 0, 0, 0 },
			{ 'a', "fd00::9", 0, 0, 1000 },
			{ 'a', "10.0.0.1", 0, 0, 1002 },
			{ 'a', "", 0, -EAFNOSUPPORT, 0 },
		} },
		/* Adoption at start-up, then allocation around the adopted ids. */
		{ 1000, 1005, {
			{ 'd', "10.0.0.1", 1003, 0, 0 },
			{ 'd', "10.0.0.1", 1003, 0, 0 },        /* again: fine */
			{ 'd', "10.0.0.1", 1004, -EEXIST, 0 },  /* holds another */
			{ 'd', "10.0.0.2", 1003, -EEXIST, 0 },  /* held by another */
			{ 'd', "10.0.0.2", 999, -ERANGE, 0 },
			{ 'd', "10.0.0.2", 1006, -ERANGE, 0 },
			{ 'd', "", 1001, -EAFNOSUPPORT, 0 },
			{ 'l', "10.0.0.1", 0, 0, 1003 },
			{ 'a', "10.0.0.2", 0, 0, 1000 },
			{ 'a', "10.0.0.3", 0, 0, 1001 },
			{ 'a', "10.0.0.4", 0, 0, 1002 },
			{ 'a', "10.0.0.5", 0, 0, 1004 },
			{ 'a', "10.0.0.6", 0, 0, 1005 },
			{ 'a', "10.0.0.7", 0, -ENOSPC, 0 },
			{ 'r', "10.0.0.1", 0, 0, 0 },
			{ 'a', "10.0.0.7", 0, 0, 1003 },
		} },
		/* One table. */
		{ 7, 7, {
			{ 'a', "fd00::1", 0, 0, 7 },
			{ 'a', "fd00::2", 0, -ENOSPC, 0 },
			{ 'r', "fd00::1", 0, 0, 0 },
			{ 'a', "fd00::2", 0, 0, 7 },
		} },
		/* The top of the id space: no wrap-around. */
		{ UINT32_MAX - 1, UINT32_MAX, {
			{ 'a', "10.0.0.1", 0, 0, UINT32_MAX - 1 },
			{ 'a', "10.0.0.2", 0, 0, UINT32_MAX },
			{ 'a', "10.0.0.3", 0, -ENOSPC, 0 },
			{ 'd', "10.0.0.3", UINT32_MAX, -EEXIST, 0 },
		} },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policyroute_tables *t = NULL;

		assert_int_equal(policyroute_tables_new(cases[i].low, cases[i].high, &t), 0);
		for (size_t j = 0; j < ARRAY_SIZE(cases[i].steps) && cases[i].steps[j].op; j++) {
			const struct step *s = &cases[i].steps[j];
			struct sockaddr_storage a = ip(s->addr);
			uint32_t got = 0;
			int r = 0;

			switch (s->op) {
			case 'a':
				r = policyroute_tables_alloc(t, &a, &got);
				break;
			case 'r':
				r = policyroute_tables_release(t, &a);
				break;
			case 'd':
				r = policyroute_tables_adopt(t, &a, s->table);
				break;
			case 'l':
				r = policyroute_tables_lookup(t, &a, &got);
				break;
			}
			if (r != s->want || (r == 0 && s->got && got != s->got))
				fail_msg("case %zu step %zu (%c %s): got %d table %" PRIu32
					 ", want %d table %" PRIu32, i, j, s->op, s->addr, r, got,
					 s->want, s->got);
			if (r == 0 && s->got) {
				const struct sockaddr_storage *owner = policyroute_tables_owner(t, got);

				assert_non_null(owner);
				assert_true(sockaddr_equal_addr(owner, &a));
			}
		}
		policyroute_tables_free(t);
	}
}

/* ---- the plan ---- */

#define MAXR 6

static void test_plan(void **state)
{
	static const struct {
		const char *addr; /* ADDR/PREFIX */
		const char *ifname;
		const char *lines[MAXR];
		uint32_t table;
		int want;
		const char *rule;
		const char *routes[MAXR];
	} cases[] = {
		/* CTDB's example: the subnet line is the automatic route. */
		{ "192.168.1.99/24", "eth2", { "192.168.1.99 192.168.1.0/24" }, 1000, 1,
		  "from 192.168.1.99 lookup 1000 pref 100",
		  { "192.168.1.0/24 dev eth2 table 1000 scope link src 192.168.1.99" } },
		/* ... with a default route through a gateway. */
		{ "192.168.1.99/24", "eth2",
		  { "192.168.1.99 192.168.1.0/24", "192.168.1.99 0.0.0.0/0 192.168.1.1" }, 1000, 1,
		  "from 192.168.1.99 lookup 1000 pref 100",
		  { "192.168.1.0/24 dev eth2 table 1000 scope link src 192.168.1.99",
		    "default via 192.168.1.1 dev eth2 table 1000 src 192.168.1.99" } },
		/* CTDB's sample configuration: only the lines of this address. */
		{ "192.168.1.99/24", "eth3",
		  { "192.168.1.98 192.168.1.0/24", "192.168.1.98 192.168.200.0/24 192.168.1.254",
		    "192.168.1.98 0.0.0.0/0 192.168.1.1", "192.168.1.99 192.168.1.0/24",
		    "192.168.1.99 192.168.200.0/24 192.168.1.254", "192.168.1.99 0.0.0.0/0 192.168.1.1" },
		  1001, 1, "from 192.168.1.99 lookup 1001 pref 100",
		  { "192.168.1.0/24 dev eth3 table 1001 scope link src 192.168.1.99",
		    "192.168.200.0/24 via 192.168.1.254 dev eth3 table 1001 src 192.168.1.99",
		    "default via 192.168.1.1 dev eth3 table 1001 src 192.168.1.99" } },
		/* No subnet line: the automatic link route is added anyway. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 0.0.0.0/0 10.0.0.1" }, 1000, 1,
		  "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5",
		    "default via 10.0.0.1 dev eth0 table 1000 src 10.0.0.5" } },
		/* Link routes first, whatever the order of the file. */
		{ "10.0.0.5/24", "eth0",
		  { "10.0.0.5 0.0.0.0/0 10.1.0.1", "10.0.0.5 10.9.0.0/16 10.1.0.2", "10.0.0.5 10.1.0.0/16" },
		  1000, 1, "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5",
		    "10.1.0.0/16 dev eth0 table 1000 scope link src 10.0.0.5",
		    "default via 10.1.0.1 dev eth0 table 1000 src 10.0.0.5",
		    "10.9.0.0/16 via 10.1.0.2 dev eth0 table 1000 src 10.0.0.5" } },
		/* A /32 address has no subnet route of its own. */
		{ "10.0.0.5/32", "eth0", { "10.0.0.5 10.0.0.0/24", "10.0.0.5 0.0.0.0/0 10.0.0.1" }, 1000, 1,
		  "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5",
		    "default via 10.0.0.1 dev eth0 table 1000 src 10.0.0.5" } },
		/* Host bits of a network are cleared, as of the address's subnet. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 10.9.8.7/16 10.0.0.1" }, 1000, 1,
		  "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5",
		    "10.9.0.0/16 via 10.0.0.1 dev eth0 table 1000 src 10.0.0.5" } },
		{ "10.0.0.200/25", "eth0", { "10.0.0.200 0.0.0.0/0 10.0.0.129" }, 1000, 1,
		  "from 10.0.0.200 lookup 1000 pref 100",
		  { "10.0.0.128/25 dev eth0 table 1000 scope link src 10.0.0.200",
		    "default via 10.0.0.129 dev eth0 table 1000 src 10.0.0.200" } },
		/* A line for the address's own subnet through a gateway replaces the automatic route. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 10.0.0.0/24 10.0.0.254" }, 1000, 1,
		  "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 via 10.0.0.254 dev eth0 table 1000 src 10.0.0.5" } },
		/* Two lines for one destination: the first wins. */
		{ "10.0.0.5/24", "eth0",
		  { "10.0.0.5 10.9.0.0/16 10.0.0.1", "10.0.0.5 10.9.0.0/16 10.0.0.2", "10.0.0.5 10.9.0.0/16" },
		  1000, 1, "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5",
		    "10.9.0.0/16 via 10.0.0.1 dev eth0 table 1000 src 10.0.0.5" } },
		/* No line for the address: nothing to do. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.6 10.0.0.0/24", "fd00::5 ::/0 fd00::1" }, 1000, 0, NULL, { NULL } },
		{ "10.0.0.5/24", "eth0", { NULL }, 1000, 0, NULL, { NULL } },
		/* IPv6: no scopes; default route and a network through gateways. */
		{ "fd00:1::5/64", "eth0", { "fd00:1::5 ::/0 fd00:1::1", "fd00:1::5 fd00:2::/48 fd00:1::fe" },
		  4000, 1, "from fd00:1::5 lookup 4000 pref 100",
		  { "fd00:1::/64 dev eth0 table 4000 src fd00:1::5",
		    "default via fd00:1::1 dev eth0 table 4000 src fd00:1::5",
		    "fd00:2::/48 via fd00:1::fe dev eth0 table 4000 src fd00:1::5" } },
		{ "fd00:1::5/128", "eth0", { "fd00:1::5 fd00:1::/64", "10.0.0.5 10.0.0.0/24" }, 4000, 1,
		  "from fd00:1::5 lookup 4000 pref 100",
		  { "fd00:1::/64 dev eth0 table 4000 src fd00:1::5" } },
		{ "fd00:1:0:0:ffff::5/66", "eth0", { "fd00:1::ffff:0:0:5 fd00:9::/32" }, 4000, 1,
		  "from fd00:1::ffff:0:0:5 lookup 4000 pref 100",
		  { "fd00:1:0:0:c000::/66 dev eth0 table 4000 src fd00:1::ffff:0:0:5",
		    "fd00:9::/32 dev eth0 table 4000 src fd00:1::ffff:0:0:5" } },
		/* Errors: a line of this address of another family, bad arguments. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 fd00::/64" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 0.0.0.0/0 fd00::1" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 10.0.0.0/33" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/33", "eth0", { "10.0.0.5 10.0.0.0/24" }, 1000, -EINVAL, NULL, { NULL } },
		{ "fd00::5/129", "eth0", { "fd00::5 ::/0 fd00::1" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/24", "", { "10.0.0.5 10.0.0.0/24" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/24", "abcdefghijklmnop", { "10.0.0.5 10.0.0.0/24" }, 1000, -EINVAL, NULL, { NULL } },
		{ "10.0.0.5/24", "eth0", { "10.0.0.5 10.0.0.0/24" }, 0, -EINVAL, NULL, { NULL } },
		{ "/24", "eth0", { "10.0.0.5 10.0.0.0/24" }, 1000, -EAFNOSUPPORT, NULL, { NULL } },
		/* ... but a bad line of another address is not this one's business. */
		{ "10.0.0.5/24", "eth0", { "10.0.0.6 fd00::/64", "10.0.0.5 10.0.0.0/24" }, 1000, 1,
		  "from 10.0.0.5 lookup 1000 pref 100",
		  { "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5" } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct conf_route routes[MAXR];
		struct policyroute_plan plan;
		struct sockaddr_storage addr;
		size_t nroutes = 0, nwant = 0;
		unsigned prefix;
		char buf[256];
		int r;

		cidr(cases[i].addr, &addr, &prefix);
		for (; nroutes < MAXR && cases[i].lines[nroutes]; nroutes++)
			routes[nroutes] = line(cases[i].lines[nroutes], (unsigned)nroutes + 1);
		r = policyroute_plan_make(&addr, prefix, cases[i].ifname, routes, nroutes,
					  cases[i].table, 100, &plan);
		if (r != cases[i].want)
			fail_msg("case %zu (%s): got %d, want %d", i, cases[i].addr, r, cases[i].want);
		while (nwant < MAXR && cases[i].routes[nwant])
			nwant++;
		if (r <= 0) {
			assert_int_equal(plan.nroutes, 0);
			assert_null(plan.routes);
			continue;
		}
		assert_int_equal(policyroute_count_for(&addr, routes, nroutes) > 0, 1);
		assert_string_equal(policyroute_rule_format(buf, sizeof(buf), &plan.rule), cases[i].rule);
		if (plan.nroutes != nwant) {
			for (size_t j = 0; j < plan.nroutes; j++)
				print_message("  got %s\n",
					      policyroute_route_format(buf, sizeof(buf), &plan.routes[j]));
			fail_msg("case %zu (%s): %zu routes, want %zu", i, cases[i].addr, plan.nroutes,
				 nwant);
		}
		for (size_t j = 0; j < nwant; j++) {
			const struct policyroute_route *rt = &plan.routes[j];

			assert_string_equal(policyroute_route_format(buf, sizeof(buf), rt),
					    cases[i].routes[j]);
			assert_int_equal(rt->family, addr.ss_family);
			assert_int_equal(rt->table, cases[i].table);
			assert_true(sockaddr_equal_addr(&rt->src, &addr));
			if (addr.ss_family == AF_INET6 || rt->gateway.ss_family != AF_UNSPEC)
				assert_int_equal(rt->scope, POLICYROUTE_SCOPE_UNIVERSE);
			else
				assert_int_equal(rt->scope, POLICYROUTE_SCOPE_LINK);
		}
		policyroute_plan_clear(&plan);
		assert_null(plan.routes);
	}
}

/* ---- the start-up sweep ---- */

/* "PREF TABLE FROM[/P] [x]": from "all", or an address; x: not plain. */
static struct policyroute_krule krule(const char *s)
{
	struct policyroute_krule k = { 0 };
	char from[64] = "", x[8] = "";

	assert_true(sscanf(s, "%" SCNu32 " %" SCNu32 " %63s %7s", &k.pref, &k.table, from, x) >= 3);
	if (!streq(from, "all"))
		cidr(from, &k.from, &k.from_prefix);
	k.plain = !streq(x, "x");
	return k;
}

#define MAXK 12

static void test_sweep(void **state)
{
	static const struct {
		const char *held[4];  /* "ADDR TABLE" in the map before */
		const char *rules[MAXK];
		const char *keep[4];
		const char *verdicts; /* N not ours, K keep, D delete */
		const char *after[4]; /* "ADDR TABLE" in the map after, by table */
	} cases[] = {
		/* Start-up: an empty map. */
		{ { NULL },
		  { "0 255 all", "100 1000 10.0.0.5", "100 1001 10.0.0.6", "100 50 10.0.0.7",
		    "200 1002 10.0.0.8", "100 1003 10.0.0.0/24", "100 1004 10.0.0.5",
		    "100 1000 10.0.0.9", "100 1005 10.0.0.10 x", "100 1006 fd00::5",
		    "100 1007 fd00::6", "32766 254 all" },
		  { "10.0.0.5", "10.0.0.9", "fd00::5" },
		  "NKDNNNDDNKDN",
		  { "10.0.0.5 1000", "fd00::5 1006" } },
		/* Nothing hosted: every rule of ours goes. */
		{ { NULL }, { "100 1000 10.0.0.5", "100 1009 fd00::5", "100 1010 fd00::6" }, { NULL },
		  "DDN", { NULL } },
		/* Later on: the map wins over the kernel, the unhosted give their table back. */
		{ { "10.0.0.5 1000", "10.0.0.20 1002" },
		  { "100 1000 10.0.0.5", "100 1003 10.0.0.5", "100 1002 10.0.0.21" },
		  { "10.0.0.5", "10.0.0.21" },
		  "KDK", { "10.0.0.5 1000", "10.0.0.21 1002" } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policyroute_krule rules[MAXK];
		enum policyroute_verdict v[MAXK];
		struct sockaddr_storage keep[4];
		struct policyroute_tables *t = NULL;
		size_t nrules = 0, nkeep = 0, nafter = 0;
		char got[MAXK + 1] = "";

		assert_int_equal(policyroute_tables_new(1000, 1009, &t), 0);
		for (size_t j = 0; j < 4 && cases[i].held[j]; j++) {
			char a[64];
			uint32_t table;

			assert_int_equal(sscanf(cases[i].held[j], "%63s %" SCNu32, a, &table), 2);
			struct sockaddr_storage ss = ip(a);

			assert_int_equal(policyroute_tables_adopt(t, &ss, table), 0);
		}
		for (; nrules < MAXK && cases[i].rules[nrules]; nrules++)
			rules[nrules] = krule(cases[i].rules[nrules]);
		for (; nkeep < 4 && cases[i].keep[nkeep]; nkeep++)
			keep[nkeep] = ip(cases[i].keep[nkeep]);
		assert_int_equal(policyroute_sweep(t, 100, rules, nrules, keep, nkeep, v), 0);
		for (size_t j = 0; j < nrules; j++)
			got[j] = v[j] == POLICYROUTE_KEEP ? 'K' : v[j] == POLICYROUTE_DELETE ? 'D' : 'N';
		if (!streq(got, cases[i].verdicts))
			fail_msg("case %zu: verdicts %s, want %s", i, got, cases[i].verdicts);
		for (; nafter < 4 && cases[i].after[nafter]; nafter++) {
			char a[64];
			uint32_t table, have = 0;
			struct sockaddr_storage ss;

			assert_int_equal(sscanf(cases[i].after[nafter], "%63s %" SCNu32, a, &table), 2);
			ss = ip(a);
			assert_int_equal(policyroute_tables_lookup(t, &ss, &have), 0);
			assert_int_equal(have, table);
		}
		assert_int_equal(policyroute_tables_count(t), nafter);
		policyroute_tables_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
