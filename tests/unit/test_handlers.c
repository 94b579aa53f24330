/*
 * test_handlers.c — the notify.d handler runner (notify.d/handlers*.c)
 * with real /bin/sh handlers on a real sd-event loop.
 *
 * Each test gets a fresh temporary directory with the handlers in
 * D/notify.d and what they write in D/out (their paths are written into
 * the scripts: the environment is scrubbed). Everything is removed after
 * each test and, whatever happens, at exit. The test process is a child
 * subreaper, so a grandchild that outlives its handler comes back to it
 * and the test can see how it died. The shipped examples
 * (notify.d/examples/) run too, with their settings lines pointed at fakes:
 * run from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agentd/log.h"
#include "agentd/state.h"
#include "notify.d/handlers.h"
#include "notify.d/handlers_json.h"
#include "tests/unit/helpers.h"

/* 2026-11-23T10:00:00.123456Z */
#define WALL (UINT64_C(1795428000) * USEC_PER_SEC + 123456)

static char dir[128];                   /* this test's directory */
static char hdir[160];                  /* its notify.d */
static char odir[160];                  /* where handlers write */
static sd_event *ev;

/* ---- helpers ------------------------------------------------------------ */

/* A handler hdir/name: "#!/bin/sh", O=the output directory, then body. */
static void handler(const char *name, const char *body, mode_t mode)
{
	char path[256], text[4096];

	snprintf(path, sizeof(path), "%s/%s", hdir, name);
	snprintf(text, sizeof(text), "#!/bin/sh\nO='%s'\n%s\n", odir, body);
	helpers_write_path(path, text, mode);
}

/* The contents of odir/name (static buffer), "" when missing. */
static const char *out(const char *name)
{
	return helpers_read_file(odir, name);
}

static bool out_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", odir, name);
	return access(path, F_OK) == 0;
}

static void run_until(const bool *flag, usec_t max)
{
	helpers_run_until(ev, flag, max);
}

static void run_until_idle(struct handlers *h, usec_t max)
{
	usec_t end = now_monotonic() + max;

	do {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 20 * USEC_PER_MSEC) >= 0);
	} while (!handlers_idle(h));
}

static void run_until_out(const char *name, usec_t max)
{
	helpers_run_until_file(ev, odir, name, max);
}

static struct herd_event mkev(enum herd_event_type type, uint64_t seq)
{
	struct herd_event e = {
		.seq = seq, .wall = WALL, .mono = 1, .node = 2, .reporter = 1, .type = type,
		.severity = event_type_severity(type),
	};

	snprintf(e.subject, sizeof(e.subject), "node 2 is %s", event_type_name(type));
	return e;
}

static struct handlers *new_runner(unsigned parallel, size_t queue_max, usec_t timeout)
{
	struct handlers_config c = { .dir = hdir, .parallel = parallel, .queue_max = queue_max,
				     .timeout = timeout, .kill_grace = 300 * USEC_PER_MSEC };
	struct handlers *h = NULL;

	assert_int_equal(handlers_new(ev, &c, &h), 0);
	return h;
}

static void submit(struct handlers *h, enum herd_event_type type, uint64_t seq)
{
	struct herd_event e = mkev(type, seq);

	assert_int_equal(handlers_event(h, &e, NULL), 0);
}

static const struct handler_stats *stats_of(struct handlers *h, const char *name)
{
	for (size_t i = 0; i < handlers_count(h); i++)
		if (streq(handlers_at(h, i)->name, name))
			return handlers_at(h, i);
	fail_msg("no handler %s", name);
	return NULL;
}

/* A copy of a test report, kept past the callback. */
struct report {
	bool done;
	unsigned calls;
	struct handlers_test_report r;
	struct handlers_test_result res[16];
	char outputs[16][8192];
	char *json;
};

