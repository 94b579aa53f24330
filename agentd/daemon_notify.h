/*
 * daemon_notify.h — herdd's notification glue (daemon_notify.c): every
 * event published by herdd_emit() goes to each sink — the notify.d
 * handlers (notify.d/handlers.c) now; the persistent event log and mail
 * join the same path.
 */
#ifndef HERD_DAEMON_NOTIFY_H
#define HERD_DAEMON_NOTIFY_H

#include <json-c/json.h>

#include "agentd/event.h"

struct herdd;

int notify_new(struct herdd *d);
void notify_free(struct herdd *d);
/* The configuration was swapped (reload). */
void notify_reconfigure(struct herdd *d);
/* One event, already numbered and stored in the ring. */
void notify_event(struct herdd *d, const struct herd_event *ev);

/*
 * Events from the persistent log (notify.d/evlog.c): those after since_seq
 * and at or after since_wall (0: any), of type (0: any) and about node (-1:
 * any), the newest limit (0: all), oldest first. -ENOENT without a log.
 */
int notify_events_query(struct herdd *d, uint64_t since_seq, usec_t since_wall, int type,
			int64_t node, size_t limit, struct herd_event **out, size_t *n);
int notify_events_all(struct herdd *d, struct herd_event **out, size_t *n);
/*
 * A logwatch-style digest of the event log (notify.d/digest.c) over range
 * ("today", "yesterday", "all", "between T1 and T2", ...) at detail ("low",
 * "med", "high"): *reply is {"text": ...}; -EINVAL with err for a bad
 * range or detail.
 */
int notify_digest(struct herdd *d, const char *range, const char *detail,
		  struct json_object **reply, char *err, size_t errlen);
/* Mail the digest now, as the daily timer does ([mail] digest range/detail). */
int notify_digest_mail(struct herdd *d, char *err, size_t errlen);
/* The event log's counters into o ("event_log"). */
void notify_log_stats_json(struct herdd *d, struct json_object *o);

/* Nothing running or waiting in any sink (shutdown waits for it, bounded). */
bool notify_idle(struct herdd *d);

/* `herdctl notify status`. */
struct json_object *notify_status_json(struct herdd *d);
/*
 * `herdctl notify test [EVENT]`: run a synthetic event through every sink;
 * returns a test id (> 0) whose report notify_test_result() gives once done.
 */
int notify_test_start(struct herdd *d, enum herd_event_type type, char *err, size_t errlen);
/* NULL: no such test; {"done": false}: still running; else the report. */
struct json_object *notify_test_result(struct herdd *d, int id);

#endif
