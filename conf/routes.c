/*
 * routes.c — parse the policy routing file (CTDB's per-IP routing format).
 *
 * CTDB reads this file with `while read` at takeover time and applies what
 * it finds, so a mistake shows up as a failed "ip route add" on whichever
 * node takes the address over, or not at all. Here each line is checked
 * when the configuration loads: the public address must be one from the
 * public addresses file, the network a network address (no host bits, as
 * "ip route" wants it) of the same family, the gateway a unicast address
 * of that family, and a network may be routed only once per address.
 */
#include "conf/routes.h"

#include <stdio.h>

#include "conf/value.h"

#define ROUTE_SYNTAX "PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]"

char *routes_format(char *buf, size_t len, const struct conf_route *rt)
{
	char a[VALUE_ADDR_MAX], n[VALUE_CIDR_MAX], g[VALUE_ADDR_MAX];
	bool gw = rt->gateway.ss_family != AF_UNSPEC;

	snprintf(buf, len, "%s %s%s%s", sockaddr_format(a, sizeof(a), &rt->pubaddr),
		 value_format_cidr(n, sizeof(n), &rt->net.addr, rt->net.prefix), gw ? " " : "",
		 gw ? sockaddr_format(g, sizeof(g), &rt->gateway) : "");
	return buf;
}

static int parse_pubaddr(struct cfile *f, const char *word, const struct conf_pubaddr *pas,
			 size_t npas, struct conf_route *rt, struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX], a[VALUE_ADDR_MAX];

	if (value_parse_address(word, &rt->pubaddr) < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad public address %s; expected " ROUTE_SYNTAX
				   " with an IPv4 or IPv6 address first", cfile_quote(q, sizeof(q), word));
	for (size_t i = 0; i < npas; i++)
		if (sockaddr_equal_addr(&pas[i].addr, &rt->pubaddr))
			return 0;
	return cfile_error(err, -EINVAL, f->path, f->line,
			   "%s is not a public address; expected an address from the public "
			   "addresses file", sockaddr_format(a, sizeof(a), &rt->pubaddr));
}

static int parse_net(struct cfile *f, const char *word, struct conf_route *rt,
		     struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX], n[VALUE_CIDR_MAX], a[VALUE_ADDR_MAX];
	struct conf_cidr *net = &rt->net;
	int r;

	r = value_parse_cidr(word, 0, &net->addr, &net->prefix);
	if (r == -ERANGE)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "prefix length out of range in %s; expected 0 to 32 for IPv4, "
				   "0 to 128 for IPv6", cfile_quote(q, sizeof(q), word));
	if (r < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad network %s; expected NETWORK/PREFIX after the public "
				   "address, e.g. 192.168.1.0/24 or 0.0.0.0/0",
				   cfile_quote(q, sizeof(q), word));
	if (net->addr.ss_family != rt->pubaddr.ss_family)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "network %s is %s but public address %s is %s; expected a "
				   "network of the public address's family",
				   value_format_cidr(n, sizeof(n), &net->addr, net->prefix),
				   value_address_family_name(&net->addr),
				   sockaddr_format(a, sizeof(a), &rt->pubaddr),
				   value_address_family_name(&rt->pubaddr));
	if (!value_cidr_is_network(&net->addr, net->prefix)) {
		struct sockaddr_storage masked = net->addr;

		value_cidr_mask(&masked, net->prefix);
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "host bits set in network %s; expected the network address %s",
				   cfile_quote(q, sizeof(q), word),
				   value_format_cidr(n, sizeof(n), &masked, net->prefix));
	}
	return 0;
}

static int parse_gateway(struct cfile *f, const char *word, struct conf_route *rt,
			 struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX], g[VALUE_ADDR_MAX];

	if (value_parse_address(word, &rt->gateway) < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad gateway %s; expected " ROUTE_SYNTAX " with an IPv4 or "
				   "IPv6 address last", cfile_quote(q, sizeof(q), word));
	sockaddr_format(g, sizeof(g), &rt->gateway);
	if (!value_address_is_unicast(&rt->gateway))
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "gateway %s is not unicast; expected a router's address", g);
	if (rt->gateway.ss_family != rt->pubaddr.ss_family)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "gateway %s is %s but the public address is %s; expected a "
				   "gateway of the public address's family", g,
				   value_address_family_name(&rt->gateway),
				   value_address_family_name(&rt->pubaddr));
	return 0;
}

/* One line (comment already cut, not empty) into rt. */
static int parse_line(struct cfile *f, char *s, const struct conf_pubaddr *pas, size_t npas,
		      struct conf_route *rt, struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	char *pub = cfile_word(&s), *net = cfile_word(&s), *gw = cfile_word(&s);
	char *extra = cfile_word(&s);
	int r;

	r = parse_pubaddr(f, pub, pas, npas, rt, err);
	if (r < 0)
		return r;
	if (!net)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "missing network after %s; expected " ROUTE_SYNTAX, pub);
	r = parse_net(f, net, rt, err);
	if (r < 0)
		return r;
	if (gw) {
		r = parse_gateway(f, gw, rt, err);
		if (r < 0)
			return r;
	}
	if (extra)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "unexpected text %s after the gateway; expected " ROUTE_SYNTAX,
				   cfile_quote(q, sizeof(q), extra));
	return 0;
}

static int check_unique(struct cfile *f, const struct conf_route *rt,
			const struct conf_route *prev, size_t n, struct conf_error *err)
{
	char a[VALUE_ADDR_MAX], net[VALUE_CIDR_MAX];

	for (size_t i = 0; i < n; i++)
		if (sockaddr_equal_addr(&prev[i].pubaddr, &rt->pubaddr) &&
		    sockaddr_equal_addr(&prev[i].net.addr, &rt->net.addr) &&
		    prev[i].net.prefix == rt->net.prefix)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "duplicate route to %s for %s, already at line %u",
					   value_format_cidr(net, sizeof(net), &rt->net.addr,
							     rt->net.prefix),
					   sockaddr_format(a, sizeof(a), &rt->pubaddr), prev[i].line);
	return 0;
}

int routes_parse(struct cfile *f, const struct conf_pubaddr *pas, size_t npas,
		 struct conf_route **out, size_t *nout, struct conf_error *err)
{
	_cleanup_(freep) struct conf_route *rts = NULL;
	size_t n = 0, cap = 0;
	char *line;
	int r;

	while ((r = cfile_next(f, &line, err)) > 0) {
		char *s = cfile_strip(line);

		if (!*s)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct conf_route *p = realloc(rts, ncap * sizeof(*p));

			if (!p) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -ENOMEM;
			}
			rts = p;
			cap = ncap;
		}
		rts[n] = (struct conf_route){ .line = f->line };
		r = parse_line(f, s, pas, npas, &rts[n], err);
		if (r < 0)
			return r;
		r = check_unique(f, &rts[n], rts, n, err);
		if (r < 0)
			return r;
		n++;
	}
	if (r < 0)
		return r;
	*out = n ? TAKE_PTR(rts) : NULL;
	*nout = n;
	return 0;
}

int routes_load(const char *path, const struct conf_pubaddr *pas, size_t npas,
		struct conf_route **out, size_t *n, struct conf_error *err)
{
	struct cfile f;
	int r;

	r = cfile_read(&f, path, err);
	if (r < 0)
		return r;
	r = routes_parse(&f, pas, npas, out, n, err);
	cfile_done(&f);
	return r;
}
