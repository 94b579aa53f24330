/*
 * test_conf_ini.c — the herd.conf tokenizer (conf/ini.c).
 *
 * A table of lines: each gives the token (kind, name, value) or the exact
 * reason it is refused. Then the quoting rule: every value, formatted by
 * ini_format_value() after "key = ", reads back unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "conf/ini.h"

struct line_case {
	const char *in;
	int r;
	enum ini_kind kind;
	const char *name;
	const char *value;
	const char *why;
};

static const struct line_case cases[] = {
	/* blank and comments */
	{ "", 0, INI_BLANK, NULL, NULL, NULL },
	{ "   \t ", 0, INI_BLANK, NULL, NULL, NULL },
	{ "# comment", 0, INI_BLANK, NULL, NULL, NULL },
	{ "   # indented comment = with [brackets]", 0, INI_BLANK, NULL, NULL, NULL },
	{ "; smb.conf style", 0, INI_BLANK, NULL, NULL, NULL },
	{ "#", 0, INI_BLANK, NULL, NULL, NULL },

	/* sections */
	{ "[cluster]", 0, INI_SECTION, "cluster", NULL, NULL },
	{ "  [ cluster ]  ", 0, INI_SECTION, "cluster", NULL, NULL },
	{ "[cluster] # the cluster", 0, INI_SECTION, "cluster", NULL, NULL },
	{ "[cluster]# tight", 0, INI_SECTION, "cluster", NULL, NULL },
	{ "[Cluster]", 0, INI_SECTION, "Cluster", NULL, NULL },
	{ "[policy routing]", 0, INI_SECTION, "policy routing", NULL, NULL },
	{ "[ policy \t  routing ]", 0, INI_SECTION, "policy routing", NULL, NULL },
	{ "[cluster", -EINVAL, INI_BLANK, NULL, NULL,
	  "unterminated section header; expected [section]" },
	{ "[]", -EINVAL, INI_BLANK, NULL, NULL, "empty section name; expected [section]" },
	{ "[  ]", -EINVAL, INI_BLANK, NULL, NULL, "empty section name; expected [section]" },
	{ "[cluster] x", -EINVAL, INI_BLANK, NULL, NULL,
	  "text after section header; expected only a comment after ']'" },
	{ "[a]b]", -EINVAL, INI_BLANK, NULL, NULL,
	  "text after section header; expected only a comment after ']'" },

	/* keys */
	{ "name = demo", 0, INI_KEY, "name", "demo", NULL },
	{ "name=demo", 0, INI_KEY, "name", "demo", NULL },
	{ "\tname\t=\tdemo\t", 0, INI_KEY, "name", "demo", NULL },
	{ "keepalive interval = 250ms", 0, INI_KEY, "keepalive interval", "250ms", NULL },
	{ "keepalive   \t interval = 250ms", 0, INI_KEY, "keepalive interval", "250ms", NULL },
	{ "name =", 0, INI_KEY, "name", "", NULL },
	{ "name =    ", 0, INI_KEY, "name", "", NULL },
	{ "port = 4380   # the default", 0, INI_KEY, "port", "4380", NULL },
	{ "port = 4380\t# tab before", 0, INI_KEY, "port", "4380", NULL },
	{ "name = # only a comment", 0, INI_KEY, "name", "", NULL },
	{ "name =# only a comment", 0, INI_KEY, "name", "", NULL },
	{ "name = a#b", 0, INI_KEY, "name", "a#b", NULL },
	{ "recovery lock = !/usr/libexec/herd/lock --ttl 10", 0, INI_KEY, "recovery lock",
	  "!/usr/libexec/herd/lock --ttl 10", NULL },
	{ "a = b = c", 0, INI_KEY, "a", "b = c", NULL },
	{ "name = a \"b\" c", 0, INI_KEY, "name", "a \"b\" c", NULL },
	{ "name = C:\\dir", 0, INI_KEY, "name", "C:\\dir", NULL },
	{ "= value", -EINVAL, INI_BLANK, NULL, NULL,
	  "missing key before '='; expected key = value" },
	{ "  =", -EINVAL, INI_BLANK, NULL, NULL, "missing key before '='; expected key = value" },
	{ "name demo", -EINVAL, INI_BLANK, NULL, NULL,
	  "missing '='; expected key = value, [section] or a # comment" },

	/* quoted values */
	{ "name = \"\"", 0, INI_KEY, "name", "", NULL },
	{ "name = \"a # b\"", 0, INI_KEY, "name", "a # b", NULL },
	{ "name = \"  padded  \"  # comment", 0, INI_KEY, "name", "  padded  ", NULL },
	{ "name = \"q\\\"uote\"", 0, INI_KEY, "name", "q\"uote", NULL },
	{ "name = \"back\\\\slash\"", 0, INI_KEY, "name", "back\\slash", NULL },
	{ "name = \"x\"#c", 0, INI_KEY, "name", "x", NULL },
	{ "name = \"abc", -EINVAL, INI_BLANK, NULL, NULL,
	  "unterminated quoted value; expected a closing '\"'" },
	{ "name = \"ab\\\"", -EINVAL, INI_BLANK, NULL, NULL,
	  "unterminated quoted value; expected a closing '\"'" },
	{ "name = \"a\\nb\"", -EINVAL, INI_BLANK, NULL, NULL,
	  "bad escape in quoted value; expected \\\" or \\\\ inside quotes" },
	{ "name = \"a\" b", -EINVAL, INI_BLANK, NULL, NULL,
	  "text after closing quote; expected only a comment after the value" },
};

