/*
 * Unit tests: notify.d/mailmsg.c — notification mails against golden files
 * (tests/notify/golden/NAME.eml; HERD_UPDATE_GOLDEN=1 rewrites them), the
 * rules every message keeps (CRLF, line lengths, encodings), and tables
 * for the subject, the Message-ID and the date. Run from the top of the
 * tree (or set HERD_TOP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include "agentd/state.h"
#include "notify.d/mailmsg.h"

/* 2026-11-23T10:00:00Z */
#define T0 (UINT64_C(1795428000) * USEC_PER_SEC)
#define S(n) ((usec_t)(n) * USEC_PER_SEC)

static const char *const to1[] = { "root@localhost" };
static const char *const to3[] = { "root@localhost", "ops@example.com", "oncall@example.com" };

static const char status_text[] =
	"Number of nodes:3\n"
	"pnn:0   10.0.0.1         OK (THIS NODE) (LEADER)\n"
	"pnn:1   10.0.0.2         DISCONNECTED|UNHEALTHY\n"
	"pnn:2   10.0.0.3         OK\n"
	"Generation:7\n"
	"Recovery mode:NORMAL\n"
	"Leader:0\n"
	"Recovery lock:/shared/.reclock (held by 0)\n"
	". a line that starts with a dot\n";

static struct herd_event ev(uint64_t seq, usec_t wall, uint32_t node, enum herd_event_type t,
			    enum herd_severity sev, const char *subject, const char *detail)
{
	struct herd_event e = { .seq = seq, .wall = wall, .node = node, .reporter = 0,
				.type = t, .severity = sev };

	snprintf(e.subject, sizeof(e.subject), "%s", subject);
	snprintf(e.detail, sizeof(e.detail), "%s", detail);
	return e;
}

static struct mailmsg base_msg(void)
{
	return (struct mailmsg){
		.cluster = "prod", .self = 0, .host = "herd-a.example.com",
		.from = "herd@herd-a.example.com", .to = to1, .nto = 1, .prefix = "herd",
		.date = T0 + S(15), .nonce = UINT64_C(0x0123456789abcdef), .status = status_text,
	};
}

/* ---- rules every message keeps ------------------------------------------ */

static const char *body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");

	assert_non_null(b);
	return b + 4;
}

static void check_lines(const char *msg, size_t len)
{
	const char *body = body_of(msg);
	bool qp = strstr(msg, "\r\nContent-Transfer-Encoding: quoted-printable\r\n") != NULL;
	size_t col = 0;

	assert_int_equal(strlen(msg), len);
	assert_true(len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '\r') {
			assert_true(i + 1 < len && msg[i + 1] == '\n');  /* no bare CR */
			continue;
		}
		if (c == '\n') {
			assert_true(i > 0 && msg[i - 1] == '\r');        /* no bare LF */
			col = 0;
			continue;
		}
		col++;
		assert_true(col <= 998);
		/* Headers are ASCII; so is a 7bit or quoted-printable body. */
		assert_true(c < 0x80);
		if (&msg[i] >= body && qp)
			assert_true(col <= 76);
	}
	/* Headers fold: no physical header line over 78 while it has a blank to fold at. */
	for (const char *p = msg; p < body - 2;) {
		const char *e = strstr(p, "\r\n");

		const char *from = *p == ' ' ? p + 1 : strstr(p, ": ") + 2;

		if ((size_t)(e - p) > 78 && from < p + 78)
			assert_null(memchr(from, ' ', (size_t)(p + 78 - from)));
		p = e + 2;
	}
}

