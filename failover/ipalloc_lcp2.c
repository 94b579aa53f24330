/*
 * ipalloc_lcp2.c — CTDB's LCP2 allocation ("longest common prefix,
 * squared"). The cost of two addresses on one node is the square of their
 * distance, CTDB's ip_distance: over the four 32-bit words of the address
 * key, 32 for each equal word plus the leading zero bits of each word
 * that differs (IPv4 is 96 + the common prefix). A node's imbalance is the
 * sum of its pairs' costs: addresses that share a prefix (a subnet) cost
 * most together, so LCP2 spreads each subnet across the nodes.
 *
 * Steps, as ctdb/server/ipalloc_lcp2.c: unassign what cannot stay; nodes
 * that hold nothing are the rebalance candidates; give unassigned
 * addresses one at a time, always the (address, node) pair that adds the
 * least cost (first in address order, then lowest pnn, on ties); then,
 * unless no-ip-failback, repeatedly take the most imbalanced node (lowest
 * pnn on ties) and move the one address to a candidate node that lowers
 * the sum of both imbalances most. Sums are uint32_t and wrap exactly as
 * CTDB's do.
 *
 * CTDB recomputes each address's cost on a node by walking the whole
 * list; here a table cost[ip][node] is kept current as addresses move, so
 * that 64 nodes x 1,024 addresses take milliseconds, with the same
 * numbers (sums modulo 2^32 do not depend on order).
 */
#include "agentd/util.h"
#include "failover/ipalloc_private.h"

static uint32_t ip_distance(const uint32_t *a, const uint32_t *b)
{
	uint32_t d = 0;

	for (int w = 0; w < 4; w++) {
		uint32_t x = a[w] ^ b[w];

		d += x ? (uint32_t)__builtin_clz(x) : 32;
	}
	return d;
}

struct lcp2 {
	struct ipalloc_state *st;
	uint32_t *cost;       /* [ip * num_nodes + node]: sum of d^2 to that node's other ips */
	uint32_t *imbalance;  /* [num_nodes] */
	bool *candidate;      /* [num_nodes]: may receive addresses in failback */
};

#define COST(l, ip, node) ((l)->cost[(ip) * (l)->st->num_nodes + (node)])

/* Move address m from its node to node dst (either may be -1), updating cost. */
static void lcp2_move(struct lcp2 *l, size_t m, int32_t dst)
{
	struct ipalloc_state *st = l->st;
	int32_t src = st->ips[m].pnn;

	for (size_t u = 0; u < st->num_ips; u++) {
		uint32_t d;

		if (u == m)
			continue;
		d = ip_distance(st->ips[u].key, st->ips[m].key);
		if (src != -1)
			COST(l, u, (size_t)src) -= d * d;
		if (dst != -1)
			COST(l, u, (size_t)dst) += d * d;
	}
	st->ips[m].pnn = dst;
}

static int lcp2_init(struct lcp2 *l)
{
	struct ipalloc_state *st = l->st;
	size_t n = st->num_nodes;

	l->cost = calloc(st->num_ips * n, sizeof(*l->cost));
	l->imbalance = calloc(n, sizeof(*l->imbalance));
	l->candidate = calloc(n, sizeof(*l->candidate));
	if (!l->cost || !l->imbalance || !l->candidate)
		return -ENOMEM;
	for (size_t i = 0; i < st->num_ips; i++) {
		int32_t p = st->ips[i].pnn;

		if (p == -1)
			continue;
		for (size_t j = i + 1; j < st->num_ips; j++) {
			uint32_t d = ip_distance(st->ips[i].key, st->ips[j].key);

			COST(l, j, (size_t)p) += d * d;
			if (st->ips[j].pnn == p)
				l->imbalance[p] += d * d;
		}
		for (size_t j = 0; j < i; j++) {
			uint32_t d = ip_distance(st->ips[i].key, st->ips[j].key);

			COST(l, j, (size_t)p) += d * d;
		}
	}
	/* A node holding addresses was healthy before: not a failback target. */
	for (size_t k = 0; k < n; k++)
		l->candidate[k] = true;
	for (size_t i = 0; i < st->num_ips; i++)
		if (st->ips[i].pnn != -1)
			l->candidate[st->ips[i].pnn] = false;
	return 0;
}

