/*
 * test_conf_load.c — the key table, conf_load, conf_print and the paths.
 *
 * The table (conf/schema.c) must be consistent with itself (every default
 * parses and prints back unchanged) and with herd.conf(5), which must give
 * every key with its type, limits, default and the table's sentence. Then
 * whole configurations in a temporary directory: the values they load to,
 * the exact message for each kind of mistake, and the normalized print
 * that loads back to the same bytes. Run from the top of the tree (or with
 * HERD_TOP set) so that doc/herd.conf.5 is found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <syslog.h>

#include "conf/conf.h"
#include "conf/schema.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_conf_load.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	static const char *const names[] = {
		"herd.conf", "nodes", "public_addresses", "other.conf", "nodes2", "printed.conf",
		"extra", "natgw_nodes", "routes", "lvs_nodes",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		remove_file(names[i]);
	return rmdir(tmpdir);
}

/* conf_print() into a malloc'd string. */
static char *print_to_string(const struct herd_conf *cf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_print(f, cf);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- the table --------------------------------------------------------- */

static void test_defaults_canonical(void **state)
{
	struct herd_conf cf = { .control_gid = (gid_t)-1 };
	struct schema_why why;
	char buf[64];

	assert_int_equal(schema_set_defaults(&cf, &why), 0);
	for (size_t i = 0; i < schema_nkeys(); i++) {
		const struct schema_key *k = schema_key(i);

		assert_non_null(k->doc);
		assert_true(schema_section_index(k->section) >= 0);
		assert_ptr_equal(schema_find(k->section, k->name), k);
		assert_int_equal(schema_key_index(k), i);
		if (strcmp(schema_format(buf, sizeof(buf), &cf, k), k->def) != 0)
			fail_msg("default of '%s' prints as '%s', not as written '%s'", k->name,
				 schema_format(buf, sizeof(buf), &cf, k), k->def);
	}
	assert_null(schema_key(schema_nkeys()));
	assert_null(schema_section(schema_nsections()));
	schema_free_values(&cf);
	assert_null(cf.cluster_name);
}

static void test_lists(void **state)
{
	char buf[512];

	assert_string_equal(schema_key_list(buf, sizeof(buf), "cluster"),
			    "name, recovery lock, key file, port, nodes file, "
			    "recmaster capability, lmaster capability, recovery ban period, "
			    "recovery lock lease");
	assert_string_equal(schema_section_list(buf, sizeof(buf)),
			    "[cluster], [membership], [paths], [control], [logging], "
			    "[failover], [natgw], [policy routing], [lvs], [monitor], [events], [notify], [mail], "
			    "[snmp]");
	assert_string_equal(schema_key_list(buf, sizeof(buf), "natgw"),
			    "nodes file, public address, public interface, default gateway, "
			    "private network, static routes");
	assert_string_equal(schema_key_list(buf, sizeof(buf), "policy routing"),
			    "routes file, rule preference, table id low, table id high");
	assert_string_equal(schema_key_list(buf, sizeof(buf), "lvs"),
			    "nodes file, public address, public interface");
	assert_int_equal(schema_section_index("policy routing"), 7);
	assert_int_equal(schema_section_index("nope"), -ENOENT);
	assert_null(schema_find("cluster", "interval"));
	assert_string_equal(ip_allocation_name(IP_ALLOC_NONDETERMINISTIC), "nondeterministic");
	assert_string_equal(ip_allocation_name((enum ip_allocation)42), "unknown");
}

static FILE *open_man_page(void)
{
	const char *top = getenv("HERD_TOP");
	char path[512];

	snprintf(path, sizeof(path), "%s/doc/herd.conf.5", top ? top : ".");
	return fopen(path, "r");
}

/*
 * herd.conf(5) documents each key as
 *
 *   .SS [section]
 *   .TP
 *   \fBkey\fR = \fItype\fR (limits)
 *   The table's sentence.
 *   ...
 *   Default: \fBvalue\fR.        (or: Default: empty.)
 */
static void test_man_page(void **state)
{
	bool documented[256] = { false };
	char line[1024], section[64] = "";
	const struct schema_key *cur = NULL;
	bool want_doc = false, want_header = false;
	FILE *f = open_man_page();

	if (!f)
		fail_msg("cannot open doc/herd.conf.5: run from the top of the tree or set HERD_TOP");
	assert_true(schema_nkeys() <= ARRAY_SIZE(documented));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".SS ", 4) == 0 || strncmp(line, ".SH ", 4) == 0) {
			if (cur)
				fail_msg("no Default line for '%s'", cur->name);
			section[0] = '\0';
			sscanf(line, ".SS [%63[^]]]", section);
			want_header = false;
			continue;
		}
		if (!section[0])
			continue;
		if (streq(line, ".TP")) {
			if (cur)
				fail_msg("no Default line for '%s'", cur->name);
			want_header = true;
			continue;
		}
		if (want_header) {
			char expect[512], limits[256], name[128];

			want_header = false;
			if (sscanf(line, "\\fB%127[^\\]\\fR", name) != 1)
				continue;
			cur = schema_find(section, name);
			if (!cur)
				fail_msg("herd.conf(5) documents '%s' in [%s], which is not a key",
					 name, section);
			schema_limits(limits, sizeof(limits), cur);
			snprintf(expect, sizeof(expect), "\\fB%s\\fR = \\fI%s\\fR%s%s%s", cur->name,
				 schema_type_name(cur->type), limits[0] ? " (" : "", limits,
				 limits[0] ? ")" : "");
			if (!streq(line, expect))
				fail_msg("herd.conf(5) header\n  '%s'\nshould be\n  '%s'", line, expect);
			want_doc = true;
			continue;
		}
		if (want_doc) {
			want_doc = false;
			if (!streq(line, cur->doc))
				fail_msg("herd.conf(5) text of '%s'\n  '%s'\nshould start with the "
					 "table's sentence\n  '%s'", cur->name, line, cur->doc);
			continue;
		}
		if (cur && strncmp(line, "Default: ", 9) == 0) {
			char expect[256];

			if (cur->def[0])
				snprintf(expect, sizeof(expect), "Default: \\fB%s\\fR.", cur->def);
			else
				snprintf(expect, sizeof(expect), "Default: empty.");
			if (!streq(line, expect))
				fail_msg("herd.conf(5) '%s': '%s', should be '%s'", cur->name, line,
					 expect);
			documented[schema_key_index(cur)] = true;
			cur = NULL;
		}
	}
	fclose(f);
	for (size_t i = 0; i < schema_nkeys(); i++)
		if (!documented[i])
			fail_msg("herd.conf(5) does not document '%s' in [%s]", schema_key(i)->name,
				 schema_key(i)->section);
}

