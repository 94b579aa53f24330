/*
 * mail.h — the email sink: herd's events as mail to root's aliases,
 * coalesced, rate-limited, spooled and retried until delivered or expired.
 *
 * The glue hands every event to mail_event(). Events that the policy wants
 * (mailpolicy.h: severity and type) wait in memory for the coalescing
 * window; then one mail (mailmsg.h) lists them all, with the cluster status
 * the glue's callback returns at that moment, and goes into the spool
 * (mailspool.h) before anything is sent. One child at a time sends the
 * oldest due mail (mailsend.h); a mail leaves the spool only when every
 * recipient accepted it, else it is retried with backoff until it expires
 * into the spool's failed/. Past the hourly rate limit, events keep
 * waiting and are folded into the next allowed mail. The spool is flushed
 * at start; a delivery makes every mail that failed for want of a server
 * due at once (the server is back).
 *
 *   mail_new()          load the spool, start sending what it holds
 *   mail_event()        offer one event
 *   mail_test()         a mail for one synthetic event, now, with its outcome
 *   mail_flush()        compose what waits and retry the spool now
 *   mail_status_json()  for `herdctl notify status`
 *   mail_free()         waiting events go to the spool; a running child is
 *                       killed, its mail stays spooled
 *
 * Runs on sd-event; the loop's thread must have SIGCHLD blocked. Logs
 * through agentd/log.h (a mail delivered, failed, expired), sparingly.
 */
#ifndef HERD_NOTIFY_MAIL_H
#define HERD_NOTIFY_MAIL_H

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "agentd/event.h"
#include "agentd/util.h"
#include "notify.d/mailpolicy.h"
#include "notify.d/mailsend.h"

struct mail_config {
	bool enabled;                   /* false: events are ignored, nothing is sent */
	const char *server;             /* host:port */
	const char *from;               /* From: and MAIL FROM */
	const char *const *to;          /* recipients (To: and RCPT TO) */
	size_t nto;
	enum mailsend_starttls starttls;
	const char *tls_ca_file;        /* NULL/"": the system's CAs */
	bool tls_verify;
	const char *auth_user;          /* NULL/"": no AUTH */
	const char *auth_password_file;
	usec_t send_timeout;            /* one SMTP session */
	const char *subject_prefix;     /* "herd" gives "[herd] ..."; "": none */
	const char *spool_dir;          /* created 0700 if missing */
	const char *cluster;            /* the cluster's name */
	uint32_t self;                  /* this node's pnn (PNN_NONE: unknown) */
	const char *hostname;           /* NULL: gethostname() */
	struct mailpolicy policy;
};

/*
 * The defaults herd.conf documents (strings are static): enabled, server
 * localhost:25, from herd@localhost, to root@localhost, STARTTLS off,
 * verify on, no AUTH, 60 s sessions, prefix "herd", spool
 * /var/lib/herd/mail, cluster "herd", and mailpolicy_default().
 */
void mail_config_default(struct mail_config *c);

/* The cluster status text ("herdctl status"), malloc'd; NULL if none. */
typedef char *(*mail_status_fn)(void *userdata);

struct mail;

/*
 * Copy cfg (the caller's strings may go away), open the spool and start
 * on what it holds. status may be NULL. Returns 0 and *out, or -EINVAL
 * (no recipient, no server or sender, max_events 0), -errno from the
 * spool (creating or reading the directory). A disabled sink opens no
 * spool.
 */
int mail_new(sd_event *e, const struct mail_config *cfg, mail_status_fn status, void *userdata,
	     struct mail **out);

/*
 * Free: events still waiting are composed into the spool (without a
 * status, ignoring the window and the rate limit), a running child is
 * killed (its mail stays spooled, to be sent at the next start), pending
 * mail_test callbacks are called with -ECANCELED. Accepts NULL.
 */
void mail_free(struct mail *m);

/* Offer an event: 1 when it will be mailed, 0 when the policy (or a
 * disabled sink) leaves it out, -ENOMEM. */
int mail_event(struct mail *m, const struct herd_event *ev);

/*
 * `herdctl notify test`: a mail for ev alone, composed and spooled now
 * (no policy, no window, no rate limit), sent as soon as the sender is
 * free. done(r, text) follows its first attempt: r = 0 and "delivered to
 * ... via ...", or r < 0 (-EAGAIN: will be retried, -ETIMEDOUT: expired)
 * and the reason. Returns 0, -EOPNOTSUPP when disabled, -errno when it
 * could not be composed or spooled (done is then not called).
 */
typedef void (*mail_test_fn)(int r, const char *text, void *userdata);
int mail_test(struct mail *m, const struct herd_event *ev, mail_test_fn done, void *userdata);

/* Compose every waiting event now (window and rate limit ignored) and make
 * every spooled mail due now. Returns 0 or -errno from composing. */
int mail_flush(struct mail *m);

/*
 * A text mail (the daily digest): spooled and sent like the event mails
 * (retries, expiry), outside the rate limit. Returns 0 or -errno
 * (-ENOTCONN when the sink is disabled).
 */
int mail_text(struct mail *m, const char *subject, const char *body);

/*
 * The state for `herdctl notify status`: enabled, server, starttls,
 * recipients, queued, oldest, sending, pending_events, held_events,
 * next_mail_in (s), delivered, failed, failed_dir, attempts_failed,
 * mails_composed, events_mailed, events_ignored, mails_last_hour,
 * rate_limit, last_error, last_error_time, last_delivery, and queue (the
 * oldest 20: id, queued, attempts, next, error, recipients). NULL on ENOMEM.
 */
struct json_object *mail_status_json(struct mail *m);

/* Counters for tests and the glue. */
struct mail_counts {
	size_t queued, pending;
	uint64_t delivered, failed, composed, attempts_failed;
	bool sending;
};
void mail_counts(const struct mail *m, struct mail_counts *c);

#endif
