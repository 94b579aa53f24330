/*
 * peer.c — the transport's connections and links: dialling and knocking,
 * accepting, the handshake, reading and checking frames, heartbeats, and
 * the one timer per link that both sends the beats and notices silence.
 *
 * A link's life: DOWN → its timer dials (lower pnn) or knocks (higher pnn)
 * with backoff → the connection greets (HELLO each way, then one frame
 * after each HELLO, which proves the peer answered our fresh nonce) → UP,
 * and the timer now fires at min(next beat, last frame + limit * interval)
 * → DOWN on silence, EOF or a socket error, and the retries start again.
 * Every received frame is checked in PROTOCOL.md's order (header, HMAC,
 * payload, replay, src/dst) and any failure closes the connection and is
 * counted. Connections are never freed while a handler may still hold
 * them: a closed one goes to the graveyard and the reaper (a deferred
 * event) frees it; a send that fails only marks its connection, and the
 * reaper closes it, so a callback that sends never sees the link change
 * under it.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "agentd/auth.h"
#include "agentd/log.h"
#include "agentd/peer.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define TIMER_ACCURACY  USEC_PER_MSEC
#define READ_CHUNK      (64 * 1024)
/* Frames before a connection is up are a HELLO and a KEEPALIVE: refuse a
 * stranger's big header at once rather than buffer megabytes for it. */
#define PREUP_FRAME_MAX 512
/* Bytes queued for one connection; beyond, sends fail with -ENOBUFS. */
#define QUEUE_MAX       ((size_t)2 * HERD_FRAME_MAX)
/* Accepted connections still in their handshake. */
#define PENDING_MAX     64
/* A send buffer larger than this is freed when it drains. */
#define OUT_KEEP        (64 * 1024)

static int conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int conn_timeout(sd_event_source *s, uint64_t usec, void *userdata);
static int link_timer(sd_event_source *s, uint64_t usec, void *userdata);
static void conn_read(struct conn *c);

static bool we_dial(const struct link *k)
{
	return k->peer->t->pnn < k->peer->pnn;
}

static char *link_addr(char *buf, size_t len, const struct link *k)
{
	return sockaddr_format(buf, len, &k->peer->addrs[k->idx]);
}

/* Callbacks: counted so that transport_free/set_nodes can refuse. */

static void notify_link(struct link *k, bool up, enum transport_reason reason)
{
	struct transport *t = k->peer->t;

	if (!t->ops.link_changed)
		return;
	t->in_callback++;
	t->ops.link_changed(t, k->peer->pnn, k->idx, up, reason, t->userdata);
	t->in_callback--;
}

static void notify_peer(struct peer *p, bool connected)
{
	struct transport *t = p->t;

	if (!t->ops.peer_changed)
		return;
	t->in_callback++;
	t->ops.peer_changed(t, p->pnn, connected, t->userdata);
	t->in_callback--;
}

/* Socket options. */

/*
 * Small frames must leave at once (NODELAY). The kernel's own timers are
 * sized from the keepalive bound so that a dead peer's connection does not
 * linger: TCP_USER_TIMEOUT aborts it once sent data stays unacknowledged
 * for the bound (this also caps connect's SYN retries); TCP keepalive is a
 * backstop for an idle socket, which ours never are.
 */
static void socket_tune(struct transport *t, int fd)
{
	unsigned timeout_ms = (unsigned)MIN(t->bound / USEC_PER_MSEC, (usec_t)UINT32_MAX);
	int one = 1;
	int idle = (int)MAX((t->bound + USEC_PER_SEC - 1) / USEC_PER_SEC, (usec_t)1);
	int cnt = (int)MIN(t->limit, 127u);

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	if (timeout_ms > 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms, sizeof(timeout_ms));
}

/* Connection objects. */

