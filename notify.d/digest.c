/*
 * digest.c — the logwatch-style report over an array of events (see
 * digest.h for the sections and what each detail level shows).
 *
 * One pass over the events builds the per-node state table (on/off
 * transitions clipped to the range), the per-address failover counts and
 * the per-node monitor failures; the sections are then printed from those
 * tables and from the events themselves. Pure: no clock (the processing
 * time is an input), no I/O but the caller's FILE.
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "agentd/state.h"
#include "notify.d/digest.h"

int digest_detail_parse(const char *s)
{
	char *end;
	long n;

	if (!strcasecmp(s, "low"))
		return DIGEST_LOW;
	if (!strcasecmp(s, "med") || !strcasecmp(s, "medium"))
		return DIGEST_MED;
	if (!strcasecmp(s, "high"))
		return DIGEST_HIGH;
	errno = 0;
	n = strtol(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || errno || n < 0)
		return -EINVAL;
	return n >= 10 ? DIGEST_HIGH : n >= 5 ? DIGEST_MED : DIGEST_LOW;
}

const char *digest_detail_name(enum digest_detail d)
{
	switch (d) {
	case DIGEST_LOW: return "low";
	case DIGEST_MED: return "med";
	case DIGEST_HIGH: return "high";
	}
	return "low";
}

/* ---- the tables --------------------------------------------------------- */

/* Node states with an on and an off event, in the order they print. */
static const struct {
	const char *name;
	enum herd_event_type on, off;
} kinds[] = {
	{ "unhealthy", EV_UNHEALTHY, EV_HEALTHY },
	{ "banned", EV_NODE_BANNED, EV_NODE_UNBANNED },
	{ "disconnected", EV_NODE_DISCONNECTED, EV_NODE_CONNECTED },
	{ "disabled", EV_NODE_DISABLED, EV_NODE_ENABLED },
	{ "stopped", EV_NODE_STOPPED, EV_NODE_CONTINUED },
};
#define NKINDS ARRAY_SIZE(kinds)

struct node_stat {
	uint32_t pnn;
	struct {
		bool on;
		usec_t since;
		unsigned times;         /* entered within the range */
		usec_t total;           /* time in the state within the range */
	} k[NKINDS];
	/* Failed monitor runs: unhealthy events within the range. */
	unsigned failed;
	const struct herd_event *last_failed;
};

struct addr_stat {
	char addr[64];
	unsigned taken, moved, released;
};

struct ctx {
	const struct digest_input *in;
	FILE *f;
	usec_t end;                     /* min(range.to, processed): "now" for open states */
	struct node_stat *nodes;
	size_t nnodes;
	struct addr_stat *addrs;
	size_t naddrs;
	int err;
};

static bool in_range(const struct digest_input *in, usec_t wall)
{
	return wall >= in->range.from && wall < in->range.to;
}

static struct node_stat *node_get(struct ctx *c, uint32_t pnn)
{
	struct node_stat *p;
	size_t i;

	for (i = 0; i < c->nnodes && c->nodes[i].pnn <= pnn; i++)
		if (c->nodes[i].pnn == pnn)
			return &c->nodes[i];
	p = reallocarray(c->nodes, c->nnodes + 1, sizeof(*p));
	if (!p) {
		c->err = -ENOMEM;
		return NULL;
	}
	c->nodes = p;
	/* Keep them sorted by pnn: they print in that order. */
	memmove(&p[i + 1], &p[i], (c->nnodes - i) * sizeof(*p));
	memset(&p[i], 0, sizeof(*p));
	p[i].pnn = pnn;
	c->nnodes++;
	return &p[i];
}

/* "10.0.0.1 taken over" → "10.0.0.1". */
static struct addr_stat *addr_get(struct ctx *c, const char *subject)
{
	char addr[64];
	struct addr_stat *p;
	size_t n = strcspn(subject, " ");

