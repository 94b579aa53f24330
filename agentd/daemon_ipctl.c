/*
 * daemon_ipctl.c — the public-address admin verbs (moveip, reloadips,
 * addip, delip) and the JSON of herdctl ip, ifaces and statistics; see
 * daemon_cluster.h. The state they read is daemon_ip.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/clusterop.h"
#include "agentd/daemon_ip.h"
#include "agentd/daemon_ip_private.h"
#include "agentd/log.h"
#include "failover/iflink.h"
#include "failover/ipalloc.h"

/* ---- admin verbs --------------------------------------------------------- */

int cluster_admin_moveip(struct cluster *c, const struct sockaddr_storage *addr, uint32_t pnn,
			 char *err, size_t errlen)
{
	struct ipop_ip ip = { .addr = *addr, .pnn = pnn };
	struct herd_control req = { .opcode = HERD_OP_MOVEIP, .flags = HERD_CTRL_F_NOREPLY };
	uint32_t leader = ST(c)->leader;
	struct wbuf w;
	int r;

	if (pnn >= c->npeers || (ST(c)->nodes[pnn].flags & NODE_FLAG_DELETED)) {
		snprintf(err, errlen, "there is no node %u", pnn);
		return -ENOENT;
	}
	if (!ipalloc_node_can_host(node_flags(c, pnn))) {
		char fl[128];

		snprintf(err, errlen, "node %u cannot host addresses (flags %s)", pnn,
			 node_flags_format(fl, sizeof(fl), node_flags(c, pnn)));
		return -EHOSTUNREACH;
	}
	if (leader == PNN_NONE) {
		snprintf(err, errlen, "there is no leader to move the address");
		return -EAGAIN;
	}
	r = encode_ips(0, &ip, 1, NULL, 0, false, &w);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	if (leader == self(c)) {
		req.data = w.data;
		req.datalen = (uint32_t)w.len;
		ip_on_control(c, self(c), &req);
	} else {
		r = cluster_send(c, leader, HERD_OP_MOVEIP, w.data, w.len, ++c->reqid,
				 HERD_CTRL_F_NOREPLY);
		if (r < 0)
			snprintf(err, errlen, "cannot reach the leader (node %u): %s", leader,
				 strerror(-r));
	}
	wbuf_free(&w);
	return r < 0 ? r : 0;
}

int cluster_admin_reloadips(struct cluster *c, char *err, size_t errlen)
{
	int r = herdd_reload(c->d, false, err, errlen);

	if (r < 0)
		return r;
	(void)cluster_send(c, HERD_PNN_BROADCAST, HERD_OP_RELOADIPS, NULL, 0, ++c->reqid,
			   HERD_CTRL_F_NOREPLY);
	return 0;
}

int cluster_admin_addip(struct cluster *c, const struct conf_pubaddr *pa, char *err,
			size_t errlen)
{
	struct ipglue *g = G(c);
	struct pubip *set;
	char buf[64];

	if (find_ip(g, &pa->addr)) {
		snprintf(err, errlen, "%s is a public address of this node already",
			 fmt_addr(&pa->addr, buf, sizeof(buf)));
		return -EEXIST;
	}
	set = realloc(g->ips, (g->nips + 1) * sizeof(*set));
	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	g->ips = set;
	g->ips[g->nips++] = (struct pubip){ .pa = *pa, .runtime = true };
	log_notice("public address %s added (addip)", fmt_addr(&pa->addr, buf, sizeof(buf)));
	interfaces_changed(c, "a public address was added");
	return 0;
}

