/*
 * test_handlers_pure.c — the pure parts of the notify.d runner: the
 * leftover-name filter, the handler environment, outcome texts. Tables of
 * cases, one loop each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <signal.h>

#include "agentd/state.h"
#include "notify.d/handlers.h"
#include "notify.d/handlers_env.h"
#include "notify.d/handlers_proc.h"
#include "notify.d/handlers_scan.h"

static void test_name_ignored(void **state)
{
	static const struct {
		const char *name;
		bool ignored;
	} cases[] = {
		{ "10-log", false },      { "20-mail", false },        { "snmptrap", false },
		{ "9", false },           { "README.md", false },      { "10-log.sh", false },
		{ "rpm", false },         { "10-dpkg", false },        { "a.bakery", false },
		{ "", true },             { ".", true },               { "..", true },
		{ ".10-log", true },      { ".10-log.swp", true },     { "10-log~", true },
		{ "10-log,", true },      { "10-log.swp", true },      { "10-log.orig", true },
		{ "10-log.bak", true },   { "10-log.rej", true },      { "#10-log#", true },
		{ "10-log.rpmnew", true }, { "10-log.rpmsave", true }, { "10-log.rpmorig", true },
		{ "10-log.dpkg-old", true }, { "10-log.dpkg-dist", true },
		{ "10-log.dpkg-new", true }, { "10-log.dpkg-tmp", true },
		{ "10-log.ucf-old", true }, { "10-log.ucf-dist", true }, { "README", true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (handlers_name_ignored(cases[i].name) != cases[i].ignored)
			fail_msg("%s: expected %s", cases[i].name,
				 cases[i].ignored ? "ignored" : "listed");
}

/* The environment as one string, sorted as built ("A=1\nB=2\n"). */
static const char *env_text(const struct handlers_env *env)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; env->envp[i]; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s\n", env->envp[i]);
	return buf;
}

