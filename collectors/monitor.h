/*
 * monitor.h — the health monitor: herd's start-up events and monitor loop.
 *
 * At start the monitor runs the events init, setup and startup through the
 * event scripts (collectors/eventscripts.h), in that order, each retried
 * every `startup retry` until it succeeds: a setup script that waits for
 * shared storage holds the node back, however long the storage takes to
 * come up. Then it runs the monitor event every `interval`; the node turns
 * UNHEALTHY after `fail limit` failed runs in a row and HEALTHY after a
 * good one (collectors/health.h). A monitor run still going when the next
 * is due is not started twice: the missed run is counted as an overrun.
 *
 * Each monitor run also updates the set of failing collectors (one per
 * script, collectors/failing.h): a script that starts failing, and one
 * that works again, is reported at once, whatever the fail limit and the
 * node's health, so that the admin learns which check broke.
 *
 * The glue learns what happened through callbacks: a start-up event
 * reached (publish "init", "setup", "startup"), health changed (publish
 * "healthy"/"unhealthy", set or clear NODE_FLAG_UNHEALTHY), a collector
 * failed or recovered (publish "collector-failed"/"collector-recovered"),
 * and every finished run (statistics). `herdctl scriptstatus` reads the
 * last run of each event through monitor_eventscripts() and
 * eventscripts_last*().
 *
 *   monitor_config_from_conf()  the monitor's settings from herd.conf
 *   monitor_new/free()          create (idle) and destroy
 *   monitor_start()             begin with init
 *   monitor_reconfigure()       new settings (reload); used from the next run
 *   monitor_pause/resume()      stop/restart monitor runs (maintenance, STOPPED)
 *   monitor_phase/health/reason/paused()  where it stands
 *   monitor_get_stats()         counters for statistics
 *   monitor_failing()           the collectors failing now
 *   monitor_eventscripts()      the script runner, for scriptstatus
 *   monitor_phase_name()        "init", "setup", "startup", "monitor"
 */
#ifndef HERD_COLLECTORS_MONITOR_H
#define HERD_COLLECTORS_MONITOR_H

#include <systemd/sd-event.h>

#include "agentd/util.h"
#include "collectors/eventscripts.h"
#include "collectors/failing.h"
#include "collectors/health.h"
#include "conf/conf.h"

/* Where the monitor is in its life; each start-up phase is also an event. */
enum monitor_phase {
	MONITOR_IDLE,                   /* created, not started */
	MONITOR_INIT,                   /* running (or retrying) init */
	MONITOR_SETUP,
	MONITOR_STARTUP,
	MONITOR_RUNNING,                /* the monitor loop */
};

struct monitor_config {
	const char *events_dir;         /* resolved path */
	usec_t interval;                /* between monitor runs */
	usec_t script_timeout;          /* per script */
	usec_t startup_retry;           /* between init/setup/startup attempts */
	unsigned fail_limit;            /* failed monitor runs in a row: UNHEALTHY */
	const char *const *env;         /* NAME=VALUE for the scripts, or NULL */
};

struct monitor;

/* Called from the event loop; none may call monitor_free(). Any may be NULL. */
struct monitor_callbacks {
	/* init, setup or startup has succeeded (phase is the one done). */
	void (*lifecycle)(struct monitor *m, enum monitor_phase done, void *userdata);
	/*
	 * Health changed. reason: "" when healthy, else the failing script,
	 * why and its first line of output; run: the monitor run that decided.
	 */
	void (*health)(struct monitor *m, enum health h, const char *reason,
		       const struct eventscripts_run *run, void *userdata);
	/*
	 * A collector (a monitor script, or "events.d" when the directory
	 * cannot be listed) started failing (failed: detail says why) or
	 * recovered (detail: "works again after ...", "disabled", "removed").
	 * Called after a finished monitor run, before its health verdict; not
	 * for canceled runs nor runs while paused.
	 */
	void (*collector)(struct monitor *m, const char *name, bool failed, const char *detail,
			  void *userdata);
	/* Any event run finished (start-up attempts too), for statistics. */
	void (*run_finished)(struct monitor *m, const struct eventscripts_run *run, void *userdata);
};

struct monitor_stats {
	enum monitor_phase phase;
	enum health health;
	bool paused;
	unsigned fails;                 /* failed monitor runs in a row */
	unsigned attempts;              /* of the current start-up phase */
	uint64_t runs;                  /* monitor runs finished */
	uint64_t failed;                /* ... of which ERROR */
	uint64_t timedout;              /* ... of which TIMEDOUT */
	uint64_t canceled;              /* ... of which CANCELED */
	uint64_t overruns;              /* runs skipped: the previous still going */
	uint64_t health_changes;
	usec_t last_duration;           /* of the last monitor run */
	usec_t last_wall;               /* its start, wall clock; 0 if none */
	usec_t startup_wall;            /* when startup succeeded; 0 if not yet */
};

/*
 * The settings from cf. *events_dir gets the resolved events dir (malloc'd;
 * the caller frees it after monitor_new or monitor_reconfigure copied it),
 * which mc->events_dir points to. mc->env is left NULL. -ENOMEM on failure.
 */
int monitor_config_from_conf(struct monitor_config *mc, const struct herd_conf *cf,
			     char **events_dir);

/* Copies cfg. SIGCHLD must be blocked in the loop's thread. */
int monitor_new(sd_event *e, const struct monitor_config *cfg, const struct monitor_callbacks *cb,
		void *userdata, struct monitor **out);
/* Kills a running script's process group. No callbacks. Accepts NULL. */
void monitor_free(struct monitor *m);

/*
 * Run another event (takeip, releaseip, updateip, ipreallocated, ...)
 * through the scripts, in order after the events already queued. A
 * monitor run going on is canceled (CTDB does the same: a failover event
 * must not wait for a health check); start-up runs are let finish. done
 * gets the finished run; args are copied. -ENOMEM, or -EINVAL for an
 * empty event name.
 */
typedef void (*monitor_event_done_fn)(struct monitor *m, const struct eventscripts_run *run,
				      void *userdata);
int monitor_run_event(struct monitor *m, const char *event, const char *const *args,
		      monitor_event_done_fn done, void *userdata);
/* Events queued or running through monitor_run_event(). */
size_t monitor_queued(const struct monitor *m);

/* Begin with the init event. -EALREADY when started before. */
int monitor_start(struct monitor *m);

/* New settings; a run going on finishes with the old ones. */
int monitor_reconfigure(struct monitor *m, const struct monitor_config *cfg);

/*
 * Stop starting monitor runs (a run going on finishes, and its result is
 * kept for scriptstatus but does not change health), and resume them (the
 * next run starts at once). Start-up events go on while paused.
 */
void monitor_pause(struct monitor *m);
void monitor_resume(struct monitor *m);
bool monitor_paused(const struct monitor *m);

enum monitor_phase monitor_phase(const struct monitor *m);
enum health monitor_health(const struct monitor *m);
/* Why the node is not healthy, or why start-up waits; "" otherwise. */
const char *monitor_reason(const struct monitor *m);
void monitor_get_stats(const struct monitor *m, struct monitor_stats *st);

struct eventscripts *monitor_eventscripts(const struct monitor *m);

/* The collectors failing now, as of the last monitor run that counted. */
const struct failing *monitor_failing(const struct monitor *m);

/* "idle", "init", "setup", "startup", "monitor". */
const char *monitor_phase_name(enum monitor_phase p);

#endif
