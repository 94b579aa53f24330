/*
 * daemon_ip_private.h — the public-address glue's state and the helpers its
 * two files share: daemon_ip.c (the node side and the leader's takeover
 * run) and daemon_ipctl.c (the admin verbs and the JSON for herdctl).
 */
#ifndef HERD_DAEMON_IP_PRIVATE_H
#define HERD_DAEMON_IP_PRIVATE_H

#include <net/if.h>
#include <netinet/in.h>

#include "agentd/daemon_cluster_private.h"
#include "agentd/ipop.h"
#include "failover/ifhealth.h"
#include "failover/takeover.h"

#define MAX_IFACES 64 /* public interfaces of one node that are looked at */

struct pubip {
	struct conf_pubaddr pa;
	bool runtime;                   /* added by addip, not in the file */
	char ifname[IF_NAMESIZE];       /* hosted on it; "" not hosted */
	/* tickle list replication: the last list sent while hosting it */
	bool tk_sent, tk_cut_logged;
	size_t tk_n;
	uint64_t tk_hash;               /* of the connections, in any order */
};

/* The latest tickle list another node sent for an address of our set. */
struct replica {
	struct sockaddr_storage addr;
	uint32_t pnn;                   /* the sender, which hosted addr */
	usec_t when;                    /* monotonic: received */
	struct ipop_conn *conns;
	size_t nconns;
};

/* Gratuitous ARP (and tickle) rounds after a takeover. */
struct announcement {
	struct sockaddr_storage addr;
	char ifname[IF_NAMESIZE];
	unsigned round;
	struct ipop_conn *conns;
	size_t nconns;
};

struct nodeinfo {
	bool answered;
	uint32_t options;
	struct ipop_ip *ips;
	size_t nips;
};

enum run_phase { RUN_IDLE, RUN_GATHER, RUN_RELEASE, RUN_TAKE };

struct ipglue {
	struct cluster *c;
	struct ipaddr *ipa;
	struct policyroute *pr;         /* NULL: no policy routing configured */
	unsigned pr_pref, pr_low, pr_high;
	struct iflink *il;
	struct pubip *ips;
	size_t nips;
	enum ifhealth ifh;
	bool stopping;                  /* herdd is going: no more script events */

	sd_event_source *arp_timer;
	struct announcement *ann;
	size_t nann;

	/* tickle list replication (TICKLES) */
	sd_event_source *tickle_timer;
	unsigned tickle_round;
	struct replica *replicas;       /* at most one per address of ips */
	size_t nreplicas;

	/* the last assignment from the leader (IPMAP) */
	struct ipop_ip *map;
	uint8_t (*map_allowed)[IPOP_NODESET_BYTES]; /* [nmap]: who may host each */
	size_t nmap;
	usec_t map_wall;

	/* leader: the takeover run */
	bool wanted;
	bool admin_wanted;              /* moveip asked for it (runs in maintenance) */
	usec_t not_before;              /* monotonic: a retry waits until then */
	char why[128];
	sd_event_source *kick;
	enum run_phase phase;
	uint32_t reqid;
	usec_t run_start, deadline;
	uint64_t waiting[TAKEOVER_NODE_WORDS];
	struct nodeinfo *info;          /* [npeers] */
	size_t ninfo;
	struct takeover_plan plan;
	bool *blocked;                  /* [plan.naddrs]: a release was not confirmed */
	bool *failed;                   /* [plan.naddrs]: the take failed */
	struct ipop_conn *conns;        /* collected at release */
	size_t nconns;
	bool incomplete;
	struct takeover_pin *pins;
	size_t npins;

	/* statistics */
	uint64_t runs, runs_incomplete, takeovers, releases, updates, take_failures;
	uint64_t arp_rounds, arp_failures, tickles_sent, conns_handed;
	usec_t last_run, max_run, last_run_wall;
};

struct ipglue *G(struct cluster *c);
const char *fmt_addr(const struct sockaddr_storage *ss, char *buf, size_t len);
/* Is ifname known and up? */
bool iface_up(struct ipglue *g, const char *ifname);
/* This node's address set or its interfaces changed: flags, events, a run. */
void interfaces_changed(struct cluster *c, const char *why);
struct pubip *find_ip(struct ipglue *g, const struct sockaddr_storage *a);
/* Release ip here; its connections are appended to *conns (may be NULL). */
int release_one(struct cluster *c, struct pubip *ip, struct ipop_conn **conns, size_t *nconns);
/* A node's flags as the leader sees them (its own for this node). */
uint32_t node_flags(struct cluster *c, uint32_t pnn);
/* An ip list (and a conn list) body into w (wbuf_free it). */
int encode_ips(uint32_t options, const struct ipop_ip *ips, size_t n,
	       const struct ipop_conn *conns, size_t nconns, bool with_conns, struct wbuf *w);

/* Tickle list replication (daemon_tickles.c). */
int tickles_on_timer(sd_event_source *s, uint64_t usec, void *userdata);
void tickles_arm(struct ipglue *g);              /* the next interval */
/* Keep node pnn's list of addr (of our set), replacing the last; takes conns. */
void tickles_store(struct ipglue *g, uint32_t pnn, const struct sockaddr_storage *addr,
		   struct ipop_conn *conns, size_t n);
struct replica *tickles_find(struct ipglue *g, const struct sockaddr_storage *a);
void tickles_forget(struct ipglue *g, const struct sockaddr_storage *a);
void tickles_prune(struct ipglue *g);            /* lists of addresses no longer ours */
void tickles_free(struct ipglue *g);             /* every list, and the timer */
/* The replicated connections of ip into *mine (freed first); from says whose. */
size_t tickles_replicated(struct cluster *c, const struct pubip *ip, struct ipop_conn **mine,
			  char *from, size_t fromlen);

#endif
