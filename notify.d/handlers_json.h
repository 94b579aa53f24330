/*
 * handlers_json.h — the notify.d runner's statistics and test reports as
 * JSON (json-c), the shape `herdctl -j notify status` and `herdctl -j
 * notify test` print. Kept out of handlers.h so that the runner does not
 * need json-c.
 *
 *   handlers_stats_json()        settings, totals and every handler
 *   handlers_test_report_json()  what each handler did with a test event
 *
 * Times are ISO 8601 strings (null: never) plus *_us fields in
 * microseconds, as herdd's other verbs give them.
 */
#ifndef HERD_NOTIFY_HANDLERS_JSON_H
#define HERD_NOTIFY_HANDLERS_JSON_H

#include <json-c/json.h>

#include "notify.d/handlers.h"

/* A new object (the caller puts it), or NULL when out of memory. */
struct json_object *handlers_stats_json(const struct handlers *h);
struct json_object *handlers_test_report_json(const struct handlers_test_report *r);

#endif
