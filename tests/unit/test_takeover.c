/*
 * test_takeover.c — table tests of one takeover run's decision
 * (failover/takeover.c), and the opcode bodies it travels in (agentd/ipop.c).
 *
 * A case lists every node as "FLAGS ADDR=HUD ..." ("-" for a node that did
 * not answer): H hosts it now, U one of its interfaces is up, D hosted on an
 * interface that is down. The expected text has one line per address,
 * "ADDR TARGET rel=PNN,... take=PNN,..." in address order.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agentd/addr.h"
#include "agentd/clusterop.h"
#include "agentd/ipop.h"
#include "agentd/state.h"
#include "failover/takeover.h"

#define MAXN 8
#define MAXIPS 16

struct tcase {
	const char *name;
	enum ip_allocation alg;
	bool no_failback;
	const char *nodes[MAXN];   /* NULL ends */
	const char *pins;          /* "ADDR:PNN ..." or NULL */
	const char *out;
};

static const struct tcase cases[] = {
	{ "fresh cluster: lcp2 spreads two addresses over two nodes", IP_ALLOC_LCP2, false,
	  { "0 10.0.0.1/24=U 10.0.0.2/24=U", "0 10.0.0.1/24=U 10.0.0.2/24=U" }, NULL,
	  "10.0.0.1 1 rel= take=1\n10.0.0.2 0 rel= take=0\n" },
	{ "hosting node is unhealthy: its address moves, it releases first", IP_ALLOC_LCP2, false,
	  { "0x2 10.0.0.1/24=HU 10.0.0.2/24=U", "0 10.0.0.1/24=U 10.0.0.2/24=HU" }, NULL,
	  "10.0.0.1 1 rel=0 take=1\n10.0.0.2 1 rel= take=\n" },
	{ "node did not answer: it hosts nothing and gets nothing", IP_ALLOC_LCP2, false,
	  { "-", "0 10.0.0.1/24=U 10.0.0.2/24=HU" }, NULL,
	  "10.0.0.1 1 rel= take=1\n10.0.0.2 1 rel= take=\n" },
	{ "hosted twice (healed partition): the lowest holder keeps it", IP_ALLOC_DETERMINISTIC, true,
	  { "0 10.0.0.1/24=HU", "0 10.0.0.1/24=HU", "0 10.0.0.1/24=HU" }, NULL,
	  "10.0.0.1 0 rel=1,2 take=\n" },
	{ "partially online: only the node with a working interface may host", IP_ALLOC_LCP2, false,
	  { "0x40 10.0.0.1/24=H 10.0.0.2/24=U", "0 10.0.0.2/24=U 10.0.0.3/24=U" }, NULL,
	  "10.0.0.1 -1 rel=0 take=\n10.0.0.2 0 rel= take=0\n10.0.0.3 1 rel= take=1\n" },
	{ "interface down but the other one works: take again (updateip)", IP_ALLOC_LCP2, true,
	  { "0 10.0.0.1/24=HUD" }, NULL,
	  "10.0.0.1 0 rel= take=0\n" },
	{ "all nodes down: nobody hosts, the holder releases", IP_ALLOC_LCP2, false,
	  { "0x8 10.0.0.1/24=HU", "0x20 10.0.0.1/24=U" }, NULL,
	  "10.0.0.1 -1 rel=0 take=\n" },
	{ "address listed on one node only", IP_ALLOC_NONDETERMINISTIC, false,
	  { "0 10.0.0.1/24=U", "0 10.0.0.1/24=U 10.0.0.9/24=U" }, NULL,
	  "10.0.0.1 0 rel= take=0\n10.0.0.9 1 rel= take=1\n" },
	{ "IPv6 and IPv4 together, no failback keeps holders", IP_ALLOC_LCP2, true,
	  { "0 10.0.0.1/24=HU fd00::1/64=U", "0 10.0.0.1/24=U fd00::1/64=HU" }, NULL,
	  "10.0.0.1 0 rel= take=\nfd00::1 1 rel= take=\n" },
	{ "moveip pin wins while the node may host it", IP_ALLOC_LCP2, true,
	  { "0 10.0.0.1/24=HU", "0 10.0.0.1/24=U" }, "10.0.0.1:1",
	  "10.0.0.1 1 rel=0 take=1\n" },
	{ "moveip pin to a node that cannot host it is ignored", IP_ALLOC_LCP2, true,
	  { "0 10.0.0.1/24=HU", "0x4 10.0.0.1/24=U" }, "10.0.0.1:1",
	  "10.0.0.1 0 rel= take=\n" },
	{ "no nodes answered: no addresses", IP_ALLOC_LCP2, false,
	  { "-", "-" }, NULL, "" },
};

