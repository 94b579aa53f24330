/*
 * ctlcmd.c — the verbs herdd answers on its control socket, and the JSON
 * each returns. herdctl's -j prints these objects as they are; the text
 * output is herdctl's business. Keep field names stable: scripts read them.
 */
#include <stdio.h>

#include "agentd/daemon.h"
#include "agentd/daemon_notify.h"
#include "agentd/log.h"
#include "conf/pubaddr.h"
#include "conf/value.h"

static struct json_object *json_pnn(uint32_t pnn)
{
	return pnn == PNN_NONE ? NULL : json_object_new_int64(pnn);
}

static struct json_object *node_json(const struct herd_state *st, const struct node_state *ns)
{
	struct json_object *o = json_object_new_object(), *addrs = json_object_new_array();
	char buf[128];

	for (size_t i = 0; i < ns->naddrs; i++)
		json_object_array_add(addrs, json_object_new_string(
			sockaddr_format(buf, sizeof(buf), &ns->addrs[i])));
	json_object_object_add(o, "pnn", json_object_new_int64(ns->pnn));
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "flags", json_object_new_int64(ns->flags));
	json_object_object_add(o, "flags_text", json_object_new_string(
		node_flags_format(buf, sizeof(buf), ns->flags)));
	json_object_object_add(o, "state", json_object_new_string(
		node_summary_name(node_summary(ns->flags))));
	json_object_object_add(o, "capabilities", json_object_new_int64(ns->caps));
	json_object_object_add(o, "capabilities_text", json_object_new_string(
		node_caps_format(buf, sizeof(buf), ns->caps)));
	json_object_object_add(o, "this_node", json_object_new_boolean(ns->pnn == st->pnn));
	json_object_object_add(o, "leader", json_object_new_boolean(ns->pnn == st->leader));
	json_object_object_add(o, "changed", herdd_json_time(ns->changed_wall));
	return o;
}

static int cmd_ping(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		    char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = json_object_new_object();
	json_object_object_add(*reply, "pnn", json_pnn(d->st->pnn));
	json_object_object_add(*reply, "pid", json_object_new_int64(getpid()));
	return 0;
}

static int cmd_version(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		       char *err, size_t errlen, void *userdata)
{
	*reply = json_object_new_object();
	json_object_object_add(*reply, "version", json_object_new_string(HERD_PKG_VERSION));
	return 0;
}

static int cmd_status(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	*reply = herdd_status_json(userdata);
	return 0;
}

struct json_object *herdd_status_json(struct herdd *d)
{
	const struct herd_state *st = d->st;
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();
	size_t count[NODE_DELETED + 1] = { 0 };

	for (size_t i = 0; i < st->nnodes; i++) {
		struct json_object *n = node_json(st, &st->nodes[i]);

		if (d->cl && !(st->nodes[i].flags & NODE_FLAG_DELETED))
			cluster_node_json(d->cl, (uint32_t)i, n);
		json_object_array_add(nodes, n);
		count[node_summary(st->nodes[i].flags)]++;
	}
	json_object_object_add(o, "cluster", json_object_new_string(d->cf->cluster_name));
	json_object_object_add(o, "pnn", json_pnn(st->pnn));
	json_object_object_add(o, "node_count", json_object_new_int64(
		(int64_t)(st->nnodes - count[NODE_DELETED])));
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "generation", json_object_new_int64(st->generation));
	json_object_object_add(o, "leader", json_pnn(st->leader));
	json_object_object_add(o, "recovery_mode", json_object_new_string(
		recovery_mode_name(st->recmode)));
	json_object_object_add(o, "recovery_lock", json_object_new_string(
		d->cf->recovery_lock[0] ? d->cf->recovery_lock : ""));
	if (!d->cf->recovery_lock[0])
		json_object_object_add(o, "warning", json_object_new_string(
			"no recovery lock configured: split brain is possible"));
	if (d->cl)
		cluster_status_json(d->cl, o);
	return o;
}

