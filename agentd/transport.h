/*
 * transport.h — the cluster transport: TCP links between herdd nodes on
 * sd-event, with the handshake, the HMAC and replay checks, heartbeats,
 * link and peer liveness, and statistics.
 *
 * Link L joins node A's L-th private address and node B's L-th (a link
 * exists when both nodes have that address, in the same family). Each link
 * carries one TCP connection, dialled by the lower pnn and accepted by the
 * higher one; the higher one "knocks" (a short connection carrying only its
 * HELLO) to make the lower one dial at once when it (re)starts or loses the
 * link. A link is UP once both HELLOs and one authenticated frame after
 * each have crossed, DOWN when no frame has arrived for keepalive limit
 * intervals or the connection fails. A peer is connected while any of its
 * links is up. doc/PROTOCOL.md ("Transport") has the rules.
 *
 * A cluster subsystem: includes the base layer and conf/ only. The daemon
 * glue owns the transport and turns its callbacks into state changes and
 * events. The module map:
 *
 *   transport_new / transport_free          life cycle
 *   transport_set_local                     what our keepalives say
 *   transport_set_nodes                     reloadnodes: add/remove peers
 *   transport_send                          a frame to one peer or to all
 *   transport_link_state / _peer_connected / _peer_links / _peer_info
 *                                           queries
 *   transport_stats / _peer_stats / _link_stats
 *                                           counters (the glue makes JSON)
 *   transport_*_name                        names for logs and JSON
 *   transport_test_*                        fault hooks for the unit test
 */
#ifndef HERD_TRANSPORT_H
#define HERD_TRANSPORT_H

#include <systemd/sd-event.h>

#include "agentd/proto.h"
#include "conf/conf.h"

#define TRANSPORT_MAX_LINKS HERD_MAX_LINKS

struct transport;

enum transport_link_state {
	TRANSPORT_LINK_NONE,       /* no such link: a node lacks that address */
	TRANSPORT_LINK_DOWN,
	TRANSPORT_LINK_CONNECTING, /* a connection is being made or greeted */
	TRANSPORT_LINK_UP,
};

/*
 * Why a link went up or down, and why a frame or a connection was
 * dropped. Drop reasons (transport_reason_is_drop) are counted per link
 * and per transport and logged at info, rate-limited.
 */
enum transport_reason {
	TRANSPORT_R_NONE,
	TRANSPORT_R_HANDSHAKE,         /* up: the handshake completed */
	TRANSPORT_R_TIMEOUT,           /* no frame for keepalive limit intervals */
	TRANSPORT_R_CLOSED,            /* the peer closed the connection */
	TRANSPORT_R_ERROR,             /* a socket error (errno in the link stats) */
	TRANSPORT_R_RESTARTED,         /* the peer started again (new start time) */
	TRANSPORT_R_SHUTDOWN,          /* closed here: node removed, link disabled */
	TRANSPORT_R_BAD_MAC,           /* HMAC missing, wrong, or present without a key */
	TRANSPORT_R_REPLAY,            /* sequence number not the one expected */
	TRANSPORT_R_BAD_FRAME,         /* malformed frame, wrong src/dst, HELLO missing */
	TRANSPORT_R_VERSION,           /* another protocol version */
	TRANSPORT_R_OVERSIZE,          /* frame longer than allowed */
	TRANSPORT_R_WRONG_CLUSTER,     /* HELLO names another cluster */
	TRANSPORT_R_UNKNOWN_PEER,      /* HELLO from a pnn not in the nodes table */
	TRANSPORT_R_BAD_ADDRESS,       /* source address is not that peer's on that link */
	TRANSPORT_R_HANDSHAKE_TIMEOUT, /* connected, but no handshake in time */
	TRANSPORT_R_OVERLOAD,          /* too many connections still in handshake */
	TRANSPORT_R_MAX
};

