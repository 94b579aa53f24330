/*
 * daemon_cluster_private.h — the cluster glue's state, shared by the files
 * of the glue that drive it: daemon_cluster.c (membership, election,
 * recovery, bans, health) and daemon_ip.c (public addresses). Nothing
 * outside the glue includes this.
 */
#ifndef HERD_DAEMON_CLUSTER_PRIVATE_H
#define HERD_DAEMON_CLUSTER_PRIVATE_H

#include "agentd/daemon.h"
#include "agentd/proto.h"
#include "agentd/state.h"

struct ipglue;
struct roles;

struct peer_view {
	bool connected;
	bool have_ka;
	uint32_t flags;         /* announced, without DISCONNECTED */
	uint32_t caps;
	uint32_t follows;
	uint32_t status;        /* HERD_KA_F_* */
	uint32_t generation;
	bool baselined;         /* flags known: later changes are events */
	unsigned rec_failures;  /* leader: recoveries in a row it did not answer */
	bool rec_waiting;       /* leader: recovery answer outstanding */
};

struct cluster {
	struct herdd *d;
	struct transport *tp;
	struct reclock *rl;             /* NULL: no recovery lock configured */
	struct monitor *mon;
	char *events_dir;
	char *env[4];                   /* HERD_PNN, HERD_CLUSTER, HERD_CONF_DIR for scripts */
	struct peer_view *peers;        /* indexed by pnn */
	size_t npeers;
	sd_event_source *tick;
	sd_event_source *reload_defer;  /* RELOADNODES from a peer, coalesced */
	usec_t start_mono;
	bool settled;                   /* the start-up wait for links is over */

	uint32_t own_flags;             /* BANNED, STOPPED, PERMANENTLY_DISABLED, UNHEALTHY,
					 * PARTIALLYONLINE */
	bool mon_unhealthy;             /* the monitor's verdict (UNHEALTHY also when every
					 * public interface is down) */
	struct ipglue *ip;              /* public addresses (daemon_ip.c) */
	struct roles *roles;            /* NAT gateway and LVS (daemon_roles.c) */
	usec_t ban_until;               /* monotonic */
	bool leading;
	usec_t contended_since;         /* monotonic, 0: not contended */
	usec_t next_take;               /* monotonic: no lock attempt before (backoff) */
	usec_t take_backoff;
	usec_t maint_until;             /* wall, 0: off */

	bool test_drop_recovery;        /* HERD_TEST_DROP_RECOVERY=1: never answer (tests) */
	bool recovering, recovery_wanted;
	uint32_t rec_reqid;
	usec_t rec_start_mono, rec_deadline;
	uint32_t reqid;

	/* statistics */
	uint64_t elections, leader_changes, recoveries, recovery_timeouts, bans;
	uint64_t controls_in, controls_bad, lock_contended;
	usec_t last_rec_start_wall, last_rec_end_wall, last_rec_duration, max_rec_duration;
};

static inline struct herd_state *ST(struct cluster *c)
{
	return c->d->st;
}

static inline uint32_t self(struct cluster *c)
{
	return c->d->st->pnn;
}

static inline bool maintenance(const struct cluster *c)
{
	return c->maint_until && now_realtime() < c->maint_until;
}

/* daemon_cluster.c */
/* Does this node lead with a fresh lease (or without a lock configured)? */
bool cluster_may_act(struct cluster *c);
/* Set this node's own flags (events, monitor pause, announce). */
void cluster_set_own_flags(struct cluster *c, uint32_t flags, const char *why);
/* Recompute UNHEALTHY from the monitor's verdict and the interfaces. */
void cluster_update_health(struct cluster *c, const char *why);
/* A CONTROL frame with an opaque body to dst. */
int cluster_send(struct cluster *c, uint32_t dst, uint32_t op, const void *data, size_t len,
		 uint32_t reqid, uint32_t flags);
/* The REPLY to req, with an opaque body (NULL, 0: none). */
void cluster_reply(struct cluster *c, uint32_t dst, const struct herd_control *req, int status,
		   const void *data, size_t len);

#endif
