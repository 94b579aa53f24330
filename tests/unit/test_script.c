/*
 * test_script.c — the script runner (collectors/script.c) and the events.d
 * interface (collectors/eventscripts.c) with real /bin/sh scripts on a real
 * sd-event loop.
 *
 * Each test writes its scripts into a fresh temporary directory, which is
 * removed after every test and, whatever happens, at exit. The test process
 * is a child subreaper, so a grandchild that outlives its script comes back
 * to it and the test can see how it died.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "collectors/eventscripts.h"
#include "collectors/script.h"

static char topdir[64];                 /* removed at exit */
static char dir[128];                   /* this test's directory */
static sd_event *ev;

/* ---- helpers ------------------------------------------------------------ */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? 0 : 0;
}

static void rm_tree(const char *path)
{
	if (path[0])
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup_at_exit(void)
{
	rm_tree(topdir);
}

/* abort() and signals skip atexit: clean up, then die of the same signal. */
static void cleanup_on_signal(int sig)
{
	rm_tree(topdir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Write dir/name with text; mode 0755 or 0644. */
static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void write_script(const char *name, const char *body)
{
	char text[4096];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	write_file(name, text, 0755);
}

/* The contents of dir/name (static buffer), "" when missing. */
static const char *read_file(const char *name)
{
	static char buf[8192];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static pid_t read_pid(const char *name)
{
	return (pid_t)atoi(read_file(name));
}

/* Run the loop until *flag or the deadline; fail at the deadline. */
static void run_until(const bool *flag, usec_t max)
{
	usec_t end = now_monotonic() + max;

	while (!*flag) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 20 * USEC_PER_MSEC) >= 0);
	}
}

/* Run the loop until dir/name exists. */
static void run_until_file(const char *name, usec_t max)
{
	usec_t end = now_monotonic() + max;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	while (access(path, F_OK) < 0) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
}

/* Wait (reaping it, we are its subreaper) until pid is gone; its status. */
static int reap_orphan(pid_t pid)
{
	usec_t end = now_monotonic() + 3 * USEC_PER_SEC;
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		/* Not ours (reaped by someone else): gone is gone. */
		if (r < 0 && kill(pid, 0) < 0 && errno == ESRCH)
			return -1;
		assert_true(now_monotonic() < end);
		usleep(10000);
	}
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	return status;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "%s/t.XXXXXX", topdir);
	if (!mkdtemp(dir))
		return -1;
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	ev = sd_event_unref(ev);
	rm_tree(dir);
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

/* ---- the runner --------------------------------------------------------- */

static void test_success(void **state)
{
	static const char *const args[] = { "monitor", "extra arg", NULL };
	struct done d;

	write_script("ok", "echo \"$(basename $0) [$1] [$2] $#\"");
	run_script(&d, "ok", args, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exec_error, 0);
	assert_int_equal(d.res.exit_status, 0);
	assert_int_equal(d.res.signal, 0);
	assert_false(d.res.timed_out);
	assert_false(d.res.output_truncated);
	assert_string_equal(d.res.output, "ok [monitor] [extra arg] 2\n");
	assert_int_equal(d.res.output_len, strlen(d.res.output));
	assert_true(d.res.duration > 0 && d.res.duration < 5 * USEC_PER_SEC);
	assert_true(d.res.start_wall > UINT64_C(1700000000) * USEC_PER_SEC);
}

static void test_failure(void **state)
{
	char buf[128];
	struct done d;

	write_script("fail", "echo to stdout; echo to stderr >&2; exit 3");
	run_script(&d, "fail", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exit_status, 3);
	assert_int_equal(d.res.signal, 0);
	assert_string_equal(d.res.output, "to stdout\nto stderr\n");
	assert_string_equal(script_outcome_format(buf, sizeof(buf), &d.res, 0), "exit 3");

	write_script("segv", "kill -SEGV $$");
	run_script(&d, "segv", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exit_status, -1);
	assert_int_equal(d.res.signal, SIGSEGV);
	assert_false(d.res.timed_out);
	assert_string_equal(script_outcome_format(buf, sizeof(buf), &d.res, 0), "killed by SIGSEGV");
}

static void test_exec_failure(void **state)
{
	char buf[128];
	struct done d;

	run_script(&d, "missing", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exec_error, -ENOENT);
	assert_int_equal(d.res.exit_status, SCRIPT_EXIT_EXEC_FAILED);
	assert_string_equal(script_outcome_format(buf, sizeof(buf), &d.res, 0),
			    "cannot execute: No such file or directory");

	write_file("noexec", "#!/bin/sh\nexit 0\n", 0644);
	run_script(&d, "noexec", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exec_error, -EACCES);
}

