/*
 * agentx.c — herd-agentx's main() and glue: options and configuration, the
 * sd-event loop, and the three parts meeting here:
 *
 *   herdd  (agentx_herdd)  snapshots and events in
 *   model  (agentx_model)  herdd's state as SNMP values
 *   snmp   (agentx_snmp)   AgentX subagent: requests answered, traps out
 *
 * Decisions made here: when a snapshot is stale (older than CACHE_AGE when
 * a request reads it; at once after an event that changes it), which
 * events become notifications (those herdd sends while we are subscribed;
 * the history read at (re)connect only fills herdEventTable), and when
 * herd-agentx's own herdAgentHerddDown/Up notifications go out, and
 * whether herdNodeAdminState is writable (herd.conf [snmp] allow set, read
 * once at start: a SET becomes herdctl enable/disable on the request
 * connection).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include <systemd/sd-event.h>

#include "agentd/log.h"
#include "conf/conf.h"
#include "mib/agentx_herdd.h"
#include "mib/agentx_loop.h"
#include "mib/agentx_model.h"
#include "mib/agentx_snmp.h"

#define CACHE_AGE        USEC_PER_SEC    /* statistics and friends on GET */
#ifndef EVENT_LIMIT
#define EVENT_LIMIT      2048            /* rows of herdEventTable */
#endif
#define PERSISTENT_DIR   "/var/lib/herd/agentx"

struct agent {
	sd_event *ev;
	struct ax_model m;
	struct axherdd *herdd;
	struct axsnmp *snmp;
	struct axloop *loop;
	const char *xaddr;      /* the master's AgentX address */
	bool herdd_lost;        /* since start: a herdd outage (for HerddUp) */
};

/* Read the verbs in mask from herdd into the model; rebuild their tables. */
static void fetch(struct agent *a, unsigned mask)
{
	unsigned changed = 0;

	for (int v = 0; v < AX_VERB_MAX; v++) {
		struct json_object *reply;

		if (!(mask & AX_VERB_BIT(v)))
			continue;
		if (axherdd_fetch(a->herdd, ax_verb_name(v), NULL, &reply) < 0)
			continue;
		ax_model_set(&a->m, v, reply, now_monotonic());
		changed |= AX_VERB_BIT(v);
	}
	if (changed && a->snmp)
		axsnmp_tables_sync(a->snmp, changed);
}

static void collect(void *userdata)
{
	struct agent *a = userdata;

	if (a->snmp)
		axsnmp_collect(a->snmp);
}

/* ---- herdd ------------------------------------------------------------- */

static int on_herdd_connected(void *userdata)
{
	struct agent *a = userdata;
	struct json_object *args = json_object_new_object(), *reply = NULL;
	int r;

	fetch(a, AX_VERBS_ALL);
	json_object_object_add(args, "limit", json_object_new_int64(100000));
	r = axherdd_fetch(a->herdd, "events", args, &reply);
	json_object_put(args);
	if (r < 0)
		return r;
	r = ax_model_load_events(&a->m, reply);
	json_object_put(reply);
	if (r < 0 || !axherdd_connected(a->herdd))
		return r < 0 ? r : -ECONNRESET;
	a->m.connected = true;
	a->m.connects++;
	a->m.last_sync = now_realtime();
	axsnmp_events_sync(a->snmp);
	if (a->herdd_lost)
		axsnmp_notify_agent(a->snmp, AX_NOTIF_HERDD_UP);
	collect(a);
	return 0;
}

static void on_herdd_disconnected(void *userdata, const char *why)
{
	struct agent *a = userdata;

	log_warn("lost herdd (%s); serving the last state known, reconnecting", why);
	a->m.connected = false;
	a->herdd_lost = true;
	axsnmp_notify_agent(a->snmp, AX_NOTIF_HERDD_DOWN);
}

