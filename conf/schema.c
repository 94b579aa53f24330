/*
 * schema.c — the herd.conf table, and the code that applies it.
 *
 * Each row names a key (section and name as admins write them), its type,
 * its default as herd.conf text, where it lives in struct herd_conf, its
 * limits and one sentence of documentation. Defaults go through the same
 * parsers as configured values, so a default can never be something the
 * admin could not have written; the unit tests check that every default
 * parses and prints back to itself, and that herd.conf(5) names every key
 * with its default. The "expected ..." half of each error message is built
 * here from the row, so messages always tell the real limits.
 */
#include "conf/schema.h"

#include <assert.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <syslog.h>

#include "agentd/event.h"
#include "conf/cfile.h"

static_assert(sizeof(enum ip_allocation) == sizeof(int), "enum fields are stored as int");

static const char *const sections[] = {
	"cluster", "membership", "paths", "control", "logging",
	"failover", "natgw", "policy routing", "lvs", "monitor", "events", "notify", "mail",
	"snmp",
};

static const struct value_enum log_levels[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
	{ NULL, 0 },
};

static const struct value_enum digest_ranges[] = {
	{ "today", 0 },
	{ "yesterday", 1 },
	{ "all", 2 },
	{ NULL, 0 },
};

static const struct value_enum digest_details[] = {
	{ "low", 0 },
	{ "med", 1 },
	{ "high", 2 },
	{ NULL, 0 },
};

static const struct value_enum log_syncs[] = {
	{ "atomic", 0 },
	{ "full", 1 },
	{ "none", 2 },
	{ NULL, 0 },
};

static const struct value_enum starttls_modes[] = {
	{ "off", 0 },
	{ "opportunistic", 1 },
	{ "required", 2 },
	{ NULL, 0 },
};

static const struct value_enum severities[] = {
	{ "info", SEV_INFO },
	{ "notice", SEV_NOTICE },
	{ "warning", SEV_WARNING },
	{ "error", SEV_ERROR },
	{ "critical", SEV_CRITICAL },
	{ NULL, 0 },
};

static const struct value_enum ip_allocations[] = {
	{ "lcp2", IP_ALLOC_LCP2 },
	{ "deterministic", IP_ALLOC_DETERMINISTIC },
	{ "nondeterministic", IP_ALLOC_NONDETERMINISTIC },
	{ NULL, 0 },
};

#define OFF(field) offsetof(struct herd_conf, field)
#define MS(n) ((uint64_t)(n) * USEC_PER_MSEC)
#define SEC(n) ((uint64_t)(n) * USEC_PER_SEC)