static void conn_list_add(struct conn **head, struct conn *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void conn_list_del(struct conn **head, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void reaper_wake(struct transport *t)
{
	if (t->reaper)
		(void)sd_event_source_set_enabled(t->reaper, SD_EVENT_ONESHOT);
}

/* A connection around fd (which it owns, even on failure). */
static struct conn *conn_new(struct transport *t, int fd, enum conn_role role,
			     const struct sockaddr_storage *remote, uint32_t events)
{
	struct conn *c;
	uint64_t nonce;

	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce)) {
		close(fd);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->t = t;
	c->fd = fd;
	c->role = role;
	c->remote = *remote;
	herd_reader_init(&c->rd);
	wbuf_init(&c->out, 0);
	herd_seq_init(&c->seq, nonce);
	c->nonce = nonce;
	if (sd_event_add_io(t->event, &c->io, fd, events, conn_io, c) < 0 ||
	    sd_event_add_time(t->event, &c->timer, CLOCK_MONOTONIC, now_monotonic() + t->timeout,
			      TIMER_ACCURACY, conn_timeout, c) < 0) {
		sd_event_source_disable_unref(c->io);
		wbuf_free(&c->out);
		close(fd);
		free(c);
		return NULL;
	}
	c->events = events;
	(void)sd_event_source_set_description(c->io, "transport-conn");
	if (t->frozen) {
		(void)sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
		(void)sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
	}
	conn_list_add(&t->conns, c);
	return c;
}

static void conn_set_events(struct conn *c, uint32_t events)
{
	if (c->events == events || !c->io)
		return;
	if (sd_event_source_set_io_events(c->io, events) >= 0)
		c->events = events;
}

/* A send failed: the reaper closes c, outside whatever called us. */
static void conn_fail_later(struct conn *c, enum transport_reason reason, int err)
{
	if (!c->failed) {
		c->failed = reason;
		c->failed_errno = err;
	}
	reaper_wake(c->t);
}

static void link_schedule(struct link *k, usec_t at)
{
	struct transport *t = k->peer->t;

	if (!k->timer) {
		if (sd_event_add_time(t->event, &k->timer, CLOCK_MONOTONIC, at, TIMER_ACCURACY,
				      link_timer, k) < 0) {
			k->timer = NULL;
			log_err("transport: cannot add a timer for node %u link %u", k->peer->pnn,
				k->idx);
			return;
		}
		(void)sd_event_source_set_description(k->timer, "transport-link");
	} else {
		(void)sd_event_source_set_time(k->timer, at);
		(void)sd_event_source_set_enabled(k->timer, SD_EVENT_ONESHOT);
	}
	if (t->frozen)
		(void)sd_event_source_set_enabled(k->timer, SD_EVENT_OFF);
}

void peer_link_arm(struct link *k, usec_t now)
{
	struct transport *t = k->peer->t;

	if (k->up)
		link_schedule(k, MIN(k->next_send, k->last_rx + t->bound));
	else
		link_schedule(k, now);
}

static void link_down(struct link *k, enum transport_reason reason, int err, bool notify)
{
	struct peer *p = k->peer;
	struct transport *t = p->t;
	usec_t now = now_monotonic(), delay;
	char addr[INET6_ADDRSTRLEN], dur[32];

	k->st.downs++;
	k->st.changed_mono = now;
	k->st.changed_wall = now_realtime();
	k->st.last_reason = reason;
	if (reason == TRANSPORT_R_ERROR)
		k->st.last_errno = err;
	/* Without notify this is teardown (transport_free): not an event. */
	if (notify) {
		link_addr(addr, sizeof(addr), k);
		if (reason == TRANSPORT_R_TIMEOUT)
			log_notice("transport: link %u to node %u (%s) down: no frame for %s",
				   k->idx, p->pnn, addr,
				   format_duration(dur, sizeof(dur), now - k->last_rx));
		else
			log_notice("transport: link %u to node %u (%s) down: %s", k->idx, p->pnn,
				   addr, reason == TRANSPORT_R_ERROR ? strerror(err)
								     : transport_reason_name(reason));
		notify_link(k, false, reason);
	}

	if (p->connected) {
		bool any = false;

		for (unsigned i = 0; i < p->nlinks; i++)
			any |= p->links[i].up != NULL;
		if (!any) {
			p->connected = false;
			p->disconnects++;
			p->changed_mono = now;
			p->changed_wall = now_realtime();
			if (notify)
				notify_peer(p, false);
		}
	}

	/* Retry at once (the dialler) after a link that had settled; keep
	 * backing off after one that went down as soon as it came up. */
	if (now - k->up_since >= t->bound) {
		k->backoff = PEER_BACKOFF_MIN;
		delay = we_dial(k) ? 0 : PEER_BACKOFF_MIN;
	} else {
		delay = k->backoff;
	}
	if (!k->up)
		link_schedule(k, now + delay);
}

void peer_conn_close(struct conn *c, enum transport_reason reason, int err, bool notify)
{
	struct transport *t = c->t;
	struct link *k = c->link;

	if (c->dead)
		return;
	c->dead = true;
	c->io = sd_event_source_disable_unref(c->io);
	c->timer = sd_event_source_disable_unref(c->timer);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -EBADF;
	conn_list_del(&t->conns, c);
	conn_list_add(&t->graveyard, c);
	reaper_wake(t);

	if (c->role == CONN_ACCEPT && c->state != CONN_UP)
		t->npending--;
	if (transport_reason_is_drop(reason)) {
		t->st.drops[reason]++;
		if (k)
			k->st.drops[reason]++;
		transport_drop_log(t, reason, &c->remote, k);
	}
	if (!k)
		return;
	if (k->dial == c) {
		k->dial = NULL;
		if (c->role == CONN_DIAL) {
			k->st.connect_failures++;
			if (reason == TRANSPORT_R_ERROR)
				k->st.last_errno = err;
		}
	}
	if (c->role == CONN_ACCEPT && c->state != CONN_UP)
		k->ncand--;
	if (k->up == c) {
		k->up = NULL;
		link_down(k, reason, err, notify);
	}
}

void peer_reap(struct transport *t)
{
	for (struct conn *c = t->conns, *next; c; c = next) {
		next = c->next;
		if (c->failed)
			peer_conn_close(c, c->failed, c->failed_errno, true);
	}
	while (t->graveyard) {
		struct conn *c = t->graveyard;

		conn_list_del(&t->graveyard, c);
		herd_reader_free(&c->rd);
		wbuf_free(&c->out);
		free(c);
	}
}

/* Sending. */

static void conn_flush(struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_fail_later(c, TRANSPORT_R_ERROR, errno);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		if (c->out.cap > OUT_KEEP) {
			wbuf_free(&c->out);
			wbuf_init(&c->out, 0);
		} else {
			wbuf_reset(&c->out);
		}
		c->out_off = 0;
	}
	if (c->state != CONN_CONNECTING)
		conn_set_events(c, EPOLLIN | (c->out_off < c->out.len ? EPOLLOUT : 0));
}

