/*
 * conf.h — herd's configuration: herd.conf, nodes and public_addresses.
 *
 * One configuration directory (herdd -c DIR, default /etc/herd) holds
 * herd.conf (INI, like ctdb.conf), nodes and public_addresses (CTDB's
 * formats). conf_load() parses all of them into one immutable struct
 * herd_conf; reload means loading a new one and swapping only on success.
 * Every key has a default, a type and a validator (conf/schema.c); the
 * normalized print (herdd -nv) parses again to the same configuration.
 *
 * The configuration model sits just above the base layer: it includes only
 * agentd/util.h and agentd/log.h, and every subsystem may include it.
 */
#ifndef HERD_CONF_H
#define HERD_CONF_H

#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "agentd/util.h"

#define HERD_CONF_DIR_DEFAULT "/etc/herd"
#define HERD_CONF_FILE        "herd.conf"
#define HERD_MAX_LINKS        4   /* private addresses per node (redundant links) */
#define HERD_MAX_NODES        256
#define HERD_IFNAME_MAX       16

enum ip_allocation {
	IP_ALLOC_LCP2,
	IP_ALLOC_DETERMINISTIC,
	IP_ALLOC_NONDETERMINISTIC,
};

/*
 * One address line of the nodes file. cf->nodes holds them all in pnn order,
 * deleted ones included, so cf->nodes[i].pnn == i. The pnn counts address
 * lines (and "#ADDR" lines), not blank or comment lines.
 */
struct conf_node {
	unsigned pnn;
	bool deleted;                   /* "#ADDR": keeps the number, no node */
	size_t naddrs;                  /* 0 when deleted */
	struct sockaddr_storage addrs[HERD_MAX_LINKS]; /* port unset (0) */
	unsigned line;                  /* line in the nodes file */
};

/* One line of public_addresses: ADDR/PREFIX IFACE[,IFACE...] */
struct conf_pubaddr {
	struct sockaddr_storage addr;
	unsigned prefix;
	size_t nifaces;
	char ifaces[HERD_MAX_LINKS][HERD_IFNAME_MAX];
	unsigned line;
};

/* ADDR/PREFIX; addr.ss_family AF_UNSPEC (0) when unset. */
struct conf_cidr {
	struct sockaddr_storage addr;
	unsigned prefix;
};

/* One line of a NAT gateway or LVS nodes file (CTDB's): "ADDR [slave-only]". */
struct conf_rolenode {
	struct sockaddr_storage addr;   /* a node's private address (nodes file) */
	bool slave_only;                /* never the master */
	unsigned line;
};

/* One route of [natgw] static routes: "NET/PREFIX[@GATEWAY]". */
struct conf_static_route {
	struct conf_cidr net;
	struct sockaddr_storage gateway; /* AF_UNSPEC: none given */
};

/*
 * One line of the policy routing file (CTDB's per-IP routing):
 * "PUBLIC_ADDRESS NETWORK/PREFIX [GATEWAY]".
 */
struct conf_route {
	struct sockaddr_storage pubaddr;
	struct conf_cidr net;
	struct sockaddr_storage gateway; /* AF_UNSPEC: none (a link route) */
	unsigned line;
};

struct herd_conf {
	char *dir;                      /* the configuration directory */
	char *file;                     /* path of herd.conf as opened */

	/* [cluster] */
	char *cluster_name;
	char *recovery_lock;            /* "" none; "PATH"; "!COMMAND ARGS" */
	char *key_file;                 /* "" none; relative to dir */
	unsigned port;
	char *nodes_file;               /* relative to dir */
	bool recmaster;                 /* capabilities */
	bool lmaster;
	usec_t recovery_ban_period;
	usec_t recovery_lock_lease;     /* 0: keepalive interval x limit */

	/* [membership] */
	usec_t keepalive_interval;
	unsigned keepalive_limit;

	/* [paths] */
	char *run_dir;                  /* herdd.sock, herdd.pid */
	char *state_dir;

	/* [control] */
	char *control_group;            /* "" root only; name or number */
	gid_t control_gid;              /* resolved; (gid_t)-1 when none */

	/* [logging] */
	int log_level;                  /* syslog priority */

	/* [failover] */
	enum ip_allocation ip_allocation;
	bool no_ip_failback;
	bool no_ip_takeover;
	char *public_addresses_file;    /* relative to dir; "" none */
	usec_t tickle_interval;         /* tickle list replication */