	snprintf(addr, sizeof(addr), "%.*s", (int)MIN(n, sizeof(addr) - 1), subject);
	for (size_t i = 0; i < c->naddrs; i++)
		if (streq(c->addrs[i].addr, addr))
			return &c->addrs[i];
	p = reallocarray(c->addrs, c->naddrs + 1, sizeof(*p));
	if (!p) {
		c->err = -ENOMEM;
		return NULL;
	}
	c->addrs = p;
	p = &c->addrs[c->naddrs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	return p;
}

/* Time of [a, b) inside the range (and before the end of the report). */
static usec_t clip(const struct ctx *c, usec_t a, usec_t b)
{
	a = MAX(a, c->in->range.from);
	b = MIN(b, c->end);
	return b > a ? b - a : 0;
}

static void tally_state(struct ctx *c, const struct herd_event *ev)
{
	struct node_stat *n;

	if (ev->node == PNN_NONE)
		return;
	for (size_t k = 0; k < NKINDS; k++) {
		if (ev->type != kinds[k].on && ev->type != kinds[k].off)
			continue;
		n = node_get(c, ev->node);
		if (!n)
			return;
		if (ev->type == kinds[k].on) {
			if (!n->k[k].on) {
				n->k[k].on = true;
				n->k[k].since = ev->wall;
				if (in_range(c->in, ev->wall))
					n->k[k].times++;
			}
			if (ev->type == EV_UNHEALTHY && in_range(c->in, ev->wall)) {
				n->failed++;
				n->last_failed = ev;
			}
		} else if (n->k[k].on) {
			/* An off without a known on (say "healthy" at start) is no time. */
			n->k[k].total += clip(c, n->k[k].since, ev->wall);
			n->k[k].on = false;
		}
	}
}

static void tally(struct ctx *c)
{
	const struct digest_input *in = c->in;

	for (size_t i = 0; i < in->n_events && c->err == 0; i++) {
		const struct herd_event *ev = &in->events[i];
		struct addr_stat *a;

		if (ev->wall >= in->range.to)
			continue; /* sequence order is not wall order after a clock step */
		tally_state(c, ev);
		if (!in_range(in, ev->wall))
			continue;
		if (ev->type == EV_IP_TAKEOVER || ev->type == EV_IP_RELEASED) {
			a = addr_get(c, ev->subject);
			if (!a)
				return;
			if (ev->type == EV_IP_RELEASED)
				a->released++;
			else if (strstr(ev->subject, " moved to "))
				a->moved++;
			else
				a->taken++;
		}
	}
	/* States still on at the end of the range count up to it. */
	for (size_t i = 0; i < c->nnodes; i++)
		for (size_t k = 0; k < NKINDS; k++)
			if (c->nodes[i].k[k].on)
				c->nodes[i].k[k].total += clip(c, c->nodes[i].k[k].since, c->end);
}

/* ---- formatting --------------------------------------------------------- */

static char *fmt_time(char *buf, size_t len, usec_t t, const char *fmt)
{
	time_t s = (time_t)(t / USEC_PER_SEC);
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(buf, len, fmt, &tm);
	return buf;
}

#define TIME_FMT "%Y-%m-%d %H:%M:%S"

static const char *node_name(char *buf, size_t len, uint32_t pnn)
{
	if (pnn == PNN_NONE)
		return "cluster";
	snprintf(buf, len, "node %u", pnn);
	return buf;
}

static void section_begin(struct ctx *c, const char *title)
{
	fprintf(c->f, "\n --------------------- %s Begin ------------------------\n\n", title);
}

static void section_end(struct ctx *c, const char *title)
{
	fprintf(c->f, "\n ---------------------- %s End -------------------------\n", title);
}

/* One event as herdd logs it, after a time and an indent. */
static void print_event(struct ctx *c, const char *indent, const struct herd_event *ev,
			bool with_type)
{
	char t[32];

	fprintf(c->f, "%s%s #%llu ", indent, fmt_time(t, sizeof(t), ev->wall, TIME_FMT),
		(unsigned long long)ev->seq);
	if (with_type)
		fprintf(c->f, "%s (%s) ", event_type_name(ev->type), severity_name(ev->severity));
	fprintf(c->f, "%s%s%s\n", ev->subject, ev->detail[0] ? ": " : "", ev->detail);
}

static void print_header(struct ctx *c)
{
	const struct digest_input *in = c->in;
	const struct digest_range *r = &in->range;
	char a[64], b[64];
	const char *fmt = r->period == DIGEST_PERIOD_DAY ? "%Y-%b-%d" : "%Y-%b-%d %H:%M:%S";

	fprintf(c->f, " ################### herd digest ####################\n");
	fprintf(c->f, "        Processing Initiated: %s\n",
		fmt_time(a, sizeof(a), in->processed, "%a %b %e %H:%M:%S %Y"));
	fprintf(c->f, "        Date Range Processed: %s\n", in->range_spec ? in->range_spec : "");
	if (r->all) {
		fprintf(c->f, "                              ( all )\n");
	} else {
		fmt_time(a, sizeof(a), r->from, fmt);
		if (r->to == DIGEST_TIME_MAX)
			snprintf(b, sizeof(b), "now");
		else
			fmt_time(b, sizeof(b), r->to - USEC_PER_SEC, fmt);
		if (streq(a, b))
			fprintf(c->f, "                              ( %s )\n", a);
		else
			fprintf(c->f, "                              ( %s to %s )\n", a, b);
	}
	fprintf(c->f, "                              Period is %s.\n", digest_period_name(r->period));
	fprintf(c->f, "        Detail Level of Output: %s\n", digest_detail_name(in->detail));
	fprintf(c->f, "        Cluster: %s\n", in->cluster ? in->cluster : "");
	fprintf(c->f, "        Node: %s\n", in->node ? in->node : "");
	fprintf(c->f, " ####################################################\n");
}

/* ---- sections ----------------------------------------------------------- */

static void print_summary(struct ctx *c)
{
	const struct digest_input *in = c->in;
	const struct herd_event *first = NULL, *last = NULL;
	unsigned sev[SEV_CRITICAL + 1] = { 0 }, total = 0;
	char t[32];

	for (size_t i = 0; i < in->n_events; i++) {
		const struct herd_event *ev = &in->events[i];

		if (!in_range(in, ev->wall))
			continue;
		total++;
		if (ev->severity >= SEV_INFO && ev->severity <= SEV_CRITICAL)
			sev[ev->severity]++;
		if (!first)
			first = ev;
		last = ev;
	}
	section_begin(c, "Summary");
	if (!total) {
		fprintf(c->f, " No events in this range.\n");
		section_end(c, "Summary");
		return;
	}
	fprintf(c->f, " Events: %u (", total);
	for (int s = SEV_CRITICAL, n = 0; s >= SEV_INFO; s--)
		if (sev[s])
			fprintf(c->f, "%s%u %s", n++ ? ", " : "", sev[s], severity_name(s));
	fprintf(c->f, ")\n");
	fprintf(c->f, " First: #%llu at %s\n", (unsigned long long)first->seq,
		fmt_time(t, sizeof(t), first->wall, TIME_FMT));
	fprintf(c->f, " Last:  #%llu at %s\n", (unsigned long long)last->seq,
		fmt_time(t, sizeof(t), last->wall, TIME_FMT));
	section_end(c, "Summary");
}

static bool is_state_event(enum herd_event_type t)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (t == kinds[k].on || t == kinds[k].off)
			return true;
	return false;
}

