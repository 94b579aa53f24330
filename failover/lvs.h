/*
 * lvs.h — LVS, ctdb(7)'s "single public address for the whole cluster", as
 * pure functions: which nodes LVS balances across, which one is the LVS
 * master, and what one node must do for its role. No I/O, no logging, no
 * globals; lvs_apply.h carries a plan out on a node.
 *
 * The rules are CTDB's (ctdb(7) "LVS", the ctdb_lvs helper behind `ctdb
 * lvs`, the 91.lvs event script):
 *
 *   - The LVS group is the nodes of the LVS nodes file ([lvs] nodes file,
 *     conf->lvs_nodes); the glue maps each line to its node's pnn.
 *   - The set (the nodes traffic is balanced across, `ctdb lvs list`): the
 *     group's nodes that are neither INACTIVE (disconnected, banned,
 *     stopped, deleted), nor PERMANENTLY_DISABLED, nor UNHEALTHY; when
 *     there is none, the group's nodes that are neither INACTIVE nor
 *     PERMANENTLY_DISABLED, whatever their health. PARTIALLYONLINE does
 *     not count.
 *   - The master (`ctdb lvs leader`): the same two-step rule applied to
 *     the group's nodes that are not slave-only ("follower-only" in newer
 *     CTDB), the lowest pnn of the first step that finds any. A
 *     slave-only node is never master but is in the set like any other.
 *     Corner case, kept as CTDB has it: when every healthy node is
 *     slave-only, the master comes from the second step, so it is an
 *     unhealthy node that is not in the set (the set is the healthy
 *     ones); as master it still balances to itself through 127.0.0.1.
 *   - The master holds the address (see lvs_apply.h for where) and
 *     programs IPVS: one TCP and one UDP service on VIP port 0, persistent
 *     1999999 s, scheduler lc; as real servers every other node of the
 *     set by its private address, direct routing (-g), and itself as
 *     127.0.0.1 (IPVS "Local").
 *   - Every other node of the set has the address on lo with scope host,
 *     after net.ipv4.conf.all.arp_ignore = 3 (never answer ARP for a
 *     scope-host address) and arp_announce = 2 (never use it as an ARP
 *     source), so it accepts the packets the master routes to it without
 *     claiming the address on the wire (an IPv6 address on lo is never
 *     answered for in neighbour discovery, whatever its scope, which the
 *     kernel sets from the address itself). Every node first deletes both
 *     IPVS services, whatever its role (91.lvs "ipreallocated", under
 *     "Kill connections"), so a former master keeps no table.
 *
 * Where herd differs from 91.lvs:
 *   - the master has the address on the public interface (91.lvs: on lo,
 *     scope global); the glue announces it there with failover/arp.h
 *     rounds after the master's plan is applied, as 91.lvs runs `ctdb
 *     gratarp VIP IFACE`;
 *   - 91.lvs also kills the node's own TCP connections to the address
 *     (kill_tcp_connections_local_only); nothing here does;
 *   - a node outside the set (role NONE) has no address at all (91.lvs
 *     leaves the scope-host one on every non-master node of the group);
 *   - the service address is written VIP:0 ([VIP]:0 for IPv6), the same
 *     service to ipvsadm as 91.lvs's bare VIP.
 */
#ifndef HERD_FAILOVER_LVS_H
#define HERD_FAILOVER_LVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#define LVS_NO_MASTER       UINT32_MAX /* (uint32_t)-1, the same as PNN_NONE */
#define LVS_PERSISTENT      1999999    /* seconds, 91.lvs's -p */
#define LVS_SCHEDULER       "lc"       /* least-connection, 91.lvs's -s */
#define LVS_IPVSADM         "ipvsadm"

/* A node of the LVS group. */
struct lvs_member {
	uint32_t pnn;
	uint32_t flags;               /* CTDB's NODE_FLAG_* (agentd/state.h) */
	bool slave_only;              /* "slave-only" in the LVS nodes file */
	struct sockaddr_storage addr; /* its private address (nodes file) */
};

