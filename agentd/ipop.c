/*
 * ipop.c — marshalling of the public-address opcodes' bodies (ipop.h).
 */
#include "agentd/ipop.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"

#define IP_ENTRY_LEN   24u
#define CONN_ENTRY_LEN 40u

size_t ipop_ips_len(size_t n)
{
	return 8 + n * IP_ENTRY_LEN;
}

size_t ipop_conns_len(size_t n)
{
	return 4 + n * CONN_ENTRY_LEN;
}

/* The address bytes (16, v4 in the first 4) and port of ss. */
static int addr_bytes(const struct sockaddr_storage *ss, uint8_t out[16], uint16_t *port)
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		memcpy(out, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return 4;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		memcpy(out, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		return 6;
	}
	return -EAFNOSUPPORT;
}

static int addr_from(uint8_t fam, const uint8_t b[16], uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, b, 4);
		in->sin_port = htons(port);
		return 0;
	}
	if (fam == 6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, b, 16);
		in6->sin6_port = htons(port);
		return 0;
	}
	return -EBADMSG;
}

int ipop_put_ips(struct wbuf *w, uint32_t options, const struct ipop_ip *ips, size_t n)
{
	if (n > IPOP_MAX_IPS)
		return -E2BIG;
	wbuf_put_u32(w, options);
	wbuf_put_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t b[16];
		uint16_t port;
		int fam = addr_bytes(&ips[i].addr, b, &port);

		if (fam < 0)
			return fam;
		if (ips[i].prefix > (fam == 4 ? 32u : 128u))
			return -EINVAL;
		wbuf_put_u8(w, (uint8_t)fam);
		wbuf_put_u8(w, (uint8_t)ips[i].prefix);
		wbuf_put_u16(w, ips[i].flags);
		wbuf_put_u32(w, ips[i].pnn);
		wbuf_put_bytes(w, b, 16);
	}
	return wbuf_error(w);
}

int ipop_put_conns(struct wbuf *w, const struct ipop_conn *conns, size_t n)
{
	if (n > IPOP_MAX_CONNS)
		return -E2BIG;
	wbuf_put_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t l[16], r[16];
		uint16_t lp = 0, rp = 0;
		int fam = addr_bytes(&conns[i].local, l, &lp);

		if (fam < 0 || conns[i].remote.ss_family != conns[i].local.ss_family)
			return -EAFNOSUPPORT;
		(void)addr_bytes(&conns[i].remote, r, &rp);
		wbuf_put_u8(w, (uint8_t)fam);
		wbuf_put_u8(w, 0);
		wbuf_put_u16(w, 0);
		wbuf_put_bytes(w, l, 16);
		wbuf_put_u16(w, lp);
		wbuf_put_bytes(w, r, 16);
		wbuf_put_u16(w, rp);
	}
	return wbuf_error(w);
}

int ipop_get_ips(struct rbuf *r, uint32_t *options, struct ipop_ip **out, size_t *n)
{
	_cleanup_(freep) struct ipop_ip *ips = NULL;
	uint32_t count, opt;

	*out = NULL;
	*n = 0;
	if (rbuf_get_u32(r, &opt) < 0 || rbuf_get_u32(r, &count) < 0)
		return -EBADMSG;
	if (count > IPOP_MAX_IPS || count > rbuf_remaining(r) / IP_ENTRY_LEN)
		return -EBADMSG;
	if (count) {
		ips = calloc(count, sizeof(*ips));
		if (!ips)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint8_t fam, prefix, b[16];
		uint16_t flags;
		uint32_t pnn;

		rbuf_get_u8(r, &fam);
		rbuf_get_u8(r, &prefix);
		rbuf_get_u16(r, &flags);
		rbuf_get_u32(r, &pnn);
		if (rbuf_get_bytes(r, b, 16) < 0)
			return -EBADMSG;
		if (addr_from(fam, b, 0, &ips[i].addr) < 0 || prefix > (fam == 4 ? 32 : 128))
			return -EBADMSG;
		ips[i].prefix = prefix;
		ips[i].flags = flags;
		ips[i].pnn = pnn;
	}
	if (options)
		*options = opt;
	*out = TAKE_PTR(ips);
	*n = count;
	return 0;
}

