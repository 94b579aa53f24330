/*
 * agentx_snmp.h — herd-agentx's net-snmp side: an AgentX subagent that
 * registers HERD-MIB, answers from the model, and sends notifications.
 *
 * What it sets up: net-snmp as an AgentX subagent of the master at the
 * given address, with no SIGALRM (alarms run from the sd-event loop, see
 * agentx_loop.h), no configuration files read, a private persistent
 * directory, net-snmp's log routed to herd's, a short AgentX timeout for
 * herd-agentx's own requests (ping, notify: a hung master costs at most
 * that), and a ping interval after which net-snmp notices a lost master and
 * reconnects and re-registers for ever.
 *
 * What it serves: every scalar group with a handler that reads the model
 * (agentx_model.h), every table with net-snmp's tdata helper (rows are
 * rebuilt from the model with axsnmp_tables_sync; the event table grows one
 * row per event). Before a request touches a registration, `refresh` is
 * called with the verbs its objects come from, so the glue can bring stale
 * snapshots up to date (the statistics cache).
 *
 * Writes: herdNodeAdminState only, and only with ops->set_admin. A SET is
 * checked in RESERVE1 (INTEGER, enabled(1) or disabled(2), an existing row,
 * herdd connected; any other column of any table: notWritable), carried out
 * in ACTION (herdd refuses: commitFailed) and undone in UNDO when a later
 * varbind of the same request failed (best effort: the old value set
 * back). Access control is snmpd's (VACM).
 *
 * Notifications: one per event, built from the model (ax_notification),
 * sent at once while the master is there, otherwise queued (at most
 * AXSNMP_QUEUE_MAX; the oldest is dropped and counted). When the master
 * (re)registers us: herdAgentRestarted, then the queue.
 *
 * Rows and snapshots a request may point into are freed only by
 * axsnmp_collect, which the glue calls between requests.
 */
#ifndef HERD_AGENTX_SNMP_H
#define HERD_AGENTX_SNMP_H

#include <systemd/sd-event.h>

#include "agentd/util.h"
#include "mib/agentx_model.h"

#define AXSNMP_QUEUE_MAX      1000
#define AXSNMP_PING_INTERVAL  2      /* seconds; also the retry after a master quits */
#define AXSNMP_HUNG_RETRY     3      /* seconds between retries to a master that hangs */
#define AXSNMP_AGENTX_TIMEOUT (200 * USEC_PER_MSEC)

struct axsnmp;

struct axsnmp_ops {
	/* A request is about to read objects of these verbs (AX_VERB_BIT mask). */
	void (*refresh)(void *userdata, unsigned verbs);
	/* The master agent registered us (again), or went away. */
	void (*master)(void *userdata, bool up);
	/*
	 * A SET of herdNodeAdminState.pnn (herd.conf [snmp] allow set): run
	 * herdctl enable (true) or disable on node pnn. 0, or a negative errno
	 * with herdd's reason in err. NULL: herdNodeAdminState is read-only
	 * (a SET answers notWritable).
	 */
	int (*set_admin)(void *userdata, uint32_t pnn, bool enable, char *err, size_t errlen);
};

/*
 * Set net-snmp up (init_agent, registrations, init_snmp: which connects to
 * the master, or keeps trying). One per process: net-snmp is global.
 */
int axsnmp_new(sd_event *ev, const char *agentx_address, const char *persistent_dir,
	       struct ax_model *m, const struct axsnmp_ops *ops, void *userdata,
	       struct axsnmp **out);
void axsnmp_free(struct axsnmp *s);

/* Rebuild the rows of every table whose rows come from these verbs. */
void axsnmp_tables_sync(struct axsnmp *s, unsigned verbs);
/* The event table: one event added (and the oldest evicted), or all anew. */
void axsnmp_event_added(struct axsnmp *s, struct ax_event *added, struct ax_event *evicted);
void axsnmp_events_sync(struct axsnmp *s);

/* One notification for an event; herd-agentx's own (AX_NOTIF_*). */
void axsnmp_notify_event(struct axsnmp *s, const struct ax_event *ev);
void axsnmp_notify_agent(struct axsnmp *s, uint32_t n);

bool axsnmp_master_up(const struct axsnmp *s);
/* Free rows, snapshots and events that requests may have been using. */
void axsnmp_collect(struct axsnmp *s);

#endif
