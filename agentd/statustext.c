/*
 * statustext.c — `herdctl status` as text (statustext.h).
 */
#include "agentd/statustext.h"

#include <string.h>

static const char *jstr(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return dflt;
	return json_object_get_string(v);
}

void status_text(FILE *f, struct json_object *r)
{
	struct json_object *nodes, *n, *addrs;
	const char *lock = jstr(r, "recovery_lock", "");

	json_object_object_get_ex(r, "nodes", &nodes);
	fprintf(f, "Number of nodes:%s\n", jstr(r, "node_count", "0"));
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		char addr[256] = "";

		n = json_object_array_get_idx(nodes, i);
		if (streq(jstr(n, "state", ""), "DELETED"))
			continue;
		json_object_object_get_ex(n, "addresses", &addrs);
		for (size_t a = 0; a < json_object_array_length(addrs); a++)
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "%s%s",
				 a ? "," : "", json_object_get_string(json_object_array_get_idx(addrs, a)));
		fprintf(f, "pnn:%-3s %-16s %s%s%s\n", jstr(n, "pnn", "?"), addr,
		       jstr(n, "flags_text", "?"),
		       json_object_get_boolean(json_object_object_get(n, "this_node")) ? " (THIS NODE)" : "",
		       json_object_get_boolean(json_object_object_get(n, "leader")) ? " (LEADER)" : "");
	}
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *links;

		n = json_object_array_get_idx(nodes, i);
		if (!json_object_object_get_ex(n, "links", &links) ||
		    json_object_array_length(links) < 2 ||
		    json_object_get_boolean(json_object_object_get(n, "this_node")))
			continue;
		for (size_t l = 0; l < json_object_array_length(links); l++) {
			struct json_object *lk = json_object_array_get_idx(links, l);

			fprintf(f, "  pnn:%s link %s %-16s %s\n", jstr(n, "pnn", "?"), jstr(lk, "link", "?"),
			       jstr(lk, "address", "?"), jstr(lk, "state", "?"));
		}
	}
	fprintf(f, "Generation:%s\n", jstr(r, "generation", "?"));
	fprintf(f, "Recovery mode:%s\n", jstr(r, "recovery_mode", "?"));
	fprintf(f, "Leader:%s\n", jstr(r, "leader", "none"));
	if (lock[0]) {
		struct json_object *ls = json_object_object_get(r, "recovery_lock_state");

		fprintf(f, "Recovery lock:%s (%s)\n", lock, ls ? jstr(ls, "state", "?") : "?");
	} else {
		fprintf(f, "Recovery lock:none (WARNING: split brain is possible)\n");
	}
	if (json_object_object_get(r, "active") &&
	    !json_object_get_boolean(json_object_object_get(r, "active")))
		fprintf(f, "Cluster:INACTIVE on this node (no leader holding the recovery lock)\n");
	if (json_object_get_boolean(json_object_object_get(r, "maintenance")))
		fprintf(f, "Maintenance:ON until %s\n", jstr(r, "maintenance_until", "?"));
	if (strlen(jstr(r, "health_reason", "")))
		fprintf(f, "Health:%s (%s)\n", jstr(r, "health", "?"), jstr(r, "health_reason", ""));
	if (jstr(r, "lvs_warning", NULL))
		fprintf(f, "LVS:%s\n", jstr(r, "lvs_warning", ""));
}
