/*
 * daemon.h — herdd's glue: owns the configuration, the state model, the
 * event loop and every subsystem, and wires them together.
 *
 * Subsystems never call each other; they meet here. The control verbs the
 * daemon answers are in ctlcmd.c.
 */
#ifndef HERD_DAEMON_H
#define HERD_DAEMON_H

#include <systemd/sd-event.h>

#include "agentd/ctlsrv.h"
#include "agentd/daemon_cluster.h"
#include "agentd/event.h"
#include "agentd/state.h"
#include "conf/conf.h"

struct notify;

struct herdd {
	sd_event *ev;
	struct herd_conf *cf;           /* the running configuration */
	char *conf_dir;
	char *conf_file;                /* NULL: conf_dir/herd.conf */
	struct herd_state *st;
	struct ctlsrv *ctl;
	struct cluster *cl;
	char *pid_path;
	int pid_fd;

	struct event_ring events;        /* the recent events, for herdctl events */
	struct notify *notify;          /* the notification sinks (daemon_notify.c) */

	usec_t start_wall, start_mono;
	usec_t stop_deadline;           /* monotonic: SIGTERM seen, stop by then */
	usec_t reload_wall;             /* last successful reload, 0 never */
	uint64_t reloads, reload_failures;
	char reload_error[1024];        /* why the last reload failed */
};

/* Everything up to READY: pid file, state, control socket, signals. */
int herdd_new(const char *conf_dir, const char *conf_file, struct herd_conf *cf,
	      struct herdd **out);
/* Run the event loop until SIGTERM/SIGINT. Returns the exit code. */
int herdd_run(struct herdd *d);
void herdd_free(struct herdd *d);

/*
 * Load the configuration again; swap it in only when it is valid and
 * nothing that needs a restart changed. With apply_nodes (reloadnodes)
 * changes to the nodes file are applied too; otherwise they wait. On failure the old configuration
 * stays and err says why.
 */
int herdd_reload(struct herdd *d, bool apply_nodes, char *err, size_t errlen);

/*
 * Publish an event: give it a sequence number and times, keep it in the
 * ring, log it and send it to every subscriber (herdctl events -f,
 * herd-agentx). node is the node it is about (PNN_NONE: the cluster).
 */
void herdd_emit(struct herdd *d, enum herd_event_type type, uint32_t node,
		const char *subject, const char *detail_fmt, ...) _printf_(5, 6);
/* The same for a node state change: the node's flags before and after. */
void herdd_emit_change(struct herdd *d, enum herd_event_type type, uint32_t node,
		       uint32_t old_flags, uint32_t new_flags, const char *subject,
		       const char *detail_fmt, ...) _printf_(7, 8);

/* A wall-clock time as ISO 8601 text for JSON replies; NULL (JSON null) for 0. */
struct json_object *herdd_json_time(usec_t wall);

/* A node of the state model as the nodes file describes it (flags reset). */
void herdd_node_from_conf(struct node_state *ns, const struct conf_node *cn, uint32_t flags);

/* An event as the JSON object the control socket carries. */
struct json_object *herdd_event_json(const struct herd_event *ev);

/* The reply of `status` (ctlcmd.c). */
struct json_object *herdd_status_json(struct herdd *d);

/* The verb table of the control socket (ctlcmd.c). */
extern const struct ctl_verb herdd_verbs[];
extern const size_t herdd_nverbs;

#endif
