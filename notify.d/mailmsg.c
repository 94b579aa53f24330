/*
 * mailmsg.c — one notification mail from a batch of events: headers,
 * the events table, the cluster status, and the transfer encoding that
 * keeps every line legal. Pure: see mailmsg.h.
 */
#include "notify.d/mailmsg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "agentd/buf.h"
#include "agentd/state.h"

/* Header lines fold at blanks to stay within this (RFC 5322 2.1.1). */
#define HEADER_FOLD 78
/* The hard limit on a line, CRLF excluded. */
#define LINE_MAX_OCTETS 998
/* A quoted-printable line, the soft-break '=' included (RFC 2045). */
#define QP_LINE 76
/* Bytes of text per RFC 2047 encoded-word: 52 base64 chars, a 64-char word. */
#define EWORD_BYTES 39
/* The subject column stops growing here; longer subjects push the detail. */
#define SUBJECT_COL_MAX 40
/* Subjects listing this many nodes or fewer name them. */
#define SUBJECT_NODES_NAMED 3

#define ISO_MAX 32

/* ---- text --------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	uint32_t cp, min;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Copy at most max bytes of src (up to its NUL) into dst (max + 1 bytes):
 * control characters become ctl (a blank, or '?'; a tab stays when
 * keep_tab), invalid UTF-8 bytes '?'. Returns the width in characters.
 */
static size_t clean_text(char *dst, const char *src, size_t max, char ctl, bool keep_tab)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strnlen(src, max), i = 0, o = 0, width = 0;

	while (i < n) {
		size_t k = utf8_seq(s + i, n - i);

		if (k == 0) {
			dst[o++] = '?';
			i++;
		} else if (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			dst[o++] = s[i] == '\t' && keep_tab ? '\t' : ctl;
			i++;
		} else {
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
		}
		width++;
	}
	dst[o] = '\0';
	return width;
}

/* A table cell: cleaned, blanks trimmed; returns its width. */
static size_t clean_cell(char *dst, const char *src, size_t max)
{
	size_t start, end, width;

	clean_text(dst, src, max, ' ', false);
	start = strspn(dst, " ");
	end = strlen(dst);
	while (end > start && dst[end - 1] == ' ')
		end--;
	memmove(dst, dst + start, end - start);
	dst[end - start] = '\0';
	width = 0;
	for (const unsigned char *p = (const unsigned char *)dst; *p; p++)
		if ((*p & 0xc0) != 0x80)
			width++;
	return width;
}

