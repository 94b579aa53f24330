/*
 * test_natgw.c — the NAT gateway's pure decisions (failover/natgw.c) as
 * tables: CTDB's master selection (the cases of ctdb/tests/UNIT/tool/
 * ctdb.natgw.*.sh and herd's own for every flag), this node's role from the
 * configuration and the cluster state, the plan of each role as text, and
 * the nft script as golden strings.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "agentd/state.h"
#include "agentd/util.h"
#include "failover/natgw.h"

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (!s || !*s)
		return ss; /* AF_UNSPEC */
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

/* "10.0.0.0/24" ("" or NULL: unset). */
static struct conf_cidr cidr(const char *s)
{
	struct conf_cidr c = { 0 };
	char buf[64];
	char *slash;

	if (!s || !*s)
		return c;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	c.addr = ip(buf);
	c.prefix = (unsigned)atoi(slash + 1);
	return c;
}

/* ---- master selection ---- */

#define MAXM 6

struct mcase {
	const char *name;
	size_t n;
	struct {
		uint32_t pnn, flags;
		bool slave_only;
	} m[MAXM];
	int want;
};

static void test_select(void **state)
{
	static const struct mcase cases[] = {
		{ "empty group", 0, { { 0 } }, -1 },
		{ "all healthy: lowest pnn", 3, { { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 0 } }, 0 },
		{ "array order does not matter", 3, { { 2, 0, 0 }, { 1, 0, 0 }, { 3, 0, 0 } }, 1 },
		/* ctdb.natgw.003 "3 nodes, 2 in natgw group, 1 unhealthy" */
		{ "master unhealthy", 2, { { 0, 0x2, 0 }, { 2, 0, 0 } }, 2 },
		{ "slave-only never", 3, { { 0, 0, 1 }, { 1, 0, 0 }, { 2, 0, 0 } }, 1 },
		{ "slave-only healthy loses to unhealthy", 2, { { 0, 0, 1 }, { 1, 0x2, 0 } }, 1 },
		{ "all slave-only", 2, { { 0, 0, 1 }, { 1, 0, 1 } }, -1 },
		{ "disconnected never", 1, { { 0, 0x1, 0 } }, -1 },
		{ "disconnected vs unhealthy", 2, { { 0, 0x1, 0 }, { 1, 0x2, 0 } }, 1 },
		{ "permanently disabled never", 1, { { 0, 0x4, 0 } }, -1 },
		{ "disabled vs unhealthy", 2, { { 0, 0x4, 0 }, { 1, 0x2, 0 } }, 1 },
		{ "deleted never", 1, { { 0, 0x10, 0 } }, -1 },
		{ "banned loses to healthy", 2, { { 0, 0x8, 0 }, { 1, 0, 0 } }, 1 },
		/* category 2: UNHEALTHY or BANNED will do, lowest pnn among them */
		{ "banned ties with unhealthy", 2, { { 0, 0x8, 0 }, { 1, 0x2, 0 } }, 0 },
		{ "only banned", 1, { { 0, 0x8, 0 } }, 0 },
		{ "stopped loses to unhealthy", 2, { { 0, 0x20, 0 }, { 1, 0x2, 0 } }, 1 },
		{ "stopped loses to banned", 2, { { 0, 0x20, 0 }, { 1, 0x8, 0 } }, 1 },
		/* category 3: STOPPED will do */
		{ "only stopped", 2, { { 0, 0x1, 0 }, { 1, 0x20, 0 } }, 1 },
		{ "stopped+banned", 2, { { 0, 0x28, 0 }, { 1, 0x21, 0 } }, 0 },
		/* ctdb.natgw.004 "3 nodes, all unhealthy, all but 1 stopped" */
		{ "all unhealthy, all but 1 stopped", 3,
		  { { 0, 0x22, 0 }, { 1, 0x22, 0 }, { 2, 0x2, 0 } }, 2 },
		{ "all unhealthy: lowest pnn", 3, { { 0, 0x2, 0 }, { 1, 0x2, 0 }, { 2, 0x2, 0 } }, 0 },
		{ "all unhealthy and stopped", 2, { { 3, 0x22, 0 }, { 1, 0x22, 0 } }, 1 },
		{ "partially online counts as healthy", 2, { { 0, 0x40, 0 }, { 1, 0, 0 } }, 0 },
		{ "nothing usable", 4,
		  { { 0, 0x1, 0 }, { 1, 0x4, 0 }, { 2, 0x10, 0 }, { 3, 0x6, 0 } }, -1 },
		{ "stopped slave-only never", 2, { { 0, 0x20, 1 }, { 1, 0x1, 0 } }, -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mcase *c = &cases[i];
		struct natgw_member m[MAXM] = { 0 };
		int got;

		for (size_t k = 0; k < c->n; k++) {
			m[k].pnn = c->m[k].pnn;
			m[k].flags = c->m[k].flags;
			m[k].slave_only = c->m[k].slave_only;
		}
		got = natgw_select(m, c->n);
		if (got != c->want)
			fail_msg("case \"%s\": master %d, want %d", c->name, got, c->want);
	}
}

/* ---- role from configuration and state ---- */

struct dcase {
	const char *name;
	uint32_t me;
	const char *natgw_nodes;   /* "ADDR[!]" separated by spaces; '!' = slave-only */
	uint32_t flags[4];
	enum natgw_role role;
	int master;
	const char *master_addr;
};

static void test_decide(void **state)
{
	/*
	 * The nodes file: 0 10.1.0.1, 1 10.1.0.2 (second link 10.2.0.2),
	 * 2 deleted (was 10.1.0.3), 3 10.1.0.4.
	 */
	static const struct dcase cases[] = {
		{ "not configured", 0, "", { 0 }, NATGW_ROLE_NONE, -1, "" },
		{ "master", 0, "10.1.0.1 10.1.0.2", { 0 }, NATGW_ROLE_MASTER, 0, "10.1.0.1" },
		{ "slave", 1, "10.1.0.1 10.1.0.2", { 0 }, NATGW_ROLE_SLAVE, 0, "10.1.0.1" },
		{ "not in group", 3, "10.1.0.1 10.1.0.2", { 0 }, NATGW_ROLE_NONE, -1, "" },
		{ "master unhealthy: other takes over", 0, "10.1.0.1 10.1.0.2",
		  { 0x2, 0 }, NATGW_ROLE_SLAVE, 1, "10.1.0.2" },
		{ "second link in the natgw file", 1, "10.2.0.2 10.1.0.4",
		  { 0 }, NATGW_ROLE_MASTER, 1, "10.2.0.2" },
		{ "slave-only me", 0, "10.1.0.1! 10.1.0.4", { 0 }, NATGW_ROLE_SLAVE, 3, "10.1.0.4" },
		{ "no master", 0, "10.1.0.1! 10.1.0.2", { 0, 0x1 }, NATGW_ROLE_NO_MASTER, -1, "" },
		{ "deleted node and unknown address ignored", 3, "10.1.0.3 10.9.9.9 10.1.0.4",
		  { 0 }, NATGW_ROLE_MASTER, 3, "10.1.0.4" },
		{ "flags of the state, not the file order", 3, "10.1.0.4 10.1.0.2",
		  { 0, 0x20, 0, 0x2 }, NATGW_ROLE_MASTER, 3, "10.1.0.4" },
	};
	static const char *node_addrs[4][2] = {
		{ "10.1.0.1", NULL }, { "10.1.0.2", "10.2.0.2" }, { NULL, NULL }, { "10.1.0.4", NULL },
	};
	struct conf_node nodes[4] = { 0 };
	struct node_state ns[4] = { 0 };
	struct conf_rolenode rn[4];
	struct herd_conf cf = { 0 };
	struct herd_state st = { 0 };

	for (unsigned i = 0; i < 4; i++) {
		nodes[i].pnn = i;
		nodes[i].deleted = node_addrs[i][0] == NULL;
		for (size_t k = 0; k < 2 && node_addrs[i][k]; k++)
			nodes[i].addrs[nodes[i].naddrs++] = ip(node_addrs[i][k]);
		ns[i].pnn = i;
	}
	cf.nodes = nodes;
	cf.nnodes = 4;
	st.nodes = ns;
	st.nnodes = 4;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dcase *c = &cases[i];
		struct natgw_decision d;
		char buf[128], *save = NULL, want[64] = "", got[64] = "";

		memset(rn, 0, sizeof(rn));
		cf.nnatgw_nodes = 0;
		snprintf(buf, sizeof(buf), "%s", c->natgw_nodes);
		for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			struct conf_rolenode *r = &rn[cf.nnatgw_nodes++];
			size_t len = strlen(t);

			r->slave_only = t[len - 1] == '!';
			if (r->slave_only)
				t[len - 1] = '\0';
			r->addr = ip(t);
		}
		cf.natgw_nodes = rn;
		for (unsigned k = 0; k < 4; k++)
			ns[k].flags = c->flags[k];
		st.pnn = c->me;

		assert_int_equal(natgw_decide(&cf, &st, &d), 0);
		if (d.master_addr.ss_family != AF_UNSPEC)
			inet_ntop(d.master_addr.ss_family,
				  &((struct sockaddr_in *)&d.master_addr)->sin_addr, got, sizeof(got));
		snprintf(want, sizeof(want), "%s", c->master_addr);
		if (d.role != c->role || d.master != c->master || !streq(got, want))
			fail_msg("case \"%s\": %s master %d (%s), want %s master %d (%s)", c->name,
				 natgw_role_name(d.role), d.master, got, natgw_role_name(c->role),
				 c->master, want);
	}

	/* A node the state does not know yet counts as DISCONNECTED. */
	{
		struct natgw_decision d;

		rn[0] = (struct conf_rolenode){ .addr = ip("10.1.0.4") };
		rn[1] = (struct conf_rolenode){ .addr = ip("10.1.0.1") };
		cf.nnatgw_nodes = 2;
		st.nnodes = 3; /* pnn 3 beyond it */
		st.pnn = 0;
		for (unsigned k = 0; k < 4; k++)
			ns[k].flags = 0x2;
		assert_int_equal(natgw_decide(&cf, &st, &d), 0);
		assert_int_equal(d.master, 0);
		assert_int_equal(d.role, NATGW_ROLE_MASTER);
	}
}

