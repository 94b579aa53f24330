/*
 * Unit tests: mib/agentx_model.c and mib/agentx_mib.c — herdd's JSON as
 * HERD-MIB values, rows and notifications, and the MIB map checked against
 * mib/HERD-MIB.txt itself (run from the top of the tree).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "mib/agentx_enc.h"
#include "mib/agentx_model.h"

/* ---- fixtures: what herdd answers (trimmed from a 3-node cluster) ---- */

static const char status_json[] =
	"{\"cluster\":\"test\",\"pnn\":0,\"node_count\":3,\"nodes\":["
	"{\"pnn\":0,\"addresses\":[\"10.91.0.10\",\"10.91.1.10\"],\"flags\":0,\"state\":\"OK\","
	" \"capabilities\":3,\"this_node\":true,\"leader\":true,\"changed\":\"2026-11-23T09:53:45Z\","
	" \"links\":[{\"link\":0,\"address\":\"10.91.0.10\",\"state\":\"self\"},"
	"            {\"link\":1,\"address\":\"10.91.1.10\",\"state\":\"self\"}]},"
	"{\"pnn\":1,\"addresses\":[\"10.91.0.11\",\"10.91.1.11\"],\"flags\":2,\"state\":\"UNHEALTHY\","
	" \"capabilities\":1,\"this_node\":false,\"leader\":false,\"changed\":null,"
	" \"links\":[{\"link\":0,\"address\":\"10.91.0.11\",\"state\":\"up\",\"rtt_us\":1250,"
	"             \"keepalives_missed\":3,\"changed\":\"2026-11-23T09:53:45Z\"},"
	"            {\"link\":1,\"address\":\"10.91.1.11\",\"state\":\"down\",\"rtt_us\":0,"
	"             \"keepalives_missed\":9,\"changed\":null}]},"
	"{\"pnn\":2,\"addresses\":[\"10.91.0.12\"],\"flags\":9,\"state\":\"DISCONNECTED\","
	" \"capabilities\":3,\"this_node\":false,\"leader\":false,\"changed\":null,"
	" \"ban_seconds_left\":17,"
	" \"links\":[{\"link\":0,\"address\":\"10.91.0.12\",\"state\":\"down\"}]},"
	"{\"pnn\":3,\"addresses\":[],\"flags\":16,\"state\":\"DELETED\",\"capabilities\":0,"
	" \"this_node\":false,\"leader\":false,\"changed\":null,\"links\":[]}],"
	"\"generation\":7,\"leader\":0,\"recovery_mode\":\"NORMAL\",\"recovery_lock\":\"/srv/lock\","
	"\"active\":true,\"leading\":true,"
	"\"recovery_lock_state\":{\"state\":\"not-needed\",\"cause\":\"helper-exited\",\"held\":false,"
	"  \"lease_ms\":1000},"
	"\"maintenance\":false,\"maintenance_until\":null,"
	"\"last_recovery_start\":\"2026-11-23T09:53:45Z\",\"last_recovery_finish\":null,"
	"\"last_recovery_duration_ms\":12,\"health\":\"HEALTHY\",\"health_reason\":\"\","
	"\"startup_phase\":\"monitor\"}";

static const char statistics_json[] =
	"{\"control\":{\"clients\":2,\"accepted\":5,\"refused\":0,\"requests\":77,\"denied\":1,"
	"  \"bad_frames\":0,\"unknown_verbs\":0,\"by_verb\":{\"status\":40,\"ip\":3}},"
	"\"reloads\":1,\"reload_failures\":0,"
	"\"cluster\":{\"elections\":44,\"leader_changes\":3,\"last_recovery_ms\":12},"
	"\"transport\":{\"frames_in\":94,\"bytes_in\":6404,"
	"  \"drops\":{\"bad-mac\":2,\"replay\":0,\"no-such-reason\":5}},"
	"\"peers\":{\"node1\":{\"links_up\":1,\"frames_in\":46,\"rtt_us\":1250,"
	"  \"links\":[{\"link\":0,\"frames_in\":40,\"frames_out\":41,\"bytes_in\":3000,"
	"   \"bytes_out\":3100,\"ups\":1,\"downs\":0},"
	"  {\"link\":1,\"frames_in\":6,\"frames_out\":6,\"bytes_in\":199,\"bytes_out\":199,"
	"   \"ups\":1,\"downs\":1}]},"
	"  \"node2\":{\"links_up\":0,\"frames_in\":0,\"links\":[]},\"bogus\":{}},"
	"\"monitor\":{\"runs\":4,\"last_run_ms\":1},"
	"\"failover\":{\"takeovers\":5,\"public_addresses\":3},\"roles\":{\"applies\":0}}";

static const char scriptstatus_json[] =
	"{\"events_dir\":\"/etc/herd/events.d\",\"events\":["
	"{\"event\":\"monitor\",\"status\":\"ERROR\",\"start\":\"2026-11-23T09:53:45Z\","
	" \"duration_ms\":1.25,\"scripts\":["
	"  {\"name\":\"10.check\",\"status\":\"OK\",\"exit_status\":0,\"signal\":0,"
	"   \"start\":\"2026-11-23T09:53:45Z\",\"duration_ms\":0.5,\"output\":\"fine\","
	"   \"output_truncated\":false},"
	"  {\"name\":\"20.disk\",\"status\":\"NOT_RUN\",\"exit_status\":1,\"signal\":9,"
	"   \"start\":null,\"duration_ms\":0,\"output\":null,\"output_truncated\":true}]},"
	"{\"event\":\"init\",\"status\":\"OK\",\"start\":null,\"duration_ms\":0,\"scripts\":[]}]}";

