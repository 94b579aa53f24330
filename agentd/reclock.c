/*
 * reclock.c — the recovery lock manager: runs the lock helper on herdd's
 * sd-event loop and turns its answers into states for the glue.
 *
 * Taking: fork + exec the helper in its own process group with stdin and
 * stdout pipes (stderr is a third pipe whose lines go to herdd's log),
 * nothing else inherited, a scrubbed environment and PR_SET_PDEATHSIG. Its
 * status byte decides: '1' CONTENDED, '2' TIMEOUT, '3' ERROR; after '0' we
 * send a first ping and report HELD only when it is answered, so HELD always
 * comes with a fresh lease. No answer within take_timeout: TIMEOUT, and the
 * helper is killed.
 *
 * Holding: a ping every lease/4. The lease is counted from the *send* time
 * of the last answered ping (the helper counts from when it read it, never
 * earlier), and herdd trusts only 7/8 of it, so reclock_held() turns false
 * before the helper can have let go. The one timer also fires at that
 * moment and reports LOST; a helper that says 'E' (lease expired) or 'L'
 * (lock file replaced), exits, or stops answering is LOST too, and is
 * killed. A herdd that was stopped for longer than the lease wakes with
 * reclock_held() false and its helper gone.
 *
 * Every helper is reaped through sd_event_add_child; a take while an old
 * helper is still exiting waits for it, because two helpers of one node
 * would contend with each other.
 */
#include "agentd/reclock.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "agentd/log.h"

#ifndef HERD_LIBEXECDIR
#define HERD_LIBEXECDIR "/usr/local/libexec/herd"
#endif

#define HELPER_NAME "herd-reclock"
#define HELPER_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PING_RING 16
#define TIMER_ACCURACY USEC_PER_MSEC

struct reclock {
	sd_event *ev;
	char *spec;
	char **argv;                    /* one allocation, see make_argv() */
	char lease_env[48];             /* HERD_RECLOCK_LEASE_MS=... */
	usec_t lease, window, take_timeout;
	reclock_cb cb;
	void *userdata;

	enum reclock_state state;
	enum reclock_cause cause;
	usec_t since;

	/* The helper process, while it exists (pid > 0 until reaped). */
	pid_t pid;
	int in_fd, out_fd, err_fd;
	sd_event_source *out_src, *err_src, *child_src, *timer;
	bool stopping;                  /* signalled, waiting for it to exit */
	usec_t kill_at;                 /* SIGKILL if still there */
	bool take_queued;               /* take once the old helper is gone */
	bool report_released;           /* report RELEASED once it is gone */
	bool got_status;                /* '0' read, first ping outstanding */
	usec_t take_deadline;

	/* The lease, while taking (after '0') and held. */
	usec_t pings[PING_RING];        /* send times of unanswered pings, FIFO */
	unsigned ping_head, ping_count;
	usec_t acked;                   /* send time of the last answered ping */
	usec_t next_ping;

	char errbuf[256];
	size_t errlen;

	uint64_t n_taken, n_lost, n_contended, n_timeouts, n_errors, n_released;
};

static const char *const state_names[] = {
	[RECLOCK_IDLE] = "idle",
	[RECLOCK_TAKING] = "taking",
	[RECLOCK_HELD] = "held",
	[RECLOCK_CONTENDED] = "contended",
	[RECLOCK_TIMEOUT] = "timeout",
	[RECLOCK_ERROR] = "error",
	[RECLOCK_LOST] = "lost",
	[RECLOCK_RELEASED] = "released",
};
_Static_assert(ARRAY_SIZE(state_names) == RECLOCK_STATE_MAX_, "a state without a name");

static const char *const cause_names[] = {
	[RECLOCK_CAUSE_NONE] = "none",
	[RECLOCK_CAUSE_LEASE_EXPIRED] = "lease-expired",
	[RECLOCK_CAUSE_FILE_LOST] = "file-lost",
	[RECLOCK_CAUSE_NO_ANSWER] = "no-answer",
	[RECLOCK_CAUSE_HELPER_EXITED] = "helper-exited",
	[RECLOCK_CAUSE_HELPER_ERROR] = "helper-error",
	[RECLOCK_CAUSE_BAD_STATUS] = "bad-status",
	[RECLOCK_CAUSE_TAKE_TIMEOUT] = "take-timeout",
	[RECLOCK_CAUSE_HELPER_TIMEOUT] = "helper-timeout",
	[RECLOCK_CAUSE_SPAWN] = "spawn",
};
_Static_assert(ARRAY_SIZE(cause_names) == RECLOCK_CAUSE_MAX_, "a cause without a name");

