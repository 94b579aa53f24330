/*
 * mail.c — the email sink on sd-event: waiting events, the compose timer,
 * the spool, one sender at a time, retries.
 *
 * Two timers drive it. The compose timer (monotonic) fires when
 * mailpolicy_compose_at() says the waiting events should become a mail.
 * The send timer (CLOCK_REALTIME, because retry times are persisted as
 * wall-clock times) fires when the spool's next mail is due. Every change
 * ends in kick_send(), which starts the next due mail when no child runs.
 */
#include "notify.d/mail.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/random.h>

#include "agentd/log.h"
#include "agentd/state.h"
#include "notify.d/mailmsg.h"
#include "notify.d/mailspool.h"

#define TIMER_ACCURACY (50 * USEC_PER_MSEC)
#define STATUS_QUEUE_MAX ((size_t)20)
#define ISO_MAX 32

struct mail_waiter {
	struct mail_waiter *next;
	char id[MAILSPOOL_ID_MAX];
	mail_test_fn done;
	void *userdata;
};

struct mail {
	sd_event *event;
	bool enabled;

	/* The configuration, copied. */
	char *server, *from, **to, *tls_ca_file, *auth_user, *auth_password_file;
	char *prefix, *spool_dir, *cluster, *host;
	size_t nto;
	uint32_t self;
	struct mailsend_config send_cfg;
	struct mailpolicy policy;
	mail_status_fn status_fn;
	void *status_ud;

	struct mailspool *spool;
	struct mailpolicy_rate rate;

	/* Events waiting for a mail, oldest first. */
	struct herd_event *pending;
	size_t npending, cap;
	usec_t first_pending;           /* monotonic */
	bool rate_held;                 /* the rate limit pushed the next mail back */
	usec_t compose_retry;           /* monotonic: composing failed, not before this */

	sd_event_source *compose_timer, *send_timer;
	struct mailsend *send;
	char sending_id[MAILSPOOL_ID_MAX];
	size_t *sending_idx;            /* rcpt index of each recipient being tried */
	struct mail_waiter *waiters;

	uint64_t events_mailed, events_ignored, composed, attempts_failed;
	usec_t last_delivery, last_error_time;
	char last_error[MAILSPOOL_ERROR_MAX];
};

static const char *const default_to[] = { "root@localhost" };

void mail_config_default(struct mail_config *c)
{
	*c = (struct mail_config){
		.enabled = true,
		.server = "localhost:25",
		.from = "herd@localhost",
		.to = default_to,
		.nto = ARRAY_SIZE(default_to),
		.starttls = MAILSEND_STARTTLS_OFF,
		.tls_verify = true,
		.send_timeout = 60 * USEC_PER_SEC,
		.subject_prefix = "herd",
		.spool_dir = "/var/lib/herd/mail",
		.cluster = "herd",
		.self = PNN_NONE,
	};
	mailpolicy_default(&c->policy);
}

static uint64_t random_u64(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	return now_monotonic() * UINT64_C(6364136223846793005) ^ (uint64_t)getpid();
}

static void note_error(struct mail *m, const char *text)
{
	m->last_error_time = now_realtime();
	snprintf(m->last_error, sizeof(m->last_error), "%s", text);
}

static void kick_send(struct mail *m);
static void schedule_compose(struct mail *m);

/* ---- composing ---------------------------------------------------------- */

/*
 * Make one mail of ev[0..n) and spool it. status: take the cluster status
 * from the callback. Returns 0 and the entry, or -errno.
 */
static int compose(struct mail *m, const struct herd_event *ev, size_t n, size_t held,
		   size_t more, bool status, struct mailspool_entry **out)
{
	_cleanup_(freep) char *text = NULL, *msg = NULL;
	struct mailspool_entry *e;
	struct mailmsg mm;
	size_t len;
	int r;

	if (status && m->status_fn)
		text = m->status_fn(m->status_ud);
	mm = (struct mailmsg){
		.cluster = m->cluster, .self = m->self, .host = m->host, .from = m->from,
		.to = (const char *const *)m->to, .nto = m->nto, .prefix = m->prefix,
		.date = now_realtime(), .nonce = random_u64(), .status = text,
		.held = held, .more = more,
	};
	r = mailmsg_build(&mm, ev, n, &msg, &len);
	if (r < 0)
		return r;
	r = mailspool_add(m->spool, msg, len, (const char *const *)m->to, m->nto, mm.date,
			  (uint32_t)random_u64(), &e);
	if (r < 0)
		return r;
	m->composed++;
	if (out)
		*out = e;
	return 0;
}