static const char ip_json[] =
	"{\"pnn\":0,\"assigned\":\"2026-11-23T09:53:45Z\",\"addresses\":["
	"{\"address\":\"10.92.0.102\",\"prefix\":24,\"pnn\":1,\"may_host\":[0,1,2],"
	" \"interfaces\":[\"pub0\",\"pub1\"],\"available_interfaces\":[\"pub0\"],"
	" \"active_interface\":null,\"runtime\":false},"
	"{\"address\":\"10.92.0.101\",\"prefix\":24,\"pnn\":0,\"may_host\":[0,2],"
	" \"interfaces\":[\"pub0\"],\"available_interfaces\":[\"pub0\"],"
	" \"active_interface\":\"pub0\",\"runtime\":true},"
	"{\"address\":\"fd92::150\",\"prefix\":64,\"pnn\":null,\"may_host\":null,"
	" \"interfaces\":[\"pub0\"],\"available_interfaces\":[],\"active_interface\":null,"
	" \"runtime\":false}]}";

static const char ifaces_json[] =
	"{\"pnn\":0,\"health\":\"partial\",\"interfaces\":["
	"{\"name\":\"pub0\",\"link\":\"up\",\"references\":1},"
	"{\"name\":\"pub1\",\"link\":\"missing\",\"references\":0}]}";

static const char natgw_json[] =
	"{\"pnn\":0,\"configured\":true,\"role\":\"no-master\",\"master\":null,"
	"\"master_address\":null,\"public_address\":\"10.92.0.200\",\"nodes\":["
	"{\"address\":\"10.91.0.11\",\"pnn\":1,\"slave_only\":true,\"state\":\"UNHEALTHY\"}],"
	"\"applied\":null,\"error\":null}";

static const char lvs_json[] =
	"{\"pnn\":0,\"configured\":true,\"role\":\"master\",\"master\":0,\"address\":\"10.92.0.250\","
	"\"interface\":\"pub0\",\"kernel_ipvs\":false,\"dry_run\":true,\"nodes\":["
	"{\"address\":\"10.91.0.10\",\"pnn\":0,\"slave_only\":false,\"state\":\"OK\",\"in_set\":true},"
	"{\"address\":\"10.91.0.99\",\"pnn\":null,\"slave_only\":false,\"state\":\"UNKNOWN\","
	" \"in_set\":false}],\"commands\":\"ipvsadm -A\",\"error\":null}";

static const char uptime_json[] =
	"{\"pnn\":0,\"start_time\":\"2026-11-23T09:53:45Z\",\"uptime_seconds\":12.5,"
	"\"last_reload\":null,\"last_reload_error\":\"herd.conf:3: bad key\"}";

static const char events_json[] =
	"{\"events\":["
	"{\"seq\":1,\"time\":\"2026-11-23T09:53:45Z\",\"wall_us\":1795427625500000,\"node\":0,"
	" \"reporter\":0,\"type\":\"init\",\"severity\":\"info\",\"subject\":\"init\",\"detail\":\"\"},"
	"{\"seq\":2,\"time\":\"2026-11-23T09:53:45Z\",\"wall_us\":1795427625600000,\"node\":null,"
	" \"reporter\":0,\"type\":\"recovery-started\",\"severity\":\"notice\","
	" \"subject\":\"recovery started\",\"detail\":\"generation 7\"},"
	"{\"seq\":3,\"type\":\"no-such-type\",\"severity\":\"bogus\",\"subject\":\"x\"}],"
	"\"next_seq\":4,\"dropped\":0}";

static struct ax_model model;

static int setup(void **state)
{
	static const struct {
		enum ax_verb v;
		const char *json;
	} snaps[] = {
		{ AX_STATUS, status_json }, { AX_STATISTICS, statistics_json },
		{ AX_SCRIPTSTATUS, scriptstatus_json }, { AX_IP, ip_json },
		{ AX_IFACES, ifaces_json }, { AX_NATGW, natgw_json }, { AX_LVS, lvs_json },
		{ AX_UPTIME, uptime_json }, { AX_VERSION, "{\"version\":\"0.1.0\"}" },
	};

	assert_int_equal(ax_model_init(&model, 4), 0);
	for (size_t i = 0; i < ARRAY_SIZE(snaps); i++) {
		struct json_object *o = json_tokener_parse(snaps[i].json);

		assert_non_null(o);
		ax_model_set(&model, snaps[i].v, o, now_monotonic());
	}
	return 0;
}

static int teardown(void **state)
{
	ax_model_done(&model);
	return 0;
}

/* ---- helpers ---- */

static void expect_int(const struct ax_value *v, int64_t i)
{
	assert_int_equal(v->type, AXV_INTEGER);
	assert_int_equal(v->i, i);
}

static void expect_uns(const struct ax_value *v, enum ax_type t, uint64_t u)
{
	assert_int_equal(v->type, t);
	assert_int_equal(v->u, u);
}

static void expect_bytes(const struct ax_value *v, const void *data, size_t len)
{
	assert_int_equal(v->type, AXV_OCTETS);
	assert_int_equal(v->len, len);
	if (len)
		assert_memory_equal(ax_value_data(v), data, len);
}

static void expect_str(const struct ax_value *v, const char *s)
{
	expect_bytes(v, s, strlen(s));
}

static struct ax_value scalar(const char *name)
{
	const struct ax_scalar *s = ax_scalar_by_name(name);
	struct ax_value v;

	if (!s)
		fail_msg("no scalar %s", name);
	assert_int_equal(ax_scalar_value(&model, s, &v), 0);
	return v;
}

static const struct ax_row *find_row(const struct ax_rows *rows, const uint32_t *idx, size_t n)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->row[i].indexlen == n && memcmp(rows->row[i].index, idx, n * 4) == 0)
			return &rows->row[i];
	fail_msg("no such row");
	return NULL;
}

static struct ax_value column(enum ax_table t, const struct ax_row *r, unsigned col)
{
	struct ax_value v;

