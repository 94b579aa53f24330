/*
 * Unit tests: agentd/elect.c — the election rules as a table of cases.
 *
 * Each case is one node's view. `nodes` lists every node as PNN optionally
 * followed by '/' and modifiers (letters, g and f take a number):
 *
 *   d disconnected   b banned   s stopped   x deleted
 *   u unhealthy      p permanently disabled   n no RECMASTER capability
 *   c claims leadership   l holds the lock (a fresh lease)
 *   gN at generation N    fN follows node N (default: follows no one)
 *
 * so "0 1/clg5f1 2/d" is: node 0 fine; node 1 leads holding the lock at
 * generation 5; node 2 unreachable. `self`, `leader`, `leading` and `holds`
 * are this node's own side (struct elect_input); its modifiers c/l/f are
 * ignored by elect_decide, its g is its own generation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>

#include "agentd/elect.h"

#define NONE PNN_NONE
#define MAX_NODES 16

enum { A_NONE = ELECT_NONE, A_BECOME = ELECT_BECOME_LEADER, A_STEP = ELECT_STEP_DOWN };

struct elect_case {
	const char *name;
	uint32_t self;
	bool lock;              /* a recovery lock is configured */
	uint32_t leader;        /* this node's current leader */
	bool leading, holds;    /* this node acts as leader / its lease is fresh */
	const char *nodes;
	/* expected */
	uint32_t want_leader;
	int want_action;
	enum elect_reason want_reason;
};

