/*
 * transport.c — the cluster transport on sd-event: the transport object,
 * its listeners, the nodes table (and its reload), sending, the queries
 * and the statistics.
 *
 * The per-connection machinery — dialling, knocking, accepting, the
 * handshake, reading and checking frames, keepalives and the link timer —
 * is in peer.c; the two share the private declarations in peer.h. Nothing
 * here blocks: every socket is non-blocking, every wait has a timer, and a
 * failed send never closes a connection under the caller's feet (it is
 * closed from a deferred event instead).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "agentd/log.h"
#include "agentd/peer.h"

static const char *const reason_names[TRANSPORT_R_MAX] = {
	[TRANSPORT_R_NONE] = "none",
	[TRANSPORT_R_HANDSHAKE] = "handshake",
	[TRANSPORT_R_TIMEOUT] = "timeout",
	[TRANSPORT_R_CLOSED] = "closed",
	[TRANSPORT_R_ERROR] = "error",
	[TRANSPORT_R_RESTARTED] = "restarted",
	[TRANSPORT_R_SHUTDOWN] = "shutdown",
	[TRANSPORT_R_BAD_MAC] = "bad-mac",
	[TRANSPORT_R_REPLAY] = "replay",
	[TRANSPORT_R_BAD_FRAME] = "bad-frame",
	[TRANSPORT_R_VERSION] = "version",
	[TRANSPORT_R_OVERSIZE] = "oversize",
	[TRANSPORT_R_WRONG_CLUSTER] = "wrong-cluster",
	[TRANSPORT_R_UNKNOWN_PEER] = "unknown-peer",
	[TRANSPORT_R_BAD_ADDRESS] = "bad-address",
	[TRANSPORT_R_HANDSHAKE_TIMEOUT] = "handshake-timeout",
	[TRANSPORT_R_OVERLOAD] = "overload",
};

const char *transport_reason_name(enum transport_reason r)
{
	if ((unsigned)r >= TRANSPORT_R_MAX || !reason_names[r])
		return "unknown";
	return reason_names[r];
}

bool transport_reason_is_drop(enum transport_reason r)
{
	return r >= TRANSPORT_R_BAD_MAC && r < TRANSPORT_R_MAX;
}

const char *transport_link_state_name(enum transport_link_state s)
{
	switch (s) {
	case TRANSPORT_LINK_NONE: return "none";
	case TRANSPORT_LINK_DOWN: return "down";
	case TRANSPORT_LINK_CONNECTING: return "connecting";
	case TRANSPORT_LINK_UP: return "up";
	}
	return "unknown";
}

/*
 * Drops come in bursts (a port scanner, a node with the wrong key redialling
 * every few hundred ms): log the first few of each window, then one line
 * with the number suppressed.
 */
#define DROP_LOG_WINDOW (10 * USEC_PER_SEC)
#define DROP_LOG_BURST  10

void transport_drop_log(struct transport *t, enum transport_reason r,
			const struct sockaddr_storage *remote, const struct link *link)
{
	usec_t now = now_monotonic();
	char addr[INET6_ADDRSTRLEN];

	if (now - t->drop_log_start >= DROP_LOG_WINDOW) {
		if (t->drop_log_suppressed > 0)
			log_info("transport: %u more dropped connections not logged",
				 t->drop_log_suppressed);
		t->drop_log_start = now;
		t->drop_log_count = 0;
		t->drop_log_suppressed = 0;
	}
	if (t->drop_log_count >= DROP_LOG_BURST) {
		t->drop_log_suppressed++;
		return;
	}
	t->drop_log_count++;
	sockaddr_format(addr, sizeof(addr), remote);
	if (link)
		log_info("transport: dropped connection from %s (node %u link %u): %s", addr,
			 link->peer->pnn, link->idx, transport_reason_name(r));
	else
		log_info("transport: dropped connection from %s: %s", addr,
			 transport_reason_name(r));
}

/* The address with the port set. */
static void sockaddr_with_port(struct sockaddr_storage *out, const struct sockaddr_storage *in,
			       uint16_t port)
{
	*out = *in;
	if (out->ss_family == AF_INET)
		((struct sockaddr_in *)out)->sin_port = htons(port);
	else if (out->ss_family == AF_INET6)
		((struct sockaddr_in6 *)out)->sin6_port = htons(port);
}

socklen_t transport_sockaddr_len(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* Listeners: one per local address, on the cluster port. */

static int listener_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct listener *l = userdata;

	peer_accept(l->t, l);
	return 0;
}

static void listener_close(struct listener *l)
{
	l->io = sd_event_source_disable_unref(l->io);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -EBADF;
}

