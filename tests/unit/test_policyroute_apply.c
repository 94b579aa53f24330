/*
 * test_policyroute_apply.c — per-IP policy routing in the real kernel
 * (failover/policyroute_apply.c), checked with the kernel's own view:
 * `ip rule show`, `ip route show table N` and `ip route get`.
 *
 * The process first enters a network namespace of its own (it must run as
 * root; otherwise every test is skipped) and makes a veth pair hv0/hv1
 * there, both up and with carrier (tests/unit/netns.c); nothing touches the host's network, and the namespace and
 * everything in it vanish when the process exits. Each test removes the
 * addresses, rules and routes it made, so the tests run in any order.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "failover/ipaddr.h"
#include "failover/policyroute.h"
#include "failover/policyroute_apply.h"
#include "tests/unit/netns.h"

#define PREF 100
#define LOW  1000
#define HIGH 1009

struct fixture {
	bool in_netns;
	struct ipaddr *ipa;
};

#define NEED_NETNS(f) NETNS_NEED((f)->in_netns)

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (!*s)
		return ss;
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

/* One line of the policy routing file, "PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]". */
static struct conf_route line(const char *s)
{
	struct conf_route r = { 0 };
	char a[64] = "", n[64] = "", g[64] = "";
	char *slash;

	assert_true(sscanf(s, "%63s %63s %63s", a, n, g) >= 2);
	r.pubaddr = ip(a);
	slash = strchr(n, '/');
	assert_non_null(slash);
	*slash = '\0';
	r.net.addr = ip(n);
	r.net.prefix = (unsigned)atoi(slash + 1);
	r.gateway = ip(g);
	return r;
}

#define MAXLINES 8

struct file {
	struct conf_route r[MAXLINES];
	size_t n;
};

static struct file file(const char *const *lines)
{
	struct file f = { .n = 0 };

	for (; lines[f.n]; f.n++) {
		assert_true(f.n < MAXLINES);
		f.r[f.n] = line(lines[f.n]);
	}
	return f;
}

/*
 * The standard output of a shell command, each line's trailing blanks
 * dropped; lines starting with one of the skip prefixes are left out.
 * Returns a static buffer.
 */
static const char *run(const char *const *skip, const char *fmt, ...) _printf_(2, 3);
static const char *run(const char *const *skip, const char *fmt, ...)
{
	static char out[4096];
	char cmd[512], lbuf[512];
	size_t len = 0;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(lbuf, sizeof(lbuf), p)) {
		size_t l = strlen(lbuf);
		bool skipped = false;

		while (l > 0 && (lbuf[l - 1] == '\n' || lbuf[l - 1] == ' ' || lbuf[l - 1] == '\t'))
			lbuf[--l] = '\0';
		for (size_t i = 0; skip && skip[i]; i++)
			if (strncmp(lbuf, skip[i], strlen(skip[i])) == 0)
				skipped = true;
		if (skipped)
			continue;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s\n", lbuf);
		assert_true(len < sizeof(out));
	}
	pclose(p);
	return out;
}

/* `ip rule show`, without the kernel's default rules. */
static const char *rules(int v)
{
	static const char *const defaults[] = {
		"0:\tfrom all lookup local", "32766:\tfrom all lookup main",
		"32767:\tfrom all lookup default", NULL,
	};

	return run(defaults, "ip -%d rule show", v);
}

