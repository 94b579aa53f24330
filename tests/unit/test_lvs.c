/*
 * test_lvs.c — the pure LVS rules (failover/lvs.c) with tables: the set
 * and the master as CTDB's ctdb_lvs picks them (healthy nodes, else every
 * active and not permanently disabled node; slave-only never master),
 * this node's role, and per-role plans as golden text (CTDB's 91.lvs
 * "ipreallocated" commands: ctdb/tests/UNIT/eventscripts/91.lvs.*).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "agentd/state.h"
#include "failover/lvs.h"

#define U  NODE_FLAG_UNHEALTHY
#define PD NODE_FLAG_PERMANENTLY_DISABLED
#define B  NODE_FLAG_BANNED
#define S  NODE_FLAG_STOPPED
#define DC NODE_FLAG_DISCONNECTED
#define DL NODE_FLAG_DELETED
#define PO NODE_FLAG_PARTIALLYONLINE
#define NONE LVS_NO_MASTER

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

struct node {
	uint32_t pnn, flags;
	bool slave_only;
	const char *addr;
};

#define MAXN 8

static size_t members(const struct node *nodes, struct lvs_member *m)
{
	size_t n = 0;

	for (; n < MAXN && nodes[n].addr; n++) {
		m[n] = (struct lvs_member){ .pnn = nodes[n].pnn, .flags = nodes[n].flags,
					    .slave_only = nodes[n].slave_only };
		m[n].addr = ip(nodes[n].addr);
	}
	return n;
}

/* ---- the set and the master ---- */