static void print_node_states(struct ctx *c)
{
	const struct digest_input *in = c->in;
	bool any = false;
	char name[32], d[64];

	for (size_t i = 0; i < c->nnodes; i++)
		for (size_t k = 0; k < NKINDS; k++)
			any |= c->nodes[i].k[k].times || c->nodes[i].k[k].total;
	if (!any)
		return;
	section_begin(c, "Node States");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_stat *n = &c->nodes[i];
		bool header = false;

		for (size_t k = 0; k < NKINDS; k++) {
			if (!n->k[k].times && !n->k[k].total)
				continue;
			if (!header)
				fprintf(c->f, " %s:\n", node_name(name, sizeof(name), n->pnn));
			header = true;
			fprintf(c->f, "    %-13s %4u time%s  %s%s%s\n", kinds[k].name, n->k[k].times,
				n->k[k].times == 1 ? " " : "s",
				format_duration(d, sizeof(d), n->k[k].total),
				n->k[k].times ? "" : " (from before the range)",
				n->k[k].on ? (c->end < in->range.to ? " (still)" : " (at range end)")
					   : "");
		}
	}
	if (in->detail >= DIGEST_MED) {
		fprintf(c->f, "\n Changes:\n");
		for (size_t i = 0; i < in->n_events; i++)
			if (in_range(in, in->events[i].wall) && is_state_event(in->events[i].type) &&
			    in->events[i].node != PNN_NONE)
				print_event(c, "    ", &in->events[i], false);
	}
	section_end(c, "Node States");
}