/* ---- plans ---- */

struct pcase {
	const char *name;
	enum natgw_role role;
	const char *private_network, *public_address, *public_iface, *default_gateway;
	const char *static_routes; /* "NET[@GW] ..." */
	const char *master_addr;
	int ret;
	const char *want;
};

static void conf_set(struct herd_conf *cf, const struct pcase *c, struct conf_static_route *sr,
		     char *iface)
{
	char buf[256], *save = NULL;

	memset(cf, 0, sizeof(*cf));
	cf->natgw_private_network = cidr(c->private_network);
	cf->natgw_public_address = cidr(c->public_address);
	snprintf(iface, 32, "%s", c->public_iface ? c->public_iface : "");
	cf->natgw_public_interface = iface;
	cf->natgw_default_gateway = ip(c->default_gateway);
	snprintf(buf, sizeof(buf), "%s", c->static_routes ? c->static_routes : "");
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		struct conf_static_route *r = &sr[cf->nnatgw_static_routes++];
		char *at = strchr(t, '@');

		memset(r, 0, sizeof(*r));
		if (at) {
			*at = '\0';
			r->gateway = ip(at + 1);
		}
		r->net = cidr(t);
	}
	cf->natgw_static_routes = cf->nnatgw_static_routes ? sr : NULL;
}

