/*
 * script.h — run one event script as a child process, on sd-event, without
 * ever blocking the loop: collectors' policy on top of agentd/child.h.
 *
 * The child-process contract (fork + exec, own process group, scrubbed
 * environment, stdin /dev/null, one bounded output buffer, no inherited
 * descriptors, SIGKILL when herdd dies, the reaping) is agentd/child.h's.
 * What this adds: the environment is PATH plus the NAME=VALUE entries the
 * caller passes, each checked by script_env_name_ok(); the output kept is
 * 64 KiB unless the caller says otherwise; at the timeout the whole
 * process group (grandchildren too) gets SIGKILL at once, with no grace;
 * the outcome text renders the timeout as the configuration writes it.
 *
 * The event loop's thread must have SIGCHLD blocked (sd_event_add_child
 * requires it; herdd blocks it before creating sources).
 *
 *   script_run_start()   start a child; its result comes to the callback
 *   script_run_kill()    SIGKILL the child's group now; the callback follows
 *   script_run_free()    forget a run; a running child's group is killed
 *   script_run_pid()     the child's pid (= its process group id)
 *   script_run_running() whether the child has not finished yet
 *   script_env_name_ok() whether a caller-given variable may be passed on
 *   script_outcome_format() "exit 1", "timed out after 30s", ... (pure)
 */
#ifndef HERD_COLLECTORS_SCRIPT_H
#define HERD_COLLECTORS_SCRIPT_H

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "agentd/child.h"
#include "agentd/util.h"

/* The PATH every script gets; nothing of herdd's own environment passes. */
#define SCRIPT_PATH_ENV CHILD_PATH_ENV
/* Output kept when the caller gives no limit. */
#define SCRIPT_OUTPUT_MAX_DEFAULT (64 * 1024)
/* Exit status of a child that could not exec (as the shell uses). */
#define SCRIPT_EXIT_EXEC_FAILED CHILD_EXIT_EXEC_FAILED

struct script_opts {
	const char *const *argv;        /* argv[0] is the path; NULL-terminated */
	const char *const *env;         /* NAME=VALUE to pass on, or NULL */
	usec_t timeout;                 /* 0: none (not for event scripts) */
	size_t output_max;              /* 0: SCRIPT_OUTPUT_MAX_DEFAULT */
};

struct script_result {
	int exec_error;                 /* 0, or -errno: it could not be run */
	int exit_status;                /* when it exited; -1 when killed */
	int signal;                     /* the signal that killed it, or 0 */
	bool timed_out;                 /* killed by us at the timeout */
	usec_t start_wall;              /* wall clock at fork */
	usec_t duration;                /* monotonic, fork to reaping */
	const char *output;             /* NUL-terminated; valid until free */
	size_t output_len;
	bool output_truncated;          /* more was written than output_max */
};

struct script_run;

/*
 * Called once from the event loop when the child has been reaped (and its
 * output drained). The callback may call script_run_free(run).
 */
typedef void (*script_done_fn)(struct script_run *run, const struct script_result *res,
			       void *userdata);

/*
 * Start opts->argv[0] with opts->argv. Returns 0 and *out, or -EINVAL (no
 * argv, or an env entry that is not NAME=VALUE or names a variable that
 * script_env_name_ok() refuses), or another -errno from pipe/fork/sd-event.
 * A path that cannot be executed is not an error here: the result reports
 * exec_error and exit status 127.
 */
int script_run_start(sd_event *e, const struct script_opts *opts, script_done_fn done,
		     void *userdata, struct script_run **out);

/*
 * SIGKILL the child's whole process group now. The result still comes to
 * the callback (killed by SIGKILL, not timed out). -ESRCH when it has
 * already finished.
 */
int script_run_kill(struct script_run *run);

/*
 * Free a run. If the child still runs, its process group is SIGKILLed and
 * it is reaped later by the loop, with no callback. Accepts NULL.
 */
void script_run_free(struct script_run *run);

pid_t script_run_pid(const struct script_run *run);
bool script_run_running(const struct script_run *run);

/*
 * A variable name a caller may pass: [A-Za-z_][A-Za-z0-9_]*, and not one
 * that changes how the dynamic linker, libc or a shell behave (LD_*, IFS,
 * ENV, BASH_ENV, PATH, ...): child_env_name_ok(). Pure.
 */
bool script_env_name_ok(const char *name, size_t len);

/* How a run ended, for logs and reasons: "exit 0", "exit 3", "killed by
 * SIGSEGV", "timed out after 30s", "cannot execute: Permission denied". */
char *script_outcome_format(char *buf, size_t len, const struct script_result *res,
			    usec_t timeout);

#endif
