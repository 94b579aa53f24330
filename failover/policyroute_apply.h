/*
 * policyroute_apply.h — per-IP policy routing in the kernel, through
 * libnl-route-3 (rtnetlink rules and routes), never by running `ip`: the
 * thin layer that carries out policyroute.h's decisions at takeover,
 * release and start-up. It holds the map of table ids (address -> table)
 * and one rtnetlink socket in the network namespace that was current when
 * policyroute_new() ran. Calls are synchronous request/ack exchanges with
 * the kernel (a dump of the rules or routes costs well under a
 * millisecond), safe in the event loop. Nothing here logs: every failure
 * is returned as -errno.
 *
 * How herdd drives it (one struct policyroute while policy routing is
 * configured; a change of preference or range on reload means release
 * everything, free, new, cleanup, take again):
 *
 *   start-up    policyroute_cleanup(pr, hosted, n): the addresses this
 *               node hosts now. Removes the rules of a previous run for
 *               any other address and flushes every table in the range
 *               that no hosted address keeps; the rules of hosted
 *               addresses are adopted, so they keep their tables. Then
 *               policyroute_take() for each hosted address.
 *   takeover    policyroute_take(), after the address is on the interface
 *               (the kernel refuses a route whose src is not local:
 *               -EINVAL; an IPv6 address must not be tentative either, so
 *               add it with IPADDR_NODAD).
 *   release     policyroute_release(), before or after ipaddr_del.
 *   reload      policyroute_take() again for each hosted address: the
 *               table then matches the new file (an address with no line
 *               left loses its rule and table).
 *
 * Take is idempotent and converges: routes are added with "replace"
 * semantics (an existing route is not an error), routes of the table that
 * the plan no longer has are deleted, and the rule is added only when
 * missing. Routes go in before the rule, so the rule never points at an
 * empty table.
 *
 * IPv4 secondaries: the kernel deletes every IPv4 route whose src is an
 * address that leaves the interface. When ipaddr_del() removes a primary,
 * the kernel drops the secondaries of its subnet with it and ipaddr_del()
 * adds them back — but their tables have lost their routes. After
 * releasing an IPv4 address, call policyroute_take() again for the
 * addresses still hosted on that interface (CTDB's ipreallocated event
 * does the same with add_missing_routes).
 *
 * Errors callers can expect:
 *   -ENOSPC         every table id of the range is in use
 *   -ENODEV         the interface does not exist
 *   -EINVAL         the address is not (yet) on this node, or a bad plan
 *                   (policyroute_plan_make)
 *   -ENETUNREACH    IPv4: a gateway that no route of the table or main
 *                   reaches (IPv6: -EHOSTUNREACH)
 *   -EAFNOSUPPORT   the address is neither IPv4 nor IPv6
 *   -EPERM          no CAP_NET_ADMIN
 * On failure take leaves what it already did in place, and the address
 * keeps its table id until policyroute_release().
 */
#ifndef HERD_FAILOVER_POLICYROUTE_APPLY_H
#define HERD_FAILOVER_POLICYROUTE_APPLY_H

#include <stdint.h>
#include <sys/socket.h>

#include "agentd/util.h"
#include "conf/conf.h"

struct policyroute;

/*
 * Open the rtnetlink socket; rules get preference pref, tables come from
 * [table_low, table_high] (cf->policy_rule_preference,
 * cf->policy_table_low/high). -EINVAL when policyroute_check_config()
 * refuses them.
 */
int policyroute_new(uint32_t pref, uint32_t table_low, uint32_t table_high,
		    struct policyroute **out);
void policyroute_free(struct policyroute *pr);

/*
 * addr/prefix is now hosted on ifname: put its rule and routes in place
 * from routes (the whole policy routing file will do: lines for other
 * addresses are skipped). Returns 1 when addr has policy routing (rule and
 * table in place), 0 when no line is for it (and any rule or table it
 * still had is gone), or -errno.
 */
int policyroute_take(struct policyroute *pr, const struct sockaddr_storage *addr, unsigned prefix,
		     const char *ifname, const struct conf_route *routes, size_t nroutes);

/*
 * addr is no longer hosted: delete its rules (our preference, from addr,
 * a table of the range) and flush their tables, and free its table id.
 * Returns 0 also when there was nothing to remove, or -errno.
 */
int policyroute_release(struct policyroute *pr, const struct sockaddr_storage *addr);

/*
 * Remove what no hosted address needs: rules with our preference, a table
 * in the range and one address as source, for addresses not in keep; the
 * routes of every table in the range that no kept address holds. Rules of
 * kept addresses are adopted (policyroute_sweep). Also frees the table ids
 * of addresses not in keep. Rules with another preference, or a table
 * outside the range, are never touched. Returns 0 or -errno.
 */
int policyroute_cleanup(struct policyroute *pr, const struct sockaddr_storage *keep, size_t nkeep);

/* The table addr holds: 0, or -ENOENT (for status output and logs). */
int policyroute_table_of(const struct policyroute *pr, const struct sockaddr_storage *addr,
			 uint32_t *table);

#endif