/* Compose the oldest waiting events (at most max_events) into one mail. */
static int compose_batch(struct mail *m, bool status)
{
	size_t n = MIN(m->npending, (size_t)MAX(m->policy.max_events, 1u));
	size_t held = m->rate_held ? n : 0;
	int r;

	if (n == 0)
		return 0;
	r = compose(m, m->pending, n, held, m->npending - n, status, NULL);
	if (r < 0)
		return r;
	m->events_mailed += n;
	memmove(m->pending, m->pending + n, (m->npending - n) * sizeof(*m->pending));
	m->npending -= n;
	m->first_pending = now_monotonic();
	if (m->npending == 0)
		m->rate_held = false;
	mailpolicy_rate_record(&m->rate, now_monotonic());
	return 0;
}

static int on_compose(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct mail *m = userdata;
	int r;

	r = compose_batch(m, true);
	if (r < 0) {
		char text[MAILSPOOL_ERROR_MAX];

		/* Keep the events; try again after the first retry delay. */
		snprintf(text, sizeof(text), "cannot spool a mail: %s", strerror(-r));
		note_error(m, text);
		log_err("mail: %s; %zu events wait", text, m->npending);
		m->compose_retry = now_monotonic() + MAX(m->policy.retry_min, USEC_PER_SEC);
	}
	schedule_compose(m);
	kick_send(m);
	return 0;
}

static void schedule_compose(struct mail *m)
{
	usec_t now = now_monotonic(), due, free_at;
	int r;

	due = mailpolicy_compose_at(&m->policy, &m->rate, m->npending, m->first_pending, now);
	if (due == MAILPOLICY_NEVER) {
		if (m->compose_timer)
			sd_event_source_set_enabled(m->compose_timer, SD_EVENT_OFF);
		return;
	}
	/* Held back by the rate limit rather than the window? */
	free_at = m->npending >= MAX(m->policy.max_events, 1u) ? now :
		  MAX(m->first_pending + m->policy.coalesce, now);
	m->rate_held = due > free_at;
	due = MAX(due, m->compose_retry);
	if (!m->compose_timer) {
		r = sd_event_add_time(m->event, &m->compose_timer, CLOCK_MONOTONIC, due,
				      TIMER_ACCURACY, on_compose, m);
		if (r < 0)
			log_err("mail: cannot arm the compose timer: %s", strerror(-r));
		return;
	}
	sd_event_source_set_time(m->compose_timer, due);
	sd_event_source_set_enabled(m->compose_timer, SD_EVENT_ONESHOT);
}

int mail_event(struct mail *m, const struct herd_event *ev)
{
	if (!m->enabled || !mailpolicy_wants(&m->policy, ev)) {
		m->events_ignored++;
		return 0;
	}
	if (m->npending == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct herd_event *p = realloc(m->pending, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->pending = p;
		m->cap = cap;
	}
	if (m->npending == 0)
		m->first_pending = now_monotonic();
	m->pending[m->npending++] = *ev;
	schedule_compose(m);
	return 1;
}

/* ---- sending ------------------------------------------------------------ */

static void waiters_notify(struct mail *m, const char *id, int r, const char *text)
{
	struct mail_waiter **w = &m->waiters;

	while (*w) {
		struct mail_waiter *cur = *w;

		if (id && !streq(cur->id, id)) {
			w = &cur->next;
			continue;
		}
		*w = cur->next;
		cur->done(r, text, cur->userdata);
		free(cur);
	}
}

static int on_send_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	kick_send(userdata);
	return 0;
}

static void arm_send_timer(struct mail *m, usec_t when)
{
	int r;

	if (!m->send_timer) {
		r = sd_event_add_time(m->event, &m->send_timer, CLOCK_REALTIME, when,
				      TIMER_ACCURACY, on_send_timer, m);
		if (r < 0)
			log_err("mail: cannot arm the send timer: %s", strerror(-r));
		return;
	}
	sd_event_source_set_time(m->send_timer, when);
	sd_event_source_set_enabled(m->send_timer, SD_EVENT_ONESHOT);
}

