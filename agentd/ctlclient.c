/*
 * ctlclient.c — connect to herdd's control socket, send a request, wait for
 * its reply or for events, with timeouts so a wedged herdd never hangs a
 * monitoring check.
 */
#include "agentd/ctlclient.h"

#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "agentd/ctlproto.h"

struct ctlclient {
	int fd;
	uint32_t next_id;
	struct hctl_reader rd;
	/* events that arrived while waiting for a reply */
	struct json_object **queued;
	size_t nqueued;
};

int ctlclient_connect(const char *path, struct ctlclient **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlclient *c;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->next_id = 1;
	hctl_reader_init(&c->rd);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int r = -errno;

		ctlclient_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void ctlclient_free(struct ctlclient *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	hctl_reader_free(&c->rd);
	for (size_t i = 0; i < c->nqueued; i++)
		json_object_put(c->queued[i]);
	free(c->queued);
	free(c);
}

int ctlclient_fd(const struct ctlclient *c)
{
	return c->fd;
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one frame, waiting until the deadline (0: none). */
static int read_frame(struct ctlclient *c, usec_t deadline, struct hctl_hdr *h,
		      struct json_object **payload, char *err, size_t errlen)
{
	const char *text;
	uint8_t buf[65536];
	int r;

	for (;;) {
		r = hctl_reader_next(&c->rd, h, &text);
		if (r < 0) {
			snprintf(err, errlen, "bad frame from herdd: %s", strerror(-r));
			return r;
		}
		if (r > 0) {
			*payload = json_tokener_parse(text);
			if (!*payload) {
				snprintf(err, errlen, "herdd sent a reply that is not JSON");
				return -EBADMSG;
			}
			return 0;
		}
		if (deadline) {
			usec_t now = now_monotonic();
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

			if (now >= deadline) {
				snprintf(err, errlen, "herdd did not answer in time");
				return -ETIMEDOUT;
			}
			r = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r <= 0)
				continue;
		}
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading from herdd: %s", strerror(errno));
			return -errno;
		}
		if (n == 0) {
			snprintf(err, errlen, "herdd closed the connection");
			return -ECONNRESET;
		}
		r = hctl_reader_feed(&c->rd, buf, (size_t)n);
		if (r < 0) {
			snprintf(err, errlen, "reading from herdd: %s", strerror(-r));
			return r;
		}
	}
}

static const char *error_text(struct json_object *o)
{
	struct json_object *e;

	if (o && json_object_object_get_ex(o, "error", &e))
		return json_object_get_string(e);
	return "no reason given";
}

int ctlclient_request(struct ctlclient *c, const char *verb, struct json_object *args,
		      usec_t timeout, struct json_object **reply, char *err, size_t errlen)
{
	struct json_object *req = json_object_new_object();
	usec_t deadline = timeout ? now_monotonic() + timeout : 0;
	uint32_t id = c->next_id++;
	uint8_t *frame = NULL;
	const char *text;
	ssize_t len;
	int r;

	*reply = NULL;
	json_object_object_add(req, "verb", json_object_new_string(verb));
	if (args)
		json_object_object_add(req, "args", json_object_get(args));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	len = hctl_frame_new(HCTL_REQUEST, id, 0, text, strlen(text), &frame);
	json_object_put(req);
	if (len < 0) {
		snprintf(err, errlen, "request too large");
		return (int)len;
	}
	r = send_all(c->fd, frame, (size_t)len);
	free(frame);
	if (r < 0) {
		snprintf(err, errlen, "sending to herdd: %s", strerror(-r));
		return r;
	}
	for (;;) {
		struct hctl_hdr h;
		struct json_object *o = NULL;

		r = read_frame(c, deadline, &h, &o, err, errlen);
		if (r < 0)
			return r;
		if (h.type == HCTL_EVENT) {
			struct json_object **q = realloc(c->queued, (c->nqueued + 1) * sizeof(*q));

			if (!q) {
				json_object_put(o);
				return -ENOMEM;
			}
			c->queued = q;
			c->queued[c->nqueued++] = o;
			continue;
		}
		if (h.type == HCTL_REPLY && (h.id == id || h.id == 0)) {
			if (h.status < 0)
				snprintf(err, errlen, "%s", error_text(o));
			*reply = o;
			return h.status;
		}
		json_object_put(o); /* a stale reply */
	}
}

int ctlclient_next_event(struct ctlclient *c, usec_t timeout, struct json_object **event,
			 char *err, size_t errlen)
{
	usec_t deadline = timeout ? now_monotonic() + timeout : 0;

	if (c->nqueued) {
		*event = c->queued[0];
		memmove(c->queued, c->queued + 1, --c->nqueued * sizeof(*c->queued));
		return 0;
	}
	for (;;) {
		struct hctl_hdr h;
		struct json_object *o = NULL;
		int r = read_frame(c, deadline, &h, &o, err, errlen);

		if (r < 0)
			return r;
		if (h.type == HCTL_EVENT) {
			*event = o;
			return 0;
		}
		json_object_put(o);
	}
}
