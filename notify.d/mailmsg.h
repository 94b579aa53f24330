/*
 * mailmsg.h — compose one notification mail (RFC 5322) from a batch of
 * events and the cluster status text.
 *
 * The message is complete and ready for SMTP DATA: CRLF line ends, no line
 * over 998 octets (header lines folded at 78 where a blank allows), headers
 * Date, From, To, Subject, Message-ID, MIME-Version, Content-Type
 * text/plain; charset=UTF-8, Content-Transfer-Encoding, Auto-Submitted:
 * auto-generated (RFC 3834: no vacation replies to the cluster) and
 * X-Herd-{Cluster,Node,Severity,Events} for filters. The body is the events
 * as a table (seq, time, node, severity, type, subject, detail), then the
 * cluster status "as herdctl status shows it", passed in by the caller.
 *
 * Encoding: a body that is ASCII with short lines goes as 7bit, readable
 * as it is; anything else (UTF-8 in a subject, a detail or the status, a
 * line over 998 octets) as quoted-printable. 8bit is not used: it needs
 * the server's 8BITMIME (RFC 6152), which libesmtp then requires, and a
 * relay without it would refuse the mail on every retry until it expired.
 * A non-ASCII Subject is RFC 2047 encoded-words (UTF-8, base64). Control
 * characters in event text become blanks, invalid UTF-8 becomes '?'.
 *
 * The subject (designed here; the issue asks for cluster, node, worst
 * severity and count):
 *
 *   [PREFIX] CLUSTER: node N: WORST: COUNT event(s)[: TYPE]
 *
 * "node N" names the node the events are about: "nodes 0, 2" for two or
 * three, "4 nodes" beyond, "cluster" when all are about the whole cluster;
 * ": TYPE" is added when every event has the same type. For example
 * "[herd] prod: node 2: error: 1 event: node-disconnected" and
 * "[herd] prod: nodes 0, 2: critical: 37 events".
 *
 * Pure: no clock (the caller passes the date and a random nonce that makes
 * the Message-ID unique), no I/O, no logging; golden-file tested.
 */
#ifndef HERD_NOTIFY_MAILMSG_H
#define HERD_NOTIFY_MAILMSG_H

#include "agentd/event.h"
#include "agentd/util.h"

/* Limits on the caller's strings (-EINVAL beyond them). */
#define MAILMSG_PREFIX_MAX 64           /* subject prefix, bytes */
#define MAILMSG_NAME_MAX 255            /* cluster, host, one address */

/* Buffer sizes for the formatters below. */
#define MAILMSG_SUBJECT_MAX 256
#define MAILMSG_ID_MAX 384
#define MAILMSG_DATE_MAX 40

struct mailmsg {
	const char *cluster;            /* the cluster's name; NULL or "": "herd" */
	uint32_t self;                  /* pnn of the node that sends; PNN_NONE: unknown */
	const char *host;               /* its host name (Message-ID domain); NULL: "localhost" */
	const char *from;               /* From: LOCAL@DOMAIN */
	const char *const *to;          /* To: at least one */
	size_t nto;
	const char *prefix;             /* subject prefix, shown as "[prefix] "; NULL/"": none */
	usec_t date;                    /* wall clock of composition: Date: */
	uint64_t nonce;                 /* random: makes the Message-ID unique */
	const char *status;             /* cluster status text; NULL: "not available" */
	size_t held;                    /* of the events, how many the rate limit held back */
	size_t more;                    /* events still waiting for a later mail */
	/*
	 * A text mail instead of an events mail (the daily digest): with
	 * text_body set, mailmsg_build() takes no events (n = 0) and the
	 * subject is "[prefix] CLUSTER: node N: text_subject".
	 */
	const char *text_subject;
	const char *text_body;
};

/*
 * Compose the message for ev[0..n) (n >= 1, in the order given). On success
 * *out is a malloc'd NUL-terminated message the caller frees and *len its
 * length. Returns -EINVAL (n == 0, no recipient, a string over its limit or
 * with a CR/LF where one cannot go) or -ENOMEM.
 */
int mailmsg_build(const struct mailmsg *m, const struct herd_event *ev, size_t n, char **out,
		  size_t *len);

/* The subject as UTF-8 text, before any encoding. */
char *mailmsg_subject(char *buf, size_t len, const struct mailmsg *m,
		      const struct herd_event *ev, size_t n);

/* "<herd.20261123T100000Z.n1.s7-9.0123456789abcdef@host>" */
char *mailmsg_message_id(char *buf, size_t len, const struct mailmsg *m,
			 const struct herd_event *ev, size_t n);

/* RFC 5322 date-time in UTC: "Mon, 23 Nov 2026 10:00:00 +0000". */
char *mailmsg_date(char *buf, size_t len, usec_t wall);

/* The worst (highest) severity of ev[0..n). */
enum herd_severity mailmsg_worst(const struct herd_event *ev, size_t n);

#endif
