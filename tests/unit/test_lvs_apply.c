/*
 * test_lvs_apply.c — failover/lvs_apply.c against the real kernel, inside
 * a network namespace of the test's own (root; the kernel parts are
 * skipped otherwise) with a veth pair pub0/pub1 as the public interface:
 *
 *   - dry run: the exact ipvsadm command lines recorded for each role,
 *     while the address and the ARP sysctls really change (in the
 *     namespace only): the master's address on pub0, a member's on lo
 *     with scope host, none anywhere for role none;
 *   - the runner: fork + exec of a stand-in ipvsadm (a shell script that
 *     logs its arguments and answers -D like ipvsadm without the
 *     service), failures mapped to -errno with ipvsadm's message;
 *   - real IPVS when /proc/net/ip_vs exists; skipped, saying so, when the
 *     kernel has none (the case on the machines this was written on).
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "agentd/state.h"
#include "failover/lvs.h"
#include "failover/lvs_apply.h"
#include "tests/unit/netns.h"

struct fixture {
	bool in_netns;
	struct nl_sock *sk;
	char dir[64]; /* scratch: stand-in ipvsadm scripts and their logs */
};

#define NEED_NETNS(f) NETNS_NEED((f)->in_netns)

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(s, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

/* Where the kernel has addr: "lo/32:host", "pub0/32:global,lo/32:host", "" — sorted. */
static void holders(struct fixture *f, const char *addr, char *out, size_t len)
{
	struct sockaddr_storage ss = ip(addr);
	const void *bytes = ss.ss_family == AF_INET6
				    ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
				    : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	size_t blen = ss.ss_family == AF_INET6 ? 16 : 4;
	struct nl_cache *cache = NULL;
	char items[8][64];
	size_t n = 0;

	assert_int_equal(rtnl_addr_alloc_cache(f->sk, &cache), 0);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);
		char ifname[IF_NAMESIZE] = "?";
		int scope = rtnl_addr_get_scope(ra);

		if (!local || nl_addr_get_len(local) != blen ||
		    memcmp(nl_addr_get_binary_addr(local), bytes, blen) || n == 8)
			continue;
		if_indextoname((unsigned)rtnl_addr_get_ifindex(ra), ifname);
		snprintf(items[n++], sizeof(items[0]), "%s/%d:%s", ifname,
			 rtnl_addr_get_prefixlen(ra),
			 scope == RT_SCOPE_HOST ? "host" : scope == RT_SCOPE_UNIVERSE ? "global" : "other");
	}
	nl_cache_free(cache);
	for (size_t i = 0; i < n; i++) /* sort: tiny n */
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(items[k], items[i]) < 0) {
				char t[64];

				memcpy(t, items[i], sizeof(t));
				memcpy(items[i], items[k], sizeof(t));
				memcpy(items[k], t, sizeof(t));
			}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "", items[i]);
}

/* When the kernel made addr (hundredths of a second since boot), 0 if absent. */
static uint32_t created(struct fixture *f, const char *addr)
{
	struct sockaddr_storage ss = ip(addr);
	const void *bytes = ss.ss_family == AF_INET6
				    ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
				    : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	size_t blen = ss.ss_family == AF_INET6 ? 16 : 4;
	struct nl_cache *cache = NULL;
	uint32_t t = 0;

	assert_int_equal(rtnl_addr_alloc_cache(f->sk, &cache), 0);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (local && nl_addr_get_len(local) == blen &&
		    !memcmp(nl_addr_get_binary_addr(local), bytes, blen))
			t = rtnl_addr_get_create_time(ra);
	}
	nl_cache_free(cache);
	return t;
}

/* Applying p again leaves the address alone: not removed and added back. */
static void assert_untouched(struct fixture *f, struct lvs_apply *a, const struct lvs_plan *p,
			     const char *addr)
{
	uint32_t before = created(f, addr);
	int r;

	assert_int_not_equal(before, 0);
	usleep(30 * 1000); /* past the 1/100 s resolution of the stamp */
	r = lvs_apply(a, p);
	assert_int_equal(r, 0);
	assert_int_equal(created(f, addr), before);
}

#define assert_holders(f, addr, want)                                          \
	do {                                                                   \
		char _h[256];                                                  \
		holders((f), (addr), _h, sizeof(_h));                          \
		assert_string_equal(_h, (want));                               \
	} while (0)

