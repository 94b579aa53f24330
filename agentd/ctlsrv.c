/*
 * ctlsrv.c — the control socket server: accept, check the peer, frame,
 * dispatch, reply. The verbs themselves live in the glue (ctlcmd.c); this
 * file knows nothing of what they do.
 */
#include "agentd/ctlsrv.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "agentd/ctlproto.h"
#include "agentd/log.h"

#define CTL_MAX_CONNS   256
#define CTL_MAX_OUTPUT  (32u << 20) /* a subscriber this far behind is dropped */
#define CTL_MAX_GROUPS  256

struct ctl_conn {
	struct ctlsrv *srv;
	struct ctl_conn *prev, *next;
	int fd;
	sd_event_source *io;
	struct hctl_reader rd;
	uint8_t *out;
	size_t outpos, outlen, outcap;  /* pending output is out[outpos..outlen) */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	enum ctl_role role;
	bool subscribed;
	bool dead;      /* dropped while in use: the reaper frees it */
};

struct ctlsrv {
	sd_event *ev;
	int fd;
	sd_event_source *src;
	char *path;
	gid_t group;
	const struct ctl_verb *verbs;
	size_t nverbs;
	void *userdata;
	struct ctl_conn *conns;
	size_t nconns;
	sd_event_source *reaper;        /* frees dead connections, outside any handler */
	struct ctlsrv_stats stats;
	uint64_t *verb_requests;        /* per verbs[i] */
};

static void conn_free(struct ctl_conn *c)
{
	struct ctlsrv *s;

	if (!c)
		return;
	s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	sd_event_source_disable_unref(c->io);
	if (c->fd >= 0)
		close(c->fd);
	hctl_reader_free(&c->rd);
	free(c->out);
	free(c);
}

static int conn_update_events(struct ctl_conn *c)
{
	return sd_event_source_set_io_events(c->io,
					     EPOLLIN | (c->outlen > c->outpos ? EPOLLOUT : 0));
}

/*
 * A connection that fails while someone up the stack may still use it (a
 * broadcast from inside a verb handler) is only marked; the reaper frees it
 * on the next loop iteration.
 */
static void conn_kill(struct ctl_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
	sd_event_source_set_enabled(c->srv->reaper, SD_EVENT_ONESHOT);
}

static int on_reap(sd_event_source *src, void *userdata)
{
	struct ctlsrv *s = userdata;
	struct ctl_conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
	return 0;
}

/* Write what we can; 0 when all is out or the rest is queued, <0 to drop. */
static int conn_flush(struct ctl_conn *c)
{
	while (c->outlen > c->outpos) {
		ssize_t n = send(c->fd, c->out + c->outpos, c->outlen - c->outpos,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		c->outpos += (size_t)n;
	}
	if (c->outpos == c->outlen)
		c->outpos = c->outlen = 0;
	return conn_update_events(c);
}

static int conn_queue(struct ctl_conn *c, uint8_t type, uint32_t id, int32_t status,
		      struct json_object *payload)
{
	const char *text = json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN);
	uint8_t *frame = NULL;
	ssize_t len = hctl_frame_new(type, id, status, text, strlen(text), &frame);

	if (len < 0)
		return (int)len;
	if (c->outlen - c->outpos + (size_t)len > CTL_MAX_OUTPUT) {
		free(frame);
		return -ENOBUFS;
	}
	if (c->outpos && c->outlen + (size_t)len > c->outcap) {
		/* Compact only when growing would be needed: no copy per send. */
		memmove(c->out, c->out + c->outpos, c->outlen - c->outpos);
		c->outlen -= c->outpos;
		c->outpos = 0;
	}
	if (c->outlen + (size_t)len > c->outcap) {
		size_t cap = MAX(c->outcap * 2, c->outlen + (size_t)len);
		uint8_t *p = realloc(c->out, cap);

		if (!p) {
			free(frame);
			return -ENOMEM;
		}
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, frame, (size_t)len);
	c->outlen += (size_t)len;
	free(frame);
	return conn_flush(c);
}

static int conn_reply_error(struct ctl_conn *c, uint32_t id, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();
	int r;

	json_object_object_add(o, "error", json_object_new_string(msg));
	r = conn_queue(c, HCTL_REPLY, id, status, o);
	json_object_put(o);
	return r;
}

static const struct ctl_verb *find_verb(const struct ctlsrv *s, const char *name)
{
	for (size_t i = 0; i < s->nverbs; i++)
		if (streq(s->verbs[i].name, name))
			return &s->verbs[i];
	return NULL;
}


