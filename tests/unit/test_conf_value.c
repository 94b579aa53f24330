/*
 * test_conf_value.c — the typed value parsers and formatters (conf/value.c).
 *
 * Tables of text in, value or error out: durations, booleans, integers,
 * addresses, ADDRESS/PREFIX networks, host:port, mail addresses, names,
 * interface names, groups and enumerations. Every formatted value must
 * parse back to itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf/value.h"

#define US UINT64_C(1)
#define MS UINT64_C(1000)
#define S  UINT64_C(1000000)

static void test_duration_good(void **state)
{
	static const struct {
		const char *in;
		usec_t us;
	} cases[] = {
		{ "250ms", 250 * MS },
		{ "5s", 5 * S },
		{ "1m30s", 90 * S },
		{ "1m 30s", 90 * S },
		{ "1h", 3600 * S },
		{ "2h", 7200 * S },
		{ "1h1m1s1ms1us", 3661 * S + MS + US },
		{ "100us", 100 * US },
		{ "1.5s", 1500 * MS },
		{ "0.25s", 250 * MS },
		{ "0.5ms", 500 * US },
		{ "1.000001s", S + US },
		{ "0.5m", 30 * S },
		{ "10", 10 * S },
		{ "0", 0 },
		{ "0s", 0 },
		{ "1.5", 1500 * MS },
		{ "250 ms", 250 * MS },
		{ "007s", 7 * S },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		usec_t us = 12345;

		if (value_parse_duration(cases[i].in, &us) != 0)
			fail_msg("'%s' did not parse", cases[i].in);
		if (us != cases[i].us)
			fail_msg("'%s' parsed to %llu, expected %llu", cases[i].in,
				 (unsigned long long)us, (unsigned long long)cases[i].us);
	}
}

static void test_duration_bad(void **state)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ "", -EINVAL },
		{ " ", -EINVAL },
		{ "fast", -EINVAL },
		{ "5 sec", -EINVAL },
		{ "5sec", -EINVAL },
		{ "5S", -EINVAL },
		{ "ms", -EINVAL },
		{ "1.s", -EINVAL },
		{ ".5s", -EINVAL },
		{ "1m30", -EINVAL },     /* a bare number only on its own */
		{ "30 1m", -EINVAL },
		{ "-1s", -EINVAL },
		{ "+1s", -EINVAL },
		{ "1,5s", -EINVAL },
		{ "1.0000001s", -EINVAL }, /* finer than a microsecond */
		{ "0.5us", -EINVAL },
		{ "1x", -EINVAL },
		{ "1d", -EINVAL },
		{ "5s5", -EINVAL },
		{ "5s#", -EINVAL },
		{ "18446744073709551616us", -ERANGE },
		{ "99999999999999999h", -ERANGE },
		{ "18446744073709551615us 1us", -ERANGE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		usec_t us = 777;
		int r = value_parse_duration(cases[i].in, &us);

		if (r != cases[i].err)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].err);
		assert_int_equal(us, 777); /* untouched on error */
	}
}

static void test_duration_format(void **state)
{
	static const struct {
		usec_t us;
		const char *out;
	} cases[] = {
		{ 0, "0s" },
		{ 1, "1us" },
		{ 1500, "1500us" },
		{ 250 * MS, "250ms" },
		{ 1500 * MS, "1500ms" },
		{ 5 * S, "5s" },
		{ 90 * S, "90s" },
		{ 60 * S, "1m" },
		{ 3600 * S, "1h" },
		{ 5400 * S, "90m" },
		{ 10 * MS, "10ms" },
		{ UINT64_MAX, "18446744073709551615us" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[VALUE_DURATION_MAX];
		usec_t back = 0;

		assert_string_equal(value_format_duration(buf, sizeof(buf), cases[i].us),
				    cases[i].out);
		assert_int_equal(value_parse_duration(buf, &back), 0);
		assert_true(back == cases[i].us);
	}
}

static void test_bool(void **state)
{
	static const struct {
		const char *in;
		int r;
		bool v;
	} cases[] = {
		{ "yes", 0, true }, { "true", 0, true }, { "on", 0, true }, { "1", 0, true },
		{ "no", 0, false }, { "false", 0, false }, { "off", 0, false }, { "0", 0, false },
		{ "YES", -EINVAL, false }, { "y", -EINVAL, false }, { "", -EINVAL, false },
		{ "2", -EINVAL, false }, { "yes ", -EINVAL, false }, { "enabled", -EINVAL, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool v = !cases[i].v;
		int r = value_parse_bool(cases[i].in, &v);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].r);
		if (r == 0)
			assert_true(v == cases[i].v);
	}
	assert_string_equal(value_bool_name(true), "yes");
	assert_string_equal(value_bool_name(false), "no");
}

