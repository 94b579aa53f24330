/*
 * test_conf_routes.c — the policy routing file (conf/routes.c).
 *
 * Each case is a file and either the routes it gives, as routes_format()
 * prints them with their line joined by " | ", or the exact error message.
 * The public addresses are 192.168.1.10, 192.168.1.11 and 2001:db8::10. A
 * missing file is an error (the configuration named it); an empty one is
 * no routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "conf/pubaddr.h"
#include "conf/routes.h"
#include "conf/value.h"

struct rt_case {
	const char *text;
	const char *routes;             /* NULL: an error */
	const char *msg;
};

#define SYNTAX "PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]"

static const struct rt_case cases[] = {
	{ "", "", NULL },
	{ "# nothing routed yet\n\n", "", NULL },
	{ "192.168.1.10 192.168.1.0/24\n", "192.168.1.10 192.168.1.0/24@1", NULL },
	{ "192.168.1.10\t192.168.200.0/24\t192.168.1.254   # via the router\n"
	  "  192.168.1.10 0.0.0.0/0 192.168.1.1\r\n"
	  "192.168.1.11 0.0.0.0/0 192.168.1.1\n",
	  "192.168.1.10 192.168.200.0/24 192.168.1.254@1 | 192.168.1.10 0.0.0.0/0 192.168.1.1@2"
	  " | 192.168.1.11 0.0.0.0/0 192.168.1.1@3", NULL },
	{ "2001:DB8::10 ::/0 2001:DB8::1\n2001:db8::10 2001:db8:1::/48\n",
	  "2001:db8::10 ::/0 2001:db8::1@1 | 2001:db8::10 2001:db8:1::/48@2", NULL },
	{ "192.168.1.10 10.0.0.1/32 192.168.1.1\n", "192.168.1.10 10.0.0.1/32 192.168.1.1@1",
	  NULL },
	{ "192.168.1.10 10.0.0.0/8 192.168.1.1#x\n", NULL,      /* '#' inside a word */
	  "routes:1: bad gateway '192.168.1.1#x'; expected " SYNTAX " with an IPv4 or IPv6 "
	  "address last" },

	/* errors */
	{ "192.168.1.99 192.168.1.0/24\n", NULL,
	  "routes:1: 192.168.1.99 is not a public address; expected an address from the "
	  "public addresses file" },
	{ "192.168.1.10/24 192.168.1.0/24\n", NULL,
	  "routes:1: bad public address '192.168.1.10/24'; expected " SYNTAX " with an IPv4 "
	  "or IPv6 address first" },
	{ "eth0 192.168.1.0/24\n", NULL,
	  "routes:1: bad public address 'eth0'; expected " SYNTAX " with an IPv4 or IPv6 "
	  "address first" },
	{ "192.168.1.10\n", NULL, "routes:1: missing network after 192.168.1.10; expected " SYNTAX },
	{ "192.168.1.10 # only a comment\n", NULL,
	  "routes:1: missing network after 192.168.1.10; expected " SYNTAX },
	{ "192.168.1.10 192.168.1.0\n", NULL,
	  "routes:1: bad network '192.168.1.0'; expected NETWORK/PREFIX after the public "
	  "address, e.g. 192.168.1.0/24 or 0.0.0.0/0" },
	{ "192.168.1.10 default\n", NULL,
	  "routes:1: bad network 'default'; expected NETWORK/PREFIX after the public "
	  "address, e.g. 192.168.1.0/24 or 0.0.0.0/0" },
	{ "192.168.1.10 10.0.0.0/33\n", NULL,
	  "routes:1: prefix length out of range in '10.0.0.0/33'; expected 0 to 32 for IPv4, "
	  "0 to 128 for IPv6" },
	{ "192.168.1.10 192.168.1.5/24\n", NULL,
	  "routes:1: host bits set in network '192.168.1.5/24'; expected the network address "
	  "192.168.1.0/24" },
	{ "2001:db8::10 2001:db8::1/64\n", NULL,
	  "routes:1: host bits set in network '2001:db8::1/64'; expected the network address "
	  "2001:db8::/64" },
	{ "192.168.1.10 fd00::/64\n", NULL,
	  "routes:1: network fd00::/64 is IPv6 but public address 192.168.1.10 is IPv4; "
	  "expected a network of the public address's family" },
	{ "2001:db8::10 0.0.0.0/0\n", NULL,
	  "routes:1: network 0.0.0.0/0 is IPv4 but public address 2001:db8::10 is IPv6; "
	  "expected a network of the public address's family" },
	{ "192.168.1.10 0.0.0.0/0 router\n", NULL,
	  "routes:1: bad gateway 'router'; expected " SYNTAX " with an IPv4 or IPv6 address "
	  "last" },
	{ "192.168.1.10 0.0.0.0/0 224.0.0.1\n", NULL,
	  "routes:1: gateway 224.0.0.1 is not unicast; expected a router's address" },
	{ "192.168.1.10 0.0.0.0/0 fd00::1\n", NULL,
	  "routes:1: gateway fd00::1 is IPv6 but the public address is IPv4; expected a "
	  "gateway of the public address's family" },
	{ "192.168.1.10 0.0.0.0/0 192.168.1.1 metric 10\n", NULL,
	  "routes:1: unexpected text 'metric' after the gateway; expected " SYNTAX },
	{ "192.168.1.10 0.0.0.0/0\n\n192.168.1.10 0.0.0.0/0 192.168.1.1\n", NULL,
	  "routes:3: duplicate route to 0.0.0.0/0 for 192.168.1.10, already at line 1" },
};

