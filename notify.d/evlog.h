/*
 * evlog.h — the persistent event log: every event herdd emits, kept in a
 * TDB under the state dir, bounded by count and age, across restarts.
 *
 * Layout (tdbdump shows it): one record per event, keyed by its sequence
 * number as 8 big-endian bytes, and one header record (key "evlog.header")
 * holding the first and next sequence numbers and the record count. Events
 * are versioned binary records (evlog_record_push/pull below, explicit
 * big-endian through agentd/buf.h, every field length-checked on read): a
 * record that fails to decode is skipped and counted, never trusted.
 *
 * What it decides: which records fall out (the oldest first, by count and
 * by age, a bounded amount of work per append: no scan), and where the
 * sequence continues after a restart (evlog_next_seq: the last stored
 * seq + 1; herdd starts its own numbering there).
 *
 * Crash safety, by mode (struct evlog_config.sync):
 *   EVLOG_SYNC_ATOMIC (default) appends (records, prunes, header) go into a
 *       TDB transaction opened with TDB_NOSYNC: a herdd crash or kill at any
 *       point leaves the log as it was at the last commit, never between;
 *       a power loss may lose the last commits (the kernel writes them out).
 *   EVLOG_SYNC_FULL  the same transactions, fsync'ed at commit: durable,
 *       and about as fast as the disk's fsync.
 *   EVLOG_SYNC_NONE  plain tdb_store per record, no transaction; the header
 *       is written at open (marked dirty) and at a clean close, and a dirty
 *       header is rebuilt with one traversal at the next open. A crash in
 *       the middle of a store may damage that record's hash chain.
 *
 * Commits: without defer_commit each append is its own transaction (a few
 * hundred a second: a TDB commit re-maps the file). With defer_commit the
 * transaction stays open across appends until evlog_commit() or
 * EVLOG_COMMIT_MAX appends: herdd's glue appends from herdd_emit and
 * commits from an sd-event defer source, so a burst of events in one loop
 * iteration is one commit, and a crash loses at most the events of the
 * iteration it happened in. Reads see uncommitted appends.
 *
 * It does not: talk to peers (the leader's view of cluster events is the
 * glue's business), parse time ranges (digest.h), or log. Not thread-safe;
 * one process (herdd) opens it read-write. Every call returns 0 or -errno.
 */
#ifndef HERD_NOTIFY_EVLOG_H
#define HERD_NOTIFY_EVLOG_H

#include "agentd/buf.h"
#include "agentd/event.h"
#include "agentd/util.h"

/* The record format this code writes. */
#define EVLOG_RECORD_VERSION 1
/* Largest encoded record (v1). */
#define EVLOG_RECORD_MAX \
	(1 + 1 + 2 + 8 * 3 + 4 * 2 + 2 + (EVENT_SUBJECT_MAX - 1) + 2 + (EVENT_DETAIL_MAX - 1))

/* Pruning work an append does at most (records dropped by age). */
#define EVLOG_PRUNE_BUDGET 8
/* Appends an open transaction takes before it commits by itself. */
#define EVLOG_COMMIT_MAX 1024

enum evlog_sync {
	EVLOG_SYNC_ATOMIC = 0,
	EVLOG_SYNC_FULL,
	EVLOG_SYNC_NONE,
};

struct evlog_config {
	const char *path;       /* the TDB file, e.g. "<state dir>/events.tdb" */
	uint64_t max_count;     /* keep at most this many events; 0: no bound */
	usec_t max_age;         /* drop events older than this (wall); 0: no bound */
	enum evlog_sync sync;
	bool defer_commit;      /* keep the transaction open until evlog_commit() */
	/*
	 * O_RDONLY, for an offline tool reading a copy or a stopped herdd's
	 * log (a read-only TDB takes no locks): no appends, no pruning.
	 */
	bool readonly;
	/* Wall clock for age pruning (tests inject one); NULL: now_realtime(). */
	usec_t (*clock)(void *userdata);
	void *clock_userdata;
};

struct evlog_stats {
	uint64_t first_seq;     /* oldest seq that may be stored */
	uint64_t next_seq;      /* seq the next append gets */
	uint64_t count;         /* records stored */
	uint64_t appended;      /* since open */
	uint64_t pruned_count;  /* dropped by the count bound, since open */
	uint64_t pruned_age;    /* dropped by the age bound, since open */
	uint64_t corrupt;       /* records skipped on read because they did not decode */
	uint64_t lost;          /* appends rolled back by a failed commit, since open */
	size_t pending;         /* appends in the open transaction */
	bool rebuilt;           /* the header was rebuilt from the records at open */
};