	assert_int_equal(ax_row_value(&model, t, r, col, &v), 0);
	return v;
}

/* ---- scalars ---- */

static void test_scalars(void **state)
{
	static const uint8_t date[] = { 0x07, 0xea, 11, 23, 9, 53, 45, 0, '+', 0, 0 };
	static const uint8_t never[8] = { 0 };
	static const uint8_t natgw_pub[] = { 10, 92, 0, 200 };
	static const struct {
		const char *name;
		int64_t i;
	} ints[] = {
		{ "herdClusterThisNode", 0 }, { "herdClusterLeader", 0 },
		{ "herdClusterActive", 1 }, { "herdClusterRecoveryMode", 1 },
		{ "herdClusterRecoveryLockState", 2 }, { "herdClusterRecoveryLockCause", 5 },
		{ "herdClusterRecoveryLockHeld", 2 }, { "herdClusterMaintenance", 2 },
		{ "herdLocalLeading", 1 }, { "herdLocalHealth", 2 }, { "herdLocalStartupPhase", 5 },
		{ "herdIfHealth", 2 }, { "herdNatgwConfigured", 1 }, { "herdNatgwRole", 4 },
		{ "herdNatgwMaster", -1 }, { "herdNatgwMasterAddressType", 0 },
		{ "herdNatgwPublicAddressType", 1 }, { "herdLvsRole", 3 }, { "herdLvsMaster", 0 },
		{ "herdLvsKernelIpvs", 2 }, { "herdLvsDryRun", 1 },
		{ "herdAgentHerddConnected", 2 },
	};
	static const struct {
		const char *name;
		enum ax_type t;
		uint64_t u;
	} uns[] = {
		{ "herdClusterGeneration", AXV_UNSIGNED, 7 },
		{ "herdClusterLastRecoveryDuration", AXV_UNSIGNED, 12 },
		{ "herdClusterRecoveryLockLease", AXV_UNSIGNED, 1000 },
		{ "herdClusterNodeCount", AXV_GAUGE, 3 },
		{ "herdClusterNodesOk", AXV_GAUGE, 1 },
		{ "herdClusterNodesDisconnected", AXV_GAUGE, 1 },
		{ "herdClusterNodesUnhealthy", AXV_GAUGE, 1 },
		{ "herdClusterNodesDeleted", AXV_GAUGE, 1 },
		{ "herdClusterNodesBanned", AXV_GAUGE, 0 },
		{ "herdControlClients", AXV_GAUGE, 2 },
		{ "herdControlRequests", AXV_COUNTER64, 77 },
		{ "herdControlDenied", AXV_COUNTER64, 1 },
		{ "herdStatsReloads", AXV_COUNTER64, 1 },
		{ "herdStatsElections", AXV_COUNTER64, 44 },
		{ "herdStatsRecoveries", AXV_COUNTER64, 0 },    /* absent: 0 */
		{ "herdStatsLastRecoveryTime", AXV_GAUGE, 12 },
		{ "herdTransportBytesIn", AXV_COUNTER64, 6404 },
		{ "herdMonitorRuns", AXV_COUNTER64, 4 },
		{ "herdFailoverTakeovers", AXV_COUNTER64, 5 },
		{ "herdFailoverPublicAddresses", AXV_GAUGE, 3 },
		{ "herdEventsNextSeq", AXV_UNSIGNED, 1 },
		{ "herdAgentHerddConnects", AXV_COUNTER64, 0 },
	};
	struct ax_value v;

	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		v = scalar(ints[i].name);
		if (v.type != AXV_INTEGER || v.i != ints[i].i)
			fail_msg("%s: %lld, expected %lld", ints[i].name, (long long)v.i,
				 (long long)ints[i].i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(uns); i++) {
		v = scalar(uns[i].name);
		if (v.type != uns[i].t || v.u != uns[i].u)
			fail_msg("%s: type %d value %llu", uns[i].name, v.type,
				 (unsigned long long)v.u);
	}
	v = scalar("herdClusterName");
	expect_str(&v, "test");
	v = scalar("herdClusterWarning");
	expect_str(&v, "");
	v = scalar("herdLocalVersion");
	expect_str(&v, "0.1.0");
	v = scalar("herdLocalLastReloadError");
	expect_str(&v, "herd.conf:3: bad key");
	v = scalar("herdClusterLastRecoveryStart");
	expect_bytes(&v, date, sizeof(date));
	v = scalar("herdClusterMaintenanceUntil");
	expect_bytes(&v, never, sizeof(never));
	v = scalar("herdNatgwPublicAddress");
	expect_bytes(&v, natgw_pub, 4);
	v = scalar("herdNatgwMasterAddress");
	expect_bytes(&v, "", 0);
	v = scalar("herdLvsInterface");
	expect_str(&v, "pub0");
	v = scalar("herdAgentLastSync");
	expect_bytes(&v, never, sizeof(never));
	/* TimeTicks: the uptime read, plus what has passed since (a little). */
	v = scalar("herdLocalUptime");
	assert_int_equal(v.type, AXV_TIMETICKS);
	assert_true(v.u >= 1250 && v.u < 1350);
}

static void test_strings_cut(void **state)
{
	/* HerdText (SIZE (0..63)): cut at 63 octets, never inside a UTF-8 character. */
	char name[128] = "{\"cluster\":\"";
	struct json_object *o;
	struct ax_value v;
	struct ax_model m;

	for (int i = 0; i < 31; i++)
		strcat(name, "\xc3\xa9");       /* 62 octets */
	strcat(name, "\xc3\xa9\"}");            /* 64: the last character does not fit */
	o = json_tokener_parse(name);
	assert_non_null(o);
	assert_int_equal(ax_model_init(&m, 1), 0);
	ax_model_set(&m, AX_STATUS, o, 0);
	assert_int_equal(ax_scalar_value(&m, ax_scalar_by_name("herdClusterName"), &v), 0);
	assert_int_equal(v.len, 62);
	/* No snapshot at all: defaults, not errors. */
	ax_model_set(&m, AX_STATUS, NULL, 0);
	assert_int_equal(ax_scalar_value(&m, ax_scalar_by_name("herdClusterName"), &v), 0);
	assert_int_equal(v.len, 0);
	assert_int_equal(ax_scalar_value(&m, ax_scalar_by_name("herdClusterThisNode"), &v), 0);
	expect_int(&v, -1);
	ax_model_done(&m);
}

