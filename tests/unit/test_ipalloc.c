/*
 * test_ipalloc.c — table tests of failover/ipalloc*.c. Most cases are
 * CTDB's own takeover tests (ctdb/tests/UNIT/takeover/NAME.sh in Samba, run
 * there by `ctdb_takeover_tests ipalloc`): the same node flags and input
 * lines, the same expected assignment. The rest are herd's: uneven
 * address sets, all nodes down, stopped and banned nodes, no-failback,
 * allowed-node lists, IPv6, and the text formats of `herdctl ipalloc`.
 * Results are compared as sorted "ADDR PNN" lines, so expected text can
 * be pasted in CTDB's (descending) order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "agentd/util.h"
#include "failover/ipalloc.h"

#define MAXIPS 64
#define MAXNODES 16

struct tcase {
	const char *name;   /* where it comes from */
	enum ipalloc_algorithm alg;
	const char *flags;
	bool no_failback, no_takeover;
	const char *in;
	const char *out;    /* any line order */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of text into buf (for an order-free comparison). */
static void sorted_lines(const char *text, char *buf, size_t len)
{
	char *copy = strdup(text), *lines[MAXIPS * 2], *save = NULL, *l;
	size_t n = 0;

	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_str);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s\n", lines[i]);
	free(copy);
}

/* Run one case through the text parsers and ipalloc_run; the output as text. */
static void run_case(const struct tcase *c, char *out, size_t outlen)
{
	struct ipalloc_input in = { .algorithm = c->alg, .no_ip_failback = c->no_failback,
				    .no_ip_takeover = c->no_takeover };
	static struct ipalloc_ip ips[MAXIPS];
	static bool allowed[MAXIPS][MAXNODES];
	int32_t result[MAXIPS];
	uint32_t *flags = NULL;
	char err[256], *copy = strdup(c->in), *save = NULL, *l, a[64];
	size_t n = 0;

	assert_int_equal(ipalloc_parse_flags(c->flags, &flags, &in.num_nodes, err, sizeof(err)), 0);
	in.node_flags = flags;
	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int r = ipalloc_parse_line(l, in.num_nodes, &ips[n], allowed[n], err, sizeof(err));

		if (r < 0)
			fail_msg("%s: line '%s': %s", c->name, l, err);
		n += (size_t)r;
	}
	in.ips = ips;
	in.num_ips = n;
	assert_int_equal(ipalloc_run(&in, result), 0);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%s %d\n",
			 ipalloc_ip_format(&ips[i], a, sizeof(a)), result[i]);
	free(copy);
	free(flags);
}

static void check_case(const struct tcase *c)
{
	char got[8192], a[8192], b[8192];

	run_case(c, got, sizeof(got));
	sorted_lines(got, a, sizeof(a));
	sorted_lines(c->out, b, sizeof(b));
	if (strcmp(a, b))
		fail_msg("%s: expected\n%sgot\n%s", c->name, b, a);
}

#define LCP2 IPALLOC_LCP2
#define DET IPALLOC_DETERMINISTIC
#define NONDET IPALLOC_NONDETERMINISTIC

/* The 9-address layout of most of CTDB's 3-node cases, held 0,1,2,0,1,2,... */
#define IN9_012 "192.168.20.249 0\n192.168.20.250 1\n192.168.20.251 2\n192.168.20.252 0\n" \
	"192.168.20.253 1\n192.168.20.254 2\n192.168.21.252 0\n192.168.21.253 1\n192.168.21.254 2\n"
#define IN9_ALL(p) "192.168.20.249 " p "\n192.168.20.250 " p "\n192.168.20.251 " p "\n" \
	"192.168.20.252 " p "\n192.168.20.253 " p "\n192.168.20.254 " p "\n" \
	"192.168.21.252 " p "\n192.168.21.253 " p "\n192.168.21.254 " p "\n"
#define OUT9(a, b, c, d, e, f, g, h, i) "192.168.21.254 " a "\n192.168.21.253 " b "\n" \
	"192.168.21.252 " c "\n192.168.20.254 " d "\n192.168.20.253 " e "\n192.168.20.252 " f "\n" \
	"192.168.20.251 " g "\n192.168.20.250 " h "\n192.168.20.249 " i "\n"

