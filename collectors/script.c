/*
 * script.c — run one executable under herd's child-process contract.
 *
 * Everything that could block happens in the child: herdd forks, the child
 * puts itself in a new process group, asks for SIGKILL when herdd dies,
 * resets its signals, wires stdin to /dev/null and stdout/stderr to one
 * pipe, closes every other descriptor and execs with an environment built
 * (before the fork) from PATH and the caller's variables only. herdd reads
 * the pipe from the event loop into a bounded buffer, arms a timer that
 * SIGKILLs the whole group, and learns the end from a child source
 * (sd-event uses a pidfd). A failed exec is reported through a close-on-exec
 * pipe that is read only once the child is gone, so nothing here ever waits.
 *
 * A run ends when its process has been reaped, not when the output pipe
 * closes: a grandchild left running in the background keeps the pipe open,
 * and must not keep the run going. Output it writes afterwards is lost.
 */
#include "collectors/script.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "conf/value.h"

/* The first allocation of the output buffer; it doubles up to the limit. */
#define OUTPUT_CHUNK 4096
/* Reads per wake-up of the output source, and to drain the pipe at the end. */
#define READS_PER_WAKEUP 16
#define READS_AT_EXIT 64
/* Timer slack for the timeout: enough to coalesce wake-ups, small next to it. */
#define TIMEOUT_ACCURACY (10 * USEC_PER_MSEC)

struct script_run {
	sd_event *event;
	sd_event_source *child_src, *io_src, *timer_src;
	pid_t pid;
	int out_fd;                     /* read end of stdout+stderr */
	int err_fd;                     /* read end of the exec-error pipe */
	usec_t timeout;
	usec_t start_wall, start_mono;
	char *buf;
	size_t len, cap, max;
	bool truncated, timed_out, running;
	script_done_fn done;
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

bool script_env_name_ok(const char *name, size_t len)
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

char *script_outcome_format(char *buf, size_t len, const struct script_result *res,
			    usec_t timeout)
{
	char d[VALUE_DURATION_MAX];

	if (res->exec_error)
		snprintf(buf, len, "cannot execute: %s", strerror(-res->exec_error));
	else if (res->timed_out)
		snprintf(buf, len, "timed out after %s", value_format_duration(d, sizeof(d), timeout));
	else if (res->signal)
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(res->signal) ?
			 sigabbrev_np(res->signal) : "?");
	else
		snprintf(buf, len, "exit %d", res->exit_status);
	return buf;
}

pid_t script_run_pid(const struct script_run *run)
{
	return run ? run->pid : -1;
}

bool script_run_running(const struct script_run *run)
{
	return run && run->running;
}

/* ---- the child ---------------------------------------------------------- */

/* What the child needs, all prepared before the fork (no malloc after it). */
struct child_plan {
	char *const *argv;
	char *const *envp;
	pid_t parent;
	int null_fd, out_fd, err_fd;
};

/* Report errno on the exec-error pipe and give up. Async-signal-safe. */
static _noreturn_ void child_fail(int err_fd)
{
	int e = errno;
	ssize_t n _unused_ = write(err_fd, &e, sizeof(e));

	_exit(SCRIPT_EXIT_EXEC_FAILED);
}

/* Close every descriptor from `from` up, the kernel's way or one by one. */
static void child_close_from(int from)
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

