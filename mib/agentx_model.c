/*
 * agentx_model.c — herdd's JSON as SNMP values (see agentx_model.h).
 */
#include "mib/agentx_model.h"

#include <stdio.h>

#include "agentd/state.h"
#include "mib/agentx_enc.h"

/* ---- JSON helpers ------------------------------------------------------ */

static int64_t round_half(double d)
{
	return d < 0 ? -(int64_t)(-d + 0.5) : (int64_t)(d + 0.5);
}

/* o.a.b.c; NULL when any step is missing or null. */
static struct json_object *jpath(struct json_object *o, const char *path)
{
	char key[64];

	while (o && path && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static int64_t jint(struct json_object *o, int64_t dflt)
{
	if (!o)
		return dflt;
	if (json_object_is_type(o, json_type_double))
		return round_half(json_object_get_double(o));
	if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_boolean))
		return json_object_get_int64(o);
	return dflt;
}

/* Milliseconds (a double) in microseconds. */
static int64_t jms_us(struct json_object *o)
{
	return o ? round_half(json_object_get_double(o) * 1000.0) : 0;
}

static const char *jstr(struct json_object *o)
{
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

static bool jbool(struct json_object *o)
{
	return o && json_object_get_boolean(o);
}

/* ---- value builders ---------------------------------------------------- */

static void v_int(struct ax_value *v, int64_t i)
{
	v->type = AXV_INTEGER;
	v->i = i;
}

static void v_uns(struct ax_value *v, enum ax_type type, int64_t x)
{
	v->type = type;
	if (x < 0)
		x = 0;
	if (type != AXV_COUNTER64 && x > (int64_t)UINT32_MAX)
		x = UINT32_MAX;
	v->u = (uint64_t)x;
}

static void v_truth(struct ax_value *v, bool b)
{
	v_int(v, b ? 1 : 2);
}

/* A string cut at max octets without splitting a UTF-8 sequence. */
static void v_str(struct ax_value *v, const char *s, size_t max)
{
	size_t len = s ? strlen(s) : 0;

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	v->type = AXV_OCTETS;
	v->p = len ? s : "";
	v->len = len;
}

static void v_bytes(struct ax_value *v, const void *data, size_t len)
{
	v->type = AXV_OCTETS;
	v->p = NULL;
	v->len = MIN(len, sizeof(v->buf));
	memcpy(v->buf, data, v->len);
}

static void v_date(struct ax_value *v, const char *iso)
{
	usec_t t = 0;

	if (iso && ax_parse_iso8601(iso, &t) < 0)
		t = 0;
	v->type = AXV_OCTETS;
	v->p = NULL;
	v->len = ax_date(t, v->buf);
}

static void v_inet(struct ax_value *v, const char *text, bool type)
{
	uint8_t a[16];
	int t, n = ax_inet(text, &t, a);

	if (type)
		v_int(v, t);
	else
		v_bytes(v, a, n < 0 ? 0 : (size_t)n);
}

static void v_enum(struct ax_value *v, const struct ax_labels *l, const char *name)
{
	int e = ax_enum(l->label, l->n, name);

	v_int(v, e ? e : 1);
}

/* ---- the model --------------------------------------------------------- */

int ax_model_init(struct ax_model *m, size_t event_cap)
{
	*m = (struct ax_model){ .ev_cap = MAX(event_cap, (size_t)1), .next_seq = 1 };
	m->ev = calloc(m->ev_cap, sizeof(*m->ev));
	return m->ev ? 0 : -ENOMEM;
}

static void clear_events(struct ax_model *m)
{
	for (size_t i = 0; i < m->ev_len; i++)
		free(m->ev[(m->ev_head + i) % m->ev_cap]);
	m->ev_head = m->ev_len = 0;
}

void ax_model_done(struct ax_model *m)
{
	for (int v = 0; v < AX_VERB_MAX; v++)
		json_object_put(m->snap[v]);
	clear_events(m);
	free(m->ev);
	ax_model_collect(m);
	free(m->grave);
	*m = (struct ax_model){ 0 };
}

void ax_model_set(struct ax_model *m, enum ax_verb v, struct json_object *o, usec_t now)
{
	struct json_object *old = m->snap[v];

	m->snap[v] = o;
	m->fetched[v] = now;
	if (!old)
		return;
	if (m->ngrave == m->gravecap) {
		size_t cap = m->gravecap ? m->gravecap * 2 : 16;
		struct json_object **g = realloc(m->grave, cap * sizeof(*g));

		if (!g) {
			/* Rather leak one snapshot than free what a row may point at. */
			return;
		}
		m->grave = g;
		m->gravecap = cap;
	}
	m->grave[m->ngrave++] = old;
}

void ax_model_collect(struct ax_model *m)
{
	for (size_t i = 0; i < m->ngrave; i++)
		json_object_put(m->grave[i]);
	m->ngrave = 0;
	for (size_t i = 0; i < m->nevgrave; i++)
		free(m->evgrave[i]);
	free(m->evgrave);
	m->evgrave = NULL;
	m->nevgrave = 0;
}

static int64_t node_count(const struct ax_model *m, int state)
{
	struct json_object *nodes = jpath(m->snap[AX_STATUS], "nodes");
	int64_t n = 0;

	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		struct json_object *st = jpath(json_object_array_get_idx(nodes, i), "state");

		if (ax_enum(ax_l_summary.label, ax_l_summary.n, jstr(st)) == state)
			n++;
	}
	return n;
}