/* ---- tables ---- */

static void test_node_table(void **state)
{
	static const uint8_t a0[] = { 10, 91, 0, 11 };
	struct ax_rows rows;
	const struct ax_row *r;
	struct ax_value v;
	uint32_t idx;
	uint8_t bits;

	assert_int_equal(ax_table_build(&model, AXT_NODE, &rows), 0);
	assert_int_equal(rows.n, 4);                    /* deleted nodes included */
	for (size_t i = 0; i < rows.n; i++)
		assert_int_equal(rows.row[i].index[0], i);

	idx = 1;
	r = find_row(&rows, &idx, 1);
	v = column(AXT_NODE, r, 2);
	expect_int(&v, AX_INET_IPV4);
	v = column(AXT_NODE, r, 3);
	expect_bytes(&v, a0, 4);
	v = column(AXT_NODE, r, 4);
	expect_str(&v, "10.91.0.11,10.91.1.11");
	v = column(AXT_NODE, r, 5);
	bits = 0x40;                                    /* unhealthy(1) */
	expect_bytes(&v, &bits, 1);
	v = column(AXT_NODE, r, 6);
	expect_int(&v, 6);                              /* unhealthy */
	v = column(AXT_NODE, r, 7);
	bits = 0x80;                                    /* recmaster */
	expect_bytes(&v, &bits, 1);
	v = column(AXT_NODE, r, 9);
	expect_int(&v, 2);
	v = column(AXT_NODE, r, 11);
	expect_int(&v, 3);                              /* unhealthy by its flag */
	v = column(AXT_NODE, r, 13);
	expect_uns(&v, AXV_GAUGE, 1);                   /* 10.92.0.102 */
	v = column(AXT_NODE, r, 14);
	expect_int(&v, 1);

	idx = 2;
	r = find_row(&rows, &idx, 1);
	v = column(AXT_NODE, r, 10);
	expect_uns(&v, AXV_UNSIGNED, 17);
	v = column(AXT_NODE, r, 11);
	expect_int(&v, 1);                              /* disconnected: unknown */
	v = column(AXT_NODE, r, 12);
	expect_bytes(&v, "\0\0\0\0\0\0\0\0", 8);

	idx = 0;
	r = find_row(&rows, &idx, 1);
	v = column(AXT_NODE, r, 11);
	expect_int(&v, 2);                              /* this node: status health */
	v = column(AXT_NODE, r, 10);
	expect_uns(&v, AXV_UNSIGNED, 0);                /* absent: 0 */

	idx = 3;
	r = find_row(&rows, &idx, 1);
	v = column(AXT_NODE, r, 2);
	expect_int(&v, AX_INET_UNKNOWN);
	assert_int_equal(ax_row_value(&model, AXT_NODE, r, 15, &v), -ENOENT);
	ax_rows_free(&rows);
}

static void test_link_table(void **state)
{
	struct ax_rows rows;
	const struct ax_row *r;
	struct ax_value v;
	uint32_t idx[2];

	assert_int_equal(ax_table_build(&model, AXT_LINK, &rows), 0);
	assert_int_equal(rows.n, 5);                    /* the deleted node has none */
	idx[0] = 0;
	idx[1] = 1;
	r = find_row(&rows, idx, 2);
	v = column(AXT_LINK, r, 4);
	expect_int(&v, 1);                              /* self */
	assert_int_equal(ax_row_value(&model, AXT_LINK, r, 5, &v), -ENOENT);
	assert_int_equal(ax_row_value(&model, AXT_LINK, r, 8, &v), -ENOENT);

	idx[0] = 1;
	r = find_row(&rows, idx, 2);
	v = column(AXT_LINK, r, 4);
	expect_int(&v, 3);                              /* down */
	v = column(AXT_LINK, r, 6);
	expect_uns(&v, AXV_COUNTER64, 9);
	v = column(AXT_LINK, r, 10);
	expect_uns(&v, AXV_COUNTER64, 199);
	v = column(AXT_LINK, r, 13);
	expect_uns(&v, AXV_COUNTER64, 1);

	idx[1] = 0;
	r = find_row(&rows, idx, 2);
	v = column(AXT_LINK, r, 5);
	expect_uns(&v, AXV_GAUGE, 1250);
	v = column(AXT_LINK, r, 8);
	expect_uns(&v, AXV_COUNTER64, 40);

	idx[0] = 2;
	r = find_row(&rows, idx, 2);
	v = column(AXT_LINK, r, 8);
	expect_uns(&v, AXV_COUNTER64, 0);               /* no statistics: 0 */
	ax_rows_free(&rows);
}

