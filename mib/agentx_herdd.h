/*
 * agentx_herdd.h — herd-agentx's two connections to herdd's control socket.
 *
 * One connection subscribes to events and is read without blocking from the
 * sd-event loop; the other carries requests (status, statistics, ...) with
 * short timeouts (herdd answers in microseconds; a wedged herdd costs one
 * timeout, then the connection is dropped). Whenever either fails, both are
 * closed and reconnected for ever with a backoff from 100 ms to 5 s.
 *
 * Order on (re)connect: subscribe first and wait for herdd's answer, then
 * call `connected`, which reads the whole state with axherdd_fetch; so no
 * event can fall between the snapshot and the subscription (events the
 * snapshot already holds arrive too: the glue skips them by sequence).
 *
 * Callbacks never run from inside axherdd_fetch: a failure there is handled
 * on the next loop iteration.
 */
#ifndef HERD_AGENTX_HERDD_H
#define HERD_AGENTX_HERDD_H

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

struct axherdd;

struct axherdd_ops {
	/* Both connections are up: read the state. < 0 drops them again. */
	int (*connected)(void *userdata);
	/* Lost (or could not keep) the connection; why is for the log. */
	void (*disconnected)(void *userdata, const char *why);
	/* Events that arrived, oldest first; the objects are borrowed. */
	void (*events)(void *userdata, struct json_object **ev, size_t n);
};

int axherdd_new(sd_event *ev, const char *path, const struct axherdd_ops *ops, void *userdata,
		struct axherdd **out);
void axherdd_free(struct axherdd *h);

/* Connect now (and keep reconnecting). */
void axherdd_start(struct axherdd *h);
bool axherdd_connected(const struct axherdd *h);

/* A request on the request connection: 0 and *reply, or a negative errno. */
int axherdd_fetch(struct axherdd *h, const char *verb, struct json_object *args,
		  struct json_object **reply);
/*
 * The same for a verb that changes something (enable, disable): herdd's
 * reason for a refusal goes into err, not the log. -ENOTCONN only when
 * there is no connection (a refusal that happens to be ENOTCONN is -EIO).
 */
int axherdd_request(struct axherdd *h, const char *verb, struct json_object *args,
		    struct json_object **reply, char *err, size_t errlen);

#endif
