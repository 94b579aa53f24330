/*
 * daemon_roles.h — herdd's NAT gateway and LVS glue (daemon_roles.c): which
 * node is the NAT gateway master of this node's group and the LVS master,
 * decided on every node from the same node flags, and what this node
 * programs for its role (addresses, nftables, routes, IPVS).
 *
 * Called by daemon_cluster.c; the JSON for herdctl is in daemon_cluster.h.
 */
#ifndef HERD_DAEMON_ROLES_H
#define HERD_DAEMON_ROLES_H

#include "agentd/util.h"

struct cluster;

int roles_new(struct cluster *c);
void roles_free(struct cluster *c);     /* removes what a role put in place */
/* Node flags, leadership or this node's state changed: decide, apply if new. */
void roles_update(struct cluster *c);
/* The configuration was reloaded: apply again whatever the decision. */
void roles_reconfigure(struct cluster *c);
/* Every keepalive interval: retries after a failure, ARP rounds. */
void roles_tick(struct cluster *c);
/* Warnings for `herdctl status` (LVS without IPVS in the kernel). */
struct json_object;
void roles_status_json(struct cluster *c, struct json_object *status);
/* NODE_CAP_NATGW and NODE_CAP_LVS as the configuration gives them. */
uint32_t roles_capabilities(struct cluster *c);

#endif