const char *reclock_state_name(enum reclock_state s)
{
	if ((unsigned)s >= ARRAY_SIZE(state_names))
		return "unknown";
	return state_names[s];
}

const char *reclock_cause_name(enum reclock_cause c)
{
	if ((unsigned)c >= ARRAY_SIZE(cause_names))
		return "unknown";
	return cause_names[c];
}

/* What herd-reclock's exit codes mean (herd(7)), for the log. */
static const char *helper_exit_name(int code)
{
	switch (code) {
	case 0: return "released";
	case 1: return "contended";
	case 2: return "timeout";
	case 3: return "error";
	case 4: return "lease expired";
	case 5: return "lock lost";
	case 6: return "orphaned";
	case 127: return "could not be run";
	default: return "unknown exit code";
	}
}

/* ---- argv ---------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int reclock_split_command(const char *cmd, char ***out)
{
	size_t len, n = 0, i = 0;
	char **argv, *s;

	if (!cmd)
		return -EINVAL;
	for (const char *p = cmd; *p;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		n++;
		while (*p && !is_blank(*p))
			p++;
	}
	if (n == 0 || n > INT_MAX - 1)
		return -EINVAL;
	len = strlen(cmd);
	argv = malloc((n + 1) * sizeof(char *) + len + 1);
	if (!argv)
		return -ENOMEM;
	s = (char *)(argv + n + 1);
	memcpy(s, cmd, len + 1);
	for (char *p = s; *p;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (!*p)
			break;
		argv[i++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
	argv[n] = NULL;
	*out = argv;
	return (int)n;
}

/* argv for "HELPER PATH LEASE_MS" in one allocation. */
static int make_argv(const char *const *items, size_t n, char ***out)
{
	size_t total = (n + 1) * sizeof(char *);
	char **argv, *s;

	for (size_t i = 0; i < n; i++)
		total += strlen(items[i]) + 1;
	argv = malloc(total);
	if (!argv)
		return -ENOMEM;
	s = (char *)(argv + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(items[i]) + 1;

		memcpy(s, items[i], l);
		argv[i] = s;
		s += l;
	}
	argv[n] = NULL;
	*out = argv;
	return 0;
}

const char *reclock_helper_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(buf, len, "%s/" HELPER_NAME, exe) < len &&
			    access(buf, X_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, len, "%s/" HELPER_NAME, HERD_LIBEXECDIR);
	return buf;
}

/* A command without a slash is looked up in the helper's fixed PATH. */
static int resolve_command(const char *cmd, char *buf, size_t len)
{
	const char *dirs = strchr(HELPER_PATH_ENV, '=') + 1;

	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(buf, len, "%s", cmd) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	while (*dirs) {
		size_t dl = strcspn(dirs, ":");

		if ((size_t)snprintf(buf, len, "%.*s/%s", (int)dl, dirs, cmd) < len &&
		    access(buf, X_OK) == 0)
			return 0;
		dirs += dl;
		if (*dirs == ':')
			dirs++;
	}
	return -ENOENT;
}

/* ---- state changes --------------------------------------------------- */

static void set_state(struct reclock *rl, enum reclock_state s, enum reclock_cause c)
{
	rl->state = s;
	if (s != RECLOCK_RELEASED) /* a release keeps the last loss's cause */
		rl->cause = c;
	rl->since = now_monotonic();
}

static void notify(struct reclock *rl, enum reclock_state s)
{
	if (rl->cb)
		rl->cb(rl, s, rl->userdata);
}

static void close_io(struct reclock *rl)
{
	rl->out_src = sd_event_source_disable_unref(rl->out_src);
	if (rl->in_fd >= 0)
		close(rl->in_fd);
	if (rl->out_fd >= 0)
		close(rl->out_fd);
	rl->in_fd = rl->out_fd = -EBADF;
	rl->ping_count = 0;
	rl->got_status = false;
}

