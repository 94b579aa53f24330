/*
 * handlers.c — queues, ordering and bookkeeping of the notify.d runner.
 *
 * An event becomes a job, shared (reference counted) by the queues of the
 * handlers it is for. Each handler owns a bounded ring of jobs and at most
 * one running child. A defer source does all the starting: handlers_event()
 * only queues, so that herdd_emit() never forks and a burst of events is
 * queued before anything runs. The defer callback starts runs while fewer
 * than `parallel` are going, always the idle handler whose next job is the
 * oldest (ties: lexical order), then delivers the reports of the tests that
 * completed. When a run ends, its handler is idle again and the defer
 * source is armed.
 */
#include "notify.d/handlers.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "agentd/log.h"
#include "agentd/state.h"
#include "notify.d/handlers_proc.h"
#include "notify.d/handlers_scan.h"

/* Longest line of a handler's output that goes to the log in one piece. */
#define LOG_LINE_MAX 960

struct job {
	unsigned refs;                  /* queues (and a running handler) holding it */
	uint64_t id;                    /* order of arrival */
	struct herd_event ev;
	char cluster[HANDLERS_CLUSTER_MAX + 1];
	char address[HANDLERS_ADDRESS_MAX + 1];
	char old_state[HANDLERS_STATE_MAX + 1], new_state[HANDLERS_STATE_MAX + 1];
	uint32_t pnn;
	struct handlers_test *test;     /* NULL, or the test it belongs to */
};

struct handler {
	struct handler_stats st;
	struct handlers *h;
	struct job **q;                 /* ring: q[(head + i) % cap], i < len */
	size_t cap, head, len;
	struct handlers_proc *proc;     /* the running child, or NULL */
	struct job *cur;                /* its job */
	usec_t cur_timeout;
	uint64_t dropping;              /* dropped since the queue last ran empty */
};

struct handlers_test {
	struct handlers *h;
	struct handlers_test *next;     /* h->tests */
	handlers_test_fn done;
	void *userdata;
	size_t pending;                 /* handlers still to finish with it */
	bool complete;
	struct handlers_test_report report;
	struct handlers_test_result *results;
	char **outputs;                 /* malloc'd copies, per result */
};

struct handlers {
	sd_event *event;
	sd_event_source *defer;
	struct handlers_config cfg;
	char *dir;
	struct handler **v;             /* sorted by name */
	size_t n, cap;
	uint64_t next_job;
	struct handlers_test *tests;    /* pending and completed */
	struct handlers_stats st;
	int logged_scan_error;          /* to log a failing scan once, not per event */
};

static const char *const outcome_names[] = {
	[HANDLER_NONE] = "none",       [HANDLER_OK] = "ok",
	[HANDLER_FAILED] = "failed",   [HANDLER_TIMEDOUT] = "timedout",
	[HANDLER_DROPPED] = "dropped", [HANDLER_SKIPPED] = "skipped",
};

const char *handler_outcome_name(enum handler_outcome o)
{
	if ((size_t)o >= ARRAY_SIZE(outcome_names))
		return "unknown";
	return outcome_names[o];
}

/* ---- configuration ------------------------------------------------------ */

static int config_fill(struct handlers_config *out, const struct handlers_config *in)
{
	if (!in || !in->dir || !in->dir[0])
		return -EINVAL;
	*out = *in;
	if (!out->timeout)
		out->timeout = HANDLERS_TIMEOUT_DEFAULT;
	if (!out->kill_grace)
		out->kill_grace = HANDLERS_KILL_GRACE_DEFAULT;
	if (!out->parallel)
		out->parallel = HANDLERS_PARALLEL_DEFAULT;
	if (!out->queue_max)
		out->queue_max = HANDLERS_QUEUE_DEFAULT;
	if (!out->output_max)
		out->output_max = HANDLERS_OUTPUT_DEFAULT;
	return 0;
}

const struct handlers_config *handlers_get_config(const struct handlers *h)
{
	return &h->cfg;
}

/* ---- jobs and tests ----------------------------------------------------- */

