/*
 * mailsend.c — one SMTP session with libesmtp in a child process, watched
 * from sd-event.
 *
 * The process is agentd/child.c's, in its fork-without-exec mode: the
 * child gets the contract's set-up (its own process group, SIGKILL when
 * herdd dies, default signals, stdin /dev/null, stdout and stderr into
 * the output pipe, nothing else open, cwd /) and then runs mail_child(),
 * which first ignores SIGPIPE (libesmtp may write to a server that has
 * gone) and writes its line-based report to stdout. Everything it needs is
 * in memory already (the config) or read by the child (the message, the
 * password file). It never touches herdd's sd-event objects and leaves
 * with _exit() (child.c's), so nothing of herdd's runs twice.
 *
 * child.c keeps the report in a bounded buffer (MAILSEND_REPORT_MAX),
 * SIGKILLs the child's group at the timeout and calls back once the child
 * has been reaped; this file turns that into a mailsend_result.
 */
#include "notify.d/mailsend.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "agentd/child.h"

/* libesmtp declares its OpenSSL and SASL calls only after these. */
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <auth-client.h>
#include <libesmtp.h>

#define TIMEOUT_DEFAULT (60 * USEC_PER_SEC)
#define PASSWORD_MAX 1024

struct mailsend {
	struct child *child;            /* agentd/child.c's run */
	usec_t timeout;
	char **rcpt;
	size_t nrcpt;
	mailsend_done_fn done;
	void *userdata;
};

static const char *const starttls_names[] = {
	[MAILSEND_STARTTLS_OFF] = "off",
	[MAILSEND_STARTTLS_OPPORTUNISTIC] = "opportunistic",
	[MAILSEND_STARTTLS_REQUIRED] = "required",
};

const char *mailsend_starttls_name(enum mailsend_starttls m)
{
	if ((unsigned)m >= ARRAY_SIZE(starttls_names))
		return "?";
	return starttls_names[m];
}

int mailsend_starttls_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(starttls_names); i++)
		if (streq(starttls_names[i], name))
			return (int)i;
	return -EINVAL;
}

bool mailsend_running(const struct mailsend *s)
{
	return s && child_running(s->child);
}

/* ---- the report (pure) -------------------------------------------------- */

/* snprintf for messages that may be cut short: truncation is intended. */
static _printf_(3, 4) void textf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

static bool is_2xx(int code)
{
	return code >= 200 && code < 300;
}

/* "CODE TEXT" into *code and text; returns false when it is not that. */
static bool parse_reply(const char *s, int *code, char *text, size_t len)
{
	char *end;
	long c;

	errno = 0;
	c = strtol(s, &end, 10);
	if (errno || end == s || c < 0 || c > 999)
		return false;
	*code = (int)c;
	snprintf(text, len, "%s", *end == ' ' ? end + 1 : end);
	return true;
}

