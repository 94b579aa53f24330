/*
 * test_monitor.c — the health monitor (collectors/monitor.c) and its keys.
 *
 * The [monitor] and new [cluster] keys through conf_load(); then the
 * monitor itself on a real sd-event loop with real /bin/sh event scripts
 * and short intervals: start-up waits for a setup that fails twice, health
 * follows the fail limit both ways, runs are never doubled, pause/resume,
 * timeouts, collectors failing and recovering (fixed, disabled, removed,
 * the directory unreadable). Each test gets a fresh temporary directory,
 * removed after it and at exit whatever happens. HERD_TEST_LOG=1 shows the
 * monitor's log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>

#include "agentd/log.h"
#include "collectors/monitor.h"
#include "conf/conf.h"
#include "tests/unit/helpers.h"

static char dir[128];                   /* this test's directory */
static char events[160];                /* dir/events.d */
static sd_event *ev;

/* ---- helpers ------------------------------------------------------------ */

static void write_file(const char *name, const char *text, mode_t mode)
{
	helpers_write_file(dir, name, text, mode);
}

static void touch(const char *name)
{
	write_file(name, "", 0644);
}

static void rm(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static const char *read_file(const char *name)
{
	return helpers_read_file(dir, name);
}

static void pump(usec_t t)
{
	usec_t end = now_monotonic() + t;

	while (now_monotonic() < end)
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
}

static int setup(void **state)
{
	if (helpers_test_dir(dir, sizeof(dir)) < 0)
		return -1;
	snprintf(events, sizeof(events), "%s/events.d", dir);
	if (mkdir(events, 0755) < 0)
		return -1;
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	ev = sd_event_unref(ev);
	helpers_rm_tree(dir);
	return 0;
}

/*
 * The event script of these tests: it logs every event to dir/log, fails
 * setup the first two times, and fails monitor while
 * dir/broken exists (or hangs while dir/hang exists, or takes 350ms while
 * dir/slow exists, noting a second run that overlaps).
 */
static const char life_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")/..\n"
	"echo \"$1\" >> \"$d/log\"\n"
	"case $1 in\n"
	"setup)\n"
	"\tn=$(cat \"$d/setup.count\" 2>/dev/null || echo 0)\n"
	"\tn=$((n + 1)); echo $n > \"$d/setup.count\"\n"
	"\tif [ $n -le 2 ]; then echo \"storage not ready ($n)\"; exit 1; fi ;;\n"
	"monitor)\n"
	"\t[ -e \"$d/running\" ] && echo double >> \"$d/log\"\n"
	"\ttouch \"$d/running\"\n"
	"\t[ -e \"$d/slow\" ] && sleep 0.35\n"
	"\t[ -e \"$d/hang\" ] && { echo hanging; sleep 10; }\n"
	"\trm -f \"$d/running\"\n"
	"\tif [ -e \"$d/broken\" ]; then echo 'service down'; echo detail; exit 1; fi ;;\n"
	"esac\n"
	"exit 0\n";

/* What the glue would see. */
struct seen {
	enum monitor_phase lifecycle[8];
	size_t nlifecycle;
	enum health health[16];
	char reason[16][256];
	unsigned fails_at_change[16];
	size_t nhealth;
	unsigned runs, monitor_runs;
	char waiting[256];              /* a monitor_reason() seen during start-up */
	char collector[16][256];        /* "+name: detail" failed, "-name: detail" recovered */
	size_t ncollector;
};

static void on_lifecycle(struct monitor *m, enum monitor_phase done, void *userdata)
{
	struct seen *s = userdata;

	assert_true(s->nlifecycle < ARRAY_SIZE(s->lifecycle));
	s->lifecycle[s->nlifecycle++] = done;
}

static void on_health(struct monitor *m, enum health h, const char *reason,
		      const struct eventscripts_run *run, void *userdata)
{
	struct seen *s = userdata;
	struct monitor_stats st;

	assert_true(s->nhealth < ARRAY_SIZE(s->health));
	assert_string_equal(run->event, "monitor");
	assert_int_equal(monitor_health(m), h);
	monitor_get_stats(m, &st);
	s->fails_at_change[s->nhealth] = st.fails;
	snprintf(s->reason[s->nhealth], sizeof(s->reason[0]), "%s", reason);
	s->health[s->nhealth++] = h;
}

static void on_collector(struct monitor *m, const char *name, bool failed, const char *detail,
			 void *userdata)
{
	struct seen *s = userdata;

	assert_true(s->ncollector < ARRAY_SIZE(s->collector));
	/* The set is up to date when the callback comes. */
	if (failed)
		assert_non_null(failing_find(monitor_failing(m), name));
	snprintf(s->collector[s->ncollector++], sizeof(s->collector[0]), "%c%s: %s",
		 failed ? '+' : '-', name, detail);
}

static void on_run(struct monitor *m, const struct eventscripts_run *run, void *userdata)
{
	struct seen *s = userdata;

	s->runs++;
	s->monitor_runs += streq(run->event, "monitor");
}

static const struct monitor_callbacks callbacks = {
	.lifecycle = on_lifecycle, .health = on_health, .collector = on_collector,
	.run_finished = on_run,
};

static struct monitor *new_monitor(struct seen *s, unsigned fail_limit, usec_t script_timeout)
{
	struct monitor_config c = {
		.events_dir = events, .interval = 100 * USEC_PER_MSEC,
		.script_timeout = script_timeout, .startup_retry = 100 * USEC_PER_MSEC,
		.fail_limit = fail_limit,
	};
	struct monitor *m = NULL;

	memset(s, 0, sizeof(*s));
	write_file("events.d/10.life", life_script, 0755);
	assert_int_equal(monitor_new(ev, &c, &callbacks, s, &m), 0);
	assert_int_equal(monitor_phase(m), MONITOR_IDLE);
	assert_int_equal(monitor_health(m), HEALTH_UNKNOWN);
	return m;
}

/* Run the loop until the n-th health change (fail after max). */
static void until_health_changes(struct monitor *m, struct seen *s, size_t n, usec_t max)
{
	usec_t end = now_monotonic() + max;

	while (s->nhealth < n) {
		const char *why = monitor_reason(m);

		if (!s->waiting[0] && strncmp(why, "waiting for", 11) == 0)
			snprintf(s->waiting, sizeof(s->waiting), "%s", why);
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
}

/* Run the loop until the n-th collector change (fail after max). */
static void until_collector_changes(struct seen *s, size_t n, usec_t max)
{
	usec_t end = now_monotonic() + max;

	while (s->ncollector < n) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
}

/* Start m and run until it is healthy. */
static void start_healthy(struct monitor *m, struct seen *s)
{
	assert_int_equal(monitor_start(m), 0);
	until_health_changes(m, s, 1, 5 * USEC_PER_SEC);
	assert_int_equal(s->health[0], HEALTH_HEALTHY);
}

/* ---- the keys ----------------------------------------------------------- */

static int load(const char *conf, struct herd_conf **cf, struct conf_error *err)
{
	write_file("herd.conf", conf, 0644);
	write_file("nodes", "10.0.0.1\n", 0644);
	return conf_load(dir, NULL, cf, err);
}

static void test_conf_keys(void **state)
{
	struct herd_conf *cf = NULL;
	struct conf_error err;
	struct monitor_config mc;
	char *path = NULL, want[256];

	/* Defaults. */
	assert_int_equal(load("", &cf, &err), 0);
	assert_string_equal(cf->events_dir, "events.d");
	assert_true(cf->script_timeout == 30 * USEC_PER_SEC);
	assert_int_equal(cf->monitor_fail_limit, 1);
	assert_true(cf->startup_retry == 5 * USEC_PER_SEC);
	assert_true(cf->recovery_ban_period == 300 * USEC_PER_SEC);
	assert_true(cf->recovery_lock_lease == 0);
	assert_int_equal(monitor_config_from_conf(&mc, cf, &path), 0);
	snprintf(want, sizeof(want), "%s/events.d", dir);
	assert_string_equal(mc.events_dir, want);
	assert_ptr_equal(mc.events_dir, path);
	assert_true(mc.interval == 5 * USEC_PER_SEC);
	assert_true(mc.script_timeout == 30 * USEC_PER_SEC);
	assert_true(mc.startup_retry == 5 * USEC_PER_SEC);
	assert_int_equal(mc.fail_limit, 1);
	assert_null(mc.env);
	free(path);
	conf_free(cf);

	/* Set. */
	assert_int_equal(load("[cluster]\nrecovery ban period = 90s\nrecovery lock lease = 1500ms\n"
			      "[monitor]\ninterval = 250ms\nevents dir = /etc/herd/ev\n"
			      "script timeout = 1m\nfail limit = 3\nstartup retry = 2s\n",
			      &cf, &err), 0);
	assert_true(cf->recovery_ban_period == 90 * USEC_PER_SEC);
	assert_true(cf->recovery_lock_lease == 1500 * USEC_PER_MSEC);
	assert_int_equal(monitor_config_from_conf(&mc, cf, &path), 0);
	assert_string_equal(mc.events_dir, "/etc/herd/ev");
	assert_true(mc.interval == 250 * USEC_PER_MSEC);
	assert_true(mc.script_timeout == 60 * USEC_PER_SEC);
	assert_int_equal(mc.fail_limit, 3);
	assert_true(mc.startup_retry == 2 * USEC_PER_SEC);
	free(path);
	conf_free(cf);

	/* The lease is 0 (automatic) or 100ms to 1m. */
	assert_int_equal(load("[cluster]\nrecovery lock lease = 0\n", &cf, &err), 0);
	assert_true(cf->recovery_lock_lease == 0);
	conf_free(cf);
	assert_int_equal(load("[cluster]\nrecovery lock lease = 50ms\n", &cf, &err), -ERANGE);
	snprintf(want, sizeof(want), "%s/herd.conf:2: duration '50ms' out of range for 'recovery "
		 "lock lease' in [cluster]; expected a duration from 100ms to 1m, or 0s", dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(load("[cluster]\nrecovery lock lease = 61s\n", &cf, &err), -ERANGE);
	/* Other durations are not zero_ok. */
	assert_int_equal(load("[monitor]\nscript timeout = 0\n", &cf, &err), -ERANGE);
	snprintf(want, sizeof(want), "%s/herd.conf:2: duration '0' out of range for 'script "
		 "timeout' in [monitor]; expected a duration from 100ms to 1h", dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(load("[monitor]\nfail limit = 0\n", &cf, &err), -ERANGE);
	assert_int_equal(load("[monitor]\nfail limit = 101\n", &cf, &err), -ERANGE);
	assert_int_equal(load("[monitor]\nstartup retry = 10ms\n", &cf, &err), -ERANGE);
	assert_int_equal(load("[cluster]\nrecovery ban period = 0s\n", &cf, &err), -ERANGE);
	assert_int_equal(load("[monitor]\nevents dir =\n", &cf, &err), -EINVAL);
}

/* ---- the monitor -------------------------------------------------------- */

/* init, then setup until it succeeds (twice failing), then startup, then monitor. */
static void test_lifecycle(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 5 * USEC_PER_SEC);
	struct monitor_stats st;
	const struct eventscripts_run *run;

	start_healthy(m, &s);
	assert_int_equal(monitor_start(m), -EALREADY);
	assert_int_equal(s.nlifecycle, 3);
	assert_int_equal(s.lifecycle[0], MONITOR_INIT);
	assert_int_equal(s.lifecycle[1], MONITOR_SETUP);
	assert_int_equal(s.lifecycle[2], MONITOR_STARTUP);
	/* Startup ran only after setup succeeded, and monitor after startup. */
	assert_true(strncmp(read_file("log"), "init\nsetup\nsetup\nsetup\nstartup\nmonitor\n", 38) == 0);
	assert_string_equal(s.waiting, "waiting for setup: 10.life: exit 1: storage not ready (1)");
	assert_string_equal(s.reason[0], "");
	assert_string_equal(monitor_reason(m), "");
	assert_int_equal(monitor_phase(m), MONITOR_RUNNING);
	assert_int_equal(monitor_health(m), HEALTH_HEALTHY);
	monitor_get_stats(m, &st);
	assert_int_equal(st.phase, MONITOR_RUNNING);
	assert_int_equal(st.health, HEALTH_HEALTHY);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.health_changes, 1);
	assert_true(st.startup_wall > 0);
	assert_true(st.last_wall >= st.startup_wall);
	assert_int_equal(s.runs, 1 + 3 + 1 + 1);

	/* scriptstatus: the last run of each event, in order. */
	assert_int_equal(eventscripts_nevents(monitor_eventscripts(m)), 4);
	run = eventscripts_last(monitor_eventscripts(m), "setup");
	assert_non_null(run);
	assert_int_equal(run->status, EVENTSCRIPT_OK);
	assert_int_equal(run->nscripts, 1);
	assert_string_equal(run->scripts[0].name, "10.life");
	assert_string_equal(eventscripts_last_at(monitor_eventscripts(m), 0)->event, "init");
	assert_string_equal(eventscripts_last_at(monitor_eventscripts(m), 3)->event, "monitor");
	assert_string_equal(monitor_phase_name(MONITOR_IDLE), "idle");
	assert_string_equal(monitor_phase_name(MONITOR_RUNNING), "monitor");
	monitor_free(m);
	monitor_free(NULL);
}

/* fail limit 2: two failed runs make it unhealthy, one good run healthy. */
static void test_fail_limit(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 2, 5 * USEC_PER_SEC);
	struct monitor_stats st;
	unsigned before;

	start_healthy(m, &s);
	before = s.monitor_runs;
	touch("broken");
	until_health_changes(m, &s, 2, 5 * USEC_PER_SEC);
	assert_int_equal(s.health[1], HEALTH_UNHEALTHY);
	assert_int_equal(s.fails_at_change[1], 2);
	assert_true(s.monitor_runs - before >= 2);
	assert_string_equal(s.reason[1], "10.life: exit 1: service down");
	assert_string_equal(monitor_reason(m), "10.life: exit 1: service down");
	/* Still failing: no further change is reported. */
	pump(300 * USEC_PER_MSEC);
	assert_int_equal(s.nhealth, 2);
	monitor_get_stats(m, &st);
	assert_true(st.failed >= 3);
	assert_true(st.fails >= 3);
	/* Fixed: healthy after one good run. */
	rm("broken");
	until_health_changes(m, &s, 3, 5 * USEC_PER_SEC);
	assert_int_equal(s.health[2], HEALTH_HEALTHY);
	assert_string_equal(s.reason[2], "");
	assert_string_equal(monitor_reason(m), "");
	monitor_get_stats(m, &st);
	assert_int_equal(st.health_changes, 3);
	assert_int_equal(st.fails, 0);
	monitor_free(m);
}

/* A run still going at the next tick is skipped and counted, never doubled. */
static void test_overrun(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 5 * USEC_PER_SEC);
	struct monitor_stats st;
	usec_t end;

	start_healthy(m, &s);
	touch("slow");
	end = now_monotonic() + 5 * USEC_PER_SEC;
	for (unsigned first = s.monitor_runs; s.monitor_runs < first + 2;) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
	monitor_get_stats(m, &st);
	assert_true(st.overruns >= 2);
	assert_null(strstr(read_file("log"), "double"));
	assert_int_equal(monitor_health(m), HEALTH_HEALTHY);
	monitor_free(m);
}