static int get_conns(struct rbuf *r, uint32_t max, struct ipop_conn **out, size_t *n)
{
	_cleanup_(freep) struct ipop_conn *cs = NULL;
	uint32_t count;

	*out = NULL;
	*n = 0;
	if (rbuf_get_u32(r, &count) < 0)
		return -EBADMSG;
	if (count > max || count > rbuf_remaining(r) / CONN_ENTRY_LEN)
		return -EBADMSG;
	if (count) {
		cs = calloc(count, sizeof(*cs));
		if (!cs)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint8_t fam, pad8, l[16], rm[16];
		uint16_t pad16, lp, rp;

		rbuf_get_u8(r, &fam);
		rbuf_get_u8(r, &pad8);
		rbuf_get_u16(r, &pad16);
		rbuf_get_bytes(r, l, 16);
		rbuf_get_u16(r, &lp);
		rbuf_get_bytes(r, rm, 16);
		if (rbuf_get_u16(r, &rp) < 0)
			return -EBADMSG;
		if (addr_from(fam, l, lp, &cs[i].local) < 0 ||
		    addr_from(fam, rm, rp, &cs[i].remote) < 0)
			return -EBADMSG;
	}
	*out = TAKE_PTR(cs);
	*n = count;
	return 0;
}

int ipop_get_conns(struct rbuf *r, struct ipop_conn **out, size_t *n)
{
	return get_conns(r, IPOP_MAX_CONNS, out, n);
}

int ipop_put_nodesets(struct wbuf *w, const uint8_t (*sets)[IPOP_NODESET_BYTES], size_t n)
{
	if (n > IPOP_MAX_IPS)
		return -E2BIG;
	wbuf_put_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		wbuf_put_bytes(w, sets[i], IPOP_NODESET_BYTES);
	return wbuf_error(w);
}

int ipop_get_nodesets(struct rbuf *r, uint8_t (**out)[IPOP_NODESET_BYTES], size_t *n)
{
	uint8_t (*sets)[IPOP_NODESET_BYTES] = NULL;
	uint32_t count;

	*out = NULL;
	*n = 0;
	if (rbuf_get_u32(r, &count) < 0)
		return -EBADMSG;
	if (count > IPOP_MAX_IPS || count > rbuf_remaining(r) / IPOP_NODESET_BYTES)
		return -EBADMSG;
	if (count) {
		sets = calloc(count, IPOP_NODESET_BYTES);
		if (!sets)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < count; i++)
		rbuf_get_bytes(r, sets[i], IPOP_NODESET_BYTES);
	*out = sets;
	*n = count;
	return 0;
}

size_t ipop_tickles_len(size_t n)
{
	return ipop_ips_len(1) + ipop_conns_len(n);
}

int ipop_put_tickles(struct wbuf *w, const struct ipop_ip *ip, const struct ipop_conn *conns,
		     size_t n)
{
	int r;

	if (n > IPOP_TICKLES_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (!sockaddr_equal_addr(&conns[i].local, &ip->addr))
			return -EINVAL;
	r = ipop_put_ips(w, 0, ip, 1);
	return r < 0 ? r : ipop_put_conns(w, conns, n);
}

int ipop_get_tickles(struct rbuf *r, struct ipop_ip *ip, struct ipop_conn **conns, size_t *n)
{
	_cleanup_(freep) struct ipop_ip *ips = NULL;
	_cleanup_(freep) struct ipop_conn *cs = NULL;
	size_t nips, ncs;
	int ret;

	*conns = NULL;
	*n = 0;
	ret = ipop_get_ips(r, NULL, &ips, &nips);
	if (ret < 0)
		return ret;
	if (nips != 1)
		return -EBADMSG;
	ret = get_conns(r, IPOP_TICKLES_MAX, &cs, &ncs);
	if (ret < 0)
		return ret;
	if (rbuf_end(r) < 0)
		return -EBADMSG;
	for (size_t i = 0; i < ncs; i++)
		if (!sockaddr_equal_addr(&cs[i].local, &ips[0].addr))
			return -EBADMSG;
	*ip = ips[0];
	*conns = TAKE_PTR(cs);
	*n = ncs;
	return 0;
}
