/*
 * monitor.c — herd's health monitor: the start-up events, then the monitor
 * loop, on sd-event.
 *
 * Start-up is CTDB's: init, setup, startup, in order, through the event
 * scripts. Unlike CTDB, which gives up when init fails, each of the three
 * is retried every `startup retry` until it succeeds, and the wait is
 * logged (first failure, every change of reason, and once a minute while
 * it lasts), so that a node waiting for its shared storage after a power
 * cut says what it waits for and starts cleanly when the storage is there.
 *
 * The loop ticks every `interval` on the monotonic clock, at fixed times
 * (not "interval after the last run ended"), so a slow script does not
 * stretch the period. A tick that finds a run still going is an overrun:
 * counted and skipped, never a second run. Health is decided by
 * health_next() (collectors/health.c) and reported only when it changes;
 * before it, failing_update() (collectors/failing.c) reports each script
 * that starts failing or works again.
 */
#include "collectors/monitor.h"

#include "agentd/log.h"
#include "conf/value.h"

/* A wait is logged again after this long even if its reason stays. */
#define WAIT_LOG_EVERY (60 * USEC_PER_SEC)
/* Timer slack: small next to the shortest interval (100ms). */
#define TIMER_ACCURACY (5 * USEC_PER_MSEC)

/* An event the glue asked for (monitor_run_event), waiting its turn. */
struct monitor_job {
	struct monitor_job *next;
	char *event;
	char **args;                    /* NULL-terminated copy, or NULL */
	monitor_event_done_fn done;
	void *userdata;
};

struct monitor {
	sd_event *event;
	struct monitor_job *jobs, *running_job; /* FIFO; the one being run */
	struct eventscripts *es;
	struct monitor_callbacks cb;
	void *userdata;

	usec_t interval, startup_retry;
	unsigned fail_limit;

	enum monitor_phase phase;
	sd_event_source *retry_src;     /* next start-up attempt */
	sd_event_source *tick_src;      /* next monitor run */
	usec_t next_tick;               /* monotonic */
	bool paused;

	/* the current start-up phase */
	unsigned attempts;
	usec_t phase_start, last_wait_log;
	char wait_reason[512];

	struct health_state health;
	char reason[512];
	struct failing failing;         /* collectors failing now */
	struct monitor_stats stats;
};

const char *monitor_phase_name(enum monitor_phase p)
{
	switch (p) {
	case MONITOR_IDLE: return "idle";
	case MONITOR_INIT: return "init";
	case MONITOR_SETUP: return "setup";
	case MONITOR_STARTUP: return "startup";
	case MONITOR_RUNNING: return "monitor";
	}
	return "?";
}

int monitor_config_from_conf(struct monitor_config *mc, const struct herd_conf *cf,
			     char **events_dir)
{
	char *dir = conf_path(cf, cf->events_dir);

	if (!dir)
		return -ENOMEM;
	*mc = (struct monitor_config){
		.events_dir = dir,
		.interval = cf->monitor_interval,
		.script_timeout = cf->script_timeout,
		.startup_retry = cf->startup_retry,
		.fail_limit = cf->monitor_fail_limit,
	};
	*events_dir = dir;
	return 0;
}

static void es_config(struct eventscripts_config *ec, const struct monitor_config *cfg)
{
	*ec = (struct eventscripts_config){
		.dir = cfg->events_dir, .timeout = cfg->script_timeout, .env = cfg->env,
	};
}

static bool config_ok(const struct monitor_config *cfg)
{
	return cfg && cfg->events_dir && cfg->interval > 0 && cfg->startup_retry > 0 &&
	       cfg->script_timeout > 0;
}

/* ---- start-up ----------------------------------------------------------- */

static void start_phase_run(struct monitor *m);
static void enter_running(struct monitor *m);
static bool run_jobs(struct monitor *m);

static void job_free(struct monitor_job *j)
{
	if (!j)
		return;
	for (char **a = j->args; a && *a; a++)
		free(*a);
	free(j->args);
	free(j->event);
	free(j);
}

static void on_job_done(struct eventscripts *es, const struct eventscripts_run *run,
			void *userdata)
{
	struct monitor *m = userdata;
	struct monitor_job *j = m->running_job;

	m->running_job = NULL;
	if (m->cb.run_finished)
		m->cb.run_finished(m, run, m->userdata);
	if (j && j->done)
		j->done(m, run, j->userdata);
	job_free(j);
	if (!run_jobs(m) && m->phase != MONITOR_RUNNING && m->phase != MONITOR_IDLE &&
	    !eventscripts_busy(m->es) && !sd_event_source_get_enabled(m->retry_src, NULL))
		start_phase_run(m);
}

