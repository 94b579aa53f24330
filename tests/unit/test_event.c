/* Unit tests: agentd/event.c — vocabulary tables and the ring of events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <syslog.h>

#include "agentd/event.h"

static void test_names_round_trip(void **state)
{
	for (int t = 1; t < EV__MAX; t++) {
		const char *name = event_type_name(t);

		assert_non_null(name);
		assert_int_equal(event_type_from_name(name), t);
	}
	assert_null(event_type_name(0));
	assert_null(event_type_name(EV__MAX));
	assert_int_equal(event_type_from_name("nosuch"), -EINVAL);
	/* CTDB's five keep CTDB's names: notify.d handlers see them as argv[1]. */
	assert_string_equal(event_type_name(EV_INIT), "init");
	assert_string_equal(event_type_name(EV_SETUP), "setup");
	assert_string_equal(event_type_name(EV_STARTUP), "startup");
	assert_string_equal(event_type_name(EV_HEALTHY), "healthy");
	assert_string_equal(event_type_name(EV_UNHEALTHY), "unhealthy");
}

static void test_severity(void **state)
{
	assert_int_equal(severity_from_name("error"), SEV_ERROR);
	assert_string_equal(severity_name(SEV_CRITICAL), "critical");
	assert_int_equal(severity_syslog(SEV_CRITICAL), LOG_CRIT);
	assert_int_equal(severity_syslog(SEV_INFO), LOG_INFO);
	assert_int_equal(event_type_severity(EV_NODE_DISCONNECTED), SEV_ERROR);
	assert_int_equal(severity_from_name("loud"), -EINVAL);
}

static void test_ring(void **state)
{
	struct event_ring r;
	struct herd_event ev = { .type = EV_HEALTHY };

	assert_int_equal(event_ring_init(&r, 3), 0);
	assert_null(event_ring_get(&r, 0));
	for (int i = 0; i < 5; i++) {
		const struct herd_event *s = event_ring_push(&r, &ev);

		assert_int_equal(s->seq, (uint64_t)i + 1);
	}
	assert_int_equal(r.len, 3);
	assert_int_equal(r.dropped, 2);
	/* Oldest first: 3, 4, 5. */
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(event_ring_get(&r, i)->seq, i + 3);
	assert_null(event_ring_get(&r, 3));
	assert_int_equal(r.next_seq, 6);
	event_ring_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_ring),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
