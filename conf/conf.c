/*
 * conf.c — load a configuration directory, print it normalized, free it.
 *
 * conf_load() is a transaction: it reads herd.conf (through conf/ini.c and
 * the table in conf/schema.c), checks what involves several keys, then
 * reads the nodes file (required), the public_addresses file (optional)
 * and the NAT gateway, policy routing and LVS files (each when herd.conf
 * names one), checks what involves several files, and hands out a
 * complete struct herd_conf, or nothing and one message that names the
 * file and line. herdd reloads by
 * calling it again and swapping only on success. Nothing here logs.
 *
 * conf_print() writes every key in table order with its canonical value,
 * so that its output, saved as herd.conf in the same directory, loads to
 * the same configuration and prints the same bytes (tests/conf/run.sh
 * checks both on every golden file).
 */
#include "conf/conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/un.h>

#include "conf/cfile.h"
#include "conf/ini.h"
#include "conf/nodes.h"
#include "conf/pubaddr.h"
#include "conf/rolenodes.h"
#include "conf/routes.h"
#include "conf/schema.h"
#include "conf/value.h"

/* The longest socket path bind() takes, NUL excluded. */
#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* dir + "/" + name, or name itself when absolute (malloc'd; NULL on ENOMEM). */
static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p;

	if (name[0] == '/' || n == 0)
		return strdup(name);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (asprintf(&p, "%.*s%s%s", (int)n, dir, dir[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return p;
}

char *conf_path(const struct herd_conf *cf, const char *path)
{
	if (!path || !*path)
		return strdup("");
	return join_path(cf->dir, path);
}

static char *run_dir_file(const struct herd_conf *cf, const char *name)
{
	_cleanup_(freep) char *dir = conf_path(cf, cf->run_dir);

	return dir ? join_path(dir, name) : NULL;
}

char *conf_socket_path(const struct herd_conf *cf)
{
	return run_dir_file(cf, "herdd.sock");
}

char *conf_pid_path(const struct herd_conf *cf)
{
	return run_dir_file(cf, "herdd.pid");
}

const char *ip_allocation_name(enum ip_allocation a)
{
	const struct schema_key *k = schema_find("failover", "ip allocation");
	const char *name = k ? value_enum_name(k->names, (int)a) : NULL;

	return name ? name : "unknown";
}

void conf_free(struct herd_conf *cf)
{
	if (!cf)
		return;
	schema_free_values(cf);
	free(cf->nodes);
	free(cf->pubaddrs);
	free(cf->natgw_nodes);
	free(cf->policy_routes);
	free(cf->lvs_nodes);
	free(cf->dir);
	free(cf->file);
	free(cf);
}

static int oom(struct conf_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -ENOMEM;
}

/*
 * A hint for an unknown key: the section it belongs in, if any, or that
 * names are lower case. "" when there is nothing to add.
 */
static void key_hint(char *buf, size_t len, const char *name)
{
	char lower[128];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < schema_nkeys(); i++) {
		const struct schema_key *k = schema_key(i);

		if (streq(k->name, name)) {
			snprintf(buf, len, " ('%s' is a key of [%s])", name, k->section);
			return;
		}
	}
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] | 0x20) : name[i];
	lower[i] = '\0';
	if (!streq(lower, name))
		for (i = 0; i < schema_nkeys(); i++)
			if (streq(schema_key(i)->name, lower)) {
				snprintf(buf, len, " (names are lower case: '%s')", lower);
				return;
			}
}

/* Where each key was set: line numbers in herd.conf, 0 for the default. */
struct key_lines {
	unsigned line[256];
};

static int apply_token(struct herd_conf *cf, struct cfile *f, const struct ini_token *tok,
		       int *section, struct key_lines *seen, struct conf_error *err)
{
	char q[CFILE_QUOTE_MAX], list[512], hint[160];
	const struct schema_key *k;
	struct schema_why why;
	size_t idx;
	int r;

	if (tok->kind == INI_SECTION) {
		*section = schema_section_index(tok->name);
		if (*section < 0)
			return cfile_error(err, -EINVAL, f->path, f->line,
					   "unknown section [%.64s]; expected one of: %s",
					   tok->name, schema_section_list(list, sizeof(list)));
		return 0;
	}
	if (*section < 0)
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "key %s outside any section; expected a [section] line "
				   "before it", cfile_quote(q, sizeof(q), tok->name));
	k = schema_find(schema_section((size_t)*section), tok->name);
	if (!k) {
		key_hint(hint, sizeof(hint), tok->name);
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "unknown key %s in [%s]; expected one of: %s%s",
				   cfile_quote(q, sizeof(q), tok->name),
				   schema_section((size_t)*section),
				   schema_key_list(list, sizeof(list), schema_section((size_t)*section)),
				   hint);
	}
	idx = schema_key_index(k);
	if (seen->line[idx])
		return cfile_error(err, -EINVAL, f->path, f->line,
				   "duplicate key '%s' in [%s]; already set at line %u",
				   k->name, k->section, seen->line[idx]);
	r = schema_set(cf, k, tok->value, &why);
	if (r == -ENOMEM)
		return oom(err);
	if (r < 0)
		return cfile_error(err, r, f->path, f->line, "%s for '%s' in [%s]; expected %s",
				   why.problem, k->name, k->section, why.expected);
	seen->line[idx] = f->line;
	return 0;
}

