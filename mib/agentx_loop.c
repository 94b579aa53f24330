/*
 * agentx_loop.c — net-snmp on sd-event (see agentx_loop.h).
 */
#include "mib/agentx_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/stat.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "agentd/log.h"

/* A send to the master agent that blocks longer than this fails. */
#define SEND_TIMEOUT_MS 200
/* net-snmp's timeouts need no better than this. */
#define TIMER_SLACK     (5 * USEC_PER_MSEC)
/* A master that runs accepts a connection within this. */
#define PROBE_WAIT      (100 * USEC_PER_MSEC)
/* How often an away master's listen queue is looked at again. */
#define GUARD_RECHECK   USEC_PER_SEC

struct fdsrc {
	int fd;
	dev_t dev;
	ino_t ino;
	sd_event_source *src;
};

struct axloop {
	sd_event *ev;
	sd_event_source *timer;
	usec_t timer_at;                /* what the timer is set to */
	bool recheck;                   /* fstat every descriptor on the next prepare */
	char *guard;                    /* the away master's socket, or NULL */
	int probe;                      /* our connection in its listen queue, or -1 */
	usec_t hold_until;              /* no alarms before (monotonic) */
	struct fdsrc *fds;
	size_t nfds, cap;
	void (*after)(void *userdata);
	void *userdata;
};

/*
 * The connections waiting in the listen queue of the Unix socket at path,
 * and the most it takes (the kernel's sock_diag, what `ss -xl` shows: it
 * looks without connecting, so it does not fill the queue itself).
 * 0, -ENOENT when no socket listens there, or -errno.
 */
static int listen_queue(const char *path, uint32_t *pending, uint32_t *max)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = 1u << 10 /* TCP_LISTEN */,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN },
	};
	_cleanup_(closep) int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	static uint8_t buf[32768];
	int found = -ENOENT;

	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			return errno == EINTR ? found : -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct unix_diag_msg *m = NLMSG_DATA(h);
			size_t len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			bool named = false;
			uint32_t rq = 0, wq = 0;

			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len);
			     a = RTA_NEXT(a, len)) {
				/* the bound address, perhaps with its NUL and padding */
				if (a->rta_type == UNIX_DIAG_NAME &&
				    strnlen(RTA_DATA(a), (size_t)RTA_PAYLOAD(a)) == strlen(path) &&
				    memcmp(RTA_DATA(a), path, strlen(path)) == 0)
					named = true;
				if (a->rta_type == UNIX_DIAG_RQLEN &&
				    (size_t)RTA_PAYLOAD(a) >= sizeof(struct unix_diag_rqlen)) {
					const struct unix_diag_rqlen *q = RTA_DATA(a);

					rq = q->udiag_rqueue;
					wq = q->udiag_wqueue;
				}
			}
			if (named) {
				*pending = rq;
				*max = wq;
				found = 0;
			}
		}
	}
}

/* Put a connection of our own in the listen queue of the master at path. */
static int probe_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, path, strlen(path));  /* its length checked when guarded */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void probe_close(struct axloop *l)
{
	if (l->probe >= 0)
		close(l->probe);
	l->probe = -1;
}

/*
 * Whether the alarms may run now (see axloop_guard_master): only when the
 * master's listen queue is empty although a connection of ours was put in
 * it a while ago (the master accepts, so it runs), or when nothing listens
 * there (a reopen fails at once), or when the kernel cannot tell.
 */
static bool alarms_allowed(struct axloop *l)
{
	uint32_t pending = 0, max = 0;
	usec_t now;
	int fd;

	if (!l->guard)
		return true;
	now = now_monotonic();
	if (now < l->hold_until)
		return false;
	if (listen_queue(l->guard, &pending, &max) < 0) {
		probe_close(l);
		return true;
	}
	if (pending > 0) {
		/* Connections wait: the master hangs, or has not looked yet. */
		l->hold_until = now + GUARD_RECHECK;
		return false;
	}
	if (l->probe >= 0) {
		/* It took ours: it runs. */
		probe_close(l);
		return true;
	}
	fd = probe_open(l->guard);
	if (fd < 0) {
		l->hold_until = now + GUARD_RECHECK;
		return fd == -ENOENT || fd == -ECONNREFUSED;
	}
	l->probe = fd;
	l->hold_until = now + PROBE_WAIT;
	return false;
}

static void alarms(struct axloop *l)
{
	if (alarms_allowed(l))
		run_alarms();
}

static void after(struct axloop *l)
{
	if (l->after)
		l->after(l->userdata);
}

static void read_fd(int fd)
{
	netsnmp_large_fd_set set;

	netsnmp_large_fd_set_init(&set, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &set);
	snmp_read2(&set);
	netsnmp_large_fd_set_cleanup(&set);
}

/*
 * A request from the master reaches the handlers through net-snmp's
 * internal callback session, a pipe: serve whatever became readable right
 * here rather than through another turn of the loop (a poll instead of an
 * epoll_wait, a prepare and a dispatch per request).
 */
static void drain(struct axloop *l)
{
	for (int round = 0; round < 16; round++) {
		struct pollfd pfd[16];
		size_t n = MIN(l->nfds, ARRAY_SIZE(pfd));
		bool any = false;

		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = l->fds[i].fd, .events = POLLIN };
		if (n == 0 || poll(pfd, n, 0) <= 0)
			return;
		for (size_t i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			read_fd(pfd[i].fd);
			any = true;
		}
		if (!any)
			return;
	}
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct axloop *l = userdata;

	read_fd(fd);
	drain(l);
	if (!l->guard)
		run_alarms();   /* while guarded, the timer runs them */
	after(l);
	if (revents & (EPOLLHUP | EPOLLERR))
		l->recheck = true;
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct axloop *l = userdata;

	snmp_timeout();
	alarms(l);
	after(l);
	/* A fired one-shot timer is off, and an off source gets no prepare call. */
	l->timer_at = UINT64_MAX;
	sd_event_source_set_time(l->timer, UINT64_MAX);
	sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
	l->recheck = true;      /* alarms reconnect to the master */
	return 0;
}