static void test_script_tables(void **state)
{
	struct ax_rows rows;
	struct ax_value v;
	uint32_t idx[32];
	int n, k;

	assert_int_equal(ax_table_build(&model, AXT_SCRIPTRUN, &rows), 0);
	assert_int_equal(rows.n, 2);
	/* IMPLIED strings: sorted by their characters, "init" first */
	assert_int_equal(rows.row[0].indexlen, 4);
	assert_int_equal(rows.row[0].index[0], 'i');
	v = column(AXT_SCRIPTRUN, &rows.row[1], 2);
	expect_int(&v, 2);                              /* ERROR */
	v = column(AXT_SCRIPTRUN, &rows.row[1], 4);
	expect_uns(&v, AXV_GAUGE, 1250);                /* microseconds */
	v = column(AXT_SCRIPTRUN, &rows.row[1], 5);
	expect_uns(&v, AXV_GAUGE, 2);
	v = column(AXT_SCRIPTRUN, &rows.row[0], 3);
	expect_bytes(&v, "\0\0\0\0\0\0\0\0", 8);
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_SCRIPT, &rows), 0);
	assert_int_equal(rows.n, 2);
	n = ax_index_string("monitor", false, idx, ARRAY_SIZE(idx));
	k = ax_index_string("20.disk", true, idx + n, ARRAY_SIZE(idx) - (size_t)n);
	{
		const struct ax_row *r = find_row(&rows, idx, (size_t)(n + k));

		v = column(AXT_SCRIPT, r, 2);
		expect_int(&v, 5);                      /* notRun */
		v = column(AXT_SCRIPT, r, 3);
		expect_int(&v, 1);
		v = column(AXT_SCRIPT, r, 4);
		expect_int(&v, 9);
		v = column(AXT_SCRIPT, r, 7);
		expect_str(&v, "");
		v = column(AXT_SCRIPT, r, 8);
		expect_int(&v, 1);
	}
	v = column(AXT_SCRIPT, &rows.row[0], 6);
	expect_uns(&v, AXV_GAUGE, 500);
	v = column(AXT_SCRIPT, &rows.row[0], 7);
	expect_str(&v, "fine");
	ax_rows_free(&rows);
}

static void test_statistics_tables(void **state)
{
	struct ax_rows rows;
	struct ax_value v;
	uint32_t idx[8];

	assert_int_equal(ax_table_build(&model, AXT_VERB, &rows), 0);
	assert_int_equal(rows.n, 2);
	assert_int_equal(ax_index_string("ip", true, idx, 8), 2);
	v = column(AXT_VERB, find_row(&rows, idx, 2), 2);
	expect_uns(&v, AXV_COUNTER64, 3);
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_DROP, &rows), 0);
	assert_int_equal(rows.n, 2);                    /* unknown reasons left out */
	idx[0] = 1;                                     /* badMac */
	v = column(AXT_DROP, find_row(&rows, idx, 1), 2);
	expect_uns(&v, AXV_COUNTER64, 2);
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_PEER, &rows), 0);
	assert_int_equal(rows.n, 2);                    /* "bogus" is no node */
	idx[0] = 1;
	v = column(AXT_PEER, find_row(&rows, idx, 1), 1);
	expect_uns(&v, AXV_GAUGE, 1);
	v = column(AXT_PEER, find_row(&rows, idx, 1), 2);
	expect_uns(&v, AXV_COUNTER64, 46);
	v = column(AXT_PEER, find_row(&rows, idx, 1), 11);
	expect_uns(&v, AXV_GAUGE, 1250);
	ax_rows_free(&rows);
}

static void test_address_tables(void **state)
{
	static const uint8_t v4a[] = { 10, 92, 0, 101 }, v4b[] = { 10, 92, 0, 102 };
	struct ax_rows rows;
	const struct ax_row *r;
	struct ax_value v;
	uint32_t idx[18];
	uint8_t a6[16];
	int type, n;
	uint8_t set;

	assert_int_equal(ax_table_build(&model, AXT_PUBADDR, &rows), 0);
	assert_int_equal(rows.n, 3);
	/* Sorted by index: ipv4 ones (type 1) first, .101 before .102. */
	assert_int_equal(rows.row[0].index[0], AX_INET_IPV4);
	assert_int_equal(rows.row[0].index[5], 101);
	assert_int_equal(rows.row[2].index[0], AX_INET_IPV6);
	assert_int_equal(rows.row[2].indexlen, 18);

	ax_index_inet(AX_INET_IPV4, v4b, 4, idx, 18);
	r = find_row(&rows, idx, 6);
	v = column(AXT_PUBADDR, r, 3);
	expect_uns(&v, AXV_UNSIGNED, 24);
	v = column(AXT_PUBADDR, r, 4);
	expect_int(&v, 1);
	v = column(AXT_PUBADDR, r, 5);
	set = 0xe0;
	expect_bytes(&v, &set, 1);
	v = column(AXT_PUBADDR, r, 6);
	expect_str(&v, "pub0,pub1");
	v = column(AXT_PUBADDR, r, 7);
	expect_str(&v, "pub0");
	v = column(AXT_PUBADDR, r, 8);
	expect_str(&v, "");
	v = column(AXT_PUBADDR, r, 9);
	expect_int(&v, 2);

	ax_index_inet(AX_INET_IPV4, v4a, 4, idx, 18);
	r = find_row(&rows, idx, 6);
	v = column(AXT_PUBADDR, r, 5);
	set = 0xa0;
	expect_bytes(&v, &set, 1);
	v = column(AXT_PUBADDR, r, 9);
	expect_int(&v, 1);

	n = ax_inet("fd92::150", &type, a6);
	ax_index_inet(type, a6, (size_t)n, idx, 18);
	r = find_row(&rows, idx, 18);
	v = column(AXT_PUBADDR, r, 4);
	expect_int(&v, -1);
	v = column(AXT_PUBADDR, r, 5);
	expect_bytes(&v, "", 0);
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_IF, &rows), 0);
	assert_int_equal(rows.n, 2);
	v = column(AXT_IF, &rows.row[1], 2);
	expect_int(&v, 3);                              /* pub1 missing */
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_NATGW, &rows), 0);
	assert_int_equal(rows.n, 1);
	v = column(AXT_NATGW, &rows.row[0], 4);
	expect_int(&v, 1);
	v = column(AXT_NATGW, &rows.row[0], 5);
	expect_str(&v, "UNHEALTHY");
	assert_int_equal(ax_row_value(&model, AXT_NATGW, &rows.row[0], 6, &v), -ENOENT);
	ax_rows_free(&rows);

	assert_int_equal(ax_table_build(&model, AXT_LVS, &rows), 0);
	assert_int_equal(rows.n, 2);
	v = column(AXT_LVS, &rows.row[1], 3);
	expect_int(&v, -1);
	v = column(AXT_LVS, &rows.row[0], 6);
	expect_int(&v, 1);
	ax_rows_free(&rows);
}