static void test_free(struct handlers_test *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->outputs && i < t->report.n; i++)
		free(t->outputs[i]);
	free(t->outputs);
	free(t->results);
	free(t);
}

static void test_unlink(struct handlers *h, struct handlers_test *t)
{
	for (struct handlers_test **p = &h->tests; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			return;
		}
}

/* The result slot of handler `name` in t (every queued handler has one). */
static struct handlers_test_result *test_result(struct handlers_test *t, const char *name)
{
	for (size_t i = 0; i < t->report.n; i++)
		if (streq(t->results[i].name, name))
			return &t->results[i];
	return NULL;
}

/* One handler is done with the test's job; the last one completes it. */
static void test_step(struct handlers *h, struct handlers_test *t)
{
	if (t->pending > 0)
		t->pending--;
	if (t->pending == 0 && !t->complete) {
		t->complete = true;
		(void)sd_event_source_set_enabled(h->defer, SD_EVENT_ONESHOT);
	}
}

static void job_unref(struct job *j)
{
	if (j && --j->refs == 0)
		free(j);
}

/* ---- handlers and their queues ----------------------------------------- */

static int handler_cmp_name(const void *key, const void *elem)
{
	return strcmp(key, (*(struct handler *const *)elem)->st.name);
}

/* Index of name in h->v, or where it would go (as ~index, < 0). */
static ssize_t handler_find(const struct handlers *h, const char *name)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = handler_cmp_name(name, &h->v[mid]);

		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -(ssize_t)lo - 1;
}

static struct handler *handler_get(struct handlers *h, const char *name)
{
	ssize_t i = handler_find(h, name);
	struct handler *x;
	size_t at;

	if (i >= 0)
		return h->v[i];
	at = (size_t)(-i - 1);
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 8;
		struct handler **nv = reallocarray(h->v, ncap, sizeof(*nv));

		if (!nv)
			return NULL;
		h->v = nv;
		h->cap = ncap;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	snprintf(x->st.name, sizeof(x->st.name), "%s", name);
	x->h = h;
	memmove(h->v + at + 1, h->v + at, (h->n - at) * sizeof(*h->v));
	h->v[at] = x;
	h->n++;
	h->st.handlers = h->n;
	return x;
}

static struct job *queue_pop(struct handler *x)
{
	struct job *j;

	if (x->len == 0)
		return NULL;
	j = x->q[x->head];
	x->head = (x->head + 1) % x->cap;
	x->len--;
	x->st.queued = x->len;
	return j;
}

/* The oldest waiting job of x goes: counted, and its test is told. */
static void queue_drop_oldest(struct handlers *h, struct handler *x)
{
	struct job *j = queue_pop(x);

	if (!j)
		return;
	x->st.dropped++;
	h->st.dropped++;
	h->st.queued--;
	if (j->test) {
		struct handlers_test_result *r = test_result(j->test, x->st.name);

		if (r) {
			r->outcome = HANDLER_DROPPED;
			snprintf(r->reason, sizeof(r->reason), "dropped");
		}
		test_step(h, j->test);
	}
	job_unref(j);
}

/* A queue that overflowed has caught up: say how much it lost, once. */
static void queue_note_empty(struct handler *x)
{
	if (x->len == 0 && !x->proc && x->dropping) {
		log_notice("notify.d: %s caught up; %" PRIu64 " events were dropped", x->st.name,
			   x->dropping);
		x->dropping = 0;
	}
}

