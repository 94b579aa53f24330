/*
 * daemon_tickles.c — tickle list replication (CTDB's tickle update), the
 * public-address glue's part that keeps other nodes' connection lists
 * (see daemon_ip_private.h and the top of daemon_ip.c).
 *
 * Every [failover] tickle interval each node reads its TCP connections
 * once (sock_diag), sorts them by the addresses it hosts and sends the others a TICKLES
 * message for each whose list changed (a fingerprint in any order), and
 * for all of them every sixth interval, so a node that joined later has
 * them too. Each node keeps the latest list per address of its own set;
 * a take that is handed no connections for an address (its holder died)
 * tickles that list's connections instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/clusterop.h"
#include "agentd/daemon_cluster_private.h"
#include "agentd/daemon_ip_private.h"
#include "agentd/ipop.h"
#include "agentd/log.h"
#include "failover/tickle.h"

#define TICKLES_RESEND_EVERY 6 /* intervals: then every list goes out again */

struct replica *tickles_find(struct ipglue *g, const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < g->nreplicas; i++)
		if (sockaddr_equal_addr(&g->replicas[i].addr, a))
			return &g->replicas[i];
	return NULL;
}

void tickles_forget(struct ipglue *g, const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < g->nreplicas; i++)
		if (sockaddr_equal_addr(&g->replicas[i].addr, a)) {
			free(g->replicas[i].conns);
			g->replicas[i] = g->replicas[--g->nreplicas];
			return;
		}
}

/* Keep node pnn's list of addr (one of our set), replacing the last. Takes conns. */
void tickles_store(struct ipglue *g, uint32_t pnn, const struct sockaddr_storage *addr,
		   struct ipop_conn *conns, size_t n)
{
	struct replica *rp;
	char buf[64];

	if (pnn == self(g->c) || !find_ip(g, addr)) {
		free(conns);
		return;
	}
	rp = tickles_find(g, addr);
	if (!rp) {
		rp = realloc(g->replicas, (g->nreplicas + 1) * sizeof(*rp));
		if (!rp) {
			free(conns);
			return;
		}
		g->replicas = rp;
		rp = &g->replicas[g->nreplicas++];
		*rp = (struct replica){ .addr = *addr };
	}
	free(rp->conns);
	rp->pnn = pnn;
	rp->when = now_monotonic();
	rp->conns = conns;
	rp->nconns = n;
	log_debug("tickle list of %s from node %u: %zu connections",
		  fmt_addr(addr, buf, sizeof(buf)), pnn, n);
}

/* Forget the lists of addresses that left our set. */
void tickles_prune(struct ipglue *g)
{
	for (size_t i = 0; i < g->nreplicas;) {
		if (!find_ip(g, &g->replicas[i].addr)) {
			free(g->replicas[i].conns);
			g->replicas[i] = g->replicas[--g->nreplicas];
		} else {
			i++;
		}
	}
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* A list's fingerprint, in any order: the sum of its entries' wire hashes. */
static uint64_t conns_hash(const struct ipop_conn *cs, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t buf[64];
		struct wbuf w;

		wbuf_init_fixed(&w, buf, sizeof(buf));
		if (ipop_put_conns(&w, &cs[i], 1) >= 0)
			sum += fnv1a(w.data, w.len);
	}
	return sum;
}

/*
 * Send ip's connections (those of tc, every connection of this host, whose
 * local end is ip) to every connected node, if they changed (or all).
 */
