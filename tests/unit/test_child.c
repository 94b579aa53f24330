/*
 * test_child.c — the child-process runner (agentd/child.c) with real
 * /bin/sh scripts on a real sd-event loop: argv, exit status, signals,
 * exec errors, the timeout with and without a SIGTERM grace (the whole
 * group, grandchildren too), output limits, the environment passed as
 * given, no inherited descriptors, kill, free while running, parent death;
 * and the pure parts (variable names, outcome texts) as tables. The fork
 * without exec (opts->fn): exit status, output, the same set-up, the
 * timeout and free killing its whole group.
 *
 * Each test writes its scripts into a fresh temporary directory, removed
 * after every test and, whatever happens, at exit. The test process is a
 * child subreaper, so a grandchild that outlives its script comes back to
 * it and the test can see how it died.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agentd/child.h"
#include "tests/unit/helpers.h"

static char dir[128];                   /* this test's directory */
static sd_event *ev;

static int setup(void **state)
{
	if (helpers_test_dir(dir, sizeof(dir)) < 0)
		return -1;
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	helpers_end_loop(&ev, dir);
	return 0;
}

static pid_t read_pid(const char *name)
{
	return (pid_t)atoi(helpers_read_file(dir, name));
}

/* One run. */
struct done {
	bool done;
	struct child_result res;
	char output[70000];
};

static void on_done(struct child *c, const struct child_result *res, void *userdata)
{
	struct done *d = userdata;

	d->res = *res;
	memcpy(d->output, res->output, MIN(res->output_len + 1, sizeof(d->output)));
	d->res.output = d->output;
	d->done = true;
	child_free(c);
}

/* The same, leaving the child to the test. */
static void on_done_keep(struct child *c, const struct child_result *res, void *userdata)
{
	struct done *d = userdata;

	d->res = *res;
	d->res.output = "";
	d->done = true;
}