/* The configuration. Everything is copied: the caller may free it after. */
struct transport_config {
	uint32_t pnn;                  /* this node */
	const struct conf_node *nodes; /* the nodes table, nodes[i].pnn == i */
	size_t nnodes;
	uint16_t port;                 /* [cluster] port */
	const char *cluster_name;      /* at most HERD_CLUSTER_NAME_MAX bytes */
	const uint8_t *key;            /* HMAC key; keylen 0: frames carry no MAC */
	size_t keylen;
	usec_t keepalive_interval;     /* > 0 */
	unsigned keepalive_limit;      /* >= 1 */
	usec_t start_time;             /* wall µs herdd started; 0: now */
};

/* What this node tells its peers in HELLO and in every KEEPALIVE. */
struct transport_local {
	uint32_t node_flags;   /* NODE_FLAG_* */
	uint32_t capabilities; /* NODE_CAP_* */
	uint32_t leader;       /* PNN_NONE when none */
	uint32_t generation;   /* header generation of HELLO and KEEPALIVE */
	uint32_t status;       /* HERD_KA_F_* */
};

/*
 * Callbacks, all optional. They run from the event loop; they may call
 * transport_send, transport_set_local and the queries, but not
 * transport_free or transport_set_nodes. Pointers are valid only during
 * the call. On a link going up: link_changed, then peer_changed if the
 * peer was disconnected; going down: the same order.
 */
struct transport_ops {
	void (*link_changed)(struct transport *t, uint32_t pnn, unsigned link, bool up,
			     enum transport_reason reason, void *userdata);
	void (*peer_changed)(struct transport *t, uint32_t pnn, bool connected, void *userdata);
	/* Every KEEPALIVE received; hdr->generation is the peer's generation. */
	void (*keepalive)(struct transport *t, uint32_t pnn, unsigned link,
			  const struct herd_hdr *hdr, const struct herd_keepalive *ka,
			  void *userdata);
	/* Every other message (CONTROL, REPLY, ...), once authenticated. */
	void (*message)(struct transport *t, uint32_t pnn, unsigned link,
			const struct herd_hdr *hdr, const struct herd_msg *msg, void *userdata);
};

/*
 * Open a listener on each of this node's addresses (port cfg->port) and
 * start connecting to the peers. Returns 0 and *out, or -EINVAL (bad
 * configuration: pnn not in the table or deleted, no address, zero
 * interval), -ENOMEM, or the errno of socket/bind/listen (EADDRINUSE).
 */
int transport_new(sd_event *event, const struct transport_config *cfg,
		  const struct transport_ops *ops, void *userdata, struct transport **out);
/* Close everything, without callbacks. Accepts NULL. */
void transport_free(struct transport *t);

/*
 * Set what HELLO and KEEPALIVE carry. When node flags, capabilities,
 * leader or status change, a KEEPALIVE goes out on every up link at once
 * rather than at the next beat.
 */
void transport_set_local(struct transport *t, const struct transport_local *l);

/*
 * Replace the nodes table (reloadnodes). Peers whose addresses are
 * unchanged keep their connections; removed or changed ones are closed
 * (link_changed/peer_changed with TRANSPORT_R_SHUTDOWN); new ones are
 * dialled. This node's own entry must not change (-EINVAL: that needs a
 * restart). -EBUSY from inside a callback.
 */
int transport_set_nodes(struct transport *t, const struct conf_node *nodes, size_t nnodes);

/*
 * Send msg (not HELLO or KEEPALIVE) with the given header generation to
 * dst over its lowest-numbered up link, falling back to the next one when
 * a link's send queue is full. Returns 0; -ENOTCONN when no link is up;
 * -ENOENT when dst is not a peer; -EINVAL for our own pnn or a HELLO or
 * KEEPALIVE; -EMSGSIZE; -ENOBUFS when every up link's queue is full. With
 * dst HERD_PNN_BROADCAST the frame goes to every connected peer (header dst
 * broadcast) and the return is the number of peers it went to.
 */
int transport_send(struct transport *t, uint32_t dst, const struct herd_msg *msg,
		   uint32_t generation);

