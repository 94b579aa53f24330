/*
 * health.c — decide HEALTHY/UNHEALTHY from consecutive monitor results.
 *
 * Kept apart from the loop in monitor.c so that the rule is one pure
 * function with a table of cases (tests/unit/test_monitor_health.c), and so
 * that a later aggregation over built-in collectors extends it here.
 */
#include "collectors/health.h"

#include <limits.h>

struct health_state health_next(struct health_state s, bool ok, unsigned fail_limit)
{
	if (fail_limit == 0)
		fail_limit = 1;
	if (ok)
		return (struct health_state){ .health = HEALTH_HEALTHY, .fails = 0 };
	if (s.fails < UINT_MAX)
		s.fails++;
	if (s.fails >= fail_limit)
		s.health = HEALTH_UNHEALTHY;
	return s;
}

const char *health_name(enum health h)
{
	switch (h) {
	case HEALTH_UNKNOWN: return "UNKNOWN";
	case HEALTH_HEALTHY: return "HEALTHY";
	case HEALTH_UNHEALTHY: return "UNHEALTHY";
	}
	return "?";
}
