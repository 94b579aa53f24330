/*
 * iflink.c — interface link monitoring for failover: libnl's link cache,
 * kept current by a cache manager whose netlink socket (subscribed to
 * RTNLGRP_LINK) is watched on sd-event, and a small table of what was last
 * reported per ifindex, so that the callback sees transitions only.
 *
 * The cache manager's socket is only a doorbell: on every batch of
 * notifications the cache is refilled with a fresh dump and the table is
 * compared with it. That keeps one code path for ordinary notifications
 * and for an overrun (ENOBUFS), where nobody can say what changed, and it
 * does not depend on libnl's incremental update (which, in libnl 3.7,
 * missed the removal of a veth pair). A node has a handful of links; a
 * dump costs well under a millisecond.
 */
#include <stdio.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "failover/iflink.h"
#include "failover/nlerr.h"

struct iflink_entry {
	int ifindex;
	bool up;
	bool seen; /* present in the cache during the current comparison */
	char name[IF_NAMESIZE];
};

struct iflink {
	sd_event_source *io;
	struct nl_cache_mngr *mngr;
	struct nl_cache *cache;         /* owned by mngr */
	struct nl_sock *sync_sk;        /* for the dumps that refill the cache */
	iflink_cb cb;
	void *userdata;
	struct iflink_entry *ents;
	size_t n, cap;
};

static bool link_is_up(struct rtnl_link *l)
{
	unsigned flags = rtnl_link_get_flags(l);

	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static struct iflink_entry *entry_by_index(struct iflink *il, int ifindex)
{
	for (size_t i = 0; i < il->n; i++)
		if (il->ents[i].ifindex == ifindex)
			return &il->ents[i];
	return NULL;
}

static void name_of(struct rtnl_link *l, char name[IF_NAMESIZE])
{
	const char *s = rtnl_link_get_name(l);

	snprintf(name, IF_NAMESIZE, "%s", s ? s : "");
}

/* Compare the cache with the table; report (when report) and update. */
static int sync_table(struct iflink *il, bool report)
{
	for (size_t i = 0; i < il->n; i++)
		il->ents[i].seen = false;

	for (struct nl_object *o = nl_cache_get_first(il->cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		int ifindex = rtnl_link_get_ifindex(l);
		bool up = link_is_up(l);
		struct iflink_entry *e = entry_by_index(il, ifindex);

		if (!e) {
			if (il->n == il->cap) {
				size_t cap = il->cap ? il->cap * 2 : 16;
				struct iflink_entry *ents = reallocarray(il->ents, cap, sizeof(*ents));

				if (!ents)
					return -ENOMEM;
				il->ents = ents;
				il->cap = cap;
			}
			e = &il->ents[il->n++];
			e->ifindex = ifindex;
			e->up = up;
			e->seen = true;
			name_of(l, e->name);
			if (report && il->cb)
				il->cb(il, e->name, ifindex, up, il->userdata);
			continue;
		}
		e->seen = true;
		name_of(l, e->name); /* follows renames */
		if (e->up != up) {
			e->up = up;
			if (report && il->cb)
				il->cb(il, e->name, ifindex, up, il->userdata);
		}
	}

	for (size_t i = 0; i < il->n;) {
		struct iflink_entry gone = il->ents[i];

		if (gone.seen) {
			i++;
			continue;
		}
		il->ents[i] = il->ents[--il->n];
		if (report && il->cb)
			il->cb(il, gone.name, gone.ifindex, false, il->userdata);
	}
	return 0;
}

static void on_change(struct nl_cache *cache, struct nl_object *obj, int action, void *data)
{
	/* Noted by sync_table() after the batch; see the top of the file. */
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct iflink *il = userdata;

	/*
	 * Drain the notifications (an error here is an overrun or a message
	 * libnl could not parse: the dump below covers both), then read the
	 * whole table again; see the top of the file.
	 */
	(void)nl_cache_mngr_data_ready(il->mngr);
	if (nl_cache_refill(il->sync_sk, il->cache) < 0)
		return 0; /* keep the old view; the next notification retries */
	sync_table(il, true);
	return 0;
}

int iflink_new(sd_event *e, iflink_cb cb, void *userdata, struct iflink **out)
{
	struct iflink *il;
	int r;

	il = calloc(1, sizeof(*il));
	if (!il)
		return -ENOMEM;
	il->cb = cb;
	il->userdata = userdata;

	il->sync_sk = nl_socket_alloc();
	if (!il->sync_sk) {
		r = -ENOMEM;
		goto fail;
	}
	r = nlerr_to_errno(nl_connect(il->sync_sk, NETLINK_ROUTE));
	if (r < 0)
		goto fail;
	/* Flags 0, not NL_AUTO_PROVIDE: no process-wide cache in libnl. */
	r = nlerr_to_errno(nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &il->mngr));
	if (r < 0)
		goto fail;
	r = nlerr_to_errno(nl_cache_mngr_add(il->mngr, "route/link", on_change, il, &il->cache));
	if (r < 0)
		goto fail;
	r = sync_table(il, false);
	if (r < 0)
		goto fail;
	r = sd_event_add_io(e, &il->io, nl_cache_mngr_get_fd(il->mngr), EPOLLIN, on_io, il);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_description(il->io, "iflink");
	*out = il;
	return 0;
fail:
	iflink_free(il);
	return r;
}

void iflink_free(struct iflink *il)
{
	if (!il)
		return;
	sd_event_source_disable_unref(il->io);
	if (il->mngr)
		nl_cache_mngr_free(il->mngr);
	nl_socket_free(il->sync_sk);
	free(il->ents);
	free(il);
}

int iflink_is_up(const struct iflink *il, const char *ifname)
{
	for (size_t i = 0; i < il->n; i++)
		if (streq(il->ents[i].name, ifname))
			return il->ents[i].up;
	return -ENODEV;
}

size_t iflink_count(const struct iflink *il)
{
	return il->n;
}

const char *iflink_get(const struct iflink *il, size_t i, int *ifindex, bool *up)
{
	if (i >= il->n)
		return NULL;
	if (ifindex)
		*ifindex = il->ents[i].ifindex;
	if (up)
		*up = il->ents[i].up;
	return il->ents[i].name;
}
