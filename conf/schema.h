/*
 * schema.h — the table of herd.conf: every section and key, its type,
 * default, limits, place in struct herd_conf and one line of documentation.
 *
 * The one table drives parsing (schema_set), defaults (schema_set_defaults),
 * the normalized print (schema_format), the lists in error messages, and
 * the check that herd.conf(5) documents every key (tests/unit). Adding a key
 * is one row in conf/schema.c plus its field in conf/conf.h.
 */
#ifndef HERD_CONF_SCHEMA_H
#define HERD_CONF_SCHEMA_H

#include "agentd/util.h"
#include "conf/conf.h"
#include "conf/value.h"

enum schema_type {
	SCHEMA_BOOL,                    /* bool */
	SCHEMA_UINT,                    /* unsigned, min..max */
	SCHEMA_DURATION,                /* usec_t, min..max microseconds */
	SCHEMA_ENUM,                    /* an int-sized enum, from names */
	SCHEMA_STRING,                  /* char *: text without blanks */
	SCHEMA_NAME,                    /* char *: value_is_name() */
	SCHEMA_PATH,                    /* char *: a path, relative to the dir */
	SCHEMA_RECLOCK,                 /* char *: "", a path or "!COMMAND ARGS" */
	SCHEMA_HOSTPORT,                /* char *: HOST:PORT */
	SCHEMA_EMAIL,                   /* char *: LOCAL@DOMAIN */
	SCHEMA_EMAILS,                  /* char *: LOCAL@DOMAIN, ... (commas or blanks) */
	SCHEMA_EVENTS,                  /* char *: "all", event names, "-name" removes */
	SCHEMA_TIMEOFDAY,               /* char *: HH:MM (local time), or "off" */
	SCHEMA_GROUP,                   /* char * and the gid_t at gid_offset */
	SCHEMA_IFNAME,                  /* char *: value_is_ifname() */
	SCHEMA_ADDRESS,                 /* struct sockaddr_storage: unicast; "" AF_UNSPEC */
	SCHEMA_CIDR,                    /* struct conf_cidr: unicast ADDRESS/PREFIX */
	SCHEMA_NETWORK,                 /* struct conf_cidr: NETWORK/PREFIX, no host bits */
	SCHEMA_ROUTES,                  /* char * (normalized) and the parsed routes:
					 * struct conf_static_route * at list_offset,
					 * size_t at count_offset */
};

struct schema_key {
	const char *section;
	const char *name;
	enum schema_type type;
	const char *def;                /* the default, as herd.conf text */
	size_t offset;                  /* offsetof(struct herd_conf, field) */
	size_t gid_offset;              /* SCHEMA_GROUP: the resolved gid */
	size_t list_offset;             /* SCHEMA_ROUTES: the parsed array */
	size_t count_offset;            /* SCHEMA_ROUTES: its length */
	uint64_t min, max;              /* SCHEMA_UINT, SCHEMA_DURATION */
	const struct value_enum *names; /* SCHEMA_ENUM */
	bool empty_ok;                  /* string types: "" is allowed */
	bool zero_ok;                   /* SCHEMA_DURATION: 0 too (automatic) */
	const char *expect;             /* NULL, or what "expected ..." says */
	const char *doc;                /* one sentence for herd.conf(5) */
};

/* Why a value was refused: "PROBLEM for 'key' in [section]; expected EXPECTED". */
struct schema_why {
	char problem[160];
	char expected[384];
};

size_t schema_nsections(void);
const char *schema_section(size_t i);
int schema_section_index(const char *name);     /* -ENOENT if unknown */

size_t schema_nkeys(void);
const struct schema_key *schema_key(size_t i);
size_t schema_key_index(const struct schema_key *k);
const struct schema_key *schema_find(const char *section, const char *name);

/* "name, recovery lock, ..." for a section; "[cluster], [membership], ...". */
char *schema_key_list(char *buf, size_t len, const char *section);
char *schema_section_list(char *buf, size_t len);

/* What a type is called in messages and in herd.conf(5): "duration". */
const char *schema_type_name(enum schema_type t);

/*
 * The limits of k as text: "10ms to 10s", "100ms to 1m, or 0s" (zero_ok),
 * "lcp2, deterministic, ..." or "".
 */
char *schema_limits(char *buf, size_t len, const struct schema_key *k);

/*
 * Parse text as the value of k and store it in cf (replacing, and freeing,
 * what was there). Returns 0, or -EINVAL/-ERANGE/-ENOENT with why filled in
 * (cf unchanged), or -ENOMEM.
 */
int schema_set(struct herd_conf *cf, const struct schema_key *k, const char *text,
	       struct schema_why *why);

/* Every key to its default. Fails only with -ENOMEM (or on a broken table). */
int schema_set_defaults(struct herd_conf *cf, struct schema_why *why);

/*
 * The value of k in cf in canonical form (not yet quoted for herd.conf):
 * the stored string itself for string types, else buf (VALUE_CIDR_MAX
 * bytes are enough for every type but strings).
 */
const char *schema_format(char *buf, size_t len, const struct herd_conf *cf,
			  const struct schema_key *k);

/* Free the strings (and parsed lists) the table owns in cf and set them to NULL. */
void schema_free_values(struct herd_conf *cf);

#endif