static void parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *prefix)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*prefix = slash ? (unsigned)atoi(slash + 1) : 0;
	if (slash)
		*slash = 0;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, buf, &((struct sockaddr_in6 *)ss)->sin6_addr), 1);
		ss->ss_family = AF_INET6;
	}
}

static const char *fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	return inet_ntop(ss->ss_family,
			 ss->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
						  : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr,
			 buf, (socklen_t)len);
}

static void run_case(const struct tcase *tc)
{
	struct takeover_node nodes[MAXN] = { 0 };
	struct ipop_ip ips[MAXN][MAXIPS];
	struct takeover_pin pins[MAXIPS];
	struct takeover_input in = { .algorithm = tc->alg, .no_ip_failback = tc->no_failback,
				     .nodes = nodes, .pins = pins };
	struct takeover_plan plan;
	char out[2048] = "", line[256];

	for (size_t i = 0; i < MAXN && tc->nodes[i]; i++) {
		char buf[512], *save = NULL, *tok;

		in.nnodes++;
		if (streq(tc->nodes[i], "-"))
			continue;
		snprintf(buf, sizeof(buf), "%s", tc->nodes[i]);
		tok = strtok_r(buf, " ", &save);
		nodes[i].flags = (uint32_t)strtoul(tok, NULL, 0);
		nodes[i].answered = true;
		nodes[i].ips = ips[i];
		while ((tok = strtok_r(NULL, " ", &save))) {
			struct ipop_ip *ip = &ips[i][nodes[i].nips++];
			char *eq = strchr(tok, '=');

			*eq = 0;
			parse_addr(tok, &ip->addr, &ip->prefix);
			ip->flags = (uint16_t)((strchr(eq + 1, 'H') ? IPOP_IP_HOSTED : 0) |
					       (strchr(eq + 1, 'U') ? IPOP_IP_USABLE : 0) |
					       (strchr(eq + 1, 'D') ? IPOP_IP_IF_DOWN : 0));
			ip->pnn = PNN_NONE;
		}
	}
	if (tc->pins) {
		char buf[256], *save = NULL, *tok;
		unsigned prefix;

		snprintf(buf, sizeof(buf), "%s", tc->pins);
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *colon = strrchr(tok, ':');

			*colon = 0;
			parse_addr(tok, &pins[in.npins].addr, &prefix);
			pins[in.npins++].pnn = (uint32_t)atoi(colon + 1);
		}
	}
	assert_int_equal(takeover_plan(&in, &plan), 0);
	for (size_t k = 0; k < plan.naddrs; k++) {
		char a[64], rel[64] = "", take[64] = "";

		for (uint32_t n = 0; n < in.nnodes; n++) {
			if (takeover_must_release(&plan.addrs[k], n))
				snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "%s%u",
					 rel[0] ? "," : "", n);
			if (takeover_must_take(&plan.addrs[k], n))
				snprintf(take + strlen(take), sizeof(take) - strlen(take), "%s%u",
					 take[0] ? "," : "", n);
		}
		snprintf(line, sizeof(line), "%s %d rel=%s take=%s\n",
			 fmt(&plan.addrs[k].addr, a, sizeof(a)), plan.addrs[k].target, rel, take);
		strncat(out, line, sizeof(out) - strlen(out) - 1);
	}
	takeover_plan_free(&plan);
	if (!streq(out, tc->out))
		fail_msg("case '%s':\n got:\n%s expected:\n%s", tc->name, out, tc->out);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}