void mailsend_conclude(const char *report, size_t len, bool timed_out, int child_status,
		       usec_t timeout, struct mailsend_result *res)
{
	char err[MAILSEND_TEXT_MAX] = "", mail_text[MAILSEND_TEXT_MAX] = "";
	char data_text[MAILSEND_TEXT_MAX] = "";
	size_t pos = 0, refused = 0, first_refused = SIZE_MAX;
	bool answered = false, all_ok = res->nrcpt > 0;

	while (pos < len) {
		const char *nl = memchr(report + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (report + pos)) : len - pos;
		char line[MAILSEND_TEXT_MAX + 64];

		snprintf(line, sizeof(line), "%.*s", (int)MIN(n, sizeof(line) - 1), report + pos);
		pos += n + 1;
		if (strncmp(line, "TLS ", 4) == 0) {
			res->tls = true;
		} else if (strncmp(line, "ERR ", 4) == 0) {
			if (!err[0])
				textf(err, sizeof(err), "%s", line + 4);
		} else if (strncmp(line, "MAIL ", 5) == 0) {
			parse_reply(line + 5, &res->mail_code, mail_text, sizeof(mail_text));
		} else if (strncmp(line, "DATA ", 5) == 0) {
			parse_reply(line + 5, &res->data_code, data_text, sizeof(data_text));
		} else if (strncmp(line, "RCPT ", 5) == 0) {
			char *end;
			unsigned long i = strtoul(line + 5, &end, 10);

			if (end != line + 5 && *end == ' ' && i < res->nrcpt)
				parse_reply(end + 1, &res->rcpt[i].code, res->rcpt[i].text,
					    sizeof(res->rcpt[i].text));
		} else if (streq(line, "END")) {
			res->complete = true;
		}
	}
	res->timed_out = timed_out;
	for (size_t i = 0; i < res->nrcpt; i++) {
		if (res->rcpt[i].code)
			answered = true;
		if (!is_2xx(res->rcpt[i].code)) {
			all_ok = false;
			refused++;
			if (first_refused == SIZE_MAX)
				first_refused = i;
		}
	}
	res->delivered = res->complete && !timed_out && all_ok && is_2xx(res->data_code);
	res->session_failed = !res->delivered && !answered;
	res->error[0] = '\0';
	if (res->delivered)
		return;
	if (timed_out) {
		snprintf(res->error, sizeof(res->error), "timed out after %" PRIu64 "s%s%s",
			 timeout / USEC_PER_SEC, err[0] ? ": " : "", err);
	} else if (!res->complete) {
		if (child_status < 0)
			snprintf(res->error, sizeof(res->error),
				 "the mail child was killed by signal %d", -child_status);
		else
			snprintf(res->error, sizeof(res->error), "the mail child exited %d%s%s",
				 child_status, err[0] ? ": " : "", err);
	} else if (err[0]) {
		snprintf(res->error, sizeof(res->error), "%s", err);
	} else if (res->mail_code && !is_2xx(res->mail_code)) {
		snprintf(res->error, sizeof(res->error), "MAIL FROM refused: %d %s", res->mail_code,
			 mail_text);
	} else if (first_refused != SIZE_MAX) {
		const struct mailsend_rcpt *r = &res->rcpt[first_refused];
		char more[32] = "";

		if (refused > 1)
			textf(more, sizeof(more), " (and %zu more)", refused - 1);
		if (r->code)
			textf(res->error, sizeof(res->error), "recipient %zu refused: %d %s%s",
				 first_refused + 1, r->code, r->text, more);
		else
			snprintf(res->error, sizeof(res->error), "no reply to recipient %zu%s",
				 first_refused + 1, more);
	} else if (res->data_code) {
		snprintf(res->error, sizeof(res->error), "message refused: %d %s", res->data_code,
			 data_text);
	} else {
		snprintf(res->error, sizeof(res->error), "no reply to the message");
	}
}

/* ---- the child ---------------------------------------------------------- */

/* What the child needs, prepared by mailsend_start (the child has a copy). */
struct plan {
	const struct mailsend_config *cfg;
	const char *msg_path;
	char *const *rcpt;
	size_t nrcpt;
};

/* The session's state, in the child. */
struct session {
	const struct mailsend_config *cfg;
	char password[PASSWORD_MAX];
	bool verify;                    /* STARTTLS required and tls_verify */
	bool extna_starttls, in_auth, auth_tried;
	char tls_error[MAILSEND_TEXT_MAX];
	char auth_error[MAILSEND_TEXT_MAX];
};

