/*
 * daemon_ip.c — public addresses: the node side and the leader's takeover
 * run (see daemon_ip.h).
 *
 * A takeover run, on the leader (one at a time; a trigger during a run
 * queues another):
 *   GATHER   IPINFO to every connected node: its addresses, which it
 *            hosts, which it can host (an interface up), its settings;
 *   decide   takeover_plan() — pure, failover/takeover.c;
 *   RELEASE  RELEASEIP to every node hosting an address that moves; each
 *            answers with the TCP connections it had on them;
 *   TAKE     TAKEIP to every new holder, with those connections (after
 *            every release has been answered: never hosted twice);
 *   IPMAP    the result to every node, which runs ipreallocated.
 * Each phase has a deadline (the detection time, at least half a second).
 * A node that does not answer in time has its addresses left alone and the
 * run is marked incomplete; another run follows a keepalive interval later.
 *
 * On every node: an address is configured through failover/ipaddr.c on
 * the least-loaded working interface its line names; ARP_SEND_COUNT
 * rounds of gratuitous ARP (or unsolicited NA) follow, and tickle ACKs for
 * the connections handed over, in the first TICKLE_SEND_COUNT rounds.
 * The event scripts are told afterwards (takeip, releaseip, updateip,
 * ipreallocated), through the monitor's queue.
 *
 * Tickle list replication (CTDB's tickle update): every tickle interval
 * each node sends the others (TICKLES) the connections of every address
 * it hosts whose list changed, and all of them every sixth interval; each
 * node keeps the latest list per address. A take that is handed no
 * connections for an address (its holder died) tickles that list's
 * (daemon_tickles.c).
 */
#include "agentd/daemon_ip.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/clusterop.h"
#include "agentd/daemon_cluster_private.h"
#include "agentd/daemon_ip_private.h"
#include "agentd/ipop.h"
#include "agentd/log.h"
#include "collectors/monitor.h"
#include "failover/arp.h"
#include "failover/ipalloc.h"
#include "failover/ifhealth.h"
#include "failover/iflink.h"
#include "failover/ipaddr.h"
#include "failover/policyroute_apply.h"
#include "failover/takeover.h"
#include "failover/tickle.h"


struct ipglue *G(struct cluster *c)
{
	return c->ip;
}

static usec_t phase_timeout(struct cluster *c)
{
	return MAX(500 * USEC_PER_MSEC,
		   c->d->cf->keepalive_interval * c->d->cf->keepalive_limit);
}

const char *fmt_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	return sockaddr_format(buf, len, ss);
}

/* ---- interfaces -------------------------------------------------------- */

static size_t links_snapshot(struct ipglue *g, struct ifhealth_link *links, size_t max)
{
	size_t n = 0;

	if (!g->il)
		return 0;
	for (size_t i = 0; i < iflink_count(g->il) && n < max; i++) {
		int idx;
		bool up;
		const char *name = iflink_get(g->il, i, &idx, &up);

		links[n++] = (struct ifhealth_link){ .name = name, .up = up };
	}
	return n;
}

bool iface_up(struct ipglue *g, const char *ifname)
{
	return g->il && iflink_is_up(g->il, ifname) == 1;
}

static bool can_host(struct ipglue *g, const struct pubip *ip)
{
	for (size_t i = 0; i < ip->pa.nifaces; i++)
		if (iface_up(g, ip->pa.ifaces[i]))
			return true;
	return false;
}

/* The working interface of ip's line with the fewest of our addresses. */
static const char *pick_iface(struct ipglue *g, const struct pubip *ip)
{
	const char *best = NULL;
	size_t best_load = SIZE_MAX;

	for (size_t i = 0; i < ip->pa.nifaces; i++) {
		size_t load = 0;

		if (!iface_up(g, ip->pa.ifaces[i]))
			continue;
		for (size_t j = 0; j < g->nips; j++)
			if (streq(g->ips[j].ifname, ip->pa.ifaces[i]))
				load++;
		if (load < best_load) {
			best = ip->pa.ifaces[i];
			best_load = load;
		}
	}
	return best;
}

static enum ifhealth eval_ifaces(struct ipglue *g)
{
	struct ifhealth_link links[MAX_IFACES];
	size_t nl = links_snapshot(g, links, ARRAY_SIZE(links));
	_cleanup_(freep) struct conf_pubaddr *pas = calloc(MAX(g->nips, (size_t)1), sizeof(*pas));

	if (!pas)
		return g->ifh;
	for (size_t i = 0; i < g->nips; i++)
		pas[i] = g->ips[i].pa;
	return ifhealth_eval(pas, g->nips, links, nl);
}

bool ip_ifaces_down(struct cluster *c)
{
	return G(c) && G(c)->ifh == IFHEALTH_DOWN;
}

/* Ask the leader for a takeover run (or start one, when we lead). */
static void request_run(struct cluster *c, const char *why)
{
	if (c->leading) {
		ip_kick(c, why);
		return;
	}
	if (ST(c)->leader != PNN_NONE && ST(c)->leader != self(c))
		(void)cluster_send(c, ST(c)->leader, HERD_OP_TAKEOVER, NULL, 0, ++c->reqid,
				   HERD_CTRL_F_NOREPLY);
}

/* Interfaces changed (or the address set did): flags, events, a run. */
void interfaces_changed(struct cluster *c, const char *why)
{
	struct ipglue *g = G(c);
	enum ifhealth old = g->ifh;
	uint32_t flags;

	g->ifh = eval_ifaces(g);
	flags = g->ifh == IFHEALTH_PARTIAL ? c->own_flags | NODE_FLAG_PARTIALLYONLINE
					   : c->own_flags & ~NODE_FLAG_PARTIALLYONLINE;
	if (flags != c->own_flags)
		cluster_set_own_flags(c, flags, why);
	if ((old == IFHEALTH_DOWN) != (g->ifh == IFHEALTH_DOWN))
		cluster_update_health(c, g->ifh == IFHEALTH_DOWN ? "every public interface is down"
								 : why);
	request_run(c, why);
}

static bool iface_is_public(struct ipglue *g, const char *ifname)
{
	for (size_t i = 0; i < g->nips; i++)
		for (size_t k = 0; k < g->ips[i].pa.nifaces; k++)
			if (streq(g->ips[i].pa.ifaces[k], ifname))
				return true;
	return false;
}

