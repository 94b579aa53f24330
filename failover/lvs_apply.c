/*
 * lvs_apply.c — one node's LVS plan on the kernel: ipvsadm (fork + exec,
 * or recorded in a dry run), /proc/sys writes, and the address through
 * rtnetlink. See lvs_apply.h for the contract.
 */
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "failover/ipaddr.h"
#include "failover/lvs_apply.h"
#include "failover/nlerr.h"

#define OUTPUT_MAX 1024   /* what is kept of one ipvsadm's output */
#define MAX_HOLDERS 16    /* interfaces holding the address at once */

/* Where a bare "ipvsadm" is looked for; also the child's PATH. */
static const char *const search_dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

struct lvs_apply {
	struct ipaddr *ipa;
	struct nl_sock *sk;     /* for what ipaddr.h does not offer */
	char *ipvsadm;          /* NULL: search_dirs */
	bool dry_run;
	const char *why_dry;
	char *record;           /* the command lines of the last lvs_apply() */
	size_t record_len, record_size;
	char err[2048];
};

bool lvs_kernel_has_ipvs(void)
{
	return access(LVS_IPVS_PROC, F_OK) == 0;
}

int lvs_apply_new(const char *ipvsadm, unsigned flags, struct lvs_apply **out)
{
	struct lvs_apply *a;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (ipvsadm && !(a->ipvsadm = strdup(ipvsadm))) {
		r = -ENOMEM;
		goto fail;
	}
	r = ipaddr_new(&a->ipa);
	if (r < 0)
		goto fail;
	a->sk = nl_socket_alloc();
	if (!a->sk) {
		r = -ENOMEM;
		goto fail;
	}
	r = nlerr_to_errno(nl_connect(a->sk, NETLINK_ROUTE));
	if (r < 0)
		goto fail;
	if (flags & LVS_APPLY_DRY_RUN) {
		a->dry_run = true;
		a->why_dry = "a dry run was asked for: ipvsadm commands are recorded, not run";
	} else if (!(flags & LVS_APPLY_RUN) && !lvs_kernel_has_ipvs()) {
		a->dry_run = true;
		a->why_dry = "the kernel has no IPVS (" LVS_IPVS_PROC " absent): "
			     "ipvsadm commands are recorded, not run";
	}
	*out = a;
	return 0;
fail:
	lvs_apply_free(a);
	return r;
}

void lvs_apply_free(struct lvs_apply *a)
{
	if (!a)
		return;
	ipaddr_free(a->ipa);
	if (a->sk)
		nl_socket_free(a->sk);
	free(a->ipvsadm);
	free(a->record);
	free(a);
}

bool lvs_apply_dry_run(const struct lvs_apply *a)
{
	return a->dry_run;
}

const char *lvs_apply_dry_run_reason(const struct lvs_apply *a)
{
	return a->dry_run ? a->why_dry : NULL;
}

const char *lvs_apply_commands(const struct lvs_apply *a)
{
	return a->record ? a->record : "";
}

const char *lvs_apply_error(const struct lvs_apply *a)
{
	return a->err;
}

_printf_(3, 4) static int fail(struct lvs_apply *a, int r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
	n = strlen(a->err);
	snprintf(a->err + n, sizeof(a->err) - n, ": %s", strerror(-r));
	return r;
}

static int record(struct lvs_apply *a, const char *line)
{
	size_t len = strlen(line);

	if (a->record_len + len + 2 > a->record_size) {
		size_t size = MAX(a->record_size * 2, a->record_len + len + 256);
		char *p = realloc(a->record, size);

		if (!p)
			return -ENOMEM;
		a->record = p;
		a->record_size = size;
	}
	memcpy(a->record + a->record_len, line, len);
	a->record_len += len;
	a->record[a->record_len++] = '\n';
	a->record[a->record_len] = '\0';
	return 0;
}

/* ---- ipvsadm ---- */

static usec_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

/*
 * In the child: stdin /dev/null, stdout and stderr the pipe, no other fd
 * but errfd (close-on-exec, for exec's errno), default signals, own
 * process group, killed with its parent. Only async-signal-safe calls.
 */