/* Run dir/name (or an absolute path) with o's settings and args to the end. */
static void run(struct done *d, const char *name, const char *const *args, struct child_opts o)
{
	const char *argv[8] = { NULL };
	struct child *c = NULL;
	char path[256];
	size_t n = 1;

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	argv[0] = path;
	for (; args && args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = args[n - 1];
	o.argv = argv;
	memset(d, 0, sizeof(*d));
	assert_int_equal(child_start(ev, &o, on_done, d, &c), 0);
	assert_true(child_running(c));
	assert_true(child_pid(c) > 0);
	helpers_run_until(ev, &d->done, 10 * USEC_PER_SEC);
}

/* The settings most tests use: 5 s, 64 KiB. */
static const struct child_opts plain = { .timeout = 5 * USEC_PER_SEC, .output_max = 65536 };

/* ---- runs --------------------------------------------------------------- */

static void test_success(void **state)
{
	static const char *const args[] = { "monitor", "extra arg", NULL };
	struct done d;

	helpers_write_script(dir, "ok", "echo \"$(basename $0) [$1] [$2] $#\"");
	run(&d, "ok", args, plain);
	assert_int_equal(d.res.exec_error, 0);
	assert_int_equal(d.res.exit_status, 0);
	assert_int_equal(d.res.signal, 0);
	assert_false(d.res.timed_out);
	assert_false(d.res.killed);
	assert_false(d.res.output_truncated);
	assert_string_equal(d.res.output, "ok [monitor] [extra arg] 2\n");
	assert_int_equal(d.res.output_len, strlen(d.res.output));
	assert_true(d.res.duration > 0 && d.res.duration < 5 * USEC_PER_SEC);
	assert_true(d.res.start_wall > UINT64_C(1700000000) * USEC_PER_SEC);
}

static void test_failure(void **state)
{
	struct done d;

	helpers_write_script(dir, "fail", "echo to stdout; echo to stderr >&2; exit 3");
	run(&d, "fail", NULL, plain);
	assert_int_equal(d.res.exit_status, 3);
	assert_int_equal(d.res.signal, 0);
	assert_string_equal(d.res.output, "to stdout\nto stderr\n");

	helpers_write_script(dir, "segv", "kill -SEGV $$");
	run(&d, "segv", NULL, plain);
	assert_int_equal(d.res.exit_status, -1);
	assert_int_equal(d.res.signal, SIGSEGV);
	assert_false(d.res.timed_out);
}

static void test_exec_failure(void **state)
{
	struct done d;

	run(&d, "missing", NULL, plain);
	assert_int_equal(d.res.exec_error, -ENOENT);
	assert_int_equal(d.res.exit_status, CHILD_EXIT_EXEC_FAILED);
	assert_string_equal(d.res.output, "");

	helpers_write_file(dir, "noexec", "#!/bin/sh\nexit 0\n", 0644);
	run(&d, "noexec", NULL, plain);
	assert_int_equal(d.res.exec_error, -EACCES);
	assert_int_equal(d.res.exit_status, CHILD_EXIT_EXEC_FAILED);

	/* A bad interpreter is the exec's error too. */
	helpers_write_file(dir, "badinterp", "#!/nonexistent/interpreter\n", 0755);
	run(&d, "badinterp", NULL, plain);
	assert_int_equal(d.res.exec_error, -ENOENT);
}

static void test_bad_arguments(void **state)
{
	const char *argv[] = { "/bin/true", NULL }, *noargv[] = { NULL };
	struct child_opts o = { .argv = argv };
	struct child *c = NULL;
	struct done d;

	assert_int_equal(child_start(NULL, &o, on_done, &d, &c), -EINVAL);
	assert_int_equal(child_start(ev, NULL, on_done, &d, &c), -EINVAL);
	assert_int_equal(child_start(ev, &o, NULL, &d, &c), -EINVAL);
	assert_int_equal(child_start(ev, &o, on_done, &d, NULL), -EINVAL);
	o.argv = NULL;
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), -EINVAL);
	o.argv = noargv;
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), -EINVAL);
	assert_null(c);
	assert_int_equal(child_pid(NULL), -1);
	assert_false(child_running(NULL));
	assert_int_equal(child_kill(NULL), -ESRCH);
	child_free(NULL);
}

/* ---- the timeout -------------------------------------------------------- */

/* A run SIGKILLed at a timeout of `timeout` (no grace), reaped soon after. */
static void assert_killed_at_timeout(const struct child_result *res, usec_t timeout)
{
	assert_true(res->timed_out);
	assert_true(res->killed);
	assert_int_equal(res->signal, SIGKILL);
	assert_int_equal(res->exit_status, -1);
	assert_true(res->duration >= timeout);
	assert_true(res->duration < 3 * USEC_PER_SEC);
}

