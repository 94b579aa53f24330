/*
 * test_natgw_apply.c — NAT gateway plans (failover/natgw.c) applied to the
 * real kernel by failover/natgw_apply.c, and checked through the kernel's
 * own view: `nft -j list ruleset`, `ip -j route` and `ip -j addr` run
 * inside the namespace, and the forwarding sysctls.
 *
 * The process enters a network namespace of its own first (it must run as
 * root with nft and ip installed; otherwise the kernel tests are skipped)
 * and makes two links there (veth pairs, up and with carrier; the dummy
 * driver may be missing; tests/unit/netns.c):
 * "pub", the public side, and "priv", the private network with this
 * node's address 10.1.0.2/24 (fd00:1::2/64).
 * Nothing touches the host's network; the namespace goes with the process.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "agentd/util.h"
#include "failover/natgw.h"
#include "failover/natgw_apply.h"
#include "tests/unit/netns.h"

struct fixture {
	bool ready;
	struct nl_sock *sk;
	struct natgw_apply *a;
};

#define NEED_NETNS(f)                                                                  \
	do {                                                                           \
		if (!(f)->ready) {                                                     \
			print_message("    skipped: needs root, a network namespace, nft and ip\n"); \
			skip();                                                        \
		}                                                                      \
	} while (0)

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (!s || !*s)
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

static struct conf_cidr cidr(const char *addr, unsigned prefix)
{
	return (struct conf_cidr){ .addr = ip(addr), .prefix = prefix };
}

/* ---- the kernel's view, through the tools ---- */

static struct json_object *run_json(const char *cmd)
{
	char buf[65536];
	size_t n = 0, got;
	struct json_object *j;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	while ((got = fread(buf + n, 1, sizeof(buf) - 1 - n, p)) > 0)
		n += got;
	assert_int_equal(pclose(p), 0);
	buf[n] = '\0';
	j = json_tokener_parse(buf);
	if (!j)
		fail_msg("%s: not JSON: %s", cmd, buf);
	return j;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* Is there a table herd_natgw of family ("ip", "inet"), and how many masquerade rules in it mention net? */
static bool nft_table(const char *family, const char *net, int *masquerades)
{
	struct json_object *j = run_json("nft -j list ruleset"), *arr;
	bool table = false;

	*masquerades = 0;
	assert_true(json_object_object_get_ex(j, "nftables", &arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		const char *fam, *name;

		if (json_object_object_get_ex(o, "table", &v)) {
			fam = jstr(v, "family");
			name = jstr(v, "name");
			if (fam && name && streq(fam, family) && streq(name, NATGW_NFT_TABLE))
				table = true;
		}
		if (json_object_object_get_ex(o, "rule", &v)) {
			const char *text = json_object_to_json_string(v);

			fam = jstr(v, "family");
			name = jstr(v, "table");
			if (fam && name && streq(fam, family) && streq(name, NATGW_NFT_TABLE) &&
			    strstr(text, "\"masquerade\"") && strstr(text, net) &&
			    strstr(text, "\"pub\""))
				(*masquerades)++;
		}
	}
	json_object_put(j);
	return table;
}

static bool nft_any_herd_table(void)
{
	int m;

	return nft_table("ip", "", &m) || nft_table("inet", "", &m);
}

/* How many routes to dst ("default", "198.51.100.0/24") via gw with metric (dev, if not NULL)? */
static int routes(int family, const char *dst, const char *gw, const char *dev, int metric)
{
	struct json_object *j = run_json(family == AF_INET ? "ip -j -4 route show table main"
							   : "ip -j -6 route show table main");
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(j); i++) {
		struct json_object *o = json_object_array_get_idx(j, i), *m;
		const char *d = jstr(o, "dst"), *g = jstr(o, "gateway"), *dv = jstr(o, "dev");
		int met = json_object_object_get_ex(o, "metric", &m) ? json_object_get_int(m) : 0;

		if (d && streq(d, dst) && (!gw || (g && streq(g, gw))) &&
		    (!dev || (dv && streq(dv, dev))) && (metric < 0 || met == metric))
			n++;
	}
	json_object_put(j);
	return n;
}

/* Is local/prefix on dev? */
static bool has_addr(const char *dev, const char *local, int prefix)
{
	char cmd[128];
	struct json_object *j;
	bool found = false;

	snprintf(cmd, sizeof(cmd), "ip -j addr show dev %s", dev);
	j = run_json(cmd);
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		struct json_object *o = json_object_array_get_idx(j, i), *ai;

		if (!json_object_object_get_ex(o, "addr_info", &ai))
			continue;
		for (size_t k = 0; k < json_object_array_length(ai); k++) {
			struct json_object *a = json_object_array_get_idx(ai, k), *pl;
			const char *l = jstr(a, "local");

			if (l && streq(l, local) && json_object_object_get_ex(a, "prefixlen", &pl) &&
			    json_object_get_int(pl) == prefix)
				found = true;
		}
	}
	json_object_put(j);
	return found;
}