/* Start the next queued job when the runner is free. True if one started. */
static bool run_jobs(struct monitor *m)
{
	struct monitor_job *j = m->jobs;
	int r;

	if (!j || m->running_job || eventscripts_busy(m->es))
		return false;
	m->jobs = j->next;
	m->running_job = j;
	r = eventscripts_run(m->es, j->event, (const char *const *)j->args, on_job_done, m);
	if (r < 0) {
		log_warn("cannot run the %s event: %s", j->event, strerror(-r));
		m->running_job = NULL;
		job_free(j);
		return run_jobs(m);
	}
	return true;
}

int monitor_run_event(struct monitor *m, const char *event, const char *const *args,
		      monitor_event_done_fn done, void *userdata)
{
	struct monitor_job *j, **tail;
	size_t n = 0;

	if (!event || !event[0])
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j || !(j->event = strdup(event)))
		goto oom;
	while (args && args[n])
		n++;
	if (args) {
		j->args = calloc(n + 1, sizeof(*j->args));
		if (!j->args)
			goto oom;
		for (size_t i = 0; i < n; i++)
			if (!(j->args[i] = strdup(args[i])))
				goto oom;
	}
	j->done = done;
	j->userdata = userdata;
	for (tail = &m->jobs; *tail; tail = &(*tail)->next)
		;
	*tail = j;
	if (eventscripts_busy(m->es) && !m->running_job && eventscripts_current(m->es) &&
	    streq(eventscripts_current(m->es), "monitor"))
		eventscripts_cancel(m->es); /* on_monitor_done starts the queue */
	else
		run_jobs(m);
	return 0;
oom:
	job_free(j);
	return -ENOMEM;
}

size_t monitor_queued(const struct monitor *m)
{
	size_t n = m->running_job ? 1 : 0;

	for (const struct monitor_job *j = m->jobs; j; j = j->next)
		n++;
	return n;
}

static void arm_retry(struct monitor *m, usec_t delay)
{
	(void)sd_event_source_set_time_relative(m->retry_src, delay);
	(void)sd_event_source_set_enabled(m->retry_src, SD_EVENT_ONESHOT);
}

/* Log a failed attempt without flooding the log during a long wait. */
static void log_wait(struct monitor *m, const char *reason)
{
	char d[VALUE_DURATION_MAX], w[64];
	const char *ev = monitor_phase_name(m->phase);
	usec_t now = now_monotonic();

	if (m->attempts == 1 || !streq(reason, m->wait_reason)) {
		log_warn("%s event failed (attempt %u): %s; retrying every %s", ev, m->attempts,
			 reason, value_format_duration(d, sizeof(d), m->startup_retry));
	} else if (now - m->last_wait_log >= WAIT_LOG_EVERY) {
		log_notice("still waiting for the %s event: %u attempts in %s: %s", ev, m->attempts,
			   format_duration(w, sizeof(w), now - m->phase_start), reason);
	} else {
		log_debug("%s event failed (attempt %u): %s", ev, m->attempts, reason);
		return;
	}
	m->last_wait_log = now;
	snprintf(m->wait_reason, sizeof(m->wait_reason), "%s", reason);
}

static void on_phase_done(struct eventscripts *es, const struct eventscripts_run *run,
			  void *userdata)
{
	struct monitor *m = userdata;
	enum monitor_phase done = m->phase;
	char reason[448], w[64];

	if (m->cb.run_finished)
		m->cb.run_finished(m, run, m->userdata);
	if (run->status != EVENTSCRIPT_OK) {
		eventscripts_run_reason(reason, sizeof(reason), run);
		log_wait(m, reason);
		snprintf(m->reason, sizeof(m->reason), "waiting for %s: %s",
			 monitor_phase_name(m->phase), reason);
		arm_retry(m, m->startup_retry);
		run_jobs(m);
		return;
	}
	if (m->attempts > 1)
		log_notice("%s event succeeded after %u attempts in %s", monitor_phase_name(done),
			   m->attempts, format_duration(w, sizeof(w), now_monotonic() - m->phase_start));
	else
		log_info("%s event succeeded", monitor_phase_name(done));
	m->reason[0] = '\0';
	m->phase = done == MONITOR_STARTUP ? MONITOR_RUNNING : done + 1;
	m->attempts = 0;
	m->wait_reason[0] = '\0';
	m->phase_start = now_monotonic();
	if (done == MONITOR_STARTUP)
		m->stats.startup_wall = now_realtime();
	/* Tell the glue before the next phase starts, so events keep order. */
	if (m->cb.lifecycle)
		m->cb.lifecycle(m, done, m->userdata);
	if (m->phase == MONITOR_RUNNING)
		enter_running(m);
	else if (!run_jobs(m))
		start_phase_run(m);
}