/* No grace: SIGKILL for the script and the grandchild it left in the background. */
static void test_timeout_kills_group(void **state)
{
	struct child_opts o = { .timeout = 300 * USEC_PER_MSEC, .output_max = 65536 };
	struct done d;
	pid_t gc, sh;
	int status;

	helpers_write_script(dir, "hang", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid\"\n"
					  "echo $$ > \"$(dirname $0)/sh.pid\"\necho started\nwait");
	run(&d, "hang", NULL, o);
	assert_killed_at_timeout(&d.res, 300 * USEC_PER_MSEC);
	assert_string_equal(d.res.output, "started\n");
	/* The script was reaped by the loop; the grandchild died of SIGKILL too. */
	sh = read_pid("sh.pid");
	gc = read_pid("gc.pid");
	assert_true(sh > 0 && gc > 0);
	assert_int_equal(kill(sh, 0), -1);
	status = helpers_reap_orphan(gc);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/*
 * With a grace: SIGTERM first (a child that goes is not killed), SIGKILL
 * after the grace for one that stays; either way its group goes with it.
 */
static void test_timeout_grace(void **state)
{
	struct child_opts o = { .timeout = 200 * USEC_PER_MSEC,
				.kill_grace = 300 * USEC_PER_MSEC, .output_max = 65536 };
	struct done d;
	int status;
	pid_t gc;

	/* Dies of SIGTERM at once, leaving a grandchild that ignores it. */
	helpers_write_script(dir, "polite", "sh -c 'trap \"\" TERM; exec sleep 30' &\n"
					    "echo $! > \"$(dirname $0)/gc.pid\"\necho up\nsleep 30");
	run(&d, "polite", NULL, o);
	assert_true(d.res.timed_out);
	assert_false(d.res.killed);
	assert_int_equal(d.res.signal, SIGTERM);
	assert_true(d.res.duration >= 200 * USEC_PER_MSEC);
	assert_true(d.res.duration < 200 * USEC_PER_MSEC + 300 * USEC_PER_MSEC);
	assert_string_equal(d.res.output, "up\n");
	/* Its group was swept with SIGKILL once it was gone. */
	gc = read_pid("gc.pid");
	assert_true(gc > 0);
	status = helpers_reap_orphan(gc);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* Ignores SIGTERM: SIGKILL after the grace. */
	helpers_write_script(dir, "stubborn", "trap 'echo TERM' TERM\necho up\n"
					      "while :; do sleep 0.05; done");
	run(&d, "stubborn", NULL, o);
	assert_true(d.res.timed_out);
	assert_true(d.res.killed);
	assert_int_equal(d.res.signal, SIGKILL);
	/* 200 + 300 ms, less a few: sd-event counts a relative time added
	 * outside a dispatch from the loop's last wake-up (the run before). */
	assert_true(d.res.duration >= 450 * USEC_PER_MSEC);
	assert_true(d.res.duration < 3 * USEC_PER_SEC);
	/* (The shell may also say that its sleep was "Terminated".) */
	assert_true(strncmp(d.res.output, "up\n", 3) == 0);
	assert_non_null(strstr(d.res.output, "\nTERM\n"));

	/* A stopped child gets SIGCONT with the SIGTERM, so that it can go. */
	helpers_write_script(dir, "stopped", "kill -STOP $$");
	run(&d, "stopped", NULL, o);
	assert_true(d.res.timed_out);
	assert_false(d.res.killed);
	assert_int_equal(d.res.signal, SIGTERM);
}

/* child_kill(): SIGKILL now, the callback still comes, not a timeout. */
static void test_kill(void **state)
{
	char path[256];
	const char *argv[] = { path, NULL };
	struct child_opts o = { .argv = argv, .timeout = 30 * USEC_PER_SEC };
	struct child *c = NULL;
	struct done d = { .done = false };

	snprintf(path, sizeof(path), "%s/sleeper", dir);
	helpers_write_script(dir, "sleeper", "touch \"$(dirname $0)/up\"; exec sleep 30");
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	helpers_run_until_file(ev, dir, "up", 5 * USEC_PER_SEC);
	assert_int_equal(child_kill(c), 0);
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.res.signal, SIGKILL);
	assert_false(d.res.timed_out);
	assert_false(d.res.killed);

	/* Finished (and not freed yet): nothing to kill. */
	helpers_write_script(dir, "quick", "exit 0");
	snprintf(path, sizeof(path), "%s/quick", dir);
	memset(&d, 0, sizeof(d));
	assert_int_equal(child_start(ev, &o, on_done_keep, &d, &c), 0);
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.res.exit_status, 0);
	assert_false(child_running(c));
	assert_true(child_pid(c) > 0);
	assert_int_equal(child_kill(c), -ESRCH);
	child_free(c);
}

