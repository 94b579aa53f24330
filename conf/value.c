/*
 * value.c — parsers and formatters for typed configuration values.
 *
 * Each kind of value herd.conf, nodes and public_addresses hold has one
 * parser (text to value, or why not) and one formatter (value to the
 * canonical text that parses back to it). They are strict on purpose: "1O"
 * for a port, "5 sec" for an interval or "010.0.0.1" for a node address are
 * errors with a reason, never a guess. Only value_parse_group() looks
 * outside the process (NSS); everything else is pure.
 */
#include "conf/value.h"

#include <arpa/inet.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_letter(c);
}

/* ---- booleans ---------------------------------------------------------- */

int value_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (streq(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (streq(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

const char *value_bool_name(bool b)
{
	return b ? "yes" : "no";
}

/* ---- whole numbers ----------------------------------------------------- */

/* Digits at *s into *v; advances *s. -EINVAL: no digit; -ERANGE: overflow. */
static int parse_digits(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;
	bool overflow = false;

	if (!is_digit(*p))
		return -EINVAL;
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			n = n * 10 + d;
	}
	*s = p;
	if (overflow)
		return -ERANGE;
	*v = n;
	return 0;
}

int value_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int r = parse_digits(&s, &v);

	if (r == -EINVAL || *s != '\0')
		return -EINVAL;
	if (r < 0 || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* ---- durations --------------------------------------------------------- */

static const struct {
	const char *name;
	usec_t usec;
} duration_units[] = {
	/* Longest names first, so that "ms" is not read as "m" then "s". */
	{ "us", 1 },
	{ "ms", USEC_PER_MSEC },
	{ "h", 3600 * USEC_PER_SEC },
	{ "m", 60 * USEC_PER_SEC },
	{ "s", USEC_PER_SEC },
};

/* NUMBER[.FRACTION] at *s into whole and fraction digits. */
static int parse_decimal(const char **s, uint64_t *whole, uint64_t *frac, unsigned *fdigits)
{
	int r = parse_digits(s, whole);

	if (r < 0)
		return r;
	*frac = 0;
	*fdigits = 0;
	if (**s != '.')
		return 0;
	(*s)++;
	if (!is_digit(**s))
		return -EINVAL;
	for (; is_digit(**s); (*s)++) {
		if (*fdigits == 6)
			return -EINVAL; /* finer than a microsecond of a second */
		*frac = *frac * 10 + (uint64_t)(**s - '0');
		(*fdigits)++;
	}
	return 0;
}

/* whole.frac × unit in microseconds: -EINVAL if not whole, -ERANGE if too big. */
static int scale(uint64_t whole, uint64_t frac, unsigned fdigits, usec_t unit, usec_t *out)
{
	uint64_t pow10 = 1, f;

	for (unsigned i = 0; i < fdigits; i++)
		pow10 *= 10;
	if (whole > UINT64_MAX / unit)
		return -ERANGE;
	/* frac < 10^6 and unit <= 3.6e9, so frac * unit fits in 64 bits. */
	f = frac * unit;
	if (f % pow10)
		return -EINVAL;
	if (whole * unit > UINT64_MAX - f / pow10)
		return -ERANGE;
	*out = whole * unit + f / pow10;
	return 0;
}

int value_parse_duration(const char *s, usec_t *out)
{
	usec_t total = 0;
	bool any = false;

	while (*s) {
		uint64_t whole, frac;
		unsigned fdigits;
		usec_t part, unit = 0;
		int r;

		r = parse_decimal(&s, &whole, &frac, &fdigits);
		if (r < 0)
			return r;
		while (*s == ' ' || *s == '\t')
			s++;
		for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
			size_t n = strlen(duration_units[i].name);

			/* A unit ends at a digit, a blank or the end: "1m30s", not "5sec". */
			if (strncmp(s, duration_units[i].name, n) == 0 && !is_letter(s[n])) {
				unit = duration_units[i].usec;
				s += n;
				break;
			}
		}
		if (!unit) {
			/* A bare number is seconds, but only on its own. */
			if (any || *s)
				return -EINVAL;
			unit = USEC_PER_SEC;
		}
		r = scale(whole, frac, fdigits, unit, &part);
		if (r < 0)
			return r;
		if (total > UINT64_MAX - part)
			return -ERANGE;
		total += part;
		any = true;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	if (!any)
		return -EINVAL;
	*out = total;
	return 0;
}

char *value_format_duration(char *buf, size_t len, usec_t us)
{
	/* From the largest unit down; "us" always divides. */
	static const size_t order[] = { 2, 3, 4, 1, 0 };

	if (us == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		usec_t unit = duration_units[order[i]].usec;

		if (us % unit == 0) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(us / unit),
				 duration_units[order[i]].name);
			break;
		}
	}
	return buf;
}

/* ---- addresses --------------------------------------------------------- */

int value_parse_address(const char *s, struct sockaddr_storage *out)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*out = ss;
	return 0;
}

bool value_address_is_unicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);

		return a != 0 && a != 0xffffffffu && (a >> 28) != 0xe;
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_MULTICAST(a);
	}
	return false;
}

unsigned value_address_bits(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? 128 : 32;
}

