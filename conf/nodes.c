/*
 * nodes.c — parse the nodes file (CTDB's format, plus redundant links).
 *
 * The pnn is a node's identity on the wire, in logs, in herdctl and as the
 * SNMP index, and the nodes file is the only place it comes from, so this
 * parser errs on the side of refusing a file whose numbering is not
 * obvious. CTDB treats every line that starts with '#' as a deleted node
 * (so a comment line silently takes a number); herd counts "#ADDR" as a
 * deleted node and any other '#' line as a comment, and refuses "# ADDR"
 * (a blank between '#' and an address), which could have meant either.
 * Addresses are checked for syntax and for being unicast, and each may
 * appear once among the nodes that are not deleted.
 */
#include "conf/nodes.h"

#include <stdio.h>

#include "conf/value.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Whether s starts with an address: its first word (up to a blank, ',' or '#'). */
static bool starts_with_address(const char *s)
{
	char word[64];
	size_t n = strcspn(s, " \t,#");
	struct sockaddr_storage ss;

	if (n == 0 || n >= sizeof(word))
		return false;
	memcpy(word, s, n);
	word[n] = '\0';
	return value_parse_address(word, &ss) == 0;
}

/* Cut a trailing "# comment" (a '#' after a blank) off s. */
static void cut_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '#' && p > s && is_blank(p[-1])) {
			*p = '\0';
			break;
		}
	}
}

const struct conf_node *nodes_find_address(const struct conf_node *nodes, size_t n,
					   const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < nodes[i].naddrs; j++)
			if (sockaddr_equal_addr(&nodes[i].addrs[j], addr))
				return &nodes[i];
	return NULL;
}

char *nodes_format(char *buf, size_t len, const struct conf_node *node)
{
	size_t off = 0;

	buf[0] = '\0';
	if (node->deleted) {
		snprintf(buf, len, "deleted");
		return buf;
	}
	for (size_t i = 0; i < node->naddrs && off < len; i++) {
		char a[VALUE_ADDR_MAX];
		int r = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
				 sockaddr_format(a, sizeof(a), &node->addrs[i]));

		if (r < 0)
			break;
		off += (size_t)r;
	}
	return buf;
}

/*
 * Parse the address list s (no comment) into node. The node's own earlier
 * links count for duplicates too, so "10.0.0.1,10.0.0.1" is refused.
 */
static int parse_addresses(struct cfile *f, char *s, struct conf_node *node,
			   const struct conf_node *nodes, size_t n, struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX];
	size_t count = 0;
	char *save = NULL;

	/* strtok_r would skip empty elements: count commas by hand. */
	for (char *p = s;; p = save + 1) {
		struct sockaddr_storage ss;
		const struct conf_node *dup;
		char *word;

		save = strchr(p, ',');
		if (save)
			*save = '\0';
		word = trim(p);
		if (!*word)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "empty address in list; expected addresses separated by single commas");
		if (count == HERD_MAX_LINKS)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "too many addresses for node %u; expected at most %d (one per link)",
					   node->pnn, HERD_MAX_LINKS);
		if (value_parse_address(word, &ss) < 0)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "bad node address %s; expected an IPv4 or IPv6 address "
					   "(several for one node: separated by commas)",
					   cfile_quote(q, sizeof(q), word));
		if (!value_address_is_unicast(&ss))
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "node address %s is not unicast; expected the address of "
					   "the node's interface", cfile_quote(q, sizeof(q), word));
		if (!node->deleted) {
			char a[VALUE_ADDR_MAX];

			dup = nodes_find_address(nodes, n, &ss);
			for (size_t i = 0; !dup && i < count; i++)
				if (sockaddr_equal_addr(&node->addrs[i], &ss))
					dup = node;
			if (dup)
				return cfile_error(err, -EINVAL, f->path, f->line,
						   "duplicate node address %s, already node %u at line %u",
						   sockaddr_format(a, sizeof(a), &ss), dup->pnn,
						   dup->line);
		}
		node->addrs[count++] = ss;
		if (!save)
			break;
	}
	node->naddrs = count;
	return 0;
}

/*
 * Classify a line: 0 blank or comment, 1 an address line (*deleted set and
 * *addrs pointing at the list), or -EINVAL.
 */
static int classify(struct cfile *f, char *line, bool *deleted, char **addrs,
		    struct conf_error *err)
{
	char *s = trim(line);

	*deleted = false;
	if (!*s)
		return 0;
	if (*s == '#') {
		char *rest = s + 1;

		if (is_blank(*rest)) {
			char *word = trim(rest);

			if (starts_with_address(word)) {
				size_t n = strcspn(word, " \t,#");

				return cfile_error(err, -EINVAL, f->path, f->line,
						   "'# %.*s' is ambiguous; expected '#%.*s' (no blank) "
						   "to keep a deleted node's number, or a comment that "
						   "does not start with an address",
						   (int)MIN(n, 64), word, (int)MIN(n, 64), word);
			}
			return 0;
		}
		if (!starts_with_address(rest))
			return 0;
		*deleted = true;
		s = rest;
	}
	cut_comment(s);
	*addrs = trim(s);
	return 1;
}

int nodes_parse(struct cfile *f, struct conf_node **out, size_t *nout, struct conf_error *err)
{
	_cleanup_(freep) struct conf_node *nodes = NULL;
	size_t n = 0, cap = 0, active = 0;
	char *line;
	int r;

	while ((r = cfile_next(f, &line, err)) > 0) {
		struct conf_node *node;
		bool deleted;
		char *addrs = NULL;

		r = classify(f, line, &deleted, &addrs, err);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (n == HERD_MAX_NODES)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "too many nodes; expected at most %d", HERD_MAX_NODES);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct conf_node *p = realloc(nodes, ncap * sizeof(*p));

			if (!p) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -ENOMEM;
			}
			nodes = p;
			cap = ncap;
		}
		node = &nodes[n];
		*node = (struct conf_node){ .pnn = (unsigned)n, .deleted = deleted,
					    .line = f->line };
		r = parse_addresses(f, addrs, node, nodes, n, err);
		if (r < 0)
			return r;
		if (deleted) {
			/* The contract: a deleted node has no addresses. */
			memset(node->addrs, 0, sizeof(node->addrs));
			node->naddrs = 0;
		} else {
			active++;
		}
		n++;
	}
	if (r < 0)
		return r;
	if (active == 0)
		return cfile_error(err, -EINVAL, f->path, 0,
				   "no nodes; expected at least one node address");
	*out = TAKE_PTR(nodes);
	*nout = n;
	return 0;
}

int nodes_load(const char *path, struct conf_node **nodes, size_t *n, struct conf_error *err)
{
	struct cfile f;
	int r;

	r = cfile_read(&f, path, err);
	if (r < 0)
		return r;
	r = nodes_parse(&f, nodes, n, err);
	cfile_done(&f);
	return r;
}