static int parse_conf_file(struct herd_conf *cf, struct key_lines *seen, struct conf_error *err)
{
	struct cfile f;
	int section = -1;
	char *line;
	int r;

	r = cfile_read(&f, cf->file, err);
	if (r < 0)
		return r;
	while ((r = cfile_next(&f, &line, err)) > 0) {
		struct ini_token tok;
		const char *why;

		r = ini_parse_line(line, &tok, &why);
		if (r < 0) {
			r = cfile_error(err, r, f.path, f.line, "%s", why);
			break;
		}
		if (tok.kind == INI_BLANK)
			continue;
		r = apply_token(cf, &f, &tok, &section, seen, err);
		if (r < 0)
			break;
	}
	cfile_done(&f);
	return r;
}

/* The line in herd.conf that set a key; 0 when it has its default. */
static unsigned key_line(const struct key_lines *seen, const char *section, const char *name)
{
	const struct schema_key *k = schema_find(section, name);

	return k ? seen->line[schema_key_index(k)] : 0;
}

/* Whether a key has a value other than empty. */
static bool key_is_set(const struct herd_conf *cf, const char *section, const char *name)
{
	const struct schema_key *k = schema_find(section, name);
	char buf[VALUE_CIDR_MAX];

	return k && *schema_format(buf, sizeof(buf), cf, k);
}

/*
 * [natgw] and [lvs] do nothing without their nodes file: any other key set
 * without it is a mistake, not something to ignore quietly.
 */
static int check_needs_nodes_file(const struct herd_conf *cf, const struct key_lines *seen,
				  const char *section, const char *role, struct conf_error *err)
{
	if (key_is_set(cf, section, "nodes file"))
		return 0;
	for (size_t i = 0; i < schema_nkeys(); i++) {
		const struct schema_key *k = schema_key(i);

		if (!streq(k->section, section) || streq(k->name, "nodes file") ||
		    !key_is_set(cf, section, k->name))
			continue;
		return cfile_error(err, -EINVAL, cf->file, seen->line[i],
				   "[%s] %s is set but nodes file is not; expected a nodes file "
				   "to turn %s on, or no other [%s] keys", section, k->name, role,
				   section);
	}
	return 0;
}

/* Both keys of a pair or neither ("public address" and "public interface"). */
static int check_pair(const struct herd_conf *cf, const struct key_lines *seen,
		      const char *section, const char *a, const char *b, const char *expected,
		      struct conf_error *err)
{
	if (key_is_set(cf, section, a) == key_is_set(cf, section, b))
		return 0;
	if (!key_is_set(cf, section, a)) {
		const char *t = a;

		a = b;
		b = t;
	}
	return cfile_error(err, -EINVAL, cf->file, key_line(seen, section, a),
			   "[%s] %s is set but %s is not; expected %s", section, a, b, expected);
}

/* Every address of the NAT gateway has the private network's family. */
static int check_natgw_family(const struct herd_conf *cf, const struct key_lines *seen,
			      const char *name, const struct sockaddr_storage *ss,
			      const char *text, struct conf_error *err)
{
	const struct conf_cidr *pn = &cf->natgw_private_network;
	char net[VALUE_CIDR_MAX];

	if (ss->ss_family == AF_UNSPEC || ss->ss_family == pn->addr.ss_family)
		return 0;
	return cfile_error(err, -EINVAL, cf->file, key_line(seen, "natgw", name),
			   "[natgw] %s %s is %s but private network %s is %s; expected one "
			   "address family for the whole NAT gateway", name, text,
			   value_address_family_name(ss), value_format_cidr(net, sizeof(net),
			   &pn->addr, pn->prefix), value_address_family_name(&pn->addr));
}

