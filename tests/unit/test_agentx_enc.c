/* Unit tests: mib/agentx_enc.c, the SNMP encodings of herd-agentx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mib/agentx_enc.h"

static void test_bits(void **state)
{
	static const struct {
		uint64_t value;
		unsigned nbits;
		size_t len;
		uint8_t out[2];
	} cases[] = {
		{ 0, 7, 1, { 0x00 } },
		{ 0x01, 7, 1, { 0x80 } },              /* disconnected(0) */
		{ 0x08, 7, 1, { 0x10 } },              /* banned(3) */
		{ 0x09, 7, 1, { 0x90 } },              /* disconnected|banned */
		{ 0x40, 7, 1, { 0x02 } },              /* partiallyOnline(6) */
		{ 0x7f, 7, 1, { 0xfe } },
		{ 0xff, 7, 1, { 0xfe } },              /* bits past nbits are dropped */
		{ 0x03, 4, 1, { 0xc0 } },              /* recmaster|lmaster */
		{ 0x0f, 4, 1, { 0xf0 } },
		{ 0x100, 9, 2, { 0x00, 0x80 } },       /* bit 8: second octet */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t out[2] = { 0xaa, 0xaa };

		assert_int_equal(ax_bits(cases[i].value, cases[i].nbits, out), cases[i].len);
		assert_memory_equal(out, cases[i].out, cases[i].len);
	}
}