static const struct elect_case cases[] = {
	/* Start-up. */
	{ "fresh 3-node start: node 0 is the lowest candidate",
	  0, true, NONE, false, false, "0 1 2",
	  0, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "fresh 3-node start: node 1 follows node 0",
	  1, true, NONE, false, false, "0 1 2",
	  0, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "fresh start: node 2 sees nobody yet and elects itself (the lock decides)",
	  2, true, NONE, false, false, "0/d 1/d 2",
	  2, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "this node's own DISCONNECTED flag (state model default) is ignored",
	  0, true, NONE, false, false, "0/d 1/d",
	  0, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "elected, still taking the lock: keep asking for it",
	  0, true, 0, false, false, "0 1/f0 2/f0",
	  0, A_BECOME, ELECT_REASON_KEEP },
	{ "node 1 while node 0 takes the lock: keep following node 0",
	  1, true, 0, false, false, "0/f0 1 2",
	  0, A_NONE, ELECT_REASON_KEEP },
	{ "lost the race for the lock: node 1 claims first, follow it",
	  0, true, 0, false, false, "0 1/clg3f1 2",
	  1, A_NONE, ELECT_REASON_CLAIMANT },

	/* Steady state. */
	{ "steady: the leader holds the lock",
	  0, true, 0, true, true, "0/g4 1/f0 2/f0",
	  0, A_NONE, ELECT_REASON_LEADER },
	{ "steady: a follower follows the claimant",
	  2, true, 0, false, false, "0/clg4f0 1/f0 2/g4",
	  0, A_NONE, ELECT_REASON_CLAIMANT },
	{ "unhealthy and disabled nodes may still lead (only INACTIVE excludes)",
	  0, true, NONE, false, false, "0/u 1/p 2",
	  0, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "a leader with a lower-generation rival that also claims stays leader",
	  1, true, 1, true, true, "0/clg4f0 1/g9 2",
	  1, A_NONE, ELECT_REASON_LEADER },

	/* The leader goes away. */
	{ "leader killed: node 1 is now the lowest candidate",
	  1, true, 0, false, false, "0/d 1 2/f0",
	  1, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "leader killed: node 2 follows node 1",
	  2, true, 0, false, false, "0/d 1/f0 2",
	  1, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "leader banned (still connected, still announcing): ignored",
	  1, true, 0, false, false, "0/bclg4f0 1 2",
	  1, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "leader stopped: ignored",
	  2, true, 0, false, false, "0/sclg4f0 1/f0 2",
	  1, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "the leader itself is banned: step down",
	  0, true, 0, true, true, "0/bg4 1/f0 2/f0",
	  NONE, A_STEP, ELECT_REASON_INACTIVE },
	{ "the leader itself is stopped: step down",
	  0, true, 0, true, true, "0/sg4 1/f0 2/f0",
	  NONE, A_STEP, ELECT_REASON_INACTIVE },
	{ "the leader loses RECMASTER (reload): step down",
	  0, true, 0, true, true, "0/ng4 1/f0 2/f0",
	  NONE, A_STEP, ELECT_REASON_NO_RECMASTER },
	{ "a deleted node is never a candidate",
	  1, true, NONE, false, false, "0/x 1 2",
	  1, A_BECOME, ELECT_REASON_LOWEST_PNN },

	/* Capabilities and no candidate at all. */
	{ "node without RECMASTER follows the lowest candidate",
	  0, true, NONE, false, false, "0/n 1 2",
	  1, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "node without RECMASTER is never kept as leader",
	  1, true, 0, false, false, "0/nf0 1 2",
	  1, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "all candidates gone: no leader",
	  1, true, 0, false, false, "0/d 1/n 2/d",
	  NONE, A_NONE, ELECT_REASON_NO_CANDIDATE },
	{ "no node has RECMASTER: no leader",
	  0, false, NONE, false, false, "0/n 1/n",
	  NONE, A_NONE, ELECT_REASON_NO_CANDIDATE },
	{ "a banned node follows the claimant but never leads",
	  2, true, NONE, false, false, "0/clg4f0 1 2/b",
	  0, A_NONE, ELECT_REASON_CLAIMANT },
	{ "a banned node with no claimant in sight follows the lowest candidate",
	  0, true, NONE, false, false, "0/b 1 2",
	  1, A_NONE, ELECT_REASON_LOWEST_PNN },

	/* Partitions heal: two claimants. */
	{ "heal without lock: the higher generation wins, node 0 steps down",
	  0, false, 0, true, false, "0/g5 1/f0 3/cg7f3 4/f3",
	  3, A_STEP, ELECT_REASON_OUTRANKED },
	{ "heal without lock: node 3 (higher generation) stays leader",
	  3, false, 3, true, false, "0/cg5f0 1/f0 3/g7 4/f3",
	  3, A_NONE, ELECT_REASON_LEADER },
	{ "heal without lock, equal generations: the lower pnn wins",
	  3, false, 3, true, false, "0/cg7f0 3/g7",
	  0, A_STEP, ELECT_REASON_OUTRANKED },
	{ "a follower seeing two claimants picks the higher generation",
	  1, true, NONE, false, false, "0/clg5f0 1 2/clg6f2",
	  2, A_NONE, ELECT_REASON_CLAIMANT },
	{ "two claimants: the one more nodes follow wins over a higher generation",
	  1, false, NONE, false, false, "0/cg5f0 1 2/cg9f2 3/f0",
	  0, A_NONE, ELECT_REASON_CLAIMANT },
	{ "a woken leader alone steps down for the claimant the others follow",
	  0, false, 0, true, false, "0/g9 1/cg6f1 2/f1",
	  1, A_STEP, ELECT_REASON_OUTRANKED },
	{ "a follower seeing two claimants at one generation picks the lower pnn",
	  4, false, NONE, false, false, "1/cg6f1 2/cg6f2 4",
	  1, A_NONE, ELECT_REASON_CLAIMANT },

	/* The lock. */
	{ "no lock configured: a claim without a lock counts",
	  1, false, NONE, false, false, "0 1 2/cg3f2",
	  2, A_NONE, ELECT_REASON_CLAIMANT },
	{ "lock configured: a claim without a fresh lease does not count",
	  1, true, NONE, false, false, "0/d 1 2/cg3f2",
	  1, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "woken-up stale leader, someone else leads now: step down and follow",
	  0, true, 0, true, false, "0/g4 1/clg5f1 2/f1",
	  1, A_STEP, ELECT_REASON_LOCK_LOST },
	{ "woken-up stale leader, nobody claims yet: step down anyway",
	  0, true, 0, true, false, "0/g4 1/f0 2/f0",
	  NONE, A_STEP, ELECT_REASON_LOCK_LOST },
	{ "stale leader after stepping down: elected again, must re-take the lock",
	  0, true, NONE, false, false, "0/g4 1 2",
	  0, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "no lock configured: leading needs no lease",
	  0, false, 0, true, false, "0/g4 1/f0",
	  0, A_NONE, ELECT_REASON_LEADER },

	/* Stability. */
	{ "joiner adopts the existing leader rather than the lowest pnn",
	  0, true, NONE, false, false, "0 1/f2 2/clg9f2",
	  2, A_NONE, ELECT_REASON_CLAIMANT },
	{ "current leader not (yet) announcing is kept: no churn on join",
	  1, true, 2, false, false, "0 1 2/f2",
	  2, A_NONE, ELECT_REASON_KEEP },
	{ "current leader that follows someone else is not kept",
	  1, true, 2, false, false, "0/f0 1 2/f0",
	  0, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "two nodes that each follow the other do not deadlock",
	  0, true, 1, false, false, "0 1/f0",
	  0, A_BECOME, ELECT_REASON_LOWEST_PNN },
	{ "... and the other one of the pair follows node 0",
	  1, true, 0, false, false, "0/f1 1",
	  0, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "leader reachable by others but not by me: not a candidate for me",
	  2, true, 0, false, false, "0/dclg4f0 1/f0 2",
	  1, A_NONE, ELECT_REASON_LOWEST_PNN },
	{ "nodes listed out of order, gaps in pnns",
	  7, true, NONE, false, false, "9 7 3/d 5/n",
	  7, A_BECOME, ELECT_REASON_LOWEST_PNN },
};

