/* Unit tests: agentd/state.c — flag words, summaries, finding our pnn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "agentd/state.h"

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

static void test_flags_format(void **state)
{
	static const struct {
		uint32_t flags;
		const char *text;
		enum node_summary summary;
	} cases[] = {
		{ 0, "OK", NODE_OK },
		{ NODE_FLAG_DISCONNECTED, "DISCONNECTED|INACTIVE", NODE_DISCONNECTED },
		{ NODE_FLAG_UNHEALTHY, "UNHEALTHY", NODE_UNHEALTHY },
		{ NODE_FLAG_PERMANENTLY_DISABLED, "DISABLED", NODE_DISABLED },
		{ NODE_FLAG_BANNED, "BANNED|INACTIVE", NODE_BANNED },
		{ NODE_FLAG_STOPPED, "STOPPED|INACTIVE", NODE_STOPPED },
		{ NODE_FLAG_BANNED | NODE_FLAG_UNHEALTHY, "UNHEALTHY|BANNED|INACTIVE", NODE_BANNED },
		{ NODE_FLAG_DISCONNECTED | NODE_FLAG_BANNED, "DISCONNECTED|BANNED|INACTIVE",
		  NODE_DISCONNECTED },
		{ NODE_FLAG_PARTIALLYONLINE, "PARTIALLYONLINE", NODE_PARTIALLYONLINE },
		{ NODE_FLAG_UNHEALTHY | NODE_FLAG_PERMANENTLY_DISABLED, "UNHEALTHY|DISABLED",
		  NODE_DISABLED },
		{ NODE_FLAG_DELETED, "DELETED|INACTIVE", NODE_DELETED },
	};
	char buf[128];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_string_equal(node_flags_format(buf, sizeof(buf), cases[i].flags),
				    cases[i].text);
		assert_int_equal(node_summary(cases[i].flags), cases[i].summary);
	}
	assert_string_equal(node_summary_name(NODE_PARTIALLYONLINE), "PARTIALLYONLINE");
	assert_string_equal(node_summary_name((enum node_summary)99), "UNKNOWN");
	/* A short buffer truncates and terminates. */
	node_flags_format(buf, 8, NODE_FLAG_DISCONNECTED | NODE_FLAG_BANNED);
	assert_true(strlen(buf) < 8);
}

static void test_caps_format(void **state)
{
	char buf[64];

	assert_string_equal(node_caps_format(buf, sizeof(buf), 0), "NONE");
	assert_string_equal(node_caps_format(buf, sizeof(buf), NODE_CAP_RECMASTER | NODE_CAP_LMASTER),
			    "RECMASTER|LMASTER");
	assert_string_equal(node_caps_format(buf, sizeof(buf), NODE_CAP_NATGW), "NATGW");
}

static void test_find_pnn(void **state)
{
	struct herd_state *st = state_new("t", 3);
	struct sockaddr_storage local[3];

	assert_non_null(st);
	st->nodes[0].addrs[0] = addr("10.0.0.1");
	st->nodes[0].naddrs = 1;
	st->nodes[1].addrs[0] = addr("10.0.0.2");
	st->nodes[1].addrs[1] = addr("10.1.0.2");
	st->nodes[1].naddrs = 2;
	st->nodes[2].addrs[0] = addr("fd00::3");
	st->nodes[2].naddrs = 1;

	local[0] = addr("127.0.0.1");
	assert_int_equal(state_find_pnn(st, local, 1), -ENOENT);
	local[1] = addr("10.1.0.2"); /* the second link of node 1 */
	assert_int_equal(state_find_pnn(st, local, 2), 1);
	local[2] = addr("fd00::3");
	assert_int_equal(state_find_pnn(st, &local[2], 1), 2);
	/* A deleted node is never us. */
	st->nodes[1].flags = NODE_FLAG_DELETED;
	assert_int_equal(state_find_pnn(st, local, 2), -ENOENT);
	state_free(st);
	state_free(NULL);
}

static void test_new_defaults(void **state)
{
	struct herd_state *st = state_new("cluster-name", 2);

	assert_string_equal(st->cluster_name, "cluster-name");
	assert_int_equal(st->pnn, PNN_NONE);
	assert_int_equal(st->leader, PNN_NONE);
	assert_int_equal(st->nodes[1].pnn, 1);
	assert_int_equal(st->nodes[1].flags, NODE_FLAG_DISCONNECTED);
	state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_format),
		cmocka_unit_test(test_caps_format),
		cmocka_unit_test(test_find_pnn),
		cmocka_unit_test(test_new_defaults),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