static void test_date(void **state)
{
	static const struct {
		usec_t wall;
		size_t len;
		uint8_t out[AX_DATE_LEN];
	} cases[] = {
		{ 0, 8, { 0 } },
		/* 2026-11-23T09:53:45.678Z */
		{ UINT64_C(1795427625) * USEC_PER_SEC + 678000, 11,
		  { 0x07, 0xea, 11, 23, 9, 53, 45, 6, '+', 0, 0 } },
		/* 1970-01-01T00:00:01Z */
		{ USEC_PER_SEC, 11, { 0x07, 0xb2, 1, 1, 0, 0, 1, 0, '+', 0, 0 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t out[AX_DATE_LEN];

		memset(out, 0xaa, sizeof(out));
		assert_int_equal(ax_date(cases[i].wall, out), cases[i].len);
		assert_memory_equal(out, cases[i].out, cases[i].len);
	}
}

static void test_iso8601(void **state)
{
	static const struct {
		const char *text;
		int ret;
		usec_t wall;
	} cases[] = {
		{ "2026-11-23T09:53:45Z", 0, UINT64_C(1795427625) * USEC_PER_SEC },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2026-11-23T09:53:45", -EINVAL, 0 },  /* no zone */
		{ "2026-11-23T09:53:45Zx", -EINVAL, 0 },
		{ "2026-13-23T09:53:45Z", -EINVAL, 0 },
		{ "yesterday", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ NULL, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		usec_t t = 42;

		assert_int_equal(ax_parse_iso8601(cases[i].text, &t), cases[i].ret);
		if (cases[i].ret == 0)
			assert_int_equal(t, cases[i].wall);
	}
}

static void test_inet(void **state)
{
	static const struct {
		const char *text;
		int ret, type;
		uint8_t out[16];
	} cases[] = {
		{ "10.92.0.101", 4, AX_INET_IPV4, { 10, 92, 0, 101 } },
		{ "fd92::150", 16, AX_INET_IPV6, { 0xfd, 0x92, [14] = 0x01, [15] = 0x50 } },
		{ "10.92.0.101/24", -EINVAL, AX_INET_UNKNOWN, { 0 } },
		{ "pub0", -EINVAL, AX_INET_UNKNOWN, { 0 } },
		{ "", -EINVAL, AX_INET_UNKNOWN, { 0 } },
		{ NULL, -EINVAL, AX_INET_UNKNOWN, { 0 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t out[16];
		int type = 99;

		assert_int_equal(ax_inet(cases[i].text, &type, out), cases[i].ret);
		assert_int_equal(type, cases[i].type);
		if (cases[i].ret > 0)
			assert_memory_equal(out, cases[i].out, (size_t)cases[i].ret);
	}
}

static void test_nodeset(void **state)
{
	static const struct {
		uint32_t pnns[4];
		size_t n, len;
		uint8_t out[4];
	} cases[] = {
		{ { 0 }, 0, 0, { 0 } },                 /* empty set: empty string */
		{ { 0, 1, 2 }, 3, 1, { 0xe0 } },
		{ { 2, 0 }, 2, 1, { 0xa0 } },           /* order does not matter */
		{ { 7 }, 1, 1, { 0x01 } },
		{ { 8 }, 1, 2, { 0x00, 0x80 } },
		{ { 0, 17 }, 2, 3, { 0x80, 0x00, 0x40 } },
		{ { 1, 40 }, 2, 1, { 0x40 } },          /* past the buffer: ignored */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t out[4];

		assert_int_equal(ax_nodeset(cases[i].pnns, cases[i].n, out, sizeof(out)), cases[i].len);
		assert_memory_equal(out, cases[i].out, cases[i].len);
	}
}

static void test_index(void **state)
{
	uint32_t out[8];
	const uint8_t v4[4] = { 10, 92, 0, 101 };

	assert_int_equal(ax_index_string("pub0", true, out, 8), 4);
	assert_int_equal(out[0], 'p');
	assert_int_equal(out[3], '0');
	assert_int_equal(ax_index_string("pub0", false, out, 8), 5);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 'p');
	assert_int_equal(ax_index_string("", false, out, 8), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(ax_index_string("", true, out, 8), 0);
	assert_int_equal(ax_index_string("eightchr", false, out, 8), -ENOSPC);
	assert_int_equal(ax_index_string("eightchr", true, out, 8), 8);

	assert_int_equal(ax_index_inet(AX_INET_IPV4, v4, 4, out, 8), 6);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 4);
	assert_int_equal(out[2], 10);
	assert_int_equal(out[5], 101);
	assert_int_equal(ax_index_inet(AX_INET_IPV6, v4, 16, out, 8), -ENOSPC);
}

static void test_enum(void **state)
{
	static const char *const reclock[] = { "none", "notNeeded", "idle", "taking", "held" };
	static const char *const summary[] = { "ok", "disconnected", "banned", "stopped",
					       "disabled", "unhealthy", "partiallyOnline" };
	static const char *const script[] = { "ok", "error", "timedout", "disabled", "notRun" };
	static const struct {
		const char *const *labels;
		size_t n;
		const char *name;
		int value;
	} cases[] = {
		{ reclock, ARRAY_SIZE(reclock), "not-needed", 2 },
		{ reclock, ARRAY_SIZE(reclock), "held", 5 },
		{ reclock, ARRAY_SIZE(reclock), "HELD", 5 },
		{ reclock, ARRAY_SIZE(reclock), "lost", 0 },
		{ reclock, ARRAY_SIZE(reclock), "", 0 },
		{ reclock, ARRAY_SIZE(reclock), NULL, 0 },
		{ summary, ARRAY_SIZE(summary), "PARTIALLYONLINE", 7 },
		{ summary, ARRAY_SIZE(summary), "OK", 1 },
		{ script, ARRAY_SIZE(script), "NOT_RUN", 5 },
		{ script, ARRAY_SIZE(script), "TIMEDOUT", 3 },
		{ script, ARRAY_SIZE(script), "timed-out", 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(ax_enum(cases[i].labels, cases[i].n, cases[i].name), cases[i].value);
}

static void test_subjects(void **state)
{
	uint32_t link = 9, pnn = 9;
	char buf[64];

	assert_int_equal(ax_parse_link_subject("link 1 to node 2 is down", &link, &pnn), 0);
	assert_int_equal(link, 1);
	assert_int_equal(pnn, 2);
	assert_int_equal(ax_parse_link_subject("node 2 disconnected", &link, &pnn), -EINVAL);
	assert_int_equal(ax_parse_link_subject(NULL, &link, &pnn), -EINVAL);

	assert_int_equal(ax_parse_iface_subject("interface pub0 is down", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pub0");
	assert_int_equal(ax_parse_iface_subject("interface pub0", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ax_parse_iface_subject("interface verylongname is up", buf, 5), -EINVAL);

	assert_int_equal(ax_parse_ip_subject("10.92.0.101 taken over", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.92.0.101");
	assert_int_equal(ax_parse_ip_subject("fd92::150 moved to pub1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "fd92::150");
	assert_int_equal(ax_parse_ip_subject("10.92.0.101", buf, sizeof(buf)), 0);
	assert_int_equal(ax_parse_ip_subject("recovery started", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ax_parse_ip_subject("", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_inet),
		cmocka_unit_test(test_nodeset),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_subjects),
	};

	return cmocka_run_group_tests_name("agentx_enc", tests, NULL, NULL);
}