/* A child that ends leaving a grandchild behind ends its run at once. */
static void test_background_child_does_not_hold_run(void **state)
{
	struct done d;
	int status;
	pid_t gc;

	helpers_write_script(dir, "bg", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid\"\necho done");
	run(&d, "bg", NULL, plain);
	assert_int_equal(d.res.exit_status, 0);
	assert_false(d.res.timed_out);
	assert_true(d.res.duration < 2 * USEC_PER_SEC);
	assert_string_equal(d.res.output, "done\n");
	gc = read_pid("gc.pid");
	assert_true(gc > 0);
	assert_int_equal(kill(gc, SIGKILL), 0);
	helpers_reap_orphan(gc);

	/*
	 * A grandchild that never stops writing neither holds the run nor
	 * the loop; once the run is gone it dies of SIGPIPE, which herdd
	 * ignores but children get back at its default.
	 */
	signal(SIGPIPE, SIG_IGN);
	helpers_write_script(dir, "yes", "yes &\necho $! > \"$(dirname $0)/gc.pid\"\nsleep 0.1");
	run(&d, "yes", NULL, plain);
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(d.res.exit_status, 0);
	assert_true(d.res.output_truncated);
	assert_true(d.res.duration < 2 * USEC_PER_SEC);
	status = helpers_reap_orphan(read_pid("gc.pid"));
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
}

/* ---- output, environment, descriptors ----------------------------------- */

static void test_output_truncated(void **state)
{
	struct child_opts o = plain;
	struct done d;

	/* 100000 bytes: the child must not block on a full pipe. */
	helpers_write_script(dir, "loud", "head -c 100000 /dev/zero | tr '\\0' x\necho; echo end >&2");
	o.output_max = 1000;
	run(&d, "loud", NULL, o);
	assert_int_equal(d.res.exit_status, 0);
	assert_int_equal(d.res.output_len, 1000);
	assert_int_equal(strlen(d.res.output), 1000);
	assert_true(d.res.output_truncated);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(d.res.output[i], 'x');

	/* Exactly at the limit is not truncated. */
	helpers_write_script(dir, "exact", "printf 0123456789");
	o.output_max = 10;
	run(&d, "exact", NULL, o);
	assert_string_equal(d.res.output, "0123456789");
	assert_false(d.res.output_truncated);

	/* No limit given: nothing is kept, and that it was cut is said. */
	o.output_max = 0;
	run(&d, "exact", NULL, o);
	assert_int_equal(d.res.exit_status, 0);
	assert_string_equal(d.res.output, "");
	assert_int_equal(d.res.output_len, 0);
	assert_true(d.res.output_truncated);
	helpers_write_script(dir, "quiet", "exit 0");
	run(&d, "quiet", NULL, o);
	assert_false(d.res.output_truncated);
}

/* Exactly the environment given; herdd's own, however bad, never passes. */
static void test_env_as_given(void **state)
{
	static const char *const envp[] = { "HERD_EVENT=monitor", "B=a b\tc", "LANG=C.UTF-8",
					    CHILD_PATH_ENV, NULL };
	struct child_opts o = plain;
	struct done d;

	setenv("LD_PRELOAD", "/nonexistent/evil.so", 1);
	setenv("IFS", "x", 1);
	setenv("HERD_LEAK", "1", 1);
	o.envp = envp;
	run(&d, "/usr/bin/env", NULL, o);
	assert_int_equal(d.res.exit_status, 0);
	assert_string_equal(d.output, "HERD_EVENT=monitor\nB=a b\tc\nLANG=C.UTF-8\n"
				      CHILD_PATH_ENV "\n");

	/* None given: an empty one. */
	o.envp = NULL;
	run(&d, "/usr/bin/env", NULL, o);
	unsetenv("LD_PRELOAD");
	unsetenv("IFS");
	unsetenv("HERD_LEAK");
	assert_int_equal(d.res.exit_status, 0);
	assert_string_equal(d.output, "");
}