int peer_conn_send(struct conn *c, uint32_t dst, uint32_t generation, const struct herd_msg *m)
{
	struct transport *t = c->t;
	struct herd_hdr h = {
		.flags = t->keylen ? HERD_HDR_F_MAC : 0,
		.src = t->pnn,
		.dst = dst,
		.generation = generation,
	};
	size_t body = herd_msg_len(m), need, start;
	uint64_t seq;
	int r;

	if (c->dead || c->failed || c->state == CONN_CONNECTING)
		return -ENOTCONN;
	if (body == 0)
		return -EINVAL;
	need = HERD_HDR_LEN + body + (t->keylen ? HERD_MAC_LEN : 0);
	if (body > HERD_FRAME_MAX || need > HERD_FRAME_MAX)
		return -EMSGSIZE;
	if (c->out.len - c->out_off + need > QUEUE_MAX)
		return -ENOBUFS;
	if (c->out_off > 0) {
		memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
		c->out.len -= c->out_off;
		c->out_off = 0;
	}
	start = c->out.len;
	/* Push with seq 0, then take a sequence number only for a frame that
	 * is sure to go: a number taken and not sent would break the stream. */
	r = herd_frame_push(&c->out, &h, m);
	if (r < 0) {
		if (wbuf_error(&c->out) < 0)
			conn_fail_later(c, TRANSPORT_R_ERROR, -r);
		return r;
	}
	r = herd_seq_tx(&c->seq, m->type, &seq);
	if (r < 0) {
		c->out.len = start;
		return r;
	}
	buf_store_be64(c->out.data + start + HERD_OFF_SEQ, seq);
	if (t->keylen) {
		r = herd_frame_sign(c->out.data + start, need, t->key, t->keylen);
		if (r < 0) {
			conn_fail_later(c, TRANSPORT_R_ERROR, -r);
			return r;
		}
	}
	t->st.frames_out++;
	t->st.bytes_out += need;
	if (c->link) {
		c->link->st.frames_out++;
		c->link->st.bytes_out += need;
	}
	conn_flush(c);
	return 0;
}

