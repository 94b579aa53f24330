/*
 * elect.h — leader election: a pure function from a snapshot of what this
 * node knows to the leader it should follow and what it must do about it.
 *
 * No I/O, no logging, no clock: the glue fills a struct elect_input from the
 * state model and the peers' keepalives, calls elect_decide() whenever any
 * of it changes (and on a timer), and applies the decision: take the
 * recovery lock (reclock.h) on ELECT_BECOME_LEADER, release it on
 * ELECT_STEP_DOWN. The rules are written in doc/ARCHITECTURE.md ("Election")
 * and herd(7); tests/unit/test_elect.c holds them as tables.
 *
 *   elect_decide()         the decision
 *   elect_is_candidate()   may a node with these flags/caps lead?
 *   elect_action_name(), elect_reason_name()   words for logs, herdctl, MIB
 */
#ifndef HERD_ELECT_H
#define HERD_ELECT_H

#include "agentd/state.h"
#include "agentd/util.h"

/* One node as this node sees it: local flags plus what its keepalives say. */
struct elect_node {
	uint32_t pnn;
	uint32_t flags;         /* NODE_FLAG_*; DISCONNECTED = no working link to it */
	uint32_t caps;          /* NODE_CAP_* */
	/* What the node announces (ignored for this node's own entry). */
	uint32_t follows;       /* the leader it follows, PNN_NONE for none */
	bool leader_claim;      /* it acts as leader (lock taken, generation bumped) */
	bool holds_lock;        /* ... and its recovery lock lease is fresh */
	uint32_t generation;    /* the generation it is at (for this node: ours) */
};

struct elect_input {
	uint32_t self;                  /* this node's pnn; must have an entry */
	bool lock_configured;           /* a recovery lock is configured */
	/*
	 * This node's side, authoritative over its own entry's announcement
	 * fields. `leader` is the last decision's leader (PNN_NONE at start);
	 * `leading` is set once this node acts as leader (lock held, generation
	 * bumped) and cleared when it steps down; `holds_lock` is
	 * reclock_held(now) — false as soon as the lease is stale.
	 */
	uint32_t leader;
	bool leading;
	bool holds_lock;
	size_t nnodes;
	const struct elect_node *nodes; /* any order, pnns unique */
};

enum elect_action {
	ELECT_NONE = 0,         /* nothing to do: follow `leader` */
	ELECT_BECOME_LEADER,    /* take the lock, then bump the generation and recover */
	ELECT_STEP_DOWN,        /* stop acting as leader, release the lock */
};

/* Why: one word an operator reads in the log, herdctl and the MIB. */
enum elect_reason {
	ELECT_REASON_LEADER = 0,        /* this node leads and holds the lock */
	ELECT_REASON_CLAIMANT,          /* a candidate leads holding the lock: follow it */
	ELECT_REASON_KEEP,              /* no claimant; the current leader is still a candidate */
	ELECT_REASON_LOWEST_PNN,        /* no claimant, no usable leader: lowest-numbered candidate */
	ELECT_REASON_NO_CANDIDATE,      /* no node can lead */
	ELECT_REASON_LOCK_LOST,         /* step down: leading without a fresh lock */
	ELECT_REASON_OUTRANKED,         /* step down: another claimant wins */
	ELECT_REASON_INACTIVE,          /* step down: this node is banned, stopped or deleted */
	ELECT_REASON_NO_RECMASTER,      /* step down: this node lost the RECMASTER capability */
	ELECT_REASON_MAX_,
};

struct elect_decision {
	uint32_t leader;        /* the leader to follow, PNN_NONE for none; this
				 * node itself with BECOME_LEADER */
	enum elect_action action;
	enum elect_reason reason;
};

/*
 * Decide. Returns 0 and fills *out, or -EINVAL when the input is malformed
 * (no entry for `self`, a pnn of PNN_NONE, or a pnn listed twice).
 */
int elect_decide(const struct elect_input *in, struct elect_decision *out);

/*
 * May a node lead: not INACTIVE (banned, stopped, deleted, disconnected) and
 * RECMASTER. For this node pass is_self: it is never disconnected from itself.
 */
bool elect_is_candidate(uint32_t flags, uint32_t caps, bool is_self);

const char *elect_action_name(enum elect_action a);     /* "none", "become-leader", "step-down" */
const char *elect_reason_name(enum elect_reason r);     /* "leader", "claimant", ... */

#endif