static void describe(char *buf, size_t len, const struct conf_route *rts, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char a[256];
		int r = snprintf(buf + off, len - off, "%s%s@%u", i ? " | " : "",
				 routes_format(a, sizeof(a), &rts[i]), rts[i].line);

		if (r < 0)
			break;
		off += (size_t)r;
	}
}

static struct conf_pubaddr *pas;
static size_t npas;

static int setup(void **state)
{
	struct conf_error err = { "" };
	struct cfile f;
	int r;

	r = cfile_from_string(&f, "public_addresses",
			      "192.168.1.10/24 eth0\n192.168.1.11/24 eth0\n2001:db8::10/64 eth0\n",
			      &err);
	if (r == 0)
		r = pubaddr_parse(&f, NULL, 0, &pas, &npas, &err);
	cfile_done(&f);
	return r;
}

static int teardown(void **state)
{
	free(pas);
	return 0;
}

static void test_cases(void **state)
{
	struct conf_error err = { "" };
	struct cfile f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rt_case *c = &cases[i];
		struct conf_route *rts = (void *)1;
		size_t n = 99;
		char got[1024];
		int r;

		assert_int_equal(cfile_from_string(&f, "routes", c->text, &err), 0);
		r = routes_parse(&f, pas, npas, &rts, &n, &err);
		cfile_done(&f);
		if (!c->routes) {
			if (r != -EINVAL)
				fail_msg("case %zu: got %d, expected -EINVAL", i, r);
			if (strcmp(err.msg, c->msg) != 0)
				fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, c->msg);
			assert_ptr_equal(rts, (void *)1);
			continue;
		}
		if (r != 0)
			fail_msg("case %zu: got %d: %s", i, r, err.msg);
		describe(got, sizeof(got), rts, n);
		if (strcmp(got, c->routes) != 0)
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, got, c->routes);
		if (n == 0)
			assert_null(rts);
		free(rts);
	}
}

/* The parsed fields, not only their print. */
static void test_fields(void **state)
{
	struct conf_error err = { "" };
	struct conf_route *rts = NULL;
	size_t n = 0;
	struct cfile f;

	assert_int_equal(cfile_from_string(&f, "routes",
					   "192.168.1.11 10.0.0.0/8\n"
					   "192.168.1.11 0.0.0.0/0 192.168.1.1\n", &err), 0);
	assert_int_equal(routes_parse(&f, pas, npas, &rts, &n, &err), 0);
	cfile_done(&f);
	assert_int_equal(n, 2);
	assert_true(sockaddr_equal_addr(&rts[0].pubaddr, &pas[1].addr));
	assert_int_equal(rts[0].net.addr.ss_family, AF_INET);
	assert_int_equal(rts[0].net.prefix, 8);
	assert_int_equal(rts[0].gateway.ss_family, AF_UNSPEC);
	assert_int_equal(rts[1].net.prefix, 0);
	assert_int_equal(rts[1].gateway.ss_family, AF_INET);
	assert_int_equal(rts[1].line, 2);
	free(rts);

	/* No public addresses: every route names an address that is not one. */
	assert_int_equal(cfile_from_string(&f, "routes", "192.168.1.10 10.0.0.0/8\n", &err), 0);
	assert_int_equal(routes_parse(&f, NULL, 0, &rts, &n, &err), -EINVAL);
	cfile_done(&f);
	assert_string_equal(err.msg, "routes:1: 192.168.1.10 is not a public address; expected "
				     "an address from the public addresses file");
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_conf_routes.XXXXXX", path[256], want[512];
	struct conf_error err = { "" };
	struct conf_route *rts = (void *)1;
	size_t n = 99;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/routes", dir);
	assert_int_equal(routes_load(path, pas, npas, &rts, &n, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err.msg, want);

	assert_int_equal(routes_load(dir, pas, npas, &rts, &n, &err), -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", dir);
	assert_string_equal(err.msg, want);
	assert_ptr_equal(rts, (void *)1);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# empty\n", f);
	fclose(f);
	assert_int_equal(routes_load(path, pas, npas, &rts, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(rts);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("192.168.1.10 10.0.0.0/8 192.168.1.1\n", f);
	fclose(f);
	assert_int_equal(routes_load(path, pas, npas, &rts, &n, &err), 0);
	assert_int_equal(n, 1);
	free(rts);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