/* Only async-signal-safe calls from here on: herdd may have threads one day. */
static _noreturn_ void child_exec(const struct child_plan *p)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int null_fd, out_fd, err_fd;
	sigset_t none;

	/* The pipe write end is fd 3 below; before that it may sit anywhere. */
	err_fd = p->err_fd;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(err_fd);
	if (setpgid(0, 0) < 0)
		child_fail(err_fd);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(err_fd);
	/* herdd died between fork and prctl: nobody would kill us later. */
	if (getppid() != p->parent)
		_exit(SCRIPT_EXIT_EXEC_FAILED);

	/* Lift the three above 3 first, so that dup2 onto 0..3 clobbers none. */
	null_fd = fcntl(p->null_fd, F_DUPFD_CLOEXEC, 4);
	out_fd = fcntl(p->out_fd, F_DUPFD_CLOEXEC, 4);
	err_fd = fcntl(p->err_fd, F_DUPFD_CLOEXEC, 4);
	if (null_fd < 0 || out_fd < 0 || err_fd < 0)
		child_fail(err_fd < 0 ? p->err_fd : err_fd);
	if (dup3(err_fd, 3, O_CLOEXEC) < 0)
		child_fail(err_fd);
	err_fd = 3;
	if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		child_fail(err_fd);
	child_close_from(4);
	if (chdir("/") < 0)
		child_fail(err_fd);
	umask(022);
	execve(p->argv[0], p->argv, p->envp);
	child_fail(err_fd);
}

/* ---- the parent --------------------------------------------------------- */

/*
 * Read what the pipe holds now, at most `reads` reads (a grandchild that
 * keeps writing must not keep the loop here). Returns true at end of file.
 */
