/*
 * Unit tests: notify.d/digest.c and digest_range.c — logwatch's --range
 * language (tables of cases, TZ=UTC and a DST day in Europe/Paris), and the
 * report over a synthetic three-day event log compared with the golden
 * files tests/unit/digest/RANGE.DETAIL.txt (run from the top of the tree;
 * DIGEST_UPDATE=1 rewrites them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <time.h>

#include "agentd/state.h"
#include "notify.d/digest.h"

#define GOLDEN_DIR "tests/unit/digest"

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static usec_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	return (usec_t)timegm(&tm) * USEC_PER_SEC;
}

/* "Now" for every case: Sunday 2026-11-22 15:00:00 UTC. */
#define NOW utc(2026, 11, 22, 15, 0, 0)

/* ---- ranges ------------------------------------------------------------- */

static void test_time_parse(void **state)
{
	static const struct {
		const char *s;
		int y, mo, d, h, mi, sec;   /* y 0: -EINVAL */
	} cases[] = {
		{ "now", 2026, 11, 22, 15, 0, 0 },
		{ "Today", 2026, 11, 22, 0, 0, 0 },
		{ "yesterday", 2026, 11, 21, 0, 0, 0 },
		{ "tomorrow", 2026, 11, 23, 0, 0, 0 },
		{ "-3 days", 2026, 11, 19, 15, 0, 0 },
		{ "3 days ago", 2026, 11, 19, 15, 0, 0 },
		{ "2 hours ago", 2026, 11, 22, 13, 0, 0 },
		{ "-90 min", 2026, 11, 22, 13, 30, 0 },
		{ "+1 week", 2026, 11, 29, 15, 0, 0 },
		{ "4 hours", 2026, 11, 22, 19, 0, 0 },
		{ "@1795359600", 2026, 11, 22, 15, 0, 0 },
		{ "2026-11-20", 2026, 11, 20, 0, 0, 0 },
		{ "2026/05/03 10:24:17", 2026, 5, 3, 10, 24, 17 },
		{ "2026-05-03T10:24Z", 2026, 5, 3, 10, 24, 0 },
		{ "4/23/2026", 2026, 4, 23, 0, 0, 0 },
		{ "Apr 15, 2026", 2026, 4, 15, 0, 0, 0 },
		{ "april 15 2026 08:00", 2026, 4, 15, 8, 0, 0 },
		{ "  2026-11-20   ", 2026, 11, 20, 0, 0, 0 },
		{ "2026-02-30", 0 },
		{ "2026-13-01", 0 },
		{ "2026-11-20 25:00", 0 },
		{ "2026-11-20 10", 0 },
		{ "2026-11-20x", 0 },
		{ "13/45/2026", 0 },
		{ "-3 fortnights", 0 },
		{ "-3 days ago", 0 },
		{ "3 days hence", 0 },
		{ "@", 0 },
		{ "@12x", 0 },
		{ "soon", 0 },
		{ "", 0 },
		{ "ju 4, 2026", 0 },
	};

	set_tz("UTC");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		usec_t t = 0;
		int r = digest_time_parse(cases[i].s, NOW, &t);

		if (!cases[i].y) {
			if (r != -EINVAL)
				fail_msg("\"%s\": accepted", cases[i].s);
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\": %d", cases[i].s, r);
		assert_int_equal(t, utc(cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi,
					cases[i].sec));
	}
}

