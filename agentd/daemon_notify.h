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