static void test_lines(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct line_case *c = &cases[i];
		char line[256];
		struct ini_token tok;
		const char *why = "unset";
		int r;

		snprintf(line, sizeof(line), "%s", c->in);
		r = ini_parse_line(line, &tok, &why);
		if (r != c->r)
			fail_msg("'%s': got %d, expected %d (%s)", c->in, r, c->r, why ? why : "");
		if (r < 0) {
			if (!why || strcmp(why, c->why) != 0)
				fail_msg("'%s': why '%s', expected '%s'", c->in, why, c->why);
			continue;
		}
		assert_null(why);
		if (tok.kind != c->kind)
			fail_msg("'%s': kind %d, expected %d", c->in, tok.kind, c->kind);
		if (c->name)
			assert_string_equal(tok.name, c->name);
		if (c->value)
			assert_string_equal(tok.value, c->value);
	}
}

static void test_quoting(void **state)
{
	static const struct {
		const char *v;
		const char *out;
	} cases2[] = {
		{ "demo", "demo" },
		{ "", "\"\"" },
		{ "a#b", "\"a#b\"" },
		{ "a # b", "\"a # b\"" },
		{ " lead", "\" lead\"" },
		{ "trail\t", "\"trail\t\"" },
		{ "\"q", "\"\\\"q\"" },
		{ "in\"side", "in\"side" },
		{ "back\\slash", "back\\slash" },
		{ "#\\\"", "\"#\\\\\\\"\"" },
		{ "!/bin/helper --arg x", "!/bin/helper --arg x" },
		{ "a = b", "a = b" },
		{ ";semi", ";semi" },
		{ "[x]", "[x]" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases2); i++) {
		char buf[128], line[160];
		struct ini_token tok;
		const char *why;

		assert_string_equal(ini_format_value(buf, sizeof(buf), cases2[i].v), cases2[i].out);
		assert_int_equal(ini_needs_quotes(cases2[i].v), buf[0] == '"');
		snprintf(line, sizeof(line), "k = %s", buf);
		assert_int_equal(ini_parse_line(line, &tok, &why), 0);
		assert_int_equal(tok.kind, INI_KEY);
		assert_string_equal(tok.value, cases2[i].v);
	}
}

/* Every byte pattern of a few printable characters reads back after quoting. */
static void test_quoting_exhaustive(void **state)
{
	static const char alphabet[] = { 'a', ' ', '#', '"', '\\', '\t', '=', ';' };
	const size_t k = ARRAY_SIZE(alphabet);

	for (size_t len = 0; len <= 4; len++) {
		size_t total = 1;

		for (size_t i = 0; i < len; i++)
			total *= k;
		for (size_t n = 0; n < total; n++) {
			char v[8], buf[32], line[48];
			struct ini_token tok;
			const char *why;
			size_t x = n;

			for (size_t i = 0; i < len; i++, x /= k)
				v[i] = alphabet[x % k];
			v[len] = '\0';
			ini_format_value(buf, 2 * len + 3, v);
			snprintf(line, sizeof(line), "key = %s", buf);
			if (ini_parse_line(line, &tok, &why) != 0 || strcmp(tok.value, v) != 0)
				fail_msg("value '%s' printed as '%s' does not read back", v, buf);
		}
	}
}

static void test_format_truncates(void **state)
{
	char buf[6];

	/* Cut, NUL-terminated, never past the buffer. */
	assert_string_equal(ini_format_value(buf, sizeof(buf), "abcdefgh"), "abcde");
	assert_string_equal(ini_format_value(buf, sizeof(buf), "#abcdef"), "\"#ab\"");
	assert_string_equal(ini_format_value(buf, sizeof(buf), "\"\"\"\""), "\"\\\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_quoting_exhaustive),
		cmocka_unit_test(test_format_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
