/*
 * agentx_model.h — herd-agentx's copy of herdd's state, and how it becomes
 * SNMP values.
 *
 * The model is herdd's own JSON: the last reply to each verb herd-agentx
 * reads (status, statistics, ip, ...; see enum ax_verb), plus the recent
 * events as structs. A scalar's value is looked up in that JSON when it is
 * asked for (agentx_mib.c says where); a table is built from it as rows
 * (an index and the JSON object of the row), and a column's value is read
 * from the row. Notifications are built here too, as (OID, value) pairs.
 *
 * Pure: json-c in, values out. No net-snmp, no I/O, no clock except
 * now_monotonic() for TimeTicks. Who fetches the JSON and when is the
 * glue's business (agentx.c); how values go on the wire is agentx_snmp's.
 *
 * Lifetime: a row and a value may point into the JSON of a snapshot, so a
 * replaced snapshot is not freed at once but kept until ax_model_collect(),
 * which the glue calls between SNMP requests.
 */
#ifndef HERD_AGENTX_MODEL_H
#define HERD_AGENTX_MODEL_H

#include <json-c/json.h>

#include "agentd/event.h"
#include "agentd/util.h"
#include "mib/agentx_mib.h"

enum ax_type {
	AXV_NONE,       /* no such instance */
	AXV_INTEGER,    /* i */
	AXV_UNSIGNED,   /* u */
	AXV_GAUGE,      /* u */
	AXV_COUNTER64,  /* u */
	AXV_TIMETICKS,  /* u */
	AXV_OCTETS,     /* p/len, or buf/len when p is NULL */
};

struct ax_value {
	enum ax_type type;
	int64_t i;
	uint64_t u;
	const void *p;
	size_t len;
	uint8_t buf[32];
};

static inline const uint8_t *ax_value_data(const struct ax_value *v)
{
	return v->p ? (const uint8_t *)v->p : v->buf;
}

/* One event, as herdEventTable shows it. */
struct ax_event {
	uint64_t seq;
	usec_t wall;
	int32_t node, reporter;         /* -1: none */
	int type;                       /* HerdEventClass; 0 unknown */
	int severity;                   /* HerdSeverity; 0 unknown */
	char subject[EVENT_SUBJECT_MAX];
	char detail[EVENT_DETAIL_MAX];
	int prev_state, new_state;      /* HerdNodeSummary; 0: absent */
};

/* One table row: its index and where its values come from. */
struct ax_row {
	uint32_t *index;
	size_t indexlen;
	struct json_object *o;          /* the row's object (borrowed) */
	struct json_object *o2;         /* a second source: link statistics */
	int64_t aux;                    /* node: hosted addresses */
	char *text[2];                  /* joined lists (owned) */
};

struct ax_rows {
	struct ax_row *row;
	size_t n;
};

struct ax_model {
	struct json_object *snap[AX_VERB_MAX];
	usec_t fetched[AX_VERB_MAX];    /* monotonic time of each snapshot, 0 never */

	/* recent events, oldest first: a ring of ev_cap pointers */
	struct ax_event **ev;
	size_t ev_head, ev_len, ev_cap;
	uint64_t next_seq;              /* herdEventsNextSeq */
	uint64_t herdd_dropped;         /* herdEventsDropped */

	/* herd-agentx itself (herdAgent) */
	bool connected;
	uint64_t connects;
	usec_t last_sync;               /* wall clock */
	uint64_t sent, dropped;
	uint32_t queued;
	uint64_t varbinds;              /* answered by the handlers */
	uint64_t handling_ns;           /* time in the handlers */

	struct json_object **grave;     /* replaced snapshots, freed by collect */
	size_t ngrave, gravecap;
	struct ax_event **evgrave;      /* events replaced by a reload, the same */
	size_t nevgrave;
};

int ax_model_init(struct ax_model *m, size_t event_cap);
void ax_model_done(struct ax_model *m);

/* Replace a snapshot (takes the reference); now is monotonic. */
void ax_model_set(struct ax_model *m, enum ax_verb v, struct json_object *o, usec_t now);
/* Free the snapshots replaced since the last call. */
void ax_model_collect(struct ax_model *m);

/* A scalar's value: 0, or -ENOENT when the model has nothing for it. */
int ax_scalar_value(const struct ax_model *m, const struct ax_scalar *s, struct ax_value *v);

/* ---- events ---- */

/* One event object of `herdctl -j events` or the subscription: 0 or -EINVAL. */
int ax_event_from_json(struct json_object *o, struct ax_event *ev);
/*
 * Apply an event to the model before it is stored: for a node-flag event
 * (healthy ... node-continued) set prev_state/new_state from the model's
 * copy of the node's flags and update that copy; advance next_seq.
 */
void ax_model_apply_event(struct ax_model *m, struct ax_event *ev);
/*
 * Store a copy of ev as the newest event; *added is the stored copy and
 * *evicted the oldest one it pushed out (the caller frees it), or NULL.
 */
int ax_model_push_event(struct ax_model *m, const struct ax_event *ev, struct ax_event **added,
			struct ax_event **evicted);
/*
 * Replace every event by the reply to `events` (history before the
 * subscription): prev/new states are absent for those, unless the event
 * was already known. The replaced events are freed by ax_model_collect.
 */
int ax_model_load_events(struct ax_model *m, struct json_object *reply);
size_t ax_model_nevents(const struct ax_model *m);
struct ax_event *ax_model_event_at(const struct ax_model *m, size_t i);
/* The snapshots an event of this type changes (AX_VERB_BIT mask). */
unsigned ax_event_verbs(int type);
/* Those of them its notification reads (a subset of ax_event_verbs): read
 * before the notification goes, the others after it. */
unsigned ax_notification_verbs(int type);

/* ---- tables ---- */

int ax_table_build(const struct ax_model *m, enum ax_table t, struct ax_rows *out);
void ax_rows_free(struct ax_rows *r);
/* Column col of a row (AXT_EVENT rows are struct ax_event). */
int ax_row_value(const struct ax_model *m, enum ax_table t, const struct ax_row *r, unsigned col,
		 struct ax_value *v);
int ax_event_value(const struct ax_model *m, const struct ax_event *ev, unsigned col,
		   struct ax_value *v);

/* ---- notifications ---- */

struct ax_varbind {
	uint32_t oid[AX_OID_MAX];
	size_t oidlen;
	struct ax_value v;
};

/*
 * The varbinds of an event's notification (herdNotifications.ev->type),
 * snmpTrapOID not included, in the MIB's OBJECTS order. Returns how many,
 * or -EINVAL for an event of unknown type.
 */
int ax_notification(const struct ax_model *m, const struct ax_event *ev,
		    struct ax_varbind *out, size_t max);
/* The varbinds of herd-agentx's own notification n (100, 101, 102). */
int ax_agent_notification(const struct ax_model *m, uint32_t n, struct ax_varbind *out,
			  size_t max);

#endif
