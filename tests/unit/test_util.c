/* Unit tests: agentd/util.c formatting helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "agentd/util.h"

static void test_format_duration(void **state)
{
	static const struct {
		usec_t us;
		const char *text;
	} cases[] = {
		{ 0, "0s" },
		{ 250 * USEC_PER_MSEC, "0.250s" },
		{ 5 * USEC_PER_SEC, "5s" },
		{ 61 * USEC_PER_SEC, "1m 1s" },
		{ 3600 * USEC_PER_SEC, "1h 0m 0s" },
		{ 90061 * USEC_PER_SEC + 5 * USEC_PER_MSEC, "1d 1h 1m 1.005s" },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(format_duration(buf, sizeof(buf), cases[i].us), cases[i].text);
	/* Truncation never overflows and stays terminated. */
	format_duration(buf, 4, 90061 * USEC_PER_SEC);
	assert_true(strlen(buf) < 4);
}

static void test_format_iso8601(void **state)
{
	char buf[64];

	assert_string_equal(format_iso8601(buf, sizeof(buf), 0), "1970-01-01T00:00:00Z");
	assert_string_equal(format_iso8601(buf, sizeof(buf), UINT64_C(1795427625) * USEC_PER_SEC),
			    "2026-11-23T09:53:45Z");
}

static void test_clocks(void **state)
{
	usec_t a = now_monotonic(), b = now_monotonic();

	assert_true(b >= a);
	assert_true(now_realtime() > UINT64_C(1700000000) * USEC_PER_SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_format_iso8601),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