static int listener_open(struct transport *t, unsigned idx)
{
	struct listener *l = &t->listeners[idx];
	struct sockaddr_storage sa;
	_cleanup_(closep) int fd = -EBADF;
	int one = 1, r;

	l->t = t;
	l->idx = idx;
	sockaddr_with_port(&sa, &t->local_addrs[idx], t->port);
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	if (sa.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -errno;
	/* A link's interface may come up after herdd: listen on its address
	 * anyway, and the link works as soon as the address exists. */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, transport_sockaddr_len(&sa)) < 0)
		return -errno;
	if (listen(fd, SOMAXCONN) < 0)
		return -errno;
	r = sd_event_add_io(t->event, &l->io, fd, EPOLLIN, listener_io, l);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(l->io, "transport-listen");
	if (t->frozen)
		(void)sd_event_source_set_enabled(l->io, SD_EVENT_OFF);
	l->fd = TAKE_FD(fd);
	return 0;
}

/* The nodes table. */

static bool same_addrs(const struct peer *p, const struct conf_node *n)
{
	if (p->naddrs != n->naddrs)
		return false;
	for (size_t i = 0; i < n->naddrs; i++)
		if (!sockaddr_equal_addr(&p->addrs[i], &n->addrs[i]) ||
		    p->addrs[i].ss_family != n->addrs[i].ss_family)
			return false;
	return true;
}

static struct peer *transport_peer_new(struct transport *t, const struct conf_node *n)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->t = t;
	p->pnn = n->pnn;
	p->naddrs = MIN(n->naddrs, (size_t)TRANSPORT_MAX_LINKS);
	for (size_t i = 0; i < p->naddrs; i++)
		p->addrs[i] = n->addrs[i];
	p->nlinks = (unsigned)MIN(p->naddrs, t->nlocal);
	for (unsigned i = 0; i < p->nlinks; i++) {
		struct link *k = &p->links[i];

		k->peer = p;
		k->idx = i;
		k->exists = p->addrs[i].ss_family == t->local_addrs[i].ss_family;
		k->backoff = PEER_BACKOFF_MIN;
	}
	p->info.leader = PNN_NONE;
	return p;
}

