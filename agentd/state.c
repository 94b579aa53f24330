/*
 * state.c — pure helpers over the cluster state model (see state.h).
 */
#include "agentd/state.h"

#include <stdio.h>

struct herd_state *state_new(const char *cluster_name, size_t nnodes)
{
	struct herd_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->nodes = calloc(nnodes ? nnodes : 1, sizeof(*st->nodes));
	if (!st->nodes) {
		free(st);
		return NULL;
	}
	snprintf(st->cluster_name, sizeof(st->cluster_name), "%s", cluster_name);
	st->nnodes = nnodes;
	st->pnn = PNN_NONE;
	st->leader = PNN_NONE;
	st->generation = 1;
	for (size_t i = 0; i < nnodes; i++) {
		st->nodes[i].pnn = (uint32_t)i;
		st->nodes[i].flags = NODE_FLAG_DISCONNECTED;
	}
	return st;
}

void state_free(struct herd_state *st)
{
	if (!st)
		return;
	free(st->nodes);
	free(st);
}

int state_find_pnn(const struct herd_state *st,
		   const struct sockaddr_storage *local, size_t nlocal)
{
	for (size_t n = 0; n < st->nnodes; n++) {
		const struct node_state *ns = &st->nodes[n];

		if (ns->flags & NODE_FLAG_DELETED)
			continue;
		for (size_t a = 0; a < ns->naddrs; a++)
			for (size_t l = 0; l < nlocal; l++)
				if (sockaddr_equal_addr(&ns->addrs[a], &local[l]))
					return (int)ns->pnn;
	}
	return -ENOENT;
}

enum node_summary node_summary(uint32_t flags)
{
	if (flags & NODE_FLAG_DELETED)
		return NODE_DELETED;
	if (flags & NODE_FLAG_DISCONNECTED)
		return NODE_DISCONNECTED;
	if (flags & NODE_FLAG_BANNED)
		return NODE_BANNED;
	if (flags & NODE_FLAG_STOPPED)
		return NODE_STOPPED;
	if (flags & NODE_FLAG_PERMANENTLY_DISABLED)
		return NODE_DISABLED;
	if (flags & NODE_FLAG_UNHEALTHY)
		return NODE_UNHEALTHY;
	if (flags & NODE_FLAG_PARTIALLYONLINE)
		return NODE_PARTIALLYONLINE;
	return NODE_OK;
}

const char *node_summary_name(enum node_summary s)
{
	static const char *const names[] = {
		[NODE_OK] = "OK",
		[NODE_DISCONNECTED] = "DISCONNECTED",
		[NODE_BANNED] = "BANNED",
		[NODE_STOPPED] = "STOPPED",
		[NODE_DISABLED] = "DISABLED",
		[NODE_UNHEALTHY] = "UNHEALTHY",
		[NODE_PARTIALLYONLINE] = "PARTIALLYONLINE",
		[NODE_DELETED] = "DELETED",
	};

	if ((size_t)s >= ARRAY_SIZE(names) || !names[s])
		return "UNKNOWN";
	return names[s];
}

static void append(char *buf, size_t len, size_t *off, const char *word)
{
	int n = snprintf(buf + *off, len - *off, "%s%s", *off ? "|" : "", word);

	if (n > 0)
		*off = MIN(*off + (size_t)n, len - 1);
}

char *node_flags_format(char *buf, size_t len, uint32_t flags)
{
	/* Same words and order as `ctdb status`. */
	static const struct {
		uint32_t bit;
		const char *name;
	} words[] = {
		{ NODE_FLAG_DISCONNECTED, "DISCONNECTED" },
		{ NODE_FLAG_UNHEALTHY, "UNHEALTHY" },
		{ NODE_FLAG_PERMANENTLY_DISABLED, "DISABLED" },
		{ NODE_FLAG_BANNED, "BANNED" },
		{ NODE_FLAG_DELETED, "DELETED" },
		{ NODE_FLAG_STOPPED, "STOPPED" },
		{ NODE_FLAG_PARTIALLYONLINE, "PARTIALLYONLINE" },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (flags & words[i].bit)
			append(buf, len, &off, words[i].name);
	if (flags & NODE_FLAG_INACTIVE)
		append(buf, len, &off, "INACTIVE");
	if (off == 0)
		snprintf(buf, len, "OK");
	return buf;
}

char *node_caps_format(char *buf, size_t len, uint32_t caps)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} words[] = {
		{ NODE_CAP_RECMASTER, "RECMASTER" },
		{ NODE_CAP_LMASTER, "LMASTER" },
		{ NODE_CAP_LVS, "LVS" },
		{ NODE_CAP_NATGW, "NATGW" },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (caps & words[i].bit)
			append(buf, len, &off, words[i].name);
	if (off == 0)
		snprintf(buf, len, "NONE");
	return buf;
}

const char *recovery_mode_name(enum recovery_mode m)
{
	return m == RECOVERY_ACTIVE ? "RECOVERY" : "NORMAL";
}
