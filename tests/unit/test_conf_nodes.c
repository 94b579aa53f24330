/*
 * test_conf_nodes.c — the nodes file parser (conf/nodes.c).
 *
 * Each case is a nodes file and either the nodes it describes, written as
 * "PNN:ADDRS@LINE" joined by spaces (ADDRS as nodes_format() prints them),
 * or the exact error message. Then the file-level cases: a missing file and
 * a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "conf/nodes.h"
#include "conf/value.h"

struct nodes_case {
	const char *text;
	const char *nodes;              /* NULL: an error */
	const char *msg;                /* the error */
};

static const struct nodes_case cases[] = {
	{ "10.0.0.1\n", "0:10.0.0.1@1", NULL },
	{ "10.0.0.1\n10.0.0.2\n10.0.0.3", "0:10.0.0.1@1 1:10.0.0.2@2 2:10.0.0.3@3", NULL },
	/* Comments and blank lines take no number; "#ADDR" does. */
	{ "# the cluster\n\n10.0.0.1\n#10.0.0.2\n   \n# old rack\n10.0.0.3\n",
	  "0:10.0.0.1@3 1:deleted@4 2:10.0.0.3@7", NULL },
	{ "#10.0.0.1\n10.0.0.2\n", "0:deleted@1 1:10.0.0.2@2", NULL },
	/* A deleted node's address may come back as a new node. */
	{ "#10.0.0.1\n10.0.0.1\n", "0:deleted@1 1:10.0.0.1@2", NULL },
	/* Redundant links, blanks, trailing comments, CRLF. */
	{ "10.0.0.1,10.1.0.1\n  10.0.0.2 , 10.1.0.2  # node b\r\n",
	  "0:10.0.0.1,10.1.0.1@1 1:10.0.0.2,10.1.0.2@2", NULL },
	{ "10.0.0.1,10.1.0.1,10.2.0.1,10.3.0.1\n10.0.0.2\n",
	  "0:10.0.0.1,10.1.0.1,10.2.0.1,10.3.0.1@1 1:10.0.0.2@2", NULL },
	{ "#10.0.0.1,10.1.0.1 # gone\n10.0.0.2\n", "0:deleted@1 1:10.0.0.2@2", NULL },
	{ "fd00::1\n2001:DB8::2,10.0.0.2\n", "0:fd00::1@1 1:2001:db8::2,10.0.0.2@2", NULL },
	{ "127.0.0.1\n127.0.0.2\n127.0.0.3\n",
	  "0:127.0.0.1@1 1:127.0.0.2@2 2:127.0.0.3@3", NULL },
	/* '#' followed by something that is not an address is a comment. */
	{ "#node1\n#10.0.0.999\n10.0.0.1\n", "0:10.0.0.1@3", NULL },

	/* errors */
	{ "10.0.0.1\n10.0.0.256\n", NULL,
	  "nodes:2: bad node address '10.0.0.256'; expected an IPv4 or IPv6 address "
	  "(several for one node: separated by commas)" },
	{ "node1.example.com\n", NULL,
	  "nodes:1: bad node address 'node1.example.com'; expected an IPv4 or IPv6 address "
	  "(several for one node: separated by commas)" },
	{ "10.0.0.1 10.1.0.1\n", NULL,
	  "nodes:1: bad node address '10.0.0.1 10.1.0.1'; expected an IPv4 or IPv6 address "
	  "(several for one node: separated by commas)" },
	{ "# header\n10.0.0.1\n10.0.0.1\n", NULL,
	  "nodes:3: duplicate node address 10.0.0.1, already node 0 at line 2" },
	{ "10.0.0.1,10.1.0.1\n10.0.0.2,10.1.0.1\n", NULL,
	  "nodes:2: duplicate node address 10.1.0.1, already node 0 at line 1" },
	{ "10.0.0.1,10.0.0.1\n", NULL,
	  "nodes:1: duplicate node address 10.0.0.1, already node 0 at line 1" },
	{ "fd00::1\nfd00:0::1\n", NULL,
	  "nodes:2: duplicate node address fd00::1, already node 0 at line 1" },
	{ "10.0.0.1,10.1.0.1,10.2.0.1,10.3.0.1,10.4.0.1\n", NULL,
	  "nodes:1: too many addresses for node 0; expected at most 4 (one per link)" },
	{ "10.0.0.1,,10.1.0.1\n", NULL,
	  "nodes:1: empty address in list; expected addresses separated by single commas" },
	{ "10.0.0.1,\n", NULL,
	  "nodes:1: empty address in list; expected addresses separated by single commas" },
	{ "10.0.0.1\n# 10.0.0.2\n10.0.0.3\n", NULL,
	  "nodes:2: '# 10.0.0.2' is ambiguous; expected '#10.0.0.2' (no blank) to keep a "
	  "deleted node's number, or a comment that does not start with an address" },
	{ "0.0.0.0\n", NULL,
	  "nodes:1: node address '0.0.0.0' is not unicast; expected the address of the "
	  "node's interface" },
	{ "ff02::1\n", NULL,
	  "nodes:1: node address 'ff02::1' is not unicast; expected the address of the "
	  "node's interface" },
	{ "#10.0.0.1,bad\n", NULL,
	  "nodes:1: bad node address 'bad'; expected an IPv4 or IPv6 address "
	  "(several for one node: separated by commas)" },
	{ "10.0.0.1\n10.0.0.2 x\n", NULL,
	  "nodes:2: bad node address '10.0.0.2 x'; expected an IPv4 or IPv6 address "
	  "(several for one node: separated by commas)" },
	{ "", NULL, "nodes: no nodes; expected at least one node address" },
	{ "# only comments\n\n", NULL, "nodes: no nodes; expected at least one node address" },
	{ "#10.0.0.1\n#10.0.0.2\n", NULL, "nodes: no nodes; expected at least one node address" },
	{ "10.0.0.1\n10.0.0.2\x01\n", NULL,
	  "nodes:2: control character 0x01 in line; expected plain text" },
};