static void on_iflink(struct iflink *il, const char *ifname, int ifindex, bool up, void *userdata)
{
	struct cluster *c = userdata;
	char subject[EVENT_SUBJECT_MAX], why[64];

	if (!iface_is_public(G(c), ifname))
		return;
	snprintf(subject, sizeof(subject), "interface %s is %s", ifname, up ? "up" : "down");
	herdd_emit(c->d, up ? EV_IFACE_UP : EV_IFACE_DOWN, self(c), subject,
		   "a public interface %s", up ? "works again" : "lost its link");
	snprintf(why, sizeof(why), "interface %s is %s", ifname, up ? "up" : "down");
	interfaces_changed(c, why);
}

/* ---- events to the scripts --------------------------------------------- */

static void script_event(struct cluster *c, const char *event, const char *a1, const char *a2,
			 const char *a3, const char *a4)
{
	const char *args[5] = { a1, a2, a3, a4, NULL };
	int r;

	if (!c->mon || G(c)->stopping)
		return;
	r = monitor_run_event(c->mon, event, args, NULL, NULL);
	if (r < 0)
		log_warn("cannot queue the %s event: %s", event, strerror(-r));
}

/* ---- node side: take and release ---------------------------------------- */

struct pubip *find_ip(struct ipglue *g, const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < g->nips; i++)
		if (sockaddr_equal_addr(&g->ips[i].pa.addr, a))
			return &g->ips[i];
	return NULL;
}

static void arp_arm(struct ipglue *g);

static void announce_add(struct ipglue *g, const struct pubip *ip, const struct ipop_conn *conns,
			 size_t nconns)
{
	struct announcement *a = realloc(g->ann, (g->nann + 1) * sizeof(*g->ann));

	if (!a)
		return;
	g->ann = a;
	a = &g->ann[g->nann];
	*a = (struct announcement){ .addr = ip->pa.addr };
	snprintf(a->ifname, sizeof(a->ifname), "%s", ip->ifname);
	if (nconns) {
		a->conns = malloc(nconns * sizeof(*conns));
		if (a->conns) {
			memcpy(a->conns, conns, nconns * sizeof(*conns));
			a->nconns = nconns;
		}
	}
	g->nann++;
}

static void announce_drop(struct ipglue *g, const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < g->nann;) {
		if (sockaddr_equal_addr(&g->ann[i].addr, addr)) {
			free(g->ann[i].conns);
			g->ann[i] = g->ann[--g->nann];
		} else {
			i++;
		}
	}
}

/* One round for every announcement due; the first round runs at once. */
static void arp_round(struct ipglue *g)
{
	for (size_t i = 0; i < g->nann;) {
		struct announcement *a = &g->ann[i];
		int r = arp_send(a->ifname, &a->addr);

		g->arp_rounds++;
		if (r < 0) {
			char buf[64];

			g->arp_failures++;
			if (a->round == 0)
				log_warn("cannot announce %s on %s: %s",
					 fmt_addr(&a->addr, buf, sizeof(buf)), a->ifname, strerror(-r));
		}
		if (a->round < TICKLE_SEND_COUNT)
			for (size_t k = 0; k < a->nconns; k++) {
				struct tickle_conn tc = { .local = a->conns[k].local,
							  .remote = a->conns[k].remote };

				if (tickle_send(&tc) >= 0)
					g->tickles_sent++;
			}
		if (++a->round >= ARP_SEND_COUNT) {
			free(a->conns);
			g->ann[i] = g->ann[--g->nann];
		} else {
			i++;
		}
	}
	arp_arm(g);
}

static int on_arp_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	arp_round(userdata);
	return 0;
}

static void arp_arm(struct ipglue *g)
{
	if (!g->nann) {
		if (g->arp_timer)
			sd_event_source_set_enabled(g->arp_timer, SD_EVENT_OFF);
		return;
	}
	if (!g->arp_timer) {
		if (sd_event_add_time(g->c->d->ev, &g->arp_timer, CLOCK_MONOTONIC, 0, 0,
				      on_arp_timer, g) < 0)
			return;
	}
	sd_event_source_set_time(g->arp_timer, now_monotonic() + ARP_SEND_INTERVAL);
	sd_event_source_set_enabled(g->arp_timer, SD_EVENT_ONESHOT);
}

/* ---- policy routing ------------------------------------------------------ */

static void pr_take(struct cluster *c, const struct pubip *ip)
{
	const struct herd_conf *cf = c->d->cf;
	char buf[64];
	int r;

	if (!G(c)->pr)
		return;
	r = policyroute_take(G(c)->pr, &ip->pa.addr, ip->pa.prefix, ip->ifname, cf->policy_routes,
			     cf->npolicy_routes);
	if (r < 0)
		log_err("policy routing for %s on %s: %s", fmt_addr(&ip->pa.addr, buf, sizeof(buf)),
			ip->ifname, strerror(-r));
}

static void pr_release(struct cluster *c, const struct pubip *ip, const char *ifname)
{
	struct ipglue *g = G(c);
	char buf[64];
	int r;

	if (!g->pr)
		return;
	r = policyroute_release(g->pr, &ip->pa.addr);
	if (r < 0)
		log_err("policy routing: cannot remove the rule of %s: %s",
			fmt_addr(&ip->pa.addr, buf, sizeof(buf)), strerror(-r));
	/* Removing a primary IPv4 address drops the routes of the secondaries
	 * on that interface from every table: put theirs back. */
	if (ip->pa.addr.ss_family == AF_INET)
		for (size_t i = 0; i < g->nips; i++)
			if (&g->ips[i] != ip && streq(g->ips[i].ifname, ifname))
				pr_take(c, &g->ips[i]);
}

