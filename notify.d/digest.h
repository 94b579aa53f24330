/*
 * digest.h — the logwatch-style digest: a text report over the events of a
 * time range, for `herdctl digest --range R --detail D` and the scheduled
 * digest mail.
 *
 * Two pure parts, no I/O but the FILE the report is written to, no logging:
 *
 *   digest_range_parse / digest_time_parse (digest_range.c) read logwatch's
 *   --range language: "today", "yesterday", "all", a date, "since DATE",
 *   "between DATE1 and DATE2", each optionally followed by "for that|those
 *   day|hour|minute|second(s)" (the resolution, default day: "between
 *   4/23/2026 and 4/30/2026" covers both days whole, as logwatch and its
 *   journalctl helper do). "now" is an input; calendar words use the local
 *   time zone (TZ), as logwatch does.
 *
 *   digest_write (digest.c) writes the report: a header (processing time,
 *   range, detail, cluster, node), then sections — a summary, node state
 *   changes with the time each node spent unhealthy / banned / disconnected
 *   / disabled / stopped within the range (from the on/off transitions;
 *   events from before the range tell the state at its start, so pass the
 *   whole log), leader changes and recoveries with their durations (the
 *   recovery-finished detail "generation N in DURATION"), failovers
 *   (ip-takeover / ip-released per address), failed monitor scripts with
 *   their last output (the unhealthy events' detail), notification
 *   delivery failures (the caller's list: no event type carries them),
 *   other events by type, and counters (the caller's name/value list).
 *   Detail low gives totals, med adds the lists behind them, high adds
 *   every event of the range.
 *
 * Empty sections are left out, as logwatch leaves out quiet services.
 */
#ifndef HERD_NOTIFY_DIGEST_H
#define HERD_NOTIFY_DIGEST_H

#include <stdio.h>

#include "agentd/event.h"
#include "agentd/util.h"

/* ---- ranges ------------------------------------------------------------- */

#define DIGEST_TIME_MAX UINT64_MAX

enum digest_period {
	DIGEST_PERIOD_DAY,
	DIGEST_PERIOD_HOUR,
	DIGEST_PERIOD_MINUTE,
	DIGEST_PERIOD_SECOND,
};

struct digest_range {
	usec_t from, to;                /* [from, to), wall time; to DIGEST_TIME_MAX: open */
	enum digest_period period;
	bool all;
};

/*
 * A point in time: "now", "today", "yesterday", "tomorrow" (midnight),
 * "-N UNIT", "+N UNIT", "N UNIT ago" (UNIT: second(s)/sec(s)/s, minute(s)/
 * min(s), hour(s)/h, day(s)/d, week(s)/w; days and weeks are calendar
 * days), "@EPOCH", "YYYY-MM-DD", "YYYY/MM/DD", "M/D/YYYY", "Mon D[,] YYYY",
 * any of those dates followed by " HH:MM[:SS]" (or "THH:MM[:SS]", with a
 * trailing "Z" for UTC). Case-insensitive. Returns 0 or -EINVAL.
 */
int digest_time_parse(const char *s, usec_t now, usec_t *t);

/* A --range argument, as above. Returns 0 or -EINVAL. */
int digest_range_parse(const char *spec, usec_t now, struct digest_range *out);

const char *digest_period_name(enum digest_period p);

/* ---- the report --------------------------------------------------------- */

enum digest_detail {
	DIGEST_LOW,
	DIGEST_MED,
	DIGEST_HIGH,
};

/* "low", "med"/"medium", "high", or logwatch's numbers (0-4, 5-9, 10+). */
int digest_detail_parse(const char *s);
const char *digest_detail_name(enum digest_detail d);

/* A notification that could not be delivered (the sinks keep these). */
struct digest_failure {
	usec_t wall;
	const char *sink;               /* "mail", "handler", "trap" */
	const char *target;             /* a recipient, a handler's name; may be NULL */
	const char *error;              /* why, one line */
};

struct digest_counter {
	const char *name;
	uint64_t value;
};

struct digest_input {
	const char *cluster;            /* the cluster's name */
	const char *node;               /* this node, as the header shows it */
	usec_t processed;               /* when the report is made ("now") */
	const char *range_spec;         /* the range as the user wrote it */
	struct digest_range range;
	enum digest_detail detail;
	/* Events in sequence order; those before range.from set the states. */
	const struct herd_event *events;
	size_t n_events;
	const struct digest_failure *failures;
	size_t n_failures;
	const struct digest_counter *counters;
	size_t n_counters;
};

/* Write the report to f. Returns 0, -ENOMEM, or -EIO (f failed). */
int digest_write(FILE *f, const struct digest_input *in);
/* The report as a malloc'ed string (the caller frees *text). */
int digest_render(const struct digest_input *in, char **text);

#endif
