/*
 * herdctl.c — the herd command line: one verb per invocation, sent to the
 * local herdd over its control socket; text for people, -j JSON for scripts.
 *
 * Each verb is a row in `verbs`: its usage, its help text, how to turn its
 * arguments into the request, and how to print the reply as text.
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "agentd/ctlclient.h"
#include "agentd/statustext.h"
#include "agentd/state.h"
#include "conf/cfile.h"
#include "conf/conf.h"
#include "conf/ini.h"
#include "failover/ipalloc.h"

#define DEFAULT_TIMEOUT (10 * USEC_PER_SEC)

struct verb {
	const char *name;
	const char *args;    /* usage of the arguments after the verb */
	const char *summary;
	const char *help;
	int min_args, max_args;
	void (*print)(struct json_object *reply);
	/* Turn argv (argv[0] is the verb) into request args; 2 = usage error. */
	int (*parse)(int argc, char **argv, struct json_object *args, bool *follow);
	/* Flag verbs: wait until status shows this bit set (want) or clear. */
	uint32_t wait_bit;
	bool wait_set;
};

static const char *jstr(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return dflt;
	return json_object_get_string(v);
}

static void print_status(struct json_object *r)
{
	status_text(stdout, r);
}

static void print_uptime(struct json_object *r)
{
	printf("Current time of node %-3s          : %s\n", jstr(r, "pnn", "?"),
	       jstr(r, "current_time", "?"));
	printf("herdd start time                  : %s (up %.0f s)\n", jstr(r, "start_time", "?"),
	       json_object_get_double(json_object_object_get(r, "uptime_seconds")));
	printf("Time of last recovery/failover    : %s\n", jstr(r, "last_recovery_finish", "never"));
	printf("Last configuration reload         : %s (%s reloads, %s failed)\n",
	       jstr(r, "last_reload", "never"), jstr(r, "reloads", "0"),
	       jstr(r, "reload_failures", "0"));
	if (strlen(jstr(r, "last_reload_error", "")))
		printf("Last reload error                 : %s\n", jstr(r, "last_reload_error", ""));
}

static void print_reload(struct json_object *r)
{
	printf("herdd reloaded its configuration from %s\n", jstr(r, "file", "?"));
}

static void print_ping(struct json_object *r)
{
	printf("response from node %s (herdd pid %s)\n", jstr(r, "pnn", "?"), jstr(r, "pid", "?"));
}

static void print_version(struct json_object *r)
{
	printf("herdctl %s, herdd %s\n", HERD_PKG_VERSION, jstr(r, "version", "?"));
}

/* Print an object's scalar members as "section.key  value", recursing. */
static void print_tree(const char *prefix, struct json_object *o)
{
	json_object_object_foreach(o, key, val) {
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "", key);
		if (json_object_is_type(val, json_type_object))
			print_tree(name, val);
		else
			printf("%-32s %s\n", name, val ? json_object_get_string(val) : "-");
	}
}

static void print_statistics(struct json_object *r)
{
	print_tree("", r);
}

static void print_event(struct json_object *e)
{
	const char *node = jstr(e, "node", NULL), *detail = jstr(e, "detail", "");

	printf("%s #%-5s %-8s %-20s %s%s%s%s%s\n", jstr(e, "time", "?"), jstr(e, "seq", "?"),
	       jstr(e, "severity", "?"), jstr(e, "type", "?"), node ? "node " : "",
	       node ? node : "", node ? ": " : "", jstr(e, "subject", ""), "");
	if (detail[0])
		printf("%33s%s\n", "", detail);
}

static void print_events(struct json_object *r)
{
	struct json_object *list;

	if (!json_object_object_get_ex(r, "events", &list))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		print_event(json_object_array_get_idx(list, i));
}

/* --since: an event sequence number, a time ago (10m, 2h, 1d) or ISO 8601. */
static int parse_since(const char *text, struct json_object *args)
{
	char *end;
	unsigned long long n = strtoull(text, &end, 10);
	struct tm tm = { 0 };

	if (end != text && *end == '\0') {
		json_object_object_add(args, "since_seq", json_object_new_int64((int64_t)n));
		return 0;
	}
	if (end != text && end[1] == '\0' && strchr("smhd", *end)) {
		uint64_t mult = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400;
		usec_t ago = (usec_t)n * mult * USEC_PER_SEC, now = now_realtime();

		json_object_object_add(args, "since_wall_us",
				       json_object_new_int64((int64_t)(ago > now ? 0 : now - ago)));
		return 0;
	}
	end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end && (*end == '\0' || streq(end, "Z"))) {
		json_object_object_add(args, "since_wall_us",
				       json_object_new_int64((int64_t)timegm(&tm) * 1000000));
		return 0;
	}
	fprintf(stderr, "herdctl: events: bad --since '%s': expected a sequence number, "
		"a time ago (30s, 10m, 2h, 1d) or a time (2026-11-23T10:00:00Z)\n", text);
	return 2;
}

static int parse_events(int argc, char **argv, struct json_object *args, bool *follow)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "node", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		{ "follow", no_argument, NULL, 'f' },
		{ 0 },
	};
	char *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:n:l:f", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_since(optarg, args))
				return 2;
			break;
		case 't':
			json_object_object_add(args, "type", json_object_new_string(optarg));
			break;
		case 'n':
		case 'l':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < (c == 'l' ? 1 : 0)) {
				fprintf(stderr, "herdctl: events: bad --%s '%s': expected a number\n",
					c == 'n' ? "node" : "limit", optarg);
				return 2;
			}
			json_object_object_add(args, c == 'n' ? "node" : "limit",
					       json_object_new_int64(v));
			break;
		case 'f':
			*follow = true;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "herdctl: events: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}


static void print_pnn(struct json_object *r)
{
	printf("%s\n", jstr(r, "pnn", "?"));
}

static void print_leader(struct json_object *r)
{
	printf("%s\n", jstr(r, "leader", "none"));
	if (!json_object_get_boolean(json_object_object_get(r, "active")))
		fprintf(stderr, "herdctl: warning: no leader holding the recovery lock: "
				"this node is not part of a running cluster\n");
}

static void print_listnodes(struct json_object *r)
{
	struct json_object *list, *n, *addrs;

	json_object_object_get_ex(r, "nodes", &list);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		n = json_object_array_get_idx(list, i);
		json_object_object_get_ex(n, "addresses", &addrs);
		printf("%s", json_object_get_boolean(json_object_object_get(n, "deleted")) ? "#" : "");
		for (size_t a = 0; a < json_object_array_length(addrs); a++)
			printf("%s%s", a ? "," : "",
			       json_object_get_string(json_object_array_get_idx(addrs, a)));
		printf("\n");
	}
}

