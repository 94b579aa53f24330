/*
 * agentx_mib.c — HERD-MIB as data (see agentx_mib.h). Every entry here
 * names its MIB object; the numbers are the MIB's, the paths are the
 * "Source:" lines of its DESCRIPTIONs.
 */
#include "mib/agentx_mib.h"

const uint32_t ax_oid_herd_mib[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 4373, 1 };
const size_t ax_oid_herd_mib_len = ARRAY_SIZE(ax_oid_herd_mib);

const char *ax_verb_name(enum ax_verb v)
{
	static const char *const names[AX_VERB_MAX] = {
		[AX_STATUS] = "status",
		[AX_UPTIME] = "uptime",
		[AX_VERSION] = "version",
		[AX_STATISTICS] = "statistics",
		[AX_SCRIPTSTATUS] = "scriptstatus",
		[AX_IP] = "ip",
		[AX_IFACES] = "ifaces",
		[AX_NATGW] = "natgw",
		[AX_LVS] = "lvs",
	};

	return (unsigned)v < AX_VERB_MAX ? names[v] : "?";
}

/* ---- enumerations (the MIB's TEXTUAL-CONVENTIONs, in value order) ---- */

#define LABELS(var, ...)                                                      \
	static const char *const var##_[] = { __VA_ARGS__ };                  \
	const struct ax_labels var = { var##_, ARRAY_SIZE(var##_) }

LABELS(ax_l_summary, "ok", "disconnected", "banned", "stopped", "disabled", "unhealthy",
       "partiallyOnline", "deleted");
LABELS(ax_l_recmode, "normal", "recovery");
LABELS(ax_l_reclock, "none", "notNeeded", "idle", "taking", "held", "contended", "timeout",
       "error", "lost", "released");
LABELS(ax_l_cause, "none", "leaseExpired", "fileLost", "noAnswer", "helperExited",
       "helperError", "badStatus", "takeTimeout", "helperTimeout", "spawn");
LABELS(ax_l_health, "unknown", "healthy", "unhealthy");
LABELS(ax_l_phase, "idle", "init", "setup", "startup", "monitor");
LABELS(ax_l_linkstate, "self", "none", "down", "connecting", "up");
LABELS(ax_l_script, "ok", "error", "timedout", "disabled", "notRun", "canceled");
LABELS(ax_l_event, "init", "setup", "startup", "healthy", "unhealthy", "nodeConnected",
       "nodeDisconnected", "nodeBanned", "nodeUnbanned", "nodeDisabled", "nodeEnabled",
       "nodeStopped", "nodeContinued", "linkDown", "linkUp", "leaderChanged",
       "recoveryStarted", "recoveryFinished", "reclockTaken", "reclockLost", "ipTakeover",
       "ipReleased", "natgwChanged", "lvsChanged", "ifaceDown", "ifaceUp", "collectorFailed",
       "collectorRecovered", "maintenanceOn", "maintenanceOff", "configReloaded",
       "configRejected", "shutdown");
LABELS(ax_l_severity, "info", "notice", "warning", "error", "critical");
LABELS(ax_l_drop, "badMac", "replay", "badFrame", "version", "oversize", "wrongCluster",
       "unknownPeer", "badAddress", "handshakeTimeout", "overload");
LABELS(ax_l_ifhealth, "ok", "partial", "down");
LABELS(ax_l_iflink, "up", "down", "missing");
LABELS(ax_l_natgw, "none", "master", "slave", "noMaster");
LABELS(ax_l_lvs, "none", "member", "master");

/* ---- scalar groups ------------------------------------------------------ */

enum {
	G_CLUSTER, G_LOCAL, G_SCRIPTS, G_CONTROL, G_DAEMON, G_SCLUSTER, G_TRANSPORT,
	G_MONITOR, G_FAILOVER, G_ROLES, G_EVENTS, G_PUBADDRS, G_IFACES, G_NATGW, G_LVS,
	G_AGENT,
};

const struct ax_group ax_groups[] = {
	[G_CLUSTER] = { "herdCluster", { 1 }, 1, 1, 26 },
	[G_LOCAL] = { "herdLocal", { 2 }, 1, 1, 9 },
	[G_SCRIPTS] = { "herdScripts", { 4 }, 1, 1, 1 },
	[G_CONTROL] = { "herdStatsControl", { 5, 1 }, 2, 1, 7 },
	[G_DAEMON] = { "herdStatsDaemon", { 5, 2 }, 2, 1, 2 },
	[G_SCLUSTER] = { "herdStatsCluster", { 5, 3 }, 2, 1, 10 },
	[G_TRANSPORT] = { "herdStatsTransport", { 5, 4 }, 2, 1, 5 },
	[G_MONITOR] = { "herdStatsMonitor", { 5, 6 }, 2, 1, 6 },
	[G_FAILOVER] = { "herdStatsFailover", { 5, 7 }, 2, 1, 14 },
	[G_ROLES] = { "herdStatsRoles", { 5, 8 }, 2, 1, 2 },
	[G_EVENTS] = { "herdEvents", { 6 }, 1, 1, 2 },
	[G_PUBADDRS] = { "herdPublicAddrs", { 7 }, 1, 1, 1 },
	[G_IFACES] = { "herdInterfaces", { 8 }, 1, 1, 1 },
	[G_NATGW] = { "herdNatgw", { 9 }, 1, 1, 9 },
	[G_LVS] = { "herdLvs", { 10 }, 1, 1, 10 },
	[G_AGENT] = { "herdAgent", { 11 }, 1, 1, 8 },
};
const size_t ax_ngroups = ARRAY_SIZE(ax_groups);

#define S(name, g, sub, verb, path, conv) { name, g, sub, verb, path, conv, NULL, 0, 0 }
#define STR(name, g, sub, verb, path, max) { name, g, sub, verb, path, AXC_STRING, NULL, max, 0 }
#define EN(name, g, sub, verb, path, l) { name, g, sub, verb, path, AXC_ENUM, &l, 0, 0 }
#define CNT(name, sub, label)                                                         \
	{ name, G_CLUSTER, sub, AX_STATUS, "nodes", AXC_NODECOUNT, NULL, label, 0 }
#define AG(name, g, sub, field) { name, g, sub, AX_STATUS, NULL, AXC_AGENT, NULL, 0, field }

const struct ax_scalar ax_scalars[] = {
	STR("herdClusterName", G_CLUSTER, 1, AX_STATUS, "cluster", 63),
	S("herdClusterThisNode", G_CLUSTER, 2, AX_STATUS, "pnn", AXC_PNN),
	S("herdClusterLeader", G_CLUSTER, 3, AX_STATUS, "leader", AXC_PNN),
	S("herdClusterActive", G_CLUSTER, 4, AX_STATUS, "active", AXC_TRUTH),
	S("herdClusterGeneration", G_CLUSTER, 5, AX_STATUS, "generation", AXC_UNSIGNED),
	EN("herdClusterRecoveryMode", G_CLUSTER, 6, AX_STATUS, "recovery_mode", ax_l_recmode),
	S("herdClusterLastRecoveryStart", G_CLUSTER, 7, AX_STATUS, "last_recovery_start", AXC_DATE),
	S("herdClusterLastRecoveryFinish", G_CLUSTER, 8, AX_STATUS, "last_recovery_finish", AXC_DATE),
	S("herdClusterLastRecoveryDuration", G_CLUSTER, 9, AX_STATUS, "last_recovery_duration_ms",
	  AXC_UNSIGNED),
	STR("herdClusterRecoveryLock", G_CLUSTER, 10, AX_STATUS, "recovery_lock", 1024),
	EN("herdClusterRecoveryLockState", G_CLUSTER, 11, AX_STATUS, "recovery_lock_state.state",
	   ax_l_reclock),
	EN("herdClusterRecoveryLockCause", G_CLUSTER, 12, AX_STATUS, "recovery_lock_state.cause",
	   ax_l_cause),
	S("herdClusterRecoveryLockHeld", G_CLUSTER, 13, AX_STATUS, "recovery_lock_state.held",
	  AXC_TRUTH),
	S("herdClusterRecoveryLockLease", G_CLUSTER, 14, AX_STATUS, "recovery_lock_state.lease_ms",
	  AXC_UNSIGNED),
	S("herdClusterMaintenance", G_CLUSTER, 15, AX_STATUS, "maintenance", AXC_TRUTH),
	S("herdClusterMaintenanceUntil", G_CLUSTER, 16, AX_STATUS, "maintenance_until", AXC_DATE),
	S("herdClusterNodeCount", G_CLUSTER, 17, AX_STATUS, "node_count", AXC_GAUGE),
	CNT("herdClusterNodesOk", 18, 1),
	CNT("herdClusterNodesDisconnected", 19, 2),
	CNT("herdClusterNodesBanned", 20, 3),
	CNT("herdClusterNodesStopped", 21, 4),
	CNT("herdClusterNodesDisabled", 22, 5),
	CNT("herdClusterNodesUnhealthy", 23, 6),
	CNT("herdClusterNodesPartiallyOnline", 24, 7),
	CNT("herdClusterNodesDeleted", 25, 8),
	STR("herdClusterWarning", G_CLUSTER, 26, AX_STATUS, "warning", 255),

	STR("herdLocalVersion", G_LOCAL, 1, AX_VERSION, "version", 64),
	S("herdLocalStartTime", G_LOCAL, 2, AX_UPTIME, "start_time", AXC_DATE),
	S("herdLocalUptime", G_LOCAL, 3, AX_UPTIME, "uptime_seconds", AXC_TICKS),
	S("herdLocalLeading", G_LOCAL, 4, AX_STATUS, "leading", AXC_TRUTH),
	EN("herdLocalHealth", G_LOCAL, 5, AX_STATUS, "health", ax_l_health),
	STR("herdLocalHealthReason", G_LOCAL, 6, AX_STATUS, "health_reason", 1024),
	EN("herdLocalStartupPhase", G_LOCAL, 7, AX_STATUS, "startup_phase", ax_l_phase),
	S("herdLocalLastReload", G_LOCAL, 8, AX_UPTIME, "last_reload", AXC_DATE),
	STR("herdLocalLastReloadError", G_LOCAL, 9, AX_UPTIME, "last_reload_error", 1024),

	STR("herdScriptEventsDir", G_SCRIPTS, 1, AX_SCRIPTSTATUS, "events_dir", 1024),

	S("herdControlClients", G_CONTROL, 1, AX_STATISTICS, "control.clients", AXC_GAUGE),
	S("herdControlAccepted", G_CONTROL, 2, AX_STATISTICS, "control.accepted", AXC_COUNTER),
	S("herdControlRefused", G_CONTROL, 3, AX_STATISTICS, "control.refused", AXC_COUNTER),
	S("herdControlRequests", G_CONTROL, 4, AX_STATISTICS, "control.requests", AXC_COUNTER),
	S("herdControlDenied", G_CONTROL, 5, AX_STATISTICS, "control.denied", AXC_COUNTER),
	S("herdControlBadFrames", G_CONTROL, 6, AX_STATISTICS, "control.bad_frames", AXC_COUNTER),
	S("herdControlUnknownVerbs", G_CONTROL, 7, AX_STATISTICS, "control.unknown_verbs",
	  AXC_COUNTER),

	S("herdStatsReloads", G_DAEMON, 1, AX_STATISTICS, "reloads", AXC_COUNTER),
	S("herdStatsReloadFailures", G_DAEMON, 2, AX_STATISTICS, "reload_failures", AXC_COUNTER),

	S("herdStatsElections", G_SCLUSTER, 1, AX_STATISTICS, "cluster.elections", AXC_COUNTER),
	S("herdStatsLeaderChanges", G_SCLUSTER, 2, AX_STATISTICS, "cluster.leader_changes",
	  AXC_COUNTER),
	S("herdStatsRecoveries", G_SCLUSTER, 3, AX_STATISTICS, "cluster.recoveries", AXC_COUNTER),
	S("herdStatsRecoveryTimeouts", G_SCLUSTER, 4, AX_STATISTICS, "cluster.recovery_timeouts",
	  AXC_COUNTER),
	S("herdStatsLastRecoveryTime", G_SCLUSTER, 5, AX_STATISTICS, "cluster.last_recovery_ms",
	  AXC_GAUGE),
	S("herdStatsMaxRecoveryTime", G_SCLUSTER, 6, AX_STATISTICS, "cluster.max_recovery_ms",
	  AXC_GAUGE),
	S("herdStatsBans", G_SCLUSTER, 7, AX_STATISTICS, "cluster.bans", AXC_COUNTER),
	S("herdStatsLockContended", G_SCLUSTER, 8, AX_STATISTICS, "cluster.lock_contended",
	  AXC_COUNTER),
	S("herdStatsControlsIn", G_SCLUSTER, 9, AX_STATISTICS, "cluster.controls_in", AXC_COUNTER),
	S("herdStatsControlsBad", G_SCLUSTER, 10, AX_STATISTICS, "cluster.controls_bad",
	  AXC_COUNTER),

	S("herdTransportFramesIn", G_TRANSPORT, 1, AX_STATISTICS, "transport.frames_in", AXC_COUNTER),
	S("herdTransportFramesOut", G_TRANSPORT, 2, AX_STATISTICS, "transport.frames_out",
	  AXC_COUNTER),
	S("herdTransportBytesIn", G_TRANSPORT, 3, AX_STATISTICS, "transport.bytes_in", AXC_COUNTER),
	S("herdTransportBytesOut", G_TRANSPORT, 4, AX_STATISTICS, "transport.bytes_out", AXC_COUNTER),
	S("herdTransportAccepts", G_TRANSPORT, 5, AX_STATISTICS, "transport.accepts", AXC_COUNTER),

	S("herdMonitorRuns", G_MONITOR, 1, AX_STATISTICS, "monitor.runs", AXC_COUNTER),
	S("herdMonitorFailed", G_MONITOR, 2, AX_STATISTICS, "monitor.failed", AXC_COUNTER),
	S("herdMonitorTimedOut", G_MONITOR, 3, AX_STATISTICS, "monitor.timedout", AXC_COUNTER),
	S("herdMonitorOverruns", G_MONITOR, 4, AX_STATISTICS, "monitor.overruns", AXC_COUNTER),
	S("herdMonitorHealthChanges", G_MONITOR, 5, AX_STATISTICS, "monitor.health_changes",
	  AXC_COUNTER),
	S("herdMonitorLastRunTime", G_MONITOR, 6, AX_STATISTICS, "monitor.last_run_ms", AXC_GAUGE),

	S("herdFailoverTakeoverRuns", G_FAILOVER, 1, AX_STATISTICS, "failover.takeover_runs",
	  AXC_COUNTER),
	S("herdFailoverTakeoverRunsIncomplete", G_FAILOVER, 2, AX_STATISTICS,
	  "failover.takeover_runs_incomplete", AXC_COUNTER),
	S("herdFailoverLastTakeoverRunTime", G_FAILOVER, 3, AX_STATISTICS,
	  "failover.last_takeover_run_ms", AXC_GAUGE),
	S("herdFailoverMaxTakeoverRunTime", G_FAILOVER, 4, AX_STATISTICS,
	  "failover.max_takeover_run_ms", AXC_GAUGE),
	S("herdFailoverTakeovers", G_FAILOVER, 5, AX_STATISTICS, "failover.takeovers", AXC_COUNTER),
	S("herdFailoverReleases", G_FAILOVER, 6, AX_STATISTICS, "failover.releases", AXC_COUNTER),
	S("herdFailoverUpdates", G_FAILOVER, 7, AX_STATISTICS, "failover.updates", AXC_COUNTER),
	S("herdFailoverTakeFailures", G_FAILOVER, 8, AX_STATISTICS, "failover.take_failures",
	  AXC_COUNTER),
	S("herdFailoverArpRounds", G_FAILOVER, 9, AX_STATISTICS, "failover.arp_rounds", AXC_COUNTER),
	S("herdFailoverArpFailures", G_FAILOVER, 10, AX_STATISTICS, "failover.arp_failures",
	  AXC_COUNTER),
	S("herdFailoverTicklesSent", G_FAILOVER, 11, AX_STATISTICS, "failover.tickles_sent",
	  AXC_COUNTER),
	S("herdFailoverConnectionsHandedOver", G_FAILOVER, 12, AX_STATISTICS,
	  "failover.connections_handed_over", AXC_COUNTER),
	S("herdFailoverPublicAddresses", G_FAILOVER, 13, AX_STATISTICS, "failover.public_addresses",
	  AXC_GAUGE),
	S("herdFailoverHostedAddresses", G_FAILOVER, 14, AX_STATISTICS, "failover.hosted_addresses",
	  AXC_GAUGE),

	S("herdRolesApplies", G_ROLES, 1, AX_STATISTICS, "roles.applies", AXC_COUNTER),
	S("herdRolesFailures", G_ROLES, 2, AX_STATISTICS, "roles.failures", AXC_COUNTER),

	AG("herdEventsNextSeq", G_EVENTS, 1, AXF_EVENTS_NEXT),
	AG("herdEventsDropped", G_EVENTS, 2, AXF_EVENTS_DROPPED),

	S("herdPublicAddrAssigned", G_PUBADDRS, 1, AX_IP, "assigned", AXC_DATE),

	EN("herdIfHealth", G_IFACES, 1, AX_IFACES, "health", ax_l_ifhealth),

	S("herdNatgwConfigured", G_NATGW, 1, AX_NATGW, "configured", AXC_TRUTH),
	EN("herdNatgwRole", G_NATGW, 2, AX_NATGW, "role", ax_l_natgw),
	S("herdNatgwMaster", G_NATGW, 3, AX_NATGW, "master", AXC_PNN),
	S("herdNatgwMasterAddressType", G_NATGW, 4, AX_NATGW, "master_address", AXC_INETTYPE),
	S("herdNatgwMasterAddress", G_NATGW, 5, AX_NATGW, "master_address", AXC_INETADDR),
	S("herdNatgwPublicAddressType", G_NATGW, 6, AX_NATGW, "public_address", AXC_INETTYPE),
	S("herdNatgwPublicAddress", G_NATGW, 7, AX_NATGW, "public_address", AXC_INETADDR),
	STR("herdNatgwApplied", G_NATGW, 8, AX_NATGW, "applied", 4096),
	STR("herdNatgwError", G_NATGW, 9, AX_NATGW, "error", 1024),

	S("herdLvsConfigured", G_LVS, 1, AX_LVS, "configured", AXC_TRUTH),
	EN("herdLvsRole", G_LVS, 2, AX_LVS, "role", ax_l_lvs),
	S("herdLvsMaster", G_LVS, 3, AX_LVS, "master", AXC_PNN),
	S("herdLvsAddressType", G_LVS, 4, AX_LVS, "address", AXC_INETTYPE),
	S("herdLvsAddress", G_LVS, 5, AX_LVS, "address", AXC_INETADDR),
	STR("herdLvsInterface", G_LVS, 6, AX_LVS, "interface", 15),
	S("herdLvsKernelIpvs", G_LVS, 7, AX_LVS, "kernel_ipvs", AXC_TRUTH),
	S("herdLvsDryRun", G_LVS, 8, AX_LVS, "dry_run", AXC_TRUTH),
	STR("herdLvsCommands", G_LVS, 9, AX_LVS, "commands", 4096),
	STR("herdLvsError", G_LVS, 10, AX_LVS, "error", 1024),

	AG("herdAgentHerddConnected", G_AGENT, 1, AXF_CONNECTED),
	AG("herdAgentHerddConnects", G_AGENT, 2, AXF_CONNECTS),
	AG("herdAgentLastSync", G_AGENT, 3, AXF_LAST_SYNC),
	AG("herdAgentNotificationsSent", G_AGENT, 4, AXF_SENT),
	AG("herdAgentNotificationsDropped", G_AGENT, 5, AXF_DROPPED),
	AG("herdAgentNotificationsQueued", G_AGENT, 6, AXF_QUEUED),
	AG("herdAgentVarbinds", G_AGENT, 7, AXF_VARBINDS),
	AG("herdAgentHandlingTime", G_AGENT, 8, AXF_HANDLING),
};
const size_t ax_nscalars = ARRAY_SIZE(ax_scalars);

const struct ax_scalar *ax_scalar_find(unsigned group, uint32_t subid)
{
	for (size_t i = 0; i < ax_nscalars; i++)
		if (ax_scalars[i].group == group && ax_scalars[i].subid == subid)
			return &ax_scalars[i];
	return NULL;
}

const struct ax_scalar *ax_scalar_by_name(const char *name)
{
	for (size_t i = 0; i < ax_nscalars; i++)
		if (streq(ax_scalars[i].name, name))
			return &ax_scalars[i];
	return NULL;
}

unsigned ax_group_verbs(unsigned group)
{
	unsigned mask = 0;

	for (size_t i = 0; i < ax_nscalars; i++)
		if (ax_scalars[i].group == group && ax_scalars[i].conv != AXC_AGENT)
			mask |= AX_VERB_BIT(ax_scalars[i].verb);
	return mask;
}

/* ---- tables ------------------------------------------------------------- */

#define B(v) AX_VERB_BIT(v)

const struct ax_table_def ax_tables[AXT_MAX] = {
	[AXT_NODE] = { "herdNodeTable", { 3, 1 }, 2, { AXI_UNSIGNED }, 1, 2, 14,
		       B(AX_STATUS) | B(AX_IP) },
	[AXT_LINK] = { "herdLinkTable", { 3, 2 }, 2, { AXI_UNSIGNED, AXI_UNSIGNED }, 2, 2, 13,
		       B(AX_STATUS) | B(AX_STATISTICS) },
	[AXT_SCRIPTRUN] = { "herdScriptRunTable", { 4, 2 }, 2, { AXI_IMPLIED }, 1, 2, 5,
			    B(AX_SCRIPTSTATUS) },
	[AXT_SCRIPT] = { "herdScriptTable", { 4, 3 }, 2, { AXI_STRING, AXI_IMPLIED }, 2, 2, 8,
			 B(AX_SCRIPTSTATUS) },
	[AXT_VERB] = { "herdControlVerbTable", { 5, 1, 8 }, 3, { AXI_IMPLIED }, 1, 2, 2,
		       B(AX_STATISTICS) },
	[AXT_DROP] = { "herdTransportDropTable", { 5, 4, 6 }, 3, { AXI_INTEGER }, 1, 2, 2,
		       B(AX_STATISTICS) },
	[AXT_PEER] = { "herdPeerTable", { 5, 5, 1 }, 3, { AXI_UNSIGNED }, 1, 1, 11,
		       B(AX_STATISTICS) },
	[AXT_EVENT] = { "herdEventTable", { 6, 3 }, 2, { AXI_UNSIGNED }, 1, 2, 11, 0 },
	[AXT_PUBADDR] = { "herdPublicAddrTable", { 7, 2 }, 2, { AXI_INTEGER, AXI_STRING }, 2, 3,
			  9, B(AX_IP) },
	[AXT_IF] = { "herdIfTable", { 8, 2 }, 2, { AXI_IMPLIED }, 1, 2, 3, B(AX_IFACES) },
	[AXT_NATGW] = { "herdNatgwNodeTable", { 9, 10 }, 2, { AXI_INTEGER, AXI_STRING }, 2, 3, 5,
			B(AX_NATGW) },
	[AXT_LVS] = { "herdLvsNodeTable", { 10, 11 }, 2, { AXI_INTEGER, AXI_STRING }, 2, 3, 6,
		      B(AX_LVS) },
};

int ax_table_oid(enum ax_table t, uint32_t *out, size_t max)
{
	const struct ax_table_def *d = &ax_tables[t];
	size_t n = ax_oid_herd_mib_len;

	if (n + 1 + d->oidlen > max)
		return -ENOSPC;
	memcpy(out, ax_oid_herd_mib, n * sizeof(*out));
	out[n++] = 1;
	for (size_t i = 0; i < d->oidlen; i++)
		out[n++] = d->oid[i];
	return (int)n;
}

int ax_oid_scalar(const struct ax_scalar *s, uint32_t *out, size_t max)
{
	const struct ax_group *g = &ax_groups[s->group];
	size_t n = ax_oid_herd_mib_len;

	if (n + 1 + g->oidlen + 2 > max)
		return -ENOSPC;
	memcpy(out, ax_oid_herd_mib, n * sizeof(*out));
	out[n++] = 1;
	for (size_t i = 0; i < g->oidlen; i++)
		out[n++] = g->oid[i];
	out[n++] = s->subid;
	out[n++] = 0;
	return (int)n;
}

int ax_oid_column(enum ax_table t, unsigned col, const uint32_t *index, size_t indexlen,
		  uint32_t *out, size_t max)
{
	int n = ax_table_oid(t, out, max);

	if (n < 0 || (size_t)n + 2 + indexlen > max)
		return -ENOSPC;
	out[n++] = 1;
	out[n++] = col;
	memcpy(out + n, index, indexlen * sizeof(*out));
	return n + (int)indexlen;
}

int ax_oid_notification(uint32_t n, uint32_t *out, size_t max)
{
	if (ax_oid_herd_mib_len + 2 > max)
		return -ENOSPC;
	memcpy(out, ax_oid_herd_mib, ax_oid_herd_mib_len * sizeof(*out));
	out[ax_oid_herd_mib_len] = 0;
	out[ax_oid_herd_mib_len + 1] = n;
	return (int)ax_oid_herd_mib_len + 2;
}