static void send_hello(struct conn *c)
{
	struct transport *t = c->t;
	struct herd_msg m = {
		.type = HERD_MSG_HELLO,
		.hello = {
			.pnn = t->pnn,
			.link = (uint8_t)c->link->idx,
			.capabilities = t->local.capabilities,
			.node_flags = t->local.node_flags,
			.features = 0,
			.start_time = t->start_time,
			.nonce = c->nonce,
		},
	};

	snprintf(m.hello.cluster, sizeof(m.hello.cluster), "%s", t->cluster);
	(void)peer_conn_send(c, c->link->peer->pnn, t->local.generation, &m);
}

void peer_send_keepalive(struct conn *c)
{
	struct transport *t = c->t;
	usec_t now = now_monotonic();
	struct herd_msg m = {
		.type = HERD_MSG_KEEPALIVE,
		.keepalive = {
			.timestamp = now,
			.echo = c->peer_ts,
			.echo_delay = c->peer_ts
				? (uint32_t)MIN(now - c->peer_ts_rx, (usec_t)UINT32_MAX) : 0,
			.node_flags = t->local.node_flags,
			.leader = t->local.leader,
			.capabilities = t->local.capabilities,
			.status = t->local.status,
		},
	};

	if (peer_conn_send(c, c->link->peer->pnn, t->local.generation, &m) >= 0)
		c->link->st.keepalives_out++;
}

/* Dialling and knocking. */

static void conn_dial(struct link *k, enum conn_role role)
{
	struct peer *p = k->peer;
	struct transport *t = p->t;
	struct sockaddr_storage remote = p->addrs[k->idx], local = t->local_addrs[k->idx];
	_cleanup_(closep) int fd = -EBADF;
	char addr[INET6_ADDRSTRLEN];
	struct conn *c;
	int one = 1, err;

	if (remote.ss_family == AF_INET) {
		((struct sockaddr_in *)&remote)->sin_port = htons(t->port);
		((struct sockaddr_in *)&local)->sin_port = 0;
	} else {
		((struct sockaddr_in6 *)&remote)->sin6_port = htons(t->port);
		((struct sockaddr_in6 *)&local)->sin6_port = 0;
	}
	if (role == CONN_DIAL)
		k->st.connects++;
	else
		t->st.knocks_out++;

	fd = socket(remote.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* The source address is what the peer checks: bind it, but let
	 * connect pick the port (no bind-time port reservation). */
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&local, transport_sockaddr_len(&local)) < 0)
		goto fail;
	socket_tune(t, fd);
	if (connect(fd, (struct sockaddr *)&remote, transport_sockaddr_len(&remote)) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	c = conn_new(t, TAKE_FD(fd), role, &remote, EPOLLOUT);
	if (!c) {
		errno = ENOMEM;
		goto fail;
	}
	c->state = CONN_CONNECTING;
	c->link = k;
	k->dial = c;
	return;
fail:
	err = errno;
	if (role == CONN_DIAL) {
		k->st.connect_failures++;
		k->st.last_errno = err;
	}
	log_debug("transport: %s node %u link %u (%s): %s", role == CONN_DIAL ? "dial" : "knock",
		  p->pnn, k->idx, link_addr(addr, sizeof(addr), k), strerror(err));
}

static int link_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct link *k = userdata;
	struct transport *t = k->peer->t;
	usec_t now = now_monotonic(), delay;

	if (t->frozen)
		return 0;
	if (k->up) {
		struct conn *c = k->up;

		if (c->failed)
			return 0; /* the reaper closes it */
		if (now >= k->last_rx + t->bound) {
			/* Our own stall (a starved or stopped herdd) must not
			 * pass for the peer's silence: first take what already
			 * waits in the socket. */
			conn_read(c);
			if (c->dead || c->failed || k->up != c)
				return 0;
			if (now >= k->last_rx + t->bound) {
				peer_conn_close(c, TRANSPORT_R_TIMEOUT, 0, true);
				return 0;
			}
		}
		if (now >= k->next_send) {
			if (!k->rx_since_tick)
				k->st.keepalives_missed++;
			k->rx_since_tick = false;
			peer_send_keepalive(c);
			k->next_send += t->interval;
			if (k->next_send <= now)
				k->next_send = now + t->interval;
		}
		if (k->up)
			peer_link_arm(k, now);
		return 0;
	}
	if (t->broken[k->idx])
		return 0; /* re-armed when the link is mended */
	if (!k->dial && (we_dial(k) || k->ncand == 0))
		conn_dial(k, we_dial(k) ? CONN_DIAL : CONN_KNOCK);
	delay = k->backoff;
	k->backoff = MIN(k->backoff * 2, PEER_BACKOFF_MAX);
	link_schedule(k, now + delay);
	return 0;
}