/* (Re)create the policy router when the settings say so. */
static void pr_configure(struct cluster *c)
{
	struct ipglue *g = G(c);
	const struct herd_conf *cf = c->d->cf;
	bool want = cf->policy_routing_file[0];
	int r;

	if (g->pr && (!want || g->pr_pref != cf->policy_rule_preference ||
		      g->pr_low != cf->policy_table_low || g->pr_high != cf->policy_table_high)) {
		for (size_t i = 0; i < g->nips; i++)
			if (g->ips[i].ifname[0])
				(void)policyroute_release(g->pr, &g->ips[i].pa.addr);
		policyroute_free(g->pr);
		g->pr = NULL;
	}
	if (want && !g->pr) {
		r = policyroute_new(cf->policy_rule_preference, cf->policy_table_low,
				    cf->policy_table_high, &g->pr);
		if (r < 0) {
			log_err("policy routing: %s", strerror(-r));
			return;
		}
		g->pr_pref = cf->policy_rule_preference;
		g->pr_low = cf->policy_table_low;
		g->pr_high = cf->policy_table_high;
		(void)policyroute_cleanup(g->pr, NULL, 0); /* leftovers of an earlier run */
	}
	for (size_t i = 0; i < g->nips; i++)
		if (g->ips[i].ifname[0])
			pr_take(c, &g->ips[i]); /* the routes file may have changed */
}

/*
 * Release ip: list its connections (appended to *conns), remove it, tell
 * the scripts. Returns 0 or -errno.
 */
int release_one(struct cluster *c, struct pubip *ip, struct ipop_conn **conns,
		       size_t *nconns)
{
	struct ipglue *g = G(c);
	struct tickle_conn *tc = NULL;
	size_t ntc = 0;
	char addr[64], prefix[8], ifname[IF_NAMESIZE], subject[EVENT_SUBJECT_MAX];
	int r;

	fmt_addr(&ip->pa.addr, addr, sizeof(addr));
	if (!ip->ifname[0]) {
		/* Not ours by our books; make sure the kernel agrees. */
		r = ipaddr_find(g->ipa, &ip->pa.addr, ifname, NULL);
		if (r <= 0)
			return 0;
		snprintf(ip->ifname, sizeof(ip->ifname), "%s", ifname);
	}
	if (tickle_list(&ip->pa.addr, &tc, &ntc) >= 0 && ntc && conns) {
		struct ipop_conn *n = realloc(*conns, (*nconns + ntc) * sizeof(**conns));

		if (n) {
			*conns = n;
			for (size_t k = 0; k < ntc; k++)
				n[(*nconns)++] = (struct ipop_conn){ .local = tc[k].local,
								     .remote = tc[k].remote };
		}
	}
	r = ipaddr_del(g->ipa, ip->ifname, &ip->pa.addr);
	if (r < 0 && r != -EADDRNOTAVAIL) {
		log_err("cannot release %s from %s: %s", addr, ip->ifname, strerror(-r));
		free(tc);
		return r;
	}
	/* Tickle from here too: the clients' answers show them the way out. */
	for (size_t k = 0; k < ntc; k++)
		if (tickle_send(&tc[k]) >= 0)
			g->tickles_sent++;
	free(tc);
	announce_drop(g, &ip->pa.addr);
	snprintf(ifname, sizeof(ifname), "%s", ip->ifname);
	ip->ifname[0] = 0;
	ip->tk_sent = false;
	pr_release(c, ip, ifname);
	g->releases++;
	snprintf(prefix, sizeof(prefix), "%u", ip->pa.prefix);
	snprintf(subject, sizeof(subject), "%s released", addr);
	herdd_emit(c->d, EV_IP_RELEASED, self(c), subject, "from %s on node %u (%zu connections)",
		   ifname, self(c), ntc);
	script_event(c, "releaseip", ifname, addr, prefix, NULL);
	return 0;
}

/* Take ip (or move it off an interface that is down): 0 or -errno. */
static int take_one(struct cluster *c, struct pubip *ip, const struct ipop_conn *conns,
		    size_t nconns)
{
	struct ipglue *g = G(c);
	char addr[64], prefix[8], old[IF_NAMESIZE] = "", subject[EVENT_SUBJECT_MAX];
	const char *ifname;
	int r;

	fmt_addr(&ip->pa.addr, addr, sizeof(addr));
	snprintf(prefix, sizeof(prefix), "%u", ip->pa.prefix);
	if (ip->ifname[0] && iface_up(g, ip->ifname))
		return 0; /* already here, on a working interface */
	ifname = pick_iface(g, ip);
	if (!ifname) {
		log_warn("cannot take %s: none of its interfaces is up", addr);
		return -ENETDOWN;
	}
	if (ip->ifname[0]) {
		snprintf(old, sizeof(old), "%s", ip->ifname);
		r = ipaddr_del(g->ipa, old, &ip->pa.addr);
		if (r < 0 && r != -EADDRNOTAVAIL)
			log_warn("cannot remove %s from %s: %s", addr, old, strerror(-r));
		ip->ifname[0] = 0;
		announce_drop(g, &ip->pa.addr);
	}
	r = ipaddr_add(g->ipa, ifname, &ip->pa.addr, ip->pa.prefix, IPADDR_NODAD);
	if (r < 0 && r != -EEXIST) {
		log_err("cannot take %s on %s: %s", addr, ifname, strerror(-r));
		return r;
	}
	snprintf(ip->ifname, sizeof(ip->ifname), "%s", ifname);
	pr_take(c, ip);
	announce_add(g, ip, conns, nconns);
	g->conns_handed += nconns;
	if (old[0]) {
		g->updates++;
		snprintf(subject, sizeof(subject), "%s moved to %s", addr, ifname);
		herdd_emit(c->d, EV_IP_TAKEOVER, self(c), subject,
			   "from interface %s, which is down, on node %u", old, self(c));
		script_event(c, "updateip", old, ifname, addr, prefix);
	} else {
		g->takeovers++;
		snprintf(subject, sizeof(subject), "%s taken over", addr);
		herdd_emit(c->d, EV_IP_TAKEOVER, self(c), subject,
			   "on %s by node %u (%zu connections to tickle)", ifname, self(c), nconns);
		script_event(c, "takeip", ifname, addr, prefix, NULL);
	}
	return 0;
}

static void release_all(struct cluster *c, const char *why)
{
	struct ipglue *g = G(c);
	size_t n = 0;

	for (size_t i = 0; i < g->nips; i++)
		if (g->ips[i].ifname[0]) {
			(void)release_one(c, &g->ips[i], NULL, NULL);
			n++;
		}
	if (n)
		log_notice("released every public address (%zu): %s", n, why);
}

