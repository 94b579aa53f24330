/*
 * rolenodes.c — parse a NAT gateway or LVS nodes file (CTDB's format).
 *
 * CTDB reads these files with awk at event time, so a typo ("slaveonly", an
 * address that is not a node) quietly makes a node a master candidate, or
 * no node at all. Here every line is checked when the configuration loads:
 * the address must be a private address of a node in the nodes file (one
 * that is not deleted), each node may appear once (also under another of
 * its links' addresses), and the only word allowed after the address is
 * slave-only (or CTDB's newer follower-only).
 */
#include "conf/rolenodes.h"

#include <stdio.h>

#include "conf/nodes.h"
#include "conf/value.h"

#define SLAVE_ONLY "slave-only"

char *rolenodes_format(char *buf, size_t len, const struct conf_rolenode *rn)
{
	char a[VALUE_ADDR_MAX];

	snprintf(buf, len, "%s%s", sockaddr_format(a, sizeof(a), &rn->addr),
		 rn->slave_only ? " " SLAVE_ONLY : "");
	return buf;
}

const struct conf_rolenode *rolenodes_find(const struct conf_rolenode *rns, size_t n,
					   const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < n; i++)
		if (sockaddr_equal_addr(&rns[i].addr, addr))
			return &rns[i];
	return NULL;
}

/* One line (comment already cut, not empty) into rn. */
static int parse_line(struct cfile *f, char *s, struct conf_rolenode *rn,
		      struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	char *addr = cfile_word(&s), *flag = cfile_word(&s), *extra = cfile_word(&s);

	if (value_parse_address(addr, &rn->addr) < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "bad node address %s; expected one IPv4 or IPv6 address "
				   "from the nodes file, then optionally " SLAVE_ONLY,
				   cfile_quote(q, sizeof(q), addr));
	if (flag) {
		if (!streq(flag, SLAVE_ONLY) && !streq(flag, "follower-only"))
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "unknown word %s after the address; expected nothing "
					   "or " SLAVE_ONLY, cfile_quote(q, sizeof(q), flag));
		rn->slave_only = true;
	}
	if (extra)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "unexpected text %s after %s; expected ADDRESS [" SLAVE_ONLY "]",
				   cfile_quote(q, sizeof(q), extra), flag);
	return 0;
}

/* The address names a node, and one not listed on an earlier line. */
static int check_node(struct cfile *f, const struct conf_rolenode *rn,
		      const struct conf_rolenode *prev, size_t n,
		      const struct conf_node *nodes, size_t nnodes, struct conf_error *err)
{
	char a[VALUE_ADDR_MAX], b[VALUE_ADDR_MAX];
	const struct conf_node *node = nodes ? nodes_find_address(nodes, nnodes, &rn->addr) : NULL;

	sockaddr_format(a, sizeof(a), &rn->addr);
	if (!node)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "%s is not a node in the nodes file; expected the private "
				   "address of a node that is not deleted", a);
	for (size_t i = 0; i < n; i++) {
		if (sockaddr_equal_addr(&prev[i].addr, &rn->addr))
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "duplicate node address %s, already at line %u", a,
					   prev[i].line);
		if (nodes_find_address(nodes, nnodes, &prev[i].addr) == node)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "%s is node %u, already at line %u as %s; expected "
					   "each node once", a, node->pnn, prev[i].line,
					   sockaddr_format(b, sizeof(b), &prev[i].addr));
	}
	return 0;
}

int rolenodes_parse(struct cfile *f, const struct conf_node *nodes, size_t nnodes,
		    struct conf_rolenode **out, size_t *nout, struct conf_error *err)
{
	_cleanup_(freep) struct conf_rolenode *rns = NULL;
	size_t n = 0, cap = 0, masters = 0;
	char *line;
	int r;

	while ((r = cfile_next(f, &line, err)) > 0) {
		char *s = cfile_strip(line);

		if (!*s)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct conf_rolenode *p = realloc(rns, ncap * sizeof(*p));

			if (!p) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -ENOMEM;
			}
			rns = p;
			cap = ncap;
		}
		rns[n] = (struct conf_rolenode){ .line = f->line };
		r = parse_line(f, s, &rns[n], err);
		if (r < 0)
			return r;
		r = check_node(f, &rns[n], rns, n, nodes, nnodes, err);
		if (r < 0)
			return r;
		masters += !rns[n].slave_only;
		n++;
	}
	if (r < 0)
		return r;
	if (n == 0)
		return cfile_error(err, -EINVAL, f->path, 0,
				   "no nodes; expected one node address per line");
	if (masters == 0)
		return cfile_error(err, -EINVAL, f->path, 0,
				   "every node is " SLAVE_ONLY "; expected at least one node "
				   "that may be the master");
	*out = TAKE_PTR(rns);
	*nout = n;
	return 0;
}

int rolenodes_load(const char *path, const struct conf_node *nodes, size_t nnodes,
		   struct conf_rolenode **out, size_t *n, struct conf_error *err)
{
	struct cfile f;
	int r;

	r = cfile_read(&f, path, err);
	if (r < 0)
		return r;
	r = rolenodes_parse(&f, nodes, nnodes, out, n, err);
	cfile_done(&f);
	return r;
}