static void start_phase_run(struct monitor *m)
{
	int r;

	m->attempts++;
	r = eventscripts_run(m->es, monitor_phase_name(m->phase), NULL, on_phase_done, m);
	if (r < 0) {
		/* Busy with an event the glue runs, or out of memory: try again. */
		if (r != -EBUSY)
			log_warn("cannot run the %s event: %s", monitor_phase_name(m->phase),
				 strerror(-r));
		m->attempts--;
		arm_retry(m, MIN(m->startup_retry, (usec_t)USEC_PER_SEC));
	}
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	start_phase_run(userdata);
	return 0;
}

/* ---- the monitor loop --------------------------------------------------- */

static void on_collector_change(const struct failing_change *ch, void *userdata)
{
	struct monitor *m = userdata;

	if (ch->failed)
		log_warn("collector %s failed: %s", ch->name, ch->detail);
	else
		log_notice("collector %s recovered: %s", ch->name, ch->detail);
	if (m->cb.collector)
		m->cb.collector(m, ch->name, ch->failed, ch->detail, m->userdata);
}

static void arm_tick(struct monitor *m)
{
	if (m->paused || m->phase != MONITOR_RUNNING)
		return;
	(void)sd_event_source_set_time(m->tick_src, m->next_tick);
	(void)sd_event_source_set_enabled(m->tick_src, SD_EVENT_ONESHOT);
}

static void on_monitor_done(struct eventscripts *es, const struct eventscripts_run *run,
			    void *userdata)
{
	struct monitor *m = userdata;
	struct health_state next;
	char reason[512];
	bool ok = run->status == EVENTSCRIPT_OK;
	int r;

	m->stats.runs++;
	m->stats.failed += run->status == EVENTSCRIPT_ERROR;
	m->stats.timedout += run->status == EVENTSCRIPT_TIMEDOUT;
	m->stats.canceled += run->status == EVENTSCRIPT_CANCELED;
	m->stats.last_duration = run->duration;
	m->stats.last_wall = run->start_wall;
	if (m->cb.run_finished)
		m->cb.run_finished(m, run, m->userdata);
	/* Canceled or paused runs say nothing about the node. */
	if (run->status == EVENTSCRIPT_CANCELED || m->paused) {
		run_jobs(m);
		return;
	}
	run_jobs(m);

	r = failing_update(&m->failing, run, on_collector_change, m);
	if (r < 0)
		log_warn("cannot track the failing collectors: %s", strerror(-r));
	eventscripts_run_reason(reason, sizeof(reason), run);
	next = health_next(m->health, ok, m->fail_limit);
	if (!ok && next.health != HEALTH_UNHEALTHY)
		log_warn("monitor failed (%u of %u before unhealthy): %s", next.fails,
			 m->fail_limit, reason);
	else if (!ok && m->health.health == HEALTH_UNHEALTHY && !streq(reason, m->reason))
		log_warn("still unhealthy: %s", reason);
	if (next.health == m->health.health) {
		m->health = next;
		if (next.health == HEALTH_UNHEALTHY)
			snprintf(m->reason, sizeof(m->reason), "%s", reason);
		return;
	}
	m->health = next;
	m->stats.health_changes++;
	if (next.health == HEALTH_HEALTHY) {
		m->reason[0] = '\0';
		log_notice("node is healthy");
	} else {
		snprintf(m->reason, sizeof(m->reason), "%s", reason);
		log_warn("node is unhealthy after %u failed monitor run%s: %s", next.fails,
			 next.fails == 1 ? "" : "s", reason);
	}
	if (m->cb.health)
		m->cb.health(m, next.health, m->reason, run, m->userdata);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct monitor *m = userdata;
	usec_t now = now_monotonic();
	int r;

	/* Fixed rate; after a stall (suspend, a stopped herdd) start afresh. */
	m->next_tick += m->interval;
	if (m->next_tick <= now)
		m->next_tick = now + m->interval;
	arm_tick(m);
	if (m->jobs && run_jobs(m))
		return 0; /* queued events first; monitor at the next tick */
	if (eventscripts_busy(m->es)) {
		m->stats.overruns++;
		log_info("monitor run skipped: the %s event is still running",
			 eventscripts_current(m->es));
		return 0;
	}
	r = eventscripts_run(m->es, "monitor", NULL, on_monitor_done, m);
	if (r < 0)
		log_warn("cannot run the monitor event: %s", strerror(-r));
	return 0;
}

