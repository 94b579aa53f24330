/*
 * evlog.c — the persistent event log in a TDB (see evlog.h for the layout
 * and the crash-safety modes).
 *
 * The header (first seq, next seq, count) lives in memory and in its own
 * record. Appends and prunes move first/next; the oldest record's wall
 * time is cached so that age pruning costs one fetch per dropped record
 * and none when nothing is due. Sequence numbers may have gaps (an event
 * that failed to store, a record lost in a crash): walks over missing keys
 * are cheap hash misses, and a long run of them falls back to one
 * traversal that finds the next stored key.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <tdb.h>

#include "notify.d/evlog.h"

#define HDR_KEY "evlog.header"
#define HDR_MAGIC UINT32_C(0x4845564c) /* "HEVL" */
#define HDR_VERSION 1
#define HDR_LEN 32
#define HDR_F_DIRTY 0x01

/* Missing keys walked one by one before one traversal finds the next. */
#define GAP_WALK 256

struct saved {
	uint64_t first, next, count;
	struct evlog_stats st;
};

struct evlog {
	struct tdb_context *tdb;
	enum evlog_sync sync;
	bool readonly;
	uint64_t max_count;
	usec_t max_age;
	usec_t (*clock)(void *userdata);
	void *clock_userdata;

	/* The header. */
	uint64_t first, next, count;

	/* The open transaction (ATOMIC, FULL): appends in it, state at its start. */
	bool defer;
	bool in_txn;
	size_t pending;
	struct saved txn_start;

	/* The oldest stored record's wall time, when oldest_seq == first. */
	bool oldest_known;
	uint64_t oldest_seq;
	usec_t oldest_wall;

	struct evlog_stats st;
};

/* ---- records ------------------------------------------------------------ */

static int record_push_seq(struct wbuf *w, const struct herd_event *ev, uint64_t seq)
{
	wbuf_put_u8(w, EVLOG_RECORD_VERSION);
	wbuf_put_u8(w, (uint8_t)ev->severity);
	wbuf_put_u16(w, (uint16_t)ev->type);
	wbuf_put_u64(w, seq);
	wbuf_put_u64(w, ev->wall);
	wbuf_put_u64(w, ev->mono);
	wbuf_put_u32(w, ev->node);
	wbuf_put_u32(w, ev->reporter);
	wbuf_put_str(w, ev->subject);
	wbuf_put_str(w, ev->detail);
	return wbuf_error(w);
}

int evlog_record_push(struct wbuf *w, const struct herd_event *ev)
{
	return record_push_seq(w, ev, ev->seq);
}

int evlog_record_pull(const void *data, size_t len, struct herd_event *ev)
{
	struct rbuf r;
	uint8_t version, sev;
	uint16_t type;

	memset(ev, 0, sizeof(*ev));
	rbuf_init(&r, data, len);
	rbuf_get_u8(&r, &version);
	rbuf_get_u8(&r, &sev);
	rbuf_get_u16(&r, &type);
	rbuf_get_u64(&r, &ev->seq);
	rbuf_get_u64(&r, &ev->wall);
	rbuf_get_u64(&r, &ev->mono);
	rbuf_get_u32(&r, &ev->node);
	rbuf_get_u32(&r, &ev->reporter);
	rbuf_get_str(&r, ev->subject, sizeof(ev->subject));
	rbuf_get_str(&r, ev->detail, sizeof(ev->detail));
	if (rbuf_error(&r) < 0 || version == 0 ||
	    (version == EVLOG_RECORD_VERSION && rbuf_end(&r) < 0))
		goto bad;
	if (!event_type_name(type) || sev < SEV_INFO || sev > SEV_CRITICAL)
		goto bad;
	ev->type = type;
	ev->severity = sev;
	return 0;
bad:
	memset(ev, 0, sizeof(*ev));
	return -EBADMSG;
}

static bool event_valid(const struct herd_event *ev)
{
	return event_type_name(ev->type) && ev->severity >= SEV_INFO &&
	       ev->severity <= SEV_CRITICAL &&
	       strnlen(ev->subject, sizeof(ev->subject)) < sizeof(ev->subject) &&
	       strnlen(ev->detail, sizeof(ev->detail)) < sizeof(ev->detail);
}

/* ---- TDB plumbing ------------------------------------------------------- */