static void print_caps(struct json_object *r)
{
	static const char *const names[] = { "RECMASTER", "LMASTER", "LVS", "NATGW" };
	static const char *const keys[] = { "recmaster", "lmaster", "lvs", "natgw" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		printf("%s: %s\n", names[i],
		       json_object_get_boolean(json_object_object_get(r, keys[i])) ? "YES" : "NO");
}

static void print_scriptstatus(struct json_object *r)
{
	struct json_object *events, *e, *scripts, *sc;

	json_object_object_get_ex(r, "events", &events);
	if (!json_object_array_length(events))
		printf("No event has run yet (events dir %s)\n", jstr(r, "events_dir", "?"));
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		e = json_object_array_get_idx(events, i);
		json_object_object_get_ex(e, "scripts", &scripts);
		printf("%s event: %s, %zu script%s, %.3f s, at %s\n", jstr(e, "event", "?"),
		       jstr(e, "status", "?"), json_object_array_length(scripts),
		       json_object_array_length(scripts) == 1 ? "" : "s",
		       json_object_get_double(json_object_object_get(e, "duration_ms")) / 1000.0,
		       jstr(e, "start", "-"));
		for (size_t k = 0; k < json_object_array_length(scripts); k++) {
			const char *out;

			sc = json_object_array_get_idx(scripts, k);
			out = jstr(sc, "output", "");
			printf("  %-20s %-9s %8.3f s  %s\n", jstr(sc, "name", "?"),
			       jstr(sc, "status", "?"),
			       json_object_get_double(json_object_object_get(sc, "duration_ms")) / 1000.0,
			       jstr(sc, "start", ""));
			if (out[0] && !streq(jstr(sc, "status", ""), "OK"))
				printf("    OUTPUT: %.*s\n", (int)strcspn(out, "\n"), out);
		}
	}
}

static void print_done(struct json_object *r)
{
	(void)r;
}

/* -n PNN|all for admin verbs; rest: positional arguments left in argv. */
static int parse_node_opt(int *argc, char **argv, struct json_object *args, bool allow_all)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (streq(argv[i], "-n") || streq(argv[i], "--node")) {
			char *end;
			long v;

			if (i + 1 >= *argc) {
				fprintf(stderr, "herdctl: %s: -n needs a node number%s\n", argv[0],
					allow_all ? " or all" : "");
				return 2;
			}
			i++;
			if (allow_all && streq(argv[i], "all")) {
				json_object_object_add(args, "node", json_object_new_string("all"));
				continue;
			}
			v = strtol(argv[i], &end, 10);
			if (*end || end == argv[i] || v < 0) {
				fprintf(stderr, "herdctl: %s: bad node '%s': expected a number%s\n",
					argv[0], argv[i], allow_all ? " or all" : "");
				return 2;
			}
			json_object_object_add(args, "node", json_object_new_int64(v));
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	return 0;
}

static int parse_node_only(int argc, char **argv, struct json_object *args, bool *follow)
{
	int r = parse_node_opt(&argc, argv, args, true);

	if (r)
		return r;
	if (argc > 1) {
		fprintf(stderr, "herdctl: %s: unexpected argument '%s'\n", argv[0], argv[1]);
		return 2;
	}
	return 0;
}

static int parse_node_one(int argc, char **argv, struct json_object *args, bool *follow)
{
	int r = parse_node_opt(&argc, argv, args, false);

	if (r)
		return r;
	if (argc > 1) {
		fprintf(stderr, "herdctl: %s: unexpected argument '%s'\n", argv[0], argv[1]);
		return 2;
	}
	return 0;
}

/* "30s", "10m", "2h", "1d" or plain seconds. */
static long parse_seconds(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || v <= 0)
		return -1;
	if (*end == '\0' || streq(end, "s"))
		return v;
	if (streq(end, "m"))
		return v * 60;
	if (streq(end, "h"))
		return v * 3600;
	if (streq(end, "d"))
		return v * 86400;
	return -1;
}

static int parse_ban(int argc, char **argv, struct json_object *args, bool *follow)
{
	long secs;
	int r = parse_node_opt(&argc, argv, args, true);

	if (r)
		return r;
	if (argc != 2) {
		fprintf(stderr, "herdctl: ban: expected one argument, the ban time in seconds\n");
		return 2;
	}
	secs = parse_seconds(argv[1]);
	if (secs <= 0) {
		fprintf(stderr, "herdctl: ban: bad time '%s': expected seconds, e.g. 300 or 5m\n",
			argv[1]);
		return 2;
	}
	json_object_object_add(args, "seconds", json_object_new_int64(secs));
	return 0;
}

static int parse_maintenance(int argc, char **argv, struct json_object *args, bool *follow)
{
	long secs = -1;
	bool on;

	if (argc < 2 || (!streq(argv[1], "on") && !streq(argv[1], "off"))) {
		fprintf(stderr, "herdctl: maintenance: expected 'on --for DURATION' or 'off'\n");
		return 2;
	}
	on = streq(argv[1], "on");
	for (int i = 2; i < argc; i++) {
		if ((streq(argv[i], "--for") || streq(argv[i], "-t")) && i + 1 < argc && on) {
			secs = parse_seconds(argv[++i]);
			if (secs <= 0) {
				fprintf(stderr, "herdctl: maintenance: bad duration '%s': expected e.g. "
					"30m, 2h or seconds\n", argv[i]);
				return 2;
			}
			continue;
		}
		fprintf(stderr, "herdctl: maintenance: unexpected argument '%s'\n", argv[i]);
		return 2;
	}
	if (on && secs < 0) {
		fprintf(stderr, "herdctl: maintenance on: --for DURATION is required "
			"(maintenance ends by itself)\n");
		return 2;
	}
	json_object_object_add(args, "on", json_object_new_boolean(on));
	if (on)
		json_object_object_add(args, "seconds", json_object_new_int64(secs));
	return 0;
}

static void print_maintenance(struct json_object *r)
{
	printf("maintenance mode %s\n",
	       json_object_get_boolean(json_object_object_get(r, "maintenance")) ? "on" : "off");
}

/* ---- public addresses -------------------------------------------------- */

static bool ip_verbose;

static int parse_ip(int argc, char **argv, struct json_object *args, bool *follow)
{
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "-v") || streq(argv[i], "--verbose")) {
			ip_verbose = true;
			continue;
		}
		fprintf(stderr, "herdctl: ip: unexpected argument '%s'\n", argv[i]);
		return 2;
	}
	return 0;
}

