/*
 * daemon.c — herdd's glue: start-up in order, the signal handlers, reload
 * as a transaction, and teardown in reverse order.
 */
#include "agentd/daemon.h"

#include <ifaddrs.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "agentd/log.h"
#include "agentd/daemon_notify.h"
#include "agentd/pidfile.h"

#define MAX_LOCAL_ADDRS 256
#define EVENT_RING_SIZE 1024

struct json_object *herdd_json_time(usec_t wall)
{
	char buf[64];

	return wall ? json_object_new_string(format_iso8601(buf, sizeof(buf), wall)) : NULL;
}

void herdd_node_from_conf(struct node_state *ns, const struct conf_node *cn, uint32_t flags)
{
	*ns = (struct node_state){ .pnn = cn->pnn, .flags = flags };
	ns->naddrs = MIN(cn->naddrs, (size_t)STATE_MAX_LINKS);
	memcpy(ns->addrs, cn->addrs, ns->naddrs * sizeof(ns->addrs[0]));
}

struct json_object *herdd_event_json(const struct herd_event *ev)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_int64((int64_t)ev->seq));
	json_object_object_add(o, "time", herdd_json_time(ev->wall));
	json_object_object_add(o, "wall_us", json_object_new_int64((int64_t)ev->wall));
	json_object_object_add(o, "node", ev->node == PNN_NONE ? NULL
				       : json_object_new_int64(ev->node));
	json_object_object_add(o, "reporter", ev->reporter == PNN_NONE ? NULL
					   : json_object_new_int64(ev->reporter));
	json_object_object_add(o, "type", json_object_new_string(event_type_name(ev->type)));
	json_object_object_add(o, "severity", json_object_new_string(severity_name(ev->severity)));
	json_object_object_add(o, "subject", json_object_new_string(ev->subject));
	json_object_object_add(o, "detail", json_object_new_string(ev->detail));
	if (ev->has_flags) {
		json_object_object_add(o, "old_flags", json_object_new_int64(ev->old_flags));
		json_object_object_add(o, "new_flags", json_object_new_int64(ev->new_flags));
		json_object_object_add(o, "old_state", json_object_new_string(
			node_summary_name(node_summary(ev->old_flags))));
		json_object_object_add(o, "new_state", json_object_new_string(
			node_summary_name(node_summary(ev->new_flags))));
	}
	return o;
}

static void emitv(struct herdd *d, enum herd_event_type type, uint32_t node, bool has_flags,
		  uint32_t old_flags, uint32_t new_flags, const char *subject,
		  const char *detail_fmt, va_list ap)
{
	struct herd_event ev = {
		.wall = now_realtime(),
		.mono = now_monotonic(),
		.node = node,
		.reporter = d->st ? d->st->pnn : PNN_NONE,
		.type = type,
		.severity = event_type_severity(type),
		.has_flags = has_flags,
		.old_flags = old_flags,
		.new_flags = new_flags,
	};
	const struct herd_event *stored;
	struct json_object *o;

	snprintf(ev.subject, sizeof(ev.subject), "%s", subject);
	vsnprintf(ev.detail, sizeof(ev.detail), detail_fmt, ap);
	stored = event_ring_push(&d->events, &ev);
	notify_event(d, stored);
	log_msg(severity_syslog(ev.severity), "event %s #%llu: %s%s%s", event_type_name(type),
		(unsigned long long)stored->seq, ev.subject, ev.detail[0] ? ": " : "", ev.detail);
	if (d->ctl) {
		o = herdd_event_json(stored);
		ctlsrv_broadcast(d->ctl, o);
		json_object_put(o);
	}
}

void herdd_emit(struct herdd *d, enum herd_event_type type, uint32_t node,
		const char *subject, const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	emitv(d, type, node, false, 0, 0, subject, detail_fmt, ap);
	va_end(ap);
}

void herdd_emit_change(struct herdd *d, enum herd_event_type type, uint32_t node,
		       uint32_t old_flags, uint32_t new_flags, const char *subject,
		       const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	emitv(d, type, node, true, old_flags, new_flags, subject, detail_fmt, ap);
	va_end(ap);
}

