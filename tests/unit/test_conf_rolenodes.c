/*
 * test_conf_rolenodes.c — the NAT gateway and LVS nodes files
 * (conf/rolenodes.c).
 *
 * Each case is a file and either the entries it gives, as
 * rolenodes_format() prints them with their line joined by " | ", or the
 * exact error message. The cluster's nodes are node 0 with two links
 * (10.0.0.1 and 10.1.0.1), node 1 deleted (10.0.0.2), node 2 (10.0.0.3)
 * and node 3 (fd00::4). Unlike the public addresses file, a missing file
 * is an error: the configuration named it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "conf/nodes.h"
#include "conf/rolenodes.h"
#include "conf/value.h"

struct rn_case {
	const char *text;
	const char *nodes;              /* NULL: an error */
	const char *msg;
};

#define NOT_A_NODE "; expected the private address of a node that is not deleted"

static const struct rn_case cases[] = {
	{ "10.0.0.1\n", "10.0.0.1@1", NULL },
	{ "# the NAT gateway\n\n10.0.0.1\n10.0.0.3 slave-only   # backup only\n",
	  "10.0.0.1@3 | 10.0.0.3 slave-only@4", NULL },
	{ "\t10.1.0.1\tfollower-only\n10.0.0.3\r\n",            /* CTDB's newer word */
	  "10.1.0.1 slave-only@1 | 10.0.0.3@2", NULL },
	{ "FD00:0::4\n10.0.0.3 slave-only\n", "fd00::4@1 | 10.0.0.3 slave-only@2", NULL },
	{ "  10.0.0.3  #slave-only is a comment here\n", "10.0.0.3@1", NULL },

	/* errors */
	{ "", NULL, "natgw_nodes: no nodes; expected one node address per line" },
	{ "# nobody yet\n\n", NULL, "natgw_nodes: no nodes; expected one node address per line" },
	{ "10.0.0.1 slave-only\n10.0.0.3 follower-only\n", NULL,
	  "natgw_nodes: every node is slave-only; expected at least one node that may be "
	  "the master" },
	{ "10.0.0.1\n10.0.0.9\n", NULL,
	  "natgw_nodes:2: 10.0.0.9 is not a node in the nodes file" NOT_A_NODE },
	{ "10.0.0.2\n", NULL,                                   /* deleted */
	  "natgw_nodes:1: 10.0.0.2 is not a node in the nodes file" NOT_A_NODE },
	{ "fd00::5\n", NULL,
	  "natgw_nodes:1: fd00::5 is not a node in the nodes file" NOT_A_NODE },
	{ "10.0.0.1\n# again\n10.0.0.1 slave-only\n", NULL,
	  "natgw_nodes:3: duplicate node address 10.0.0.1, already at line 1" },
	{ "10.0.0.1\n10.1.0.1\n", NULL,
	  "natgw_nodes:2: 10.1.0.1 is node 0, already at line 1 as 10.0.0.1; expected each "
	  "node once" },
	{ "10.0.0.1 master\n", NULL,
	  "natgw_nodes:1: unknown word 'master' after the address; expected nothing or "
	  "slave-only" },
	{ "10.0.0.1 Slave-Only\n", NULL,
	  "natgw_nodes:1: unknown word 'Slave-Only' after the address; expected nothing or "
	  "slave-only" },
	{ "10.0.0.1 slave-only#x\n", NULL,
	  "natgw_nodes:1: unknown word 'slave-only#x' after the address; expected nothing or "
	  "slave-only" },
	{ "10.0.0.1 slave-only yes\n", NULL,
	  "natgw_nodes:1: unexpected text 'yes' after slave-only; expected ADDRESS "
	  "[slave-only]" },
	{ "10.0.0.1,10.0.0.3\n", NULL,
	  "natgw_nodes:1: bad node address '10.0.0.1,10.0.0.3'; expected one IPv4 or IPv6 "
	  "address from the nodes file, then optionally slave-only" },
	{ "10.0.0.256\n", NULL,
	  "natgw_nodes:1: bad node address '10.0.0.256'; expected one IPv4 or IPv6 address "
	  "from the nodes file, then optionally slave-only" },
	{ "slave-only 10.0.0.1\n", NULL,
	  "natgw_nodes:1: bad node address 'slave-only'; expected one IPv4 or IPv6 address "
	  "from the nodes file, then optionally slave-only" },
	{ "10.0.0.1:4380\n", NULL,
	  "natgw_nodes:1: bad node address '10.0.0.1:4380'; expected one IPv4 or IPv6 address "
	  "from the nodes file, then optionally slave-only" },
};