/* Start every link of a new peer: dial (or knock) right away. */
static int transport_peer_start(struct peer *p)
{
	for (unsigned i = 0; i < p->nlinks; i++) {
		int r;

		if (!p->links[i].exists)
			continue;
		r = peer_link_start(&p->links[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Close a peer's connections; with notify, report what went down. */
static void transport_peer_free(struct peer *p, bool notify)
{
	struct transport *t;

	if (!p)
		return;
	t = p->t;
	/* Connections not yet attached as a link's up connection (dials,
	 * knocks, accepted ones in handshake) also point at the links. */
	for (struct conn *c = t->conns, *next; c; c = next) {
		next = c->next;
		if (c->link && c->link->peer == p && c->link->up != c)
			peer_conn_close(c, TRANSPORT_R_SHUTDOWN, 0, false);
	}
	for (unsigned i = 0; i < p->nlinks; i++) {
		struct link *k = &p->links[i];

		if (k->up)
			peer_conn_close(k->up, TRANSPORT_R_SHUTDOWN, 0, notify);
		k->timer = sd_event_source_disable_unref(k->timer);
	}
	free(p);
}

static int check_config(const struct transport_config *cfg)
{
	const struct conf_node *self;

	if (!cfg || !cfg->nodes || cfg->pnn >= cfg->nnodes || cfg->nnodes > HERD_MAX_NODES)
		return -EINVAL;
	self = &cfg->nodes[cfg->pnn];
	if (self->deleted || self->naddrs == 0 || self->naddrs > TRANSPORT_MAX_LINKS)
		return -EINVAL;
	if (cfg->keepalive_interval == 0 || cfg->keepalive_limit == 0 || cfg->port == 0)
		return -EINVAL;
	if (!cfg->cluster_name || strlen(cfg->cluster_name) > HERD_CLUSTER_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < cfg->nnodes; i++)
		if (cfg->nodes[i].pnn != i)
			return -EINVAL;
	return 0;
}

static int reaper_run(sd_event_source *s, void *userdata)
{
	peer_reap(userdata);
	return 0;
}

int transport_new(sd_event *event, const struct transport_config *cfg,
		  const struct transport_ops *ops, void *userdata, struct transport **out)
{
	struct transport *t;
	const struct conf_node *self;
	int r;

	*out = NULL;
	r = check_config(cfg);
	if (r < 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->event = sd_event_ref(event);
	for (unsigned i = 0; i < TRANSPORT_MAX_LINKS; i++)
		t->listeners[i].fd = -EBADF;
	t->pnn = cfg->pnn;
	t->port = cfg->port;
	snprintf(t->cluster, sizeof(t->cluster), "%s", cfg->cluster_name);
	if (cfg->keylen > 0) {
		t->key = malloc(cfg->keylen);
		if (!t->key) {
			r = -ENOMEM;
			goto fail;
		}
		memcpy(t->key, cfg->key, cfg->keylen);
		t->keylen = cfg->keylen;
	}
	t->interval = cfg->keepalive_interval;
	t->limit = cfg->keepalive_limit;
	t->bound = t->interval * t->limit;
	/* Long enough for a SYN retransmission or two on a healthy network,
	 * short enough that a dead address does not stall reconnection. */
	t->timeout = MIN(MAX(2 * t->bound, 500 * USEC_PER_MSEC), 10 * USEC_PER_SEC);
	t->start_time = cfg->start_time ? cfg->start_time : now_realtime();
	if (ops)
		t->ops = *ops;
	t->userdata = userdata;
	t->local.leader = PNN_NONE;

	self = &cfg->nodes[cfg->pnn];
	t->nlocal = self->naddrs;
	for (size_t i = 0; i < t->nlocal; i++)
		t->local_addrs[i] = self->addrs[i];

	r = sd_event_add_defer(event, &t->reaper, reaper_run, t);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_enabled(t->reaper, SD_EVENT_OFF);
	(void)sd_event_source_set_description(t->reaper, "transport-reaper");

	for (unsigned i = 0; i < t->nlocal; i++) {
		r = listener_open(t, i);
		if (r < 0)
			goto fail;
	}

	t->npeers = cfg->nnodes;
	t->peers = calloc(t->npeers, sizeof(*t->peers));
	if (!t->peers) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < cfg->nnodes; i++) {
		if (i == cfg->pnn || cfg->nodes[i].deleted || cfg->nodes[i].naddrs == 0)
			continue;
		t->peers[i] = transport_peer_new(t, &cfg->nodes[i]);
		if (!t->peers[i]) {
			r = -ENOMEM;
			goto fail;
		}
	}
	for (size_t i = 0; i < t->npeers; i++) {
		if (!t->peers[i])
			continue;
		r = transport_peer_start(t->peers[i]);
		if (r < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	transport_free(t);
	return r;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	if (t->in_callback)
		fatalx("transport_free called from a transport callback");
	for (size_t i = 0; i < t->npeers; i++)
		transport_peer_free(t->peers[i], false);
	free(t->peers);
	/* What is left: knocks and accepted connections not matched yet. */
	while (t->conns)
		peer_conn_close(t->conns, TRANSPORT_R_SHUTDOWN, 0, false);
	for (unsigned i = 0; i < TRANSPORT_MAX_LINKS; i++)
		listener_close(&t->listeners[i]);
	peer_reap(t);
	t->reaper = sd_event_source_disable_unref(t->reaper);
	if (t->key)
		memset(t->key, 0, t->keylen);
	free(t->key);
	sd_event_unref(t->event);
	free(t);
}

void transport_set_local(struct transport *t, const struct transport_local *l)
{
	bool changed = t->local.node_flags != l->node_flags ||
		       t->local.capabilities != l->capabilities ||
		       t->local.leader != l->leader || t->local.status != l->status;

	t->local = *l;
	if (!changed || t->frozen)
		return;
	for (size_t i = 0; i < t->npeers; i++) {
		struct peer *p = t->peers[i];

		if (!p)
			continue;
		for (unsigned k = 0; k < p->nlinks; k++)
			if (p->links[k].up)
				peer_send_keepalive(p->links[k].up);
	}
}

int transport_set_nodes(struct transport *t, const struct conf_node *nodes, size_t nnodes)
{
	struct transport_config cfg = {
		.pnn = t->pnn, .nodes = nodes, .nnodes = nnodes, .port = t->port,
		.cluster_name = t->cluster, .keepalive_interval = t->interval,
		.keepalive_limit = t->limit,
	};
	struct peer **peers;
	const struct conf_node *self;
	size_t n;
	int r;

	if (t->in_callback)
		return -EBUSY;
	r = check_config(&cfg);
	if (r < 0)
		return r;
	self = &nodes[t->pnn];
	if (self->naddrs != t->nlocal)
		return -EINVAL;
	for (size_t i = 0; i < t->nlocal; i++)
		if (!sockaddr_equal_addr(&self->addrs[i], &t->local_addrs[i]))
			return -EINVAL;

	peers = calloc(nnodes, sizeof(*peers));
	if (!peers)
		return -ENOMEM;
	/* Allocate every new peer first: past this point nothing fails. */
	for (size_t i = 0; i < nnodes; i++) {
		struct peer *old = i < t->npeers ? t->peers[i] : NULL;

		if (i == t->pnn || nodes[i].deleted || nodes[i].naddrs == 0)
			continue;
		if (old && same_addrs(old, &nodes[i]))
			continue;
		peers[i] = transport_peer_new(t, &nodes[i]);
		if (!peers[i]) {
			for (size_t j = 0; j < i; j++)
				free(peers[j]);
			free(peers);
			return -ENOMEM;
		}
	}
	n = MAX(nnodes, t->npeers);
	for (size_t i = 0; i < n; i++) {
		struct peer *old = i < t->npeers ? t->peers[i] : NULL;

		if (!old)
			continue;
		if (i < nnodes && !peers[i] && i != t->pnn && !nodes[i].deleted &&
		    nodes[i].naddrs > 0) {
			peers[i] = old; /* unchanged: keeps its connections */
			continue;
		}
		log_notice("transport: node %zu removed or changed in the nodes table", i);
		transport_peer_free(old, true);
		t->peers[i] = NULL;
	}
	free(t->peers);
	t->peers = peers;
	t->npeers = nnodes;
	for (size_t i = 0; i < nnodes; i++)
		if (peers[i] && !peers[i]->started)
			(void)transport_peer_start(peers[i]);
	return 0;
}

struct peer *transport_peer_get(const struct transport *t, uint32_t pnn)
{
	if (pnn >= t->npeers)
		return NULL;
	return t->peers[pnn];
}

static int transport_peer_send(struct peer *p, uint32_t dst, const struct herd_msg *m, uint32_t generation)
{
	int r = -ENOTCONN;

	for (unsigned i = 0; i < p->nlinks; i++) {
		struct conn *c = p->links[i].up;

		if (!c || c->failed)
			continue;
		r = peer_conn_send(c, dst, generation, m);
		if (r >= 0 || r != -ENOBUFS)
			return r;
	}
	return r;
}

int transport_send(struct transport *t, uint32_t dst, const struct herd_msg *msg,
		   uint32_t generation)
{
	struct peer *p;
	int n = 0;

	if (msg->type == HERD_MSG_HELLO || msg->type == HERD_MSG_KEEPALIVE ||
	    !herd_type_name(msg->type))
		return -EINVAL;
	if (dst == HERD_PNN_BROADCAST) {
		for (size_t i = 0; i < t->npeers; i++)
			if (t->peers[i] && t->peers[i]->connected &&
			    transport_peer_send(t->peers[i], dst, msg, generation) >= 0)
				n++;
		return n;
	}
	if (dst == t->pnn)
		return -EINVAL;
	p = transport_peer_get(t, dst);
	if (!p)
		return -ENOENT;
	return transport_peer_send(p, dst, msg, generation);
}

/* Queries. */

uint32_t transport_pnn(const struct transport *t)
{
	return t->pnn;
}

enum transport_link_state transport_link_state(const struct transport *t, uint32_t pnn,
					       unsigned link)
{
	const struct peer *p = transport_peer_get(t, pnn);
	const struct link *k;

	if (!p || link >= p->nlinks || !p->links[link].exists)
		return TRANSPORT_LINK_NONE;
	k = &p->links[link];
	if (k->up)
		return TRANSPORT_LINK_UP;
	if (k->dial || k->ncand > 0)
		return TRANSPORT_LINK_CONNECTING;
	return TRANSPORT_LINK_DOWN;
}

bool transport_peer_connected(const struct transport *t, uint32_t pnn)
{
	const struct peer *p = transport_peer_get(t, pnn);

	return p && p->connected;
}

unsigned transport_peer_links(const struct transport *t, uint32_t pnn)
{
	const struct peer *p = transport_peer_get(t, pnn);

	return p ? p->nlinks : 0;
}

int transport_peer_info(const struct transport *t, uint32_t pnn, struct transport_peer_info *out)
{
	const struct peer *p = transport_peer_get(t, pnn);

	if (!p)
		return -ENOENT;
	*out = p->info;
	return 0;
}

void transport_stats(const struct transport *t, struct transport_stats *out)
{
	*out = t->st;
}

int transport_link_stats(const struct transport *t, uint32_t pnn, unsigned link,
			 struct transport_link_stats *out)
{
	const struct peer *p = transport_peer_get(t, pnn);

	if (!p || link >= p->nlinks || !p->links[link].exists)
		return -ENOENT;
	*out = p->links[link].st;
	return 0;
}

int transport_peer_stats(const struct transport *t, uint32_t pnn, struct transport_peer_stats *out)
{
	const struct peer *p = transport_peer_get(t, pnn);
	struct transport_link_stats *s = &out->total;
	bool rtt = false;

	if (!p)
		return -ENOENT;
	*out = (struct transport_peer_stats){
		.connected = p->connected,
		.links = p->nlinks,
		.connects = p->connects,
		.disconnects = p->disconnects,
		.changed_wall = p->changed_wall,
		.changed_mono = p->changed_mono,
	};
	for (unsigned i = 0; i < p->nlinks; i++) {
		const struct link *k = &p->links[i];
		const struct transport_link_stats *l = &k->st;

		if (k->up)
			out->links_up++;
		s->frames_in += l->frames_in;
		s->frames_out += l->frames_out;
		s->bytes_in += l->bytes_in;
		s->bytes_out += l->bytes_out;
		s->keepalives_in += l->keepalives_in;
		s->keepalives_out += l->keepalives_out;
		s->keepalives_missed += l->keepalives_missed;
		s->ups += l->ups;
		s->downs += l->downs;
		s->connects += l->connects;
		s->connect_failures += l->connect_failures;
		s->rtt_samples += l->rtt_samples;
		for (unsigned r = 0; r < TRANSPORT_R_MAX; r++)
			s->drops[r] += l->drops[r];
		if (l->changed_mono >= s->changed_mono) {
			s->changed_mono = l->changed_mono;
			s->changed_wall = l->changed_wall;
			s->last_reason = l->last_reason;
			s->last_errno = l->last_errno;
		}
		if (k->up && !rtt && l->rtt_samples > 0) {
			rtt = true;
			s->rtt_last = l->rtt_last;
			s->rtt_avg = l->rtt_avg;
			s->rtt_min = l->rtt_min;
			s->rtt_max = l->rtt_max;
		}
	}
	return 0;
}

/* Test hooks. */

void transport_test_freeze(struct transport *t, bool frozen)
{
	int on = frozen ? SD_EVENT_OFF : SD_EVENT_ON;

	if (t->frozen == frozen)
		return;
	t->frozen = frozen;
	for (unsigned i = 0; i < TRANSPORT_MAX_LINKS; i++)
		if (t->listeners[i].io)
			(void)sd_event_source_set_enabled(t->listeners[i].io, on);
	for (struct conn *c = t->conns; c; c = c->next) {
		if (c->io)
			(void)sd_event_source_set_enabled(c->io, on);
		if (c->timer)
			(void)sd_event_source_set_enabled(c->timer,
							  frozen ? SD_EVENT_OFF : SD_EVENT_ONESHOT);
	}
	for (size_t i = 0; i < t->npeers; i++) {
		struct peer *p = t->peers[i];

		if (!p)
			continue;
		for (unsigned k = 0; k < p->nlinks; k++) {
			if (!p->links[k].timer)
				continue;
			if (frozen)
				(void)sd_event_source_set_enabled(p->links[k].timer, SD_EVENT_OFF);
			else
				peer_link_arm(&p->links[k], now_monotonic());
		}
	}
}

int transport_test_break_link(struct transport *t, unsigned link, bool broken)
{
	if (link >= t->nlocal)
		return -EINVAL;
	if (t->broken[link] == broken)
		return 0;
	t->broken[link] = broken;
	if (!broken) {
		int r = listener_open(t, link);

		if (r < 0)
			return r;
		for (size_t i = 0; i < t->npeers; i++)
			if (t->peers[i] && link < t->peers[i]->nlinks &&
			    t->peers[i]->links[link].exists)
				peer_link_start(&t->peers[i]->links[link]);
		return 0;
	}
	listener_close(&t->listeners[link]);
	for (struct conn *c = t->conns, *next; c; c = next) {
		next = c->next;
		if (c->link && c->link->idx == link && c->link->up != c)
			peer_conn_close(c, TRANSPORT_R_SHUTDOWN, 0, true);
		else if (!c->link && c->listen_link == link && c->role == CONN_ACCEPT)
			peer_conn_close(c, TRANSPORT_R_SHUTDOWN, 0, true);
	}
	for (size_t i = 0; i < t->npeers; i++) {
		struct peer *p = t->peers[i];

		if (p && link < p->nlinks && p->links[link].up)
			peer_conn_close(p->links[link].up, TRANSPORT_R_SHUTDOWN, 0, true);
	}
	return 0;
}