static void lcp2_allocate_unassigned(struct lcp2 *l)
{
	struct ipalloc_state *st = l->st;

	for (;;) {
		int32_t minnode = -1;
		size_t minip = 0;
		uint32_t mindsum = 0;

		for (size_t i = 0; i < st->num_ips; i++) {
			if (st->ips[i].pnn != -1)
				continue;
			for (size_t n = 0; n < st->num_nodes; n++) {
				uint32_t dsum;

				if (!ipalloc_can_takeover(st, n, &st->ips[i]))
					continue;
				dsum = COST(l, i, n);
				if (minnode == -1 || dsum < mindsum) {
					minnode = (int32_t)n;
					minip = i;
					mindsum = dsum;
				}
			}
		}
		if (minnode == -1)
			return; /* nothing left that any node can take */
		l->imbalance[minnode] += mindsum;
		lcp2_move(l, minip, minnode);
	}
}

/* Best move of one address off srcnode; true when one was made. */
static bool lcp2_failback_candidate(struct lcp2 *l, size_t srcnode)
{
	struct ipalloc_state *st = l->st;
	uint32_t minsrcimbl = 0, mindstimbl = 0;
	int32_t mindstnode = -1;
	size_t minip = 0;

	for (size_t i = 0; i < st->num_ips; i++) {
		uint32_t srcdsum, srcimbl;

		if (st->ips[i].pnn != (int32_t)srcnode)
			continue;
		srcdsum = COST(l, i, srcnode);
		srcimbl = l->imbalance[srcnode] - srcdsum;
		for (size_t n = 0; n < st->num_nodes; n++) {
			uint32_t dstdsum, dstimbl;

			if (!l->candidate[n] || !ipalloc_can_takeover(st, n, &st->ips[i]))
				continue;
			dstdsum = COST(l, i, n);
			dstimbl = l->imbalance[n] + dstdsum;
			if (dstimbl < l->imbalance[srcnode] && dstdsum < srcdsum &&
			    (mindstnode == -1 ||
			     (uint32_t)(srcimbl + dstimbl) < (uint32_t)(minsrcimbl + mindstimbl))) {
				minip = i;
				minsrcimbl = srcimbl;
				mindstnode = (int32_t)n;
				mindstimbl = dstimbl;
			}
		}
	}
	if (mindstnode == -1)
		return false;
	l->imbalance[srcnode] = minsrcimbl;
	l->imbalance[mindstnode] = mindstimbl;
	lcp2_move(l, minip, mindstnode);
	return true;
}

static int lcp2_failback(struct lcp2 *l)
{
	size_t n = l->st->num_nodes;
	_cleanup_(freep) size_t *order = calloc(n, sizeof(*order));
	bool again;

	if (!order)
		return -ENOMEM;
	do {
		/* Most imbalanced first; a stable sort, so lowest pnn on ties. */
		for (size_t i = 0; i < n; i++) {
			size_t j = i;

			while (j > 0 && l->imbalance[order[j - 1]] < l->imbalance[i]) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = i;
		}
		again = false;
		for (size_t i = 0; i < n; i++) {
			if (l->imbalance[order[i]] == 0)
				break; /* every node has 0 or 1 address */
			if (lcp2_failback_candidate(l, order[i])) {
				again = true;
				break;
			}
		}
	} while (again);
	return 0;
}

int ipalloc_lcp2(struct ipalloc_state *st)
{
	struct lcp2 l = { .st = st };
	bool any_candidate = false;
	int r;

	ipalloc_unassign_unsuitable(st);
	r = lcp2_init(&l);
	if (r < 0)
		goto out;
	lcp2_allocate_unassigned(&l);
	if (st->no_ip_failback)
		goto out;
	for (size_t n = 0; n < st->num_nodes; n++)
		any_candidate |= l.candidate[n];
	if (any_candidate)
		r = lcp2_failback(&l);
out:
	free(l.candidate);
	free(l.imbalance);
	free(l.cost);
	return r;
}
