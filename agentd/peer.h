/*
 * peer.h — private to the transport: the objects transport.c and peer.c
 * share, and what each offers the other. Nothing outside those two files
 * includes this; the public interface is agentd/transport.h.
 *
 *   struct transport   the listeners, the peers (indexed by pnn), every
 *                      live connection, the counters
 *   struct peer        one other node: its addresses and links
 *   struct link        one (peer, link index) pair: the up connection,
 *                      the dial in progress, one timer, the counters
 *   struct conn        one TCP connection: a dial, an accepted one or a
 *                      knock, from connect to close
 */
#ifndef HERD_PEER_H
#define HERD_PEER_H

#include "agentd/state.h"
#include "agentd/transport.h"

/* Reconnect (and knock) delays: first retry at once or after the minimum,
 * doubling to the maximum, back to the minimum once a link stayed up. */
#define PEER_BACKOFF_MIN (100 * USEC_PER_MSEC)
#define PEER_BACKOFF_MAX (2 * USEC_PER_SEC)

enum conn_role {
	CONN_DIAL,   /* we dialled it for a link (we are the lower pnn) */
	CONN_ACCEPT, /* a listener accepted it */
	CONN_KNOCK,  /* we dialled it to carry only our HELLO (higher pnn) */
};

enum conn_state {
	CONN_CONNECTING, /* TCP connect in progress (dials and knocks) */
	CONN_HELLO,      /* handshake: HELLOs and the first frame after each */
	CONN_UP,         /* the link's connection */
};

struct conn {
	struct transport *t;
	struct conn *next, *prev;  /* t->conns, or t->graveyard once dead */
	enum conn_role role;
	enum conn_state state;
	int fd;
	sd_event_source *io;
	sd_event_source *timer;    /* connect/handshake deadline; NULL once up */
	unsigned listen_link;      /* accepted: the listener's link index */
	struct link *link;         /* NULL until an accepted HELLO names it */
	struct sockaddr_storage remote;
	struct herd_reader rd;
	struct herd_seq seq;
	uint64_t nonce;            /* ours, sent in our HELLO */
	struct herd_hello hello;   /* the peer's, applied once up */
	bool got_hello;
	struct wbuf out;           /* frames queued, out.data[out_off..len) unsent */
	size_t out_off;
	uint32_t events;           /* what io waits for */
	enum transport_reason failed; /* set by a failed send: close from the reaper */
	int failed_errno;
	bool dead;                 /* closed; freed by the reaper */
	uint64_t peer_ts;          /* the peer's last KEEPALIVE timestamp (echo) */
	usec_t peer_ts_rx;         /* when it arrived, monotonic */
};

struct link {
	struct peer *peer;
	unsigned idx;
	bool exists;               /* both nodes have this address, same family */
	struct conn *up;           /* the up connection */
	struct conn *dial;         /* our dial (or knock) in progress */
	unsigned ncand;            /* accepted connections in handshake for it */
	sd_event_source *timer;    /* one per link: beats and deadline, or retries */
	usec_t last_rx;            /* monotonic, any frame */
	usec_t next_send;          /* next KEEPALIVE, monotonic */
	usec_t up_since;
	usec_t backoff;            /* delay after the next attempt */
	bool rx_since_tick;        /* a frame arrived since the last beat */
	struct transport_link_stats st;
};

struct peer {
	struct transport *t;
	uint32_t pnn;
	size_t naddrs;
	struct sockaddr_storage addrs[TRANSPORT_MAX_LINKS];
	unsigned nlinks;
	struct link links[TRANSPORT_MAX_LINKS];
	bool started;
	bool connected;
	uint64_t connects, disconnects;
	usec_t changed_wall, changed_mono;
	struct transport_peer_info info;
};

struct listener {
	struct transport *t;
	unsigned idx;
	int fd;
	sd_event_source *io;
};

struct transport {
	sd_event *event;
	uint32_t pnn;
	uint16_t port;
	char cluster[HERD_CLUSTER_NAME_MAX + 1];
	uint8_t *key;
	size_t keylen;
	usec_t interval;
	unsigned limit;
	usec_t bound;              /* interval * limit: silence that downs a link */
	usec_t timeout;            /* connect and handshake */
	usec_t start_time;
	struct transport_ops ops;
	void *userdata;
	unsigned in_callback;

	size_t nlocal;
	struct sockaddr_storage local_addrs[TRANSPORT_MAX_LINKS];
	struct listener listeners[TRANSPORT_MAX_LINKS];
	bool broken[TRANSPORT_MAX_LINKS]; /* transport_test_break_link */
	bool frozen;                      /* transport_test_freeze */

	struct peer **peers;       /* indexed by pnn; NULL: us, deleted, absent */
	size_t npeers;
	struct conn *conns;        /* every live connection */
	size_t npending;           /* accepted, not yet matched to a link */
	struct conn *graveyard;    /* closed, to be freed */
	sd_event_source *reaper;   /* defer: closes failed and frees dead conns */

	struct transport_local local;
	struct transport_stats st;

	usec_t drop_log_start;
	unsigned drop_log_count, drop_log_suppressed;
};

/* peer.c */
int peer_link_start(struct link *k);
void peer_link_arm(struct link *k, usec_t now);
void peer_accept(struct transport *t, struct listener *l);
/*
 * Close c now: count and log a drop reason, and when c was its link's up
 * connection, report the link (and maybe the peer) down if notify.
 */
void peer_conn_close(struct conn *c, enum transport_reason reason, int err, bool notify);
int peer_conn_send(struct conn *c, uint32_t dst, uint32_t generation, const struct herd_msg *m);
void peer_send_keepalive(struct conn *c);
/* Close the connections whose send failed, free the closed ones. */
void peer_reap(struct transport *t);

/* transport.c */
struct peer *transport_peer_get(const struct transport *t, uint32_t pnn);
/* Log a drop at info, at most a burst per window. link may be NULL. */
void transport_drop_log(struct transport *t, enum transport_reason r,
			const struct sockaddr_storage *remote, const struct link *link);
socklen_t transport_sockaddr_len(const struct sockaddr_storage *sa);

#endif