static int cmd_uptime(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	struct json_object *o = json_object_new_object();
	usec_t now = now_realtime();

	json_object_object_add(o, "pnn", json_pnn(d->st->pnn));
	json_object_object_add(o, "current_time", herdd_json_time(now));
	json_object_object_add(o, "start_time", herdd_json_time(d->start_wall));
	json_object_object_add(o, "uptime_seconds", json_object_new_double(
		(double)(now_monotonic() - d->start_mono) / (double)USEC_PER_SEC));
	if (d->cl) {
		usec_t start, finish, dur;

		cluster_recovery_times(d->cl, &start, &finish, &dur);
		json_object_object_add(o, "last_recovery_start", herdd_json_time(start));
		json_object_object_add(o, "last_recovery_finish", herdd_json_time(finish));
		json_object_object_add(o, "last_recovery_duration_ms",
				       json_object_new_int64((int64_t)(dur / USEC_PER_MSEC)));
	}
	json_object_object_add(o, "last_reload", herdd_json_time(d->reload_wall));
	json_object_object_add(o, "reloads", json_object_new_int64((int64_t)d->reloads));
	json_object_object_add(o, "reload_failures", json_object_new_int64((int64_t)d->reload_failures));
	json_object_object_add(o, "last_reload_error", d->reload_error[0] ?
		json_object_new_string(d->reload_error) : NULL);
	*reply = o;
	return 0;
}

static int cmd_reload(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	int r;

	log_notice("reload requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	r = herdd_reload(d, false, err, errlen);
	if (r < 0)
		return r;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "reloaded", json_object_new_boolean(true));
	json_object_object_add(*reply, "file", json_object_new_string(d->cf->file));
	return 0;
}

static int cmd_statistics(struct ctl_conn *c, struct json_object *args,
			  struct json_object **reply, char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	const struct ctlsrv_stats *cs = ctlsrv_get_stats(d->ctl);
	struct json_object *o = json_object_new_object(), *ctl = json_object_new_object();

	json_object_object_add(ctl, "clients", json_object_new_int64((int64_t)ctlsrv_nconns(d->ctl)));
	json_object_object_add(ctl, "accepted", json_object_new_int64((int64_t)cs->accepted));
	json_object_object_add(ctl, "refused", json_object_new_int64((int64_t)cs->refused));
	json_object_object_add(ctl, "requests", json_object_new_int64((int64_t)cs->requests));
	json_object_object_add(ctl, "denied", json_object_new_int64((int64_t)cs->denied));
	json_object_object_add(ctl, "bad_frames", json_object_new_int64((int64_t)cs->bad_frames));
	json_object_object_add(ctl, "unknown_verbs", json_object_new_int64((int64_t)cs->unknown_verbs));
	{
		struct json_object *verbs = json_object_new_object();

		for (size_t i = 0; i < herdd_nverbs; i++)
			json_object_object_add(verbs, herdd_verbs[i].name, json_object_new_int64(
				(int64_t)ctlsrv_verb_requests(d->ctl, i)));
		json_object_object_add(ctl, "by_verb", verbs);
	}
	json_object_object_add(o, "control", ctl);
	json_object_object_add(o, "reloads", json_object_new_int64((int64_t)d->reloads));
	json_object_object_add(o, "reload_failures", json_object_new_int64((int64_t)d->reload_failures));
	if (d->cl) {
		cluster_statistics_json(d->cl, o);
		cluster_ip_statistics_json(d->cl, o);
		cluster_roles_statistics_json(d->cl, o);
		notify_log_stats_json(d, o);
	}
	*reply = o;
	return 0;
}

/* Optional integer argument: 0 absent, 1 present, -EINVAL wrong type. */
static int arg_int(struct json_object *args, const char *key, int64_t min, int64_t max,
		   int64_t *out, char *err, size_t errlen)
{
	struct json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min ||
	    json_object_get_int64(v) > max) {
		snprintf(err, errlen, "'%s' must be a whole number from %lld to %lld", key,
			 (long long)min, (long long)max);
		return -EINVAL;
	}
	*out = json_object_get_int64(v);
	return 1;
}

static int arg_str(struct json_object *args, const char *key, const char **out,
		   char *err, size_t errlen)
{
	struct json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "'%s' must be a string", key);
		return -EINVAL;
	}
	*out = json_object_get_string(v);
	return 1;
}