static void tickles_send_one(struct cluster *c, struct pubip *ip, const struct tickle_conn *tc,
			     size_t ntc, bool all)
{
	_cleanup_(freep) struct ipop_conn *cs = NULL;
	struct ipop_ip one = { .addr = ip->pa.addr, .pnn = self(c) };
	size_t n = 0, mine = 0;
	char addr[64];
	struct wbuf w;
	uint64_t h;
	int r;

	fmt_addr(&ip->pa.addr, addr, sizeof(addr));
	for (size_t k = 0; k < ntc; k++)
		mine += sockaddr_equal_addr(&tc[k].local, &ip->pa.addr);
	if (mine) {
		cs = calloc(MIN(mine, (size_t)IPOP_TICKLES_MAX), sizeof(*cs));
		if (!cs)
			return;
	}
	for (size_t k = 0; k < ntc && n < mine && n < IPOP_TICKLES_MAX; k++)
		if (sockaddr_equal_addr(&tc[k].local, &ip->pa.addr))
			cs[n++] = (struct ipop_conn){ .local = tc[k].local, .remote = tc[k].remote };
	if (mine > n && !ip->tk_cut_logged) {
		ip->tk_cut_logged = true;
		log_warn("%s has %zu connections: the other nodes' tickle lists get the first %zu",
			 addr, mine, n);
	}
	h = conns_hash(cs, n);
	if (!all && ip->tk_sent && ip->tk_n == n && ip->tk_hash == h)
		return;
	wbuf_init(&w, ipop_tickles_len(IPOP_TICKLES_MAX));
	r = ipop_put_tickles(&w, &one, cs, n);
	if (r >= 0)
		r = cluster_send(c, HERD_PNN_BROADCAST, HERD_OP_TICKLES, w.data, w.len, ++c->reqid,
				 HERD_CTRL_F_NOREPLY);
	wbuf_free(&w);
	if (r < 0) {
		log_debug("cannot send the tickle list of %s: %s", addr, strerror(-r));
		return;
	}
	if (r == 0)
		return; /* nobody to send it to: again next time */
	ip->tk_sent = true;
	ip->tk_n = n;
	ip->tk_hash = h;
	log_debug("sent the tickle list of %s (%zu connections) to %d nodes", addr, n, r);
}

void tickles_arm(struct ipglue *g)
{
	if (!g->tickle_timer)
		return;
	sd_event_source_set_time(g->tickle_timer, now_monotonic() + g->c->d->cf->tickle_interval);
	sd_event_source_set_enabled(g->tickle_timer, SD_EVENT_ONESHOT);
}

int tickles_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct ipglue *g = userdata;
	bool all = g->tickle_round++ % TICKLES_RESEND_EVERY == 0, hosting = false;
	_cleanup_(freep) struct tickle_conn *tc = NULL;
	size_t ntc = 0;
	int r;

	for (size_t i = 0; i < g->nips && !hosting; i++)
		hosting = g->ips[i].ifname[0];
	if (g->stopping || !hosting)
		goto out;
	/* One read of the socket table for all the addresses hosted here. */
	r = tickle_list(NULL, &tc, &ntc);
	if (r < 0) {
		log_debug("cannot list this host's TCP connections: %s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < g->nips; i++)
		if (g->ips[i].ifname[0])
			tickles_send_one(g->c, &g->ips[i], tc, ntc, all);
out:
	tickles_arm(g);
	return 0;
}

/*
 * The releaser handed no connections of ip over (it died, or had none):
 * those of the list its holder sent last, into *mine (freed first); the
 * count, and in from where they come.
 */
size_t tickles_replicated(struct cluster *c, const struct pubip *ip, struct ipop_conn **mine,
			  char *from, size_t fromlen)
{
	struct replica *rp = tickles_find(G(c), &ip->pa.addr);
	size_t n = 0;

	if (!rp || !rp->nconns)
		return 0;
	free(*mine);
	*mine = calloc(rp->nconns, sizeof(**mine));
	if (!*mine)
		return 0;
	for (size_t k = 0; k < rp->nconns; k++)
		if (sockaddr_equal_addr(&rp->conns[k].local, &ip->pa.addr))
			(*mine)[n++] = rp->conns[k];
	snprintf(from, fromlen, "the replicated list of node %u, age %.1fs", rp->pnn,
		 (double)(now_monotonic() - rp->when) / USEC_PER_SEC);
	return n;
}


void tickles_free(struct ipglue *g)
{
	g->tickle_timer = sd_event_source_disable_unref(g->tickle_timer);
	for (size_t i = 0; i < g->nreplicas; i++)
		free(g->replicas[i].conns);
	free(g->replicas);
	g->replicas = NULL;
	g->nreplicas = 0;
}
