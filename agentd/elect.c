/*
 * elect.c — leader election as a pure decision (CTDB's recovery master
 * election, with the recovery lock as the arbiter).
 *
 * A candidate is a node this node can reach that is not INACTIVE and has the
 * RECMASTER capability. A claimant is a candidate that announces it leads
 * and, when a lock is configured, that its lock lease is fresh. In order:
 * (a) follow the best claimant (most followers, then highest generation,
 * then lowest pnn); (b)
 * else keep the current leader while it is a candidate that has not deferred
 * to someone else; (c) else take the lowest-numbered candidate. This node
 * steps down when it leads without a fresh lock, is no longer a candidate,
 * or another claimant outranks it. The lock makes (a) safe: two nodes cannot
 * both hold a fresh lease, so "claims and holds" names at most one node in
 * a healthy cluster, and the generation settles the cases where a partition
 * ran without a lock. See doc/ARCHITECTURE.md, "Election".
 */
#include "agentd/elect.h"

static const char *const action_names[] = {
	[ELECT_NONE] = "none",
	[ELECT_BECOME_LEADER] = "become-leader",
	[ELECT_STEP_DOWN] = "step-down",
};

static const char *const reason_names[] = {
	[ELECT_REASON_LEADER] = "leader",
	[ELECT_REASON_CLAIMANT] = "claimant",
	[ELECT_REASON_KEEP] = "keep-leader",
	[ELECT_REASON_LOWEST_PNN] = "lowest-pnn",
	[ELECT_REASON_NO_CANDIDATE] = "no-candidate",
	[ELECT_REASON_LOCK_LOST] = "lock-lost",
	[ELECT_REASON_OUTRANKED] = "outranked",
	[ELECT_REASON_INACTIVE] = "inactive",
	[ELECT_REASON_NO_RECMASTER] = "no-recmaster",
};

_Static_assert(ARRAY_SIZE(reason_names) == ELECT_REASON_MAX_, "a reason without a name");

const char *elect_action_name(enum elect_action a)
{
	if ((unsigned)a >= ARRAY_SIZE(action_names))
		return "unknown";
	return action_names[a];
}

const char *elect_reason_name(enum elect_reason r)
{
	if ((unsigned)r >= ARRAY_SIZE(reason_names))
		return "unknown";
	return reason_names[r];
}

bool elect_is_candidate(uint32_t flags, uint32_t caps, bool is_self)
{
	uint32_t inactive = NODE_FLAG_INACTIVE;

	if (is_self)
		inactive &= ~NODE_FLAG_DISCONNECTED;
	return !(flags & inactive) && (caps & NODE_CAP_RECMASTER);
}

/*
 * Connected nodes that follow pnn, as this node sees it (this node counts
 * with the leader it follows). CTDB's election, too, prefers the node that
 * has more of the cluster with it.
 */
static unsigned followers(const struct elect_input *in, uint32_t pnn)
{
	unsigned n = 0;

	for (size_t i = 0; i < in->nnodes; i++) {
		const struct elect_node *x = &in->nodes[i];
		bool me = x->pnn == in->self;

		if (!me && (x->flags & NODE_FLAG_DISCONNECTED))
			continue;
		if ((me ? in->leader : x->follows) == pnn)
			n++;
	}
	return n;
}

/*
 * Does claimant a outrank b: more followers (after a partition heals, the
 * side that ran the bigger part of the cluster), then the higher
 * generation, then the lower pnn.
 */
static bool outranks(const struct elect_input *in, const struct elect_node *a,
		     const struct elect_node *b)
{
	unsigned fa, fb;

	if (!b)
		return true;
	fa = followers(in, a->pnn);
	fb = followers(in, b->pnn);
	if (fa != fb)
		return fa > fb;
	if (a->generation != b->generation)
		return a->generation > b->generation;
	return a->pnn < b->pnn;
}