static void on_report(struct handlers *h, const struct handlers_test_report *r, void *userdata)
{
	struct report *rep = userdata;
	struct json_object *o;

	rep->calls++;
	rep->done = true;
	rep->r = *r;
	assert_true(r->n <= ARRAY_SIZE(rep->res));
	for (size_t i = 0; i < r->n; i++) {
		rep->res[i] = r->results[i];
		snprintf(rep->outputs[i], sizeof(rep->outputs[i]), "%s", r->results[i].output);
		rep->res[i].output = rep->outputs[i];
	}
	rep->r.results = rep->res;
	o = handlers_test_report_json(r);
	assert_non_null(o);
	free(rep->json);
	rep->json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int setup(void **state)
{
	if (helpers_test_dir(dir, sizeof(dir)) < 0)
		return -1;
	snprintf(hdir, sizeof(hdir), "%s/notify.d", dir);
	snprintf(odir, sizeof(odir), "%s/out", dir);
	if (mkdir(hdir, 0755) < 0 || mkdir(odir, 0755) < 0)
		return -1;
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	helpers_end_loop(&ev, dir);
	return 0;
}

/* ---- the contract: argv and environment --------------------------------- */

/* The handler's environment as execve gave it (the shell's own additions
 * excluded), sorted, plus its argv. */
static const char dump_env[] =
	"{ echo \"argc=$# 0=$(basename \"$0\") 1=$1\"\n"
	"  tr '\\0' '\\n' < /proc/$$/environ | sort; } > \"$O/env.$HERD_SEQ\"";

static void test_contract(void **state)
{
	static const char expected[] =
		"argc=1 0=10-env 1=unhealthy\n"
		"HERD_CLUSTER=prod\n"
		"HERD_DETAIL=50.samba: 'smbd' not running; $(not run) `nor this` \xc3\xbcml\xc3\xa4ut\n"
		"HERD_EVENT=unhealthy\n"
		"HERD_EVENT_TYPE=5\n"
		"HERD_NEW_STATE=UNHEALTHY\n"
		"HERD_NODE=2\n"
		"HERD_NODE_ADDRESS=10.0.0.2\n"
		"HERD_OLD_STATE=OK\n"
		"HERD_PNN=1\n"
		"HERD_REPORTER=1\n"
		"HERD_SEQ=42\n"
		"HERD_SEVERITY=error\n"
		"HERD_SUBJECT=node 2 is unhealthy\n"
		"HERD_TEST=0\n"
		"HERD_TIME=2026-11-23T10:00:00Z\n"
		"HERD_TIME_EPOCH=1795428000\n"
		"HERD_TIME_USEC=123456\n"
		"HERD_VERSION=" HERD_PKG_VERSION "\n"
		"LANG=C.UTF-8\n"
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin\n";
	/* A cluster-wide event with nothing extra known: empty, never absent. */
	static const char expected_none[] =
		"argc=1 0=10-env 1=recovery-started\n"
		"HERD_CLUSTER=\n"
		"HERD_DETAIL=\n"
		"HERD_EVENT=recovery-started\n"
		"HERD_EVENT_TYPE=17\n"
		"HERD_NEW_STATE=\n"
		"HERD_NODE=\n"
		"HERD_NODE_ADDRESS=\n"
		"HERD_OLD_STATE=\n"
		"HERD_PNN=\n"
		"HERD_REPORTER=\n"
		"HERD_SEQ=43\n"
		"HERD_SEVERITY=notice\n"
		"HERD_SUBJECT=node 2 is recovery-started\n"
		"HERD_TEST=0\n"
		"HERD_TIME=2026-11-23T10:00:00Z\n"
		"HERD_TIME_EPOCH=1795428000\n"
		"HERD_TIME_USEC=123456\n"
		"HERD_VERSION=" HERD_PKG_VERSION "\n"
		"LANG=C.UTF-8\n"
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin\n";
	struct handlers_extra x = { .cluster = "prod", .pnn = 1, .node_address = "10.0.0.2",
				    .old_state = "OK", .new_state = "UNHEALTHY" };
	struct handlers *h;
	struct herd_event e = mkev(EV_UNHEALTHY, 42);

	/* herdd's own environment must not reach a handler. */
	assert_int_equal(setenv("HERD_SECRET_TEST_VAR", "leaked", 1), 0);
	assert_int_equal(setenv("IFS", "x", 1), 0);
	handler("10-env", dump_env, 0755);
	h = new_runner(1, 0, 5 * USEC_PER_SEC);
	snprintf(e.detail, sizeof(e.detail), "%s",
		 "50.samba: 'smbd' not running; $(not run) `nor this` \xc3\xbcml\xc3\xa4ut");
	assert_int_equal(handlers_event(h, &e, &x), 0);
	e = mkev(EV_RECOVERY_STARTED, 43);
	e.node = PNN_NONE;
	e.reporter = PNN_NONE;
	assert_int_equal(handlers_event(h, &e, NULL), 0);
	run_until_idle(h, 5 * USEC_PER_SEC);
	unsetenv("HERD_SECRET_TEST_VAR");
	unsetenv("IFS");
	assert_string_equal(out("env.42"), expected);
	assert_string_equal(out("env.43"), expected_none);
	assert_int_equal(stats_of(h, "10-env")->ok, 2);

	/* An event type with no name is refused. */
	e.type = EV__MAX;
	assert_int_equal(handlers_event(h, &e, NULL), -EINVAL);
	handlers_free(h);
}

/* A handler written for CTDB, which reads only $1, works unchanged. */
static void install_example(const char *name, const char *const *settings);

static void test_ctdb_style_example(void **state)
{
	char log[256];
	struct handlers *h;

	snprintf(log, sizeof(log), "%s/ctdb.log", odir);
	install_example("90-ctdb-style", (const char *const[]){ "LOG", log, NULL });
	h = new_runner(2, 0, 5 * USEC_PER_SEC);
	submit(h, EV_STARTUP, 1);
	submit(h, EV_NODE_BANNED, 2);       /* herd's own: ignored by it */
	submit(h, EV_UNHEALTHY, 3);
	submit(h, EV_HEALTHY, 4);
	run_until_idle(h, 5 * USEC_PER_SEC);
	{
		const char *s = out("ctdb.log"), *a, *b, *c;

		a = strstr(s, " startup\n");
		b = strstr(s, " unhealthy\n");
		c = strstr(s, " healthy\n");
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_true(a < b && b < c);
		assert_null(strstr(s, "banned"));
	}
	assert_int_equal(stats_of(h, "90-ctdb-style")->ok, 4);
	handlers_free(h);
}

/* ---- which files run, in which order ------------------------------------ */

static void test_order_and_leftovers(void **state)
{
	static const char *const leftovers[] = {
		"10-a~", ".hidden", "10-a.swp", "10-a.rpmnew", "10-a.rpmsave", "10-a.dpkg-old",
		"10-a.dpkg-dist", "10-a.ucf-dist", "10-a.orig", "10-a.bak", "10-a.rej", "#10-a#",
		"10-a,", "README",
	};
	static const char body[] = "echo \"$(basename \"$0\") $1\" >> \"$O/log\"";
	char path[256], target[256];
	struct handlers *h;
	struct report rep = { 0 };
	struct herd_event e = mkev(EV_NODE_BANNED, 3);

	handler("10-a", body, 0755);
	handler("20-b", body, 0755);
	handler("05-c", body, 0755);
	handler("9-z", body, 0755);             /* strcmp order: after 30- */
	handler("15-noexec", body, 0644);
	for (size_t i = 0; i < ARRAY_SIZE(leftovers); i++)
		handler(leftovers[i], "echo LEFTOVER >> \"$O/log\"", 0755);
	snprintf(path, sizeof(path), "%s/25-dir", hdir);
	assert_int_equal(mkdir(path, 0755), 0);
	/* Enabled by a link, as CTDB does; a dangling link is nothing. */
	snprintf(target, sizeof(target), "%s/linked", dir);
	helpers_write_path(target, "#!/bin/sh\necho \"30-link $1\" >> \"$(dirname \"$0\")/../out/log\"\n",
		   0755);
	snprintf(path, sizeof(path), "%s/30-link", hdir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/40-dangling", hdir);
	assert_int_equal(symlink("/nonexistent/herd", path), 0);

	/* parallel = 1: each event through every handler, then the next. */
	h = new_runner(1, 0, 5 * USEC_PER_SEC);
	submit(h, EV_UNHEALTHY, 1);
	submit(h, EV_HEALTHY, 2);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_string_equal(out("log"),
			    "05-c unhealthy\n10-a unhealthy\n20-b unhealthy\n30-link unhealthy\n"
			    "9-z unhealthy\n"
			    "05-c healthy\n10-a healthy\n20-b healthy\n30-link healthy\n"
			    "9-z healthy\n");
	assert_int_equal(handlers_count(h), 5);

	/* The test report lists the non-executable one as skipped. */
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, NULL), 0);
	assert_false(rep.done);                 /* never from the call itself */
	run_until(&rep.done, 5 * USEC_PER_SEC);
	assert_int_equal(rep.r.n, 6);
	{
		static const char *const names[] = { "05-c", "10-a", "15-noexec", "20-b",
						     "30-link", "9-z" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			assert_string_equal(rep.res[i].name, names[i]);
			assert_int_equal(rep.res[i].outcome,
					 i == 2 ? HANDLER_SKIPPED : HANDLER_OK);
		}
		assert_string_equal(rep.res[2].reason, "not executable");
	}
	free(rep.json);
	handlers_free(h);
}

