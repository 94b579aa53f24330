/*
 * ipalloc.c — the entry point of public-IP allocation and CTDB's two
 * simple algorithms. ipalloc_run() checks its input, puts the addresses in
 * the order CTDB's merged list has them (descending by address, IPv6 words
 * compared first, IPv4 as the low word: every tie-break below depends on
 * that order), marks the nodes that may host nothing (INACTIVE or
 * DISABLED, as CTDB's ipalloc_set_node_flags does with
 * NoIPHostOnAllDisabled set), runs the algorithm and hands the result back
 * in the caller's order.
 *
 * deterministic: address number i (in that order) goes to node i mod N,
 * addresses on a node that cannot host them are unassigned, then handed
 * to the least-loaded node that can (lowest pnn on ties); no failback.
 * nondeterministic: keep what can be kept, give the rest to the
 * least-loaded node, then (unless no-ip-failback) move addresses off the
 * most-loaded node while two nodes differ by more than one address, at
 * most num_ips + 5 times — CTDB's basic_failback, quirks and all.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "agentd/state.h"
#include "failover/ipalloc_private.h"

static const char *const algorithm_names[] = {
	[IPALLOC_LCP2] = "lcp2",
	[IPALLOC_DETERMINISTIC] = "deterministic",
	[IPALLOC_NONDETERMINISTIC] = "nondeterministic",
};

const char *ipalloc_algorithm_name(enum ipalloc_algorithm a)
{
	return (size_t)a < ARRAY_SIZE(algorithm_names) ? algorithm_names[a] : "?";
}

int ipalloc_algorithm_from_name(const char *name, enum ipalloc_algorithm *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(algorithm_names); i++) {
		if (streq(name, algorithm_names[i])) {
			*a = (enum ipalloc_algorithm)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool ipalloc_node_can_host(uint32_t flags)
{
	return !(flags & (NODE_FLAG_INACTIVE | NODE_FLAG_DISABLED));
}

bool ipalloc_can_host(const struct ipalloc_state *st, size_t pnn, const struct ipalloc_wip *ip)
{
	if (st->noiphost[pnn])
		return false;
	return !ip->allowed || ip->allowed[pnn];
}

bool ipalloc_can_takeover(const struct ipalloc_state *st, size_t pnn, const struct ipalloc_wip *ip)
{
	if (st->notakeover[pnn])
		return false;
	return ipalloc_can_host(st, pnn, ip);
}

void ipalloc_unassign_unsuitable(struct ipalloc_state *st)
{
	for (size_t i = 0; i < st->num_ips; i++) {
		struct ipalloc_wip *ip = &st->ips[i];

		if (ip->pnn != -1 && !ipalloc_can_host(st, (size_t)ip->pnn, ip))
			ip->pnn = -1;
	}
}

static size_t coverage(const struct ipalloc_state *st, size_t pnn)
{
	size_t n = 0;

	for (size_t i = 0; i < st->num_ips; i++)
		if (st->ips[i].pnn == (int32_t)pnn)
			n++;
	return n;
}

/* CTDB's find_takeover_node: the node with the fewest addresses, lowest pnn on ties. */
static void find_takeover_node(struct ipalloc_state *st, struct ipalloc_wip *ip)
{
	int32_t best = -1;
	size_t min = 0;

	for (size_t n = 0; n < st->num_nodes; n++) {
		size_t num;

		if (!ipalloc_can_takeover(st, n, ip))
			continue;
		num = coverage(st, n);
		if (best == -1 || num < min) {
			best = (int32_t)n;
			min = num;
		}
	}
	if (best != -1)
		ip->pnn = best;
}

static void basic_allocate_unassigned(struct ipalloc_state *st)
{
	for (size_t i = 0; i < st->num_ips; i++)
		if (st->ips[i].pnn == -1)
			find_takeover_node(st, &st->ips[i]);
}

/* CTDB's basic_failback, including where it restarts its scan. */
static void basic_failback(struct ipalloc_state *st)
{
	size_t retries = 0;

again:
	for (size_t i = 0; i < st->num_ips; i++) {
		struct ipalloc_wip *ip = &st->ips[i];
		int32_t maxnode = -1, minnode = -1;
		size_t maxnum = 0, minnum = 0;

		if (ip->pnn == -1)
			continue;
		for (size_t n = 0; n < st->num_nodes; n++) {
			size_t num;

			if (!ipalloc_can_takeover(st, n, ip))
				continue;
			num = coverage(st, n);
			if (maxnode == -1 || num > maxnum) {
				maxnode = (int32_t)n;
				maxnum = num;
			}
			if (minnode == -1 || num < minnum) {
				minnode = (int32_t)n;
				minnum = num;
			}
		}
		if (maxnode == -1)
			continue;
		if (maxnum > minnum + 1 && retries < st->num_ips + 5) {
			for (size_t j = 0; j < st->num_ips; j++) {
				if (st->ips[j].pnn == maxnode) {
					find_takeover_node(st, &st->ips[j]);
					retries++;
					goto again;
				}
			}
		}
	}
}

