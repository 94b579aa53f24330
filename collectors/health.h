/*
 * health.h — the node's health from its monitor runs: a pure decision.
 *
 * A node starts UNKNOWN (not yet monitored). One successful monitor run
 * makes it HEALTHY; `fail limit` failed or timed-out runs in a row make it
 * UNHEALTHY (CTDB's rule, with CTDB's limit of 1 as the default). Canceled
 * runs and runs while the monitor is paused are not fed in at all.
 *
 *   health_next()  the state after one monitor run (pure; table-tested)
 *   health_name()  "UNKNOWN", "HEALTHY", "UNHEALTHY"
 */
#ifndef HERD_COLLECTORS_HEALTH_H
#define HERD_COLLECTORS_HEALTH_H

#include "agentd/util.h"

enum health {
	HEALTH_UNKNOWN,                 /* no monitor run has decided yet */
	HEALTH_HEALTHY,
	HEALTH_UNHEALTHY,
};

struct health_state {
	enum health health;
	unsigned fails;                 /* failed runs in a row (saturates) */
};

/*
 * The state after a monitor run that succeeded (ok) or failed. A
 * fail_limit of 0 counts as 1.
 */
struct health_state health_next(struct health_state s, bool ok, unsigned fail_limit);

const char *health_name(enum health h);

#endif
