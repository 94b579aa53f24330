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
#include "conf/cfile.h"
#include "conf/conf.h"
#include "conf/ini.h"

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
	struct json_object *nodes, *n, *addrs;
	const char *lock = jstr(r, "recovery_lock", "");

	json_object_object_get_ex(r, "nodes", &nodes);
	printf("Number of nodes:%s\n", jstr(r, "node_count", "0"));
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		char addr[256] = "";

		n = json_object_array_get_idx(nodes, i);
		if (streq(jstr(n, "state", ""), "DELETED"))
			continue;
		json_object_object_get_ex(n, "addresses", &addrs);
		for (size_t a = 0; a < json_object_array_length(addrs); a++)
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "%s%s",
				 a ? "," : "", json_object_get_string(json_object_array_get_idx(addrs, a)));
		printf("pnn:%-3s %-16s %s%s%s\n", jstr(n, "pnn", "?"), addr,
		       jstr(n, "flags_text", "?"),
		       json_object_get_boolean(json_object_object_get(n, "this_node")) ? " (THIS NODE)" : "",
		       json_object_get_boolean(json_object_object_get(n, "leader")) ? " (LEADER)" : "");
	}
	printf("Generation:%s\n", jstr(r, "generation", "?"));
	printf("Recovery mode:%s\n", jstr(r, "recovery_mode", "?"));
	printf("Leader:%s\n", jstr(r, "leader", "none"));
	printf("Recovery lock:%s\n", lock[0] ? lock : "none (WARNING: split brain is possible)");
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
	struct json_object *args;
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
	r = ctlclient_request(cl, v->name, args, timeout, &reply, err, sizeof(err));
	json_object_put(args);
	if (r < 0) {
		if (json && reply)
			printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
		fprintf(stderr, "herdctl: %s: %s\n", v->name, err);
		json_object_put(reply);
		ctlclient_free(cl);
		return 1;
	}
	if (follow)
		return follow_events(cl, reply, json);
	ctlclient_free(cl);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		v->print(reply);
	json_object_put(reply);
	return 0;
}
