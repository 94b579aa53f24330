/*
 * natgw.h — the NAT gateway (ctdb(7) NAT GATEWAY) as pure decisions: which
 * node of the group is the master, and what must be in place on this node
 * for its role. failover/natgw_apply.h puts a plan into the kernel.
 *
 * A NAT gateway group is the nodes listed in the natgw nodes file. One of
 * them, the master, hosts the NATGW public address on the public interface
 * and masquerades the traffic of the private network leaving through it;
 * every other member routes through the master's private address with
 * metric 10, so that a route of the node's own (a public address's) wins.
 *
 * Master selection follows CTDB's `ctdb_natgw master` (ctdb/tools/
 * ctdb_natgw): a node listed "slave-only" never; among the others, by
 * category, the lowest pnn of the first category that has one:
 *   1. fully healthy: none of UNHEALTHY, PERMANENTLY_DISABLED,
 *      DISCONNECTED, BANNED, STOPPED;
 *   2. else any not DISCONNECTED, PERMANENTLY_DISABLED or STOPPED
 *      (UNHEALTHY and BANNED will do);
 *   3. else any not DISCONNECTED or PERMANENTLY_DISABLED (STOPPED will do).
 * Deleted nodes never (CTDB does not list them); PARTIALLYONLINE is ignored.
 *
 * What each role needs (CTDB's 11.natgw event script):
 *   master  IP forwarding on; the public address on the public interface;
 *           nftables table herd_natgw: masquerade from the private network
 *           to anywhere but the private network, out of the public
 *           interface, and reject TCP connection attempts to the NATGW
 *           address (it is for outgoing traffic only); for each static
 *           route (default: one default route) a route with metric 10 via
 *           the route's own gateway or the default gateway, on the public
 *           interface — none when neither is set.
 *   slave   each static route (default: the default route) via the master's
 *           private address, metric 10.
 *   none    nothing (NAT gateway not configured, or not in the group).
 * When no member can be the master CTDB's script fails before it clears
 * anything, so the previous setup stays: NATGW_ROLE_NO_MASTER says so, and
 * the glue should leave the applied plan alone then.
 *
 * Nothing here touches the system or logs; errors are -errno.
 */
#ifndef HERD_FAILOVER_NATGW_H
#define HERD_FAILOVER_NATGW_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/conf.h"

struct herd_state;

#define NATGW_NFT_TABLE    "herd_natgw"
#define NATGW_ROUTE_METRIC 10

/* One member of the NAT gateway group. */
struct natgw_member {
	uint32_t pnn;
	uint32_t flags;                 /* NODE_FLAG_*, CTDB's encoding */
	bool slave_only;
	struct sockaddr_storage addr;   /* private address, as in the natgw nodes file */
};

enum natgw_role {
	NATGW_ROLE_NONE,      /* not configured, or this node is not in the group */
	NATGW_ROLE_MASTER,
	NATGW_ROLE_SLAVE,
	NATGW_ROLE_NO_MASTER, /* in the group, but no member can be master: keep what is applied */
};

/* The master's pnn, or -1 when no member can be it (or n == 0). */
int natgw_select(const struct natgw_member *members, size_t n);

/* The group from the configuration and the cluster state, and this node's role in it. */
struct natgw_decision {
	enum natgw_role role;
	int master;                          /* pnn, -1 none */
	struct sockaddr_storage master_addr; /* its private address; AF_UNSPEC if none */
};

/*
 * Members are the natgw nodes whose address is a link of a (not deleted)
 * node in the nodes file, with that node's flags in st (a pnn beyond
 * st->nnodes counts as DISCONNECTED); other lines are ignored, as CTDB
 * does. This node (st->pnn) is in the group when it is a member. Returns 0
 * or -ENOMEM.
 */
int natgw_decide(const struct herd_conf *cf, const struct herd_state *st,
		 struct natgw_decision *out);

const char *natgw_role_name(enum natgw_role role);

/* One route of a plan. */
struct natgw_route {
	struct conf_cidr dst;
	struct sockaddr_storage via;
	char ifname[IF_NAMESIZE];       /* "" let the kernel pick */
	unsigned metric;
};

/* Everything that must be in place on this node; empty for NONE / NO_MASTER. */
struct natgw_plan {
	enum natgw_role role;
	int family;                     /* of the private network; AF_UNSPEC when empty */
	bool forwarding;                /* IP forwarding on for family */
	struct conf_cidr address;       /* the NATGW public address; AF_UNSPEC none */
	char ifname[IF_NAMESIZE];       /* the public interface it goes on */
	char *nft;                      /* the nft script (natgw_nft_ruleset()), NULL none */
	size_t nroutes;
	struct natgw_route *routes;
};

/*
 * The plan for this node's role. master_addr (the master's private
 * address) is needed for SLAVE only. -EINVAL when the natgw settings do
 * not fit the role: no private network, families that differ, a master
 * without public address or interface, a slave without master address.
 */
int natgw_plan_new(const struct herd_conf *cf, enum natgw_role role,
		   const struct sockaddr_storage *master_addr, struct natgw_plan **out);
void natgw_plan_free(struct natgw_plan *plan);

/*
 * The plan as text, one item a line ("role master", "forwarding ipv4",
 * "address 192.0.2.10/24 dev pub", "nft ip herd_natgw",
 * "route 0.0.0.0/0 via 192.0.2.1 dev pub metric 10"); malloc'd, NULL on
 * ENOMEM. For logs, herdctl and tests.
 */
char *natgw_plan_format(const struct natgw_plan *plan);

/*
 * The nft script that (re)creates table herd_natgw atomically: "add
 * table" and "delete table" first, so that running it again replaces the
 * table whatever was in it. Family ip for an IPv4 private network, inet
 * for IPv6. Host bits of the private network are masked off. *out is
 * malloc'd. -EINVAL for mismatched or unknown families or an interface
 * name nft could misread.
 */
int natgw_nft_ruleset(const struct conf_cidr *private_network, const char *public_iface,
		      const struct sockaddr_storage *public_address, char **out);

/* The nft script that removes the table of that family if it exists; NULL for other families. */
const char *natgw_nft_delete(int family);

#endif