/* stdin is /dev/null; nothing of herdd's descriptors is inherited. */
static void test_no_inherited_fds(void **state)
{
	int leak = open("/dev/null", O_RDONLY);         /* no O_CLOEXEC on purpose */
	static const char head[] = "/dev/null\n0\n1\n2\n3\npgid ";
	int p[2];
	struct done d;

	assert_true(leak >= 0);
	assert_int_equal(pipe(p), 0);                   /* nor here */
	helpers_write_script(dir, "fds", "readlink /proc/$$/fd/0\nls /proc/self/fd\n"
					 "echo pgid $(cut -d' ' -f5 /proc/$$/stat) pid $$\n"
					 "echo cwd $(pwd)\necho umask $(umask)");
	run(&d, "fds", NULL, plain);
	close(leak);
	close(p[0]);
	close(p[1]);
	assert_int_equal(d.res.exit_status, 0);
	/* ls lists its own fds: 0, 1, 2 and the directory it opened (3). */
	if (strncmp(d.output, head, sizeof(head) - 1) != 0)
		fail_msg("the child saw other descriptors or another stdin:\n%s", d.output);
	/* The child leads its own process group. */
	{
		long pgid = 0, pid = 0;

		assert_int_equal(sscanf(strstr(d.output, "pgid "), "pgid %ld pid %ld", &pgid, &pid), 2);
		assert_true(pid > 0);
		assert_int_equal(pgid, pid);
		assert_true(pgid != getpgrp());
	}
	assert_non_null(strstr(d.output, "\ncwd /\n"));
	assert_non_null(strstr(d.output, "\numask 0022\n"));
}

/* ---- fork without exec (opts->fn) --------------------------------------- */

/* Run the loop until it has reaped pid (3 s at most). */
static void run_until_reaped(pid_t pid)
{
	usec_t end = now_monotonic() + 3 * USEC_PER_SEC;

	while (!(kill(pid, 0) < 0 && errno == ESRCH)) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
}

/* The grandchild a fn_hang run named went of SIGKILL (we reap it). */
static void assert_gc_killed(const struct done *d)
{
	int gc = 0, status;

	assert_int_equal(sscanf(d->output, "gc %d", &gc), 1);
	assert_true(gc > 0);
	status = helpers_reap_orphan((pid_t)gc);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* printf onto the output pipe with write(2), as a fn should. */
static _printf_(1, 2) void fn_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(STDOUT_FILENO, line, MIN((size_t)n, sizeof(line) - 1)) < 0)
		_exit(99);
}

/* Says what it got and how it was set up, on stdout and stderr; exits 7. */
static int fn_report(void *arg)
{
	struct sigaction sa;
	char cwd[64] = "";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int fd = d ? dirfd(d) : -1;

	fn_say("arg %s\n", (const char *)arg);
	if (write(STDERR_FILENO, "to stderr\n", 10) != 10)
		return 98;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != fd)
			fn_say("fd %s\n", de->d_name);
	if (d)
		closedir(d);
	fn_say("pgid %s\n", getpgrp() == getpid() ? "own" : "shared");
	fn_say("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	sigaction(SIGTERM, NULL, &sa);
	fn_say("SIGTERM %s\n", sa.sa_handler == SIG_DFL ? "default" : "changed");
	return 7;
}

static void test_fn_exit_and_output(void **state)
{
	struct child_opts o = plain;
	struct child *c = NULL;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int leak = open("/dev/null", O_RDONLY);         /* no O_CLOEXEC on purpose */
	struct done d = { .done = false };

	assert_true(leak >= 0);
	/* The parent's dispositions do not pass. */
	assert_int_equal(sigaction(SIGTERM, &ign, &old), 0);
	o.fn = fn_report;
	o.fn_arg = (void *)"in memory";
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	assert_int_equal(sigaction(SIGTERM, &old, NULL), 0);
	close(leak);
	assert_true(child_running(c));
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.res.exec_error, 0);
	assert_int_equal(d.res.exit_status, 7);
	assert_int_equal(d.res.signal, 0);
	assert_false(d.res.timed_out);
	assert_string_equal(d.res.output, "arg in memory\nto stderr\nfd 0\nfd 1\nfd 2\n"
					  "pgid own\ncwd /\nSIGTERM default\n");
}

/* Leaves a grandchild in its group, says its pid and waits for ever. */
static int fn_hang(void *arg)
{
	pid_t gc = fork();

	if (gc == 0) {
		pause();
		_exit(0);
	}
	fn_say("gc %d\n", (int)gc);
	for (;;)
		pause();
	return 0;
}