int peer_link_start(struct link *k)
{
	k->peer->started = true;
	k->backoff = PEER_BACKOFF_MIN;
	link_schedule(k, now_monotonic());
	return k->timer ? 0 : -ENOMEM;
}

/* A knock: the higher pnn wants us to dial it now. */
static void knock_received(struct link *k, const struct herd_hello *hello)
{
	struct peer *p = k->peer;
	struct transport *t = p->t;

	t->st.knocks_in++;
	if (k->up) {
		/* We think the link is up, the peer does not: if it restarted,
		 * our connection is to its previous life. (A replayed knock
		 * carries an old start time and changes nothing.) */
		if (!p->info.hello || hello->start_time <= p->info.start_time)
			return;
		peer_conn_close(k->up, TRANSPORT_R_RESTARTED, 0, true);
	}
	if (t->broken[k->idx] || k->dial || k->up)
		return;
	k->backoff = PEER_BACKOFF_MIN;
	conn_dial(k, CONN_DIAL);
	link_schedule(k, now_monotonic() + k->backoff);
}

/* Receiving. */

static void conn_up(struct conn *c, usec_t now)
{
	struct transport *t = c->t;
	struct link *k = c->link;
	struct peer *p = k->peer;
	struct conn *old = k->up;
	char addr[INET6_ADDRSTRLEN];

	c->state = CONN_UP;
	c->timer = sd_event_source_disable_unref(c->timer);
	if (c->role == CONN_ACCEPT) {
		k->ncand--;
		t->npending--;
	}
	if (k->dial == c)
		k->dial = NULL;
	k->up = c;
	k->last_rx = now;
	k->next_send = now + t->interval;
	k->rx_since_tick = true;
	k->up_since = now;
	p->info.hello = true;
	p->info.start_time = c->hello.start_time;
	p->info.features = c->hello.features;
	p->info.node_flags = c->hello.node_flags;
	p->info.capabilities = c->hello.capabilities;

	link_addr(addr, sizeof(addr), k);
	if (old) {
		/* The peer made a new connection: it gave up on the old one. */
		log_info("transport: link %u to node %u (%s): new connection replaces the old",
			 k->idx, p->pnn, addr);
		peer_conn_close(old, TRANSPORT_R_SHUTDOWN, 0, false);
	} else {
		k->st.ups++;
		k->st.changed_mono = now;
		k->st.changed_wall = now_realtime();
		k->st.last_reason = TRANSPORT_R_HANDSHAKE;
		log_notice("transport: link %u to node %u (%s) up", k->idx, p->pnn, addr);
		notify_link(k, true, TRANSPORT_R_HANDSHAKE);
		if (!p->connected && k->up) {
			p->connected = true;
			p->connects++;
			p->changed_mono = now;
			p->changed_wall = now_realtime();
			notify_peer(p, true);
		}
	}
	if (k->up)
		peer_link_arm(k, now);
}

static enum transport_reason conn_hello(struct conn *c, const struct herd_hdr *h,
					const struct herd_hello *hello)
{
	struct transport *t = c->t;
	struct peer *p;
	struct link *k;
	unsigned l = c->listen_link;

	if (!streq(hello->cluster, t->cluster))
		return TRANSPORT_R_WRONG_CLUSTER;
	if (hello->pnn != h->src || (h->dst != t->pnn && h->dst != HERD_PNN_BROADCAST))
		return TRANSPORT_R_BAD_FRAME;
	if (c->role == CONN_KNOCK)
		return TRANSPORT_R_BAD_FRAME; /* a knock is never answered */
	if (c->role == CONN_DIAL) {
		k = c->link;
		if (hello->pnn != k->peer->pnn || hello->link != k->idx)
			return TRANSPORT_R_BAD_ADDRESS;
		c->hello = *hello;
		c->got_hello = true;
		peer_send_keepalive(c);
		return TRANSPORT_R_NONE;
	}

	p = transport_peer_get(t, hello->pnn);
	if (!p)
		return TRANSPORT_R_UNKNOWN_PEER;
	if (hello->link != l || l >= p->nlinks || !p->links[l].exists ||
	    !sockaddr_equal_addr(&c->remote, &p->addrs[l]))
		return TRANSPORT_R_BAD_ADDRESS;
	k = &p->links[l];
	if (p->pnn > t->pnn) {
		knock_received(k, hello);
		peer_conn_close(c, TRANSPORT_R_NONE, 0, false);
		return TRANSPORT_R_NONE;
	}
	c->link = k;
	k->ncand++;
	c->hello = *hello;
	c->got_hello = true;
	send_hello(c);
	peer_send_keepalive(c);
	return TRANSPORT_R_NONE;
}