static void test_env(void **state)
{
	static char long_text[600];
	static const struct {
		const char *what;
		struct herd_event ev;
		struct handlers_extra x;
		bool null_x, test;
		const char *expected;
	} cases[] = {
		{ "everything known",
		  { .seq = 42, .wall = UINT64_C(1795428000123456), .node = 2, .reporter = 1,
		    .type = EV_NODE_BANNED, .severity = SEV_ERROR, .subject = "node 2 is banned",
		    .detail = "for 300s" },
		  { .cluster = "prod", .pnn = 1, .node_address = "fd00::2", .old_state = "OK",
		    .new_state = "BANNED" },
		  false, false,
		  "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8\nHERD_VERSION=" HERD_PKG_VERSION
		  "\nHERD_EVENT=node-banned\nHERD_EVENT_TYPE=8\nHERD_SEQ=42\nHERD_SEVERITY=error\n"
		  "HERD_NODE=2\nHERD_NODE_ADDRESS=fd00::2\nHERD_OLD_STATE=OK\nHERD_NEW_STATE=BANNED\n"
		  "HERD_TIME=2026-11-23T10:00:00Z\nHERD_TIME_EPOCH=1795428000\nHERD_TIME_USEC=123456\n"
		  "HERD_CLUSTER=prod\nHERD_PNN=1\nHERD_REPORTER=1\nHERD_TEST=0\n"
		  "HERD_SUBJECT=node 2 is banned\nHERD_DETAIL=for 300s\n" },
		{ "nothing extra, a test, pnn 0, whole seconds",
		  { .seq = 1, .wall = UINT64_C(1795428000000000), .node = 0, .reporter = 0,
		    .type = EV_INIT, .severity = SEV_INFO },
		  { .pnn = PNN_NONE }, true, true,
		  "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8\nHERD_VERSION=" HERD_PKG_VERSION
		  "\nHERD_EVENT=init\nHERD_EVENT_TYPE=1\nHERD_SEQ=1\nHERD_SEVERITY=info\n"
		  "HERD_NODE=0\nHERD_NODE_ADDRESS=\nHERD_OLD_STATE=\nHERD_NEW_STATE=\n"
		  "HERD_TIME=2026-11-23T10:00:00Z\nHERD_TIME_EPOCH=1795428000\nHERD_TIME_USEC=0\n"
		  "HERD_CLUSTER=\nHERD_PNN=\nHERD_REPORTER=0\nHERD_TEST=1\n"
		  "HERD_SUBJECT=\nHERD_DETAIL=\n" },
		{ "cluster-wide, the extras cut at their maxima on a UTF-8 boundary",
		  { .seq = 7, .wall = 5, .node = PNN_NONE, .reporter = PNN_NONE,
		    .type = EV_SHUTDOWN, .severity = SEV_CRITICAL, .subject = "x" },
		  { .cluster = "01234567890123456789012345678901234567890123456789012345678901\xc3\xa9z",
		    .pnn = 3, .node_address = NULL, .old_state = "0123456789012345678901234567890123",
		    .new_state = "" },
		  false, false,
		  "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8\nHERD_VERSION=" HERD_PKG_VERSION
		  "\nHERD_EVENT=shutdown\nHERD_EVENT_TYPE=33\nHERD_SEQ=7\nHERD_SEVERITY=critical\n"
		  "HERD_NODE=\nHERD_NODE_ADDRESS=\nHERD_OLD_STATE=0123456789012345678901234567890\n"
		  "HERD_NEW_STATE=\nHERD_TIME=1970-01-01T00:00:00Z\nHERD_TIME_EPOCH=0\n"
		  "HERD_TIME_USEC=5\n"
		  "HERD_CLUSTER=01234567890123456789012345678901234567890123456789012345678901\n"
		  "HERD_PNN=3\nHERD_REPORTER=\nHERD_TEST=0\nHERD_SUBJECT=x\nHERD_DETAIL=\n" },
	};
	struct handlers_env env;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(handlers_env_build(&env, &cases[i].ev,
						    cases[i].null_x ? NULL : &cases[i].x,
						    cases[i].test), 0);
		if (!streq(env_text(&env), cases[i].expected))
			fail_msg("%s:\n%s\nexpected:\n%s", cases[i].what, env_text(&env),
				 cases[i].expected);
		assert_null(env.envp[HANDLERS_ENV_VARS]);
		assert_non_null(env.envp[HANDLERS_ENV_VARS - 1]);
	}

	/* The longest subject and detail fit whole. */
	{
		struct herd_event ev = { .type = EV_IP_TAKEOVER, .severity = SEV_NOTICE };
		struct handlers_extra x = { .cluster = long_text, .node_address = long_text,
					    .old_state = long_text, .new_state = long_text,
					    .pnn = UINT32_MAX - 1 };

		memset(long_text, 'a', sizeof(long_text) - 1);
		memset(ev.subject, 's', sizeof(ev.subject) - 1);
		memset(ev.detail, 'd', sizeof(ev.detail) - 1);
		ev.node = ev.reporter = UINT32_MAX - 1;
		ev.seq = UINT64_MAX;
		assert_int_equal(handlers_env_build(&env, &ev, &x, true), 0);
		assert_int_equal(strlen(env.envp[HANDLERS_ENV_VARS - 2]),
				 strlen("HERD_SUBJECT=") + sizeof(ev.subject) - 1);
		assert_int_equal(strlen(env.envp[HANDLERS_ENV_VARS - 1]),
				 strlen("HERD_DETAIL=") + sizeof(ev.detail) - 1);
	}

	/* A type without a name is refused. */
	{
		struct herd_event ev = { .type = EV__MAX };

		assert_int_equal(handlers_env_build(&env, &ev, NULL, false), -EINVAL);
		ev.type = 0;
		assert_int_equal(handlers_env_build(&env, &ev, NULL, false), -EINVAL);
	}
}

static void test_outcome_text(void **state)
{
	static const struct {
		struct handlers_proc_result res;
		usec_t timeout;
		const char *expected;
	} cases[] = {
		{ { .exit_status = 0 }, 0, "exit 0" },
		{ { .exit_status = 3 }, 0, "exit 3" },
		{ { .exit_status = -1, .signal = SIGSEGV }, 0, "killed by SIGSEGV" },
		{ { .exit_status = -1, .signal = SIGTERM, .timed_out = true }, 30 * USEC_PER_SEC,
		  "timed out after 30s" },
		{ { .exit_status = -1, .signal = SIGKILL, .timed_out = true, .killed = true },
		  1500 * USEC_PER_MSEC, "timed out after 1.500s, killed" },
		{ { .exit_status = 127, .exec_error = -EACCES }, 0,
		  "cannot execute: Permission denied" },
	};
	char buf[128];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(handlers_proc_outcome(buf, sizeof(buf), &cases[i].res,
							  cases[i].timeout),
				    cases[i].expected);
	assert_string_equal(handler_outcome_name(HANDLER_OK), "ok");
	assert_string_equal(handler_outcome_name(HANDLER_TIMEDOUT), "timedout");
	assert_string_equal(handler_outcome_name(HANDLER_DROPPED), "dropped");
	assert_string_equal(handler_outcome_name(HANDLER_SKIPPED), "skipped");
	assert_string_equal(handler_outcome_name((enum handler_outcome)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ignored),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_outcome_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
