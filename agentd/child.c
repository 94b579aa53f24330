/*
 * child.c — run one executable under herd's child-process contract.
 *
 * Everything that could block happens in the child: herdd forks, the child
 * puts itself in a new process group, asks for SIGKILL when herdd dies,
 * resets its signals, wires stdin to /dev/null and stdout/stderr to one
 * pipe, closes every other descriptor and execs with the environment the
 * caller built before the fork. herdd reads the pipe from the event loop
 * into a bounded buffer, arms a timer that sends SIGKILL (or SIGTERM, then
 * SIGKILL after a grace) to the whole group, and learns the end from a
 * child source (sd-event uses a pidfd). A failed exec is reported through a
 * close-on-exec pipe that is read only once the child is gone, so nothing
 * here ever waits.
 *
 * A run ends when its process has been reaped, not when the output pipe
 * closes: a grandchild left running in the background keeps the pipe open
 * and must not keep the run going (output it writes afterwards is lost).
 * After a timeout the group is swept with SIGKILL from the exit callback,
 * where sd-event has not reaped the leader yet: its pid, the group's id,
 * cannot have been reused.
 *
 * With opts->fn the child does not exec: after the same set-up (with 3,
 * the exec-error pipe, closed last) it calls fn(fn_arg) and _exit()s with
 * what fn returns. That is how notify.d/mailsend.c runs libesmtp, whose
 * configuration is in memory: the same group, timeout, output and reaping,
 * no program to exec.
 */
#include "agentd/child.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The first allocation of the output buffer; it doubles up to the limit. */
#define OUTPUT_CHUNK 4096
/* Reads per wake-up of the output source, and to drain the pipe at the end. */
#define READS_PER_WAKEUP 16
#define READS_AT_EXIT 64
/* Timer slack: enough to coalesce wake-ups, small next to any timeout. */
#define TIMER_ACCURACY (10 * USEC_PER_MSEC)

struct child {
	sd_event *event;
	sd_event_source *child_src, *io_src, *timer_src;
	pid_t pid;
	int out_fd;                     /* read end of stdout+stderr */
	int err_fd;                     /* read end of the exec-error pipe */
	usec_t kill_grace;
	usec_t start_wall, start_mono;
	char *buf;
	size_t len, cap, max;
	bool truncated, timed_out, killed, running;
	child_done_fn done;
	void *userdata;
};

/* Variables that change how ld.so, libc or a shell run a program. */
static const char *const env_refused[] = {
	"PATH", "IFS", "ENV", "BASH_ENV", "CDPATH", "SHELLOPTS", "BASHOPTS", "PS4",
	"GLOBIGNORE", "POSIXLY_CORRECT", "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES",
	"LOCALDOMAIN", "LOCPATH", "NLSPATH", "RES_OPTIONS", "RESOLV_HOST_CONF",
	"GLIBC_TUNABLES", "NIS_PATH", "PYTHONPATH", "PERL5LIB",
	"PERL5OPT", "PYTHONSTARTUP", "PYTHONHOME", "RUBYLIB", "RUBYOPT",
};

bool child_env_name_ok(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	if (len >= 3 && strncmp(name, "LD_", 3) == 0)
		return false;
	if (len >= 7 && strncmp(name, "MALLOC_", 7) == 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(env_refused); i++)
		if (strlen(env_refused[i]) == len && strncmp(env_refused[i], name, len) == 0)
			return false;
	return true;
}

