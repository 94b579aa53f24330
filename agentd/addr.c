/*
 * addr.c — comparing and printing socket addresses (see addr.h).
 */
#include "agentd/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

bool sockaddr_equal_addr(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return false;
}

char *sockaddr_format(char *buf, size_t len, const struct sockaddr_storage *sa)
{
	const void *addr = NULL;

	if (sa->ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->ss_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!addr || !inet_ntop(sa->ss_family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
