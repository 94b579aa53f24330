/*
 * test_script.c — the event-script policy (collectors/script.c) on top of
 * the child-process runner, and the events.d interface
 * (collectors/eventscripts.c), with real /bin/sh scripts on a real
 * sd-event loop. The runner's mechanism (process group, grandchildren,
 * descriptors, output limits, free, parent death) is tests/unit/test_child.c's.
 *
 * Each test writes its scripts into a fresh temporary directory, which is
 * removed after every test and, whatever happens, at exit (helpers.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>

#include "collectors/eventscripts.h"
#include "collectors/script.h"
#include "tests/unit/helpers.h"

static char dir[128];                   /* this test's directory */
static sd_event *ev;

/* ---- helpers ------------------------------------------------------------ */

static void write_file(const char *name, const char *text, mode_t mode)
{
	helpers_write_file(dir, name, text, mode);
}

static void write_script(const char *name, const char *body)
{
	helpers_write_script(dir, name, body);
}

static const char *read_file(const char *name)
{
	return helpers_read_file(dir, name);
}

static void run_until(const bool *flag, usec_t max)
{
	helpers_run_until(ev, flag, max);
}

static void run_until_file(const char *name, usec_t max)
{
	helpers_run_until_file(ev, dir, name, max);
}

static int setup(void **state)
{
	if (helpers_test_dir(dir, sizeof(dir)) < 0)
		return -1;
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	ev = sd_event_unref(ev);
	helpers_rm_tree(dir);
	return 0;
}

/* One run of the runner. */
struct done {
	bool done;
	struct script_result res;
	char output[70000];
};

static void on_done(struct script_run *run, const struct script_result *res, void *userdata)
{
	struct done *d = userdata;

	d->res = *res;
	memcpy(d->output, res->output, MIN(res->output_len + 1, sizeof(d->output)));
	d->res.output = d->output;
	d->done = true;
	script_run_free(run);
}

/* Run dir/name with args, env, timeout and output limit to the end. */
static void run_script(struct done *d, const char *name, const char *const *args,
		       const char *const *env, usec_t timeout, size_t output_max)
{
	const char *argv[8] = { NULL };
	struct script_opts o = { .argv = argv, .env = env, .timeout = timeout,
				 .output_max = output_max };
	struct script_run *run = NULL;
	char path[256];
	size_t n = 1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	argv[0] = path;
	for (; args && args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = args[n - 1];
	memset(d, 0, sizeof(*d));
	assert_int_equal(script_run_start(ev, &o, on_done, d, &run), 0);
	assert_true(script_run_running(run));
	assert_true(script_run_pid(run) > 0);
	run_until(&d->done, 10 * USEC_PER_SEC);
}

/* ---- the policy --------------------------------------------------------- */

/*
 * What a script's result and its outcome text say: exit, signal, exec
 * error, and the timeout, which SIGKILLs at once (no SIGTERM grace) and is
 * written as the configuration writes durations ("300ms").
 */
static void test_results(void **state)
{
	static const char *const args[] = { "monitor", "extra arg", NULL };
	static const struct {
		const char *name;
		const char *body;               /* NULL: no such file */
		mode_t mode;
		bool args;
		usec_t timeout;
		int exec_error, exit_status, signal;
		bool timed_out;
		const char *output, *outcome;
		usec_t min, max;                /* duration */
	} cases[] = {
		/* First, on a loop that has not run: sd-event counts a relative
		 * time added outside a dispatch from its last wake-up. */
		{ "hang", "echo started\nexec sleep 30", 0755, false, 300 * USEC_PER_MSEC,
		  0, -1, SIGKILL, true, "started\n", "timed out after 300ms",
		  300 * USEC_PER_MSEC, 3 * USEC_PER_SEC },
		{ "ok", "echo \"$(basename $0) [$1] [$2] $#\"", 0755, true, 5 * USEC_PER_SEC,
		  0, 0, 0, false, "ok [monitor] [extra arg] 2\n", "exit 0", 1, 5 * USEC_PER_SEC },
		{ "fail", "echo to stdout; echo to stderr >&2; exit 3", 0755, false,
		  5 * USEC_PER_SEC, 0, 3, 0, false, "to stdout\nto stderr\n", "exit 3",
		  1, 5 * USEC_PER_SEC },
		{ "segv", "kill -SEGV $$", 0755, false, 5 * USEC_PER_SEC, 0, -1, SIGSEGV, false, "",
		  "killed by SIGSEGV", 1, 5 * USEC_PER_SEC },
		{ "missing", NULL, 0, false, 5 * USEC_PER_SEC, -ENOENT, SCRIPT_EXIT_EXEC_FAILED, 0,
		  false, "", "cannot execute: No such file or directory", 1, 5 * USEC_PER_SEC },
		{ "noexec", "exit 0", 0644, false, 5 * USEC_PER_SEC, -EACCES,
		  SCRIPT_EXIT_EXEC_FAILED, 0, false, "", "cannot execute: Permission denied",
		  1, 5 * USEC_PER_SEC },
	};
	char buf[128];
	struct done d;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].body) {
			char text[256];

			snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", cases[i].body);
			write_file(cases[i].name, text, cases[i].mode);
		}
		run_script(&d, cases[i].name, cases[i].args ? args : NULL, NULL, cases[i].timeout, 0);
		assert_int_equal(d.res.exec_error, cases[i].exec_error);
		assert_int_equal(d.res.exit_status, cases[i].exit_status);
		assert_int_equal(d.res.signal, cases[i].signal);
		assert_int_equal(d.res.timed_out, cases[i].timed_out);
		assert_false(d.res.output_truncated);
		assert_string_equal(d.res.output, cases[i].output);
		assert_int_equal(d.res.output_len, strlen(d.res.output));
		assert_true(d.res.duration >= cases[i].min && d.res.duration < cases[i].max);
		assert_true(d.res.start_wall > UINT64_C(1700000000) * USEC_PER_SEC);
		assert_string_equal(script_outcome_format(buf, sizeof(buf), &d.res,
							  cases[i].timeout), cases[i].outcome);
	}
}

