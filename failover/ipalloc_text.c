/*
 * ipalloc_text.c — the text formats of `herdctl ipalloc`, the same inputs
 * as CTDB's takeover unit tests (ctdb_takeover_tests): a comma-separated
 * list of node flags in CTDB's numeric encoding, and per public address a
 * line "ADDR [CURRENT_PNN [PNN,PNN,...]]". Pure: strings in, values and
 * reasons out; herdctl adds the line numbers and prints.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "agentd/util.h"
#include "failover/ipalloc.h"

#define SEPS " \t\r\n\v\f"

int ipalloc_parse_flags(const char *text, uint32_t **flags, size_t *num_nodes,
			char *err, size_t errlen)
{
	size_t n = 1, i = 0;
	const char *p = text;
	_cleanup_(freep) uint32_t *v = NULL;

	for (const char *c = text; *c; c++)
		n += *c == ',';
	v = calloc(n, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		char *end;
		unsigned long long x;

		errno = 0;
		x = strtoull(p, &end, 0);
		if (len == 0 || end != p + len || errno || x > UINT32_MAX || *p == '-' ||
		    *p == '+' || (unsigned char)*p <= ' ') {
			snprintf(err, errlen, "bad flags '%.*s' for node %zu: expected one number per "
				 "node (decimal or 0x hex), comma-separated", (int)len, p, i);
			return -EINVAL;
		}
		v[i++] = (uint32_t)x;
		if (!p[len])
			break;
		p += len + 1;
	}
	*flags = TAKE_PTR(v);
	*num_nodes = n;
	return 0;
}

/* A node number: digits only, below num_nodes (or -1 when allow_none). */
static int parse_pnn(const char *s, size_t len, size_t num_nodes, bool allow_none, int32_t *pnn)
{
	char buf[16];
	char *end;
	long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (allow_none && streq(buf, "-1")) {
		*pnn = -1;
		return 0;
	}
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	v = strtol(buf, &end, 10);
	if (*end || v < 0 || (size_t)v >= num_nodes)
		return -EINVAL;
	*pnn = (int32_t)v;
	return 0;
}

int ipalloc_parse_line(const char *line, size_t num_nodes, struct ipalloc_ip *ip,
		       bool *allowed, char *err, size_t errlen)
{
	const char *f[4];
	size_t flen[4], nf = 0, cut = strcspn(line, "#");
	const char *p = line;
	char addr[INET6_ADDRSTRLEN + 1];

	while (nf < ARRAY_SIZE(f)) {
		p += strspn(p, SEPS);
		if ((size_t)(p - line) >= cut || !*p)
			break;
		f[nf] = p;
		flen[nf] = strcspn(p, SEPS "#");
		p += flen[nf];
		nf++;
	}
	if (nf == 0)
		return 0;
	if (nf > 3) {
		snprintf(err, errlen, "unexpected '%.*s': expected ADDR [CURRENT_PNN [PNN,PNN,...]]",
			 (int)flen[3], f[3]);
		return -EINVAL;
	}
	memset(ip, 0, sizeof(*ip));
	if (flen[0] >= sizeof(addr)) {
		snprintf(err, errlen, "bad address '%.*s': expected an IPv4 or IPv6 address",
			 (int)flen[0], f[0]);
		return -EINVAL;
	}
	memcpy(addr, f[0], flen[0]);
	addr[flen[0]] = '\0';
	if (inet_pton(AF_INET, addr, ip->addr) == 1) {
		ip->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, ip->addr) == 1) {
		ip->family = AF_INET6;
	} else {
		snprintf(err, errlen, "bad address '%s': expected an IPv4 or IPv6 address", addr);
		return -EINVAL;
	}
	ip->current = -1;
	if (nf >= 2 && parse_pnn(f[1], flen[1], num_nodes, true, &ip->current) < 0) {
		snprintf(err, errlen, "bad current node '%.*s': expected -1 or a node number "
			 "from 0 to %zu", (int)flen[1], f[1], num_nodes - 1);
		return -EINVAL;
	}
	if (nf == 3) {
		const char *q = f[2], *end = f[2] + flen[2];

		memset(allowed, 0, num_nodes * sizeof(*allowed));
		for (;;) {
			size_t len = strcspn(q, ",");
			int32_t pnn;

			if (q + len > end)
				len = (size_t)(end - q);
			if (parse_pnn(q, len, num_nodes, false, &pnn) < 0) {
				snprintf(err, errlen, "bad node '%.*s' in '%.*s': expected node numbers "
					 "from 0 to %zu, comma-separated", (int)len, q,
					 (int)flen[2], f[2], num_nodes - 1);
				return -EINVAL;
			}
			allowed[pnn] = true;
			q += len;
			if (q >= end)
				break;
			q++; /* the comma */
			if (q >= end) {
				snprintf(err, errlen, "bad node list '%.*s': it ends with a comma",
					 (int)flen[2], f[2]);
				return -EINVAL;
			}
		}
		ip->allowed = allowed;
	}
	return 1;
}

const char *ipalloc_ip_format(const struct ipalloc_ip *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family, ip->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