static const struct tcase cases[] = {
	/* ctdb/tests/UNIT/takeover/lcp2.002.sh: 3 nodes, 3 -> 2 healthy */
	{ "lcp2.002", LCP2, "0,2,0", false, false, IN9_012, OUT9("2", "2", "0", "2", "2", "0", "2", "0", "0") },
	/* lcp2.003.sh, lcp2.004.sh, lcp2.005.sh: 3 nodes, 1 -> all healthy */
	{ "lcp2.003", LCP2, "0,0,0", false, false, IN9_ALL("1"), OUT9("2", "0", "1", "2", "0", "1", "2", "0", "1") },
	/* lcp2.007.sh: 3 nodes, 0 -> 2 healthy */
	{ "lcp2.007", LCP2, "2,0,0", false, false, IN9_ALL("-1"), OUT9("1", "2", "1", "1", "2", "1", "1", "2", "2") },
	/* lcp2.008.sh: 3 nodes, 0 -> all healthy */
	{ "lcp2.008", LCP2, "0,0,0", false, false, IN9_ALL("-1"), OUT9("0", "1", "2", "0", "1", "2", "0", "1", "2") },
	/* lcp2.016.sh: 3 nodes, all IPs assigned, 2 -> 3 unhealthy */
	{ "lcp2.016", LCP2, "2,2,2", false, false, IN9_ALL("2"), OUT9("-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1") },
	/* lcp2.010.sh: 2 disjoint groups of nodes/addresses, a node becomes healthy */
	{ "lcp2.010", LCP2, "0,0,0,0", false, false,
	  "192.168.140.1\t\t0\t0,1\n192.168.140.2\t\t0\t0,1\n192.168.140.3\t\t1\t0,1\n"
	  "192.168.140.4\t\t1\t0,1\n192.168.209.101\t\t2\t2,3\n192.168.209.102\t\t2\t2,3\n",
	  "192.168.209.102 3\n192.168.209.101 2\n192.168.140.4 1\n192.168.140.3 1\n"
	  "192.168.140.2 0\n192.168.140.1 0\n" },
	/* lcp2.034.sh: 3 nodes, 1 without IP addresses */
	{ "lcp2.034", LCP2, "0,0,0", false, false,
	  "192.168.140.1\t\t-1\t0,1\n192.168.140.2\t\t-1\t0,1\n192.168.140.3\t\t-1\t0,1\n192.168.140.4\t\t-1\t0,1\n",
	  "192.168.140.4 0\n192.168.140.3 1\n192.168.140.2 0\n192.168.140.1 1\n" },
	/* lcp2.027.sh: 4 nodes, all IPs assigned, 3 -> 4 unhealthy */
	{ "lcp2.027", LCP2, "0,0,2,0", false, false,
	  "130.216.30.170 3\n130.216.30.171 2\n130.216.30.172 3\n130.216.30.173 2\n130.216.30.174 1\n"
	  "130.216.30.175 0\n130.216.30.176 1\n130.216.30.177 0\n130.216.30.178 3\n130.216.30.179 2\n"
	  "130.216.30.180 1\n130.216.30.181 0\n10.19.99.250 3\n10.19.99.251 2\n10.19.99.252 1\n10.19.99.253 0\n",
	  "130.216.30.181 0\n130.216.30.180 1\n130.216.30.179 3\n130.216.30.178 3\n130.216.30.177 0\n"
	  "130.216.30.176 1\n130.216.30.175 0\n130.216.30.174 1\n130.216.30.173 0\n130.216.30.172 3\n"
	  "130.216.30.171 1\n130.216.30.170 3\n10.19.99.253 0\n10.19.99.252 1\n10.19.99.251 0\n10.19.99.250 3\n" },
	/* lcp2.028.sh: 4 nodes, all healthy/assigned, stays unbalanced */
	{ "lcp2.028", LCP2, "0,0,0,0", false, false,
	  "130.216.30.181 0\n130.216.30.180 1\n130.216.30.179 2\n130.216.30.178 3\n130.216.30.177 0\n"
	  "130.216.30.176 1\n130.216.30.175 0\n130.216.30.174 1\n130.216.30.173 0\n130.216.30.172 3\n"
	  "130.216.30.171 1\n130.216.30.170 3\n10.19.99.253 0\n10.19.99.252 1\n10.19.99.251 0\n10.19.99.250 3\n",
	  "130.216.30.181 0\n130.216.30.180 1\n130.216.30.179 2\n130.216.30.178 3\n130.216.30.177 0\n"
	  "130.216.30.176 1\n130.216.30.175 0\n130.216.30.174 1\n130.216.30.173 0\n130.216.30.172 3\n"
	  "130.216.30.171 1\n130.216.30.170 3\n10.19.99.253 0\n10.19.99.252 1\n10.19.99.251 0\n10.19.99.250 3\n" },
	/* det.001.sh: 3 nodes, 1 healthy */
	{ "det.001", DET, "2,2,0", false, false, IN9_012, OUT9("2", "2", "2", "2", "2", "2", "2", "2", "2") },
	/* det.002.sh: 3 nodes, 2 healthy */
	{ "det.002", DET, "0,2,0", false, false, IN9_012, OUT9("0", "0", "2", "0", "2", "2", "0", "0", "2") },
	/* det.003.sh: 3 nodes, 1 -> all healthy */
	{ "det.003", DET, "0,0,0", false, false, IN9_ALL("1"), OUT9("0", "1", "2", "0", "1", "2", "0", "1", "2") },
	/* nondet.001.sh: 3 nodes, 1 healthy */
	{ "nondet.001", NONDET, "2,2,0", false, false, IN9_012, OUT9("2", "2", "2", "2", "2", "2", "2", "2", "2") },

	/* herd: every node down in some way: nothing can host anything */
	{ "all down", LCP2, "0x1,0x8,0x20,0x4,0x10", false, false, IN9_012,
	  OUT9("-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1") },
	{ "all down, det", DET, "1,8,0x20", false, false, IN9_012,
	  OUT9("-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1") },
	{ "all down, nondet", NONDET, "1,2,4", false, false, IN9_012,
	  OUT9("-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1", "-1") },
	/* herd: banned node 1 and stopped node 2 of 4: their addresses go to 0 and 3 */
	{ "banned+stopped", LCP2, "0,0x8,0x20,0", false, false,
	  "10.0.0.1 0\n10.0.0.2 1\n10.0.0.3 2\n10.0.0.4 3\n",
	  "10.0.0.1 0\n10.0.0.2 0\n10.0.0.3 3\n10.0.0.4 3\n" },
	/* herd: PARTIALLYONLINE (0x40) still hosts, as in CTDB */
	{ "partially online", LCP2, "0x40,0x40", false, false, "10.0.0.1 -1\n10.0.0.2 -1\n",
	  "10.0.0.1 1\n10.0.0.2 0\n" },
	/* herd: no-ip-failback keeps addresses where they are when a node returns */
	{ "no failback", LCP2, "0,0,0", true, false, IN9_ALL("1"), OUT9("1", "1", "1", "1", "1", "1", "1", "1", "1") },
	{ "no failback, nondet", NONDET, "0,0,0", true, false, IN9_ALL("1"),
	  OUT9("1", "1", "1", "1", "1", "1", "1", "1", "1") },
	/* herd: deterministic ignores no-ip-failback, as CTDB does */
	{ "no failback, det", DET, "0,0,0", true, false, IN9_ALL("1"), OUT9("0", "1", "2", "0", "1", "2", "0", "1", "2") },
	/* herd: no-ip-takeover: held addresses stay, the unhostable ones get nobody */
	{ "no takeover", LCP2, "0,2,0", false, true, IN9_012, OUT9("2", "-1", "0", "2", "-1", "0", "2", "-1", "0") },
	/* herd: nondeterministic spreads 1 -> all healthy */
	{ "nondet rebalance", NONDET, "0,0,0", false, false, IN9_ALL("1"),
	  OUT9("0", "2", "0", "2", "0", "2", "1", "1", "1") },
	/* herd: uneven address sets: each address restricted to some nodes */
	{ "allowed lists", LCP2, "0,0,0", false, false,
	  "10.1.0.1 -1 0\n10.1.0.2 -1 0,1\n10.1.0.3 -1 1,2\n10.1.0.4 -1 2\n10.1.0.5 -1 2\n",
	  "10.1.0.1 0\n10.1.0.2 0\n10.1.0.3 1\n10.1.0.4 2\n10.1.0.5 2\n" },
	/* herd: an address only a down node may host gets -1; the holder outside its list loses it */
	{ "allowed, unhostable", LCP2, "0,0x2", false, false,
	  "10.2.0.1 1 1\n10.2.0.2 1 0\n10.2.0.3 0\n",
	  "10.2.0.1 -1\n10.2.0.2 0\n10.2.0.3 0\n" },
	{ "allowed, det", DET, "0,0,0", false, false,
	  "10.3.0.1 -1 0\n10.3.0.2 -1 0\n10.3.0.3 -1 0,1,2\n",
	  "10.3.0.1 0\n10.3.0.2 0\n10.3.0.3 0\n" },
	/* herd: IPv6, two prefixes over two nodes: LCP2 splits each prefix */
	{ "ipv6", LCP2, "0,0", false, false,
	  "2001:db8:1::1 -1\n2001:db8:1::2 -1\n2001:db8:2::1 -1\n2001:db8:2::2 -1\n",
	  "2001:db8:2::2 0\n2001:db8:2::1 1\n2001:db8:1::2 1\n2001:db8:1::1 0\n" },
	/* herd: IPv4 and IPv6 mixed, node 0 stopped */
	{ "ipv4+ipv6", LCP2, "0x20,0,0", false, false,
	  "192.0.2.1 0\n192.0.2.2 1\n2001:db8::a 2\n2001:db8::b 0\n",
	  "192.0.2.1 2\n192.0.2.2 1\n2001:db8::a 2\n2001:db8::b 1\n" },
	/* herd: more nodes than addresses */
	{ "few addresses", LCP2, "0,0,0,0,0", false, false, "10.9.0.1 -1\n10.9.0.2 -1\n",
	  "10.9.0.1 1\n10.9.0.2 0\n" },
};