/* ---- timeouts ----------------------------------------------------------- */

static void test_timeout_kills_group(void **state)
{
	struct handlers *h;
	struct report rep = { 0 };
	struct herd_event e = mkev(EV_LINK_DOWN, 7);
	pid_t stubborn, polite;
	int status;
	usec_t t0;

	/* Ignores SIGTERM, and so does its child: SIGKILL after the grace. */
	handler("10-stubborn", "trap '' TERM\nsleep 30 &\necho $! > \"$O/pid1.tmp\"\n"
			       "mv \"$O/pid1.tmp\" \"$O/pid1\"\nwait\nwait\necho survived",
		0755);
	/* Dies of SIGTERM with its child. */
	handler("20-polite", "sleep 30 &\necho $! > \"$O/pid2.tmp\"\nmv \"$O/pid2.tmp\" \"$O/pid2\"\n"
			     "echo waiting\nwait",
		0755);
	h = new_runner(2, 0, 300 * USEC_PER_MSEC);
	t0 = now_monotonic();
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, NULL), 0);
	run_until(&rep.done, 5 * USEC_PER_SEC);
	/* Timeout 300 ms, grace 300 ms, and some slack for a loaded machine. */
	assert_true(now_monotonic() - t0 < 2 * USEC_PER_SEC);
	stubborn = (pid_t)atoi(out("pid1"));
	polite = (pid_t)atoi(out("pid2"));
	assert_true(stubborn > 0 && polite > 0);

	assert_int_equal(rep.r.n, 2);
	assert_int_equal(rep.res[0].outcome, HANDLER_TIMEDOUT);
	assert_string_equal(rep.res[0].reason, "timed out after 0.300s, killed");
	assert_int_equal(rep.res[0].signal, SIGKILL);
	assert_int_equal(rep.res[1].outcome, HANDLER_TIMEDOUT);
	assert_string_equal(rep.res[1].reason, "timed out after 0.300s");
	assert_int_equal(rep.res[1].signal, SIGTERM);
	assert_string_equal(rep.res[1].output, "waiting\n");

	/* The grandchildren went with their groups. */
	status = helpers_reap_orphan(stubborn);
	assert_true(status == -1 || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
	status = helpers_reap_orphan(polite);
	assert_true(status == -1 || WIFSIGNALED(status));

	assert_int_equal(stats_of(h, "10-stubborn")->timeouts, 1);
	assert_int_equal(stats_of(h, "10-stubborn")->failures, 0);
	assert_int_equal(stats_of(h, "10-stubborn")->last_outcome, HANDLER_TIMEDOUT);
	assert_string_equal(stats_of(h, "10-stubborn")->last_error,
			    "link-down #7: timed out after 0.300s, killed");
	assert_string_equal(stats_of(h, "20-polite")->last_error,
			    "link-down #7: timed out after 0.300s: waiting");
	{
		struct handlers_stats st;

		handlers_get_stats(h, &st);
		assert_int_equal(st.timeouts, 2);
		assert_int_equal(st.runs, 2);
	}
	free(rep.json);
	handlers_free(h);
}

