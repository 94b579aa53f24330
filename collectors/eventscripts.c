/*
 * eventscripts.c — CTDB's events.d interface on top of collectors/script.c.
 *
 * A run lists the directory afresh (so `chmod -x` disables a script at the
 * next event, as in CTDB), then starts the enabled scripts one at a time;
 * each script's end, reported by the loop, starts the next one, and the
 * first failure ends the run with the rest NOT_RUN. Nothing here waits:
 * even a run that has nothing to do finishes from a deferred source, so the
 * caller's callback never runs inside eventscripts_run().
 *
 * The finished run of each event name replaces the previous one of that
 * name; those records are what `herdctl scriptstatus` shows. Listing the
 * directory is synchronous: it is part of the local configuration
 * directory, not shared storage.
 */
#include "collectors/eventscripts.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "collectors/script.h"

/* A configuration snapshot; a run keeps the one it started with. */
struct es_config {
	char *dir;
	usec_t timeout;
	size_t output_max;
	char **env;
};

struct eventscripts {
	sd_event *event;
	struct es_config *cfg;          /* for the next run */
	struct es_config *run_cfg;      /* of the run going on (may be cfg) */
	sd_event_source *step_src;      /* deferred step of the run */

	/* the run going on */
	bool busy, canceling;
	struct eventscripts_run cur;
	char **args;
	size_t next;                    /* the script to consider next */
	usec_t start_mono;
	struct script_run *script;
	eventscripts_done_fn done;
	void *userdata;

	/* the last finished run of every event */
	struct eventscripts_run **last;
	size_t nlast;
};

const char *eventscript_status_name(enum eventscript_status s)
{
	switch (s) {
	case EVENTSCRIPT_OK: return "OK";
	case EVENTSCRIPT_ERROR: return "ERROR";
	case EVENTSCRIPT_TIMEDOUT: return "TIMEDOUT";
	case EVENTSCRIPT_DISABLED: return "DISABLED";
	case EVENTSCRIPT_NOT_RUN: return "NOT_RUN";
	case EVENTSCRIPT_CANCELED: return "CANCELED";
	}
	return "UNKNOWN";
}

bool eventscripts_name_ignored(const char *name)
{
	return name_is_leftover(name);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct eventscript_entry *)a)->name,
		      ((const struct eventscript_entry *)b)->name);
}

