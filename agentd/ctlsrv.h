/*
 * ctlsrv.h — herdd's control socket server (the unix socket herdctl and
 * herd-agentx talk to).
 *
 * It accepts connections, checks the peer with SO_PEERCRED/SO_PEERGROUPS
 * (root: everything; members of the control group: read-only verbs,
 * subscriptions, and the admin verbs whose member_may says yes; anyone
 * else: refused), reads ctlproto frames, dispatches
 * requests to a verb table the glue supplies and writes the replies.
 * Malformed frames close the connection and are counted; they never take
 * herdd down. Events are pushed to subscribed connections with
 * ctlsrv_broadcast().
 */
#ifndef HERD_CTLSRV_H
#define HERD_CTLSRV_H

#include <json-c/json.h>
#include <systemd/sd-event.h>
#include <sys/types.h>

#include "agentd/util.h"

struct ctlsrv;
struct ctl_conn;

enum ctl_role {
	CTL_ROLE_NONE = 0,
	CTL_ROLE_READ = 1,  /* control group: read and subscribe */
	CTL_ROLE_ADMIN = 2, /* root */
};

/*
 * A verb handler. On success return 0 and set *reply (may stay NULL for an
 * empty object). On failure return -errno and write a reason into err.
 */
typedef int (*ctl_handler_fn)(struct ctl_conn *c, struct json_object *args,
			      struct json_object **reply, char *err, size_t errlen,
			      void *userdata);

struct ctl_verb {
	const char *name;
	bool admin;          /* root only */
	ctl_handler_fn fn;
	/*
	 * An admin verb that members of the control group may run too while
	 * this says so (asked on every request, with the server's userdata):
	 * enable and disable when herd.conf's [snmp] allow set is yes. NULL:
	 * root only.
	 */
	bool (*member_may)(void *userdata);
};

struct ctlsrv_stats {
	uint64_t accepted;
	uint64_t refused;        /* peer not root nor in the control group */
	uint64_t requests;
	uint64_t denied;         /* admin verb from a read-only peer */
	uint64_t bad_frames;     /* malformed frame or JSON: connection dropped */
	uint64_t unknown_verbs;
};

/*
 * Create the socket at path (replacing a stale one), mode 0660 owned by
 * group when group != (gid_t)-1, else 0600, and start accepting.
 */
int ctlsrv_new(sd_event *ev, const char *path, gid_t group,
	       const struct ctl_verb *verbs, size_t nverbs, void *userdata,
	       struct ctlsrv **out);
void ctlsrv_free(struct ctlsrv *s);

/* Change the control group (reload). */
int ctlsrv_set_group(struct ctlsrv *s, gid_t group);

const struct ctlsrv_stats *ctlsrv_get_stats(const struct ctlsrv *s);
/* Requests for verbs[i] (the table given to ctlsrv_new). */
uint64_t ctlsrv_verb_requests(const struct ctlsrv *s, size_t i);
size_t ctlsrv_nconns(const struct ctlsrv *s);

/* The peer of a connection, for handlers. */
enum ctl_role ctl_conn_role(const struct ctl_conn *c);
uid_t ctl_conn_uid(const struct ctl_conn *c);
pid_t ctl_conn_pid(const struct ctl_conn *c);

/* Mark a connection as subscribed to events (the "subscribe" verb). */
void ctl_conn_subscribe(struct ctl_conn *c);

/* Send an event object to every subscribed connection; returns how many. */
size_t ctlsrv_broadcast(struct ctlsrv *s, struct json_object *event);

#endif