static const char nft_v4[] =
	"add table ip herd_natgw\n"
	"delete table ip herd_natgw\n"
	"table ip herd_natgw {\n"
	"\tchain postrouting {\n"
	"\t\ttype nat hook postrouting priority 100; policy accept;\n"
	"\t\toifname \"pub\" ip saddr 10.1.0.0/24 ip daddr != 10.1.0.0/24 masquerade\n"
	"\t}\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority 0; policy accept;\n"
	"\t\tip daddr 192.0.2.10 tcp flags & (fin | syn | rst | ack) == syn reject\n"
	"\t}\n"
	"}\n";

static const char nft_v6[] =
	"add table inet herd_natgw\n"
	"delete table inet herd_natgw\n"
	"table inet herd_natgw {\n"
	"\tchain postrouting {\n"
	"\t\ttype nat hook postrouting priority 100; policy accept;\n"
	"\t\toifname \"eth1.100\" ip6 saddr fd00:1::/64 ip6 daddr != fd00:1::/64 masquerade\n"
	"\t}\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority 0; policy accept;\n"
	"\t\tip6 daddr 2001:db8::10 tcp flags & (fin | syn | rst | ack) == syn reject\n"
	"\t}\n"
	"}\n";

static void test_plan(void **state)
{
	static const struct pcase cases[] = {
		{ "none", NATGW_ROLE_NONE, "10.1.0.0/24", "192.0.2.10/24", "pub", "192.0.2.1", NULL,
		  NULL, 0, "role none\n" },
		{ "no master: nothing either", NATGW_ROLE_NO_MASTER, "", "", "", "", NULL, NULL, 0,
		  "role no-master\n" },
		{ "master, default gateway", NATGW_ROLE_MASTER, "10.1.0.0/24", "192.0.2.10/24", "pub",
		  "192.0.2.1", NULL, NULL, 0,
		  "role master\n"
		  "forwarding ipv4\n"
		  "address 192.0.2.10/24 dev pub\n"
		  "nft ip herd_natgw\n"
		  "route 0.0.0.0/0 via 192.0.2.1 dev pub metric 10\n" },
		{ "master, no gateway: no route", NATGW_ROLE_MASTER, "10.1.0.0/24", "192.0.2.10/24",
		  "pub", "", NULL, NULL, 0,
		  "role master\n"
		  "forwarding ipv4\n"
		  "address 192.0.2.10/24 dev pub\n"
		  "nft ip herd_natgw\n" },
		{ "master, static routes instead of the default route", NATGW_ROLE_MASTER,
		  "10.1.0.0/24", "192.0.2.10/24", "pub", "192.0.2.1",
		  "198.51.100.0/24@192.0.2.254 203.0.113.7/24", NULL, 0,
		  "role master\n"
		  "forwarding ipv4\n"
		  "address 192.0.2.10/24 dev pub\n"
		  "nft ip herd_natgw\n"
		  "route 198.51.100.0/24 via 192.0.2.254 dev pub metric 10\n"
		  "route 203.0.113.0/24 via 192.0.2.1 dev pub metric 10\n" },
		{ "master, static route without any gateway skipped", NATGW_ROLE_MASTER,
		  "10.1.0.0/24", "192.0.2.10/24", "pub", "",
		  "198.51.100.0/24@192.0.2.254 203.0.113.0/24", NULL, 0,
		  "role master\n"
		  "forwarding ipv4\n"
		  "address 192.0.2.10/24 dev pub\n"
		  "nft ip herd_natgw\n"
		  "route 198.51.100.0/24 via 192.0.2.254 dev pub metric 10\n" },
		{ "master ignores master_addr", NATGW_ROLE_MASTER, "10.1.0.5/24", "192.0.2.10/32",
		  "pub", "192.0.2.1", NULL, "10.1.0.1", 0,
		  "role master\n"
		  "forwarding ipv4\n"
		  "address 192.0.2.10/32 dev pub\n"
		  "nft ip herd_natgw\n"
		  "route 0.0.0.0/0 via 192.0.2.1 dev pub metric 10\n" },
		{ "slave, default route via master", NATGW_ROLE_SLAVE, "10.1.0.0/24", "192.0.2.10/24",
		  "pub", "192.0.2.1", NULL, "10.1.0.1", 0,
		  "role slave\n"
		  "route 0.0.0.0/0 via 10.1.0.1 metric 10\n" },
		{ "slave, static routes via master (their gateways are the master's)",
		  NATGW_ROLE_SLAVE, "10.1.0.0/24", "", "", "",
		  "198.51.100.0/24@192.0.2.254 203.0.113.0/24", "10.1.0.1", 0,
		  "role slave\n"
		  "route 198.51.100.0/24 via 10.1.0.1 metric 10\n"
		  "route 203.0.113.0/24 via 10.1.0.1 metric 10\n" },
		{ "master IPv6", NATGW_ROLE_MASTER, "fd00:1::/64", "2001:db8::10/64", "eth1.100",
		  "2001:db8::1", NULL, NULL, 0,
		  "role master\n"
		  "forwarding ipv6\n"
		  "address 2001:db8::10/64 dev eth1.100\n"
		  "nft inet herd_natgw\n"
		  "route ::/0 via 2001:db8::1 dev eth1.100 metric 10\n" },
		{ "slave IPv6", NATGW_ROLE_SLAVE, "fd00:1::/64", "", "", "", NULL, "fd00:1::1", 0,
		  "role slave\n"
		  "route ::/0 via fd00:1::1 metric 10\n" },
		{ "master without public address", NATGW_ROLE_MASTER, "10.1.0.0/24", "", "pub",
		  "192.0.2.1", NULL, NULL, -EINVAL, NULL },
		{ "master without public interface", NATGW_ROLE_MASTER, "10.1.0.0/24",
		  "192.0.2.10/24", "", "192.0.2.1", NULL, NULL, -EINVAL, NULL },
		{ "master with an interface nft would misread", NATGW_ROLE_MASTER, "10.1.0.0/24",
		  "192.0.2.10/24", "eth*", "192.0.2.1", NULL, NULL, -EINVAL, NULL },
		{ "master, public address of another family", NATGW_ROLE_MASTER, "10.1.0.0/24",
		  "2001:db8::10/64", "pub", "", NULL, NULL, -EINVAL, NULL },
		{ "master, gateway of another family", NATGW_ROLE_MASTER, "10.1.0.0/24",
		  "192.0.2.10/24", "pub", "2001:db8::1", NULL, NULL, -EINVAL, NULL },
		{ "master, static route of another family", NATGW_ROLE_MASTER, "10.1.0.0/24",
		  "192.0.2.10/24", "pub", "192.0.2.1", "2001:db8::/32", NULL, -EINVAL, NULL },
		{ "slave without master address", NATGW_ROLE_SLAVE, "10.1.0.0/24", "", "", "", NULL,
		  NULL, -EINVAL, NULL },
		{ "slave, master of another family", NATGW_ROLE_SLAVE, "10.1.0.0/24", "", "", "",
		  NULL, "fd00:1::1", -EINVAL, NULL },
		{ "no private network", NATGW_ROLE_SLAVE, "", "", "", "", NULL, "10.1.0.1", -EINVAL,
		  NULL },
	};
	struct conf_static_route sr[8];
	struct herd_conf cf;
	char iface[32];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pcase *c = &cases[i];
		struct sockaddr_storage master = ip(c->master_addr);
		struct natgw_plan *p = NULL;
		char *text;
		int r;

		conf_set(&cf, c, sr, iface);
		r = natgw_plan_new(&cf, c->role, c->master_addr ? &master : NULL, &p);
		if (r != c->ret)
			fail_msg("case \"%s\": returned %d, want %d", c->name, r, c->ret);
		if (r < 0) {
			assert_null(p);
			continue;
		}
		text = natgw_plan_format(p);
		assert_non_null(text);
		if (!streq(text, c->want))
			fail_msg("case \"%s\":\n--- got\n%s--- want\n%s", c->name, text, c->want);
		free(text);
		natgw_plan_free(p);
	}

	/* The master's plan carries the nft script. */
	{
		static const struct pcase c = { "", NATGW_ROLE_MASTER, "10.1.0.0/24",
						 "192.0.2.10/24", "pub", "192.0.2.1" };
		struct natgw_plan *p;

		conf_set(&cf, &c, sr, iface);
		assert_int_equal(natgw_plan_new(&cf, NATGW_ROLE_MASTER, NULL, &p), 0);
		assert_string_equal(p->nft, nft_v4);
		assert_int_equal(p->family, AF_INET);
		natgw_plan_free(p);
	}
	natgw_plan_free(NULL);
}

