/*
 * Unit tests: notify.d/evlog.c — the persistent event log, against real
 * TDB files in a temporary directory. Ages are driven by an injected clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <tdb.h>

#include "agentd/state.h"
#include "notify.d/evlog.h"

static char dir[64];
static char path[128];
static usec_t fake_now;

static usec_t fake_clock(void *userdata)
{
	return fake_now;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_evlog.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events.tdb", dir);
	fake_now = 1700000000 * USEC_PER_SEC;
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static struct evlog_config config(enum evlog_sync sync, uint64_t max_count, usec_t max_age)
{
	return (struct evlog_config){
		.path = path,
		.max_count = max_count,
		.max_age = max_age,
		.sync = sync,
		.clock = fake_clock,
	};
}

static struct evlog *open_log(enum evlog_sync sync, uint64_t max_count, usec_t max_age)
{
	struct evlog_config cf = config(sync, max_count, max_age);
	struct evlog *log = NULL;

	assert_int_equal(evlog_open(&cf, &log), 0);
	assert_non_null(log);
	return log;
}

/* Event i: types, nodes and walls vary with i so that filters have work. */
static struct herd_event mkev(unsigned i)
{
	static const enum herd_event_type types[] = { EV_UNHEALTHY, EV_HEALTHY, EV_IP_TAKEOVER };
	struct herd_event ev = {
		.wall = fake_now,
		.mono = 1000 + i,
		.node = i % 4 == 3 ? PNN_NONE : i % 4,
		.reporter = 0,
		.type = types[i % 3],
	};

	ev.severity = event_type_severity(ev.type);
	snprintf(ev.subject, sizeof(ev.subject), "subject %u", i);
	snprintf(ev.detail, sizeof(ev.detail), "detail of event %u", i);
	return ev;
}

static void append_n(struct evlog *log, unsigned from, unsigned n)
{
	for (unsigned i = from; i < from + n; i++) {
		struct herd_event ev = mkev(i);

		assert_int_equal(evlog_append(log, &ev), 0);
		fake_now += USEC_PER_SEC;
	}
}

static void expect_seqs(struct evlog *log, const struct evlog_filter *f, const uint64_t *want,
			size_t nwant)
{
	struct herd_event *ev;
	size_t n;

	assert_int_equal(evlog_query(log, f, &ev, &n), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ev[i].seq, want[i]);
	free(ev);
}

/* ---- the record format -------------------------------------------------- */

static void test_record_round_trip(void **state)
{
	struct herd_event ev = mkev(7), back;
	uint8_t buf[EVLOG_RECORD_MAX];
	struct wbuf w;

	ev.seq = 42;
	memset(ev.detail, 'x', sizeof(ev.detail) - 1);
	ev.detail[sizeof(ev.detail) - 1] = 0;
	memset(ev.subject, 's', sizeof(ev.subject) - 1);
	ev.subject[sizeof(ev.subject) - 1] = 0;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(evlog_record_push(&w, &ev), 0);
	assert_int_equal(w.len, EVLOG_RECORD_MAX); /* the bound is exact */
	assert_int_equal(evlog_record_pull(buf, w.len, &back), 0);
	assert_memory_equal(&ev, &back, sizeof(ev));

	/* Every truncation is refused, never read past. */
	for (size_t len = 0; len < w.len; len++)
		assert_int_equal(evlog_record_pull(buf, len, &back), -EBADMSG);
}