static void print_strings(const char *label, struct json_object *arr)
{
	printf(" %s[", label);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		printf("%s%s", i ? "," : "", json_object_get_string(json_object_array_get_idx(arr, i)));
	printf("]");
}

static void print_ip(struct json_object *r)
{
	struct json_object *list = json_object_object_get(r, "addresses");

	printf("Public IPs on node %s\n", jstr(r, "pnn", "?"));
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);

		if (!ip_verbose) {
			printf("%s %s\n", jstr(a, "address", "?"), jstr(a, "pnn", "-1"));
			continue;
		}
		printf("%s node[%s] active[%s]", jstr(a, "address", "?"), jstr(a, "pnn", "-1"),
		       jstr(a, "active_interface", ""));
		print_strings("available", json_object_object_get(a, "available_interfaces"));
		print_strings("configured", json_object_object_get(a, "interfaces"));
		print_strings("may-host", json_object_object_get(a, "may_host"));
		printf("\n");
	}
}

static void print_ifaces(struct json_object *r)
{
	struct json_object *list = json_object_object_get(r, "interfaces");

	printf("Interfaces on node %s (%s)\n", jstr(r, "pnn", "?"), jstr(r, "health", "?"));
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *it = json_object_array_get_idx(list, i);

		printf("name:%s link:%s references:%s\n", jstr(it, "name", "?"),
		       jstr(it, "link", "?"), jstr(it, "references", "0"));
	}
}

static int parse_moveip(int argc, char **argv, struct json_object *args, bool *follow)
{
	char *end;
	long pnn;

	if (argc != 3) {
		fprintf(stderr, "herdctl: moveip: expected an address and a node number\n");
		return 2;
	}
	pnn = strtol(argv[2], &end, 10);
	if (*end || end == argv[2] || pnn < 0 || pnn >= HERD_MAX_NODES) {
		fprintf(stderr, "herdctl: moveip: bad node number '%s'\n", argv[2]);
		return 2;
	}
	json_object_object_add(args, "address", json_object_new_string(argv[1]));
	json_object_object_add(args, "pnn", json_object_new_int64(pnn));
	return 0;
}

static int parse_addip(int argc, char **argv, struct json_object *args, bool *follow)
{
	char line[512];

	if (argc != 3) {
		fprintf(stderr, "herdctl: addip: expected ADDRESS/PREFIX and IFACE[,IFACE...]\n");
		return 2;
	}
	snprintf(line, sizeof(line), "%s %s", argv[1], argv[2]);
	json_object_object_add(args, "line", json_object_new_string(line));
	return 0;
}

static int parse_delip(int argc, char **argv, struct json_object *args, bool *follow)
{
	if (argc != 2) {
		fprintf(stderr, "herdctl: delip: expected one address\n");
		return 2;
	}
	json_object_object_add(args, "address", json_object_new_string(argv[1]));
	return 0;
}

/* ---- natgw, lvs ---------------------------------------------------------- */

static const char *role_what = "status";

static int parse_role(int argc, char **argv, struct json_object *args, bool *follow)
{
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "master") || streq(argv[i], "list") || streq(argv[i], "status")) {
			role_what = argv[i];
			continue;
		}
		if (streq(argv[i], "-v") || streq(argv[i], "--verbose")) {
			ip_verbose = true;
			continue;
		}
		fprintf(stderr, "herdctl: %s: expected master, list or status, not '%s'\n", argv[0],
			argv[i]);
		return 2;
	}
	return 0;
}

static void print_role(struct json_object *r, bool lvs)
{
	struct json_object *nodes = json_object_object_get(r, "nodes");
	const char *master = jstr(r, "master", "-1");

	if (streq(role_what, "master")) {
		if (lvs || streq(master, "-1"))
			printf("%s\n", master);
		else
			printf("%s %s\n", master, jstr(r, "master_address", "?"));
		return;
	}
	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i);
		const char *pnn = jstr(n, "pnn", "?");
		bool is_master = streq(pnn, master);

		if (streq(role_what, "list")) {
			if (lvs && !json_object_get_boolean(json_object_object_get(n, "in_set")))
				continue;
			printf(lvs ? "%s %s\n" : "%s %s", pnn, jstr(n, "address", "?"));
			if (!lvs)
				printf("%s%s\n",
				       json_object_get_boolean(json_object_object_get(n, "slave_only"))
					       ? " slave-only" : "",
				       is_master ? " MASTER" : "");
			continue;
		}
		printf("pnn:%s %-15s %s%s%s%s\n", pnn, jstr(n, "address", "?"), jstr(n, "state", "?"),
		       lvs && json_object_get_boolean(json_object_object_get(n, "in_set")) ? " in-set" : "",
		       json_object_get_boolean(json_object_object_get(n, "slave_only")) ? " slave-only" : "",
		       is_master ? " MASTER" : "");
	}
	if (streq(role_what, "status")) {
		if (!json_object_get_boolean(json_object_object_get(r, "configured")))
			printf("%s is not configured on this node\n", lvs ? "LVS" : "NAT gateway");
		printf("this node (pnn %s) is %s\n", jstr(r, "pnn", "?"), jstr(r, "role", "?"));
		if (lvs && json_object_get_boolean(json_object_object_get(r, "dry_run")))
			printf("dry run: the kernel has no IPVS; ipvsadm commands are recorded, not run\n");
		if (jstr(r, "error", NULL))
			printf("error: %s\n", jstr(r, "error", ""));
		if (ip_verbose) {
			const char *t = jstr(r, lvs ? "commands" : "applied", NULL);

			if (t && t[0])
				printf("%s:\n%s%s", lvs ? "ipvsadm commands" : "applied", t,
				       t[strlen(t) - 1] == '\n' ? "" : "\n");
		}
	}
}

static void print_natgw(struct json_object *r)
{
	print_role(r, false);
}

static void print_lvs(struct json_object *r)
{
	print_role(r, true);
}

/* ---- notify --------------------------------------------------------------- */

static int parse_notify(int argc, char **argv, struct json_object *args, bool *follow)
{
	if (argc == 1 || (argc == 2 && streq(argv[1], "status")))
		return 0;
	if (streq(argv[1], "test") && argc <= 3) {
		json_object_object_add(args, "test", json_object_new_string(argc == 3 ? argv[2]
										     : "healthy"));
		return 0;
	}
	fprintf(stderr, "herdctl: notify: expected 'status' or 'test [EVENT]'\n");
	return 2;
}