/* The server answered: mails that failed for want of it are due now. */
static void server_is_back(struct mail *m)
{
	for (size_t i = 0; i < mailspool_count(m->spool); i++) {
		struct mailspool_entry *e = mailspool_get(m->spool, i);

		if (e->session_failed && e->next > 0)
			e->next = 0;
	}
}

/* An attempt failed: count it, schedule the retry or expire the mail. */
static void attempt_failed(struct mail *m, struct mailspool_entry *e, const char *error,
			   bool session)
{
	usec_t now = now_realtime(), next;
	char id[MAILSPOOL_ID_MAX], d[32], text[MAILSPOOL_ERROR_MAX + 64];
	int r;

	snprintf(id, sizeof(id), "%s", e->id);
	m->attempts_failed++;
	note_error(m, error);
	e->attempts++;
	e->error_time = now;
	e->session_failed = session;
	snprintf(e->error, sizeof(e->error), "%s", error);
	next = mailpolicy_retry_next(&m->policy, e->attempts, e->queued, now);
	if (next == MAILPOLICY_NEVER) {
		log_err("mail: %s expired after %u attempts, moved to %s/" MAILSPOOL_FAILED_DIR
			": %s", id, e->attempts, m->spool_dir, error);
		r = mailspool_expire(m->spool, e);
		if (r < 0)
			log_err("mail: cannot move %s to failed/: %s", id, strerror(-r));
		snprintf(text, sizeof(text), "not delivered, expired: %s", error);
		waiters_notify(m, id, -ETIMEDOUT, text);
		return;
	}
	e->next = next;
	r = mailspool_save(m->spool, e);
	if (r < 0)
		log_err("mail: cannot save the state of %s: %s", id, strerror(-r));
	log_warn("mail: %s not delivered (attempt %u, next in %s): %s", id, e->attempts,
		 format_duration(d, sizeof(d), next > now ? next - now : 0), error);
	snprintf(text, sizeof(text), "not delivered (retried in %s): %s", d, error);
	waiters_notify(m, id, -EAGAIN, text);
}

static void on_sent(struct mailsend *s, const struct mailsend_result *res, void *userdata)
{
	struct mail *m = userdata;
	struct mailspool_entry *e = mailspool_find(m->spool, m->sending_id);
	char text[MAILSPOOL_ERROR_MAX + 128];
	bool all = true;

	mailsend_free(m->send);
	m->send = NULL;
	if (!e)
		goto out;
	/* Recipients that took it are done, whatever happened to the others. */
	for (size_t k = 0; k < res->nrcpt; k++)
		if (res->rcpt[k].code >= 200 && res->rcpt[k].code < 300 &&
		    res->data_code >= 200 && res->data_code < 300)
			e->done[m->sending_idx[k]] = true;
	for (size_t i = 0; i < e->nrcpt; i++)
		all = all && e->done[i];
	if (res->delivered || all) {
		char id[MAILSPOOL_ID_MAX];
		int r;

		snprintf(id, sizeof(id), "%s", e->id);
		snprintf(text, sizeof(text), "delivered to %zu recipient%s via %s%s", e->nrcpt,
			 e->nrcpt == 1 ? "" : "s", m->server, res->tls ? " (TLS)" : "");
		r = mailspool_delivered(m->spool, e);
		if (r < 0)
			log_err("mail: %s delivered but not removed from the spool: %s", id,
				strerror(-r));
		else
			log_info("mail: %s %s", id, text);
		m->last_delivery = now_realtime();
		server_is_back(m);
		waiters_notify(m, id, 0, text);
	} else {
		if (!res->session_failed)
			server_is_back(m);
		attempt_failed(m, e, res->error[0] ? res->error : "not delivered",
			       res->session_failed);
	}
out:
	free(m->sending_idx);
	m->sending_idx = NULL;
	m->sending_id[0] = '\0';
	kick_send(m);
}

