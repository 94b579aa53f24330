/*
 * pubaddr.c — parse the public_addresses file (CTDB's format).
 *
 * Each line is ADDR/PREFIX followed by the interfaces the address may be
 * brought up on, comma-separated (CTDB allows several; herd up to
 * HERD_MAX_LINKS). Everything the takeover code would otherwise trip over
 * later is checked here, where the message can name a line: the prefix
 * against the family, interface names by the kernel's rules, an address
 * listed twice, and an address that is also a node's private address
 * (taking it over would cut that node off).
 */
#include "conf/pubaddr.h"

#include <stdio.h>

#include "conf/nodes.h"
#include "conf/value.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Split off the next blank-separated word of *s; NULL at the end. */
static char *next_word(char **s)
{
	char *w = skip_blanks(*s), *e;

	if (!*w)
		return NULL;
	e = w + strcspn(w, " \t");
	if (*e)
		*e++ = '\0';
	*s = e;
	return w;
}

char *pubaddr_format(char *buf, size_t len, const struct conf_pubaddr *pa)
{
	char a[VALUE_ADDR_MAX];
	size_t off;
	int r;

	r = snprintf(buf, len, "%s/%u ", sockaddr_format(a, sizeof(a), &pa->addr),
		     pa->prefix);
	off = r < 0 ? 0 : (size_t)r;
	for (size_t i = 0; i < pa->nifaces && off < len; i++) {
		r = snprintf(buf + off, len - off, "%s%s", i ? "," : "", pa->ifaces[i]);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	return buf;
}

/* ADDR/PREFIX into pa. */
static int parse_cidr(struct cfile *f, char *word, struct conf_pubaddr *pa,
		      struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	char *slash = strchr(word, '/');
	uint64_t prefix;
	unsigned bits;

	if (!slash)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "missing prefix length in %s; expected ADDRESS/PREFIX, "
				   "e.g. 192.168.1.10/24", cfile_quote(q, sizeof(q), word));
	*slash = '\0';
	if (value_parse_address(word, &pa->addr) < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad public address %s; expected an IPv4 or IPv6 address "
				   "before the '/'", cfile_quote(q, sizeof(q), word));
	if (!value_address_is_unicast(&pa->addr))
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "public address %s is not unicast; expected an address "
				   "clients can connect to", cfile_quote(q, sizeof(q), word));
	bits = value_address_bits(&pa->addr);
	if (value_parse_uint(slash + 1, 1, bits, &prefix) < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad prefix length %s; expected a number from 1 to %u",
				   cfile_quote(q, sizeof(q), slash + 1), bits);
	pa->prefix = (unsigned)prefix;
	return 0;
}

/* IFACE[,IFACE...] into pa. */
static int parse_ifaces(struct cfile *f, char *word, struct conf_pubaddr *pa,
			struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	char *next;

	for (char *p = word; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!value_is_ifname(p))
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "bad interface name %s; expected 1 to 15 characters "
					   "without '/', ':' or blanks (several: separated by commas)",
					   cfile_quote(q, sizeof(q), p));
		for (size_t i = 0; i < pa->nifaces; i++)
			if (streq(pa->ifaces[i], p))
				return cfile_error(err, -EINVAL, f->path, f->line,
						   "interface %s listed twice; expected each "
						   "interface once", cfile_quote(q, sizeof(q), p));
		if (pa->nifaces == HERD_MAX_LINKS)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "too many interfaces; expected at most %d",
					   HERD_MAX_LINKS);
		snprintf(pa->ifaces[pa->nifaces++], HERD_IFNAME_MAX, "%s", p);
	}
	return 0;
}

