/*
 * value.h — typed configuration values: parse text, check it, format it.
 *
 * Pure functions, one per kind of value herd.conf, nodes and
 * public_addresses hold. Parsers take text already trimmed by the tokenizer
 * and return 0, -EINVAL (not a value of that kind) or -ERANGE (a value, but
 * out of range); they never write *out on error. Formatters give the
 * canonical form that the parsers read back: the normalized print of a
 * configuration is built from them.
 */
#ifndef HERD_CONF_VALUE_H
#define HERD_CONF_VALUE_H

#include <sys/socket.h>
#include <sys/types.h>

#include "agentd/addr.h"
#include "agentd/util.h"

/* Long enough for any address sockaddr_format() prints. */
#define VALUE_ADDR_MAX 46
/* Long enough for any ADDRESS/PREFIX value_format_cidr() prints. */
#define VALUE_CIDR_MAX (VALUE_ADDR_MAX + 4)
/* Long enough for any duration value_format_duration() prints. */
#define VALUE_DURATION_MAX 32

/* yes/no, true/false, on/off, 1/0 (lower case). */
int value_parse_bool(const char *s, bool *out);
const char *value_bool_name(bool b);     /* "yes" or "no" */

/* A decimal whole number in [min, max]: digits only, no sign. */
int value_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * A duration: one or more NUMBER UNIT parts ("250ms", "1m30s", "1.5s"),
 * units us, ms, s, m, h, blanks allowed between parts; or a bare number,
 * which counts seconds. Fractions must come out to whole microseconds.
 */
int value_parse_duration(const char *s, usec_t *out);

/* The largest unit that shows us exactly: "250ms", "5s", "90s", "1h", "0s". */
char *value_format_duration(char *buf, size_t len, usec_t us);

/* An IPv4 or IPv6 address in its usual text form (no port, no zone). */
int value_parse_address(const char *s, struct sockaddr_storage *out);
/* Not unspecified, multicast or the IPv4 broadcast address. */
bool value_address_is_unicast(const struct sockaddr_storage *ss);
/* Addresses compare and print with sockaddr_equal_addr() and sockaddr_format(). */
/* Bits in an address of this family: 32 or 128. */
unsigned value_address_bits(const struct sockaddr_storage *ss);
/* "IPv4" or "IPv6", for messages. */
const char *value_address_family_name(const struct sockaddr_storage *ss);

/*
 * ADDRESS/PREFIX, the prefix length from min_prefix to the family's bits.
 * -EINVAL: no '/', no address before it or no number after it; -ERANGE: a
 * prefix length out of range. Host bits may be set (see value_cidr_*).
 */
int value_parse_cidr(const char *s, unsigned min_prefix, struct sockaddr_storage *addr,
		     unsigned *prefix);
/* "192.168.1.0/24" into buf; "" for an address that is not IP. */
char *value_format_cidr(char *buf, size_t len, const struct sockaddr_storage *addr,
			unsigned prefix);
/* Clear the host bits of addr past prefix: the network it lies in. */
void value_cidr_mask(struct sockaddr_storage *addr, unsigned prefix);
/* Whether addr has no host bits set past prefix (a network address). */
bool value_cidr_is_network(const struct sockaddr_storage *addr, unsigned prefix);
/* Whether addr lies in net/prefix (same family, same leading bits). */
bool value_cidr_contains(const struct sockaddr_storage *net, unsigned prefix,
			 const struct sockaddr_storage *addr);

/* A DNS host name (RFC 1123 labels) or an IPv4 address. */
bool value_is_hostname(const char *s);
/* HOST:PORT or [IPV6]:PORT, port 1..65535: -EINVAL or -ERANGE (the port). */
int value_check_hostport(const char *s);
/* A mail address LOCAL@DOMAIN, as an MTA accepts it over SMTP. */
bool value_is_email(const char *s);
/* A name for the cluster: 1..63 of [A-Za-z0-9._-], starting alphanumeric. */
bool value_is_name(const char *s);
/* A Linux interface name: 1..15 bytes, no '/', ':' or blanks, not . or .. */
bool value_is_ifname(const char *s);

/*
 * A group for the control socket: a name known to the system (getgrnam) or
 * a number. "" is no group ((gid_t)-1). -ENOENT: no such group; -ERANGE: a
 * number too large; another negative errno: the lookup itself failed.
 */
int value_parse_group(const char *s, gid_t *out);

/* Name tables for enumerations, ended by { NULL, 0 }. */
struct value_enum {
	const char *name;
	int value;
};
int value_parse_enum(const char *s, const struct value_enum *names, int *out);
const char *value_enum_name(const struct value_enum *names, int value); /* NULL if none */
/* "a, b, c" into buf. */
char *value_enum_list(char *buf, size_t len, const struct value_enum *names);

#endif