static void start_send(struct mail *m, struct mailspool_entry *e)
{
	_cleanup_(freep) const char **rcpt = calloc(e->nrcpt, sizeof(*rcpt));
	char path[4096], text[MAILSPOOL_ERROR_MAX];
	size_t n = 0;
	int r;

	free(m->sending_idx);
	m->sending_idx = calloc(e->nrcpt, sizeof(*m->sending_idx));
	if (!rcpt || !m->sending_idx) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < e->nrcpt; i++)
		if (!e->done[i]) {
			m->sending_idx[n] = i;
			rcpt[n++] = e->rcpt[i];
		}
	r = mailspool_msg_path(m->spool, e, path, sizeof(path));
	if (r < 0)
		goto fail;
	snprintf(m->sending_id, sizeof(m->sending_id), "%s", e->id);
	r = mailsend_start(m->event, &m->send_cfg, path, rcpt, n, on_sent, m, &m->send);
	if (r < 0)
		goto fail;
	return;
fail:
	m->sending_id[0] = '\0';
	snprintf(text, sizeof(text), "cannot start the mail child: %s", strerror(-r));
	attempt_failed(m, e, text, true);
}

static void kick_send(struct mail *m)
{
	/* Starting may fail at once and expire mails: loop, never recurse deep. */
	for (unsigned guard = 0; guard < 1000; guard++) {
		struct mailspool_entry *e;
		usec_t now = now_realtime();

		if (!m->enabled || !m->spool || m->send)
			return;
		e = mailspool_next_due(m->spool);
		if (!e) {
			if (m->send_timer)
				sd_event_source_set_enabled(m->send_timer, SD_EVENT_OFF);
			return;
		}
		if (e->next > now) {
			arm_send_timer(m, e->next);
			return;
		}
		start_send(m, e);
	}
}

/* ---- the public calls --------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

int mail_new(sd_event *e, const struct mail_config *cfg, mail_status_fn status, void *userdata,
	     struct mail **out)
{
	struct mail *m;
	char host[256];
	int r;

	if (!e || !cfg)
		return -EINVAL;
	if (cfg->enabled && (!cfg->server || !cfg->server[0] || !cfg->from || !cfg->to ||
			     cfg->nto == 0 || cfg->policy.max_events == 0 || !cfg->spool_dir))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->event = sd_event_ref(e);
	m->enabled = cfg->enabled;
	m->policy = cfg->policy;
	m->self = cfg->self;
	m->status_fn = status;
	m->status_ud = userdata;
	if (cfg->hostname && cfg->hostname[0]) {
		snprintf(host, sizeof(host), "%s", cfg->hostname);
	} else if (gethostname(host, sizeof(host)) < 0) {
		snprintf(host, sizeof(host), "localhost");
	}
	host[sizeof(host) - 1] = '\0';
	m->server = dup_or_null(cfg->server ? cfg->server : "localhost:25");
	m->from = dup_or_null(cfg->from ? cfg->from : "herd@localhost");
	m->tls_ca_file = dup_or_null(cfg->tls_ca_file);
	m->auth_user = dup_or_null(cfg->auth_user);
	m->auth_password_file = dup_or_null(cfg->auth_password_file);
	m->prefix = strdup(cfg->subject_prefix ? cfg->subject_prefix : "");
	m->spool_dir = dup_or_null(cfg->spool_dir ? cfg->spool_dir : "/var/lib/herd/mail");
	m->cluster = strdup(cfg->cluster ? cfg->cluster : "");
	m->host = strdup(host);
	m->to = calloc(cfg->nto ? cfg->nto : 1, sizeof(*m->to));
	if (!m->server || !m->from || !m->prefix || !m->spool_dir || !m->cluster || !m->host ||
	    !m->to) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < cfg->nto; i++) {
		m->to[i] = strdup(cfg->to[i]);
		if (!m->to[i]) {
			r = -ENOMEM;
			goto fail;
		}
		m->nto = i + 1;
	}
	m->send_cfg = (struct mailsend_config){
		.server = m->server, .from = m->from, .starttls = cfg->starttls,
		.tls_ca_file = m->tls_ca_file, .tls_verify = cfg->tls_verify,
		.auth_user = m->auth_user, .auth_password_file = m->auth_password_file,
		.timeout = cfg->send_timeout,
	};
	r = mailpolicy_rate_init(&m->rate, m->policy.rate_per_hour);
	if (r < 0)
		goto fail;
	if (m->enabled) {
		/* Addresses and prefix that no mail could carry: say so now. */
		struct herd_event probe = { .type = EV_HEALTHY, .severity = SEV_NOTICE };
		struct mailmsg mm = { .cluster = m->cluster, .self = m->self, .host = m->host,
				      .from = m->from, .to = (const char *const *)m->to,
				      .nto = m->nto, .prefix = m->prefix };
		_cleanup_(freep) char *msg = NULL;
		size_t len;

		r = mailmsg_build(&mm, &probe, 1, &msg, &len);
		if (r < 0)
			goto fail;
		r = mailspool_open(m->spool_dir, (const char *const *)m->to, m->nto, &m->spool);
		if (r < 0)
			goto fail;
		/* Flushed at start: whatever its retry said, each is due now. */
		for (size_t i = 0; i < mailspool_count(m->spool); i++)
			mailspool_get(m->spool, i)->next = 0;
		if (mailspool_count(m->spool))
			log_notice("mail: %zu mails in the spool %s, sending",
				   mailspool_count(m->spool), m->spool_dir);
		kick_send(m);
	}
	*out = m;
	return 0;