int cluster_admin_delip(struct cluster *c, const struct sockaddr_storage *addr, char *err,
			size_t errlen)
{
	struct ipglue *g = G(c);
	struct pubip *ip = find_ip(g, addr);
	char buf[64];

	if (!ip) {
		snprintf(err, errlen, "%s is not a public address of this node",
			 fmt_addr(addr, buf, sizeof(buf)));
		return -ENOENT;
	}
	if (ip->ifname[0])
		(void)release_one(c, ip, NULL, NULL);
	*ip = g->ips[--g->nips];
	log_notice("public address %s deleted (delip)", fmt_addr(addr, buf, sizeof(buf)));
	interfaces_changed(c, "a public address was deleted");
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static int json_addr_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	struct json_object *fx, *fy, *kx, *ky;

	json_object_object_get_ex(x, "family", &fx);
	json_object_object_get_ex(y, "family", &fy);
	if (json_object_get_int(fx) != json_object_get_int(fy))
		return json_object_get_int(fx) - json_object_get_int(fy);
	json_object_object_get_ex(x, "sort_key", &kx);
	json_object_object_get_ex(y, "sort_key", &ky);
	return strcmp(json_object_get_string(kx), json_object_get_string(ky));
}

static struct json_object *addr_json(struct cluster *c, const struct sockaddr_storage *addr,
				     unsigned prefix)
{
	struct json_object *o = json_object_new_object();
	char buf[64], key[40] = "";
	const uint8_t *b = addr->ss_family == AF_INET
				   ? (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr
				   : (const uint8_t *)&((const struct sockaddr_in6 *)addr)->sin6_addr;

	for (int i = 0; i < (addr->ss_family == AF_INET ? 4 : 16); i++)
		snprintf(key + 2 * i, sizeof(key) - 2 * (size_t)i, "%02x", b[i]);
	json_object_object_add(o, "address", json_object_new_string(fmt_addr(addr, buf, sizeof(buf))));
	json_object_object_add(o, "prefix", json_object_new_int((int)prefix));
	json_object_object_add(o, "family", json_object_new_int(addr->ss_family == AF_INET ? 4 : 6));
	json_object_object_add(o, "sort_key", json_object_new_string(key));
	(void)c;
	return o;
}

static struct json_object *pnn_json(uint32_t pnn)
{
	return pnn == PNN_NONE ? NULL : json_object_new_int64(pnn);
}

struct json_object *cluster_ip_json(struct cluster *c)
{
	struct ipglue *g = G(c);
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	size_t total = g->nips + g->nmap, n = 0;
	_cleanup_(freep) struct json_object **items = calloc(MAX(total, (size_t)1), sizeof(*items));

	if (!items)
		return o;
	/* The leader's assignment, then this node's own addresses. */
	for (size_t i = 0; i < g->nmap; i++) {
		struct json_object *a = addr_json(c, &g->map[i].addr, g->map[i].prefix);
		struct json_object *may = json_object_new_array();

		json_object_object_add(a, "pnn", pnn_json(g->map[i].pnn));
		for (uint32_t p = 0; p < HERD_MAX_NODES; p++)
			if (g->map_allowed[i][p / 8] & (1u << (p % 8)))
				json_object_array_add(may, json_object_new_int64(p));
		json_object_object_add(a, "may_host", may);
		items[n++] = a;
	}
	for (size_t i = 0; i < g->nips; i++) {
		const struct pubip *ip = &g->ips[i];
		struct json_object *a = NULL, *ifs = json_object_new_array();
		struct json_object *avail = json_object_new_array();

		for (size_t k = 0; k < g->nmap && !a; k++)
			if (sockaddr_equal_addr(&g->map[k].addr, &ip->pa.addr))
				a = items[k];
		if (!a) {
			a = addr_json(c, &ip->pa.addr, ip->pa.prefix);
			json_object_object_add(a, "pnn", ip->ifname[0] ? json_object_new_int64(self(c))
								       : NULL);
			json_object_object_add(a, "may_host", NULL);
			items[n++] = a;
		}
		for (size_t k = 0; k < ip->pa.nifaces; k++) {
			json_object_array_add(ifs, json_object_new_string(ip->pa.ifaces[k]));
			if (iface_up(g, ip->pa.ifaces[k]))
				json_object_array_add(avail, json_object_new_string(ip->pa.ifaces[k]));
		}
		json_object_object_add(a, "interfaces", ifs);
		json_object_object_add(a, "available_interfaces", avail);
		json_object_object_add(a, "active_interface",
				       ip->ifname[0] ? json_object_new_string(ip->ifname) : NULL);
		json_object_object_add(a, "runtime", json_object_new_boolean(ip->runtime));
	}
	qsort(items, n, sizeof(*items), json_addr_cmp);
	for (size_t i = 0; i < n; i++) {
		json_object_object_del(items[i], "sort_key");
		json_object_object_del(items[i], "family");
		json_object_array_add(list, items[i]);
	}
	json_object_object_add(o, "pnn", json_object_new_int64(self(c)));
	json_object_object_add(o, "assigned", herdd_json_time(g->map_wall));
	json_object_object_add(o, "addresses", list);
	return o;
}

struct json_object *cluster_ifaces_json(struct cluster *c)
{
	struct ipglue *g = G(c);
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	const char *seen[MAX_IFACES];
	size_t nseen = 0;

	for (size_t i = 0; i < g->nips; i++) {
		for (size_t k = 0; k < g->ips[i].pa.nifaces; k++) {
			const char *name = g->ips[i].pa.ifaces[k];
			struct json_object *it;
			size_t refs = 0, s;
			int up = g->il ? iflink_is_up(g->il, name) : -ENODEV;

			for (s = 0; s < nseen; s++)
				if (streq(seen[s], name))
					break;
			if (s < nseen || nseen == ARRAY_SIZE(seen))
				continue;
			seen[nseen++] = name;
			for (size_t j = 0; j < g->nips; j++)
				if (streq(g->ips[j].ifname, name))
					refs++;
			it = json_object_new_object();
			json_object_object_add(it, "name", json_object_new_string(name));
			json_object_object_add(it, "link", json_object_new_string(
				up == 1 ? "up" : up == 0 ? "down" : "missing"));
			json_object_object_add(it, "references", json_object_new_int64((int64_t)refs));
			json_object_array_add(list, it);
		}
	}
	json_object_object_add(o, "pnn", json_object_new_int64(self(c)));
	json_object_object_add(o, "health", json_object_new_string(ifhealth_name(g->ifh)));
	json_object_object_add(o, "interfaces", list);
	return o;
}

#define ADD_U64(obj, name, v) json_object_object_add(obj, name, json_object_new_int64((int64_t)(v)))

void cluster_ip_statistics_json(struct cluster *c, struct json_object *stats)
{
	struct ipglue *g = G(c);
	struct json_object *o = json_object_new_object();

	ADD_U64(o, "takeover_runs", g->runs);
	ADD_U64(o, "takeover_runs_incomplete", g->runs_incomplete);
	ADD_U64(o, "last_takeover_run_ms", g->last_run / USEC_PER_MSEC);
	ADD_U64(o, "max_takeover_run_ms", g->max_run / USEC_PER_MSEC);
	ADD_U64(o, "takeovers", g->takeovers);
	ADD_U64(o, "releases", g->releases);
	ADD_U64(o, "updates", g->updates);
	ADD_U64(o, "take_failures", g->take_failures);
	ADD_U64(o, "arp_rounds", g->arp_rounds);
	ADD_U64(o, "arp_failures", g->arp_failures);
	ADD_U64(o, "tickles_sent", g->tickles_sent);
	ADD_U64(o, "connections_handed_over", g->conns_handed);
	ADD_U64(o, "public_addresses", g->nips);
	{
		size_t hosted = 0;

		for (size_t i = 0; i < g->nips; i++)
			hosted += g->ips[i].ifname[0] != 0;
		ADD_U64(o, "hosted_addresses", hosted);
	}
	json_object_object_add(stats, "failover", o);
}
