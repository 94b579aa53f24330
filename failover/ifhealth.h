/*
 * ifhealth.h — how healthy this node's public interfaces are, as a pure
 * function of the public_addresses entries and the interfaces' link
 * states (from failover/iflink.h, or a table in a test).
 *
 * The interfaces that count are those named by any public address. All
 * up: OK. Some up: PARTIAL — the node sets PARTIALLYONLINE and hosts only
 * the addresses that have a working interface (ifhealth_can_host). None
 * up: DOWN — the node can host nothing (CTDB's 10.interface makes the node
 * unhealthy then). An interface missing from the link table is down. A
 * node with no public addresses is OK: it has nothing to host.
 */
#ifndef HERD_FAILOVER_IFHEALTH_H
#define HERD_FAILOVER_IFHEALTH_H

#include "agentd/util.h"
#include "conf/conf.h"

enum ifhealth {
	IFHEALTH_OK,
	IFHEALTH_PARTIAL,
	IFHEALTH_DOWN,
};

struct ifhealth_link {
	const char *name;
	bool up;
};

enum ifhealth ifhealth_eval(const struct conf_pubaddr *pa, size_t npa,
			    const struct ifhealth_link *links, size_t nlinks);

/* Does at least one of pa's interfaces work? */
bool ifhealth_can_host(const struct conf_pubaddr *pa, const struct ifhealth_link *links,
		       size_t nlinks);

/* "ok", "partial", "down". */
const char *ifhealth_name(enum ifhealth h);

#endif
