/*
 * policyroute.h — CTDB's per-IP policy routing (ctdb(7) POLICY ROUTING,
 * the 13.per_ip_routing event script), the decisions: which routing table
 * each public address uses, and what goes into it. Pure functions; the
 * kernel side is policyroute_apply.h.
 *
 * The feature: traffic sourced from a public address is routed by a table
 * of its own, so that addresses on different networks (VLANs) leave
 * through their own interface and gateway. herd's policy routing file
 * (parsed by conf/, struct conf_route) has CTDB's format, one route a line:
 *
 *     PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]
 *
 * A line without a gateway is a link route. When this node hosts
 * ADDR/PREFIX on IFACE and the file has lines for ADDR:
 *
 *     ip rule add from ADDR lookup TABLE pref PREF
 *     ip route add SUBNET dev IFACE src ADDR scope link table TABLE
 *     ip route add NETWORK [via GATEWAY] dev IFACE src ADDR table TABLE
 *
 * where SUBNET is ADDR/PREFIX with the host bits cleared (no such route
 * for a /32 or /128 address), and one NETWORK route per line for ADDR.
 * An address with no line gets no rule and no table (as CTDB: "do nothing
 * if no config for this IP"), which is also how an address leaves policy
 * routing when its lines are removed from the file.
 *
 * Decided here, and how it departs from CTDB:
 *   - Table ids. CTDB names a table "ctdb.ADDR" in /etc/iproute2/rt_tables
 *     and gives each address it ever saw the id above the highest one in
 *     use, until shutdown. herd keeps the map address -> table in memory
 *     (struct policyroute_tables) and writes no file: an address gets the
 *     lowest id in [low, high] that no other hosted address holds, keeps
 *     it while hosted, and the id is free again at release. The map is
 *     rebuilt at start-up from the kernel's own rules (policyroute_sweep:
 *     a rule "from ADDR lookup TABLE pref PREF" of an address still hosted
 *     is adopted), so a restart of herdd keeps every table where it was.
 *     A full range is -ENOSPC.
 *   - The link route of the address's own subnet is always added (with
 *     src ADDR), so a gateway of that subnet is reachable through the
 *     table itself; CTDB only adds what the file says, so CTDB configs
 *     repeat the subnet ("192.168.1.99 192.168.1.0/24"). Such a line and
 *     the automatic route are the same route: the plan has one route per
 *     destination, a line of the file wins over the automatic route, and
 *     of two lines for one destination the first wins (the parser should
 *     refuse them).
 *   - Routes carry src ADDR (CTDB's do not): the kernel then drops an
 *     IPv4 table's routes together with the address (see
 *     policyroute_apply.h for what that means for secondaries).
 *   - Link routes come before gateway routes, so that the kernel finds
 *     each gateway through the table being filled.
 *
 * Not here: parsing (conf/), the kernel (policyroute_apply.c), logging.
 */
#ifndef HERD_FAILOVER_POLICYROUTE_H
#define HERD_FAILOVER_POLICYROUTE_H

#include <net/if.h>
#include <stdint.h>
#include <sys/socket.h>

#include "agentd/util.h"
#include "conf/conf.h"

/* Route scopes, as <linux/rtnetlink.h> numbers them. */
#define POLICYROUTE_SCOPE_UNIVERSE 0
#define POLICYROUTE_SCOPE_LINK     253

/*
 * Check a configuration: pref > 0; 1 <= low <= high; the range must not
 * hold the kernel's own tables 253 (default), 254 (main) and 255 (local),
 * as CTDB requires. Returns 0 or -EINVAL.
 */
int policyroute_check_config(uint32_t pref, uint32_t low, uint32_t high);

/* ---- table ids ---- */

/* Which hosted address holds which table id of [low, high]. */
struct policyroute_tables;

/* An empty map over [low, high]; -EINVAL for a range policyroute_check_config refuses, -ENOMEM. */
int policyroute_tables_new(uint32_t low, uint32_t high, struct policyroute_tables **out);
void policyroute_tables_free(struct policyroute_tables *t);

/* Is table within [low, high]? */
bool policyroute_tables_in_range(const struct policyroute_tables *t, uint32_t table);

/* The table of addr: 0, or -ENOENT when it has none. */
int policyroute_tables_lookup(const struct policyroute_tables *t,
			      const struct sockaddr_storage *addr, uint32_t *table);

/* The address holding table, or NULL. */
const struct sockaddr_storage *policyroute_tables_owner(const struct policyroute_tables *t,
							uint32_t table);

/* How many addresses hold a table. */
size_t policyroute_tables_count(const struct policyroute_tables *t);

/*
 * The table of addr: the one it holds, or else the lowest free id, which
 * it then holds. Returns 0, -ENOSPC (every id is held), -EAFNOSUPPORT
 * (neither IPv4 nor IPv6), -ENOMEM.
 */