/* ---- loading ----------------------------------------------------------- */

static void test_load_defaults(void **state)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL;
	char path[256];

	write_file("herd.conf", "# nothing set\n");
	write_file("nodes", "10.0.0.1\n10.0.0.2\n");
	remove_file("public_addresses");
	assert_int_equal(conf_load(tmpdir, NULL, &cf, &err), 0);
	assert_string_equal(err.msg, "");
	assert_string_equal(cf->dir, tmpdir);
	snprintf(path, sizeof(path), "%s/herd.conf", tmpdir);
	assert_string_equal(cf->file, path);
	assert_string_equal(cf->cluster_name, "herd");
	assert_string_equal(cf->recovery_lock, "");
	assert_string_equal(cf->key_file, "");
	assert_int_equal(cf->port, 4380);
	assert_string_equal(cf->nodes_file, "nodes");
	assert_true(cf->recmaster && cf->lmaster);
	assert_true(cf->keepalive_interval == 250 * USEC_PER_MSEC);
	assert_int_equal(cf->keepalive_limit, 4);
	assert_string_equal(cf->run_dir, "/run/herd");
	assert_string_equal(cf->state_dir, "/var/lib/herd");
	assert_string_equal(cf->control_group, "");
	assert_true(cf->control_gid == (gid_t)-1);
	assert_int_equal(cf->log_level, LOG_NOTICE);
	assert_int_equal(cf->ip_allocation, IP_ALLOC_LCP2);
	assert_false(cf->no_ip_failback);
	assert_false(cf->no_ip_takeover);
	assert_string_equal(cf->public_addresses_file, "public_addresses");
	assert_true(cf->monitor_interval == 5 * USEC_PER_SEC);
	assert_string_equal(cf->smtp_server, "localhost:25");
	assert_string_equal(cf->mail_to, "root@localhost");
	assert_string_equal(cf->mail_from, "herd@localhost");
	assert_string_equal(cf->agentx_socket, "/var/agentx/master");
	assert_string_equal(cf->natgw_nodes_file, "");
	assert_int_equal(cf->natgw_public_address.addr.ss_family, AF_UNSPEC);
	assert_string_equal(cf->natgw_public_interface, "");
	assert_int_equal(cf->natgw_default_gateway.ss_family, AF_UNSPEC);
	assert_int_equal(cf->natgw_private_network.addr.ss_family, AF_UNSPEC);
	assert_string_equal(cf->natgw_static_routes_text, "");
	assert_null(cf->natgw_static_routes);
	assert_int_equal(cf->nnatgw_static_routes, 0);
	assert_string_equal(cf->policy_routing_file, "");
	assert_int_equal(cf->policy_rule_preference, 100);
	assert_int_equal(cf->policy_table_low, 1000);
	assert_int_equal(cf->policy_table_high, 9000);
	assert_string_equal(cf->lvs_nodes_file, "");
	assert_int_equal(cf->lvs_public_address.ss_family, AF_UNSPEC);
	assert_string_equal(cf->lvs_public_interface, "");
	assert_int_equal(cf->nnodes, 2);
	assert_int_equal(cf->npubaddrs, 0);
	assert_null(cf->pubaddrs);
	assert_null(cf->natgw_nodes);
	assert_null(cf->policy_routes);
	assert_null(cf->lvs_nodes);
	conf_free(cf);
	conf_free(NULL);
}