/* This host's addresses, for finding our pnn in the nodes file. */
static int local_addresses(struct sockaddr_storage *out, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			memcpy(&out[n++], i->ifa_addr, sizeof(struct sockaddr_in));
		else if (i->ifa_addr->sa_family == AF_INET6)
			memcpy(&out[n++], i->ifa_addr, sizeof(struct sockaddr_in6));
	}
	freeifaddrs(ifa);
	return (int)n;
}

static int state_from_conf(const struct herd_conf *cf, struct herd_state **out)
{
	struct herd_state *st = state_new(cf->cluster_name, cf->nnodes);

	if (!st)
		return -ENOMEM;
	for (size_t i = 0; i < cf->nnodes; i++) {
		const struct conf_node *cn = &cf->nodes[i];

		herdd_node_from_conf(&st->nodes[i], cn,
				     cn->deleted ? NODE_FLAG_DELETED : NODE_FLAG_DISCONNECTED);
	}
	*out = st;
	return 0;
}

#define SHUTDOWN_DRAIN (5 * USEC_PER_SEC) /* handlers of the shutdown event may run */

/* Stop once the notify.d handlers are done with the shutdown event (bounded). */
static int on_drain(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct herdd *d = userdata;

	if (notify_idle(d) || now_monotonic() >= d->stop_deadline) {
		if (!notify_idle(d))
			log_warn("stopping with notify.d handlers still running (they are killed)");
		return sd_event_exit(d->ev, 0);
	}
	sd_event_source_set_time(s, now_monotonic() + 50 * USEC_PER_MSEC);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct herdd *d = userdata;

	if (d->stop_deadline) {
		log_notice("received %s again: stopping now", strsignal((int)si->ssi_signo));
		return sd_event_exit(d->ev, 0);
	}
	log_notice("received %s, shutting down", strsignal((int)si->ssi_signo));
	herdd_emit(d, EV_SHUTDOWN, d->st->pnn, "herdd is shutting down", "on %s",
		   strsignal((int)si->ssi_signo));
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
	d->stop_deadline = now_monotonic() + SHUTDOWN_DRAIN;
	if (sd_event_add_time(d->ev, NULL, CLOCK_MONOTONIC, now_monotonic() + 10 * USEC_PER_MSEC, 0,
			      on_drain, d) < 0)
		return sd_event_exit(d->ev, 0);
	return 0;
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct herdd *d = userdata;
	char err[1024];

	log_notice("received SIGHUP, reloading the configuration");
	(void)herdd_reload(d, false, err, sizeof(err));
	return 0;
}

