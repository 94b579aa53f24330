/*
 * script.c — run one event script: collectors' policy on agentd/child.c.
 *
 * The mechanism (fork, process group, pipes, timeout, reaping) is
 * agentd/child.c's. Here: the environment is built from PATH and the
 * caller's variables (names checked, herdd's own never passed), the output
 * limit defaults to 64 KiB, the timeout SIGKILLs the group at once (no
 * SIGTERM grace: an event script that hangs is not asked to clean up), and
 * a result is handed on in collectors' own struct.
 */
#include "collectors/script.h"

#include <stdio.h>

#include "conf/value.h"

struct script_run {
	struct child *child;
	script_done_fn done;
	void *userdata;
};

bool script_env_name_ok(const char *name, size_t len)
{
	return child_env_name_ok(name, len);
}

char *script_outcome_format(char *buf, size_t len, const struct script_result *res,
			    usec_t timeout)
{
	const struct child_result r = {
		.exec_error = res->exec_error, .exit_status = res->exit_status,
		.signal = res->signal, .timed_out = res->timed_out,
	};
	char d[VALUE_DURATION_MAX];

	return child_outcome_format(buf, len, &r, value_format_duration(d, sizeof(d), timeout));
}

pid_t script_run_pid(const struct script_run *run)
{
	return run ? child_pid(run->child) : -1;
}

bool script_run_running(const struct script_run *run)
{
	return run && child_running(run->child);
}

static void on_child_done(struct child *c, const struct child_result *cr, void *userdata)
{
	struct script_run *run = userdata;
	const struct script_result res = {
		.exec_error = cr->exec_error, .exit_status = cr->exit_status,
		.signal = cr->signal, .timed_out = cr->timed_out,
		.start_wall = cr->start_wall, .duration = cr->duration,
		.output = cr->output, .output_len = cr->output_len,
		.output_truncated = cr->output_truncated,
	};

	/* Last: the callback may free run (and the child, and its output). */
	run->done(run, &res, run->userdata);
}

int script_run_kill(struct script_run *run)
{
	return run ? child_kill(run->child) : -ESRCH;
}

void script_run_free(struct script_run *run)
{
	if (!run)
		return;
	child_free(run->child);
	free(run);
}

/* NULL-terminated copy of PATH plus the caller's variables, or NULL. */
static int build_env(const char *const *env, const char ***out)
{
	size_t n = 0;
	const char **envp;

	for (const char *const *v = env; v && *v; v++) {
		const char *eq = strchr(*v, '=');

		if (!eq || !script_env_name_ok(*v, (size_t)(eq - *v)))
			return -EINVAL;
		n++;
	}
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	envp[0] = SCRIPT_PATH_ENV;
	for (size_t i = 0; i < n; i++)
		envp[i + 1] = env[i];
	*out = envp;
	return 0;
}

int script_run_start(sd_event *e, const struct script_opts *opts, script_done_fn done,
		     void *userdata, struct script_run **out)
{
	_cleanup_(freep) const char **envp = NULL;
	struct child_opts co;
	struct script_run *run;
	int r;

	if (!e || !opts || !opts->argv || !opts->argv[0] || !done || !out)
		return -EINVAL;
	r = build_env(opts->env, &envp);
	if (r < 0)
		return r;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->done = done;
	run->userdata = userdata;
	co = (struct child_opts){
		.argv = opts->argv, .envp = envp, .timeout = opts->timeout,
		.output_max = opts->output_max ? opts->output_max : SCRIPT_OUTPUT_MAX_DEFAULT,
	};
	r = child_start(e, &co, on_child_done, run, &run->child);
	if (r < 0) {
		free(run);
		return r;
	}
	*out = run;
	return 0;
}