/* Parse the `nodes` mini-language; the test fails on a typo. */
static size_t parse_nodes(const char *text, struct elect_node *out, size_t max)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		struct elect_node *nd;
		char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		assert_true(n < max);
		nd = &out[n++];
		*nd = (struct elect_node){ .caps = NODE_CAP_RECMASTER | NODE_CAP_LMASTER,
					   .follows = PNN_NONE };
		assert_true(isdigit((unsigned char)*p));
		nd->pnn = (uint32_t)strtoul(p, &end, 10);
		p = end;
		if (*p != '/')
			continue;
		for (p++; *p && *p != ' ';) {
			char c = *p++;

			switch (c) {
			case 'd': nd->flags |= NODE_FLAG_DISCONNECTED; break;
			case 'b': nd->flags |= NODE_FLAG_BANNED; break;
			case 's': nd->flags |= NODE_FLAG_STOPPED; break;
			case 'x': nd->flags |= NODE_FLAG_DELETED; break;
			case 'u': nd->flags |= NODE_FLAG_UNHEALTHY; break;
			case 'p': nd->flags |= NODE_FLAG_PERMANENTLY_DISABLED; break;
			case 'n': nd->caps &= ~NODE_CAP_RECMASTER; break;
			case 'c': nd->leader_claim = true; break;
			case 'l': nd->holds_lock = true; break;
			case 'g':
			case 'f': {
				uint32_t v;

				assert_true(isdigit((unsigned char)*p));
				v = (uint32_t)strtoul(p, &end, 10);
				p = end;
				if (c == 'g')
					nd->generation = v;
				else
					nd->follows = v;
				break;
			}
			default:
				fail_msg("bad modifier '%c' in \"%s\"", c, text);
			}
		}
	}
	return n;
}

static void test_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct elect_case *c = &cases[i];
		struct elect_node nodes[MAX_NODES];
		struct elect_input in = {
			.self = c->self,
			.lock_configured = c->lock,
			.leader = c->leader,
			.leading = c->leading,
			.holds_lock = c->holds,
			.nodes = nodes,
		};
		struct elect_decision d;

		in.nnodes = parse_nodes(c->nodes, nodes, MAX_NODES);
		assert_int_equal(elect_decide(&in, &d), 0);
		if (d.leader != c->want_leader || (int)d.action != c->want_action ||
		    d.reason != c->want_reason)
			fail_msg("case %zu \"%s\": got leader %d %s (%s), want leader %d %s (%s)",
				 i, c->name, (int)d.leader, elect_action_name(d.action),
				 elect_reason_name(d.reason), (int)c->want_leader,
				 elect_action_name((enum elect_action)c->want_action),
				 elect_reason_name(c->want_reason));
	}
	print_message("%zu election cases\n", ARRAY_SIZE(cases));
}

/*
 * Invariants over every case: BECOME_LEADER always names this node; only a
 * leading node steps down and a leading node never gets BECOME_LEADER; a
 * decision never names a node that is not a candidate for this node.
 */