static const struct elect_node *find_node(const struct elect_input *in, uint32_t pnn)
{
	for (size_t i = 0; i < in->nnodes; i++)
		if (in->nodes[i].pnn == pnn)
			return &in->nodes[i];
	return NULL;
}

static int validate(const struct elect_input *in)
{
	if (in->self == PNN_NONE || (in->nnodes > 0 && !in->nodes))
		return -EINVAL;
	for (size_t i = 0; i < in->nnodes; i++) {
		if (in->nodes[i].pnn == PNN_NONE)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (in->nodes[j].pnn == in->nodes[i].pnn)
				return -EINVAL;
	}
	return find_node(in, in->self) ? 0 : -EINVAL;
}

static struct elect_decision decision(uint32_t leader, enum elect_action a, enum elect_reason r)
{
	return (struct elect_decision){ .leader = leader, .action = a, .reason = r };
}

int elect_decide(const struct elect_input *in, struct elect_decision *out)
{
	const struct elect_node *me, *best = NULL, *keep = NULL, *lowest = NULL;
	bool me_candidate;
	int r;

	r = validate(in);
	if (r < 0)
		return r;
	me = find_node(in, in->self);
	me_candidate = elect_is_candidate(me->flags, me->caps, true);

	/* Candidates and claimants other than this node. */
	for (size_t i = 0; i < in->nnodes; i++) {
		const struct elect_node *n = &in->nodes[i];

		if (n == me) {
			if (me_candidate && (!lowest || n->pnn < lowest->pnn))
				lowest = n;
			continue;
		}
		if (!elect_is_candidate(n->flags, n->caps, false))
			continue;
		if (!lowest || n->pnn < lowest->pnn)
			lowest = n;
		if (n->leader_claim && (n->holds_lock || !in->lock_configured) && outranks(in, n, best))
			best = n;
	}

	if (in->leading) {
		uint32_t next = best ? best->pnn : PNN_NONE;

		if (!me_candidate) {
			bool no_cap = !(me->flags & NODE_FLAG_INACTIVE & ~NODE_FLAG_DISCONNECTED);

			*out = decision(next, ELECT_STEP_DOWN,
					no_cap ? ELECT_REASON_NO_RECMASTER : ELECT_REASON_INACTIVE);
		} else if (in->lock_configured && !in->holds_lock) {
			/* A stale lease: whatever happened meanwhile, never act on it. */
			*out = decision(next, ELECT_STEP_DOWN, ELECT_REASON_LOCK_LOST);
		} else if (best && outranks(in, best, me)) {
			*out = decision(best->pnn, ELECT_STEP_DOWN, ELECT_REASON_OUTRANKED);
		} else {
			*out = decision(me->pnn, ELECT_NONE, ELECT_REASON_LEADER);
		}
		return 0;
	}

	/* (a) A candidate leads holding the lock. */
	if (best) {
		*out = decision(best->pnn, ELECT_NONE, ELECT_REASON_CLAIMANT);
		return 0;
	}

	/* (b) Keep the current leader: no churn when a node joins or while
	 * the chosen node is still taking the lock. A leader that announces
	 * it follows someone else has deferred, so it is not kept (two nodes
	 * that each keep the other would otherwise never elect anyone). */
	if (in->leader != PNN_NONE) {
		const struct elect_node *x = find_node(in, in->leader);

		if (x == me)
			keep = me_candidate ? me : NULL;
		else if (x && elect_is_candidate(x->flags, x->caps, false) &&
			 (x->follows == PNN_NONE || x->follows == x->pnn))
			keep = x;
	}

	if (keep)
		*out = decision(keep->pnn, ELECT_NONE, ELECT_REASON_KEEP);
	else if (lowest) /* (c) */
		*out = decision(lowest->pnn, ELECT_NONE, ELECT_REASON_LOWEST_PNN);
	else
		*out = decision(PNN_NONE, ELECT_NONE, ELECT_REASON_NO_CANDIDATE);

	if (out->leader == me->pnn)
		out->action = ELECT_BECOME_LEADER;
	return 0;
}
