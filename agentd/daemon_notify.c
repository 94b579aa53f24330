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
#include "agentd/statustext.h"
#include "notify.d/handlers.h"
#include "notify.d/handlers_json.h"
#include "notify.d/mail.h"
#include "notify.d/mailpolicy.h"

#define NOTIFY_TESTS_KEPT 8

struct notify_test {
	int id;
	bool done;
	bool handlers_done, mail_done;
	struct json_object *report;     /* when done */
	struct handlers_test *ht;
	struct notify *n;
};

struct notify {
	struct herdd *d;
	char *dir;                      /* the resolved notify.d directory */
	struct handlers *h;
	struct mail *mail;              /* NULL: [mail] enabled = no, or it failed */
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

/* `herdctl status` text for the end of a mail. */
static char *status_for_mail(void *userdata)
{
	struct herdd *d = userdata;
	struct json_object *st = herdd_status_json(d);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f) {
		status_text(f, st);
		fclose(f);
	}
	json_object_put(st);
	return text;
}

/* Up to 32 recipients from "a@b, c@d" (the schema checked them). */
#define MAIL_TO_MAX 32

static void mail_start(struct herdd *d)
{
	struct notify *n = d->notify;
	const struct herd_conf *cf = d->cf;
	struct mail_config mc;
	char to_buf[1024], *to[MAIL_TO_MAX], *save = NULL;
	_cleanup_(freep) char *ca = NULL, *pw = NULL, *spool = NULL;
	size_t nto = 0;
	int r;

	if (!cf->mail_enabled)
		return;
	mail_config_default(&mc);
	snprintf(to_buf, sizeof(to_buf), "%s", cf->mail_to);
	for (char *w = strtok_r(to_buf, " \t,", &save); w && nto < MAIL_TO_MAX;
	     w = strtok_r(NULL, " \t,", &save))
		to[nto++] = w;
	ca = conf_path(cf, cf->mail_tls_ca_file);
	pw = conf_path(cf, cf->mail_auth_password_file);
	spool = cf->mail_spool_dir[0] ? conf_path(cf, cf->mail_spool_dir)
				      : conf_path(cf, cf->state_dir);
	if (spool && !cf->mail_spool_dir[0]) {
		char *s2 = NULL;

		if (asprintf(&s2, "%s/mail", spool) < 0)
			s2 = NULL;
		free(spool);
		spool = s2;
	}
	if (!ca || !pw || !spool) {
		log_err("mail: out of memory");
		return;
	}
	mc.enabled = true;
	mc.server = cf->smtp_server;
	mc.from = cf->mail_from;
	mc.to = (const char *const *)to;
	mc.nto = nto;
	mc.starttls = (enum mailsend_starttls)cf->mail_starttls;
	mc.tls_ca_file = ca;
	mc.tls_verify = cf->mail_tls_verify;
	mc.auth_user = cf->mail_auth_user;
	mc.auth_password_file = pw;
	mc.send_timeout = cf->mail_timeout;
	mc.subject_prefix = cf->mail_subject_prefix;
	mc.spool_dir = spool;
	mc.cluster = cf->cluster_name;
	mc.self = d->st ? d->st->pnn : PNN_NONE;
	mc.policy.min_severity = (enum herd_severity)cf->mail_severity;
	if (mailpolicy_parse_types(cf->mail_events, &mc.policy.types) < 0)
		log_warn("mail: cannot read the event list '%s'; mailing every type", cf->mail_events);
	mc.policy.coalesce = cf->mail_coalesce;
	mc.policy.max_events = cf->mail_max_events;
	mc.policy.rate_per_hour = cf->mail_rate_limit;
	mc.policy.retry_min = cf->mail_retry;
	mc.policy.retry_max = MAX(cf->mail_retry_max, cf->mail_retry);
	mc.policy.expiry = cf->mail_expiry;
	r = mail_new(d->ev, &mc, status_for_mail, d, &n->mail);
	if (r < 0)
		log_err("cannot set up notification mail (spool %s): %s", spool, strerror(-r));
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
	mail_start(d); /* a mail problem is logged; herdd runs on without mail */
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
	mail_free(n->mail);
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
	/* The mail sink starts again on the new settings; its spool stays. */
	mail_free(n->mail);
	n->mail = NULL;
	mail_start(d);
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
	if (n->mail)
		(void)mail_event(n->mail, ev);
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
	json_object_object_add(o, "mail", n && n->mail ? mail_status_json(n->mail) : NULL);
	return o;
}

static void test_check_done(struct notify_test *t)
{
	if (t->handlers_done && t->mail_done) {
		json_object_object_add(t->report, "done", json_object_new_boolean(true));
		t->done = true;
	}
}

static void on_test_done(struct handlers *h, const struct handlers_test_report *report,
			 void *userdata)
{
	struct notify_test *t = userdata;

	json_object_object_add(t->report, "handlers", handlers_test_report_json(report));
	t->ht = NULL;
	t->handlers_done = true;
	test_check_done(t);
}

static void on_mail_test_done(int r, const char *text, void *userdata)
{
	struct notify_test *t = userdata;
	struct json_object *o;

	if (r == -ECANCELED)
		return; /* herdd is stopping: t may be gone */
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(r >= 0));
	json_object_object_add(o, "result", json_object_new_string(text ? text : strerror(-r)));
	json_object_object_add(t->report, "mail", o);
	t->mail_done = true;
	test_check_done(t);
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
	if (t->id && !t->done) {
		snprintf(err, errlen, "too many notify tests running");
		return -EBUSY;
	}
	handlers_test_cancel(t->ht);
	json_object_put(t->report);
	*t = (struct notify_test){ .id = ++n->next_test, .n = n, .mail_done = !n->mail,
				   .report = json_object_new_object() };
	snprintf(ev.subject, sizeof(ev.subject), "test of the %s event", event_type_name(type));
	snprintf(ev.detail, sizeof(ev.detail), "sent by herdctl notify test: not a real event");
	extra_for(d, &ev, &x, addr, sizeof(addr));
	r = handlers_test(n->h, &ev, &x, on_test_done, t, &t->ht);
	if (r < 0) {
		snprintf(err, errlen, "cannot run the handlers: %s", strerror(-r));
		t->done = true;
		return r;
	}
	if (n->mail && mail_test(n->mail, &ev, on_mail_test_done, t) < 0) {
		json_object_object_add(t->report, "mail", NULL);
		t->mail_done = true;
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
		if (!t->done || !t->report) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "done", json_object_new_boolean(false));
			return o;
		}
		return json_object_get(t->report);
	}
	return NULL;
}
