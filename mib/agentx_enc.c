/*
 * agentx_enc.c — SNMP encodings as pure functions (see agentx_enc.h).
 */
#include "mib/agentx_enc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <time.h>

size_t ax_bits(uint64_t value, unsigned nbits, uint8_t *out)
{
	size_t len = (nbits + 7) / 8;

	memset(out, 0, len);
	for (unsigned n = 0; n < nbits && n < 64; n++)
		if (value & (UINT64_C(1) << n))
			out[n / 8] |= (uint8_t)(0x80u >> (n % 8));
	return len;
}

size_t ax_date(usec_t wall_us, uint8_t out[AX_DATE_LEN])
{
	time_t t = (time_t)(wall_us / USEC_PER_SEC);
	struct tm tm;

	if (wall_us == 0 || !gmtime_r(&t, &tm)) {
		memset(out, 0, AX_DATE_NEVER);
		return AX_DATE_NEVER;
	}
	unsigned year = (unsigned)tm.tm_year + 1900;

	out[0] = (uint8_t)(year >> 8);
	out[1] = (uint8_t)year;
	out[2] = (uint8_t)(tm.tm_mon + 1);
	out[3] = (uint8_t)tm.tm_mday;
	out[4] = (uint8_t)tm.tm_hour;
	out[5] = (uint8_t)tm.tm_min;
	out[6] = (uint8_t)MIN(tm.tm_sec, 60);
	out[7] = (uint8_t)(wall_us % USEC_PER_SEC / 100000);
	out[8] = '+';
	out[9] = 0;
	out[10] = 0;
	return AX_DATE_LEN;
}

int ax_parse_iso8601(const char *s, usec_t *out)
{
	struct tm tm = { 0 };
	int n = 0;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n == 0 || s[n])
		return -EINVAL;
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*out = (usec_t)t * USEC_PER_SEC;
	return 0;
}

int ax_inet(const char *text, int *type, uint8_t out[16])
{
	*type = AX_INET_UNKNOWN;
	if (!text)
		return -EINVAL;
	if (inet_pton(AF_INET, text, out) == 1) {
		*type = AX_INET_IPV4;
		return 4;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*type = AX_INET_IPV6;
		return 16;
	}
	return -EINVAL;
}

size_t ax_nodeset(const uint32_t *pnns, size_t n, uint8_t *out, size_t max)
{
	size_t len = 0;

	memset(out, 0, max);
	for (size_t i = 0; i < n; i++) {
		if (pnns[i] / 8 >= max)
			continue;
		out[pnns[i] / 8] |= (uint8_t)(0x80u >> (pnns[i] % 8));
		len = MAX(len, (size_t)pnns[i] / 8 + 1);
	}
	return len;
}

int ax_index_string(const char *s, bool implied, uint32_t *out, size_t max)
{
	size_t len = strlen(s), n = 0;

	if (len + !implied > max)
		return -ENOSPC;
	if (!implied)
		out[n++] = (uint32_t)len;
	for (size_t i = 0; i < len; i++)
		out[n++] = (uint8_t)s[i];
	return (int)n;
}

int ax_index_inet(int type, const uint8_t *addr, size_t len, uint32_t *out, size_t max)
{
	if (len + 2 > max)
		return -ENOSPC;
	out[0] = (uint32_t)type;
	out[1] = (uint32_t)len;
	for (size_t i = 0; i < len; i++)
		out[2 + i] = addr[i];
	return (int)len + 2;
}

/* The next character of a label or name that counts, lower-cased. */
static const char *next_sig(const char *p, int *c)
{
	while (*p == '-' || *p == '_')
		p++;
	*c = tolower((unsigned char)*p);
	return *p ? p + 1 : p;
}

static bool label_eq(const char *label, const char *name)
{
	for (;;) {
		int a, b;

		label = next_sig(label, &a);
		name = next_sig(name, &b);
		if (a != b)
			return false;
		if (!a)
			return true;
	}
}

int ax_enum(const char *const *labels, size_t n, const char *name)
{
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (label_eq(labels[i], name))
			return (int)i + 1;
	return 0;
}

int ax_parse_link_subject(const char *subject, uint32_t *link, uint32_t *pnn)
{
	unsigned l, p;
	int n = 0;

	if (!subject || sscanf(subject, "link %u to node %u is %n", &l, &p, &n) != 2 || n == 0)
		return -EINVAL;
	*link = l;
	*pnn = p;
	return 0;
}

int ax_parse_iface_subject(const char *subject, char *name, size_t len)
{
	const char *p, *end;

	if (!subject || strncmp(subject, "interface ", 10) != 0)
		return -EINVAL;
	p = subject + 10;
	end = strchr(p, ' ');
	if (!end || end == p || (size_t)(end - p) >= len)
		return -EINVAL;
	memcpy(name, p, (size_t)(end - p));
	name[end - p] = '\0';
	return 0;
}

int ax_parse_ip_subject(const char *subject, char *addr, size_t len)
{
	size_t n;
	int type;
	uint8_t buf[16];

	if (!subject)
		return -EINVAL;
	n = strcspn(subject, " ");
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(addr, subject, n);
	addr[n] = '\0';
	return ax_inet(addr, &type, buf) < 0 ? -EINVAL : 0;
}