/* This node's report for IPINFO. */
static int local_info(struct cluster *c, struct ipop_ip **out, size_t *n)
{
	struct ipglue *g = G(c);
	struct ipop_ip *ips = calloc(MAX(g->nips, (size_t)1), sizeof(*ips));

	if (!ips)
		return -ENOMEM;
	for (size_t i = 0; i < g->nips; i++) {
		const struct pubip *ip = &g->ips[i];

		ips[i].addr = ip->pa.addr;
		ips[i].prefix = ip->pa.prefix;
		ips[i].pnn = PNN_NONE;
		ips[i].flags = (ip->ifname[0] ? IPOP_IP_HOSTED : 0) |
			       (can_host(g, ip) ? IPOP_IP_USABLE : 0) |
			       (ip->ifname[0] && !iface_up(g, ip->ifname) ? IPOP_IP_IF_DOWN : 0);
	}
	*out = ips;
	*n = g->nips;
	return 0;
}

static uint32_t local_options(struct cluster *c)
{
	return c->d->cf->no_ip_takeover ? IPOP_NODE_NO_TAKEOVER : 0;
}

/* Release the listed addresses; the connections they had go to *conns. */
static int local_release(struct cluster *c, const struct ipop_ip *ips, size_t n,
			 struct ipop_conn **conns, size_t *nconns)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		struct pubip *ip = find_ip(G(c), &ips[i].addr);
		int r = ip ? release_one(c, ip, conns, nconns) : 0;

		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

static int local_take(struct cluster *c, const struct ipop_ip *ips, size_t n,
		      const struct ipop_conn *conns, size_t nconns)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		struct pubip *ip = find_ip(G(c), &ips[i].addr);
		_cleanup_(freep) struct ipop_conn *mine = NULL;
		size_t nmine = 0;
		char from[96];
		bool fresh;
		int r;

		if (!ip) {
			if (!ret)
				ret = -EADDRNOTAVAIL;
			continue;
		}
		if (nconns)
			mine = calloc(nconns, sizeof(*mine));
		for (size_t k = 0; mine && k < nconns; k++)
			if (sockaddr_equal_addr(&conns[k].local, &ip->pa.addr))
				mine[nmine++] = conns[k];
		fresh = !ip->ifname[0];
		from[0] = 0;
		if (fresh && !nmine)
			nmine = tickles_replicated(c, ip, &mine, from, sizeof(from));
		r = take_one(c, ip, mine, nmine);
		if (r < 0 && !ret)
			ret = r;
		if (r >= 0 && fresh) {
			char addr[64];

			if (nmine)
				log_notice("tickling %zu connection%s of %s from %s", nmine,
					   nmine == 1 ? "" : "s",
					   fmt_addr(&ip->pa.addr, addr, sizeof(addr)),
					   from[0] ? from : "the release");
			tickles_forget(G(c), &ip->pa.addr); /* ours now: our lists count */
		}
	}
	if (G(c)->nann)
		arp_round(G(c)); /* the first round at once */
	return ret;
}

static void local_map(struct cluster *c, struct ipop_ip *map,
		      uint8_t (*allowed)[IPOP_NODESET_BYTES], size_t n)
{
	struct ipglue *g = G(c);

	/* A list from a node that no longer holds its address is stale. */
	for (size_t k = 0; k < n; k++) {
		struct replica *rp = tickles_find(g, &map[k].addr);

		if (rp && map[k].pnn != PNN_NONE && map[k].pnn != rp->pnn)
			tickles_forget(g, &map[k].addr);
	}
	free(g->map);
	free(g->map_allowed);
	g->map = map;
	g->map_allowed = allowed;
	g->nmap = n;
	g->map_wall = now_realtime();
	script_event(c, "ipreallocated", NULL, NULL, NULL, NULL);
}

/* ---- leader side: the takeover run -------------------------------------- */

static void run_reset(struct ipglue *g)
{
	for (size_t i = 0; i < g->ninfo; i++)
		free(g->info[i].ips);
	free(g->info);
	g->info = NULL;
	g->ninfo = 0;
	takeover_plan_free(&g->plan);
	free(g->blocked);
	free(g->failed);
	free(g->conns);
	g->blocked = g->failed = NULL;
	g->conns = NULL;
	g->nconns = 0;
	memset(g->waiting, 0, sizeof(g->waiting));
	g->phase = RUN_IDLE;
}

static bool waiting_any(const struct ipglue *g)
{
	for (size_t i = 0; i < ARRAY_SIZE(g->waiting); i++)
		if (g->waiting[i])
			return true;
	return false;
}

static void wait_set(struct ipglue *g, uint32_t pnn, bool on)
{
	if (on)
		g->waiting[pnn / 64] |= UINT64_C(1) << (pnn % 64);
	else
		g->waiting[pnn / 64] &= ~(UINT64_C(1) << (pnn % 64));
}

static bool peer_reachable(struct cluster *c, uint32_t pnn)
{
	return pnn != self(c) && pnn < c->npeers && c->peers[pnn].connected &&
	       !(ST(c)->nodes[pnn].flags & NODE_FLAG_DELETED);
}

uint32_t node_flags(struct cluster *c, uint32_t pnn)
{
	return pnn == self(c) ? c->own_flags : ST(c)->nodes[pnn].flags;
}

/* An ip list body into a malloc'ed buffer. */
int encode_ips(uint32_t options, const struct ipop_ip *ips, size_t n,
		      const struct ipop_conn *conns, size_t nconns, bool with_conns, struct wbuf *w)
{
	int r;

	wbuf_init(w, HERD_FRAME_MAX / 2);
	r = ipop_put_ips(w, options, ips, n);
	if (r >= 0 && with_conns)
		r = ipop_put_conns(w, conns, nconns);
	if (r < 0)
		wbuf_free(w);
	return r;
}

static int send_ips(struct cluster *c, uint32_t dst, uint32_t op, const struct ipop_ip *ips,
		    size_t n, const struct ipop_conn *conns, size_t nconns, bool with_conns,
		    uint32_t reqid, uint32_t flags)
{
	struct wbuf w;
	int r = encode_ips(0, ips, n, conns, nconns, with_conns, &w);

	if (r < 0)
		return r;
	r = cluster_send(c, dst, op, w.data, w.len, reqid, flags);
	wbuf_free(&w);
	return r;
}

/* The addresses of the plan that node pnn must release (or take). */
static struct ipop_ip *plan_list(struct ipglue *g, uint32_t pnn, bool take, size_t *n)
{
	struct ipop_ip *l = calloc(MAX(g->plan.naddrs, (size_t)1), sizeof(*l));