static int tdb_errno(struct tdb_context *tdb)
{
	switch (tdb_error(tdb)) {
	case TDB_SUCCESS: return -EIO; /* failed without saying why */
	case TDB_ERR_CORRUPT: return -EBADMSG;
	case TDB_ERR_IO: return -EIO;
	case TDB_ERR_LOCK:
	case TDB_ERR_NOLOCK: return -ENOLCK;
	case TDB_ERR_LOCK_TIMEOUT: return -ETIMEDOUT;
	case TDB_ERR_OOM: return -ENOMEM;
	case TDB_ERR_EXISTS: return -EEXIST;
	case TDB_ERR_NOEXIST: return -ENOENT;
	case TDB_ERR_EINVAL: return -EINVAL;
	case TDB_ERR_RDONLY: return -EROFS;
	case TDB_ERR_NESTING: return -EBUSY;
	}
	return -EIO;
}

struct seqkey {
	uint8_t b[8];
};

static TDB_DATA seq_key(struct seqkey *k, uint64_t seq)
{
	buf_store_be64(k->b, seq);
	return (TDB_DATA){ .dptr = k->b, .dsize = sizeof(k->b) };
}

static TDB_DATA hdr_key(void)
{
	return (TDB_DATA){ .dptr = (unsigned char *)HDR_KEY, .dsize = sizeof(HDR_KEY) - 1 };
}

/* tdb_parse_record's answer: the parser returns one of these (never -1). */
enum { PARSED_OK = 0, PARSED_BAD = 1 };

static int parse_event(TDB_DATA key, TDB_DATA data, void *userdata)
{
	struct herd_event *ev = userdata;

	if (evlog_record_pull(data.dptr, data.dsize, ev) < 0 ||
	    ev->seq != buf_load_be64(key.dptr))
		return PARSED_BAD;
	return PARSED_OK;
}

/*
 * Read the record of seq into ev: 0, -ENOENT (no such record), -EBADMSG
 * (there, but does not decode or carries another seq), or a TDB -errno.
 */
static int read_event(struct evlog *log, uint64_t seq, struct herd_event *ev)
{
	struct seqkey k;
	int r = tdb_parse_record(log->tdb, seq_key(&k, seq), parse_event, ev);

	if (r == PARSED_OK)
		return 0;
	if (r == PARSED_BAD)
		return -EBADMSG;
	return tdb_errno(log->tdb);
}

static bool record_exists(struct evlog *log, uint64_t seq)
{
	struct seqkey k;

	return tdb_exists(log->tdb, seq_key(&k, seq));
}

/* ---- the header --------------------------------------------------------- */

struct hdr {
	uint64_t first, next, count;
	uint8_t flags;
	bool valid;
};

static int parse_hdr(TDB_DATA key, TDB_DATA data, void *userdata)
{
	struct hdr *h = userdata;
	struct rbuf r;
	uint32_t magic;
	uint8_t version;
	uint16_t reserved;

	rbuf_init(&r, data.dptr, data.dsize);
	rbuf_get_u32(&r, &magic);
	rbuf_get_u8(&r, &version);
	rbuf_get_u8(&r, &h->flags);
	rbuf_get_u16(&r, &reserved);
	rbuf_get_u64(&r, &h->first);
	rbuf_get_u64(&r, &h->next);
	rbuf_get_u64(&r, &h->count);
	h->valid = rbuf_end(&r) == 0 && magic == HDR_MAGIC && version == HDR_VERSION &&
		   h->first >= 1 && h->first <= h->next && h->count <= h->next - h->first;
	return 0;
}

static int store_hdr(struct evlog *log, bool dirty)
{
	uint8_t buf[HDR_LEN];
	struct wbuf w;

	wbuf_init_fixed(&w, buf, sizeof(buf));
	wbuf_put_u32(&w, HDR_MAGIC);
	wbuf_put_u8(&w, HDR_VERSION);
	wbuf_put_u8(&w, dirty ? HDR_F_DIRTY : 0);
	wbuf_put_u16(&w, 0);
	wbuf_put_u64(&w, log->first);
	wbuf_put_u64(&w, log->next);
	wbuf_put_u64(&w, log->count);
	if (wbuf_error(&w) < 0)
		return wbuf_error(&w);
	if (tdb_store(log->tdb, hdr_key(), (TDB_DATA){ .dptr = buf, .dsize = w.len },
		      TDB_REPLACE) < 0)
		return tdb_errno(log->tdb);
	return 0;
}