static void enter_running(struct monitor *m)
{
	/* The first monitor run starts at once, as CTDB's does. */
	m->next_tick = now_monotonic();
	arm_tick(m);
}

/* ---- the object --------------------------------------------------------- */

int monitor_new(sd_event *e, const struct monitor_config *cfg, const struct monitor_callbacks *cb,
		void *userdata, struct monitor **out)
{
	struct eventscripts_config ec;
	struct monitor *m;
	int r;

	if (!e || !config_ok(cfg))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->event = sd_event_ref(e);
	if (cb)
		m->cb = *cb;
	m->userdata = userdata;
	m->interval = cfg->interval;
	m->startup_retry = cfg->startup_retry;
	m->fail_limit = cfg->fail_limit ? cfg->fail_limit : 1;
	m->phase = MONITOR_IDLE;
	es_config(&ec, cfg);
	r = eventscripts_new(e, &ec, &m->es);
	if (r >= 0)
		r = sd_event_add_time(e, &m->retry_src, CLOCK_MONOTONIC, 0, TIMER_ACCURACY,
				      on_retry, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->retry_src, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_time(e, &m->tick_src, CLOCK_MONOTONIC, 0, TIMER_ACCURACY,
				      on_tick, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->tick_src, SD_EVENT_OFF);
	if (r < 0) {
		monitor_free(m);
		return r;
	}
	*out = m;
	return 0;
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	sd_event_source_disable_unref(m->tick_src);
	sd_event_source_disable_unref(m->retry_src);
	eventscripts_free(m->es);
	failing_clear(&m->failing);
	job_free(m->running_job);
	while (m->jobs) {
		struct monitor_job *j = m->jobs;

		m->jobs = j->next;
		job_free(j);
	}
	sd_event_unref(m->event);
	free(m);
}

int monitor_start(struct monitor *m)
{
	if (m->phase != MONITOR_IDLE)
		return -EALREADY;
	m->phase = MONITOR_INIT;
	m->phase_start = now_monotonic();
	start_phase_run(m);
	return 0;
}

int monitor_reconfigure(struct monitor *m, const struct monitor_config *cfg)
{
	struct eventscripts_config ec;
	int r;

	if (!config_ok(cfg))
		return -EINVAL;
	es_config(&ec, cfg);
	r = eventscripts_set_config(m->es, &ec);
	if (r < 0)
		return r;
	m->startup_retry = cfg->startup_retry;
	m->fail_limit = cfg->fail_limit ? cfg->fail_limit : 1;
	if (cfg->interval != m->interval) {
		usec_t now = now_monotonic();

		m->interval = cfg->interval;
		/* A shorter interval should not wait out the old, longer one. */
		if (m->next_tick > now + m->interval) {
			m->next_tick = now + m->interval;
			if (sd_event_source_get_enabled(m->tick_src, NULL) > 0)
				arm_tick(m);
		}
	}
	return 0;
}

void monitor_pause(struct monitor *m)
{
	if (m->paused)
		return;
	m->paused = true;
	(void)sd_event_source_set_enabled(m->tick_src, SD_EVENT_OFF);
	log_info("monitor paused");
}

void monitor_resume(struct monitor *m)
{
	if (!m->paused)
		return;
	m->paused = false;
	log_info("monitor resumed");
	if (m->phase == MONITOR_RUNNING)
		enter_running(m);
}

bool monitor_paused(const struct monitor *m)
{
	return m->paused;
}

enum monitor_phase monitor_phase(const struct monitor *m)
{
	return m->phase;
}

enum health monitor_health(const struct monitor *m)
{
	return m->health.health;
}

const char *monitor_reason(const struct monitor *m)
{
	return m->reason;
}

void monitor_get_stats(const struct monitor *m, struct monitor_stats *st)
{
	*st = m->stats;
	st->phase = m->phase;
	st->health = m->health.health;
	st->paused = m->paused;
	st->fails = m->health.fails;
	st->attempts = m->attempts;
}

struct eventscripts *monitor_eventscripts(const struct monitor *m)
{
	return m->es;
}

const struct failing *monitor_failing(const struct monitor *m)
{
	return &m->failing;
}