static void test_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* ctdb/tests/UNIT/takeover/lcp2.032.sh: 12+4 IPs, 4 nodes, each step's input is the last output. */
static void test_lcp2_032_chain(void **state)
{
	static const struct { const char *flags; const char *pnns; } steps[] = {
		{ "0,0,0,0", "2321301032101320" }, /* node 3 continued */
		{ "0x20,0,0,0", "2321311332121321" },
		{ "0,0,0,0", "0320311032120321" },
		{ "0,0x20,0,0", "0320320032320320" },
		{ "0,0,0,0", "0110321032321320" },
		{ "0,0,0x20,0", "0110331031301310" },
		{ "0,0,0,0", "2110232031302310" },
		{ "0,0,0,0x20", "2110202021102010" },
		{ "0,0,0,0", "2313203021102310" },
		{ "0x20,0,0,0", "2313213221132312" },
		{ "0,0,0,0", "2003213021130312" },
		{ "0,0x20,0,0", "2003233020230302" },
		{ "0,0,0,0", "1001233120231302" },
		{ "0,0,0x20,0", "1001333110031301" },
		{ "0,0,0,0", "1201233210032301" },
		{ "0,0,0,0x20", "1201202210012001" },
		{ "0,0,0,0", "3231203210012301" },
	};
	/* In CTDB's output order: 130.216.30.181 down to .170, then 10.19.99.253 to .250. */
	static const char *const addrs[16] = {
		"130.216.30.181", "130.216.30.180", "130.216.30.179", "130.216.30.178",
		"130.216.30.177", "130.216.30.176", "130.216.30.175", "130.216.30.174",
		"130.216.30.173", "130.216.30.172", "130.216.30.171", "130.216.30.170",
		"10.19.99.253", "10.19.99.252", "10.19.99.251", "10.19.99.250",
	};
	/* The first step's input, in CTDB's input order. */
	char in[1024] = "10.19.99.250 0\n10.19.99.251 2\n10.19.99.252 0\n10.19.99.253 1\n"
		"130.216.30.170 0\n130.216.30.171 1\n130.216.30.172 2\n130.216.30.173 2\n"
		"130.216.30.174 0\n130.216.30.175 1\n130.216.30.176 0\n130.216.30.177 0\n"
		"130.216.30.178 1\n130.216.30.179 2\n130.216.30.180 1\n130.216.30.181 2\n";

	for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
		char out[1024] = "", name[64];
		struct tcase c = { name, LCP2, steps[s].flags, false, false, in, out };

		for (size_t i = 0; i < 16; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s %c\n",
				 addrs[i], steps[s].pnns[i]);
		snprintf(name, sizeof(name), "lcp2.032 step %zu", s);
		check_case(&c);
		memcpy(in, out, sizeof(in));
	}
}