_noreturn_ static void child(char *const paths[], size_t npaths, char *const argv[], int outfd,
			     int errfd)
{
	static char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	static char lc_env[] = "LC_ALL=C";
	char *const envp[] = { path_env, lc_env, NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int ef, of, nul, e = ENOENT;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* fails harmlessly for KILL, STOP, RT internals */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ef = fcntl(errfd, F_DUPFD_CLOEXEC, 10);
	of = fcntl(outfd, F_DUPFD_CLOEXEC, 10);
	if (nul < 0 || ef < 0 || of < 0 || dup2(nul, 0) < 0 || dup2(of, 1) < 0 || dup2(of, 2) < 0)
		_exit(127);
	/* Close everything else; ef stays, close-on-exec. */
	for (int fd = 3; fd < ef; fd++)
		close(fd);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)ef + 1, ~0U, 0) < 0)
#endif
		for (int fd = ef + 1; fd < 4096; fd++)
			close(fd);

	for (size_t i = 0; i < npaths; i++) {
		execve(paths[i], argv, envp);
		if (errno != ENOENT || e == ENOENT)
			e = errno;
	}
	(void)!write(ef, &e, sizeof(e));
	_exit(127);
}

static int map_output(const char *out)
{
	if (strstr(out, "already exists"))
		return -EEXIST;
	if (strstr(out, "Can't initialize ipvs") || strstr(out, "Protocol not available"))
		return -ENOPROTOOPT;
	return -EIO;
}

static int run(struct lvs_apply *a, const struct lvs_cmd *c, const char *line)
{
	char pathbuf[ARRAY_SIZE(search_dirs)][256];
	char *paths[ARRAY_SIZE(search_dirs)];
	char *argv[LVS_ARGV_MAX + 1];
	char out[OUTPUT_MAX + 1];
	size_t npaths = 0, outlen = 0;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, status, e = 0, r;
	bool killed = false;
	usec_t deadline;
	ssize_t k;
	pid_t pid;

	if (a->ipvsadm) {
		snprintf(pathbuf[0], sizeof(pathbuf[0]), "%s", a->ipvsadm);
		paths[npaths++] = pathbuf[0];
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(search_dirs); i++) {
			snprintf(pathbuf[i], sizeof(pathbuf[i]), "%s/%s", search_dirs[i], LVS_IPVSADM);
			paths[npaths++] = pathbuf[i];
		}
	}
	for (unsigned i = 0; i < c->argc; i++)
		argv[i] = (char *)c->argv[i];
	argv[c->argc] = NULL;

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto close_pipes;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto close_pipes;
	}
	if (pid == 0)
		child(paths, npaths, argv, outp[1], errp[1]);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;

	/* exec's errno, or EOF once exec succeeded (the fd is close-on-exec). */
	do
		k = read(errp[0], &e, sizeof(e));
	while (k < 0 && errno == EINTR);
	if (k != sizeof(e))
		e = 0;

	deadline = now_mono() + LVS_IPVSADM_TIMEOUT;
	for (;;) {
		struct pollfd pfd = { .fd = outp[0], .events = POLLIN };
		usec_t now = now_mono();
		char buf[512];

		if (now >= deadline) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		r = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
		if (r < 0 && errno != EINTR) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (r <= 0)
			continue;
		k = read(outp[0], buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (outlen < OUTPUT_MAX) {
			size_t take = MIN((size_t)k, OUTPUT_MAX - outlen);

			memcpy(out + outlen, buf, take);
			outlen += take;
		}
	}
	out[outlen] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r = fail(a, -errno, "`%s`: waiting for it", line);
			goto close_pipes;
		}
	}

	/* The first line of the output is the message worth showing. */
	out[strcspn(out, "\n")] = '\0';
	if (e) {
		r = fail(a, -e, "`%s`: cannot run %s", line, paths[0]);
	} else if (killed) {
		r = fail(a, -ETIMEDOUT, "`%s`: killed after %llu s", line,
			 (unsigned long long)(LVS_IPVSADM_TIMEOUT / USEC_PER_SEC));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r = 0;
	} else if (c->delete && strstr(out, "No such service")) {
		r = 0; /* nothing to delete: done */
	} else {
		r = map_output(out);
		if (WIFEXITED(status))
			snprintf(a->err, sizeof(a->err), "`%s`: exit %d: %s", line,
				 WEXITSTATUS(status), out[0] ? out : "(no message)");
		else
			snprintf(a->err, sizeof(a->err), "`%s`: killed by signal %d", line,
				 WTERMSIG(status));
	}
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (r < 0 && !a->err[0])
		fail(a, r, "`%s`", line);
	return r;
}

