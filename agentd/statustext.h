/*
 * statustext.h — the text of `herdctl status` from herdd's status JSON, in
 * CTDB's `ctdb status` shape. herdctl prints it; herdd puts it at the end of
 * notification mail, so both say the same thing the same way.
 */
#ifndef HERD_STATUSTEXT_H
#define HERD_STATUSTEXT_H

#include <json-c/json.h>
#include <stdio.h>

#include "agentd/util.h"

void status_text(FILE *f, struct json_object *status);

#endif