static void test_load_values(void **state)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL;
	char path[256];

	write_file("other.conf",
		   "[cluster]\n"
		   "name = demo\n"
		   "recovery lock = !/usr/libexec/herd/lock --ttl 10   # helper\n"
		   "key file = /etc/herd/cluster.key\n"
		   "port = 5000\n"
		   "nodes file = nodes2\n"
		   "recmaster capability = off\n"
		   "lmaster capability = false\n"
		   "[membership]\n"
		   "keepalive interval = 0.1s\n"
		   "keepalive limit = 10\n"
		   "[control]\n"
		   "group = root\n"
		   "[logging]\n"
		   "level = debug\n"
		   "[failover]\n"
		   "ip allocation = deterministic\n"
		   "no ip failback = 1\n"
		   "no ip takeover = on\n"
		   "public addresses file =\n"
		   "[monitor]\n"
		   "interval = 1m30s\n"
		   "[mail]\n"
		   "smtp server = [::1]:2525\n"
		   "to = admin@example.com\n"
		   "[cluster]\n"       /* a section may be opened again */
		   "[snmp]\n"
		   "agentx socket = tcp:localhost:705\n");
	write_file("nodes2", "10.0.0.1\n");
	write_file("public_addresses", "this would be an error\n");
	snprintf(path, sizeof(path), "%s/other.conf", tmpdir);
	if (conf_load(tmpdir, path, &cf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cf->file, path);
	assert_string_equal(cf->cluster_name, "demo");
	assert_string_equal(cf->recovery_lock, "!/usr/libexec/herd/lock --ttl 10");
	assert_string_equal(cf->key_file, "/etc/herd/cluster.key");
	assert_int_equal(cf->port, 5000);
	assert_false(cf->recmaster || cf->lmaster);
	assert_true(cf->keepalive_interval == 100 * USEC_PER_MSEC);
	assert_int_equal(cf->keepalive_limit, 10);
	assert_string_equal(cf->control_group, "root");
	assert_true(cf->control_gid == 0);
	assert_int_equal(cf->log_level, LOG_DEBUG);
	assert_int_equal(cf->ip_allocation, IP_ALLOC_DETERMINISTIC);
	assert_true(cf->no_ip_failback && cf->no_ip_takeover);
	assert_int_equal(cf->npubaddrs, 0); /* "" means none: the file is not read */
	assert_true(cf->monitor_interval == 90 * USEC_PER_SEC);
	assert_string_equal(cf->smtp_server, "[::1]:2525");
	assert_string_equal(cf->mail_to, "admin@example.com");
	assert_string_equal(cf->agentx_socket, "tcp:localhost:705");
	conf_free(cf);

	/* A numeric group needs no entry in the group database. */
	write_file("herd.conf", "[control]\ngroup = 4321\n");
	write_file("nodes", "10.0.0.1\n");
	remove_file("public_addresses");
	assert_int_equal(conf_load(tmpdir, NULL, &cf, &err), 0);
	assert_true(cf->control_gid == 4321);
	conf_free(cf);
}

struct error_case {
	const char *conf;
	const char *nodes;              /* NULL: "10.0.0.1\n" */
	const char *pubaddrs;           /* NULL: no file */
	int r;
	const char *msg;                /* after "DIR/" */
	const char *extra;              /* NULL: no file named "extra" */
};

/* [natgw] that loads, before the key a case adds or changes. */
#define NATGW "[natgw]\nnodes file = extra\nprivate network = 10.0.0.0/24\n"
#define TWO_NODES "10.0.0.1\n10.0.0.2\n"