static int cmd_events(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	int64_t since_seq = 0, since_wall = 0, node = -1, limit = 100;
	const char *tname = NULL;
	int type = 0, r;
	struct json_object *list, *o;
	size_t first;

	if ((r = arg_int(args, "since_seq", 0, INT64_MAX, &since_seq, err, errlen)) < 0 ||
	    (r = arg_int(args, "since_wall_us", 0, INT64_MAX, &since_wall, err, errlen)) < 0 ||
	    (r = arg_int(args, "node", 0, UINT32_MAX - 1, &node, err, errlen)) < 0 ||
	    (r = arg_int(args, "limit", 1, 100000, &limit, err, errlen)) < 0 ||
	    (r = arg_str(args, "type", &tname, err, errlen)) < 0)
		return r;
	if (tname && (type = event_type_from_name(tname)) < 0) {
		size_t off = (size_t)snprintf(err, errlen, "unknown event type '%s'; expected one of:",
					      tname);

		for (int t = 1; t < EV__MAX && off < errlen; t++)
			off += (size_t)snprintf(err + off, errlen - off, "%s %s", t > 1 ? "," : "",
						event_type_name(t));
		return -EINVAL;
	}
	/* From the persistent log when there is one: it survives restarts. */
	{
		struct herd_event *evs = NULL;
		size_t nev = 0;

		r = notify_events_query(d, (uint64_t)since_seq, (usec_t)since_wall, type, node,
					(size_t)limit, &evs, &nev);
		if (r >= 0) {
			list = json_object_new_array();
			for (size_t i = 0; i < nev; i++)
				json_object_array_add(list, herdd_event_json(&evs[i]));
			free(evs);
			o = json_object_new_object();
			json_object_object_add(o, "events", list);
			json_object_object_add(o, "next_seq",
					       json_object_new_int64((int64_t)d->events.next_seq));
			json_object_object_add(o, "dropped", json_object_new_int64(0));
			json_object_object_add(o, "source", json_object_new_string("log"));
			*reply = o;
			return 0;
		}
	}
	/* The newest `limit` matching events of the ring, oldest first. */
	list = json_object_new_array();
	first = d->events.len;
	for (size_t n = 0; first > 0 && n < (size_t)limit; first--) {
		const struct herd_event *ev = event_ring_get(&d->events, first - 1);

		if (ev->seq <= (uint64_t)since_seq || ev->wall < (usec_t)since_wall)
			break;
		if ((!type || ev->type == (enum herd_event_type)type) &&
		    (node < 0 || ev->node == (uint32_t)node))
			n++;
	}
	for (size_t i = first; i < d->events.len; i++) {
		const struct herd_event *ev = event_ring_get(&d->events, i);

		if ((!type || ev->type == (enum herd_event_type)type) &&
		    (node < 0 || ev->node == (uint32_t)node))
			json_object_array_add(list, herdd_event_json(ev));
	}
	o = json_object_new_object();
	json_object_object_add(o, "events", list);
	json_object_object_add(o, "next_seq", json_object_new_int64((int64_t)d->events.next_seq));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)d->events.dropped));
	*reply = o;
	return 0;
}

/* "node": a pnn or "all"; absent: this node. */
static int arg_target(struct herdd *d, struct json_object *args, bool allow_all, uint32_t *out,
		      char *err, size_t errlen)
{
	struct json_object *v;

	*out = d->st->pnn;
	if (!args || !json_object_object_get_ex(args, "node", &v) || !v)
		return 0;
	if (allow_all && json_object_is_type(v, json_type_string) &&
	    streq(json_object_get_string(v), "all")) {
		*out = CLUSTER_ALL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) >= (int64_t)d->st->nnodes) {
		snprintf(err, errlen, "'node' must be a node number from 0 to %zu%s",
			 d->st->nnodes - 1, allow_all ? " or \"all\"" : "");
		return -EINVAL;
	}
	*out = (uint32_t)json_object_get_int64(v);
	return 0;
}

static int cmd_pnn(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		   char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = json_object_new_object();
	json_object_object_add(*reply, "pnn", json_pnn(d->st->pnn));
	return 0;
}

static int cmd_leader(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = json_object_new_object();
	json_object_object_add(*reply, "leader", json_pnn(d->st->leader));
	json_object_object_add(*reply, "active", json_object_new_boolean(cluster_active(d->cl)));
	json_object_object_add(*reply, "generation", json_object_new_int64(d->st->generation));
	return 0;
}

static int cmd_listnodes(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
			 char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	struct json_object *list = json_object_new_array();
	char buf[128];

	for (size_t i = 0; i < d->st->nnodes; i++) {
		const struct node_state *ns = &d->st->nodes[i];
		struct json_object *n = json_object_new_object(), *addrs = json_object_new_array();

		for (size_t a = 0; a < ns->naddrs; a++)
			json_object_array_add(addrs, json_object_new_string(
				sockaddr_format(buf, sizeof(buf), &ns->addrs[a])));
		json_object_object_add(n, "pnn", json_object_new_int64((int64_t)i));
		json_object_object_add(n, "addresses", addrs);
		json_object_object_add(n, "deleted", json_object_new_boolean(
			ns->flags & NODE_FLAG_DELETED));
		json_object_array_add(list, n);
	}
	*reply = json_object_new_object();
	json_object_object_add(*reply, "nodes", list);
	return 0;
}