static int conn_handle(struct ctl_conn *c, const struct hctl_hdr *h, const char *payload)
{
	struct ctlsrv *s = c->srv;
	struct json_tokener *tok;
	struct json_object *req, *jverb, *args = NULL, *reply = NULL;
	const struct ctl_verb *verb;
	char err[512] = "";
	int r;

	if (h->type != HCTL_REQUEST) {
		s->stats.bad_frames++;
		log_info("control: pid %d sent a frame of type %u, not a request; dropped",
			 (int)c->pid, h->type);
		return -EBADMSG;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	req = json_tokener_parse_ex(tok, payload, (int)h->length);
	r = json_tokener_get_error(tok) == json_tokener_success && tok->char_offset == (int)h->length;
	json_tokener_free(tok);
	if (!r || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "verb", &jverb) ||
	    !json_object_is_type(jverb, json_type_string)) {
		json_object_put(req);
		s->stats.bad_frames++;
		log_info("control: pid %d sent a malformed request; dropped", (int)c->pid);
		conn_reply_error(c, h->id, -EBADMSG,
				 "malformed request: expected a JSON object with a \"verb\" string");
		return -EBADMSG;
	}
	s->stats.requests++;
	if (json_object_object_get_ex(req, "args", &args) &&
	    !json_object_is_type(args, json_type_object)) {
		json_object_put(req);
		return conn_reply_error(c, h->id, -EINVAL, "\"args\" must be a JSON object");
	}
	verb = find_verb(s, json_object_get_string(jverb));
	if (!verb) {
		s->stats.unknown_verbs++;
		snprintf(err, sizeof(err), "unknown verb '%s'", json_object_get_string(jverb));
		json_object_put(req);
		return conn_reply_error(c, h->id, -EOPNOTSUPP, err);
	}
	if (verb->admin && c->role == CTL_ROLE_READ && verb->member_may &&
	    verb->member_may(s->userdata)) {
		log_notice("control: uid %u (pid %d), a control group member, runs '%s' "
			   "(the configuration allows it)", (unsigned)c->uid, (int)c->pid,
			   verb->name);
	} else if (verb->admin && c->role != CTL_ROLE_ADMIN) {
		s->stats.denied++;
		snprintf(err, sizeof(err), "permission denied: '%s' needs root", verb->name);
		log_notice("control: uid %u (pid %d) denied '%s'", (unsigned)c->uid,
			   (int)c->pid, verb->name);
		json_object_put(req);
		return conn_reply_error(c, h->id, -EPERM, err);
	}
	s->verb_requests[verb - s->verbs]++;
	r = verb->fn(c, args, &reply, err, sizeof(err), s->userdata);
	json_object_put(req);
	if (r < 0) {
		json_object_put(reply);
		if (!err[0])
			snprintf(err, sizeof(err), "%s", strerror(-r));
		return conn_reply_error(c, h->id, r, err);
	}
	if (!reply)
		reply = json_object_new_object();
	r = conn_queue(c, HCTL_REPLY, h->id, 0, reply);
	json_object_put(reply);
	return r;
}

static int conn_read(struct ctl_conn *c)
{
	uint8_t buf[65536];
	struct hctl_hdr h;
	const char *payload;
	ssize_t n;
	int r;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	r = hctl_reader_feed(&c->rd, buf, (size_t)n);
	if (r < 0)
		return r;
	while ((r = hctl_reader_next(&c->rd, &h, &payload)) > 0) {
		r = conn_handle(c, &h, payload);
		if (r < 0)
			return r;
		if (c->dead)
			return -ECONNRESET;
	}
	if (r < 0) {
		c->srv->stats.bad_frames++;
		log_info("control: pid %d sent a bad frame (%s); dropped", (int)c->pid,
			 strerror(-r));
	}
	return r;
}

static int on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctl_conn *c = userdata;
	int r = 0;

	if (revents & EPOLLIN)
		r = conn_read(c);
	if (r >= 0 && (revents & EPOLLOUT))
		r = conn_flush(c);
	if (r >= 0 && (revents & (EPOLLERR | EPOLLHUP)) && !(revents & EPOLLIN))
		r = -ECONNRESET;
	if (r < 0 && !c->dead) {
		/* Best effort: push out a queued error reply before closing. */
		if (c->outlen > c->outpos)
			(void)!send(c->fd, c->out + c->outpos, c->outlen - c->outpos,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
		conn_free(c);
	}
	return 0;
}

