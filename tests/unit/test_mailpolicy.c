/* Unit tests: notify.d/mailpolicy.c — the email sink's decisions, as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>

#include "notify.d/mailpolicy.h"

#define S(n) ((usec_t)(n) * USEC_PER_SEC)
#define M(n) S((n) * 60)
#define H(n) S((n) * 3600)
#define BIT(t) (UINT64_C(1) << (t))

static void test_wants(void **state)
{
	static const struct {
		enum herd_severity min;
		uint64_t types;
		enum herd_event_type type;
		enum herd_severity sev;
		bool want;
	} cases[] = {
		{ SEV_NOTICE, MAILPOLICY_ALL_TYPES, EV_UNHEALTHY, SEV_ERROR, true },
		{ SEV_NOTICE, MAILPOLICY_ALL_TYPES, EV_HEALTHY, SEV_NOTICE, true },
		{ SEV_NOTICE, MAILPOLICY_ALL_TYPES, EV_INIT, SEV_INFO, false },
		{ SEV_ERROR, MAILPOLICY_ALL_TYPES, EV_NODE_DISABLED, SEV_WARNING, false },
		{ SEV_ERROR, MAILPOLICY_ALL_TYPES, EV_RECLOCK_LOST, SEV_CRITICAL, true },
		/* Both must agree: the type list does not override the threshold. */
		{ SEV_ERROR, BIT(EV_HEALTHY), EV_HEALTHY, SEV_NOTICE, false },
		{ SEV_INFO, BIT(EV_HEALTHY), EV_HEALTHY, SEV_NOTICE, true },
		{ SEV_INFO, BIT(EV_HEALTHY), EV_UNHEALTHY, SEV_ERROR, false },
		{ SEV_INFO, 0, EV_UNHEALTHY, SEV_CRITICAL, false },
		/* Out-of-range types never mail. */
		{ SEV_INFO, MAILPOLICY_ALL_TYPES, 0, SEV_CRITICAL, false },
		{ SEV_INFO, MAILPOLICY_ALL_TYPES, EV__MAX, SEV_CRITICAL, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailpolicy p;
		struct herd_event ev = { .type = cases[i].type, .severity = cases[i].sev };

		mailpolicy_default(&p);
		p.min_severity = cases[i].min;
		p.types = cases[i].types;
		if (mailpolicy_wants(&p, &ev) != cases[i].want)
			fail_msg("case %zu: expected %d", i, cases[i].want);
	}
}

