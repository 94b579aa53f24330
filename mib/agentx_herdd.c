/*
 * agentx_herdd.c — herd-agentx's connections to herdd (see agentx_herdd.h).
 */
#include "mib/agentx_herdd.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "agentd/ctlclient.h"
#include "agentd/ctlproto.h"
#include "agentd/log.h"

#define REQUEST_TIMEOUT (500 * USEC_PER_MSEC)
#define BACKOFF_MIN     (100 * USEC_PER_MSEC)
#define BACKOFF_MAX     (5 * USEC_PER_SEC)
#define SUBSCRIBE_ID    1

struct axherdd {
	sd_event *ev;
	char *path;
	const struct axherdd_ops *ops;
	void *userdata;

	struct ctlclient *req;
	int sub_fd;
	struct hctl_reader rd;
	sd_event_source *sub_src;
	sd_event_source *retry;         /* reconnect timer */
	sd_event_source *fail;          /* deferred drop after a failure */
	usec_t backoff;
	bool connected;
	bool logged_down;               /* "cannot connect" said once per outage */
	char why[256];
};

static void schedule_retry(struct axherdd *h)
{
	sd_event_source_set_time(h->retry, now_monotonic() + h->backoff);
	sd_event_source_set_enabled(h->retry, SD_EVENT_ONESHOT);
	h->backoff = MIN(h->backoff * 2, BACKOFF_MAX);
}

static void close_all(struct axherdd *h)
{
	h->sub_src = sd_event_source_disable_unref(h->sub_src);
	if (h->sub_fd >= 0)
		close(h->sub_fd);
	h->sub_fd = -EBADF;
	hctl_reader_free(&h->rd);
	hctl_reader_init(&h->rd);
	ctlclient_free(h->req);
	h->req = NULL;
}

/* Drop both connections, tell the glue (if it knew them up), retry later. */
static void drop(struct axherdd *h)
{
	bool was = h->connected;

	h->connected = false;
	close_all(h);
	sd_event_source_set_enabled(h->fail, SD_EVENT_OFF);
	if (was && h->ops->disconnected)
		h->ops->disconnected(h->userdata, h->why);
	schedule_retry(h);
}

static void fail_later(struct axherdd *h, const char *fmt, ...) _printf_(2, 3);
static void fail_later(struct axherdd *h, const char *fmt, ...)
{
	va_list ap;

	if (sd_event_source_get_enabled(h->fail, NULL) > 0)
		return; /* the first reason counts */
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	sd_event_source_set_enabled(h->fail, SD_EVENT_ONESHOT);
}

static int on_fail(sd_event_source *s, void *userdata)
{
	drop(userdata);
	return 0;
}

/* Take every whole frame out of the reader; events into *evs. */
static int take_frames(struct axherdd *h, struct json_object ***evs, size_t *n, size_t *cap,
		       bool *replied)
{
	for (;;) {
		struct hctl_hdr hdr;
		const char *text;
		int r = hctl_reader_next(&h->rd, &hdr, &text);

		if (r < 0)
			return r;
		if (r == 0)
			return 0;
		if (hdr.type == HCTL_REPLY) {
			if (hdr.id == SUBSCRIBE_ID || hdr.id == 0) {
				if (hdr.status < 0)
					return hdr.status;
				if (replied)
					*replied = true;
			}
			continue;
		}
		if (hdr.type != HCTL_EVENT)
			continue;
		struct json_object *o = json_tokener_parse(text);

		if (!o)
			return -EBADMSG;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			struct json_object **p = realloc(*evs, c * sizeof(*p));

			if (!p) {
				json_object_put(o);
				return -ENOMEM;
			}
			*evs = p;
			*cap = c;
		}
		(*evs)[(*n)++] = o;
	}
}

static void deliver(struct axherdd *h, struct json_object **evs, size_t n)
{
	if (n && h->connected && h->ops->events)
		h->ops->events(h->userdata, evs, n);
	for (size_t i = 0; i < n; i++)
		json_object_put(evs[i]);
	free(evs);
}

static int on_sub(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct axherdd *h = userdata;
	struct json_object **evs = NULL;
	size_t n = 0, cap = 0;
	uint8_t buf[65536];
	int r = 0;

	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (got <= 0) {
			r = got == 0 ? -ECONNRESET : -errno;
			break;
		}
		r = hctl_reader_feed(&h->rd, buf, (size_t)got);
		if (r >= 0)
			r = take_frames(h, &evs, &n, &cap, NULL);
		if (r < 0)
			break;
	}
	deliver(h, evs, n);
	if (r < 0) {
		snprintf(h->why, sizeof(h->why), "%s", r == -ECONNRESET ? "herdd closed the connection"
							  : strerror(-r));
		drop(h);
	}
	return 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Send the subscribe request and wait for its answer. */
