/*
 * handlers_proc.h — run one notify.d handler as a child process, on
 * sd-event, without ever blocking the loop: notify.d's policy on top of
 * agentd/child.h.
 *
 * The child-process contract (fork + exec, own process group, stdin
 * /dev/null, one bounded output buffer, no inherited descriptors, SIGKILL
 * when herdd dies, the reaping) is agentd/child.h's. What a handler run
 * adds (herd(7) NOTIFICATIONS): it gets exactly the environment the caller
 * built (handlers_env.h); at the timeout the whole group gets SIGTERM, and
 * SIGKILL kill_grace later if the handler is still there (once a timed-out
 * handler is gone, whatever is left of its group is SIGKILLed too); the
 * outcome text says ", killed" when SIGKILL was needed. The result comes to
 * a callback.
 *
 * The event loop's thread must have SIGCHLD blocked (sd_event_add_child
 * requires it; herdd blocks it before creating sources).
 *
 *   handlers_proc_start()   start a child; its result comes to the callback
 *   handlers_proc_free()    forget a run; a running child's group is killed
 *   handlers_proc_pid()     the child's pid (= its process group id)
 *   handlers_proc_running() whether the child has not been reaped yet
 *   handlers_proc_outcome() "exit 1", "timed out after 30s", ... (pure)
 */
#ifndef HERD_NOTIFY_HANDLERS_PROC_H
#define HERD_NOTIFY_HANDLERS_PROC_H

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "agentd/child.h"
#include "agentd/util.h"

/* Exit status of a child that could not exec (as the shell uses). */
#define HANDLERS_PROC_EXIT_EXEC_FAILED CHILD_EXIT_EXEC_FAILED

struct handlers_proc_opts {
	const char *const *argv;        /* argv[0] is the path; NULL-terminated */
	const char *const *envp;        /* the whole environment; NULL: empty */
	usec_t timeout;                 /* then SIGTERM to the group; 0: none */
	usec_t kill_grace;              /* then SIGKILL; 0: SIGKILL at the timeout */
	size_t output_max;              /* bytes of output kept; 0: none */
};

struct handlers_proc_result {
	int exec_error;                 /* 0, or -errno: it could not be run */
	int exit_status;                /* when it exited; -1 when killed */
	int signal;                     /* the signal that killed it, or 0 */
	bool timed_out;                 /* ran into the timeout (SIGTERM sent) */
	bool killed;                    /* ... and needed SIGKILL after the grace */
	usec_t start_wall;              /* wall clock at fork */
	usec_t duration;                /* monotonic, fork to exit */
	const char *output;             /* NUL-terminated; valid in the callback */
	size_t output_len;
	bool output_truncated;          /* more was written than output_max */
};

struct handlers_proc;

/*
 * Called once from the event loop when the child has exited (its output
 * drained). The callback may call handlers_proc_free(p).
 */
typedef void (*handlers_proc_done_fn)(struct handlers_proc *p,
				      const struct handlers_proc_result *res, void *userdata);

/*
 * Start opts->argv[0] with opts->argv. Returns 0 and *out, or -EINVAL (no
 * argv, no callback), or another -errno from pipe/fork/sd-event. A path
 * that cannot be executed is not an error here: the result reports
 * exec_error and exit status 127.
 */
int handlers_proc_start(sd_event *e, const struct handlers_proc_opts *opts,
			handlers_proc_done_fn done, void *userdata, struct handlers_proc **out);

/*
 * Free a run. If the child still runs, its process group is SIGKILLed and
 * the loop reaps it later, with no callback. Accepts NULL.
 */
void handlers_proc_free(struct handlers_proc *p);

pid_t handlers_proc_pid(const struct handlers_proc *p);
bool handlers_proc_running(const struct handlers_proc *p);

/* How a run ended, for logs: "exit 0", "exit 3", "killed by SIGSEGV",
 * "timed out after 30s", "timed out after 30s, killed",
 * "cannot execute: Permission denied". Pure. */
char *handlers_proc_outcome(char *buf, size_t len, const struct handlers_proc_result *res,
			    usec_t timeout);

#endif