static const struct error_case error_cases[] = {
	{ "[cluster]\nfoo = 1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: unknown key 'foo' in [cluster]; expected one of: name, recovery lock, "
	  "key file, port, nodes file, recmaster capability, lmaster capability, "
	  "recovery ban period, recovery lock lease" },
	{ "[membership]\ninterval = 5s\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: unknown key 'interval' in [membership]; expected one of: keepalive "
	  "interval, keepalive limit ('interval' is a key of [monitor])" },
	{ "[cluster]\nPort = 1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: unknown key 'Port' in [cluster]; expected one of: name, recovery lock, "
	  "key file, port, nodes file, recmaster capability, lmaster capability, "
	  "recovery ban period, recovery lock lease (names are "
	  "lower case: 'port')" },
	{ "\n[cluster]\n[network]\n", NULL, NULL, -EINVAL,
	  "herd.conf:3: unknown section [network]; expected one of: [cluster], [membership], "
	  "[paths], [control], [logging], [failover], [natgw], [policy routing], [lvs], "
	  "[monitor], [events], [notify], [mail], [snmp]" },
	{ "name = demo\n", NULL, NULL, -EINVAL,
	  "herd.conf:1: key 'name' outside any section; expected a [section] line before it" },
	{ "[cluster]\nname = a\n\n[mail]\n[cluster]\nname = b\n", NULL, NULL, -EINVAL,
	  "herd.conf:6: duplicate key 'name' in [cluster]; already set at line 2" },
	{ "[membership]\nkeepalive interval = fast\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad duration 'fast' for 'keepalive interval' in [membership]; "
	  "expected a number with a unit (us, ms, s, m, h), e.g. 250ms" },
	{ "[membership]\nkeepalive interval = 20s\n", NULL, NULL, -ERANGE,
	  "herd.conf:2: duration '20s' out of range for 'keepalive interval' in [membership]; "
	  "expected a duration from 10ms to 10s" },
	{ "[membership]\nkeepalive interval = 5ms\n", NULL, NULL, -ERANGE,
	  "herd.conf:2: duration '5ms' out of range for 'keepalive interval' in [membership]; "
	  "expected a duration from 10ms to 10s" },
	{ "[cluster]\nport = 70000\n", NULL, NULL, -ERANGE,
	  "herd.conf:2: integer '70000' out of range for 'port' in [cluster]; expected a whole "
	  "number from 1 to 65535" },
	{ "[cluster]\nport = 4380x\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad integer '4380x' for 'port' in [cluster]; expected a whole number "
	  "from 1 to 65535" },
	{ "[failover]\nno ip failback = maybe\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad boolean 'maybe' for 'no ip failback' in [failover]; expected yes "
	  "or no (or true/false, on/off, 1/0)" },
	{ "[failover]\nip allocation = random\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad value 'random' for 'ip allocation' in [failover]; expected one of: "
	  "lcp2, deterministic, nondeterministic" },
	{ "[logging]\nlevel = verbose\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad value 'verbose' for 'level' in [logging]; expected one of: error, "
	  "warning, notice, info, debug" },
	{ "[control]\ngroup = no-such-group-herd-test\n", NULL, NULL, -ENOENT,
	  "herd.conf:2: unknown group 'no-such-group-herd-test' for 'group' in [control]; "
	  "expected a group name from the group database, or a number" },
	{ "[cluster]\nname = my cluster\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad name 'my cluster' for 'name' in [cluster]; expected 1 to 63 "
	  "letters, digits, '.', '-' or '_', starting with a letter or digit" },
	{ "[cluster]\nname =\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: empty value for 'name' in [cluster]; expected a value" },
	{ "[cluster]\nnodes file = \"\"\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: empty value for 'nodes file' in [cluster]; expected a path" },
	{ "[cluster]\nrecovery lock = !  \n", NULL, NULL, -EINVAL,
	  "herd.conf:2: empty helper command '!' for 'recovery lock' in [cluster]; expected "
	  "nothing (no lock), a path, or !COMMAND ARGS for a lock helper" },
	{ "[mail]\nsmtp server = localhost\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad server address 'localhost' for 'smtp server' in [mail]; expected "
	  "HOST:PORT with a port from 1 to 65535, e.g. localhost:25 or [::1]:25" },
	{ "[mail]\nto = root\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad mail address list 'root' for 'to' in [mail]; expected one or more "
	  "addresses like root@localhost, separated by commas" },
	{ "[mail]\nto = a@b, root\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad mail address list 'a@b, root' for 'to' in [mail]; expected one or more "
	  "addresses like root@localhost, separated by commas" },
	{ "[mail]\nfrom = herd\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad mail address 'herd' for 'from' in [mail]; expected an address like "
	  "root@localhost" },
	{ "[mail]\nevents = all -no-such-event\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad event list 'all -no-such-event' for 'events' in [mail]; expected all, "
	  "or event names (herdctl events shows them) separated by blanks or commas; -NAME "
	  "removes one, e.g. all -link-up" },
	{ "[mail]\nstarttls = maybe\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad value 'maybe' for 'starttls' in [mail]; expected one of: off, "
	  "opportunistic, required" },
	{ "[snmp]\nagentx socket = tcp: localhost\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad value 'tcp: localhost' for 'agentx socket' in [snmp]; expected a "
	  "net-snmp AgentX address without blanks, e.g. /var/agentx/master or "
	  "tcp:localhost:705" },
	{ "[cluster\n", NULL, NULL, -EINVAL,
	  "herd.conf:1: unterminated section header; expected [section]" },
	{ "[cluster]\nname demo\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: missing '='; expected key = value, [section] or a # comment" },
	{ "[cluster]\nname = \"demo\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: unterminated quoted value; expected a closing '\"'" },
	{ "[paths]\nrun dir = /run/herd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", NULL, NULL, -ENAMETOOLONG,
	  "herd.conf:2: run dir '/run/herd/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long "
	  "for the control socket (110 bytes with /herdd.sock); expected at most 107 bytes" },
	{ "", "10.0.0.1\n10.0.0.1\n", NULL, -EINVAL,
	  "nodes:2: duplicate node address 10.0.0.1, already node 0 at line 1" },
	{ "[cluster]\nnodes file = missing\n", NULL, NULL, -ENOENT,
	  "missing: cannot open: No such file or directory" },
	{ "", NULL, "10.0.0.1/24 eth0\n", -EINVAL,
	  "public_addresses:1: public address 10.0.0.1 is node 0's private address; expected "
	  "addresses that are not in the nodes file" },
	{ "[failover]\npublic addresses file = .\n", NULL, NULL, -EISDIR,
	  ".: cannot open: Is a directory" },

	/* [natgw], [policy routing], [lvs]: one key */
	{ "[natgw]\npublic address = 10.0.0.300/24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad address/prefix '10.0.0.300/24' for 'public address' in [natgw]; "
	  "expected an IPv4 or IPv6 address: ADDRESS/PREFIX, e.g. 192.168.1.10/24" },
	{ "[natgw]\npublic address = 192.168.2.1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: missing prefix length in '192.168.2.1' for 'public address' in "
	  "[natgw]; expected ADDRESS/PREFIX, e.g. 192.168.1.10/24" },
	{ "[natgw]\npublic address = 192.168.2.1/0\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: prefix length out of range in '192.168.2.1/0' for 'public address' in "
	  "[natgw]; expected 1 to 32 for IPv4, 1 to 128 for IPv6" },
	{ "[natgw]\npublic address = 224.0.0.1/24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: address '224.0.0.1/24' is not unicast for 'public address' in "
	  "[natgw]; expected a unicast address with a prefix length" },
	{ "[natgw]\nprivate network = 10.0.0.5/24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: host bits set in '10.0.0.5/24' for 'private network' in [natgw]; "
	  "expected the network address 10.0.0.0/24" },
	{ "[natgw]\nprivate network = fd00::1/64\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: host bits set in 'fd00::1/64' for 'private network' in [natgw]; "
	  "expected the network address fd00::/64" },
	{ "[natgw]\nprivate network = 10.0.0.0-24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: missing prefix length in '10.0.0.0-24' for 'private network' in "
	  "[natgw]; expected NETWORK/PREFIX, e.g. 192.168.1.0/24" },
	{ "[natgw]\npublic interface = eth0:1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad interface name 'eth0:1' for 'public interface' in [natgw]; "
	  "expected 1 to 15 characters without '/', ':' or blanks, e.g. eth0" },
	{ "[lvs]\npublic interface = averyveryverylongname\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad interface name 'averyveryverylongname' for 'public interface' in "
	  "[lvs]; expected 1 to 15 characters without '/', ':' or blanks, e.g. eth0" },
	{ "[natgw]\ndefault gateway = 10.0.0.0/24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad address '10.0.0.0/24' for 'default gateway' in [natgw]; expected "
	  "an IPv4 or IPv6 address, e.g. 192.168.1.1 or 2001:db8::1" },
	{ "[lvs]\npublic address = ff02::1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: address 'ff02::1' is not unicast for 'public address' in [lvs]; "
	  "expected a unicast address" },
	{ "[natgw]\nstatic routes = 10.1.0.0/16@gw\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad gateway in route '10.1.0.0/16@gw' for 'static routes' in [natgw]; "
	  "expected NETWORK/PREFIX@GATEWAY with an IPv4 or IPv6 gateway address" },
	{ "[natgw]\nstatic routes = 10.1.0.0/16@fd00::1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: bad gateway in route '10.1.0.0/16@fd00::1' for 'static routes' in "
	  "[natgw]; expected a unicast IPv4 gateway for an IPv4 network" },
	{ "[natgw]\nstatic routes = 0.0.0.0/0 10.1.0.1/16@10.0.0.9\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: host bits set in '10.1.0.1/16' for 'static routes' in [natgw]; "
	  "expected the network address 10.1.0.0/16" },
	{ "[natgw]\nstatic routes = 10.1.0.0/16, 10.1.0.0/16@10.0.0.9\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: network 10.1.0.0/16 routed twice for 'static routes' in [natgw]; "
	  "expected each network once, with at most one gateway" },
	{ "[natgw]\nstatic routes = 10.1.0.0\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: missing prefix length in '10.1.0.0' for 'static routes' in [natgw]; "
	  "expected NETWORK/PREFIX, e.g. 192.168.1.0/24" },
	{ "[policy routing]\nrule preference = 32766\n", NULL, NULL, -ERANGE,
	  "herd.conf:2: integer '32766' out of range for 'rule preference' in [policy "
	  "routing]; expected a whole number from 1 to 32765" },
	{ "[policy routing]\ntable id low = 0\n", NULL, NULL, -ERANGE,
	  "herd.conf:2: integer '0' out of range for 'table id low' in [policy routing]; "
	  "expected a whole number from 1 to 2147483647" },

	/* [natgw], [policy routing], [lvs]: keys together */
	{ "[natgw]\npublic address = 192.168.2.1/24\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: [natgw] public address is set but nodes file is not; expected a "
	  "nodes file to turn the NAT gateway on, or no other [natgw] keys" },
	{ "[lvs]\npublic interface = eth0\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: [lvs] public interface is set but nodes file is not; expected a "
	  "nodes file to turn LVS on, or no other [lvs] keys" },
	{ "[natgw]\n\nnodes file = extra\n", TWO_NODES, NULL, -EINVAL,
	  "herd.conf:3: [natgw] nodes file is set but private network is not; expected the "
	  "network of the nodes' private addresses, e.g. private network = 10.0.0.0/24",
	  "10.0.0.1\n" },
	{ NATGW "public address = 192.168.2.1/24\n", TWO_NODES, NULL, -EINVAL,
	  "herd.conf:4: [natgw] public address is set but public interface is not; expected "
	  "both, or neither on a slave-only node", "10.0.0.1\n" },
	{ NATGW "public interface = eth1\n", TWO_NODES, NULL, -EINVAL,
	  "herd.conf:4: [natgw] public interface is set but public address is not; expected "
	  "both, or neither on a slave-only node", "10.0.0.1\n" },
	{ NATGW "default gateway = fd00::1\n", TWO_NODES, NULL, -EINVAL,
	  "herd.conf:4: [natgw] default gateway fd00::1 is IPv6 but private network "
	  "10.0.0.0/24 is IPv4; expected one address family for the whole NAT gateway",
	  "10.0.0.1\n" },
	{ NATGW "public address = 2001:db8::1/64\npublic interface = eth1\n", TWO_NODES, NULL,
	  -EINVAL,
	  "herd.conf:4: [natgw] public address 2001:db8::1/64 is IPv6 but private network "
	  "10.0.0.0/24 is IPv4; expected one address family for the whole NAT gateway",
	  "10.0.0.1\n" },
	{ NATGW "static routes = 0.0.0.0/0 ::/0\n", TWO_NODES, NULL, -EINVAL,
	  "herd.conf:4: [natgw] static routes ::/0 is IPv6 but private network 10.0.0.0/24 "
	  "is IPv4; expected one address family for the whole NAT gateway", "10.0.0.1\n" },
	{ "[policy routing]\ntable id low = 5000\ntable id high = 4000\n", NULL, NULL, -EINVAL,
	  "herd.conf:3: [policy routing] table id low 5000 is above table id high 4000; "
	  "expected low <= high" },
	{ "[policy routing]\ntable id high = 4000\ntable id low = 5000\n", NULL, NULL, -EINVAL,
	  "herd.conf:3: [policy routing] table id low 5000 is above table id high 4000; "
	  "expected low <= high" },
	{ "[policy routing]\ntable id low = 200\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: [policy routing] table ids 200 to 9000 include 253 to 255, the "
	  "kernel's default, main and local tables; expected a range below 253 or above 255" },
	{ "[policy routing]\ntable id low = 255\ntable id high = 255\n", NULL, NULL, -EINVAL,
	  "herd.conf:3: [policy routing] table ids 255 to 255 include 253 to 255, the "
	  "kernel's default, main and local tables; expected a range below 253 or above 255" },
	{ "[policy routing]\ntable id low = 1\ntable id high = 253\n", NULL, NULL, -EINVAL,
	  "herd.conf:3: [policy routing] table ids 1 to 253 include 253 to 255, the "
	  "kernel's default, main and local tables; expected a range below 253 or above 255" },
	{ "[lvs]\nnodes file = extra\npublic interface = eth0\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: [lvs] nodes file is set but public address is not; expected the "
	  "address clients connect to", "10.0.0.1\n" },
	{ "[lvs]\nnodes file = extra\npublic address = 192.168.3.1\n", NULL, NULL, -EINVAL,
	  "herd.conf:2: [lvs] nodes file is set but public interface is not; expected the "
	  "interface the LVS master answers on", "10.0.0.1\n" },

	/* the files they name */
	{ NATGW, TWO_NODES, NULL, -ENOENT, "extra: cannot open: No such file or directory" },
	{ NATGW, TWO_NODES, NULL, -EINVAL,
	  "extra:2: 10.0.0.3 is not a node in the nodes file; expected the private address "
	  "of a node that is not deleted", "10.0.0.1\n10.0.0.3\n" },
	{ NATGW, TWO_NODES, NULL, -EINVAL,
	  "extra:2: unknown word 'slave' after the address; expected nothing or slave-only",
	  "10.0.0.1\n10.0.0.2 slave\n" },
	{ "[natgw]\nnodes file = extra\nprivate network = 10.9.0.0/16\n", TWO_NODES, NULL,
	  -EINVAL,
	  "extra:1: 10.0.0.1 is not in the private network 10.9.0.0/16; expected the nodes' "
	  "addresses on [natgw] private network", "10.0.0.1\n" },
	{ NATGW "public address = 192.168.1.10/24\npublic interface = eth1\n", TWO_NODES,
	  "192.168.1.10/24 eth0\n", -EINVAL,
	  "herd.conf:4: [natgw] public address 192.168.1.10 is also in the public addresses "
	  "file (line 1); expected an address herd does not move between nodes",
	  "10.0.0.1\n" },
	{ "[lvs]\nnodes file = extra\n\npublic address = 10.0.0.2\npublic interface = eth0\n",
	  TWO_NODES, NULL, -EINVAL,
	  "herd.conf:4: [lvs] public address 10.0.0.2 is node 1's private address; expected "
	  "an address that is not in the nodes file", "10.0.0.1\n" },
	{ "[lvs]\nnodes file = extra\npublic address = 192.168.3.1\npublic interface = eth0\n",
	  NULL, NULL, -ENOENT, "extra: cannot open: No such file or directory" },
	{ "[lvs]\nnodes file = extra\npublic address = 192.168.3.1\npublic interface = eth0\n",
	  TWO_NODES, NULL, -EINVAL,
	  "extra:2: duplicate node address 10.0.0.2, already at line 1",
	  "10.0.0.2\n10.0.0.2\n" },
	{ "[policy routing]\nroutes file = extra\n", NULL, "192.168.1.10/24 eth0\n", -EINVAL,
	  "extra:2: 192.168.1.11 is not a public address; expected an address from the "
	  "public addresses file", "192.168.1.10 0.0.0.0/0 192.168.1.1\n192.168.1.11 0.0.0.0/0\n" },
	{ "[policy routing]\nroutes file = extra\n", NULL, NULL, -ENOENT,
	  "extra: cannot open: No such file or directory" },
};