static void test_record_corrupt(void **state)
{
	struct herd_event ev = mkev(1), back;
	uint8_t buf[EVLOG_RECORD_MAX + 16], bad[sizeof(buf)];
	struct wbuf w;
	size_t len;

	ev.seq = 9;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(evlog_record_push(&w, &ev), 0);
	len = w.len;

	static const struct {
		size_t off;
		uint8_t val;
		const char *what;
	} cases[] = {
		{ 0, 0, "version 0" },
		{ 1, 0, "severity 0" },
		{ 1, 9, "severity 9" },
		{ 2, 0xff, "type 0xff.." },
		{ 3, 0, "type 0" },
		{ 36, 0xff, "subject length past the end" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(bad, buf, len);
		bad[cases[i].off] = cases[i].val;
		if (cases[i].off == 2)
			bad[3] = 0xff;
		assert_int_equal(evlog_record_pull(bad, len, &back), -EBADMSG);
		assert_int_equal(back.seq, 0); /* nothing half-read is handed out */
	}
	/* A NUL inside the subject. */
	memcpy(bad, buf, len);
	bad[38] = 0;
	assert_int_equal(evlog_record_pull(bad, len, &back), -EBADMSG);
	/* v1 with trailing bytes is corrupt; v2 may append fields. */
	memcpy(bad, buf, len);
	bad[len] = 0xaa;
	assert_int_equal(evlog_record_pull(bad, len + 1, &back), -EBADMSG);
	bad[0] = 2;
	assert_int_equal(evlog_record_pull(bad, len + 1, &back), 0);
	assert_string_equal(back.subject, "subject 1");
}

/* ---- append, read, filters --------------------------------------------- */

static void test_append_and_filters(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	usec_t t0 = fake_now;
	struct herd_event *ev;
	size_t n;

	assert_int_equal(evlog_next_seq(log), 1);
	expect_seqs(log, NULL, NULL, 0);
	append_n(log, 0, 12);
	assert_int_equal(evlog_next_seq(log), 13);

	assert_int_equal(evlog_query(log, NULL, &ev, &n), 0);
	assert_int_equal(n, 12);
	for (size_t i = 0; i < n; i++) {
		struct herd_event want = mkev((unsigned)i);

		want.seq = i + 1;
		want.wall = t0 + i * USEC_PER_SEC;
		assert_memory_equal(&ev[i], &want, sizeof(want));
	}
	free(ev);

	/* Table of filters: seqs 1..12, types cycle U,H,T, nodes 0,1,2,NONE. */
	static const struct {
		struct evlog_filter f;
		uint64_t want[12];
		size_t n;
	} cases[] = {
		{ { .since_seq = 10 }, { 10, 11, 12 }, 3 },
		{ { .type = EV_IP_TAKEOVER }, { 3, 6, 9, 12 }, 4 },
		{ { .by_node = true, .node = 1 }, { 2, 6, 10 }, 3 },
		{ { .by_node = true, .node = PNN_NONE }, { 4, 8, 12 }, 3 },
		{ { .type = EV_UNHEALTHY, .by_node = true, .node = 0 }, { 1 }, 1 },
		{ { .limit = 2 }, { 1, 2 }, 2 },
		{ { .limit = 2, .newest = true }, { 11, 12 }, 2 },
		{ { .limit = 2, .newest = true, .type = EV_HEALTHY }, { 8, 11 }, 2 },
		{ { .newest = true }, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 12 },
		{ { .since_seq = 99 }, { 0 }, 0 },
		{ { .type = EV_SHUTDOWN }, { 0 }, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_seqs(log, &cases[i].f, cases[i].want, cases[i].n);

	/* Wall-time filters: [t0 + 3s, t0 + 6s) is seqs 4..6. */
	struct evlog_filter f = { .since_wall = t0 + 3 * USEC_PER_SEC,
				  .until_wall = t0 + 6 * USEC_PER_SEC };
	expect_seqs(log, &f, (const uint64_t[]){ 4, 5, 6 }, 3);

	/* Follow: events after a seq, in pages. */
	assert_int_equal(evlog_after(log, 9, 2, &ev, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].seq, 10);
	assert_int_equal(ev[1].seq, 11);
	free(ev);
	assert_int_equal(evlog_after(log, 12, 0, &ev, &n), 0);
	assert_int_equal(n, 0);
	assert_null(ev);
	evlog_close(log);
}

static int stop_at_third(const struct herd_event *ev, void *userdata)
{
	unsigned *calls = userdata;

	return ++*calls == 3 ? 1 : 0;
}

static int fail_at_second(const struct herd_event *ev, void *userdata)
{
	unsigned *calls = userdata;

	return ++*calls == 2 ? -EIO : 0;
}

static void test_foreach_stops(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	struct evlog_filter newest = { .limit = 5, .newest = true };
	unsigned calls = 0;

	append_n(log, 0, 8);
	assert_int_equal(evlog_foreach(log, NULL, stop_at_third, &calls), 0);
	assert_int_equal(calls, 3);
	calls = 0;
	assert_int_equal(evlog_foreach(log, NULL, fail_at_second, &calls), -EIO);
	assert_int_equal(calls, 2);
	calls = 0;
	assert_int_equal(evlog_foreach(log, &newest, stop_at_third, &calls), 0);
	assert_int_equal(calls, 3);
	evlog_close(log);
}

static void test_append_errors(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	struct herd_event ev = mkev(0), batch[3];

	append_n(log, 0, 3);
	ev.seq = 2;
	assert_int_equal(evlog_append(log, &ev), -ERANGE);
	ev.seq = 0;
	ev.type = EV__MAX;
	assert_int_equal(evlog_append(log, &ev), -EINVAL);
	ev = mkev(0);
	ev.severity = 0;
	assert_int_equal(evlog_append(log, &ev), -EINVAL);

	/* A batch is all or none, and tells the seqs it gave. */
	for (unsigned i = 0; i < 3; i++)
		batch[i] = mkev(i);
	batch[2].seq = 1; /* taken */
	assert_int_equal(evlog_append_batch(log, batch, 3), -ERANGE);
	assert_int_equal(evlog_next_seq(log), 4);
	assert_int_equal(batch[0].seq, 0);
	batch[2].seq = 0;
	assert_int_equal(evlog_append_batch(log, batch, 3), 0);
	assert_int_equal(batch[0].seq, 4);
	assert_int_equal(batch[2].seq, 6);
	expect_seqs(log, &(struct evlog_filter){ .since_seq = 3 },
		    (const uint64_t[]){ 3, 4, 5, 6 }, 4);
	evlog_close(log);
}

/* ---- bounds ------------------------------------------------------------- */

static void test_count_bound(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 5, 0);
	struct evlog_stats st;

	append_n(log, 0, 12);
	evlog_get_stats(log, &st);
	assert_int_equal(st.count, 5);
	assert_int_equal(st.first_seq, 8);
	assert_int_equal(st.next_seq, 13);
	assert_int_equal(st.pruned_count, 7);
	expect_seqs(log, NULL, (const uint64_t[]){ 8, 9, 10, 11, 12 }, 5);

	/* A lower bound at reload applies at the next append. */
	evlog_set_limits(log, 2, 0);
	append_n(log, 12, 1);
	expect_seqs(log, NULL, (const uint64_t[]){ 12, 13 }, 2);
	evlog_close(log);
}

static void test_age_bound(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 60 * USEC_PER_SEC);
	struct evlog_stats st;

	append_n(log, 0, 30); /* walls now-30s .. now-1s */
	fake_now += 45 * USEC_PER_SEC;
	/* Now 75s..46s old: 15 are over a minute; an append drops 8 at most. */
	append_n(log, 30, 1);
	evlog_get_stats(log, &st);
	assert_int_equal(st.pruned_age, EVLOG_PRUNE_BUDGET);
	assert_int_equal(st.first_seq, 1 + EVLOG_PRUNE_BUDGET);
	/* The timer's evlog_prune drops the rest. */
	assert_int_equal(evlog_prune(log), 0);
	evlog_get_stats(log, &st);
	/* (the clock moved 1s past the append: walls < now - 60s are 16) */
	assert_int_equal(st.pruned_age, 16);
	assert_int_equal(st.first_seq, 17);
	assert_int_equal(st.count, 15);
	/* Nothing due: nothing dropped. */
	assert_int_equal(evlog_prune(log), 0);
	evlog_get_stats(log, &st);
	assert_int_equal(st.pruned_age, 16);
	/* An hour later, at open, everything is gone but the numbering goes on. */
	evlog_close(log);
	fake_now += 3600 * USEC_PER_SEC;
	log = open_log(EVLOG_SYNC_ATOMIC, 0, 60 * USEC_PER_SEC);
	evlog_get_stats(log, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(evlog_next_seq(log), 32);
	append_n(log, 0, 1);
	expect_seqs(log, NULL, (const uint64_t[]){ 32 }, 1);
	evlog_close(log);
}

/* ---- restarts ----------------------------------------------------------- */

static void restart_mode(enum evlog_sync sync)
{
	struct evlog *log = open_log(sync, 100, 0);
	struct evlog_stats st;

	append_n(log, 0, 7);
	evlog_close(log);
	log = open_log(sync, 100, 0);
	evlog_get_stats(log, &st);
	assert_false(st.rebuilt);
	assert_int_equal(st.count, 7);
	assert_int_equal(evlog_next_seq(log), 8);
	append_n(log, 7, 2);
	expect_seqs(log, &(struct evlog_filter){ .limit = 3, .newest = true },
		    (const uint64_t[]){ 7, 8, 9 }, 3);
	evlog_close(log);
	unlink(path);
}

static void test_restart_continuity(void **state)
{
	restart_mode(EVLOG_SYNC_ATOMIC);
	restart_mode(EVLOG_SYNC_FULL);
	restart_mode(EVLOG_SYNC_NONE);
}

/* A NONE-mode writer that dies without closing: the header is rebuilt. */
static void test_crash_rebuilds_header(void **state)
{
	struct evlog_stats st;
	struct evlog *log;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log = open_log(EVLOG_SYNC_NONE, 0, 0);
		append_n(log, 0, 20);
		_exit(0); /* no evlog_close */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	evlog_get_stats(log, &st);
	assert_true(st.rebuilt);
	assert_int_equal(st.count, 20);
	assert_int_equal(evlog_next_seq(log), 21);
	evlog_close(log);
}

/* An ATOMIC writer that exits without closing: the header is current. */
static void test_exit_atomic(void **state)
{
	struct evlog_stats st;
	struct evlog *log;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
		append_n(log, 0, 20);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	evlog_get_stats(log, &st);
	assert_false(st.rebuilt);
	assert_int_equal(st.count, 20);
	assert_int_equal(evlog_next_seq(log), 21);
	evlog_close(log);
}

/* ---- damage ------------------------------------------------------------- */

static void tdb_put(const char *key, size_t klen, const void *val, size_t vlen)
{
	struct tdb_context *t = tdb_open(path, 0, 0, O_RDWR, 0600);

	assert_non_null(t);
	assert_int_equal(tdb_store(t, (TDB_DATA){ .dptr = (uint8_t *)key, .dsize = klen },
				   (TDB_DATA){ .dptr = (uint8_t *)val, .dsize = vlen }, TDB_REPLACE),
			 0);
	tdb_close(t);
}

static void put_seq(uint64_t seq, const void *val, size_t vlen)
{
	uint8_t k[8];

	buf_store_be64(k, seq);
	tdb_put((const char *)k, sizeof(k), val, vlen);
}

static void test_corrupt_record_skipped(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	struct herd_event other = mkev(4);
	uint8_t buf[EVLOG_RECORD_MAX];
	struct evlog_stats st;
	struct wbuf w;

	append_n(log, 0, 6);
	evlog_close(log);
	put_seq(3, "garbage", 7);
	/* A well-formed record stored under another seq's key. */
	other.seq = 77;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(evlog_record_push(&w, &other), 0);
	put_seq(5, buf, w.len);

	log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	expect_seqs(log, NULL, (const uint64_t[]){ 1, 2, 4, 6 }, 4);
	evlog_get_stats(log, &st);
	assert_int_equal(st.corrupt, 2);
	expect_seqs(log, &(struct evlog_filter){ .limit = 3, .newest = true },
		    (const uint64_t[]){ 2, 4, 6 }, 3);
	/* Appends go on after them. */
	append_n(log, 6, 1);
	assert_int_equal(evlog_next_seq(log), 8);
	evlog_close(log);
}

static void test_corrupt_header_rebuilt(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	struct evlog_stats st;

	append_n(log, 0, 4);
	evlog_close(log);
	tdb_put("evlog.header", 12, "HEVLjunk", 8);
	log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	evlog_get_stats(log, &st);
	assert_true(st.rebuilt);
	assert_int_equal(st.first_seq, 1);
	assert_int_equal(st.next_seq, 5);
	assert_int_equal(st.count, 4);
	evlog_close(log);
}

/* Gaps in the numbering (events that failed to store) are walked over. */
static void test_gaps(void **state)
{
	struct evlog *log = open_log(EVLOG_SYNC_ATOMIC, 3, 0);
	struct herd_event ev = mkev(0);
	struct evlog_stats st;

	append_n(log, 0, 2);                    /* 1 2 */
	ev.seq = 10;
	assert_int_equal(evlog_append(log, &ev), 0); /* 1 2 10 */
	ev.seq = 5000;                          /* past GAP_WALK: one traversal */
	assert_int_equal(evlog_append(log, &ev), 0); /* 2 10 5000 */
	append_n(log, 0, 1);                    /* 10 5000 5001 */
	expect_seqs(log, NULL, (const uint64_t[]){ 10, 5000, 5001 }, 3);
	append_n(log, 0, 1);                    /* 5000 5001 5002 */
	expect_seqs(log, NULL, (const uint64_t[]){ 5000, 5001, 5002 }, 3);
	append_n(log, 0, 1);                    /* 5001 5002 5003 */
	evlog_get_stats(log, &st);
	assert_int_equal(st.first_seq, 5001);
	assert_int_equal(st.count, 3);
	expect_seqs(log, &(struct evlog_filter){ .limit = 1, .newest = true },
		    (const uint64_t[]){ 5003 }, 1);
	evlog_close(log);
}

/* defer_commit: one transaction across appends, committed on demand. */
static void test_deferred_commit(void **state)
{
	struct evlog_config cf = config(EVLOG_SYNC_ATOMIC, 4, 0);
	struct herd_event ev = mkev(0);
	struct evlog_stats st;
	struct evlog *log;
	pid_t pid;
	int status;

	cf.defer_commit = true;
	assert_int_equal(evlog_open(&cf, &log), 0);
	assert_int_equal(evlog_pending(log), 0);
	append_n(log, 0, 6);
	assert_int_equal(evlog_pending(log), 6);
	/* Reads see the open transaction, the bounds apply inside it. */
	expect_seqs(log, NULL, (const uint64_t[]){ 3, 4, 5, 6 }, 4);
	assert_int_equal(evlog_commit(log), 0);
	assert_int_equal(evlog_pending(log), 0);
	assert_int_equal(evlog_commit(log), 0); /* nothing open: a no-op */

	/* A bad append does not roll back the open transaction. */
	append_n(log, 6, 1);
	ev.seq = 2;
	assert_int_equal(evlog_append(log, &ev), -ERANGE);
	assert_int_equal(evlog_pending(log), 1);
	/* EVLOG_COMMIT_MAX appends commit by themselves. */
	append_n(log, 7, EVLOG_COMMIT_MAX - 1);
	assert_int_equal(evlog_pending(log), 0);
	append_n(log, 0, 2);
	assert_int_equal(evlog_pending(log), 2);
	evlog_close(log); /* commits */

	log = open_log(EVLOG_SYNC_ATOMIC, 4, 0);
	assert_int_equal(evlog_next_seq(log), 7 + EVLOG_COMMIT_MAX + 2);
	evlog_close(log);

	/* A crash with a transaction open: the log is as at the last commit. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		assert_int_equal(evlog_open(&cf, &log), 0);
		append_n(log, 0, 3);
		assert_int_equal(evlog_commit(log), 0);
		append_n(log, 0, 3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log = open_log(EVLOG_SYNC_ATOMIC, 4, 0);
	evlog_get_stats(log, &st);
	assert_false(st.rebuilt);
	assert_int_equal(st.next_seq, 7 + EVLOG_COMMIT_MAX + 2 + 3);
	assert_int_equal(st.count, 4);
	evlog_close(log);
}

static void test_readonly(void **state)
{
	struct evlog_config cf = config(EVLOG_SYNC_ATOMIC, 0, 0);
	struct herd_event ev = mkev(0);
	struct evlog *log = NULL;

	cf.readonly = true;
	assert_int_equal(evlog_open(&cf, &log), -ENOENT);
	log = open_log(EVLOG_SYNC_ATOMIC, 0, 0);
	append_n(log, 0, 3);
	evlog_close(log);
	/* A reader (an offline tool; TDB refuses a second open in one process). */
	assert_int_equal(evlog_open(&cf, &log), 0);
	expect_seqs(log, NULL, (const uint64_t[]){ 1, 2, 3 }, 3);
	assert_int_equal(evlog_next_seq(log), 4);
	assert_int_equal(evlog_append(log, &ev), -EROFS);
	assert_int_equal(evlog_prune(log), -EROFS);
	evlog_close(log);
	cf.path = "";
	assert_int_equal(evlog_open(&cf, &log), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_corrupt),
		cmocka_unit_test_setup_teardown(test_append_and_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_continuity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_rebuilds_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_header_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