static int subscribe(struct axherdd *h)
{
	static const char req[] = "{\"verb\":\"subscribe\"}";
	usec_t deadline = now_monotonic() + REQUEST_TIMEOUT;
	uint8_t *frame = NULL;
	ssize_t len = hctl_frame_new(HCTL_REQUEST, SUBSCRIBE_ID, 0, req, strlen(req), &frame);
	bool replied = false;
	struct json_object **evs = NULL;
	size_t n = 0, cap = 0;
	int r;

	if (len < 0)
		return (int)len;
	r = send(h->sub_fd, frame, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -EIO;
	free(frame);
	while (r == 0 && !replied) {
		struct pollfd pfd = { .fd = h->sub_fd, .events = POLLIN };
		usec_t now = now_monotonic();
		uint8_t buf[4096];
		ssize_t got;

		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)((deadline - now + 999) / 1000)) <= 0)
			continue;
		got = recv(h->sub_fd, buf, sizeof(buf), 0);
		if (got <= 0) {
			r = got == 0 ? -ECONNRESET : -errno;
			break;
		}
		r = hctl_reader_feed(&h->rd, buf, (size_t)got);
		if (r >= 0)
			r = take_frames(h, &evs, &n, &cap, &replied);
	}
	/* Events before the answer (none expected) are older than the snapshot. */
	for (size_t i = 0; i < n; i++)
		json_object_put(evs[i]);
	free(evs);
	return r;
}

static void try_connect(struct axherdd *h)
{
	int r, fd;

	fd = connect_unix(h->path);
	if (fd < 0) {
		r = fd;
		goto failed;
	}
	h->sub_fd = fd;
	r = subscribe(h);
	if (r < 0)
		goto failed;
	r = ctlclient_connect(h->path, &h->req);
	if (r < 0)
		goto failed;
	(void)fcntl(h->sub_fd, F_SETFL, fcntl(h->sub_fd, F_GETFL) | O_NONBLOCK);
	r = sd_event_add_io(h->ev, &h->sub_src, h->sub_fd, EPOLLIN, on_sub, h);
	if (r < 0)
		goto failed;
	h->connected = true;
	h->logged_down = false;
	log_info("connected to herdd at %s", h->path);
	r = h->ops->connected ? h->ops->connected(h->userdata) : 0;
	if (r < 0 || sd_event_source_get_enabled(h->fail, NULL) > 0) {
		if (r < 0 && !h->why[0])
			snprintf(h->why, sizeof(h->why), "reading herdd's state failed: %s",
				 strerror(-r));
		drop(h);
		return;
	}
	h->backoff = BACKOFF_MIN;
	return;
failed:
	close_all(h);
	if (!h->logged_down)
		log_warn("cannot connect to herdd at %s: %s (retrying)", h->path, strerror(-r));
	h->logged_down = true;
	schedule_retry(h);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct axherdd *h = userdata;

	h->why[0] = '\0';
	try_connect(h);
	return 0;
}

int axherdd_new(sd_event *ev, const char *path, const struct axherdd_ops *ops, void *userdata,
		struct axherdd **out)
{
	struct axherdd *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	h->ev = sd_event_ref(ev);
	h->ops = ops;
	h->userdata = userdata;
	h->sub_fd = -EBADF;
	h->backoff = BACKOFF_MIN;
	hctl_reader_init(&h->rd);
	h->path = strdup(path);
	if (!h->path) {
		axherdd_free(h);
		return -ENOMEM;
	}
	r = sd_event_add_time(ev, &h->retry, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_retry, h);
	if (r >= 0)
		r = sd_event_source_set_enabled(h->retry, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_defer(ev, &h->fail, on_fail, h);
	if (r >= 0)
		r = sd_event_source_set_enabled(h->fail, SD_EVENT_OFF);
	if (r < 0) {
		axherdd_free(h);
		return r;
	}
	*out = h;
	return 0;
}

void axherdd_free(struct axherdd *h)
{
	if (!h)
		return;
	close_all(h);
	hctl_reader_free(&h->rd);
	sd_event_source_disable_unref(h->retry);
	sd_event_source_disable_unref(h->fail);
	sd_event_unref(h->ev);
	free(h->path);
	free(h);
}

void axherdd_start(struct axherdd *h)
{
	try_connect(h);
}

bool axherdd_connected(const struct axherdd *h)
{
	return h->connected && sd_event_source_get_enabled(h->fail, NULL) <= 0;
}

int axherdd_request(struct axherdd *h, const char *verb, struct json_object *args,
		    struct json_object **reply, char *err, size_t errlen)
{
	int r;

	*reply = NULL;
	if (errlen)
		err[0] = '\0';
	if (!h->req || !axherdd_connected(h)) {
		snprintf(err, errlen, "not connected to herdd");
		return -ENOTCONN;
	}
	r = ctlclient_request(h->req, verb, args, REQUEST_TIMEOUT, reply, err, errlen);
	if (r < 0 && !*reply) {
		/* The exchange failed (timeout, reset): the connection is done. */
		fail_later(h, "%s: %s", verb, err);
		return r;
	}
	if (r < 0) {
		json_object_put(*reply);
		*reply = NULL;
		return r == -ENOTCONN ? -EIO : r;
	}
	return r;
}

int axherdd_fetch(struct axherdd *h, const char *verb, struct json_object *args,
		  struct json_object **reply)
{
	char err[256];
	int r = axherdd_request(h, verb, args, reply, err, sizeof(err));

	if (r < 0 && r != -ENOTCONN && axherdd_connected(h))
		log_warn("herdd refused '%s': %s", verb, err);
	return r;
}
