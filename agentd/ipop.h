/*
 * ipop.h — the bodies of the public-address opcodes carried in CONTROL and
 * REPLY frames between herdd nodes (clusterop.h names the opcodes). No I/O:
 * marshalling with buf.h, explicit big-endian, every count checked against
 * the bytes that are really there (doc/PROTOCOL.md, "Public addresses").
 *
 *   op           request body            reply body       sent by → to
 *   IPINFO       (empty)                 ip list          leader → every node
 *   RELEASEIP    ip list                 conn list        leader → holder
 *   TAKEIP       ip list, conn list      (empty)          leader → taker
 *   IPMAP        ip list (with pnn),     (none: NOREPLY)  leader → every node
 *                nodesets
 *   TAKEOVER     (empty)                 (empty)          any node → leader
 *   MOVEIP       ip list (one, with pnn) (empty)          any node → leader
 *   RELOADIPS    (empty)                 (empty)          any node → every node
 *   TICKLES      ip list (one, with pnn  (none: NOREPLY)  holder → every node
 *                the sender), conn list
 *
 * ip list:   u32 options (IPOP_NODE_*: the sender's own settings), u32 count,
 *            then count × { u8 family (4 or 6), u8 prefix, u16 flags
 *            (IPOP_IP_*), u32 pnn (PNN_NONE when unused), 16 bytes address }
 * nodesets:  u32 count, then count × 32 bytes, a bit per pnn (pnn 0 is the
 *            lowest bit of the first byte); IPMAP appends one per address:
 *            the nodes that may host it
 * conn list: u32 count, then count × { u8 family, u8 0, u16 0,
 *            16 bytes local address, u16 local port, 16 bytes remote
 *            address, u16 remote port }
 *
 * TICKLES is the tickle list replication (CTDB's tickle update): every
 * node sends, now and then, the connections of each public address it
 * hosts, so the node that takes the address over after the holder crashed
 * can still tickle its clients. At most IPOP_TICKLES_MAX connections, each
 * with the listed address as its local address; pnn is the sender.
 *
 * Part of the base layer.
 */
#ifndef HERD_IPOP_H
#define HERD_IPOP_H

#include <sys/socket.h>

#include "agentd/buf.h"
#include "agentd/util.h"

#define IPOP_MAX_IPS   8192u    /* addresses in one list */
#define IPOP_MAX_CONNS 65536u   /* connections in one list */
#define IPOP_TICKLES_MAX 2000u  /* connections in one TICKLES body */

/* ip list options: about the sending node. */
#define IPOP_NODE_NO_TAKEOVER UINT32_C(0x1) /* its [failover] no ip takeover */

/* Per-address flags in an IPINFO reply. */
#define IPOP_IP_HOSTED   UINT16_C(0x1) /* configured on this node now */
#define IPOP_IP_USABLE   UINT16_C(0x2) /* one of its interfaces is up */
#define IPOP_IP_IF_DOWN  UINT16_C(0x4) /* hosted, but on an interface that is down */

struct ipop_ip {
	struct sockaddr_storage addr; /* AF_INET or AF_INET6, port 0 */
	unsigned prefix;
	uint16_t flags;               /* IPOP_IP_* */
	uint32_t pnn;                 /* IPMAP / MOVEIP: the node; else PNN_NONE */
};

struct ipop_conn {
	struct sockaddr_storage local, remote; /* same family, ports set */
};

#define IPOP_NODESET_BYTES 32   /* HERD_MAX_NODES bits */

/* Bytes of an encoded ip list / conn list of n entries. */
size_t ipop_ips_len(size_t n);
size_t ipop_conns_len(size_t n);

int ipop_put_ips(struct wbuf *w, uint32_t options, const struct ipop_ip *ips, size_t n);
int ipop_put_conns(struct wbuf *w, const struct ipop_conn *conns, size_t n);
int ipop_put_nodesets(struct wbuf *w, const uint8_t (*sets)[IPOP_NODESET_BYTES], size_t n);

/*
 * Decode a list from r. On success *out is malloc'ed (NULL when n is 0).
 * -EBADMSG for a count larger than the bytes left or the limit, an
 * unknown family, a prefix too long for it, or mismatched families.
 */
int ipop_get_ips(struct rbuf *r, uint32_t *options, struct ipop_ip **out, size_t *n);
int ipop_get_conns(struct rbuf *r, struct ipop_conn **out, size_t *n);
int ipop_get_nodesets(struct rbuf *r, uint8_t (**out)[IPOP_NODESET_BYTES], size_t *n);

/*
 * A whole TICKLES body: ip (its pnn the sender; options 0), then conns.
 * Put: -E2BIG beyond IPOP_TICKLES_MAX, -EINVAL when a connection's local
 * address is not ip's. Get: as the lists above, and -EBADMSG unless the
 * ip list holds exactly one address, at most IPOP_TICKLES_MAX connections
 * all local to it, and nothing follows; *conns is malloc'ed (NULL for 0).
 */
size_t ipop_tickles_len(size_t n);
int ipop_put_tickles(struct wbuf *w, const struct ipop_ip *ip, const struct ipop_conn *conns,
		     size_t n);
int ipop_get_tickles(struct rbuf *r, struct ipop_ip *ip, struct ipop_conn **conns, size_t *n);

#endif
