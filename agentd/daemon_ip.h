/*
 * daemon_ip.h — herdd's public-address glue (daemon_ip.c): the node side
 * (this node's public addresses, which it hosts, its interfaces, takeover
 * and release through failover/ with gratuitous ARP and tickle ACKs, the
 * takeip/releaseip/updateip/ipreallocated events) and the leader side (the
 * takeover run: gather every node's report, decide with
 * failover/takeover.c, release everywhere, then take over, then tell every
 * node the result).
 *
 * Called by daemon_cluster.c at the points named below; the admin verbs
 * and the JSON for herdctl are in daemon_cluster.h.
 */
#ifndef HERD_DAEMON_IP_H
#define HERD_DAEMON_IP_H

#include "agentd/proto.h"

struct cluster;

int ip_new(struct cluster *c);          /* cluster_new */
int ip_start(struct cluster *c);        /* cluster_start: interfaces, addresses present */
void ip_free(struct cluster *c);        /* releases every address this node hosts */
void ip_reconfigure(struct cluster *c); /* the configuration was reloaded */

/* Leader: a takeover run is wanted (starts on the next loop turn). */
void ip_kick(struct cluster *c, const char *why);
/* This node stepped down: abandon a run. */
void ip_abort(struct cluster *c);
/* A peer disconnected: stop waiting for it. */
void ip_peer_gone(struct cluster *c, uint32_t pnn);
/* Every keepalive interval: phase deadlines, retries. */
void ip_tick(struct cluster *c);

/* CONTROL and REPLY frames of the public-address opcodes (herd_op_variable). */
void ip_on_control(struct cluster *c, uint32_t from, const struct herd_control *req);
void ip_on_reply(struct cluster *c, uint32_t from, const struct herd_reply *rp);

/* This node's flags changed: BANNED or STOPPED release everything. */
void ip_own_flags_changed(struct cluster *c, uint32_t old, uint32_t new);
/* Are all of this node's public interfaces down (it can host nothing)? */
bool ip_ifaces_down(struct cluster *c);

#endif
