/*
 * eventscripts.h — CTDB's events.d interface: run one event through every
 * script of a directory, in order, and keep what each script did.
 *
 * The scripts of an event run one after the other in lexical order as
 * `SCRIPT EVENT [ARGS...]` (collectors/script.h gives each its process
 * group, timeout and scrubbed environment) and the event stops at the first
 * script that fails, as CTDB does. A file that is not executable is listed
 * as DISABLED and not run; editor and package-manager leftovers are not
 * listed at all. One event runs at a time per struct eventscripts (one
 * directory). The last run of every event name is kept, script by script,
 * for `herdctl scriptstatus`: plain structs that the glue renders.
 *
 *   eventscripts_name_ignored()  is this file name a leftover to skip (pure)
 *   eventscripts_list()          the scripts of a directory, in order
 *   eventscripts_new/free()      a runner for one directory
 *   eventscripts_set_config()    new directory/timeout/env for later runs
 *   eventscripts_run()           run an event; the result comes to a callback
 *   eventscripts_cancel()        kill the running script, end the run CANCELED
 *   eventscripts_busy()          whether a run is going on
 *   eventscripts_last()          the last finished run of an event, or NULL
 *   eventscripts_nevents/last_at()  every event's last run, for listing
 *   eventscripts_run_reason()    one line naming the script that failed, and why
 *   eventscript_status_name()    "OK", "ERROR", "TIMEDOUT", ...
 */
#ifndef HERD_COLLECTORS_EVENTSCRIPTS_H
#define HERD_COLLECTORS_EVENTSCRIPTS_H

#include <limits.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

/* Longest event name ("monitor", "takeip", ...), NUL excluded. */
#define EVENTSCRIPTS_EVENT_MAX 31
/* Output kept per script when the configuration gives no limit. */
#define EVENTSCRIPTS_OUTPUT_MAX (16 * 1024)

enum eventscript_status {
	EVENTSCRIPT_OK,
	EVENTSCRIPT_ERROR,              /* non-zero exit, killed, or not runnable */
	EVENTSCRIPT_TIMEDOUT,           /* killed at the script timeout */
	EVENTSCRIPT_DISABLED,           /* not executable: listed, never run */
	EVENTSCRIPT_NOT_RUN,            /* an earlier script failed */
	EVENTSCRIPT_CANCELED,           /* killed by eventscripts_cancel() */
};

/* One directory entry that is a script. */
struct eventscript_entry {
	char name[NAME_MAX + 1];
	bool enabled;                   /* executable (by its owner) */
};

/* What one script did in the last run of an event. */
struct eventscript_result {
	char name[NAME_MAX + 1];
	enum eventscript_status status;
	int exit_status;                /* -1: not run, or killed by a signal */
	int signal;                     /* the signal that killed it, or 0 */
	int exec_error;                 /* -errno when it could not be started */
	usec_t start_wall;              /* 0 when not run */
	usec_t duration;
	char *output;                   /* stdout+stderr, NUL-terminated; NULL if not run */
	size_t output_len;
	bool output_truncated;
};

/* One finished run of an event. */
struct eventscripts_run {
	char event[EVENTSCRIPTS_EVENT_MAX + 1];
	enum eventscript_status status; /* OK, ERROR, TIMEDOUT or CANCELED */
	int list_error;                 /* -errno when the directory could not be read */
	int failed;                     /* index in scripts of the failing one, or -1 */
	usec_t start_wall, duration;
	usec_t timeout;                 /* the script timeout it ran with */
	size_t nscripts;
	struct eventscript_result *scripts; /* every listed script, in run order */
};

struct eventscripts_config {
	const char *dir;                /* the events directory, resolved */
	usec_t timeout;                 /* per script */
	size_t output_max;              /* per script; 0: EVENTSCRIPTS_OUTPUT_MAX */
	const char *const *env;         /* NAME=VALUE for every script, or NULL */
};

struct eventscripts;

/*
 * Called from the event loop when a run has finished; run stays valid
 * until the next run of the same event finishes. The callback may start
 * another run, but must not free es.
 */
typedef void (*eventscripts_done_fn)(struct eventscripts *es, const struct eventscripts_run *run,
				     void *userdata);

const char *eventscript_status_name(enum eventscript_status s);

/*
 * Whether a directory entry is skipped without a word: names starting with
 * '.', and *~, *.swp, *.rpm*, *.dpkg-*, *.orig, *.bak, #*#. Pure.
 */
bool eventscripts_name_ignored(const char *name);

/*
 * The scripts in dir, in lexical (strcmp) order: regular files (symlinks
 * followed) whose names are not ignored, enabled when executable by their
 * owner. Returns the count (>= 0) and *out (malloc'd; NULL when empty), or
 * -errno (-ENOENT: no such directory).
 */
int eventscripts_list(const char *dir, struct eventscript_entry **out);

/* Copies cfg. SIGCHLD must be blocked (see collectors/script.h). */
int eventscripts_new(sd_event *e, const struct eventscripts_config *cfg,
		     struct eventscripts **out);
/* Kills a running script's group; no callback follows. Accepts NULL. */
void eventscripts_free(struct eventscripts *es);

/* Replace the configuration; a running event keeps the old one. */
int eventscripts_set_config(struct eventscripts *es, const struct eventscripts_config *cfg);

/*
 * Run event (a name of letters, digits, '_', '-' and '.') with args
 * (NULL-terminated, or NULL) through the scripts of the directory, listed
 * afresh. Returns 0 and calls done later, always from the event loop; or
 * -EBUSY (a run is going on), -EINVAL (bad name), -ENOMEM. A missing
 * directory is a run with no scripts, which succeeds.
 */
int eventscripts_run(struct eventscripts *es, const char *event, const char *const *args,
		     eventscripts_done_fn done, void *userdata);

bool eventscripts_busy(const struct eventscripts *es);
/* The event being run, or NULL. */
const char *eventscripts_current(const struct eventscripts *es);

/*
 * Kill the running script's process group: the run ends CANCELED and done
 * is called as usual. -ESRCH when nothing runs.
 */
int eventscripts_cancel(struct eventscripts *es);

const struct eventscripts_run *eventscripts_last(const struct eventscripts *es, const char *event);
size_t eventscripts_nevents(const struct eventscripts *es);
/* The i-th event's last run (i < nevents), in order of first run. */
const struct eventscripts_run *eventscripts_last_at(const struct eventscripts *es, size_t i);

/*
 * Why a run failed, on one line: "10.storage: exit 1: /srv not mounted",
 * "20.nfs: timed out after 30s", "events dir: Permission denied"; "OK"
 * for a run that did not fail. The output part is its first line.
 */
char *eventscripts_run_reason(char *buf, size_t len, const struct eventscripts_run *run);

#endif
