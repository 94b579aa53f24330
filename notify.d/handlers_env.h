/*
 * handlers_env.h — the argv and environment a notify.d handler gets for one
 * event: the contract of herd(7) NOTIFICATIONS, built here and nowhere else.
 *
 * argv[1] is the event name as CTDB's notify.sh passes it (event_type_name:
 * "unhealthy", "node-banned", ...), so CTDB handlers run unchanged. The
 * environment is PATH, LANG and the HERD_* variables only, every one of
 * them always set (empty when unknown), in the manner of pacemaker's alert
 * agents (CRM_alert_*). Pure: the same inputs give the same strings.
 *
 *   handlers_env_build()   fill a struct handlers_env for one event
 */
#ifndef HERD_NOTIFY_HANDLERS_ENV_H
#define HERD_NOTIFY_HANDLERS_ENV_H

#include "agentd/child.h"
#include "agentd/event.h"
#include "agentd/util.h"

/* Longest text kept of each handlers_extra string (longer ones are cut). */
#define HANDLERS_CLUSTER_MAX 63
#define HANDLERS_ADDRESS_MAX 63
#define HANDLERS_STATE_MAX   31

/* The PATH and locale every handler gets; nothing of herdd's passes. */
#define HANDLERS_PATH_ENV CHILD_PATH_ENV
#define HANDLERS_LANG_ENV "LANG=C.UTF-8"

/* Variables in a handler's environment (PATH and LANG included). */
#define HANDLERS_ENV_VARS 20

/*
 * What herdd knows about an event beyond struct herd_event; the caller
 * passes what it knows, NULL or PNN_NONE for what it does not.
 */
struct handlers_extra {
	const char *cluster;            /* HERD_CLUSTER: [cluster] name */
	uint32_t pnn;                   /* HERD_PNN: this node; PNN_NONE unknown */
	const char *node_address;       /* HERD_NODE_ADDRESS: the event node's */
	const char *old_state;          /* HERD_OLD_STATE: "OK", "UNHEALTHY", ... */
	const char *new_state;          /* HERD_NEW_STATE */
};

/* One handler run's environment: envp points into buf. */
struct handlers_env {
	const char *envp[HANDLERS_ENV_VARS + 1];
	char buf[2048];
};

/*
 * Build the environment of ev for a run (test: a synthetic event of
 * `herdctl notify test`). x may be NULL. Returns 0, or -EINVAL when the
 * event's type has no name. The subject and detail are cut where buf ends
 * (never for events of event.h's sizes and extras within the maxima above).
 */
int handlers_env_build(struct handlers_env *env, const struct herd_event *ev,
		       const struct handlers_extra *x, bool test);

#endif