/* The timeout kills the script and the grandchild it left in the background. */
static void test_timeout_kills_group(void **state)
{
	char buf[128];
	struct done d;
	pid_t gc, sh;
	int status;

	write_script("hang", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid\"\n"
			     "echo $$ > \"$(dirname $0)/sh.pid\"\necho started\nwait");
	run_script(&d, "hang", NULL, NULL, 300 * USEC_PER_MSEC, 0);
	assert_true(d.res.timed_out);
	assert_int_equal(d.res.signal, SIGKILL);
	assert_int_equal(d.res.exit_status, -1);
	assert_true(d.res.duration >= 300 * USEC_PER_MSEC);
	assert_true(d.res.duration < 3 * USEC_PER_SEC);
	assert_string_equal(d.res.output, "started\n");
	assert_string_equal(script_outcome_format(buf, sizeof(buf), &d.res, 300 * USEC_PER_MSEC),
			    "timed out after 300ms");
	/* The script was reaped by the loop; the grandchild died of SIGKILL too. */
	sh = read_pid("sh.pid");
	gc = read_pid("gc.pid");
	assert_true(sh > 0 && gc > 0);
	assert_int_equal(kill(sh, 0), -1);
	status = reap_orphan(gc);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A script that ends leaving a grandchild behind ends its run at once. */
static void test_background_child_does_not_hold_run(void **state)
{
	struct done d;
	int status;
	pid_t gc;

	write_script("bg", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid\"\necho done");
	run_script(&d, "bg", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.exit_status, 0);
	assert_false(d.res.timed_out);
	assert_true(d.res.duration < 2 * USEC_PER_SEC);
	assert_string_equal(d.res.output, "done\n");
	gc = read_pid("gc.pid");
	assert_true(gc > 0);
	assert_int_equal(kill(gc, SIGKILL), 0);
	reap_orphan(gc);

	/*
	 * A grandchild that never stops writing neither holds the run nor
	 * the loop; once the run is gone it dies of SIGPIPE, which herdd
	 * ignores but scripts get back at its default.
	 */
	signal(SIGPIPE, SIG_IGN);
	write_script("yes", "yes &\necho $! > \"$(dirname $0)/gc.pid\"\nsleep 0.1");
	run_script(&d, "yes", NULL, NULL, 5 * USEC_PER_SEC, 0);
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(d.res.exit_status, 0);
	assert_true(d.res.output_truncated);
	assert_true(d.res.duration < 2 * USEC_PER_SEC);
	status = reap_orphan(read_pid("gc.pid"));
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
}

static void test_output_truncated(void **state)
{
	struct done d;

	/* 100000 bytes: the script must not block on a full pipe. */
	write_script("loud", "head -c 100000 /dev/zero | tr '\\0' x\necho; echo end >&2");
	run_script(&d, "loud", NULL, NULL, 5 * USEC_PER_SEC, 1000);
	assert_int_equal(d.res.exit_status, 0);
	assert_int_equal(d.res.output_len, 1000);
	assert_int_equal(strlen(d.res.output), 1000);
	assert_true(d.res.output_truncated);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(d.res.output[i], 'x');

	/* The default limit is 64 KiB. */
	run_script(&d, "loud", NULL, NULL, 5 * USEC_PER_SEC, 0);
	assert_int_equal(d.res.output_len, SCRIPT_OUTPUT_MAX_DEFAULT);
	assert_true(d.res.output_truncated);

	/* Exactly at the limit is not truncated. */
	write_script("exact", "printf 0123456789");
	run_script(&d, "exact", NULL, NULL, 5 * USEC_PER_SEC, 10);
	assert_string_equal(d.res.output, "0123456789");
	assert_false(d.res.output_truncated);
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
	static const char *const bad_env[][2] = {
		{ "LD_PRELOAD=/x.so", NULL }, { "IFS=/", NULL }, { "NOEQUALS", NULL },
		{ "=value", NULL }, { "PATH=/tmp", NULL },
	};
	const char *argv[] = { "/bin/true", NULL };
	struct script_run *run = NULL;
	struct done d;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (script_env_name_ok(names[i].name, strlen(names[i].name)) != names[i].ok)
			fail_msg("script_env_name_ok(\"%s\") should be %d", names[i].name,
				 names[i].ok);
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

/* stdin is /dev/null; nothing of herdd's descriptors is inherited. */
static void test_no_inherited_fds(void **state)
{
	int leak = open("/dev/null", O_RDONLY);         /* no O_CLOEXEC on purpose */
	static const char head[] = "/dev/null\n0\n1\n2\n3\npgid ";
	int p[2];
	struct done d;

	assert_true(leak >= 0);
	assert_int_equal(pipe(p), 0);                   /* nor here */
	write_script("fds", "readlink /proc/$$/fd/0\nls /proc/self/fd\n"
			    "echo pgid $(cut -d' ' -f5 /proc/$$/stat) pid $$\n"
			    "echo cwd $(pwd)");
	run_script(&d, "fds", NULL, NULL, 5 * USEC_PER_SEC, 0);
	close(leak);
	close(p[0]);
	close(p[1]);
	assert_int_equal(d.res.exit_status, 0);
	/* ls lists its own fds: 0, 1, 2 and the directory it opened (3). */
	if (strncmp(d.output, head, sizeof(head) - 1) != 0)
		fail_msg("the script saw other descriptors or another stdin:\n%s", d.output);
	/* The script leads its own process group. */
	{
		long pgid = 0, pid = 0;

		assert_int_equal(sscanf(strstr(d.output, "pgid "), "pgid %ld pid %ld", &pgid, &pid), 2);
		assert_true(pid > 0);
		assert_int_equal(pgid, pid);
		assert_true(pgid != getpgrp());
	}
	assert_non_null(strstr(d.output, "\ncwd /\n"));
}

/* Freeing a running script kills its group; the loop still reaps it. */
static void test_free_while_running(void **state)
{
	char path[256];
	const char *argv[] = { path, NULL };
	struct script_opts o = { .argv = argv, .timeout = 30 * USEC_PER_SEC };
	struct script_run *run = NULL;
	struct done d = { .done = false };
	usec_t end;
	pid_t pid, gc;

	snprintf(path, sizeof(path), "%s/sleeper", dir);
	write_script("sleeper", "sleep 30 &\necho $! > \"$(dirname $0)/gc.pid.tmp\"\n"
				"mv \"$(dirname $0)/gc.pid.tmp\" \"$(dirname $0)/gc.pid\"\nwait");
	assert_int_equal(script_run_start(ev, &o, on_done, &d, &run), 0);
	pid = script_run_pid(run);
	run_until_file("gc.pid", 5 * USEC_PER_SEC);
	gc = read_pid("gc.pid");
	script_run_free(run);
	/* The leader is reaped by the loop (no zombie left), with no callback. */
	end = now_monotonic() + 3 * USEC_PER_SEC;
	while (!(kill(pid, 0) < 0 && errno == ESRCH)) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(ev, 10 * USEC_PER_MSEC) >= 0);
	}
	assert_false(d.done);
	reap_orphan(gc);
	script_run_free(NULL);
}