static bool is_ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Text that may go in a header at all: no control characters. */
static bool header_safe(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* LOCAL@DOMAIN without blanks, brackets or commas (conf checks it fully). */
static bool address_ok(const char *a)
{
	if (!a || !header_safe(a, MAILMSG_NAME_MAX) || !is_ascii_printable(a) || !strchr(a, '@'))
		return false;
	return strcspn(a, " <>,;\"()") == strlen(a);
}

static void put(struct wbuf *w, const char *s)
{
	wbuf_put_bytes(w, s, strlen(s));
}

static _printf_(2, 3) void putf(struct wbuf *w, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		wbuf_put_bytes(w, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = w->err ? w->err : -ENOMEM;
		return;
	}
	wbuf_put_bytes(w, big, (size_t)n);
	free(big);
}

static void put_spaces(struct wbuf *w, size_t n)
{
	static const char blanks[] = "                                        ";

	while (n > 0) {
		size_t k = MIN(n, sizeof(blanks) - 1);

		wbuf_put_bytes(w, blanks, k);
		n -= k;
	}
}

/* End a body line begun at offset start: drop trailing blanks, add LF. */
static void end_row(struct wbuf *w, size_t start)
{
	if (w->err)
		return;
	while (w->len > start && w->data[w->len - 1] == ' ')
		w->len--;
	put(w, "\n");
}

/* ---- headers ------------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_base64(struct wbuf *w, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		wbuf_put_bytes(w, q, 4);
	}
}

/*
 * "Name: value" with CRLF, folded before a blank so that lines stay within
 * HEADER_FOLD where the value allows (a word longer than that stays whole:
 * values are bounded far below LINE_MAX_OCTETS).
 */
static void put_folded(struct wbuf *w, const char *name, const char *value)
{
	_cleanup_(freep) char *line = NULL;
	size_t len, pos = 0, min;

	if (asprintf(&line, "%s: %s", name, value) < 0) {
		w->err = w->err ? w->err : -ENOMEM;
		return;
	}
	len = strlen(line);
	min = strlen(name) + 2;
	while (len - pos > HEADER_FOLD) {
		size_t cut = 0;

		/* The last blank that keeps this line short enough ... */
		for (size_t i = pos + HEADER_FOLD; i > pos + min; i--)
			if (line[i] == ' ') {
				cut = i;
				break;
			}
		/* ... or else the first one after it. */
		if (!cut)
			for (size_t i = pos + HEADER_FOLD + 1; i < len; i++)
				if (line[i] == ' ') {
					cut = i;
					break;
				}
		if (!cut)
			break;
		wbuf_put_bytes(w, line + pos, cut - pos);
		put(w, "\r\n");
		pos = cut;              /* the blank leads the continuation line */
		min = 1;
	}
	put(w, line + pos);
	put(w, "\r\n");
}

/*
 * An unstructured header (Subject, X-Herd-Cluster): as it is when printable
 * ASCII, else RFC 2047 encoded-words of whole UTF-8 characters.
 */
static void put_unstructured(struct wbuf *w, const char *name, const char *value)
{
	struct wbuf enc;
	const unsigned char *s = (const unsigned char *)value;
	size_t n = strlen(value), i = 0;

	if (is_ascii_printable(value)) {
		put_folded(w, name, value);
		return;
	}
	wbuf_init(&enc, 0);
	while (i < n) {
		size_t start = i;

		while (i < n) {
			size_t k = utf8_seq(s + i, n - i);

			if (k == 0)
				k = 1;  /* cleaned before: cannot happen */
			if (i - start + k > EWORD_BYTES)
				break;
			i += k;
		}
		if (start)
			put(&enc, " ");
		put(&enc, "=?UTF-8?B?");
		put_base64(&enc, s + start, i - start);
		put(&enc, "?=");
	}
	wbuf_put_u8(&enc, 0);
	if (wbuf_error(&enc))
		w->err = w->err ? w->err : wbuf_error(&enc);
	else
		put_folded(w, name, (const char *)enc.data);
	wbuf_free(&enc);
}

char *mailmsg_date(char *buf, size_t len, usec_t wall)
{
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(wall / USEC_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %d %s %04d %02d:%02d:%02d +0000", wday[tm.tm_wday], tm.tm_mday,
		 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

enum herd_severity mailmsg_worst(const struct herd_event *ev, size_t n)
{
	enum herd_severity worst = SEV_INFO;

	for (size_t i = 0; i < n; i++)
		if (ev[i].severity > worst)
			worst = ev[i].severity;
	return worst;
}

static const char *cluster_name(const struct mailmsg *m)
{
	return m->cluster && m->cluster[0] ? m->cluster : "herd";
}

static const char *type_name(enum herd_event_type t)
{
	const char *name = event_type_name(t);

	return name ? name : "unknown";
}

/* The distinct nodes the events are about (PNN_NONE left out), sorted. */
static size_t about_nodes(const struct herd_event *ev, size_t n, uint32_t *nodes, size_t max)
{
	size_t k = 0, total = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (ev[i].node == PNN_NONE)
			continue;
		for (size_t j = 0; j < i; j++)
			if (ev[j].node == ev[i].node) {
				seen = true;
				break;
			}
		if (seen)
			continue;
		total++;
		if (k < max) {
			size_t at = k++;

			while (at > 0 && nodes[at - 1] > ev[i].node) {
				nodes[at] = nodes[at - 1];
				at--;
			}
			nodes[at] = ev[i].node;
		}
	}
	return total;
}

char *mailmsg_subject(char *buf, size_t len, const struct mailmsg *m,
		      const struct herd_event *ev, size_t n)
{
	uint32_t nodes[SUBJECT_NODES_NAMED];
	size_t nn = about_nodes(ev, n, nodes, ARRAY_SIZE(nodes)), off = 0;
	bool one_type = n > 0;
	char cluster[MAILMSG_NAME_MAX + 1], prefix[MAILMSG_PREFIX_MAX + 1];

#define ADD(...)                                                                       \
	do {                                                                           \
		if (off < len)                                                         \
			off += (size_t)snprintf(buf + off, len - off, __VA_ARGS__);    \
	} while (0)

	if (len)
		buf[0] = '\0';
	clean_cell(cluster, cluster_name(m), MAILMSG_NAME_MAX);
	clean_cell(prefix, m->prefix ? m->prefix : "", MAILMSG_PREFIX_MAX);
	if (prefix[0])
		ADD("[%s] ", prefix);
	ADD("%s: ", cluster);
	if (nn == 0) {
		ADD("cluster");
	} else if (nn == 1) {
		ADD("node %u", nodes[0]);
	} else if (nn <= SUBJECT_NODES_NAMED) {
		ADD("nodes");
		for (size_t i = 0; i < nn; i++)
			ADD("%s %u", i ? "," : "", nodes[i]);
	} else {
		ADD("%zu nodes", nn);
	}
	ADD(": %s: %zu event%s", severity_name(mailmsg_worst(ev, n)), n, n == 1 ? "" : "s");
	for (size_t i = 1; i < n; i++)
		if (ev[i].type != ev[0].type) {
			one_type = false;
			break;
		}
	if (one_type)
		ADD(": %s", type_name(ev[0].type));
#undef ADD
	return buf;
}

/* A host name as a Message-ID's right side: [A-Za-z0-9.-], no empty labels. */
static void id_domain(char *dst, size_t size, const char *host)
{
	size_t o = 0;

	for (const char *p = host ? host : ""; *p && o + 1 < size; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';

		c = ok ? c : '-';
		if (c == '.' && (o == 0 || dst[o - 1] == '.'))
			continue;
		dst[o++] = c;
	}
	while (o > 0 && dst[o - 1] == '.')
		o--;
	dst[o] = '\0';
	if (!o)
		snprintf(dst, size, "localhost");
}

char *mailmsg_message_id(char *buf, size_t len, const struct mailmsg *m,
			 const struct herd_event *ev, size_t n)
{
	char domain[MAILMSG_NAME_MAX + 1], when[32], node[16] = "", seq[48] = "";
	time_t t = (time_t)(m->date / USEC_PER_SEC);
	struct tm tm;

	id_domain(domain, sizeof(domain), m->host);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	if (m->self != PNN_NONE)
		snprintf(node, sizeof(node), ".n%u", m->self);
	if (n > 0 && ev[0].seq == ev[n - 1].seq)
		snprintf(seq, sizeof(seq), ".s%" PRIu64, ev[0].seq);
	else if (n > 0)
		snprintf(seq, sizeof(seq), ".s%" PRIu64 "-%" PRIu64, ev[0].seq, ev[n - 1].seq);
	snprintf(buf, len, "<herd.%s%s%s.%016" PRIx64 "@%s>", when, node, seq, m->nonce, domain);
	return buf;
}

/* ---- body --------------------------------------------------------------- */

struct cells {
	char seq[24], time[ISO_MAX], node[16];
	char subject[EVENT_SUBJECT_MAX], detail[EVENT_DETAIL_MAX];
	size_t subject_w;
};

static void event_cells(struct cells *c, const struct herd_event *ev)
{
	snprintf(c->seq, sizeof(c->seq), "%" PRIu64, ev->seq);
	format_iso8601(c->time, sizeof(c->time), ev->wall);
	if (ev->node == PNN_NONE)
		snprintf(c->node, sizeof(c->node), "cluster");
	else
		snprintf(c->node, sizeof(c->node), "%u", ev->node);
	c->subject_w = clean_cell(c->subject, ev->subject, sizeof(ev->subject) - 1);
	clean_cell(c->detail, ev->detail, sizeof(ev->detail) - 1);
}

static void put_cell(struct wbuf *w, const char *text, size_t width, size_t col, bool last)
{
	put(w, text);
	if (!last)
		put_spaces(w, (width < col ? col - width : 0) + 2);
}

static void put_table(struct wbuf *w, const struct herd_event *ev, size_t n)
{
	size_t wseq = 3, wtime = 20, wnode = 4, wsev = 8, wtype = 4, wsubj = 7, row;
	struct cells *c = calloc(n, sizeof(*c));

	if (!c) {
		w->err = w->err ? w->err : -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		event_cells(&c[i], &ev[i]);
		wseq = MAX(wseq, strlen(c[i].seq));
		wtime = MAX(wtime, strlen(c[i].time));
		wnode = MAX(wnode, strlen(c[i].node));
		wsev = MAX(wsev, strlen(severity_name(ev[i].severity)));
		wtype = MAX(wtype, strlen(type_name(ev[i].type)));
		wsubj = MAX(wsubj, MIN(c[i].subject_w, (size_t)SUBJECT_COL_MAX));
	}
	row = w->len;
	put_cell(w, "SEQ", 3, wseq, false);
	put_cell(w, "TIME (UTC)", 10, wtime, false);
	put_cell(w, "NODE", 4, wnode, false);
	put_cell(w, "SEVERITY", 8, wsev, false);
	put_cell(w, "TYPE", 4, wtype, false);
	put_cell(w, "SUBJECT", 7, wsubj, false);
	put_cell(w, "DETAIL", 6, 0, true);
	end_row(w, row);
	for (size_t i = 0; i < n; i++) {
		const char *sev = severity_name(ev[i].severity), *type = type_name(ev[i].type);

		row = w->len;
		put_cell(w, c[i].seq, strlen(c[i].seq), wseq, false);
		put_cell(w, c[i].time, strlen(c[i].time), wtime, false);
		put_cell(w, c[i].node, strlen(c[i].node), wnode, false);
		put_cell(w, sev, strlen(sev), wsev, false);
		put_cell(w, type, strlen(type), wtype, false);
		put_cell(w, c[i].subject, c[i].subject_w, wsubj, false);
		put_cell(w, c[i].detail, 0, 0, true);
		end_row(w, row);
	}
	free(c);
}

/* The status text, line by line: CR dropped, controls but tab made '?'. */
static void put_status(struct wbuf *w, const char *status)
{
	const char *p = status;

	while (*p) {
		size_t n = strcspn(p, "\n");
		_cleanup_(freep) char *raw = strndup(p, n), *line = malloc(n + 1);
		size_t k;

		if (!raw || !line) {
			w->err = w->err ? w->err : -ENOMEM;
			return;
		}
		k = strlen(raw);
		if (k && raw[k - 1] == '\r')
			raw[k - 1] = '\0';
		clean_text(line, raw, n, '?', true);
		put(w, line);
		put(w, "\n");
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void put_body(struct wbuf *w, const struct mailmsg *m, const struct herd_event *ev,
		     size_t n)
{
	char first[ISO_MAX], last[ISO_MAX], now[ISO_MAX], cluster[MAILMSG_NAME_MAX + 1];
	char host[MAILMSG_NAME_MAX + 1];
	usec_t lo = ev[0].wall, hi = ev[0].wall;
	const char *worst = severity_name(mailmsg_worst(ev, n));

	for (size_t i = 1; i < n; i++) {
		lo = MIN(lo, ev[i].wall);
		hi = MAX(hi, ev[i].wall);
	}
	format_iso8601(first, sizeof(first), lo);
	format_iso8601(last, sizeof(last), hi);
	format_iso8601(now, sizeof(now), m->date);
	clean_cell(cluster, cluster_name(m), MAILMSG_NAME_MAX);
	clean_cell(host, m->host && m->host[0] ? m->host : "localhost", MAILMSG_NAME_MAX);

	if (n == 1)
		putf(w, "1 event in cluster %s at %s, severity %s.\n", cluster, first, worst);
	else if (lo == hi)
		putf(w, "%zu events in cluster %s at %s; the worst is %s.\n", n, cluster, first,
		     worst);
	else
		putf(w, "%zu events in cluster %s from %s to %s; the worst is %s.\n", n, cluster,
		     first, last, worst);
	if (m->self != PNN_NONE)
		putf(w, "Sent by node %u (%s) at %s.\n", m->self, host, now);
	else
		putf(w, "Sent by %s at %s.\n", host, now);
	if (m->held)
		putf(w, "%zu of these events were held back by the mail rate limit.\n", m->held);
	if (m->more)
		putf(w, "%zu more event%s wait%s for the next mail.\n", m->more,
		     m->more == 1 ? "" : "s", m->more == 1 ? "s" : "");
	put(w, "\n");
	put_table(w, ev, n);
	putf(w, "\nCluster status at %s (herdctl status):\n\n", now);
	if (m->status && m->status[0])
		put_status(w, m->status);
	else
		put(w, "(not available)\n");
	putf(w, "\n-- \nherd on %s; herdctl events shows the whole event log.\n", host);
}

/* Whether the body must go quoted-printable: non-ASCII or a long line. */
static bool needs_qp(const uint8_t *b, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i] >= 0x80)
			return true;
		col = b[i] == '\n' ? 0 : col + 1;
		if (col > LINE_MAX_OCTETS)
			return true;
	}
	return false;
}

/* Body text with LF line ends as 7bit with CRLF. */
static void put_7bit(struct wbuf *w, const uint8_t *b, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++)
		if (b[i] == '\n') {
			wbuf_put_bytes(w, b + start, i - start);
			put(w, "\r\n");
			start = i + 1;
		}
	wbuf_put_bytes(w, b + start, n - start);
}