/*
 * Stop talking to the helper and signal its process group (sig 0: it is
 * exiting by itself, as after a status byte, so let it write its last words
 * to stderr). The child source reaps it; anything but SIGKILL is followed
 * by SIGKILL when it is still there after take_timeout.
 */
static void stop_helper(struct reclock *rl, int sig)
{
	close_io(rl);
	if (rl->pid <= 0)
		return;
	if (sig && kill(-rl->pid, sig) < 0)
		(void)kill(rl->pid, sig);
	rl->stopping = true;
	rl->kill_at = sig == SIGKILL ? UINT64_MAX : now_monotonic() + rl->take_timeout;
}

static void arm_timer(struct reclock *rl)
{
	usec_t next = UINT64_MAX;

	if (rl->state == RECLOCK_TAKING)
		next = rl->take_deadline;
	if (rl->state == RECLOCK_TAKING && rl->got_status)
		next = MIN(next, rl->next_ping);
	if (rl->state == RECLOCK_HELD)
		next = MIN(rl->next_ping, rl->acked + rl->window);
	if (rl->pid > 0 && rl->stopping)
		next = MIN(next, rl->kill_at);
	if (next == UINT64_MAX) {
		(void)sd_event_source_set_enabled(rl->timer, SD_EVENT_OFF);
		return;
	}
	(void)sd_event_source_set_time(rl->timer, next);
	(void)sd_event_source_set_enabled(rl->timer, SD_EVENT_ONESHOT);
}

/* A take ended without the lock: stop the helper, count, report. */
static void take_failed(struct reclock *rl, enum reclock_state s, enum reclock_cause c)
{
	int sig = SIGTERM;

	if (c == RECLOCK_CAUSE_TAKE_TIMEOUT)
		sig = SIGKILL;          /* possibly hung on the file system */
	else if (s == RECLOCK_CONTENDED || c == RECLOCK_CAUSE_HELPER_ERROR ||
		 c == RECLOCK_CAUSE_HELPER_TIMEOUT)
		sig = 0;                /* it said so and exits */
	rl->take_queued = false;
	stop_helper(rl, sig);
	set_state(rl, s, c);
	if (s == RECLOCK_CONTENDED)
		rl->n_contended++;
	else if (s == RECLOCK_TIMEOUT)
		rl->n_timeouts++;
	else
		rl->n_errors++;
	arm_timer(rl);
	if (s == RECLOCK_CONTENDED)
		log_info("recovery lock %s: held by another node", rl->spec);
	else
		log_warn("recovery lock %s: not taken: %s (%s)", rl->spec, reclock_state_name(s),
			 reclock_cause_name(c));
	notify(rl, s);
}

static void lock_lost(struct reclock *rl, enum reclock_cause c)
{
	/* After 'E' or 'L' it has let go and exits; otherwise it may be hung. */
	stop_helper(rl, c == RECLOCK_CAUSE_LEASE_EXPIRED || c == RECLOCK_CAUSE_FILE_LOST ? 0 : SIGKILL);
	set_state(rl, RECLOCK_LOST, c);
	rl->n_lost++;
	arm_timer(rl);
	log_err("recovery lock %s: lost (%s)", rl->spec, reclock_cause_name(c));
	notify(rl, RECLOCK_LOST);
}

/* Was the last answered ping sent recently enough to trust the lease? */
static bool ack_fresh(const struct reclock *rl, usec_t now)
{
	return now < rl->acked + rl->window;
}

static bool lease_fresh(const struct reclock *rl, usec_t now)
{
	return rl->state == RECLOCK_HELD && ack_fresh(rl, now);
}

bool reclock_held(const struct reclock *rl, usec_t now_mono)
{
	return rl && lease_fresh(rl, now_mono);
}

/* Write one ping. Returns false when the helper's stdin is gone. */
static bool send_ping(struct reclock *rl, usec_t now)
{
	static const char ping = '.';

	rl->next_ping = now + rl->lease / 4;
	if (rl->ping_count == PING_RING)
		return true; /* not answering: the lease runs out on its own */
	if (write(rl->in_fd, &ping, 1) < 0)
		return errno == EAGAIN || errno == EINTR;
	rl->pings[(rl->ping_head + rl->ping_count) % PING_RING] = now;
	rl->ping_count++;
	return true;
}

