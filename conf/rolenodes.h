/*
 * rolenodes.h — the NAT gateway and LVS nodes files: which nodes take part
 * in a role that one node at a time holds (ctdb(7) NAT GATEWAY and LVS).
 *
 * CTDB's format, one node per line:
 *
 *   10.0.0.1                   may become the master
 *   10.0.0.2 slave-only        takes part, never the master
 *   # a comment                ('#' also after a blank)
 *
 * Each address is a private address from the nodes file, of a node that is
 * not deleted, and each node appears once. "follower-only", CTDB's newer
 * spelling, is read as slave-only. This module parses and checks the file;
 * who the master is, and what the role does, is decided elsewhere.
 * herd.conf(5) has the details.
 */
#ifndef HERD_CONF_ROLENODES_H
#define HERD_CONF_ROLENODES_H

#include "conf/cfile.h"
#include "conf/conf.h"

/*
 * Parse a nodes file for a role, read into f, against the cluster's nodes.
 * Returns 0 with *out (malloc'd, in file order) and *n >= 1, or a negative
 * errno with err filled in and nothing allocated. A file without nodes, or
 * whose nodes are all slave-only, is an error: the role could never run.
 */
int rolenodes_parse(struct cfile *f, const struct conf_node *nodes, size_t nnodes,
		    struct conf_rolenode **out, size_t *n, struct conf_error *err);

/* Read and parse path; a missing file is an error (the admin named it). */
int rolenodes_load(const char *path, const struct conf_node *nodes, size_t nnodes,
		   struct conf_rolenode **out, size_t *n, struct conf_error *err);

/* The entry for addr (compared without port), or NULL. */
const struct conf_rolenode *rolenodes_find(const struct conf_rolenode *rns, size_t n,
					   const struct sockaddr_storage *addr);

/* "10.0.0.2 slave-only" (or "10.0.0.1") into buf. */
char *rolenodes_format(char *buf, size_t len, const struct conf_rolenode *rn);

#endif