static int cmd_getcapabilities(struct ctl_conn *c, struct json_object *args,
			       struct json_object **reply, char *err, size_t errlen,
			       void *userdata)
{
	struct herdd *d = userdata;
	uint32_t pnn, caps;
	char buf[128];
	int r = arg_target(d, args, false, &pnn, err, errlen);

	if (r < 0)
		return r;
	if (pnn != d->st->pnn && (d->st->nodes[pnn].flags & NODE_FLAG_DISCONNECTED)) {
		snprintf(err, errlen, "node %u is not connected", pnn);
		return -ENOTCONN;
	}
	caps = d->st->nodes[pnn].caps;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "pnn", json_object_new_int64(pnn));
	json_object_object_add(*reply, "capabilities", json_object_new_int64(caps));
	json_object_object_add(*reply, "capabilities_text", json_object_new_string(
		node_caps_format(buf, sizeof(buf), caps)));
	json_object_object_add(*reply, "recmaster", json_object_new_boolean(caps & NODE_CAP_RECMASTER));
	json_object_object_add(*reply, "lmaster", json_object_new_boolean(caps & NODE_CAP_LMASTER));
	json_object_object_add(*reply, "lvs", json_object_new_boolean(caps & NODE_CAP_LVS));
	json_object_object_add(*reply, "natgw", json_object_new_boolean(caps & NODE_CAP_NATGW));
	return 0;
}

static int cmd_scriptstatus(struct ctl_conn *c, struct json_object *args,
			    struct json_object **reply, char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = cluster_scriptstatus_json(d->cl);
	return 0;
}

/* disable/enable/stop/continue: one flag set or cleared on a node. */
static int flag_verb(struct herdd *d, struct json_object *args, uint32_t set, uint32_t clear,
		     struct json_object **reply, char *err, size_t errlen)
{
	uint32_t target;
	int r = arg_target(d, args, true, &target, err, errlen);

	if (r < 0)
		return r;
	r = cluster_admin_flags(d->cl, target, set, clear, err, errlen);
	if (r < 0)
		return r;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "node", target == CLUSTER_ALL ?
			       json_object_new_string("all") : json_object_new_int64(target));
	return 0;
}

#define FLAG_VERB(fn, set, clear)                                                           \
	static int fn(struct ctl_conn *c, struct json_object *args, struct json_object **reply, \
		      char *err, size_t errlen, void *userdata)                               \
	{                                                                                     \
		return flag_verb(userdata, args, set, clear, reply, err, errlen);             \
	}
FLAG_VERB(cmd_disable, NODE_FLAG_PERMANENTLY_DISABLED, 0)
FLAG_VERB(cmd_enable, 0, NODE_FLAG_PERMANENTLY_DISABLED)
FLAG_VERB(cmd_stop, NODE_FLAG_STOPPED, 0)
FLAG_VERB(cmd_continue, 0, NODE_FLAG_STOPPED)

static int ban_verb(struct herdd *d, struct json_object *args, bool ban,
		    struct json_object **reply, char *err, size_t errlen)
{
	int64_t seconds = 0;
	uint32_t target;
	int r = arg_target(d, args, true, &target, err, errlen);

	if (r < 0)
		return r;
	if (ban) {
		r = arg_int(args, "seconds", 1, 365 * 86400, &seconds, err, errlen);
		if (r < 0)
			return r;
		if (r == 0) {
			snprintf(err, errlen, "'seconds' is required: how long the ban lasts");
			return -EINVAL;
		}
	}
	r = cluster_admin_ban(d->cl, target, (uint32_t)seconds, err, errlen);
	if (r < 0)
		return r;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "node", target == CLUSTER_ALL ?
			       json_object_new_string("all") : json_object_new_int64(target));
	json_object_object_add(*reply, "seconds", json_object_new_int64(seconds));
	return 0;
}

static int cmd_ban(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		   char *err, size_t errlen, void *userdata)
{
	return ban_verb(userdata, args, true, reply, err, errlen);
}

static int cmd_unban(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		     char *err, size_t errlen, void *userdata)
{
	return ban_verb(userdata, args, false, reply, err, errlen);
}

