/*
 * reclock_helper.c — herd-reclock, the recovery lock helper: takes an fcntl
 * lock on a file on shared storage and holds it as a lease for herdd.
 *
 *   herd-reclock LOCKFILE LEASE_MS
 *
 * CTDB's cluster-mutex helper contract (ctdb_mutex_fcntl_helper) plus a
 * lease. It writes one status character to stdout: '0' lock taken, '1'
 * contended, '2' timeout (never from this helper), '3' error (with a message
 * on stderr). Only after '0' does it stay: every byte herdd writes to its
 * stdin is a lease ping, answered with one '.'; when no ping has arrived for
 * LEASE_MS it releases the lock, writes 'E' and exits. So a herdd that is
 * stopped (SIGSTOP, a hung kernel path, a swap storm) stops pinging and the
 * lock becomes free for another node within the lease — CTDB's helper would
 * hold it for as long as the stopped daemon lives.
 *
 * It also releases and exits on stdin EOF, on SIGTERM/SIGINT/SIGHUP, when
 * its parent changes (PR_SET_PDEATHSIG plus a getppid() check), and when
 * LOCKFILE no longer names the locked inode (removed or replaced, checked
 * every LEASE_MS/2; it writes 'L' first). It never blocks on anything but
 * poll() — except open/fcntl/stat on the lock file itself, which is exactly
 * what herdd's take timeout and lease watch (agentd/reclock.c) cover by
 * killing it. The lock is released by closing the file, never by unlinking
 * it. The whole contract, exit codes included, is in herd(7).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "agentd/util.h"

/* Status characters (stdout). */
#define ST_TAKEN     '0'
#define ST_CONTENDED '1'
#define ST_ERROR     '3'
#define ST_ANSWER    '.'
#define ST_LOST      'L'
#define ST_EXPIRED   'E'

/* Exit codes, documented in herd(7). */
enum {
	EXIT_RELEASED = 0,      /* SIGTERM/SIGINT/SIGHUP or stdin EOF */
	EXIT_CONTENDED = 1,
	EXIT_ERROR = 3,
	EXIT_EXPIRED = 4,       /* no ping for LEASE_MS */
	EXIT_LOST = 5,          /* LOCKFILE removed or replaced */
	EXIT_ORPHANED = 6,      /* the parent changed */
};

#define LEASE_MS_MAX (3600 * 1000)

static const char *prog = "herd-reclock";

static void put_status(char c)
{
	/* A failed write means herdd is gone; the caller exits anyway. */
	ssize_t _unused_ n = write(STDOUT_FILENO, &c, 1);
}

_printf_(1, 2) static _noreturn_ void die_error(const char *fmt, ...)
{
	va_list ap;

	/* The message first: herdd may stop reading once it has the status. */
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	put_status(ST_ERROR);
	exit(EXIT_ERROR);
}

static int parse_lease_ms(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > LEASE_MS_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Block the signals that end the lease and read them through a signalfd. */
static int setup_signals(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* An answer to a herdd that closed its end must not kill us before
	 * we release: EPIPE is handled where it happens. */
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/*
 * stdout is herdd's pipe: never let an unread answer block the lease
 * watch. Only pipes and sockets are made non-blocking (O_NONBLOCK is shared
 * with whoever else holds the file description).
 */
static void stdout_nonblocking(void)
{
	struct stat st;
	int fl;

	if (fstat(STDOUT_FILENO, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl >= 0)
		(void)fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
}

static int take_lock(const char *path, int *out_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*out_fd = fd;
	return 0;
}

/* Does path still name the inode we hold the lock on? */
static bool lock_file_same(const char *path, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static usec_t ms(long v)
{
	return (usec_t)v * USEC_PER_MSEC;
}

int main(int argc, char **argv)
{
	const char *path;
	usec_t lease, now, deadline, next_check;
	pid_t ppid;
	long lease_ms;
	int lock_fd = -1, sig_fd, r;

	/* First: learn the parent and ask to die with it. */
	ppid = getppid();
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != ppid)
		return EXIT_ORPHANED;

	if (argc != 3)
		die_error("usage: %s LOCKFILE LEASE_MS", prog);
	path = argv[1];
	if (!*path)
		die_error("empty lock file name");
	if (parse_lease_ms(argv[2], &lease_ms) < 0)
		die_error("bad lease '%s': milliseconds from 1 to %d", argv[2], LEASE_MS_MAX);
	lease = ms(lease_ms);

	sig_fd = setup_signals();
	if (sig_fd < 0)
		die_error("signals: %s", strerror(-sig_fd));
	stdout_nonblocking();

	r = take_lock(path, &lock_fd);
	if (r == -EACCES || r == -EAGAIN) {
		put_status(ST_CONTENDED);
		return EXIT_CONTENDED;
	}
	if (r < 0)
		die_error("%s: %s", path, strerror(-r));
	put_status(ST_TAKEN);

	now = now_monotonic();
	deadline = now + lease;
	next_check = now + MAX(lease / 2, USEC_PER_MSEC);

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
		};
		usec_t wake = MIN(deadline, next_check);
		int timeout_ms;

		now = now_monotonic();
		timeout_ms = wake > now ? (int)((wake - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC) : 0;
		r = poll(p, 2, timeout_ms);
		if (r < 0 && errno != EINTR) {
			/* No status byte: herdd reads the exit code and EOF. */
			fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
			close(lock_fd);
			return EXIT_ERROR;
		}
		/* Time first: a ping read after the deadline does not revive a
		 * lease that already ran out (we may have been stopped too). */
		now = now_monotonic();
		if (now >= deadline) {
			close(lock_fd);
			put_status(ST_EXPIRED);
			return EXIT_EXPIRED;
		}
		if (r > 0 && p[1].revents) {
			close(lock_fd);
			return EXIT_RELEASED;
		}
		if (r > 0 && p[0].revents) {
			char buf[64];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(lock_fd); /* herdd died or closed: release now */
				return EXIT_RELEASED;
			}
			if (n > 0) {
				deadline = now + lease;
				memset(buf, ST_ANSWER, (size_t)n);
				if (write(STDOUT_FILENO, buf, (size_t)n) < 0 && errno == EPIPE) {
					close(lock_fd);
					return EXIT_RELEASED;
				}
			}
		}
		if (now >= next_check) {
			if (getppid() != ppid) {
				close(lock_fd);
				return EXIT_ORPHANED;
			}
			if (!lock_file_same(path, lock_fd)) {
				close(lock_fd);
				fprintf(stderr, "%s: %s was removed or replaced: lock lost\n", prog, path);
				put_status(ST_LOST);
				return EXIT_LOST;
			}
			next_check = now + MAX(lease / 2, USEC_PER_MSEC);
		}
	}
}
