/*
 * nodes.h — the nodes file: the private addresses of every node.
 *
 * CTDB's format with one herd extension:
 *
 *   10.0.0.1                   node 0
 *   #10.0.0.2                  node 1, deleted: keeps its number
 *   # a comment                no number
 *   10.0.0.3,10.1.0.3          node 2 with two links (up to HERD_MAX_LINKS)
 *
 * A node's number (pnn) counts the address lines, deleted ones included;
 * blank and comment lines do not count. herd.conf(5) has the details.
 */
#ifndef HERD_CONF_NODES_H
#define HERD_CONF_NODES_H

#include "conf/cfile.h"
#include "conf/conf.h"

/*
 * Parse the nodes file read into f. Returns 0 with *nodes (malloc'd, in pnn
 * order, deleted nodes included) and *n, or a negative errno with err
 * filled in and nothing allocated.
 */
int nodes_parse(struct cfile *f, struct conf_node **nodes, size_t *n, struct conf_error *err);

/* Read and parse the nodes file at path; a missing file is an error. */
int nodes_load(const char *path, struct conf_node **nodes, size_t *n, struct conf_error *err);

/* The node (not deleted) that has addr as one of its links, or NULL. */
const struct conf_node *nodes_find_address(const struct conf_node *nodes, size_t n,
					   const struct sockaddr_storage *addr);

/* "10.0.0.1,10.1.0.1" (or "deleted") into buf. */
char *nodes_format(char *buf, size_t len, const struct conf_node *node);

#endif