static int ipvsadm(struct lvs_apply *a, const struct lvs_plan *p, bool deletions)
{
	char line[LVS_ARGV_MAX * LVS_WORD_MAX];
	int r;

	for (size_t i = 0; i < p->ncmds; i++) {
		const struct lvs_cmd *c = &p->cmds[i];

		if (c->delete != deletions)
			continue;
		if (c->argc == 0 || c->argc > LVS_ARGV_MAX)
			return fail(a, -EINVAL, "a command of %u words", c->argc);
		lvs_cmd_format(c, line, sizeof(line));
		r = record(a, line);
		if (r < 0)
			return fail(a, r, "recording `%s`", line);
		if (a->dry_run)
			continue;
		r = run(a, c, line);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- /proc/sys ---- */

static int sysctls(struct lvs_apply *a, const struct lvs_plan *p)
{
	for (size_t i = 0; i < p->nsysctls; i++) {
		_cleanup_(closep) int fd = -EBADF;
		char path[256], val[32];
		int n;

		snprintf(path, sizeof(path), "/proc/sys/%s", p->sysctls[i].path);
		n = snprintf(val, sizeof(val), "%s\n", p->sysctls[i].value);
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 && errno == ENOENT)
			continue; /* 91.lvs's set_proc_maybe: no such knob, no IPv4 ARP */
		if (fd < 0)
			return fail(a, -errno, "opening %s", path);
		if (write(fd, val, (size_t)n) != n)
			return fail(a, errno ? -errno : -EIO, "writing %s to %s",
				    p->sysctls[i].value, path);
	}
	return 0;
}

/* ---- the address ---- */

struct holder {
	int ifindex;
	int scope;
};

static void rtnl_addr_putp(struct rtnl_addr **x)
{
	if (*x)
		rtnl_addr_put(*x);
}

static void nl_addr_putp(struct nl_addr **x)
{
	if (*x)
		nl_addr_put(*x);
}

static void nl_cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

static size_t vip_bytes(const struct sockaddr_storage *vip, const void **bytes)
{
	if (vip->ss_family == AF_INET6) {
		*bytes = &((const struct sockaddr_in6 *)vip)->sin6_addr;
		return 16;
	}
	*bytes = &((const struct sockaddr_in *)vip)->sin_addr;
	return 4;
}

/* Every interface holding vip, with the scope it has there. */
static int find_holders(struct lvs_apply *a, const struct sockaddr_storage *vip,
			struct holder *h, size_t *n)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	const void *bytes;
	size_t len = vip_bytes(vip, &bytes);
	int r;

	*n = 0;
	r = nlerr_to_errno(rtnl_addr_alloc_cache(a->sk, &cache));
	if (r < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (!local || nl_addr_get_family(local) != vip->ss_family ||
		    nl_addr_get_len(local) != len || memcmp(nl_addr_get_binary_addr(local), bytes, len))
			continue;
		if (*n == MAX_HOLDERS)
			return -E2BIG;
		h[*n].ifindex = rtnl_addr_get_ifindex(ra);
		h[*n].scope = rtnl_addr_get_scope(ra);
		(*n)++;
	}
	return 0;
}

