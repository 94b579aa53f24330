/*
 * mailspool.c — the spool directory: write-then-rename files, the state
 * sidecar, loading at start, delivery and expiry.
 *
 * The state file, one "KEY VALUE" per line (unknown keys are skipped, so a
 * later herd may add some):
 *
 *   herd-mail-spool 1
 *   queued 1732356000000000          wall clock, microseconds
 *   next 1732356060000000
 *   attempts 2
 *   session-failed 1
 *   error 1732356030000000 connect: Connection refused
 *   rcpt root@localhost
 *   rcpt-done admin@example.com      a recipient that already has it
 */
#include "notify.d/mailspool.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#define STATE_MAGIC "herd-mail-spool 1"
#define MSG_SUFFIX ".msg"
#define STATE_SUFFIX ".state"
#define TMP_SUFFIX ".tmp"
/* A state file is small; anything larger is not one of ours. */
#define STATE_MAX (256 * 1024)

struct mailspool {
	char *dir;
	int dfd, ffd;                   /* the spool and its failed/ */
	struct mailspool_entry **v;     /* sorted by id */
	size_t n, cap;
	struct mailspool_stats st;
};

bool mailspool_id_ok(const char *name)
{
	size_t n = strlen(name);

	if (n != 16 + 1 + 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (i == 16) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

static void entry_free(struct mailspool_entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nrcpt; i++)
		free(e->rcpt[i]);
	free(e->rcpt);
	free(e->done);
	free(e);
}

static int entry_add_rcpt(struct mailspool_entry *e, const char *addr, bool done)
{
	char **r = realloc(e->rcpt, (e->nrcpt + 1) * sizeof(*r));
	bool *d;

	if (!r)
		return -ENOMEM;
	e->rcpt = r;
	d = realloc(e->done, (e->nrcpt + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	e->done = d;
	e->rcpt[e->nrcpt] = strdup(addr);
	if (!e->rcpt[e->nrcpt])
		return -ENOMEM;
	e->done[e->nrcpt++] = done;
	return 0;
}

/* Insert keeping the ids sorted. */
static int spool_insert(struct mailspool *s, struct mailspool_entry *e)
{
	size_t at = s->n;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct mailspool_entry **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	while (at > 0 && strcmp(s->v[at - 1]->id, e->id) > 0)
		at--;
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*s->v));
	s->v[at] = e;
	s->n++;
	return 0;
}

static void spool_remove(struct mailspool *s, struct mailspool_entry *e)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == e) {
			memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
			s->n--;
			break;
		}
	entry_free(e);
}

/* Write data to dfd/name atomically: temporary, fsync, rename, fsync dir. */
static int write_atomic(int dfd, const char *name, const void *data, size_t len)
{
	char tmp[MAILSPOOL_ID_MAX + 32];
	const char *p = data;
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		return r;
	}
	return fsync(dfd) < 0 ? -errno : 0;
}