int policyroute_tables_alloc(struct policyroute_tables *t, const struct sockaddr_storage *addr,
			     uint32_t *table);

/*
 * addr holds table from now on (start-up: what the kernel already has).
 * Returns 0 (also when it held it already), -ERANGE (table outside the
 * range), -EEXIST (addr holds another table, or another address holds
 * this one), -EAFNOSUPPORT, -ENOMEM.
 */
int policyroute_tables_adopt(struct policyroute_tables *t, const struct sockaddr_storage *addr,
			     uint32_t table);

/* addr gives its table back: 0, or -ENOENT when it held none. */
int policyroute_tables_release(struct policyroute_tables *t, const struct sockaddr_storage *addr);

/* ---- what to put in the kernel for one address ---- */

/* The rule: from ADDR (alone: /32, /128) lookup TABLE pref PREF. */
struct policyroute_rule {
	struct sockaddr_storage from;
	uint32_t table;
	uint32_t pref;
};

/* One route of the address's table. */
struct policyroute_route {
	int family;                      /* AF_INET or AF_INET6 */
	struct sockaddr_storage dst;     /* the network, host bits cleared */
	unsigned prefix;                 /* 0: the default route */
	struct sockaddr_storage gateway; /* AF_UNSPEC: none, a link route */
	struct sockaddr_storage src;     /* preferred source: the public address */
	char ifname[IF_NAMESIZE];
	uint32_t table;
	/*
	 * POLICYROUTE_SCOPE_LINK for an IPv4 link route, else UNIVERSE
	 * (IPv6 routes have no scope: the kernel keeps them all UNIVERSE).
	 */
	uint8_t scope;
};

struct policyroute_plan {
	struct policyroute_rule rule;
	struct policyroute_route *routes; /* link routes first, then via a gateway */
	size_t nroutes;
};

/*
 * How many lines of routes (a whole policy routing file will do) are for
 * addr. 0 means: no policy routing for it.
 */
size_t policyroute_count_for(const struct sockaddr_storage *addr, const struct conf_route *routes,
			     size_t nroutes);

/*
 * The rule and routes for addr/prefix hosted on ifname, using table and
 * rule preference pref. routes may be the whole policy routing file:
 * lines for other addresses are skipped. Returns 1 with *plan filled (free
 * it with policyroute_plan_clear), 0 when no line is for addr (*plan
 * empty), or -EAFNOSUPPORT (addr neither IPv4 nor IPv6), -EINVAL (a
 * prefix too long, table or pref 0, a bad interface name, a line for addr
 * whose network or gateway is of another family), -ENOMEM.
 */
int policyroute_plan_make(const struct sockaddr_storage *addr, unsigned prefix,
			  const char *ifname, const struct conf_route *routes, size_t nroutes,
			  uint32_t table, uint32_t pref, struct policyroute_plan *plan);
void policyroute_plan_clear(struct policyroute_plan *plan);

/* "from 10.0.0.5 lookup 1000 pref 100" into buf; returns buf. */
char *policyroute_rule_format(char *buf, size_t len, const struct policyroute_rule *r);

/*
 * "10.0.0.0/24 dev eth0 table 1000 scope link src 10.0.0.5" or
 * "default via 10.0.0.1 dev eth0 table 1000 src 10.0.0.5" into buf (as
 * `ip route` would take it); returns buf.
 */
char *policyroute_route_format(char *buf, size_t len, const struct policyroute_route *r);

/* ---- start-up: which rules in the kernel are leftovers ---- */

/* A rule as the kernel lists it, reduced to what tells whether it is ours. */
struct policyroute_krule {
	uint32_t pref;
	uint32_t table;
	struct sockaddr_storage from; /* AF_UNSPEC: "from all" */
	unsigned from_prefix;
	bool plain;                   /* action "lookup" and no selector but from */
};

enum policyroute_verdict {
	POLICYROUTE_NOT_OURS, /* another preference, a table outside the range, not one address */
	POLICYROUTE_KEEP,     /* ours, for an address still hosted: adopted into the map */
	POLICYROUTE_DELETE,   /* ours and a leftover: delete it */
};

/*
 * Sort the kernel's rules: a rule is ours when its preference is pref, its
 * table within t's range, it is plain and matches one address. Ours and
 * for an address in keep: adopted into t (KEEP), unless that address or
 * table is already taken in t (an earlier duplicate won: DELETE). Ours
 * otherwise: DELETE. Addresses that t holds and keep lacks give their
 * table back first. verdicts has nrules entries. A table in range that
 * policyroute_tables_owner() does not give an owner afterwards holds
 * leftovers only: flush it. Returns 0 or -ENOMEM.
 */
int policyroute_sweep(struct policyroute_tables *t, uint32_t pref,
		      const struct policyroute_krule *rules, size_t nrules,
		      const struct sockaddr_storage *keep, size_t nkeep,
		      enum policyroute_verdict *verdicts);

#endif