/* "generation 5 in 1m 2.250s; no answer ..." → the duration. */
static bool recovery_duration(const char *detail, usec_t *d)
{
	const char *p = strstr(detail, " in ");
	usec_t total = 0;
	bool any = false;

	if (!p)
		return false;
	p += 4;
	for (;;) {
		char *end;
		double v = strtod(p, &end);
		usec_t mult;

		if (end == p || v < 0)
			break;
		if (end[0] == 'm' && end[1] == 's')
			mult = USEC_PER_MSEC, end += 2;
		else if (*end == 'd')
			mult = 86400 * USEC_PER_SEC, end++;
		else if (*end == 'h')
			mult = 3600 * USEC_PER_SEC, end++;
		else if (*end == 'm')
			mult = 60 * USEC_PER_SEC, end++;
		else if (*end == 's')
			mult = USEC_PER_SEC, end++;
		else
			break;
		total += (usec_t)(v * (double)mult + 0.5);
		any = true;
		p = end;
		if (*p != ' ' || !isdigit((unsigned char)p[1]))
			break;
		p++;
	}
	*d = total;
	return any;
}

static void print_leader(struct ctx *c)
{
	const struct digest_input *in = c->in;
	const struct herd_event *last_leader = NULL;
	unsigned leaders = 0, started = 0, finished = 0, partial = 0, abandoned = 0, timed = 0;
	usec_t dmin = UINT64_MAX, dmax = 0, dsum = 0, d;
	char t[32], a[64], b[64], m[64];

	for (size_t i = 0; i < in->n_events; i++) {
		const struct herd_event *ev = &in->events[i];

		if (!in_range(in, ev->wall))
			continue;
		switch (ev->type) {
		case EV_LEADER_CHANGED:
			leaders++;
			last_leader = ev;
			break;
		case EV_RECOVERY_STARTED:
			started++;
			break;
		case EV_RECOVERY_FINISHED:
			if (strstr(ev->subject, "abandoned"))
				abandoned++;
			else if (strstr(ev->subject, "without"))
				partial++;
			else
				finished++;
			if (!strstr(ev->subject, "abandoned") && recovery_duration(ev->detail, &d)) {
				timed++;
				dsum += d;
				dmin = MIN(dmin, d);
				dmax = MAX(dmax, d);
			}
			break;
		default:
			break;
		}
	}
	if (!leaders && !started && !finished && !partial && !abandoned)
		return;
	section_begin(c, "Leader And Recoveries");
	if (leaders)
		fprintf(c->f, " Leader changes: %u; last at %s: %s\n", leaders,
			fmt_time(t, sizeof(t), last_leader->wall, TIME_FMT), last_leader->subject);
	if (started || finished || partial || abandoned)
		fprintf(c->f, " Recoveries: %u started, %u finished, %u without every node, "
			      "%u abandoned\n", started, finished, partial, abandoned);
	if (timed)
		fprintf(c->f, " Recovery time: shortest %s, mean %s, longest %s\n",
			format_duration(a, sizeof(a), dmin),
			format_duration(m, sizeof(m), dsum / timed),
			format_duration(b, sizeof(b), dmax));
	if (in->detail >= DIGEST_MED) {
		if (leaders) {
			fprintf(c->f, "\n Leader changes:\n");
			for (size_t i = 0; i < in->n_events; i++)
				if (in_range(in, in->events[i].wall) &&
				    in->events[i].type == EV_LEADER_CHANGED)
					print_event(c, "    ", &in->events[i], false);
		}
		if (started || finished || partial || abandoned) {
			fprintf(c->f, "\n Recoveries:\n");
			for (size_t i = 0; i < in->n_events; i++)
				if (in_range(in, in->events[i].wall) &&
				    in->events[i].type == EV_RECOVERY_FINISHED)
					print_event(c, "    ", &in->events[i], false);
		}
	}
	section_end(c, "Leader And Recoveries");
}

static void print_failovers(struct ctx *c)
{
	const struct digest_input *in = c->in;
	unsigned taken = 0, moved = 0, released = 0;
	size_t w = 0;

	if (!c->naddrs)
		return;
	for (size_t i = 0; i < c->naddrs; i++) {
		taken += c->addrs[i].taken;
		moved += c->addrs[i].moved;
		released += c->addrs[i].released;
		w = MAX(w, strlen(c->addrs[i].addr));
	}
	section_begin(c, "Failovers");
	fprintf(c->f, " Public addresses: %u taken over, %u moved between interfaces, %u released "
		      "(%zu address%s)\n", taken, moved, released, c->naddrs,
		c->naddrs == 1 ? "" : "es");
	if (in->detail >= DIGEST_MED) {
		fprintf(c->f, "\n");
		for (size_t i = 0; i < c->naddrs; i++)
			fprintf(c->f, "    %-*s  taken over %u, moved %u, released %u\n", (int)w,
				c->addrs[i].addr, c->addrs[i].taken, c->addrs[i].moved,
				c->addrs[i].released);
	}
	section_end(c, "Failovers");
}