static void test_range_parse(void **state)
{
	static const usec_t open = DIGEST_TIME_MAX;
	const struct {
		const char *s;
		int ok;
		usec_t from, to;
		enum digest_period period;
		bool all;
	} cases[] = {
		{ "all", 1, 0, open, DIGEST_PERIOD_DAY, true },
		{ "All", 1, 0, open, DIGEST_PERIOD_DAY, true },
		{ "today", 1, utc(2026, 11, 22, 0, 0, 0), utc(2026, 11, 23, 0, 0, 0) },
		{ "yesterday", 1, utc(2026, 11, 21, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0) },
		{ "yesterday for those hours", 1, utc(2026, 11, 21, 0, 0, 0),
		  utc(2026, 11, 22, 0, 0, 0), DIGEST_PERIOD_HOUR },
		{ "-3 days", 1, utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 20, 0, 0, 0) },
		{ "4 hours ago for that hour", 1, utc(2026, 11, 22, 11, 0, 0),
		  utc(2026, 11, 22, 12, 0, 0), DIGEST_PERIOD_HOUR },
		{ "since 2 hours ago for those hours", 1, utc(2026, 11, 22, 13, 0, 0), open,
		  DIGEST_PERIOD_HOUR },
		{ "since yesterday", 1, utc(2026, 11, 21, 0, 0, 0), open },
		{ "between -10 days and -2 days", 1, utc(2026, 11, 12, 0, 0, 0),
		  utc(2026, 11, 21, 0, 0, 0) },
		{ "between 4/23/2026 and 4/30/2026", 1, utc(2026, 4, 23, 0, 0, 0),
		  utc(2026, 5, 1, 0, 0, 0) },
		{ "between 2026-11-21 and 2026-11-20", 1, utc(2026, 11, 20, 0, 0, 0),
		  utc(2026, 11, 22, 0, 0, 0) },
		{ "between 2026-11-20 10:15 and 2026-11-20 10:20 for those minutes", 1,
		  utc(2026, 11, 20, 10, 15, 0), utc(2026, 11, 20, 10, 21, 0), DIGEST_PERIOD_MINUTE },
		{ "2026/05/03 10:24:17 for that second", 1, utc(2026, 5, 3, 10, 24, 17),
		  utc(2026, 5, 3, 10, 24, 18), DIGEST_PERIOD_SECOND },
		{ "Apr 15, 2026", 1, utc(2026, 4, 15, 0, 0, 0), utc(2026, 4, 16, 0, 0, 0) },
		{ "between yesterday", 0 },
		{ "between and today", 0 },
		{ "since", 0 },
		{ "today for that fortnight", 0 },
		{ "today for these days", 0 },
		{ "for that day", 0 },
		{ "first Monday in May", 0 },
		{ "", 0 },
	};

	set_tz("UTC");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct digest_range r = { 0 };
		int ret = digest_range_parse(cases[i].s, NOW, &r);

		if (!cases[i].ok) {
			if (ret != -EINVAL)
				fail_msg("\"%s\": accepted", cases[i].s);
			continue;
		}
		if (ret != 0)
			fail_msg("\"%s\": %d", cases[i].s, ret);
		if (r.from != cases[i].from || r.to != cases[i].to)
			fail_msg("\"%s\": [%llu, %llu)", cases[i].s, (unsigned long long)r.from,
				 (unsigned long long)r.to);
		assert_int_equal(r.period, cases[i].period);
		assert_int_equal(r.all, cases[i].all);
	}
}

/* Calendar days follow the local zone: 2026-03-29 has 23 hours in Paris. */
static void test_range_dst(void **state)
{
	struct digest_range r;

	if (access("/usr/share/zoneinfo/Europe/Paris", R_OK) != 0)
		skip();
	set_tz("Europe/Paris");
	assert_int_equal(digest_range_parse("2026-03-29", NOW, &r), 0);
	assert_int_equal(r.from, utc(2026, 3, 28, 23, 0, 0));
	assert_int_equal(r.to, utc(2026, 3, 29, 22, 0, 0));
	/* "today" at 00:30 local (23:30 UTC the day before). */
	assert_int_equal(digest_range_parse("today", utc(2026, 11, 21, 23, 30, 0), &r), 0);
	assert_int_equal(r.from, utc(2026, 11, 21, 23, 0, 0));
	assert_int_equal(r.to, utc(2026, 11, 22, 23, 0, 0));
	set_tz("UTC");
}

static void test_detail_parse(void **state)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "low", DIGEST_LOW },   { "Med", DIGEST_MED },    { "medium", DIGEST_MED },
		{ "HIGH", DIGEST_HIGH }, { "0", DIGEST_LOW },      { "4", DIGEST_LOW },
		{ "5", DIGEST_MED },     { "10", DIGEST_HIGH },    { "99", DIGEST_HIGH },
		{ "-1", -EINVAL },       { "loud", -EINVAL },      { "", -EINVAL },
		{ "5x", -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(digest_detail_parse(cases[i].s), cases[i].want);
	assert_string_equal(digest_detail_name(DIGEST_MED), "med");
}

/* ---- the report --------------------------------------------------------- */

struct spec {
	int d, h, mi, s;                /* 2026-11-D HH:MI:SS UTC */
	enum herd_event_type type;
	uint32_t node;
	const char *subject, *detail;
	enum herd_severity sev;         /* 0: the type's */
};

#define NONE PNN_NONE

