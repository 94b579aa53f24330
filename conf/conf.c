/*
 * conf.c — load a configuration directory, print it normalized, free it.
 *
 * conf_load() is a transaction: it reads herd.conf (through conf/ini.c and
 * the table in conf/schema.c), checks what involves several keys, then
 * reads the nodes file (required) and the public_addresses file (optional)
 * that herd.conf names, and hands out a complete struct herd_conf, or
 * nothing and one message that names the file and line. herdd reloads by
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
	unsigned line[64];
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

/* Checks that involve more than one key, or the directory. */
static int check_conf(const struct herd_conf *cf, const struct key_lines *seen,
		      struct conf_error *err)
{
	const struct schema_key *k = schema_find("paths", "run dir");
	_cleanup_(freep) char *sock = conf_socket_path(cf);

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
	return 0;
}

static int load_lists(struct herd_conf *cf, struct conf_error *err)
{
	_cleanup_(freep) char *nodes = conf_path(cf, cf->nodes_file);
	_cleanup_(freep) char *pubaddrs = NULL;
	int r;

	if (!nodes)
		return oom(err);
	r = nodes_load(nodes, &cf->nodes, &cf->nnodes, err);
	if (r < 0)
		return r;
	if (!*cf->public_addresses_file)
		return 0;
	pubaddrs = conf_path(cf, cf->public_addresses_file);
	if (!pubaddrs)
		return oom(err);
	return pubaddr_load(pubaddrs, cf->nodes, cf->nnodes, &cf->pubaddrs, &cf->npubaddrs, err);
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
		return;
	}
	fprintf(f, "# public addresses: %zu\n", cf->npubaddrs);
	for (size_t i = 0; i < cf->npubaddrs; i++)
		fprintf(f, "#   %s\n", pubaddr_format(buf, sizeof(buf), &cf->pubaddrs[i]));
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
			char buf[64];

			if (!streq(k->section, section))
				continue;
			fprintf(f, "%s = ", k->name);
			print_value(f, schema_format(buf, sizeof(buf), cf, k));
			fputc('\n', f);
		}
	}
	print_lists(f, cf);
}
