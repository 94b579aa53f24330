/*
 * takeover.c — one takeover run's decision (takeover.h).
 */
#include "failover/takeover.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/state.h"
#include "failover/ipalloc.h"

static void bit_set(uint64_t *set, uint32_t pnn)
{
	set[pnn / 64] |= UINT64_C(1) << (pnn % 64);
}

static int addr_cmp(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return a->ss_family < b->ss_family ? -1 : 1;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, 4);
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

static int addr_qcmp(const void *x, const void *y)
{
	return addr_cmp(&((const struct takeover_addr *)x)->addr,
			&((const struct takeover_addr *)y)->addr);
}

static struct takeover_addr *find(struct takeover_plan *p, const struct sockaddr_storage *a)
{
	struct takeover_addr key = { .addr = *a };

	return bsearch(&key, p->addrs, p->naddrs, sizeof(*p->addrs), addr_qcmp);
}

static enum ipalloc_algorithm algorithm(enum ip_allocation a)
{
	switch (a) {
	case IP_ALLOC_DETERMINISTIC: return IPALLOC_DETERMINISTIC;
	case IP_ALLOC_NONDETERMINISTIC: return IPALLOC_NONDETERMINISTIC;
	default: return IPALLOC_LCP2;
	}
}

bool takeover_must_release(const struct takeover_addr *a, uint32_t pnn)
{
	return takeover_bit(a->holders, pnn) && a->target != (int32_t)pnn;
}

bool takeover_must_take(const struct takeover_addr *a, uint32_t pnn)
{
	return a->target == (int32_t)pnn &&
	       (!takeover_bit(a->holders, pnn) || takeover_bit(a->if_down, pnn));
}

void takeover_plan_free(struct takeover_plan *p)
{
	free(p->addrs);
	*p = (struct takeover_plan){ 0 };
}

/* The union of every answering node's addresses, sorted, without duplicates. */
static int collect(const struct takeover_input *in, struct takeover_plan *p)
{
	size_t total = 0, n = 0;

	for (size_t i = 0; i < in->nnodes; i++)
		if (in->nodes[i].answered)
			total += in->nodes[i].nips;
	p->addrs = calloc(total ? total : 1, sizeof(*p->addrs));
	if (!p->addrs)
		return -ENOMEM;
	for (size_t i = 0; i < in->nnodes; i++) {
		if (!in->nodes[i].answered)
			continue;
		for (size_t j = 0; j < in->nodes[i].nips; j++) {
			const struct ipop_ip *ip = &in->nodes[i].ips[j];

			if (ip->addr.ss_family != AF_INET && ip->addr.ss_family != AF_INET6)
				return -EINVAL;
			p->addrs[n].addr = ip->addr;
			p->addrs[n].prefix = ip->prefix;
			p->addrs[n].target = -1;
			n++;
		}
	}
	qsort(p->addrs, n, sizeof(*p->addrs), addr_qcmp);
	p->naddrs = 0;
	for (size_t i = 0; i < n; i++)
		if (!p->naddrs || addr_cmp(&p->addrs[p->naddrs - 1].addr, &p->addrs[i].addr))
			p->addrs[p->naddrs++] = p->addrs[i];
	return 0;
}

