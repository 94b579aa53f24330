/*
 * proto.h — the cluster wire protocol between herdd nodes, without I/O.
 *
 * Nodes talk over TCP, one connection per link per peer, in frames:
 *
 *   [ 32-byte header ][ payload (one message) ][ 32-byte HMAC, if flagged ]
 *
 *   off  size  field
 *     0     4  magic       HERD_MAGIC 0x48524431 ("HRD1")
 *     4     1  version     HERD_VERSION; receivers reject any other
 *     5     1  type        enum herd_type
 *     6     2  flags       HERD_HDR_F_*; receivers ignore unknown bits
 *     8     4  length      whole frame: header + payload + HMAC trailer
 *    12     4  src         sender's pnn
 *    16     4  dst         receiver's pnn, HERD_PNN_BROADCAST for all
 *    20     4  generation  sender's cluster generation
 *    24     8  seq         per-connection sending sequence (anti-replay)
 *
 * Every integer is big-endian; nothing is ever memcpy'd from a struct.
 * doc/PROTOCOL.md is the full description, with the HMAC and replay rules.
 * HMAC signing and checking live in agentd/auth.h (they need libcrypto).
 *
 * To add a message: a value in enum herd_type, a struct, the trio
 * herd_X_len / herd_X_push / herd_X_pull, a member in struct herd_msg, one
 * line in proto.c's message table, a round-trip test and a PROTOCOL.md
 * section. Part of the base layer (depends on buf.h).
 */
#ifndef HERD_PROTO_H
#define HERD_PROTO_H

#include <assert.h>
#include <sys/types.h>

#include "agentd/buf.h"

#define HERD_MAGIC      UINT32_C(0x48524431) /* "HRD1" */
#define HERD_VERSION    2
#define HERD_HDR_LEN    32
#define HERD_MAC_LEN    32          /* HMAC-SHA256 trailer */
#define HERD_FRAME_MAX  (16u << 20) /* largest frame, header and trailer included */

/* Header field offsets: the layout, pinned below. */
#define HERD_OFF_MAGIC      0
#define HERD_OFF_VERSION    4
#define HERD_OFF_TYPE       5
#define HERD_OFF_FLAGS      6
#define HERD_OFF_LENGTH     8
#define HERD_OFF_SRC        12
#define HERD_OFF_DST        16
#define HERD_OFF_GENERATION 20
#define HERD_OFF_SEQ        24

static_assert(HERD_OFF_MAGIC == 0, "magic opens the frame");
static_assert(HERD_OFF_MAGIC + 4 == HERD_OFF_VERSION, "header layout");
static_assert(HERD_OFF_VERSION + 1 == HERD_OFF_TYPE, "header layout");
static_assert(HERD_OFF_TYPE + 1 == HERD_OFF_FLAGS, "header layout");
static_assert(HERD_OFF_FLAGS + 2 == HERD_OFF_LENGTH, "header layout");
static_assert(HERD_OFF_LENGTH + 4 == HERD_OFF_SRC, "header layout");
static_assert(HERD_OFF_SRC + 4 == HERD_OFF_DST, "header layout");
static_assert(HERD_OFF_DST + 4 == HERD_OFF_GENERATION, "header layout");
static_assert(HERD_OFF_GENERATION + 4 == HERD_OFF_SEQ, "header layout");
static_assert(HERD_OFF_SEQ + 8 == HERD_HDR_LEN, "header layout");
static_assert(HERD_FRAME_MAX <= INT32_MAX, "frame lengths fit an int");

/* Header flags. */
#define HERD_HDR_F_MAC UINT16_C(0x0001) /* an HMAC-SHA256 trailer follows */

/*
 * Special pnns. "No node" (e.g. no leader yet) is 0xffffffff on the wire,
 * PNN_NONE in state.h; node flags and capabilities travel as state.h's
 * NODE_FLAG_* and NODE_CAP_* values (CTDB's encoding).
 */
#define HERD_PNN_BROADCAST UINT32_C(0xffffffff) /* header dst: every node */

/*
 * Protocol features a node offers in HELLO; a connection uses the bits both
 * sides offer. None are defined yet; unknown bits are ignored.
 */

enum herd_type {
	HERD_MSG_HELLO = 1,
	HERD_MSG_KEEPALIVE = 2,
	HERD_MSG_CONTROL = 3,
	HERD_MSG_REPLY = 4,
	HERD_MSG_TYPE_MAX = HERD_MSG_REPLY, /* highest known type */
};

/* "hello", "keepalive", ...; NULL for an unknown type. */
const char *herd_type_name(uint8_t type);

