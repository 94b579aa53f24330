/*
 * test_monitor_health.c — the health rule (collectors/health.c) as a table:
 * state, one monitor result and the fail limit in; the next state out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <limits.h>

#include "collectors/health.h"

#define U HEALTH_UNKNOWN
#define H HEALTH_HEALTHY
#define X HEALTH_UNHEALTHY

static void test_health_next_table(void **state)
{
	static const struct {
		enum health health;
		unsigned fails;
		bool ok;
		unsigned limit;
		enum health want;
		unsigned want_fails;
	} cases[] = {
		/* Not yet monitored: one success decides, failures count up. */
		{ U, 0, true, 1, H, 0 },
		{ U, 0, false, 1, X, 1 },
		{ U, 0, false, 3, U, 1 },
		{ U, 2, false, 3, X, 3 },
		{ U, 2, true, 3, H, 0 },
		/* Healthy: the limit counts failures in a row. */
		{ H, 0, true, 1, H, 0 },
		{ H, 0, false, 1, X, 1 },
		{ H, 0, false, 2, H, 1 },
		{ H, 1, false, 2, X, 2 },
		{ H, 1, true, 2, H, 0 },
		{ H, 98, false, 100, H, 99 },
		{ H, 99, false, 100, X, 100 },
		/* Unhealthy: stays so while failing; one success is enough. */
		{ X, 1, false, 1, X, 2 },
		{ X, 5, false, 3, X, 6 },
		{ X, 5, true, 3, H, 0 },
		{ X, 1, true, 1, H, 0 },
		/* A limit of 0 counts as 1. */
		{ H, 0, false, 0, X, 1 },
		{ U, 0, true, 0, H, 0 },
		/* The counter saturates. */
		{ X, UINT_MAX, false, 1, X, UINT_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct health_state s = { .health = cases[i].health, .fails = cases[i].fails };
		struct health_state n = health_next(s, cases[i].ok, cases[i].limit);

		if (n.health != cases[i].want || n.fails != cases[i].want_fails)
			fail_msg("case %zu: %s/%u + %s (limit %u) gave %s/%u, want %s/%u", i,
				 health_name(s.health), s.fails, cases[i].ok ? "ok" : "fail",
				 cases[i].limit, health_name(n.health), n.fails,
				 health_name(cases[i].want), cases[i].want_fails);
	}
}

/* Sequences, as the monitor feeds them: fail limit 3. */
static void test_health_sequence(void **state)
{
	static const char seq[] = "ffFfffOffoffF";     /* F/O: the run that changes it */
	struct health_state s = { .health = HEALTH_UNKNOWN };
	enum health want = HEALTH_UNKNOWN;

	for (size_t i = 0; seq[i]; i++) {
		bool ok = seq[i] == 'o' || seq[i] == 'O';
		enum health before = s.health;

		s = health_next(s, ok, 3);
		if (seq[i] == 'F')
			want = HEALTH_UNHEALTHY;
		else if (seq[i] == 'O')
			want = HEALTH_HEALTHY;
		assert_int_equal(s.health, want);
		assert_int_equal(s.health != before, seq[i] == 'F' || seq[i] == 'O');
	}
}

static void test_health_names(void **state)
{
	assert_string_equal(health_name(HEALTH_UNKNOWN), "UNKNOWN");
	assert_string_equal(health_name(HEALTH_HEALTHY), "HEALTHY");
	assert_string_equal(health_name(HEALTH_UNHEALTHY), "UNHEALTHY");
	assert_string_equal(health_name((enum health)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_next_table),
		cmocka_unit_test(test_health_sequence),
		cmocka_unit_test(test_health_names),
	};

	return cmocka_run_group_tests_name("monitor_health", tests, NULL, NULL);
}
