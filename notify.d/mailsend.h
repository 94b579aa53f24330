/*
 * mailsend.h — hand one spooled message to an SMTP server with libesmtp,
 * in a child process, without ever blocking herdd's loop.
 *
 * libesmtp's connect has no timeout and a session runs synchronously
 * (DESIGN.md), so herdd forks, on agentd/child.h without exec (its own
 * process group, SIGKILL when herdd dies, no inherited descriptors, the
 * output into one bounded pipe buffer); the child resolves the server,
 * runs the whole session, and writes a line-based report to its stdout:
 * the STARTTLS outcome, the replies to MAIL FROM, to each RCPT TO and to
 * the end of DATA. child.c watches the pipe and the child on sd-event and
 * SIGKILLs the child's group when the overall timeout runs out. The child
 * reads the message and the password file itself: the password never sits
 * in herdd's memory.
 *
 * Success is not smtp_start_session() returning 1: a mail is delivered
 * only when every recipient's RCPT got a 2xx and so did the end of DATA.
 * The result says which recipients accepted it, so a retry can skip them.
 *
 * STARTTLS: off (never, even if offered), opportunistic (when offered;
 * the certificate is not checked — encryption against passive listeners
 * only, as an MTA does it) or required (the session ends unless TLS
 * starts; the certificate chain is checked against tls_ca_file or the
 * system's CAs and its name against the server's, unless tls_verify is
 * off). TLS is 1.2 only: libesmtp stalls on TLS 1.3 session tickets (see
 * tls_context() in mailsend.c). AUTH: when auth_user is set, any mechanism libesmtp's plug-ins
 * offer (PLAIN, LOGIN, CRAM-MD5), the password being the first line of
 * auth_password_file; PLAIN and LOGIN go in clear without TLS, so use
 * STARTTLS required with AUTH to anything but the local host.
 *
 * The event loop's thread must have SIGCHLD blocked (sd_event_add_child).
 */
#ifndef HERD_NOTIFY_MAILSEND_H
#define HERD_NOTIFY_MAILSEND_H

#include <systemd/sd-event.h>

#include "agentd/util.h"

#define MAILSEND_TEXT_MAX 256
/* The report a child may write; more is ignored. */
#define MAILSEND_REPORT_MAX (64 * 1024)

enum mailsend_starttls {
	MAILSEND_STARTTLS_OFF,
	MAILSEND_STARTTLS_OPPORTUNISTIC,
	MAILSEND_STARTTLS_REQUIRED,
};

struct mailsend_config {
	const char *server;             /* host:port ("localhost:25") */
	const char *from;               /* envelope sender, MAIL FROM */
	enum mailsend_starttls starttls;
	const char *tls_ca_file;        /* PEM CAs for required; NULL/"": the system's */
	bool tls_verify;                /* required: check the certificate (default yes) */
	const char *auth_user;          /* NULL/"": no AUTH */
	const char *auth_password_file; /* its first line is the password */
	const char *helo;               /* EHLO name; NULL/"": the host name */
	usec_t timeout;                 /* the whole session; 0: 60 s */
};

struct mailsend_rcpt {
	int code;                       /* reply to RCPT TO; 0: none came */
	char text[MAILSEND_TEXT_MAX];
};

struct mailsend_result {
	bool delivered;                 /* every RCPT 2xx and DATA 2xx */
	bool session_failed;            /* no recipient was answered: connect, TLS,
					   AUTH, MAIL FROM, a timeout, the child died */
	bool timed_out;                 /* killed at the timeout */
	bool tls;                       /* STARTTLS was in force */
	bool complete;                  /* the child finished its report */
	int mail_code;                  /* reply to MAIL FROM; 0: none */
	int data_code;                  /* reply to the end of DATA; 0: none */
	char error[MAILSEND_TEXT_MAX];  /* why it was not delivered; "" when it was */
	size_t nrcpt;
	struct mailsend_rcpt *rcpt;     /* as given to mailsend_start */
	usec_t duration;                /* fork to reaping */
};

struct mailsend;

/*
 * Called once from the loop when the child has been reaped. res and its
 * arrays are valid during the call only. The callback may free s.
 */
typedef void (*mailsend_done_fn)(struct mailsend *s, const struct mailsend_result *res,
				 void *userdata);

/*
 * Send the message in the file msg_path (RFC 5322, CRLF, as mailmsg builds
 * it) to rcpt[0..nrcpt). Returns 0 and *out, or -EINVAL (no server, sender
 * or recipient), or -errno from pipe/fork/sd-event. Everything that can go
 * wrong later (the file, the server) arrives in the result.
 */
int mailsend_start(sd_event *e, const struct mailsend_config *cfg, const char *msg_path,
		   const char *const *rcpt, size_t nrcpt, mailsend_done_fn done, void *userdata,
		   struct mailsend **out);

/* Free; a child still running is killed (and reaped by the loop), no
 * callback. Accepts NULL. */
void mailsend_free(struct mailsend *s);
bool mailsend_running(const struct mailsend *s);

/*
 * Pure, for the parent and the tests: read the child's report (lines
 * "TLS cipher", "ERR text", "MAIL code text", "RCPT index code text",
 * "DATA code text", "END") into res, whose rcpt array has res->nrcpt
 * zeroed entries, then decide delivered / session_failed / error.
 * timed_out, and how the child ended (exit status, or the signal as a
 * negative number), complete the picture.
 */
void mailsend_conclude(const char *report, size_t len, bool timed_out, int child_status,
		       usec_t timeout, struct mailsend_result *res);

const char *mailsend_starttls_name(enum mailsend_starttls m);  /* "off", ... */
int mailsend_starttls_from_name(const char *name);             /* or -EINVAL */

#endif