/* When herdd dies, its scripts die with it (PR_SET_PDEATHSIG). */
static void test_parent_death(void **state)
{
	pid_t mid, sh;
	int status;

	write_script("orphan", "echo $$ > \"$(dirname $0)/sh.pid.tmp\"\n"
			       "mv \"$(dirname $0)/sh.pid.tmp\" \"$(dirname $0)/sh.pid\"\n"
			       "exec sleep 30");
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		/* A stand-in herdd: start a script, then wait to be killed. */
		char path[256];
		const char *argv[] = { path, NULL };
		struct script_opts o = { .argv = argv, .timeout = 60 * USEC_PER_SEC };
		struct script_run *run = NULL;
		struct done d;
		sd_event *e2 = NULL;

		snprintf(path, sizeof(path), "%s/orphan", dir);
		if (sd_event_new(&e2) < 0 || script_run_start(e2, &o, on_done, &d, &run) < 0)
			_exit(1);
		for (;;)
			sd_event_run(e2, UINT64_MAX);
	}
	run_until_file("sh.pid", 5 * USEC_PER_SEC);
	sh = read_pid("sh.pid");
	assert_true(sh > 0);
	assert_int_equal(kill(mid, SIGKILL), 0);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	status = reap_orphan(sh);
	if (status != -1)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
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
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_background_child_does_not_hold_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_scrubbed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_inherited_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_death, setup, teardown),
		cmocka_unit_test(test_name_ignored),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_timeout_and_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_missing_dir_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_cancel_reconfigure, setup, teardown),
	};
	static const int fatal[] = { SIGABRT, SIGINT, SIGTERM, SIGHUP };
	sigset_t mask;

	/* sd_event_add_child needs SIGCHLD blocked, as herdd has it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	snprintf(topdir, sizeof(topdir), "/tmp/test_script.XXXXXX");
	if (!mkdtemp(topdir))
		return 1;
	atexit(cleanup_at_exit);
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		signal(fatal[i], cleanup_on_signal);
	return cmocka_run_group_tests_name("script", tests, NULL, NULL);
}
