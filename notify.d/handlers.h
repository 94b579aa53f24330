/*
 * handlers.h — the notify.d handler runner: every herdd event through
 * every executable of the notify.d directory, on sd-event, never blocking
 * the loop.
 *
 * For each event the directory is read afresh (handlers_scan.h: lexical
 * order, leftovers and non-executables skipped) and the event is queued for
 * every handler. A handler runs its events one at a time, in the order they
 * came; different handlers run in parallel, up to `parallel` runs at once,
 * the oldest waiting event first (so with parallel = 1 every event runs
 * through the handlers in lexical order before the next, as CTDB's
 * notify.sh does). Each run is a child process under herd's contract
 * (handlers_proc.h) with the argv and HERD_* environment of handlers_env.h
 * and herd(7) NOTIFICATIONS, a timeout (SIGTERM, then SIGKILL to its group),
 * and its output (bounded) logged when it ends. A handler's queue is
 * bounded: when it is full the oldest waiting event is dropped and
 * counted. A handler that fails, hangs or floods affects only its own
 * queue. Per-handler statistics feed `herdctl notify status`
 * (handlers_json.h renders them); handlers_test() runs one synthetic event
 * and reports what each handler did, for `herdctl notify test`.
 *
 * This module logs (the handlers' outcomes and output, drops) through
 * agentd/log.h; it decides nothing about which events are worth running.
 *
 *   handlers_new/free()        a runner for one directory
 *   handlers_reconfigure()     new settings for later runs (queues kept)
 *   handlers_event()           queue one event for every handler
 *   handlers_test()            queue a synthetic event; report when all ran
 *   handlers_test_cancel()     forget a test's callback (client went away)
 *   handlers_get_stats()       totals; handlers_count/at(): per handler
 *   handlers_get_config()      the settings in use, defaults filled in
 *   handlers_idle()            nothing running or waiting (for shutdown)
 *   handler_outcome_name()     "ok", "failed", "timedout", ...
 */
#ifndef HERD_NOTIFY_HANDLERS_H
#define HERD_NOTIFY_HANDLERS_H

#include <limits.h>
#include <systemd/sd-event.h>

#include "agentd/event.h"
#include "agentd/util.h"
#include "notify.d/handlers_env.h"

/* The defaults for fields left 0 in struct handlers_config. */
#define HANDLERS_TIMEOUT_DEFAULT    (30 * USEC_PER_SEC)
#define HANDLERS_KILL_GRACE_DEFAULT (5 * USEC_PER_SEC)
#define HANDLERS_PARALLEL_DEFAULT   4
#define HANDLERS_QUEUE_DEFAULT      10000
#define HANDLERS_OUTPUT_DEFAULT     4096

/* Longest last_error and outcome text, NUL included. */
#define HANDLERS_ERROR_MAX 256
/* Longest event name, NUL included. */
#define HANDLERS_EVENT_NAME_MAX 32

struct handlers_config {
	const char *dir;                /* the notify.d directory, resolved */
	usec_t timeout;                 /* per run, then SIGTERM to its group */
	usec_t kill_grace;              /* SIGTERM to SIGKILL */
	unsigned parallel;              /* runs at once, all handlers together */
	size_t queue_max;               /* events waiting per handler */
	size_t output_max;              /* output bytes kept (and logged) per run */
};

enum handler_outcome {
	HANDLER_NONE,                   /* not run (yet) */
	HANDLER_OK,                     /* exit 0 */
	HANDLER_FAILED,                 /* non-zero exit, a signal, or not runnable */
	HANDLER_TIMEDOUT,               /* killed at the timeout */
	HANDLER_DROPPED,                /* its queue was full, or it left the directory */
	HANDLER_SKIPPED,                /* not executable (test reports only) */
};

/* One handler, as `herdctl notify status` shows it. */
struct handler_stats {
	char name[NAME_MAX + 1];
	bool present;                   /* executable in the directory at the last scan */
	bool running;
	size_t queued;                  /* events waiting, the running one excluded */
	uint64_t runs;                  /* finished: ok + failures + timeouts */
	uint64_t ok, failures, timeouts;
	uint64_t dropped;
	enum handler_outcome last_outcome;
	char last_event[HANDLERS_EVENT_NAME_MAX]; /* of the last finished run */
	uint64_t last_seq;
	usec_t last_start;              /* wall clock; 0: never ran */
	usec_t last_duration;
	char last_error[HANDLERS_ERROR_MAX]; /* "unhealthy #42: exit 1: no route"; "" */
	usec_t last_error_time;         /* wall clock; 0: never failed */
};

