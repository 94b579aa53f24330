/*
 * agentx_mib.h — HERD-MIB as data: the OIDs, every scalar with the herdctl
 * verb and JSON field it comes from, every table with its index and its
 * columns, and the enumeration labels. mib/HERD-MIB.txt is the contract;
 * this file is its map for herd-agentx, and tests/unit/test_agentx_model.c
 * checks a sample of it against `snmptranslate`-visible numbers.
 *
 * Pure data and lookups: no net-snmp, no JSON. OIDs below herdObjects are
 * relative (herdCluster is {1}, herdStatsControl is {5, 1}).
 */
#ifndef HERD_AGENTX_MIB_H
#define HERD_AGENTX_MIB_H

#include "agentd/util.h"

#define AX_OID_MAX   128
#define AX_INDEX_MAX 100        /* sub-identifiers of a row index */

/* herdMIB: 1.3.6.1.4.1.8072.9999.9999.4373.1; herdObjects = .1, herdNotifications = .0 */
extern const uint32_t ax_oid_herd_mib[];
extern const size_t ax_oid_herd_mib_len;

/* The notifications herd-agentx sends of its own (herdNotifications.N). */
#define AX_NOTIF_AGENT_RESTARTED 100
#define AX_NOTIF_HERDD_DOWN      101
#define AX_NOTIF_HERDD_UP        102

/* The herdctl verbs whose JSON the model keeps. */
enum ax_verb {
	AX_STATUS,
	AX_UPTIME,
	AX_VERSION,
	AX_STATISTICS,
	AX_SCRIPTSTATUS,
	AX_IP,
	AX_IFACES,
	AX_NATGW,
	AX_LVS,
	AX_VERB_MAX,
};
#define AX_VERB_BIT(v) (1u << (v))
#define AX_VERBS_ALL   ((1u << AX_VERB_MAX) - 1)

const char *ax_verb_name(enum ax_verb v);

/* How a JSON value becomes an SNMP value. */
enum ax_conv {
	AXC_STRING,     /* SnmpAdminString / HerdText; null is ""; cut at max octets */
	AXC_INT,        /* Integer32 */
	AXC_PNN,        /* HerdPnnOrNone: null is -1 */
	AXC_UNSIGNED,   /* Unsigned32 */
	AXC_GAUGE,      /* Gauge32 (a double is rounded) */
	AXC_COUNTER,    /* Counter64 */
	AXC_TRUTH,      /* TruthValue: true(1), false(2); absent is false */
	AXC_DATE,       /* DateAndTime from herdd's ISO 8601 text; null is zeros */
	AXC_TICKS,      /* TimeTicks from seconds, advanced since the snapshot */
	AXC_ENUM,       /* an enumeration: herdd's name to the label's value */
	AXC_INETTYPE,   /* InetAddressType of an address in text */
	AXC_INETADDR,   /* InetAddress of an address in text */
	AXC_NODECOUNT,  /* Gauge32: status nodes[] whose state is label `count` */
	AXC_AGENT,      /* herd-agentx's own value (enum ax_agent_field) */
};

enum ax_agent_field {
	AXF_CONNECTED = 1,      /* herdAgentHerddConnected */
	AXF_CONNECTS,
	AXF_LAST_SYNC,
	AXF_SENT,
	AXF_DROPPED,
	AXF_QUEUED,
	AXF_VARBINDS,           /* herdAgentVarbinds */
	AXF_HANDLING,           /* herdAgentHandlingTime */
	AXF_EVENTS_NEXT,        /* herdEventsNextSeq */
	AXF_EVENTS_DROPPED,     /* herdEventsDropped */
};

struct ax_labels {
	const char *const *label;       /* label[i] has the value i + 1 */
	size_t n;
};

extern const struct ax_labels ax_l_summary, ax_l_recmode, ax_l_reclock, ax_l_cause,
	ax_l_health, ax_l_phase, ax_l_linkstate, ax_l_script, ax_l_event, ax_l_severity,
	ax_l_drop, ax_l_ifhealth, ax_l_iflink, ax_l_natgw, ax_l_lvs;

/* A group of scalars under one OID (herdCluster, herdStatsControl, ...). */
struct ax_group {
	const char *name;
	uint32_t oid[2];
	size_t oidlen;
	uint32_t first, last;   /* sub-identifiers of its scalars */
};

struct ax_scalar {
	const char *name;
	unsigned group;         /* index in ax_groups */
	uint32_t subid;
	enum ax_verb verb;
	const char *path;       /* dotted JSON path in the verb's reply */
	enum ax_conv conv;
	const struct ax_labels *labels;
	size_t max;             /* AXC_STRING: octets; AXC_NODECOUNT: the label */
	int field;              /* AXC_AGENT: enum ax_agent_field */
};

extern const struct ax_group ax_groups[];
extern const size_t ax_ngroups;
extern const struct ax_scalar ax_scalars[];
extern const size_t ax_nscalars;

const struct ax_scalar *ax_scalar_find(unsigned group, uint32_t subid);
const struct ax_scalar *ax_scalar_by_name(const char *name);
/* The verbs a group's scalars come from (AX_VERB_BIT mask). */
unsigned ax_group_verbs(unsigned group);

enum ax_table {
	AXT_NODE,
	AXT_LINK,
	AXT_SCRIPTRUN,
	AXT_SCRIPT,
	AXT_VERB,
	AXT_DROP,
	AXT_PEER,
	AXT_EVENT,
	AXT_PUBADDR,
	AXT_IF,
	AXT_NATGW,
	AXT_LVS,
	AXT_MAX,
};

enum ax_index_type {
	AXI_UNSIGNED,
	AXI_INTEGER,
	AXI_STRING,             /* length-prefixed */
	AXI_IMPLIED,            /* IMPLIED string (last index only) */
};

struct ax_table_def {
	const char *name;
	uint32_t oid[3];        /* the table, relative to herdObjects */
	size_t oidlen;
	enum ax_index_type index[2];
	size_t nindex;
	unsigned mincol, maxcol;
	unsigned verbs;         /* the snapshots its rows come from */
};

extern const struct ax_table_def ax_tables[AXT_MAX];

/* The table's OID; returns its length or -ENOSPC. */
int ax_table_oid(enum ax_table t, uint32_t *out, size_t max);
/* Full OIDs: the instance of scalar s (.0), and of table t's column col for
 * a row index. Return the length, or -ENOSPC. */
int ax_oid_scalar(const struct ax_scalar *s, uint32_t *out, size_t max);
int ax_oid_column(enum ax_table t, unsigned col, const uint32_t *index, size_t indexlen,
		  uint32_t *out, size_t max);
/* herdNotifications.n */
int ax_oid_notification(uint32_t n, uint32_t *out, size_t max);

#endif