static int agent_value(const struct ax_model *m, int field, struct ax_value *v)
{
	switch (field) {
	case AXF_CONNECTED: v_truth(v, m->connected); break;
	case AXF_CONNECTS: v_uns(v, AXV_COUNTER64, (int64_t)m->connects); break;
	case AXF_LAST_SYNC:
		v->type = AXV_OCTETS;
		v->p = NULL;
		v->len = ax_date(m->last_sync, v->buf);
		break;
	case AXF_SENT: v_uns(v, AXV_COUNTER64, (int64_t)m->sent); break;
	case AXF_DROPPED: v_uns(v, AXV_COUNTER64, (int64_t)m->dropped); break;
	case AXF_QUEUED: v_uns(v, AXV_GAUGE, m->queued); break;
	case AXF_VARBINDS: v_uns(v, AXV_COUNTER64, (int64_t)m->varbinds); break;
	case AXF_HANDLING: v_uns(v, AXV_COUNTER64, (int64_t)(m->handling_ns / 1000)); break;
	case AXF_EVENTS_NEXT: v_uns(v, AXV_UNSIGNED, (int64_t)(m->next_seq & UINT32_MAX)); break;
	case AXF_EVENTS_DROPPED: v_uns(v, AXV_COUNTER64, (int64_t)m->herdd_dropped); break;
	default: return -ENOENT;
	}
	return 0;
}

int ax_scalar_value(const struct ax_model *m, const struct ax_scalar *s, struct ax_value *v)
{
	struct json_object *o;

	*v = (struct ax_value){ 0 };
	if (s->conv == AXC_AGENT)
		return agent_value(m, s->field, v);
	/* Before herdd ever answered: the defaults (empty, 0, -1, false). */
	o = jpath(m->snap[s->verb], s->path);
	switch (s->conv) {
	case AXC_STRING: v_str(v, jstr(o), s->max); break;
	case AXC_INT: v_int(v, jint(o, 0)); break;
	case AXC_PNN: v_int(v, jint(o, -1)); break;
	case AXC_UNSIGNED: v_uns(v, AXV_UNSIGNED, jint(o, 0)); break;
	case AXC_GAUGE: v_uns(v, AXV_GAUGE, jint(o, 0)); break;
	case AXC_COUNTER: v_uns(v, AXV_COUNTER64, jint(o, 0)); break;
	case AXC_TRUTH: v_truth(v, jbool(o)); break;
	case AXC_DATE: v_date(v, jstr(o)); break;
	case AXC_TICKS: {
		double secs = o ? json_object_get_double(o) : 0;
		usec_t now = now_monotonic(), at = m->fetched[s->verb];

		if (at && now > at)
			secs += (double)(now - at) / (double)USEC_PER_SEC;
		v_uns(v, AXV_TIMETICKS, (int64_t)(secs * 100.0));
		break;
	}
	case AXC_ENUM: v_enum(v, s->labels, jstr(o)); break;
	case AXC_INETTYPE: v_inet(v, jstr(o), true); break;
	case AXC_INETADDR: v_inet(v, jstr(o), false); break;
	case AXC_NODECOUNT: v_uns(v, AXV_GAUGE, node_count(m, (int)s->max)); break;
	case AXC_AGENT: break;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------ */

int ax_event_from_json(struct json_object *o, struct ax_event *ev)
{
	int64_t seq = jint(jpath(o, "seq"), 0);

	*ev = (struct ax_event){ 0 };
	if (!o || seq <= 0)
		return -EINVAL;
	ev->seq = (uint64_t)seq;
	ev->wall = (usec_t)MAX(jint(jpath(o, "wall_us"), 0), 0);
	if (!ev->wall) {
		usec_t t;

		if (ax_parse_iso8601(jstr(jpath(o, "time")), &t) == 0)
			ev->wall = t;
	}
	ev->node = (int32_t)jint(jpath(o, "node"), -1);
	ev->reporter = (int32_t)jint(jpath(o, "reporter"), -1);
	ev->type = ax_enum(ax_l_event.label, ax_l_event.n, jstr(jpath(o, "type")));
	ev->severity = ax_enum(ax_l_severity.label, ax_l_severity.n, jstr(jpath(o, "severity")));
	snprintf(ev->subject, sizeof(ev->subject), "%s", jstr(jpath(o, "subject")) ?: "");
	snprintf(ev->detail, sizeof(ev->detail), "%s", jstr(jpath(o, "detail")) ?: "");
	return 0;
}

/* The flag a node-flag event sets (> 0) or clears (< 0); 0 for others. */
static int64_t event_flag(int type)
{
	switch (type) {
	case EV_HEALTHY: return -(int64_t)NODE_FLAG_UNHEALTHY;
	case EV_UNHEALTHY: return NODE_FLAG_UNHEALTHY;
	case EV_NODE_CONNECTED: return -(int64_t)NODE_FLAG_DISCONNECTED;
	case EV_NODE_DISCONNECTED: return NODE_FLAG_DISCONNECTED;
	case EV_NODE_BANNED: return NODE_FLAG_BANNED;
	case EV_NODE_UNBANNED: return -(int64_t)NODE_FLAG_BANNED;
	case EV_NODE_DISABLED: return NODE_FLAG_PERMANENTLY_DISABLED;
	case EV_NODE_ENABLED: return -(int64_t)NODE_FLAG_PERMANENTLY_DISABLED;
	case EV_NODE_STOPPED: return NODE_FLAG_STOPPED;
	case EV_NODE_CONTINUED: return -(int64_t)NODE_FLAG_STOPPED;
	}
	return 0;
}

static struct json_object *status_node(const struct ax_model *m, int64_t pnn)
{
	struct json_object *nodes = jpath(m->snap[AX_STATUS], "nodes");

	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i);

		if (jint(jpath(n, "pnn"), -1) == pnn)
			return n;
	}
	return NULL;
}