static void test_invariants(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct elect_case *c = &cases[i];
		struct elect_node nodes[MAX_NODES];
		struct elect_input in = { .self = c->self, .lock_configured = c->lock,
					  .leader = c->leader, .leading = c->leading,
					  .holds_lock = c->holds, .nodes = nodes };
		struct elect_decision d;

		in.nnodes = parse_nodes(c->nodes, nodes, MAX_NODES);
		assert_int_equal(elect_decide(&in, &d), 0);
		if (d.action == ELECT_BECOME_LEADER)
			assert_int_equal(d.leader, c->self);
		if (d.action == ELECT_STEP_DOWN)
			assert_true(c->leading);
		if (c->leading)
			assert_int_not_equal(d.action, ELECT_BECOME_LEADER);
		if (d.leader != PNN_NONE) {
			for (size_t j = 0; j < in.nnodes; j++)
				if (nodes[j].pnn == d.leader)
					assert_true(elect_is_candidate(nodes[j].flags, nodes[j].caps,
								       nodes[j].pnn == c->self));
		}
	}
}

/* Every node of a fully connected cluster reaches the same leader. */
static void test_agreement(void **state)
{
	struct elect_node nodes[5];
	uint32_t first = PNN_NONE;

	for (uint32_t self = 0; self < 5; self++) {
		struct elect_input in = { .self = self, .lock_configured = true,
					  .leader = PNN_NONE, .nnodes = 5, .nodes = nodes };
		struct elect_decision d;

		/* node 0 has no RECMASTER, node 1 is banned: node 2 must lead */
		parse_nodes("0/n 1/b 2 3 4", nodes, 5);
		assert_int_equal(elect_decide(&in, &d), 0);
		if (first == PNN_NONE)
			first = d.leader;
		assert_int_equal(d.leader, first);
		assert_int_equal(d.action, self == 2 ? ELECT_BECOME_LEADER : ELECT_NONE);
	}
	assert_int_equal(first, 2);
}

static void test_bad_input(void **state)
{
	struct elect_node nodes[MAX_NODES];
	struct elect_input in = { .self = 3, .lock_configured = true, .leader = PNN_NONE,
				  .nodes = nodes };
	struct elect_decision d;

	in.nnodes = parse_nodes("0 1 2", nodes, MAX_NODES);
	assert_int_equal(elect_decide(&in, &d), -EINVAL);       /* self not listed */
	in.nnodes = parse_nodes("0 3 0", nodes, MAX_NODES);
	assert_int_equal(elect_decide(&in, &d), -EINVAL);       /* pnn twice */
	in.nnodes = parse_nodes("0 3", nodes, MAX_NODES);
	nodes[0].pnn = PNN_NONE;
	assert_int_equal(elect_decide(&in, &d), -EINVAL);
	in.self = PNN_NONE;
	assert_int_equal(elect_decide(&in, &d), -EINVAL);
	in.nnodes = 0;
	in.self = 0;
	assert_int_equal(elect_decide(&in, &d), -EINVAL);
}

static void test_names(void **state)
{
	for (int r = 0; r < ELECT_REASON_MAX_; r++) {
		assert_non_null(elect_reason_name((enum elect_reason)r));
		assert_string_not_equal(elect_reason_name((enum elect_reason)r), "unknown");
	}
	assert_string_equal(elect_reason_name(ELECT_REASON_LOCK_LOST), "lock-lost");
	assert_string_equal(elect_reason_name((enum elect_reason)99), "unknown");
	assert_string_equal(elect_action_name(ELECT_BECOME_LEADER), "become-leader");
	assert_string_equal(elect_action_name(ELECT_STEP_DOWN), "step-down");
	assert_string_equal(elect_action_name((enum elect_action)-1), "unknown");
	assert_true(elect_is_candidate(NODE_FLAG_DISCONNECTED, NODE_CAP_RECMASTER, true));
	assert_false(elect_is_candidate(NODE_FLAG_DISCONNECTED, NODE_CAP_RECMASTER, false));
	assert_true(elect_is_candidate(NODE_FLAG_DISABLED, NODE_CAP_RECMASTER, false));
	assert_false(elect_is_candidate(0, NODE_CAP_LMASTER, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_agreement),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