static void describe(char *buf, size_t len, const struct conf_rolenode *rns, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char a[128];
		int r = snprintf(buf + off, len - off, "%s%s@%u", i ? " | " : "",
				 rolenodes_format(a, sizeof(a), &rns[i]), rns[i].line);

		if (r < 0)
			break;
		off += (size_t)r;
	}
}

static struct conf_node *nodes;
static size_t nnodes;

static int setup(void **state)
{
	struct conf_error err = { "" };
	struct cfile f;
	int r;

	r = cfile_from_string(&f, "nodes", "10.0.0.1,10.1.0.1\n#10.0.0.2\n10.0.0.3\nfd00::4\n",
			      &err);
	if (r == 0)
		r = nodes_parse(&f, &nodes, &nnodes, &err);
	cfile_done(&f);
	return r;
}

static int teardown(void **state)
{
	free(nodes);
	return 0;
}

static void test_cases(void **state)
{
	struct conf_error err = { "" };
	struct cfile f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rn_case *c = &cases[i];
		struct conf_rolenode *rns = (void *)1;
		size_t n = 99;
		char got[1024];
		int r;

		assert_int_equal(cfile_from_string(&f, "natgw_nodes", c->text, &err), 0);
		r = rolenodes_parse(&f, nodes, nnodes, &rns, &n, &err);
		cfile_done(&f);
		if (!c->nodes) {
			if (r != -EINVAL)
				fail_msg("case %zu: got %d, expected -EINVAL", i, r);
			if (strcmp(err.msg, c->msg) != 0)
				fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, c->msg);
			assert_ptr_equal(rns, (void *)1);
			assert_int_equal(n, 99);
			continue;
		}
		if (r != 0)
			fail_msg("case %zu: got %d: %s", i, r, err.msg);
		describe(got, sizeof(got), rns, n);
		if (strcmp(got, c->nodes) != 0)
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, got, c->nodes);
		free(rns);
	}
}

static void test_find(void **state)
{
	struct conf_error err = { "" };
	struct conf_rolenode *rns = NULL;
	struct sockaddr_storage a;
	size_t n = 0;
	struct cfile f;

	assert_int_equal(cfile_from_string(&f, "lvs_nodes", "10.0.0.3 slave-only\nfd00::4\n",
					   &err), 0);
	assert_int_equal(rolenodes_parse(&f, nodes, nnodes, &rns, &n, &err), 0);
	cfile_done(&f);
	assert_int_equal(n, 2);
	assert_true(rns[0].slave_only);
	assert_false(rns[1].slave_only);

	assert_int_equal(value_parse_address("fd00:0::4", &a), 0);
	assert_ptr_equal(rolenodes_find(rns, n, &a), &rns[1]);
	assert_int_equal(value_parse_address("10.0.0.3", &a), 0);
	assert_ptr_equal(rolenodes_find(rns, n, &a), &rns[0]);
	assert_int_equal(value_parse_address("10.0.0.1", &a), 0);
	assert_null(rolenodes_find(rns, n, &a));
	assert_null(rolenodes_find(NULL, 0, &a));
	free(rns);

	/* Without nodes, no address is a node. */
	assert_int_equal(cfile_from_string(&f, "lvs_nodes", "10.0.0.3\n", &err), 0);
	assert_int_equal(rolenodes_parse(&f, NULL, 0, &rns, &n, &err), -EINVAL);
	cfile_done(&f);
	assert_string_equal(err.msg, "lvs_nodes:1: 10.0.0.3 is not a node in the nodes file"
				     NOT_A_NODE);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_conf_rolenodes.XXXXXX", path[256], want[512];
	struct conf_error err = { "" };
	struct conf_rolenode *rns = (void *)1;
	size_t n = 99;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/natgw_nodes", dir);
	assert_int_equal(rolenodes_load(path, nodes, nnodes, &rns, &n, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err.msg, want);

	assert_int_equal(rolenodes_load(dir, nodes, nnodes, &rns, &n, &err), -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", dir);
	assert_string_equal(err.msg, want);
	assert_ptr_equal(rns, (void *)1);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("10.0.0.1\n10.0.0.3 slave-only\n", f);
	fclose(f);
	assert_int_equal(rolenodes_load(path, nodes, nnodes, &rns, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rns[1].line, 2);
	assert_true(rns[1].slave_only);
	free(rns);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("10.0.0.1\n10.0.0.4\n", f);
	fclose(f);
	assert_int_equal(rolenodes_load(path, nodes, nnodes, &rns, &n, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: 10.0.0.4 is not a node in the nodes file" NOT_A_NODE,
		 path);
	assert_string_equal(err.msg, want);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