/* Decode a quoted-printable body (enough for the tests). */
static char *qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	while (*s) {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=' && s[1] && s[2]) {
			unsigned v;

			assert_int_equal(sscanf(s + 1, "%2X", &v), 1);
			*o++ = (char)v;
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* ---- golden files ------------------------------------------------------- */

static void golden(const char *name, const char *msg, size_t len)
{
	const char *top = getenv("HERD_TOP");
	char path[4096];
	_cleanup_(freep) char *want = NULL;
	size_t wlen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/notify/golden/%s", top && *top ? top : ".", name);
	if (getenv("HERD_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(msg, 1, len, f), len);
		fclose(f);
		return;
	}
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s (run from the top of the tree, or set HERD_TOP)", path,
			 strerror(errno));
	want = malloc(1 << 20);
	assert_non_null(want);
	wlen = fread(want, 1, (1 << 20) - 1, f);
	fclose(f);
	want[wlen] = '\0';
	if (wlen != len || memcmp(want, msg, len) != 0) {
		fprintf(stderr, "--- %s (golden)\n%s\n--- built\n%s\n", path, want, msg);
		fail_msg("%s differs from the golden file", name);
	}
}

static void test_golden_single(void **state)
{
	struct mailmsg m = base_msg();
	struct herd_event e[] = {
		ev(41, T0, 1, EV_NODE_DISCONNECTED, SEV_ERROR, "node 1 disconnected",
		   "no heartbeat on any link for 3.000s"),
	};
	char *msg;
	size_t len;

	assert_int_equal(mailmsg_build(&m, e, ARRAY_SIZE(e), &msg, &len), 0);
	check_lines(msg, len);
	assert_non_null(strstr(msg, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	assert_non_null(strstr(msg, "\r\nSubject: [herd] prod: node 1: error: 1 event: "
				    "node-disconnected\r\n"));
	golden("single.eml", msg, len);
	free(msg);
}

static void test_golden_storm(void **state)
{
	struct mailmsg m = base_msg();
	struct herd_event e[] = {
		ev(100, T0, 2, EV_NODE_DISCONNECTED, SEV_ERROR, "node 2 disconnected",
		   "no heartbeat on any link for 3.000s"),
		ev(101, T0, PNN_NONE, EV_RECOVERY_STARTED, SEV_NOTICE, "recovery started",
		   "generation 7 -> 8"),
		ev(102, T0 + S(1), 0, EV_IP_TAKEOVER, SEV_NOTICE, "10.1.0.12 taken over",
		   "from node 2 on eth1"),
		ev(103, T0 + S(1), 0, EV_IP_TAKEOVER, SEV_NOTICE,
		   "an unusually long subject that does not fit the subject column of the table",
		   "from node 2 on eth1"),
		ev(104, T0 + S(2), 1, EV_COLLECTOR_FAILED, SEV_WARNING, "monitor 50.samba failed",
		   ""),
		ev(105, T0 + S(4), PNN_NONE, EV_RECLOCK_LOST, SEV_CRITICAL, "recovery lock lost",
		   "/shared/.reclock: Input/output error"),
		ev(106, T0 + S(4), PNN_NONE, EV_RECOVERY_FINISHED, SEV_NOTICE, "recovery finished",
		   "generation 8, 1.2s"),
	};
	char *msg;
	size_t len;

	m.to = to3;
	m.nto = ARRAY_SIZE(to3);
	m.held = 7;
	m.more = 250;
	assert_int_equal(mailmsg_build(&m, e, ARRAY_SIZE(e), &msg, &len), 0);
	check_lines(msg, len);
	assert_non_null(strstr(msg, "\r\nSubject: [herd] prod: nodes 0, 1, 2: critical: "
				    "7 events\r\n"));
	golden("storm.eml", msg, len);
	free(msg);
}

static void test_golden_utf8(void **state)
{
	struct mailmsg m = base_msg();
	struct herd_event e[] = {
		ev(7, T0, 3, EV_UNHEALTHY, SEV_ERROR, "n\xc5\x93ud 3 malade",
		   "d\xc3\xa9tail: \xe2\x9c\x97 share /srv/\xe6\x97\xa5\xe6\x9c\xac gone\tand\r\nbad "
		   "\xff\xfe bytes"),
	};
	_cleanup_(freep) char *decoded = NULL;
	char status[2200], *msg;
	size_t len;

	/* A status with a line past 998 octets and a control character. */
	memset(status, 'x', sizeof(status));
	memcpy(status, "Long:", 5);
	status[1500] = '\n';
	status[1501] = '\x01';
	status[sizeof(status) - 2] = '\n';
	status[sizeof(status) - 1] = '\0';
	m.status = status;
	m.prefix = "h\xc3\xa9rd";
	assert_int_equal(mailmsg_build(&m, e, ARRAY_SIZE(e), &msg, &len), 0);
	check_lines(msg, len);
	assert_non_null(strstr(msg, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?"));
	decoded = qp_decode(body_of(msg));
	/* Controls became blanks, invalid bytes '?', UTF-8 kept. */
	assert_non_null(strstr(decoded, "n\xc5\x93ud 3 malade  d\xc3\xa9tail: \xe2\x9c\x97 share "
					"/srv/\xe6\x97\xa5\xe6\x9c\xac gone and  bad ?? bytes\r\n"));
	assert_non_null(strstr(decoded, "\r\n?xxx"));
	golden("utf8.eml", msg, len);
	free(msg);
}

/* ---- tables ------------------------------------------------------------- */

static void test_subject(void **state)
{
	static const struct {
		const char *prefix, *cluster;
		uint32_t nodes[5];
		enum herd_event_type types[5];
		enum herd_severity sevs[5];
		size_t n;
		const char *want;
	} cases[] = {
		{ "herd", "prod", { 2 }, { EV_NODE_BANNED }, { SEV_ERROR }, 1,
		  "[herd] prod: node 2: error: 1 event: node-banned" },
		{ "", "prod", { 2 }, { EV_NODE_BANNED }, { SEV_ERROR }, 1,
		  "prod: node 2: error: 1 event: node-banned" },
		{ NULL, NULL, { PNN_NONE }, { EV_LEADER_CHANGED }, { SEV_NOTICE }, 1,
		  "herd: cluster: notice: 1 event: leader-changed" },
		{ "herd", "prod", { 2, 2, 2 }, { EV_UNHEALTHY, EV_UNHEALTHY, EV_UNHEALTHY },
		  { SEV_ERROR, SEV_ERROR, SEV_ERROR }, 3, "[herd] prod: node 2: error: 3 events: unhealthy" },
		/* Cluster-wide events do not hide the node. */
		{ "herd", "prod", { PNN_NONE, 1 }, { EV_RECOVERY_STARTED, EV_NODE_DISCONNECTED },
		  { SEV_NOTICE, SEV_ERROR }, 2, "[herd] prod: node 1: error: 2 events" },
		{ "herd", "prod", { 3, 1 }, { EV_HEALTHY, EV_HEALTHY }, { SEV_NOTICE, SEV_NOTICE }, 2,
		  "[herd] prod: nodes 1, 3: notice: 2 events: healthy" },
		{ "herd", "prod", { 4, 0, 2, 1 }, { EV_HEALTHY, EV_HEALTHY, EV_RECLOCK_LOST, EV_HEALTHY },
		  { SEV_NOTICE, SEV_NOTICE, SEV_CRITICAL, SEV_INFO }, 4,
		  "[herd] prod: 4 nodes: critical: 4 events" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailmsg m = base_msg();
		struct herd_event e[5] = { 0 };
		char buf[MAILMSG_SUBJECT_MAX];

		m.prefix = cases[i].prefix;
		m.cluster = cases[i].cluster;
		for (size_t k = 0; k < cases[i].n; k++) {
			e[k].node = cases[i].nodes[k];
			e[k].type = cases[i].types[k];
			e[k].severity = cases[i].sevs[k];
		}
		mailmsg_subject(buf, sizeof(buf), &m, e, cases[i].n);
		if (!streq(buf, cases[i].want))
			fail_msg("case %zu: '%s', expected '%s'", i, buf, cases[i].want);
	}
}

static void test_id_and_date(void **state)
{
	static const struct {
		const char *host;
		uint32_t self;
		uint64_t first, last;
		const char *want;
	} cases[] = {
		{ "herd-a.example.com", 0, 41, 41,
		  "<herd.20261123T100015Z.n0.s41.0123456789abcdef@herd-a.example.com>" },
		{ "herd-a", 2, 100, 106, "<herd.20261123T100015Z.n2.s100-106.0123456789abcdef@herd-a>" },
		{ NULL, PNN_NONE, 1, 1, "<herd.20261123T100015Z.s1.0123456789abcdef@localhost>" },
		{ ".bad host..name.", 1, 5, 5,
		  "<herd.20261123T100015Z.n1.s5.0123456789abcdef@bad-host.name>" },
	};
	char buf[MAILMSG_ID_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailmsg m = base_msg();
		struct herd_event e[2] = { { .seq = cases[i].first }, { .seq = cases[i].last } };

		m.host = cases[i].host;
		m.self = cases[i].self;
		mailmsg_message_id(buf, sizeof(buf), &m, e, 2);
		if (!streq(buf, cases[i].want))
			fail_msg("case %zu: '%s', expected '%s'", i, buf, cases[i].want);
	}
	assert_string_equal(mailmsg_date(buf, sizeof(buf), T0 + S(15)),
			    "Mon, 23 Nov 2026 10:00:15 +0000");
	assert_string_equal(mailmsg_date(buf, sizeof(buf), 0), "Thu, 1 Jan 1970 00:00:00 +0000");
	assert_string_equal(mailmsg_date(buf, sizeof(buf), UINT64_C(951782400) * USEC_PER_SEC),
			    "Tue, 29 Feb 2000 00:00:00 +0000");
}

static void test_invalid(void **state)
{
	struct herd_event e[] = { ev(1, T0, 1, EV_HEALTHY, SEV_NOTICE, "x", "y") };
	static const char *const bad_to[] = { "root@localhost", "a b@c" };
	static const char *const no_at[] = { "root" };
	char long_prefix[MAILMSG_PREFIX_MAX + 2];
	char *msg = NULL;
	size_t len;
	struct mailmsg m;

	memset(long_prefix, 'p', sizeof(long_prefix) - 1);
	long_prefix[sizeof(long_prefix) - 1] = '\0';

	m = base_msg();
	assert_int_equal(mailmsg_build(&m, e, 0, &msg, &len), -EINVAL);
	m = base_msg();
	m.nto = 0;
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	m = base_msg();
	m.to = bad_to;
	m.nto = 2;
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	m = base_msg();
	m.to = no_at;
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	m = base_msg();
	m.from = "herd@localhost\r\nBcc: x@y";
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	m = base_msg();
	m.prefix = "herd\nBcc: x@y";
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	m = base_msg();
	m.prefix = long_prefix;
	assert_int_equal(mailmsg_build(&m, e, 1, &msg, &len), -EINVAL);
	assert_null(msg);
}

/* Many events: the table grows, nothing breaks the line rules. */
static void test_many(void **state)
{
	struct mailmsg m = base_msg();
	size_t n = 1000;
	struct herd_event *e = calloc(n, sizeof(*e));
	char *msg, detail[EVENT_DETAIL_MAX];
	size_t len, rows = 0;

	assert_non_null(e);
	memset(detail, 'd', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	for (size_t i = 0; i < n; i++)
		e[i] = ev(i + 1, T0 + i * 1000, (uint32_t)(i % 5), EV_IP_TAKEOVER, SEV_NOTICE,
			  "taken over", detail);
	assert_int_equal(mailmsg_build(&m, e, n, &msg, &len), 0);
	check_lines(msg, len);
	for (const char *p = msg; (p = strstr(p, "  ip-takeover  ")); p++)
		rows++;
	assert_int_equal(rows, n);
	free(msg);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_single),
		cmocka_unit_test(test_golden_storm),
		cmocka_unit_test(test_golden_utf8),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_id_and_date),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
