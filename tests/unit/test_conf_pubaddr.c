/*
 * test_conf_pubaddr.c — the public_addresses parser (conf/pubaddr.c).
 *
 * Each case is a public_addresses file and either the addresses it lists,
 * as pubaddr_format() prints them joined by " | ", or the exact error
 * message. The nodes 10.0.0.1 and fd00::1 exist, so that taking over a
 * private address is refused. A missing file is no addresses; a directory
 * is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "conf/nodes.h"
#include "conf/pubaddr.h"

struct pa_case {
	const char *text;
	const char *addrs;              /* NULL: an error */
	const char *msg;
};

static const struct pa_case cases[] = {
	{ "", "", NULL },
	{ "# none yet\n\n", "", NULL },
	{ "192.168.1.10/24 eth0\n", "192.168.1.10/24 eth0@1", NULL },
	{ "  192.168.1.10/24\teth0,eth1   # two\n# c\n192.168.2.10/32 bond0\n",
	  "192.168.1.10/24 eth0,eth1@1 | 192.168.2.10/32 bond0@3", NULL },
	{ "2001:DB8::10/64 eth0\n", "2001:db8::10/64 eth0@1", NULL },
	{ "2001:db8::10/128 eth0\r\n10.1.1.1/1 a,b,c,d\n",
	  "2001:db8::10/128 eth0@1 | 10.1.1.1/1 a,b,c,d@2", NULL },
	{ "192.168.1.10/24 eth0#x\n", "192.168.1.10/24 eth0#x@1", NULL },

	/* errors */
	{ "192.168.1.10 eth0\n", NULL,
	  "public_addresses:1: missing prefix length in '192.168.1.10'; expected "
	  "ADDRESS/PREFIX, e.g. 192.168.1.10/24" },
	{ "192.168.1.300/24 eth0\n", NULL,
	  "public_addresses:1: bad public address '192.168.1.300'; expected an IPv4 or IPv6 "
	  "address before the '/'" },
	{ "192.168.1.10/33 eth0\n", NULL,
	  "public_addresses:1: bad prefix length '33'; expected a number from 1 to 32" },
	{ "192.168.1.10/0 eth0\n", NULL,
	  "public_addresses:1: bad prefix length '0'; expected a number from 1 to 32" },
	{ "2001:db8::1/129 eth0\n", NULL,
	  "public_addresses:1: bad prefix length '129'; expected a number from 1 to 128" },
	{ "192.168.1.10/ eth0\n", NULL,
	  "public_addresses:1: bad prefix length ''; expected a number from 1 to 32" },
	{ "192.168.1.10/24x eth0\n", NULL,
	  "public_addresses:1: bad prefix length '24x'; expected a number from 1 to 32" },
	{ "224.0.0.5/24 eth0\n", NULL,
	  "public_addresses:1: public address '224.0.0.5' is not unicast; expected an address "
	  "clients can connect to" },
	{ "192.168.1.10/24\n", NULL,
	  "public_addresses:1: missing interface after 192.168.1.10/24; expected "
	  "ADDRESS/PREFIX IFACE[,IFACE...]" },
	{ "192.168.1.10/24 # no iface\n", NULL,
	  "public_addresses:1: missing interface after 192.168.1.10/24; expected "
	  "ADDRESS/PREFIX IFACE[,IFACE...]" },
	{ "192.168.1.10/24 averyveryverylongname\n", NULL,
	  "public_addresses:1: bad interface name 'averyveryverylongname'; expected 1 to 15 "
	  "characters without '/', ':' or blanks (several: separated by commas)" },
	{ "192.168.1.10/24 eth0/1\n", NULL,
	  "public_addresses:1: bad interface name 'eth0/1'; expected 1 to 15 characters "
	  "without '/', ':' or blanks (several: separated by commas)" },
	{ "192.168.1.10/24 eth0,,eth1\n", NULL,
	  "public_addresses:1: bad interface name ''; expected 1 to 15 characters "
	  "without '/', ':' or blanks (several: separated by commas)" },
	{ "192.168.1.10/24 eth0,eth0\n", NULL,
	  "public_addresses:1: interface 'eth0' listed twice; expected each interface once" },
	{ "192.168.1.10/24 a,b,c,d,e\n", NULL,
	  "public_addresses:1: too many interfaces; expected at most 4" },
	{ "192.168.1.10/24 eth0, eth1\n", NULL,
	  "public_addresses:1: bad interface name ''; expected 1 to 15 characters "
	  "without '/', ':' or blanks (several: separated by commas)" },
	{ "192.168.1.10/24 eth0 eth1\n", NULL,
	  "public_addresses:1: unexpected text 'eth1' after the interfaces; expected "
	  "ADDRESS/PREFIX IFACE[,IFACE...] (no blank after a comma)" },
	{ "192.168.1.10/24 eth0\n\n192.168.1.10/16 eth1\n", NULL,
	  "public_addresses:3: duplicate public address 192.168.1.10, already at line 1" },
	{ "2001:db8::10/64 eth0\n2001:db8:0::10/64 eth0\n", NULL,
	  "public_addresses:2: duplicate public address 2001:db8::10, already at line 1" },
	{ "10.0.0.1/24 eth0\n", NULL,
	  "public_addresses:1: public address 10.0.0.1 is node 0's private address; "
	  "expected addresses that are not in the nodes file" },
	{ "fd00:0::1/64 eth0\n", NULL,
	  "public_addresses:1: public address fd00::1 is node 2's private address; "
	  "expected addresses that are not in the nodes file" },
};

