/*
 * ini.c — tokenize one herd.conf line; format a value so it reads back.
 *
 * ctdb.conf is read by Samba's INI parser; herd.conf keeps its look
 * ([section], "key = value", keys with spaces) with stricter rules, since a
 * cluster that starts with a misread setting is worse than one that refuses
 * to start: every line is blank, a comment, a section header or a key, and
 * anything else is an error with a reason. Comments may follow a value after
 * a blank ("port = 4380   # the default"); a '#' inside a word ("a#b") is
 * part of the value. Double quotes are the escape hatch for values that must
 * hold a '#' or leading/trailing blanks, and the printer uses them for
 * exactly those values, so that `herdd -nv` output parses back the same.
 */
#include "conf/ini.h"

#include <stdio.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Cut trailing blanks off s[0..end) in place. */
static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
}

/* Trim s and squeeze every run of blanks inside it into one space. */
static void squeeze_blanks(char *s)
{
	char *w = s;
	const char *r = skip_blanks(s);

	while (*r) {
		if (is_blank(*r)) {
			while (is_blank(*r))
				r++;
			if (*r)
				*w++ = ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* Only a comment (or nothing) may follow a section header or a quoted value. */
static bool rest_is_comment(const char *s)
{
	while (is_blank(*s))
		s++;
	return *s == '\0' || *s == '#';
}

static int parse_section(char *line, struct ini_token *tok, const char **why)
{
	char *close = strchr(line, ']');
	char *name;

	if (!close) {
		*why = "unterminated section header; expected [section]";
		return -EINVAL;
	}
	if (!rest_is_comment(close + 1)) {
		*why = "text after section header; expected only a comment after ']'";
		return -EINVAL;
	}
	*close = '\0';
	/* As in keys: "[ policy   routing ]" is [policy routing]. */
	name = line + 1;
	squeeze_blanks(name);
	if (!*name) {
		*why = "empty section name; expected [section]";
		return -EINVAL;
	}
	tok->kind = INI_SECTION;
	tok->name = name;
	return 0;
}

/* Unquote the value that starts at v (v[0] == '"') in place. */
static int parse_quoted(char *v, struct ini_token *tok, const char **why)
{
	char *w = v, *r = v + 1;

	for (;;) {
		if (*r == '\0') {
			*why = "unterminated quoted value; expected a closing '\"'";
			return -EINVAL;
		}
		if (*r == '"')
			break;
		if (*r == '\\') {
			if (r[1] != '"' && r[1] != '\\') {
				*why = "bad escape in quoted value; expected \\\" or \\\\ inside quotes";
				return -EINVAL;
			}
			r++;
		}
		*w++ = *r++;
	}
	if (!rest_is_comment(r + 1)) {
		*why = "text after closing quote; expected only a comment after the value";
		return -EINVAL;
	}
	*w = '\0';
	tok->value = v;
	tok->quoted = true;
	return 0;
}

static int parse_key(char *line, struct ini_token *tok, const char **why)
{
	char *eq = strchr(line, '=');
	char *v;

	if (!eq) {
		*why = "missing '='; expected key = value, [section] or a # comment";
		return -EINVAL;
	}
	*eq = '\0';
	squeeze_blanks(line);
	if (!*line) {
		*why = "missing key before '='; expected key = value";
		return -EINVAL;
	}
	tok->kind = INI_KEY;
	tok->name = line;
	v = skip_blanks(eq + 1);
	if (*v == '"')
		return parse_quoted(v, tok, why);
	/* A '#' at the start of the value or after a blank starts a comment. */
	for (char *p = v; *p; p++) {
		if (*p == '#' && (p == v || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	trim_end(v);
	tok->value = v;
	tok->quoted = false;
	return 0;
}

int ini_parse_line(char *line, struct ini_token *tok, const char **why)
{
	char *s = skip_blanks(line);

	*tok = (struct ini_token){ .kind = INI_BLANK };
	*why = NULL;
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_section(s, tok, why);
	return parse_key(s, tok, why);
}

bool ini_needs_quotes(const char *v)
{
	size_t n = strlen(v);

	return n == 0 || v[0] == '"' || is_blank(v[0]) || is_blank(v[n - 1]) ||
	       strchr(v, '#') != NULL;
}

char *ini_format_value(char *buf, size_t len, const char *v)
{
	size_t w = 0;

	if (len == 0)
		return buf;
	if (!ini_needs_quotes(v)) {
		snprintf(buf, len, "%s", v);
		return buf;
	}
	/* Every step keeps room for the closing quote and the NUL. */
	if (len < 3) {
		buf[0] = '\0';
		return buf;
	}
	buf[w++] = '"';
	for (const char *p = v; *p; p++) {
		bool esc = *p == '"' || *p == '\\';

		if (w + (esc ? 2 : 1) + 2 > len)
			break;
		if (esc)
			buf[w++] = '\\';
		buf[w++] = *p;
	}
	buf[w++] = '"';
	buf[w] = '\0';
	return buf;
}