static void conn_keepalive(struct conn *c, const struct herd_hdr *h,
			   const struct herd_keepalive *ka, usec_t now)
{
	struct transport *t = c->t;
	struct link *k = c->link;
	struct peer *p = k->peer;

	k->st.keepalives_in++;
	c->peer_ts = ka->timestamp;
	c->peer_ts_rx = now;
	/* rtt = now - echo - echo_delay, all on our clock (PROTOCOL.md). */
	if (ka->echo != 0 && ka->echo <= now && now - ka->echo >= ka->echo_delay) {
		usec_t rtt = now - ka->echo - ka->echo_delay;

		if (rtt < 60 * USEC_PER_SEC) {
			struct transport_link_stats *s = &k->st;

			s->rtt_last = rtt;
			s->rtt_avg = s->rtt_samples ? (7 * s->rtt_avg + rtt) / 8 : rtt;
			s->rtt_min = s->rtt_samples ? MIN(s->rtt_min, rtt) : rtt;
			s->rtt_max = MAX(s->rtt_max, rtt);
			s->rtt_samples++;
		}
	}
	p->info.keepalive = true;
	p->info.node_flags = ka->node_flags;
	p->info.capabilities = ka->capabilities;
	p->info.leader = ka->leader;
	p->info.status = ka->status;
	p->info.generation = h->generation;
	p->info.last_keepalive = now;
	if (t->ops.keepalive) {
		t->in_callback++;
		t->ops.keepalive(t, p->pnn, k->idx, h, ka, t->userdata);
		t->in_callback--;
	}
}

/* One whole frame: check it in PROTOCOL.md's order, then act on it. */
static enum transport_reason conn_frame(struct conn *c, const struct herd_hdr *h,
					const uint8_t *frame)
{
	struct transport *t = c->t;
	struct herd_hdr hh;
	struct herd_msg m;
	struct link *k;
	usec_t now;
	int r;

	if (t->keylen) {
		r = herd_frame_verify(frame, h->length, t->key, t->keylen);
		if (r == -EACCES)
			return TRANSPORT_R_BAD_MAC;
		if (r < 0)
			return TRANSPORT_R_BAD_FRAME;
	} else if (h->flags & HERD_HDR_F_MAC) {
		return TRANSPORT_R_BAD_MAC; /* we cannot check it: refuse it */
	}
	if (herd_frame_pull(frame, h->length, &hh, &m) < 0)
		return TRANSPORT_R_BAD_FRAME;
	if (!c->got_hello && h->type != HERD_MSG_HELLO)
		return TRANSPORT_R_BAD_FRAME;
	if (herd_seq_rx(&c->seq, h, &m) < 0)
		return TRANSPORT_R_REPLAY;
	t->st.frames_in++;
	if (!c->got_hello)
		return conn_hello(c, h, &m.hello);

	k = c->link;
	if (h->src != k->peer->pnn || (h->dst != t->pnn && h->dst != HERD_PNN_BROADCAST))
		return TRANSPORT_R_BAD_FRAME;
	k->st.frames_in++;
	now = now_monotonic();
	if (c->state == CONN_HELLO) {
		conn_up(c, now);
		if (c->dead || c->failed)
			return TRANSPORT_R_NONE;
	}
	k->last_rx = now;
	k->rx_since_tick = true;
	if (m.type == HERD_MSG_KEEPALIVE) {
		conn_keepalive(c, h, &m.keepalive, now);
	} else if (t->ops.message) {
		t->in_callback++;
		t->ops.message(t, k->peer->pnn, k->idx, h, &m, t->userdata);
		t->in_callback--;
	}
	return TRANSPORT_R_NONE;
}

