/*
 * helpers.c — temporary directories, files, scripts, the loop and orphans
 * for the unit tests that run real scripts (helpers.h).
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

#include "tests/unit/helpers.h"

static char topdir[64];                 /* removed at exit */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)remove(path);
	return 0;
}

void helpers_rm_tree(const char *path)
{
	if (path[0])
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup_at_exit(void)
{
	helpers_rm_tree(topdir);
}

/* abort() and signals skip atexit: clean up, then die of the same signal. */
static void cleanup_on_signal(int sig)
{
	helpers_rm_tree(topdir);
	signal(sig, SIG_DFL);
	raise(sig);
}

int helpers_init(const char *name)
{
	static const int fatal[] = { SIGABRT, SIGINT, SIGTERM, SIGHUP };

	snprintf(topdir, sizeof(topdir), "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(topdir)) {
		topdir[0] = '\0';
		return -1;
	}
	atexit(cleanup_at_exit);
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		signal(fatal[i], cleanup_on_signal);
	return 0;
}

int helpers_test_dir(char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/t.XXXXXX", topdir) >= len)
		return -1;
	return mkdtemp(buf) ? 0 : -1;
}

int helpers_child_setup(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -1;
	return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -1 : 0;
}

void helpers_write_path(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

void helpers_write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	helpers_write_path(path, text, mode);
}

void helpers_write_script(const char *dir, const char *name, const char *body)
{
	char text[4096];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	helpers_write_file(dir, name, text, 0755);
}

const char *helpers_read_file(const char *dir, const char *name)
{
	static char buf[16384];
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

void helpers_run_until(sd_event *e, const bool *flag, usec_t max)
{
	usec_t end = now_monotonic() + max;

	while (!*flag) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(e, 20 * USEC_PER_MSEC) >= 0);
	}
}

void helpers_run_until_file(sd_event *e, const char *dir, const char *name, usec_t max)
{
	usec_t end = now_monotonic() + max;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	while (access(path, F_OK) < 0) {
		assert_true(now_monotonic() < end);
		assert_true(sd_event_run(e, 10 * USEC_PER_MSEC) >= 0);
	}
}

int helpers_reap_orphan(pid_t pid)
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

void helpers_end_loop(sd_event **e, const char *dir)
{
	for (int i = 0; i < 5; i++)
		sd_event_run(*e, 5 * USEC_PER_MSEC);
	*e = sd_event_unref(*e);
	helpers_rm_tree(dir);
}