void ax_model_apply_event(struct ax_model *m, struct ax_event *ev)
{
	int64_t flag = event_flag(ev->type);
	struct json_object *n;

	if (ev->seq >= m->next_seq)
		m->next_seq = ev->seq + 1;
	if (!flag || ev->node < 0 || !(n = status_node(m, ev->node)))
		return;
	uint32_t flags = (uint32_t)jint(jpath(n, "flags"), 0), after, before;

	/*
	 * The state before is the state after with the event's flag undone, not
	 * the copy as it was: the copy may already have been read again after
	 * herdd made the change.
	 */
	after = flag > 0 ? flags | (uint32_t)flag : flags & ~(uint32_t)-flag;
	before = flag > 0 ? after & ~(uint32_t)flag : after | (uint32_t)-flag;
	ev->prev_state = (int)node_summary(before);
	ev->new_state = (int)node_summary(after);
	if (after != flags) {
		json_object_object_add(n, "flags", json_object_new_int64(after));
		json_object_object_add(n, "state", json_object_new_string(
			node_summary_name(node_summary(after))));
	}
}

int ax_model_push_event(struct ax_model *m, const struct ax_event *ev, struct ax_event **added,
			struct ax_event **evicted)
{
	struct ax_event *copy = malloc(sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	*copy = *ev;
	*evicted = NULL;
	if (m->ev_len == m->ev_cap) {
		*evicted = m->ev[m->ev_head];
		m->ev_head = (m->ev_head + 1) % m->ev_cap;
		m->ev_len--;
	}
	m->ev[(m->ev_head + m->ev_len) % m->ev_cap] = copy;
	m->ev_len++;
	*added = copy;
	return 0;
}

int ax_model_load_events(struct ax_model *m, struct json_object *reply)
{
	struct json_object *list = jpath(reply, "events");
	size_t n = list && json_object_is_type(list, json_type_array) ?
		   json_object_array_length(list) : 0;
	struct ax_event **old = calloc(MAX(m->ev_len, (size_t)1), sizeof(*old));
	size_t nold = m->ev_len, k = 0;
	int r = 0;

	if (!old)
		return -ENOMEM;
	/* Keep the old ones aside: an event seen before keeps its states. */
	for (size_t i = 0; i < nold; i++)
		old[i] = m->ev[(m->ev_head + i) % m->ev_cap];
	m->ev_head = m->ev_len = 0;
	m->next_seq = (uint64_t)MAX(jint(jpath(reply, "next_seq"), 1), 1);
	m->herdd_dropped = (uint64_t)MAX(jint(jpath(reply, "dropped"), 0), 0);
	for (size_t i = n > m->ev_cap ? n - m->ev_cap : 0; i < n && r == 0; i++) {
		struct ax_event ev, *added, *evicted;

		if (ax_event_from_json(json_object_array_get_idx(list, i), &ev) < 0)
			continue;
		while (k < nold && old[k]->seq < ev.seq)
			k++;
		if (k < nold && old[k]->seq == ev.seq && old[k]->wall == ev.wall &&
		    old[k]->type == ev.type) {
			ev.prev_state = old[k]->prev_state;
			ev.new_state = old[k]->new_state;
		}
		r = ax_model_push_event(m, &ev, &added, &evicted);
		if (r == 0)
			free(evicted);
	}
	/* Rows may still point at them: freed by ax_model_collect. */
	for (size_t i = 0; i < m->nevgrave; i++)
		free(m->evgrave[i]);
	free(m->evgrave);
	m->evgrave = old;
	m->nevgrave = nold;
	return r;
}

size_t ax_model_nevents(const struct ax_model *m)
{
	return m->ev_len;
}

struct ax_event *ax_model_event_at(const struct ax_model *m, size_t i)
{
	return i < m->ev_len ? m->ev[(m->ev_head + i) % m->ev_cap] : NULL;
}

unsigned ax_event_verbs(int type)
{
	const unsigned st = AX_VERB_BIT(AX_STATUS);

	switch (type) {
	case EV_IP_TAKEOVER:
	case EV_IP_RELEASED:
		return AX_VERB_BIT(AX_IP) | AX_VERB_BIT(AX_IFACES) | st;
	case EV_IFACE_DOWN:
	case EV_IFACE_UP:
		return AX_VERB_BIT(AX_IP) | AX_VERB_BIT(AX_IFACES) | st;
	case EV_NATGW_CHANGED:
		return AX_VERB_BIT(AX_NATGW);
	case EV_LVS_CHANGED:
		return AX_VERB_BIT(AX_LVS);
	case EV_RECOVERY_STARTED:
	case EV_RECOVERY_FINISHED:
		return st | AX_VERB_BIT(AX_UPTIME);
	case EV_CONFIG_RELOADED:
	case EV_CONFIG_REJECTED:
		return AX_VERBS_ALL;
	case EV_SHUTDOWN:
		return 0;
	default:
		return st;
	}
}

unsigned ax_notification_verbs(int type)
{
	const unsigned st = AX_VERB_BIT(AX_STATUS);

	switch (type) {
	case EV_INIT:
	case EV_SETUP:
	case EV_STARTUP:
	case EV_LEADER_CHANGED:
	case EV_RECOVERY_STARTED:
	case EV_RECOVERY_FINISHED:
	case EV_RECLOCK_TAKEN:
	case EV_RECLOCK_LOST:
	case EV_MAINTENANCE_ON:
	case EV_MAINTENANCE_OFF:
		return st;
	case EV_IP_TAKEOVER:
	case EV_IP_RELEASED:
		return AX_VERB_BIT(AX_IP);
	case EV_NATGW_CHANGED:
		return AX_VERB_BIT(AX_NATGW);
	case EV_LVS_CHANGED:
		return AX_VERB_BIT(AX_LVS);
	case EV_IFACE_DOWN:
	case EV_IFACE_UP:
		return AX_VERB_BIT(AX_IFACES);
	case EV_CONFIG_RELOADED:
	case EV_CONFIG_REJECTED:
		return AX_VERB_BIT(AX_UPTIME);
	default:
		/* node flags, links, collectors, shutdown: the event says it all */
		return 0;
	}
}

/* ---- tables ------------------------------------------------------------ */

void ax_rows_free(struct ax_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->row[i].index);
		free(r->row[i].text[0]);
		free(r->row[i].text[1]);
	}
	free(r->row);
	*r = (struct ax_rows){ 0 };
}