struct scan {
	uint64_t min, max, count;
	uint64_t from; /* only keys >= from count as "min" */
	uint64_t min_from;
};

static int scan_key(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data, void *userdata)
{
	struct scan *s = userdata;
	uint64_t seq;

	if (key.dsize != 8)
		return 0;
	seq = buf_load_be64(key.dptr);
	if (seq == 0)
		return 0;
	s->count++;
	s->min = MIN(s->min, seq);
	s->max = MAX(s->max, seq);
	if (seq >= s->from)
		s->min_from = MIN(s->min_from, seq);
	return 0;
}

static int scan_all(struct evlog *log, uint64_t from, struct scan *s)
{
	bool locked = !log->readonly && !log->in_txn;
	int r = 0;

	*s = (struct scan){ .min = UINT64_MAX, .from = from, .min_from = UINT64_MAX };
	/* One lock for the traversal instead of one per hash chain. */
	if (locked && tdb_lockall_read(log->tdb) < 0)
		return tdb_errno(log->tdb);
	if (tdb_traverse_read(log->tdb, scan_key, s) < 0)
		r = tdb_errno(log->tdb);
	if (locked)
		tdb_unlockall_read(log->tdb);
	return r;
}

/* The header from the records themselves: one traversal. */
static int rebuild(struct evlog *log, const struct hdr *old)
{
	struct scan s;
	int r = scan_all(log, 0, &s);

	if (r < 0)
		return r;
	log->count = s.count;
	log->next = MAX(old->valid ? old->next : 1, s.count ? s.max + 1 : 1);
	log->first = s.count ? s.min : log->next;
	log->st.rebuilt = true;
	return 0;
}

/* ---- pruning ------------------------------------------------------------ */

static usec_t log_now(const struct evlog *log)
{
	return log->clock ? log->clock(log->clock_userdata) : now_realtime();
}

/*
 * Make log->first the oldest stored record and cache its wall time.
 * Returns 0, -ENOENT when no record is left, or a TDB -errno.
 */
static int load_oldest(struct evlog *log)
{
	struct herd_event ev;
	unsigned misses = 0;
	struct scan s;
	int r;

	if (log->oldest_known && log->oldest_seq == log->first)
		return 0;
	log->oldest_known = false;
	while (log->first < log->next) {
		r = read_event(log, log->first, &ev);
		if (r == 0 || r == -EBADMSG) {
			/* A corrupt oldest record has no age: the age bound drops it. */
			if (r == -EBADMSG)
				log->st.corrupt++;
			log->oldest_known = true;
			log->oldest_seq = log->first;
			log->oldest_wall = r == 0 ? ev.wall : 0;
			return 0;
		}
		if (r != -ENOENT)
			return r;
		log->first++;
		if (++misses < GAP_WALK)
			continue;
		r = scan_all(log, log->first, &s);
		if (r < 0)
			return r;
		log->first = s.min_from == UINT64_MAX ? log->next : MIN(s.min_from, log->next);
		misses = 0;
	}
	return -ENOENT;
}

static int drop_oldest(struct evlog *log)
{
	struct seqkey k;

	if (tdb_delete(log->tdb, seq_key(&k, log->first)) < 0 &&
	    tdb_error(log->tdb) != TDB_ERR_NOEXIST)
		return tdb_errno(log->tdb);
	log->first++;
	log->count--;
	log->oldest_known = false;
	return 0;
}

/*
 * Drop the oldest records while over max_count, and those older than
 * max_age, at most age_budget of the latter (SIZE_MAX: all).
 */
static int prune(struct evlog *log, size_t age_budget)
{
	usec_t now = log->max_age ? log_now(log) : 0;
	int r;

	for (;;) {
		bool over = log->max_count && log->count > log->max_count;

		if (log->count == 0) {
			log->first = log->next;
			return 0;
		}
		if (!over && (!log->max_age || age_budget == 0 || now < log->max_age))
			return 0;
		r = load_oldest(log);
		if (r == -ENOENT) { /* the header counted records that are gone */
			log->count = 0;
			log->first = log->next;
			return 0;
		}
		if (r < 0)
			return r;
		if (!over) {
			if (log->oldest_wall >= now - log->max_age)
				return 0;
			age_budget--;
		}
		r = drop_oldest(log);
		if (r < 0)
			return r;
		if (over)
			log->st.pruned_count++;
		else
			log->st.pruned_age++;
	}
}