fail:
	mail_free(m);
	return r;
}

void mail_free(struct mail *m)
{
	if (!m)
		return;
	/* Nothing waiting in memory is lost: it goes to the spool. */
	while (m->spool && m->npending > 0) {
		int r = compose_batch(m, false);

		if (r < 0) {
			log_err("mail: %zu events could not be spooled: %s", m->npending,
				strerror(-r));
			break;
		}
	}
	mailsend_free(m->send);
	m->send = NULL;
	waiters_notify(m, NULL, -ECANCELED, "herdd stopped the mail sink");
	sd_event_source_disable_unref(m->compose_timer);
	sd_event_source_disable_unref(m->send_timer);
	mailspool_free(m->spool);
	mailpolicy_rate_done(&m->rate);
	free(m->pending);
	free(m->sending_idx);
	for (size_t i = 0; i < m->nto; i++)
		free(m->to[i]);
	free(m->to);
	free(m->server);
	free(m->from);
	free(m->tls_ca_file);
	free(m->auth_user);
	free(m->auth_password_file);
	free(m->prefix);
	free(m->spool_dir);
	free(m->cluster);
	free(m->host);
	sd_event_unref(m->event);
	free(m);
}

int mail_test(struct mail *m, const struct herd_event *ev, mail_test_fn done, void *userdata)
{
	struct mailspool_entry *e;
	struct mail_waiter *w;
	int r;

	if (!m->enabled || !m->spool)
		return -EOPNOTSUPP;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	r = compose(m, ev, 1, 0, 0, true, &e);
	if (r < 0) {
		free(w);
		return r;
	}
	snprintf(w->id, sizeof(w->id), "%s", e->id);
	w->done = done;
	w->userdata = userdata;
	w->next = m->waiters;
	m->waiters = w;
	kick_send(m);
	return 0;
}

int mail_text(struct mail *m, const char *subject, const char *body)
{
	_cleanup_(freep) char *msg = NULL;
	struct mailspool_entry *e;
	struct mailmsg mm;
	size_t len;
	int r;

	if (!m || !m->enabled || !m->spool)
		return -ENOTCONN;
	mm = (struct mailmsg){
		.cluster = m->cluster, .self = m->self, .host = m->host, .from = m->from,
		.to = (const char *const *)m->to, .nto = m->nto, .prefix = m->prefix,
		.date = now_realtime(), .nonce = random_u64(),
		.text_subject = subject, .text_body = body,
	};
	r = mailmsg_build(&mm, NULL, 0, &msg, &len);
	if (r < 0)
		return r;
	r = mailspool_add(m->spool, msg, len, (const char *const *)m->to, m->nto, mm.date,
			  (uint32_t)random_u64(), &e);
	if (r < 0)
		return r;
	m->composed++;
	kick_send(m);
	return 0;
}