/* An answer acknowledges the oldest outstanding ping. */
static void got_answer(struct reclock *rl)
{
	if (rl->ping_count == 0)
		return;
	rl->acked = rl->pings[rl->ping_head];
	rl->ping_head = (rl->ping_head + 1) % PING_RING;
	rl->ping_count--;
}

/*
 * One byte from the helper's stdout. Returns true when it reported
 * something through the callback: the caller must not touch rl again.
 */
static bool handle_byte(struct reclock *rl, char c)
{
	if (rl->state == RECLOCK_TAKING && !rl->got_status) {
		switch (c) {
		case '0':
			rl->got_status = true;
			if (!send_ping(rl, now_monotonic())) {
				take_failed(rl, RECLOCK_ERROR, RECLOCK_CAUSE_HELPER_EXITED);
				return true;
			}
			arm_timer(rl);
			return false;
		case '1': take_failed(rl, RECLOCK_CONTENDED, RECLOCK_CAUSE_NONE); return true;
		case '2': take_failed(rl, RECLOCK_TIMEOUT, RECLOCK_CAUSE_HELPER_TIMEOUT); return true;
		case '3': take_failed(rl, RECLOCK_ERROR, RECLOCK_CAUSE_HELPER_ERROR); return true;
		default: take_failed(rl, RECLOCK_ERROR, RECLOCK_CAUSE_BAD_STATUS); return true;
		}
	}
	if (rl->state == RECLOCK_TAKING) { /* waiting for the first answer */
		if (c == 'E' || c == 'L') {
			take_failed(rl, RECLOCK_ERROR, c == 'E' ? RECLOCK_CAUSE_LEASE_EXPIRED
								 : RECLOCK_CAUSE_FILE_LOST);
			return true;
		}
		got_answer(rl);
		if (!ack_fresh(rl, now_monotonic())) {
			/* herdd stalled between the ping and its answer. */
			take_failed(rl, RECLOCK_TIMEOUT, RECLOCK_CAUSE_TAKE_TIMEOUT);
			return true;
		}
		set_state(rl, RECLOCK_HELD, RECLOCK_CAUSE_NONE);
		rl->n_taken++;
		arm_timer(rl);
		log_notice("recovery lock %s: taken (helper %d)", rl->spec, (int)rl->pid);
		notify(rl, RECLOCK_HELD);
		return true;
	}
	if (rl->state == RECLOCK_HELD) {
		if (c == 'E' || c == 'L') {
			lock_lost(rl, c == 'E' ? RECLOCK_CAUSE_LEASE_EXPIRED : RECLOCK_CAUSE_FILE_LOST);
			return true;
		}
		got_answer(rl);
	}
	return false;
}

/* stdout at EOF or broken while taking or holding. */
static void helper_gone(struct reclock *rl)
{
	if (rl->state == RECLOCK_TAKING)
		take_failed(rl, RECLOCK_ERROR, RECLOCK_CAUSE_HELPER_EXITED);
	else if (rl->state == RECLOCK_HELD)
		lock_lost(rl, RECLOCK_CAUSE_HELPER_EXITED);
	else
		close_io(rl);
}

/*
 * Read what the helper wrote (a bounded amount: a chatty helper must not
 * starve the loop; the source fires again). Returns true when rl must not
 * be touched.
 */
static bool read_stdout(struct reclock *rl)
{
	for (int round = 0; round < 16; round++) {
		char buf[64];
		ssize_t n;

		if (rl->out_fd < 0)
			return false;
		n = read(rl->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n <= 0) {
			bool active = rl->state == RECLOCK_TAKING || rl->state == RECLOCK_HELD;

			helper_gone(rl);
			return active;
		}
		for (ssize_t i = 0; i < n; i++)
			if (handle_byte(rl, buf[i]))
				return true;
	}
	return false;
}

static int on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)read_stdout(userdata);
	return 0;
}

/* ---- stderr into the log ---------------------------------------------- */