static int check_natgw(const struct herd_conf *cf, const struct key_lines *seen,
		       struct conf_error *err)
{
	char buf[VALUE_CIDR_MAX];
	int r;

	r = check_needs_nodes_file(cf, seen, "natgw", "the NAT gateway", err);
	if (r < 0 || !*cf->natgw_nodes_file)
		return r;
	if (cf->natgw_private_network.addr.ss_family == AF_UNSPEC)
		return cfile_error(err, -EINVAL, cf->file, key_line(seen, "natgw", "nodes file"),
				   "[natgw] nodes file is set but private network is not; expected "
				   "the network of the nodes' private addresses, e.g. "
				   "private network = 10.0.0.0/24");
	r = check_pair(cf, seen, "natgw", "public address", "public interface",
		       "both, or neither on a slave-only node", err);
	if (r < 0)
		return r;
	r = check_natgw_family(cf, seen, "public address", &cf->natgw_public_address.addr,
			       value_format_cidr(buf, sizeof(buf), &cf->natgw_public_address.addr,
						 cf->natgw_public_address.prefix), err);
	if (r < 0)
		return r;
	r = check_natgw_family(cf, seen, "default gateway", &cf->natgw_default_gateway,
			       sockaddr_format(buf, sizeof(buf), &cf->natgw_default_gateway), err);
	for (size_t i = 0; r >= 0 && i < cf->nnatgw_static_routes; i++) {
		const struct conf_cidr *net = &cf->natgw_static_routes[i].net;

		r = check_natgw_family(cf, seen, "static routes", &net->addr,
				       value_format_cidr(buf, sizeof(buf), &net->addr, net->prefix),
				       err);
	}
	return r;
}

static int check_policy_routing(const struct herd_conf *cf, const struct key_lines *seen,
				struct conf_error *err)
{
	unsigned lo = cf->policy_table_low, hi = cf->policy_table_high;
	unsigned line = key_line(seen, "policy routing", "table id low");

	if (key_line(seen, "policy routing", "table id high") > line)
		line = key_line(seen, "policy routing", "table id high");
	if (lo > hi)
		return cfile_error(err, -EINVAL, cf->file, line,
				   "[policy routing] table id low %u is above table id high %u; "
				   "expected low <= high", lo, hi);
	/* RT_TABLE_DEFAULT, RT_TABLE_MAIN and RT_TABLE_LOCAL: the kernel's. */
	if (lo <= 255 && hi >= 253)
		return cfile_error(err, -EINVAL, cf->file, line,
				   "[policy routing] table ids %u to %u include 253 to 255, the "
				   "kernel's default, main and local tables; expected a range below "
				   "253 or above 255", lo, hi);
	return 0;
}

static int check_lvs(const struct herd_conf *cf, const struct key_lines *seen,
		     struct conf_error *err)
{
	static const struct {
		const char *key, *expected;
	} required[] = {
		{ "public address", "the address clients connect to" },
		{ "public interface", "the interface the LVS master answers on" },
	};
	int r;

	r = check_needs_nodes_file(cf, seen, "lvs", "LVS", err);
	if (r < 0 || !*cf->lvs_nodes_file)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (!key_is_set(cf, "lvs", required[i].key))
			return cfile_error(err, -EINVAL, cf->file, key_line(seen, "lvs", "nodes file"),
					   "[lvs] nodes file is set but %s is not; expected %s",
					   required[i].key, required[i].expected);
	return 0;
}

/* Checks that involve more than one key, or the directory. */
static int check_conf(const struct herd_conf *cf, const struct key_lines *seen,
		      struct conf_error *err)
{
	const struct schema_key *k = schema_find("paths", "run dir");
	_cleanup_(freep) char *sock = conf_socket_path(cf);
	int r;

	if (!sock)
		return oom(err);
	if (strlen(sock) > SOCKET_PATH_MAX) {
		char q[CFILE_QUOTE_MAX];

		return cfile_error(err, -ENAMETOOLONG, cf->file, seen->line[schema_key_index(k)],
				   "run dir %s is too long for the control socket (%zu bytes "
				   "with /herdd.sock); expected at most %zu bytes",
				   cfile_quote(q, sizeof(q), cf->run_dir), strlen(sock),
				   SOCKET_PATH_MAX);
	}
	r = check_natgw(cf, seen, err);
	if (r >= 0)
		r = check_policy_routing(cf, seen, err);
	if (r >= 0)
		r = check_lvs(cf, seen, err);
	return r;
}