int mail_flush(struct mail *m)
{
	int r = 0;

	if (!m->enabled || !m->spool)
		return 0;
	while (m->npending > 0) {
		r = compose_batch(m, true);
		if (r < 0)
			break;
	}
	schedule_compose(m);
	for (size_t i = 0; i < mailspool_count(m->spool); i++)
		mailspool_get(m->spool, i)->next = 0;
	kick_send(m);
	return r;
}

void mail_counts(const struct mail *m, struct mail_counts *c)
{
	struct mailspool_stats st = { 0 };

	if (m->spool)
		mailspool_stats(m->spool, &st);
	*c = (struct mail_counts){
		.queued = st.queued, .pending = m->npending, .delivered = st.delivered,
		.failed = st.failed, .composed = m->composed,
		.attempts_failed = m->attempts_failed, .sending = m->send != NULL,
	};
}

/* ---- status ------------------------------------------------------------- */

static struct json_object *json_time(usec_t wall)
{
	char buf[ISO_MAX];

	if (!wall)
		return NULL;
	return json_object_new_string(format_iso8601(buf, sizeof(buf), wall));
}

static struct json_object *json_str(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static void add_int(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static struct json_object *json_strings(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

struct json_object *mail_status_json(struct mail *m)
{
	struct json_object *o = json_object_new_object(), *q;
	struct mailspool_stats st = { 0 };
	usec_t now = now_monotonic(), due;
	const char *last_error = m->last_error;
	usec_t last_error_time = m->last_error_time;

	if (!o)
		return NULL;
	if (m->spool)
		mailspool_stats(m->spool, &st);
	if (!last_error_time && st.last_error_time) {
		last_error = st.last_error;
		last_error_time = st.last_error_time;
	}
	json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
	json_object_object_add(o, "server", json_object_new_string(m->server));
	json_object_object_add(o, "starttls", json_object_new_string(
				       mailsend_starttls_name(m->send_cfg.starttls)));
	json_object_object_add(o, "recipients", json_strings(m->to, m->nto));
	json_object_object_add(o, "spool_dir", json_object_new_string(m->spool_dir));
	add_int(o, "queued", st.queued);
	json_object_object_add(o, "oldest", json_time(st.oldest));
	json_object_object_add(o, "sending", json_object_new_boolean(m->send != NULL));
	add_int(o, "pending_events", m->npending);
	add_int(o, "held_events", m->rate_held ? m->npending : 0);
	due = mailpolicy_compose_at(&m->policy, &m->rate, m->npending, m->first_pending, now);
	json_object_object_add(o, "next_mail_in",
			       due == MAILPOLICY_NEVER ? NULL :
			       json_object_new_double((double)(due - now) / USEC_PER_SEC));
	add_int(o, "delivered", st.delivered);
	add_int(o, "failed", st.failed);
	if (m->spool) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/" MAILSPOOL_FAILED_DIR, m->spool_dir);
		json_object_object_add(o, "failed_dir", json_object_new_string(dir));
	}
	add_int(o, "attempts_failed", m->attempts_failed);
	add_int(o, "mails_composed", m->composed);
	add_int(o, "events_mailed", m->events_mailed);
	add_int(o, "events_ignored", m->events_ignored);
	add_int(o, "mails_last_hour", mailpolicy_rate_count(&m->rate, now));
	add_int(o, "rate_limit", m->policy.rate_per_hour);
	json_object_object_add(o, "last_error", json_str(last_error));
	json_object_object_add(o, "last_error_time", json_time(last_error_time));
	json_object_object_add(o, "last_delivery", json_time(m->last_delivery));
	q = json_object_new_array();
	for (size_t i = 0; m->spool && q && i < MIN(mailspool_count(m->spool), STATUS_QUEUE_MAX);
	     i++) {
		struct mailspool_entry *e = mailspool_get(m->spool, i);
		struct json_object *j = json_object_new_object();

		if (!j)
			break;
		json_object_object_add(j, "id", json_object_new_string(e->id));
		json_object_object_add(j, "queued", json_time(e->queued));
		add_int(j, "attempts", e->attempts);
		json_object_object_add(j, "next", json_time(e->next));
		json_object_object_add(j, "error", json_str(e->error));
		json_object_object_add(j, "recipients", json_strings(e->rcpt, e->nrcpt));
		json_object_array_add(q, j);
	}
	json_object_object_add(o, "queue", q);
	return o;
}
