/*
 * state.h — the cluster state model: what this node knows of every node.
 *
 * Plain data plus pure helpers (flag names, summary state, finding this
 * node's number). Every subsystem reads it; the daemon glue owns and updates
 * it. Node flags and capabilities use CTDB's numeric encoding, so `herdctl`,
 * the event log and HERD-MIB agree with ctdb(7). Part of the base layer.
 */
#ifndef HERD_STATE_H
#define HERD_STATE_H

#include <sys/socket.h>

#include "agentd/addr.h"
#include "agentd/util.h"

/* Node flags, CTDB's values (ctdb_protocol.h). */
#define NODE_FLAG_DISCONNECTED         UINT32_C(0x01)
#define NODE_FLAG_UNHEALTHY            UINT32_C(0x02)
#define NODE_FLAG_PERMANENTLY_DISABLED UINT32_C(0x04)
#define NODE_FLAG_BANNED               UINT32_C(0x08)
#define NODE_FLAG_DELETED              UINT32_C(0x10)
#define NODE_FLAG_STOPPED              UINT32_C(0x20)
/* herd: some but not all public interfaces up (CTDB shows it, has no bit). */
#define NODE_FLAG_PARTIALLYONLINE      UINT32_C(0x40)
#define NODE_FLAG_DISABLED  (NODE_FLAG_UNHEALTHY | NODE_FLAG_PERMANENTLY_DISABLED)
#define NODE_FLAG_INACTIVE  (NODE_FLAG_DELETED | NODE_FLAG_DISCONNECTED | \
			     NODE_FLAG_BANNED | NODE_FLAG_STOPPED)

/* Capabilities, CTDB's values. */
#define NODE_CAP_RECMASTER UINT32_C(0x01)
#define NODE_CAP_LMASTER   UINT32_C(0x02)
#define NODE_CAP_LVS       UINT32_C(0x04)
#define NODE_CAP_NATGW     UINT32_C(0x08)

#define STATE_MAX_LINKS 4
#define PNN_NONE UINT32_MAX

/* One word for a node, most severe first (the MIB's herdNodeState enum). */
enum node_summary {
	NODE_OK = 1,
	NODE_DISCONNECTED,
	NODE_BANNED,
	NODE_STOPPED,
	NODE_DISABLED,
	NODE_UNHEALTHY,
	NODE_PARTIALLYONLINE,
	NODE_DELETED,
};

enum recovery_mode {
	RECOVERY_NORMAL = 0,
	RECOVERY_ACTIVE = 1,
};

struct node_state {
	uint32_t pnn;
	size_t naddrs;
	struct sockaddr_storage addrs[STATE_MAX_LINKS];
	uint32_t flags;
	uint32_t caps;
	usec_t changed_wall; /* last flags change, wall clock */
};

struct herd_state {
	char cluster_name[64];
	uint32_t pnn;                /* this node, PNN_NONE when unknown */
	size_t nnodes;
	struct node_state *nodes;    /* indexed by pnn */
	uint32_t generation;
	uint32_t leader;             /* PNN_NONE when there is none */
	enum recovery_mode recmode;
};

/* Allocate a state for nnodes nodes, all DISCONNECTED. NULL on ENOMEM. */
struct herd_state *state_new(const char *cluster_name, size_t nnodes);
void state_free(struct herd_state *st);

/*
 * Which node is this host: the first node with a private address equal to
 * one of the local addresses. Returns the pnn, or -ENOENT.
 */
int state_find_pnn(const struct herd_state *st,
		   const struct sockaddr_storage *local, size_t nlocal);

enum node_summary node_summary(uint32_t flags);
const char *node_summary_name(enum node_summary s);

/* CTDB-style flag text: "OK", "DISCONNECTED|UNHEALTHY|INACTIVE", ... */
char *node_flags_format(char *buf, size_t len, uint32_t flags);
/* Capability text: "RECMASTER|LMASTER" or "NONE". */
char *node_caps_format(char *buf, size_t len, uint32_t caps);

const char *recovery_mode_name(enum recovery_mode m);

#endif