static void flush_err_line(struct reclock *rl)
{
	if (rl->errlen > 0)
		log_warn("recovery lock helper %d: %.*s", (int)rl->pid, (int)rl->errlen, rl->errbuf);
	rl->errlen = 0;
}

static void read_stderr(struct reclock *rl)
{
	for (int round = 0; round < 16; round++) {
		char buf[256];
		ssize_t n;

		if (rl->err_fd < 0)
			return;
		n = read(rl->err_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			flush_err_line(rl);
			rl->err_src = sd_event_source_disable_unref(rl->err_src);
			close(rl->err_fd);
			rl->err_fd = -EBADF;
			return;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				flush_err_line(rl);
				continue;
			}
			if (rl->errlen == sizeof(rl->errbuf))
				flush_err_line(rl);
			rl->errbuf[rl->errlen++] = buf[i];
		}
	}
}

static int on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	read_stderr(userdata);
	return 0;
}

/* ---- the child ----------------------------------------------------------- */

static int spawn(struct reclock *rl);

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct reclock *rl = userdata;
	pid_t pid = si->si_pid;

	/* Reap it ourselves: sd-event would after this callback, but we drop
	 * the source here. */
	(void)waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOHANG);
	if (!rl) { /* orphaned by reclock_free(): drops the loop's last ref */
		(void)sd_event_source_set_floating(s, false);
		return 0;
	}
	if (si->si_code == CLD_EXITED)
		log_info("recovery lock helper %d exited: %s (%d)", (int)pid,
			 helper_exit_name(si->si_status), si->si_status);
	else
		log_info("recovery lock helper %d killed by signal %d", (int)pid, si->si_status);
	/* The helper owns its process group: whatever it left behind goes. */
	(void)kill(-pid, SIGKILL);
	rl->child_src = sd_event_source_disable_unref(rl->child_src);
	read_stderr(rl);
	flush_err_line(rl);
	rl->err_src = sd_event_source_disable_unref(rl->err_src);
	if (rl->err_fd >= 0)
		close(rl->err_fd);
	rl->err_fd = -EBADF;
	rl->pid = 0;
	rl->stopping = false;

	/* What it wrote last tells why it went (a status, 'E', 'L'). */
	if (read_stdout(rl))
		return 0;
	if (rl->state == RECLOCK_TAKING && !rl->take_queued) {
		helper_gone(rl);
		return 0;
	}
	if (rl->state == RECLOCK_HELD) {
		lock_lost(rl, RECLOCK_CAUSE_HELPER_EXITED);
		return 0;
	}
	if (rl->take_queued) {
		int r;

		rl->take_queued = false;
		r = spawn(rl);
		if (r < 0) {
			log_err("recovery lock %s: cannot run the helper: %s", rl->spec, strerror(-r));
			take_failed(rl, RECLOCK_ERROR, RECLOCK_CAUSE_SPAWN);
			return 0;
		}
		arm_timer(rl);
		return 0;
	}
	arm_timer(rl);
	if (rl->report_released) {
		rl->report_released = false;
		notify(rl, RECLOCK_RELEASED);
	}
	return 0;
}