static void test_uint(void **state)
{
	static const struct {
		const char *in;
		uint64_t min, max;
		int r;
		uint64_t v;
	} cases[] = {
		{ "4380", 1, 65535, 0, 4380 },
		{ "1", 1, 65535, 0, 1 },
		{ "65535", 1, 65535, 0, 65535 },
		{ "065535", 1, 65535, 0, 65535 },
		{ "0", 1, 65535, -ERANGE, 0 },
		{ "65536", 1, 65535, -ERANGE, 0 },
		{ "99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0 },
		{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
		{ "", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ "1O", 0, 100, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
		{ "1e3", 0, 10000, -EINVAL, 0 },
		{ "4 ", 0, 10, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 4242;
		int r = value_parse_uint(cases[i].in, cases[i].min, cases[i].max, &v);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].r);
		assert_true(v == (r == 0 ? cases[i].v : 4242));
	}
}

static void test_address(void **state)
{
	static const struct {
		const char *in;
		int r;
		const char *canon;
		bool unicast;
	} cases[] = {
		{ "10.0.0.1", 0, "10.0.0.1", true },
		{ "127.0.0.1", 0, "127.0.0.1", true },
		{ "192.168.1.255", 0, "192.168.1.255", true },
		{ "0.0.0.0", 0, "0.0.0.0", false },
		{ "255.255.255.255", 0, "255.255.255.255", false },
		{ "224.0.0.1", 0, "224.0.0.1", false },
		{ "239.255.255.255", 0, "239.255.255.255", false },
		{ "240.0.0.1", 0, "240.0.0.1", true },
		{ "::1", 0, "::1", true },
		{ "2001:DB8:0:0::1", 0, "2001:db8::1", true },
		{ "fe80::1", 0, "fe80::1", true },
		{ "::", 0, "::", false },
		{ "ff02::1", 0, "ff02::1", false },
		{ "::ffff:10.0.0.1", 0, "::ffff:10.0.0.1", true },
		{ "10.0.0.256", -EINVAL, NULL, false },
		{ "010.0.0.1", -EINVAL, NULL, false },
		{ "10.0.0", -EINVAL, NULL, false },
		{ "10.0.0.1.", -EINVAL, NULL, false },
		{ "::1%lo", -EINVAL, NULL, false },
		{ "[::1]", -EINVAL, NULL, false },
		{ "10.0.0.1:4380", -EINVAL, NULL, false },
		{ "node1", -EINVAL, NULL, false },
		{ "", -EINVAL, NULL, false },
		{ " 10.0.0.1", -EINVAL, NULL, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage ss, back;
		char buf[VALUE_ADDR_MAX];
		int r = value_parse_address(cases[i].in, &ss);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].r);
		if (r < 0)
			continue;
		assert_string_equal(sockaddr_format(buf, sizeof(buf), &ss), cases[i].canon);
		if (value_address_is_unicast(&ss) != cases[i].unicast)
			fail_msg("'%s': unicast should be %d", cases[i].in, cases[i].unicast);
		assert_int_equal(value_parse_address(buf, &back), 0);
		assert_true(sockaddr_equal_addr(&ss, &back));
		assert_int_equal(value_address_bits(&ss), ss.ss_family == AF_INET ? 32 : 128);
	}
}

static void test_address_equal(void **state)
{
	struct sockaddr_storage a, b, c, d;

	assert_int_equal(value_parse_address("10.0.0.1", &a), 0);
	assert_int_equal(value_parse_address("10.0.0.2", &b), 0);
	assert_int_equal(value_parse_address("::ffff:10.0.0.1", &c), 0);
	assert_int_equal(value_parse_address("0::ffff:a00:1", &d), 0);
	assert_true(sockaddr_equal_addr(&a, &a));
	assert_false(sockaddr_equal_addr(&a, &b));
	assert_false(sockaddr_equal_addr(&a, &c)); /* different families */
	assert_true(sockaddr_equal_addr(&c, &d));
}

static void test_cidr(void **state)
{
	static const struct {
		const char *in;
		unsigned min_prefix;
		int r;
		const char *canon;
		bool network;
		const char *masked;             /* the network it lies in */
		const char *family;
	} cases[] = {
		{ "192.168.1.0/24", 1, 0, "192.168.1.0/24", true, "192.168.1.0/24", "IPv4" },
		{ "192.168.1.10/24", 1, 0, "192.168.1.10/24", false, "192.168.1.0/24", "IPv4" },
		{ "10.1.2.3/32", 1, 0, "10.1.2.3/32", true, "10.1.2.3/32", "IPv4" },
		{ "10.1.2.3/1", 1, 0, "10.1.2.3/1", false, "0.0.0.0/1", "IPv4" },
		{ "10.255.255.255/9", 1, 0, "10.255.255.255/9", false, "10.128.0.0/9", "IPv4" },
		{ "10.0.0.0/012", 1, 0, "10.0.0.0/12", true, "10.0.0.0/12", "IPv4" },
		{ "0.0.0.0/0", 0, 0, "0.0.0.0/0", true, "0.0.0.0/0", "IPv4" },
		{ "10.0.0.1/0", 0, 0, "10.0.0.1/0", false, "0.0.0.0/0", "IPv4" },
		{ "2001:DB8::/32", 1, 0, "2001:db8::/32", true, "2001:db8::/32", "IPv6" },
		{ "2001:db8::1/64", 1, 0, "2001:db8::1/64", false, "2001:db8::/64", "IPv6" },
		{ "2001:db8:ffff:ffff::/33", 1, 0, "2001:db8:ffff:ffff::/33", false,
		  "2001:db8:8000::/33", "IPv6" },
		{ "::/0", 0, 0, "::/0", true, "::/0", "IPv6" },
		{ "fd00::1/128", 1, 0, "fd00::1/128", true, "fd00::1/128", "IPv6" },
		{ "0.0.0.0/0", 1, -ERANGE, NULL, false, NULL, NULL },
		{ "10.0.0.0/33", 0, -ERANGE, NULL, false, NULL, NULL },
		{ "fd00::/129", 0, -ERANGE, NULL, false, NULL, NULL },
		{ "10.0.0.0", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.0/", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "/24", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.0/24x", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.0/-1", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.0/24/1", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.256/24", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "net/24", 0, -EINVAL, NULL, false, NULL, NULL },
		{ " 10.0.0.0/24", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "10.0.0.0/ 24", 0, -EINVAL, NULL, false, NULL, NULL },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x/24", 0, -EINVAL, NULL, false,
		  NULL, NULL },
		{ "", 0, -EINVAL, NULL, false, NULL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage ss, back, net;
		unsigned prefix = 4242, bprefix;
		char buf[VALUE_CIDR_MAX];
		int r = value_parse_cidr(cases[i].in, cases[i].min_prefix, &ss, &prefix);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].r);
		if (r < 0) {
			assert_int_equal(prefix, 4242);
			continue;
		}
		assert_string_equal(value_format_cidr(buf, sizeof(buf), &ss, prefix), cases[i].canon);
		assert_string_equal(value_address_family_name(&ss), cases[i].family);
		if (value_cidr_is_network(&ss, prefix) != cases[i].network)
			fail_msg("'%s': network should be %d", cases[i].in, cases[i].network);
		net = ss;
		value_cidr_mask(&net, prefix);
		assert_string_equal(value_format_cidr(buf, sizeof(buf), &net, prefix),
				    cases[i].masked);
		assert_true(value_cidr_is_network(&net, prefix));
		assert_true(value_cidr_contains(&net, prefix, &ss));
		assert_int_equal(value_parse_cidr(cases[i].canon, 0, &back, &bprefix), 0);
		assert_true(sockaddr_equal_addr(&ss, &back));
		assert_int_equal(prefix, bprefix);
	}
}