static const struct schema_key keys[] = {
	/* [cluster] */
	{ "cluster", "name", SCHEMA_NAME, "herd", OFF(cluster_name),
	  .doc = "Name of the cluster, shown in logs, mail, traps and herdctl status." },
	{ "cluster", "recovery lock", SCHEMA_RECLOCK, "", OFF(recovery_lock), .empty_ok = true,
	  .doc = "The recovery lock: empty for none, a file on shared storage that the "
		 "leader locks, or !COMMAND ARGS to run a lock helper." },
	{ "cluster", "key file", SCHEMA_PATH, "", OFF(key_file), .empty_ok = true,
	  .doc = "File holding the cluster key that authenticates node frames with "
		 "HMAC-SHA256; empty: frames are not authenticated." },
	{ "cluster", "port", SCHEMA_UINT, "4380", OFF(port), .min = 1, .max = 65535,
	  .doc = "TCP port of the cluster transport on every private address." },
	{ "cluster", "nodes file", SCHEMA_PATH, "nodes", OFF(nodes_file),
	  .doc = "The nodes file: the private addresses of every node." },
	{ "cluster", "recmaster capability", SCHEMA_BOOL, "yes", OFF(recmaster),
	  .doc = "Whether this node may be elected leader (recovery master)." },
	{ "cluster", "lmaster capability", SCHEMA_BOOL, "yes", OFF(lmaster),
	  .doc = "Whether this node may be location master of database records." },
	{ "cluster", "recovery ban period", SCHEMA_DURATION, "5m", OFF(recovery_ban_period),
	  .min = SEC(1), .max = SEC(86400),
	  .doc = "How long a node that keeps failing recovery is banned (CTDB's "
		 "RecoveryBanPeriod)." },
	{ "cluster", "recovery lock lease", SCHEMA_DURATION, "0s", OFF(recovery_lock_lease),
	  .min = MS(100), .max = SEC(60), .zero_ok = true,
	  .doc = "How long the lock helper keeps the recovery lock after herdd stops "
		 "pinging it; 0s: keepalive interval times keepalive limit." },

	/* [membership] */
	{ "membership", "keepalive interval", SCHEMA_DURATION, "250ms", OFF(keepalive_interval),
	  .min = MS(10), .max = SEC(10),
	  .doc = "Time between heartbeats on every link." },
	{ "membership", "keepalive limit", SCHEMA_UINT, "4", OFF(keepalive_limit),
	  .min = 1, .max = 100,
	  .doc = "Heartbeat intervals missed on every link before a peer is disconnected." },

	/* [paths] */
	{ "paths", "run dir", SCHEMA_PATH, "/run/herd", OFF(run_dir),
	  .doc = "Directory of the control socket herdd.sock and the pid file herdd.pid." },
	{ "paths", "state dir", SCHEMA_PATH, "/var/lib/herd", OFF(state_dir),
	  .doc = "Directory of the databases, the event log and the mail spool." },

	/* [control] */
	{ "control", "group", SCHEMA_GROUP, "", OFF(control_group), .gid_offset = OFF(control_gid),
	  .empty_ok = true,
	  .doc = "Group (name or number) whose members may use the control socket; "
		 "empty: root only." },

	/* [logging] */
	{ "logging", "level", SCHEMA_ENUM, "notice", OFF(log_level), .names = log_levels,
	  .doc = "Least important message logged." },

	/* [failover] */
	{ "failover", "ip allocation", SCHEMA_ENUM, "lcp2", OFF(ip_allocation),
	  .names = ip_allocations,
	  .doc = "Algorithm that assigns public addresses to nodes." },
	{ "failover", "no ip failback", SCHEMA_BOOL, "no", OFF(no_ip_failback),
	  .doc = "When yes, addresses stay where they are when a node comes back." },
	{ "failover", "no ip takeover", SCHEMA_BOOL, "no", OFF(no_ip_takeover),
	  .doc = "When yes, this node takes over no public addresses." },
	{ "failover", "public addresses file", SCHEMA_PATH, "public_addresses",
	  OFF(public_addresses_file), .empty_ok = true,
	  .doc = "The public addresses file; empty or absent: no public addresses." },
	{ "failover", "tickle interval", SCHEMA_DURATION, "10s", OFF(tickle_interval),
	  .min = SEC(1), .max = SEC(3600),
	  .doc = "Time between the lists of TCP connections every node sends the others "
		 "for the public addresses it hosts, so that the node taking one over "
		 "after a crash can reset its clients' connections (CTDB's "
		 "TickleUpdateInterval)." },

	/* [natgw]: ctdb(7) NAT GATEWAY; conf/conf.c checks the keys together. */
	{ "natgw", "nodes file", SCHEMA_PATH, "", OFF(natgw_nodes_file), .empty_ok = true,
	  .doc = "The NAT gateway nodes file: the nodes that share one outgoing address "
		 "through the NAT gateway master; empty: no NAT gateway." },
	{ "natgw", "public address", SCHEMA_CIDR, "", OFF(natgw_public_address),
	  .empty_ok = true,
	  .doc = "Address and prefix length the NAT gateway master puts on the public "
		 "interface; empty on a slave-only node." },
	{ "natgw", "public interface", SCHEMA_IFNAME, "", OFF(natgw_public_interface),
	  .empty_ok = true,
	  .doc = "Interface the NAT gateway master puts the public address on." },
	{ "natgw", "default gateway", SCHEMA_ADDRESS, "", OFF(natgw_default_gateway),
	  .empty_ok = true,
	  .doc = "Router the NAT gateway master sends the static routes through when a "
		 "route names none." },
	{ "natgw", "private network", SCHEMA_NETWORK, "", OFF(natgw_private_network),
	  .empty_ok = true,
	  .doc = "Network of the nodes' private addresses, whose traffic the NAT gateway "
		 "master masquerades." },
	{ "natgw", "static routes", SCHEMA_ROUTES, "", OFF(natgw_static_routes_text),
	  .list_offset = OFF(natgw_static_routes), .count_offset = OFF(nnatgw_static_routes),
	  .empty_ok = true,
	  .doc = "Networks reached through the NAT gateway, as NETWORK/PREFIX[@GATEWAY] "
		 "separated by blanks or commas; empty: the default route only." },

	/* [policy routing]: ctdb(7) POLICY ROUTING */
	{ "policy routing", "routes file", SCHEMA_PATH, "", OFF(policy_routing_file),
	  .empty_ok = true,
	  .doc = "The policy routing file: routes for the traffic from each public "
		 "address; empty: no policy routing." },
	{ "policy routing", "rule preference", SCHEMA_UINT, "100", OFF(policy_rule_preference),
	  .min = 1, .max = 32765,
	  .doc = "Preference of the routing rule that sends traffic from a public address "
		 "to its own routing table." },
	{ "policy routing", "table id low", SCHEMA_UINT, "1000", OFF(policy_table_low),
	  .min = 1, .max = INT32_MAX,
	  .doc = "Lowest routing table number given to a public address." },
	{ "policy routing", "table id high", SCHEMA_UINT, "9000", OFF(policy_table_high),
	  .min = 1, .max = INT32_MAX,
	  .doc = "Highest routing table number given to a public address." },

	/* [lvs]: ctdb(7) LVS */
	{ "lvs", "nodes file", SCHEMA_PATH, "", OFF(lvs_nodes_file), .empty_ok = true,
	  .doc = "The LVS nodes file: the nodes that serve the LVS address, balanced by "
		 "the LVS master; empty: no LVS." },
	{ "lvs", "public address", SCHEMA_ADDRESS, "", OFF(lvs_public_address),
	  .empty_ok = true,
	  .doc = "The one address clients connect to, on every LVS node." },
	{ "lvs", "public interface", SCHEMA_IFNAME, "", OFF(lvs_public_interface),
	  .empty_ok = true,
	  .doc = "Interface on which the LVS master answers for the public address." },

	/* [monitor] */
	{ "monitor", "interval", SCHEMA_DURATION, "5s", OFF(monitor_interval),
	  .min = MS(100), .max = SEC(3600),
	  .doc = "Time between health monitor runs." },
	{ "monitor", "events dir", SCHEMA_PATH, "events.d", OFF(events_dir),
	  .doc = "Directory of the event scripts (CTDB's events.d interface)." },
	{ "monitor", "script timeout", SCHEMA_DURATION, "30s", OFF(script_timeout),
	  .min = MS(100), .max = SEC(3600),
	  .doc = "Time an event script may run before its process group is killed and "
		 "it counts as timed out." },
	{ "monitor", "fail limit", SCHEMA_UINT, "1", OFF(monitor_fail_limit),
	  .min = 1, .max = 100,
	  .doc = "Monitor runs in a row that must fail or time out before the node is "
		 "UNHEALTHY." },
	{ "monitor", "startup retry", SCHEMA_DURATION, "5s", OFF(startup_retry),
	  .min = MS(100), .max = SEC(3600),
	  .doc = "Time between attempts of a failed init, setup or startup event." },

	/* [events] */
	{ "events", "log max count", SCHEMA_UINT, "10000", OFF(events_max_count), .min = 0,
	  .max = 100000000,
	  .doc = "Events kept in the event log (events.tdb in the state dir); 0: no bound." },
	{ "events", "log max age", SCHEMA_DURATION, "720h", OFF(events_max_age), .zero_ok = true,
	  .min = SEC(60), .max = SEC(10 * 365 * 86400ULL),
	  .doc = "Events older than this are dropped from the event log; 0: no bound." },
	{ "events", "log sync", SCHEMA_ENUM, "atomic", OFF(events_sync), .names = log_syncs,
	  .doc = "Crash safety of the event log: atomic (a herdd crash loses nothing "
		 "committed), full (also fsync: survives a power loss, slow) or none." },

	/* [notify] */
	{ "notify", "handlers dir", SCHEMA_PATH, "notify.d", OFF(notify_dir),
	  .doc = "Directory of the notify.d handlers run for every event; absent: none." },
	{ "notify", "handler timeout", SCHEMA_DURATION, "30s", OFF(notify_timeout),
	  .min = MS(100), .max = SEC(3600),
	  .doc = "Time a handler may run before its process group gets SIGTERM." },
	{ "notify", "handler kill grace", SCHEMA_DURATION, "5s", OFF(notify_kill_grace),
	  .min = MS(10), .max = SEC(600),
	  .doc = "Time from that SIGTERM to SIGKILL." },
	{ "notify", "handler parallel", SCHEMA_UINT, "4", OFF(notify_parallel), .min = 1, .max = 64,
	  .doc = "Handler runs at once, all handlers together (each handler still takes "
		 "its events one at a time, in order)." },
	{ "notify", "handler queue", SCHEMA_UINT, "10000", OFF(notify_queue), .min = 10,
	  .max = 1000000,
	  .doc = "Events waiting per handler; when full, the oldest is dropped and counted." },
	{ "notify", "handler output", SCHEMA_UINT, "4096", OFF(notify_output), .min = 256,
	  .max = 1048576,
	  .doc = "Bytes of a handler's output kept and logged per run." },

	/* [mail] */
	{ "mail", "smtp server", SCHEMA_HOSTPORT, "localhost:25", OFF(smtp_server),
	  .doc = "Mail server that notifications are sent through." },
	{ "mail", "to", SCHEMA_EMAILS, "root@localhost", OFF(mail_to),
	  .doc = "Recipients of notification mail, separated by commas; root@localhost "
		 "reaches whoever /etc/aliases forwards root to." },
	{ "mail", "from", SCHEMA_EMAIL, "herd@localhost", OFF(mail_from),
	  .doc = "Sender of notification mail." },
	{ "mail", "enabled", SCHEMA_BOOL, "yes", OFF(mail_enabled),
	  .doc = "When no, events are not mailed (and nothing is spooled)." },
	{ "mail", "starttls", SCHEMA_ENUM, "off", OFF(mail_starttls), .names = starttls_modes,
	  .doc = "STARTTLS: off, opportunistic (when the server offers it) or required." },
	{ "mail", "tls ca file", SCHEMA_PATH, "", OFF(mail_tls_ca_file), .empty_ok = true,
	  .doc = "PEM file of the CAs that may sign the server's certificate; empty: the "
		 "system's." },
	{ "mail", "tls verify", SCHEMA_BOOL, "yes", OFF(mail_tls_verify),
	  .doc = "With STARTTLS required, check the server's certificate and name." },
	{ "mail", "auth user", SCHEMA_STRING, "", OFF(mail_auth_user), .empty_ok = true,
	  .expect = "a user name without blanks",
	  .doc = "SMTP AUTH user; empty: no AUTH." },
	{ "mail", "auth password file", SCHEMA_PATH, "", OFF(mail_auth_password_file),
	  .empty_ok = true,
	  .doc = "File whose first line is the SMTP AUTH password (keep it 0600)." },
	{ "mail", "subject prefix", SCHEMA_STRING, "herd", OFF(mail_subject_prefix),
	  .empty_ok = true, .expect = "a word without blanks, or nothing",
	  .doc = "Subjects start with [PREFIX]; empty: no prefix." },
	{ "mail", "severity", SCHEMA_ENUM, "notice", OFF(mail_severity), .names = severities,
	  .doc = "Least severe event that is mailed." },
	{ "mail", "events", SCHEMA_EVENTS, "all", OFF(mail_events),
	  .doc = "Event types that are mailed (at or above the severity): all, names, "
		 "-NAME to leave one out." },
	{ "mail", "coalesce", SCHEMA_DURATION, "10s", OFF(mail_coalesce), .min = 0,
	  .max = SEC(3600),
	  .doc = "Events within this time of the first waiting one go in one mail." },
	{ "mail", "max events", SCHEMA_UINT, "1000", OFF(mail_max_events), .min = 1,
	  .max = 100000,
	  .doc = "Events in one mail at most; a full batch is sent at once." },
	{ "mail", "rate limit", SCHEMA_UINT, "12", OFF(mail_rate_limit), .min = 0, .max = 10000,
	  .doc = "Mails per hour at most (0: no limit); later events wait for the next "
		 "allowed mail, none is lost." },
	{ "mail", "retry", SCHEMA_DURATION, "30s", OFF(mail_retry), .min = SEC(1),
	  .max = SEC(3600),
	  .doc = "First delay before a failed mail is sent again, doubling up to retry max." },
	{ "mail", "retry max", SCHEMA_DURATION, "30m", OFF(mail_retry_max), .min = SEC(1),
	  .max = SEC(86400),
	  .doc = "Longest delay between two attempts." },
	{ "mail", "expiry", SCHEMA_DURATION, "72h", OFF(mail_expiry), .zero_ok = true,
	  .min = SEC(60), .max = SEC(30 * 86400),
	  .doc = "A mail not delivered this long after it was queued moves to the spool's "
		 "failed/ directory (0: never)." },
	{ "mail", "timeout", SCHEMA_DURATION, "1m", OFF(mail_timeout), .min = SEC(1),
	  .max = SEC(3600),
	  .doc = "Time one SMTP session may take before it is killed (and retried)." },
	{ "mail", "digest time", SCHEMA_TIMEOFDAY, "06:00", OFF(mail_digest_time),
	  .doc = "Local time of the daily digest mail (herdctl digest of the range below); "
		 "off: none." },
	{ "mail", "digest range", SCHEMA_ENUM, "yesterday", OFF(mail_digest_range),
	  .names = digest_ranges,
	  .doc = "Range the daily digest covers: today, yesterday or all." },
	{ "mail", "digest detail", SCHEMA_ENUM, "low", OFF(mail_digest_detail),
	  .names = digest_details,
	  .doc = "Detail of the daily digest: low, med or high." },
	{ "mail", "spool dir", SCHEMA_PATH, "", OFF(mail_spool_dir), .empty_ok = true,
	  .doc = "Where mails wait until delivered; empty: mail/ in the state dir." },

	/* [snmp] */
	{ "snmp", "agentx socket", SCHEMA_STRING, "/var/agentx/master", OFF(agentx_socket),
	  .expect = "a net-snmp AgentX address without blanks, e.g. /var/agentx/master "
		    "or tcp:localhost:705",
	  .doc = "AgentX master socket that herd-agentx connects to (net-snmp syntax, "
		 "used as given)." },
	{ "snmp", "allow set", SCHEMA_BOOL, "no", OFF(snmp_allow_set),
	  .doc = "Whether herd-agentx lets SNMP set herdNodeAdminState (herdctl enable or "
		 "disable of a node), and herdd lets control group members run those two "
		 "verbs." },
};