/* "PNN:ADDRS@LINE ..." for the nodes parsed. */
static void describe(char *buf, size_t len, const struct conf_node *nodes, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char a[256];
		int r = snprintf(buf + off, len - off, "%s%u:%s@%u", i ? " " : "", nodes[i].pnn,
				 nodes_format(a, sizeof(a), &nodes[i]), nodes[i].line);

		if (r < 0)
			break;
		off += (size_t)r;
	}
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct nodes_case *c = &cases[i];
		struct conf_error err = { "" };
		struct conf_node *nodes = NULL;
		struct cfile f;
		size_t n = 0;
		char got[1024];
		int r;

		assert_int_equal(cfile_from_string(&f, "nodes", c->text, &err), 0);
		r = nodes_parse(&f, &nodes, &n, &err);
		cfile_done(&f);
		if (!c->nodes) {
			if (r != -EINVAL)
				fail_msg("case %zu: got %d, expected -EINVAL", i, r);
			if (strcmp(err.msg, c->msg) != 0)
				fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, c->msg);
			assert_null(nodes);
			continue;
		}
		if (r != 0)
			fail_msg("case %zu: got %d: %s", i, r, err.msg);
		describe(got, sizeof(got), nodes, n);
		if (strcmp(got, c->nodes) != 0)
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, got, c->nodes);
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(nodes[j].pnn, j);
			assert_int_equal(nodes[j].naddrs == 0, nodes[j].deleted);
		}
		free(nodes);
	}
}

/* A nodes file of count distinct addresses (malloc'd). */
static char *many_nodes(unsigned count)
{
	char *text = malloc(count * 20 + 1), *p = text;

	assert_non_null(text);
	*p = '\0';
	for (unsigned i = 0; i < count; i++)
		p += sprintf(p, "10.0.%u.%u\n", i / 200, i % 200 + 1);
	return text;
}

static void test_too_many_nodes(void **state)
{
	struct conf_error err = { "" };
	struct conf_node *nodes = NULL;
	char *text = many_nodes(257);
	struct cfile f;
	size_t n = 0;

	assert_int_equal(cfile_from_string(&f, "nodes", text, &err), 0);
	assert_int_equal(nodes_parse(&f, &nodes, &n, &err), -EINVAL);
	assert_string_equal(err.msg, "nodes:257: too many nodes; expected at most 256");
	assert_null(nodes);
	cfile_done(&f);
	free(text);

	text = many_nodes(256);
	assert_int_equal(cfile_from_string(&f, "nodes", text, &err), 0);
	assert_int_equal(nodes_parse(&f, &nodes, &n, &err), 0);
	assert_int_equal(n, 256);
	assert_int_equal(nodes[255].pnn, 255);
	cfile_done(&f);
	free(nodes);
	free(text);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_conf_nodes.XXXXXX", path[256];
	struct conf_error err = { "" };
	struct conf_node *nodes = NULL;
	const struct conf_node *found;
	struct sockaddr_storage ss;
	size_t n = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nodes", dir);
	assert_int_equal(nodes_load(path, &nodes, &n, &err), -ENOENT);
	assert_true(strstr(err.msg, ": cannot open: No such file or directory") != NULL);
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);

	assert_int_equal(nodes_load(dir, &nodes, &n, &err), -EISDIR);
	snprintf(path, sizeof(path), "%s: cannot open: Is a directory", dir);
	assert_string_equal(err.msg, path);

	snprintf(path, sizeof(path), "%s/nodes", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\xef\xbb\xbf" "10.0.0.1\n#10.0.0.2\n10.0.0.3,fd00::3\n", f);
	fclose(f);
	assert_int_equal(nodes_load(path, &nodes, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(value_parse_address("fd00::3", &ss), 0);
	found = nodes_find_address(nodes, n, &ss);
	assert_non_null(found);
	assert_int_equal(found->pnn, 2);
	assert_int_equal(value_parse_address("10.0.0.2", &ss), 0);
	assert_null(nodes_find_address(nodes, n, &ss)); /* deleted */
	free(nodes);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_too_many_nodes),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