/* The files herd.conf names, each resolved against the directory. */
static int load_lists(struct herd_conf *cf, struct conf_error *err)
{
	_cleanup_(freep) char *nodes = conf_path(cf, cf->nodes_file);
	_cleanup_(freep) char *pubaddrs = conf_path(cf, cf->public_addresses_file);
	_cleanup_(freep) char *natgw = conf_path(cf, cf->natgw_nodes_file);
	_cleanup_(freep) char *routes = conf_path(cf, cf->policy_routing_file);
	_cleanup_(freep) char *lvs = conf_path(cf, cf->lvs_nodes_file);
	int r;

	if (!nodes || !pubaddrs || !natgw || !routes || !lvs)
		return oom(err);
	r = nodes_load(nodes, &cf->nodes, &cf->nnodes, err);
	if (r >= 0 && *pubaddrs)
		r = pubaddr_load(pubaddrs, cf->nodes, cf->nnodes, &cf->pubaddrs, &cf->npubaddrs,
				 err);
	if (r >= 0 && *natgw)
		r = rolenodes_load(natgw, cf->nodes, cf->nnodes, &cf->natgw_nodes,
				   &cf->nnatgw_nodes, err);
	if (r >= 0 && *routes)
		r = routes_load(routes, cf->pubaddrs, cf->npubaddrs, &cf->policy_routes,
				&cf->npolicy_routes, err);
	if (r >= 0 && *lvs)
		r = rolenodes_load(lvs, cf->nodes, cf->nnodes, &cf->lvs_nodes, &cf->nlvs_nodes,
				   err);
	return r;
}

/*
 * The NAT gateway and LVS addresses belong to their role: neither a public
 * address herd moves nor a node's own private address.
 */
static int check_role_address(const struct herd_conf *cf, const struct key_lines *seen,
			      const char *section, const struct sockaddr_storage *ss,
			      struct conf_error *err)
{
	char a[VALUE_ADDR_MAX];
	const struct conf_node *node;

	if (ss->ss_family == AF_UNSPEC)
		return 0;
	sockaddr_format(a, sizeof(a), ss);
	for (size_t i = 0; i < cf->npubaddrs; i++)
		if (sockaddr_equal_addr(&cf->pubaddrs[i].addr, ss))
			return cfile_error(err, -EINVAL, cf->file,
					   key_line(seen, section, "public address"),
					   "[%s] public address %s is also in the public addresses "
					   "file (line %u); expected an address herd does not move "
					   "between nodes", section, a, cf->pubaddrs[i].line);
	node = nodes_find_address(cf->nodes, cf->nnodes, ss);
	if (node)
		return cfile_error(err, -EINVAL, cf->file, key_line(seen, section, "public address"),
				   "[%s] public address %s is node %u's private address; "
				   "expected an address that is not in the nodes file", section, a,
				   node->pnn);
	return 0;
}

/* Checks that involve herd.conf and the files it names. */
static int check_lists(const struct herd_conf *cf, const struct key_lines *seen,
		       struct conf_error *err)
{
	const struct conf_cidr *pn = &cf->natgw_private_network;
	int r;

	/* The slaves route through the master's address from the natgw nodes file. */
	for (size_t i = 0; i < cf->nnatgw_nodes; i++) {
		const struct conf_rolenode *rn = &cf->natgw_nodes[i];
		char a[VALUE_ADDR_MAX], net[VALUE_CIDR_MAX];
		_cleanup_(freep) char *path = NULL;

		if (value_cidr_contains(&pn->addr, pn->prefix, &rn->addr))
			continue;
		path = conf_path(cf, cf->natgw_nodes_file);
		if (!path)
			return oom(err);
		return cfile_error(err, -EINVAL, path, rn->line,
				   "%s is not in the private network %s; expected the nodes' "
				   "addresses on [natgw] private network",
				   sockaddr_format(a, sizeof(a), &rn->addr),
				   value_format_cidr(net, sizeof(net), &pn->addr, pn->prefix));
	}
	r = check_role_address(cf, seen, "natgw", &cf->natgw_public_address.addr, err);
	if (r >= 0)
		r = check_role_address(cf, seen, "lvs", &cf->lvs_public_address, err);
	return r;
}

int conf_load(const char *dir, const char *file, struct herd_conf **out,
	      struct conf_error *err)
{
	struct key_lines seen = { { 0 } };
	struct herd_conf *cf;
	struct schema_why why;
	int r;