size_t schema_nsections(void)
{
	return ARRAY_SIZE(sections);
}

const char *schema_section(size_t i)
{
	return i < ARRAY_SIZE(sections) ? sections[i] : NULL;
}

int schema_section_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (streq(sections[i], name))
			return (int)i;
	return -ENOENT;
}

size_t schema_nkeys(void)
{
	return ARRAY_SIZE(keys);
}

const struct schema_key *schema_key(size_t i)
{
	return i < ARRAY_SIZE(keys) ? &keys[i] : NULL;
}

size_t schema_key_index(const struct schema_key *k)
{
	return (size_t)(k - keys);
}

const struct schema_key *schema_find(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i].section, section) && streq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Append to buf at *off, never past len. */
static void append(char *buf, size_t len, size_t *off, const char *s)
{
	int n;

	if (*off >= len)
		return;
	n = snprintf(buf + *off, len - *off, "%s", s);
	if (n > 0)
		*off += (size_t)n;
}

char *schema_key_list(char *buf, size_t len, const char *section)
{
	size_t off = 0;
	bool first = true;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!streq(keys[i].section, section))
			continue;
		append(buf, len, &off, first ? "" : ", ");
		append(buf, len, &off, keys[i].name);
		first = false;
	}
	return buf;
}

char *schema_section_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		append(buf, len, &off, i ? ", [" : "[");
		append(buf, len, &off, sections[i]);
		append(buf, len, &off, "]");
	}
	return buf;
}