	*n = 0;
	if (!l)
		return NULL;
	for (size_t k = 0; k < g->plan.naddrs; k++) {
		const struct takeover_addr *a = &g->plan.addrs[k];

		if (take ? (!takeover_must_take(a, pnn) || g->blocked[k])
			 : !takeover_must_release(a, pnn))
			continue;
		l[*n] = (struct ipop_ip){ .addr = a->addr, .prefix = a->prefix, .pnn = pnn };
		(*n)++;
	}
	return l;
}

static void phase_release(struct cluster *c);
static void phase_take(struct cluster *c);
static void run_finish(struct cluster *c);

static void phase_gather_done(struct cluster *c)
{
	struct ipglue *g = G(c);
	_cleanup_(freep) struct takeover_node *nodes = calloc(MAX(c->npeers, (size_t)1),
							      sizeof(*nodes));
	struct takeover_input in = {
		.algorithm = c->d->cf->ip_allocation,
		.no_ip_failback = c->d->cf->no_ip_failback,
		.nnodes = c->npeers,
		.pins = g->pins,
		.npins = g->npins,
	};
	int r;

	if (!nodes) {
		run_reset(g);
		return;
	}
	for (uint32_t i = 0; i < c->npeers; i++) {
		struct nodeinfo *ni = i < g->ninfo ? &g->info[i] : NULL;

		nodes[i].flags = node_flags(c, i);
		if (ni && ni->answered) {
			nodes[i].answered = true;
			nodes[i].no_takeover = ni->options & IPOP_NODE_NO_TAKEOVER;
			nodes[i].ips = ni->ips;
			nodes[i].nips = ni->nips;
		} else if (peer_reachable(c, i) && ni) {
			/* Connected but silent (hung, or refusing us): it may still
			 * hold what the last assignment gave it. Count those as
			 * hosted there and usable nowhere else until it confirms a
			 * release — its release is asked for, and not answered,
			 * so they stay put. Never two holders. */
			g->incomplete = true;
			free(ni->ips);
			ni->ips = calloc(MAX(g->nmap, (size_t)1), sizeof(*ni->ips));
			ni->nips = 0;
			for (size_t k = 0; ni->ips && k < g->nmap; k++)
				if (g->map[k].pnn == i) {
					ni->ips[ni->nips] = g->map[k];
					ni->ips[ni->nips++].flags = IPOP_IP_HOSTED;
				}
			nodes[i].answered = true;
			nodes[i].ips = ni->ips;
			nodes[i].nips = ni->nips;
		}
	}
	in.nodes = nodes;
	r = takeover_plan(&in, &g->plan);
	if (r < 0) {
		log_err("takeover run: cannot decide: %s", strerror(-r));
		run_reset(g);
		return;
	}
	g->blocked = calloc(MAX(g->plan.naddrs, (size_t)1), sizeof(bool));
	g->failed = calloc(MAX(g->plan.naddrs, (size_t)1), sizeof(bool));
	if (!g->blocked || !g->failed) {
		run_reset(g);
		return;
	}
	phase_release(c);
}

static void block_node(struct ipglue *g, uint32_t pnn)
{
	for (size_t k = 0; k < g->plan.naddrs; k++)
		if (takeover_must_release(&g->plan.addrs[k], pnn))
			g->blocked[k] = true;
	g->incomplete = true;
}

static void phase_release(struct cluster *c)
{
	struct ipglue *g = G(c);

	g->phase = RUN_RELEASE;
	g->reqid = ++c->reqid;
	g->deadline = now_monotonic() + phase_timeout(c);
	for (uint32_t i = 0; i < c->npeers; i++) {
		size_t n;
		_cleanup_(freep) struct ipop_ip *l = plan_list(g, i, false, &n);

		if (!l || !n)
			continue;
		if (i == self(c)) {
			if (local_release(c, l, n, &g->conns, &g->nconns) < 0)
				block_node(g, i);
		} else if (peer_reachable(c, i)) {
			if (send_ips(c, i, HERD_OP_RELEASEIP, l, n, NULL, 0, false, g->reqid, 0) >= 0)
				wait_set(g, i, true);
			else
				block_node(g, i);
		}
		/* A holder that is gone took its addresses with it. */
	}
	if (!waiting_any(g))
		phase_take(c);
}

static void phase_take(struct cluster *c)
{
	struct ipglue *g = G(c);

	g->phase = RUN_TAKE;
	g->reqid = ++c->reqid;
	g->deadline = now_monotonic() + phase_timeout(c);
	for (uint32_t i = 0; i < c->npeers; i++) {
		size_t n;
		_cleanup_(freep) struct ipop_ip *l = plan_list(g, i, true, &n);

		if (!l || !n)
			continue;
		if (i == self(c)) {
			if (local_take(c, l, n, g->conns, g->nconns) < 0) {
				g->take_failures++;
				g->incomplete = true;
			}
		} else if (peer_reachable(c, i) &&
			   send_ips(c, i, HERD_OP_TAKEIP, l, n, g->conns, g->nconns, true,
				    g->reqid, 0) >= 0) {
			wait_set(g, i, true);
		} else {
			for (size_t k = 0; k < g->plan.naddrs; k++)
				if (g->plan.addrs[k].target == (int32_t)i)
					g->failed[k] = true;
			g->incomplete = true;
		}
	}
	if (!waiting_any(g))
		run_finish(c);
}

