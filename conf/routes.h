/*
 * routes.h — the policy routing file: routes that apply to traffic from one
 * public address (ctdb(7) POLICY ROUTING, CTDB_PER_IP_ROUTING_CONF).
 *
 * CTDB's format, one route per line:
 *
 *   192.168.1.10 192.168.1.0/24                 a link route
 *   192.168.1.10 0.0.0.0/0 192.168.1.254        a route via a gateway
 *   # a comment                                 ('#' also after a blank)
 *
 * The first address must be one of the public addresses, and the network
 * and gateway of its family; an address may have several routes. Which
 * routing table and rule carry them is decided where the address is taken
 * over; this module only parses and checks. herd.conf(5) has the details.
 */
#ifndef HERD_CONF_ROUTES_H
#define HERD_CONF_ROUTES_H

#include "conf/cfile.h"
#include "conf/conf.h"

/*
 * Parse a policy routing file read into f against the public addresses.
 * Returns 0 with *out (malloc'd, in file order; NULL when empty) and *n, or
 * a negative errno with err filled in and nothing allocated.
 */
int routes_parse(struct cfile *f, const struct conf_pubaddr *pas, size_t npas,
		 struct conf_route **out, size_t *n, struct conf_error *err);

/* Read and parse path; a missing file is an error (the admin named it). */
int routes_load(const char *path, const struct conf_pubaddr *pas, size_t npas,
		struct conf_route **out, size_t *n, struct conf_error *err);

/* "192.168.1.10 0.0.0.0/0 192.168.1.254" (a line of the file) into buf. */
char *routes_format(char *buf, size_t len, const struct conf_route *rt);

#endif