static int sysctl_get(const char *path)
{
	char buf[16] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	return atoi(buf);
}

static void sysctl_set(const char *path, int v)
{
	char buf[16];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d\n", v);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, (size_t)len), len);
	close(fd);
}

#define FWD4 "/proc/sys/net/ipv4/ip_forward"
#define FWD6 "/proc/sys/net/ipv6/conf/all/forwarding"

/* ---- plans ---- */

struct setup {
	const char *priv, *pub_addr, *iface, *gw;
	unsigned priv_prefix, pub_prefix;
	const char *routes; /* static routes "NET/P[@GW] ...", NULL none */
};

static struct natgw_plan *plan(const struct setup *s, enum natgw_role role, const char *master)
{
	static struct conf_static_route sr[8];
	static char iface[IF_NAMESIZE];
	struct herd_conf cf = { 0 };
	struct sockaddr_storage m = ip(master);
	struct natgw_plan *p = NULL;
	char buf[256], *save = NULL;

	cf.natgw_private_network = cidr(s->priv, s->priv_prefix);
	cf.natgw_public_address = cidr(s->pub_addr, s->pub_prefix);
	snprintf(iface, sizeof(iface), "%s", s->iface);
	cf.natgw_public_interface = iface;
	cf.natgw_default_gateway = ip(s->gw);
	snprintf(buf, sizeof(buf), "%s", s->routes ? s->routes : "");
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		struct conf_static_route *r = &sr[cf.nnatgw_static_routes++];
		char *at = strchr(t, '@'), *slash;

		memset(r, 0, sizeof(*r));
		if (at) {
			*at = '\0';
			r->gateway = ip(at + 1);
		}
		slash = strchr(t, '/');
		*slash = '\0';
		r->net = cidr(t, (unsigned)atoi(slash + 1));
	}
	cf.natgw_static_routes = sr;
	assert_int_equal(natgw_plan_new(&cf, role, master ? &m : NULL, &p), 0);
	return p;
}

static int apply(struct fixture *f, struct natgw_plan *p)
{
	int r = natgw_apply(f->a, p);

	if (r < 0)
		print_message("    natgw_apply: %d %s\n", r, natgw_apply_error(f->a));
	natgw_plan_free(p);
	return r;
}

static const struct setup v4 = { "10.1.0.0", "192.0.2.10", "pub", "192.0.2.1", 24, 24, NULL };

static void expect_master_v4(void)
{
	int masq;

	assert_true(nft_table("ip", "10.1.0.0", &masq));
	assert_int_equal(masq, 1);
	assert_int_equal(routes(AF_INET, "default", "192.0.2.1", "pub", 10), 1);
	assert_int_equal(routes(AF_INET, "default", NULL, NULL, -1), 1);
	assert_true(has_addr("pub", "192.0.2.10", 24));
	assert_int_equal(sysctl_get(FWD4), 1);
}

static void expect_slave_v4(void)
{
	assert_false(nft_any_herd_table());
	assert_int_equal(routes(AF_INET, "default", "10.1.0.1", "priv", 10), 1);
	assert_int_equal(routes(AF_INET, "default", NULL, NULL, -1), 1);
	assert_false(has_addr("pub", "192.0.2.10", 24));
	assert_int_equal(sysctl_get(FWD4), 0);
}

static void expect_nothing(void)
{
	assert_false(nft_any_herd_table());
	assert_int_equal(routes(AF_INET, "default", NULL, NULL, -1), 0);
	assert_int_equal(routes(AF_INET6, "default", NULL, NULL, -1), 0);
	assert_false(has_addr("pub", "192.0.2.10", 24));
	assert_false(has_addr("pub", "2001:db8::10", 64));
	assert_int_equal(sysctl_get(FWD4), 0);
	assert_int_equal(sysctl_get(FWD6), 0);
	assert_true(has_addr("priv", "10.1.0.2", 24)); /* not ours: untouched */
}