static void drop_fd(struct axloop *l, size_t i)
{
	sd_event_source_disable_unref(l->fds[i].src);
	l->fds[i] = l->fds[--l->nfds];
}

static int add_fd(struct axloop *l, int fd, const struct stat *st)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = SEND_TIMEOUT_MS * 1000 };
	int flags = fcntl(fd, F_GETFD), r;

	if (flags >= 0 && !(flags & FD_CLOEXEC))
		(void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	if (S_ISSOCK(st->st_mode))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (l->nfds == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct fdsrc *p = realloc(l->fds, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->fds = p;
		l->cap = cap;
	}
	struct fdsrc *f = &l->fds[l->nfds];

	*f = (struct fdsrc){ .fd = fd, .dev = st->st_dev, .ino = st->st_ino };
	r = sd_event_add_io(l->ev, &f->src, fd, EPOLLIN, on_io, l);
	if (r < 0)
		return r;
	l->nfds++;
	return 0;
}

static void set_timer(struct axloop *l, usec_t at)
{
	/* Re-arming costs a system call: only when the time really moves. */
	if (at == l->timer_at || (at != UINT64_MAX && l->timer_at != UINT64_MAX &&
				  (at > l->timer_at ? at - l->timer_at : l->timer_at - at) <
					  TIMER_SLACK))
		return;
	l->timer_at = at;
	sd_event_source_set_time(l->timer, at);
}

/* Before the loop polls: follow net-snmp's descriptors and its next timeout. */
static int on_prepare(sd_event_source *s, void *userdata)
{
	struct axloop *l = userdata;
	netsnmp_large_fd_set set;
	struct timeval tv = { 0, 0 };
	int numfds = 0, block = 1;
	size_t nset = 0;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_select_info2(&numfds, &set, &tv, &block);

	/*
	 * Sources whose descriptor net-snmp closed, or closed and reused for
	 * another file (fstat tells: only after a reconnect, or when the set
	 * changed, since it is a system call per descriptor per iteration).
	 */
	for (int fd = 0; fd < numfds; fd++)
		nset += NETSNMP_LARGE_FD_ISSET(fd, &set);
	if (nset != l->nfds)
		l->recheck = true;
	for (size_t i = 0; i < l->nfds;) {
		struct stat st;
		int fd = l->fds[i].fd;

		if (fd >= numfds || !NETSNMP_LARGE_FD_ISSET(fd, &set) ||
		    (l->recheck && (fstat(fd, &st) < 0 || st.st_dev != l->fds[i].dev ||
				    st.st_ino != l->fds[i].ino)))
			drop_fd(l, i);
		else
			i++;
	}
	l->recheck = false;
	for (int fd = 0; fd < numfds; fd++) {
		struct stat st;
		bool known = false;

		if (!NETSNMP_LARGE_FD_ISSET(fd, &set))
			continue;
		for (size_t i = 0; i < l->nfds && !known; i++)
			known = l->fds[i].fd == fd;
		if (known || fstat(fd, &st) < 0)
			continue;
		if (add_fd(l, fd, &st) < 0)
			log_err("agentx: cannot watch net-snmp's descriptor %d", fd);
	}
	netsnmp_large_fd_set_cleanup(&set);

	if (block) {
		set_timer(l, UINT64_MAX);
	} else {
		usec_t at = now_monotonic() + (usec_t)tv.tv_sec * USEC_PER_SEC + (usec_t)tv.tv_usec;

		set_timer(l, l->guard ? MAX(at, l->hold_until) : at);
	}
	return 0;
}

int axloop_new(sd_event *ev, void (*after_cb)(void *userdata), void *userdata,
	       struct axloop **out)
{
	struct axloop *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->ev = sd_event_ref(ev);
	l->after = after_cb;
	l->userdata = userdata;
	l->timer_at = UINT64_MAX;
	l->recheck = true;
	l->probe = -1;
	r = sd_event_add_time(ev, &l->timer, CLOCK_MONOTONIC, UINT64_MAX, TIMER_SLACK, on_timer, l);
	if (r >= 0)
		r = sd_event_source_set_prepare(l->timer, on_prepare);
	if (r < 0) {
		axloop_free(l);
		return r;
	}
	*out = l;
	return 0;
}

void axloop_recheck(struct axloop *l)
{
	if (l)
		l->recheck = true;
}

void axloop_guard_master(struct axloop *l, const char *unix_path)
{
	if (!l)
		return;
	free(l->guard);
	l->guard = unix_path && *unix_path &&
			   strlen(unix_path) < sizeof(((struct sockaddr_un *)0)->sun_path)
		   ? strdup(unix_path) : NULL;
	l->hold_until = 0;
	probe_close(l);
}

void axloop_free(struct axloop *l)
{
	if (!l)
		return;
	free(l->guard);
	probe_close(l);
	while (l->nfds)
		drop_fd(l, 0);
	free(l->fds);
	sd_event_source_disable_unref(l->timer);
	sd_event_unref(l->ev);
	free(l);
}