static const char *table(int v, unsigned t)
{
	return run(NULL, "ip -%d route show table %u 2>/dev/null", v, t);
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void addr_add(struct fixture *f, const char *ifname, const char *a, unsigned prefix)
{
	struct sockaddr_storage ss = ip(a);

	assert_int_equal(ipaddr_add(f->ipa, ifname, &ss, prefix, IPADDR_NODAD), 0);
}

static void addr_del(struct fixture *f, const char *a)
{
	struct sockaddr_storage ss = ip(a);

	assert_int_equal(ipaddr_del(f->ipa, NULL, &ss), 0);
}

static struct policyroute *new_pr(uint32_t low, uint32_t high)
{
	struct policyroute *pr = NULL;

	assert_int_equal(policyroute_new(PREF, low, high, &pr), 0);
	return pr;
}

static uint32_t table_of(struct policyroute *pr, const char *a)
{
	struct sockaddr_storage ss = ip(a);
	uint32_t t = 0;

	assert_int_equal(policyroute_table_of(pr, &ss, &t), 0);
	return t;
}

static int take(struct policyroute *pr, const char *a, unsigned prefix, const char *ifname,
		const struct file *fl)
{
	struct sockaddr_storage ss = ip(a);

	return policyroute_take(pr, &ss, prefix, ifname, fl->r, fl->n);
}

static int release(struct policyroute *pr, const char *a)
{
	struct sockaddr_storage ss = ip(a);

	return policyroute_release(pr, &ss);
}

/* ---- IPv4 and IPv6: take, take again, release ---- */

static void test_take_release_v4(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"10.1.0.5 10.1.0.0/24",           /* the automatic route, as CTDB configs have it */
		"10.1.0.5 10.9.0.0/16 10.1.0.254",
		"10.1.0.5 0.0.0.0/0 10.1.0.1",
		"10.1.0.6 0.0.0.0/0 10.1.0.99",   /* another address's */
		"fd00:1::5 ::/0 fd00:1::1",
		NULL,
	};
	static const char want[] =
		"default via 10.1.0.1 dev hv0 proto static src 10.1.0.5\n"
		"10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.5\n"
		"10.9.0.0/16 via 10.1.0.254 dev hv0 proto static src 10.1.0.5\n";
	struct file fl;
	struct policyroute *pr;
	uint32_t t;

	NEED_NETNS(f);
	fl = file(lines);
	pr = new_pr(LOW, HIGH);
	addr_add(f, "hv0", "10.1.0.5", 24);

	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), 1);
	assert_int_equal(table_of(pr, "10.1.0.5"), LOW);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 1000\n");
	assert_string_equal(rules(6), "");
	assert_string_equal(table(4, LOW), want);
	/* The kernel routes by it. */
	assert_non_null(strstr(run(NULL, "ip -4 route get 192.0.2.1 from 10.1.0.5"),
			       "via 10.1.0.1 dev hv0 table 1000"));
	assert_non_null(strstr(run(NULL, "ip -4 route get 10.9.1.1 from 10.1.0.5"),
			       "via 10.1.0.254 dev hv0 table 1000"));

	/* Taking twice changes nothing and duplicates nothing. */
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), 1);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 1000\n");
	assert_string_equal(table(4, LOW), want);

	assert_int_equal(release(pr, "10.1.0.5"), 0);
	assert_string_equal(rules(4), "");
	assert_string_equal(table(4, LOW), "");
	{
		struct sockaddr_storage ss = ip("10.1.0.5");

		assert_int_equal(policyroute_table_of(pr, &ss, &t), -ENOENT);
	}
	/* Releasing again is fine. */
	assert_int_equal(release(pr, "10.1.0.5"), 0);

	addr_del(f, "10.1.0.5");
	policyroute_free(pr);
}

static void test_take_release_v6(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"fd00:1::5 ::/0 fd00:1::1",
		"fd00:1::5 fd00:2::/48 fd00:1::fe",
		"10.1.0.5 0.0.0.0/0 10.1.0.1",
		NULL,
	};
	static const char want[] =
		"fd00:1::/64 dev hv0 proto static src fd00:1::5 metric 1024 pref medium\n"
		"fd00:2::/48 via fd00:1::fe dev hv0 proto static src fd00:1::5 metric 1024 pref medium\n"
		"default via fd00:1::1 dev hv0 proto static src fd00:1::5 metric 1024 pref medium\n";
	struct file fl;
	struct policyroute *pr;

	NEED_NETNS(f);
	fl = file(lines);
	pr = new_pr(LOW, HIGH);
	addr_add(f, "hv0", "fd00:1::5", 64);

	assert_int_equal(take(pr, "fd00:1::5", 64, "hv0", &fl), 1);
	assert_int_equal(table_of(pr, "fd00:1::5"), LOW);
	assert_string_equal(rules(6), "100:\tfrom fd00:1::5 lookup 1000\n");
	assert_string_equal(rules(4), "");
	assert_string_equal(table(6, LOW), want);
	assert_non_null(strstr(run(NULL, "ip -6 route get 2001:db8::1 from fd00:1::5"),
			       "via fd00:1::1 dev hv0 table 1000"));

	assert_int_equal(take(pr, "fd00:1::5", 64, "hv0", &fl), 1);
	assert_string_equal(rules(6), "100:\tfrom fd00:1::5 lookup 1000\n");
	assert_string_equal(table(6, LOW), want);

	assert_int_equal(release(pr, "fd00:1::5"), 0);
	assert_string_equal(rules(6), "");
	assert_string_equal(table(6, LOW), "");

	addr_del(f, "fd00:1::5");
	policyroute_free(pr);
}

/* ---- take converges: a new file, another interface, no line left ---- */