/* A hanging handler delays neither the other handlers nor the loop. */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	unsigned *ticks = userdata;

	(*ticks)++;
	return sd_event_source_set_time_relative(s, 10 * USEC_PER_MSEC);
}

static void test_hang_blocks_nothing(void **state)
{
	sd_event_source *tick = NULL;
	unsigned ticks = 0;
	struct handlers *h;
	usec_t t0, took;

	handler("10-hang", "echo $HERD_SEQ >> \"$O/hang\"\nsleep 30", 0755);
	handler("20-fast", "echo $HERD_SEQ >> \"$O/fast.tmp\"\n"
			   "[ $HERD_SEQ = 5 ] && mv \"$O/fast.tmp\" \"$O/fast\"\nexit 0",
		0755);
	assert_int_equal(sd_event_add_time_relative(ev, &tick, CLOCK_MONOTONIC, 10 * USEC_PER_MSEC,
						    1, on_tick, &ticks), 0);
	assert_int_equal(sd_event_source_set_enabled(tick, SD_EVENT_ON), 0);
	h = new_runner(2, 0, 3 * USEC_PER_SEC);
	t0 = now_monotonic();
	for (unsigned i = 1; i <= 5; i++)
		submit(h, EV_IFACE_DOWN, i);
	run_until_out("fast", 2500 * USEC_PER_MSEC);
	took = now_monotonic() - t0;
	assert_string_equal(out("fast"), "1\n2\n3\n4\n5\n");
	assert_string_equal(out("hang"), "1\n");
	assert_true(stats_of(h, "10-hang")->running);
	assert_int_equal(stats_of(h, "10-hang")->queued, 4);
	/* Its last run wrote the file; it is reaped a moment later. */
	while (stats_of(h, "20-fast")->ok < 5) {
		assert_true(now_monotonic() - t0 < 2500 * USEC_PER_MSEC);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
	took = now_monotonic() - t0;
	assert_true(stats_of(h, "10-hang")->running);
	/* The loop kept its 10 ms timer going all along. */
	assert_true(ticks >= took / (40 * USEC_PER_MSEC));
	/* Freeing kills the hanging one; its queue goes with it. */
	handlers_free(h);
	sd_event_source_disable_unref(tick);
}

/* ---- parallelism and ordering ------------------------------------------- */

struct watch {
	struct handlers *h;
	size_t max_running;
};

static int on_watch(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct watch *w = userdata;
	struct handlers_stats st;

	handlers_get_stats(w->h, &st);
	w->max_running = MAX(w->max_running, st.running);
	return sd_event_source_set_time_relative(s, 2 * USEC_PER_MSEC);
}

static void test_order_per_handler_in_parallel(void **state)
{
	/* Runs of one handler that overlapped, or came out of order, would
	 * interleave their start and end lines. Builtins only, but for a
	 * short sleep now and then: process creation is slow on a busy box. */
	static const char body[] =
		"f=\"$O/${0##*/}\"\n"
		"echo start $HERD_SEQ >> \"$f\"\n"
		"[ $(( (HERD_SEQ + ${#0}) % 3 )) = 0 ] && sleep 0.02\n"
		"echo end $HERD_SEQ >> \"$f\"";
	static const char *const names[] = { "10-one", "20-two", "30-three-x", "40-four-xyz" };
	enum { EVENTS = 12 };
	char expected[512] = "";
	struct watch w = { 0 };
	sd_event_source *watch = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		handler(names[i], body, 0755);
	w.h = new_runner(3, 0, 5 * USEC_PER_SEC);
	assert_int_equal(sd_event_add_time_relative(ev, &watch, CLOCK_MONOTONIC, 1, 1, on_watch,
						    &w), 0);
	assert_int_equal(sd_event_source_set_enabled(watch, SD_EVENT_ON), 0);
	for (unsigned i = 1; i <= EVENTS; i++) {
		submit(w.h, EV_IP_TAKEOVER, i);
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected),
			 "start %u\nend %u\n", i, i);
		/* Some events arrive while others run. */
		if (i % 4 == 0)
			sd_event_run(ev, 5 * USEC_PER_MSEC);
	}
	run_until_idle(w.h, 8 * USEC_PER_SEC);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_string_equal(out(names[i]), expected);
		assert_int_equal(stats_of(w.h, names[i])->ok, EVENTS);
	}
	assert_true(w.max_running <= 3);
	assert_true(w.max_running >= 2);
	sd_event_source_disable_unref(watch);
	handlers_free(w.h);
}