/* The timeout SIGKILLs the function's whole group. */
static void test_fn_timeout_kills_group(void **state)
{
	struct child_opts o = { .timeout = 300 * USEC_PER_MSEC, .output_max = 65536, .fn = fn_hang };
	struct child *c = NULL;
	struct done d = { .done = false };

	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_killed_at_timeout(&d.res, 300 * USEC_PER_MSEC);
	assert_gc_killed(&d);
}

/* Let a fn_hang child start and say its grandchild's pid: 200 ms of loop. */
static void fn_settle(void)
{
	usec_t end = now_monotonic() + 200 * USEC_PER_MSEC;

	while (now_monotonic() < end)
		assert_true(sd_event_run(ev, 20 * USEC_PER_MSEC) >= 0);
}

/* child_kill() and child_free() on a running fn kill its group too. */
static void test_fn_kill_and_free(void **state)
{
	struct child_opts o = { .timeout = 30 * USEC_PER_SEC, .output_max = 65536, .fn = fn_hang };
	struct child *c = NULL;
	struct done d = { .done = false };
	usec_t end;
	pid_t pid;

	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	fn_settle();
	assert_int_equal(child_kill(c), 0);
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.res.signal, SIGKILL);
	assert_false(d.res.timed_out);
	assert_gc_killed(&d);

	/* Freed while running: the group is killed, the loop reaps, no callback. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	pid = child_pid(c);
	fn_settle();
	child_free(c);
	run_until_reaped(pid);
	assert_false(d.done);
	/* Its grandchild went with the group (the subreaper reaps it). */
	end = now_monotonic() + 3 * USEC_PER_SEC;
	while (kill(-pid, 0) == 0) {
		assert_true(now_monotonic() < end);
		(void)waitpid(-pid, NULL, WNOHANG);
		usleep(10000);
	}
}

/* With fn, argv and envp may be absent. */
static void test_fn_arguments(void **state)
{
	struct child_opts o = { .fn = fn_report, .fn_arg = (void *)"x" };
	struct child *c = NULL;
	struct done d = { .done = false };

	assert_int_equal(child_start(ev, &o, NULL, &d, &c), -EINVAL);
	assert_int_equal(child_start(ev, &o, on_done, &d, NULL), -EINVAL);
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	helpers_run_until(ev, &d.done, 5 * USEC_PER_SEC);
	assert_int_equal(d.res.exit_status, 7);
	/* No output kept (output_max 0), still drained. */
	assert_string_equal(d.res.output, "");
	assert_true(d.res.output_truncated);
}

/* ---- free, parent death ------------------------------------------------- */

/* Freeing a running child kills its group; the loop still reaps it. */
static void test_free_while_running(void **state)
{
	char path[256];
	const char *argv[] = { path, NULL };
	struct child_opts o = { .argv = argv, .timeout = 30 * USEC_PER_SEC };
	struct child *c = NULL;
	struct done d = { .done = false };
	pid_t pid, gc;

	snprintf(path, sizeof(path), "%s/sleeper", dir);
	helpers_write_script(dir, "sleeper", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid.tmp\"\n"
					     "mv \"$(dirname $0)/gc.pid.tmp\" \"$(dirname $0)/gc.pid\"\nwait");
	assert_int_equal(child_start(ev, &o, on_done, &d, &c), 0);
	pid = child_pid(c);
	helpers_run_until_file(ev, dir, "gc.pid", 5 * USEC_PER_SEC);
	gc = read_pid("gc.pid");
	child_free(c);
	/* The leader is reaped by the loop (no zombie left), with no callback. */
	run_until_reaped(pid);
	assert_false(d.done);
	helpers_reap_orphan(gc);
	child_free(NULL);
}

