/*
 * event.h — herd's one event vocabulary and the in-memory ring of recent
 * events.
 *
 * Every cluster event — CTDB's five lifecycle events (init, setup, startup,
 * healthy, unhealthy) and herd's own — is one struct herd_event with a
 * sequence number, wall and monotonic time, node, severity, type, subject and
 * detail. The same names appear in the log, `herdctl events`, notify.d
 * handlers' argv[1], traps and mail. The glue emits; sinks consume. Part of
 * the base layer.
 */
#ifndef HERD_EVENT_H
#define HERD_EVENT_H

#include "agentd/util.h"

enum herd_event_type {
	EV_INIT = 1,
	EV_SETUP,
	EV_STARTUP,
	EV_HEALTHY,
	EV_UNHEALTHY,
	EV_NODE_CONNECTED,
	EV_NODE_DISCONNECTED,
	EV_NODE_BANNED,
	EV_NODE_UNBANNED,
	EV_NODE_DISABLED,
	EV_NODE_ENABLED,
	EV_NODE_STOPPED,
	EV_NODE_CONTINUED,
	EV_LINK_DOWN,
	EV_LINK_UP,
	EV_LEADER_CHANGED,
	EV_RECOVERY_STARTED,
	EV_RECOVERY_FINISHED,
	EV_RECLOCK_TAKEN,
	EV_RECLOCK_LOST,
	EV_IP_TAKEOVER,
	EV_IP_RELEASED,
	EV_NATGW_CHANGED,
	EV_LVS_CHANGED,
	EV_IFACE_DOWN,
	EV_IFACE_UP,
	EV_COLLECTOR_FAILED,
	EV_COLLECTOR_RECOVERED,
	EV_MAINTENANCE_ON,
	EV_MAINTENANCE_OFF,
	EV_CONFIG_RELOADED,
	EV_CONFIG_REJECTED,
	EV_SHUTDOWN,
	EV__MAX,
};

/* Severities, mapped onto syslog priorities for the log. */
enum herd_severity {
	SEV_INFO = 1,
	SEV_NOTICE,
	SEV_WARNING,
	SEV_ERROR,
	SEV_CRITICAL,
};

#define EVENT_SUBJECT_MAX 128
#define EVENT_DETAIL_MAX  512

struct herd_event {
	uint64_t seq;
	usec_t wall, mono;
	uint32_t node;                  /* the node it is about (PNN_NONE: cluster) */
	uint32_t reporter;              /* the node that saw it */
	enum herd_event_type type;
	enum herd_severity severity;
	char subject[EVENT_SUBJECT_MAX];
	char detail[EVENT_DETAIL_MAX];
	bool has_flags;                 /* a node state change: old/new flags known */
	uint32_t old_flags, new_flags;  /* NODE_FLAG_* of node before and after */
};

/* "node-banned", "unhealthy", ...; NULL for an unknown type. */
const char *event_type_name(enum herd_event_type t);
/* The type for a name, or -EINVAL. */
int event_type_from_name(const char *name);
/* The severity an event of this type has unless the emitter says otherwise. */
enum herd_severity event_type_severity(enum herd_event_type t);

const char *severity_name(enum herd_severity s);
int severity_from_name(const char *name);
int severity_syslog(enum herd_severity s);

/* A bounded ring of the most recent events; the oldest falls out first. */
struct event_ring {
	struct herd_event *ev;
	size_t cap, len, head;          /* head: index of the oldest */
	uint64_t next_seq;              /* seq the next event gets (starts at 1) */
	uint64_t dropped;               /* events that fell out of the ring */
};

int event_ring_init(struct event_ring *r, size_t cap);
void event_ring_done(struct event_ring *r);
/* Copy ev in, assigning its sequence number; returns the stored event. */
const struct herd_event *event_ring_push(struct event_ring *r, const struct herd_event *ev);
/* The i-th stored event, oldest first (i < len). */
const struct herd_event *event_ring_get(const struct event_ring *r, size_t i);

#endif