enum lvs_role {
	LVS_ROLE_NONE,   /* not in the set: no address, no IPVS services */
	LVS_ROLE_MEMBER, /* in the set: address on lo, scope host */
	LVS_ROLE_MASTER, /* the address on the public interface, IPVS table */
};

/* Where the plan puts the address. */
enum lvs_vip_place {
	LVS_VIP_NOWHERE,  /* removed from every interface */
	LVS_VIP_LO_HOST,  /* on lo, /32 or /128, scope host, and nowhere else */
	LVS_VIP_IFACE,    /* on the public interface, /32 or /128, and nowhere else */
};

/* One /proc/sys value to write ("net/ipv4/conf/all/arp_ignore"). */
struct lvs_sysctl {
	const char *path;  /* under /proc/sys */
	const char *value;
};

#define LVS_ARGV_MAX 9  /* words of one ipvsadm command, "ipvsadm" included */
#define LVS_WORD_MAX 56 /* "[" + an IPv6 address + "]:0" + NUL */

/* One ipvsadm command line. */
struct lvs_cmd {
	unsigned argc;
	char argv[LVS_ARGV_MAX][LVS_WORD_MAX]; /* argv[0] is "ipvsadm" */
	bool delete;   /* -D: "No such service" counts as done */
};

/* What one node does for its role: built by lvs_plan_build(). */
struct lvs_plan {
	enum lvs_role role;
	struct sockaddr_storage vip;
	char iface[IF_NAMESIZE];          /* the public interface, "" none */
	enum lvs_vip_place place;
	const struct lvs_sysctl *sysctls; /* static table */
	size_t nsysctls;
	struct lvs_cmd *cmds;             /* the deletions first; malloc'ed */
	size_t ncmds;
};

/*
 * A plan is carried out in this order (lvs_apply): the deletions (cmds
 * with .delete), the sysctls, the address, the other cmds. The sysctls
 * come before the address: a scope-host address on lo is answered for in
 * ARP as long as arp_ignore is still 0.
 */

/* lvs.c */

/*
 * Choose the set and the master of the group m[0..n-1] (any order, each
 * pnn once): in_set[i] says whether m[i] is in the set. Returns the
 * master's pnn, or LVS_NO_MASTER (no node can be, or n is 0).
 */
uint32_t lvs_select(const struct lvs_member *m, size_t n, bool *in_set);

/* This node's role from lvs_select()'s answer (my_pnn may be in no m[i]). */
enum lvs_role lvs_role_of(const struct lvs_member *m, size_t n, const bool *in_set,
			  uint32_t master, uint32_t my_pnn);

/*
 * The plan for this node (my_pnn) in role: always the deletion of both
 * IPVS services of vip; for a member or the master the ARP sysctls and the
 * address; for the master the services and, as real servers, the private
 * address of every m[i] with in_set[i] other than my_pnn, by ascending
 * pnn, then 127.0.0.1 (::1 for an IPv6 vip). m and in_set are only read
 * for the master (may be NULL otherwise). Returns 0, -EAFNOSUPPORT (vip,
 * or a real server, neither IPv4 nor IPv6, or not of vip's family),
 * -EINVAL (a master without an interface, an interface name too long),
 * -ENOMEM. On success release it with lvs_plan_done().
 */
int lvs_plan_build(struct lvs_plan *p, enum lvs_role role, const struct sockaddr_storage *vip,
		   const char *iface, const struct lvs_member *m, size_t n, const bool *in_set,
		   uint32_t my_pnn);
void lvs_plan_done(struct lvs_plan *p);

/* "none", "member", "master". */
const char *lvs_role_name(enum lvs_role role);

/* One command as a shell would read it: "ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.2 -g". */
char *lvs_cmd_format(const struct lvs_cmd *c, char *buf, size_t len);

/*
 * The whole plan as text, one step a line, for logs, `herdctl lvs -v`
 * and golden tests:
 *   role master
 *   sysctl net.ipv4.conf.all.arp_ignore=3
 *   address 10.1.1.201/32 on eth0
 *   ipvsadm -D -t 10.1.1.201:0
 *   ...
 * Returns a malloc'ed string, or NULL (out of memory).
 */
char *lvs_plan_format(const struct lvs_plan *p);

#endif