static void describe(char *buf, size_t len, const struct conf_pubaddr *pas, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char a[256];
		int r = snprintf(buf + off, len - off, "%s%s@%u", i ? " | " : "",
				 pubaddr_format(a, sizeof(a), &pas[i]), pas[i].line);

		if (r < 0)
			break;
		off += (size_t)r;
	}
}

static void test_cases(void **state)
{
	struct conf_error err = { "" };
	struct conf_node *nodes = NULL;
	size_t nnodes = 0;
	struct cfile f;

	assert_int_equal(cfile_from_string(&f, "nodes", "10.0.0.1\n#10.0.0.2\n10.0.0.3,fd00::1\n",
					   &err), 0);
	assert_int_equal(nodes_parse(&f, &nodes, &nnodes, &err), 0);
	cfile_done(&f);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pa_case *c = &cases[i];
		struct conf_pubaddr *pas = (void *)1;
		size_t n = 99;
		char got[1024];
		int r;

		assert_int_equal(cfile_from_string(&f, "public_addresses", c->text, &err), 0);
		r = pubaddr_parse(&f, nodes, nnodes, &pas, &n, &err);
		cfile_done(&f);
		if (!c->addrs) {
			if (r != -EINVAL)
				fail_msg("case %zu: got %d, expected -EINVAL", i, r);
			if (strcmp(err.msg, c->msg) != 0)
				fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, c->msg);
			continue;
		}
		if (r != 0)
			fail_msg("case %zu: got %d: %s", i, r, err.msg);
		describe(got, sizeof(got), pas, n);
		if (strcmp(got, c->addrs) != 0)
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, got, c->addrs);
		if (n == 0)
			assert_null(pas);
		free(pas);
	}
	/* A deleted node's address may be public. */
	assert_int_equal(cfile_from_string(&f, "public_addresses", "10.0.0.2/24 eth0\n", &err), 0);
	{
		struct conf_pubaddr *pas = NULL;
		size_t n = 0;

		assert_int_equal(pubaddr_parse(&f, nodes, nnodes, &pas, &n, &err), 0);
		assert_int_equal(n, 1);
		free(pas);
	}
	cfile_done(&f);
	free(nodes);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_conf_pubaddr.XXXXXX", path[256], want[300];
	struct conf_error err = { "" };
	struct conf_pubaddr *pas = (void *)1;
	size_t n = 99;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/public_addresses", dir);
	assert_int_equal(pubaddr_load(path, NULL, 0, &pas, &n, &err), 0);
	assert_null(pas);
	assert_int_equal(n, 0);

	assert_int_equal(pubaddr_load(dir, NULL, 0, &pas, &n, &err), -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", dir);
	assert_string_equal(err.msg, want);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("10.0.0.1/24 eth0\n", f);
	fclose(f);
	assert_int_equal(pubaddr_load(path, NULL, 0, &pas, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pas[0].prefix, 24);
	assert_string_equal(pas[0].ifaces[0], "eth0");
	free(pas);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