/* ---- changes ----------------------------------------------------------- */

/*
 * ATOMIC and FULL change the TDB inside a transaction: one per append, or
 * (defer_commit) one left open across appends until evlog_commit() or
 * EVLOG_COMMIT_MAX of them. NONE stores directly.
 */
static void save(const struct evlog *log, struct saved *sv)
{
	*sv = (struct saved){ log->first, log->next, log->count, log->st };
}

static void restore(struct evlog *log, const struct saved *sv)
{
	log->first = sv->first;
	log->next = sv->next;
	log->count = sv->count;
	log->st = sv->st;
	log->oldest_known = false;
}

static int txn_begin(struct evlog *log)
{
	if (log->sync == EVLOG_SYNC_NONE || log->in_txn)
		return 0;
	if (tdb_transaction_start(log->tdb) < 0)
		return tdb_errno(log->tdb);
	log->in_txn = true;
	save(log, &log->txn_start);
	return 0;
}

/*
 * Throw the open transaction away (cancel: it is still open; a failed
 * commit has cancelled it): the TDB and the header as at its start.
 */
static void txn_rollback(struct evlog *log, bool cancel)
{
	uint64_t lost = log->pending;

	if (!log->in_txn)
		return;
	if (cancel)
		tdb_transaction_cancel(log->tdb);
	log->in_txn = false;
	log->pending = 0;
	restore(log, &log->txn_start);
	log->st.lost += lost;
}

static int txn_commit(struct evlog *log)
{
	int r;

	if (!log->in_txn)
		return 0;
	r = store_hdr(log, false);
	if (r < 0) {
		txn_rollback(log, true);
		return r;
	}
	if (tdb_transaction_commit(log->tdb) < 0) {
		r = tdb_errno(log->tdb);
		txn_rollback(log, false);
		return r;
	}
	log->in_txn = false;
	log->pending = 0;
	return 0;
}

/* Finish a change of n appends that returned r so far. */
static int change_end(struct evlog *log, const struct saved *sv, size_t n, int r)
{
	if (log->sync == EVLOG_SYNC_NONE) {
		if (r < 0) /* what was stored is found again at the next open */
			restore(log, sv);
		return r;
	}
	if (r < 0) {
		txn_rollback(log, true);
		return r;
	}
	log->pending += n;
	if (!log->defer || log->pending >= EVLOG_COMMIT_MAX)
		return txn_commit(log);
	return 0;
}

int evlog_commit(struct evlog *log)
{
	return txn_commit(log);
}

size_t evlog_pending(const struct evlog *log)
{
	return log->pending;
}

/* Store ev under seq (ev->seq, or the next one when 0); ev is not changed. */
static int store_one(struct evlog *log, const struct herd_event *ev)
{
	uint8_t buf[EVLOG_RECORD_MAX];
	uint64_t seq = ev->seq ? ev->seq : log->next;
	struct seqkey k;
	struct wbuf w;
	int r;

	if (seq < log->next)
		return -ERANGE;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	r = record_push_seq(&w, ev, seq);
	if (r < 0)
		return r;
	if (tdb_store(log->tdb, seq_key(&k, seq), (TDB_DATA){ .dptr = buf, .dsize = w.len },
		      TDB_REPLACE) < 0)
		return tdb_errno(log->tdb);
	if (log->count == 0)
		log->first = seq;
	log->next = seq + 1;
	log->count++;
	log->st.appended++;
	return 0;
}