static _noreturn_ void child_exec(const char *path, char **argv, char **envp, int in, int out,
				  int err, pid_t parent)
{
	sigset_t none;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)setpgid(0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	/* Above 2 first, so that moving one cannot clobber another (herdd
	 * may run with 0-2 closed); dup2 clears close-on-exec. */
	in = fcntl(in, F_DUPFD_CLOEXEC, 3);
	out = fcntl(out, F_DUPFD_CLOEXEC, 3);
	err = fcntl(err, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		_exit(127);
	(void)close_range(3, ~0U, 0);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, argv, envp);
	{
		/* herdd is single-threaded: strerror is safe enough here. */
		static const char msg[] = "herd: cannot execute the recovery lock helper ";
		const char *e = strerror(errno);
		ssize_t _unused_ n;

		n = write(2, msg, sizeof(msg) - 1);
		n = write(2, path, strlen(path));
		n = write(2, ": ", 2);
		n = write(2, e, strlen(e));
		n = write(2, "\n", 1);
	}
	_exit(127);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int spawn(struct reclock *rl)
{
	char path[PATH_MAX];
	char *envp[] = { (char *)HELPER_PATH_ENV, rl->lease_env, NULL };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t parent = getpid(), pid;
	int r;

	r = resolve_command(rl->argv[0], path, sizeof(path));
	if (r < 0)
		return r;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0)
		child_exec(path, rl->argv, envp, in[0], out[1], err[1], parent);

	(void)setpgid(pid, pid); /* also here: no window where it is in ours */
	close(in[0]);
	close(out[1]);
	close(err[1]);
	rl->pid = pid;
	rl->in_fd = in[1];
	rl->out_fd = out[0];
	rl->err_fd = err[0];
	rl->stopping = false;
	rl->got_status = false;
	rl->ping_head = rl->ping_count = 0;
	rl->errlen = 0;
	r = sd_event_add_child(rl->ev, &rl->child_src, pid, WEXITED, on_child, rl);
	if (r < 0) {
		/* Nothing will reap it for us: do it here, it cannot take long. */
		(void)kill(-pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		rl->pid = 0;
		close_io(rl);
		close(rl->err_fd);
		rl->err_fd = -EBADF;
		return r;
	}
	if ((r = set_nonblock(rl->in_fd)) < 0 || (r = set_nonblock(rl->out_fd)) < 0 ||
	    (r = set_nonblock(rl->err_fd)) < 0 ||
	    (r = sd_event_add_io(rl->ev, &rl->out_src, rl->out_fd, EPOLLIN, on_stdout, rl)) < 0 ||
	    (r = sd_event_add_io(rl->ev, &rl->err_src, rl->err_fd, EPOLLIN, on_stderr, rl)) < 0) {
		stop_helper(rl, SIGKILL); /* reaped by the child source */
		return r;
	}
	log_debug("recovery lock %s: helper %d started", rl->spec, (int)pid);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return r;
}

/* ---- the timer ----------------------------------------------------------- */

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct reclock *rl = userdata;
	usec_t now = now_monotonic();

	if (rl->pid > 0 && rl->stopping && now >= rl->kill_at) {
		log_warn("recovery lock helper %d did not exit: SIGKILL", (int)rl->pid);
		(void)kill(-rl->pid, SIGKILL);
		rl->kill_at = UINT64_MAX;
	}
	if (rl->state == RECLOCK_TAKING && now >= rl->take_deadline) {
		take_failed(rl, RECLOCK_TIMEOUT, RECLOCK_CAUSE_TAKE_TIMEOUT);
		return 0;
	}
	if (rl->state == RECLOCK_HELD && !lease_fresh(rl, now)) {
		lock_lost(rl, RECLOCK_CAUSE_NO_ANSWER);
		return 0;
	}
	if ((rl->state == RECLOCK_HELD || (rl->state == RECLOCK_TAKING && rl->got_status)) &&
	    now >= rl->next_ping && !send_ping(rl, now)) {
		/* It is gone: what it wrote last ('E', 'L') says why. */
		if (!read_stdout(rl))
			helper_gone(rl);
		return 0;
	}
	arm_timer(rl);
	return 0;
}

/* ---- the API ------------------------------------------------------------- */

