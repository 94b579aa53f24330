/*
 * pubaddr.h — the public_addresses file: addresses herd moves between nodes.
 *
 * CTDB's format, one address per line:
 *
 *   192.168.1.10/24 eth0               # '#' starts a comment
 *   2001:db8::10/64 eth0,eth1          # the interfaces it may be put on
 *
 * A missing file means no public addresses; see herd.conf(5).
 */
#ifndef HERD_CONF_PUBADDR_H
#define HERD_CONF_PUBADDR_H

#include "conf/cfile.h"
#include "conf/conf.h"

/*
 * Parse the public_addresses file read into f. nodes (may be NULL) are
 * the cluster's nodes: a public address may not be a node's private one.
 * Returns 0 with *out (malloc'd, NULL when empty) and *n, or a negative
 * errno with err filled in and nothing allocated.
 */
int pubaddr_parse(struct cfile *f, const struct conf_node *nodes, size_t nnodes,
		  struct conf_pubaddr **out, size_t *n, struct conf_error *err);

/* Read and parse path; a missing file is no addresses (returns 0, *n = 0). */
int pubaddr_load(const char *path, const struct conf_node *nodes, size_t nnodes,
		 struct conf_pubaddr **out, size_t *n, struct conf_error *err);

/*
 * One address given on a command line (herdctl addip): "ADDR/PREFIX
 * IFACE[,IFACE...]"; errors start with what ("addip: ...").
 */
int pubaddr_parse_one(const char *text, const char *what, struct conf_pubaddr *pa,
		      struct conf_error *err);

/* "192.168.1.10/24 eth0,eth1" into buf. */
char *pubaddr_format(char *buf, size_t len, const struct conf_pubaddr *pa);

#endif