int evlog_append_batch(struct evlog *log, struct herd_event *ev, size_t n)
{
	struct saved sv;
	uint64_t next;
	int r = 0;

	if (log->readonly)
		return -EROFS;
	/* Refuse a bad batch before touching anything (an open one included). */
	next = log->next;
	for (size_t i = 0; i < n; i++) {
		uint64_t seq = ev[i].seq ? ev[i].seq : next;

		if (!event_valid(&ev[i]))
			return -EINVAL;
		if (seq < next)
			return -ERANGE;
		next = seq + 1;
	}
	save(log, &sv);
	r = txn_begin(log);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++)
		r = store_one(log, &ev[i]);
	if (r >= 0)
		r = prune(log, EVLOG_PRUNE_BUDGET);
	r = change_end(log, &sv, n, r);
	if (r < 0)
		return r;
	/* Stored: tell the caller the numbers the events got. */
	next = sv.next;
	for (size_t i = 0; i < n; i++) {
		if (!ev[i].seq)
			ev[i].seq = next;
		next = ev[i].seq + 1;
	}
	return 0;
}

int evlog_append(struct evlog *log, struct herd_event *ev)
{
	return evlog_append_batch(log, ev, 1);
}

int evlog_prune(struct evlog *log)
{
	struct saved sv;
	int r;

	if (log->readonly)
		return -EROFS;
	save(log, &sv);
	r = txn_begin(log);
	if (r < 0)
		return r;
	return change_end(log, &sv, 0, prune(log, SIZE_MAX));
}

/* ---- open and close ----------------------------------------------------- */

/* A prime hash size near a quarter of the bound: chains of about 4. */
static int hash_size(uint64_t max_count)
{
	static const int primes[] = { 131, 1031, 4099, 16411, 65537 };

	if (max_count == 0)
		return 16411;
	for (size_t i = 0; i < ARRAY_SIZE(primes); i++)
		if ((uint64_t)primes[i] * 4 >= max_count)
			return primes[i];
	return primes[ARRAY_SIZE(primes) - 1];
}

/* Undo a half-done open: no header write. */
static void evlog_abort(struct evlog **p)
{
	if (!*p)
		return;
	if ((*p)->tdb)
		tdb_close((*p)->tdb);
	free(*p);
}