char *child_outcome_format(char *buf, size_t len, const struct child_result *res,
			   const char *timeout_text)
{
	if (res->exec_error)
		snprintf(buf, len, "cannot execute: %s", strerror(-res->exec_error));
	else if (res->timed_out)
		snprintf(buf, len, "timed out after %s", timeout_text);
	else if (res->signal)
		snprintf(buf, len, "killed by SIG%s",
			 sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?");
	else
		snprintf(buf, len, "exit %d", res->exit_status);
	return buf;
}

pid_t child_pid(const struct child *c)
{
	return c ? c->pid : -1;
}

bool child_running(const struct child *c)
{
	return c && c->running;
}

/* ---- the child ---------------------------------------------------------- */

/* What the child needs, all prepared before the fork (no malloc after it). */
struct exec_plan {
	char *const *argv;
	char *const *envp;
	int (*fn)(void *arg);           /* set: call it instead of the exec */
	void *fn_arg;
	pid_t parent;
	int null_fd, out_fd, err_fd;
};

/* Report errno on the exec-error pipe and give up. Async-signal-safe. */
static _noreturn_ void exec_fail(int err_fd)
{
	int e = errno;
	ssize_t n _unused_ = write(err_fd, &e, sizeof(e));

	_exit(CHILD_EXIT_EXEC_FAILED);
}

/* Close every descriptor from `from` up, the kernel's way or one by one. */
static void close_from(int from)
{
	struct rlimit rl;
	rlim_t max = 65536;

	if (close_range((unsigned)from, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = rl.rlim_cur;
	for (rlim_t fd = (rlim_t)from; fd < max; fd++)
		close((int)fd);
}

/*
 * Only async-signal-safe calls from here on (herdd may have threads one
 * day), up to the exec or to fn, which is the caller's business.
 */
static _noreturn_ void exec_child(const struct exec_plan *p)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int null_fd, out_fd, err_fd = p->err_fd;
	sigset_t none;

	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		exec_fail(err_fd);
	if (setpgid(0, 0) < 0)
		exec_fail(err_fd);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		exec_fail(err_fd);
	/* herdd died between fork and prctl: nobody would kill us later. */
	if (getppid() != p->parent)
		_exit(CHILD_EXIT_EXEC_FAILED);

	/* Lift the three above 3 first, so that dup2 onto 0..3 clobbers none. */
	null_fd = fcntl(p->null_fd, F_DUPFD_CLOEXEC, 4);
	out_fd = fcntl(p->out_fd, F_DUPFD_CLOEXEC, 4);
	err_fd = fcntl(p->err_fd, F_DUPFD_CLOEXEC, 4);
	if (null_fd < 0 || out_fd < 0 || err_fd < 0)
		exec_fail(err_fd < 0 ? p->err_fd : err_fd);
	if (dup3(err_fd, 3, O_CLOEXEC) < 0)
		exec_fail(err_fd);
	err_fd = 3;
	if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		exec_fail(err_fd);
	/* 3 is close-on-exec: the program starts with 0, 1 and 2 only. */
	close_from(4);
	if (chdir("/") < 0)
		exec_fail(err_fd);
	umask(022);
	if (p->fn) {
		/* No exec to close 3: fn starts with 0, 1 and 2 only too. */
		close(err_fd);
		_exit(p->fn(p->fn_arg));
	}
	execve(p->argv[0], p->argv, p->envp);
	exec_fail(err_fd);
}

/* ---- the parent --------------------------------------------------------- */

/*
 * Read what the pipe holds now, at most `reads` reads (a grandchild that
 * keeps writing must not keep the loop here). Returns true at end of file.
 */
static bool read_output(struct child *c, unsigned reads)
{
	char scratch[4096];

	while (reads-- > 0) {
		char *dst = scratch;
		size_t room = sizeof(scratch);
		ssize_t n;

		if (c->len < c->max) {
			if (c->len == c->cap) {
				size_t cap = c->cap ? MIN(c->cap * 2, c->max)
						    : MIN((size_t)OUTPUT_CHUNK, c->max);
				char *b = realloc(c->buf, cap + 1);

				if (b) {
					c->buf = b;
					c->cap = cap;
				}
			}
			if (c->len < c->cap) {
				dst = c->buf + c->len;
				room = c->cap - c->len;
			}
		}
		n = read(c->out_fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno != EAGAIN;
		if (n == 0)
			return true;
		if (dst == scratch)
			c->truncated = true;
		else
			c->len += (size_t)n;
	}
	return false;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct child *c = userdata;

	if (read_output(c, READS_PER_WAKEUP))
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct child *c = userdata;

	if (!c->running)
		return 0;
	if (c->timed_out || c->kill_grace == 0) {
		c->timed_out = true;
		c->killed = true;
		(void)kill(-c->pid, SIGKILL);
		return 0;
	}
	/* First SIGTERM, so that the child may clean up; SIGKILL after the grace. */
	c->timed_out = true;
	(void)kill(-c->pid, SIGTERM);
	(void)kill(-c->pid, SIGCONT);
	if (sd_event_source_set_time_relative(s, c->kill_grace) < 0 ||
	    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0) {
		c->killed = true;
		(void)kill(-c->pid, SIGKILL);
	}
	return 0;
}

/*
 * A child whose run was freed while it still ran has been killed; the loop
 * owned its source (floating) until now. Taking the source back from the
 * loop drops its last reference: sd-event frees it after this dispatch,
 * having reaped the child.
 */
static int on_orphan_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	sd_event_source_set_floating(s, false);
	return 0;
}

static int on_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct child *c = userdata;
	struct child_result res = { .exit_status = -1 };
	int e = 0;

	if (!userdata)
		return on_orphan_exit(s, si, userdata);
	c->running = false;
	res.duration = now_monotonic() - c->start_mono;
	res.start_wall = c->start_wall;
	/* A timed-out child's helpers go with it (the leader is still a
	 * zombie here: the group id is not free for reuse). */
	if (c->timed_out)
		(void)kill(-c->pid, SIGKILL);
	/* Whatever the child wrote is in the pipe (64 KiB at most) by now. */
	read_output(c, READS_AT_EXIT);
	sd_event_source_set_enabled(c->io_src, SD_EVENT_OFF);
	if (c->timer_src)
		sd_event_source_set_enabled(c->timer_src, SD_EVENT_OFF);
	if (read(c->err_fd, &e, sizeof(e)) == (ssize_t)sizeof(e) && e > 0)
		res.exec_error = -e;
	if (si->si_code == CLD_EXITED)
		res.exit_status = si->si_status;
	else
		res.signal = si->si_status;
	res.timed_out = c->timed_out;
	res.killed = c->killed;
	if (!c->buf)
		c->buf = calloc(1, 1);
	if (c->buf)
		c->buf[c->len] = '\0';
	res.output = c->buf ? c->buf : "";
	res.output_len = c->buf ? c->len : 0;
	res.output_truncated = c->truncated;
	/* Last: the callback may free c. */
	c->done(c, &res, c->userdata);
	return 0;
}

int child_kill(struct child *c)
{
	if (!c || !c->running)
		return -ESRCH;
	return kill(-c->pid, SIGKILL) < 0 ? -errno : 0;
}

void child_free(struct child *c)
{
	if (!c)
		return;
	if (c->running && c->child_src) {
		/* Kill the group now; the loop reaps the leader when it goes. */
		(void)kill(-c->pid, SIGKILL);
		sd_event_source_set_userdata(c->child_src, NULL);
		if (sd_event_source_set_floating(c->child_src, true) < 0)
			sd_event_source_set_child_process_own(c->child_src, true);
	}
	sd_event_source_unref(c->child_src);
	sd_event_source_disable_unref(c->io_src);
	sd_event_source_disable_unref(c->timer_src);
	closep(&c->out_fd);
	closep(&c->err_fd);
	sd_event_unref(c->event);
	free(c->buf);
	free(c);
}

int child_start(sd_event *e, const struct child_opts *opts, child_done_fn done, void *userdata,
		struct child **out)
{
	static char *const no_env[] = { NULL };
	int out_pipe[2] = { -EBADF, -EBADF }, err_pipe[2] = { -EBADF, -EBADF };
	int null_fd = -EBADF;
	struct exec_plan plan;
	struct child *c;
	pid_t pid;
	int r;

	if (!e || !opts || (!opts->fn && (!opts->argv || !opts->argv[0])) || !done || !out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->out_fd = c->err_fd = -EBADF;
	c->event = sd_event_ref(e);
	c->max = opts->output_max;
	c->kill_grace = opts->kill_grace;
	c->done = done;
	c->userdata = userdata;

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	/* Non-blocking on herdd's side only: the child writes as it likes. */
	if (fcntl(out_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
	plan = (struct exec_plan){
		.argv = (char *const *)opts->argv,
		.envp = opts->envp ? (char *const *)opts->envp : no_env,
		.fn = opts->fn, .fn_arg = opts->fn_arg,
		.parent = getpid(),
		.null_fd = null_fd, .out_fd = out_pipe[1], .err_fd = err_pipe[1],
	};
	c->start_wall = now_realtime();
	c->start_mono = now_monotonic();
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0)
		exec_child(&plan);

	/* Both sides set the group, so a kill(-pid) right away finds it. */
	(void)setpgid(pid, pid);
	c->pid = pid;
	c->running = true;
	c->out_fd = TAKE_FD(out_pipe[0]);
	c->err_fd = TAKE_FD(err_pipe[0]);
	closep(&out_pipe[1]);
	closep(&err_pipe[1]);
	closep(&null_fd);

	r = sd_event_add_child(e, &c->child_src, pid, WEXITED, on_child_exit, c);
	if (r < 0)
		goto fail_child;
	r = sd_event_add_io(e, &c->io_src, c->out_fd, EPOLLIN, on_output, c);
	if (r < 0)
		goto fail_child;
	/* Read output before noticing the exit, so little is left to drain. */
	(void)sd_event_source_set_priority(c->io_src, SD_EVENT_PRIORITY_NORMAL - 1);
	if (opts->timeout) {
		r = sd_event_add_time_relative(e, &c->timer_src, CLOCK_MONOTONIC, opts->timeout,
					       TIMER_ACCURACY, on_timer, c);
		if (r < 0)
			goto fail_child;
	}
	*out = c;
	return 0;

fail_child:
	/* No source may ever reap it: kill and reap here (it dies at once). */
	(void)kill(-pid, SIGKILL);
	if (!c->child_src)
		(void)waitpid(pid, NULL, 0);
	c->running = c->child_src != NULL;
fail:
	closep(&null_fd);
	closep(&out_pipe[0]);
	closep(&out_pipe[1]);
	closep(&err_pipe[0]);
	closep(&err_pipe[1]);
	child_free(c);
	return r;
}