/* Three days of a three-node cluster, as node 0 saw them. */
static const struct spec log_spec[] = {
	{ 20, 8, 0, 0, EV_INIT, 0, "init", "the init event scripts succeeded" },
	{ 20, 8, 0, 1, EV_SETUP, 0, "setup", "the setup event scripts succeeded" },
	{ 20, 8, 0, 2, EV_STARTUP, 0, "startup", "the startup event scripts succeeded" },
	{ 20, 8, 0, 3, EV_HEALTHY, 0, "node 0 is healthy", "flags now OK" },
	{ 20, 8, 0, 5, EV_NODE_CONNECTED, 1, "node 1 connected", "a link came up" },
	{ 20, 8, 0, 5, EV_NODE_CONNECTED, 2, "node 2 connected", "a link came up" },
	{ 20, 8, 0, 6, EV_LEADER_CHANGED, 0, "node 0 is the leader", "election: lowest-pnn" },
	{ 20, 8, 0, 6, EV_RECOVERY_STARTED, NONE, "recovery started", "generation 2" },
	{ 20, 8, 0, 7, EV_RECOVERY_FINISHED, NONE, "recovery finished", "generation 2 in 0.120s" },
	{ 20, 8, 0, 8, EV_IP_TAKEOVER, 0, "10.0.0.101 taken over",
	  "on eth1 by node 0 (0 connections to tickle)" },
	{ 20, 8, 0, 8, EV_IP_TAKEOVER, 0, "10.0.0.102 taken over",
	  "on eth1 by node 0 (0 connections to tickle)" },
	{ 20, 22, 0, 0, EV_UNHEALTHY, 2, "node 2 is unhealthy",
	  "flags now UNHEALTHY: 50.service: exit 1: service check failed: port 445 not answering" },
	/* yesterday */
	{ 21, 1, 30, 0, EV_HEALTHY, 2, "node 2 is healthy", "flags now OK" },
	{ 21, 3, 0, 0, EV_LINK_DOWN, 1, "link 0 to node 1 is down", "closed" },
	{ 21, 3, 0, 0, EV_NODE_DISCONNECTED, 1, "node 1 disconnected", "every link is down" },
	{ 21, 3, 0, 1, EV_RECOVERY_STARTED, NONE, "recovery started", "generation 3" },
	{ 21, 3, 0, 1, EV_IP_TAKEOVER, 0, "10.0.0.103 taken over",
	  "on eth1 by node 0 (0 connections to tickle)" },
	{ 21, 3, 0, 2, EV_RECOVERY_FINISHED, NONE, "recovery finished without every node",
	  "generation 3 in 1.250s; no answer from node 1" },
	{ 21, 3, 10, 0, EV_LINK_UP, 1, "link 0 to node 1 is up", "handshake" },
	{ 21, 3, 10, 0, EV_NODE_CONNECTED, 1, "node 1 connected", "a link came up" },
	{ 21, 3, 10, 5, EV_IP_RELEASED, 0, "10.0.0.103 released",
	  "from eth1 on node 0 (2 connections)" },
	{ 21, 12, 0, 0, EV_NODE_BANNED, 2, "node 2 is banned",
	  "flags now BANNED: 3 recoveries failed" },
	{ 21, 12, 0, 1, EV_UNHEALTHY, 0, "node 0 is unhealthy",
	  "flags now UNHEALTHY: 10.interface: exit 1: eth1 is down" },
	{ 21, 12, 1, 1, EV_HEALTHY, 0, "node 0 is healthy", "flags now OK" },
	{ 21, 12, 2, 0, EV_UNHEALTHY, 0, "node 0 is unhealthy",
	  "flags now UNHEALTHY: 60.nfs: exit 1: nfsd is not running" },
	{ 21, 12, 5, 0, EV_NODE_UNBANNED, 2, "node 2 is unbanned", "flags now OK" },
	{ 21, 12, 10, 0, EV_HEALTHY, 0, "node 0 is healthy", "flags now OK" },
	{ 21, 23, 59, 59, EV_CONFIG_RELOADED, 0, "configuration reloaded", "from /etc/herd" },
	/* today */
	{ 22, 9, 0, 0, EV_RECLOCK_LOST, 0, "recovery lock lost",
	  "/srv/shared/.herd.lock (the helper exited)" },
	{ 22, 9, 0, 0, EV_RECOVERY_STARTED, NONE, "recovery started", "generation 4" },
	{ 22, 9, 0, 0, EV_RECOVERY_FINISHED, NONE, "recovery abandoned",
	  "generation 4: this node stepped down (the recovery lock was lost)" },
	{ 22, 9, 0, 1, EV_LEADER_CHANGED, 1, "node 1 is the leader", "election: claimant" },
	{ 22, 9, 0, 2, EV_RECOVERY_STARTED, NONE, "recovery started", "generation 5" },
	{ 22, 9, 2, 6, EV_RECOVERY_FINISHED, NONE, "recovery finished",
	  "generation 5 in 2m 3.500s" },
	{ 22, 9, 3, 0, EV_IP_TAKEOVER, 0, "10.0.0.101 moved to eth2",
	  "from interface eth1, which is down, on node 0" },
	{ 22, 10, 0, 0, EV_NODE_BANNED, 2, "node 2 is banned", "flags now BANNED: ban by admin" },
	{ 22, 14, 0, 0, EV_COLLECTOR_FAILED, 0, "collector nfs failed", "exit 2", SEV_WARNING },
	{ 22, 14, 30, 0, EV_UNHEALTHY, 1, "node 1 is unhealthy", "flags now UNHEALTHY" },
};

