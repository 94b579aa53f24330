/*
 * agentx_enc.h — the SNMP encodings herd-agentx needs, as pure functions:
 * BITS, DateAndTime, InetAddress, HerdNodeSet, table index sub-identifiers,
 * enumeration labels, and the few event subjects whose words name a table
 * row (a link, an interface, a public address).
 *
 * No net-snmp and no JSON here: bytes and numbers in, bytes and numbers out,
 * so the unit tests can check every encoding against the MIB by table. What
 * a value means (which JSON field, which MIB object) is agentx_model's
 * business; how it is put on the wire is agentx_snmp's.
 */
#ifndef HERD_AGENTX_ENC_H
#define HERD_AGENTX_ENC_H

#include "agentd/util.h"

/* InetAddressType (INET-ADDRESS-MIB). */
#define AX_INET_UNKNOWN 0
#define AX_INET_IPV4    1
#define AX_INET_IPV6    2

/* DateAndTime is 8 octets (local time, no zone) or 11 (with a zone). */
#define AX_DATE_LEN     11
#define AX_DATE_NEVER   8       /* '0000000000000000'H: never or unknown */

/*
 * BITS: bit n of value (CTDB's flag 2^n) is bit n of the BITS value, which
 * is the most significant bit of octet n / 8 counted from the top. Writes
 * (nbits + 7) / 8 octets; returns that length.
 */
size_t ax_bits(uint64_t value, unsigned nbits, uint8_t *out);

/*
 * DateAndTime in UTC from wall-clock microseconds: 11 octets (year, month,
 * day, hour, minutes, seconds, deci-seconds, '+', 0, 0); 0 gives the 8 zero
 * octets of "never". Returns the length written.
 */
size_t ax_date(usec_t wall_us, uint8_t out[AX_DATE_LEN]);

/* "2026-11-23T14:25:29Z" (what herdd prints) to microseconds: 0 or -EINVAL. */
int ax_parse_iso8601(const char *s, usec_t *out);

/*
 * An IPv4 or IPv6 address in text to InetAddressType and its 4 or 16
 * octets. Returns the octet count (4 or 16), or -EINVAL (type unknown(0)).
 */
int ax_inet(const char *text, int *type, uint8_t out[16]);

/*
 * HerdNodeSet: node p is bit (0x80 >> p % 8) of octet p / 8; trailing zero
 * octets are left out. pnns need not be sorted; numbers >= max * 8 are
 * ignored. Returns the length.
 */
size_t ax_nodeset(const uint32_t *pnns, size_t n, uint8_t *out, size_t max);

/*
 * Table index sub-identifiers (RFC 2578 7.7). A string index is its length
 * then one sub-identifier per octet; an IMPLIED one leaves the length out.
 * An InetAddress index is its type, its length, its octets. Each returns the
 * number of sub-identifiers written at out, or -ENOSPC when over max.
 */
int ax_index_string(const char *s, bool implied, uint32_t *out, size_t max);
int ax_index_inet(int type, const uint8_t *addr, size_t len, uint32_t *out, size_t max);

/*
 * An enumeration label from herdd's name: "not-needed" is notNeeded,
 * "PARTIALLYONLINE" is partiallyOnline, "NOT_RUN" is notRun (compared
 * without case, hyphens and underscores). labels[i] has the value i + 1.
 * Returns the value, or 0 when the name is none of them.
 */
int ax_enum(const char *const *labels, size_t n, const char *name);

/* "link 1 to node 2 is down": 0 with *link and *pnn, or -EINVAL. */
int ax_parse_link_subject(const char *subject, uint32_t *link, uint32_t *pnn);
/* "interface pub0 is down": 0 with the name, or -EINVAL. */
int ax_parse_iface_subject(const char *subject, char *name, size_t len);
/* "10.1.1.1 taken over", "... released", "... moved to eth1": the address. */
int ax_parse_ip_subject(const char *subject, char *addr, size_t len);

#endif