/* The output limit passes through; none given is 64 KiB. */
static void test_output_limit(void **state)
{
	struct done d;

	/* 100000 bytes: the script must not block on a full pipe. */
	write_script("loud", "head -c 100000 /dev/zero | tr '\\0' x\necho; echo end >&2");
	run_script(&d, "loud", NULL, NULL, 5 * USEC_PER_SEC, 1000);
	assert_int_equal(d.res.exit_status, 0);
	assert_int_equal(d.res.output_len, 1000);
	assert_true(d.res.output_truncated);

	/* The default limit is 64 KiB. */
	run_script(&d, "loud", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.output_len, SCRIPT_OUTPUT_MAX_DEFAULT);
	assert_true(d.res.output_truncated);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static bool has_name(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return true;
	return false;
}

static void test_env_scrubbed(void **state)
{
	static const char *const env[] = { "HERD_EVENT=monitor", "CTDB_BASE=/etc/herd",
					   "HERD_DETAIL=a b\tc", NULL };
	struct done d;

	/* herdd's own environment, however bad, never reaches a script. */
	setenv("LD_PRELOAD", "/nonexistent/evil.so", 1);
	setenv("IFS", "x", 1);
	setenv("HERD_LEAK", "1", 1);
	setenv("PATH", "/tmp/evil:/usr/bin:/bin", 1);
	write_script("env", "/usr/bin/env");
	run_script(&d, "env", NULL, env, 5 * USEC_PER_SEC, 0);
	unsetenv("LD_PRELOAD");
	unsetenv("IFS");
	unsetenv("HERD_LEAK");
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	assert_int_equal(d.res.exit_status, 0);
	assert_true(has_line(d.output, SCRIPT_PATH_ENV));
	assert_true(has_line(d.output, "HERD_EVENT=monitor"));
	assert_true(has_line(d.output, "CTDB_BASE=/etc/herd"));
	assert_true(has_line(d.output, "HERD_DETAIL=a b\tc"));
	assert_false(has_name(d.output, "LD_PRELOAD"));
	assert_false(has_name(d.output, "IFS"));
	assert_false(has_name(d.output, "HERD_LEAK"));
	/* Only what we passed, PATH, and what the shell itself adds. */
	for (const char *p = d.output; *p; p = strchr(p, '\n') + 1) {
		static const char *const allowed[] = { "PATH", "HERD_EVENT", "CTDB_BASE",
							"HERD_DETAIL", "PWD", "OLDPWD", "SHLVL", "_" };
		bool ok = false;

		for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
			ok = ok || has_name(p, allowed[i]);
		if (!ok)
			fail_msg("unexpected variable in the script's environment: %.*s",
				 (int)strcspn(p, "\n"), p);
		if (!strchr(p, '\n'))
			break;
	}
}

static void test_env_refused(void **state)
{
	/* The rule is the runner's (test_child.c has the table). */
	static const char *const names[] = { "HERD_PNN", "_x9", "", "9LIVES", "LD_PRELOAD",
					     "PATH", "MALLOC_CHECK_", "IFS2" };
	static const char *const bad_env[][2] = {
		{ "LD_PRELOAD=/x.so", NULL }, { "IFS=/", NULL }, { "NOEQUALS", NULL },
		{ "=value", NULL }, { "PATH=/tmp", NULL },
	};
	const char *argv[] = { "/bin/true", NULL };
	struct script_run *run = NULL;
	struct done d;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (script_env_name_ok(names[i], strlen(names[i])) !=
		    child_env_name_ok(names[i], strlen(names[i])))
			fail_msg("script_env_name_ok(\"%s\") disagrees with the runner", names[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad_env); i++) {
		struct script_opts o = { .argv = argv, .env = bad_env[i] };

		assert_int_equal(script_run_start(ev, &o, on_done, &d, &run), -EINVAL);
	}
	{
		struct script_opts o = { .argv = NULL };
		const char *noargv[] = { NULL };

		assert_int_equal(script_run_start(ev, &o, on_done, &d, &run), -EINVAL);
		o.argv = noargv;
		assert_int_equal(script_run_start(ev, &o, on_done, &d, &run), -EINVAL);
	}
}

/* ---- events.d ----------------------------------------------------------- */

static void test_name_ignored(void **state)
{
	static const struct {
		const char *name;
		bool ignored;
	} cases[] = {
		{ "10.interfaces", false }, { "00.ctdb", false }, { "check", false },
		{ "README", false }, { "50.samba.script", false }, { "rpm-check", false },
		{ ".hidden", true }, { ".10.x.swp", true }, { "10.x~", true }, { "10.x.swp", true },
		{ "10.x.rpmnew", true }, { "10.x.rpmsave", true }, { "10.x.rpmorig", true },
		{ "10.x.dpkg-old", true }, { "10.x.dpkg-dist", true }, { "10.x.dpkg-new", true },
		{ "10.x.orig", true }, { "10.x.bak", true }, { "#10.x#", true }, { "", true },
		{ ".", true }, { "..", true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (eventscripts_name_ignored(cases[i].name) != cases[i].ignored)
			fail_msg("eventscripts_name_ignored(\"%s\") should be %d", cases[i].name,
				 cases[i].ignored);
}

static void test_list(void **state)
{
	static const char *const leftovers[] = {
		".hidden", "10.a~", "10.a.swp", "30.d.rpmnew", "30.d.dpkg-old", "40.e.orig",
		"50.f.bak", "#10.a#",
	};
	struct eventscript_entry *v = NULL;
	char path[256];
	int n;

	write_script("10.a", "exit 0");
	write_file("20.b", "#!/bin/sh\nexit 0\n", 0644);
	write_script("05.c", "exit 0");
	for (size_t i = 0; i < ARRAY_SIZE(leftovers); i++)
		write_script(leftovers[i], "exit 1");
	snprintf(path, sizeof(path), "%s/60.dir", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/70.dangling", dir);
	assert_int_equal(symlink("/nonexistent/script", path), 0);
	snprintf(path, sizeof(path), "%s/80.link", dir);
	assert_int_equal(symlink("05.c", path), 0);

	n = eventscripts_list(dir, &v);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "05.c");
	assert_true(v[0].enabled);
	assert_string_equal(v[1].name, "10.a");
	assert_true(v[1].enabled);
	assert_string_equal(v[2].name, "20.b");
	assert_false(v[2].enabled);
	assert_string_equal(v[3].name, "80.link");
	assert_true(v[3].enabled);
	free(v);

	snprintf(path, sizeof(path), "%s/nope", dir);
	assert_int_equal(eventscripts_list(path, &v), -ENOENT);
	snprintf(path, sizeof(path), "%s/10.a", dir);
	assert_int_equal(eventscripts_list(path, &v), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/60.dir", dir);
	v = (void *)1;
	assert_int_equal(eventscripts_list(path, &v), 0);
	assert_null(v);
}

struct es_done {
	int calls;
	const struct eventscripts_run *run;
	bool done;
};

static void on_es_done(struct eventscripts *es, const struct eventscripts_run *run, void *userdata)
{
	struct es_done *d = userdata;

	d->calls++;
	d->run = run;
	d->done = true;
}

static struct eventscripts *es_new(usec_t timeout, const char *const *env)
{
	struct eventscripts_config c = { .dir = dir, .timeout = timeout, .env = env };
	struct eventscripts *es = NULL;

	assert_int_equal(eventscripts_new(ev, &c, &es), 0);
	return es;
}

static void es_run(struct eventscripts *es, struct es_done *d, const char *event,
		   const char *const *args)
{
	memset(d, 0, sizeof(*d));
	assert_int_equal(eventscripts_run(es, event, args, on_es_done, d), 0);
	assert_true(eventscripts_busy(es));
	assert_string_equal(eventscripts_current(es), event);
	/* Never from inside eventscripts_run(). */
	assert_false(d->done);
	run_until(&d->done, 10 * USEC_PER_SEC);
	assert_int_equal(d->calls, 1);
	assert_false(eventscripts_busy(es));
	assert_null(eventscripts_current(es));
}

/* Lexical order, SCRIPT EVENT ARGS, stop at the first failure, DISABLED kept. */
static void test_run_order(void **state)
{
	static const char *const args[] = { "10.0.0.5", "eth0", NULL };
	struct eventscripts *es = es_new(5 * USEC_PER_SEC, NULL);
	const struct eventscripts_run *run;
	struct es_done d;
	char reason[256];

	write_script("30.three", "echo \"three $*\" >> \"$(dirname $0)/log\"");
	write_script("10.one", "echo \"one $*\" >> \"$(dirname $0)/log\"; echo one said");
	write_file("25.off", "#!/bin/sh\necho off >> \"$(dirname $0)/log\"\n", 0644);
	write_script("20.two", "echo \"two $*\" >> \"$(dirname $0)/log\"\n"
			       "echo 'not ready: /srv not mounted'\necho more; exit 2");
	write_script("30.three~", "echo leftover >> \"$(dirname $0)/log\"");

	es_run(es, &d, "takeip", args);
	run = d.run;
	assert_string_equal(read_file("log"), "one takeip 10.0.0.5 eth0\ntwo takeip 10.0.0.5 eth0\n");
	assert_string_equal(run->event, "takeip");
	assert_int_equal(run->status, EVENTSCRIPT_ERROR);
	assert_int_equal(run->failed, 1);
	assert_int_equal(run->nscripts, 4);
	assert_string_equal(run->scripts[0].name, "10.one");
	assert_int_equal(run->scripts[0].status, EVENTSCRIPT_OK);
	assert_int_equal(run->scripts[0].exit_status, 0);
	assert_string_equal(run->scripts[0].output, "one said\n");
	assert_true(run->scripts[0].start_wall > 0);
	assert_string_equal(run->scripts[1].name, "20.two");
	assert_int_equal(run->scripts[1].status, EVENTSCRIPT_ERROR);
	assert_int_equal(run->scripts[1].exit_status, 2);
	assert_string_equal(run->scripts[1].output, "not ready: /srv not mounted\nmore\n");
	assert_string_equal(run->scripts[2].name, "25.off");
	assert_int_equal(run->scripts[2].status, EVENTSCRIPT_DISABLED);
	assert_null(run->scripts[2].output);
	assert_int_equal(run->scripts[2].start_wall, 0);
	assert_string_equal(run->scripts[3].name, "30.three");
	assert_int_equal(run->scripts[3].status, EVENTSCRIPT_NOT_RUN);
	assert_int_equal(run->scripts[3].exit_status, -1);
	assert_string_equal(eventscripts_run_reason(reason, sizeof(reason), run),
			    "20.two: exit 2: not ready: /srv not mounted");
	assert_ptr_equal(eventscripts_last(es, "takeip"), run);

	/* Fixed: every enabled script runs, the disabled one still does not. */
	write_script("20.two", "echo \"two $*\" >> \"$(dirname $0)/log\"");
	unlink(strcat(strcpy(reason, dir), "/log"));
	es_run(es, &d, "monitor", NULL);
	assert_string_equal(read_file("log"), "one monitor\ntwo monitor\nthree monitor\n");
	assert_int_equal(d.run->status, EVENTSCRIPT_OK);
	assert_int_equal(d.run->failed, -1);
	assert_int_equal(d.run->scripts[2].status, EVENTSCRIPT_DISABLED);
	assert_int_equal(d.run->scripts[3].status, EVENTSCRIPT_OK);
	assert_string_equal(eventscripts_run_reason(reason, sizeof(reason), d.run), "OK");

	/* The last run of each event is kept, in order of first run. */
	assert_int_equal(eventscripts_nevents(es), 2);
	assert_string_equal(eventscripts_last_at(es, 0)->event, "takeip");
	assert_string_equal(eventscripts_last_at(es, 1)->event, "monitor");
	assert_null(eventscripts_last_at(es, 2));
	assert_null(eventscripts_last(es, "init"));
	es_run(es, &d, "monitor", NULL);
	assert_int_equal(eventscripts_nevents(es), 2);
	assert_ptr_equal(eventscripts_last(es, "monitor"), d.run);
	eventscripts_free(es);
}

static void test_run_timeout_and_env(void **state)
{
	static const char *const env[] = { "HERD_PNN=3", NULL };
	struct eventscripts *es = es_new(200 * USEC_PER_MSEC, env);
	struct es_done d;
	char reason[256];

	write_script("10.env", "echo \"pnn=$HERD_PNN event=$1\"");
	write_script("20.slow", "echo waiting; sleep 10");
	write_script("30.after", "exit 0");
	es_run(es, &d, "monitor", NULL);
	assert_int_equal(d.run->status, EVENTSCRIPT_TIMEDOUT);
	assert_int_equal(d.run->failed, 1);
	assert_string_equal(d.run->scripts[0].output, "pnn=3 event=monitor\n");
	assert_int_equal(d.run->scripts[1].status, EVENTSCRIPT_TIMEDOUT);
	assert_int_equal(d.run->scripts[1].signal, SIGKILL);
	assert_true(d.run->scripts[1].duration >= 200 * USEC_PER_MSEC);
	assert_int_equal(d.run->scripts[2].status, EVENTSCRIPT_NOT_RUN);
	assert_true(d.run->duration >= d.run->scripts[1].duration);
	assert_string_equal(eventscripts_run_reason(reason, sizeof(reason), d.run),
			    "20.slow: timed out after 200ms: waiting");
	eventscripts_free(es);
}

static void test_run_missing_dir_and_errors(void **state)
{
	struct eventscripts_config c = { .dir = "/nonexistent/events.d", .timeout = USEC_PER_SEC };
	struct eventscripts *es = NULL;
	struct es_done d;
	char reason[256];

	assert_int_equal(eventscripts_new(ev, &c, &es), 0);
	/* No directory: no scripts, and the event succeeds (CTDB's way). */
	es_run(es, &d, "init", NULL);
	assert_int_equal(d.run->status, EVENTSCRIPT_OK);
	assert_int_equal(d.run->nscripts, 0);
	assert_int_equal(d.run->list_error, 0);

	/* Not a directory: an error the operator must see. */
	write_script("file", "exit 0");
	snprintf(reason, sizeof(reason), "%s/file", dir);
	c.dir = reason;
	assert_int_equal(eventscripts_set_config(es, &c), 0);
	es_run(es, &d, "monitor", NULL);
	assert_int_equal(d.run->status, EVENTSCRIPT_ERROR);
	assert_int_equal(d.run->list_error, -ENOTDIR);
	assert_string_equal(eventscripts_run_reason(reason, sizeof(reason), d.run),
			    "events dir: Not a directory");

	/* Bad names and bad configurations. */
	assert_int_equal(eventscripts_run(es, "", NULL, on_es_done, &d), -EINVAL);
	assert_int_equal(eventscripts_run(es, "../x", NULL, on_es_done, &d), -EINVAL);
	assert_int_equal(eventscripts_run(es, "a-very-long-event-name-beyond-31", NULL,
					  on_es_done, &d), -EINVAL);
	assert_int_equal(eventscripts_run(es, "monitor", NULL, NULL, &d), -EINVAL);
	{
		static const char *const bad[] = { "LD_PRELOAD=/x.so", NULL };
		struct eventscripts_config b = { .dir = dir, .env = bad };

		assert_int_equal(eventscripts_set_config(es, &b), -EINVAL);
		b.env = NULL;
		b.dir = "";
		assert_int_equal(eventscripts_set_config(es, &b), -EINVAL);
	}
	assert_int_equal(eventscripts_cancel(es), -ESRCH);
	eventscripts_free(es);
	eventscripts_free(NULL);
}

static void test_busy_cancel_reconfigure(void **state)
{
	struct eventscripts *es = es_new(30 * USEC_PER_SEC, NULL);
	struct es_done d = { 0 }, d2 = { 0 };
	struct eventscripts_config c = { .dir = "/nonexistent", .timeout = USEC_PER_SEC };
	char reason[128];

	write_script("10.slow", "touch \"$(dirname $0)/started\"; sleep 30");
	write_script("20.never", "touch \"$(dirname $0)/never\"");
	assert_int_equal(eventscripts_run(es, "monitor", NULL, on_es_done, &d), 0);
	/* One run at a time. */
	assert_int_equal(eventscripts_run(es, "takeip", NULL, on_es_done, &d2), -EBUSY);
	/* A new configuration waits for the run going on. */
	assert_int_equal(eventscripts_set_config(es, &c), 0);
	run_until_file("started", 5 * USEC_PER_SEC);
	assert_int_equal(eventscripts_cancel(es), 0);
	run_until(&d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.run->status, EVENTSCRIPT_CANCELED);
	assert_int_equal(d.run->failed, -1);
	assert_int_equal(d.run->scripts[0].status, EVENTSCRIPT_CANCELED);
	assert_int_equal(d.run->scripts[1].status, EVENTSCRIPT_NOT_RUN);
	assert_string_equal(read_file("never"), "");
	assert_string_equal(eventscripts_run_reason(reason, sizeof(reason), d.run), "canceled");
	assert_false(eventscripts_busy(es));
	/* The next run uses the new configuration: no directory, no scripts. */
	es_run(es, &d2, "monitor", NULL);
	assert_int_equal(d2.run->nscripts, 0);

	/* Freeing while a script runs kills it; no callback follows. */
	c.dir = dir;
	assert_int_equal(eventscripts_set_config(es, &c), 0);
	unlink(strcat(strcpy(reason, dir), "/started"));
	memset(&d, 0, sizeof(d));
	assert_int_equal(eventscripts_run(es, "monitor", NULL, on_es_done, &d), 0);
	run_until_file("started", 5 * USEC_PER_SEC);
	eventscripts_free(es);
	for (int i = 0; i < 20; i++)
		sd_event_run(ev, 10 * USEC_PER_MSEC);
	assert_false(d.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_scrubbed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_refused, setup, teardown),
		cmocka_unit_test(test_name_ignored),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_timeout_and_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_missing_dir_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_cancel_reconfigure, setup, teardown),
	};

	/* SIGCHLD blocked, as herdd has it; orphans come back to us. */
	if (helpers_child_setup() < 0 || helpers_init("test_script") < 0)
		return 1;
	return cmocka_run_group_tests_name("script", tests, NULL, NULL);
}