/* ---- bounded queues ----------------------------------------------------- */

static void test_queue_overflow(void **state)
{
	static const char body[] = "echo $HERD_SEQ >> \"$O/$(basename \"$0\")\"";
	struct report rep = { 0 };
	struct handlers *h;
	struct handlers_stats st;
	struct herd_event e = mkev(EV_LEADER_CHANGED, 100);

	handler("10-a", body, 0755);
	handler("20-b", body, 0755);
	h = new_runner(1, 5, 5 * USEC_PER_SEC);
	/* The test event is the oldest: it falls out of both queues. */
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, NULL), 0);
	for (unsigned i = 1; i <= 20; i++)
		submit(h, EV_LEADER_CHANGED, i);
	handlers_get_stats(h, &st);
	assert_int_equal(st.queued, 10);
	assert_int_equal(st.dropped, 32);
	assert_int_equal(stats_of(h, "10-a")->queued, 5);
	assert_int_equal(stats_of(h, "10-a")->dropped, 16);
	run_until(&rep.done, 5 * USEC_PER_SEC);
	assert_int_equal(rep.res[0].outcome, HANDLER_DROPPED);
	assert_int_equal(rep.res[1].outcome, HANDLER_DROPPED);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_string_equal(out("10-a"), "16\n17\n18\n19\n20\n");
	assert_string_equal(out("20-b"), "16\n17\n18\n19\n20\n");
	handlers_get_stats(h, &st);
	assert_int_equal(st.events, 21);
	assert_int_equal(st.runs, 10);
	assert_int_equal(st.queued, 0);
	assert_int_equal(stats_of(h, "20-b")->dropped, 16);
	assert_int_equal(stats_of(h, "20-b")->runs, 5);
	free(rep.json);
	handlers_free(h);
}

/* ---- descriptors, output, failures -------------------------------------- */

static void test_no_inherited_fds(void **state)
{
	int leak = open("/dev/null", O_RDONLY);         /* no O_CLOEXEC on purpose */
	struct herd_event e = mkev(EV_SETUP, 1);
	struct report rep = { 0 };
	struct handlers *h;
	int p[2];

	assert_true(leak >= 0);
	assert_int_equal(pipe(p), 0);                   /* nor here */
	handler("10-fds", "readlink /proc/$$/fd/0\nls /proc/self/fd\n"
			  "echo pgid $(cut -d' ' -f5 /proc/$$/stat) pid $$ cwd $(pwd)",
		0755);
	h = new_runner(1, 0, 5 * USEC_PER_SEC);
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, NULL), 0);
	run_until(&rep.done, 5 * USEC_PER_SEC);
	close(leak);
	close(p[0]);
	close(p[1]);
	assert_int_equal(rep.res[0].outcome, HANDLER_OK);
	/* ls lists its own: 0, 1, 2 and the directory it reads (3). */
	{
		static const char head[] = "/dev/null\n0\n1\n2\n3\npgid ";
		long pgid = 0, pid = 0;

		if (strncmp(rep.outputs[0], head, sizeof(head) - 1) != 0)
			fail_msg("the handler saw other descriptors or stdin:\n%s", rep.outputs[0]);
		assert_int_equal(sscanf(strstr(rep.outputs[0], "pgid "), "pgid %ld pid %ld", &pgid,
					&pid), 2);
		assert_int_equal(pgid, pid);
		assert_true(pgid != getpgrp());
		assert_non_null(strstr(rep.outputs[0], " cwd /\n"));
	}
	free(rep.json);
	handlers_free(h);
}