static void print_handlers_status(struct json_object *h)
{
	struct json_object *list = json_object_object_get(h, "handlers");

	printf("notify.d handlers in %s: %s events, %s runs, %s failures, %s timeouts, %s dropped, "
	       "%s running, %s queued\n",
	       jstr(h, "dir", "?"), jstr(h, "events", "0"), jstr(h, "runs", "0"),
	       jstr(h, "failures", "0"), jstr(h, "timeouts", "0"), jstr(h, "dropped", "0"),
	       jstr(h, "running", "0"), jstr(h, "queued", "0"));
	if (jstr(h, "scan_error", NULL))
		printf("  directory: %s\n", jstr(h, "scan_error", ""));
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);

		printf("  %-24s runs:%s ok:%s failed:%s timedout:%s dropped:%s queued:%s%s%s\n",
		       jstr(e, "name", "?"), jstr(e, "runs", "0"), jstr(e, "ok", "0"),
		       jstr(e, "failures", "0"), jstr(e, "timeouts", "0"), jstr(e, "dropped", "0"),
		       jstr(e, "queued", "0"), jstr(e, "last_error", NULL) ? " last error: " : "",
		       jstr(e, "last_error", ""));
	}
}

static void print_mail_status(struct json_object *m)
{
	if (!m) {
		printf("mail: not enabled\n");
		return;
	}
	struct json_object *rc = json_object_object_get(m, "recipients");
	char to[512] = "";

	for (size_t i = 0; rc && i < json_object_array_length(rc); i++)
		snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s", i ? ", " : "",
			 json_object_get_string(json_object_array_get_idx(rc, i)));
	printf("mail to %s via %s (STARTTLS %s): %s queued (oldest %s), %s delivered, %s failed "
	       "(in %s), %s attempts failed, %s events mailed in %s mails\n", to,
	       jstr(m, "server", "?"), jstr(m, "starttls", "?"), jstr(m, "queued", "0"),
	       jstr(m, "oldest", "-"), jstr(m, "delivered", "0"), jstr(m, "failed", "0"),
	       jstr(m, "failed_dir", "-"), jstr(m, "attempts_failed", "0"),
	       jstr(m, "events_mailed", "0"), jstr(m, "mails_composed", "0"));
	if (jstr(m, "last_error", NULL))
		printf("  last error (%s): %s\n", jstr(m, "last_error_time", "?"),
		       jstr(m, "last_error", ""));
}

static void print_notify(struct json_object *r)
{
	struct json_object *h = json_object_object_get(r, "handlers");

	if (json_object_object_get(r, "done")) {
		struct json_object *list = h ? json_object_object_get(h, "handlers") : NULL;

		printf("test %s event #%s:\n", jstr(h, "event", "?"), jstr(h, "seq", "?"));
		if (!list || !json_object_array_length(list))
			printf("  no handlers%s%s\n", jstr(h, "scan_error", NULL) ? ": " : "",
			       jstr(h, "scan_error", ""));
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			struct json_object *e = json_object_array_get_idx(list, i);

			printf("  handler %-24s %s (%s)\n", jstr(e, "name", "?"),
			       jstr(e, "outcome", "?"), jstr(e, "reason", ""));
		}
		if (json_object_object_get(r, "mail")) {
			struct json_object *m = json_object_object_get(r, "mail");

			printf("  mail %s (%s)\n",
			       json_object_get_boolean(json_object_object_get(m, "ok")) ? "ok" : "failed",
			       jstr(m, "result", ""));
		} else {
			printf("  mail: not enabled\n");
		}
		if (json_object_object_get(r, "subscribers"))
			printf("  event subscribers (herd-agentx sends it as a trap, herdctl events -f "
			       "shows it): %s\n",
			       jstr(json_object_object_get(r, "subscribers"), "subscribers", "0"));
		return;
	}
	if (h)
		print_handlers_status(h);
	print_mail_status(json_object_object_get(r, "mail"));
}

/* After notify test: poll for the report (handlers may take their timeout). */
static int wait_notify_test(struct ctlclient *cl, struct json_object **reply, usec_t timeout)
{
	int64_t id = json_object_get_int64(json_object_object_get(*reply, "test"));
	usec_t deadline = now_monotonic() + MAX(timeout, 120 * USEC_PER_SEC);
	char err[256];

	for (;;) {
		struct json_object *args = json_object_new_object(), *r = NULL;

		json_object_object_add(args, "result", json_object_new_int64(id));
		if (ctlclient_request(cl, "notify", args, timeout, &r, err, sizeof(err)) < 0) {
			json_object_put(args);
			json_object_put(r);
			fprintf(stderr, "herdctl: notify test: %s\n", err);
			return 1;
		}
		json_object_put(args);
		if (json_object_get_boolean(json_object_object_get(r, "done"))) {
			json_object_put(*reply);
			*reply = r;
			return 0;
		}
		json_object_put(r);
		if (now_monotonic() >= deadline) {
			fprintf(stderr, "herdctl: notify test: the handlers did not finish in time\n");
			return 1;
		}
		usleep(100 * 1000);
	}
}

static int parse_digest(int argc, char **argv, struct json_object *args, bool *follow)
{
	for (int i = 1; i < argc; i++) {
		if ((streq(argv[i], "--range") || streq(argv[i], "-r")) && i + 1 < argc) {
			json_object_object_add(args, "range", json_object_new_string(argv[++i]));
			continue;
		}
		if ((streq(argv[i], "--detail") || streq(argv[i], "-d")) && i + 1 < argc) {
			json_object_object_add(args, "detail", json_object_new_string(argv[++i]));
			continue;
		}
		if (streq(argv[i], "--mail") || streq(argv[i], "-m")) {
			json_object_object_add(args, "mail", json_object_new_boolean(true));
			continue;
		}
		fprintf(stderr, "herdctl: digest: unexpected argument '%s'\n", argv[i]);
		return 2;
	}
	return 0;
}

static void print_digest(struct json_object *r)
{
	fputs(jstr(r, "text", ""), stdout);
}

static void print_reloadnodes(struct json_object *r)
{
	printf("nodes file reloaded: %s nodes\n", jstr(r, "nodes", "?"));
}

static void print_recover(struct json_object *r)
{
	printf("recovery requested\n");
}

/*
 * ipalloc: CTDB's allocation run offline on text, herdd not involved.
 * Options then FLAGS; stdin "ADDR [CURRENT_PNN [PNN,...]]" per line; stdout
 * "ADDR PNN" in input order. Input errors: exit 2, nothing on stdout.
 */
#define IPALLOC_ARGS "[--algorithm lcp2|deterministic|nondeterministic] [--no-ip-failback] " \
	"[--no-ip-takeover] FLAGS"