/* Body text with LF line ends as quoted-printable (RFC 2045 6.7). */
static void put_qp(struct wbuf *w, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = b[i];
		bool line_end = i + 1 == n || b[i + 1] == '\n';
		char tok[3];
		size_t k;

		if (c == '\n') {
			put(w, "\r\n");
			col = 0;
			continue;
		}
		if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end)) {
			tok[0] = (char)c;
			k = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			k = 3;
		}
		/* Room for the soft break's '=' unless this ends the line. */
		if (col + k > (line_end ? QP_LINE : QP_LINE - 1)) {
			put(w, "=\r\n");
			col = 0;
		}
		wbuf_put_bytes(w, tok, k);
		col += k;
	}
}

int mailmsg_build(const struct mailmsg *m, const struct herd_event *ev, size_t n, char **out,
		  size_t *len)
{
	char subject[MAILMSG_SUBJECT_MAX], id[MAILMSG_ID_MAX], date[MAILMSG_DATE_MAX];
	char cluster[MAILMSG_NAME_MAX + 1], num[24];
	struct wbuf body, msg;
	bool qp;
	int r;

	if ((n == 0) != (m->text_body != NULL) || !m->to || m->nto == 0 || !address_ok(m->from))
		return -EINVAL;
	if (m->text_body && (!m->text_subject || !header_safe(m->text_subject, MAILMSG_SUBJECT_MAX)))
		return -EINVAL;
	for (size_t i = 0; i < m->nto; i++)
		if (!address_ok(m->to[i]))
			return -EINVAL;
	if ((m->prefix && !header_safe(m->prefix, MAILMSG_PREFIX_MAX)) ||
	    (m->cluster && !header_safe(m->cluster, MAILMSG_NAME_MAX)) ||
	    (m->host && !header_safe(m->host, MAILMSG_NAME_MAX)))
		return -EINVAL;

	wbuf_init(&body, 0);
	if (m->text_body)
		put(&body, m->text_body);
	else
		put_body(&body, m, ev, n);
	r = wbuf_error(&body);
	if (r < 0) {
		wbuf_free(&body);
		return r;
	}
	qp = needs_qp(body.data, body.len);

	wbuf_init(&msg, 0);
	put_folded(&msg, "Date", mailmsg_date(date, sizeof(date), m->date));
	put_folded(&msg, "From", m->from);
	{
		struct wbuf to;

		wbuf_init(&to, 0);
		for (size_t i = 0; i < m->nto; i++) {
			if (i)
				put(&to, ", ");
			put(&to, m->to[i]);
		}
		wbuf_put_u8(&to, 0);
		if (wbuf_error(&to))
			msg.err = wbuf_error(&to);
		else
			put_folded(&msg, "To", (const char *)to.data);
		wbuf_free(&to);
	}
	if (m->text_body) {
		char c2[MAILMSG_NAME_MAX + 1], node[24] = "";
		struct wbuf sw;

		clean_cell(c2, cluster_name(m), MAILMSG_NAME_MAX);
		if (m->self != PNN_NONE)
			snprintf(node, sizeof(node), "node %u: ", m->self);
		wbuf_init(&sw, 0);
		if (m->prefix && m->prefix[0]) {
			put(&sw, "[");
			put(&sw, m->prefix);
			put(&sw, "] ");
		}
		put(&sw, c2);
		put(&sw, ": ");
		put(&sw, node);
		put(&sw, m->text_subject);
		wbuf_put_u8(&sw, 0);
		if (wbuf_error(&sw))
			msg.err = wbuf_error(&sw);
		else
			put_unstructured(&msg, "Subject", (const char *)sw.data);
		wbuf_free(&sw);
	} else {
		put_unstructured(&msg, "Subject", mailmsg_subject(subject, sizeof(subject), m, ev, n));
	}
	put_folded(&msg, "Message-ID", mailmsg_message_id(id, sizeof(id), m, ev, n));
	put_folded(&msg, "MIME-Version", "1.0");
	put_folded(&msg, "Content-Type", "text/plain; charset=UTF-8");
	put_folded(&msg, "Content-Transfer-Encoding", qp ? "quoted-printable" : "7bit");
	put_folded(&msg, "Auto-Submitted", "auto-generated");
	clean_cell(cluster, cluster_name(m), MAILMSG_NAME_MAX);
	put_unstructured(&msg, "X-Herd-Cluster", cluster);
	if (m->self != PNN_NONE) {
		snprintf(num, sizeof(num), "%u", m->self);
		put_folded(&msg, "X-Herd-Node", num);
	}
	if (!m->text_body) {
		put_folded(&msg, "X-Herd-Severity", severity_name(mailmsg_worst(ev, n)));
		snprintf(num, sizeof(num), "%zu", n);
		put_folded(&msg, "X-Herd-Events", num);
	}
	put(&msg, "\r\n");
	if (qp)
		put_qp(&msg, body.data, body.len);
	else
		put_7bit(&msg, body.data, body.len);
	wbuf_free(&body);
	wbuf_put_u8(&msg, 0);
	r = wbuf_error(&msg);
	if (r < 0) {
		wbuf_free(&msg);
		return r;
	}
	*len = msg.len - 1;
	*out = (char *)wbuf_steal(&msg, &(size_t){ 0 });
	return *out ? 0 : -ENOMEM;
}
