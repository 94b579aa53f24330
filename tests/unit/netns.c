/*
 * netns.c — the unit tests' private network namespace and its links
 * (see netns.h). Links are made and changed with libnl-route-3; the
 * carrier is read with SIOCGIFFLAGS, which reports IFF_RUNNING as the
 * kernel's linkwatch has last set it.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "agentd/util.h"
#include "failover/nlerr.h"
#include "tests/unit/netns.h"

static void nl_socket_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

static int nl_open(struct nl_sock **ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return nlerr_to_errno(r);
	}
	*ret = sk;
	return 0;
}

static int link_set_up(const char *name, bool up)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
	struct rtnl_link *l = NULL, *change;
	int r;

	r = nl_open(&sk);
	if (r < 0)
		return r;
	r = rtnl_link_get_kernel(sk, 0, name, &l);
	if (r < 0)
		return r == -NLE_OBJ_NOTFOUND ? -ENODEV : nlerr_to_errno(r);
	change = rtnl_link_alloc();
	if (!change) {
		rtnl_link_put(l);
		return -ENOMEM;
	}
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = rtnl_link_change(sk, l, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(l);
	return nlerr_to_errno(r);
}

int netns_link_up(const char *name)
{
	return link_set_up(name, true);
}

int netns_link_down(const char *name)
{
	return link_set_up(name, false);
}

int netns_enter(const char **why)
{
	static char buf[128];
	int r;

	if (geteuid() != 0) {
		*why = "needs root";
		return -EPERM;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		snprintf(buf, sizeof(buf), "unshare(CLONE_NEWNET): %s", strerror(-r));
		*why = buf;
		return r;
	}
	r = netns_link_up("lo");
	if (r < 0) {
		snprintf(buf, sizeof(buf), "cannot bring lo up: %s", strerror(-r));
		*why = buf;
		return r;
	}
	*why = NULL;
	return 0;
}

int netns_veth_add(const char *name, const char *peer)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
	int r;

	r = nl_open(&sk);
	if (r < 0)
		return r;
	return nlerr_to_errno(rtnl_link_veth_add(sk, name, peer, getpid()));
}

int netns_veth_up(const char *name, const char *peer)
{
	int r;

	r = netns_veth_add(name, peer);
	if (r == 0)
		r = netns_link_up(peer);
	if (r == 0)
		r = netns_link_up(name);
	if (r == 0)
		r = netns_wait_running(name);
	if (r == 0)
		r = netns_wait_running(peer);
	return r;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int netns_wait_running(const char *name)
{
	_cleanup_(closep) int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int64_t until = now_ms() + NETNS_CARRIER_TIMEOUT_SEC * 1000;
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return -errno;
	if (strlen(name) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	for (;;) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
			return -errno;
		if (ifr.ifr_flags & IFF_RUNNING)
			return 0;
		if (now_ms() >= until)
			break;
		usleep(10000);
	}
	fprintf(stderr, "%s: %s has no carrier after %d s (flags %#x)\n",
		program_invocation_short_name, name, NETNS_CARRIER_TIMEOUT_SEC,
		(unsigned)(unsigned short)ifr.ifr_flags);
	return -ETIMEDOUT;
}

int netns_link_del(const char *name)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
	struct rtnl_link *l;
	int r;

	r = nl_open(&sk);
	if (r < 0)
		return r;
	l = rtnl_link_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	return nlerr_to_errno(r);
}

int netns_setup(const char *name, ...)
{
	const char *why, *peer;
	va_list ap;
	int r;

	if (netns_enter(&why) < 0) {
		fprintf(stderr, "%s: %s: kernel tests skipped\n", program_invocation_short_name, why);
		return 0;
	}
	va_start(ap, name);
	for (r = 0; name; name = va_arg(ap, const char *)) {
		peer = va_arg(ap, const char *);
		r = peer ? netns_veth_up(name, peer) : -EINVAL;
		if (r < 0)
			break;
	}
	va_end(ap);
	if (r == -ETIMEDOUT)
		return -1; /* netns_wait_running said which link */
	if (r < 0) {
		fprintf(stderr, "%s: cannot make the veth pair %s/%s: %s: kernel tests skipped\n",
			program_invocation_short_name, name, peer ? peer : "(none)", strerror(-r));
		return 0;
	}
	return 1;
}