static int read_sysctl(const char *path)
{
	char full[256], buf[32] = "";
	FILE *fp;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fp = fopen(full, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	return atoi(buf);
}

static void write_sysctl(const char *path, const char *val)
{
	char full[256];
	FILE *fp;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fp = fopen(full, "w");
	assert_non_null(fp);
	fputs(val, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The plan for me in a three-node group where 0 is master: 0, 1, 2 at 192.168.1.1-3. */
static void plan_for(struct lvs_plan *p, const char *vip_text, uint32_t me, uint32_t bad_flags)
{
	const bool v6 = strchr(vip_text, ':');
	struct lvs_member m[3];
	bool in_set[3];
	struct sockaddr_storage vip = ip(vip_text);
	uint32_t master;

	for (uint32_t i = 0; i < 3; i++) {
		char a[64];

		snprintf(a, sizeof(a), v6 ? "fd00::%u" : "192.168.1.%u", i + 1);
		m[i] = (struct lvs_member){ .pnn = i, .addr = ip(a) };
	}
	m[me].flags = bad_flags; /* e.g. BANNED: role none */
	master = lvs_select(m, 3, in_set);
	assert_int_equal(lvs_plan_build(p, lvs_role_of(m, 3, in_set, master, me), &vip, "pub0", m,
					3, in_set, me),
			 0);
}

static void apply(struct lvs_apply *a, const struct lvs_plan *p)
{
	int r = lvs_apply(a, p);

	if (r < 0)
		fail_msg("lvs_apply: %d: %s", r, lvs_apply_error(a));
	assert_string_equal(lvs_apply_error(a), "");
}

/* ---- no netns needed ---- */

static void test_has_ipvs(void **state)
{
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	bool has = access("/proc/net/ip_vs", F_OK) == 0;

	(void)f; /* any namespace will do: nothing is changed */
	assert_int_equal(lvs_kernel_has_ipvs(), has);
	assert_int_equal(lvs_apply_new(NULL, 0, &a), 0);
	assert_int_equal(lvs_apply_dry_run(a), !has);
	if (!has) {
		assert_non_null(strstr(lvs_apply_dry_run_reason(a), "no IPVS"));
		assert_non_null(strstr(lvs_apply_dry_run_reason(a), "/proc/net/ip_vs"));
		print_message("    note: %s\n", lvs_apply_dry_run_reason(a));
	} else {
		assert_null(lvs_apply_dry_run_reason(a));
	}
	assert_string_equal(lvs_apply_commands(a), "");
	lvs_apply_free(a);

	assert_int_equal(lvs_apply_new(NULL, LVS_APPLY_DRY_RUN, &a), 0);
	assert_true(lvs_apply_dry_run(a));
	assert_non_null(strstr(lvs_apply_dry_run_reason(a), "dry run"));
	lvs_apply_free(a);
	lvs_apply_free(NULL);
}

/* ---- dry run: the commands, and the address and sysctls for real ---- */

static void test_dry_run_roles(void **state)
{
	static const char master_cmds[] =
		"ipvsadm -D -t 10.1.1.201:0\n"
		"ipvsadm -D -u 10.1.1.201:0\n"
		"ipvsadm -A -t 10.1.1.201:0 -p 1999999 -s lc\n"
		"ipvsadm -A -u 10.1.1.201:0 -p 1999999 -s lc\n"
		"ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.2 -g\n"
		"ipvsadm -a -u 10.1.1.201:0 -r 192.168.1.2 -g\n"
		"ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.3 -g\n"
		"ipvsadm -a -u 10.1.1.201:0 -r 192.168.1.3 -g\n"
		"ipvsadm -a -t 10.1.1.201:0 -r 127.0.0.1\n"
		"ipvsadm -a -u 10.1.1.201:0 -r 127.0.0.1\n";
	static const char delete_cmds[] =
		"ipvsadm -D -t 10.1.1.201:0\n"
		"ipvsadm -D -u 10.1.1.201:0\n";
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	struct lvs_plan master, member, none;

	NEED_NETNS(f);
	write_sysctl("net/ipv4/conf/all/arp_ignore", "0");
	write_sysctl("net/ipv4/conf/all/arp_announce", "0");
	assert_int_equal(lvs_apply_new(NULL, LVS_APPLY_DRY_RUN, &a), 0);
	plan_for(&master, "10.1.1.201", 0, 0);
	plan_for(&member, "10.1.1.201", 1, 0);
	plan_for(&none, "10.1.1.201", 2, NODE_FLAG_BANNED);
	assert_int_equal(member.role, LVS_ROLE_MEMBER);
	assert_int_equal(none.role, LVS_ROLE_NONE);

	/* Role none first: nothing there, nothing to remove, sysctls untouched. */
	apply(a, &none);
	assert_string_equal(lvs_apply_commands(a), delete_cmds);
	assert_holders(f, "10.1.1.201", "");
	assert_int_equal(read_sysctl("net/ipv4/conf/all/arp_ignore"), 0);

	/* Member: sysctls, then the address on lo, scope host. */
	apply(a, &member);
	assert_string_equal(lvs_apply_commands(a), delete_cmds);
	assert_int_equal(read_sysctl("net/ipv4/conf/all/arp_ignore"), 3);
	assert_int_equal(read_sysctl("net/ipv4/conf/all/arp_announce"), 2);
	assert_holders(f, "10.1.1.201", "lo/32:host");
	assert_untouched(f, a, &member, "10.1.1.201");
	assert_holders(f, "10.1.1.201", "lo/32:host");

	/* Member becomes master: off lo, onto the public interface. */
	apply(a, &master);
	assert_string_equal(lvs_apply_commands(a), master_cmds);
	assert_holders(f, "10.1.1.201", "pub0/32:global");
	assert_untouched(f, a, &master, "10.1.1.201");
	assert_string_equal(lvs_apply_commands(a), master_cmds);
	assert_holders(f, "10.1.1.201", "pub0/32:global");

	/* Master becomes member: off pub0, back on lo. */
	apply(a, &member);
	assert_holders(f, "10.1.1.201", "lo/32:host");

	/* None: gone from everywhere. */
	apply(a, &master);
	apply(a, &none);
	assert_string_equal(lvs_apply_commands(a), delete_cmds);
	assert_holders(f, "10.1.1.201", "");
	apply(a, &member);
	apply(a, &none);
	assert_holders(f, "10.1.1.201", "");
	/* CTDB never puts the ARP sysctls back; neither does herd. */
	assert_int_equal(read_sysctl("net/ipv4/conf/all/arp_ignore"), 3);

	lvs_plan_done(&master);
	lvs_plan_done(&member);
	lvs_plan_done(&none);
	lvs_apply_free(a);
}

/* What CTDB's 91.lvs leaves (scope global on lo, or on two interfaces) is put right. */
static void test_foreign_placement(void **state)
{
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	struct lvs_plan member, master;
	struct rtnl_addr *ra;
	struct nl_addr *local;

	NEED_NETNS(f);
	/* `ip addr add 10.1.1.202/32 dev lo` (scope global), as 91.lvs's leader has it. */
	ra = rtnl_addr_alloc();
	assert_int_equal(nl_addr_parse("10.1.1.202/32", AF_INET, &local), 0);
	rtnl_addr_set_ifindex(ra, (int)if_nametoindex("lo"));
	rtnl_addr_set_local(ra, local);
	assert_int_equal(rtnl_addr_add(f->sk, ra, 0), 0);
	/* ... and by hand on pub0 as well. */
	rtnl_addr_set_ifindex(ra, (int)if_nametoindex("pub0"));
	assert_int_equal(rtnl_addr_add(f->sk, ra, 0), 0);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	assert_holders(f, "10.1.1.202", "lo/32:global,pub0/32:global");

	assert_int_equal(lvs_apply_new(NULL, LVS_APPLY_DRY_RUN, &a), 0);
	plan_for(&member, "10.1.1.202", 2, 0);
	apply(a, &member);
	assert_holders(f, "10.1.1.202", "lo/32:host");
	plan_for(&master, "10.1.1.202", 0, 0);
	apply(a, &master);
	assert_holders(f, "10.1.1.202", "pub0/32:global");
	lvs_plan_done(&member);
	plan_for(&member, "10.1.1.202", 2, NODE_FLAG_STOPPED);
	apply(a, &member);
	assert_holders(f, "10.1.1.202", "");
	lvs_plan_done(&member);
	lvs_plan_done(&master);
	lvs_apply_free(a);
}

static void test_dry_run_v6(void **state)
{
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	struct lvs_plan master, member;

	NEED_NETNS(f);
	assert_int_equal(lvs_apply_new(NULL, LVS_APPLY_DRY_RUN, &a), 0);
	plan_for(&member, "2001:db8::80", 2, 0);
	apply(a, &member);
	/* The kernel gives IPv6 addresses the scope of their kind. */
	assert_holders(f, "2001:db8::80", "lo/128:global");
	assert_untouched(f, a, &member, "2001:db8::80"); /* not taken for a wrong placement */
	assert_holders(f, "2001:db8::80", "lo/128:global");
	plan_for(&master, "2001:db8::80", 0, 0);
	apply(a, &master);
	assert_holders(f, "2001:db8::80", "pub0/128:global");
	assert_string_equal(lvs_apply_commands(a),
			    "ipvsadm -D -t [2001:db8::80]:0\n"
			    "ipvsadm -D -u [2001:db8::80]:0\n"
			    "ipvsadm -A -t [2001:db8::80]:0 -p 1999999 -s lc\n"
			    "ipvsadm -A -u [2001:db8::80]:0 -p 1999999 -s lc\n"
			    "ipvsadm -a -t [2001:db8::80]:0 -r [fd00::2] -g\n"
			    "ipvsadm -a -u [2001:db8::80]:0 -r [fd00::2] -g\n"
			    "ipvsadm -a -t [2001:db8::80]:0 -r [fd00::3] -g\n"
			    "ipvsadm -a -u [2001:db8::80]:0 -r [fd00::3] -g\n"
			    "ipvsadm -a -t [2001:db8::80]:0 -r [::1]\n"
			    "ipvsadm -a -u [2001:db8::80]:0 -r [::1]\n");
	lvs_plan_done(&master);
	plan_for(&master, "2001:db8::80", 1, NODE_FLAG_BANNED);
	apply(a, &master);
	assert_holders(f, "2001:db8::80", "");
	lvs_plan_done(&master);
	lvs_plan_done(&member);
	lvs_apply_free(a);
}

static void test_missing_iface(void **state)
{
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	struct lvs_plan p;

	NEED_NETNS(f);
	assert_int_equal(lvs_apply_new(NULL, LVS_APPLY_DRY_RUN, &a), 0);
	plan_for(&p, "10.1.1.203", 0, 0);
	snprintf(p.iface, sizeof(p.iface), "nosuch0");
	assert_int_equal(lvs_apply(a, &p), -ENODEV);
	assert_non_null(strstr(lvs_apply_error(a), "nosuch0"));
	assert_holders(f, "10.1.1.203", "");
	lvs_plan_done(&p);
	lvs_apply_free(a);
}

/* ---- the runner, with a stand-in ipvsadm ---- */

static void write_script(const char *path, const char *body)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!fp)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void test_runner(void **state)
{
	struct fixture *f = *state;
	char script[128], log[128], body[1024];
	struct lvs_apply *a = NULL;
	struct lvs_plan master;

	NEED_NETNS(f);
	snprintf(script, sizeof(script), "%s/ipvsadm", f->dir);
	snprintf(log, sizeof(log), "%s/log", f->dir);
	/* Like ipvsadm: -D of a missing service says so on stderr and exits 1. */
	snprintf(body, sizeof(body),
		 "echo \"$*\" >> %s\n"
		 "env > %s.env\n"
		 "case $1 in -D) echo 'No such service' >&2; exit 1;; esac\n"
		 "exit 0\n",
		 log, log);
	write_script(script, body);

	assert_int_equal(lvs_apply_new(script, LVS_APPLY_RUN, &a), 0);
	assert_false(lvs_apply_dry_run(a));
	plan_for(&master, "10.1.1.204", 0, 0);
	apply(a, &master);
	assert_holders(f, "10.1.1.204", "pub0/32:global");
	/* Every command ran, in order: the record minus "ipvsadm " is the log. */
	{
		char want[2048] = "", envlog[160];
		const char *cmds = lvs_apply_commands(a), *env;

		assert_int_equal(strncmp(cmds, "ipvsadm -D -t 10.1.1.204:0\n", 27), 0);
		for (const char *l = cmds; *l;) {
			const char *nl = strchr(l, '\n');

			assert_int_equal(strncmp(l, "ipvsadm ", 8), 0);
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%.*s\n",
				 (int)(nl - l - 8), l + 8);
			l = nl + 1;
		}
		assert_string_equal(slurp(log), want);
		/* A scrubbed environment (sh itself adds PWD and the like). */
		snprintf(envlog, sizeof(envlog), "%s.env", log);
		env = slurp(envlog);
		assert_non_null(strstr(env, "LC_ALL=C\n"));
		assert_non_null(strstr(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
		assert_null(strstr(env, "HOME="));
		unlink(envlog);
	}

	/* A failure: ipvsadm's message and -errno come back; it stops there. */
	unlink(log);
	snprintf(body, sizeof(body),
		 "echo \"$*\" >> %s\n"
		 "case $1 in -D) echo 'No such service' >&2; exit 1;; "
		 "-A) echo 'Service already exists' >&2; exit 1;; esac\n"
		 "exit 0\n",
		 log);
	write_script(script, body);
	assert_int_equal(lvs_apply(a, &master), -EEXIST);
	assert_non_null(strstr(lvs_apply_error(a), "Service already exists"));
	assert_non_null(strstr(lvs_apply_error(a), "ipvsadm -A -t 10.1.1.204:0"));
	assert_string_equal(slurp(log), "-D -t 10.1.1.204:0\n-D -u 10.1.1.204:0\n"
					"-A -t 10.1.1.204:0 -p 1999999 -s lc\n");

	/* -D failing for another reason is a failure too. */
	write_script(script, "echo 'Memory allocation problem' >&2; exit 1\n");
	assert_int_equal(lvs_apply(a, &master), -EIO);
	assert_non_null(strstr(lvs_apply_error(a), "Memory allocation problem"));
	assert_non_null(strstr(lvs_apply_error(a), "exit 1"));
	lvs_apply_free(a);

	/* No such program. */
	snprintf(script, sizeof(script), "%s/nosuch-ipvsadm", f->dir);
	assert_int_equal(lvs_apply_new(script, LVS_APPLY_RUN, &a), 0);
	assert_int_equal(lvs_apply(a, &master), -ENOENT);
	assert_non_null(strstr(lvs_apply_error(a), "nosuch-ipvsadm"));
	lvs_apply_free(a);

	/* Role none with the address still up from the master above: gone. */
	snprintf(script, sizeof(script), "%s/ipvsadm", f->dir);
	write_script(script, "exit 0\n");
	assert_int_equal(lvs_apply_new(script, LVS_APPLY_RUN, &a), 0);
	lvs_plan_done(&master);
	plan_for(&master, "10.1.1.204", 0, NODE_FLAG_BANNED);
	apply(a, &master);
	assert_holders(f, "10.1.1.204", "");
	lvs_plan_done(&master);
	lvs_apply_free(a);
}

/* ---- real IPVS, when the kernel has it ---- */

static void test_real_ipvs(void **state)
{
	struct fixture *f = *state;
	struct lvs_apply *a = NULL;
	struct lvs_plan master, none;
	char out[4096] = "";
	FILE *p;
	size_t n;

	NEED_NETNS(f);
	if (!lvs_kernel_has_ipvs()) {
		print_message("    skipped: the kernel has no IPVS (/proc/net/ip_vs absent); "
			      "the ipvsadm commands were checked from the dry run\n");
		skip();
	}
	assert_int_equal(lvs_apply_new(NULL, 0, &a), 0);
	assert_false(lvs_apply_dry_run(a));
	plan_for(&master, "10.1.1.205", 0, 0);
	apply(a, &master);
	apply(a, &master); /* the -D first makes it repeatable */
	p = popen("ipvsadm -S -n", "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	assert_non_null(strstr(out, "-A -t 10.1.1.205:0 -s lc -p 1999999"));
	assert_non_null(strstr(out, "-A -u 10.1.1.205:0 -s lc -p 1999999"));
	assert_non_null(strstr(out, "-a -t 10.1.1.205:0 -r 192.168.1.2:0 -g"));
	assert_non_null(strstr(out, "-a -u 10.1.1.205:0 -r 192.168.1.3:0 -g"));
	assert_non_null(strstr(out, "-a -t 10.1.1.205:0 -r 127.0.0.1:0 -g"));
	plan_for(&none, "10.1.1.205", 0, NODE_FLAG_BANNED);
	apply(a, &none);
	p = popen("ipvsadm -S -n", "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	assert_null(strstr(out, "10.1.1.205"));
	lvs_plan_done(&master);
	lvs_plan_done(&none);
	lvs_apply_free(a);
}

/* ---- set-up: a namespace of our own, lo up, a veth pair ---- */

static int setup(void **state)
{
	static struct fixture f;
	int r;

	*state = &f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/test_lvs_apply.XXXXXX");
	if (!mkdtemp(f.dir)) {
		fprintf(stderr, "test_lvs_apply: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	r = netns_setup("pub0", "pub1", NULL);
	if (r < 0)
		rmdir(f.dir);
	if (r <= 0)
		return r;
	f.sk = nl_socket_alloc();
	if (!f.sk || nl_connect(f.sk, NETLINK_ROUTE) < 0) {
		fprintf(stderr, "test_lvs_apply: no netlink socket: kernel tests skipped\n");
		return 0;
	}
	f.in_netns = true;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	if (f->sk)
		nl_socket_free(f->sk); /* the namespace goes with the process */
	snprintf(path, sizeof(path), "%s/ipvsadm", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/log", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/log.env", f->dir);
	unlink(path);
	rmdir(f->dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has_ipvs),
		cmocka_unit_test(test_dry_run_roles),
		cmocka_unit_test(test_foreign_placement),
		cmocka_unit_test(test_dry_run_v6),
		cmocka_unit_test(test_missing_iface),
		cmocka_unit_test(test_runner),
		cmocka_unit_test(test_real_ipvs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