static void run_finish(struct cluster *c)
{
	struct ipglue *g = G(c);
	struct ipop_ip *map = calloc(MAX(g->plan.naddrs, (size_t)1), sizeof(*map));
	uint8_t (*allowed)[IPOP_NODESET_BYTES] = calloc(MAX(g->plan.naddrs, (size_t)1),
							IPOP_NODESET_BYTES);
	usec_t dur = now_monotonic() - g->run_start;
	struct wbuf w;
	char buf[32];
	size_t moved = 0;

	if (!map || !allowed) {
		free(map);
		free(allowed);
		run_reset(g);
		return;
	}
	for (size_t k = 0; k < g->plan.naddrs; k++) {
		const struct takeover_addr *a = &g->plan.addrs[k];
		int32_t pnn = a->target;

		if (g->blocked[k]) {
			/* still with a holder that did not confirm its release */
			pnn = -1;
			for (uint32_t i = 0; i < c->npeers && pnn < 0; i++)
				if (takeover_bit(a->holders, i))
					pnn = (int32_t)i;
		} else if (g->failed[k]) {
			pnn = -1;
		}
		if (pnn >= 0 && !takeover_bit(a->holders, (uint32_t)pnn))
			moved++;
		map[k] = (struct ipop_ip){ .addr = a->addr, .prefix = a->prefix,
					   .pnn = pnn < 0 ? PNN_NONE : (uint32_t)pnn };
		for (uint32_t i = 0; i < c->npeers && i < HERD_MAX_NODES; i++)
			if (takeover_bit(a->allowed, i) && ipalloc_node_can_host(node_flags(c, i)))
				allowed[k][i / 8] |= (uint8_t)(1u << (i % 8));
	}
	if (encode_ips(0, map, g->plan.naddrs, NULL, 0, false, &w) >= 0) {
		if (ipop_put_nodesets(&w, (const uint8_t (*)[IPOP_NODESET_BYTES])allowed,
				      g->plan.naddrs) >= 0)
			for (uint32_t i = 0; i < c->npeers; i++)
				if (peer_reachable(c, i))
					(void)cluster_send(c, i, HERD_OP_IPMAP, w.data, w.len,
							   ++c->reqid, HERD_CTRL_F_NOREPLY);
		wbuf_free(&w);
	}
	g->runs++;
	g->last_run = dur;
	g->max_run = MAX(g->max_run, dur);
	g->last_run_wall = now_realtime();
	if (g->incomplete) {
		g->runs_incomplete++;
		g->wanted = true;
		g->not_before = now_monotonic() + c->d->cf->keepalive_interval;
		snprintf(g->why, sizeof(g->why), "the last run was incomplete");
	}
	log_info("takeover run: %zu addresses, %zu moved, in %s%s", g->plan.naddrs, moved,
		 format_duration(buf, sizeof(buf), dur), g->incomplete ? " (incomplete)" : "");
	local_map(c, map, allowed, g->plan.naddrs);
	run_reset(g);
	if (g->wanted && !g->incomplete)
		ip_kick(c, g->why);
	g->incomplete = false;
}

static void run_start(struct cluster *c)
{
	struct ipglue *g = G(c);

	if (g->phase != RUN_IDLE || !g->wanted || !cluster_may_act(c) || c->recovering)
		return;
	/* Maintenance freezes health- and membership-driven moves (a switch
	 * reboot must not move addresses away from nodes that still hold
	 * them); an admin's moveip still runs. */
	if (maintenance(c) && !g->admin_wanted)
		return; /* the tick tries again once maintenance is over */
	g->admin_wanted = false;
	if (now_monotonic() < g->not_before)
		return; /* the tick retries */
	g->wanted = false;
	g->incomplete = false;
	g->run_start = now_monotonic();
	g->phase = RUN_GATHER;
	g->reqid = ++c->reqid;
	g->deadline = g->run_start + phase_timeout(c);
	g->info = calloc(MAX(c->npeers, (size_t)1), sizeof(*g->info));
	if (!g->info) {
		g->phase = RUN_IDLE;
		return;
	}
	g->ninfo = c->npeers;
	log_debug("takeover run: %s", g->why);
	for (uint32_t i = 0; i < c->npeers; i++) {
		if (i == self(c)) {
			struct nodeinfo *ni = &g->info[i];

			if (local_info(c, &ni->ips, &ni->nips) >= 0) {
				ni->answered = true;
				ni->options = local_options(c);
			}
		} else if (peer_reachable(c, i) &&
			   cluster_send(c, i, HERD_OP_IPINFO, NULL, 0, g->reqid, 0) >= 0) {
			wait_set(g, i, true);
		}
	}
	if (!waiting_any(g))
		phase_gather_done(c);
}

static int on_kick(sd_event_source *s, void *userdata)
{
	run_start(userdata);
	return 0;
}

void ip_kick(struct cluster *c, const char *why)
{
	struct ipglue *g = G(c);

	if (!g || !c->leading)
		return;
	if (!g->wanted)
		snprintf(g->why, sizeof(g->why), "%s", why);
	g->wanted = true;
	g->not_before = 0;
	if (!g->kick && sd_event_add_defer(c->d->ev, &g->kick, on_kick, c) < 0)
		return;
	sd_event_source_set_enabled(g->kick, SD_EVENT_ONESHOT);
}

void ip_abort(struct cluster *c)
{
	struct ipglue *g = G(c);

	if (!g)
		return;
	if (g->phase != RUN_IDLE)
		log_notice("takeover run abandoned: this node is no longer the leader");
	run_reset(g);
	g->wanted = false;
	/* Pins belong to this leadership: a later one starts without them. */
	free(g->pins);
	g->pins = NULL;
	g->npins = 0;
}

static void phase_step(struct cluster *c)
{
	struct ipglue *g = G(c);

	if (waiting_any(g))
		return;
	switch (g->phase) {
	case RUN_GATHER: phase_gather_done(c); break;
	case RUN_RELEASE: phase_take(c); break;
	case RUN_TAKE: run_finish(c); break;
	default: break;
	}
}

void ip_peer_gone(struct cluster *c, uint32_t pnn)
{
	struct ipglue *g = G(c);

	if (!g || g->phase == RUN_IDLE || pnn >= c->npeers || !takeover_bit(g->waiting, pnn))
		return;
	wait_set(g, pnn, false);
	if (g->phase == RUN_TAKE) {
		for (size_t k = 0; k < g->plan.naddrs; k++)
			if (g->plan.addrs[k].target == (int32_t)pnn)
				g->failed[k] = true;
		g->incomplete = true;
	}
	phase_step(c);
}

void ip_tick(struct cluster *c)
{
	struct ipglue *g = G(c);

	if (!g)
		return;
	if (g->phase != RUN_IDLE && now_monotonic() >= g->deadline) {
		for (uint32_t i = 0; i < c->npeers; i++) {
			if (!takeover_bit(g->waiting, i))
				continue;
			log_warn("takeover run: node %u did not answer %s in time", i,
				 g->phase == RUN_GATHER ? "ipinfo"
				 : g->phase == RUN_RELEASE ? "releaseip" : "takeip");
			if (g->phase == RUN_RELEASE)
				block_node(g, i);
			else if (g->phase == RUN_TAKE)
				ip_peer_gone(c, i);
		}
		memset(g->waiting, 0, sizeof(g->waiting));
		g->incomplete = true;
		phase_step(c);
	}
	if (g->wanted && g->phase == RUN_IDLE && c->leading)
		run_start(c);
}

