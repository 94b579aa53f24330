/*
 * addr.h — socket address helpers every layer uses: compare two addresses
 * ignoring ports, print one without its port. Part of the base layer.
 */
#ifndef HERD_ADDR_H
#define HERD_ADDR_H

#include <sys/socket.h>

#include "agentd/util.h"

/* Compare two addresses, ignoring ports. */
bool sockaddr_equal_addr(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b);

/* "10.0.0.1" or "fd00::1" (no port) into buf ("?" if not IP); returns buf. */
char *sockaddr_format(char *buf, size_t len, const struct sockaddr_storage *sa);

#endif
