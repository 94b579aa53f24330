/*
 * tickle.h — TCP "tickle ACKs" for a public address that moves, so that
 * its clients notice at once instead of after a retransmission timeout.
 *
 * At release the old holder lists the established connections whose local
 * end is the address (tickle_list, from the kernel's socket table) and
 * hands them to the taker. After the move, a tickle ACK is sent for each
 * (tickle_send): a bare ACK with sequence and acknowledgement numbers 0,
 * from the server side of the connection to the client, built by hand and
 * sent through a raw socket (as CTDB's ctdb_sys_send_tcp). The client
 * finds it outside its window and answers with an ACK carrying its real
 * sequence numbers; the new holder, which knows no such connection,
 * answers that with an RST, and the client reconnects at once.
 *
 * Both calls keep no state and log nothing. Repeating is the caller's
 * business: CTDB sends TICKLE_SEND_COUNT = 3 tickles per connection
 * (ctdb_tickle_sentenced_connections), since a single segment may be lost.
 */
#ifndef HERD_FAILOVER_TICKLE_H
#define HERD_FAILOVER_TICKLE_H

#include <sys/socket.h>

#include "agentd/util.h"

#define TICKLE_SEND_COUNT 3

/*
 * One TCP connection, as the server that held the public address sees it.
 * Both ends have the same family (AF_INET or AF_INET6) and carry their
 * ports; an IPv4 client of a dual-stack IPv6 socket (::ffff:a.b.c.d) is
 * reported as AF_INET.
 */
struct tickle_conn {
	struct sockaddr_storage local;  /* the public address and server port */
	struct sockaddr_storage remote; /* the client's address and port */
};

/*
 * The established TCP connections (IPv4 and IPv6) whose local address is
 * addr (its port, if any, is ignored; NULL: every one, for a caller that
 * sorts them by address itself), from NETLINK_SOCK_DIAG. On success
 * returns 0, *out is a malloc'ed array the caller frees (NULL when there
 * are none) and *n its length. Returns -EAFNOSUPPORT when addr is neither
 * IPv4 nor IPv6, -ENOMEM, or another -errno from the netlink socket.
 */
int tickle_list(const struct sockaddr_storage *addr, struct tickle_conn **out, size_t *n);

/*
 * One tickle ACK for c: src c->local, dst c->remote, flags ACK only,
 * seq 0, ack 0, window 1234 (as CTDB), TCP and IPv4 checksums computed
 * here. Sent through a header-including raw socket (IPPROTO_RAW, for IPv6
 * too), so the source need no longer be a local address. Returns 0, or
 * -EAFNOSUPPORT (not IPv4/IPv6, or the families differ), -EPERM (no
 * CAP_NET_RAW), other -errno from sendto.
 */
int tickle_send(const struct tickle_conn *c);

#endif