void ip_on_reply(struct cluster *c, uint32_t from, const struct herd_reply *rp)
{
	struct ipglue *g = G(c);
	struct rbuf r;

	if (!g || g->phase == RUN_IDLE || rp->reqid != g->reqid || from >= c->npeers ||
	    !takeover_bit(g->waiting, from))
		return;
	rbuf_init(&r, rp->data, rp->datalen);
	switch (g->phase) {
	case RUN_GATHER: {
		struct nodeinfo *ni = &g->info[from];

		if (rp->opcode != HERD_OP_IPINFO)
			return;
		if (rp->status < 0 || ipop_get_ips(&r, &ni->options, &ni->ips, &ni->nips) < 0) {
			if (rp->status >= 0)
				c->controls_bad++;
			log_warn("takeover run: no usable ipinfo from node %u (%s)", from,
				 rp->status < 0 ? strerror(-rp->status) : "malformed");
			break;
		}
		ni->answered = true;
		break;
	}
	case RUN_RELEASE: {
		struct ipop_conn *cs = NULL;
		size_t n = 0;

		if (rp->opcode != HERD_OP_RELEASEIP)
			return;
		if (rp->status < 0 || ipop_get_conns(&r, &cs, &n) < 0) {
			log_warn("takeover run: node %u did not release: %s", from,
				 rp->status < 0 ? strerror(-rp->status) : "malformed answer");
			block_node(g, from);
			break;
		}
		if (n) {
			struct ipop_conn *all = realloc(g->conns, (g->nconns + n) * sizeof(*cs));

			if (all) {
				memcpy(all + g->nconns, cs, n * sizeof(*cs));
				g->conns = all;
				g->nconns += n;
			}
		}
		free(cs);
		break;
	}
	case RUN_TAKE:
		if (rp->opcode != HERD_OP_TAKEIP)
			return;
		if (rp->status < 0) {
			log_warn("takeover run: node %u could not take every address: %s", from,
				 strerror(-rp->status));
			g->take_failures++;
			g->incomplete = true;
		}
		break;
	default:
		return;
	}
	wait_set(g, from, false);
	phase_step(c);
}

/* ---- CONTROL frames ------------------------------------------------------ */

static int on_reloadips(sd_event_source *s, void *userdata)
{
	struct cluster *c = userdata;
	char err[1024];

	log_notice("reloading the public addresses (reloadips)");
	if (herdd_reload(c->d, false, err, sizeof(err)) < 0)
		log_err("reloadips: %s", err);
	sd_event_source_disable_unref(s);
	return 0;
}

void ip_on_control(struct cluster *c, uint32_t from, const struct herd_control *req)
{
	struct ipglue *g = G(c);
	struct rbuf r;
	struct ipop_ip *ips = NULL;
	struct ipop_conn *conns = NULL;
	size_t n = 0, nconns = 0;
	uint32_t opt;
	struct wbuf w;
	int ret = 0;

	rbuf_init(&r, req->data, req->datalen);
	/* Orders about addresses come only from the leader this node follows. */
	switch (req->opcode) {
	case HERD_OP_IPINFO:
	case HERD_OP_RELEASEIP:
	case HERD_OP_TAKEIP:
	case HERD_OP_IPMAP:
		if (from != ST(c)->leader || c->leading) {
			cluster_reply(c, from, req, -ESTALE, NULL, 0);
			return;
		}
		break;
	default:
		break;
	}
	switch (req->opcode) {
	case HERD_OP_IPINFO:
		if (local_info(c, &ips, &n) < 0)
			ret = -ENOMEM;
		else if (encode_ips(local_options(c), ips, n, NULL, 0, false, &w) < 0)
			ret = -ENOMEM;
		if (ret < 0) {
			cluster_reply(c, from, req, ret, NULL, 0);
			break;
		}
		cluster_reply(c, from, req, 0, w.data, w.len);
		wbuf_free(&w);
		break;
	case HERD_OP_RELEASEIP:
		if (ipop_get_ips(&r, &opt, &ips, &n) < 0 || rbuf_end(&r) < 0)
			goto malformed;
		ret = local_release(c, ips, n, &conns, &nconns);
		wbuf_init(&w, HERD_FRAME_MAX / 2);
		if (ret >= 0 && ipop_put_conns(&w, conns, nconns) < 0)
			ret = -E2BIG;
		cluster_reply(c, from, req, ret, ret >= 0 ? w.data : NULL, ret >= 0 ? w.len : 0);
		wbuf_free(&w);
		break;
	case HERD_OP_TAKEIP:
		if (ipop_get_ips(&r, &opt, &ips, &n) < 0 || ipop_get_conns(&r, &conns, &nconns) < 0 ||
		    rbuf_end(&r) < 0)
			goto malformed;
		cluster_reply(c, from, req, local_take(c, ips, n, conns, nconns), NULL, 0);
		break;
	case HERD_OP_IPMAP: {
		uint8_t (*sets)[IPOP_NODESET_BYTES] = NULL;
		size_t nsets = 0;

		if (ipop_get_ips(&r, &opt, &ips, &n) < 0 ||
		    ipop_get_nodesets(&r, &sets, &nsets) < 0 || nsets != n || rbuf_end(&r) < 0) {
			free(sets);
			goto malformed;
		}
		local_map(c, TAKE_PTR(ips), sets, n);
		break;
	}
	case HERD_OP_TAKEOVER:
		if (!c->leading) {
			cluster_reply(c, from, req, -EAGAIN, NULL, 0);
			break;
		}
		ip_kick(c, "a node asked for it");
		cluster_reply(c, from, req, 0, NULL, 0);
		break;
	case HERD_OP_MOVEIP: {
		struct takeover_pin *p;

		if (ipop_get_ips(&r, &opt, &ips, &n) < 0 || rbuf_end(&r) < 0 || n != 1)
			goto malformed;
		if (!c->leading) {
			cluster_reply(c, from, req, -EAGAIN, NULL, 0);
			break;
		}
		p = realloc(g->pins, (g->npins + 1) * sizeof(*p));
		if (!p) {
			cluster_reply(c, from, req, -ENOMEM, NULL, 0);
			break;
		}
		g->pins = p;
		/* One pin per address: the newest wins. */
		for (size_t i = 0; i < g->npins;) {
			if (sockaddr_equal_addr(&g->pins[i].addr, &ips[0].addr))
				g->pins[i] = g->pins[--g->npins];
			else
				i++;
		}
		g->pins[g->npins++] = (struct takeover_pin){ .addr = ips[0].addr, .pnn = ips[0].pnn };
		ip_kick(c, "moveip");
		g->admin_wanted = true;
		cluster_reply(c, from, req, 0, NULL, 0);
		break;
	}
	case HERD_OP_TICKLES: {
		struct ipop_ip one;

		if (ipop_get_tickles(&r, &one, &conns, &nconns) < 0 || one.pnn != from)
			goto malformed;
		tickles_store(g, from, &one.addr, TAKE_PTR(conns), nconns);
		break;
	}
	case HERD_OP_RELOADIPS: {
		sd_event_source *s;

		if (from != self(c) && sd_event_add_defer(c->d->ev, &s, on_reloadips, c) >= 0)
			sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
		cluster_reply(c, from, req, 0, NULL, 0);
		break;
	}
	default:
		cluster_reply(c, from, req, -EOPNOTSUPP, NULL, 0);
		break;
	}
	free(ips);
	free(conns);
	return;
malformed:
	c->controls_bad++;
	log_info("dropping a malformed %s from node %u", herd_op_name(req->opcode), from);
	cluster_reply(c, from, req, -EBADMSG, NULL, 0);
	free(ips);
	free(conns);
}