static int parse_ipalloc(int argc, char **argv, struct ipalloc_input *in, uint32_t **flags)
{
	static const struct option opts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "no-ip-failback", no_argument, NULL, 'f' },
		{ "no-ip-takeover", no_argument, NULL, 't' },
		{ 0 },
	};
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "a:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (ipalloc_algorithm_from_name(optarg, &in->algorithm) < 0) {
				fprintf(stderr, "herdctl: ipalloc: unknown algorithm '%s': expected "
					"lcp2, deterministic or nondeterministic\n", optarg);
				return 2;
			}
			break;
		case 'f': in->no_ip_failback = true; break;
		case 't': in->no_ip_takeover = true; break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "herdctl: ipalloc: expected one FLAGS argument, the node flags "
			"(e.g. 0,0x20,0)\n");
		return 2;
	}
	if (ipalloc_parse_flags(argv[optind], flags, &in->num_nodes, err, sizeof(err)) < 0) {
		fprintf(stderr, "herdctl: ipalloc: %s\n", err);
		return 2;
	}
	in->node_flags = *flags;
	return 0;
}

static int run_ipalloc(int argc, char **argv)
{
	struct ipalloc_input in = { .algorithm = IPALLOC_LCP2 };
	_cleanup_(freep) uint32_t *flags = NULL;
	_cleanup_(freep) struct ipalloc_ip *ips = NULL;
	_cleanup_(freep) bool *allowed = NULL;
	_cleanup_(freep) size_t *lineno = NULL;
	_cleanup_(freep) int32_t *result = NULL;
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0, n = 0, len = 0, no = 0;
	char err[256], a[64], b[64];
	int r;

	r = parse_ipalloc(argc, argv, &in, &flags);
	if (r) {
		fprintf(stderr, "Usage: herdctl ipalloc %s\n", IPALLOC_ARGS);
		return r;
	}
	while (getline(&line, &len, stdin) >= 0) {
		no++;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p1 = reallocarray(ips, ncap, sizeof(*ips)), *p2, *p3;

			if (p1)
				ips = p1;
			p2 = reallocarray(lineno, ncap, sizeof(*lineno));
			if (p2)
				lineno = p2;
			p3 = reallocarray(allowed, ncap, (in.num_nodes ? in.num_nodes : 1) * sizeof(*allowed));
			if (p3)
				allowed = p3;
			if (!p1 || !p2 || !p3) {
				fprintf(stderr, "herdctl: ipalloc: out of memory\n");
				return 1;
			}
			cap = ncap;
		}
		r = ipalloc_parse_line(line, in.num_nodes, &ips[n], allowed + n * in.num_nodes,
				       err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "herdctl: ipalloc: line %zu: %s\n", no, err);
			return 2;
		}
		if (r == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (ips[i].family == ips[n].family && !memcmp(ips[i].addr, ips[n].addr, 16)) {
				fprintf(stderr, "herdctl: ipalloc: line %zu: address %s is already on "
					"line %zu: expected each address once\n", no,
					ipalloc_ip_format(&ips[n], a, sizeof(a)), lineno[i]);
				return 2;
			}
		}
		lineno[n++] = no;
	}
	/* Pointers into allowed are fixed only now that it stops moving. */
	for (size_t i = 0; i < n; i++)
		if (ips[i].allowed)
			ips[i].allowed = allowed + i * in.num_nodes;
	in.ips = ips;
	in.num_ips = n;
	result = calloc(n ? n : 1, sizeof(*result));
	if (!result)
		return 1;
	r = ipalloc_run(&in, result);
	if (r < 0) {
		fprintf(stderr, "herdctl: ipalloc: %s\n", strerror(-r));
		return r == -ENOMEM ? 1 : 2;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s %d\n", ipalloc_ip_format(&ips[i], b, sizeof(b)), result[i]);
	return 0;
}