static void test_load_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct conf_error err = { "" };
		struct herd_conf *cf = NULL;
		char want[2048];
		int r;

		write_file("herd.conf", c->conf);
		write_file("nodes", c->nodes ? c->nodes : "10.0.0.1\n");
		if (c->pubaddrs)
			write_file("public_addresses", c->pubaddrs);
		else
			remove_file("public_addresses");
		if (c->extra)
			write_file("extra", c->extra);
		else
			remove_file("extra");
		r = conf_load(tmpdir, NULL, &cf, &err);
		snprintf(want, sizeof(want), "%s/%s", tmpdir, c->msg);
		if (r != c->r)
			fail_msg("case %zu: got %d, expected %d: %s", i, r, c->r, err.msg);
		if (!streq(err.msg, want))
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, want);
		assert_null(cf);
	}
}

/* [natgw], [policy routing] and [lvs] with their files, and their print. */
static void test_load_roles(void **state)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL, *cf2 = NULL;
	char a[64], path[256];
	char *out, *out2;

	/* The lvs nodes file by absolute path. */
	{
		char conf[1024];

		snprintf(conf, sizeof(conf),
			 "[natgw]\n"
			 "nodes file = natgw_nodes\n"
			 "public address = 192.168.2.227/24\n"
			 "public interface = eth1\n"
			 "default gateway = 192.168.2.1\n"
			 "private network = 10.0.0.0/24\n"
			 "static routes = 10.1.0.0/16@192.168.2.254,0.0.0.0/0\t172.16.0.0/12\n"
			 "[ policy  routing ]\n"
			 "routes file = routes\n"
			 "rule preference = 200\n"
			 "table id low = 256\n"
			 "table id high = 256\n"
			 "[lvs]\n"
			 "nodes file = %s/lvs_nodes\n"
			 "public address = 2001:DB8::1\n"
			 "public interface = eth2\n", tmpdir);
		write_file("herd.conf", conf);
	}
	write_file("nodes", "10.0.0.1\n10.0.0.2\n10.0.0.3,fd00::3\n");
	write_file("public_addresses", "192.168.1.10/24 eth0\n2001:db8::10/64 eth0\n");
	write_file("natgw_nodes", "10.0.0.1\n10.0.0.2 slave-only\n");
	write_file("routes", "192.168.1.10 192.168.1.0/24\n2001:db8::10 ::/0 2001:db8::ff\n");
	write_file("lvs_nodes", "fd00::3\n10.0.0.1 slave-only\n");
	if (conf_load(tmpdir, NULL, &cf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cf->natgw_nodes_file, "natgw_nodes");
	assert_string_equal(sockaddr_format(a, sizeof(a), &cf->natgw_public_address.addr),
			    "192.168.2.227");
	assert_int_equal(cf->natgw_public_address.prefix, 24);
	assert_string_equal(cf->natgw_public_interface, "eth1");
	assert_string_equal(sockaddr_format(a, sizeof(a), &cf->natgw_default_gateway),
			    "192.168.2.1");
	assert_int_equal(cf->natgw_private_network.prefix, 24);
	assert_string_equal(cf->natgw_static_routes_text,
			    "10.1.0.0/16@192.168.2.254 0.0.0.0/0 172.16.0.0/12");
	assert_int_equal(cf->nnatgw_static_routes, 3);
	assert_int_equal(cf->natgw_static_routes[0].net.prefix, 16);
	assert_string_equal(sockaddr_format(a, sizeof(a), &cf->natgw_static_routes[0].gateway),
			    "192.168.2.254");
	assert_int_equal(cf->natgw_static_routes[1].net.prefix, 0);
	assert_int_equal(cf->natgw_static_routes[1].gateway.ss_family, AF_UNSPEC);
	assert_int_equal(cf->nnatgw_nodes, 2);
	assert_false(cf->natgw_nodes[0].slave_only);
	assert_true(cf->natgw_nodes[1].slave_only);
	assert_string_equal(cf->policy_routing_file, "routes");
	assert_int_equal(cf->policy_rule_preference, 200);
	assert_int_equal(cf->policy_table_low, 256);
	assert_int_equal(cf->policy_table_high, 256);
	assert_int_equal(cf->npolicy_routes, 2);
	assert_int_equal(cf->policy_routes[1].line, 2);
	assert_string_equal(sockaddr_format(a, sizeof(a), &cf->lvs_public_address),
			    "2001:db8::1");
	assert_string_equal(cf->lvs_public_interface, "eth2");
	assert_int_equal(cf->nlvs_nodes, 2);
	assert_int_equal(cf->lvs_nodes[0].addr.ss_family, AF_INET6);

	out = print_to_string(cf);
	assert_non_null(strstr(out, "\n[natgw]\nnodes file = natgw_nodes\n"
				    "public address = 192.168.2.227/24\n"
				    "public interface = eth1\n"
				    "default gateway = 192.168.2.1\n"
				    "private network = 10.0.0.0/24\n"
				    "static routes = 10.1.0.0/16@192.168.2.254 0.0.0.0/0 172.16.0.0/12\n"
				    "\n[policy routing]\nroutes file = routes\n"));
	assert_non_null(strstr(out, "\npublic address = 2001:db8::1\n"));
	assert_non_null(strstr(out, "\n# natgw nodes: 2\n#   10.0.0.1\n#   10.0.0.2 slave-only\n"
				    "# policy routes: 2\n#   192.168.1.10 192.168.1.0/24\n"
				    "#   2001:db8::10 ::/0 2001:db8::ff\n"
				    "# lvs nodes: 2\n#   fd00::3\n#   10.0.0.1 slave-only\n"));
	write_file("printed.conf", out);
	snprintf(path, sizeof(path), "%s/printed.conf", tmpdir);
	if (conf_load(tmpdir, path, &cf2, &err) != 0)
		fail_msg("%s", err.msg);
	out2 = print_to_string(cf2);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	conf_free(cf);
	conf_free(cf2);

	/* Unset again: the defaults print as "" and load back as unset. */
	write_file("herd.conf", "[natgw]\npublic address = \"\"\nstatic routes = , ,\n");
	if (conf_load(tmpdir, NULL, &cf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cf->natgw_public_address.addr.ss_family, AF_UNSPEC);
	assert_string_equal(cf->natgw_static_routes_text, "");
	assert_null(cf->natgw_static_routes);
	out = print_to_string(cf);
	assert_non_null(strstr(out, "\n[natgw]\nnodes file = \"\"\npublic address = \"\"\n"));
	assert_null(strstr(out, "# natgw nodes"));
	free(out);
	conf_free(cf);
}

static void test_load_file_errors(void **state)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL;
	char want[512], path[256];

	remove_file("herd.conf");
	assert_int_equal(conf_load(tmpdir, NULL, &cf, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s/herd.conf: cannot open: No such file or directory",
		 tmpdir);
	assert_string_equal(err.msg, want);

	assert_int_equal(conf_load(tmpdir, tmpdir, &cf, &err), -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", tmpdir);
	assert_string_equal(err.msg, want);

	assert_int_equal(conf_load(tmpdir, "/dev/null", &cf, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "/dev/null: cannot open: not a regular file; expected a text file");

	/* A NUL byte is refused, not taken as the end of the line. */
	snprintf(path, sizeof(path), "%s/herd.conf", tmpdir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fwrite("[cluster]\nname = a\0b\n", 1, 21, f);
		fclose(f);
	}
	assert_int_equal(conf_load(tmpdir, NULL, &cf, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line; expected plain text", path);
	assert_string_equal(err.msg, want);
	assert_null(cf);
}

/* The print loads back to the same configuration, also with awkward strings. */
static void test_print_round_trip(void **state)
{
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL, *cf2 = NULL;
	char path[256];
	char *out, *out2;

	write_file("herd.conf",
		   "[cluster]\n"
		   "recovery lock = \"/srv/shared/lock # with hash \"\n"
		   "key file = \" leading blank\"\n"
		   "[paths]\n"
		   "state dir = \"\\\"quoted\\\" \\\\ dir\"\n"
		   "run dir = run#1\n"
		   "[membership]\n"
		   "keepalive interval = 1.5s\n"
		   "[monitor]\n"
		   "interval = 120s\n");
	write_file("nodes", "10.0.0.1,10.1.0.1\n#10.0.0.2\n10.0.0.3\n");
	write_file("public_addresses", "192.168.1.10/24 eth0,eth1\n2001:db8::10/64 eth0\n");
	if (conf_load(tmpdir, NULL, &cf, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cf->recovery_lock, "/srv/shared/lock # with hash ");
	assert_string_equal(cf->key_file, " leading blank");
	assert_string_equal(cf->state_dir, "\"quoted\" \\ dir");
	assert_string_equal(cf->run_dir, "run#1");
	out = print_to_string(cf);
	assert_non_null(strstr(out, "\nrecovery lock = \"/srv/shared/lock # with hash \"\n"));
	assert_non_null(strstr(out, "\nstate dir = \"\\\"quoted\\\" \\\\ dir\"\n"));
	assert_non_null(strstr(out, "\nrun dir = \"run#1\"\n"));
	assert_non_null(strstr(out, "\nkeepalive interval = 1500ms\n"));
	assert_non_null(strstr(out, "\ninterval = 2m\n"));
	assert_non_null(strstr(out, "\ngroup = \"\"\n"));
	assert_non_null(strstr(out, "#   pnn 0  10.0.0.1,10.1.0.1\n#   pnn 1  deleted\n"));
	assert_non_null(strstr(out, "#   2001:db8::10/64 eth0\n"));

	write_file("printed.conf", out);
	snprintf(path, sizeof(path), "%s/printed.conf", tmpdir);
	if (conf_load(tmpdir, path, &cf2, &err) != 0)
		fail_msg("%s", err.msg);
	out2 = print_to_string(cf2);
	assert_string_equal(out, out2);
	assert_string_equal(cf2->state_dir, cf->state_dir);
	free(out);
	free(out2);
	conf_free(cf);
	conf_free(cf2);
}

static void test_paths(void **state)
{
	struct herd_conf cf = { .dir = (char *)"/etc/herd", .run_dir = (char *)"/run/herd" };
	char *p;

	p = conf_path(&cf, "nodes");
	assert_string_equal(p, "/etc/herd/nodes");
	free(p);
	p = conf_path(&cf, "/srv/nodes");
	assert_string_equal(p, "/srv/nodes");
	free(p);
	p = conf_path(&cf, "");
	assert_string_equal(p, "");
	free(p);
	p = conf_socket_path(&cf);
	assert_string_equal(p, "/run/herd/herdd.sock");
	free(p);
	p = conf_pid_path(&cf);
	assert_string_equal(p, "/run/herd/herdd.pid");
	free(p);

	cf.dir = (char *)"conf/";
	cf.run_dir = (char *)"run";
	p = conf_path(&cf, "nodes");
	assert_string_equal(p, "conf/nodes");
	free(p);
	p = conf_socket_path(&cf);
	assert_string_equal(p, "conf/run/herdd.sock");
	free(p);

	cf.dir = (char *)"/";
	p = conf_path(&cf, "nodes");
	assert_string_equal(p, "/nodes");
	free(p);
	cf.dir = (char *)"/etc/herd//";
	p = conf_pid_path(&cf);
	assert_string_equal(p, "/etc/herd/run/herdd.pid");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_canonical),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_load_defaults),
		cmocka_unit_test(test_load_values),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_roles),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