static void test_take_converges(void **state)
{
	struct fixture *f = *state;
	static const char *const a[] = { "10.1.0.5 0.0.0.0/0 10.1.0.1", "10.1.0.5 10.6.0.0/16", NULL };
	static const char *const b[] = { "10.1.0.5 10.7.0.0/16", "10.1.0.5 0.0.0.0/0 10.1.0.254", NULL };
	static const char *const none[] = { "10.1.0.6 0.0.0.0/0 10.1.0.1", NULL };
	struct file fa, fb, fn;
	struct policyroute *pr;

	NEED_NETNS(f);
	fa = file(a);
	fb = file(b);
	fn = file(none);
	pr = new_pr(LOW, HIGH);
	addr_add(f, "hv0", "10.1.0.5", 24);

	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fa), 1);
	assert_string_equal(table(4, LOW),
			    "default via 10.1.0.1 dev hv0 proto static src 10.1.0.5\n"
			    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.5\n"
			    "10.6.0.0/16 dev hv0 proto static scope link src 10.1.0.5\n");

	/* A reloaded file: the table follows it. */
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fb), 1);
	assert_string_equal(table(4, LOW),
			    "default via 10.1.0.254 dev hv0 proto static src 10.1.0.5\n"
			    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.5\n"
			    "10.7.0.0/16 dev hv0 proto static scope link src 10.1.0.5\n");
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 1000\n");

	/* The address moves to hv1 (CTDB's updateip). */
	addr_del(f, "10.1.0.5");
	addr_add(f, "hv1", "10.1.0.5", 24);
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv1", &fb), 1);
	assert_string_equal(table(4, LOW),
			    "default via 10.1.0.254 dev hv1 proto static src 10.1.0.5\n"
			    "10.1.0.0/24 dev hv1 proto static scope link src 10.1.0.5\n"
			    "10.7.0.0/16 dev hv1 proto static scope link src 10.1.0.5\n");
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 1000\n");

	/* No line left for the address: no rule, no table. */
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv1", &fn), 0);
	assert_string_equal(rules(4), "");
	assert_string_equal(table(4, LOW), "");

	addr_del(f, "10.1.0.5");
	policyroute_free(pr);
}

/* ---- several addresses, a full range, reuse ---- */

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"10.1.0.5 0.0.0.0/0 10.1.0.1", "10.1.0.6 0.0.0.0/0 10.1.0.1",
		"10.1.0.7 0.0.0.0/0 10.1.0.1", NULL,
	};
	struct file fl;
	struct policyroute *pr;

	NEED_NETNS(f);
	fl = file(lines);
	pr = new_pr(2000, 2001);
	addr_add(f, "hv0", "10.1.0.5", 24);
	addr_add(f, "hv0", "10.1.0.6", 24);
	addr_add(f, "hv0", "10.1.0.7", 24);

	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), 1);
	assert_int_equal(take(pr, "10.1.0.6", 24, "hv0", &fl), 1);
	assert_int_equal(take(pr, "10.1.0.7", 24, "hv0", &fl), -ENOSPC);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 2000\n"
				      "100:\tfrom 10.1.0.6 lookup 2001\n");

	assert_int_equal(release(pr, "10.1.0.5"), 0);
	assert_int_equal(take(pr, "10.1.0.7", 24, "hv0", &fl), 1);
	assert_int_equal(table_of(pr, "10.1.0.7"), 2000);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.6 lookup 2001\n"
				      "100:\tfrom 10.1.0.7 lookup 2000\n");
	assert_string_equal(table(4, 2000),
			    "default via 10.1.0.1 dev hv0 proto static src 10.1.0.7\n"
			    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.7\n");
	assert_string_equal(table(4, 2001),
			    "default via 10.1.0.1 dev hv0 proto static src 10.1.0.6\n"
			    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.6\n");

	assert_int_equal(release(pr, "10.1.0.6"), 0);
	assert_int_equal(release(pr, "10.1.0.7"), 0);
	assert_string_equal(rules(4), "");
	addr_del(f, "10.1.0.7");
	addr_del(f, "10.1.0.6");
	addr_del(f, "10.1.0.5");
	policyroute_free(pr);
}

/* ---- the release of an IPv4 primary empties its secondaries' tables ---- */

static void test_secondary_refresh(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"10.1.0.5 0.0.0.0/0 10.1.0.1", "10.1.0.6 0.0.0.0/0 10.1.0.1", NULL,
	};
	static const char want6[] = "default via 10.1.0.1 dev hv0 proto static src 10.1.0.6\n"
				    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.6\n";
	struct file fl;
	struct policyroute *pr;

	NEED_NETNS(f);
	fl = file(lines);
	pr = new_pr(LOW, HIGH);
	sh("echo 0 > /proc/sys/net/ipv4/conf/all/promote_secondaries");
	sh("echo 0 > /proc/sys/net/ipv4/conf/hv0/promote_secondaries");
	addr_add(f, "hv0", "10.1.0.5", 24);
	addr_add(f, "hv0", "10.1.0.6", 24); /* a secondary */
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), 1);
	assert_int_equal(take(pr, "10.1.0.6", 24, "hv0", &fl), 1);
	assert_string_equal(table(4, LOW + 1), want6);

	/* Release the primary: ipaddr_del puts 10.1.0.6 back, its routes are gone. */
	assert_int_equal(release(pr, "10.1.0.5"), 0);
	addr_del(f, "10.1.0.5");
	assert_string_equal(table(4, LOW + 1), "");
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.6 lookup 1001\n");

	/* Taking the addresses still hosted again restores them. */
	assert_int_equal(take(pr, "10.1.0.6", 24, "hv0", &fl), 1);
	assert_string_equal(table(4, LOW + 1), want6);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.6 lookup 1001\n");

	assert_int_equal(release(pr, "10.1.0.6"), 0);
	addr_del(f, "10.1.0.6");
	policyroute_free(pr);
}

