/*
 * daemon_notify.c — every event to every notification sink (see
 * daemon_notify.h). The sinks never block the loop: handlers run as child
 * processes (notify.d/handlers.c).
 */
#include "agentd/daemon_notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/daemon.h"
#include "agentd/log.h"
#include "notify.d/handlers.h"
#include "notify.d/handlers_json.h"

#define NOTIFY_TESTS_KEPT 8

struct notify_test {
	int id;
	bool done;
	struct json_object *report;     /* when done */
	struct handlers_test *ht;
	struct notify *n;
};

struct notify {
	struct herdd *d;
	char *dir;                      /* the resolved notify.d directory */
	struct handlers *h;
	struct notify_test tests[NOTIFY_TESTS_KEPT];
	int next_test;
};

static int handlers_config_from(struct herdd *d, struct handlers_config *hc, char **dir)
{
	const struct herd_conf *cf = d->cf;

	*dir = conf_path(cf, cf->notify_dir);
	if (!*dir)
		return -ENOMEM;
	*hc = (struct handlers_config){
		.dir = *dir,
		.timeout = cf->notify_timeout,
		.kill_grace = cf->notify_kill_grace,
		.parallel = cf->notify_parallel,
		.queue_max = cf->notify_queue,
		.output_max = cf->notify_output,
	};
	return 0;
}

int notify_new(struct herdd *d)
{
	struct notify *n = calloc(1, sizeof(*n));
	struct handlers_config hc;
	int r;

	if (!n)
		return -ENOMEM;
	n->d = d;
	d->notify = n;
	r = handlers_config_from(d, &hc, &n->dir);
	if (r < 0)
		return r;
	r = handlers_new(d->ev, &hc, &n->h);
	if (r < 0)
		log_err("cannot set up the notify.d handlers (%s): %s", n->dir, strerror(-r));
	return r;
}

void notify_free(struct herdd *d)
{
	struct notify *n = d->notify;

	if (!n)
		return;
	for (size_t i = 0; i < NOTIFY_TESTS_KEPT; i++) {
		handlers_test_cancel(n->tests[i].ht);
		json_object_put(n->tests[i].report);
	}
	handlers_free(n->h);
	free(n->dir);
	free(n);
	d->notify = NULL;
}

void notify_reconfigure(struct herdd *d)
{
	struct notify *n = d->notify;
	struct handlers_config hc;
	char *dir;

	if (!n || handlers_config_from(d, &hc, &dir) < 0)
		return;
	if (handlers_reconfigure(n->h, &hc) < 0) {
		free(dir);
		return;
	}
	free(n->dir);
	n->dir = dir;
}

/* What struct herd_event does not carry, for the handlers' environment. */
static void extra_for(struct herdd *d, const struct herd_event *ev, struct handlers_extra *x,
		      char *addr, size_t addrlen)
{
	const struct herd_state *st = d->st;

	*x = (struct handlers_extra){ .cluster = d->cf->cluster_name, .pnn = st ? st->pnn : PNN_NONE };
	if (st && ev->node != PNN_NONE && ev->node < st->nnodes && st->nodes[ev->node].naddrs) {
		sockaddr_format(addr, addrlen, &st->nodes[ev->node].addrs[0]);
		x->node_address = addr;
	}
	if (ev->has_flags) {
		x->old_state = node_summary_name(node_summary(ev->old_flags));
		x->new_state = node_summary_name(node_summary(ev->new_flags));
	}
}

void notify_event(struct herdd *d, const struct herd_event *ev)
{
	struct notify *n = d->notify;
	struct handlers_extra x;
	char addr[64];

	if (!n || !n->h)
		return;
	extra_for(d, ev, &x, addr, sizeof(addr));
	(void)handlers_event(n->h, ev, &x);
}

bool notify_idle(struct herdd *d)
{
	return !d->notify || !d->notify->h || handlers_idle(d->notify->h);
}

struct json_object *notify_status_json(struct herdd *d)
{
	struct notify *n = d->notify;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "handlers", n && n->h ? handlers_stats_json(n->h) : NULL);
	return o;
}

static void on_test_done(struct handlers *h, const struct handlers_test_report *report,
			 void *userdata)
{
	struct notify_test *t = userdata;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "done", json_object_new_boolean(true));
	json_object_object_add(o, "handlers", handlers_test_report_json(report));
	t->report = o;
	t->done = true;
	t->ht = NULL;
}

int notify_test_start(struct herdd *d, enum herd_event_type type, char *err, size_t errlen)
{
	struct notify *n = d->notify;
	struct herd_event ev = {
		.wall = now_realtime(),
		.mono = now_monotonic(),
		.node = d->st->pnn,
		.reporter = d->st->pnn,
		.type = type,
		.severity = event_type_severity(type),
	};
	struct handlers_extra x;
	struct notify_test *t;
	char addr[64];
	int r;

	if (!n || !n->h) {
		snprintf(err, errlen, "the notification sinks are not running");
		return -ENOTCONN;
	}
	t = &n->tests[n->next_test % NOTIFY_TESTS_KEPT];
	handlers_test_cancel(t->ht);
	json_object_put(t->report);
	*t = (struct notify_test){ .id = ++n->next_test, .n = n };
	snprintf(ev.subject, sizeof(ev.subject), "test of the %s event", event_type_name(type));
	snprintf(ev.detail, sizeof(ev.detail), "sent by herdctl notify test: not a real event");
	extra_for(d, &ev, &x, addr, sizeof(addr));
	r = handlers_test(n->h, &ev, &x, on_test_done, t, &t->ht);
	if (r < 0) {
		snprintf(err, errlen, "cannot run the handlers: %s", strerror(-r));
		return r;
	}
	log_notice("notify test %d: a synthetic %s event goes through every sink", t->id,
		   event_type_name(type));
	return t->id;
}

struct json_object *notify_test_result(struct herdd *d, int id)
{
	struct notify *n = d->notify;

	for (size_t i = 0; n && i < NOTIFY_TESTS_KEPT; i++) {
		struct notify_test *t = &n->tests[i];

		if (t->id != id || !id)
			continue;
		if (!t->done) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "done", json_object_new_boolean(false));
			return o;
		}
		return json_object_get(t->report);
	}
	return NULL;
}
