/*
 * child.h — run one executable as a child process under herd's contract,
 * on sd-event, without ever blocking the loop. The mechanism behind the
 * events.d scripts (collectors/script.c), the notify.d handlers
 * (notify.d/handlers_proc.c) and the mail child (notify.d/mailsend.c, a
 * function rather than an executable: opts->fn); they add only their
 * policy (argv, the environment they build, what a result means).
 *
 * The contract (STYLE.md 9, DESIGN.md "notify.d handlers"):
 *  - fork + execve(argv[0], argv, envp), with exactly the environment the
 *    caller gives (nothing of herdd's own passes; NULL is an empty one);
 *    child_env_name_ok() is the rule for variables a caller takes from
 *    configuration (no LD_*, IFS, ENV, PATH, ...);
 *  - a process group of its own (setpgid on both sides of the fork),
 *    PR_SET_PDEATHSIG=SIGKILL (and a getppid() check for the race), signal
 *    mask emptied and every disposition back to default, cwd /, umask 022;
 *  - stdin /dev/null; stdout and stderr into one pipe read by the loop into
 *    a bounded buffer (output_truncated says more came); no other
 *    descriptor survives the exec (close_range, or a loop up to
 *    RLIMIT_NOFILE on old kernels);
 *  - at the timeout the whole group gets SIGKILL, or SIGTERM (and SIGCONT)
 *    first and SIGKILL kill_grace later if the child is still there; once
 *    a timed-out child is gone, whatever is left of its group is SIGKILLed;
 *  - the run ends when the child itself has been reaped (sd-event child
 *    source, a pidfd underneath), not when the pipe closes: a background
 *    process it leaves does not hold the run (it dies of SIGPIPE if it
 *    writes after the run is gone);
 *  - a path that cannot be executed is reported as exec_error (-errno
 *    through a close-on-exec pipe read after the reaping) and exit 127;
 *  - child_free() on a running child SIGKILLs its group and leaves the
 *    reaping to the loop (a floating source): no zombie, no wait.
 *
 * Fork without exec (opts->fn): the child goes through the same set-up
 * (group, PDEATHSIG, signals, cwd /, umask, 0/1/2 as above and nothing
 * else open), then child.c calls _exit(fn(fn_arg)); argv and envp are not
 * used, the exit status is fn's return value & 0377. fn runs in a forked
 * copy of the parent: it may use what the parent prepared in memory but
 * must not touch the parent's sd-event objects, and it never returns into
 * the parent's code (no atexit handler or stdio buffer of the parent's
 * runs twice: fn writes to 1 with write(2), or flushes what it printed).
 * Whatever fn needs beyond the contract (SIGPIPE ignored, say) it sets
 * itself. A set-up that fails is reported as exec_error.
 *
 * The event loop's thread must have SIGCHLD blocked (sd_event_add_child
 * requires it and fails with -EBUSY otherwise).
 *
 *   child_start()          start a child; its result comes to the callback
 *   child_kill()           SIGKILL the child's group now; the callback follows
 *   child_free()           forget a run; a running child's group is killed
 *   child_pid()            the child's pid (= its process group id)
 *   child_running()        whether the child has not been reaped yet
 *   child_env_name_ok()    whether a caller-given variable may be passed on (pure)
 *   child_outcome_format() "exit 1", "timed out after 30s", ... (pure)
 */
#ifndef HERD_AGENTD_CHILD_H
#define HERD_AGENTD_CHILD_H

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

/* The PATH children get; nothing of herdd's own environment passes. */
#define CHILD_PATH_ENV "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
/* Exit status of a child that could not exec (as the shell uses). */
#define CHILD_EXIT_EXEC_FAILED 127

struct child_opts {
	const char *const *argv;        /* argv[0] is the path; NULL-terminated */
	const char *const *envp;        /* the whole environment; NULL: empty */
	int (*fn)(void *arg);           /* set: no exec, the child runs fn(fn_arg)
					 * and _exit()s with it; argv, envp unused */
	void *fn_arg;
	usec_t timeout;                 /* 0: none */
	usec_t kill_grace;              /* SIGTERM at the timeout, SIGKILL this much
					 * later; 0: SIGKILL at the timeout */
	size_t output_max;              /* bytes of output kept; 0: none */
};

struct child_result {
	int exec_error;                 /* 0, or -errno: it could not be run
					 * (fn: the child's set-up failed) */
	int exit_status;                /* when it exited; -1 when killed */
	int signal;                     /* the signal that killed it, or 0 */
	bool timed_out;                 /* ran into the timeout */
	bool killed;                    /* ... and the timeout sent SIGKILL */
	usec_t start_wall;              /* wall clock at fork */
	usec_t duration;                /* monotonic, fork to reaping */
	const char *output;             /* NUL-terminated; valid in the callback */
	size_t output_len;
	bool output_truncated;          /* more was written than output_max */
};

struct child;

/*
 * Called once from the event loop when the child has been reaped (and its
 * output drained). The callback may call child_free(c).
 */
typedef void (*child_done_fn)(struct child *c, const struct child_result *res, void *userdata);

/*
 * Start opts->argv[0] with opts->argv, or opts->fn in a fork. Returns 0
 * and *out, or -EINVAL (neither argv nor fn, no callback, no out), or
 * another -errno from pipe/fork/sd-event. opts and what it points to are
 * not used after the return (the child has its copy). A path that cannot
 * be executed is not an error here: the result reports exec_error and exit
 * status 127.
 */
int child_start(sd_event *e, const struct child_opts *opts, child_done_fn done, void *userdata,
		struct child **out);

/*
 * SIGKILL the child's whole process group now. The result still comes to
 * the callback (killed by SIGKILL, not timed out). -ESRCH when it has
 * already finished.
 */
int child_kill(struct child *c);

/*
 * Free a run. If the child still runs, its process group is SIGKILLed and
 * the loop reaps it later, with no callback. Accepts NULL.
 */
void child_free(struct child *c);

pid_t child_pid(const struct child *c);
bool child_running(const struct child *c);

/*
 * A variable name a caller may pass on: [A-Za-z_][A-Za-z0-9_]*, and not one
 * that changes how the dynamic linker, libc or a shell behave (LD_*,
 * MALLOC_*, IFS, ENV, BASH_ENV, PATH, GLIBC_TUNABLES, ...). Pure.
 */
bool child_env_name_ok(const char *name, size_t len);

/*
 * How a run ended, for logs and reasons: "exit 0", "exit 3", "killed by
 * SIGSEGV", "timed out after <timeout_text>", "cannot execute: Permission
 * denied". timeout_text is the caller's rendering of its timeout. Pure.
 */
char *child_outcome_format(char *buf, size_t len, const struct child_result *res,
			   const char *timeout_text);

#endif
