/*
 * handlers_proc.c — run one handler: notify.d's policy on agentd/child.c.
 *
 * The mechanism (fork, process group, pipes, timeout, reaping) is
 * agentd/child.c's. Here: the environment is passed as the caller built
 * it, the timeout asks with SIGTERM first and SIGKILLs after the grace,
 * and a result is handed on in notify.d's own struct, whose outcome text
 * says when SIGKILL was needed.
 */
#include "notify.d/handlers_proc.h"

#include <stdio.h>

struct handlers_proc {
	struct child *child;
	handlers_proc_done_fn done;
	void *userdata;
};

pid_t handlers_proc_pid(const struct handlers_proc *p)
{
	return p ? child_pid(p->child) : -1;
}

bool handlers_proc_running(const struct handlers_proc *p)
{
	return p && child_running(p->child);
}

char *handlers_proc_outcome(char *buf, size_t len, const struct handlers_proc_result *res,
			    usec_t timeout)
{
	const struct child_result r = {
		.exec_error = res->exec_error, .exit_status = res->exit_status,
		.signal = res->signal, .timed_out = res->timed_out,
	};
	char d[64], t[80];

	snprintf(t, sizeof(t), "%s%s", format_duration(d, sizeof(d), timeout),
		 res->killed ? ", killed" : "");
	return child_outcome_format(buf, len, &r, t);
}

static void on_child_done(struct child *c, const struct child_result *cr, void *userdata)
{
	struct handlers_proc *p = userdata;
	const struct handlers_proc_result res = {
		.exec_error = cr->exec_error, .exit_status = cr->exit_status, .signal = cr->signal,
		.timed_out = cr->timed_out, .killed = cr->killed,
		.start_wall = cr->start_wall, .duration = cr->duration,
		.output = cr->output, .output_len = cr->output_len,
		.output_truncated = cr->output_truncated,
	};

	/* Last: the callback may free p (and the child, and its output). */
	p->done(p, &res, p->userdata);
}

void handlers_proc_free(struct handlers_proc *p)
{
	if (!p)
		return;
	child_free(p->child);
	free(p);
}

int handlers_proc_start(sd_event *e, const struct handlers_proc_opts *opts,
			handlers_proc_done_fn done, void *userdata, struct handlers_proc **out)
{
	struct child_opts co;
	struct handlers_proc *p;
	int r;

	if (!e || !opts || !opts->argv || !opts->argv[0] || !done || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->done = done;
	p->userdata = userdata;
	co = (struct child_opts){
		.argv = opts->argv, .envp = opts->envp, .timeout = opts->timeout,
		.kill_grace = opts->kill_grace, .output_max = opts->output_max,
	};
	r = child_start(e, &co, on_child_done, p, &p->child);
	if (r < 0) {
		free(p);
		return r;
	}
	*out = p;
	return 0;
}