static const struct verb verbs[] = {
	{ "status", "", "show the nodes of the cluster and their states",
	  "Show every node of the cluster as this node sees it: its number (pnn),\n"
	  "private addresses and flags (OK, DISCONNECTED, BANNED, ...), then the\n"
	  "generation, recovery mode, leader and recovery lock.\n"
	  "Exit status 0 when herdd answered.\n",
	  0, 0, print_status, NULL },
	{ "uptime", "", "show when herdd started, last recovery and last reload",
	  "Show the current time, herdd's start time and uptime, the last\n"
	  "recovery and the last configuration reload (and why it failed).\n",
	  0, 0, print_uptime, NULL },
	{ "pnn", "", "print this node's number",
	  "Print the number (pnn) of the node herdctl talks to.\n", 0, 0, print_pnn, NULL },
	{ "leader", "", "print the leader's node number (alias: recmaster)",
	  "Print the number of the node this node follows as leader (CTDB's recovery\n"
	  "master), or 'none'. Warns when no leader holds the recovery lock.\n",
	  0, 0, print_leader, NULL },
	{ "recmaster", "", "same as leader", "Same as 'herdctl leader'.\n", 0, 0, print_leader, NULL },
	{ "listnodes", "", "list the nodes file as herdd reads it",
	  "Print every node's private address(es), one node per line in pnn order;\n"
	  "a deleted node is shown as #ADDR.\n", 0, 0, print_listnodes, NULL },
	{ "getcapabilities", "[-n PNN]", "show a node's capabilities",
	  "Show whether a node (default this one) may be leader (RECMASTER), is an\n"
	  "LMASTER, and has the LVS and NATGW capabilities.\n", 0, 2, print_caps, parse_node_one },
	{ "scriptstatus", "", "show the last run of each event script",
	  "Show, for every event that ran (init, setup, startup, monitor, ...), its\n"
	  "result and each events.d script's status, duration, start and, for a\n"
	  "failure, its first line of output.\n", 0, 0, print_scriptstatus, NULL },
	{ "disable", "[-n PNN|all]", "disable a node: it hosts no public address (root)",
	  "Mark the node (default this one) DISABLED: it stays in the cluster but\n"
	  "hosts no public address until enabled. Waits until the change shows.\n",
	  0, 2, print_done, parse_node_only, NODE_FLAG_PERMANENTLY_DISABLED, true },
	{ "enable", "[-n PNN|all]", "enable a disabled node (root)",
	  "Clear DISABLED on the node (default this one).\n",
	  0, 2, print_done, parse_node_only, NODE_FLAG_PERMANENTLY_DISABLED, false },
	{ "stop", "[-n PNN|all]", "stop a node: INACTIVE, no leadership, no addresses (root)",
	  "Mark the node STOPPED: it stays connected but takes no part in the cluster\n"
	  "(no leadership, no public addresses, no monitoring) until continued.\n",
	  0, 2, print_done, parse_node_only, NODE_FLAG_STOPPED, true },
	{ "continue", "[-n PNN|all]", "continue a stopped node (root)",
	  "Clear STOPPED on the node (default this one).\n",
	  0, 2, print_done, parse_node_only, NODE_FLAG_STOPPED, false },
	{ "ban", "SECONDS [-n PNN|all]", "ban a node for a time (root)",
	  "Ban the node (default this one) for SECONDS (or 5m, 2h, 1d): it is INACTIVE\n"
	  "and hosts nothing until the time runs out or it is unbanned.\n",
	  1, 3, print_done, parse_ban, NODE_FLAG_BANNED, true },
	{ "unban", "[-n PNN|all]", "lift a ban (root)",
	  "Lift the ban of the node (default this one).\n",
	  0, 2, print_done, parse_node_only, NODE_FLAG_BANNED, false },
	{ "reloadnodes", "", "apply a changed nodes file on every node (root)",
	  "Ask herdd to read the nodes file again and apply it, and every connected\n"
	  "node to do the same with its own copy (change them all first). Nodes are\n"
	  "added as new lines at the end and removed by marking their line deleted\n"
	  "(#ADDR); a node's addresses never change in place. A bad nodes file is\n"
	  "refused and changes nothing.\n",
	  0, 0, print_reloadnodes, NULL },
	{ "recover", "", "force a recovery (root)",
	  "Ask the leader to bump the generation and run a recovery now.\n",
	  0, 0, print_recover, NULL },
	{ "maintenance", "on --for DURATION | off", "cluster-wide maintenance mode (root)",
	  "Turn cluster-wide maintenance mode on for DURATION (30m, 2h, ...) or off.\n"
	  "While it is on, no node is banned, the leader does not change, and\n"
	  "health checks change nothing: a planned outage of the private network\n"
	  "(a switch reboot) does not shuffle the cluster. It ends by itself when\n"
	  "DURATION runs out, and shows in herdctl status.\n",
	  1, 3, print_maintenance, parse_maintenance },
	{ "ip", "[-v]", "show the public addresses and the node hosting each",
	  "Show every public address the leader assigned, and this node's own, with\n"
	  "the node hosting it (-1: none), CTDB's 'ctdb ip' format. With -v also the\n"
	  "interface it is on here (active), this node's working and configured\n"
	  "interfaces for it, and the nodes that may host it.\n",
	  0, 1, print_ip, parse_ip },
	{ "ifaces", "", "show this node's public interfaces and their links",
	  "Show every interface named in this node's public addresses: its link\n"
	  "(up, down or missing) and how many addresses it carries. The node is\n"
	  "PARTIALLYONLINE when some are down, and hosts nothing when all are.\n",
	  0, 0, print_ifaces, NULL },
	{ "moveip", "ADDRESS PNN", "move a public address to a node (root)",
	  "Ask the leader to move ADDRESS to node PNN now, and keep it there while\n"
	  "that node can host it. Waits until herdctl ip shows the move.\n",
	  2, 2, print_done, parse_moveip },
	{ "reloadips", "", "reload the public addresses on every node (root)",
	  "Reload the configuration (and so the public addresses file) here and on\n"
	  "every connected node, then run a takeover: removed addresses are\n"
	  "released, new ones are assigned.\n",
	  0, 0, print_done, NULL },
	{ "addip", "ADDRESS/PREFIX IFACE[,IFACE...]", "add a public address to this node (root)",
	  "Add a public address to this node's running set, not to the file: it\n"
	  "lasts until herdd restarts (reloads keep it; delip removes it), and run\n"
	  "a takeover.\n",
	  2, 2, print_done, parse_addip },
	{ "delip", "ADDRESS", "remove a public address from this node (root)",
	  "Remove a public address from this node's running set (released first if\n"
	  "this node hosts it) until the next reload, and run a takeover.\n",
	  1, 1, print_done, parse_delip },
	{ "natgw", "[master|list|status] [-v]", "show the NAT gateway of this node's group",
	  "master: the master's node number and private address (-1: none); list:\n"
	  "every node of the group; status (default): every node's state, this node's\n"
	  "role, and with -v what it applied (address, nftables table, routes).\n",
	  0, 2, print_natgw, parse_role },
	{ "lvs", "[master|list|status] [-v]", "show the LVS master and set",
	  "master: the LVS master's node number (-1: none); list: the nodes in the LVS\n"
	  "set; status (default): every LVS node, this node's role, whether the kernel\n"
	  "has IPVS, and with -v the ipvsadm commands applied (or, in a dry run, the\n"
	  "ones herdd would run).\n",
	  0, 2, print_lvs, parse_role },
	{ "digest", "[--range RANGE] [--detail low|med|high] [--mail]", "a logwatch-style report of the event log",
	  "Summarise the event log over RANGE (default yesterday; today, all, a date,\n"
	  "'since DATE', 'between DATE1 and DATE2', as logwatch reads --range) at\n"
	  "detail low (default), med or high: node state changes and time spent\n"
	  "unhealthy or banned per node, leader changes and recoveries with their\n"
	  "durations, failovers, failed monitor scripts; high adds every event.\n"
	  "--mail (root): mail the daily digest now ([mail] digest range/detail).\n",
	  0, 5, print_digest, parse_digest },
	{ "notify", "[status | test [EVENT]]", "show the notification sinks, or test them",
	  "status (default): the notify.d handlers with their runs, failures,\n"
	  "timeouts, drops and last error. test [EVENT] (root): send a synthetic\n"
	  "EVENT (default healthy; HERD_TEST=1 in the handlers' environment) through\n"
	  "the notify.d handlers and report what each did; waits until every handler\n"
	  "finished.\n",
	  0, 2, print_notify, parse_notify },
	{ "reload", "", "reload the configuration (root)",
	  "Ask herdd to read its configuration directory again. The new files are\n"
	  "checked first; when they are not valid herdd keeps running on the old\n"
	  "configuration and herdctl prints why and exits 1. Same as SIGHUP.\n",
	  0, 0, print_reload, NULL },
	{ "statistics", "", "show herdd's counters",
	  "Show herdd's counters: control socket clients, requests, refused and\n"
	  "denied peers, malformed frames dropped, unknown verbs, reloads.\n",
	  0, 0, print_statistics, NULL },
	{ "events", "[--since SEQ|AGO|TIME] [--type TYPE] [--node PNN] [--limit N] [-f]",
	  "show recent cluster events",
	  "Show the most recent events this node knows (default the last 100),\n"
	  "oldest first: sequence number, time, severity, type, node, subject.\n"
	  "\n"
	  "  -s, --since SEQ|AGO|TIME  only events after sequence number SEQ, within\n"
	  "                            AGO (30s, 10m, 2h, 1d) or since TIME (ISO 8601)\n"
	  "  -t, --type TYPE           only events of TYPE (node-banned, unhealthy, ...)\n"
	  "  -n, --node PNN            only events about node PNN\n"
	  "  -l, --limit N             at most N events\n"
	  "  -f, --follow              keep printing new events as they happen\n",
	  0, 99, print_events, parse_events },
	{ "ping", "", "check that herdd answers",
	  "Send a request to herdd and print who answered.\n", 0, 0, print_ping, NULL },
	{ "version", "", "print herdctl's and herdd's versions",
	  "Print the version of herdctl and of the running herdd.\n", 0, 0, print_version, NULL },
	{ "ipalloc", IPALLOC_ARGS, "compute a public-IP assignment offline (CTDB's algorithms)",
	  "Run the public-IP allocation on the input, offline (herdd is not asked):\n"
	  "the same inputs and results as CTDB's takeover unit tests.\n"
	  "\n"
	  "FLAGS is one node-flags value per node, comma-separated, in CTDB's numeric\n"
	  "encoding, decimal or 0x hex: 0 OK, 0x1 DISCONNECTED, 0x2 UNHEALTHY,\n"
	  "0x4 DISABLED, 0x8 BANNED, 0x10 DELETED, 0x20 STOPPED. Standard input has\n"
	  "one line per public address, ADDR [CURRENT_PNN [PNN,PNN,...]]: the node\n"
	  "hosting it now (-1 or absent: none) and the nodes that may host it (all\n"
	  "when absent); '#' starts a comment. Standard output has 'ADDR PNN' per\n"
	  "address in the input's order, -1 when no node can host it.\n"
	  "\n"
	  "  --algorithm ALG   lcp2 (default), deterministic or nondeterministic\n"
	  "  --no-ip-failback  do not move addresses to balance the load\n"
	  "  --no-ip-takeover  no node takes over an address it does not hold\n"
	  "\n"
	  "Bad input: a message naming the line, exit status 2, nothing on stdout.\n",
	  1, 4, print_done, NULL },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: herdctl [OPTIONS] VERB [ARGS]\n"
		"\n"
		"Control and inspect the local herd node daemon (herdd).\n"
		"\n"
		"Options:\n"
		"  -c, --config-dir DIR  find herdd's socket through DIR/herd.conf (default %s)\n"
		"  -s, --socket PATH     talk to the control socket at PATH\n"
		"  -j, --json            print the reply as JSON\n"
		"  -t, --timeout SECS    give up waiting for herdd after SECS (default 10)\n"
		"  -V, --version         print herdctl's version\n"
		"  -h, --help            this text; VERB --help explains a verb\n"
		"\n"
		"Verbs:\n",
		HERD_SYSCONFDIR);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nSee herdctl(1).\n");
}