/* "flags now UNHEALTHY: 50.service: exit 1: ..." → "50.service: exit 1: ...". */
static const char *failure_output(const struct herd_event *ev)
{
	const char *p = ev->detail;

	if (strncmp(p, "flags now ", 10) == 0) {
		p = strstr(p, ": ");
		return p ? p + 2 : "";
	}
	return p;
}

static void print_monitor(struct ctx *c)
{
	const struct digest_input *in = c->in;
	bool any = false;
	char name[32], t[32];

	for (size_t i = 0; i < c->nnodes; i++)
		any |= c->nodes[i].failed > 0;
	if (!any)
		return;
	section_begin(c, "Failed Monitor Scripts");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node_stat *n = &c->nodes[i];
		const char *out;

		if (!n->failed)
			continue;
		out = failure_output(n->last_failed);
		fprintf(c->f, " %s: unhealthy %u time%s, last at %s:\n",
			node_name(name, sizeof(name), n->pnn), n->failed, n->failed == 1 ? "" : "s",
			fmt_time(t, sizeof(t), n->last_failed->wall, TIME_FMT));
		fprintf(c->f, "    %s\n", out[0] ? out : "(no output: seen from another node)");
		if (in->detail < DIGEST_MED || n->failed < 2)
			continue;
		/* Every distinct output, with how often, in order of appearance. */
		fprintf(c->f, "    outputs:\n");
		for (size_t j = 0; j < in->n_events; j++) {
			const struct herd_event *ev = &in->events[j];
			unsigned count = 0;
			bool seen = false;

			if (ev->type != EV_UNHEALTHY || ev->node != n->pnn || !in_range(in, ev->wall))
				continue;
			for (size_t k = 0; k < j && !seen; k++)
				seen = in->events[k].type == EV_UNHEALTHY &&
				       in->events[k].node == n->pnn &&
				       in_range(in, in->events[k].wall) &&
				       streq(failure_output(&in->events[k]), failure_output(ev));
			if (seen)
				continue;
			for (size_t k = j; k < in->n_events; k++)
				count += in->events[k].type == EV_UNHEALTHY &&
					 in->events[k].node == n->pnn &&
					 in_range(in, in->events[k].wall) &&
					 streq(failure_output(&in->events[k]), failure_output(ev));
			out = failure_output(ev);
			fprintf(c->f, "       %u x %s\n", count, out[0] ? out : "(no output)");
		}
	}
	section_end(c, "Failed Monitor Scripts");
}

static bool same_str(const char *a, const char *b)
{
	return streq(a ? a : "", b ? b : "");
}

static void print_failures(struct ctx *c)
{
	const struct digest_input *in = c->in;
	unsigned total = 0;
	char t[32];

	for (size_t i = 0; i < in->n_failures; i++)
		total += in_range(in, in->failures[i].wall);
	if (!total)
		return;
	section_begin(c, "Notification Delivery Failures");
	/* One line per sink (low), per sink, target and error (med), each (high). */
	for (size_t i = 0; i < in->n_failures; i++) {
		const struct digest_failure *f = &in->failures[i], *last = f;
		unsigned count = 0;
		bool seen = false;

		if (!in_range(in, f->wall))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = in_range(in, in->failures[k].wall) &&
			       same_str(in->failures[k].sink, f->sink) &&
			       (in->detail == DIGEST_LOW ||
				(same_str(in->failures[k].target, f->target) &&
				 same_str(in->failures[k].error, f->error)));
		if (seen)
			continue;
		for (size_t k = i; k < in->n_failures; k++) {
			const struct digest_failure *g = &in->failures[k];

			if (!in_range(in, g->wall) || !same_str(g->sink, f->sink))
				continue;
			if (in->detail != DIGEST_LOW &&
			    (!same_str(g->target, f->target) || !same_str(g->error, f->error)))
				continue;
			count++;
			last = g;
		}
		if (in->detail == DIGEST_LOW)
			fprintf(c->f, " %s: %u failure%s; last at %s: %s\n", f->sink ? f->sink : "?",
				count, count == 1 ? "" : "s",
				fmt_time(t, sizeof(t), last->wall, TIME_FMT),
				last->error ? last->error : "");
		else
			fprintf(c->f, " %s%s%s: %u x %s (last at %s)\n", f->sink ? f->sink : "?",
				f->target ? " " : "", f->target ? f->target : "", count,
				f->error ? f->error : "", fmt_time(t, sizeof(t), last->wall, TIME_FMT));
	}
	if (in->detail == DIGEST_HIGH) {
		fprintf(c->f, "\n Each:\n");
		for (size_t i = 0; i < in->n_failures; i++) {
			const struct digest_failure *f = &in->failures[i];

			if (in_range(in, f->wall))
				fprintf(c->f, "    %s %s%s%s: %s\n",
					fmt_time(t, sizeof(t), f->wall, TIME_FMT),
					f->sink ? f->sink : "?", f->target ? " " : "",
					f->target ? f->target : "", f->error ? f->error : "");
		}
	}
	section_end(c, "Notification Delivery Failures");
}