static void ipalloc_nondeterministic(struct ipalloc_state *st)
{
	ipalloc_unassign_unsuitable(st);
	basic_allocate_unassigned(st);
	if (!st->no_ip_failback)
		basic_failback(st);
}

static void ipalloc_deterministic(struct ipalloc_state *st)
{
	/* Failback is implicit here: no_ip_failback is ignored, as in CTDB. */
	for (size_t i = 0; i < st->num_ips; i++)
		st->ips[i].pnn = (int32_t)(i % st->num_nodes);
	ipalloc_unassign_unsuitable(st);
	basic_allocate_unassigned(st);
}

static void ip_key(const struct ipalloc_ip *ip, uint32_t key[4])
{
	const uint8_t *a = ip->addr;

	memset(key, 0, 4 * sizeof(*key));
	if (ip->family == AF_INET) {
		key[3] = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		return;
	}
	for (int w = 0; w < 4; w++)
		key[w] = (uint32_t)a[4 * w] << 24 | (uint32_t)a[4 * w + 1] << 16 |
			 (uint32_t)a[4 * w + 2] << 8 | a[4 * w + 3];
}

static int key_cmp(const uint32_t *a, const uint32_t *b)
{
	for (int w = 0; w < 4; w++)
		if (a[w] != b[w])
			return a[w] < b[w] ? -1 : 1;
	return 0;
}

/* Descending: CTDB builds its list by prepending during an in-order walk. */
static int wip_cmp_desc(const void *pa, const void *pb)
{
	const struct ipalloc_wip *a = pa, *b = pb;

	return -key_cmp(a->key, b->key);
}

int ipalloc_run(const struct ipalloc_input *in, int32_t *result)
{
	struct ipalloc_state st = {
		.num_nodes = in->num_nodes,
		.num_ips = in->num_ips,
		.no_ip_failback = in->no_ip_failback,
	};
	int r = 0;

	if ((size_t)in->algorithm >= ARRAY_SIZE(algorithm_names))
		return -EINVAL;
	for (size_t i = 0; i < in->num_ips; i++) {
		const struct ipalloc_ip *ip = &in->ips[i];

		if (ip->family != AF_INET && ip->family != AF_INET6)
			return -EINVAL;
		if (ip->current < -1 || (ip->current >= 0 && (size_t)ip->current >= in->num_nodes))
			return -EINVAL;
	}
	if (in->num_ips == 0)
		return 0;
	if (in->num_nodes == 0) {
		for (size_t i = 0; i < in->num_ips; i++)
			result[i] = -1;
		return 0;
	}

	st.noiphost = calloc(in->num_nodes, sizeof(*st.noiphost));
	st.notakeover = calloc(in->num_nodes, sizeof(*st.notakeover));
	st.ips = calloc(in->num_ips, sizeof(*st.ips));
	if (!st.noiphost || !st.notakeover || !st.ips) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t n = 0; n < in->num_nodes; n++) {
		st.noiphost[n] = !ipalloc_node_can_host(in->node_flags[n]);
		st.notakeover[n] = in->no_ip_takeover ||
				   (in->node_no_takeover && in->node_no_takeover[n]);
	}
	for (size_t i = 0; i < in->num_ips; i++) {
		ip_key(&in->ips[i], st.ips[i].key);
		st.ips[i].pnn = in->ips[i].current;
		st.ips[i].allowed = in->ips[i].allowed;
		st.ips[i].index = i;
	}
	qsort(st.ips, in->num_ips, sizeof(*st.ips), wip_cmp_desc);
	for (size_t i = 1; i < in->num_ips; i++) {
		if (key_cmp(st.ips[i - 1].key, st.ips[i].key) == 0) {
			r = -EEXIST;
			goto out;
		}
	}

	switch (in->algorithm) {
	case IPALLOC_LCP2:
		r = ipalloc_lcp2(&st);
		break;
	case IPALLOC_DETERMINISTIC:
		ipalloc_deterministic(&st);
		break;
	case IPALLOC_NONDETERMINISTIC:
		ipalloc_nondeterministic(&st);
		break;
	}
	if (r >= 0)
		for (size_t i = 0; i < in->num_ips; i++)
			result[st.ips[i].index] = st.ips[i].pnn;
out:
	free(st.ips);
	free(st.notakeover);
	free(st.noiphost);
	return r;
}