static enum transport_reason reader_reason(int err)
{
	switch (err) {
	case -EMSGSIZE: return TRANSPORT_R_OVERSIZE;
	case -EPROTONOSUPPORT: return TRANSPORT_R_VERSION;
	case -ENOMEM: return TRANSPORT_R_ERROR;
	default: return TRANSPORT_R_BAD_FRAME;
	}
}

static void conn_read(struct conn *c)
{
	struct transport *t = c->t;
	uint8_t buf[READ_CHUNK];
	struct herd_hdr h;
	const uint8_t *frame;
	ssize_t n;
	int r;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0) {
		peer_conn_close(c, c->role == CONN_KNOCK ? TRANSPORT_R_NONE : TRANSPORT_R_CLOSED, 0,
				true);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			peer_conn_close(c, TRANSPORT_R_ERROR, errno, true);
		return;
	}
	t->st.bytes_in += (uint64_t)n;
	if (c->link)
		c->link->st.bytes_in += (uint64_t)n;
	r = herd_reader_feed(&c->rd, buf, (size_t)n);
	if (r < 0) {
		peer_conn_close(c, reader_reason(r), -r, true);
		return;
	}
	for (;;) {
		enum transport_reason why;

		if (c->state != CONN_UP && c->rd.len - c->rd.consumed >= HERD_HDR_LEN &&
		    buf_load_be32(c->rd.buf + c->rd.consumed + HERD_OFF_LENGTH) > PREUP_FRAME_MAX &&
		    herd_hdr_pull(c->rd.buf + c->rd.consumed, HERD_HDR_LEN, &h) == 0) {
			peer_conn_close(c, TRANSPORT_R_OVERSIZE, 0, true);
			return;
		}
		r = herd_reader_next(&c->rd, &h, &frame);
		if (r == 0)
			return;
		if (r < 0) {
			peer_conn_close(c, reader_reason(r), -r, true);
			return;
		}
		why = conn_frame(c, &h, frame);
		if (why != TRANSPORT_R_NONE) {
			peer_conn_close(c, why, 0, true);
			return;
		}
		if (c->dead || c->failed)
			return;
	}
}

static void conn_connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err != 0) {
		peer_conn_close(c, TRANSPORT_R_ERROR, err, true);
		return;
	}
	c->state = CONN_HELLO;
	conn_set_events(c, EPOLLIN);
	send_hello(c);
}

static int conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;

	if (c->state == CONN_CONNECTING) {
		conn_connected(c);
	} else {
		if (revents & EPOLLOUT)
			conn_flush(c);
		if (!c->failed && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(c);
	}
	if (!c->dead && c->failed)
		peer_conn_close(c, c->failed, c->failed_errno, true);
	return 0;
}

static int conn_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct conn *c = userdata;

	if (c->state == CONN_CONNECTING)
		peer_conn_close(c, TRANSPORT_R_ERROR, ETIMEDOUT, true);
	else if (c->role == CONN_KNOCK)
		peer_conn_close(c, TRANSPORT_R_NONE, 0, true);
	else
		peer_conn_close(c, TRANSPORT_R_HANDSHAKE_TIMEOUT, 0, true);
	return 0;
}

/* Accepting. */

void peer_accept(struct transport *t, struct listener *l)
{
	/* A bounded batch per wake-up: the listener stays readable. */
	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage sa = { 0 };
		socklen_t len = sizeof(sa);
		struct conn *c;
		int fd;

		fd = accept4(l->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("transport: accept on link %u: %s", l->idx, strerror(errno));
			return;
		}
		t->st.accepts++;
		if (t->npending >= PENDING_MAX) {
			close(fd);
			t->st.drops[TRANSPORT_R_OVERLOAD]++;
			transport_drop_log(t, TRANSPORT_R_OVERLOAD, &sa, NULL);
			continue;
		}
		socket_tune(t, fd);
		c = conn_new(t, fd, CONN_ACCEPT, &sa, EPOLLIN);
		if (!c)
			continue;
		c->state = CONN_HELLO;
		c->listen_link = l->idx;
		t->npending++;
	}
}
