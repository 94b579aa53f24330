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
#include "notify.d/digest.h"
#include "notify.d/evlog.h"
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
	struct evlog *log;              /* the persistent event log; NULL: could not open */
	sd_event_source *commit;        /* commit the log's open transaction */
	sd_event_source *prune;         /* hourly */
	sd_event_source *digest;        /* the daily digest mail */
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

/* ---- the event log ------------------------------------------------------ */

#define EVLOG_FILE "events.tdb"
#define EVLOG_PRUNE_INTERVAL (3600 * USEC_PER_SEC)

static int on_commit(sd_event_source *s, void *userdata)
{
	struct notify *n = userdata;
	int r = evlog_commit(n->log);

	if (r < 0)
		log_err("event log: commit failed: %s", strerror(-r));
	return 0;
}

static int on_prune(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct notify *n = userdata;

	(void)evlog_prune(n->log);
	(void)evlog_commit(n->log);
	sd_event_source_set_time(s, now_monotonic() + EVLOG_PRUNE_INTERVAL);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static void evlog_start(struct herdd *d)
{
	struct notify *n = d->notify;
	const struct herd_conf *cf = d->cf;
	_cleanup_(freep) char *dir = conf_path(cf, cf->state_dir), *path = NULL;
	struct evlog_config ec = {
		.max_count = cf->events_max_count,
		.max_age = cf->events_max_age,
		.sync = (enum evlog_sync)cf->events_sync,
		.defer_commit = true,
	};
	int r;

	if (!dir || asprintf(&path, "%s/" EVLOG_FILE, dir) < 0) {
		path = NULL;
		log_err("event log: out of memory");
		return;
	}
	ec.path = path;
	r = evlog_open(&ec, &n->log);
	if (r < 0) {
		log_err("cannot open the event log %s: %s (events are kept in memory only)", path,
			strerror(-r));
		n->log = NULL;
		return;
	}
	/* Numbering goes on where the log ends: sequence numbers survive restarts. */
	if (evlog_next_seq(n->log) > d->events.next_seq)
		d->events.next_seq = evlog_next_seq(n->log);
	if (sd_event_add_defer(d->ev, &n->commit, on_commit, n) >= 0)
		sd_event_source_set_enabled(n->commit, SD_EVENT_OFF);
	if (sd_event_add_time(d->ev, &n->prune, CLOCK_MONOTONIC,
			      now_monotonic() + EVLOG_PRUNE_INTERVAL, 0, on_prune, n) >= 0)
		sd_event_source_set_enabled(n->prune, SD_EVENT_ON);
}

static void evlog_stop(struct notify *n)
{
	sd_event_source_disable_unref(n->commit);
	sd_event_source_disable_unref(n->prune);
	n->commit = n->prune = NULL;
	if (n->log) {
		(void)evlog_commit(n->log);
		evlog_close(n->log);
		n->log = NULL;
	}
}

int notify_events_query(struct herdd *d, uint64_t since_seq, usec_t since_wall, int type,
			int64_t node, size_t limit, struct herd_event **out, size_t *n)
{
	struct evlog_filter f = {
		.since_seq = since_seq + 1,
		.since_wall = since_wall,
		.type = type,
		.by_node = node >= 0,
		.node = node >= 0 ? (uint32_t)node : 0,
		.limit = limit,
		.newest = true,
	};

	if (!d->notify || !d->notify->log)
		return -ENOENT;
	(void)evlog_commit(d->notify->log); /* what was just emitted is visible */
	return evlog_query(d->notify->log, &f, out, n);
}

int notify_events_all(struct herdd *d, struct herd_event **out, size_t *n)
{
	struct evlog_filter f = { 0 };

	if (!d->notify || !d->notify->log)
		return -ENOENT;
	(void)evlog_commit(d->notify->log);
	return evlog_query(d->notify->log, &f, out, n);
}

int notify_digest(struct herdd *d, const char *range, const char *detail,
		  struct json_object **reply, char *err, size_t errlen)
{
	struct digest_input in = {
		.cluster = d->cf->cluster_name,
		.processed = now_realtime(),
		.range_spec = range,
	};
	struct herd_event *evs = NULL;
	size_t nev = 0;
	char node[32], *text = NULL;
	int det = digest_detail_parse(detail), r;

	if (digest_range_parse(range, in.processed, &in.range) < 0) {
		snprintf(err, errlen, "bad range '%s'; expected today, yesterday, all, a date, "
			 "'since DATE' or 'between DATE1 and DATE2'", range);
		return -EINVAL;
	}
	if (det < 0) {
		snprintf(err, errlen, "bad detail '%s'; expected low, med or high", detail);
		return -EINVAL;
	}
	in.detail = (enum digest_detail)det;
	snprintf(node, sizeof(node), "node %u", d->st->pnn);
	in.node = node;
	r = notify_events_all(d, &evs, &nev);
	if (r < 0 && r != -ENOENT) {
		snprintf(err, errlen, "cannot read the event log: %s", strerror(-r));
		return r;
	}
	in.events = evs;
	in.n_events = nev;
	r = digest_render(&in, &text);
	free(evs);
	if (r < 0) {
		snprintf(err, errlen, "cannot make the digest: %s", strerror(-r));
		return r;
	}
	*reply = json_object_new_object();
	json_object_object_add(*reply, "text", json_object_new_string(text));
	free(text);
	return 0;
}

void notify_log_stats_json(struct herdd *d, struct json_object *o)
{
	struct evlog_stats st;
	struct json_object *l;

	if (!d->notify || !d->notify->log) {
		json_object_object_add(o, "event_log", NULL);
		return;
	}
	evlog_get_stats(d->notify->log, &st);
	l = json_object_new_object();
	json_object_object_add(l, "first_seq", json_object_new_int64((int64_t)st.first_seq));
	json_object_object_add(l, "next_seq", json_object_new_int64((int64_t)st.next_seq));
	json_object_object_add(l, "count", json_object_new_int64((int64_t)st.count));
	json_object_object_add(l, "appended", json_object_new_int64((int64_t)st.appended));
	json_object_object_add(l, "pruned_count", json_object_new_int64((int64_t)st.pruned_count));
	json_object_object_add(l, "pruned_age", json_object_new_int64((int64_t)st.pruned_age));
	json_object_object_add(l, "corrupt", json_object_new_int64((int64_t)st.corrupt));
	json_object_object_add(l, "lost", json_object_new_int64((int64_t)st.lost));
	json_object_object_add(o, "event_log", l);
}

/* ---- the daily digest mail ------------------------------------------------ */

static const char *const digest_range_names[] = { "today", "yesterday", "all" };
static const char *const digest_detail_names[] = { "low", "med", "high" };

/* The next wall time (µs) of HH:MM local time after now; 0 when off. */
static usec_t next_digest(const char *hhmm, usec_t now)
{
	unsigned h, m;
	time_t t = (time_t)(now / USEC_PER_SEC), at;
	struct tm tm;

	if (!hhmm || sscanf(hhmm, "%u:%u", &h, &m) != 2)
		return 0;
	localtime_r(&t, &tm);
	tm.tm_hour = (int)h;
	tm.tm_min = (int)m;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	at = mktime(&tm);
	if (at <= t) {
		tm.tm_mday++;
		tm.tm_isdst = -1;
		at = mktime(&tm);
	}
	return (usec_t)at * USEC_PER_SEC;
}

int notify_digest_mail(struct herdd *d, char *err, size_t errlen)
{
	struct notify *n = d->notify;
	const struct herd_conf *cf = d->cf;
	const char *range = digest_range_names[cf->mail_digest_range % 3];
	struct json_object *reply = NULL;
	char subject[128];
	int r;

	if (!n || !n->mail) {
		snprintf(err, errlen, "mail is not enabled ([mail] enabled)");
		return -ENOTCONN;
	}
	r = notify_digest(d, range, digest_detail_names[cf->mail_digest_detail % 3], &reply, err,
			  errlen);
	if (r < 0)
		return r;
	snprintf(subject, sizeof(subject), "digest (%s)", range);
	r = mail_text(n->mail, subject, json_object_get_string(json_object_object_get(reply, "text")));
	json_object_put(reply);
	if (r < 0)
		snprintf(err, errlen, "cannot spool the digest mail: %s", strerror(-r));
	return r;
}

static int on_digest(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct herdd *d = userdata;
	char err[256];
	usec_t next;

	if (notify_digest_mail(d, err, sizeof(err)) < 0)
		log_warn("daily digest: %s", err);
	else
		log_info("daily digest mail spooled");
	next = next_digest(d->cf->mail_digest_time, now_realtime() + USEC_PER_SEC);
	if (!next)
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	sd_event_source_set_time(s, next);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static void digest_schedule(struct herdd *d)
{
	struct notify *n = d->notify;
	usec_t next = n->mail ? next_digest(d->cf->mail_digest_time, now_realtime()) : 0;

	if (!next) {
		if (n->digest)
			sd_event_source_set_enabled(n->digest, SD_EVENT_OFF);
		return;
	}
	if (!n->digest && sd_event_add_time(d->ev, &n->digest, CLOCK_REALTIME, next,
					    USEC_PER_SEC, on_digest, d) < 0)
		return;
	sd_event_source_set_time(n->digest, next);
	sd_event_source_set_enabled(n->digest, SD_EVENT_ONESHOT);
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
	evlog_start(d); /* a log problem is logged; events stay in memory */
	mail_start(d); /* a mail problem is logged; herdd runs on without mail */
	digest_schedule(d);
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
	sd_event_source_disable_unref(n->digest);
	handlers_free(n->h);
	mail_free(n->mail);
	evlog_stop(n);
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
	if (n->log)
		evlog_set_limits(n->log, d->cf->events_max_count, d->cf->events_max_age);
	/* The mail sink starts again on the new settings; its spool stays. */
	mail_free(n->mail);
	n->mail = NULL;
	mail_start(d);
	digest_schedule(d);
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

	if (!n)
		return;
	if (n->log) {
		struct herd_event copy = *ev;
		int r = evlog_append(n->log, &copy);

		if (r < 0)
			log_warn("event log: cannot append event #%llu: %s",
				 (unsigned long long)ev->seq, strerror(-r));
		else if (n->commit)
			sd_event_source_set_enabled(n->commit, SD_EVENT_ONESHOT);
	}
	if (!n->h)
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
	/* The subscribers (herd-agentx: a trap) get it too, marked as a test. */
	if (d->ctl) {
		struct json_object *o = herdd_event_json(&ev), *sub = json_object_new_object();

		json_object_object_add(o, "test", json_object_new_boolean(true));
		json_object_object_add(sub, "subscribers", json_object_new_int64(
			(int64_t)ctlsrv_broadcast(d->ctl, o)));
		json_object_object_add(t->report, "subscribers", sub);
		json_object_put(o);
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
