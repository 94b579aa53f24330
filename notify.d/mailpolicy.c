/*
 * mailpolicy.c — which events mail, when a mail is composed, when a failed
 * one is tried again. Pure: see mailpolicy.h.
 */
#include "notify.d/mailpolicy.h"

#include <assert.h>
#include <stdio.h>

static_assert(EV__MAX < 64, "event types must fit a uint64_t mask");

#define HOUR (3600 * USEC_PER_SEC)

void mailpolicy_default(struct mailpolicy *p)
{
	*p = (struct mailpolicy){
		.min_severity = SEV_NOTICE,
		.types = MAILPOLICY_ALL_TYPES,
		.coalesce = 10 * USEC_PER_SEC,
		.max_events = 1000,
		.rate_per_hour = 12,
		.retry_min = 30 * USEC_PER_SEC,
		.retry_max = 30 * 60 * USEC_PER_SEC,
		.expiry = 72 * HOUR,
	};
}

bool mailpolicy_wants(const struct mailpolicy *p, const struct herd_event *ev)
{
	if ((int)ev->type <= 0 || ev->type >= EV__MAX)
		return false;
	if (!(p->types & (UINT64_C(1) << ev->type)))
		return false;
	return ev->severity >= p->min_severity;
}

int mailpolicy_parse_types(const char *text, uint64_t *out)
{
	uint64_t set = 0;
	bool any = false, first = true;
	const char *s = text;

	for (;;) {
		char word[64];
		size_t n;
		bool remove = false;
		int t;

		s += strspn(s, " \t,");
		if (!*s)
			break;
		n = strcspn(s, " \t,");
		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, s, n);
		word[n] = '\0';
		s += n;
		any = true;
		if (word[0] == '-' || word[0] == '!') {
			remove = true;
			/* A list that starts by removing starts from all. */
			if (first)
				set = MAILPOLICY_ALL_TYPES;
		}
		first = false;
		if (streq(word + remove, "all")) {
			set = remove ? 0 : MAILPOLICY_ALL_TYPES;
			continue;
		}
		t = event_type_from_name(word + remove);
		if (t < 0)
			return -EINVAL;
		if (remove)
			set &= ~(UINT64_C(1) << t);
		else
			set |= UINT64_C(1) << t;
	}
	if (!any)
		return -EINVAL;
	*out = set;
	return 0;
}

char *mailpolicy_format_types(char *buf, size_t len, uint64_t types)
{
	unsigned set = 0, all = 0;
	size_t off = 0;
	bool negate;

	types &= MAILPOLICY_ALL_TYPES;
	for (int t = 1; t < EV__MAX; t++) {
		all++;
		if (types & (UINT64_C(1) << t))
			set++;
	}
	if (len)
		buf[0] = '\0';
	negate = set * 2 > all;
	if (negate)
		off += (size_t)snprintf(buf, len, "all");
	for (int t = 1; t < EV__MAX; t++) {
		bool in = types & (UINT64_C(1) << t);

		if (in == negate)
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s%s", off ? " " : "",
						negate ? "-" : "", event_type_name(t));
	}
	return buf;
}

int mailpolicy_rate_init(struct mailpolicy_rate *r, unsigned limit)
{
	*r = (struct mailpolicy_rate){ .limit = limit };
	if (limit > MAILPOLICY_RATE_MAX)
		return -EINVAL;
	if (limit == 0)
		return 0;
	r->sent = calloc(limit, sizeof(*r->sent));
	return r->sent ? 0 : -ENOMEM;
}

void mailpolicy_rate_done(struct mailpolicy_rate *r)
{
	free(r->sent);
	*r = (struct mailpolicy_rate){ 0 };
}

void mailpolicy_rate_record(struct mailpolicy_rate *r, usec_t now)
{
	if (r->limit == 0)
		return;
	if (r->len < r->limit) {
		r->sent[(r->head + r->len) % r->limit] = now;
		r->len++;
	} else {
		r->sent[r->head] = now;
		r->head = (r->head + 1) % r->limit;
	}
}

usec_t mailpolicy_rate_next(const struct mailpolicy_rate *r, usec_t now)
{
	usec_t allowed;

	if (r->limit == 0 || r->len < r->limit)
		return now;
	/* The oldest of the last `limit` mails must be an hour old. */
	allowed = r->sent[r->head] + HOUR;
	return MAX(allowed, now);
}

unsigned mailpolicy_rate_count(const struct mailpolicy_rate *r, usec_t now)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->len; i++) {
		usec_t t = r->sent[(r->head + i) % r->limit];

		if (t + HOUR > now)
			n++;
	}
	return n;
}

/* a + b, saturating at MAILPOLICY_NEVER - 1 (NEVER means something). */
static usec_t add_sat(usec_t a, usec_t b)
{
	if (a >= MAILPOLICY_NEVER - 1 - b)
		return MAILPOLICY_NEVER - 1;
	return a + b;
}

usec_t mailpolicy_compose_at(const struct mailpolicy *p, const struct mailpolicy_rate *r,
			     size_t pending, usec_t first, usec_t now)
{
	usec_t due;

	if (pending == 0)
		return MAILPOLICY_NEVER;
	if (pending >= MAX(p->max_events, 1u))
		due = now;
	else
		due = MAX(add_sat(first, p->coalesce), now);
	return MAX(due, mailpolicy_rate_next(r, now));
}

usec_t mailpolicy_retry_delay(const struct mailpolicy *p, unsigned attempts)
{
	usec_t d = p->retry_min, cap = MAX(p->retry_max, p->retry_min);

	for (unsigned i = 1; i < attempts && d < cap; i++)
		d = d > cap / 2 ? cap : d * 2;
	return MIN(d, cap);
}

usec_t mailpolicy_retry_next(const struct mailpolicy *p, unsigned attempts, usec_t queued,
			     usec_t now)
{
	usec_t next = add_sat(now, mailpolicy_retry_delay(p, attempts));
	usec_t deadline;

	if (p->expiry == 0)
		return next;
	deadline = add_sat(queued, p->expiry);
	if (now >= deadline)
		return MAILPOLICY_NEVER;
	return MIN(next, deadline);
}