static void test_bad_input(void **state)
{
	struct takeover_node nodes[1] = { { .answered = true } };
	struct ipop_ip ip = { .addr.ss_family = AF_UNIX };
	struct takeover_input in = { .nnodes = 1, .nodes = nodes };
	struct takeover_plan plan;

	(void)state;
	nodes[0].ips = &ip;
	nodes[0].nips = 1;
	assert_int_equal(takeover_plan(&in, &plan), -EINVAL);
	in.nnodes = HERD_MAX_NODES + 1;
	assert_int_equal(takeover_plan(&in, &plan), -EINVAL);
}

/* ---- ipop: the bodies on the wire -------------------------------------- */

static void test_ipop_roundtrip(void **state)
{
	struct ipop_ip ips[3];
	struct ipop_conn conns[2];
	struct ipop_ip *got = NULL;
	struct ipop_conn *gotc = NULL;
	size_t n, nc;
	unsigned pf;
	uint32_t opt;
	struct wbuf w;
	struct rbuf r;

	(void)state;
	memset(ips, 0, sizeof(ips));
	parse_addr("10.1.2.3/24", &ips[0].addr, &ips[0].prefix);
	ips[0].flags = IPOP_IP_HOSTED;
	ips[0].pnn = 7;
	parse_addr("fd00::5/64", &ips[1].addr, &ips[1].prefix);
	ips[1].flags = IPOP_IP_USABLE | IPOP_IP_IF_DOWN;
	ips[1].pnn = PNN_NONE;
	parse_addr("192.168.0.1/32", &ips[2].addr, &ips[2].prefix);
	memset(conns, 0, sizeof(conns));
	parse_addr("10.1.2.3", &conns[0].local, &pf);
	((struct sockaddr_in *)&conns[0].local)->sin_port = htons(445);
	parse_addr("10.9.9.9", &conns[0].remote, &pf);
	((struct sockaddr_in *)&conns[0].remote)->sin_port = htons(50000);
	parse_addr("fd00::5", &conns[1].local, &pf);
	((struct sockaddr_in6 *)&conns[1].local)->sin6_port = htons(2049);
	parse_addr("fd00::99", &conns[1].remote, &pf);
	((struct sockaddr_in6 *)&conns[1].remote)->sin6_port = htons(1023);

	wbuf_init(&w, 1 << 20);
	assert_int_equal(ipop_put_ips(&w, IPOP_NODE_NO_TAKEOVER, ips, 3), 0);
	assert_int_equal(ipop_put_conns(&w, conns, 2), 0);
	assert_int_equal(w.len, ipop_ips_len(3) + ipop_conns_len(2));
	rbuf_init(&r, w.data, w.len);
	assert_int_equal(ipop_get_ips(&r, &opt, &got, &n), 0);
	assert_int_equal(opt, IPOP_NODE_NO_TAKEOVER);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(sockaddr_equal_addr(&got[i].addr, &ips[i].addr));
		assert_int_equal(got[i].prefix, ips[i].prefix);
		assert_int_equal(got[i].flags, ips[i].flags);
		assert_int_equal(got[i].pnn, ips[i].pnn);
	}
	assert_int_equal(ipop_get_conns(&r, &gotc, &nc), 0);
	assert_int_equal(nc, 2);
	assert_memory_equal(&gotc[0].local, &conns[0].local, sizeof(struct sockaddr_in));
	assert_memory_equal(&gotc[0].remote, &conns[0].remote, sizeof(struct sockaddr_in));
	assert_memory_equal(&gotc[1].remote, &conns[1].remote, sizeof(struct sockaddr_in6));
	assert_int_equal(rbuf_end(&r), 0);
	free(got);
	free(gotc);

	/* Every truncation of the ip list fails cleanly. */
	for (size_t cut = 0; cut < ipop_ips_len(3); cut++) {
		rbuf_init(&r, w.data, cut);
		assert_int_equal(ipop_get_ips(&r, &opt, &got, &n), -EBADMSG);
		assert_null(got);
	}
	/* A count far beyond the bytes. */
	{
		uint8_t bad[8] = { 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff };

		rbuf_init(&r, bad, sizeof(bad));
		assert_int_equal(ipop_get_ips(&r, &opt, &got, &n), -EBADMSG);
		rbuf_init(&r, bad + 4, 4);
		assert_int_equal(ipop_get_conns(&r, &gotc, &nc), -EBADMSG);
	}
	/* An unknown family and a too-long prefix. */
	{
		uint8_t *d = w.data;

		d[8] = 5;
		rbuf_init(&r, w.data, w.len);
		assert_int_equal(ipop_get_ips(&r, &opt, &got, &n), -EBADMSG);
		d[8] = 4;
		d[9] = 33;
		rbuf_init(&r, w.data, w.len);
		assert_int_equal(ipop_get_ips(&r, &opt, &got, &n), -EBADMSG);
	}
	wbuf_free(&w);
}