static void test_cidr_contains(void **state)
{
	static const struct {
		const char *net, *addr;
		bool in;
	} cases[] = {
		{ "10.0.0.0/24", "10.0.0.1", true },
		{ "10.0.0.0/24", "10.0.0.255", true },
		{ "10.0.0.0/24", "10.0.1.0", false },
		{ "10.0.0.0/25", "10.0.0.128", false },
		{ "10.0.0.0/25", "10.0.0.127", true },
		{ "0.0.0.0/0", "192.168.1.1", true },
		{ "0.0.0.0/0", "::1", false },          /* another family */
		{ "fd00::/64", "fd00::1", true },
		{ "fd00::/64", "fd00:0:0:1::1", false },
		{ "fd00::/64", "10.0.0.1", false },
		{ "::/0", "2001:db8::1", true },
		{ "10.0.0.1/32", "10.0.0.1", true },
		{ "10.0.0.1/32", "10.0.0.2", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage net, addr;
		unsigned prefix;

		assert_int_equal(value_parse_cidr(cases[i].net, 0, &net, &prefix), 0);
		assert_int_equal(value_parse_address(cases[i].addr, &addr), 0);
		if (value_cidr_contains(&net, prefix, &addr) != cases[i].in)
			fail_msg("%s in %s should be %d", cases[i].addr, cases[i].net, cases[i].in);
	}
	/* Not an IP address: formats as nothing, contains nothing. */
	{
		struct sockaddr_storage none = { .ss_family = AF_UNSPEC }, net;
		unsigned prefix;
		char buf[VALUE_CIDR_MAX] = "x";

		assert_string_equal(value_format_cidr(buf, sizeof(buf), &none, 24), "");
		assert_int_equal(value_parse_cidr("0.0.0.0/0", 0, &net, &prefix), 0);
		assert_false(value_cidr_contains(&net, prefix, &none));
	}
}

static void test_hostport(void **state)
{
	static const struct {
		const char *in;
		int r;
	} cases[] = {
		{ "localhost:25", 0 },
		{ "mail.example.com:587", 0 },
		{ "MAIL-1.example.com:25", 0 },
		{ "10.0.0.1:25", 0 },
		{ "[::1]:25", 0 },
		{ "[2001:db8::1]:2525", 0 },
		{ "localhost:0", -ERANGE },
		{ "localhost:65536", -ERANGE },
		{ "localhost", -EINVAL },
		{ "localhost:", -EINVAL },
		{ ":25", -EINVAL },
		{ "::1:25", -EINVAL },
		{ "[::1]25", -EINVAL },
		{ "[::1]:", -EINVAL },
		{ "[10.0.0.1]:25", -EINVAL },
		{ "[]:25", -EINVAL },
		{ "bad_host:25", -EINVAL },
		{ "-a.example.com:25", -EINVAL },
		{ "a-.example.com:25", -EINVAL },
		{ "a..b:25", -EINVAL },
		{ "999.1.1.1:25", -EINVAL },
		{ "localhost:smtp", -EINVAL },
		{ "local host:25", -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = value_check_hostport(cases[i].in);

		if (r != cases[i].r)
			fail_msg("'%s': got %d, expected %d", cases[i].in, r, cases[i].r);
	}
}

static void test_names(void **state)
{
	static const char *const email_ok[] = {
		"root@localhost", "a.b+c@example.com", "herd@10.0.0.1", "x_y-z@mail.example.org",
	};
	static const char *const email_bad[] = {
		"root", "@localhost", "root@", "a b@x", "a@b@c", "<a@b>", "a@b_c", "a,b@c", "",
	};
	static const char *const name_ok[] = { "herd", "demo-1", "a_b.c", "0", "Cluster9" };
	static const char *const name_bad[] = {
		"", "-x", ".x", "a b", "a#b", "a/b",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const if_ok[] = {
		"eth0", "br-lan", "enp0s31f6", "bond0.100", "a23456789012345", "..x",
	};
	static const char *const if_bad[] = {
		"", "a234567890123456", "eth0/1", "eth0:1", ".", "..", "a b", "a\tb",
	};

	for (size_t i = 0; i < ARRAY_SIZE(email_ok); i++)
		if (!value_is_email(email_ok[i]))
			fail_msg("'%s' should be a mail address", email_ok[i]);
	for (size_t i = 0; i < ARRAY_SIZE(email_bad); i++)
		if (value_is_email(email_bad[i]))
			fail_msg("'%s' should not be a mail address", email_bad[i]);
	for (size_t i = 0; i < ARRAY_SIZE(name_ok); i++)
		if (!value_is_name(name_ok[i]))
			fail_msg("'%s' should be a name", name_ok[i]);
	for (size_t i = 0; i < ARRAY_SIZE(name_bad); i++)
		if (value_is_name(name_bad[i]))
			fail_msg("'%s' should not be a name", name_bad[i]);
	for (size_t i = 0; i < ARRAY_SIZE(if_ok); i++)
		if (!value_is_ifname(if_ok[i]))
			fail_msg("'%s' should be an interface name", if_ok[i]);
	for (size_t i = 0; i < ARRAY_SIZE(if_bad); i++)
		if (value_is_ifname(if_bad[i]))
			fail_msg("'%s' should not be an interface name", if_bad[i]);
}

static void test_group(void **state)
{
	gid_t g = 4242;

	assert_int_equal(value_parse_group("", &g), 0);
	assert_true(g == (gid_t)-1);
	assert_int_equal(value_parse_group("0", &g), 0);
	assert_true(g == 0);
	assert_int_equal(value_parse_group("1234", &g), 0);
	assert_true(g == 1234);
	assert_int_equal(value_parse_group("4294967294", &g), 0);
	assert_true(g == 4294967294u);
	assert_int_equal(value_parse_group("root", &g), 0);
	assert_true(g == 0);
	g = 4242;
	assert_int_equal(value_parse_group("4294967295", &g), -ERANGE);
	assert_int_equal(value_parse_group("12ab", &g), -EINVAL);
	assert_int_equal(value_parse_group("no-such-group-herd-test", &g), -ENOENT);
	assert_true(g == 4242);
}

static void test_enum(void **state)
{
	static const struct value_enum names[] = {
		{ "lcp2", 0 }, { "deterministic", 1 }, { "nondeterministic", 2 }, { NULL, 0 },
	};
	char buf[128];
	int v = -1;

	assert_int_equal(value_parse_enum("deterministic", names, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(value_parse_enum("LCP2", names, &v), -EINVAL);
	assert_int_equal(value_parse_enum("", names, &v), -EINVAL);
	assert_int_equal(v, 1);
	assert_string_equal(value_enum_name(names, 2), "nondeterministic");
	assert_null(value_enum_name(names, 3));
	assert_string_equal(value_enum_list(buf, sizeof(buf), names),
			    "lcp2, deterministic, nondeterministic");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(value_enum_list(buf, 8, names), "lcp2, d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_address_equal),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_enum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