static int cmd_reloadnodes(struct ctl_conn *c, struct json_object *args,
			   struct json_object **reply, char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	int r;

	log_notice("reloadnodes requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	r = herdd_reload(d, true, err, errlen);
	if (r < 0)
		return r;
	r = cluster_admin_reloadnodes(d->cl, err, errlen);
	if (r < 0)
		return r;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "nodes", json_object_new_int64((int64_t)d->st->nnodes));
	return 0;
}

/* ---- public addresses -------------------------------------------------- */

static int cmd_ip(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		  char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = cluster_ip_json(d->cl);
	return 0;
}

static int cmd_ifaces(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = cluster_ifaces_json(d->cl);
	return 0;
}

/* notify: {} status; {"test": "EVENT"} start a test; {"result": ID} its report. */
static int cmd_notify(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	const char *ev = NULL;
	int64_t id = 0;
	int r;

	if ((r = arg_int(args, "result", 1, INT32_MAX, &id, err, errlen)) < 0)
		return r;
	if (r > 0) {
		*reply = notify_test_result(d, (int)id);
		if (!*reply) {
			snprintf(err, errlen, "no notify test %lld (only the last few are kept)",
				 (long long)id);
			return -ENOENT;
		}
		return 0;
	}
	if ((r = arg_str(args, "test", &ev, err, errlen)) < 0)
		return r;
	if (r > 0) {
		int type = event_type_from_name(ev);

		if (ctl_conn_uid(c) != 0) {
			snprintf(err, errlen, "notify test runs the handlers: root only");
			return -EPERM;
		}
		if (type < 0) {
			snprintf(err, errlen, "unknown event '%s' (herdctl events lists the names)", ev);
			return -EINVAL;
		}
		r = notify_test_start(d, (enum herd_event_type)type, err, errlen);
		if (r < 0)
			return r;
		*reply = json_object_new_object();
		json_object_object_add(*reply, "test", json_object_new_int(r));
		return 0;
	}
	*reply = notify_status_json(d);
	return 0;
}

/* digest: {"range": R, "detail": D} → {"text": ...} */
static int cmd_digest(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	const char *range = "yesterday", *detail = "low";
	int r;

	struct json_object *v;

	if ((r = arg_str(args, "range", &range, err, errlen)) < 0 ||
	    (r = arg_str(args, "detail", &detail, err, errlen)) < 0)
		return r;
	/* {"mail": true}: mail the scheduled digest now (root). */
	if (args && json_object_object_get_ex(args, "mail", &v) && json_object_get_boolean(v)) {
		if (ctl_conn_uid(c) != 0) {
			snprintf(err, errlen, "digest --mail sends mail: root only");
			return -EPERM;
		}
		r = notify_digest_mail(d, err, errlen);
		if (r < 0)
			return r;
		*reply = json_object_new_object();
		json_object_object_add(*reply, "text", json_object_new_string(
			"the digest mail is spooled for delivery\n"));
		return 0;
	}
	r = notify_digest(d, range, detail, reply, err, errlen);
	return r;
}

static int cmd_natgw(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		     char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = cluster_natgw_json(d->cl);
	return 0;
}

static int cmd_lvs(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		   char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	*reply = cluster_lvs_json(d->cl);
	return 0;
}

/* The 'address' argument: an IPv4 or IPv6 address. */
static int arg_address(struct json_object *args, struct sockaddr_storage *ss, char *err,
		       size_t errlen)
{
	const char *text = NULL;
	int r = arg_str(args, "address", &text, err, errlen);

	if (r < 0)
		return r;
	if (r == 0 || value_parse_address(text, ss) < 0) {
		snprintf(err, errlen, "'address' must be an IPv4 or IPv6 address%s%s",
			 text ? ", not " : "", text ? text : "");
		return -EINVAL;
	}
	return 0;
}