/* A connection from remote:rport to local:lport. */
static struct ipop_conn conn(const char *local, unsigned lport, const char *remote, unsigned rport)
{
	struct ipop_conn c;
	unsigned pf;

	memset(&c, 0, sizeof(c));
	parse_addr(local, &c.local, &pf);
	parse_addr(remote, &c.remote, &pf);
	if (c.local.ss_family == AF_INET) {
		((struct sockaddr_in *)&c.local)->sin_port = htons((uint16_t)lport);
		((struct sockaddr_in *)&c.remote)->sin_port = htons((uint16_t)rport);
	} else {
		((struct sockaddr_in6 *)&c.local)->sin6_port = htons((uint16_t)lport);
		((struct sockaddr_in6 *)&c.remote)->sin6_port = htons((uint16_t)rport);
	}
	return c;
}

/* TICKLES: one address and its connections, strictly. */
static void test_ipop_tickles(void **state)
{
	static const struct {
		const char *addr;
		size_t n;
	} tk[] = {
		{ "10.92.0.104", 0 },
		{ "10.92.0.104", 3 },
		{ "fd92::150", 2 },
		{ "10.92.0.104", IPOP_TICKLES_MAX },
	};
	(void)state;
	for (size_t t = 0; t < ARRAY_SIZE(tk); t++) {
		struct ipop_ip ip = { .pnn = 2 }, got;
		struct ipop_conn *cs = calloc(tk[t].n + 1, sizeof(*cs)), *gotc = NULL;
		unsigned pf;
		size_t n;
		struct wbuf w;
		struct rbuf r;
		bool v6 = strchr(tk[t].addr, ':');

		assert_non_null(cs);
		parse_addr(tk[t].addr, &ip.addr, &pf);
		for (size_t k = 0; k < tk[t].n; k++)
			cs[k] = conn(tk[t].addr, 445, v6 ? "fd92::1" : "10.92.0.1",
				     (unsigned)(1024 + k));
		wbuf_init(&w, 1 << 20);
		assert_int_equal(ipop_put_tickles(&w, &ip, cs, tk[t].n), 0);
		assert_int_equal(w.len, ipop_tickles_len(tk[t].n));
		rbuf_init(&r, w.data, w.len);
		assert_int_equal(ipop_get_tickles(&r, &got, &gotc, &n), 0);
		assert_true(sockaddr_equal_addr(&got.addr, &ip.addr));
		assert_int_equal(got.pnn, 2);
		assert_int_equal(n, tk[t].n);
		for (size_t k = 0; k < n; k++) {
			assert_memory_equal(&gotc[k].local, &cs[k].local, sizeof(struct sockaddr_in6));
			assert_memory_equal(&gotc[k].remote, &cs[k].remote, sizeof(struct sockaddr_in6));
		}
		free(gotc);
		gotc = NULL;

		/* Every truncation fails cleanly (the big case: a sample). */
		for (size_t cut = 0; cut < w.len; cut += tk[t].n > 100 ? 997 : 1) {
			rbuf_init(&r, w.data, cut);
			assert_int_equal(ipop_get_tickles(&r, &got, &gotc, &n), -EBADMSG);
			assert_null(gotc);
			assert_int_equal(n, 0);
		}
		/* One byte too many. */
		assert_int_equal(wbuf_put_u8(&w, 0), 0);
		rbuf_init(&r, w.data, w.len);
		assert_int_equal(ipop_get_tickles(&r, &got, &gotc, &n), -EBADMSG);
		assert_null(gotc);
		wbuf_free(&w);
		free(cs);
	}
}