const char *schema_type_name(enum schema_type t)
{
	switch (t) {
	case SCHEMA_BOOL: return "boolean";
	case SCHEMA_UINT: return "integer";
	case SCHEMA_DURATION: return "duration";
	case SCHEMA_ENUM: return "keyword";
	case SCHEMA_STRING: return "string";
	case SCHEMA_NAME: return "name";
	case SCHEMA_PATH: return "path";
	case SCHEMA_RECLOCK: return "lock";
	case SCHEMA_HOSTPORT: return "host:port";
	case SCHEMA_EMAIL: return "mail address";
	case SCHEMA_EMAILS: return "mail addresses";
	case SCHEMA_EVENTS: return "event list";
	case SCHEMA_TIMEOFDAY: return "time of day";
	case SCHEMA_GROUP: return "group";
	case SCHEMA_IFNAME: return "interface";
	case SCHEMA_ADDRESS: return "address";
	case SCHEMA_CIDR: return "address/prefix";
	case SCHEMA_NETWORK: return "network";
	case SCHEMA_ROUTES: return "routes";
	}
	return "value";
}

char *schema_limits(char *buf, size_t len, const struct schema_key *k)
{
	char lo[VALUE_DURATION_MAX], hi[VALUE_DURATION_MAX];

	switch (k->type) {
	case SCHEMA_UINT:
		snprintf(buf, len, "%llu to %llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		break;
	case SCHEMA_DURATION:
		snprintf(buf, len, "%s to %s%s", value_format_duration(lo, sizeof(lo), k->min),
			 value_format_duration(hi, sizeof(hi), k->max),
			 k->zero_ok ? ", or 0s" : "");
		break;
	case SCHEMA_ENUM:
		value_enum_list(buf, len, k->names);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	return buf;
}

/* The field of k in cf. */
#define FIELD(cf, k, type) ((type *)(void *)((char *)(cf) + (k)->offset))
#define CFIELD(cf, k, type) ((const type *)(const void *)((const char *)(cf) + (k)->offset))

/* problem = "WHAT 'text'" or, with after, "WHAT 'text' AFTER". */
static int why_set(struct schema_why *why, int ret, const char *what, const char *text,
		   const char *after, const char *expected)
{
	char q[CFILE_QUOTE_MAX];

	snprintf(why->problem, sizeof(why->problem), "%s %s%s", what,
		 cfile_quote(q, sizeof(q), text), after ? after : "");
	snprintf(why->expected, sizeof(why->expected), "%s", expected);
	return ret;
}

/* Words of a list separated by blanks or commas: call ok(word) on each. */
static bool words_ok(const char *text, bool (*ok)(const char *))
{
	char buf[1024], *save = NULL;
	size_t n = 0;

	if (strlen(text) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save), n++)
		if (!ok(w))
			return false;
	return n > 0;
}

static bool emails_ok(const char *text)
{
	return words_ok(text, value_is_email);
}

static bool event_word_ok(const char *w)
{
	if (streq(w, "all"))
		return true;
	if (w[0] == '-' || w[0] == '!')
		w++;
	return event_type_from_name(w) > 0;
}

static bool events_ok(const char *text)
{
	return words_ok(text, event_word_ok);
}

/* Check text as the value of a string-typed key: 0 or -EINVAL with why. */
static int check_string(const struct schema_key *k, const char *text, struct schema_why *why)
{
	const char *expect = k->expect;
	const char *what = "bad value";
	bool ok;

	if (!*text) {
		if (k->empty_ok)
			return 0;
		snprintf(why->problem, sizeof(why->problem), "empty value");
		snprintf(why->expected, sizeof(why->expected), "%s",
			 expect ? expect : k->type == SCHEMA_PATH ? "a path" : "a value");
		return -EINVAL;
	}
	switch (k->type) {
	case SCHEMA_STRING:
		ok = !strpbrk(text, " \t");
		expect = expect ? expect : "text without blanks";
		break;
	case SCHEMA_NAME:
		ok = value_is_name(text);
		what = "bad name";
		expect = expect ? expect
				: "1 to 63 letters, digits, '.', '-' or '_', starting with a letter or digit";
		break;
	case SCHEMA_PATH:
		ok = strlen(text) < PATH_MAX;
		what = "bad path";
		expect = expect ? expect : "a path shorter than 4096 bytes";
		break;
	case SCHEMA_RECLOCK:
		if (text[0] == '!') {
			const char *cmd = text + 1;

			while (*cmd == ' ' || *cmd == '\t')
				cmd++;
			ok = *cmd != '\0';
			what = "empty helper command";
		} else {
			ok = strlen(text) < PATH_MAX;
			what = "bad path";
		}
		expect = expect ? expect
				: "nothing (no lock), a path, or !COMMAND ARGS for a lock helper";
		break;
	case SCHEMA_HOSTPORT:
		ok = value_check_hostport(text) == 0;
		what = "bad server address";
		expect = expect ? expect
				: "HOST:PORT with a port from 1 to 65535, e.g. localhost:25 or [::1]:25";
		break;
	case SCHEMA_EMAIL:
		ok = value_is_email(text);
		what = "bad mail address";
		expect = expect ? expect : "an address like root@localhost";
		break;
	case SCHEMA_EMAILS:
		ok = emails_ok(text);
		what = "bad mail address list";
		expect = expect ? expect
				: "one or more addresses like root@localhost, separated by commas";
		break;
	case SCHEMA_EVENTS:
		ok = events_ok(text);
		what = "bad event list";
		expect = expect ? expect
				: "all, or event names (herdctl events shows them) separated by "
				  "blanks or commas; -NAME removes one, e.g. all -link-up";
		break;
	case SCHEMA_TIMEOFDAY: {
		unsigned h, m;
		char extra;

		ok = streq(text, "off") ||
		     (sscanf(text, "%2u:%2u%c", &h, &m, &extra) == 2 && h < 24 && m < 60 &&
		      strlen(text) == 5);
		what = "bad time of day";
		expect = expect ? expect : "HH:MM (local time, 00:00 to 23:59) or off";
		break;
	}
	case SCHEMA_IFNAME:
		ok = value_is_ifname(text);
		what = "bad interface name";
		expect = expect ? expect
				: "1 to 15 characters without '/', ':' or blanks, e.g. eth0";
		break;
	default:
		ok = false;
		break;
	}
	return ok ? 0 : why_set(why, -EINVAL, what, text, NULL, expect);
}

/* Replace the string at the field of k with a copy of text. */
static int store_string(struct herd_conf *cf, const struct schema_key *k, const char *text)
{
	char **field = FIELD(cf, k, char *);
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int set_number(struct herd_conf *cf, const struct schema_key *k, const char *text,
		      struct schema_why *why)
{
	char limits[128], expected[192];
	uint64_t v = 0;
	usec_t us = 0;
	int r;

	schema_limits(limits, sizeof(limits), k);
	if (k->type == SCHEMA_UINT) {
		snprintf(expected, sizeof(expected), "a whole number from %s", limits);
		r = value_parse_uint(text, k->min, k->max, &v);
		if (r == -EINVAL)
			return why_set(why, r, "bad integer", text, NULL, expected);
		if (r < 0)
			return why_set(why, r, "integer", text, " out of range", expected);
		*FIELD(cf, k, unsigned) = (unsigned)v;
		return 0;
	}
	r = value_parse_duration(text, &us);
	if (r == -EINVAL)
		return why_set(why, r, "bad duration", text, NULL,
			       "a number with a unit (us, ms, s, m, h), e.g. 250ms");
	snprintf(expected, sizeof(expected), "a duration from %s", limits);
	if (r < 0 || ((us < k->min || us > k->max) && !(us == 0 && k->zero_ok)))
		return why_set(why, -ERANGE, "duration", text, " out of range", expected);
	*FIELD(cf, k, usec_t) = us;
	return 0;
}

/* "" for a key that may be empty: 1 (leave the value unset); else 0 or -EINVAL. */
static int check_empty(const struct schema_key *k, const char *text, const char *expected,
		       struct schema_why *why)
{
	if (*text)
		return 0;
	if (k->empty_ok)
		return 1;
	snprintf(why->problem, sizeof(why->problem), "empty value");
	snprintf(why->expected, sizeof(why->expected), "%s", expected);
	return -EINVAL;
}

static int set_address(struct herd_conf *cf, const struct schema_key *k, const char *text,
		       struct schema_why *why)
{
	struct sockaddr_storage ss = { 0 };
	int r = check_empty(k, text, "an IPv4 or IPv6 address", why);

	if (r < 0)
		return r;
	if (r == 0) {
		if (value_parse_address(text, &ss) < 0)
			return why_set(why, -EINVAL, "bad address", text, NULL,
				       "an IPv4 or IPv6 address, e.g. 192.168.1.1 or 2001:db8::1");
		if (!value_address_is_unicast(&ss))
			return why_set(why, -EINVAL, "address", text, " is not unicast",
				       "a unicast address");
	}
	*FIELD(cf, k, struct sockaddr_storage) = ss;
	return 0;
}

/*
 * ADDRESS/PREFIX (network: NETWORK/PREFIX, host bits clear) with a prefix
 * length from min_prefix into *out: 0, or -EINVAL with why.
 */
static int parse_cidr(const char *text, unsigned min_prefix, bool network,
		      struct conf_cidr *out, struct schema_why *why)
{
	const char *form = network ? "NETWORK/PREFIX, e.g. 192.168.1.0/24"
				   : "ADDRESS/PREFIX, e.g. 192.168.1.10/24";
	char expected[128], masked_text[VALUE_CIDR_MAX];
	struct conf_cidr c = { .prefix = 0 };
	struct sockaddr_storage masked;
	int r;

	r = value_parse_cidr(text, min_prefix, &c.addr, &c.prefix);
	if (r == -ERANGE) {
		snprintf(expected, sizeof(expected), "%u to 32 for IPv4, %u to 128 for IPv6",
			 min_prefix, min_prefix);
		return why_set(why, -EINVAL, "prefix length out of range in", text, NULL,
			       expected);
	}
	if (r < 0 && !strchr(text, '/'))
		return why_set(why, -EINVAL, "missing prefix length in", text, NULL, form);
	if (r < 0) {
		snprintf(expected, sizeof(expected), "an IPv4 or IPv6 %s: %s",
			 network ? "network" : "address", form);
		return why_set(why, -EINVAL, network ? "bad network" : "bad address/prefix", text,
			       NULL, expected);
	}
	if (network && !value_cidr_is_network(&c.addr, c.prefix)) {
		masked = c.addr;
		value_cidr_mask(&masked, c.prefix);
		snprintf(expected, sizeof(expected), "the network address %s",
			 value_format_cidr(masked_text, sizeof(masked_text), &masked, c.prefix));
		return why_set(why, -EINVAL, "host bits set in", text, NULL, expected);
	}
	*out = c;
	return 0;
}

static int set_cidr(struct herd_conf *cf, const struct schema_key *k, const char *text,
		    struct schema_why *why)
{
	bool network = k->type == SCHEMA_NETWORK;
	struct conf_cidr c = { .prefix = 0 };
	int r = check_empty(k, text, network ? "NETWORK/PREFIX" : "ADDRESS/PREFIX", why);

	if (r < 0)
		return r;
	if (r == 0) {
		r = parse_cidr(text, 1, network, &c, why);
		if (r < 0)
			return r;
		if (!network && !value_address_is_unicast(&c.addr))
			return why_set(why, -EINVAL, "address", text, " is not unicast",
				       "a unicast address with a prefix length");
	}
	*FIELD(cf, k, struct conf_cidr) = c;
	return 0;
}

/* One static route NETWORK/PREFIX[@GATEWAY], written into word, into *rt. */
static int parse_static_route(char *word, struct conf_static_route *rt,
			      struct schema_why *why)
{
	char q[CFILE_QUOTE_MAX];
	char *at = strchr(word, '@');
	struct conf_static_route route = { .net.prefix = 0 };
	int r;

	cfile_quote(q, sizeof(q), word);
	if (at)
		*at++ = '\0';
	r = parse_cidr(word, 0, true, &route.net, why);
	if (r < 0)
		return r;
	if (at) {
		if (value_parse_address(at, &route.gateway) < 0) {
			snprintf(why->problem, sizeof(why->problem), "bad gateway in route %s", q);
			snprintf(why->expected, sizeof(why->expected),
				 "NETWORK/PREFIX@GATEWAY with an IPv4 or IPv6 gateway address");
			return -EINVAL;
		}
		if (!value_address_is_unicast(&route.gateway) ||
		    route.gateway.ss_family != route.net.addr.ss_family) {
			snprintf(why->problem, sizeof(why->problem), "bad gateway in route %s", q);
			snprintf(why->expected, sizeof(why->expected),
				 "a unicast %s gateway for an %s network",
				 value_address_family_name(&route.net.addr),
				 value_address_family_name(&route.net.addr));
			return -EINVAL;
		}
	}
	*rt = route;
	return 0;
}

/*
 * SCHEMA_ROUTES: NETWORK/PREFIX[@GATEWAY] separated by blanks or commas
 * (CTDB_NATGW_STATIC_ROUTES takes blanks). Stores the normalized text and
 * the parsed routes together, or neither.
 */
static int set_routes(struct herd_conf *cf, const struct schema_key *k, const char *text,
		      struct schema_why *why)
{
	_cleanup_(freep) char *copy = strdup(text), *norm = NULL;
	_cleanup_(freep) struct conf_static_route *rts = NULL;
	struct conf_static_route **list;
	size_t n = 0, len = 0, off = 0;
	char *save = NULL;
	char **field;
	int r;

	if (!copy)
		return -ENOMEM;
	r = check_empty(k, text, "NETWORK/PREFIX[@GATEWAY] ...", why);
	if (r < 0)
		return r;
	/* At most one route per two bytes of text ("a,b"). */
	rts = calloc(strlen(text) / 2 + 1, sizeof(*rts));
	if (!rts)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		char net[VALUE_CIDR_MAX];

		r = parse_static_route(w, &rts[n], why);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (sockaddr_equal_addr(&rts[i].net.addr, &rts[n].net.addr) &&
			    rts[i].net.prefix == rts[n].net.prefix) {
				value_format_cidr(net, sizeof(net), &rts[n].net.addr,
						  rts[n].net.prefix);
				snprintf(why->problem, sizeof(why->problem),
					 "network %s routed twice", net);
				snprintf(why->expected, sizeof(why->expected),
					 "each network once, with at most one gateway");
				return -EINVAL;
			}
		n++;
	}
	len = n * (VALUE_CIDR_MAX + VALUE_ADDR_MAX + 2) + 1;
	norm = malloc(len);
	if (!norm)
		return -ENOMEM;
	norm[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char net[VALUE_CIDR_MAX], gw[VALUE_ADDR_MAX];
		bool has_gw = rts[i].gateway.ss_family != AF_UNSPEC;

		off += (size_t)snprintf(norm + off, len - off, "%s%s%s%s", i ? " " : "",
					value_format_cidr(net, sizeof(net), &rts[i].net.addr,
							  rts[i].net.prefix),
					has_gw ? "@" : "",
					has_gw ? sockaddr_format(gw, sizeof(gw), &rts[i].gateway) : "");
	}
	field = FIELD(cf, k, char *);
	free(*field);
	*field = TAKE_PTR(norm);
	list = (struct conf_static_route **)(void *)((char *)cf + k->list_offset);
	free(*list);
	*list = n ? TAKE_PTR(rts) : NULL;
	*(size_t *)(void *)((char *)cf + k->count_offset) = n;
	return 0;
}

int schema_set(struct herd_conf *cf, const struct schema_key *k, const char *text,
	       struct schema_why *why)
{
	char list[256], expected[300];
	bool b = false;
	gid_t gid = 0;
	int r, e = 0;

	switch (k->type) {
	case SCHEMA_BOOL:
		if (value_parse_bool(text, &b) < 0)
			return why_set(why, -EINVAL, "bad boolean", text, NULL,
				       "yes or no (or true/false, on/off, 1/0)");
		*FIELD(cf, k, bool) = b;
		return 0;
	case SCHEMA_UINT:
	case SCHEMA_DURATION:
		return set_number(cf, k, text, why);
	case SCHEMA_ENUM:
		if (value_parse_enum(text, k->names, &e) < 0) {
			snprintf(expected, sizeof(expected), "one of: %s",
				 value_enum_list(list, sizeof(list), k->names));
			return why_set(why, -EINVAL, "bad value", text, NULL, expected);
		}
		*FIELD(cf, k, int) = e;
		return 0;
	case SCHEMA_GROUP:
		r = value_parse_group(text, &gid);
		if (r == -ENOENT || r == -EINVAL)
			return why_set(why, -ENOENT, "unknown group", text, NULL,
				       "a group name from the group database, or a number");
		if (r == -ERANGE)
			return why_set(why, r, "group number", text, " out of range",
				       "a group number below 4294967295");
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			char q[CFILE_QUOTE_MAX];

			snprintf(why->problem, sizeof(why->problem), "cannot look up group %s: %s",
				 cfile_quote(q, sizeof(q), text), strerror(-r));
			snprintf(why->expected, sizeof(why->expected),
				 "a group the name service can resolve, or a number");
			return r;
		}
		r = store_string(cf, k, text);
		if (r < 0)
			return r;
		*(gid_t *)(void *)((char *)cf + k->gid_offset) = gid;
		return 0;
	case SCHEMA_ADDRESS:
		return set_address(cf, k, text, why);
	case SCHEMA_CIDR:
	case SCHEMA_NETWORK:
		return set_cidr(cf, k, text, why);
	case SCHEMA_ROUTES:
		return set_routes(cf, k, text, why);
	default:
		r = check_string(k, text, why);
		if (r < 0)
			return r;
		return store_string(cf, k, text);
	}
}

