/*
 * ctlclient.h — the client side of herdd's control socket, for herdctl,
 * check_herd and herd-agentx. Blocking calls with timeouts (poll).
 */
#ifndef HERD_CTLCLIENT_H
#define HERD_CTLCLIENT_H

#include <json-c/json.h>

#include "agentd/util.h"

struct ctlclient;

/* Connect to the control socket at path. -errno from connect(). */
int ctlclient_connect(const char *path, struct ctlclient **out);
void ctlclient_free(struct ctlclient *c);
int ctlclient_fd(const struct ctlclient *c);

/*
 * Send verb with args (may be NULL) and wait up to timeout for the reply.
 * Returns herdd's status (0, or a negative errno such as -EPERM) with *reply
 * set (the result, or {"error": ...}); or a negative errno with err filled
 * in when the exchange itself failed (-ETIMEDOUT, -ECONNRESET, -EBADMSG).
 * A connection-level refusal from herdd (reply id 0) is returned as its
 * status with err set to herdd's reason.
 */
int ctlclient_request(struct ctlclient *c, const char *verb, struct json_object *args,
		      usec_t timeout, struct json_object **reply, char *err, size_t errlen);

/* Wait up to timeout (0: forever) for the next event frame. */
int ctlclient_next_event(struct ctlclient *c, usec_t timeout, struct json_object **event,
			 char *err, size_t errlen);

#endif