static void test_select(void **state)
{
	static const struct {
		const char *name;
		struct node nodes[MAXN];
		const char *set;   /* one char per node: y in the set, n not */
		uint32_t master;
	} cases[] = {
		{ "no LVS nodes", { { 0 } }, "", NONE },
		{ "all healthy",
		  { { 0, 0, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" },
		    { 2, 0, false, "192.168.1.3" } },
		  "yyy", 0 },
		{ "one node, healthy", { { 3, 0, false, "192.168.1.4" } }, "y", 3 },
		{ "some unhealthy: they leave the set and cannot be master",
		  { { 0, U, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" },
		    { 2, U, false, "192.168.1.3" }, { 3, 0, false, "192.168.1.4" } },
		  "nyny", 1 },
		{ "none healthy: every unhealthy node (fallback)",
		  { { 0, U, false, "192.168.1.1" }, { 1, U, false, "192.168.1.2" },
		    { 2, U, false, "192.168.1.3" } },
		  "yyy", 0 },
		{ "banned, stopped, disabled, disconnected, deleted: never, with healthy nodes",
		  { { 0, B, false, "192.168.1.1" }, { 1, S, false, "192.168.1.2" },
		    { 2, PD, false, "192.168.1.3" }, { 3, DC, false, "192.168.1.4" },
		    { 4, 0, false, "192.168.1.5" }, { 5, DL, false, "192.168.1.6" } },
		  "nnnnyn", 4 },
		{ "banned, stopped, disabled, disconnected: never, in the fallback either",
		  { { 0, B | U, false, "192.168.1.1" }, { 1, S, false, "192.168.1.2" },
		    { 2, PD | U, false, "192.168.1.3" }, { 3, DC | U, false, "192.168.1.4" },
		    { 4, U, false, "192.168.1.5" }, { 5, U, false, "192.168.1.6" } },
		  "nnnnyy", 4 },
		{ "all inactive: no set, no master (91.lvs.ipreallocated.012)",
		  { { 0, DC, false, "192.168.1.1" }, { 1, B, false, "192.168.1.2" },
		    { 2, S, false, "192.168.1.3" } },
		  "nnn", NONE },
		{ "disabled and unhealthy (CTDB's DISABLED) is out of the fallback",
		  { { 0, U | PD, false, "192.168.1.1" }, { 1, U, false, "192.168.1.2" } },
		  "ny", 1 },
		{ "slave-only: in the set, never master",
		  { { 0, 0, true, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" },
		    { 2, 0, false, "192.168.1.3" } },
		  "yyy", 1 },
		{ "every node slave-only: a set without master",
		  { { 0, 0, true, "192.168.1.1" }, { 1, 0, true, "192.168.1.2" } },
		  "yy", NONE },
		{ "every healthy node slave-only: an unhealthy master outside the set (as CTDB)",
		  { { 0, 0, true, "192.168.1.1" }, { 1, U, false, "192.168.1.2" },
		    { 2, B, false, "192.168.1.3" } },
		  "ynn", 1 },
		{ "the lowest pnn is master, whatever the order",
		  { { 5, 0, false, "192.168.1.6" }, { 2, 0, false, "192.168.1.3" },
		    { 7, 0, false, "192.168.1.8" } },
		  "yyy", 2 },
		{ "PARTIALLYONLINE does not count",
		  { { 0, PO, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" } },
		  "yy", 0 },
		{ "an unhealthy master candidate loses to a healthy one with a higher pnn",
		  { { 0, U, false, "192.168.1.1" }, { 1, 0, true, "192.168.1.2" },
		    { 2, 0, false, "192.168.1.3" } },
		  "nyy", 2 },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct lvs_member m[MAXN];
		bool in_set[MAXN];
		char got[MAXN + 1];
		size_t n = members(cases[c].nodes, m);
		uint32_t master;

		memset(in_set, 0x55, sizeof(in_set));
		master = lvs_select(m, n, in_set);
		for (size_t i = 0; i < n; i++)
			got[i] = in_set[i] ? 'y' : 'n';
		got[n] = '\0';
		if (!streq(got, cases[c].set) || master != cases[c].master)
			fail_msg("%s: set %s master %d, want set %s master %d", cases[c].name, got,
				 (int)master, cases[c].set, (int)cases[c].master);
	}
}

/* ---- this node's role ---- */

static void test_role(void **state)
{
	static const struct node nodes[] = {
		{ 0, 0, true, "192.168.1.1" },  /* slave-only, in the set */
		{ 1, 0, false, "192.168.1.2" }, /* master */
		{ 2, B, false, "192.168.1.3" }, /* banned: out */
		{ 0 },
	};
	static const struct {
		uint32_t me;
		enum lvs_role want;
	} cases[] = {
		{ 0, LVS_ROLE_MEMBER },
		{ 1, LVS_ROLE_MASTER },
		{ 2, LVS_ROLE_NONE },
		{ 9, LVS_ROLE_NONE }, /* not in the LVS group */
	};
	struct lvs_member m[MAXN];
	bool in_set[MAXN];
	size_t n = members(nodes, m);
	uint32_t master = lvs_select(m, n, in_set);

	assert_int_equal(master, 1);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++)
		assert_int_equal(lvs_role_of(m, n, in_set, master, cases[c].me), cases[c].want);
	/* No master at all: nobody is master, not even a node with pnn -1. */
	assert_int_equal(lvs_role_of(m, n, in_set, LVS_NO_MASTER, LVS_NO_MASTER), LVS_ROLE_NONE);
	assert_string_equal(lvs_role_name(LVS_ROLE_NONE), "none");
	assert_string_equal(lvs_role_name(LVS_ROLE_MEMBER), "member");
	assert_string_equal(lvs_role_name(LVS_ROLE_MASTER), "master");
}

/* ---- plans: goldens ---- */

static void test_plan_golden(void **state)
{
	static const struct {
		const char *name;
		const char *vip, *iface;
		struct node nodes[MAXN];
		uint32_t me;
		const char *want;
	} cases[] = {
		{ "master (91.lvs.ipreallocated.014: this is leader)", "10.1.1.201", "eth0",
		  { { 0, 0, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" },
		    { 2, 0, false, "192.168.1.3" } },
		  0,
		  "role master\n"
		  "ipvsadm -D -t 10.1.1.201:0\n"
		  "ipvsadm -D -u 10.1.1.201:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 10.1.1.201/32 on eth0\n"
		  "ipvsadm -A -t 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -A -u 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.2 -g\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 192.168.1.2 -g\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.3 -g\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 192.168.1.3 -g\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 127.0.0.1\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 127.0.0.1\n" },
		{ "member (91.lvs.ipreallocated.013: other node is leader)", "10.1.1.201", "eth0",
		  { { 0, 0, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" },
		    { 2, 0, false, "192.168.1.3" } },
		  2,
		  "role member\n"
		  "ipvsadm -D -t 10.1.1.201:0\n"
		  "ipvsadm -D -u 10.1.1.201:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 10.1.1.201/32 on lo scope host\n" },
		{ "none: a banned node", "10.1.1.201", "eth0",
		  { { 0, B, false, "192.168.1.1" }, { 1, 0, false, "192.168.1.2" } },
		  0,
		  "role none\n"
		  "ipvsadm -D -t 10.1.1.201:0\n"
		  "ipvsadm -D -u 10.1.1.201:0\n"
		  "address 10.1.1.201 nowhere\n" },
		{ "master: only the set's nodes, by pnn, unhealthy and slave-only as the set says",
		  "10.0.0.9", "bond0",
		  { { 7, 0, true, "172.16.0.7" }, { 3, 0, false, "172.16.0.3" },
		    { 5, U, false, "172.16.0.5" }, { 4, DC, false, "172.16.0.4" },
		    { 1, 0, true, "172.16.0.1" } },
		  3,
		  "role master\n"
		  "ipvsadm -D -t 10.0.0.9:0\n"
		  "ipvsadm -D -u 10.0.0.9:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 10.0.0.9/32 on bond0\n"
		  "ipvsadm -A -t 10.0.0.9:0 -p 1999999 -s lc\n"
		  "ipvsadm -A -u 10.0.0.9:0 -p 1999999 -s lc\n"
		  "ipvsadm -a -t 10.0.0.9:0 -r 172.16.0.1 -g\n"
		  "ipvsadm -a -u 10.0.0.9:0 -r 172.16.0.1 -g\n"
		  "ipvsadm -a -t 10.0.0.9:0 -r 172.16.0.7 -g\n"
		  "ipvsadm -a -u 10.0.0.9:0 -r 172.16.0.7 -g\n"
		  "ipvsadm -a -t 10.0.0.9:0 -r 127.0.0.1\n"
		  "ipvsadm -a -u 10.0.0.9:0 -r 127.0.0.1\n" },
		{ "master alone in the set: only itself, through 127.0.0.1", "10.1.1.201", "eth0",
		  { { 0, 0, false, "192.168.1.1" }, { 1, S, false, "192.168.1.2" } },
		  0,
		  "role master\n"
		  "ipvsadm -D -t 10.1.1.201:0\n"
		  "ipvsadm -D -u 10.1.1.201:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 10.1.1.201/32 on eth0\n"
		  "ipvsadm -A -t 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -A -u 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 127.0.0.1\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 127.0.0.1\n" },
		{ "master outside the set (every healthy node slave-only, as CTDB)", "10.1.1.201",
		  "eth0",
		  { { 0, 0, true, "192.168.1.1" }, { 1, U, false, "192.168.1.2" } },
		  1,
		  "role master\n"
		  "ipvsadm -D -t 10.1.1.201:0\n"
		  "ipvsadm -D -u 10.1.1.201:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 10.1.1.201/32 on eth0\n"
		  "ipvsadm -A -t 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -A -u 10.1.1.201:0 -p 1999999 -s lc\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 192.168.1.1 -g\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 192.168.1.1 -g\n"
		  "ipvsadm -a -t 10.1.1.201:0 -r 127.0.0.1\n"
		  "ipvsadm -a -u 10.1.1.201:0 -r 127.0.0.1\n" },
		{ "master, IPv6: bracketed addresses, ::1", "2001:db8::80", "eth1",
		  { { 0, 0, false, "fd00::1" }, { 1, 0, false, "fd00::2" } },
		  0,
		  "role master\n"
		  "ipvsadm -D -t [2001:db8::80]:0\n"
		  "ipvsadm -D -u [2001:db8::80]:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 2001:db8::80/128 on eth1\n"
		  "ipvsadm -A -t [2001:db8::80]:0 -p 1999999 -s lc\n"
		  "ipvsadm -A -u [2001:db8::80]:0 -p 1999999 -s lc\n"
		  "ipvsadm -a -t [2001:db8::80]:0 -r [fd00::2] -g\n"
		  "ipvsadm -a -u [2001:db8::80]:0 -r [fd00::2] -g\n"
		  "ipvsadm -a -t [2001:db8::80]:0 -r [::1]\n"
		  "ipvsadm -a -u [2001:db8::80]:0 -r [::1]\n" },
		{ "member, IPv6", "2001:db8::80", "",
		  { { 0, 0, false, "fd00::1" }, { 1, 0, false, "fd00::2" } },
		  1,
		  "role member\n"
		  "ipvsadm -D -t [2001:db8::80]:0\n"
		  "ipvsadm -D -u [2001:db8::80]:0\n"
		  "sysctl net.ipv4.conf.all.arp_ignore=3\n"
		  "sysctl net.ipv4.conf.all.arp_announce=2\n"
		  "address 2001:db8::80/128 on lo scope host\n" },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct lvs_member m[MAXN];
		bool in_set[MAXN];
		struct sockaddr_storage vip = ip(cases[c].vip);
		size_t n = members(cases[c].nodes, m);
		uint32_t master = lvs_select(m, n, in_set);
		enum lvs_role role = lvs_role_of(m, n, in_set, master, cases[c].me);
		struct lvs_plan p;
		char *text;

		assert_int_equal(lvs_plan_build(&p, role, &vip, cases[c].iface, m, n, in_set,
						cases[c].me), 0);
		text = lvs_plan_format(&p);
		assert_non_null(text);
		if (!streq(text, cases[c].want))
			fail_msg("%s:\n--- got\n%s--- want\n%s", cases[c].name, text, cases[c].want);
		free(text);
		lvs_plan_done(&p);
	}
}

/* The argument vectors themselves, not only their text. */
static void test_plan_argv(void **state)
{
	static const struct node nodes[] = { { 0, 0, false, "192.168.1.1" },
					     { 1, 0, false, "192.168.1.2" }, { 0 } };
	static const char *const want[][LVS_ARGV_MAX + 1] = {
		{ "ipvsadm", "-D", "-t", "10.1.1.201:0" },
		{ "ipvsadm", "-D", "-u", "10.1.1.201:0" },
		{ "ipvsadm", "-A", "-t", "10.1.1.201:0", "-p", "1999999", "-s", "lc" },
		{ "ipvsadm", "-A", "-u", "10.1.1.201:0", "-p", "1999999", "-s", "lc" },
		{ "ipvsadm", "-a", "-t", "10.1.1.201:0", "-r", "192.168.1.2", "-g" },
		{ "ipvsadm", "-a", "-u", "10.1.1.201:0", "-r", "192.168.1.2", "-g" },
		{ "ipvsadm", "-a", "-t", "10.1.1.201:0", "-r", "127.0.0.1" },
		{ "ipvsadm", "-a", "-u", "10.1.1.201:0", "-r", "127.0.0.1" },
	};
	struct lvs_member m[MAXN];
	bool in_set[MAXN];
	struct sockaddr_storage vip = ip("10.1.1.201");
	size_t n = members(nodes, m);
	struct lvs_plan p;

	lvs_select(m, n, in_set);
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MASTER, &vip, "eth0", m, n, in_set, 0), 0);
	assert_int_equal(p.ncmds, ARRAY_SIZE(want));
	for (size_t i = 0; i < p.ncmds; i++) {
		unsigned argc = 0;

		while (want[i][argc])
			argc++;
		assert_int_equal(p.cmds[i].argc, argc);
		for (unsigned k = 0; k < argc; k++)
			assert_string_equal(p.cmds[i].argv[k], want[i][k]);
		assert_int_equal(p.cmds[i].delete, i < 2);
	}
	assert_int_equal(p.place, LVS_VIP_IFACE);
	assert_string_equal(p.iface, "eth0");
	assert_int_equal(p.nsysctls, 2);
	lvs_plan_done(&p);
	lvs_plan_done(&p); /* twice is harmless */
	lvs_plan_done(NULL);
}

static void test_plan_errors(void **state)
{
	static const struct node nodes[] = { { 0, 0, false, "192.168.1.1" },
					     { 1, 0, false, "fd00::2" }, { 0 } };
	struct lvs_member m[MAXN];
	bool in_set[MAXN];
	struct sockaddr_storage vip = ip("10.1.1.201"), none = { .ss_family = AF_UNSPEC };
	size_t n = members(nodes, m);
	struct lvs_plan p;

	lvs_select(m, n, in_set);
	/* No address, no plan. */
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MEMBER, &none, "eth0", NULL, 0, NULL, 0),
			 -EAFNOSUPPORT);
	/* A master needs the public interface; a member does not. */
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MASTER, &vip, "", m, n, in_set, 0), -EINVAL);
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MASTER, &vip, NULL, m, n, in_set, 0), -EINVAL);
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MEMBER, &vip, NULL, NULL, 0, NULL, 1), 0);
	lvs_plan_done(&p);
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MEMBER, &vip, "a-name-much-too-long0", NULL, 0,
					NULL, 1),
			 -EINVAL);
	/* An IPv6 real server for an IPv4 service: ipvsadm could not. */
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MASTER, &vip, "eth0", m, n, in_set, 0),
			 -EAFNOSUPPORT);
	assert_null(p.cmds); /* a failed build leaves nothing to free */
	/* The master's own entry is skipped, whatever its family. */
	assert_int_equal(lvs_plan_build(&p, LVS_ROLE_MASTER, &vip, "eth0", m, n, in_set, 1), 0);
	lvs_plan_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_plan_golden),
		cmocka_unit_test(test_plan_argv),
		cmocka_unit_test(test_plan_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
