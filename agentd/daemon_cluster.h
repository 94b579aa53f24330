/*
 * daemon_cluster.h — herdd's cluster glue: the transport, the election,
 * the recovery lock, the recovery step, bans, node flags, maintenance mode
 * and the health monitor, wired to the state model and the event bus.
 *
 * The decisions live in their modules (elect.c, health.c); this file applies
 * them and turns every change into state and events. Admin verbs reach it
 * through the cluster_admin_* calls, locally or over CONTROL frames.
 */
#ifndef HERD_DAEMON_CLUSTER_H
#define HERD_DAEMON_CLUSTER_H

#include <json-c/json.h>

#include "agentd/util.h"
#include "conf/conf.h"

struct herdd;
struct herd_conf;
struct cluster;

#define CLUSTER_ALL UINT32_C(0xfffffffe) /* -n all */

int cluster_new(struct herdd *d, struct cluster **out);
/* Start the monitor's init/setup/startup and the tick. */
int cluster_start(struct cluster *c);
void cluster_free(struct cluster *c);

/*
 * reloadnodes: check the new nodes table (this node unchanged; an existing
 * node's addresses never change in place — delete it and add a new line)
 * and apply it to the transport and the state model. Called by
 * herdd_reload() before it swaps the configuration.
 */
int cluster_set_nodes(struct cluster *c, const struct herd_conf *cf, char *err, size_t errlen);
/* The configuration was swapped (reload): apply what may change at run time. */
void cluster_reconfigure(struct cluster *c);
/* Ask every connected node to reload its nodes file too. */
int cluster_admin_reloadnodes(struct cluster *c, char *err, size_t errlen);

/* Admin verbs. target: a pnn, or CLUSTER_ALL. err says why on failure. */
int cluster_admin_flags(struct cluster *c, uint32_t target, uint32_t set, uint32_t clear,
			char *err, size_t errlen);
int cluster_admin_ban(struct cluster *c, uint32_t target, uint32_t seconds, char *err,
		      size_t errlen);
int cluster_admin_recover(struct cluster *c, char *err, size_t errlen);
/* until: wall µs, 0 to end maintenance. */
int cluster_admin_maintenance(struct cluster *c, usec_t until, char *err, size_t errlen);

/* Public addresses (daemon_ip.c). moveip pins addr to pnn through the leader. */
int cluster_admin_moveip(struct cluster *c, const struct sockaddr_storage *addr, uint32_t pnn,
			 char *err, size_t errlen);
/* reloadips: this node reloads its configuration, then every other node. */
int cluster_admin_reloadips(struct cluster *c, char *err, size_t errlen);
/* addip / delip: this node's running set (until the next reload). */
int cluster_admin_addip(struct cluster *c, const struct conf_pubaddr *pa, char *err,
			size_t errlen);
int cluster_admin_delip(struct cluster *c, const struct sockaddr_storage *addr, char *err,
			size_t errlen);
/* `herdctl ip`: every address the leader assigned and this node's own. */
struct json_object *cluster_ip_json(struct cluster *c);
/* `herdctl ifaces`: this node's public interfaces. */
struct json_object *cluster_ifaces_json(struct cluster *c);
void cluster_ip_statistics_json(struct cluster *c, struct json_object *stats);
/* `herdctl natgw` and `herdctl lvs` (daemon_roles.c). */
struct json_object *cluster_natgw_json(struct cluster *c);
struct json_object *cluster_lvs_json(struct cluster *c);
void cluster_roles_statistics_json(struct cluster *c, struct json_object *stats);

/* Add the cluster's view to `status` and `statistics` replies. */
void cluster_status_json(struct cluster *c, struct json_object *status);
void cluster_node_json(struct cluster *c, uint32_t pnn, struct json_object *node);
void cluster_statistics_json(struct cluster *c, struct json_object *stats);
struct json_object *cluster_scriptstatus_json(struct cluster *c);

/* The last recovery this node led: wall-clock start and finish, duration (0: none). */
void cluster_recovery_times(const struct cluster *c, usec_t *start, usec_t *finish,
			    usec_t *duration);

/* Is this node part of a running cluster (a leader holding the lock)? */
bool cluster_active(const struct cluster *c);

#endif