/* vip/32 (/128) on ifindex with scope host: what `ip addr add VIP/32 dev lo scope host` does. */
static int add_scope_host(struct lvs_apply *a, int ifindex, const struct sockaddr_storage *vip,
			  unsigned bits)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *ra = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
	const void *bytes;
	size_t len = vip_bytes(vip, &bytes);
	int r;

	local = nl_addr_build(vip->ss_family, bytes, len);
	ra = rtnl_addr_alloc();
	if (!local || !ra)
		return -ENOMEM;
	nl_addr_set_prefixlen(local, (int)bits);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, vip->ss_family);
	r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		return nlerr_to_errno(r);
	rtnl_addr_set_prefixlen(ra, (int)bits);
	rtnl_addr_set_scope(ra, RT_SCOPE_HOST);
	if (vip->ss_family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	return nlerr_to_errno(rtnl_addr_add(a->sk, ra, NLM_F_EXCL));
}

static int place_vip(struct lvs_apply *a, const struct lvs_plan *p)
{
	struct holder h[MAX_HOLDERS];
	unsigned bits = p->vip.ss_family == AF_INET6 ? 128 : 32;
	const char *want_if = NULL;
	int want_idx = 0, want_scope = RT_SCOPE_UNIVERSE, r;
	bool present = false;
	size_t n;

	switch (p->place) {
	case LVS_VIP_NOWHERE:
		break;
	case LVS_VIP_LO_HOST:
		want_if = "lo";
		want_scope = RT_SCOPE_HOST;
		break;
	case LVS_VIP_IFACE:
		want_if = p->iface;
		break;
	default:
		return fail(a, -EINVAL, "address placement %d", (int)p->place);
	}
	if (want_if) {
		if (!*want_if)
			return fail(a, -EINVAL, "no public interface for the LVS address");
		want_idx = (int)if_nametoindex(want_if);
		if (want_idx == 0)
			return fail(a, -ENODEV, "interface %s", want_if);
	}

	r = find_holders(a, &p->vip, h, &n);
	if (r < 0)
		return fail(a, r, "listing addresses");
	/* Off everywhere it should not be, first: never two places at once. */
	for (size_t i = 0; i < n; i++) {
		char ifname[IF_NAMESIZE];

		/*
		 * IPv6 has no say in the scope (the kernel derives it from
		 * the address) and needs none: neighbour discovery answers
		 * only for the receiving interface's addresses, never lo's.
		 */
		if (h[i].ifindex == want_idx &&
		    (h[i].scope == want_scope || p->vip.ss_family == AF_INET6)) {
			present = true;
			continue;
		}
		if (!if_indextoname((unsigned)h[i].ifindex, ifname))
			continue; /* gone meanwhile, and its addresses with it */
		r = ipaddr_del(a->ipa, ifname, &p->vip);
		if (r < 0 && r != -EADDRNOTAVAIL && r != -ENODEV)
			return fail(a, r, "removing the LVS address from %s", ifname);
	}
	if (!want_if || present)
		return 0;
	if (p->place == LVS_VIP_LO_HOST)
		r = add_scope_host(a, want_idx, &p->vip, bits);
	else
		r = ipaddr_add(a->ipa, want_if, &p->vip, bits, IPADDR_NODAD);
	if (r < 0 && r != -EEXIST)
		return fail(a, r, "adding the LVS address to %s%s", want_if,
			    p->place == LVS_VIP_LO_HOST ? " (scope host)" : "");
	return 0;
}

int lvs_apply(struct lvs_apply *a, const struct lvs_plan *p)
{
	int r;

	a->err[0] = '\0';
	a->record_len = 0;
	if (a->record)
		a->record[0] = '\0';
	if (p->vip.ss_family != AF_INET && p->vip.ss_family != AF_INET6)
		return fail(a, -EAFNOSUPPORT, "the LVS address");

	r = ipvsadm(a, p, true);
	if (r < 0)
		return r;
	r = sysctls(a, p);
	if (r < 0)
		return r;
	r = place_vip(a, p);
	if (r < 0)
		return r;
	return ipvsadm(a, p, false);
}