static bool in_group(int fd, gid_t primary, gid_t group)
{
	gid_t groups[CTL_MAX_GROUPS];
	socklen_t len = sizeof(groups);

	if (group == (gid_t)-1)
		return false;
	if (primary == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctlsrv *s = userdata;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_conn *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept: %s", strerror(errno));
		return 0;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    s->nconns >= CTL_MAX_CONNS) {
		log_warn("control: refusing a connection (%s)",
			 s->nconns >= CTL_MAX_CONNS ? "too many clients" : strerror(errno));
		s->stats.refused++;
		close(cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->srv = s;
	c->fd = cfd;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	c->role = cred.uid == 0 ? CTL_ROLE_ADMIN
		: in_group(cfd, cred.gid, s->group) ? CTL_ROLE_READ : CTL_ROLE_NONE;
	hctl_reader_init(&c->rd);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	r = sd_event_add_io(s->ev, &c->io, cfd, EPOLLIN, on_conn_io, c);
	if (r < 0) {
		conn_free(c);
		return 0;
	}
	s->stats.accepted++;
	if (c->role == CTL_ROLE_NONE) {
		char msg[128];

		s->stats.refused++;
		log_notice("control: refused uid %u (pid %d): not root nor in the control group",
			   (unsigned)cred.uid, (int)cred.pid);
		snprintf(msg, sizeof(msg),
			 "permission denied: uid %u is not root nor in herdd's control group",
			 (unsigned)cred.uid);
		conn_reply_error(c, 0, -EACCES, msg);
		conn_free(c);
	}
	return 0;
}

static int socket_set_owner(const char *path, gid_t group)
{
	bool none = group == (gid_t)-1;

	/* Tighten the mode before handing the file to a new group. */
	if (none && chmod(path, 0600) < 0)
		return -errno;
	if (chown(path, 0, none ? 0 : group) < 0)
		return -errno;
	return none || chmod(path, 0660) >= 0 ? 0 : -errno;
}

int ctlsrv_new(sd_event *ev, const char *path, gid_t group,
	       const struct ctl_verb *verbs, size_t nverbs, void *userdata,
	       struct ctlsrv **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlsrv *s;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ev = sd_event_ref(ev);
	s->group = group;
	s->verbs = verbs;
	s->nverbs = nverbs;
	s->userdata = userdata;
	s->path = strdup(path);
	s->verb_requests = calloc(nverbs ? nverbs : 1, sizeof(*s->verb_requests));
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!s->path || !s->verb_requests || s->fd < 0) {
		r = s->path && s->verb_requests ? -errno : -ENOMEM;
		goto fail;
	}
	/* The pid file lock guarantees no live herdd owns a socket here. */
	unlink(path);
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(s->fd, 64) < 0) {
		r = -errno;
		goto fail;
	}
	r = socket_set_owner(path, group);
	if (r < 0)
		goto fail;
	r = sd_event_add_io(ev, &s->src, s->fd, EPOLLIN, on_accept, s);
	if (r >= 0)
		r = sd_event_add_defer(ev, &s->reaper, on_reap, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->reaper, SD_EVENT_OFF);
	if (r < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ctlsrv_free(s);
	return r;
}

void ctlsrv_free(struct ctlsrv *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	sd_event_source_disable_unref(s->reaper);
	sd_event_source_disable_unref(s->src);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	free(s->path);
	free(s->verb_requests);
	sd_event_unref(s->ev);
	free(s);
}

int ctlsrv_set_group(struct ctlsrv *s, gid_t group)
{
	int r = socket_set_owner(s->path, group);

	if (r < 0)
		return r;
	s->group = group;
	return 0;
}

const struct ctlsrv_stats *ctlsrv_get_stats(const struct ctlsrv *s)
{
	return &s->stats;
}

uint64_t ctlsrv_verb_requests(const struct ctlsrv *s, size_t i)
{
	return i < s->nverbs ? s->verb_requests[i] : 0;
}

size_t ctlsrv_nconns(const struct ctlsrv *s)
{
	return s->nconns;
}

enum ctl_role ctl_conn_role(const struct ctl_conn *c)
{
	return c->role;
}

uid_t ctl_conn_uid(const struct ctl_conn *c)
{
	return c->uid;
}

pid_t ctl_conn_pid(const struct ctl_conn *c)
{
	return c->pid;
}

void ctl_conn_subscribe(struct ctl_conn *c)
{
	c->subscribed = true;
}

size_t ctlsrv_broadcast(struct ctlsrv *s, struct json_object *event)
{
	struct ctl_conn *c = s->conns, *next;
	size_t sent = 0;

	for (; c; c = next) {
		next = c->next;
		if (!c->subscribed || c->dead)
			continue;
		if (conn_queue(c, HCTL_EVENT, 0, 0, event) < 0) {
			log_warn("control: dropping subscriber pid %d: it fell behind or went away",
				 (int)c->pid);
			conn_kill(c);
		} else {
			sent++;
		}
	}
	return sent;
}