static void verb_help(const struct verb *v)
{
	printf("Usage: herdctl [OPTIONS] %s%s%s\n\n%s", v->name, v->args[0] ? " " : "", v->args,
	       v->help);
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/*
 * When herd.conf does not load (an admin is half-way through an edit, and
 * wants `herdctl reload` to say what is wrong), find herdd anyway: take
 * `run dir` from [paths] reading leniently, skipping what does not parse.
 */
static char *lenient_socket_path(const char *dir)
{
	struct conf_error err = { "" };
	struct cfile f = { 0 };
	struct ini_token tok;
	const char *why;
	char *line, *path = NULL, section[64] = "", run_dir[4096] = "/run/herd";
	_cleanup_(freep) char *file = NULL;

	if (asprintf(&file, "%s/%s", dir, HERD_CONF_FILE) < 0)
		return NULL;
	if (cfile_read(&f, file, &err) >= 0) {
		while (cfile_next(&f, &line, &err) > 0) {
			if (ini_parse_line(line, &tok, &why) < 0)
				continue;
			if (tok.kind == INI_SECTION)
				snprintf(section, sizeof(section), "%s", tok.name);
			else if (tok.kind == INI_KEY && streq(section, "paths") &&
				 streq(tok.name, "run dir"))
				snprintf(run_dir, sizeof(run_dir), "%s", tok.value);
		}
		cfile_done(&f);
	}
	if (run_dir[0] == '/')
		(void)!asprintf(&path, "%s/herdd.sock", run_dir);
	else
		(void)!asprintf(&path, "%s/%s/herdd.sock", dir, run_dir);
	return path;
}

/* The socket path: -s, else $HERD_SOCKET, else the run dir of DIR/herd.conf. */
static char *socket_path(const char *sock, const char *dir)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL;
	char *path;

	if (sock)
		return strdup(sock);
	if (getenv("HERD_SOCKET"))
		return strdup(getenv("HERD_SOCKET"));
	if (conf_load(dir, NULL, &cf, &err) < 0) {
		fprintf(stderr, "herdctl: warning: %s\n", err.msg);
		return lenient_socket_path(dir);
	}
	path = conf_socket_path(cf);
	conf_free(cf);
	return path;
}

/*
 * After a flag verb: poll status until the target node(s) show the change,
 * so that the admin's next command sees it (it takes a heartbeat or two to
 * travel). Returns 0, or 1 with a message when it does not show in time.
 */
static int wait_flags(struct ctlclient *cl, struct json_object *args, const struct verb *v,
		      usec_t timeout)
{
	struct json_object *target = json_object_object_get(args, "node"), *st = NULL, *nodes;
	bool all = target && json_object_is_type(target, json_type_string);
	usec_t deadline = now_monotonic() + timeout;
	char err[256];

	for (;;) {
		bool done = true;
		int64_t want = -1;

		if (ctlclient_request(cl, "status", NULL, timeout, &st, err, sizeof(err)) < 0) {
			fprintf(stderr, "herdctl: %s: %s\n", v->name, err);
			json_object_put(st);
			return 1;
		}
		want = target && !all ? json_object_get_int64(target)
				      : json_object_get_int64(json_object_object_get(st, "pnn"));
		json_object_object_get_ex(st, "nodes", &nodes);
		for (size_t i = 0; i < json_object_array_length(nodes); i++) {
			struct json_object *n = json_object_array_get_idx(nodes, i);
			int64_t pnn = json_object_get_int64(json_object_object_get(n, "pnn"));
			uint32_t flags = (uint32_t)json_object_get_int64(json_object_object_get(n, "flags"));

			if (flags & (NODE_FLAG_DISCONNECTED | NODE_FLAG_DELETED)) /* nothing to wait for */
				continue;
			if ((all || pnn == want) && !!(flags & v->wait_bit) != v->wait_set)
				done = false;
		}
		json_object_put(st);
		if (done)
			return 0;
		if (now_monotonic() >= deadline) {
			fprintf(stderr, "herdctl: %s: sent, but the change does not show in "
				"herdctl status yet\n", v->name);
			return 1;
		}
		usleep(50 * 1000);
	}
}

