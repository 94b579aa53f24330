/*
 * reclock.h — the recovery lock, herdd's side: runs the lock helper as a
 * child on herdd's sd-event loop and keeps its lease alive.
 *
 * The helper (herd-reclock LOCKFILE LEASE_MS, or any `!COMMAND ARGS` with
 * the same contract, see herd(7)) takes the lock and reports '0' taken, '1'
 * contended, '2' timeout or '3' error; while it holds the lock herdd pings
 * it every lease/4 and it answers each ping. herdd counts the lock as held
 * only while the last answered ping was *sent* less than a lease ago — the
 * helper releases a lease after the last ping it *received*, which is never
 * earlier — so a herdd that was stopped and wakes up finds the lock gone
 * (reclock_held() false) before it acts on anything, and the manager then
 * reports LOST. Results arrive through one callback; nothing blocks.
 *
 *   reclock_new(), reclock_free()       one manager per configured lock
 *   reclock_take(), reclock_release()   start / stop holding
 *   reclock_held()                      the gate for every leader action
 *   reclock_get_status(), reclock_state_name(), reclock_cause_name()
 *   reclock_split_command()             "!COMMAND ARGS" into an argv (no shell)
 *   reclock_helper_path()               where herd-reclock lives
 *
 * The process must have SIGCHLD blocked (sd_event_add_child needs it;
 * reclock_new() blocks it if it is not) and SIGPIPE ignored (herdd does):
 * a ping to a helper that just died must be an EPIPE, not a crash.
 */
#ifndef HERD_RECLOCK_H
#define HERD_RECLOCK_H

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

enum reclock_state {
	RECLOCK_IDLE = 0,       /* never asked to take */
	RECLOCK_TAKING,         /* helper started, no answer yet */
	RECLOCK_HELD,           /* taken; the lease is kept alive */
	RECLOCK_CONTENDED,      /* someone else holds it */
	RECLOCK_TIMEOUT,        /* no answer within take_timeout (or the helper said '2') */
	RECLOCK_ERROR,          /* the helper failed: see the log */
	RECLOCK_LOST,           /* was held, is not any more */
	RECLOCK_RELEASED,       /* released on request */
	RECLOCK_STATE_MAX_,
};

/* Why the last CONTENDED/TIMEOUT/ERROR/LOST happened. */
enum reclock_cause {
	RECLOCK_CAUSE_NONE = 0,
	RECLOCK_CAUSE_LEASE_EXPIRED,    /* the helper saw no ping for a lease ('E') */
	RECLOCK_CAUSE_FILE_LOST,        /* the lock file was removed or replaced ('L') */
	RECLOCK_CAUSE_NO_ANSWER,        /* herdd saw no answer for a lease (herdd stalled or helper hung) */
	RECLOCK_CAUSE_HELPER_EXITED,    /* the helper exited or closed stdout unexpectedly */
	RECLOCK_CAUSE_HELPER_ERROR,     /* the helper answered '3' */
	RECLOCK_CAUSE_BAD_STATUS,       /* the helper answered something else */
	RECLOCK_CAUSE_TAKE_TIMEOUT,     /* no status within take_timeout */
	RECLOCK_CAUSE_HELPER_TIMEOUT,   /* the helper answered '2' */
	RECLOCK_CAUSE_SPAWN,            /* fork/exec failed */
	RECLOCK_CAUSE_MAX_,
};

struct reclock;

/*
 * Called with HELD, CONTENDED, TIMEOUT, ERROR, LOST or RELEASED. The
 * callback may call reclock_take(), reclock_release() and reclock_free().
 */
typedef void (*reclock_cb)(struct reclock *rl, enum reclock_state state, void *userdata);

struct reclock_status {
	enum reclock_state state;
	enum reclock_cause cause;       /* of the last failure or loss */
	usec_t since;                   /* CLOCK_MONOTONIC µs of the last state change */
	pid_t pid;                      /* the helper, 0 when none runs */
	usec_t lease;
	usec_t acked;                   /* send time of the last answered ping (held) */
	uint64_t taken, lost, contended, timeouts, errors, released;
};

/*
 * spec: "PATH" (run helper_path PATH LEASE_MS) or "!COMMAND ARGS" (run
 * COMMAND, split on blanks, no shell; HERD_RECLOCK_LEASE_MS in its
 * environment). lease: the lease (>= 4 ms); take_timeout: how long a take
 * may take. Returns 0, -EINVAL for an empty spec or bad values, -ENOMEM.
 */
int reclock_new(sd_event *ev, const char *spec, const char *helper_path, usec_t lease,
		usec_t take_timeout, reclock_cb cb, void *userdata, struct reclock **out);
/* Kills a running helper (SIGKILL to its process group). Accepts NULL. */
void reclock_free(struct reclock *rl);

/*
 * Start the helper. The outcome arrives through the callback. -EALREADY
 * while taking or held; a helper still exiting from an earlier release or
 * loss is waited for first (the take timeout runs from now). Failing to
 * start it is returned (-ENOENT: no such command; state ERROR, no
 * callback); a helper that cannot be executed reports ERROR.
 */
int reclock_take(struct reclock *rl);

/*
 * Stop holding or taking: SIGTERM to the helper and EOF on its stdin.
 * Returns 1 when a helper is being stopped (RELEASED will be reported once
 * it has exited, so the lock is free), 0 when there was nothing to stop.
 */
int reclock_release(struct reclock *rl);

/*
 * Is the lock held at now_mono (pass now_monotonic(), not the loop's
 * cached time: after a stall it is stale)? True only in HELD with an
 * answered ping sent less than a lease ago. When this turns false in HELD
 * the manager reports LOST at its next timer or event.
 */
bool reclock_held(const struct reclock *rl, usec_t now_mono);

enum reclock_state reclock_get_state(const struct reclock *rl);
void reclock_get_status(const struct reclock *rl, struct reclock_status *out);
const char *reclock_spec(const struct reclock *rl);

const char *reclock_state_name(enum reclock_state s);    /* "held", "lost", ... */
const char *reclock_cause_name(enum reclock_cause c);    /* "lease-expired", ... */

/*
 * Split "COMMAND ARGS" (the text after '!') on spaces and tabs into a
 * NULL-terminated argv, *out to be freed with one free(). Returns argc,
 * -EINVAL when there is no command, -ENOMEM.
 */
int reclock_split_command(const char *cmd, char ***out);

/*
 * The herd-reclock to run: next to the running program (the build tree)
 * if there is one, else the installed one in HERD_LIBEXECDIR. Returns buf.
 */
const char *reclock_helper_path(char *buf, size_t len);

#endif
