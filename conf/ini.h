/*
 * ini.h — the herd.conf tokenizer: one line in, one token out. Pure.
 *
 * Syntax (herd.conf(5) is the user's description):
 *
 *   # comment            whole-line comment (also "; comment", as in smb.conf)
 *   [section]            whitespace around the name is ignored, and runs
 *                        of blanks inside it count as one space
 *   key = value          whitespace around key, '=' and value is trimmed;
 *                        runs of blanks inside a key count as one space
 *   key = value # note   '#' after a blank starts a comment
 *   key = "a # b "       double quotes keep '#' and blanks; inside them \"
 *                        is a quote and \\ a backslash
 *
 * The tokenizer knows nothing about which sections and keys exist: that is
 * conf/schema.c. ini_format_value() is the inverse used by the printer:
 * ini_parse_line("k = " + ini_format_value(v)) gives back v for every v
 * without control characters.
 */
#ifndef HERD_CONF_INI_H
#define HERD_CONF_INI_H

#include "agentd/util.h"

enum ini_kind {
	INI_BLANK,                      /* empty or a comment */
	INI_SECTION,                    /* name is the section */
	INI_KEY,                        /* name = value */
};

struct ini_token {
	enum ini_kind kind;
	char *name;                     /* points into the line */
	char *value;                    /* INI_KEY: unquoted, points into the line */
	bool quoted;                    /* INI_KEY: the value was in quotes */
};

/*
 * Tokenize line in place (it is modified). Returns 0 and *tok, or -EINVAL
 * with *why set to a static "what was wrong; expected what" message.
 */
int ini_parse_line(char *line, struct ini_token *tok, const char **why);

/* Whether the printer must quote v for it to read back the same. */
bool ini_needs_quotes(const char *v);

/*
 * v as it is written after "key = ": bare, or in double quotes with '"' and
 * '\' escaped. Returns buf; a value that does not fit is cut (the caller
 * sizes buf from strlen(v): 2 * strlen + 3 always fits).
 */
char *ini_format_value(char *buf, size_t len, const char *v);

#endif