/* ---- events ---- */

static struct json_object *event_obj(uint64_t seq, const char *type, int node,
				     const char *subject)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"seq\":%llu,\"wall_us\":1795427625000000,\"node\":%d,\"reporter\":0,"
		 "\"type\":\"%s\",\"severity\":\"error\",\"subject\":\"%s\",\"detail\":\"d\"}",
		 (unsigned long long)seq, node, type, subject);
	return json_tokener_parse(buf);
}

static void test_events(void **state)
{
	struct json_object *reply = json_tokener_parse(events_json);
	struct ax_event ev, *added, *evicted;
	struct ax_value v;
	uint64_t seq;

	assert_int_equal(ax_model_load_events(&model, reply), 0);
	json_object_put(reply);
	assert_int_equal(ax_model_nevents(&model), 3);
	assert_int_equal(model.next_seq, 4);
	assert_int_equal(ax_model_event_at(&model, 1)->node, -1);
	assert_int_equal(ax_model_event_at(&model, 1)->type, EV_RECOVERY_STARTED);
	assert_int_equal(ax_model_event_at(&model, 2)->type, 0);
	assert_int_equal(ax_event_value(&model, ax_model_event_at(&model, 0), 10, &v), -ENOENT);
	assert_int_equal(ax_event_value(&model, ax_model_event_at(&model, 0), 3, &v), 0);
	assert_int_equal(v.len, 11);
	assert_int_equal(v.buf[7], 5);                  /* deci-seconds from wall_us */

	/* Node 1 is UNHEALTHY; it gets disconnected, then healthy, then connected. */
	static const struct {
		const char *type;
		int prev, next;
	} chain[] = {
		{ "node-disconnected", 6, 2 },
		{ "healthy", 2, 2 },
		{ "node-connected", 2, 1 },
		{ "node-banned", 1, 3 },
		{ "node-unbanned", 3, 1 },
	};
	seq = 4;
	for (size_t i = 0; i < ARRAY_SIZE(chain); i++, seq++) {
		struct json_object *o = event_obj(seq, chain[i].type, 1, "node 1");

		assert_int_equal(ax_event_from_json(o, &ev), 0);
		json_object_put(o);
		ax_model_apply_event(&model, &ev);
		if (ev.prev_state != chain[i].prev || ev.new_state != chain[i].next)
			fail_msg("%s: %d -> %d", chain[i].type, ev.prev_state, ev.new_state);
		assert_int_equal(ax_model_push_event(&model, &ev, &added, &evicted), 0);
		assert_int_equal(added->seq, seq);
		/* the ring holds 4: from the second push on, the oldest goes */
		if (i == 0)
			assert_null(evicted);
		else
			assert_non_null(evicted);
		free(evicted);
	}
	assert_int_equal(model.next_seq, seq);
	assert_int_equal(ax_model_nevents(&model), 4);
	assert_int_equal(ax_model_event_at(&model, 0)->seq, seq - 4);
	/* The model's copy of node 1 followed: connected, not banned, healthy. */
	{
		struct ax_rows rows;
		uint32_t idx = 1;

		assert_int_equal(ax_table_build(&model, AXT_NODE, &rows), 0);
		v = column(AXT_NODE, find_row(&rows, &idx, 1), 6);
		expect_int(&v, 1);
		ax_rows_free(&rows);
	}
	/* A stale copy: the flag already set; the state before is still right. */
	{
		struct json_object *o = event_obj(seq, "node-stopped", 2, "node 2");

		assert_int_equal(ax_event_from_json(o, &ev), 0);
		json_object_put(o);
		ax_model_apply_event(&model, &ev);
		assert_int_equal(ev.prev_state, 2);     /* node 2 is disconnected */
		assert_int_equal(ev.new_state, 2);
	}
	/* Events without a number are refused. */
	{
		struct json_object *o = json_tokener_parse("{\"type\":\"init\"}");

		assert_int_equal(ax_event_from_json(o, &ev), -EINVAL);
		json_object_put(o);
	}
	/* Read again (a reconnect): known events keep their states. */
	{
		char buf[1024];
		const struct ax_event *last = ax_model_event_at(&model, 3);

		snprintf(buf, sizeof(buf), "{\"next_seq\":%llu,\"events\":[{\"seq\":%llu,"
			 "\"wall_us\":1795427625000000,\"type\":\"node-unbanned\"},"
			 "{\"seq\":%llu,\"wall_us\":1795427625000000,\"type\":\"init\"}]}",
			 (unsigned long long)seq + 1, (unsigned long long)last->seq,
			 (unsigned long long)seq);
		reply = json_tokener_parse(buf);
		assert_int_equal(ax_model_load_events(&model, reply), 0);
		json_object_put(reply);
		assert_int_equal(ax_model_nevents(&model), 2);
		assert_int_equal(ax_model_event_at(&model, 0)->prev_state, 3);
		assert_int_equal(ax_model_event_at(&model, 1)->prev_state, 0);
		ax_model_collect(&model);
	}
	assert_int_equal(ax_event_verbs(EV_IP_TAKEOVER) & AX_VERB_BIT(AX_IP), AX_VERB_BIT(AX_IP));
	assert_int_equal(ax_event_verbs(EV_CONFIG_RELOADED), AX_VERBS_ALL);
	assert_int_equal(ax_event_verbs(EV_NODE_BANNED), AX_VERB_BIT(AX_STATUS));
	/* what a notification reads is always among what the event changes */
	for (int t = 1; t < EV__MAX; t++)
		assert_int_equal(ax_notification_verbs(t) & ~ax_event_verbs(t), 0);
	assert_int_equal(ax_notification_verbs(EV_NODE_DISCONNECTED), 0);
}

