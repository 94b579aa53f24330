/*
 * cfile.c — configuration files in memory, and their error messages.
 *
 * A configuration file is small and read once per load, so it is read whole
 * (at most CFILE_MAX_SIZE) and split into lines in place. Opening refuses
 * what cannot be a configuration file before reading from it: a directory
 * (glibc opens those for reading and fails only on read), a FIFO (opened
 * non-blocking so that a FIFO without a writer cannot hang herdd), a device.
 * Lines may end in LF or CRLF; a UTF-8 byte order mark at the start is
 * skipped; NUL and other control characters (tab excepted) are errors, so
 * that every later parser can treat a line as plain text.
 */
#include "conf/cfile.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

int cfile_error(struct conf_error *err, int ret, const char *path, unsigned line,
		const char *fmt, ...)
{
	va_list ap;
	size_t off;
	int n;

	if (line)
		n = snprintf(err->msg, sizeof(err->msg), "%s:%u: ", path, line);
	else
		n = snprintf(err->msg, sizeof(err->msg), "%s: ", path);
	off = n < 0 ? 0 : MIN((size_t)n, sizeof(err->msg) - 1);
	va_start(ap, fmt);
	vsnprintf(err->msg + off, sizeof(err->msg) - off, fmt, ap);
	va_end(ap);
	return ret;
}

const char *cfile_quote(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n > 80)
		snprintf(buf, len, "'%.77s...'", s);
	else
		snprintf(buf, len, "'%s'", s);
	return buf;
}

static int cfile_init(struct cfile *cf, const char *path, struct conf_error *err)
{
	*cf = (struct cfile){ 0 };
	cf->path = strdup(path);
	if (!cf->path) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int cfile_from_string(struct cfile *cf, const char *label, const char *text,
		      struct conf_error *err)
{
	int r = cfile_init(cf, label, err);

	if (r < 0)
		return r;
	cf->len = strlen(text);
	cf->data = strdup(text);
	if (!cf->data) {
		cfile_done(cf);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Read all of fd into cf->data. Returns 0 or a negative errno. */
static int cfile_slurp(struct cfile *cf, int fd)
{
	size_t cap = 4096;
	char *data = malloc(cap);

	if (!data)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cf->len + 1 >= cap) {
			char *p;

			if (cap > CFILE_MAX_SIZE) {
				free(data);
				return -EFBIG;
			}
			p = realloc(data, cap * 2);
			if (!p) {
				free(data);
				return -ENOMEM;
			}
			data = p;
			cap *= 2;
		}
		n = read(fd, data + cf->len, cap - 1 - cf->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(data);
			return (int)n;
		}
		if (n == 0)
			break;
		cf->len += (size_t)n;
	}
	if (cf->len > CFILE_MAX_SIZE) {
		free(data);
		return -EFBIG;
	}
	data[cf->len] = '\0';
	cf->data = data;
	return 0;
}

int cfile_read(struct cfile *cf, const char *path, struct conf_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	struct stat st;
	int r;

	r = cfile_init(cf, path, err);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		cfile_done(cf);
		return cfile_error(err, r, path, 0, "cannot open: %s", strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		cfile_done(cf);
		return cfile_error(err, r, path, 0, "cannot open: %s", strerror(-r));
	}
	if (S_ISDIR(st.st_mode)) {
		cfile_done(cf);
		return cfile_error(err, -EISDIR, path, 0, "cannot open: %s", strerror(EISDIR));
	}
	if (!S_ISREG(st.st_mode)) {
		cfile_done(cf);
		return cfile_error(err, -EINVAL, path, 0,
				   "cannot open: not a regular file; expected a text file");
	}
	r = cfile_slurp(cf, fd);
	if (r < 0) {
		cfile_done(cf);
		if (r == -ENOMEM) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			return r;
		}
		if (r == -EFBIG)
			return cfile_error(err, r, path, 0,
					   "cannot read: file is larger than %d bytes; expected a configuration file",
					   CFILE_MAX_SIZE);
		return cfile_error(err, r, path, 0, "cannot read: %s", strerror(-r));
	}
	return 0;
}

int cfile_next(struct cfile *cf, char **line, struct conf_error *err)
{
	char *start, *end, *nl;

	if (!cf->data || cf->pos >= cf->len)
		return 0;
	start = cf->data + cf->pos;
	if (cf->pos == 0 && cf->len >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	nl = memchr(start, '\n', cf->len - (size_t)(start - cf->data));
	end = nl ? nl : cf->data + cf->len;
	cf->pos = (size_t)(end - cf->data) + (nl ? 1 : 0);
	cf->line++;
	*end = '\0';
	if (end > start && end[-1] == '\r')
		*--end = '\0';
	for (const char *p = start; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\0')
			return cfile_error(err, -EINVAL, cf->path, cf->line,
					   "NUL byte in line; expected plain text");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return cfile_error(err, -EINVAL, cf->path, cf->line,
					   "control character 0x%02x in line; expected plain text", c);
	}
	*line = start;
	return 1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *cfile_strip(char *line)
{
	char *s = line;

	while (is_blank(*s))
		s++;
	for (char *p = s; *p; p++) {
		if (*p == '#' && (p == s || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	return s;
}

char *cfile_word(char **s)
{
	char *w = *s, *e;

	while (is_blank(*w))
		w++;
	if (!*w) {
		*s = w;
		return NULL;
	}
	e = w + strcspn(w, " \t");
	if (*e)
		*e++ = '\0';
	*s = e;
	return w;
}

void cfile_done(struct cfile *cf)
{
	if (!cf)
		return;
	free(cf->path);
	free(cf->data);
	*cf = (struct cfile){ 0 };
}