/* Append j, dropping the oldest waiting job when the queue is full. */
static int queue_push(struct handlers *h, struct handler *x, struct job *j)
{
	if (x->len >= h->cfg.queue_max) {
		/* One warning per overflow, not one per event. */
		if (x->dropping++ == 0)
			log_warn("notify.d: %s: %zu events waiting, dropping the oldest ones",
				 x->st.name, x->len);
		queue_drop_oldest(h, x);
	}
	if (x->len == x->cap) {
		/* Grows by doubling; len < queue_max here, so it does grow. */
		size_t ncap = MIN(x->cap ? x->cap * 2 : 16, h->cfg.queue_max);
		struct job **nq;

		nq = calloc(ncap, sizeof(*nq));
		if (!nq)
			return -ENOMEM;
		for (size_t i = 0; i < x->len; i++)
			nq[i] = x->q[(x->head + i) % x->cap];
		free(x->q);
		x->q = nq;
		x->cap = ncap;
		x->head = 0;
	}
	x->q[(x->head + x->len) % x->cap] = j;
	x->len++;
	x->st.queued = x->len;
	h->st.queued++;
	j->refs++;
	return 0;
}

/* Keep at most max waiting jobs (why: for the log). */
static void queue_trim(struct handlers *h, struct handler *x, size_t max, const char *why)
{
	size_t n = 0;

	for (; x->len > max; n++)
		queue_drop_oldest(h, x);
	if (n)
		log_warn("notify.d: %s %s: %zu waiting events dropped", x->st.name, why, n);
	queue_note_empty(x);
}

/* Forget a handler: kill its child, drop its jobs (as drops if counted). */
static void handler_free(struct handlers *h, struct handler *x)
{
	handlers_proc_free(x->proc);
	job_unref(x->cur);
	while (x->len)
		job_unref(queue_pop(x));
	free(x->q);
	free(x);
}

/* ---- running ------------------------------------------------------------ */

/* snprintf where cutting the text short is what we want. */
static void textf(char *buf, size_t len, const char *fmt, ...) _printf_(3, 4);
static void textf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* "first line" of out, at most len bytes into buf. */
static void first_line(char *buf, size_t len, const char *out)
{
	size_t n = strcspn(out, "\n");

	snprintf(buf, len, "%.*s", (int)MIN(n, (size_t)INT32_MAX), out);
}

/* Log the output, line by line, at prio. */
static void log_output(int prio, const char *name, const char *out, bool truncated)
{
	while (*out) {
		size_t n = strcspn(out, "\n");

		/* A line longer than syslog takes is cut here, not by syslog. */
		log_msg(prio, "notify.d: %s: %.*s%s", name, (int)MIN(n, (size_t)LOG_LINE_MAX), out,
			n > LOG_LINE_MAX ? "..." : "");
		out += n;
		if (*out == '\n')
			out++;
	}
	if (truncated)
		log_msg(prio, "notify.d: %s: (output cut)", name);
}

static void run_finish(struct handlers *h, struct handler *x, const struct handlers_proc_result *res)
{
	struct job *j = x->cur;
	enum handler_outcome o;
	char what[128], line[HANDLERS_ERROR_MAX], dur[64];
	const char *ename = event_type_name(j->ev.type);

	handlers_proc_outcome(what, sizeof(what), res, x->cur_timeout);
	if (res->timed_out)
		o = HANDLER_TIMEDOUT;
	else if (res->exec_error || res->signal || res->exit_status != 0)
		o = HANDLER_FAILED;
	else
		o = HANDLER_OK;

	x->st.runs++;
	h->st.runs++;
	x->st.last_outcome = o;
	snprintf(x->st.last_event, sizeof(x->st.last_event), "%s", ename);
	x->st.last_seq = j->ev.seq;
	x->st.last_start = res->start_wall;
	x->st.last_duration = res->duration;
	format_duration(dur, sizeof(dur), res->duration);
	if (o == HANDLER_OK) {
		x->st.ok++;
		log_msg(res->output_len ? LOG_INFO : LOG_DEBUG, "notify.d: %s %s #%" PRIu64 ": %s (%s)",
			x->st.name, ename, j->ev.seq, what, dur);
		log_output(LOG_INFO, x->st.name, res->output, res->output_truncated);
	} else {
		if (o == HANDLER_TIMEDOUT) {
			x->st.timeouts++;
			h->st.timeouts++;
		} else {
			x->st.failures++;
			h->st.failures++;
		}
		first_line(line, sizeof(line), res->output);
		textf(x->st.last_error, sizeof(x->st.last_error), "%s #%" PRIu64 ": %s%s%s", ename,
		      j->ev.seq, what, line[0] ? ": " : "", line);
		x->st.last_error_time = res->start_wall + res->duration;
		log_warn("notify.d: %s %s #%" PRIu64 ": %s (%s)", x->st.name, ename, j->ev.seq, what,
			 dur);
		log_output(LOG_WARNING, x->st.name, res->output, res->output_truncated);
	}

	if (j->test) {
		struct handlers_test *t = j->test;
		struct handlers_test_result *r = test_result(t, x->st.name);

		if (r) {
			size_t i = (size_t)(r - t->results);

			r->outcome = o;
			snprintf(r->reason, sizeof(r->reason), "%s", what);
			r->exit_status = res->exec_error ? -1 : res->exit_status;
			r->signal = res->signal;
			r->duration = res->duration;
			r->output_truncated = res->output_truncated;
			t->outputs[i] = strndup(res->output, res->output_len);
			if (t->outputs[i]) {
				r->output = t->outputs[i];
				r->output_len = res->output_len;
			}
		}
		test_step(h, t);
	}
	x->cur = NULL;
	job_unref(j);
}