static bool is_other(enum herd_event_type t)
{
	return !is_state_event(t) && t != EV_LEADER_CHANGED && t != EV_RECOVERY_STARTED &&
	       t != EV_RECOVERY_FINISHED && t != EV_IP_TAKEOVER && t != EV_IP_RELEASED;
}

static void print_other(struct ctx *c)
{
	const struct digest_input *in = c->in;
	unsigned count[EV__MAX] = { 0 };
	const struct herd_event *last[EV__MAX] = { 0 };
	bool any = false;
	char t[32];

	for (size_t i = 0; i < in->n_events; i++) {
		const struct herd_event *ev = &in->events[i];

		if (!in_range(in, ev->wall) || (int)ev->type <= 0 || ev->type >= EV__MAX ||
		    !is_other(ev->type))
			continue;
		count[ev->type]++;
		last[ev->type] = ev;
		any = true;
	}
	if (!any)
		return;
	section_begin(c, "Other Events");
	for (int ty = 1; ty < EV__MAX; ty++) {
		if (!count[ty])
			continue;
		fprintf(c->f, " %-20s %5u\n", event_type_name(ty), count[ty]);
		if (in->detail >= DIGEST_MED)
			fprintf(c->f, "    last at %s: %s%s%s\n",
				fmt_time(t, sizeof(t), last[ty]->wall, TIME_FMT), last[ty]->subject,
				last[ty]->detail[0] ? ": " : "", last[ty]->detail);
	}
	section_end(c, "Other Events");
}

static void print_counters(struct ctx *c)
{
	const struct digest_input *in = c->in;
	size_t w = 0;

	if (!in->n_counters)
		return;
	for (size_t i = 0; i < in->n_counters; i++)
		w = MAX(w, strlen(in->counters[i].name));
	section_begin(c, "Counters");
	for (size_t i = 0; i < in->n_counters; i++)
		fprintf(c->f, " %-*s %12llu\n", (int)w + 1, in->counters[i].name,
			(unsigned long long)in->counters[i].value);
	section_end(c, "Counters");
}

static void print_all(struct ctx *c)
{
	const struct digest_input *in = c->in;
	bool any = false;

	for (size_t i = 0; i < in->n_events && !any; i++)
		any = in_range(in, in->events[i].wall);
	if (!any)
		return;
	section_begin(c, "All Events");
	for (size_t i = 0; i < in->n_events; i++)
		if (in_range(in, in->events[i].wall))
			print_event(c, " ", &in->events[i], true);
	section_end(c, "All Events");
}

/* ---- entry points ------------------------------------------------------- */

int digest_write(FILE *f, const struct digest_input *in)
{
	struct ctx c = { .in = in, .f = f };

	c.end = MIN(in->range.to, in->processed);
	tally(&c);
	if (c.err == 0) {
		print_header(&c);
		print_summary(&c);
		print_node_states(&c);
		print_leader(&c);
		print_failovers(&c);
		print_monitor(&c);
		print_failures(&c);
		print_other(&c);
		print_counters(&c);
		if (in->detail == DIGEST_HIGH)
			print_all(&c);
		fprintf(f, "\n ###################### herd digest End ######################\n");
	}
	free(c.nodes);
	free(c.addrs);
	if (c.err < 0)
		return c.err;
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int digest_render(const struct digest_input *in, char **text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -ENOMEM;
	r = digest_write(f, in);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		*text = NULL;
		return r;
	}
	*text = buf;
	return 0;
}
