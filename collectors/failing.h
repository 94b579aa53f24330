/*
 * failing.h — which collectors are failing right now: a pure decision fed
 * one monitor run at a time.
 *
 * A collector is one health check: one script of the monitor event, or
 * "events.d" itself when the directory cannot be listed. The node's health
 * (collectors/health.h) says whether the node is fit, after `fail limit`
 * runs; this set says WHICH check broke, and when it works again, at once
 * and whatever else is wrong with the node. failing_update() compares one
 * finished monitor run with the set, changes the set and reports each
 * change:
 *
 *   script status         in the set?  change
 *   ERROR or TIMEDOUT     no           added; failed, detail = why
 *   ERROR or TIMEDOUT     yes          none (detail and count updated)
 *   OK                    yes          removed; recovered, "works again after ..."
 *   DISABLED (chmod -x)   yes          removed; recovered, "disabled"
 *   NOT_RUN               either       none (an earlier script failed)
 *   no longer listed      yes          removed; recovered, "removed"
 *   the listing failed    -            "events.d" fails (detail: strerror);
 *                                      the scripts in the set stay as they are
 *   the listing works     "events.d"   "events.d" recovers
 *
 * A CANCELED run changes nothing; the monitor feeds no runs while paused.
 * A script named "events.d" is a collector of its own beside the directory.
 *
 *   failing_update()   one finished run in; the set changed, changes reported (pure)
 *   failing_find()     a collector of the set by name, or NULL
 *   failing_clear()    empty the set and free its memory
 *   failing_detail()   why one script of a run failed, worded as
 *                      eventscripts_run_reason() does, without the name
 */
#ifndef HERD_COLLECTORS_FAILING_H
#define HERD_COLLECTORS_FAILING_H

#include <limits.h>

#include "agentd/util.h"
#include "collectors/eventscripts.h"

/* The collector that stands for the events directory itself. */
#define FAILING_EVENTS_DIR "events.d"
/* Longest detail kept, NUL included (an event's detail holds 512). */
#define FAILING_DETAIL_MAX 384

/* One failing collector. */
struct failing_collector {
	char name[NAME_MAX + 1];
	char detail[FAILING_DETAIL_MAX]; /* why, from its last failed run */
	unsigned runs;                  /* failed runs so far (saturates) */
	usec_t since;                   /* wall clock of the first failed run's start */
	bool dir;                       /* the events directory, not a script */
};

/* The set; zero-initialised is empty. Failing_clear() frees it. */
struct failing {
	struct failing_collector *v;
	size_t n;
};

/* One change, as reported to the caller. */
struct failing_change {
	char name[NAME_MAX + 1];
	bool failed;                    /* true: it failed now; false: it recovered */
	char detail[FAILING_DETAIL_MAX]; /* why it failed, or how it recovered */
	unsigned runs;                  /* recovered: its failed runs; failed: 1 */
	usec_t since;                   /* the first failed run's start (wall) */
};

typedef void (*failing_change_fn)(const struct failing_change *ch, void *userdata);

/*
 * Feed one finished monitor run. The set is changed first, then fn (may
 * be NULL) is called for each change in order: "events.d", the scripts in
 * run order, then the removed ones in set order. fn may read the set but
 * not change it. Returns the number of changes, or -ENOMEM with the set
 * unchanged and nothing reported.
 */
int failing_update(struct failing *f, const struct eventscripts_run *run, failing_change_fn fn,
		   void *userdata);

/* A failing script by name, or NULL; FAILING_EVENTS_DIR finds the directory. */
const struct failing_collector *failing_find(const struct failing *f, const char *name);

void failing_clear(struct failing *f);

/*
 * Why script i of run failed ("exit 1: service down", "timed out after
 * 30s", "killed by SIGKILL", "cannot execute: Permission denied"): the
 * words of eventscripts_run_reason() without the script's name. For a
 * script that did not fail, its status name ("OK", "NOT_RUN", ...); "" for
 * an i out of range.
 */
char *failing_detail(char *buf, size_t len, const struct eventscripts_run *run, size_t i);

#endif
