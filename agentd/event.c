/*
 * event.c — the event vocabulary's name tables and the ring of recent events.
 */
#include "agentd/event.h"

#include <syslog.h>

static const struct {
	const char *name;
	enum herd_severity severity;
} types[EV__MAX] = {
	[EV_INIT] = { "init", SEV_INFO },
	[EV_SETUP] = { "setup", SEV_INFO },
	[EV_STARTUP] = { "startup", SEV_NOTICE },
	[EV_HEALTHY] = { "healthy", SEV_NOTICE },
	[EV_UNHEALTHY] = { "unhealthy", SEV_ERROR },
	[EV_NODE_CONNECTED] = { "node-connected", SEV_NOTICE },
	[EV_NODE_DISCONNECTED] = { "node-disconnected", SEV_ERROR },
	[EV_NODE_BANNED] = { "node-banned", SEV_ERROR },
	[EV_NODE_UNBANNED] = { "node-unbanned", SEV_NOTICE },
	[EV_NODE_DISABLED] = { "node-disabled", SEV_WARNING },
	[EV_NODE_ENABLED] = { "node-enabled", SEV_NOTICE },
	[EV_NODE_STOPPED] = { "node-stopped", SEV_WARNING },
	[EV_NODE_CONTINUED] = { "node-continued", SEV_NOTICE },
	[EV_LINK_DOWN] = { "link-down", SEV_WARNING },
	[EV_LINK_UP] = { "link-up", SEV_NOTICE },
	[EV_LEADER_CHANGED] = { "leader-changed", SEV_NOTICE },
	[EV_RECOVERY_STARTED] = { "recovery-started", SEV_NOTICE },
	[EV_RECOVERY_FINISHED] = { "recovery-finished", SEV_NOTICE },
	[EV_RECLOCK_TAKEN] = { "reclock-taken", SEV_INFO },
	[EV_RECLOCK_LOST] = { "reclock-lost", SEV_CRITICAL },
	[EV_IP_TAKEOVER] = { "ip-takeover", SEV_NOTICE },
	[EV_IP_RELEASED] = { "ip-released", SEV_NOTICE },
	[EV_NATGW_CHANGED] = { "natgw-changed", SEV_NOTICE },
	[EV_LVS_CHANGED] = { "lvs-changed", SEV_NOTICE },
	[EV_IFACE_DOWN] = { "iface-down", SEV_ERROR },
	[EV_IFACE_UP] = { "iface-up", SEV_NOTICE },
	[EV_COLLECTOR_FAILED] = { "collector-failed", SEV_WARNING },
	[EV_COLLECTOR_RECOVERED] = { "collector-recovered", SEV_NOTICE },
	[EV_MAINTENANCE_ON] = { "maintenance-on", SEV_WARNING },
	[EV_MAINTENANCE_OFF] = { "maintenance-off", SEV_NOTICE },
	[EV_CONFIG_RELOADED] = { "config-reloaded", SEV_INFO },
	[EV_CONFIG_REJECTED] = { "config-rejected", SEV_ERROR },
	[EV_SHUTDOWN] = { "shutdown", SEV_NOTICE },
};

static const char *const severities[] = {
	[SEV_INFO] = "info",       [SEV_NOTICE] = "notice", [SEV_WARNING] = "warning",
	[SEV_ERROR] = "error",     [SEV_CRITICAL] = "critical",
};

const char *event_type_name(enum herd_event_type t)
{
	if ((int)t <= 0 || t >= EV__MAX)
		return NULL;
	return types[t].name;
}

int event_type_from_name(const char *name)
{
	for (int t = 1; t < EV__MAX; t++)
		if (types[t].name && streq(types[t].name, name))
			return t;
	return -EINVAL;
}

enum herd_severity event_type_severity(enum herd_event_type t)
{
	if ((int)t <= 0 || t >= EV__MAX)
		return SEV_NOTICE;
	return types[t].severity;
}

const char *severity_name(enum herd_severity s)
{
	if ((int)s <= 0 || (size_t)s >= ARRAY_SIZE(severities))
		return "unknown";
	return severities[s];
}

int severity_from_name(const char *name)
{
	for (size_t s = 1; s < ARRAY_SIZE(severities); s++)
		if (streq(severities[s], name))
			return (int)s;
	return -EINVAL;
}

int severity_syslog(enum herd_severity s)
{
	switch (s) {
	case SEV_CRITICAL: return LOG_CRIT;
	case SEV_ERROR: return LOG_ERR;
	case SEV_WARNING: return LOG_WARNING;
	case SEV_NOTICE: return LOG_NOTICE;
	default: return LOG_INFO;
	}
}

int event_ring_init(struct event_ring *r, size_t cap)
{
	*r = (struct event_ring){ .cap = cap ? cap : 1, .next_seq = 1 };
	r->ev = calloc(r->cap, sizeof(*r->ev));
	return r->ev ? 0 : -ENOMEM;
}

void event_ring_done(struct event_ring *r)
{
	free(r->ev);
	r->ev = NULL;
	r->len = r->head = 0;
}

const struct herd_event *event_ring_push(struct event_ring *r, const struct herd_event *ev)
{
	size_t slot;

	if (r->len == r->cap) {
		slot = r->head;
		r->head = (r->head + 1) % r->cap;
		r->dropped++;
	} else {
		slot = (r->head + r->len++) % r->cap;
	}
	r->ev[slot] = *ev;
	r->ev[slot].seq = r->next_seq++;
	return &r->ev[slot];
}

const struct herd_event *event_ring_get(const struct event_ring *r, size_t i)
{
	if (i >= r->len)
		return NULL;
	return &r->ev[(r->head + i) % r->cap];
}