/* Queued events: a monitor run is canceled for them, they run in order
 * with their arguments, and the monitor loop goes on afterwards. */
struct jobs_seen {
	char order[64];
	enum eventscript_status status[4];
	size_t n;
};

static void on_job(struct monitor *m, const struct eventscripts_run *run, void *userdata)
{
	struct jobs_seen *j = userdata;

	assert_true(j->n < ARRAY_SIZE(j->status));
	j->status[j->n++] = run->status;
	strncat(j->order, run->event, sizeof(j->order) - strlen(j->order) - 2);
	strcat(j->order, " ");
}

static void test_queued_events(void **state)
{
	static const char ip_script[] =
		"#!/bin/sh\n"
		"d=$(dirname \"$0\")/..\n"
		"case $1 in takeip|releaseip) echo \"$1 $2 $3 $4\" >> \"$d/ip.log\" ;; esac\n"
		"exit 0\n";
	static const char *const take[] = { "pub0", "10.92.0.101", "24", NULL };
	static const char *const rel[] = { "pub0", "10.92.0.102", "24", NULL };
	struct jobs_seen j = { .n = 0 };
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 5 * USEC_PER_SEC);
	struct monitor_stats st;
	usec_t end;
	unsigned runs;

	write_file("events.d/20.ip", ip_script, 0755);
	start_healthy(m, &s);
	touch("slow"); /* the next monitor run lasts 0.35 s */
	runs = s.monitor_runs;
	end = now_monotonic() + 2 * USEC_PER_SEC;
	for (;;) { /* until the slow monitor run is under way */
		char path[256];

		snprintf(path, sizeof(path), "%s/running", dir);
		if (access(path, F_OK) == 0)
			break;
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 5 * USEC_PER_MSEC) >= 0);
	}
	assert_int_equal(monitor_run_event(m, "releaseip", rel, on_job, &j), 0);
	assert_int_equal(monitor_run_event(m, "takeip", take, on_job, &j), 0);
	assert_int_equal(monitor_queued(m), 2);
	assert_int_equal(monitor_run_event(m, "", NULL, on_job, &j), -EINVAL);
	while (j.n < 2) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
	assert_string_equal(j.order, "releaseip takeip ");
	assert_int_equal(j.status[0], EVENTSCRIPT_OK);
	assert_int_equal(j.status[1], EVENTSCRIPT_OK);
	assert_string_equal(read_file("ip.log"), "releaseip pub0 10.92.0.102 24\n"
						 "takeip pub0 10.92.0.101 24\n");
	monitor_get_stats(m, &st);
	assert_true(st.canceled >= 1); /* the slow monitor run gave way */
	assert_int_equal(monitor_health(m), HEALTH_HEALTHY); /* a cancel says nothing */
	rm("slow");
	/* The monitor loop goes on. */
	while (s.monitor_runs < runs + 2) {
		assert_true(now_monotonic() < end + 2 * USEC_PER_SEC);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
	assert_int_equal(monitor_queued(m), 0);
	monitor_free(m);
}

