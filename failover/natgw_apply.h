/*
 * natgw_apply.h — put a NAT gateway plan (failover/natgw.h) into the
 * kernel, and take it out again. It decides nothing.
 *
 * A plan is a set of items: IP forwarding, the public address (through
 * failover/ipaddr.h), the nftables table herd_natgw (libnftables) and
 * routes (libnl-route-3, main table, protocol static, with a metric). The
 * object remembers what it applied, so that natgw_apply() can move from
 * one plan to the next: first it removes the items of the old plan that
 * the new one does not have (routes, then the table, the address, and
 * forwarding), then it (re)applies every item of the new plan (forwarding,
 * address, table, routes). Applying is idempotent and repairs drift: an
 * address already there is fine, the nft script replaces the table in one
 * transaction, routes are added with NLM_F_REPLACE (so a master's default
 * route and a slave's, same destination and metric, swap cleanly).
 * Removing something already gone is not an error.
 *
 * Forwarding is switched on for the master's family and, when the master
 * role goes, put back to what it was before (CTDB leaves it on; herd
 * restores what it found).
 *
 * Kernel state belongs to the network namespace that was current when
 * natgw_apply_new() ran (netlink and nft sockets); the forwarding sysctl is
 * written in the caller's current namespace. Every call is a few
 * synchronous netlink exchanges, safe in the event loop.
 *
 * Errors: every function returns 0 or the first -errno met; after an error
 * natgw_apply() still does all it can, and counts as in place every item of
 * the new plan (added or not) and every old item it failed to remove, so
 * that the next call or natgw_apply_clear() retries the removal.
 * natgw_apply_error() gives a line saying what failed (libnftables' own
 * message for the table). Nothing here logs.
 */
#ifndef HERD_FAILOVER_NATGW_APPLY_H
#define HERD_FAILOVER_NATGW_APPLY_H

#include "failover/natgw.h"

struct natgw_apply;

/* Open the netlink and nftables contexts. Nothing is applied yet. */
int natgw_apply_new(struct natgw_apply **out);

/* Free the object; leaves the kernel as it is (call natgw_apply_clear() first). */
void natgw_apply_free(struct natgw_apply *a);

/* Move from what is applied to plan (NULL: the empty plan). */
int natgw_apply(struct natgw_apply *a, const struct natgw_plan *plan);

/* Remove everything applied (shutdown, NAT gateway unconfigured). */
int natgw_apply_clear(struct natgw_apply *a);

/* What the last failing call failed at, "" if the last call succeeded. */
const char *natgw_apply_error(const struct natgw_apply *a);

#endif