static bool read_output(struct script_run *run, unsigned reads)
{
	char scratch[4096];

	while (reads-- > 0) {
		char *dst = scratch;
		size_t room = sizeof(scratch);
		ssize_t n;

		if (run->len < run->max) {
			if (run->len == run->cap) {
				size_t cap = run->cap ? MIN(run->cap * 2, run->max)
						      : MIN((size_t)OUTPUT_CHUNK, run->max);
				char *b = realloc(run->buf, cap + 1);

				if (b) {
					run->buf = b;
					run->cap = cap;
				}
			}
			if (run->len < run->cap) {
				dst = run->buf + run->len;
				room = run->cap - run->len;
			}
		}
		n = read(run->out_fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno != EAGAIN;
		if (n == 0)
			return true;
		if (dst == scratch)
			run->truncated = true;
		else
			run->len += (size_t)n;
	}
	return false;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct script_run *run = userdata;

	if (read_output(run, READS_PER_WAKEUP))
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct script_run *run = userdata;

	if (run->running) {
		run->timed_out = true;
		(void)kill(-run->pid, SIGKILL);
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
	struct script_run *run = userdata;
	struct script_result res = { .exit_status = -1 };
	int e = 0;

	if (!userdata)
		return on_orphan_exit(s, si, userdata);
	run->running = false;
	res.duration = now_monotonic() - run->start_mono;
	res.start_wall = run->start_wall;
	/* Whatever the child wrote is in the pipe (64 KiB at most) by now. */
	read_output(run, READS_AT_EXIT);
	sd_event_source_set_enabled(run->io_src, SD_EVENT_OFF);
	if (run->timer_src)
		sd_event_source_set_enabled(run->timer_src, SD_EVENT_OFF);
	if (read(run->err_fd, &e, sizeof(e)) == (ssize_t)sizeof(e) && e > 0)
		res.exec_error = -e;
	if (si->si_code == CLD_EXITED)
		res.exit_status = si->si_status;
	else
		res.signal = si->si_status;
	res.timed_out = run->timed_out;
	if (!run->buf)
		run->buf = calloc(1, 1);
	if (run->buf)
		run->buf[run->len] = '\0';
	res.output = run->buf ? run->buf : "";
	res.output_len = run->buf ? run->len : 0;
	res.output_truncated = run->truncated;
	/* Last: the callback may free run. */
	run->done(run, &res, run->userdata);
	return 0;
}

int script_run_kill(struct script_run *run)
{
	if (!run->running)
		return -ESRCH;
	return kill(-run->pid, SIGKILL) < 0 ? -errno : 0;
}

void script_run_free(struct script_run *run)
{
	if (!run)
		return;
	if (run->running && run->child_src) {
		/* Kill the group now; the loop reaps the leader when it goes. */
		(void)kill(-run->pid, SIGKILL);
		sd_event_source_set_userdata(run->child_src, NULL);
		if (sd_event_source_set_floating(run->child_src, true) < 0)
			sd_event_source_set_child_process_own(run->child_src, true);
	}
	sd_event_source_unref(run->child_src);
	sd_event_source_disable_unref(run->io_src);
	sd_event_source_disable_unref(run->timer_src);
	closep(&run->out_fd);
	closep(&run->err_fd);
	sd_event_unref(run->event);
	free(run->buf);
	free(run);
}

/* NULL-terminated copy of PATH plus the caller's variables, or NULL. */
static int build_env(const char *const *env, char ***out)
{
	size_t n = 0;
	char **envp;

	for (const char *const *v = env; v && *v; v++) {
		const char *eq = strchr(*v, '=');

		if (!eq || !script_env_name_ok(*v, (size_t)(eq - *v)))
			return -EINVAL;
		n++;
	}
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	envp[0] = (char *)SCRIPT_PATH_ENV;
	for (size_t i = 0; i < n; i++)
		envp[i + 1] = (char *)env[i];
	*out = envp;
	return 0;
}

int script_run_start(sd_event *e, const struct script_opts *opts, script_done_fn done,
		     void *userdata, struct script_run **out)
{
	_cleanup_(freep) char **envp = NULL;
	int out_pipe[2] = { -EBADF, -EBADF }, err_pipe[2] = { -EBADF, -EBADF };
	int null_fd = -EBADF;
	struct script_run *run;
	struct child_plan plan;
	pid_t pid;
	int r;

	if (!e || !opts || !opts->argv || !opts->argv[0] || !done)
		return -EINVAL;
	r = build_env(opts->env, &envp);
	if (r < 0)
		return r;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->out_fd = run->err_fd = -EBADF;
	run->event = sd_event_ref(e);
	run->max = opts->output_max ? opts->output_max : SCRIPT_OUTPUT_MAX_DEFAULT;
	run->timeout = opts->timeout;
	run->done = done;
	run->userdata = userdata;

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	/* Non-blocking on herdd's side only: the script writes as it likes. */
	if (fcntl(out_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
	plan = (struct child_plan){
		.argv = (char *const *)opts->argv, .envp = envp, .parent = getpid(),
		.null_fd = null_fd, .out_fd = out_pipe[1], .err_fd = err_pipe[1],
	};
	run->start_wall = now_realtime();
	run->start_mono = now_monotonic();
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0)
		child_exec(&plan);

	/* Both sides set the group, so a kill(-pid) right away finds it. */
	(void)setpgid(pid, pid);
	run->pid = pid;
	run->running = true;
	run->out_fd = TAKE_FD(out_pipe[0]);
	run->err_fd = TAKE_FD(err_pipe[0]);
	closep(&out_pipe[1]);
	closep(&err_pipe[1]);
	closep(&null_fd);

	r = sd_event_add_child(e, &run->child_src, pid, WEXITED, on_child_exit, run);
	if (r < 0)
		goto fail_child;
	r = sd_event_add_io(e, &run->io_src, run->out_fd, EPOLLIN, on_output, run);
	if (r < 0)
		goto fail_child;
	/* Read output before noticing the exit, so little is left to drain. */
	(void)sd_event_source_set_priority(run->io_src, SD_EVENT_PRIORITY_NORMAL - 1);
	if (opts->timeout) {
		r = sd_event_add_time_relative(e, &run->timer_src, CLOCK_MONOTONIC, opts->timeout,
					       TIMEOUT_ACCURACY, on_timeout, run);
		if (r < 0)
			goto fail_child;
	}
	*out = run;
	return 0;

fail_child:
	/* No source may ever reap it: kill and reap here (it dies at once). */
	(void)kill(-pid, SIGKILL);
	if (!run->child_src)
		(void)waitpid(pid, NULL, 0);
	run->running = run->child_src != NULL;
fail:
	closep(&null_fd);
	closep(&out_pipe[0]);
	closep(&out_pipe[1]);
	closep(&err_pipe[0]);
	closep(&err_pipe[1]);
	script_run_free(run);
	return r;
}