struct evlog;

/*
 * Open (creating when missing, unless readonly) the log at cf->path, with a
 * hash size picked from max_count, and prune what the bounds already
 * exclude. Returns 0 and *ret, -ENOENT (readonly and missing), or another
 * -errno from open or TDB.
 */
int evlog_open(const struct evlog_config *cf, struct evlog **ret);
/* Commit, write a clean header (NONE) and close. Accepts NULL. */
void evlog_close(struct evlog *log);

/* New bounds (a configuration reload); the next append or evlog_prune applies them. */
void evlog_set_limits(struct evlog *log, uint64_t max_count, usec_t max_age);

/* The seq the next append gets: 1 for a new log, else the last stored + 1. */
uint64_t evlog_next_seq(const struct evlog *log);
void evlog_get_stats(const struct evlog *log, struct evlog_stats *st);

/*
 * Store ev. ev->seq 0 takes evlog_next_seq() (and ev->seq is set to it);
 * otherwise ev->seq must be >= evlog_next_seq() (a gap is allowed: an event
 * that failed to store) or -ERANGE. Then drops the oldest records while
 * over max_count, and at most EVLOG_PRUNE_BUDGET more that are older than
 * max_age. Returns 0, -EROFS, -ERANGE, -EINVAL (unknown type or severity:
 * nothing changed then), or an -errno from TDB: then the open transaction
 * is rolled back, this append and any uncommitted before it are lost
 * (stats.lost counts them) and the log is as at the last commit.
 */
int evlog_append(struct evlog *log, struct herd_event *ev);
/* The same for n events (ATOMIC, FULL: all or none; seqs set on success). */
int evlog_append_batch(struct evlog *log, struct herd_event *ev, size_t n);
/*
 * Commit the open transaction, if any (defer_commit). Returns 0 or a TDB
 * -errno; on failure the uncommitted appends are lost (stats.lost).
 */
int evlog_commit(struct evlog *log);
/* Appends not committed yet: the glue schedules evlog_commit() when > 0. */
size_t evlog_pending(const struct evlog *log);
/* Drop everything the bounds exclude, without a budget (a timer's job). */
int evlog_prune(struct evlog *log);

/*
 * Which events a read returns; all-zero means every event, oldest first.
 * Sequence order is the log's order; since_wall/until_wall filter each
 * record by its wall time (clocks step, so they do not end a scan).
 */
struct evlog_filter {
	uint64_t since_seq;     /* seq >= since_seq (0: from the oldest) */
	usec_t since_wall;      /* wall >= since_wall (0: any) */
	usec_t until_wall;      /* wall < until_wall (0: any) */
	int type;               /* an enum herd_event_type (0: any) */
	bool by_node;           /* only events about node (PNN_NONE: cluster events) */
	uint32_t node;
	size_t limit;           /* at most this many (0: no limit) */
	bool newest;            /* with limit: the newest ones (still returned oldest first) */
};

/*
 * Call fn for each matching event, oldest first. fn returns 0 to go on, > 0
 * to stop (evlog_foreach then returns 0) or < 0 to stop with that error;
 * it must not change the log. Records that do not decode are skipped and
 * counted (stats.corrupt).
 */
typedef int (*evlog_visit_fn)(const struct herd_event *ev, void *userdata);
int evlog_foreach(struct evlog *log, const struct evlog_filter *f, evlog_visit_fn fn,
		  void *userdata);

/*
 * The matching events as a malloc'ed array, oldest first (*ret NULL and *n
 * 0 when none). The caller frees *ret. Returns 0, -ENOMEM or a TDB -errno.
 */
int evlog_query(struct evlog *log, const struct evlog_filter *f, struct herd_event **ret,
		size_t *n);

/*
 * For follow (-f): the events with seq > after, oldest first, at most max
 * (0: no limit). Poll with the last seq seen; returns what evlog_query does.
 */
int evlog_after(struct evlog *log, uint64_t after, size_t max, struct herd_event **ret,
		size_t *n);

/*
 * The record format (exposed for tests, tools and a future replication):
 *   u8 version (1), u8 severity, u16 type, u64 seq, u64 wall, u64 mono,
 *   u32 node, u32 reporter, str subject, str detail       (str: u16 + bytes)
 * A newer version only appends fields: a reader takes the fields it knows
 * and ignores the rest; version 0 is invalid. Pull checks every length,
 * type and severity ranges and that strings fit; -EBADMSG otherwise.
 */
int evlog_record_push(struct wbuf *w, const struct herd_event *ev);
int evlog_record_pull(const void *data, size_t len, struct herd_event *ev);

#endif