/* ---- the MIB file: names, OIDs, notification objects ---- */

struct mibdef {
	char name[64], parent[64];
	unsigned sub;
	char kind;              /* T OBJECT-TYPE, N NOTIFICATION-TYPE, I OID, M module */
	bool accessible;
	char objects[512];      /* NOTIFICATION-TYPE OBJECTS, space separated */
};

static struct mibdef defs[600];
static size_t ndefs;

static struct mibdef *def(const char *name)
{
	for (size_t i = 0; i < ndefs; i++)
		if (streq(defs[i].name, name))
			return &defs[i];
	return NULL;
}

static void parse_mib(void)
{
	FILE *f = fopen("mib/HERD-MIB.txt", "r");
	char line[512], name[64] = "";
	struct mibdef *cur = NULL;
	bool in_objects = false;

	if (!f)
		fail_msg("mib/HERD-MIB.txt: %s (run from the top of the tree)", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char a[64], b[64], parent[64];
		unsigned sub;
		const char *p;

		if (sscanf(line, "%63s %63s", a, b) == 2 &&
		    (streq(b, "OBJECT-TYPE") || streq(b, "NOTIFICATION-TYPE") ||
		     streq(b, "MODULE-IDENTITY") || streq(b, "OBJECT"))) {
			snprintf(name, sizeof(name), "%s", a);
			assert_true(ndefs < ARRAY_SIZE(defs));
			cur = &defs[ndefs++];
			*cur = (struct mibdef){ .accessible = true, .kind = b[0] == 'N' ? 'N' :
						b[0] == 'M' ? 'M' : streq(b, "OBJECT") ? 'I' : 'T' };
			snprintf(cur->name, sizeof(cur->name), "%s", a);
		}
		if (cur && strstr(line, "MAX-ACCESS") && strstr(line, "not-accessible"))
			cur->accessible = false;
		if (cur && (p = strstr(line, "OBJECTS")) && strchr(line, '{'))
			in_objects = true;
		if (cur && in_objects) {
			const char *s = strchr(line, '{') ? strchr(line, '{') + 1 : line;
			char word[64];
			int n;

			while (sscanf(s, " %63[A-Za-z0-9]%n", word, &n) == 1) {
				strcat(cur->objects, word);
				strcat(cur->objects, " ");
				s += n;
				while (*s == ',' || *s == ' ')
					s++;
			}
			if (strchr(line, '}'))
				in_objects = false;
		}
		if (cur && (p = strstr(line, "::= {")) &&
		    sscanf(p, "::= { %63s %u }", parent, &sub) == 2) {
			snprintf(cur->parent, sizeof(cur->parent), "%s", parent);
			cur->sub = sub;
			cur = NULL;
		}
	}
	fclose(f);
}