/* Read dfd/name whole (at most max bytes), NUL-terminated. */
static int read_all(int dfd, const char *name, size_t max, char **out, size_t *len)
{
	_cleanup_(closep) int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_(freep) char *buf = NULL;
	struct stat st;
	size_t off = 0, size;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADMSG;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	while (off < size) {
		ssize_t n = read(fd, buf + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	*len = off;
	*out = TAKE_PTR(buf);
	return 0;
}

static char *state_text(const struct mailspool_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, STATE_MAGIC "\n");
	fprintf(f, "queued %" PRIu64 "\n", e->queued);
	fprintf(f, "next %" PRIu64 "\n", e->next);
	fprintf(f, "attempts %u\n", e->attempts);
	fprintf(f, "session-failed %d\n", e->session_failed);
	if (e->error_time || e->error[0]) {
		char err[MAILSPOOL_ERROR_MAX];

		snprintf(err, sizeof(err), "%s", e->error);
		for (char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		fprintf(f, "error %" PRIu64 " %s\n", e->error_time, err);
	}
	for (size_t i = 0; i < e->nrcpt; i++)
		fprintf(f, "%s %s\n", e->done[i] ? "rcpt-done" : "rcpt", e->rcpt[i]);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* Fill e from a state file's text. -EBADMSG if it is not one. */
static int state_parse(struct mailspool_entry *e, char *text)
{
	char *save = NULL, *line;
	bool magic = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');
		uint64_t v;
		int r;

		if (!magic) {
			if (!streq(line, STATE_MAGIC))
				return -EBADMSG;
			magic = true;
			continue;
		}
		if (!val)
			continue;
		*val++ = '\0';
		if (streq(line, "queued") && parse_u64(val, &v) == 0) {
			e->queued = v;
		} else if (streq(line, "next") && parse_u64(val, &v) == 0) {
			e->next = v;
		} else if (streq(line, "attempts") && parse_u64(val, &v) == 0) {
			e->attempts = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
		} else if (streq(line, "session-failed")) {
			e->session_failed = streq(val, "1");
		} else if (streq(line, "error")) {
			char *text_part = strchr(val, ' ');

			if (text_part)
				*text_part++ = '\0';
			if (parse_u64(val, &v) == 0)
				e->error_time = v;
			snprintf(e->error, sizeof(e->error), "%s", text_part ? text_part : "");
		} else if (streq(line, "rcpt") || streq(line, "rcpt-done")) {
			r = entry_add_rcpt(e, val, streq(line, "rcpt-done"));
			if (r < 0)
				return r;
		}
	}
	return magic ? 0 : -EBADMSG;
}

static int save_state(int dfd, const struct mailspool_entry *e)
{
	_cleanup_(freep) char *text = state_text(e);
	char name[MAILSPOOL_ID_MAX + 16];

	if (!text)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s" STATE_SUFFIX, e->id);
	return write_atomic(dfd, name, text, strlen(text));
}

static void note_error(struct mailspool *s, const struct mailspool_entry *e)
{
	if (e->error_time && e->error_time >= s->st.last_error_time) {
		s->st.last_error_time = e->error_time;
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", e->error);
		snprintf(s->st.last_error_id, sizeof(s->st.last_error_id), "%s", e->id);
	}
}

/* Load one message found at open (name is "ID.msg"). */
static int load_one(struct mailspool *s, const char *id, const char *const *rcpt, size_t nrcpt)
{
	char name[MAILSPOOL_ID_MAX + 16];
	_cleanup_(freep) char *text = NULL;
	struct mailspool_entry *e;
	struct stat st;
	size_t len;
	int r;

	snprintf(name, sizeof(name), "%s" MSG_SUFFIX, id);
	if (fstatat(s->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->size = (size_t)st.st_size;
	snprintf(name, sizeof(name), "%s" STATE_SUFFIX, id);
	r = read_all(s->dfd, name, STATE_MAX, &text, &len);
	if (r == 0)
		r = state_parse(e, text);
	if (r < 0 || e->nrcpt == 0) {
		/* No usable state: queue it afresh. */
		for (size_t i = 0; i < e->nrcpt; i++)
			free(e->rcpt[i]);
		e->nrcpt = 0;
		e->queued = (usec_t)st.st_mtim.tv_sec * USEC_PER_SEC +
			    (usec_t)st.st_mtim.tv_nsec / 1000;
		e->next = 0;
		e->attempts = 0;
		e->session_failed = false;
		e->error_time = 0;
		e->error[0] = '\0';
		for (size_t i = 0; i < nrcpt; i++) {
			r = entry_add_rcpt(e, rcpt[i], false);
			if (r < 0) {
				entry_free(e);
				return r;
			}
		}
		if (e->nrcpt == 0) {
			entry_free(e);
			return -EINVAL;
		}
		(void)save_state(s->dfd, e);
	}
	note_error(s, e);
	r = spool_insert(s, e);
	if (r < 0)
		entry_free(e);
	return r;
}

static size_t count_failed(int ffd)
{
	int fd = fcntl(ffd, F_DUPFD_CLOEXEC, 3);
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > strlen(MSG_SUFFIX) && de->d_name[0] != '.' &&
		    streq(de->d_name + len - strlen(MSG_SUFFIX), MSG_SUFFIX))
			n++;
	}
	closedir(d);
	return n;
}

/* Read the directory: load messages, clear leftovers. */
static int spool_scan(struct mailspool *s, const char *const *rcpt, size_t nrcpt)
{
	int fd = fcntl(s->dfd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		char id[MAILSPOOL_ID_MAX];
		const char *dot = strrchr(name, '.');

		if (name[0] == '.') {
			size_t k = strlen(TMP_SUFFIX);

			if (len > k && streq(name + len - k, TMP_SUFFIX))
				(void)unlinkat(s->dfd, name, 0);
			continue;
		}
		if (!dot || (size_t)(dot - name) >= sizeof(id))
			continue;
		memcpy(id, name, (size_t)(dot - name));
		id[dot - name] = '\0';
		if (!mailspool_id_ok(id))
			continue;
		if (streq(dot, MSG_SUFFIX)) {
			r = load_one(s, id, rcpt, nrcpt);
			if (r < 0)
				break;
		} else if (streq(dot, STATE_SUFFIX)) {
			char msg[MAILSPOOL_ID_MAX + 16];

			snprintf(msg, sizeof(msg), "%s" MSG_SUFFIX, id);
			if (faccessat(s->dfd, msg, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
			    errno == ENOENT)
				(void)unlinkat(s->dfd, name, 0);
		}
	}
	closedir(d);
	return r;
}

int mailspool_open(const char *dir, const char *const *rcpt, size_t nrcpt,
		   struct mailspool **out)
{
	struct mailspool *s;
	int r;

	if (!dir || !dir[0])
		return -EINVAL;
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dfd = s->ffd = -EBADF;
	s->dir = strdup(dir);
	if (!s->dir) {
		r = -ENOMEM;
		goto fail;
	}
	s->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dfd < 0) {
		r = -errno;
		goto fail;
	}
	if (mkdirat(s->dfd, MAILSPOOL_FAILED_DIR, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	s->ffd = openat(s->dfd, MAILSPOOL_FAILED_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->ffd < 0) {
		r = -errno;
		goto fail;
	}
	r = spool_scan(s, rcpt, nrcpt);
	if (r < 0)
		goto fail;
	s->st.failed = count_failed(s->ffd);
	*out = s;
	return 0;
fail:
	mailspool_free(s);
	return r;
}

void mailspool_free(struct mailspool *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		entry_free(s->v[i]);
	free(s->v);
	closep(&s->dfd);
	closep(&s->ffd);
	free(s->dir);
	free(s);
}

const char *mailspool_dir(const struct mailspool *s)
{
	return s->dir;
}

size_t mailspool_count(const struct mailspool *s)
{
	return s->n;
}

struct mailspool_entry *mailspool_get(struct mailspool *s, size_t i)
{
	return i < s->n ? s->v[i] : NULL;
}

struct mailspool_entry *mailspool_find(struct mailspool *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i]->id, id))
			return s->v[i];
	return NULL;
}

struct mailspool_entry *mailspool_next_due(struct mailspool *s)
{
	struct mailspool_entry *best = NULL;

	/* Sorted by id, so the first of equal `next` is the oldest. */
	for (size_t i = 0; i < s->n; i++)
		if (!best || s->v[i]->next < best->next)
			best = s->v[i];
	return best;
}

int mailspool_add(struct mailspool *s, const char *msg, size_t len, const char *const *rcpt,
		  size_t nrcpt, usec_t now, uint32_t nonce, struct mailspool_entry **out)
{
	char name[MAILSPOOL_ID_MAX + 16];
	struct mailspool_entry *e;
	int r;

	if (nrcpt == 0)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	snprintf(e->id, sizeof(e->id), "%016" PRIx64 "-%08" PRIx32, now, nonce);
	e->queued = now;
	e->size = len;
	for (size_t i = 0; i < nrcpt; i++) {
		r = entry_add_rcpt(e, rcpt[i], false);
		if (r < 0)
			goto fail;
	}
	snprintf(name, sizeof(name), "%s" MSG_SUFFIX, e->id);
	r = write_atomic(s->dfd, name, msg, len);
	if (r < 0)
		goto fail;
	r = save_state(s->dfd, e);
	if (r == 0)
		r = spool_insert(s, e);
	if (r < 0) {
		char state[MAILSPOOL_ID_MAX + 16];

		snprintf(state, sizeof(state), "%s" STATE_SUFFIX, e->id);
		(void)unlinkat(s->dfd, name, 0);
		(void)unlinkat(s->dfd, state, 0);
		goto fail;
	}
	*out = e;
	return 0;
fail:
	entry_free(e);
	return r;
}

int mailspool_msg_path(const struct mailspool *s, const struct mailspool_entry *e, char *buf,
		       size_t len)
{
	int n = snprintf(buf, len, "%s/%s" MSG_SUFFIX, s->dir, e->id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int mailspool_read(const struct mailspool *s, const struct mailspool_entry *e, char **msg,
		   size_t *len)
{
	char name[MAILSPOOL_ID_MAX + 16];

	snprintf(name, sizeof(name), "%s" MSG_SUFFIX, e->id);
	return read_all(s->dfd, name, SIZE_MAX / 2, msg, len);
}

int mailspool_save(struct mailspool *s, struct mailspool_entry *e)
{
	note_error(s, e);
	return save_state(s->dfd, e);
}

int mailspool_delivered(struct mailspool *s, struct mailspool_entry *e)
{
	char name[MAILSPOOL_ID_MAX + 16];
	int r = 0;

	/* Message first: a state left alone is cleared at the next open. */
	snprintf(name, sizeof(name), "%s" MSG_SUFFIX, e->id);
	if (unlinkat(s->dfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	if (fsync(s->dfd) < 0)
		r = -errno;
	snprintf(name, sizeof(name), "%s" STATE_SUFFIX, e->id);
	(void)unlinkat(s->dfd, name, 0);
	s->st.delivered++;
	spool_remove(s, e);
	return r;
}

int mailspool_expire(struct mailspool *s, struct mailspool_entry *e)
{
	char msg[MAILSPOOL_ID_MAX + 16], state[MAILSPOOL_ID_MAX + 16];
	int r;

	note_error(s, e);
	r = save_state(s->dfd, e);
	if (r < 0)
		return r;
	snprintf(msg, sizeof(msg), "%s" MSG_SUFFIX, e->id);
	snprintf(state, sizeof(state), "%s" STATE_SUFFIX, e->id);
	/* State first: a message in failed/ always has its state by it. */
	if (renameat(s->dfd, state, s->ffd, state) < 0)
		return -errno;
	if (renameat(s->dfd, msg, s->ffd, msg) < 0) {
		r = -errno;
		(void)renameat(s->ffd, state, s->dfd, state);
		return r;
	}
	if (fsync(s->ffd) < 0 || fsync(s->dfd) < 0)
		r = -errno;
	s->st.failed++;
	spool_remove(s, e);
	return r;
}

void mailspool_stats(const struct mailspool *s, struct mailspool_stats *st)
{
	*st = s->st;
	st->queued = s->n;
	st->oldest = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!st->oldest || s->v[i]->queued < st->oldest)
			st->oldest = s->v[i]->queued;
}