int eventscripts_list(const char *dir, struct eventscript_entry **out)
{
	_cleanup_(freep) struct eventscript_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;

		close(fd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;

		if (eventscripts_name_ignored(de->d_name))
			continue;
		/* Follow symlinks (CTDB enables scripts by linking them in); a
		 * dangling link or anything but a regular file is no script. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct eventscript_entry *nv = reallocarray(v, ncap, sizeof(*v));

			if (!nv) {
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].enabled = (st.st_mode & S_IXUSR) != 0;
		n++;
	}
	if (errno) {
		int r = -errno;

		closedir(d);
		return r;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	*out = TAKE_PTR(v);
	return (int)MIN(n, (size_t)INT32_MAX);
}

/* ---- configuration snapshots -------------------------------------------- */

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	char **c;

	while (v && v[n])
		n++;
	c = calloc(n + 1, sizeof(*c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			strv_free(c);
			return NULL;
		}
	}
	return c;
}

static void es_config_free(struct es_config *c)
{
	if (!c)
		return;
	free(c->dir);
	strv_free(c->env);
	free(c);
}

static int es_config_new(const struct eventscripts_config *in, struct es_config **out)
{
	struct es_config *c;

	if (!in || !in->dir || !*in->dir)
		return -EINVAL;
	/* Refuse a bad variable now rather than fail every script later. */
	for (const char *const *v = in->env; v && *v; v++) {
		const char *eq = strchr(*v, '=');

		if (!eq || !script_env_name_ok(*v, (size_t)(eq - *v)))
			return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->dir = strdup(in->dir);
	c->env = strv_copy(in->env);
	c->timeout = in->timeout;
	c->output_max = in->output_max ? in->output_max : EVENTSCRIPTS_OUTPUT_MAX;
	if (!c->dir || !c->env) {
		es_config_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

/* ---- runs --------------------------------------------------------------- */

static void run_clear(struct eventscripts_run *run)
{
	for (size_t i = 0; i < run->nscripts; i++)
		free(run->scripts[i].output);
	free(run->scripts);
	memset(run, 0, sizeof(*run));
	run->failed = -1;
}

static void run_free(struct eventscripts_run *run)
{
	if (!run)
		return;
	run_clear(run);
	free(run);
}

const struct eventscripts_run *eventscripts_last(const struct eventscripts *es, const char *event)
{
	for (size_t i = 0; i < es->nlast; i++)
		if (streq(es->last[i]->event, event))
			return es->last[i];
	return NULL;
}

size_t eventscripts_nevents(const struct eventscripts *es)
{
	return es->nlast;
}

const struct eventscripts_run *eventscripts_last_at(const struct eventscripts *es, size_t i)
{
	return i < es->nlast ? es->last[i] : NULL;
}

bool eventscripts_busy(const struct eventscripts *es)
{
	return es->busy;
}

const char *eventscripts_current(const struct eventscripts *es)
{
	return es->busy ? es->cur.event : NULL;
}

/*
 * Keep the current run as the last of its event. Returns the stored run, or
 * NULL when there was no memory for a new slot (the run is then lost, and
 * the callback gets the one in es->cur, which stays valid until the next
 * run starts).
 */
static const struct eventscripts_run *store_run(struct eventscripts *es)
{
	struct eventscripts_run *slot = (struct eventscripts_run *)eventscripts_last(es, es->cur.event);

	if (!slot) {
		struct eventscripts_run **v = reallocarray(es->last, es->nlast + 1, sizeof(*v));

		if (!v)
			return NULL;
		es->last = v;
		slot = calloc(1, sizeof(*slot));
		if (!slot)
			return NULL;
		es->last[es->nlast++] = slot;
	}
	run_clear(slot);
	*slot = es->cur;
	memset(&es->cur, 0, sizeof(es->cur));
	es->cur.failed = -1;
	return slot;
}

static void finish(struct eventscripts *es)
{
	const struct eventscripts_run *run;
	eventscripts_done_fn done = es->done;
	void *userdata = es->userdata;

	es->cur.duration = now_monotonic() - es->start_mono;
	if (es->cur.list_error)
		es->cur.status = EVENTSCRIPT_ERROR;
	else if (es->cur.failed >= 0)
		es->cur.status = es->cur.scripts[es->cur.failed].status;
	else if (es->canceling)
		es->cur.status = EVENTSCRIPT_CANCELED;
	else
		es->cur.status = EVENTSCRIPT_OK;
	run = store_run(es);
	if (!run)
		run = &es->cur;
	strv_free(es->args);
	es->args = NULL;
	if (es->run_cfg != es->cfg)
		es_config_free(es->run_cfg);
	es->run_cfg = NULL;
	es->busy = es->canceling = false;
	es->done = NULL;
	es->userdata = NULL;
	/* Last: the callback may start the next run. */
	done(es, run, userdata);
}

static void step(struct eventscripts *es);

static void on_script_done(struct script_run *sr, const struct script_result *res, void *userdata)
{
	struct eventscripts *es = userdata;
	struct eventscript_result *r = &es->cur.scripts[es->next];

	r->exit_status = res->exit_status;
	r->signal = res->signal;
	r->exec_error = res->exec_error;
	r->duration = res->duration;
	r->output_truncated = res->output_truncated;
	r->output = malloc(res->output_len + 1);
	if (r->output) {
		memcpy(r->output, res->output, res->output_len);
		r->output[res->output_len] = '\0';
		r->output_len = res->output_len;
	}
	if (es->canceling)
		r->status = EVENTSCRIPT_CANCELED;
	else if (res->timed_out)
		r->status = EVENTSCRIPT_TIMEDOUT;
	else if (res->exec_error || res->signal || res->exit_status != 0)
		r->status = EVENTSCRIPT_ERROR;
	else
		r->status = EVENTSCRIPT_OK;
	script_run_free(sr);
	es->script = NULL;
	if (r->status != EVENTSCRIPT_OK) {
		if (r->status != EVENTSCRIPT_CANCELED)
			es->cur.failed = (int)es->next;
		finish(es);
		return;
	}
	es->next++;
	step(es);
}

/* Start es->cur.scripts[i]. On failure the script is an ERROR with why. */
static int start_script(struct eventscripts *es, size_t i)
{
	struct eventscript_result *r = &es->cur.scripts[i];
	struct es_config *c = es->run_cfg;
	_cleanup_(freep) const char **argv = NULL;
	_cleanup_(freep) char *path = NULL;
	size_t nargs = 0;
	int ret;

	while (es->args && es->args[nargs])
		nargs++;
	argv = calloc(nargs + 3, sizeof(*argv));
	if (!argv || asprintf(&path, "%s/%s", c->dir, r->name) < 0) {
		path = NULL;
		ret = -ENOMEM;
	} else {
		struct script_opts o = {
			.argv = argv, .env = (const char *const *)c->env,
			.timeout = c->timeout, .output_max = c->output_max,
		};

		argv[0] = path;
		argv[1] = es->cur.event;
		for (size_t a = 0; a < nargs; a++)
			argv[2 + a] = es->args[a];
		r->start_wall = now_realtime();
		ret = script_run_start(es->event, &o, on_script_done, es, &es->script);
		if (ret >= 0)
			return 0;
	}
	r->status = EVENTSCRIPT_ERROR;
	r->exec_error = ret;
	free(r->output);
	if (asprintf(&r->output, "herd: cannot start %s: %s\n", r->name, strerror(-ret)) < 0)
		r->output = NULL;
	r->output_len = r->output ? strlen(r->output) : 0;
	return ret;
}

/* Start the next enabled script, or finish. */
static void step(struct eventscripts *es)
{
	while (es->next < es->cur.nscripts && !es->canceling) {
		if (es->cur.scripts[es->next].status != EVENTSCRIPT_NOT_RUN) {
			es->next++;
			continue;
		}
		if (start_script(es, es->next) >= 0)
			return;
		es->cur.failed = (int)es->next;
		break;
	}
	finish(es);
}

static int on_step(sd_event_source *s, void *userdata)
{
	step(userdata);
	return 0;
}

static bool event_name_ok(const char *event)
{
	size_t n = strlen(event);

	if (n == 0 || n > EVENTSCRIPTS_EVENT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = event[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

int eventscripts_run(struct eventscripts *es, const char *event, const char *const *args,
		     eventscripts_done_fn done, void *userdata)
{
	_cleanup_(freep) struct eventscript_entry *entries = NULL;
	int n, r;

	if (!done || !event || !event_name_ok(event))
		return -EINVAL;
	if (es->busy)
		return -EBUSY;
	run_clear(&es->cur);
	es->args = strv_copy(args);
	if (!es->args)
		return -ENOMEM;
	n = eventscripts_list(es->cfg->dir, &entries);
	if (n == -ENOMEM) {
		strv_free(TAKE_PTR(es->args));
		return n;
	}
	if (n < 0 && n != -ENOENT)
		es->cur.list_error = n;
	if (n > 0) {
		es->cur.scripts = calloc((size_t)n, sizeof(*es->cur.scripts));
		if (!es->cur.scripts) {
			strv_free(TAKE_PTR(es->args));
			return -ENOMEM;
		}
		es->cur.nscripts = (size_t)n;
		for (int i = 0; i < n; i++) {
			struct eventscript_result *s = &es->cur.scripts[i];

			memcpy(s->name, entries[i].name, sizeof(s->name));
			s->status = entries[i].enabled ? EVENTSCRIPT_NOT_RUN : EVENTSCRIPT_DISABLED;
			s->exit_status = -1;
		}
	}
	r = sd_event_source_set_enabled(es->step_src, SD_EVENT_ONESHOT);
	if (r < 0) {
		strv_free(TAKE_PTR(es->args));
		run_clear(&es->cur);
		return r;
	}
	snprintf(es->cur.event, sizeof(es->cur.event), "%s", event);
	es->cur.start_wall = now_realtime();
	es->cur.timeout = es->cfg->timeout;
	es->start_mono = now_monotonic();
	es->next = 0;
	es->busy = true;
	es->canceling = false;
	es->run_cfg = es->cfg;
	es->done = done;
	es->userdata = userdata;
	return 0;
}

int eventscripts_cancel(struct eventscripts *es)
{
	if (!es->busy)
		return -ESRCH;
	es->canceling = true;
	if (es->script)
		(void)script_run_kill(es->script);
	return 0;
}

int eventscripts_set_config(struct eventscripts *es, const struct eventscripts_config *cfg)
{
	struct es_config *c;
	int r = es_config_new(cfg, &c);

	if (r < 0)
		return r;
	if (es->cfg != es->run_cfg)
		es_config_free(es->cfg);
	es->cfg = c;
	return 0;
}

int eventscripts_new(sd_event *e, const struct eventscripts_config *cfg,
		     struct eventscripts **out)
{
	struct eventscripts *es;
	int r;

	if (!e)
		return -EINVAL;
	es = calloc(1, sizeof(*es));
	if (!es)
		return -ENOMEM;
	es->event = sd_event_ref(e);
	es->cur.failed = -1;
	r = es_config_new(cfg, &es->cfg);
	if (r >= 0)
		r = sd_event_add_defer(e, &es->step_src, on_step, es);
	if (r >= 0)
		r = sd_event_source_set_enabled(es->step_src, SD_EVENT_OFF);
	if (r < 0) {
		eventscripts_free(es);
		return r;
	}
	*out = es;
	return 0;
}

void eventscripts_free(struct eventscripts *es)
{
	if (!es)
		return;
	script_run_free(es->script);
	sd_event_source_disable_unref(es->step_src);
	run_clear(&es->cur);
	strv_free(es->args);
	for (size_t i = 0; i < es->nlast; i++)
		run_free(es->last[i]);
	free(es->last);
	if (es->run_cfg != es->cfg)
		es_config_free(es->run_cfg);
	es_config_free(es->cfg);
	sd_event_unref(es->event);
	free(es);
}

/* The first line of s, at most max bytes, into buf. */
static void first_line(char *buf, size_t len, const char *s)
{
	size_t n = strcspn(s, "\n");

	snprintf(buf, len, "%.*s", (int)MIN(n, (size_t)INT32_MAX), s);
}

char *eventscripts_run_reason(char *buf, size_t len, const struct eventscripts_run *run)
{
	char outcome[128], line[256];
	const struct eventscript_result *r;
	struct script_result sr;

	if (run->list_error) {
		snprintf(buf, len, "events dir: %s", strerror(-run->list_error));
		return buf;
	}
	if (run->failed < 0 || (size_t)run->failed >= run->nscripts) {
		snprintf(buf, len, "%s", run->status == EVENTSCRIPT_CANCELED ? "canceled" : "OK");
		return buf;
	}
	r = &run->scripts[run->failed];
	sr = (struct script_result){
		.exec_error = r->exec_error, .exit_status = r->exit_status, .signal = r->signal,
		.timed_out = r->status == EVENTSCRIPT_TIMEDOUT,
	};
	script_outcome_format(outcome, sizeof(outcome), &sr, run->timeout);
	first_line(line, sizeof(line), r->output ? r->output : "");
	if (line[0] && !r->exec_error)
		snprintf(buf, len, "%s: %s: %s", r->name, outcome, line);
	else
		snprintf(buf, len, "%s: %s", r->name, outcome);
	return buf;
}