/* Paused: no runs start and health stays; resumed: a run at once. */
static void test_pause_resume(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 5 * USEC_PER_SEC);
	unsigned runs;

	start_healthy(m, &s);
	monitor_pause(m);
	monitor_pause(m);
	assert_true(monitor_paused(m));
	touch("broken");
	/* Let a run that was going at the pause finish; it must not count. */
	pump(150 * USEC_PER_MSEC);
	runs = s.monitor_runs;
	pump(350 * USEC_PER_MSEC);
	assert_int_equal(s.monitor_runs, runs);
	assert_int_equal(s.nhealth, 1);
	assert_int_equal(monitor_health(m), HEALTH_HEALTHY);
	/* Nor does a collector fail while paused. */
	assert_int_equal(s.ncollector, 0);
	assert_int_equal(monitor_failing(m)->n, 0);
	monitor_resume(m);
	monitor_resume(m);
	assert_false(monitor_paused(m));
	until_health_changes(m, &s, 2, 2 * USEC_PER_SEC);
	assert_int_equal(s.health[1], HEALTH_UNHEALTHY);
	assert_int_equal(s.ncollector, 1);
	assert_string_equal(s.collector[0], "+10.life: exit 1: service down");
	monitor_free(m);
}

/* A hanging monitor script times out: unhealthy, and the reason says so. */
static void test_timeout_unhealthy(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 200 * USEC_PER_MSEC);
	struct monitor_stats st;

	start_healthy(m, &s);
	touch("hang");
	until_health_changes(m, &s, 2, 5 * USEC_PER_SEC);
	assert_int_equal(s.health[1], HEALTH_UNHEALTHY);
	assert_string_equal(s.reason[1], "10.life: timed out after 200ms: hanging");
	monitor_get_stats(m, &st);
	assert_int_equal(st.timedout, 1);
	assert_true(st.last_duration >= 200 * USEC_PER_MSEC);
	rm("hang");
	until_health_changes(m, &s, 3, 5 * USEC_PER_SEC);
	assert_int_equal(s.health[2], HEALTH_HEALTHY);
	monitor_free(m);
}

