/*
 * clusterop.h — the opcodes carried in CONTROL frames between herdd nodes,
 * and their bodies. No I/O: marshalling with buf.h, explicit big-endian,
 * every body length checked exactly (doc/PROTOCOL.md, "Cluster opcodes").
 *
 *   op           body (big-endian)                  sent by → to
 *   RECOVERY     generation u32                     leader → every node
 *   SET_FLAGS    set u32, clear u32 (NODE_FLAG_*)    any node → target
 *   BAN          seconds u32 (0: unban)             any node → target
 *   RECOVER      (empty)                            any node → leader
 *   MAINTENANCE  until u64 (wall µs; 0: off)        any node → every node
 *   RELOADNODES  (empty)                            any node → every node
 *   IPINFO, RELEASEIP, TAKEIP, IPMAP, TAKEOVER, MOVEIP, RELOADIPS, TICKLES:
 *                variable bodies, see ipop.h         (public addresses)
 *
 * Only PERMANENTLY_DISABLED and STOPPED may be set or cleared remotely;
 * the receiver refuses other bits. Part of the base layer.
 */
#ifndef HERD_CLUSTEROP_H
#define HERD_CLUSTEROP_H

#include "agentd/util.h"

enum herd_op {
	HERD_OP_RECOVERY = 1,
	HERD_OP_SET_FLAGS = 2,
	HERD_OP_BAN = 3,
	HERD_OP_RECOVER = 4,
	HERD_OP_MAINTENANCE = 5,
	HERD_OP_RELOADNODES = 6,
	HERD_OP_IPINFO = 7,
	HERD_OP_RELEASEIP = 8,
	HERD_OP_TAKEIP = 9,
	HERD_OP_IPMAP = 10,
	HERD_OP_TAKEOVER = 11,
	HERD_OP_MOVEIP = 12,
	HERD_OP_RELOADIPS = 13,
	HERD_OP_TICKLES = 14,
	HERD_OP_MAX_,
};

/* The body of any opcode; each uses the fields its row above names. */
struct herd_op_body {
	uint32_t generation;
	uint32_t set, clear;
	uint32_t seconds;
	uint64_t until;
};

/* Largest body (MAINTENANCE: 8 bytes). */
#define HERD_OP_BODY_MAX 8

/*
 * Encode op's body into out (HERD_OP_BODY_MAX bytes); returns its length,
 * or -EINVAL for an unknown op.
 */
int herd_op_push(uint32_t op, const struct herd_op_body *b, uint8_t out[HERD_OP_BODY_MAX]);
/*
 * Decode; -EBADMSG when the length is not exactly op's, -EINVAL unknown op.
 * Opcodes with variable bodies (herd_op_variable) decode nothing here: their
 * bodies are read with ipop.h.
 */
int herd_op_pull(uint32_t op, const uint8_t *data, size_t len, struct herd_op_body *b);

const char *herd_op_name(uint32_t op); /* "recovery", ...; "unknown" */
bool herd_op_variable(uint32_t op);     /* its body is an ipop.h list */

#endif