/* One address line (comment already cut) into pa. */
static int parse_line(struct cfile *f, char *s, struct conf_pubaddr *pa,
		      struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	char *cidr = next_word(&s), *ifaces = next_word(&s), *extra;
	int r;

	r = parse_cidr(f, cidr, pa, err);
	if (r < 0)
		return r;
	if (!ifaces)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "missing interface after %s/%u; expected ADDRESS/PREFIX "
				   "IFACE[,IFACE...]", cidr, pa->prefix);
	r = parse_ifaces(f, ifaces, pa, err);
	if (r < 0)
		return r;
	extra = next_word(&s);
	if (extra)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "unexpected text %s after the interfaces; expected "
				   "ADDRESS/PREFIX IFACE[,IFACE...] (no blank after a comma)",
				   cfile_quote(q, sizeof(q), extra));
	return 0;
}

/* Duplicates: among the earlier lines, and among the nodes' private addresses. */
static int check_unique(struct cfile *f, const struct conf_pubaddr *pa,
			const struct conf_pubaddr *prev, size_t n,
			const struct conf_node *nodes, size_t nnodes, struct conf_error *err)
{
	char a[VALUE_ADDR_MAX];
	const struct conf_node *node;

	for (size_t i = 0; i < n; i++)
		if (sockaddr_equal_addr(&prev[i].addr, &pa->addr))
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "duplicate public address %s, already at line %u",
					   sockaddr_format(a, sizeof(a), &pa->addr),
					   prev[i].line);
	node = nodes ? nodes_find_address(nodes, nnodes, &pa->addr) : NULL;
	if (node)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "public address %s is node %u's private address; expected "
				   "addresses that are not in the nodes file",
				   sockaddr_format(a, sizeof(a), &pa->addr), node->pnn);
	return 0;
}

int pubaddr_parse(struct cfile *f, const struct conf_node *nodes, size_t nnodes,
		  struct conf_pubaddr **out, size_t *nout, struct conf_error *err)
{
	_cleanup_(freep) struct conf_pubaddr *pas = NULL;
	size_t n = 0, cap = 0;
	char *line;
	int r;

	while ((r = cfile_next(f, &line, err)) > 0) {
		struct conf_pubaddr *pa;
		char *s = skip_blanks(line);

		/* Whole-line comments, and comments after a blank. */
		for (char *p = s; *p; p++) {
			if (*p == '#' && (p == s || is_blank(p[-1]))) {
				*p = '\0';
				break;
			}
		}
		if (!*skip_blanks(s))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct conf_pubaddr *p = realloc(pas, ncap * sizeof(*p));

			if (!p) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -ENOMEM;
			}
			pas = p;
			cap = ncap;
		}
		pa = &pas[n];
		*pa = (struct conf_pubaddr){ .line = f->line };
		r = parse_line(f, s, pa, err);
		if (r < 0)
			return r;
		r = check_unique(f, pa, pas, n, nodes, nnodes, err);
		if (r < 0)
			return r;
		n++;
	}
	if (r < 0)
		return r;
	*out = n ? TAKE_PTR(pas) : NULL;
	*nout = n;
	return 0;
}

int pubaddr_load(const char *path, const struct conf_node *nodes, size_t nnodes,
		 struct conf_pubaddr **out, size_t *n, struct conf_error *err)
{
	struct cfile f;
	int r;

	r = cfile_read(&f, path, err);
	if (r == -ENOENT) {
		err->msg[0] = '\0';
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (r < 0)
		return r;
	r = pubaddr_parse(&f, nodes, nnodes, out, n, err);
	cfile_done(&f);
	return r;
}

int pubaddr_parse_one(const char *text, const char *what, struct conf_pubaddr *pa,
		      struct conf_error *err)
{
	struct cfile f = { .path = (char *)what };
	char buf[512];

	*pa = (struct conf_pubaddr){ 0 };
	if (strlen(text) >= sizeof(buf))
		return cfile_error(err, -EINVAL, what, 0, "too long; expected ADDRESS/PREFIX "
				   "IFACE[,IFACE...]");
	snprintf(buf, sizeof(buf), "%s", text);
	if (!skip_blanks(buf)[0])
		return cfile_error(err, -EINVAL, what, 0, "empty; expected ADDRESS/PREFIX "
				   "IFACE[,IFACE...]");
	return parse_line(&f, buf, pa, err);
}
