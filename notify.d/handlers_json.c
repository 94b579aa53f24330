/*
 * handlers_json.c — the runner's state for herdctl, as JSON.
 *
 * {"dir": "/etc/herd/notify.d", "timeout_us": 30000000, ..., "events": 12,
 *  "runs": 24, "failures": 1, "timeouts": 0, "dropped": 0, "running": 0,
 *  "queued": 0, "scan_error": null,
 *  "handlers": [{"name": "10-log", "present": true, "running": false,
 *                "queued": 0, "runs": 12, "ok": 12, ..., "last_error": null}]}
 */
#include "notify.d/handlers_json.h"

#include "agentd/util.h"

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static struct json_object *time_json(usec_t wall)
{
	char buf[64];

	return wall ? json_object_new_string(format_iso8601(buf, sizeof(buf), wall)) : NULL;
}

static struct json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *errno_json(int e)
{
	return e ? json_object_new_string(strerror(e < 0 ? -e : e)) : NULL;
}

static struct json_object *handler_json(const struct handler_stats *s)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add(o, "name", json_object_new_string(s->name));
	add(o, "present", json_object_new_boolean(s->present));
	add(o, "running", json_object_new_boolean(s->running));
	add(o, "queued", u64(s->queued));
	add(o, "runs", u64(s->runs));
	add(o, "ok", u64(s->ok));
	add(o, "failures", u64(s->failures));
	add(o, "timeouts", u64(s->timeouts));
	add(o, "dropped", u64(s->dropped));
	add(o, "last_outcome", s->runs ? json_object_new_string(handler_outcome_name(s->last_outcome))
				       : NULL);
	add(o, "last_event", str_or_null(s->last_event));
	add(o, "last_seq", s->runs ? u64(s->last_seq) : NULL);
	add(o, "last_start", time_json(s->last_start));
	add(o, "last_start_us", u64(s->last_start));
	add(o, "last_duration_us", u64(s->last_duration));
	add(o, "last_error", str_or_null(s->last_error));
	add(o, "last_error_time", time_json(s->last_error_time));
	return o;
}

struct json_object *handlers_stats_json(const struct handlers *h)
{
	const struct handlers_config *c = handlers_get_config(h);
	struct json_object *o = json_object_new_object(), *a;
	struct handlers_stats st;

	if (!o)
		return NULL;
	handlers_get_stats(h, &st);
	add(o, "dir", json_object_new_string(c->dir));
	add(o, "timeout_us", u64(c->timeout));
	add(o, "kill_grace_us", u64(c->kill_grace));
	add(o, "parallel", u64(c->parallel));
	add(o, "queue_max", u64(c->queue_max));
	add(o, "output_max", u64(c->output_max));
	add(o, "events", u64(st.events));
	add(o, "runs", u64(st.runs));
	add(o, "failures", u64(st.failures));
	add(o, "timeouts", u64(st.timeouts));
	add(o, "dropped", u64(st.dropped));
	add(o, "running", u64(st.running));
	add(o, "queued", u64(st.queued));
	add(o, "scan_errors", u64(st.scan_errors));
	add(o, "scan_error", errno_json(st.scan_error));
	a = json_object_new_array();
	for (size_t i = 0; a && i < handlers_count(h); i++)
		json_object_array_add(a, handler_json(handlers_at(h, i)));
	add(o, "handlers", a);
	return o;
}

struct json_object *handlers_test_report_json(const struct handlers_test_report *r)
{
	struct json_object *o = json_object_new_object(), *a;

	if (!o)
		return NULL;
	add(o, "event", json_object_new_string(r->event));
	add(o, "seq", u64(r->seq));
	add(o, "scan_error", errno_json(r->scan_error));
	a = json_object_new_array();
	for (size_t i = 0; a && i < r->n; i++) {
		const struct handlers_test_result *t = &r->results[i];
		struct json_object *e = json_object_new_object();

		if (!e)
			continue;
		add(e, "name", json_object_new_string(t->name));
		add(e, "outcome", json_object_new_string(handler_outcome_name(t->outcome)));
		add(e, "reason", json_object_new_string(t->reason));
		add(e, "exit_status", t->exit_status >= 0 ? json_object_new_int(t->exit_status) : NULL);
		add(e, "signal", t->signal ? json_object_new_int(t->signal) : NULL);
		add(e, "duration_us", u64(t->duration));
		add(e, "output", json_object_new_string_len(t->output, (int)MIN(t->output_len,
										(size_t)INT32_MAX)));
		add(e, "output_truncated", json_object_new_boolean(t->output_truncated));
		json_object_array_add(a, e);
	}
	add(o, "handlers", a);
	return o;
}