/*
 * The header as a struct. Magic and version are not in it: push writes
 * HERD_MAGIC and HERD_VERSION, pull checks them (and stores the version it
 * saw, so that a caller can log it).
 */
struct herd_hdr {
	uint8_t version; /* pull only */
	uint8_t type;
	uint16_t flags;
	uint32_t length;
	uint32_t src;
	uint32_t dst;
	uint32_t generation;
	uint64_t seq;
};

/* Write h (with HERD_MAGIC and HERD_VERSION) into out. Never fails. */
void herd_hdr_push(uint8_t out[HERD_HDR_LEN], const struct herd_hdr *h);

/*
 * Parse and check the header in the first len bytes of in; h is filled
 * whenever len >= HERD_HDR_LEN, even on error. Returns 0, -EAGAIN when
 * len < HERD_HDR_LEN, -EBADMSG on a bad magic, an unknown type or a length
 * shorter than the header (and trailer, if flagged), -EPROTONOSUPPORT on
 * another version, -EMSGSIZE when length > HERD_FRAME_MAX.
 */
int herd_hdr_pull(const uint8_t *in, size_t len, struct herd_hdr *h);

/* HELLO: the first frame either side sends on every connection. */
#define HERD_CLUSTER_NAME_MAX 63 /* bytes, without the NUL */

struct herd_hello {
	uint32_t pnn;          /* the sender's pnn (matches header src) */
	uint8_t link;          /* index of the sender's link this runs on */
	uint32_t capabilities; /* NODE_CAP_* (state.h) */
	uint32_t node_flags;   /* NODE_FLAG_* (state.h) */
	uint32_t features;     /* protocol features offered */
	uint64_t start_time;   /* wall µs herdd started: new value = restarted */
	uint64_t nonce;        /* random per connection, see the replay rules */
	char cluster[HERD_CLUSTER_NAME_MAX + 1];
};

size_t herd_hello_len(const struct herd_hello *m);
/* -EINVAL when cluster is not NUL-terminated within its array. */
int herd_hello_push(struct wbuf *w, const struct herd_hello *m);
int herd_hello_pull(struct rbuf *r, struct herd_hello *m);

/*
 * KEEPALIVE: the heartbeat, every keepalive interval on every link. It
 * carries what the election needs to know of a peer at every beat; the
 * sender's generation is the header's.
 */
#define HERD_KEEPALIVE_LEN 36

/* KEEPALIVE status bits; unknown bits are ignored (and kept). */
#define HERD_KA_F_LOCK_HELD  UINT32_C(0x00000001) /* sender holds the recovery lock */
#define HERD_KA_F_RECOVERING UINT32_C(0x00000002) /* sender's recovery mode is active */
#define HERD_KA_F_LEADING    UINT32_C(0x00000004) /* sender acts as leader (lock, new gen) */

struct herd_keepalive {
	uint64_t timestamp;    /* sender's monotonic clock, µs */
	uint64_t echo;         /* last timestamp received from the peer, 0 none */
	uint32_t echo_delay;   /* µs between receiving echo and sending this */
	uint32_t node_flags;   /* NODE_FLAG_* (state.h) */
	uint32_t leader;       /* the leader the sender follows, or PNN_NONE */
	uint32_t capabilities; /* NODE_CAP_* (state.h), as they are now */
	uint32_t status;       /* HERD_KA_F_* */
};

size_t herd_keepalive_len(const struct herd_keepalive *m);
int herd_keepalive_push(struct wbuf *w, const struct herd_keepalive *m);
int herd_keepalive_pull(struct rbuf *r, struct herd_keepalive *m);

/*
 * CONTROL / REPLY: a request to one node (or all) and its answer, matched
 * by reqid. The body is opaque here; each opcode defines its own layout.
 * No opcodes are defined yet (0 is reserved). On pull, data points into
 * the frame: it lives as long as the frame's bytes.
 */
#define HERD_CONTROL_HDR_LEN 16
#define HERD_CTRL_F_NOREPLY UINT32_C(0x00000001) /* sender wants no REPLY */

struct herd_control {
	uint32_t opcode;
	uint32_t reqid;
	uint32_t flags; /* HERD_CTRL_F_*; unknown bits ignored */
	uint32_t datalen;
	const uint8_t *data;
};

size_t herd_control_len(const struct herd_control *m);
int herd_control_push(struct wbuf *w, const struct herd_control *m);
int herd_control_pull(struct rbuf *r, struct herd_control *m);

struct herd_reply {
	uint32_t opcode; /* the request's */
	uint32_t reqid;  /* the request's */
	int32_t status;  /* 0 or a negative errno */
	uint32_t datalen;
	const uint8_t *data;
};