static void test_report_and_failures(void **state)
{
	struct herd_event e = mkev(EV_NODE_DISABLED, 9);
	struct report rep = { 0 }, rep2 = { 0 };
	struct handlers_test *t = NULL;
	struct json_object *o;
	struct handlers *h;
	char path[256];
	const char *s;

	handler("10-ok", "echo \"hello $1 test=$HERD_TEST\"", 0755);
	handler("20-fail", "echo 'bad thing' >&2\necho second line\nexit 3", 0755);
	snprintf(path, sizeof(path), "%s/30-badinterp", hdir);
	helpers_write_path(path, "#!/nonexistent/interpreter\n", 0755);
	handler("40-flood", "head -c 10000 /dev/zero | tr '\\0' x", 0755);
	handler("50-signal", "kill -USR1 $$", 0755);

	h = new_runner(4, 0, 5 * USEC_PER_SEC);
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, &t), 0);
	assert_non_null(t);
	run_until(&rep.done, 5 * USEC_PER_SEC);
	assert_int_equal(rep.calls, 1);
	assert_string_equal(rep.r.event, "node-disabled");
	assert_int_equal(rep.r.seq, 9);
	assert_int_equal(rep.r.n, 5);

	assert_int_equal(rep.res[0].outcome, HANDLER_OK);
	assert_string_equal(rep.res[0].reason, "exit 0");
	assert_string_equal(rep.outputs[0], "hello node-disabled test=1\n");

	assert_int_equal(rep.res[1].outcome, HANDLER_FAILED);
	assert_int_equal(rep.res[1].exit_status, 3);
	assert_string_equal(rep.res[1].reason, "exit 3");
	assert_string_equal(rep.outputs[1], "bad thing\nsecond line\n");

	assert_int_equal(rep.res[2].outcome, HANDLER_FAILED);
	assert_string_equal(rep.res[2].reason, "cannot execute: No such file or directory");
	assert_int_equal(rep.res[2].exit_status, -1);

	/* Output is bounded (4 KiB by default), the rest counted as cut. */
	assert_int_equal(rep.res[3].outcome, HANDLER_OK);
	assert_int_equal(rep.res[3].output_len, HANDLERS_OUTPUT_DEFAULT);
	assert_true(rep.res[3].output_truncated);

	assert_int_equal(rep.res[4].outcome, HANDLER_FAILED);
	assert_int_equal(rep.res[4].signal, SIGUSR1);
	assert_string_equal(rep.res[4].reason, "killed by SIGUSR1");

	assert_non_null(strstr(rep.json, "\"event\":\"node-disabled\""));
	assert_non_null(strstr(rep.json, "{\"name\":\"20-fail\",\"outcome\":\"failed\","
					 "\"reason\":\"exit 3\",\"exit_status\":3,"));

	/* Statistics, as herdctl notify status shows them. */
	assert_string_equal(stats_of(h, "20-fail")->last_error, "node-disabled #9: exit 3: bad thing");
	assert_int_equal(stats_of(h, "20-fail")->failures, 1);
	assert_true(stats_of(h, "20-fail")->last_error_time >= stats_of(h, "20-fail")->last_start);
	assert_string_equal(stats_of(h, "10-ok")->last_error, "");
	assert_string_equal(stats_of(h, "10-ok")->last_event, "node-disabled");
	o = handlers_stats_json(h);
	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(s, "\"parallel\":4,\"queue_max\":10000,\"output_max\":4096,"
				  "\"events\":1,\"runs\":5,\"failures\":3,\"timeouts\":0,"
				  "\"dropped\":0,\"running\":0,\"queued\":0,\"scan_errors\":0,"
				  "\"scan_error\":null,"));
	assert_non_null(strstr(s, "\"name\":\"20-fail\",\"present\":true,\"running\":false,"
				  "\"queued\":0,\"runs\":1,\"ok\":0,\"failures\":1,\"timeouts\":0,"
				  "\"dropped\":0,\"last_outcome\":\"failed\","
				  "\"last_event\":\"node-disabled\",\"last_seq\":9,"));
	assert_non_null(strstr(s, "\"last_error\":\"node-disabled #9: exit 3: bad thing\""));
	json_object_put(o);

	/* A canceled test runs, but reports to nobody. */
	rep.done = false;
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, &t), 0);
	handlers_test_cancel(t);
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep2, NULL), 0);
	run_until(&rep2.done, 5 * USEC_PER_SEC);
	run_until_idle(h, 5 * USEC_PER_SEC);
	for (int i = 0; i < 5; i++)
		sd_event_run(ev, 1000);
	assert_int_equal(rep.calls, 1);
	assert_int_equal(stats_of(h, "10-ok")->runs, 3);
	free(rep.json);
	free(rep2.json);
	handlers_free(h);
}

/* ---- the directory: missing, changing, reconfigured ---------------------- */