int reclock_new(sd_event *ev, const char *spec, const char *helper_path, usec_t lease,
		usec_t take_timeout, reclock_cb cb, void *userdata, struct reclock **out)
{
	struct reclock *rl;
	sigset_t chld;
	int r;

	if (!ev || !spec || !*spec || !out || lease < 4 * USEC_PER_MSEC || take_timeout == 0)
		return -EINVAL;
	if (lease / USEC_PER_MSEC > 3600 * 1000)
		return -EINVAL;
	if (spec[0] != '!' && (!helper_path || !*helper_path))
		return -EINVAL;

	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return -ENOMEM;
	rl->in_fd = rl->out_fd = rl->err_fd = -EBADF;
	rl->ev = sd_event_ref(ev);
	rl->cb = cb;
	rl->userdata = userdata;
	/* Whole milliseconds, the unit the helper gets: herdd's lease must not
	 * be longer than the helper's. */
	rl->lease = lease / USEC_PER_MSEC * USEC_PER_MSEC;
	rl->window = rl->lease - rl->lease / 8;
	rl->take_timeout = take_timeout;
	snprintf(rl->lease_env, sizeof(rl->lease_env), "HERD_RECLOCK_LEASE_MS=%llu",
		 (unsigned long long)(rl->lease / USEC_PER_MSEC));
	rl->spec = strdup(spec);
	if (!rl->spec) {
		r = -ENOMEM;
		goto fail;
	}
	if (spec[0] == '!') {
		r = reclock_split_command(spec + 1, &rl->argv);
	} else {
		const char *items[] = { helper_path, spec, strchr(rl->lease_env, '=') + 1 };

		r = make_argv(items, ARRAY_SIZE(items), &rl->argv);
	}
	if (r < 0)
		goto fail;

	r = sd_event_add_time(ev, &rl->timer, CLOCK_MONOTONIC, UINT64_MAX, TIMER_ACCURACY,
			      on_timer, rl);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_enabled(rl->timer, SD_EVENT_OFF);

	/* sd_event_add_child needs SIGCHLD blocked. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) {
		r = -errno;
		goto fail;
	}
	set_state(rl, RECLOCK_IDLE, RECLOCK_CAUSE_NONE);
	*out = rl;
	return 0;
fail:
	reclock_free(rl);
	return r;
}

void reclock_free(struct reclock *rl)
{
	if (!rl)
		return;
	close_io(rl);
	if (rl->pid > 0) {
		(void)kill(-rl->pid, SIGKILL);
		/* Let the loop reap it after we are gone. */
		if (rl->child_src) {
			(void)sd_event_source_set_userdata(rl->child_src, NULL);
			if (sd_event_source_set_floating(rl->child_src, true) >= 0)
				rl->child_src = sd_event_source_unref(rl->child_src);
		}
	}
	rl->child_src = sd_event_source_disable_unref(rl->child_src);
	rl->err_src = sd_event_source_disable_unref(rl->err_src);
	if (rl->err_fd >= 0)
		close(rl->err_fd);
	rl->timer = sd_event_source_disable_unref(rl->timer);
	sd_event_unref(rl->ev);
	free(rl->argv);
	free(rl->spec);
	free(rl);
}

int reclock_take(struct reclock *rl)
{
	int r;

	if (rl->state == RECLOCK_TAKING || rl->state == RECLOCK_HELD)
		return -EALREADY;
	set_state(rl, RECLOCK_TAKING, RECLOCK_CAUSE_NONE);
	rl->report_released = false;
	rl->take_deadline = now_monotonic() + rl->take_timeout;
	if (rl->pid > 0) {
		rl->take_queued = true; /* after the old helper has exited */
		arm_timer(rl);
		return 0;
	}
	r = spawn(rl);
	if (r < 0) {
		set_state(rl, RECLOCK_ERROR, RECLOCK_CAUSE_SPAWN);
		rl->n_errors++;
		arm_timer(rl);
		return r;
	}
	arm_timer(rl);
	return 0;
}

int reclock_release(struct reclock *rl)
{
	bool active = rl->state == RECLOCK_TAKING || rl->state == RECLOCK_HELD;

	rl->take_queued = false;
	if (active) {
		set_state(rl, RECLOCK_RELEASED, RECLOCK_CAUSE_NONE);
		rl->n_released++;
	}
	if (rl->pid <= 0) {
		arm_timer(rl);
		return 0;
	}
	if (!rl->stopping)
		stop_helper(rl, SIGTERM);
	else
		close_io(rl);
	rl->report_released = true;
	arm_timer(rl);
	return 1;
}

enum reclock_state reclock_get_state(const struct reclock *rl)
{
	return rl->state;
}

const char *reclock_spec(const struct reclock *rl)
{
	return rl->spec;
}

void reclock_get_status(const struct reclock *rl, struct reclock_status *out)
{
	*out = (struct reclock_status){
		.state = rl->state,
		.cause = rl->cause,
		.since = rl->since,
		.pid = rl->pid > 0 ? rl->pid : 0,
		.lease = rl->lease,
		.acked = rl->state == RECLOCK_HELD ? rl->acked : 0,
		.taken = rl->n_taken,
		.lost = rl->n_lost,
		.contended = rl->n_contended,
		.timeouts = rl->n_timeouts,
		.errors = rl->n_errors,
		.released = rl->n_released,
	};
}
