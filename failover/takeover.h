/*
 * takeover.h — one takeover run's decision, as a pure function: from what
 * every node reported (its public addresses, which it hosts, which it can
 * host with an interface that is up) and the node flags the leader sees,
 * decide which node hosts each address, and so which node must release
 * what and which must take what. The leader's glue (agentd/daemon_ip.c)
 * gathers the reports, calls takeover_plan(), and carries the plan out in
 * two phases: every release first, then every takeover, so an address is
 * never configured on two nodes at once.
 *
 * The rules:
 *   - the addresses are the union of every answering node's list; a node
 *     may host an address only when its list has it and one of that
 *     address's interfaces there is up (PARTIALLYONLINE nodes host on their
 *     working interfaces only);
 *   - node flags decide the rest through ipalloc_run() (failover/ipalloc.h):
 *     a node that is not OK hosts nothing;
 *   - an address hosted by several nodes (a healed partition, a restart)
 *     stays with the lowest-numbered holder that may keep it as "current",
 *     and every other holder releases it;
 *   - a moveip pin (address → node) wins over the algorithm while that
 *     node may host the address;
 *   - a node that did not answer is treated as hosting nothing and may
 *     host nothing; the glue marks the run incomplete and runs again (the
 *     glue reports a connected but silent node as answered, hosting what
 *     the last assignment gave it, so those addresses stay put).
 *
 * No I/O, no logging, no globals.
 */
#ifndef HERD_FAILOVER_TAKEOVER_H
#define HERD_FAILOVER_TAKEOVER_H

#include "agentd/ipop.h"
#include "agentd/util.h"
#include "conf/conf.h"

#define TAKEOVER_NODE_WORDS ((HERD_MAX_NODES + 63) / 64)

/* What one node reported (IPINFO), and what the leader knows of it. */
struct takeover_node {
	uint32_t flags;               /* NODE_FLAG_*, as the leader sees them */
	bool answered;                /* its report arrived; ips is valid */
	bool no_takeover;             /* IPOP_NODE_NO_TAKEOVER */
	const struct ipop_ip *ips;    /* IPOP_IP_* flags set */
	size_t nips;
};

struct takeover_pin {
	struct sockaddr_storage addr;
	uint32_t pnn;
};

struct takeover_input {
	enum ip_allocation algorithm;
	bool no_ip_failback;
	size_t nnodes;                /* <= HERD_MAX_NODES */
	const struct takeover_node *nodes; /* indexed by pnn */
	const struct takeover_pin *pins;
	size_t npins;
};

/* One address of the cluster and what happens to it. */
struct takeover_addr {
	struct sockaddr_storage addr;
	unsigned prefix;
	uint64_t holders[TAKEOVER_NODE_WORDS];  /* nodes hosting it now */
	uint64_t if_down[TAKEOVER_NODE_WORDS];  /* ... on an interface that is down */
	uint64_t allowed[TAKEOVER_NODE_WORDS];  /* nodes that may host it */
	int32_t target;                         /* the node to host it, -1 none */
};

struct takeover_plan {
	struct takeover_addr *addrs;  /* sorted by family, then address bytes */
	size_t naddrs;
};

/* Returns 0, -EINVAL (bad input), -ENOMEM. Free the plan with takeover_plan_free. */
int takeover_plan(const struct takeover_input *in, struct takeover_plan *out);
void takeover_plan_free(struct takeover_plan *p);

static inline bool takeover_bit(const uint64_t *set, uint32_t pnn)
{
	return (set[pnn / 64] >> (pnn % 64)) & 1;
}

/* Must node pnn release address a (it hosts it, another node is its target)? */
bool takeover_must_release(const struct takeover_addr *a, uint32_t pnn);
/* Must node pnn take address a (it is the target and does not host it on a working interface)? */
bool takeover_must_take(const struct takeover_addr *a, uint32_t pnn);

#endif