	/* [natgw] (ctdb(7) NAT GATEWAY) */
	char *natgw_nodes_file;         /* relative to dir; "" no NAT gateway */
	struct conf_cidr natgw_public_address;  /* unset on slave-only nodes */
	char *natgw_public_interface;   /* "" none */
	struct sockaddr_storage natgw_default_gateway; /* AF_UNSPEC: none */
	struct conf_cidr natgw_private_network;
	char *natgw_static_routes_text; /* as written: "NET[@GW] ..."; "" none */

	/* [policy routing] (ctdb(7) POLICY ROUTING) */
	char *policy_routing_file;      /* relative to dir; "" no policy routing */
	unsigned policy_rule_preference;
	unsigned policy_table_low, policy_table_high; /* table ids, inclusive */

	/* [lvs] (ctdb(7) LVS) */
	char *lvs_nodes_file;           /* relative to dir; "" no LVS */
	struct sockaddr_storage lvs_public_address; /* AF_UNSPEC: none */
	char *lvs_public_interface;     /* "" none */

	/* [monitor] */
	usec_t monitor_interval;
	char *events_dir;               /* relative to dir */
	usec_t script_timeout;          /* per event script */
	unsigned monitor_fail_limit;    /* failed monitor runs in a row: UNHEALTHY */
	usec_t startup_retry;           /* between init/setup/startup attempts */

	/* [events] */
	unsigned events_max_count;      /* 0: no bound */
	usec_t events_max_age;          /* 0: no bound */
	int events_sync;                /* enum evlog_sync: 0 atomic, 1 full, 2 none */

	/* [notify] */
	char *notify_dir;               /* relative to dir */
	usec_t notify_timeout, notify_kill_grace;
	unsigned notify_parallel, notify_queue, notify_output;

	/* [mail] */
	char *smtp_server;              /* host:port */
	char *mail_to;                  /* addresses separated by commas or blanks */
	char *mail_from;
	bool mail_enabled;
	int mail_starttls;              /* 0 off, 1 opportunistic, 2 required */
	char *mail_tls_ca_file;         /* relative to dir; "" system CAs */
	bool mail_tls_verify;
	char *mail_auth_user;           /* "" no AUTH */
	char *mail_auth_password_file;  /* relative to dir */
	char *mail_subject_prefix;
	int mail_severity;              /* enum herd_severity */
	char *mail_events;              /* "all", names, -name */
	usec_t mail_coalesce;
	unsigned mail_max_events, mail_rate_limit;
	usec_t mail_retry, mail_retry_max, mail_expiry, mail_timeout;
	char *mail_spool_dir;           /* relative to dir; "" state dir/mail */
	char *mail_digest_time;         /* "HH:MM" local, or "off" */
	int mail_digest_range;          /* 0 today, 1 yesterday, 2 all */
	int mail_digest_detail;         /* 0 low, 1 med, 2 high */

	/* [snmp] */
	char *agentx_socket;            /* net-snmp syntax, used as given */
	bool snmp_allow_set;            /* SET herdNodeAdminState; enable/disable for the group */

	/* the nodes file */
	struct conf_node *nodes;
	size_t nnodes;

	/* the public_addresses file (may be absent: no addresses) */
	struct conf_pubaddr *pubaddrs;
	size_t npubaddrs;

	/* parsed from natgw_static_routes_text */
	struct conf_static_route *natgw_static_routes;
	size_t nnatgw_static_routes;
	/* the natgw nodes file (absent or "": none) */
	struct conf_rolenode *natgw_nodes;
	size_t nnatgw_nodes;
	/* the policy routing file */
	struct conf_route *policy_routes;
	size_t npolicy_routes;
	/* the lvs nodes file */
	struct conf_rolenode *lvs_nodes;
	size_t nlvs_nodes;
};

/* "FILE:LINE: what was wrong, and what was expected" (or "FILE: ..."). */
struct conf_error {
	char msg[1024];
};

/*
 * Load the configuration in dir. file names herd.conf (NULL: dir/herd.conf).
 * Returns 0 and *out, or a negative errno with err->msg filled in; on error
 * nothing is allocated.
 */
int conf_load(const char *dir, const char *file, struct herd_conf **out,
	      struct conf_error *err);
void conf_free(struct herd_conf *cf);

/* Print the normalized configuration: every key, defaults included. */
void conf_print(FILE *f, const struct herd_conf *cf);

/*
 * Resolve a path from the configuration against its directory (malloc'd;
 * NULL when out of memory). Absolute paths are returned as they are, ""
 * as "".
 */
char *conf_path(const struct herd_conf *cf, const char *path);

/* run_dir/herdd.sock and run_dir/herdd.pid (malloc'd, resolved). */
char *conf_socket_path(const struct herd_conf *cf);
char *conf_pid_path(const struct herd_conf *cf);

const char *ip_allocation_name(enum ip_allocation a);

#endif