static void test_master_slave_clear(void **state)
{
	struct fixture *f = *state;

	NEED_NETNS(f);
	assert_int_equal(natgw_apply_clear(f->a), 0); /* nothing applied: fine */
	expect_nothing();

	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	expect_master_v4();
	assert_string_equal(natgw_apply_error(f->a), "");

	/* Again: idempotent. */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	expect_master_v4();

	/* Someone removed the table and the route: the next apply repairs them. */
	assert_int_equal(system("nft delete table ip herd_natgw && "
				"ip route del default via 192.0.2.1 metric 10"), 0);
	assert_false(nft_any_herd_table());
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	expect_master_v4();

	/* Another node became the master. */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_SLAVE, "10.1.0.1")), 0);
	expect_slave_v4();
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_SLAVE, "10.1.0.1")), 0);
	expect_slave_v4();

	/* The master changed to another slave-side address. */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_SLAVE, "10.1.0.3")), 0);
	assert_int_equal(routes(AF_INET, "default", "10.1.0.3", "priv", 10), 1);
	assert_int_equal(routes(AF_INET, "default", NULL, NULL, -1), 1);

	/* And back: the slave's route (same destination and metric) gives way. */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	expect_master_v4();

	assert_int_equal(natgw_apply_clear(f->a), 0);
	expect_nothing();
	assert_int_equal(natgw_apply_clear(f->a), 0);
	expect_nothing();

	/* Slave straight to none (not in the group any more). */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_SLAVE, "10.1.0.1")), 0);
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_NONE, NULL)), 0);
	expect_nothing();
}

static void test_static_routes(void **state)
{
	struct fixture *f = *state;
	struct setup s = v4;

	NEED_NETNS(f);
	s.routes = "198.51.100.0/24@192.0.2.254 203.0.113.0/24";
	assert_int_equal(apply(f, plan(&s, NATGW_ROLE_MASTER, NULL)), 0);
	assert_int_equal(routes(AF_INET, "198.51.100.0/24", "192.0.2.254", "pub", 10), 1);
	assert_int_equal(routes(AF_INET, "203.0.113.0/24", "192.0.2.1", "pub", 10), 1);
	assert_int_equal(routes(AF_INET, "default", NULL, NULL, -1), 0);

	/* One route fewer: it goes, the other stays. */
	s.routes = "198.51.100.0/24@192.0.2.254";
	assert_int_equal(apply(f, plan(&s, NATGW_ROLE_MASTER, NULL)), 0);
	assert_int_equal(routes(AF_INET, "198.51.100.0/24", "192.0.2.254", "pub", 10), 1);
	assert_int_equal(routes(AF_INET, "203.0.113.0/24", NULL, NULL, -1), 0);

	/* As a slave both go through the master. */
	s.routes = "198.51.100.0/24@192.0.2.254 203.0.113.0/24";
	assert_int_equal(apply(f, plan(&s, NATGW_ROLE_SLAVE, "10.1.0.1")), 0);
	assert_int_equal(routes(AF_INET, "198.51.100.0/24", "10.1.0.1", "priv", 10), 1);
	assert_int_equal(routes(AF_INET, "203.0.113.0/24", "10.1.0.1", "priv", 10), 1);
	assert_int_equal(routes(AF_INET, "198.51.100.0/24", NULL, NULL, -1), 1);

	assert_int_equal(natgw_apply_clear(f->a), 0);
	assert_int_equal(routes(AF_INET, "198.51.100.0/24", NULL, NULL, -1), 0);
	assert_int_equal(routes(AF_INET, "203.0.113.0/24", NULL, NULL, -1), 0);
	expect_nothing();
}

static void test_forwarding_left_as_found(void **state)
{
	struct fixture *f = *state;

	NEED_NETNS(f);
	sysctl_set(FWD4, 1); /* the admin's, before herd */
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	assert_int_equal(sysctl_get(FWD4), 1);
	assert_int_equal(natgw_apply_clear(f->a), 0);
	assert_int_equal(sysctl_get(FWD4), 1);
	sysctl_set(FWD4, 0);
	expect_nothing();
}