/* Keys that cannot change under a running daemon. */
static int reload_check(const struct herd_conf *old, const struct herd_conf *new,
			char *err, size_t errlen)
{
	static const struct {
		const char *section, *key;
		size_t off;
	} fixed[] = {
		{ "cluster", "name", offsetof(struct herd_conf, cluster_name) },
		{ "paths", "run dir", offsetof(struct herd_conf, run_dir) },
		{ "paths", "state dir", offsetof(struct herd_conf, state_dir) },
		{ "cluster", "recovery lock", offsetof(struct herd_conf, recovery_lock) },
		{ "cluster", "key file", offsetof(struct herd_conf, key_file) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		const char *a = *(char *const *)((const char *)old + fixed[i].off);
		const char *b = *(char *const *)((const char *)new + fixed[i].off);

		if (!streq(a, b)) {
			snprintf(err, errlen,
				 "%s: '%s' in [%s] cannot change while herdd runs "
				 "(running: '%s', new: '%s'); restart herdd to apply it",
				 new->file, fixed[i].key, fixed[i].section, a, b);
			return -EINVAL;
		}
	}
	if (old->port != new->port || old->keepalive_interval != new->keepalive_interval ||
	    old->keepalive_limit != new->keepalive_limit ||
	    old->recovery_lock_lease != new->recovery_lock_lease) {
		snprintf(err, errlen,
			 "%s: %s cannot change while herdd runs; restart herdd to apply it",
			 new->file, old->port != new->port ? "'port' in [cluster]"
				    : old->recovery_lock_lease != new->recovery_lock_lease
				    ? "'recovery lock lease' in [cluster]"
				    : "the keepalive settings in [membership]");
		return -EINVAL;
	}
	return 0;
}

/* Does the nodes file say what the running state has? */
static bool nodes_equal(const struct herd_state *st, const struct herd_conf *cf)
{
	if (st->nnodes != cf->nnodes)
		return false;
	for (size_t i = 0; i < st->nnodes; i++) {
		if (!!(st->nodes[i].flags & NODE_FLAG_DELETED) != cf->nodes[i].deleted ||
		    (!cf->nodes[i].deleted && st->nodes[i].naddrs != cf->nodes[i].naddrs))
			return false;
		for (size_t l = 0; !cf->nodes[i].deleted && l < st->nodes[i].naddrs; l++)
			if (!sockaddr_equal_addr(&st->nodes[i].addrs[l], &cf->nodes[i].addrs[l]))
				return false;
	}
	return true;
}

int herdd_reload(struct herdd *d, bool apply_nodes, char *err, size_t errlen)
{
	struct conf_error cerr = { "" };
	struct herd_conf *cf = NULL;
	int r;

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
	r = conf_load(d->conf_dir, d->conf_file, &cf, &cerr);
	if (r < 0)
		snprintf(err, errlen, "%s", cerr.msg);
	else
		r = reload_check(d->cf, cf, err, errlen);
	if (r >= 0 && apply_nodes && !nodes_equal(d->st, cf))
		r = cluster_set_nodes(d->cl, cf, err, errlen);
	/* Last of what can fail, so that a failure changes nothing else. */
	if (r >= 0 && cf->control_gid != d->cf->control_gid) {
		r = ctlsrv_set_group(d->ctl, cf->control_gid);
		if (r < 0)
			snprintf(err, errlen, "cannot hand the control socket to group '%s': %s",
				 cf->control_group, strerror(-r));
	}
	if (r < 0) {
		conf_free(cf);
		d->reload_failures++;
		snprintf(d->reload_error, sizeof(d->reload_error), "%s", err);
		log_err("reload failed, still running the previous configuration: %s", err);
		herdd_emit(d, EV_CONFIG_REJECTED, d->st->pnn, "configuration reload rejected",
			   "%s", err);
		sd_notify(0, "READY=1\nSTATUS=Running (last reload failed)");
		return r;
	}
	if (!nodes_equal(d->st, cf))
		log_notice("the nodes file changed; 'herdctl reloadnodes' applies it");
	conf_free(d->cf);
	d->cf = cf;
	cluster_reconfigure(d->cl);
	notify_reconfigure(d);
	log_set_level(cf->log_level);
	d->reloads++;
	d->reload_wall = now_realtime();
	d->reload_error[0] = '\0';
	herdd_emit(d, EV_CONFIG_RELOADED, d->st->pnn, "configuration reloaded", "from %s",
		   cf->file);
	sd_notify(0, "READY=1\nSTATUS=Running");
	return 0;
}

int herdd_new(const char *conf_dir, const char *conf_file, struct herd_conf *cf,
	      struct herdd **out)
{
	struct sockaddr_storage local[MAX_LOCAL_ADDRS];
	_cleanup_(freep) char *sock = NULL;
	struct herdd *d;
	sigset_t mask;
	pid_t holder = 0;
	int r, pnn;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->pid_fd = -EBADF;
	d->start_wall = now_realtime();
	d->start_mono = now_monotonic();
	r = event_ring_init(&d->events, EVENT_RING_SIZE);
	if (r < 0) {
		free(d);
		return r;
	}
	d->conf_dir = strdup(conf_dir);
	d->conf_file = conf_file ? strdup(conf_file) : NULL;
	if (!d->conf_dir || (conf_file && !d->conf_file)) {
		r = -ENOMEM;
		goto fail;
	}
	log_set_level(cf->log_level);

	{
		_cleanup_(freep) char *run = conf_path(cf, cf->run_dir);
		_cleanup_(freep) char *state = conf_path(cf, cf->state_dir);

		r = run && state ? mkdir_p(run, 0755) : -ENOMEM;
		if (r >= 0)
			r = mkdir_p(state, 0755);
		if (r < 0) {
			log_err("cannot create %s or %s: %s", run, state, strerror(-r));
			goto fail;
		}
	}
	d->pid_path = conf_pid_path(cf);
	sock = conf_socket_path(cf);
	if (!d->pid_path || !sock) {
		r = -ENOMEM;
		log_err("out of memory");
		goto fail;
	}
	r = pidfile_acquire(d->pid_path, &holder);
	if (r < 0) {
		if (r == -EEXIST)
			log_err("herdd is already running (pid %d, pid file %s)", (int)holder,
				d->pid_path);
		else
			log_err("cannot lock the pid file %s: %s", d->pid_path, strerror(-r));
		goto fail;
	}
	d->pid_fd = r;

	r = state_from_conf(cf, &d->st);
	if (r < 0) {
		log_err("cannot build the node table: %s", strerror(-r));
		goto fail;
	}
	r = local_addresses(local, ARRAY_SIZE(local));
	pnn = r < 0 ? r : state_find_pnn(d->st, local, (size_t)r);
	if (pnn < 0) {
		log_err("none of this host's addresses is in the nodes file %s/%s: "
			"cannot tell which node this is",
			cf->dir, cf->nodes_file);
		r = -ENOENT;
		goto fail;
	}
	d->st->pnn = (uint32_t)pnn;
	d->st->nodes[pnn].flags = 0;
	d->st->nodes[pnn].changed_wall = d->start_wall;

	r = sd_event_new(&d->ev);
	if (r < 0) {
		log_err("cannot create the event loop: %s", strerror(-r));
		goto fail;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD); /* children are reaped through sd-event */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = sd_event_add_signal(d->ev, NULL, SIGTERM, on_term, d)) < 0 ||
	    (r = sd_event_add_signal(d->ev, NULL, SIGINT, on_term, d)) < 0 ||
	    (r = sd_event_add_signal(d->ev, NULL, SIGHUP, on_hup, d)) < 0) {
		log_err("cannot watch signals: %s", strerror(-r));
		goto fail;
	}
	/* Sends WATCHDOG=1 at half of WATCHDOG_USEC when systemd asks for it. */
	(void)sd_event_set_watchdog(d->ev, true);

	r = ctlsrv_new(d->ev, sock, cf->control_gid, herdd_verbs, herdd_nverbs, d, &d->ctl);
	if (r < 0) {
		log_err("cannot create the control socket %s: %s", sock, strerror(-r));
		goto fail;
	}
	d->cf = cf;
	r = notify_new(d);
	if (r >= 0)
		r = cluster_new(d, &d->cl);
	if (r < 0) {
		notify_free(d);
		d->cf = NULL;
		goto fail;
	}
	*out = d;
	return 0;