/*
 * Collectors: a failing script is reported at the first failed run, long
 * before the fail limit makes the node unhealthy, and once only; it
 * recovers when fixed, disabled or removed; an unreadable directory is a
 * collector of its own.
 */
static void test_collectors(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 100, 5 * USEC_PER_SEC);
	const struct failing_collector *c;
	char path[256], moved[256];
	unsigned runs;

	start_healthy(m, &s);
	assert_int_equal(s.ncollector, 0);

	/* Fails: at once, while the node stays healthy (fail limit 100). */
	touch("broken");
	until_collector_changes(&s, 1, 2 * USEC_PER_SEC);
	assert_string_equal(s.collector[0], "+10.life: exit 1: service down");
	assert_int_equal(monitor_health(m), HEALTH_HEALTHY);
	c = failing_find(monitor_failing(m), "10.life");
	assert_non_null(c);
	assert_true(c->since > 0);
	/* Still failing: counted, not repeated. */
	runs = s.monitor_runs;
	while (s.monitor_runs < runs + 2)
		pump(50 * USEC_PER_MSEC);
	assert_int_equal(s.ncollector, 1);
	assert_true(failing_find(monitor_failing(m), "10.life")->runs >= 3);

	/* Fixed. */
	rm("broken");
	until_collector_changes(&s, 2, 2 * USEC_PER_SEC);
	assert_true(strncmp(s.collector[1], "-10.life: works again after ", 28) == 0);
	assert_non_null(strstr(s.collector[1], " failed runs (failing for "));
	assert_int_equal(monitor_failing(m)->n, 0);

	/* Disabled while failing (chmod -x), enabled again: fails again. */
	touch("broken");
	until_collector_changes(&s, 3, 2 * USEC_PER_SEC);
	snprintf(path, sizeof(path), "%s/10.life", events);
	assert_int_equal(chmod(path, 0644), 0);
	until_collector_changes(&s, 4, 2 * USEC_PER_SEC);
	assert_string_equal(s.collector[3], "-10.life: disabled");
	assert_int_equal(chmod(path, 0755), 0);
	until_collector_changes(&s, 5, 2 * USEC_PER_SEC);
	assert_string_equal(s.collector[4], "+10.life: exit 1: service down");

	/* Removed while failing. */
	assert_int_equal(unlink(path), 0);
	until_collector_changes(&s, 6, 2 * USEC_PER_SEC);
	assert_string_equal(s.collector[5], "-10.life: removed");

	/* The directory cannot be listed (a file in its place), then can. */
	snprintf(moved, sizeof(moved), "%s.moved", events);
	assert_int_equal(rename(events, moved), 0);
	write_file("events.d", "", 0644);
	until_collector_changes(&s, 7, 2 * USEC_PER_SEC);
	assert_string_equal(s.collector[6], "+events.d: Not a directory");
	rm("events.d");
	assert_int_equal(rename(moved, events), 0);
	until_collector_changes(&s, 8, 2 * USEC_PER_SEC);
	assert_true(strncmp(s.collector[7], "-events.d: works again after ", 29) == 0);
	pump(250 * USEC_PER_MSEC);
	assert_int_equal(s.ncollector, 8);
	assert_int_equal(monitor_failing(m)->n, 0);
	/* The node never turned unhealthy through all this. */
	assert_int_equal(s.nhealth, 1);
	monitor_free(m);
}