/* After moveip: poll ip until the address shows on the node. */
static int wait_moveip(struct ctlclient *cl, struct json_object *args, usec_t timeout)
{
	const char *addr = json_object_get_string(json_object_object_get(args, "address"));
	int64_t pnn = json_object_get_int64(json_object_object_get(args, "pnn"));
	usec_t deadline = now_monotonic() + timeout;
	char err[256];

	for (;;) {
		struct json_object *r = NULL, *list;
		bool done = false;

		if (ctlclient_request(cl, "ip", NULL, timeout, &r, err, sizeof(err)) < 0) {
			fprintf(stderr, "herdctl: moveip: %s\n", err);
			json_object_put(r);
			return 1;
		}
		list = json_object_object_get(r, "addresses");
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			struct json_object *a = json_object_array_get_idx(list, i);
			struct json_object *p = json_object_object_get(a, "pnn");

			if (streq(jstr(a, "address", ""), addr) && p && json_object_get_int64(p) == pnn)
				done = true;
		}
		json_object_put(r);
		if (done)
			return 0;
		if (now_monotonic() >= deadline) {
			fprintf(stderr, "herdctl: moveip: sent, but %s is not on node %lld yet\n", addr,
				(long long)pnn);
			return 1;
		}
		usleep(50 * 1000);
	}
}

/* events -f: print the history, then every new event until herdd goes. */
static int follow_events(struct ctlclient *cl, struct json_object *reply, bool json)
{
	struct json_object *list, *ev;
	int64_t next = json_object_get_int64(json_object_object_get(reply, "next_seq"));
	char err[256];

	json_object_object_get_ex(reply, "events", &list);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		ev = json_object_array_get_idx(list, i);
		if (json)
			printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
		else
			print_event(ev);
	}
	json_object_put(reply);
	fflush(stdout);
	for (;;) {
		if (ctlclient_next_event(cl, 0, &ev, err, sizeof(err)) < 0) {
			fprintf(stderr, "herdctl: events: %s\n", err);
			ctlclient_free(cl);
			return 1;
		}
		if (json_object_get_int64(json_object_object_get(ev, "seq")) >= next) {
			if (json)
				printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
			else
				print_event(ev);
			fflush(stdout);
		}
		json_object_put(ev);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = HERD_SYSCONFDIR, *sock = NULL;
	usec_t timeout = DEFAULT_TIMEOUT;
	bool json = false;
	const struct verb *v;
	struct ctlclient *cl = NULL;
	struct json_object *reply = NULL;
	char err[1024] = "", *path;
	struct json_object *args, *args_keep = NULL;
	bool follow = false;
	int c, r, nargs;

	/* "+": stop at the verb, so verb options are the verb's. */
	while ((c = getopt_long(argc, argv, "+c:s:jt:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = optarg; break;
		case 's': sock = optarg; break;
		case 'j': json = true; break;
		case 't': {
			char *end;
			double secs = strtod(optarg, &end);

			if (*end || secs <= 0 || secs > 86400) {
				fprintf(stderr, "herdctl: bad timeout '%s': expected seconds, e.g. 5 or 0.5\n", optarg);
				return 2;
			}
			timeout = (usec_t)(secs * (double)USEC_PER_SEC);
			break;
		}
		case 'V': printf("herdctl %s\n", HERD_PKG_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (streq(argv[optind], "help")) {
		if (optind + 1 < argc && (v = find_verb(argv[optind + 1]))) {
			verb_help(v);
			return 0;
		}
		usage(stdout);
		return optind + 1 < argc ? 2 : 0;
	}
	v = find_verb(argv[optind]);
	if (!v) {
		fprintf(stderr, "herdctl: unknown verb '%s' (herdctl --help lists them)\n", argv[optind]);
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
			verb_help(v);
			return 0;
		}
		/* -j may follow the verb too: herdctl status -j */
		if (streq(argv[i], "-j") || streq(argv[i], "--json")) {
			json = true;
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	}
	nargs = argc - optind - 1;
	if (streq(v->name, "ipalloc"))
		return run_ipalloc(argc - optind, argv + optind);
	args = json_object_new_object();
	if (v->parse) {
		r = v->parse(argc - optind, argv + optind, args, &follow);
		if (r) {
			json_object_put(args);
			fprintf(stderr, "Usage: herdctl %s %s\n", v->name, v->args);
			return r;
		}
	} else if (nargs < v->min_args || nargs > v->max_args) {
		json_object_put(args);
		fprintf(stderr, "herdctl: wrong number of arguments for '%s'\n", v->name);
		fprintf(stderr, "Usage: herdctl %s %s\n", v->name, v->args);
		return 2;
	}

	path = socket_path(sock, dir);
	if (!path)
		return 1;
	r = ctlclient_connect(path, &cl);
	if (r < 0) {
		fprintf(stderr, "herdctl: cannot connect to herdd at %s: %s%s\n", path, strerror(-r),
			r == -ENOENT || r == -ECONNREFUSED ? " (is herdd running?)" : "");
		free(path);
		return 1;
	}
	free(path);
	/* Subscribe first so that no event falls between history and follow. */
	if (follow && ctlclient_request(cl, "subscribe", NULL, timeout, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "herdctl: %s: %s\n", v->name, err);
		json_object_put(reply);
		json_object_put(args);
		ctlclient_free(cl);
		return 1;
	}
	json_object_put(reply);
	reply = NULL;
	args_keep = json_object_get(args);
	r = ctlclient_request(cl, v->name, args, timeout, &reply, err, sizeof(err));
	json_object_put(args);
	if (r < 0) {
		json_object_put(args_keep);
		if (json && reply)
			printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
		fprintf(stderr, "herdctl: %s: %s\n", v->name, err);
		json_object_put(reply);
		ctlclient_free(cl);
		return 1;
	}
	if (follow) {
		json_object_put(args_keep);
		return follow_events(cl, reply, json);
	}
	if ((v->wait_bit && wait_flags(cl, args_keep, v, timeout)) ||
	    (streq(v->name, "moveip") && wait_moveip(cl, args_keep, timeout)) ||
	    (streq(v->name, "notify") && json_object_object_get(reply, "test") &&
	     wait_notify_test(cl, &reply, timeout))) {
		json_object_put(args_keep);
		json_object_put(reply);
		ctlclient_free(cl);
		return 1;
	}
	json_object_put(args_keep);
	ctlclient_free(cl);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		v->print(reply);
	json_object_put(reply);
	return 0;
}