static void test_directory_changes(void **state)
{
	struct handlers_config c = { .dir = "/nonexistent/notify.d" };
	struct herd_event e = mkev(EV_SHUTDOWN, 1);
	struct report rep = { 0 };
	struct handlers_stats st;
	struct handlers *h = NULL;
	char path[256];

	assert_int_equal(handlers_new(ev, &(struct handlers_config){ .dir = "" }, &h), -EINVAL);
	assert_int_equal(handlers_new(ev, NULL, &h), -EINVAL);
	/* No directory: no handlers, and the test says so at once. */
	assert_int_equal(handlers_new(ev, &c, &h), 0);
	assert_int_equal(handlers_get_config(h)->timeout, HANDLERS_TIMEOUT_DEFAULT);
	assert_int_equal(handlers_get_config(h)->kill_grace, HANDLERS_KILL_GRACE_DEFAULT);
	assert_int_equal(handlers_get_config(h)->parallel, HANDLERS_PARALLEL_DEFAULT);
	assert_int_equal(handlers_test(h, &e, NULL, on_report, &rep, NULL), 0);
	assert_false(rep.done);
	run_until(&rep.done, USEC_PER_SEC);
	assert_int_equal(rep.r.n, 0);
	assert_int_equal(rep.r.scan_error, 0);
	handlers_get_stats(h, &st);
	assert_int_equal(st.scan_error, -ENOENT);
	assert_int_equal(st.scan_errors, 0);

	/* The real directory, via a new configuration. */
	handler("10-a", "echo $HERD_SEQ >> \"$O/a\"", 0755);
	handler("20-b", "echo $HERD_SEQ >> \"$O/b\"", 0755);
	c.dir = hdir;
	c.queue_max = 100;
	assert_int_equal(handlers_reconfigure(h, &c), 0);
	assert_int_equal(handlers_reconfigure(h, &(struct handlers_config){ .dir = NULL }), -EINVAL);
	assert_string_equal(handlers_get_config(h)->dir, hdir);
	submit(h, EV_HEALTHY, 1);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_int_equal(handlers_count(h), 2);
	/* 20-b is disabled (chmod -x): it no longer runs, but is listed. */
	snprintf(path, sizeof(path), "%s/20-b", hdir);
	assert_int_equal(chmod(path, 0644), 0);
	submit(h, EV_HEALTHY, 2);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_string_equal(out("a"), "1\n2\n");
	assert_string_equal(out("b"), "1\n");
	assert_false(stats_of(h, "20-b")->present);
	assert_int_equal(handlers_count(h), 2);
	/* A reconfiguration forgets handlers that are gone. */
	assert_int_equal(handlers_reconfigure(h, &c), 0);
	assert_int_equal(handlers_count(h), 1);
	assert_string_equal(handlers_at(h, 0)->name, "10-a");
	assert_null(handlers_at(h, 1));

	/* Waiting events stay queued; a smaller queue drops the oldest. */
	c.parallel = 1;
	assert_int_equal(handlers_reconfigure(h, &c), 0);
	for (unsigned i = 3; i <= 10; i++)
		submit(h, EV_HEALTHY, i);
	c.queue_max = 3;
	assert_int_equal(handlers_reconfigure(h, &c), 0);
	handlers_get_stats(h, &st);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.dropped, 5);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_string_equal(out("a"), "1\n2\n8\n9\n10\n");

	/* A handler removed while its events wait: they are dropped. */
	handler("05-slow", "sleep 0.2", 0755);
	submit(h, EV_HEALTHY, 11);
	submit(h, EV_HEALTHY, 12);
	snprintf(path, sizeof(path), "%s/10-a", hdir);
	assert_int_equal(unlink(path), 0);
	submit(h, EV_HEALTHY, 13);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_string_equal(out("a"), "1\n2\n8\n9\n10\n");
	assert_int_equal(stats_of(h, "10-a")->dropped, 7);
	free(rep.json);
	handlers_free(h);
	handlers_free(NULL);
}

