/*
 * cfile.h — reading a configuration file into memory, line by line, and
 * the one error format every configuration message uses.
 *
 * Every file the configuration reads (herd.conf, nodes, public_addresses)
 * goes through cfile_read(): it refuses directories and special files, caps
 * the size, and hands out lines with the line number kept for messages.
 * Messages are "FILE:LINE: what was wrong; expected what" or, for the file
 * as a whole, "FILE: what was wrong". Nothing here logs.
 */
#ifndef HERD_CONF_CFILE_H
#define HERD_CONF_CFILE_H

#include "agentd/util.h"
#include "conf/conf.h"

/* The largest configuration file read (nodes files of 256 nodes are ~10 KB). */
#define CFILE_MAX_SIZE (1024 * 1024)

struct cfile {
	char *path;                     /* as opened; owned */
	char *data;                     /* file contents, NUL-terminated */
	size_t len;
	size_t pos;                     /* start of the next line */
	unsigned line;                  /* number of the line last returned */
};

/*
 * Read the file at path. Returns 0, or a negative errno with err filled in
 * ("PATH: cannot open: No such file or directory"); -ENOENT when the file
 * does not exist, so that callers may treat a missing file as empty.
 */
int cfile_read(struct cfile *cf, const char *path, struct conf_error *err);

/* Use text (copied) as the contents of a file named label: for tests. */
int cfile_from_string(struct cfile *cf, const char *label, const char *text,
		      struct conf_error *err);

/*
 * The next line, without its newline (and without a trailing CR): returns 1
 * and *line (writable, valid until cfile_done), 0 at the end, or -EINVAL
 * with err filled in when the line holds a NUL or a control character.
 */
int cfile_next(struct cfile *cf, char **line, struct conf_error *err);

void cfile_done(struct cfile *cf);

/*
 * For the one-record-per-line files (CTDB's style): cut a comment off line
 * in place, a '#' that starts the line or follows a blank, and return the
 * line from its first non-blank character; "" when nothing is left.
 */
char *cfile_strip(char *line);

/* The next blank-separated word of *s, NUL-terminated in place; NULL at the end. */
char *cfile_word(char **s);

/*
 * Fill err with "PATH:LINE: message" (line 0: "PATH: message") and return
 * ret, so that callers can write `return cfile_error(err, -EINVAL, ...)`.
 */
int cfile_error(struct conf_error *err, int ret, const char *path, unsigned line,
		const char *fmt, ...) _printf_(5, 6);

/*
 * Copy s into buf quoted for a message: 'text', cut at 80 characters with
 * "..." so that one bad value cannot crowd the rest of the message out.
 */
const char *cfile_quote(char *buf, size_t len, const char *s);
#define CFILE_QUOTE_MAX 96

#endif