/* ---- set-up, reload ------------------------------------------------------ */

/* The running set: the file's addresses plus addip's, keeping what is hosted. */
static int build_set(struct cluster *c, struct pubip **out, size_t *nout)
{
	struct ipglue *g = G(c);
	const struct herd_conf *cf = c->d->cf;
	size_t n = 0;
	struct pubip *set = calloc(cf->npubaddrs + g->nips + 1, sizeof(*set));

	if (!set)
		return -ENOMEM;
	for (size_t i = 0; i < cf->npubaddrs; i++)
		set[n++] = (struct pubip){ .pa = cf->pubaddrs[i] };
	for (size_t i = 0; i < g->nips; i++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (sockaddr_equal_addr(&set[k].pa.addr, &g->ips[i].pa.addr))
				break;
		if (k == n && g->ips[i].runtime)
			set[n++] = g->ips[i];
	}
	*out = set;
	*nout = n;
	return 0;
}

/* Swap in a new set: addresses that left it are released first. */
static void apply_set(struct cluster *c, struct pubip *set, size_t n)
{
	struct ipglue *g = G(c);

	for (size_t i = 0; i < g->nips; i++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (sockaddr_equal_addr(&set[k].pa.addr, &g->ips[i].pa.addr))
				break;
		if (k < n)
			snprintf(set[k].ifname, sizeof(set[k].ifname), "%s", g->ips[i].ifname);
		else if (g->ips[i].ifname[0])
			(void)release_one(c, &g->ips[i], NULL, NULL);
	}
	free(g->ips);
	g->ips = set;
	g->nips = n;
	tickles_prune(g);
}

int ip_new(struct cluster *c)
{
	struct ipglue *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	g->c = c;
	c->ip = g;
	r = ipaddr_new(&g->ipa);
	if (r < 0)
		return r;
	return build_set(c, &g->ips, &g->nips);
}

int ip_start(struct cluster *c)
{
	struct ipglue *g = G(c);
	int r = iflink_new(c->d->ev, on_iflink, c, &g->il);

	if (r < 0) {
		log_err("cannot watch the network interfaces: %s", strerror(-r));
		return r;
	}
	/* Addresses left configured by a herdd that did not stop cleanly may
	 * be hosted elsewhere by now: remove them before joining (as CTDB's
	 * 10.interface does at init); the leader hands out what is ours. */
	for (size_t i = 0; i < g->nips; i++) {
		char ifname[IF_NAMESIZE], buf[64];

		if (ipaddr_find(g->ipa, &g->ips[i].pa.addr, ifname, NULL) <= 0)
			continue;
		r = ipaddr_del(g->ipa, ifname, &g->ips[i].pa.addr);
		log_notice("removing leftover public address %s from %s%s%s",
			   fmt_addr(&g->ips[i].pa.addr, buf, sizeof(buf)), ifname,
			   r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	}
	g->ifh = eval_ifaces(g);
	if (g->ifh == IFHEALTH_PARTIAL)
		c->own_flags |= NODE_FLAG_PARTIALLYONLINE;
	pr_configure(c);
	r = sd_event_add_time(c->d->ev, &g->tickle_timer, CLOCK_MONOTONIC, 0, 0, tickles_on_timer,
			      g);
	if (r < 0)
		log_warn("no tickle list replication: %s", strerror(-r));
	tickles_arm(g);
	return 0;
}

void ip_reconfigure(struct cluster *c)
{
	struct pubip *set;
	size_t n;

	if (!G(c) || build_set(c, &set, &n) < 0)
		return;
	apply_set(c, set, n);
	pr_configure(c);
	tickles_arm(G(c)); /* the interval may have changed */
	interfaces_changed(c, "the public addresses were reloaded");
}

void ip_own_flags_changed(struct cluster *c, uint32_t old, uint32_t new)
{
	uint32_t off = NODE_FLAG_BANNED | NODE_FLAG_STOPPED;

	if (G(c) && (new & off) && !(old & off))
		release_all(c, new & NODE_FLAG_BANNED ? "this node is banned"
						       : "this node is stopped");
}

void ip_free(struct cluster *c)
{
	struct ipglue *g = G(c);

	if (!g)
		return;
	g->stopping = true;
	if (g->ipa)
		release_all(c, "herdd is stopping");
	run_reset(g);
	sd_event_source_disable_unref(g->kick);
	sd_event_source_disable_unref(g->arp_timer);
	tickles_free(g);
	for (size_t i = 0; i < g->nann; i++)
		free(g->ann[i].conns);
	free(g->ann);
	iflink_free(g->il);
	policyroute_free(g->pr);
	ipaddr_free(g->ipa);
	free(g->ips);
	free(g->map);
	free(g->map_allowed);
	free(g->pins);
	free(g);
	c->ip = NULL;
}