static void test_parse_flags(void **state)
{
	uint32_t *f = NULL;
	size_t n;
	char err[256];

	assert_int_equal(ipalloc_parse_flags("0,0x20,8", &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(f[1], 0x20);
	assert_int_equal(f[2], 8);
	free(f);
	assert_int_equal(ipalloc_parse_flags("0,,1", &f, &n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad flags '' for node 1: expected one number per node "
			    "(decimal or 0x hex), comma-separated");
	assert_int_equal(ipalloc_parse_flags("0,x", &f, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(ipalloc_parse_flags("-1", &f, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(ipalloc_parse_flags("0,", &f, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(ipalloc_parse_flags("0x100000000", &f, &n, err, sizeof(err)), -EINVAL);
}

static void test_parse_line(void **state)
{
	struct ipalloc_ip ip;
	bool allowed[3];
	char err[256], a[64];

	assert_int_equal(ipalloc_parse_line("  # comment\n", 3, &ip, allowed, err, sizeof(err)), 0);
	assert_int_equal(ipalloc_parse_line("\n", 3, &ip, allowed, err, sizeof(err)), 0);
	assert_int_equal(ipalloc_parse_line("10.0.0.1\n", 3, &ip, allowed, err, sizeof(err)), 1);
	assert_int_equal(ip.current, -1);
	assert_null(ip.allowed);
	assert_int_equal(ipalloc_parse_line("fe80::1 2 0,2 # x\n", 3, &ip, allowed, err,
					    sizeof(err)), 1);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.current, 2);
	assert_ptr_equal(ip.allowed, allowed);
	assert_true(allowed[0] && !allowed[1] && allowed[2]);
	assert_string_equal(ipalloc_ip_format(&ip, a, sizeof(a)), "fe80::1");
	assert_int_equal(ipalloc_parse_line("10.0.0.300 1", 3, &ip, allowed, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad address '10.0.0.300': expected an IPv4 or IPv6 address");
	assert_int_equal(ipalloc_parse_line("10.0.0.1 3", 3, &ip, allowed, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad current node '3': expected -1 or a node number from 0 to 2");
	assert_int_equal(ipalloc_parse_line("10.0.0.1 1 0,5", 3, &ip, allowed, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad node '5' in '0,5': expected node numbers from 0 to 2, comma-separated");
	assert_int_equal(ipalloc_parse_line("10.0.0.1 1 0,", 3, &ip, allowed, err, sizeof(err)), -EINVAL);
	assert_int_equal(ipalloc_parse_line("10.0.0.1 1 0 x", 3, &ip, allowed, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unexpected 'x': expected ADDR [CURRENT_PNN [PNN,PNN,...]]");
}

static void test_run_errors(void **state)
{
	uint32_t flags[2] = { 0, 0 };
	struct ipalloc_ip ips[2] = {
		{ .family = AF_INET, .addr = { 10, 0, 0, 1 }, .current = -1 },
		{ .family = AF_INET, .addr = { 10, 0, 0, 1 }, .current = 0 },
	};
	struct ipalloc_input in = { .num_nodes = 2, .node_flags = flags, .num_ips = 2, .ips = ips };
	int32_t res[2];

	assert_int_equal(ipalloc_run(&in, res), -EEXIST);
	ips[1].addr[3] = 2;
	ips[1].current = 2;
	assert_int_equal(ipalloc_run(&in, res), -EINVAL);
	ips[1].current = 1;
	assert_int_equal(ipalloc_run(&in, res), 0);
	in.num_nodes = 0;
	ips[1].current = -1;
	assert_int_equal(ipalloc_run(&in, res), 0);
	assert_int_equal(res[0], -1);
	assert_int_equal(res[1], -1);
}

/* 64 nodes x 1,024 addresses, all unassigned: CTDB-sized work, quick here. */
static void test_large(void **state)
{
	enum { N = 64, M = 1024 };
	static uint32_t flags[N];
	static struct ipalloc_ip ips[M];
	static int32_t res[M];
	static size_t count[N];
	struct ipalloc_input in = { .num_nodes = N, .node_flags = flags, .num_ips = M, .ips = ips };

	for (size_t i = 0; i < M; i++)
		ips[i] = (struct ipalloc_ip){ .family = AF_INET,
					      .addr = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 },
					      .current = -1 };
	assert_int_equal(ipalloc_run(&in, res), 0);
	for (size_t i = 0; i < M; i++) {
		assert_true(res[i] >= 0 && res[i] < N);
		count[res[i]]++;
	}
	for (size_t n = 0; n < N; n++)
		assert_int_equal(count[n], M / N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_lcp2_032_chain),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