/* ---- start-up: leftovers of a previous run ---- */

static void test_cleanup(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"10.1.0.5 0.0.0.0/0 10.1.0.1", "10.1.0.6 0.0.0.0/0 10.1.0.1", NULL,
	};
	struct sockaddr_storage keep[2];
	struct file fl;
	struct policyroute *pr;

	NEED_NETNS(f);
	fl = file(lines);
	addr_add(f, "hv0", "10.1.0.5", 24);
	addr_add(f, "hv0", "fd00:1::5", 64);

	/* A previous herdd: hosted 10.1.0.5 and fd00:1::5, and 10.1.0.7 and fd00:1::7. */
	sh("ip -4 rule add from 10.1.0.5 lookup 1003 pref 100 && "
	   "ip -4 route add 10.1.0.0/24 dev hv0 src 10.1.0.5 table 1003 && "
	   "ip -4 rule add from 10.1.0.7 lookup 1005 pref 100 && "
	   "ip -4 route add 10.7.0.0/16 dev hv0 table 1005 && "
	   "ip -4 route add 10.8.0.0/16 dev hv0 table 1007 && "       /* a table without a rule */
	   "ip -6 rule add from fd00:1::5 lookup 1004 pref 100 && "
	   "ip -6 route add fd00:1::/64 dev hv0 table 1004 && "
	   "ip -6 rule add from fd00:1::7 lookup 1008 pref 100 && "
	   "ip -6 route add fd00:7::/64 dev hv0 table 1008");
	/* Not ours: a table outside the range, another preference, a subnet. */
	sh("ip -4 rule add from 10.1.0.8 lookup 50 pref 100 && "
	   "ip -4 route add 10.8.0.0/16 dev hv0 table 50 && "
	   "ip -4 rule add from 10.1.0.9 lookup 1006 pref 200 && "
	   "ip -4 route add 10.9.0.0/16 dev hv0 table 1006 && "
	   "ip -4 rule add from 10.2.0.0/16 lookup 1002 pref 100");

	pr = new_pr(LOW, HIGH);
	keep[0] = ip("10.1.0.5");
	keep[1] = ip("fd00:1::5");
	assert_int_equal(policyroute_cleanup(pr, keep, 2), 0);

	assert_string_equal(rules(4), "100:\tfrom 10.1.0.5 lookup 1003\n"
				      "100:\tfrom 10.1.0.8 lookup 50\n"
				      "100:\tfrom 10.2.0.0/16 lookup 1002\n"
				      "200:\tfrom 10.1.0.9 lookup 1006\n");
	assert_string_equal(rules(6), "100:\tfrom fd00:1::5 lookup 1004\n");
	assert_string_equal(table(4, 1003), "10.1.0.0/24 dev hv0 scope link src 10.1.0.5\n");
	assert_string_equal(table(6, 1004), "fd00:1::/64 dev hv0 metric 1024 pref medium\n");
	assert_string_equal(table(4, 1005), "");
	assert_string_equal(table(4, 1007), "");
	assert_string_equal(table(6, 1008), "");
	assert_string_equal(table(4, 50), "10.8.0.0/16 dev hv0 scope link\n");
	/* The range is ours: a table in it with no hosted owner is flushed, whatever the rules. */
	assert_string_equal(table(4, 1006), "");
	assert_int_equal(table_of(pr, "10.1.0.5"), 1003);
	assert_int_equal(table_of(pr, "fd00:1::5"), 1004);

	/* The kept address keeps its table; a new one gets the lowest free id. */
	addr_add(f, "hv0", "10.1.0.6", 24);
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), 1);
	assert_int_equal(take(pr, "10.1.0.6", 24, "hv0", &fl), 1);
	assert_int_equal(table_of(pr, "10.1.0.6"), LOW);
	assert_string_equal(table(4, 1003),
			    "default via 10.1.0.1 dev hv0 proto static src 10.1.0.5\n"
			    "10.1.0.0/24 dev hv0 proto static scope link src 10.1.0.5\n");

	/* Later on: only fd00:1::5 is still hosted. */
	assert_int_equal(policyroute_cleanup(pr, &keep[1], 1), 0);
	assert_string_equal(rules(4), "100:\tfrom 10.1.0.8 lookup 50\n"
				      "100:\tfrom 10.2.0.0/16 lookup 1002\n"
				      "200:\tfrom 10.1.0.9 lookup 1006\n");
	assert_string_equal(table(4, 1003), "");
	assert_string_equal(table(4, LOW), "");
	assert_string_equal(rules(6), "100:\tfrom fd00:1::5 lookup 1004\n");

	sh("ip -4 rule del pref 100 table 50 && ip -4 route flush table 50 && "
	   "ip -4 rule del pref 200 table 1006 && ip -4 rule del pref 100 table 1002 && "
	   "ip -6 rule del pref 100 table 1004 && ip -6 route flush table 1004");
	addr_del(f, "10.1.0.6");
	addr_del(f, "10.1.0.5");
	addr_del(f, "fd00:1::5");
	policyroute_free(pr);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"10.1.0.5 0.0.0.0/0 10.99.0.1",   /* no route reaches the gateway */
		"10.1.0.50 0.0.0.0/0 10.1.0.1",   /* an address not on the node */
		"fd00:1::5 ::/0 fd00:99::1",
		NULL,
	};
	struct policyroute *pr = NULL;
	struct sockaddr_storage none = { 0 };
	struct file fl;

	assert_int_equal(policyroute_new(0, LOW, HIGH, &pr), -EINVAL);
	assert_int_equal(policyroute_new(PREF, 250, 260, &pr), -EINVAL);
	assert_int_equal(policyroute_new(PREF, 20, 10, &pr), -EINVAL);
	assert_null(pr);
	policyroute_free(NULL);

	NEED_NETNS(f);
	fl = file(lines);
	pr = new_pr(LOW, HIGH);
	assert_int_equal(policyroute_take(pr, &none, 24, "hv0", fl.r, fl.n), -EAFNOSUPPORT);
	assert_int_equal(policyroute_release(pr, &none), -EAFNOSUPPORT);
	assert_int_equal(take(pr, "10.1.0.5", 24, "nosuch0", &fl), -ENODEV);

	/* The kernel refuses a src that is not a local address. */
	assert_int_equal(take(pr, "10.1.0.50", 24, "hv0", &fl), -EINVAL);
	assert_int_equal(table_of(pr, "10.1.0.50"), LOW); /* kept until release */
	assert_int_equal(release(pr, "10.1.0.50"), 0);

	addr_add(f, "hv0", "10.1.0.5", 24);
	assert_int_equal(take(pr, "10.1.0.5", 24, "hv0", &fl), -ENETUNREACH);
	assert_int_equal(release(pr, "10.1.0.5"), 0);
	addr_del(f, "10.1.0.5");

	addr_add(f, "hv0", "fd00:1::5", 64);
	assert_int_equal(take(pr, "fd00:1::5", 64, "hv0", &fl), -EHOSTUNREACH);
	assert_int_equal(release(pr, "fd00:1::5"), 0);
	addr_del(f, "fd00:1::5");

	assert_string_equal(rules(4), "");
	assert_string_equal(rules(6), "");
	assert_string_equal(table(4, LOW), "");
	policyroute_free(pr);
}

/* ---- set-up: a namespace of our own with a veth pair ---- */

static int setup(void **state)
{
	static struct fixture f;
	int r = netns_setup("hv0", "hv1", NULL);

	*state = &f;
	if (r > 0 && ipaddr_new(&f.ipa) < 0) {
		fprintf(stderr, "test_policyroute_apply: ipaddr_new failed: kernel tests skipped\n");
		return 0;
	}
	f.in_netns = r > 0;
	return r < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ipaddr_free(f->ipa); /* the namespace goes with the process */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_release_v4),
		cmocka_unit_test(test_take_release_v6),
		cmocka_unit_test(test_take_converges),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_secondary_refresh),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