/* New settings apply from the next run; bad ones are refused. */
static void test_reconfigure(void **state)
{
	struct seen s;
	struct monitor *m = new_monitor(&s, 1, 5 * USEC_PER_SEC);
	struct monitor_config c = {
		.events_dir = events, .interval = 100 * USEC_PER_MSEC,
		.script_timeout = USEC_PER_SEC, .startup_retry = 100 * USEC_PER_MSEC,
		.fail_limit = 3,
	};
	static const char *const env[] = { "HERD_PNN=7", NULL };
	unsigned runs;

	assert_int_equal(monitor_new(ev, NULL, &callbacks, &s, &(struct monitor *){ NULL }),
			 -EINVAL);
	start_healthy(m, &s);
	c.env = env;
	assert_int_equal(monitor_reconfigure(m, &c), 0);
	write_file("events.d/20.env", "#!/bin/sh\necho \"pnn $HERD_PNN\"\n", 0755);
	touch("broken");
	/* fail limit 3 now: not unhealthy after one or two failures. */
	pump(250 * USEC_PER_MSEC);
	assert_int_equal(s.nhealth, 1);
	until_health_changes(m, &s, 2, 5 * USEC_PER_SEC);
	assert_int_equal(s.fails_at_change[1], 3);
	rm("broken");
	until_health_changes(m, &s, 3, 5 * USEC_PER_SEC);
	assert_string_equal(eventscripts_last(monitor_eventscripts(m), "monitor")->scripts[1].output,
			    "pnn 7\n");
	/* A longer interval waits; a shorter one does not wait out the longer. */
	c.interval = 3600 * USEC_PER_SEC;
	assert_int_equal(monitor_reconfigure(m, &c), 0);
	pump(250 * USEC_PER_MSEC);
	runs = s.monitor_runs;
	pump(300 * USEC_PER_MSEC);
	assert_int_equal(s.monitor_runs, runs);
	c.interval = 100 * USEC_PER_MSEC;
	assert_int_equal(monitor_reconfigure(m, &c), 0);
	/* (runs every 100 ms from now; 3 s allows for a busy machine, and is
	 * far from the hour the old interval would wait) */
	for (int i = 0; i < 60 && s.monitor_runs < runs + 2; i++)
		pump(50 * USEC_PER_MSEC);
	assert_true(s.monitor_runs >= runs + 2);
	c.interval = 0;
	assert_int_equal(monitor_reconfigure(m, &c), -EINVAL);
	c.interval = USEC_PER_SEC;
	c.env = (const char *const[]){ "IFS=x", NULL };
	assert_int_equal(monitor_reconfigure(m, &c), -EINVAL);
	monitor_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conf_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_unhealthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queued_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collectors, setup, teardown),
	};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	log_set_level(getenv("HERD_TEST_LOG") ? LOG_DEBUG : LOG_CRIT);
	if (helpers_init("test_monitor") < 0)
		return 1;
	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