static void test_types(void **state)
{
	static const struct {
		const char *text;
		int r;
		uint64_t set;
		const char *canonical;
	} cases[] = {
		{ "all", 0, MAILPOLICY_ALL_TYPES, "all" },
		{ "unhealthy", 0, BIT(EV_UNHEALTHY), "unhealthy" },
		{ "unhealthy, node-banned  reclock-lost", 0,
		  BIT(EV_UNHEALTHY) | BIT(EV_NODE_BANNED) | BIT(EV_RECLOCK_LOST),
		  "unhealthy node-banned reclock-lost" },
		{ "all -link-up !link-down", 0,
		  MAILPOLICY_ALL_TYPES & ~BIT(EV_LINK_UP) & ~BIT(EV_LINK_DOWN),
		  "all -link-down -link-up" },
		/* Removals alone start from all. */
		{ "-shutdown", 0, MAILPOLICY_ALL_TYPES & ~BIT(EV_SHUTDOWN), "all -shutdown" },
		{ "healthy -healthy", 0, 0, "" },
		{ "-all healthy", 0, BIT(EV_HEALTHY), "healthy" },
		{ "", -EINVAL, 0, NULL },
		{ " , ", -EINVAL, 0, NULL },
		{ "unhealthy nosuch", -EINVAL, 0, NULL },
		{ "-", -EINVAL, 0, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t set = 42, back;
		char buf[MAILPOLICY_TYPES_MAX];
		int r = mailpolicy_parse_types(cases[i].text, &set);

		if (r != cases[i].r)
			fail_msg("case %zu '%s': r %d, expected %d", i, cases[i].text, r, cases[i].r);
		if (r < 0) {
			assert_int_equal(set, 42);      /* untouched */
			continue;
		}
		if (set != cases[i].set)
			fail_msg("case %zu '%s': set %#" PRIx64, i, cases[i].text, set);
		mailpolicy_format_types(buf, sizeof(buf), set);
		assert_string_equal(buf, cases[i].canonical);
		if (buf[0]) {
			assert_int_equal(mailpolicy_parse_types(buf, &back), 0);
			assert_int_equal(back, set);
		}
	}
}

/* Coalescing and the rate limit: a timeline of events, when the mail goes. */
static void test_compose_at(void **state)
{
	static const struct {
		unsigned rate, max_events;
		usec_t coalesce;
		size_t sent;                    /* mails already composed, at 0, 1 s, 2 s ... */
		size_t pending;
		usec_t first, now, want;
	} cases[] = {
		/* Nothing waits: never. */
		{ 12, 1000, S(10), 0, 0, 0, S(5), MAILPOLICY_NEVER },
		/* The window runs from the first waiting event. */
		{ 12, 1000, S(10), 0, 1, S(100), S(100), S(110) },
		{ 12, 1000, S(10), 0, 7, S(100), S(105), S(110) },
		/* A window already over: now. */
		{ 12, 1000, S(10), 0, 7, S(100), S(120), S(120) },
		/* A full batch goes at once. */
		{ 12, 1000, S(10), 0, 1000, S(100), S(101), S(101) },
		{ 12, 3, S(10), 0, 5, S(100), S(101), S(101) },
		/* Window 0: at once. */
		{ 12, 1000, 0, 0, 1, S(100), S(100), S(100) },
		/* Under the limit: the window decides. */
		{ 3, 1000, S(10), 2, 1, S(100), S(100), S(110) },
		/* At the limit: an hour after the oldest of the last three (at 0 s). */
		{ 3, 1000, S(10), 3, 1, S(100), S(100), H(1) },
		/* ... even for a full batch. */
		{ 3, 10, S(10), 3, 50, S(100), S(100), H(1) },
		/* Once the hour has passed, the window again (or now). */
		{ 3, 1000, S(10), 3, 1, H(1) + S(5), H(1) + S(5), H(1) + S(15) },
		/* No limit. */
		{ 0, 1000, S(10), 100, 1, S(100), S(100), S(110) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailpolicy p;
		struct mailpolicy_rate r;
		usec_t got;

		mailpolicy_default(&p);
		p.rate_per_hour = cases[i].rate;
		p.max_events = cases[i].max_events;
		p.coalesce = cases[i].coalesce;
		assert_int_equal(mailpolicy_rate_init(&r, p.rate_per_hour), 0);
		for (size_t k = 0; k < cases[i].sent; k++)
			mailpolicy_rate_record(&r, S(k));
		got = mailpolicy_compose_at(&p, &r, cases[i].pending, cases[i].first, cases[i].now);
		if (got != cases[i].want)
			fail_msg("case %zu: %" PRIu64 ", expected %" PRIu64, i, got, cases[i].want);
		mailpolicy_rate_done(&r);
	}
}

/* The sliding hour: never more than the limit in any 60 minutes. */
static void test_rate_sliding(void **state)
{
	struct mailpolicy_rate r;
	usec_t t = 0;
	size_t mails = 0;

	assert_int_equal(mailpolicy_rate_init(&r, MAILPOLICY_RATE_MAX + 1), -EINVAL);
	assert_int_equal(mailpolicy_rate_init(&r, 5), 0);
	/* Ask for a mail every minute for five hours. */
	for (unsigned minute = 0; minute < 300; minute++) {
		t = M(minute);
		if (mailpolicy_rate_next(&r, t) <= t) {
			mailpolicy_rate_record(&r, t);
			mails++;
		}
		assert_true(mailpolicy_rate_count(&r, t) <= 5);
	}
	/* 5 in each hour: minutes 0-4, 60-64, 120-124, 180-184, 240-244. */
	assert_int_equal(mails, 25);
	assert_int_equal(mailpolicy_rate_next(&r, M(245)), M(300));
	mailpolicy_rate_done(&r);
	assert_int_equal(mailpolicy_rate_init(&r, 0), 0);
	mailpolicy_rate_record(&r, S(1));
	assert_int_equal(mailpolicy_rate_next(&r, S(2)), S(2));
	assert_int_equal(mailpolicy_rate_count(&r, S(2)), 0);
	mailpolicy_rate_done(&r);
}

static void test_retry(void **state)
{
	static const struct {
		usec_t min, max, expiry;
		unsigned attempts;
		usec_t queued, now, want;
	} cases[] = {
		/* Doubling from the minimum ... */
		{ S(30), M(30), H(72), 1, 0, S(10), S(40) },
		{ S(30), M(30), H(72), 2, 0, S(100), S(160) },
		{ S(30), M(30), H(72), 3, 0, S(100), S(220) },
		{ S(30), M(30), H(72), 6, 0, S(1000), S(1000) + M(16) },
		/* ... up to the maximum. */
		{ S(30), M(30), H(72), 7, 0, S(1000), S(1000) + M(30) },
		{ S(30), M(30), H(72), 4000000000u, 0, S(1000), S(1000) + M(30) },
		/* The last attempt falls on the expiry ... */
		{ S(30), M(30), H(1), 9, 0, M(50), H(1) },
		/* ... and a failure at or after it expires the mail. */
		{ S(30), M(30), H(1), 10, 0, H(1), MAILPOLICY_NEVER },
		{ S(30), M(30), H(1), 10, 0, H(2), MAILPOLICY_NEVER },
		/* Expiry counts from queueing, not from the last attempt. */
		{ S(30), M(30), H(1), 1, H(5), H(5) + S(1), H(5) + S(31) },
		/* Expiry 0: never. */
		{ S(30), M(30), 0, 100, 0, H(1000), H(1000) + M(30) },
		/* A maximum below the minimum: the minimum. */
		{ S(30), S(10), H(72), 5, 0, 0, S(30) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailpolicy p;
		usec_t got;

		mailpolicy_default(&p);
		p.retry_min = cases[i].min;
		p.retry_max = cases[i].max;
		p.expiry = cases[i].expiry;
		got = mailpolicy_retry_next(&p, cases[i].attempts, cases[i].queued, cases[i].now);
		if (got != cases[i].want)
			fail_msg("case %zu: %" PRIu64 ", expected %" PRIu64, i, got, cases[i].want);
	}
}

static void test_defaults(void **state)
{
	struct mailpolicy p;
	struct herd_event ev = { .type = EV_NODE_DISCONNECTED, .severity = SEV_ERROR };

	mailpolicy_default(&p);
	assert_int_equal(p.min_severity, SEV_NOTICE);
	assert_int_equal(p.types, MAILPOLICY_ALL_TYPES);
	assert_int_equal(p.coalesce, S(10));
	assert_int_equal(p.rate_per_hour, 12);
	assert_int_equal(p.max_events, 1000);
	assert_int_equal(p.expiry, H(72));
	assert_true(mailpolicy_wants(&p, &ev));
	assert_int_equal(mailpolicy_retry_delay(&p, 1), S(30));
	assert_int_equal(mailpolicy_retry_delay(&p, 0), S(30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_compose_at),
		cmocka_unit_test(test_rate_sliding),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
