/*
 * mailspool.h — the mail spool: every notification mail is on disk before
 * it is sent and leaves only once delivered, so that none is ever lost.
 *
 * One directory (the state dir's mail/ by default) holds, per mail:
 *
 *   ID.msg     the message, exactly as SMTP DATA sends it (never changed)
 *   ID.state   its delivery state, a small text file (see mailspool.c)
 *   failed/    mails that expired undelivered, with their last state
 *
 * ID is "WALLUSEC-NONCE" in hex, so that names sort in queueing order. Each
 * file is written to a dot-temporary, fsync'd, renamed into place and the
 * directory fsync'd: a crash leaves either the old file or the new one. A
 * message is written before its state; at open a message without a state
 * file is queued afresh (to the fallback recipients, queued at the file's
 * mtime), a state without a message and temporaries are removed.
 *
 * The state holds the envelope recipients (fixed when the mail is made:
 * To: says the same) and which of them already accepted it, so a retry
 * goes only to the rest and nobody gets the mail twice; the attempts, the
 * next try and the first queueing (wall clock, to survive restarts) and
 * the last error.
 *
 * This module decides nothing (mailpolicy.h does) and logs nothing: it
 * returns -errno. Entries are owned by the spool; a pointer stays valid
 * until that entry is delivered or expired or the spool freed.
 */
#ifndef HERD_NOTIFY_MAILSPOOL_H
#define HERD_NOTIFY_MAILSPOOL_H

#include "agentd/util.h"

#define MAILSPOOL_ID_MAX 40
#define MAILSPOOL_ERROR_MAX 256
#define MAILSPOOL_FAILED_DIR "failed"

struct mailspool_entry {
	char id[MAILSPOOL_ID_MAX];
	usec_t queued;                  /* wall: spooled */
	usec_t next;                    /* wall: next attempt (0: at once) */
	unsigned attempts;              /* failed attempts so far */
	bool session_failed;            /* the last failure was the session's, not a recipient's */
	usec_t error_time;              /* wall: the last failure (0: none) */
	char error[MAILSPOOL_ERROR_MAX];
	char **rcpt;                    /* envelope recipients */
	bool *done;                     /* rcpt[i] accepted it in an earlier attempt */
	size_t nrcpt;
	size_t size;                    /* of the message, bytes */
};

struct mailspool_stats {
	size_t queued;
	usec_t oldest;                  /* wall: the oldest queued mail (0: none) */
	uint64_t delivered;             /* since open */
	uint64_t failed;                /* mails in failed/ */
	usec_t last_error_time;         /* wall (0: none) */
	char last_error[MAILSPOOL_ERROR_MAX];
	char last_error_id[MAILSPOOL_ID_MAX];
};

struct mailspool;

/*
 * Open (creating dir and dir/failed, mode 0700, as needed) and load the
 * spool. rcpt[0..nrcpt) are the recipients of a message found without
 * its state file. Returns 0 and *out, or -errno (mkdir, opendir, a
 * message that cannot be read).
 */
int mailspool_open(const char *dir, const char *const *rcpt, size_t nrcpt,
		   struct mailspool **out);
void mailspool_free(struct mailspool *s);

const char *mailspool_dir(const struct mailspool *s);
size_t mailspool_count(const struct mailspool *s);
/* The i-th entry, oldest first. */
struct mailspool_entry *mailspool_get(struct mailspool *s, size_t i);
struct mailspool_entry *mailspool_find(struct mailspool *s, const char *id);
/* The entry to try next: smallest next, the oldest of those; NULL if none. */
struct mailspool_entry *mailspool_next_due(struct mailspool *s);

/*
 * Spool a message for rcpt[0..nrcpt) (nrcpt >= 1), queued at now (wall),
 * due at once; nonce makes the id unique. Returns 0 and *out, or -errno
 * (nothing is left behind on failure).
 */
int mailspool_add(struct mailspool *s, const char *msg, size_t len, const char *const *rcpt,
		  size_t nrcpt, usec_t now, uint32_t nonce, struct mailspool_entry **out);

/* "DIR/ID.msg" into buf; -ENAMETOOLONG. */
int mailspool_msg_path(const struct mailspool *s, const struct mailspool_entry *e, char *buf,
		       size_t len);
/* The message, malloc'd and NUL-terminated. */
int mailspool_read(const struct mailspool *s, const struct mailspool_entry *e, char **msg,
		   size_t *len);

/* Persist e's state after the caller changed it (an attempt failed). */
int mailspool_save(struct mailspool *s, struct mailspool_entry *e);
/* Delivered: remove it; e is freed. Counted in stats.delivered. */
int mailspool_delivered(struct mailspool *s, struct mailspool_entry *e);
/* Expired: save its state and move both files to failed/; e is freed. */
int mailspool_expire(struct mailspool *s, struct mailspool_entry *e);

void mailspool_stats(const struct mailspool *s, struct mailspool_stats *st);

/* Whether name is a spool id ("0123456789abcdef-01234567"). Pure. */
bool mailspool_id_ok(const char *name);

#endif