const char *value_address_family_name(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- networks: ADDRESS/PREFIX ------------------------------------------ */

int value_parse_cidr(const char *s, unsigned min_prefix, struct sockaddr_storage *addr,
		     unsigned *prefix)
{
	char a[VALUE_ADDR_MAX];
	const char *slash = strchr(s, '/');
	struct sockaddr_storage ss;
	uint64_t p;
	size_t n;
	int r;

	if (!slash)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = '\0';
	if (value_parse_address(a, &ss) < 0)
		return -EINVAL;
	r = value_parse_uint(slash + 1, min_prefix, value_address_bits(&ss), &p);
	if (r < 0)
		return r;
	*addr = ss;
	*prefix = (unsigned)p;
	return 0;
}

char *value_format_cidr(char *buf, size_t len, const struct sockaddr_storage *addr,
			unsigned prefix)
{
	char a[VALUE_ADDR_MAX];

	if (addr->ss_family != AF_INET && addr->ss_family != AF_INET6) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	snprintf(buf, len, "%s/%u", sockaddr_format(a, sizeof(a), addr), prefix);
	return buf;
}

/* The address bytes of ss (network order) and their number; NULL if not IP. */
static unsigned char *address_bytes(struct sockaddr_storage *ss, size_t *n)
{
	if (ss->ss_family == AF_INET) {
		*n = 4;
		return (unsigned char *)&((struct sockaddr_in *)ss)->sin_addr;
	}
	if (ss->ss_family == AF_INET6) {
		*n = 16;
		return ((struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	}
	*n = 0;
	return NULL;
}

void value_cidr_mask(struct sockaddr_storage *addr, unsigned prefix)
{
	size_t n;
	unsigned char *b = address_bytes(addr, &n);

	for (size_t i = 0; i < n; i++) {
		unsigned keep = prefix > 8 * i ? prefix - 8 * (unsigned)i : 0;

		if (keep < 8)
			b[i] &= (unsigned char)(0xff00u >> keep);
	}
}

bool value_cidr_is_network(const struct sockaddr_storage *addr, unsigned prefix)
{
	struct sockaddr_storage net = *addr;

	value_cidr_mask(&net, prefix);
	return sockaddr_equal_addr(&net, addr);
}

bool value_cidr_contains(const struct sockaddr_storage *net, unsigned prefix,
			 const struct sockaddr_storage *addr)
{
	struct sockaddr_storage a = *addr, n = *net;

	if (net->ss_family != addr->ss_family)
		return false;
	value_cidr_mask(&a, prefix);
	value_cidr_mask(&n, prefix);
	return sockaddr_equal_addr(&a, &n);
}

/* ---- names ------------------------------------------------------------- */

bool value_is_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) == 1)
		return true;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			/* A label: 1..63 characters, no '-' at either end. */
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return false;
		label++;
	}
	/* All-numeric names would be read as (bad) IPv4 addresses. */
	for (const char *p = s; *p; p++)
		if (!is_digit(*p) && *p != '.')
			return true;
	return false;
}

int value_check_hostport(const char *s)
{
	char host[256];
	const char *colon;
	uint64_t port;
	size_t hlen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct in6_addr a6;

		if (!close || close[1] != ':')
			return -EINVAL;
		hlen = (size_t)(close - s - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return -EINVAL;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - s);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (!value_is_hostname(host))
			return -EINVAL;
	}
	return value_parse_uint(colon + 1, 1, 65535, &port);
}

bool value_is_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t local;

	if (!at || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return false;
	for (const char *p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		/* Printable ASCII, minus what needs quoting in RFC 5322. */
		if (c <= ' ' || c >= 0x7f || strchr("\"(),:;<>@[\\]", c))
			return false;
	}
	return value_is_hostname(at + 1);
}

bool value_is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !is_alnum(s[0]))
		return false;
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && *p != '.' && *p != '-' && *p != '_')
			return false;
	return true;
}

bool value_is_ifname(const char *s)
{
	size_t n = strlen(s);

	/* The rules of the kernel's dev_valid_name(); IFNAMSIZ is 16. */
	if (n == 0 || n >= 16 || streq(s, ".") || streq(s, ".."))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

/* ---- groups ------------------------------------------------------------ */

int value_parse_group(const char *s, gid_t *out)
{
	struct group grp, *res = NULL;
	char *buf = NULL;
	size_t len = 1024;
	uint64_t v;
	int r;

	if (!*s) {
		*out = (gid_t)-1;
		return 0;
	}
	if (is_digit(s[0])) {
		r = value_parse_uint(s, 0, (gid_t)-2, &v);
		if (r < 0)
			return r;
		*out = (gid_t)v;
		return 0;
	}
	for (;;) {
		char *p = realloc(buf, len);

		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		r = getgrnam_r(s, &grp, buf, len, &res);
		if (r != ERANGE || len >= 1024 * 1024)
			break;
		len *= 4;
	}
	free(buf);
	/* getgrnam_r(3): these mean "no such group" on some NSS back ends. */
	if (r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
		return -ENOENT;
	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*out = grp.gr_gid;
	return 0;
}

/* ---- enumerations ------------------------------------------------------ */

int value_parse_enum(const char *s, const struct value_enum *names, int *out)
{
	for (const struct value_enum *e = names; e->name; e++) {
		if (streq(s, e->name)) {
			*out = e->value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *value_enum_name(const struct value_enum *names, int value)
{
	for (const struct value_enum *e = names; e->name; e++)
		if (e->value == value)
			return e->name;
	return NULL;
}

char *value_enum_list(char *buf, size_t len, const struct value_enum *names)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct value_enum *e = names; e->name && off < len; e++) {
		int n = snprintf(buf + off, len - off, "%s%s", e == names ? "" : ", ", e->name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}