static void test_ipv6(void **state)
{
	static const struct setup v6 = { "fd00:1::", "2001:db8::10", "pub", "2001:db8::1",
					 64, 64, NULL };
	struct fixture *f = *state;
	int masq;

	NEED_NETNS(f);
	assert_int_equal(apply(f, plan(&v6, NATGW_ROLE_MASTER, NULL)), 0);
	assert_true(nft_table("inet", "fd00:1::", &masq));
	assert_int_equal(masq, 1);
	assert_int_equal(routes(AF_INET6, "default", "2001:db8::1", "pub", 10), 1);
	assert_true(has_addr("pub", "2001:db8::10", 64));
	assert_int_equal(sysctl_get(FWD6), 1);

	assert_int_equal(apply(f, plan(&v6, NATGW_ROLE_SLAVE, "fd00:1::1")), 0);
	assert_false(nft_any_herd_table());
	assert_int_equal(routes(AF_INET6, "default", "fd00:1::1", "priv", 10), 1);
	assert_int_equal(routes(AF_INET6, "default", NULL, NULL, -1), 1);
	assert_false(has_addr("pub", "2001:db8::10", 64));
	assert_int_equal(sysctl_get(FWD6), 0);

	/* From an IPv6 master straight to an IPv4 one (the configuration changed). */
	assert_int_equal(apply(f, plan(&v6, NATGW_ROLE_MASTER, NULL)), 0);
	assert_int_equal(apply(f, plan(&v4, NATGW_ROLE_MASTER, NULL)), 0);
	expect_master_v4();
	assert_false(nft_table("inet", "", &masq));
	assert_int_equal(routes(AF_INET6, "default", NULL, NULL, -1), 0);
	assert_int_equal(sysctl_get(FWD6), 0);

	assert_int_equal(natgw_apply_clear(f->a), 0);
	expect_nothing();
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct setup s = v4;
	struct natgw_plan *p;
	int r;

	NEED_NETNS(f);
	/* The public interface does not exist: the address and the route fail. */
	s.iface = "nosuch";
	r = apply(f, plan(&s, NATGW_ROLE_MASTER, NULL));
	assert_int_equal(r, -ENODEV);
	assert_string_equal(natgw_apply_error(f->a),
			    "add address 192.0.2.10/24 dev nosuch: No such device");
	assert_int_equal(natgw_apply_clear(f->a), 0);
	assert_string_equal(natgw_apply_error(f->a), "");
	expect_nothing();

	/*
	 * The kernel refuses the script: the errno and nft's own message
	 * come back. (Not a parse error: libnftables 1.0.6 leaks on some.)
	 */
	p = plan(&v4, NATGW_ROLE_MASTER, NULL);
	free(p->nft);
	p->nft = strdup("add table ip herd_natgw\ndelete chain ip herd_natgw nosuch\n");
	assert_non_null(p->nft);
	r = natgw_apply(f->a, p);
	natgw_plan_free(p);
	assert_int_equal(r, -ENOENT);
	if (!strstr(natgw_apply_error(f->a),
		    "add nft table ip herd_natgw: Error: Could not process rule: No such file"))
		fail_msg("error text: %s", natgw_apply_error(f->a));
	/* The rest of the plan went in regardless. */
	assert_int_equal(routes(AF_INET, "default", "192.0.2.1", "pub", 10), 1);
	assert_int_equal(natgw_apply_clear(f->a), 0);
	expect_nothing();
}

/* ---- set-up: a namespace with two links ---- */

static int add_addr(struct nl_sock *sk, const char *dev, const char *addr, unsigned prefix)
{
	struct sockaddr_storage ss = ip(addr);
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local;
	int r;

	local = nl_addr_build(ss.ss_family,
			      ss.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
						      : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
			      ss.ss_family == AF_INET ? 4 : 16);
	nl_addr_set_prefixlen(local, (int)prefix);
	rtnl_addr_set_ifindex(ra, (int)if_nametoindex(dev));
	rtnl_addr_set_local(ra, local);
	if (ss.ss_family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	r = rtnl_addr_add(sk, ra, 0);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return r;
}

static int setup(void **state)
{
	static struct fixture f;
	int r;

	*state = &f;
	if (system("command -v nft >/dev/null && command -v ip >/dev/null")) {
		fprintf(stderr, "test_natgw_apply: needs nft and ip: kernel tests skipped\n");
		return 0;
	}
	r = netns_setup("pub", "pub-x", "priv", "priv-x", NULL);
	if (r <= 0)
		return r;
	f.sk = nl_socket_alloc();
	if (!f.sk || nl_connect(f.sk, NETLINK_ROUTE) < 0 ||
	    add_addr(f.sk, "priv", "10.1.0.2", 24) < 0 ||
	    add_addr(f.sk, "priv", "fd00:1::2", 64) < 0) {
		fprintf(stderr, "test_natgw_apply: cannot add the addresses: kernel tests skipped\n");
		return 0;
	}
	if (natgw_apply_new(&f.a) < 0) {
		fprintf(stderr, "test_natgw_apply: natgw_apply_new failed: kernel tests skipped\n");
		return 0;
	}
	f.ready = true;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	natgw_apply_free(f->a);
	nl_socket_free(f->sk); /* the namespace goes with the process */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_slave_clear),
		cmocka_unit_test(test_static_routes),
		cmocka_unit_test(test_forwarding_left_as_found),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