/* When herdd dies, its children die with it (PR_SET_PDEATHSIG). */
static void test_parent_death(void **state)
{
	pid_t mid, sh;
	int status;

	helpers_write_script(dir, "orphan", "echo $$ > \"$(dirname $0)/sh.pid.tmp\"\n"
					    "mv \"$(dirname $0)/sh.pid.tmp\" \"$(dirname $0)/sh.pid\"\n"
					    "exec sleep 30");
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		/* A stand-in herdd: start a child, then wait to be killed. */
		char path[256];
		const char *argv[] = { path, NULL };
		struct child_opts o = { .argv = argv, .timeout = 60 * USEC_PER_SEC };
		struct child *c = NULL;
		struct done d;
		sd_event *e2 = NULL;

		snprintf(path, sizeof(path), "%s/orphan", dir);
		if (sd_event_new(&e2) < 0 || child_start(e2, &o, on_done, &d, &c) < 0)
			_exit(1);
		for (;;)
			sd_event_run(e2, UINT64_MAX);
	}
	helpers_run_until_file(ev, dir, "sh.pid", 5 * USEC_PER_SEC);
	sh = read_pid("sh.pid");
	assert_true(sh > 0);
	assert_int_equal(kill(mid, SIGKILL), 0);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	status = helpers_reap_orphan(sh);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* ---- pure --------------------------------------------------------------- */

static void test_env_name_ok(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
		{ "HERD_PNN", true }, { "CTDB_BASE", true }, { "_x9", true }, { "a", true },
		{ "", false }, { "9LIVES", false }, { "A-B", false }, { "A B", false },
		{ "LD_PRELOAD", false }, { "LD_LIBRARY_PATH", false }, { "IFS", false },
		{ "PATH", false }, { "ENV", false }, { "BASH_ENV", false }, { "MALLOC_CHECK_", false },
		{ "GLIBC_TUNABLES", false }, { "SHELLOPTS", false }, { "PS4", false },
		{ "IFS2", true }, { "LD", true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (child_env_name_ok(names[i].name, strlen(names[i].name)) != names[i].ok)
			fail_msg("child_env_name_ok(\"%s\") should be %d", names[i].name,
				 names[i].ok);
	/* The length counts, not the NUL: "PATH=/x" up to the '='. */
	assert_false(child_env_name_ok("PATH=/x", 4));
	assert_true(child_env_name_ok("HERD_PNN=3", 8));
}

static void test_outcome_format(void **state)
{
	static const struct {
		struct child_result res;
		const char *timeout_text;
		const char *expected;
	} cases[] = {
		{ { .exit_status = 0 }, "", "exit 0" },
		{ { .exit_status = 3 }, "", "exit 3" },
		{ { .exit_status = -1, .signal = SIGSEGV }, "", "killed by SIGSEGV" },
		{ { .exit_status = -1, .signal = SIGKILL, .timed_out = true, .killed = true }, "300ms",
		  "timed out after 300ms" },
		{ { .exit_status = -1, .signal = SIGTERM, .timed_out = true }, "30s, asked",
		  "timed out after 30s, asked" },
		{ { .exit_status = 127, .exec_error = -ENOENT }, "",
		  "cannot execute: No such file or directory" },
		{ { .exit_status = 127, .exec_error = -EACCES, .timed_out = true }, "1s",
		  "cannot execute: Permission denied" },
	};
	char buf[128], small[8];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(child_outcome_format(buf, sizeof(buf), &cases[i].res,
							 cases[i].timeout_text),
				    cases[i].expected);
	/* Cut to the buffer, always terminated. */
	assert_string_equal(child_outcome_format(small, sizeof(small), &cases[5].res, ""),
			    "cannot ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_background_child_does_not_hold_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_as_given, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_inherited_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_exit_and_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_kill_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fn_arguments, setup, teardown),
		cmocka_unit_test(test_env_name_ok),
		cmocka_unit_test(test_outcome_format),
	};

	if (helpers_child_setup() < 0 || helpers_init("test_child") < 0)
		return 1;
	return cmocka_run_group_tests_name("child", tests, NULL, NULL);
}