/* The runner's totals. */
struct handlers_stats {
	uint64_t events;                /* events handed in (tests included) */
	uint64_t runs, failures, timeouts, dropped;
	uint64_t scan_errors;           /* scans that failed (no directory is no error) */
	int scan_error;                 /* the last scan's -errno; -ENOENT: no directory */
	size_t handlers;                /* handlers known (handlers_count) */
	size_t running;                 /* runs going on */
	size_t queued;                  /* waiting runs, summed over the handlers */
};

/* What one handler did with a test event. */
struct handlers_test_result {
	char name[NAME_MAX + 1];
	enum handler_outcome outcome;
	char reason[HANDLERS_ERROR_MAX];/* "exit 0", "timed out after 30s", "not executable" */
	int exit_status;                /* -1: not run, or killed by a signal */
	int signal;                     /* the signal that killed it, or 0 */
	usec_t duration;
	const char *output;             /* NUL-terminated; "" when not run */
	size_t output_len;
	bool output_truncated;
};

/* A test event's report: every handler of the directory, in lexical order. */
struct handlers_test_report {
	char event[HANDLERS_EVENT_NAME_MAX];
	uint64_t seq;
	int scan_error;                 /* 0, or the -errno of reading the directory */
	size_t n;
	const struct handlers_test_result *results;
};

struct handlers;
struct handlers_test;

/*
 * Called from the event loop once every handler has finished with the
 * test event (run, dropped or skipped); report is valid during the call
 * only. The callback may call handlers_event() and handlers_test(), not
 * handlers_free().
 */
typedef void (*handlers_test_fn)(struct handlers *h, const struct handlers_test_report *report,
				 void *userdata);

const char *handler_outcome_name(enum handler_outcome o);

/*
 * Copies cfg (0 fields take the defaults above). -EINVAL without a
 * directory. SIGCHLD must be blocked in the loop's thread.
 */
int handlers_new(sd_event *e, const struct handlers_config *cfg, struct handlers **out);

/*
 * Kills every running handler's process group (SIGKILL) and forgets what
 * waits; no test callback follows. Accepts NULL.
 */
void handlers_free(struct handlers *h);

/*
 * New settings for runs that start from now on; waiting events stay
 * queued (the oldest dropped if queue_max shrank) and running ones keep
 * their timeout. Handlers that are no longer in the directory and idle are
 * forgotten, statistics and all. -EINVAL without a directory.
 */
int handlers_reconfigure(struct handlers *h, const struct handlers_config *cfg);

/*
 * Queue ev for every handler of the directory (read now). x (may be NULL)
 * adds what struct herd_event does not carry. Returns 0 (the runs start
 * from the loop), or -EINVAL (a type with no name), -ENOMEM. An unreadable
 * or missing directory means no handlers; it is counted and logged, not
 * returned.
 */
int handlers_event(struct handlers *h, const struct herd_event *ev,
		   const struct handlers_extra *x);

/*
 * Like handlers_event() with HERD_TEST=1, and done is called when every
 * handler has finished with it (always from the loop, never from here;
 * also when there are no handlers). *out (may be NULL) stays valid until
 * the callback returns or handlers_test_cancel().
 */
int handlers_test(struct handlers *h, const struct herd_event *ev,
		  const struct handlers_extra *x, handlers_test_fn done, void *userdata,
		  struct handlers_test **out);

/* The callback of a pending test will not be called. Accepts NULL. */
void handlers_test_cancel(struct handlers_test *t);

void handlers_get_stats(const struct handlers *h, struct handlers_stats *out);
/* Known handlers, in lexical order: those seen by any scan since the last
 * reconfiguration. handlers_at(h, i) for i < handlers_count(h). */
size_t handlers_count(const struct handlers *h);
const struct handler_stats *handlers_at(const struct handlers *h, size_t i);
/* The settings in use (defaults filled in); dir points into h. */
const struct handlers_config *handlers_get_config(const struct handlers *h);
/* Nothing running and nothing waiting. */
bool handlers_idle(const struct handlers *h);

#endif