	err->msg[0] = '\0';
	if (schema_nkeys() > ARRAY_SIZE(seen.line)) {
		snprintf(err->msg, sizeof(err->msg), "internal error: key table too large");
		return -EINVAL;
	}
	if (!dir)
		dir = HERD_CONF_DIR_DEFAULT;
	cf = calloc(1, sizeof(*cf));
	if (!cf)
		return oom(err);
	cf->control_gid = (gid_t)-1;
	cf->dir = strdup(dir);
	cf->file = file ? strdup(file) : join_path(dir, HERD_CONF_FILE);
	if (!cf->dir || !cf->file) {
		conf_free(cf);
		return oom(err);
	}
	r = schema_set_defaults(cf, &why);
	if (r < 0) {
		conf_free(cf);
		if (r == -ENOMEM)
			return oom(err);
		snprintf(err->msg, sizeof(err->msg), "internal error: bad default: %s; expected %s",
			 why.problem, why.expected);
		return r;
	}
	r = parse_conf_file(cf, &seen, err);
	if (r >= 0)
		r = check_conf(cf, &seen, err);
	if (r >= 0)
		r = load_lists(cf, err);
	if (r >= 0)
		r = check_lists(cf, &seen, err);
	if (r < 0) {
		conf_free(cf);
		return r;
	}
	*out = cf;
	return 0;
}

static void print_value(FILE *f, const char *v)
{
	char small[256];
	size_t need = 2 * strlen(v) + 3;
	char *buf = need <= sizeof(small) ? small : malloc(need);

	if (!buf) {
		/* Out of memory: print it bare rather than not at all. */
		fputs(v, f);
		return;
	}
	fputs(ini_format_value(buf, need, v), f);
	if (buf != small)
		free(buf);
}

static void print_lists(FILE *f, const struct herd_conf *cf)
{
	char buf[256];
	size_t deleted = 0;

	for (size_t i = 0; i < cf->nnodes; i++)
		deleted += cf->nodes[i].deleted;
	fprintf(f, "\n# nodes: %zu", cf->nnodes);
	if (deleted)
		fprintf(f, " (%zu deleted)", deleted);
	fputc('\n', f);
	for (size_t i = 0; i < cf->nnodes; i++)
		fprintf(f, "#   pnn %u  %s\n", cf->nodes[i].pnn,
			nodes_format(buf, sizeof(buf), &cf->nodes[i]));
	if (!cf->npubaddrs) {
		fprintf(f, "# public addresses: none\n");
	} else {
		fprintf(f, "# public addresses: %zu\n", cf->npubaddrs);
		for (size_t i = 0; i < cf->npubaddrs; i++)
			fprintf(f, "#   %s\n", pubaddr_format(buf, sizeof(buf), &cf->pubaddrs[i]));
	}
	/* The role and routing files only when herd.conf names them. */
	if (*cf->natgw_nodes_file) {
		fprintf(f, "# natgw nodes: %zu\n", cf->nnatgw_nodes);
		for (size_t i = 0; i < cf->nnatgw_nodes; i++)
			fprintf(f, "#   %s\n", rolenodes_format(buf, sizeof(buf), &cf->natgw_nodes[i]));
	}
	if (*cf->policy_routing_file) {
		fprintf(f, "# policy routes: %zu\n", cf->npolicy_routes);
		for (size_t i = 0; i < cf->npolicy_routes; i++)
			fprintf(f, "#   %s\n", routes_format(buf, sizeof(buf), &cf->policy_routes[i]));
	}
	if (*cf->lvs_nodes_file) {
		fprintf(f, "# lvs nodes: %zu\n", cf->nlvs_nodes);
		for (size_t i = 0; i < cf->nlvs_nodes; i++)
			fprintf(f, "#   %s\n", rolenodes_format(buf, sizeof(buf), &cf->lvs_nodes[i]));
	}
}

void conf_print(FILE *f, const struct herd_conf *cf)
{
	fprintf(f, "# herd configuration, normalized (herdd -nv).\n"
		   "# Every key is shown, defaults included; see herd.conf(5).\n");
	for (size_t s = 0; s < schema_nsections(); s++) {
		const char *section = schema_section(s);

		fprintf(f, "\n[%s]\n", section);
		for (size_t i = 0; i < schema_nkeys(); i++) {
			const struct schema_key *k = schema_key(i);
			char buf[VALUE_CIDR_MAX];

			if (!streq(k->section, section))
				continue;
			fprintf(f, "%s = ", k->name);
			print_value(f, schema_format(buf, sizeof(buf), cf, k));
			fputc('\n', f);
		}
	}
	print_lists(f, cf);
}