int schema_set_defaults(struct herd_conf *cf, struct schema_why *why)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		int r = schema_set(cf, &keys[i], keys[i].def, why);

		if (r < 0)
			return r;
	}
	return 0;
}

const char *schema_format(char *buf, size_t len, const struct herd_conf *cf,
			  const struct schema_key *k)
{
	const char *s;

	switch (k->type) {
	case SCHEMA_BOOL:
		snprintf(buf, len, "%s", value_bool_name(*CFIELD(cf, k, bool)));
		return buf;
	case SCHEMA_UINT:
		snprintf(buf, len, "%u", *CFIELD(cf, k, unsigned));
		return buf;
	case SCHEMA_DURATION:
		return value_format_duration(buf, len, *CFIELD(cf, k, usec_t));
	case SCHEMA_ENUM:
		s = value_enum_name(k->names, *CFIELD(cf, k, int));
		snprintf(buf, len, "%s", s ? s : "?");
		return buf;
	case SCHEMA_ADDRESS: {
		const struct sockaddr_storage *ss = CFIELD(cf, k, struct sockaddr_storage);

		if (ss->ss_family == AF_UNSPEC)
			return "";
		return sockaddr_format(buf, len, ss);
	}
	case SCHEMA_CIDR:
	case SCHEMA_NETWORK: {
		const struct conf_cidr *c = CFIELD(cf, k, struct conf_cidr);

		return value_format_cidr(buf, len, &c->addr, c->prefix);
	}
	default:
		s = *CFIELD(cf, k, char *);
		return s ? s : "";
	}
}

void schema_free_values(struct herd_conf *cf)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct schema_key *k = &keys[i];

		switch (k->type) {
		case SCHEMA_BOOL:
		case SCHEMA_UINT:
		case SCHEMA_DURATION:
		case SCHEMA_ENUM:
		case SCHEMA_ADDRESS:
		case SCHEMA_CIDR:
		case SCHEMA_NETWORK:
			continue;
		case SCHEMA_ROUTES: {
			struct conf_static_route **list =
				(struct conf_static_route **)(void *)((char *)cf + k->list_offset);

			free(*list);
			*list = NULL;
			*(size_t *)(void *)((char *)cf + k->count_offset) = 0;
			break;
		}
		default:
			break;
		}
		/* The string: every other type, SCHEMA_ROUTES' text included. */
		free(*FIELD(cf, k, char *));
		*FIELD(cf, k, char *) = NULL;
	}
}