static void on_run_done(struct handlers_proc *p, const struct handlers_proc_result *res,
			void *userdata)
{
	struct handler *x = userdata;
	struct handlers *h = x->h;

	x->proc = NULL;
	x->st.running = false;
	h->st.running--;
	run_finish(h, x, res);
	/* res (its output) lives in p: free it only now. */
	handlers_proc_free(p);
	queue_note_empty(x);
	(void)sd_event_source_set_enabled(h->defer, SD_EVENT_ONESHOT);
}

/* Start x's oldest waiting job; a failure to start is a failed run. */
static void run_start(struct handlers *h, struct handler *x)
{
	struct job *j = queue_pop(x);
	struct handlers_extra extra = {
		.cluster = j->cluster, .pnn = j->pnn, .node_address = j->address,
		.old_state = j->old_state, .new_state = j->new_state,
	};
	const char *argv[3] = { NULL };
	struct handlers_proc_opts o;
	struct handlers_env env;
	char path[PATH_MAX];
	int r;

	h->st.queued--;
	x->cur = j;                     /* the queue's reference moves here */
	x->cur_timeout = h->cfg.timeout;
	/* Cannot fail: the type was checked when the event was queued. */
	(void)handlers_env_build(&env, &j->ev, &extra, j->test != NULL);
	argv[0] = path;
	argv[1] = event_type_name(j->ev.type);
	o = (struct handlers_proc_opts){
		.argv = argv, .envp = env.envp, .timeout = h->cfg.timeout,
		.kill_grace = h->cfg.kill_grace, .output_max = h->cfg.output_max,
	};
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", h->dir, x->st.name) >= sizeof(path))
		r = -ENAMETOOLONG;
	else
		r = handlers_proc_start(h->event, &o, on_run_done, x, &x->proc);
	if (r < 0) {
		struct handlers_proc_result res = {
			.exec_error = r, .exit_status = -1, .start_wall = now_realtime(), .output = "",
		};

		run_finish(h, x, &res);
		queue_note_empty(x);
		return;
	}
	x->st.running = true;
	h->st.running++;
}

/* Start runs while there is room: the oldest waiting job of an idle handler first. */
static void dispatch(struct handlers *h)
{
	while (h->st.running < h->cfg.parallel) {
		struct handler *best = NULL;

		for (size_t i = 0; i < h->n; i++) {
			struct handler *x = h->v[i];

			if (x->proc || x->len == 0)
				continue;
			if (!best || x->q[x->head]->id < best->q[best->head]->id)
				best = x;
		}
		if (!best)
			break;
		run_start(h, best);
	}
}