static int cmd_moveip(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		      char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	struct sockaddr_storage ss;
	int64_t pnn = -1;
	int r = arg_address(args, &ss, err, errlen);

	if (r < 0)
		return r;
	r = arg_int(args, "pnn", 0, HERD_MAX_NODES - 1, &pnn, err, errlen);
	if (r <= 0) {
		if (r == 0)
			snprintf(err, errlen, "'pnn' (the node to move the address to) is required");
		return r < 0 ? r : -EINVAL;
	}
	log_notice("moveip requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	return cluster_admin_moveip(d->cl, &ss, (uint32_t)pnn, err, errlen);
}

static int cmd_reloadips(struct ctl_conn *c, struct json_object *args,
			 struct json_object **reply, char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	log_notice("reloadips requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	return cluster_admin_reloadips(d->cl, err, errlen);
}

static int cmd_addip(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		     char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	const char *text = NULL;
	struct conf_pubaddr pa;
	struct conf_error cerr;
	int r = arg_str(args, "line", &text, err, errlen);

	if (r <= 0) {
		if (r == 0)
			snprintf(err, errlen, "'line' (ADDRESS/PREFIX IFACE[,IFACE...]) is required");
		return r < 0 ? r : -EINVAL;
	}
	r = pubaddr_parse_one(text, "addip", &pa, &cerr);
	if (r < 0) {
		snprintf(err, errlen, "%s", cerr.msg);
		return r;
	}
	log_notice("addip requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	return cluster_admin_addip(d->cl, &pa, err, errlen);
}

static int cmd_delip(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		     char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	struct sockaddr_storage ss;
	int r = arg_address(args, &ss, err, errlen);

	if (r < 0)
		return r;
	log_notice("delip requested over the control socket by pid %d", (int)ctl_conn_pid(c));
	return cluster_admin_delip(d->cl, &ss, err, errlen);
}

static int cmd_recover(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
		       char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;

	return cluster_admin_recover(d->cl, err, errlen);
}

static int cmd_maintenance(struct ctl_conn *c, struct json_object *args,
			   struct json_object **reply, char *err, size_t errlen, void *userdata)
{
	struct herdd *d = userdata;
	int64_t seconds = 0;
	struct json_object *v;
	bool on;
	int r;

	if (!args || !json_object_object_get_ex(args, "on", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		snprintf(err, errlen, "'on' (true or false) is required");
		return -EINVAL;
	}
	on = json_object_get_boolean(v);
	r = arg_int(args, "seconds", 1, 7 * 86400, &seconds, err, errlen);
	if (r < 0)
		return r;
	if (on && r == 0) {
		snprintf(err, errlen, "maintenance needs a duration ('seconds'): it ends by itself");
		return -EINVAL;
	}
	r = cluster_admin_maintenance(d->cl, on ? now_realtime() + (usec_t)seconds * USEC_PER_SEC : 0,
				      err, errlen);
	if (r < 0)
		return r;
	*reply = json_object_new_object();
	json_object_object_add(*reply, "maintenance", json_object_new_boolean(on));
	return 0;
}

static int cmd_subscribe(struct ctl_conn *c, struct json_object *args, struct json_object **reply,
			 char *err, size_t errlen, void *userdata)
{
	ctl_conn_subscribe(c);
	return 0;
}

/* herd.conf [snmp] allow set: the control group (herd-agentx) may enable and disable. */
static bool snmp_may_set(void *userdata)
{
	const struct herdd *d = userdata;

	return d->cf && d->cf->snmp_allow_set;
}

const struct ctl_verb herdd_verbs[] = {
	{ "ping", false, cmd_ping },
	{ "version", false, cmd_version },
	{ "status", false, cmd_status },
	{ "uptime", false, cmd_uptime },
	{ "statistics", false, cmd_statistics },
	{ "events", false, cmd_events },
	{ "subscribe", false, cmd_subscribe },
	{ "pnn", false, cmd_pnn },
	{ "leader", false, cmd_leader },
	{ "recmaster", false, cmd_leader },
	{ "listnodes", false, cmd_listnodes },
	{ "getcapabilities", false, cmd_getcapabilities },
	{ "scriptstatus", false, cmd_scriptstatus },
	{ "reload", true, cmd_reload },
	{ "disable", true, cmd_disable, snmp_may_set },
	{ "enable", true, cmd_enable, snmp_may_set },
	{ "stop", true, cmd_stop },
	{ "continue", true, cmd_continue },
	{ "ban", true, cmd_ban },
	{ "unban", true, cmd_unban },
	{ "recover", true, cmd_recover },
	{ "reloadnodes", true, cmd_reloadnodes },
	{ "maintenance", true, cmd_maintenance },
	{ "ip", false, cmd_ip },
	{ "ifaces", false, cmd_ifaces },
	{ "moveip", true, cmd_moveip },
	{ "reloadips", true, cmd_reloadips },
	{ "addip", true, cmd_addip },
	{ "delip", true, cmd_delip },
	{ "natgw", false, cmd_natgw },
	{ "notify", false, cmd_notify },
	{ "digest", false, cmd_digest },
	{ "lvs", false, cmd_lvs },
};
const size_t herdd_nverbs = ARRAY_SIZE(herdd_verbs);