static void on_herdd_events(void *userdata, struct json_object **evs, size_t n)
{
	struct agent *a = userdata;
	struct ax_event **added = calloc(n, sizeof(*added));
	size_t nadded = 0;
	unsigned verbs = 0, before = 0;

	if (!added) {
		log_err("out of memory: %zu events lost", n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct ax_event ev, *stored, *evicted;

		struct json_object *test;
		bool is_test = json_object_object_get_ex(evs[i], "test", &test) &&
			       json_object_get_boolean(test);

		/* A test event has no sequence number of its own (0): borrow the next. */
		if (is_test)
			json_object_object_add(evs[i], "seq", json_object_new_int64(
				(int64_t)(a->m.next_seq ? a->m.next_seq : 1)));
		if (ax_event_from_json(evs[i], &ev) < 0) {
			log_warn("herdd sent an event herd-agentx cannot read: %s",
				 json_object_to_json_string(evs[i]));
			continue;
		}
		/* `herdctl notify test`: its notification goes out, nothing is kept. */
		if (is_test) {
			log_info("test event (%s) from herdctl notify test: sending its notification",
				 event_type_name(ev.type));
			axsnmp_notify_event(a->snmp, &ev);
			continue;
		}
		if (ev.seq < a->m.next_seq)
			continue; /* already in the history read at connect */
		ax_model_apply_event(&a->m, &ev);
		if (ax_model_push_event(&a->m, &ev, &stored, &evicted) < 0) {
			log_err("out of memory: event %llu lost", (unsigned long long)ev.seq);
			continue;
		}
		axsnmp_event_added(a->snmp, stored, evicted);
		added[nadded++] = stored;
		verbs |= ax_event_verbs(ev.type);
		before |= ax_notification_verbs(ev.type);
	}
	/*
	 * What the notifications carry is herdd's state after the events: read
	 * what they need first, send them, then read the rest (a node's
	 * disconnection is on its way before status is read again).
	 */
	fetch(a, before);
	for (size_t i = 0; i < nadded; i++) {
		usec_t now = now_realtime();

		axsnmp_notify_event(a->snmp, added[i]);
		log_debug("event %llu (%s): notification out %.1f ms after herdd's time stamp",
			  (unsigned long long)added[i]->seq, event_type_name(added[i]->type),
			  now > added[i]->wall ? (double)(now - added[i]->wall) / 1000.0 : 0.0);
	}
	fetch(a, verbs & ~before);
	free(added);
	collect(a);
}

static const struct axherdd_ops herdd_ops = {
	.connected = on_herdd_connected,
	.disconnected = on_herdd_disconnected,
	.events = on_herdd_events,
};

/* ---- snmp -------------------------------------------------------------- */

static void on_refresh(void *userdata, unsigned verbs)
{
	struct agent *a = userdata;
	usec_t now = now_monotonic();
	unsigned stale = 0;

	if (!axherdd_connected(a->herdd))
		return;
	for (int v = 0; v < AX_VERB_MAX; v++)
		if ((verbs & AX_VERB_BIT(v)) && now - a->m.fetched[v] >= CACHE_AGE)
			stale |= AX_VERB_BIT(v);
	if (stale)
		fetch(a, stale);
}

static void on_master(void *userdata, bool up)
{
	struct agent *a = userdata;

	const char *path = a->xaddr;

	/* A reconnect may reuse the old descriptor's number. */
	axloop_recheck(a->loop);
	/* net-snmp's syntax: "/path", "unix:/path", or tcp:, udp:, ... */
	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	axloop_guard_master(a->loop, !up && path[0] == '/' ? path : NULL);
}

/* herd.conf [snmp] allow set = yes: SET herdNodeAdminState.pnn. */
static int on_set_admin(void *userdata, uint32_t pnn, bool enable, char *err, size_t errlen)
{
	struct agent *a = userdata;
	struct json_object *args = json_object_new_object(), *reply = NULL;
	int r;

	if (!args) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_object_object_add(args, "node", json_object_new_int64(pnn));
	r = axherdd_request(a->herdd, enable ? "enable" : "disable", args, &reply, err, errlen);
	json_object_put(args);
	json_object_put(reply);
	/* The next read of herdNodeTable asks herdd again. */
	a->m.fetched[AX_STATUS] = 0;
	return r;
}

static const struct axsnmp_ops snmp_ops = {
	.refresh = on_refresh,
	.master = on_master,
};

static const struct axsnmp_ops snmp_ops_set = {
	.refresh = on_refresh,
	.master = on_master,
	.set_admin = on_set_admin,
};

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: herd-agentx [OPTIONS]\n"
		"\n"
		"The herd AgentX subagent: serves HERD-MIB through the local snmpd and\n"
		"turns herdd's events into SNMP notifications.\n"
		"\n"
		"  -c, --config-dir DIR       configuration directory (default %s)\n"
		"  -x, --agentx-socket ADDR   the master agent's AgentX address (default:\n"
		"                             herd.conf [snmp] agentx socket)\n"
		"  -s, --socket PATH          herdd's control socket (default: herd.conf\n"
		"                             [paths] run dir/herdd.sock)\n"
		"  -p, --persistent-dir DIR   net-snmp's private state (default %s)\n"
		"  -v, --verbose              log debug messages too\n"
		"  -V, --version              print the version and exit\n"
		"  -h, --help                 this text\n"
		"\n"
		"Runs in the foreground and logs to stderr. See herd-agentx(8).\n",
		HERD_SYSCONFDIR, PERSISTENT_DIR);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("signal %u: stopping", si->ssi_signo);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "agentx-socket", required_argument, NULL, 'x' },
		{ "socket", required_argument, NULL, 's' },
		{ "persistent-dir", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = HERD_SYSCONFDIR, *xaddr = NULL, *sock = NULL;
	const char *pdir = PERSISTENT_DIR;
	_cleanup_(freep) char *sock_conf = NULL, *xaddr_conf = NULL;
	struct agent a = { 0 };
	bool verbose = false, allow_set = false;
	sigset_t mask;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:x:s:p:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = optarg; break;
		case 'x': xaddr = optarg; break;
		case 's': sock = optarg; break;
		case 'p': pdir = optarg; break;
		case 'v': verbose = true; break;
		case 'V': printf("herd-agentx %s\n", HERD_PKG_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "herd-agentx: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_open("herd-agentx", LOG_TARGET_STDERR);
	log_set_level(verbose ? LOG_DEBUG : LOG_INFO);

	{
		struct conf_error err = { "" };
		struct herd_conf *cf = NULL;

		if (conf_load(dir, NULL, &cf, &err) < 0) {
			if (xaddr && sock) {
				/* -x and -s: herd.conf is optional; no SET without it. */
				log_debug("no configuration (%s): herdNodeAdminState is read-only",
					  err.msg);
				goto conf_done;
			}
			log_err("%s", err.msg);
			log_err("herd-agentx needs %s/herd.conf unless -x and -s are both given", dir);
			return 1;
		}
		allow_set = cf->snmp_allow_set;
		sock_conf = conf_socket_path(cf);
		xaddr_conf = strdup(cf->agentx_socket);
		conf_free(cf);
		if (!sock_conf || !xaddr_conf) {
			log_err("out of memory");
			return 1;
		}
		if (!sock)
			sock = sock_conf;
		if (!xaddr)
			xaddr = xaddr_conf;
	}
conf_done:
	r = mkdir_p(pdir, 0700);
	if (r < 0) {
		log_err("cannot create the persistent directory %s: %s (use -p DIR)", pdir,
			strerror(-r));
		return 1;
	}

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	a.xaddr = xaddr;
	r = sd_event_default(&a.ev);
	if (r < 0 || ax_model_init(&a.m, EVENT_LIMIT) < 0) {
		log_err("cannot set up the event loop: %s", strerror(r < 0 ? -r : ENOMEM));
		return 1;
	}
	r = sd_event_add_signal(a.ev, NULL, SIGTERM, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(a.ev, NULL, SIGINT, on_signal, NULL);
	if (r >= 0)
		r = axherdd_new(a.ev, sock, &herdd_ops, &a, &a.herdd);
	if (r >= 0)
		r = axsnmp_new(a.ev, xaddr, pdir, &a.m, allow_set ? &snmp_ops_set : &snmp_ops, &a,
			       &a.snmp);
	if (r >= 0)
		r = axloop_new(a.ev, collect, &a, &a.loop);
	if (r < 0) {
		log_err("cannot start: %s", strerror(-r));
		return 1;
	}
	if (!axsnmp_master_up(a.snmp))
		on_master(&a, false);
	log_info("herd-agentx %s: AgentX master %s, herdd %s, state in %s%s", HERD_PKG_VERSION,
		 xaddr, sock, pdir,
		 allow_set ? "; herdNodeAdminState is writable ([snmp] allow set)" : "");
	axherdd_start(a.herdd);
	/* herdd not there at start: herdAgentHerddUp when it comes. */
	a.herdd_lost = !axherdd_connected(a.herdd);
	r = sd_event_loop(a.ev);

	axloop_free(a.loop);
	axherdd_free(a.herdd);
	axsnmp_free(a.snmp);
	ax_model_done(&a.m);
	sd_event_unref(a.ev);
	log_info("stopped");
	return r < 0 ? 1 : 0;
}
