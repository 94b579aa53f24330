/*
 * iflink.h — link state of this node's interfaces, kept current from
 * rtnetlink notifications on the event loop (libnl's link cache through a
 * cache manager, its socket watched with sd_event_add_io).
 *
 * An interface is "up" when it is administratively up and its operational
 * state lets traffic through (IFF_UP and IFF_RUNNING: a cable pulled, a
 * veth whose peer is down, a bond with no slave — all count as down).
 * The callback fires for every interface that appears (with its state),
 * changes between up and down, or disappears (up = false). Changes are
 * level-triggered: a down-and-up within one batch of notifications may be
 * reported as nothing at all, since the state ends where it began. If the
 * kernel drops notifications (socket overrun), the cache is re-read and
 * the differences reported, so no change is lost for good.
 *
 * Nothing here logs; errors are returned as -errno. The callback must not
 * free the iflink.
 */
#ifndef HERD_FAILOVER_IFLINK_H
#define HERD_FAILOVER_IFLINK_H

#include <net/if.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

struct iflink;

typedef void (*iflink_cb)(struct iflink *il, const char *ifname, int ifindex, bool up,
			  void *userdata);

/*
 * Read the link table of the current network namespace and start
 * watching it on e. The interfaces present now are not reported through
 * cb; ask iflink_is_up() for them.
 */
int iflink_new(sd_event *e, iflink_cb cb, void *userdata, struct iflink **out);
void iflink_free(struct iflink *il);

/* 1 up, 0 down, -ENODEV when no such interface is known. */
int iflink_is_up(const struct iflink *il, const char *ifname);

/* The number of interfaces known, and the i-th one's name and state. */
size_t iflink_count(const struct iflink *il);
const char *iflink_get(const struct iflink *il, size_t i, int *ifindex, bool *up);

#endif