static void test_ipop_tickles_bad(void **state)
{
	struct ipop_ip ips[2], got;
	struct ipop_conn cs[2], *gotc = NULL, *many;
	unsigned pf;
	size_t n;
	struct wbuf w;
	struct rbuf r;

	(void)state;
	memset(ips, 0, sizeof(ips));
	parse_addr("10.92.0.104", &ips[0].addr, &pf);
	parse_addr("10.92.0.105", &ips[1].addr, &pf);
	cs[0] = conn("10.92.0.104", 80, "10.92.0.1", 5000);
	cs[1] = conn("10.92.0.105", 80, "10.92.0.1", 5001);

	/* The encoder refuses what the decoder would. */
	wbuf_init(&w, 1 << 20);
	assert_int_equal(ipop_put_tickles(&w, &ips[0], cs, 2), -EINVAL);
	many = calloc(IPOP_TICKLES_MAX + 1, sizeof(*many));
	assert_non_null(many);
	for (size_t k = 0; k <= IPOP_TICKLES_MAX; k++)
		many[k] = cs[0];
	assert_int_equal(ipop_put_tickles(&w, &ips[0], many, IPOP_TICKLES_MAX + 1), -E2BIG);
	wbuf_free(&w);

	/* Bodies written by hand with the list encoders. */
	struct {
		const char *name;
		size_t nips;
		const struct ipop_conn *conns;
		size_t nconns;
	} bad[] = {
		{ "no address", 0, cs, 1 },
		{ "two addresses", 2, cs, 1 },
		{ "a connection local to another address", 1, cs, 2 },
		{ "more than IPOP_TICKLES_MAX connections", 1, many, IPOP_TICKLES_MAX + 1 },
	};
	for (size_t t = 0; t < ARRAY_SIZE(bad); t++) {
		wbuf_init(&w, 1 << 20);
		assert_int_equal(ipop_put_ips(&w, 0, ips, bad[t].nips), 0);
		assert_int_equal(ipop_put_conns(&w, bad[t].conns, bad[t].nconns), 0);
		rbuf_init(&r, w.data, w.len);
		if (ipop_get_tickles(&r, &got, &gotc, &n) != -EBADMSG)
			fail_msg("%s: not refused", bad[t].name);
		assert_null(gotc);
		wbuf_free(&w);
	}
	/* No conn list at all. */
	wbuf_init(&w, 1 << 20);
	assert_int_equal(ipop_put_ips(&w, 0, ips, 1), 0);
	rbuf_init(&r, w.data, w.len);
	assert_int_equal(ipop_get_tickles(&r, &got, &gotc, &n), -EBADMSG);
	wbuf_free(&w);
	free(many);
}

static void test_clusterop_variable(void **state)
{
	struct herd_op_body b;
	uint8_t out[HERD_OP_BODY_MAX];

	(void)state;
	assert_true(herd_op_variable(HERD_OP_TAKEIP));
	assert_false(herd_op_variable(HERD_OP_BAN));
	assert_string_equal(herd_op_name(HERD_OP_RELEASEIP), "releaseip");
	assert_int_equal(herd_op_pull(HERD_OP_IPINFO, (const uint8_t *)"xyz", 3, &b), 0);
	assert_int_equal(herd_op_push(HERD_OP_IPMAP, &b, out), -EINVAL);
	assert_int_equal(herd_op_pull(HERD_OP_MAX_, NULL, 0, &b), -EINVAL);
	assert_true(herd_op_variable(HERD_OP_TICKLES));
	assert_string_equal(herd_op_name(HERD_OP_TICKLES), "tickles");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_ipop_roundtrip),
		cmocka_unit_test(test_ipop_tickles),
		cmocka_unit_test(test_ipop_tickles_bad),
		cmocka_unit_test(test_clusterop_variable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