/* ---- the nft script ---- */

static void test_nft(void **state)
{
	static const struct {
		const char *name, *net, *iface, *pub;
		int ret;
		const char *want;
	} cases[] = {
		{ "IPv4", "10.1.0.0/24", "pub", "192.0.2.10", 0, nft_v4 },
		{ "IPv4, host bits masked off", "10.1.0.77/24", "pub", "192.0.2.10", 0, nft_v4 },
		{ "IPv6: inet table", "fd00:1::1/64", "eth1.100", "2001:db8::10", 0, nft_v6 },
		{ "odd prefix", "10.1.2.3/20", "a-b_c@d", "192.0.2.10", 0,
		  "add table ip herd_natgw\n"
		  "delete table ip herd_natgw\n"
		  "table ip herd_natgw {\n"
		  "\tchain postrouting {\n"
		  "\t\ttype nat hook postrouting priority 100; policy accept;\n"
		  "\t\toifname \"a-b_c@d\" ip saddr 10.1.0.0/20 ip daddr != 10.1.0.0/20 masquerade\n"
		  "\t}\n"
		  "\tchain input {\n"
		  "\t\ttype filter hook input priority 0; policy accept;\n"
		  "\t\tip daddr 192.0.2.10 tcp flags & (fin | syn | rst | ack) == syn reject\n"
		  "\t}\n"
		  "}\n" },
		{ "quote in the interface", "10.1.0.0/24", "pu\"b", "192.0.2.10", -EINVAL, NULL },
		{ "blank in the interface", "10.1.0.0/24", "pu b", "192.0.2.10", -EINVAL, NULL },
		{ "empty interface", "10.1.0.0/24", "", "192.0.2.10", -EINVAL, NULL },
		{ "interface too long", "10.1.0.0/24", "abcdefghijklmnop", "192.0.2.10", -EINVAL,
		  NULL },
		{ "families differ", "10.1.0.0/24", "pub", "2001:db8::10", -EINVAL, NULL },
		{ "no private network", "", "pub", "192.0.2.10", -EINVAL, NULL },
		{ "prefix too long", "10.1.0.0/33", "pub", "192.0.2.10", -EINVAL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct conf_cidr net = cidr(cases[i].net);
		struct sockaddr_storage pub = ip(cases[i].pub);
		char *text = NULL;
		int r = natgw_nft_ruleset(&net, cases[i].iface, &pub, &text);

		if (r != cases[i].ret)
			fail_msg("case \"%s\": returned %d, want %d", cases[i].name, r, cases[i].ret);
		if (r == 0 && !streq(text, cases[i].want))
			fail_msg("case \"%s\":\n--- got\n%s--- want\n%s", cases[i].name, text,
				 cases[i].want);
		free(text);
	}

	assert_string_equal(natgw_nft_delete(AF_INET),
			    "add table ip herd_natgw\ndelete table ip herd_natgw\n");
	assert_string_equal(natgw_nft_delete(AF_INET6),
			    "add table inet herd_natgw\ndelete table inet herd_natgw\n");
	assert_null(natgw_nft_delete(AF_UNSPEC));
}

static void test_names(void **state)
{
	assert_string_equal(natgw_role_name(NATGW_ROLE_NONE), "none");
	assert_string_equal(natgw_role_name(NATGW_ROLE_MASTER), "master");
	assert_string_equal(natgw_role_name(NATGW_ROLE_SLAVE), "slave");
	assert_string_equal(natgw_role_name(NATGW_ROLE_NO_MASTER), "no-master");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