static struct herd_event events[ARRAY_SIZE(log_spec)];

static void build_log(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(log_spec); i++) {
		const struct spec *s = &log_spec[i];
		struct herd_event *ev = &events[i];

		*ev = (struct herd_event){
			.seq = 100 + i,
			.wall = utc(2026, 11, s->d, s->h, s->mi, s->s),
			.mono = i,
			.node = s->node,
			.reporter = 0,
			.type = s->type,
			.severity = s->sev ? s->sev : event_type_severity(s->type),
		};
		snprintf(ev->subject, sizeof(ev->subject), "%s", s->subject);
		snprintf(ev->detail, sizeof(ev->detail), "%s", s->detail);
	}
}

static const struct digest_failure failures[] = {
	{ 0, "mail", "root@localhost", "connect to localhost:25: Connection refused" },
	{ 0, "mail", "root@localhost", "connect to localhost:25: Connection refused" },
	{ 0, "mail", "ops@example.org", "550 5.1.1 unknown user" },
	{ 0, "handler", "50-log", "timed out after 30s: killed" },
};

static struct digest_failure failures_at[ARRAY_SIZE(failures)];

static const struct digest_counter counters[] = {
	{ "events emitted", 123 },
	{ "mails sent", 4 },
	{ "mail failures", 3 },
	{ "handler timeouts", 1 },
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[len] = '\0';
	return buf;
}

static void check_golden(const char *name, const char *text)
{
	char path[256], got[256];
	char *want;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.txt", name);
	if (getenv("DIGEST_UPDATE")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	want = slurp(path);
	if (!want)
		fail_msg("%s: missing (run from the top of the tree; DIGEST_UPDATE=1 writes it)",
			 path);
	if (!streq(want, text)) {
		snprintf(got, sizeof(got), "/tmp/test_digest.%s.txt", name);
		f = fopen(got, "w");
		if (f) {
			fputs(text, f);
			fclose(f);
		}
		free(want);
		fail_msg("%s differs: diff -u %s %s", path, path, got);
	}
	free(want);
}

static void test_golden(void **state)
{
	static const struct {
		const char *name, *range;
	} ranges[] = {
		{ "today", "today" },
		{ "yesterday", "yesterday" },
		{ "all", "all" },
		{ "between", "between 2026-11-20 and 2026-11-21" },
		{ "since", "since 2 hours ago for those hours" },
	};

	set_tz("UTC");
	build_log();
	failures_at[0] = failures[0];
	failures_at[0].wall = utc(2026, 11, 21, 4, 0, 0);
	failures_at[1] = failures[1];
	failures_at[1].wall = utc(2026, 11, 21, 4, 5, 0);
	failures_at[2] = failures[2];
	failures_at[2].wall = utc(2026, 11, 21, 6, 0, 0);
	failures_at[3] = failures[3];
	failures_at[3].wall = utc(2026, 11, 22, 9, 0, 1);

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++)
		for (int d = DIGEST_LOW; d <= DIGEST_HIGH; d++) {
			struct digest_input in = {
				.cluster = "demo",
				.node = "node 0 (10.0.0.10)",
				.processed = NOW,
				.range_spec = ranges[i].range,
				.detail = d,
				.events = events,
				.n_events = ARRAY_SIZE(events),
				.failures = failures_at,
				.n_failures = ARRAY_SIZE(failures_at),
				.counters = counters,
				.n_counters = ARRAY_SIZE(counters),
			};
			char name[64], *text;

			assert_int_equal(digest_range_parse(ranges[i].range, NOW, &in.range), 0);
			assert_int_equal(digest_render(&in, &text), 0);
			snprintf(name, sizeof(name), "%s.%s", ranges[i].name, digest_detail_name(d));
			check_golden(name, text);
			free(text);
		}
}

/* An empty log, and a range the log does not reach. */
static void test_empty(void **state)
{
	struct digest_input in = {
		.cluster = "demo",
		.node = "node 0",
		.processed = NOW,
		.range_spec = "today",
	};
	char *text;

	set_tz("UTC");
	assert_int_equal(digest_range_parse("today", NOW, &in.range), 0);
	assert_int_equal(digest_render(&in, &text), 0);
	assert_non_null(strstr(text, "No events in this range."));
	assert_null(strstr(text, "Node States"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_range_parse),
		cmocka_unit_test(test_range_dst),
		cmocka_unit_test(test_detail_parse),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