int evlog_open(const struct evlog_config *cf, struct evlog **ret)
{
	_cleanup_(evlog_abort) struct evlog *log = NULL;
	struct hdr h = { 0 };
	int tflags = TDB_INCOMPATIBLE_HASH, r;

	if (!cf->path || !cf->path[0])
		return -EINVAL;
	log = calloc(1, sizeof(*log));
	if (!log)
		return -ENOMEM;
	log->sync = cf->sync;
	log->readonly = cf->readonly;
	log->max_count = cf->max_count;
	log->max_age = cf->max_age;
	log->clock = cf->clock;
	log->clock_userdata = cf->clock_userdata;
	log->defer = cf->defer_commit;
	if (cf->sync != EVLOG_SYNC_FULL)
		tflags |= TDB_NOSYNC;
	errno = 0;
	log->tdb = tdb_open(cf->path, hash_size(cf->max_count), tflags,
			    (cf->readonly ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0600);
	if (!log->tdb)
		return errno ? -errno : -EIO;

	if (tdb_parse_record(log->tdb, hdr_key(), parse_hdr, &h) < 0 &&
	    tdb_error(log->tdb) != TDB_ERR_NOEXIST)
		return tdb_errno(log->tdb);
	if (h.valid && !(h.flags & HDR_F_DIRTY)) {
		log->first = h.first;
		log->next = h.next;
		log->count = h.count;
	} else {
		r = rebuild(log, &h);
		if (r < 0)
			return r;
	}
	/* Belt and braces: never hand out a seq that is stored already. */
	while (record_exists(log, log->next)) {
		log->next++;
		log->count++;
	}
	if (!log->readonly) {
		if (log->sync == EVLOG_SYNC_NONE) {
			r = store_hdr(log, true);
			if (r < 0)
				return r;
		}
		r = evlog_prune(log);
		if (r >= 0)
			r = txn_commit(log);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(log);
	return 0;
}

void evlog_close(struct evlog *log)
{
	if (!log)
		return;
	if (log->tdb) {
		(void)txn_commit(log);
		/* NONE: the clean header; the others keep theirs current. */
		if (!log->readonly && log->sync == EVLOG_SYNC_NONE)
			(void)store_hdr(log, false);
		tdb_close(log->tdb);
	}
	free(log);
}

void evlog_set_limits(struct evlog *log, uint64_t max_count, usec_t max_age)
{
	log->max_count = max_count;
	log->max_age = max_age;
}

uint64_t evlog_next_seq(const struct evlog *log)
{
	return log->next;
}

void evlog_get_stats(const struct evlog *log, struct evlog_stats *st)
{
	*st = log->st;
	st->pending = log->pending;
	st->first_seq = log->first;
	st->next_seq = log->next;
	st->count = log->count;
}

/* ---- reads -------------------------------------------------------------- */

static bool match(const struct evlog_filter *f, const struct herd_event *ev)
{
	if (f->since_wall && ev->wall < f->since_wall)
		return false;
	if (f->until_wall && ev->wall >= f->until_wall)
		return false;
	if (f->type && (int)ev->type != f->type)
		return false;
	if (f->by_node && ev->node != f->node)
		return false;
	return true;
}

/*
 * Visit matching records from..to-1 oldest first (forward) or newest first
 * (!forward), at most limit (0: all). fn's contract is evlog_foreach's.
 */
static int scan_range(struct evlog *log, const struct evlog_filter *f, bool forward,
		      evlog_visit_fn fn, void *userdata)
{
	uint64_t from = MAX(log->first, f->since_seq), to = log->next;
	struct herd_event ev;
	size_t seen = 0;
	bool locked;
	int r = 0;

	if (from >= to)
		return 0;
	/*
	 * One read lock for the whole scan instead of a lock per record (a
	 * read-only TDB does no locking: it reads as it goes).
	 */
	locked = !log->readonly && !log->in_txn;
	if (locked && tdb_lockall_read(log->tdb) < 0)
		return tdb_errno(log->tdb);
	for (uint64_t i = 0; i < to - from; i++) {
		uint64_t seq = forward ? from + i : to - 1 - i;

		r = read_event(log, seq, &ev);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r == -EBADMSG) {
			log->st.corrupt++;
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		if (!match(f, &ev))
			continue;
		r = fn(&ev, userdata);
		if (r != 0 || (f->limit && ++seen >= f->limit))
			break;
	}
	if (locked)
		tdb_unlockall_read(log->tdb);
	return r < 0 ? r : 0;
}

struct collect {
	struct herd_event *ev;
	size_t n, cap;
};

static int collect_one(const struct herd_event *ev, void *userdata)
{
	struct collect *c = userdata;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct herd_event *p = reallocarray(c->ev, ncap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->ev = p;
		c->cap = ncap;
	}
	c->ev[c->n++] = *ev;
	return 0;
}

/* The newest f->limit matches, oldest first, into c. */
static int collect_newest(struct evlog *log, const struct evlog_filter *f, struct collect *c)
{
	int r = scan_range(log, f, false, collect_one, c);

	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n / 2; i++) {
		struct herd_event t = c->ev[i];

		c->ev[i] = c->ev[c->n - 1 - i];
		c->ev[c->n - 1 - i] = t;
	}
	return 0;
}

int evlog_foreach(struct evlog *log, const struct evlog_filter *f, evlog_visit_fn fn,
		  void *userdata)
{
	static const struct evlog_filter all;
	struct collect c = { 0 };
	int r;

	if (!f)
		f = &all;
	if (!(f->newest && f->limit))
		return scan_range(log, f, true, fn, userdata);
	r = collect_newest(log, f, &c);
	for (size_t i = 0; r >= 0 && i < c.n; i++) {
		r = fn(&c.ev[i], userdata);
		if (r != 0)
			break;
	}
	free(c.ev);
	return r < 0 ? r : 0;
}

int evlog_query(struct evlog *log, const struct evlog_filter *f, struct herd_event **ret,
		size_t *n)
{
	static const struct evlog_filter all;
	struct collect c = { 0 };
	int r;

	if (!f)
		f = &all;
	if (f->newest && f->limit)
		r = collect_newest(log, f, &c);
	else
		r = scan_range(log, f, true, collect_one, &c);
	if (r < 0) {
		free(c.ev);
		*ret = NULL;
		*n = 0;
		return r;
	}
	*ret = c.ev;
	*n = c.n;
	return 0;
}

int evlog_after(struct evlog *log, uint64_t after, size_t max, struct herd_event **ret,
		size_t *n)
{
	struct evlog_filter f = { .since_seq = after + 1, .limit = max };

	if (after == UINT64_MAX) {
		*ret = NULL;
		*n = 0;
		return 0;
	}
	return evlog_query(log, &f, ret, n);
}
