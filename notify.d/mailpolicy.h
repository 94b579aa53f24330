/*
 * mailpolicy.h — the email sink's decisions, as pure functions of time.
 *
 * Which events mail (a severity threshold and a set of event types, both
 * must agree), when the events waiting in memory become one mail (storm
 * coalescing: a window from the first waiting event, cut short by a full
 * batch, pushed back by the rate limit), how many mails an hour may be
 * composed (a sliding hour: never more than N in any 60 minutes; events
 * beyond it wait and are folded into the next allowed mail, never
 * dropped), and when a spooled mail that failed is tried again (doubling
 * backoff between a minimum and a maximum) or given up (expiry, counted
 * from the moment it was queued; the last try falls exactly on it).
 *
 * Nothing here reads a clock, allocates (except the rate ring), logs or
 * does I/O: every function takes `now` and returns a time in the same
 * clock. The sink (mail.c) uses the monotonic clock for coalescing and the
 * rate limit, and the wall clock for retries (they are persisted in the
 * spool and must survive a restart).
 */
#ifndef HERD_NOTIFY_MAILPOLICY_H
#define HERD_NOTIFY_MAILPOLICY_H

#include "agentd/event.h"
#include "agentd/util.h"

/* "Never": no mail due, or a spooled mail that has expired. */
#define MAILPOLICY_NEVER UINT64_MAX

/* The set of every event type (bit t for type t). */
#define MAILPOLICY_ALL_TYPES (((UINT64_C(1) << EV__MAX) - 1) & ~UINT64_C(1))

/* The largest rate limit accepted (mails per hour). */
#define MAILPOLICY_RATE_MAX 3600

/* Long enough for the longest mailpolicy_format_types() output. */
#define MAILPOLICY_TYPES_MAX 1024

struct mailpolicy {
	enum herd_severity min_severity; /* events below it do not mail */
	uint64_t types;                  /* bit t set: events of type t mail */
	usec_t coalesce;                 /* window from the first waiting event */
	unsigned max_events;             /* events per mail (>= 1); a full batch goes at once */
	unsigned rate_per_hour;          /* mails composed per sliding hour; 0: no limit */
	usec_t retry_min, retry_max;     /* first retry delay, doubling up to max */
	usec_t expiry;                   /* from queueing to failed/; 0: never */
};

/*
 * The defaults herd.conf documents: severity notice, every type, a 10 s
 * window, 1000 events per mail, 12 mails per hour, retries from 30 s
 * doubling to 30 min, expiry after 72 h.
 */
void mailpolicy_default(struct mailpolicy *p);

/* Whether an event should be mailed: its type in p->types and its severity
 * at least p->min_severity. */
bool mailpolicy_wants(const struct mailpolicy *p, const struct herd_event *ev);

/*
 * A list of event type names separated by blanks or commas: "all" (every
 * type), a name ("node-banned") adds it, "-name" or "!name" removes it;
 * read left to right ("all -link-up -link-down"). A list of removals only
 * starts from all. Returns 0, or -EINVAL (unknown name, empty list) with
 * *out untouched.
 */
int mailpolicy_parse_types(const char *text, uint64_t *out);
/* The canonical text that parses back to types: "all", "all -a -b" when
 * most are set, else "a b c". Empty set: "". */
char *mailpolicy_format_types(char *buf, size_t len, uint64_t types);

/*
 * The rate limit's memory: the times of the last `limit` mails composed.
 * A mail may go when fewer than `limit` went in the hour before it.
 */
struct mailpolicy_rate {
	usec_t *sent;                    /* ring of limit entries */
	unsigned limit, len, head;       /* head: the oldest */
};

/* limit 0: no limit (no memory). -EINVAL above MAILPOLICY_RATE_MAX, -ENOMEM. */
int mailpolicy_rate_init(struct mailpolicy_rate *r, unsigned limit);
void mailpolicy_rate_done(struct mailpolicy_rate *r);
/* A mail was composed at now. */
void mailpolicy_rate_record(struct mailpolicy_rate *r, usec_t now);
/* The earliest time >= now at which the next mail may be composed. */
usec_t mailpolicy_rate_next(const struct mailpolicy_rate *r, usec_t now);
/* Mails composed in the hour up to now. */
unsigned mailpolicy_rate_count(const struct mailpolicy_rate *r, usec_t now);

/*
 * When the `pending` events waiting in memory, the first of which arrived
 * at first, should be composed into a mail: first + coalesce, or now when
 * a full batch (max_events) waits, but never before the rate limit allows.
 * Returns a time >= now, or MAILPOLICY_NEVER when nothing waits.
 */
usec_t mailpolicy_compose_at(const struct mailpolicy *p, const struct mailpolicy_rate *r,
			     size_t pending, usec_t first, usec_t now);

/* The delay after failed attempt number `attempts` (1 is the first):
 * retry_min * 2^(attempts-1), at most retry_max. */
usec_t mailpolicy_retry_delay(const struct mailpolicy *p, unsigned attempts);

/*
 * A spooled mail queued at `queued` failed its attempt number `attempts`
 * at now: when to try again — now + the delay, but not after the expiry,
 * so that the last attempt falls on it — or MAILPOLICY_NEVER when now is
 * at or past the expiry (the mail goes to failed/).
 */
usec_t mailpolicy_retry_next(const struct mailpolicy *p, unsigned attempts, usec_t queued,
			     usec_t now);

#endif