fail:
	herdd_free(d);
	return r;
}

int herdd_run(struct herdd *d)
{
	char status[256];
	int r;

	if (!d->cf->recovery_lock[0])
		log_warn("no recovery lock is configured: a network partition can run "
			 "two halves of the cluster at once");
	if (!d->cf->key_file[0])
		log_warn("no cluster key file is configured: node frames are not authenticated");
	log_notice("herdd %s started: node %u of cluster '%s' (%zu nodes), control socket in %s",
		   HERD_PKG_VERSION, d->st->pnn, d->cf->cluster_name, d->st->nnodes, d->cf->run_dir);
	snprintf(status, sizeof(status), "READY=1\nSTATUS=Running: node %u of cluster %s",
		 d->st->pnn, d->cf->cluster_name);
	r = cluster_start(d->cl);
	if (r < 0) {
		log_err("cannot start the cluster: %s", strerror(-r));
		return 1;
	}
	sd_notify(0, status);
	r = sd_event_loop(d->ev);
	if (r < 0) {
		log_err("event loop failed: %s", strerror(-r));
		return 1;
	}
	log_notice("herdd stopped");
	return r;
}

void herdd_free(struct herdd *d)
{
	if (!d)
		return;
	cluster_free(d->cl);
	notify_free(d);
	ctlsrv_free(d->ctl);
	sd_event_unref(d->ev);
	state_free(d->st);
	pidfile_release(d->pid_path, d->pid_fd);
	free(d->pid_path);
	conf_free(d->cf);
	event_ring_done(&d->events);
	free(d->conf_dir);
	free(d->conf_file);
	free(d);
}
