/*
 * ipalloc_private.h — what the ipalloc*.c files share and nobody else
 * needs: the working copy of the input in CTDB's order and the host /
 * takeover predicates every algorithm uses.
 */
#ifndef HERD_FAILOVER_IPALLOC_PRIVATE_H
#define HERD_FAILOVER_IPALLOC_PRIVATE_H

#include "failover/ipalloc.h"

/* One address while the algorithm runs. */
struct ipalloc_wip {
	uint32_t key[4];     /* CTDB's ip_key: IPv4 in key[3], IPv6 in all four */
	int32_t pnn;         /* current decision, -1 for none */
	const bool *allowed; /* NULL: all nodes */
	size_t index;        /* position in the caller's input */
};

struct ipalloc_state {
	size_t num_nodes;
	size_t num_ips;
	bool no_ip_failback;
	bool *noiphost;           /* [num_nodes]: INACTIVE or DISABLED */
	bool *notakeover;         /* [num_nodes]: NoIPTakeover, global or per node */
	struct ipalloc_wip *ips;  /* CTDB's merged list order: descending key */
};

bool ipalloc_can_host(const struct ipalloc_state *st, size_t pnn, const struct ipalloc_wip *ip);
bool ipalloc_can_takeover(const struct ipalloc_state *st, size_t pnn, const struct ipalloc_wip *ip);
void ipalloc_unassign_unsuitable(struct ipalloc_state *st);

/* ipalloc_lcp2.c: 0 or -ENOMEM. */
int ipalloc_lcp2(struct ipalloc_state *st);

#endif