/* Server text as one line: controls become blanks, trailing blanks go. */
static void one_line(char *dst, size_t size, const char *src)
{
	size_t o = 0;

	for (const char *p = src ? src : ""; *p && o + 1 < size; p++)
		dst[o++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

static _printf_(2, 3) void report(struct session *c, const char *fmt, ...)
{
	char line[MAILSEND_TEXT_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = (int)MIN((size_t)n, sizeof(line) - 2);
	line[n++] = '\n';
	for (const char *p = line; n > 0;) {
		ssize_t w = write(STDOUT_FILENO, p, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (int)w;
	}
}

static void report_reply(struct session *c, const char *what, const smtp_status_t *st)
{
	char text[MAILSEND_TEXT_MAX];

	one_line(text, sizeof(text), st ? st->text : NULL);
	report(c, "%s %d %s", what, st ? st->code : 0, text);
}

static void on_event(smtp_session_t session, int event, void *arg, ...)
{
	struct session *c = arg;
	va_list ap;
	int *ok;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_EXTNA_STARTTLS:
		c->extna_starttls = true;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		long vfy = va_arg(ap, long);

		ok = va_arg(ap, int *);
		*ok = !c->verify;
		if (c->verify && !c->tls_error[0])
			snprintf(c->tls_error, sizeof(c->tls_error),
				 "the server's certificate is not trusted: %s",
				 X509_verify_cert_error_string(vfy));
		break;
	}
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = !c->verify;
		if (c->verify && !c->tls_error[0])
			snprintf(c->tls_error, sizeof(c->tls_error),
				 "the server has no certificate");
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		const char *name;

		ok = va_arg(ap, int *);
		name = va_arg(ap, const char *);
		*ok = !c->verify;
		if (c->verify && !c->tls_error[0])
			snprintf(c->tls_error, sizeof(c->tls_error),
				 "the server's certificate is for %.64s, not %.128s",
				 name && name[0] ? name : "another name", c->cfg->server);
		break;
	}
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		*ok = !c->verify;
		if (c->verify && !c->tls_error[0])
			snprintf(c->tls_error, sizeof(c->tls_error), "the TLS cipher is too weak");
		break;
	case SMTP_EV_NO_CLIENT_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 1;
		break;
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CA_LIST:
		if (!c->tls_error[0])
			snprintf(c->tls_error, sizeof(c->tls_error),
				 "libesmtp found an unusable certificate or CA list under $HOME");
		break;
	case SMTP_EV_STARTTLS_OK:
		report(c, "TLS started");
		break;
	default:
		break;
	}
	va_end(ap);
}

/* Watch the dialogue only to tell why AUTH failed (never logs it). */
static void on_monitor(const char *buf, int len, int writing, void *arg)
{
	struct session *c = arg;

	if (len < 4)
		return;
	if (writing == SMTP_CB_WRITING) {
		if (strncasecmp(buf, "AUTH ", 5) == 0)
			c->in_auth = c->auth_tried = true;
		else if (strncasecmp(buf, "MAIL ", 5) == 0 || strncasecmp(buf, "QUIT", 4) == 0)
			c->in_auth = false;
	} else if (writing == SMTP_CB_READING && c->in_auth && (buf[0] == '4' || buf[0] == '5') &&
		   !c->auth_error[0]) {
		char text[MAILSEND_TEXT_MAX];

		snprintf(text, sizeof(text), "%.*s", MIN(len, (int)sizeof(text) - 1), buf);
		one_line(c->auth_error, sizeof(c->auth_error), text);
	}
}

static int on_interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	struct session *c = arg;

	for (int i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = (char *)c->cfg->auth_user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = c->password;
		else
			result[i] = (char *)"";
	}
	return 1;
}