/* name's OID relative to herdMIB (herdObjects is {1}); length or -1. */
static int resolve(const char *name, uint32_t *out)
{
	const struct mibdef *d;
	uint32_t rev[32];
	int n = 0;

	while (!streq(name, "herdMIB")) {
		d = def(name);
		if (!d || !d->parent[0] || n >= 32)
			return -1;
		rev[n++] = d->sub;
		name = d->parent;
	}
	for (int i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

static void test_mib_scalars(void **state)
{
	uint32_t rel[32], full[AX_OID_MAX];

	parse_mib();
	assert_true(ndefs > 200);
	for (size_t i = 0; i < ax_nscalars; i++) {
		const struct ax_scalar *s = &ax_scalars[i];
		int n = resolve(s->name, rel), k = ax_oid_scalar(s, full, AX_OID_MAX);

		if (n < 0)
			fail_msg("%s is not in HERD-MIB", s->name);
		assert_int_equal(k, (int)ax_oid_herd_mib_len + n + 1);
		if (memcmp(full + ax_oid_herd_mib_len, rel, (size_t)n * 4) != 0 || full[k - 1] != 0)
			fail_msg("%s: OID differs from HERD-MIB", s->name);
		assert_true(s->subid >= ax_groups[s->group].first);
		assert_true(s->subid <= ax_groups[s->group].last);
		for (size_t j = 0; j < i; j++)
			if (ax_scalars[j].group == s->group && ax_scalars[j].subid == s->subid)
				fail_msg("%s: sub-identifier used twice", s->name);
	}
	/* Every scalar of the MIB is served: each group's range is complete. */
	for (size_t g = 0; g < ax_ngroups; g++)
		for (uint32_t sub = ax_groups[g].first; sub <= ax_groups[g].last; sub++)
			if (!ax_scalar_find((unsigned)g, sub))
				fail_msg("%s.%u is not served", ax_groups[g].name, sub);
	for (size_t i = 0; i < ndefs; i++) {
		const struct mibdef *d = &defs[i];

		if (d->kind == 'T' && d->accessible && !strstr(d->parent, "Entry") &&
		    !ax_scalar_by_name(d->name))
			fail_msg("HERD-MIB scalar %s is not served", d->name);
	}
}

static void test_mib_tables(void **state)
{
	uint32_t rel[32], full[AX_OID_MAX];

	for (int t = 0; t < AXT_MAX; t++) {
		const struct ax_table_def *d = &ax_tables[t];
		char entry[64];
		unsigned lo = 1000, hi = 0;
		int n = resolve(d->name, rel), k = ax_table_oid(t, full, AX_OID_MAX);

		if (n < 0)
			fail_msg("%s is not in HERD-MIB", d->name);
		assert_int_equal(k, (int)ax_oid_herd_mib_len + n);
		if (memcmp(full + ax_oid_herd_mib_len, rel, (size_t)n * 4) != 0)
			fail_msg("%s: OID differs from HERD-MIB", d->name);
		snprintf(entry, sizeof(entry), "%.*sEntry", (int)strlen(d->name) - 5, d->name);
		assert_non_null(def(entry));
		for (size_t i = 0; i < ndefs; i++)
			if (streq(defs[i].parent, entry) && defs[i].accessible) {
				lo = MIN(lo, defs[i].sub);
				hi = MAX(hi, defs[i].sub);
			}
		if (lo != d->mincol || hi != d->maxcol)
			fail_msg("%s: columns %u..%u, HERD-MIB has %u..%u", d->name, d->mincol,
				 d->maxcol, lo, hi);
	}
}

/* The name of the MIB object (a scalar or a column) an instance OID is of. */
static const char *object_of(const uint32_t *oid, size_t len)
{
	const char *best = "?";
	uint32_t rel[32];

	if (len < ax_oid_herd_mib_len || memcmp(oid, ax_oid_herd_mib, ax_oid_herd_mib_len * 4))
		return best;
	for (size_t i = 0; i < ndefs; i++) {
		const struct mibdef *d = &defs[i];
		int n;

		if (d->kind != 'T' || strstr(d->name, "Table") || strstr(d->name, "Entry"))
			continue;
		n = resolve(d->name, rel);
		if (n > 0 && ax_oid_herd_mib_len + (size_t)n < len &&
		    memcmp(oid + ax_oid_herd_mib_len, rel, (size_t)n * 4) == 0)
			best = d->name;
	}
	return best;
}

static void check_notification(const char *notif, const struct ax_varbind *vb, int n)
{
	const struct mibdef *d = def(notif);
	char got[512] = "";

	if (!d)
		fail_msg("%s is not in HERD-MIB", notif);
	for (int i = 0; i < n; i++) {
		strcat(got, object_of(vb[i].oid, vb[i].oidlen));
		strcat(got, " ");
		assert_int_not_equal(vb[i].v.type, AXV_NONE);
	}
	if (!streq(got, d->objects))
		fail_msg("%s carries\n  %s\nHERD-MIB says\n  %s", notif, got, d->objects);
}

static void test_notifications(void **state)
{
	static const char *const subjects[EV__MAX] = {
		[EV_LINK_DOWN] = "link 1 to node 1 is down",
		[EV_LINK_UP] = "link 0 to node 1 is up",
		[EV_IP_TAKEOVER] = "10.92.0.101 taken over",
		[EV_IP_RELEASED] = "fd92::150 released",
		[EV_IFACE_DOWN] = "interface pub1 is down",
		[EV_IFACE_UP] = "interface pub0 is up",
	};
	struct ax_varbind vb[24];
	uint32_t oid[AX_OID_MAX], rel[32];

	for (int t = 1; t < EV__MAX; t++) {
		const char *label = ax_l_event.label[t - 1];
		char notif[64];
		struct json_object *o = event_obj(100 + (uint64_t)t, event_type_name(t), 1,
						  subjects[t] ? subjects[t] : "something");
		struct ax_event ev;
		int n, k;

		snprintf(notif, sizeof(notif), "herd%c%s", label[0] - 'a' + 'A', label + 1);
		assert_int_equal(ax_event_from_json(o, &ev), 0);
		json_object_put(o);
		assert_int_equal(ev.type, t);
		ax_model_apply_event(&model, &ev);
		n = ax_notification(&model, &ev, vb, ARRAY_SIZE(vb));
		assert_true(n > 0);
		check_notification(notif, vb, n);
		/* herdNotifications.N is the notification's OID */
		k = ax_oid_notification((uint32_t)t, oid, AX_OID_MAX);
		assert_int_equal(resolve(notif, rel), 2);
		assert_int_equal(oid[k - 1], rel[1]);
		/* event rows are indexed by the sequence number */
		assert_int_equal(vb[0].oid[vb[0].oidlen - 1], 100 + t);
	}
	/* Values the event itself decides. */
	{
		struct json_object *o = event_obj(200, "link-up", 1, "link 0 to node 1 is up");
		struct ax_event ev;
		int n;

		ax_event_from_json(o, &ev);
		json_object_put(o);
		n = ax_notification(&model, &ev, vb, ARRAY_SIZE(vb));
		expect_int(&vb[n - 1].v, 5);            /* herdLinkState.1.0 = up */
		assert_int_equal(vb[n - 1].oid[vb[n - 1].oidlen - 2], 1);
		assert_int_equal(vb[n - 1].oid[vb[n - 1].oidlen - 1], 0);
	}
	for (uint32_t a = AX_NOTIF_AGENT_RESTARTED; a <= AX_NOTIF_HERDD_UP; a++) {
		static const char *const names[] = { "herdAgentRestarted", "herdAgentHerddDown",
						     "herdAgentHerddUp" };
		int n = ax_agent_notification(&model, a, vb, ARRAY_SIZE(vb));

		check_notification(names[a - AX_NOTIF_AGENT_RESTARTED], vb, n);
	}
	{
		struct ax_event ev = { .seq = 1, .type = 0 };

		assert_int_equal(ax_notification(&model, &ev, vb, ARRAY_SIZE(vb)), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings_cut),
		cmocka_unit_test(test_node_table),
		cmocka_unit_test(test_link_table),
		cmocka_unit_test(test_script_tables),
		cmocka_unit_test(test_statistics_tables),
		cmocka_unit_test(test_address_tables),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_mib_scalars),
		cmocka_unit_test(test_mib_tables),
		cmocka_unit_test(test_notifications),
	};

	return cmocka_run_group_tests_name("agentx_model", tests, setup, teardown);
}
