/*
 * ipalloc.h — public-IP allocation as pure functions, compatible with
 * CTDB's algorithms of the same names (ctdb/server/ipalloc*.c): given every
 * node's flags, every public address's current holder and the nodes that
 * may host it, decide which node hosts each address. No I/O, no logging,
 * no globals: the leader calls ipalloc_run() on a state snapshot, and
 * `herdctl ipalloc` calls it on text.
 *
 * Module map:
 *   ipalloc.c               ipalloc_run(): validation, CTDB's address order,
 *                           which node can host what, the basic
 *                           (nondeterministic) and deterministic algorithms
 *   ipalloc_lcp2.c          the LCP2 algorithm (ipalloc_lcp2, internal)
 *   ipalloc_text.c          the `herdctl ipalloc` text formats: node flags
 *                           list and one address line
 */
#ifndef HERD_FAILOVER_IPALLOC_H
#define HERD_FAILOVER_IPALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipalloc_algorithm {
	IPALLOC_LCP2,             /* CTDB's default */
	IPALLOC_DETERMINISTIC,    /* address index mod node count, no failback */
	IPALLOC_NONDETERMINISTIC, /* least-loaded node, then even out counts */
};

/* One public address. */
struct ipalloc_ip {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* network order; AF_INET uses the first 4 bytes */
	int32_t current;     /* the node hosting it now, -1 for none */
	const bool *allowed; /* [num_nodes]: may node N host it; NULL: all nodes */
};

struct ipalloc_input {
	enum ipalloc_algorithm algorithm;
	bool no_ip_failback;          /* never move an address off a node that can keep it */
	bool no_ip_takeover;          /* no node takes over an address (CTDB's NoIPTakeover = 1) */
	size_t num_nodes;
	const uint32_t *node_flags;   /* [num_nodes], CTDB's NODE_FLAG_* encoding */
	const bool *node_no_takeover; /* [num_nodes] per-node NoIPTakeover, or NULL */
	size_t num_ips;
	const struct ipalloc_ip *ips; /* [num_ips], any order; no address twice */
};

/* ipalloc.c */

/*
 * Compute the assignment: result[i] is the node that hosts in->ips[i], or
 * -1 when no node can. Returns 0, -EINVAL (a node number out of range, an
 * unknown family or algorithm), -EEXIST (an address listed twice) or
 * -ENOMEM.
 */
int ipalloc_run(const struct ipalloc_input *in, int32_t *result);

/* Can node pnn (with these flags) host any address at all? Not INACTIVE, not DISABLED. */
bool ipalloc_node_can_host(uint32_t flags);

const char *ipalloc_algorithm_name(enum ipalloc_algorithm a);
/* "lcp2", "deterministic", "nondeterministic": 0, or -EINVAL. */
int ipalloc_algorithm_from_name(const char *name, enum ipalloc_algorithm *a);

/* ipalloc_text.c */

/*
 * "0,0x20,2": one flags value per node, decimal or 0x hex. On success
 * *flags is a new array (free it) of *num_nodes values; on error returns
 * -EINVAL with a reason in err.
 */
int ipalloc_parse_flags(const char *text, uint32_t **flags, size_t *num_nodes,
			char *err, size_t errlen);

/*
 * One input line, "ADDR [CURRENT_PNN [PNN,PNN,...]]", fields separated by
 * white space, '#' starts a comment. allowed is the caller's array of
 * num_nodes entries; ip->allowed points to it when the line has a list.
 * Returns 1 for an address, 0 for a blank or comment line, -EINVAL with a
 * reason in err (without the line number) for anything else.
 */
int ipalloc_parse_line(const char *line, size_t num_nodes, struct ipalloc_ip *ip,
		       bool *allowed, char *err, size_t errlen);

/* The address as text (inet_ntop), into buf of at least 46 bytes. */
const char *ipalloc_ip_format(const struct ipalloc_ip *ip, char *buf, size_t len);

#endif