static int on_defer(sd_event_source *s, void *userdata)
{
	struct handlers *h = userdata;

	dispatch(h);
	/* Reports last: a callback may queue more, which arms us again. */
	for (;;) {
		struct handlers_test *t = h->tests;

		while (t && !t->complete)
			t = t->next;
		if (!t)
			break;
		test_unlink(h, t);
		if (t->done)
			t->done(h, &t->report, t->userdata);
		test_free(t);
	}
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

int handlers_new(sd_event *e, const struct handlers_config *cfg, struct handlers **out)
{
	struct handlers *h;
	int r;

	if (!e || !out)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->event = sd_event_ref(e);
	r = config_fill(&h->cfg, cfg);
	if (r < 0)
		goto fail;
	h->dir = strdup(cfg->dir);
	if (!h->dir) {
		r = -ENOMEM;
		goto fail;
	}
	h->cfg.dir = h->dir;
	r = sd_event_add_defer(e, &h->defer, on_defer, h);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_enabled(h->defer, SD_EVENT_OFF);
	(void)sd_event_source_set_description(h->defer, "notify-handlers");
	*out = h;
	return 0;
fail:
	handlers_free(h);
	return r;
}

void handlers_free(struct handlers *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		handler_free(h, h->v[i]);
	free(h->v);
	while (h->tests) {
		struct handlers_test *t = h->tests;

		h->tests = t->next;
		test_free(t);
	}
	sd_event_source_disable_unref(h->defer);
	sd_event_unref(h->event);
	free(h->dir);
	free(h);
}

int handlers_reconfigure(struct handlers *h, const struct handlers_config *cfg)
{
	struct handlers_config c;
	char *dir;
	size_t k = 0;
	int r;

	r = config_fill(&c, cfg);
	if (r < 0)
		return r;
	dir = strdup(cfg->dir);
	if (!dir)
		return -ENOMEM;
	free(h->dir);
	h->dir = dir;
	c.dir = dir;
	h->cfg = c;
	for (size_t i = 0; i < h->n; i++) {
		struct handler *x = h->v[i];

		queue_trim(h, x, h->cfg.queue_max, "has a smaller queue now");
		if (!x->st.present && !x->proc && x->len == 0) {
			handler_free(h, x);
			continue;
		}
		h->v[k++] = x;
	}
	h->n = k;
	h->st.handlers = k;
	h->logged_scan_error = 0;
	/* More parallel runs may be allowed now. */
	(void)sd_event_source_set_enabled(h->defer, SD_EVENT_ONESHOT);
	return 0;
}

/* Copy text into a field of size n, cut at a UTF-8 character boundary. */
static void copy_text(char *dst, size_t n, const char *src)
{
	size_t len;

	if (!src)
		src = "";
	len = strnlen(src, n - 1);
	if (src[len])
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Read the directory; mark who is there. Returns the entries' count (>= 0). */
static int scan(struct handlers *h, struct handlers_entry **ents)
{
	int n = handlers_scan(h->dir, ents);

	h->st.scan_error = n < 0 ? n : 0;
	if (n < 0) {
		if (n != -ENOENT)
			h->st.scan_errors++;
		if (n != h->logged_scan_error) {
			if (n == -ENOENT)
				log_info("notify.d: no directory %s: no handlers", h->dir);
			else
				log_warn("notify.d: cannot read %s: %s", h->dir, strerror(-n));
		}
		h->logged_scan_error = n;
		*ents = NULL;
		return 0;
	}
	if (h->logged_scan_error && h->logged_scan_error != -ENOENT)
		log_notice("notify.d: %s can be read again", h->dir);
	h->logged_scan_error = 0;
	return n;
}

/* Queue ev for every handler of the directory; t: a test to report to. */
static int submit(struct handlers *h, const struct herd_event *ev, const struct handlers_extra *x,
		  struct handlers_test *t)
{
	_cleanup_(freep) struct handlers_entry *ents = NULL;
	struct job *j;
	int n, r = 0;

	if (!ev || !event_type_name(ev->type))
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->id = ++h->next_job;
	j->ev = *ev;
	if (!j->ev.wall)
		j->ev.wall = now_realtime();
	j->pnn = x ? x->pnn : PNN_NONE;
	if (x) {
		copy_text(j->cluster, sizeof(j->cluster), x->cluster);
		copy_text(j->address, sizeof(j->address), x->node_address);
		copy_text(j->old_state, sizeof(j->old_state), x->old_state);
		copy_text(j->new_state, sizeof(j->new_state), x->new_state);
	}
	h->st.events++;
	n = scan(h, &ents);

	if (t) {
		t->results = calloc((size_t)n + 1, sizeof(*t->results));
		t->outputs = calloc((size_t)n + 1, sizeof(*t->outputs));
		if (!t->results || !t->outputs) {
			free(t->results);
			free(t->outputs);
			t->results = NULL;
			t->outputs = NULL;
			free(j);
			return -ENOMEM;
		}
		snprintf(t->report.event, sizeof(t->report.event), "%s", event_type_name(ev->type));
		t->report.seq = ev->seq;
		t->report.scan_error = h->st.scan_error == -ENOENT ? 0 : h->st.scan_error;
		t->report.n = (size_t)n;
		t->report.results = t->results;
		for (int i = 0; i < n; i++) {
			struct handlers_test_result *res = &t->results[i];

			snprintf(res->name, sizeof(res->name), "%s", ents[i].name);
			res->exit_status = -1;
			res->output = "";
			res->outcome = ents[i].executable ? HANDLER_NONE : HANDLER_SKIPPED;
			snprintf(res->reason, sizeof(res->reason), "%s",
				 ents[i].executable ? "not run" : "not executable");
		}
		j->test = t;
		t->next = h->tests;
		h->tests = t;
	}

	for (size_t i = 0; i < h->n; i++)
		h->v[i]->st.present = false;
	for (int i = 0; i < n; i++) {
		struct handler *hx;

		if (!ents[i].executable)
			continue;
		hx = handler_get(h, ents[i].name);
		if (hx)
			hx->st.present = true;
		else
			r = -ENOMEM;
	}
	/* Gone (or no longer executable): what it still had waiting goes. */
	for (size_t i = 0; i < h->n; i++)
		if (!h->v[i]->st.present)
			queue_trim(h, h->v[i], 0, "left the directory or is not executable");
	for (int i = 0; i < n; i++) {
		ssize_t k;

		if (!ents[i].executable)
			continue;
		k = handler_find(h, ents[i].name);
		if (k < 0)
			continue;
		if (queue_push(h, h->v[k], j) < 0) {
			r = -ENOMEM;
			continue;
		}
		if (t)
			t->pending++;
	}
	if (t && t->pending == 0)
		t->complete = true;
	if (j->refs == 0)
		free(j);
	(void)sd_event_source_set_enabled(h->defer, SD_EVENT_ONESHOT);
	return r;
}

int handlers_event(struct handlers *h, const struct herd_event *ev,
		   const struct handlers_extra *x)
{
	return submit(h, ev, x, NULL);
}

int handlers_test(struct handlers *h, const struct herd_event *ev,
		  const struct handlers_extra *x, handlers_test_fn done, void *userdata,
		  struct handlers_test **out)
{
	struct handlers_test *t;
	int r;

	if (!done)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->h = h;
	t->done = done;
	t->userdata = userdata;
	r = submit(h, ev, x, t);
	/* Not queued at all; otherwise queued for the handlers memory allowed
	 * (the others report "not run"), and the report will come. */
	if (r < 0 && !t->results) {
		test_free(t);
		return r;
	}
	if (out)
		*out = t;
	return 0;
}

void handlers_test_cancel(struct handlers_test *t)
{
	if (t)
		t->done = NULL;
}

void handlers_get_stats(const struct handlers *h, struct handlers_stats *out)
{
	*out = h->st;
	out->handlers = h->n;
}

size_t handlers_count(const struct handlers *h)
{
	return h->n;
}

const struct handler_stats *handlers_at(const struct handlers *h, size_t i)
{
	return i < h->n ? &h->v[i]->st : NULL;
}

bool handlers_idle(const struct handlers *h)
{
	return h->st.running == 0 && h->st.queued == 0;
}