/* Freeing the runner kills running handlers' groups; the loop reaps them. */
static void test_free_while_running(void **state)
{
	struct handlers *h;
	pid_t gc;
	int status;

	handler("10-sleeper", "sleep 30 &\necho $! > \"$O/gc.tmp\"\nmv \"$O/gc.tmp\" \"$O/gc\"\nwait",
		0755);
	h = new_runner(1, 0, 30 * USEC_PER_SEC);
	submit(h, EV_INIT, 1);
	run_until_out("gc", 5 * USEC_PER_SEC);
	gc = (pid_t)atoi(out("gc"));
	assert_true(gc > 0);
	assert_false(handlers_idle(h));
	handlers_free(h);
	status = helpers_reap_orphan(gc);
	assert_true(status == -1 || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

/* ---- the shipped examples, pointed at fakes ----------------------------- */

/* Copy notify.d/examples/name into hdir, with each line "VAR=..." of the
 * settings (VAR, value, ..., NULL) replaced by VAR='value'. */
static void install_example(const char *name, const char *const *settings)
{
	char src[256], dst[256], line[1024];
	FILE *in, *o;

	snprintf(src, sizeof(src), "notify.d/examples/%s", name);
	snprintf(dst, sizeof(dst), "%s/%s", hdir, name);
	in = fopen(src, "re");
	if (!in)
		fail_msg("%s: %s (run from the top of the tree)", src, strerror(errno));
	o = fopen(dst, "we");
	assert_non_null(o);
	while (fgets(line, sizeof(line), in)) {
		const char *const *v = settings;

		for (; *v; v += 2) {
			size_t n = strlen(v[0]);

			if (strncmp(line, v[0], n) == 0 && line[n] == '=')
				break;
		}
		if (*v)
			fprintf(o, "%s='%s'\n", v[0], v[1]);
		else
			fputs(line, o);
	}
	fclose(in);
	assert_int_equal(fclose(o), 0);
	assert_int_equal(chmod(dst, 0755), 0);
}

/* A fake program that records its arguments (one a line) and stdin. */
static void fake(const char *name, char *path, size_t len)
{
	char text[512];

	snprintf(path, len, "%s/%s", dir, name);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\nfor a in \"$@\"; do printf '%%s\\n' \"$a\"; done > '%s/%s.args'\n"
		 "cat > '%s/%s.stdin'\n",
		 odir, name, odir, name);
	helpers_write_path(path, text, 0755);
}

static void test_examples(void **state)
{
	struct handlers_extra x = { .cluster = "prod", .pnn = 1, .node_address = "10.0.0.2",
				    .old_state = "OK", .new_state = "UNHEALTHY" };
	struct herd_event e = mkev(EV_UNHEALTHY, 42);
	char logger[256], sendmail[256], snmptrap[256], path[256];
	struct report rep = { 0 };
	struct handlers *h;

	fake("logger", logger, sizeof(logger));
	fake("sendmail", sendmail, sizeof(sendmail));
	fake("snmptrap", snmptrap, sizeof(snmptrap));
	install_example("10-log", (const char *const[]){ "LOGGER", logger, NULL });
	install_example("20-mail", (const char *const[]){ "SENDMAIL", sendmail, NULL });
	install_example("30-snmptrap", (const char *const[]){ "SNMPTRAP", snmptrap,
							       "TRAP_SINKS", "h", NULL });
	snprintf(e.detail, sizeof(e.detail), "monitor: 50.samba failed");
	h = new_runner(4, 0, 5 * USEC_PER_SEC);
	assert_int_equal(handlers_event(h, &e, &x), 0);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_int_equal(stats_of(h, "10-log")->ok, 1);
	assert_int_equal(stats_of(h, "20-mail")->ok, 1);
	assert_int_equal(stats_of(h, "30-snmptrap")->ok, 1);

	assert_string_equal(out("logger.args"),
			    "-t\nherd-notify\n-p\ndaemon.err\n--\n"
			    "unhealthy #42 node 2: node 2 is unhealthy: monitor: 50.samba failed\n");
	assert_string_equal(out("sendmail.args"), "-t\n-oi\n");
	assert_non_null(strstr(out("sendmail.stdin"),
			       "To: root\nSubject: [prod] unhealthy (error) node 2: node 2 is unhealthy\n"));
	assert_non_null(strstr(out("sendmail.stdin"), "State:     OK -> UNHEALTHY\n"));
	assert_string_equal(out("snmptrap.args"),
			    "-v\n2c\n-c\npublic\n-m\n\nudp:h\n\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.0.5\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.2.42\nu\n42\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.3.42\nx\n07ea0b170a0000012b0000\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.7.42\ni\n4\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.1.1.0\ns\nprod\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.5.42\ni\n1\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.4.42\ni\n2\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.8.42\ns\nnode 2 is unhealthy\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.9.42\ns\nmonitor: 50.samba failed\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.10.42\ni\n1\n"
			    "1.3.6.1.4.1.8072.9999.9999.4373.1.1.6.3.1.11.42\ni\n6\n");

	/* Below 20-mail's MIN_SEVERITY: no mail, unless it is a test. */
	snprintf(path, sizeof(path), "%s/sendmail.stdin", odir);
	assert_int_equal(unlink(path), 0);
	e = mkev(EV_CONFIG_RELOADED, 43);
	assert_int_equal(handlers_event(h, &e, &x), 0);
	run_until_idle(h, 5 * USEC_PER_SEC);
	assert_false(out_exists("sendmail.stdin"));
	assert_int_equal(handlers_test(h, &e, &x, on_report, &rep, NULL), 0);
	run_until(&rep.done, 5 * USEC_PER_SEC);
	assert_non_null(strstr(out("sendmail.stdin"), "Subject: [TEST] [prod] config-reloaded"));
	assert_non_null(strstr(out("logger.args"), "(test) config-reloaded #43"));
	free(rep.json);
	handlers_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctdb_style_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_blocks_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_per_handler_in_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_inherited_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_examples, setup, teardown),
	};

	/* SIGCHLD blocked, as herdd has it; orphaned grandchildren come back
	 * to us, to be checked and reaped. */
	if (helpers_child_setup() < 0 || helpers_init("herd-test-handlers") < 0)
		return 1;
	/* The runner's log lines are expected here; HERD_TEST_LOG=1 shows them. */
	log_set_level(getenv("HERD_TEST_LOG") ? LOG_DEBUG : LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