uint32_t transport_pnn(const struct transport *t);
enum transport_link_state transport_link_state(const struct transport *t, uint32_t pnn,
					       unsigned link);
bool transport_peer_connected(const struct transport *t, uint32_t pnn);
/* Links to pnn (0 when pnn is not a peer): states run 0 .. links - 1. */
unsigned transport_peer_links(const struct transport *t, uint32_t pnn);

/* What the peer last told us, from its HELLO and its KEEPALIVEs. */
struct transport_peer_info {
	bool hello;            /* a HELLO was received on an up connection */
	uint64_t start_time;   /* the peer's start (wall µs) */
	uint32_t features;
	bool keepalive;        /* a KEEPALIVE was received */
	uint32_t node_flags;   /* from the last HELLO or KEEPALIVE */
	uint32_t capabilities;
	uint32_t leader;
	uint32_t status;       /* HERD_KA_F_* */
	uint32_t generation;   /* header generation of the last KEEPALIVE */
	usec_t last_keepalive; /* monotonic µs */
};

/* -ENOENT when pnn is not a peer. */
int transport_peer_info(const struct transport *t, uint32_t pnn, struct transport_peer_info *out);

struct transport_link_stats {
	uint64_t frames_in, frames_out;
	uint64_t bytes_in, bytes_out;
	uint64_t keepalives_in, keepalives_out;
	uint64_t keepalives_missed; /* intervals that passed with no frame */
	uint64_t ups, downs;        /* transitions */
	uint64_t connects;          /* connections dialled (knocks: transport_stats) */
	uint64_t connect_failures;  /* dialled connections that never came up */
	uint64_t rtt_samples;
	usec_t rtt_last, rtt_avg;   /* avg: moving average, 1/8 weight */
	usec_t rtt_min, rtt_max;
	usec_t changed_wall;        /* last up/down, wall µs; 0 never */
	usec_t changed_mono;        /* the same, monotonic */
	enum transport_reason last_reason; /* of the last up/down */
	int last_errno;             /* of the last TRANSPORT_R_ERROR, positive */
	uint64_t drops[TRANSPORT_R_MAX];
};

struct transport_peer_stats {
	bool connected;
	unsigned links, links_up;
	uint64_t connects, disconnects; /* CONNECTED / DISCONNECTED transitions */
	usec_t changed_wall, changed_mono;
	/* The links' counters summed; rtt_* of the lowest-numbered up link. */
	struct transport_link_stats total;
};

struct transport_stats {
	uint64_t frames_in, frames_out;
	uint64_t bytes_in, bytes_out;
	uint64_t accepts;     /* connections accepted */
	uint64_t knocks_in, knocks_out;
	uint64_t drops[TRANSPORT_R_MAX]; /* every drop, matched to a peer or not */
};

void transport_stats(const struct transport *t, struct transport_stats *out);
/* -ENOENT when pnn is not a peer or the link does not exist. */
int transport_peer_stats(const struct transport *t, uint32_t pnn, struct transport_peer_stats *out);
int transport_link_stats(const struct transport *t, uint32_t pnn, unsigned link,
			 struct transport_link_stats *out);

/* "none", "down", "connecting", "up". */
const char *transport_link_state_name(enum transport_link_state s);
/* "handshake", "timeout", "bad-mac", ...; "unknown" out of range. */
const char *transport_reason_name(enum transport_reason r);
bool transport_reason_is_drop(enum transport_reason r);

/*
 * Fault hooks for tests. freeze stops every event source of t (no reading,
 * no timers, no accepting) without closing anything, as SIGSTOP would;
 * unfreezing resumes. break_link closes this node's listener and every
 * connection on link L and stops using it, as a cut cable would look from
 * the peers; unbreaking reopens it.
 */
void transport_test_freeze(struct transport *t, bool frozen);
int transport_test_break_link(struct transport *t, unsigned link, bool broken);

#endif