int takeover_plan(const struct takeover_input *in, struct takeover_plan *out)
{
	struct takeover_plan p = { 0 };
	struct ipalloc_ip *ips = NULL;
	bool *allowed = NULL, *no_takeover = NULL;
	uint32_t *flags = NULL;
	int32_t *result = NULL;
	int r;

	*out = (struct takeover_plan){ 0 };
	if (in->nnodes > HERD_MAX_NODES || (in->nnodes && !in->nodes))
		return -EINVAL;
	r = collect(in, &p);
	if (r < 0)
		goto out;
	/* Who hosts what, who may host what. */
	for (size_t i = 0; i < in->nnodes; i++) {
		const struct takeover_node *nd = &in->nodes[i];

		if (!nd->answered)
			continue;
		for (size_t j = 0; j < nd->nips; j++) {
			struct takeover_addr *a = find(&p, &nd->ips[j].addr);

			if (nd->ips[j].flags & IPOP_IP_HOSTED)
				bit_set(a->holders, (uint32_t)i);
			if ((nd->ips[j].flags & (IPOP_IP_HOSTED | IPOP_IP_IF_DOWN)) ==
			    (IPOP_IP_HOSTED | IPOP_IP_IF_DOWN))
				bit_set(a->if_down, (uint32_t)i);
			if (nd->ips[j].flags & IPOP_IP_USABLE)
				bit_set(a->allowed, (uint32_t)i);
		}
	}
	r = -ENOMEM;
	ips = calloc(p.naddrs ? p.naddrs : 1, sizeof(*ips));
	allowed = calloc((p.naddrs ? p.naddrs : 1) * (in->nnodes ? in->nnodes : 1), sizeof(*allowed));
	flags = calloc(in->nnodes ? in->nnodes : 1, sizeof(*flags));
	no_takeover = calloc(in->nnodes ? in->nnodes : 1, sizeof(*no_takeover));
	result = calloc(p.naddrs ? p.naddrs : 1, sizeof(*result));
	if (!ips || !allowed || !flags || !no_takeover || !result)
		goto out;
	for (size_t i = 0; i < in->nnodes; i++) {
		/* A node that did not answer can be given nothing. */
		flags[i] = in->nodes[i].answered ? in->nodes[i].flags
						 : in->nodes[i].flags | NODE_FLAG_DISCONNECTED;
		no_takeover[i] = in->nodes[i].no_takeover;
	}
	for (size_t k = 0; k < p.naddrs; k++) {
		struct takeover_addr *a = &p.addrs[k];
		bool *al = allowed + k * in->nnodes;

		ips[k].family = a->addr.ss_family;
		if (a->addr.ss_family == AF_INET)
			memcpy(ips[k].addr, &((struct sockaddr_in *)&a->addr)->sin_addr, 4);
		else
			memcpy(ips[k].addr, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, 16);
		ips[k].current = -1;
		for (size_t i = 0; i < in->nnodes; i++) {
			al[i] = takeover_bit(a->allowed, (uint32_t)i);
			/* The lowest holder that may keep it is its current node. */
			if (ips[k].current < 0 && takeover_bit(a->holders, (uint32_t)i) && al[i] &&
			    ipalloc_node_can_host(flags[i]))
				ips[k].current = (int32_t)i;
		}
		ips[k].allowed = al;
	}
	{
		struct ipalloc_input ai = {
			.algorithm = algorithm(in->algorithm),
			.no_ip_failback = in->no_ip_failback,
			.num_nodes = in->nnodes,
			.node_flags = flags,
			.node_no_takeover = no_takeover,
			.num_ips = p.naddrs,
			.ips = ips,
		};

		r = in->nnodes ? ipalloc_run(&ai, result) : 0;
		if (r < 0)
			goto out;
	}
	for (size_t k = 0; k < p.naddrs; k++)
		p.addrs[k].target = in->nnodes ? result[k] : -1;
	/* moveip pins, where the pinned node may host the address. */
	for (size_t i = 0; i < in->npins; i++) {
		struct takeover_addr *a = find(&p, &in->pins[i].addr);
		uint32_t pnn = in->pins[i].pnn;

		if (a && pnn < in->nnodes && takeover_bit(a->allowed, pnn) &&
		    ipalloc_node_can_host(flags[pnn]))
			a->target = (int32_t)pnn;
	}
	*out = p;
	p = (struct takeover_plan){ 0 };
	r = 0;
out:
	takeover_plan_free(&p);
	free(ips);
	free(allowed);
	free(flags);
	free(no_takeover);
	free(result);
	return r;
}