/* The first line of the password file into c->password. */
static int read_password(struct session *c)
{
	_cleanup_(closep) int fd = open(c->cfg->auth_password_file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, c->password, sizeof(c->password) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	c->password[n] = '\0';
	c->password[strcspn(c->password, "\r\n")] = '\0';
	return c->password[0] ? 0 : -ENODATA;
}

static int read_file(const char *path, char **out)
{
	_cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 0;
	char *buf = NULL;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *b = realloc(buf, cap ? cap * 2 : 65536);

			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Our own SSL_CTX, so that nothing depends on $HOME/.authenticate. */
static SSL_CTX *tls_context(struct session *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *ca = c->cfg->tls_ca_file;

	if (!ctx)
		return NULL;
	/*
	 * TLS 1.2 exactly. A TLS 1.3 server sends session tickets after the
	 * handshake; libesmtp's loop then finds the socket readable, reads
	 * (no application data: SSL_read wants more) and waits for a reply
	 * to an EHLO it has not written yet, until the timeout. Seen with
	 * aiosmtpd, as likely with any MTA; TLS 1.2 has nothing after the
	 * handshake.
	 */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (ca && ca[0]) {
		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
			snprintf(c->tls_error, sizeof(c->tls_error),
				 "cannot load the CA file %.128s", ca);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else {
		SSL_CTX_set_default_verify_paths(ctx);
	}
	return ctx;
}

/* The session; every outcome goes to the report. */
static void child_session(struct session *c, const char *msg_path, char *const *rcpt, size_t nrcpt)
{
	const struct mailsend_config *cfg = c->cfg;
	enum starttls_option tls = cfg->starttls == MAILSEND_STARTTLS_REQUIRED ? Starttls_REQUIRED :
				   cfg->starttls == MAILSEND_STARTTLS_OPPORTUNISTIC ? Starttls_ENABLED :
				   Starttls_DISABLED;
	long ms = (long)((cfg->timeout ? cfg->timeout : TIMEOUT_DEFAULT) / USEC_PER_MSEC);
	static const int phases[] = { Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
				      Timeout_TRANSFER, Timeout_DATA2 };
	smtp_recipient_t *handles = calloc(nrcpt, sizeof(*handles));
	auth_context_t auth = NULL;
	smtp_session_t session;
	smtp_message_t message;
	SSL_CTX *ctx = NULL;
	char *msg = NULL, errbuf[128];
	int r, ok;

	if (!handles) {
		report(c, "ERR out of memory");
		return;
	}
	r = read_file(msg_path, &msg);
	if (r < 0) {
		report(c, "ERR cannot read %.128s: %s", msg_path, strerror(-r));
		return;
	}
	if (cfg->auth_user && cfg->auth_user[0]) {
		r = read_password(c);
		if (r < 0) {
			report(c, "ERR cannot read the password file %.128s: %s",
			       cfg->auth_password_file ? cfg->auth_password_file : "(none)",
			       r == -ENODATA ? "empty" : strerror(-r));
			return;
		}
	}
	c->verify = cfg->starttls == MAILSEND_STARTTLS_REQUIRED && cfg->tls_verify;

	auth_client_init();
	session = smtp_create_session();
	message = session ? smtp_add_message(session) : NULL;
	if (!message) {
		report(c, "ERR libesmtp: cannot create a session");
		return;
	}
	if (!smtp_set_server(session, cfg->server)) {
		report(c, "ERR bad server %.128s", cfg->server);
		return;
	}
	if (cfg->helo && cfg->helo[0])
		smtp_set_hostname(session, cfg->helo);
	for (size_t i = 0; i < ARRAY_SIZE(phases); i++)
		smtp_set_timeout(session, phases[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
				 MAX(ms, 1000L));
	smtp_set_eventcb(session, on_event, c);
	smtp_set_monitorcb(session, on_monitor, c, 0);
	smtp_starttls_enable(session, tls);
	if (tls != Starttls_DISABLED) {
		ctx = tls_context(c);
		if (ctx)
			smtp_starttls_set_ctx(session, ctx);
		else if (tls == Starttls_REQUIRED) {
			report(c, "ERR %s", c->tls_error[0] ? c->tls_error : "cannot set up TLS");
			return;
		} else {
			c->tls_error[0] = '\0';
			smtp_starttls_enable(session, Starttls_DISABLED);
		}
	}
	if (cfg->auth_user && cfg->auth_user[0]) {
		auth = auth_create_context();
		if (!auth) {
			report(c, "ERR out of memory");
			return;
		}
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, on_interact, c);
		smtp_auth_set_context(session, auth);
	}
	smtp_set_reverse_path(message, cfg->from);
	smtp_set_message_str(message, msg);
	for (size_t i = 0; i < nrcpt; i++)
		handles[i] = smtp_add_recipient(message, rcpt[i]);

	ok = smtp_start_session(session);

	/* The most precise reason first: conclude keeps the first ERR. */
	if (c->extna_starttls)
		report(c, "ERR the server does not offer STARTTLS (starttls = required)");
	if (c->tls_error[0])
		report(c, "ERR %s", c->tls_error);
	if (c->auth_error[0])
		report(c, "ERR AUTH as %.64s refused: %s", cfg->auth_user, c->auth_error);
	if (!ok)
		report(c, "ERR %.128s: %s", cfg->server,
		       smtp_strerror(smtp_errno(), errbuf, sizeof(errbuf)));
	report_reply(c, "MAIL", smtp_reverse_path_status(message));
	if (auth && !c->auth_tried && !is_2xx(smtp_reverse_path_status(message)->code))
		report(c, "ERR the server offered no AUTH mechanism for user %.64s",
		       cfg->auth_user);
	for (size_t i = 0; i < nrcpt; i++) {
		char what[32];

		snprintf(what, sizeof(what), "RCPT %zu", i);
		report_reply(c, what, handles[i] ? smtp_recipient_status(handles[i]) : NULL);
	}
	report_reply(c, "DATA", smtp_message_transfer_status(message));
	report(c, "END");
	/* No clean-up: _exit() follows and the kernel frees everything. */
	(void)ctx;
}

/* In the forked child (agentd/child.c calls _exit with what it returns). */
static int mail_child(void *arg)
{
	const struct plan *p = arg;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct session c = { .cfg = p->cfg };

	/* Beyond child.c's contract: a server that has gone is a report
	 * line, not a death by SIGPIPE. */
	(void)sigaction(SIGPIPE, &ign, NULL);
	child_session(&c, p->msg_path, p->rcpt, p->nrcpt);
	return 0;
}

/* ---- the parent --------------------------------------------------------- */

static void on_child_done(struct child *child, const struct child_result *cr, void *userdata)
{
	struct mailsend *s = userdata;
	struct mailsend_result res = { 0 };
	int status = cr->signal ? -cr->signal : cr->exit_status;

	res.nrcpt = s->nrcpt;
	res.rcpt = calloc(s->nrcpt, sizeof(*res.rcpt));
	if (!res.rcpt) {
		res.nrcpt = 0;
		snprintf(res.error, sizeof(res.error), "out of memory");
		res.session_failed = true;
	} else {
		mailsend_conclude(cr->output, cr->output_len, cr->timed_out, status, s->timeout,
				  &res);
		if (cr->exec_error && !res.delivered)
			snprintf(res.error, sizeof(res.error), "cannot set up the mail child: %s",
				 strerror(-cr->exec_error));
		/* The parser does not know the addresses: name the first refused. */
		for (size_t i = 0; i < s->nrcpt && !res.delivered && !res.session_failed; i++) {
			char prefix[64];

			snprintf(prefix, sizeof(prefix), "recipient %zu refused: ", i + 1);
			if (strncmp(res.error, prefix, strlen(prefix)) == 0) {
				char rest[MAILSEND_TEXT_MAX];

				snprintf(rest, sizeof(rest), "%s", res.error + strlen(prefix));
				textf(res.error, sizeof(res.error), "RCPT TO:<%.96s> refused: %s",
					 s->rcpt[i], rest);
				break;
			}
		}
	}
	res.duration = cr->duration;
	s->done(s, &res, s->userdata);  /* may free s (and child with it) */
	free(res.rcpt);
}

void mailsend_free(struct mailsend *s)
{
	if (!s)
		return;
	/* A running child's group is SIGKILLed; the loop reaps it. */
	child_free(s->child);
	for (size_t i = 0; i < s->nrcpt; i++)
		free(s->rcpt[i]);
	free(s->rcpt);
	free(s);
}

int mailsend_start(sd_event *e, const struct mailsend_config *cfg, const char *msg_path,
		   const char *const *rcpt, size_t nrcpt, mailsend_done_fn done, void *userdata,
		   struct mailsend **out)
{
	struct child_opts opts;
	struct plan plan;
	struct mailsend *s;
	int r;

	if (!e || !cfg || !cfg->server || !cfg->server[0] || !cfg->from || !msg_path ||
	    !rcpt || nrcpt == 0 || !done || !out)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->timeout = cfg->timeout ? cfg->timeout : TIMEOUT_DEFAULT;
	s->done = done;
	s->userdata = userdata;
	s->rcpt = calloc(nrcpt, sizeof(*s->rcpt));
	if (!s->rcpt) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < nrcpt; i++) {
		s->rcpt[i] = strdup(rcpt[i]);
		if (!s->rcpt[i]) {
			r = -ENOMEM;
			goto fail;
		}
		s->nrcpt = i + 1;
	}
	plan = (struct plan){ .cfg = cfg, .msg_path = msg_path, .rcpt = s->rcpt,
			      .nrcpt = s->nrcpt };
	opts = (struct child_opts){ .fn = mail_child, .fn_arg = &plan, .timeout = s->timeout,
				    .output_max = MAILSEND_REPORT_MAX };
	r = child_start(e, &opts, on_child_done, s, &s->child);
	if (r < 0)
		goto fail;
	*out = s;
	return 0;

fail:
	mailsend_free(s);
	return r;
}