size_t herd_reply_len(const struct herd_reply *m);
int herd_reply_push(struct wbuf *w, const struct herd_reply *m);
int herd_reply_pull(struct rbuf *r, struct herd_reply *m);

/* Any message, tagged with its type. */
struct herd_msg {
	uint8_t type; /* enum herd_type */
	union {
		struct herd_hello hello;
		struct herd_keepalive keepalive;
		struct herd_control control;
		struct herd_reply reply;
	};
};

/* Payload length of m; 0 for an unknown type. */
size_t herd_msg_len(const struct herd_msg *m);
/* Append m's payload. -EINVAL for an unknown type. */
int herd_msg_push(struct wbuf *w, const struct herd_msg *m);
/*
 * Decode a payload of the given type that must fill r exactly. Returns 0,
 * or -EBADMSG (unknown type, short, long or malformed).
 */
int herd_msg_pull(struct rbuf *r, uint8_t type, struct herd_msg *m);

/*
 * Append a whole frame to w: the header from h (its type and length are
 * ignored: they come from m and the payload), m's payload and, when
 * h->flags has HERD_HDR_F_MAC, a zeroed trailer for herd_frame_sign.
 * Returns 0, -EINVAL (unknown type, bad message), -EMSGSIZE (over
 * HERD_FRAME_MAX, checked before anything is written, or w's max) or
 * -ENOMEM.
 */
int herd_frame_push(struct wbuf *w, const struct herd_hdr *h, const struct herd_msg *m);

/*
 * Check the frame that starts in[0..len): its header, and whether all of
 * it is there. Returns the frame length (> 0), -EAGAIN when more bytes are
 * needed, or an error from herd_hdr_pull.
 */
int herd_frame_check(const uint8_t *in, size_t len, struct herd_hdr *h);

/*
 * Decode the frame at the start of in[0..len): header and message. The
 * trailer is skipped, not checked (herd_frame_verify does that). Returns
 * the frame length, -EAGAIN, or an error from herd_frame_check or
 * herd_msg_pull. Pointers in m point into in.
 */
int herd_frame_pull(const uint8_t *in, size_t len, struct herd_hdr *h, struct herd_msg *m);

/*
 * The replay rules of one connection (doc/PROTOCOL.md, "Replay"): each side
 * opens with its HELLO at seq 0 carrying a random nonce; every later frame
 * carries the peer's nonce + n, n = 1, 2, ... Pure bookkeeping, no I/O.
 */
struct herd_seq {
	uint64_t tx;         /* seq of our last frame after HELLO */
	uint64_t rx;         /* seq of the peer's last frame after HELLO */
	bool hello_sent;
	bool hello_received;
};

/* Start a connection; nonce is ours (random), as sent in our HELLO. */
void herd_seq_init(struct herd_seq *s, uint64_t nonce);
/*
 * The seq for the next frame we send, of the given type. Returns 0, -EAGAIN
 * when it is not a HELLO and the peer's HELLO has not arrived yet (hold it),
 * -EINVAL when the order is wrong (not our HELLO first, or a second HELLO).
 */
int herd_seq_tx(struct herd_seq *s, uint8_t type, uint64_t *seq);
/*
 * Account for a received, authenticated and decoded frame. Returns 0, or
 * -EPROTO (close the connection) when the first frame is not a HELLO with
 * seq 0, a HELLO comes again, or the seq is not the next one expected.
 */
int herd_seq_rx(struct herd_seq *s, const struct herd_hdr *h, const struct herd_msg *m);

/*
 * Streaming reader for a node connection: feed it what read() returned,
 * take whole frames out. Call next until it returns 0 after each feed (a
 * feed that would leave more than 2 * HERD_FRAME_MAX bytes buffered fails
 * with -EMSGSIZE). A reader that returned an error stays failed: the
 * connection must close.
 */
struct herd_reader {
	uint8_t *buf;
	size_t len, cap;
	size_t consumed; /* bytes of buf already handed out */
	int err;
};

void herd_reader_init(struct herd_reader *r);
void herd_reader_free(struct herd_reader *r);
/* Returns 0, -ENOMEM, -EMSGSIZE, or the sticky error. */
int herd_reader_feed(struct herd_reader *r, const void *data, size_t n);
/*
 * Returns 1 with the header in h and the whole frame (h->length bytes,
 * header included, for herd_frame_verify and herd_frame_pull) in *frame,
 * valid until the next feed or free; 0 when no whole frame is buffered yet;
 * or a negative errno from herd_hdr_pull.
 */
int herd_reader_next(struct herd_reader *r, struct herd_hdr *h, const uint8_t **frame);

#endif
