/*
 * failing.c — the set of failing collectors, updated from each monitor run
 * (the rules are in failing.h).
 *
 * An update is a transaction: the next set and the list of changes are
 * built in new arrays, swapped in only when everything fitted, and only
 * then reported, so an allocation failure leaves the set as it was and
 * says nothing rather than half of it.
 */
#include "collectors/failing.h"

#include <stdio.h>

static bool is_failure(enum eventscript_status s)
{
	return s == EVENTSCRIPT_ERROR || s == EVENTSCRIPT_TIMEDOUT;
}

char *failing_detail(char *buf, size_t len, const struct eventscripts_run *run, size_t i)
{
	struct eventscripts_run one;
	char reason[512];
	const char *name, *p = reason;
	size_t n;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (i >= run->nscripts)
		return buf;
	if (!is_failure(run->scripts[i].status)) {
		snprintf(buf, len, "%s", eventscript_status_name(run->scripts[i].status));
		return buf;
	}
	/* The same words as the run's reason, as if script i had stopped it. */
	one = *run;
	one.list_error = 0;
	one.failed = (int)i;
	eventscripts_run_reason(reason, sizeof(reason), &one);
	name = run->scripts[i].name;
	n = strlen(name);
	if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ')
		p += n + 2;
	snprintf(buf, len, "%s", p);
	return buf;
}

static const struct failing_collector *find(const struct failing *f, const char *name, bool dir)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].dir == dir && streq(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

const struct failing_collector *failing_find(const struct failing *f, const char *name)
{
	const struct failing_collector *c = find(f, name, false);

	return c || !streq(name, FAILING_EVENTS_DIR) ? c : find(f, name, true);
}

void failing_clear(struct failing *f)
{
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* A change that reports a collector of the old set as recovered. */
static void recovered(struct failing_change *ch, const struct failing_collector *c,
		      const char *how, usec_t now)
{
	char d[64];

	*ch = (struct failing_change){ .failed = false, .runs = c->runs, .since = c->since };
	snprintf(ch->name, sizeof(ch->name), "%s", c->name);
	if (how)
		snprintf(ch->detail, sizeof(ch->detail), "%s", how);
	else if (c->since && now > c->since)
		snprintf(ch->detail, sizeof(ch->detail),
			 "works again after %u failed run%s (failing for %s)", c->runs,
			 c->runs == 1 ? "" : "s", format_duration(d, sizeof(d), now - c->since));
	else
		snprintf(ch->detail, sizeof(ch->detail), "works again after %u failed run%s",
			 c->runs, c->runs == 1 ? "" : "s");
}

/* A collector that failed (again): a new entry, or the old one counted on. */
static void failed_again(struct failing_collector *next, const struct failing_collector *old,
			 const char *name, const char *detail, usec_t now)
{
	if (old) {
		*next = *old;
		if (next->runs < UINT_MAX)
			next->runs++;
	} else {
		*next = (struct failing_collector){ .runs = 1, .since = now };
		snprintf(next->name, sizeof(next->name), "%s", name);
	}
	snprintf(next->detail, sizeof(next->detail), "%s", detail);
}

static void failed_change(struct failing_change *ch, const struct failing_collector *c)
{
	*ch = (struct failing_change){ .failed = true, .runs = c->runs, .since = c->since };
	snprintf(ch->name, sizeof(ch->name), "%s", c->name);
	snprintf(ch->detail, sizeof(ch->detail), "%s", c->detail);
}

int failing_update(struct failing *f, const struct eventscripts_run *run, failing_change_fn fn,
		   void *userdata)
{
	_cleanup_(freep) struct failing_collector *next = NULL;
	_cleanup_(freep) struct failing_change *ch = NULL;
	_cleanup_(freep) bool *kept = NULL;     /* old entries decided on */
	const struct failing_collector *old;
	char detail[FAILING_DETAIL_MAX];
	size_t max = f->n + run->nscripts + 1, nn = 0, nch = 0;
	usec_t now = run->start_wall;

	if (run->status == EVENTSCRIPT_CANCELED)
		return 0;
	next = calloc(max, sizeof(*next));
	ch = calloc(max, sizeof(*ch));
	kept = calloc(f->n + 1, sizeof(*kept));
	if (!next || !ch || !kept)
		return -ENOMEM;

	/* The directory itself. */
	old = find(f, FAILING_EVENTS_DIR, true);
	if (old)
		kept[old - f->v] = true;
	if (run->list_error) {
		failed_again(&next[nn], old, FAILING_EVENTS_DIR, strerror(-run->list_error), now);
		next[nn].dir = true;
		if (!old)
			failed_change(&ch[nch++], &next[nn]);
		nn++;
	} else if (old) {
		recovered(&ch[nch++], old, NULL, now);
	}

	/* Each script of the run, in run order. */
	for (size_t i = 0; i < run->nscripts; i++) {
		const struct eventscript_result *s = &run->scripts[i];

		old = find(f, s->name, false);
		if (old)
			kept[old - f->v] = true;
		if (is_failure(s->status)) {
			failing_detail(detail, sizeof(detail), run, i);
			failed_again(&next[nn], old, s->name, detail, now);
			if (!old)
				failed_change(&ch[nch++], &next[nn]);
			nn++;
		} else if (!old) {
			continue;
		} else if (s->status == EVENTSCRIPT_OK) {
			recovered(&ch[nch++], old, NULL, now);
		} else if (s->status == EVENTSCRIPT_DISABLED) {
			recovered(&ch[nch++], old, "disabled", now);
		} else {
			next[nn++] = *old; /* NOT_RUN: unknown, as it was */
		}
	}

	/* Failing collectors the run did not list: removed, unless the listing failed. */
	for (size_t i = 0; i < f->n; i++) {
		if (kept[i])
			continue;
		if (run->list_error)
			next[nn++] = f->v[i];
		else
			recovered(&ch[nch++], &f->v[i], "removed", now);
	}

	free(f->v);
	f->v = nn ? TAKE_PTR(next) : NULL;
	f->n = nn;
	for (size_t i = 0; fn && i < nch; i++)
		fn(&ch[i], userdata);
	return (int)nch;
}