struct builder {
	struct ax_rows *rows;
	size_t cap;
};

static struct ax_row *add_row(struct builder *b, const uint32_t *index, size_t len)
{
	struct ax_row *r;

	if (b->rows->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct ax_row *p = realloc(b->rows->row, cap * sizeof(*p));

		if (!p)
			return NULL;
		b->rows->row = p;
		b->cap = cap;
	}
	r = &b->rows->row[b->rows->n];
	*r = (struct ax_row){ .index = malloc(MAX(len, (size_t)1) * sizeof(uint32_t)),
			      .indexlen = len };
	if (!r->index)
		return NULL;
	memcpy(r->index, index, len * sizeof(uint32_t));
	b->rows->n++;
	return r;
}

/* The strings of a JSON array joined with commas (malloc'd). */
static char *join(struct json_object *arr)
{
	size_t n = arr && json_object_is_type(arr, json_type_array) ?
		   json_object_array_length(arr) : 0, len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(json_object_get_string(json_object_array_get_idx(arr, i))) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, json_object_get_string(json_object_array_get_idx(arr, i)));
	}
	return s;
}

static size_t arr_len(struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static int build_nodes(const struct ax_model *m, struct builder *b)
{
	struct json_object *nodes = jpath(m->snap[AX_STATUS], "nodes");
	struct json_object *addrs = jpath(m->snap[AX_IP], "addresses");

	for (size_t i = 0; i < arr_len(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i);
		int64_t pnn = jint(jpath(n, "pnn"), -1);
		uint32_t idx = (uint32_t)pnn;
		struct ax_row *r;

		if (pnn < 0 || pnn > 65535)
			continue;
		if (!(r = add_row(b, &idx, 1)))
			return -ENOMEM;
		r->o = n;
		r->text[0] = join(jpath(n, "addresses"));
		for (size_t a = 0; a < arr_len(addrs); a++)
			if (jint(jpath(json_object_array_get_idx(addrs, a), "pnn"), -1) == pnn)
				r->aux++;
	}
	return 0;
}

static struct json_object *link_stats(const struct ax_model *m, int64_t pnn, int64_t link)
{
	char key[32];
	struct json_object *links;

	snprintf(key, sizeof(key), "node%lld", (long long)pnn);
	links = jpath(jpath(m->snap[AX_STATISTICS], "peers"), key);
	links = links ? jpath(links, "links") : NULL;
	for (size_t i = 0; i < arr_len(links); i++) {
		struct json_object *l = json_object_array_get_idx(links, i);

		if (jint(jpath(l, "link"), -1) == link)
			return l;
	}
	return NULL;
}

static int build_links(const struct ax_model *m, struct builder *b)
{
	struct json_object *nodes = jpath(m->snap[AX_STATUS], "nodes");

	for (size_t i = 0; i < arr_len(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i), *links;
		int64_t pnn = jint(jpath(n, "pnn"), -1);

		if (pnn < 0 || pnn > 65535 || (jint(jpath(n, "flags"), 0) & NODE_FLAG_DELETED))
			continue;
		links = jpath(n, "links");
		for (size_t l = 0; l < arr_len(links); l++) {
			struct json_object *lo = json_object_array_get_idx(links, l);
			int64_t link = jint(jpath(lo, "link"), -1);
			uint32_t idx[2] = { (uint32_t)pnn, (uint32_t)link };
			struct ax_row *r;

			if (link < 0 || link > 255)
				continue;
			if (!(r = add_row(b, idx, 2)))
				return -ENOMEM;
			r->o = lo;
			r->o2 = link_stats(m, pnn, link);
		}
	}
	return 0;
}

static int build_scripts(const struct ax_model *m, struct builder *b, bool scripts)
{
	struct json_object *events = jpath(m->snap[AX_SCRIPTSTATUS], "events");
	uint32_t idx[AX_INDEX_MAX];

	for (size_t i = 0; i < arr_len(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i), *list;
		const char *name = jstr(jpath(e, "event"));
		int n;

		if (!name || !*name || strlen(name) > 31)
			continue;
		if (!scripts) {
			struct ax_row *r;

			n = ax_index_string(name, true, idx, ARRAY_SIZE(idx));
			if (n < 0)
				continue;
			if (!(r = add_row(b, idx, (size_t)n)))
				return -ENOMEM;
			r->o = e;
			continue;
		}
		list = jpath(e, "scripts");
		for (size_t s = 0; s < arr_len(list); s++) {
			struct json_object *so = json_object_array_get_idx(list, s);
			const char *sname = jstr(jpath(so, "name"));
			struct ax_row *r;
			int k;

			if (!sname || !*sname || strlen(sname) > 64)
				continue;
			n = ax_index_string(name, false, idx, ARRAY_SIZE(idx));
			k = n < 0 ? -1 : ax_index_string(sname, true, idx + n,
							 ARRAY_SIZE(idx) - (size_t)n);
			if (k < 0)
				continue;
			if (!(r = add_row(b, idx, (size_t)(n + k))))
				return -ENOMEM;
			r->o = so;
		}
	}
	return 0;
}

static int build_verbs(const struct ax_model *m, struct builder *b)
{
	struct json_object *verbs = jpath(m->snap[AX_STATISTICS], "control.by_verb");
	uint32_t idx[AX_INDEX_MAX];

	if (!verbs || !json_object_is_type(verbs, json_type_object))
		return 0;
	json_object_object_foreach(verbs, key, val) {
		struct ax_row *r;
		int n;

		if (!*key || strlen(key) > 32 ||
		    (n = ax_index_string(key, true, idx, ARRAY_SIZE(idx))) < 0)
			continue;
		if (!(r = add_row(b, idx, (size_t)n)))
			return -ENOMEM;
		r->o = val;
	}
	return 0;
}

static int build_drops(const struct ax_model *m, struct builder *b)
{
	struct json_object *drops = jpath(m->snap[AX_STATISTICS], "transport.drops");

	if (!drops || !json_object_is_type(drops, json_type_object))
		return 0;
	json_object_object_foreach(drops, key, val) {
		uint32_t idx = (uint32_t)ax_enum(ax_l_drop.label, ax_l_drop.n, key);
		struct ax_row *r;

		if (!idx)
			continue;
		if (!(r = add_row(b, &idx, 1)))
			return -ENOMEM;
		r->o = val;
	}
	return 0;
}

static int build_peers(const struct ax_model *m, struct builder *b)
{
	struct json_object *peers = jpath(m->snap[AX_STATISTICS], "peers");

	if (!peers || !json_object_is_type(peers, json_type_object))
		return 0;
	json_object_object_foreach(peers, key, val) {
		unsigned pnn;
		int n = 0;
		uint32_t idx;
		struct ax_row *r;

		if (sscanf(key, "node%u%n", &pnn, &n) != 1 || key[n] || pnn > 65535)
			continue;
		idx = pnn;
		if (!(r = add_row(b, &idx, 1)))
			return -ENOMEM;
		r->o = val;
	}
	return 0;
}

/* Rows indexed by (InetAddressType, InetAddress) of their "address". */
static int build_by_address(struct json_object *list, struct builder *b, bool pubaddr)
{
	for (size_t i = 0; i < arr_len(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		uint32_t idx[2 + 16];
		uint8_t a[16];
		int type, len = ax_inet(jstr(jpath(o, "address")), &type, a);
		struct ax_row *r;

		if (len < 0)
			continue;
		ax_index_inet(type, a, (size_t)len, idx, ARRAY_SIZE(idx));
		if (!(r = add_row(b, idx, (size_t)len + 2)))
			return -ENOMEM;
		r->o = o;
		if (pubaddr) {
			r->text[0] = join(jpath(o, "interfaces"));
			r->text[1] = join(jpath(o, "available_interfaces"));
		}
	}
	return 0;
}

static int build_ifaces(const struct ax_model *m, struct builder *b)
{
	struct json_object *list = jpath(m->snap[AX_IFACES], "interfaces");
	uint32_t idx[AX_INDEX_MAX];

	for (size_t i = 0; i < arr_len(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		const char *name = jstr(jpath(o, "name"));
		struct ax_row *r;
		int n;

		if (!name || !*name || strlen(name) > 15 ||
		    (n = ax_index_string(name, true, idx, ARRAY_SIZE(idx))) < 0)
			continue;
		if (!(r = add_row(b, idx, (size_t)n)))
			return -ENOMEM;
		r->o = o;
	}
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct ax_row *x = a, *y = b;

	for (size_t i = 0; i < x->indexlen && i < y->indexlen; i++)
		if (x->index[i] != y->index[i])
			return x->index[i] < y->index[i] ? -1 : 1;
	return x->indexlen < y->indexlen ? -1 : x->indexlen > y->indexlen;
}

int ax_table_build(const struct ax_model *m, enum ax_table t, struct ax_rows *out)
{
	struct builder b = { .rows = out };
	int r = 0;

	*out = (struct ax_rows){ 0 };
	switch (t) {
	case AXT_NODE: r = build_nodes(m, &b); break;
	case AXT_LINK: r = build_links(m, &b); break;
	case AXT_SCRIPTRUN: r = build_scripts(m, &b, false); break;
	case AXT_SCRIPT: r = build_scripts(m, &b, true); break;
	case AXT_VERB: r = build_verbs(m, &b); break;
	case AXT_DROP: r = build_drops(m, &b); break;
	case AXT_PEER: r = build_peers(m, &b); break;
	case AXT_PUBADDR: r = build_by_address(jpath(m->snap[AX_IP], "addresses"), &b, true); break;
	case AXT_IF: r = build_ifaces(m, &b); break;
	case AXT_NATGW: r = build_by_address(jpath(m->snap[AX_NATGW], "nodes"), &b, false); break;
	case AXT_LVS: r = build_by_address(jpath(m->snap[AX_LVS], "nodes"), &b, false); break;
	case AXT_EVENT:
	case AXT_MAX: break;
	}
	if (r < 0) {
		ax_rows_free(out);
		return r;
	}
	/* Sorted, duplicates dropped: an index is a key. */
	if (out->n > 1) {
		size_t k = 1;

		qsort(out->row, out->n, sizeof(*out->row), row_cmp);
		for (size_t i = 1; i < out->n; i++) {
			if (row_cmp(&out->row[k - 1], &out->row[i]) == 0) {
				free(out->row[i].index);
				free(out->row[i].text[0]);
				free(out->row[i].text[1]);
				continue;
			}
			out->row[k++] = out->row[i];
		}
		out->n = k;
	}
	return 0;
}

static int node_value(const struct ax_model *m, const struct ax_row *r, unsigned col,
		      struct ax_value *v)
{
	struct json_object *o = r->o;
	uint32_t flags = (uint32_t)jint(jpath(o, "flags"), 0);
	uint8_t bits[1];

	switch (col) {
	case 2:
	case 3: {
		struct json_object *a = jpath(o, "addresses");

		v_inet(v, arr_len(a) ? jstr(json_object_array_get_idx(a, 0)) : NULL, col == 2);
		break;
	}
	case 4: v_str(v, r->text[0], 65535); break;
	case 5: v_bytes(v, bits, ax_bits(flags, 7, bits)); break;
	case 6: v_enum(v, &ax_l_summary, jstr(jpath(o, "state"))); break;
	case 7: v_bytes(v, bits, ax_bits((uint64_t)jint(jpath(o, "capabilities"), 0), 4, bits)); break;
	case 8: v_truth(v, jbool(jpath(o, "this_node"))); break;
	case 9: v_truth(v, jbool(jpath(o, "leader"))); break;
	case 10: v_uns(v, AXV_UNSIGNED, jint(jpath(o, "ban_seconds_left"), 0)); break;
	case 11:
		if (jbool(jpath(o, "this_node")))
			v_enum(v, &ax_l_health, jstr(jpath(m->snap[AX_STATUS], "health")));
		else if (flags & (NODE_FLAG_DELETED | NODE_FLAG_DISCONNECTED))
			v_int(v, 1);
		else
			v_int(v, flags & NODE_FLAG_UNHEALTHY ? 3 : 2);
		break;
	case 12: v_date(v, jstr(jpath(o, "changed"))); break;
	case 13: v_uns(v, AXV_GAUGE, r->aux); break;
	case 14: v_int(v, flags & NODE_FLAG_PERMANENTLY_DISABLED ? 2 : 1); break;
	default: return -ENOENT;
	}
	return 0;
}

static int link_value(const struct ax_row *r, unsigned col, struct ax_value *v)
{
	static const char *const stats[] = { "frames_in", "frames_out", "bytes_in", "bytes_out",
					     "ups", "downs" };
	struct json_object *o = r->o;
	bool self = ax_enum(ax_l_linkstate.label, ax_l_linkstate.n, jstr(jpath(o, "state"))) == 1;

	if (col >= 5 && self)
		return -ENOENT;
	switch (col) {
	case 2:
	case 3: v_inet(v, jstr(jpath(o, "address")), col == 2); break;
	case 4: v_enum(v, &ax_l_linkstate, jstr(jpath(o, "state"))); break;
	case 5: v_uns(v, AXV_GAUGE, jint(jpath(o, "rtt_us"), 0)); break;
	case 6: v_uns(v, AXV_COUNTER64, jint(jpath(o, "keepalives_missed"), 0)); break;
	case 7: v_date(v, jstr(jpath(o, "changed"))); break;
	default:
		if (col < 8 || col > 13)
			return -ENOENT;
		v_uns(v, AXV_COUNTER64, jint(jpath(r->o2, stats[col - 8]), 0));
	}
	return 0;
}

static int script_value(const struct ax_row *r, unsigned col, bool run, struct ax_value *v)
{
	struct json_object *o = r->o;

	if (run) {
		switch (col) {
		case 2: v_enum(v, &ax_l_script, jstr(jpath(o, "status"))); return 0;
		case 3: v_date(v, jstr(jpath(o, "start"))); return 0;
		case 4: v_uns(v, AXV_GAUGE, jms_us(jpath(o, "duration_ms"))); return 0;
		case 5: v_uns(v, AXV_GAUGE, (int64_t)arr_len(jpath(o, "scripts"))); return 0;
		}
		return -ENOENT;
	}
	switch (col) {
	case 2: v_enum(v, &ax_l_script, jstr(jpath(o, "status"))); break;
	case 3: v_int(v, (int32_t)jint(jpath(o, "exit_status"), 0)); break;
	case 4: v_int(v, (int32_t)jint(jpath(o, "signal"), 0)); break;
	case 5: v_date(v, jstr(jpath(o, "start"))); break;
	case 6: v_uns(v, AXV_GAUGE, jms_us(jpath(o, "duration_ms"))); break;
	case 7: v_str(v, jstr(jpath(o, "output")), 1024); break;
	case 8: {
		const char *out = jstr(jpath(o, "output"));

		v_truth(v, jbool(jpath(o, "output_truncated")) || (out && strlen(out) > 1024));
		break;
	}
	default: return -ENOENT;
	}
	return 0;
}

static int peer_value(const struct ax_row *r, unsigned col, struct ax_value *v)
{
	static const char *const names[] = { "links_up", "frames_in", "frames_out", "bytes_in",
					     "bytes_out", "keepalives_in", "keepalives_out",
					     "keepalives_missed", "connects", "disconnects",
					     "rtt_us" };

	if (col < 1 || col > ARRAY_SIZE(names))
		return -ENOENT;
	v_uns(v, col == 1 || col == 11 ? AXV_GAUGE : AXV_COUNTER64,
	      jint(jpath(r->o, names[col - 1]), 0));
	return 0;
}

static int pubaddr_value(const struct ax_row *r, unsigned col, struct ax_value *v)
{
	struct json_object *o = r->o;

	switch (col) {
	case 3: v_uns(v, AXV_UNSIGNED, jint(jpath(o, "prefix"), 0)); break;
	case 4: v_int(v, jint(jpath(o, "pnn"), -1)); break;
	case 5: {
		struct json_object *may = jpath(o, "may_host");
		uint32_t pnns[1024];
		size_t n = 0;

		for (size_t i = 0; i < arr_len(may) && n < ARRAY_SIZE(pnns); i++) {
			int64_t p = jint(json_object_array_get_idx(may, i), -1);

			if (p >= 0 && p < 256)
				pnns[n++] = (uint32_t)p;
		}
		v->type = AXV_OCTETS;
		v->p = NULL;
		v->len = ax_nodeset(pnns, n, v->buf, sizeof(v->buf));
		break;
	}
	case 6: v_str(v, r->text[0], 65535); break;
	case 7: v_str(v, r->text[1], 65535); break;
	case 8: v_str(v, jstr(jpath(o, "active_interface")), 65535); break;
	case 9: v_truth(v, jbool(jpath(o, "runtime"))); break;
	default: return -ENOENT;
	}
	return 0;
}

static int rolenode_value(const struct ax_row *r, unsigned col, bool lvs, struct ax_value *v)
{
	struct json_object *o = r->o;

	switch (col) {
	case 3: v_int(v, jint(jpath(o, "pnn"), -1)); break;
	case 4: v_truth(v, jbool(jpath(o, "slave_only"))); break;
	case 5: v_str(v, jstr(jpath(o, "state")), 255); break;
	case 6:
		if (!lvs)
			return -ENOENT;
		v_truth(v, jbool(jpath(o, "in_set")));
		break;
	default: return -ENOENT;
	}
	return 0;
}

int ax_row_value(const struct ax_model *m, enum ax_table t, const struct ax_row *r, unsigned col,
		 struct ax_value *v)
{
	*v = (struct ax_value){ 0 };
	switch (t) {
	case AXT_NODE: return node_value(m, r, col, v);
	case AXT_LINK: return link_value(r, col, v);
	case AXT_SCRIPTRUN: return script_value(r, col, true, v);
	case AXT_SCRIPT: return script_value(r, col, false, v);
	case AXT_VERB:
	case AXT_DROP:
		if (col != 2)
			return -ENOENT;
		v_uns(v, AXV_COUNTER64, jint(r->o, 0));
		return 0;
	case AXT_PEER: return peer_value(r, col, v);
	case AXT_PUBADDR: return pubaddr_value(r, col, v);
	case AXT_IF:
		if (col == 2)
			v_enum(v, &ax_l_iflink, jstr(jpath(r->o, "link")));
		else if (col == 3)
			v_uns(v, AXV_GAUGE, jint(jpath(r->o, "references"), 0));
		else
			return -ENOENT;
		return 0;
	case AXT_NATGW: return rolenode_value(r, col, false, v);
	case AXT_LVS: return rolenode_value(r, col, true, v);
	case AXT_EVENT:
	case AXT_MAX: break;
	}
	return -ENOENT;
}

int ax_event_value(const struct ax_model *m, const struct ax_event *ev, unsigned col,
		   struct ax_value *v)
{
	*v = (struct ax_value){ 0 };
	switch (col) {
	case 2: v_uns(v, AXV_UNSIGNED, (int64_t)(ev->seq & UINT32_MAX)); break;
	case 3:
		v->type = AXV_OCTETS;
		v->len = ax_date(ev->wall, v->buf);
		break;
	case 4: v_int(v, ev->node); break;
	case 5: v_int(v, ev->reporter); break;
	case 6: v_int(v, ev->type); break;
	case 7: v_int(v, ev->severity); break;
	case 8: v_str(v, ev->subject, 127); break;
	case 9: v_str(v, ev->detail, 511); break;
	case 10:
	case 11: {
		int s = col == 10 ? ev->prev_state : ev->new_state;

		if (!s)
			return -ENOENT;
		v_int(v, s);
		break;
	}
	default: return -ENOENT;
	}
	return 0;
}

/* ---- notifications ----------------------------------------------------- */

struct nb {
	struct ax_varbind *out;
	size_t n, max;
};

static struct ax_varbind *nb_next(struct nb *b)
{
	if (b->n >= b->max)
		return NULL;
	b->out[b->n] = (struct ax_varbind){ 0 };
	return &b->out[b->n++];
}

static void nb_scalar(struct nb *b, const struct ax_model *m, const char *name)
{
	const struct ax_scalar *s = ax_scalar_by_name(name);
	struct ax_varbind *vb;
	int n;

	if (!s || !(vb = nb_next(b)))
		return;
	n = ax_oid_scalar(s, vb->oid, ARRAY_SIZE(vb->oid));
	if (n < 0 || ax_scalar_value(m, s, &vb->v) < 0 || vb->v.type == AXV_NONE) {
		b->n--;
		return;
	}
	vb->oidlen = (size_t)n;
}

/* A column instance with a given value (or the model's when v is NULL). */
static void nb_column(struct nb *b, enum ax_table t, unsigned col, const uint32_t *idx,
		      size_t idxlen, const struct ax_value *v)
{
	struct ax_varbind *vb = nb_next(b);
	int n;

	if (!vb)
		return;
	n = ax_oid_column(t, col, idx, idxlen, vb->oid, ARRAY_SIZE(vb->oid));
	if (n < 0 || !v || v->type == AXV_NONE) {
		b->n--;
		return;
	}
	vb->oidlen = (size_t)n;
	vb->v = *v;
}

static void nb_event(struct nb *b, const struct ax_model *m, const struct ax_event *ev,
		     unsigned col)
{
	uint32_t idx = (uint32_t)ev->seq;
	struct ax_value v;

	if (ax_event_value(m, ev, col, &v) == 0)
		nb_column(b, AXT_EVENT, col, &idx, 1, &v);
}

/* Override a scalar already added with an enumeration/truth value. */
static void nb_override_int(struct nb *b, const char *name, int64_t value)
{
	const struct ax_scalar *s = ax_scalar_by_name(name);
	uint32_t oid[AX_OID_MAX];
	int n = s ? ax_oid_scalar(s, oid, ARRAY_SIZE(oid)) : -1;

	for (size_t i = 0; n > 0 && i < b->n; i++)
		if (b->out[i].oidlen == (size_t)n &&
		    memcmp(b->out[i].oid, oid, (size_t)n * sizeof(*oid)) == 0 &&
		    b->out[i].v.type == AXV_INTEGER)
			b->out[i].v.i = value;
}

/* The herdIpTakeover / herdIpReleased objects: the address's row. */
static void nb_pubaddr(struct nb *b, const struct ax_model *m, const struct ax_event *ev)
{
	char text[64];
	uint8_t a[16];
	uint32_t idx[18];
	int type, len;
	struct json_object *list = jpath(m->snap[AX_IP], "addresses"), *row = NULL;
	struct ax_value v = { 0 };

	if (ax_parse_ip_subject(ev->subject, text, sizeof(text)) < 0 ||
	    (len = ax_inet(text, &type, a)) < 0)
		return;
	ax_index_inet(type, a, (size_t)len, idx, ARRAY_SIZE(idx));
	for (size_t i = 0; i < arr_len(list) && !row; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		uint8_t b2[16];
		int t2, l2 = ax_inet(jstr(jpath(o, "address")), &t2, b2);

		if (l2 == len && t2 == type && memcmp(a, b2, (size_t)len) == 0)
			row = o;
	}
	v_int(&v, row ? jint(jpath(row, "pnn"), -1) : (ev->type == EV_IP_TAKEOVER ? ev->node : -1));
	nb_column(b, AXT_PUBADDR, 4, idx, (size_t)len + 2, &v);
	v = (struct ax_value){ 0 };
	v_str(&v, row ? jstr(jpath(row, "active_interface")) : NULL, 65535);
	nb_column(b, AXT_PUBADDR, 8, idx, (size_t)len + 2, &v);
}

int ax_notification(const struct ax_model *m, const struct ax_event *ev,
		    struct ax_varbind *out, size_t max)
{
	struct nb b = { out, 0, max };
	struct ax_value v = { 0 };

	if (ev->type < 1 || ev->type > (int)ax_l_event.n)
		return -EINVAL;
	nb_event(&b, m, ev, 2);         /* herdEventSeq */
	nb_event(&b, m, ev, 3);         /* herdEventTime */
	nb_event(&b, m, ev, 7);         /* herdEventSeverity */
	nb_scalar(&b, m, "herdClusterName");
	nb_event(&b, m, ev, 5);         /* herdEventReporter */
	nb_event(&b, m, ev, 4);         /* herdEventNode */
	nb_event(&b, m, ev, 8);         /* herdEventSubject */
	nb_event(&b, m, ev, 9);         /* herdEventDetail */

	switch (ev->type) {
	case EV_INIT:
	case EV_SETUP:
	case EV_STARTUP:
		nb_scalar(&b, m, "herdLocalStartupPhase");
		break;
	case EV_HEALTHY ... EV_NODE_CONTINUED:
		nb_event(&b, m, ev, 10);
		nb_event(&b, m, ev, 11);
		break;
	case EV_LINK_DOWN:
	case EV_LINK_UP: {
		uint32_t idx[2];

		if (ax_parse_link_subject(ev->subject, &idx[1], &idx[0]) < 0)
			break;
		v_int(&v, ev->type == EV_LINK_UP ? 5 : 3);
		nb_column(&b, AXT_LINK, 4, idx, 2, &v);
		break;
	}
	case EV_LEADER_CHANGED:
		nb_scalar(&b, m, "herdClusterLeader");
		nb_override_int(&b, "herdClusterLeader", ev->node);
		nb_scalar(&b, m, "herdClusterGeneration");
		break;
	case EV_RECOVERY_STARTED:
	case EV_RECOVERY_FINISHED:
		nb_scalar(&b, m, "herdClusterGeneration");
		nb_scalar(&b, m, "herdClusterRecoveryMode");
		nb_override_int(&b, "herdClusterRecoveryMode", ev->type == EV_RECOVERY_STARTED ? 2 : 1);
		if (ev->type == EV_RECOVERY_FINISHED)
			nb_scalar(&b, m, "herdClusterLastRecoveryDuration");
		break;
	case EV_RECLOCK_TAKEN:
		nb_scalar(&b, m, "herdClusterRecoveryLockState");
		nb_override_int(&b, "herdClusterRecoveryLockState", 5);
		break;
	case EV_RECLOCK_LOST:
		nb_scalar(&b, m, "herdClusterRecoveryLockState");
		nb_override_int(&b, "herdClusterRecoveryLockState", 9);
		nb_scalar(&b, m, "herdClusterRecoveryLockCause");
		break;
	case EV_IP_TAKEOVER:
	case EV_IP_RELEASED:
		nb_pubaddr(&b, m, ev);
		break;
	case EV_NATGW_CHANGED:
		nb_scalar(&b, m, "herdNatgwRole");
		nb_scalar(&b, m, "herdNatgwMaster");
		break;
	case EV_LVS_CHANGED:
		nb_scalar(&b, m, "herdLvsRole");
		nb_scalar(&b, m, "herdLvsMaster");
		break;
	case EV_IFACE_DOWN:
	case EV_IFACE_UP: {
		char name[32];
		uint32_t idx[32];
		int n;

		if (ax_parse_iface_subject(ev->subject, name, sizeof(name)) == 0 &&
		    (n = ax_index_string(name, true, idx, ARRAY_SIZE(idx))) > 0) {
			v_int(&v, ev->type == EV_IFACE_UP ? 1 : 2);
			nb_column(&b, AXT_IF, 2, idx, (size_t)n, &v);
		}
		nb_scalar(&b, m, "herdIfHealth");
		break;
	}
	case EV_MAINTENANCE_ON:
	case EV_MAINTENANCE_OFF:
		nb_scalar(&b, m, "herdClusterMaintenance");
		nb_override_int(&b, "herdClusterMaintenance", ev->type == EV_MAINTENANCE_ON ? 1 : 2);
		nb_scalar(&b, m, "herdClusterMaintenanceUntil");
		break;
	case EV_CONFIG_RELOADED:
		nb_scalar(&b, m, "herdLocalLastReload");
		break;
	case EV_CONFIG_REJECTED:
		nb_scalar(&b, m, "herdLocalLastReloadError");
		break;
	default:
		break;
	}
	return (int)b.n;
}

int ax_agent_notification(const struct ax_model *m, uint32_t n, struct ax_varbind *out,
			  size_t max)
{
	struct nb b = { out, 0, max };

	if (n < AX_NOTIF_AGENT_RESTARTED || n > AX_NOTIF_HERDD_UP)
		return -EINVAL;
	nb_scalar(&b, m, "herdClusterName");
	nb_scalar(&b, m, "herdClusterThisNode");
	nb_scalar(&b, m, "herdAgentHerddConnected");
	if (n == AX_NOTIF_AGENT_RESTARTED)
		nb_scalar(&b, m, "herdAgentNotificationsDropped");
	else if (n == AX_NOTIF_HERDD_UP)
		nb_scalar(&b, m, "herdAgentHerddConnects");
	return (int)b.n;
}
