/*
 * agentx_snmp.c — HERD-MIB over AgentX with net-snmp (see agentx_snmp.h).
 */
#include "mib/agentx_snmp.h"

#include <stdio.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agentd/log.h"

/* What a registration serves: a scalar group or a table. */
struct reg {
	struct axsnmp *s;
	bool table;
	unsigned id;            /* group index or enum ax_table */
	unsigned verbs;         /* refreshed before each request */
};

struct tbl {
	netsnmp_tdata *td;
	struct ax_rows rows;
};

/*
 * What ACTION did, for UNDO: net-snmp's subagent builds its requests anew
 * for each AgentX PDU (TestSet, CommitSet, UndoSet, CleanupSet), so what a
 * request carried in ACTION is gone by UNDO; it is kept here by pnn and
 * dropped at COMMIT or FREE.
 */
struct admin_set {
	uint32_t pnn;
	long old;               /* the value before: enabled or disabled */
	bool used;
};
struct axsnmp {
	sd_event *ev;
	struct ax_model *m;
	const struct axsnmp_ops *ops;
	void *userdata;
	struct tbl tables[AXT_MAX];
	struct reg *regs;
	size_t nregs;
	struct admin_set sets[16];      /* SETs carried out, until COMMIT/FREE/UNDO */
	bool master;
	netsnmp_session *session;       /* the AgentX session while master */
	sd_event_source *master_defer;  /* after (re)registration: restarted + queue */
	char *xaddr;                    /* the master's AgentX address */
	sd_event_source *xaddr_defer;   /* puts xaddr back after a lost master */

	netsnmp_variable_list *queue[AXSNMP_QUEUE_MAX];
	size_t qhead, qlen;

	/* freed by axsnmp_collect */
	netsnmp_tdata_row **grave_rows;
	size_t ngrave_rows, cap_grave_rows;
	struct ax_rows *grave_sets;
	size_t ngrave_sets, cap_grave_sets;
	struct ax_event **grave_events;
	size_t ngrave_events, cap_grave_events;
};

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid sysuptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

/* RFC 2741's Notify-PDU type (net-snmp's AGENTX_MSG_NOTIFY, not installed). */
#define AX_AGENTX_MSG_NOTIFY 12

/* ---- values ------------------------------------------------------------ */

static size_t to_oid(const uint32_t *in, size_t n, oid *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i];
	return n;
}

static void set_value(netsnmp_variable_list *vb, const struct ax_value *v)
{
	switch (v->type) {
	case AXV_INTEGER: {
		long x = (long)v->i;

		snmp_set_var_typed_value(vb, ASN_INTEGER, &x, sizeof(x));
		break;
	}
	case AXV_UNSIGNED:
	case AXV_GAUGE:
	case AXV_TIMETICKS: {
		u_long x = (u_long)(v->u & 0xffffffffu);
		u_char type = v->type == AXV_UNSIGNED ? ASN_UNSIGNED :
			      v->type == AXV_GAUGE ? ASN_GAUGE : ASN_TIMETICKS;

		snmp_set_var_typed_value(vb, type, &x, sizeof(x));
		break;
	}
	case AXV_COUNTER64: {
		struct counter64 c = { .high = (u_long)(v->u >> 32), .low = (u_long)(v->u & 0xffffffffu) };

		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
		break;
	}
	case AXV_OCTETS:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, ax_value_data(v), v->len);
		break;
	case AXV_NONE:
		break;
	}
}

/* ---- handlers ---------------------------------------------------------- */

/* Nanoseconds (a vDSO call: no system call per request). */
static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int refresh_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
			   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	struct reg *rg = handler->myvoid;
	struct ax_model *m = rg->s->m;
	uint64_t t0 = mono_ns();
	int r;

	if (rg->verbs && rg->s->ops->refresh)
		rg->s->ops->refresh(rg->s->userdata, rg->verbs);
	r = netsnmp_call_next_handler(handler, reginfo, reqinfo, requests);
	/* herdAgentVarbinds and herdAgentHandlingTime: this handler sits on
	 * top of each registration's chain, so it sees all of it. */
	for (netsnmp_request_info *req = requests; req; req = req->next)
		m->varbinds++;
	m->handling_ns += mono_ns() - t0;
	return r;
}

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
			  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	struct reg *rg = handler->myvoid;

	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;
	for (netsnmp_request_info *req = requests; req; req = req->next) {
		/* GET of GROUP.SUB.0: the helpers above checked the instance */
		const netsnmp_variable_list *vb = req->requestvb;
		size_t pos = ax_oid_herd_mib_len + 1 + ax_groups[rg->id].oidlen;
		const struct ax_scalar *sc = vb->name_length > pos ?
			ax_scalar_find(rg->id, (uint32_t)vb->name[pos]) : NULL;
		struct ax_value v;

		if (!sc || ax_scalar_value(rg->s->m, sc, &v) < 0 || v.type == AXV_NONE) {
			netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
			continue;
		}
		set_value(req->requestvb, &v);
	}
	return SNMP_ERR_NOERROR;
}

/* ---- SET of herdNodeAdminState ------------------------------------------ */

#define ADMIN_STATE_COL   14    /* herdNodeAdminState in herdNodeEntry */
#define ADMIN_ENABLED     1
#define ADMIN_DISABLED    2

static const char *admin_name(long v)
{
	return v == ADMIN_ENABLED ? "enabled" : v == ADMIN_DISABLED ? "disabled" : "?";
}

static int admin_run(struct reg *rg, uint32_t pnn, long value, const char *why)
{
	char err[256] = "";
	int r = rg->s->ops->set_admin(rg->s->userdata, pnn, value == ADMIN_ENABLED, err,
				      sizeof(err));

	if (r < 0)
		log_warn("SNMP set herdNodeAdminState.%u = %s(%ld)%s: herdd refused: %s", pnn,
			 admin_name(value), value, why, err[0] ? err : strerror(-r));
	else
		log_notice("SNMP set herdNodeAdminState.%u = %s(%ld)%s: done", pnn,
			   admin_name(value), value, why);
	return r;
}

static void admin_reserve(struct reg *rg, netsnmp_agent_request_info *reqinfo,
			  netsnmp_request_info *req, netsnmp_table_request_info *ti, void *entry)
{
	const netsnmp_variable_list *vb = req->requestvb;
	long v;

	if (!ti || !ti->indexes || ti->colnum != ADMIN_STATE_COL || !rg->s->ops->set_admin) {
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
		return;
	}
	if (vb->type != ASN_INTEGER || !vb->val.integer || vb->val_len != sizeof(long)) {
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_WRONGTYPE);
		return;
	}
	v = *vb->val.integer;
	if (v != ADMIN_ENABLED && v != ADMIN_DISABLED) {
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_WRONGVALUE);
		return;
	}
	if (!entry) {
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOCREATION);
		return;
	}
	if (!rg->s->m->connected) {
		log_warn("SNMP set herdNodeAdminState.%u = %s(%ld): herdd is not connected",
			 (unsigned)*ti->indexes->val.integer, admin_name(v), v);
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_RESOURCEUNAVAILABLE);
	}
}

static struct admin_set *admin_slot(struct axsnmp *s, uint32_t pnn, bool add)
{
	struct admin_set *free_slot = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(s->sets); i++) {
		if (s->sets[i].used && s->sets[i].pnn == pnn)
			return &s->sets[i];
		if (!s->sets[i].used && !free_slot)
			free_slot = &s->sets[i];
	}
	if (!add)
		return NULL;
	if (!free_slot)         /* more than that in one request: forget the oldest */
		free_slot = &s->sets[0];
	*free_slot = (struct admin_set){ .pnn = pnn, .used = true };
	return free_slot;
}

/* The value herd-agentx has for herdNodeAdminState.pnn now, 0 when none. */
static long admin_current(struct axsnmp *s, uint32_t pnn)
{
	oid idx = pnn;
	netsnmp_tdata_row *row = netsnmp_tdata_row_get_byoid(s->tables[AXT_NODE].td, &idx, 1);
	struct ax_value v;

	if (!row || !row->data || ax_row_value(s->m, AXT_NODE, row->data, ADMIN_STATE_COL, &v) < 0 ||
	    v.type != AXV_INTEGER)
		return 0;
	return (long)v.i;
}

static void admin_action(struct reg *rg, netsnmp_agent_request_info *reqinfo,
			 netsnmp_request_info *req, netsnmp_table_request_info *ti)
{
	uint32_t pnn = (uint32_t)*ti->indexes->val.integer;
	long v = *req->requestvb->val.integer, old = admin_current(rg->s, pnn);
	struct admin_set *as = admin_slot(rg->s, pnn, true);

	if (admin_run(rg, pnn, v, "") < 0) {
		as->used = false;
		netsnmp_set_request_error(reqinfo, req, SNMP_ERR_COMMITFAILED);
		return;
	}
	as->old = old;
}

static void admin_undo(struct reg *rg, netsnmp_request_info *req,
		       netsnmp_table_request_info *ti)
{
	struct admin_set *as = admin_slot(rg->s, (uint32_t)*ti->indexes->val.integer, false);

	if (!as)
		return;         /* ACTION did nothing for it */
	as->used = false;
	if ((as->old == ADMIN_ENABLED || as->old == ADMIN_DISABLED) &&
	    as->old != *req->requestvb->val.integer)
		(void)admin_run(rg, as->pnn, as->old, " (undo: another varbind failed)");
}

static int table_set(struct reg *rg, netsnmp_agent_request_info *reqinfo,
		     netsnmp_request_info *requests)
{
	for (netsnmp_request_info *req = requests; req; req = req->next) {
		netsnmp_table_request_info *ti;
		void *entry;

		if (req->processed || req->status != SNMP_ERR_NOERROR)
			continue;
		ti = netsnmp_extract_table_info(req);
		entry = netsnmp_tdata_extract_entry(req);
		switch (reqinfo->mode) {
		case MODE_SET_RESERVE1:
			if (rg->id != AXT_NODE)
				netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
			else
				admin_reserve(rg, reqinfo, req, ti, entry);
			break;
		case MODE_SET_ACTION:
			if (ti && ti->indexes)
				admin_action(rg, reqinfo, req, ti);
			break;
		case MODE_SET_UNDO:
			if (ti && ti->indexes)
				admin_undo(rg, req, ti);
			break;
		case MODE_SET_COMMIT:
		case MODE_SET_FREE:
			if (ti && ti->indexes) {
				struct admin_set *as = admin_slot(
					rg->s, (uint32_t)*ti->indexes->val.integer, false);

				if (as)
					as->used = false;
			}
			break;
		default:        /* RESERVE2: nothing to hold */
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
			 netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	struct reg *rg = handler->myvoid;

	if (MODE_IS_SET(reqinfo->mode) && rg->id == AXT_NODE && rg->s->ops->set_admin)
		return table_set(rg, reqinfo, requests);
	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;
	for (netsnmp_request_info *req = requests; req; req = req->next) {
		netsnmp_table_request_info *ti;
		void *entry;
		struct ax_value v;
		int r;

		if (req->processed)
			continue;
		ti = netsnmp_extract_table_info(req);
		entry = netsnmp_tdata_extract_entry(req);
		if (!ti || !entry) {
			netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
			continue;
		}
		if (rg->id == AXT_EVENT)
			r = ax_event_value(rg->s->m, entry, ti->colnum, &v);
		else
			r = ax_row_value(rg->s->m, rg->id, entry, ti->colnum, &v);
		if (r < 0 || v.type == AXV_NONE) {
			netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
			continue;
		}
		set_value(req->requestvb, &v);
	}
	return SNMP_ERR_NOERROR;
}

/* ---- registration ------------------------------------------------------ */

static int inject_refresh(netsnmp_handler_registration *reg, struct reg *rg)
{
	netsnmp_mib_handler *h = netsnmp_create_handler("herd_refresh", refresh_handler);

	if (!h)
		return -ENOMEM;
	h->myvoid = rg;
	return netsnmp_inject_handler(reg, h) == SNMPERR_SUCCESS ? 0 : -EIO;
}

/* Whether a table sits inside the group's subtree (herdNatgw holds
 * herdNatgwNodeTable): then its scalars are registered one by one, since a
 * group registration would overlap the table's, and net-snmp re-registers
 * the overlapping pieces as duplicates whenever it reconnects. */
static bool group_has_table(const struct ax_group *gr)
{
	for (int t = 0; t < AXT_MAX; t++)
		if (ax_tables[t].oidlen > gr->oidlen &&
		    memcmp(ax_tables[t].oid, gr->oid, gr->oidlen * sizeof(uint32_t)) == 0)
			return true;
	return false;
}

static int register_one(struct reg *rg, const char *name, const oid *o, size_t n,
			const struct ax_group *gr)
{
	netsnmp_handler_registration *reg;
	int r;

	reg = netsnmp_create_handler_registration(name, scalar_handler, o, n, HANDLER_CAN_RONLY);
	if (!reg)
		return -ENOMEM;
	reg->handler->myvoid = rg;
	r = gr ? netsnmp_register_scalar_group(reg, gr->first, gr->last)
	       : netsnmp_register_scalar(reg);
	if (r != MIB_REGISTERED_OK)
		return -EIO;
	return inject_refresh(reg, rg);
}

static int register_group(struct axsnmp *s, unsigned g, struct reg *rg)
{
	const struct ax_group *gr = &ax_groups[g];
	oid name[AX_OID_MAX];
	size_t n = to_oid(ax_oid_herd_mib, ax_oid_herd_mib_len, name);
	int r;

	name[n++] = 1;
	for (size_t i = 0; i < gr->oidlen; i++)
		name[n++] = gr->oid[i];
	*rg = (struct reg){ .s = s, .table = false, .id = g, .verbs = ax_group_verbs(g) };
	if (!group_has_table(gr))
		return register_one(rg, gr->name, name, n, gr);
	for (uint32_t sub = gr->first; sub <= gr->last; sub++) {
		const struct ax_scalar *sc = ax_scalar_find(g, sub);

		if (!sc)
			continue;
		name[n] = sub;
		r = register_one(rg, sc->name, name, n + 1, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static int register_table(struct axsnmp *s, enum ax_table t, struct reg *rg)
{
	const struct ax_table_def *d = &ax_tables[t];
	uint32_t o32[AX_OID_MAX];
	oid name[AX_OID_MAX];
	int n = ax_table_oid(t, o32, ARRAY_SIZE(o32));
	netsnmp_handler_registration *reg;
	netsnmp_table_registration_info *ti;

	if (n < 0)
		return n;
	to_oid(o32, (size_t)n, name);
	*rg = (struct reg){ .s = s, .table = true, .id = t, .verbs = d->verbs };
	s->tables[t].td = netsnmp_tdata_create_table(d->name, 0);
	ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
	reg = netsnmp_create_handler_registration(d->name, table_handler, name, (size_t)n,
						  t == AXT_NODE && s->ops->set_admin ?
						  HANDLER_CAN_RWRITE : HANDLER_CAN_RONLY);
	if (!s->tables[t].td || !ti || !reg)
		return -ENOMEM;
	reg->handler->myvoid = rg;
	for (size_t i = 0; i < d->nindex; i++) {
		u_char type = d->index[i] == AXI_UNSIGNED ? ASN_UNSIGNED :
			      d->index[i] == AXI_INTEGER ? ASN_INTEGER :
			      d->index[i] == AXI_STRING ? ASN_OCTET_STR : ASN_PRIV_IMPLIED_OCTET_STR;

		netsnmp_table_helper_add_index(ti, type);
	}
	ti->min_column = d->mincol;
	ti->max_column = d->maxcol;
	if (netsnmp_tdata_register(reg, s->tables[t].td, ti) != MIB_REGISTERED_OK)
		return -EIO;
	return inject_refresh(reg, rg);
}

/* ---- rows -------------------------------------------------------------- */

#define GRAVE_PUSH(arr, n, cap, item)                                          \
	({                                                                     \
		int _r = 0;                                                    \
		if ((n) == (cap)) {                                            \
			size_t _c = (cap) ? (cap) * 2 : 64;                    \
			void *_p = realloc((arr), _c * sizeof(*(arr)));        \
			if (_p) {                                              \
				(arr) = _p;                                    \
				(cap) = _c;                                    \
			} else {                                               \
				_r = -ENOMEM;                                  \
			}                                                      \
		}                                                              \
		if (_r == 0)                                                   \
			(arr)[(n)++] = (item);                                 \
		_r;                                                            \
	})

static void bury_row(void *row, void *ctx)
{
	struct axsnmp *s = ctx;

	/* Out of memory: leak the row rather than free one a request may hold. */
	(void)GRAVE_PUSH(s->grave_rows, s->ngrave_rows, s->cap_grave_rows,
			 (netsnmp_tdata_row *)row);
}

static netsnmp_tdata_row *new_row(const uint32_t *index, size_t len, void *data)
{
	netsnmp_tdata_row *row = netsnmp_tdata_create_row();

	if (!row)
		return NULL;
	row->oid_index.oids = malloc(MAX(len, (size_t)1) * sizeof(oid));
	if (!row->oid_index.oids) {
		netsnmp_tdata_delete_row(row);
		return NULL;
	}
	row->oid_index.len = to_oid(index, len, row->oid_index.oids);
	row->data = data;
	return row;
}

static void table_sync(struct axsnmp *s, enum ax_table t)
{
	struct tbl *tb = &s->tables[t];
	struct ax_rows rows;

	if (!tb->td)
		return;
	CONTAINER_CLEAR(tb->td->container, bury_row, s);
	if (tb->rows.n)
		(void)GRAVE_PUSH(s->grave_sets, s->ngrave_sets, s->cap_grave_sets, tb->rows);
	tb->rows = (struct ax_rows){ 0 };
	if (ax_table_build(s->m, t, &rows) < 0) {
		log_err("agentx: out of memory building %s", ax_tables[t].name);
		return;
	}
	tb->rows = rows;
	for (size_t i = 0; i < rows.n; i++) {
		netsnmp_tdata_row *row = new_row(rows.row[i].index, rows.row[i].indexlen,
						 &rows.row[i]);

		if (!row || netsnmp_tdata_add_row(tb->td, row) != SNMPERR_SUCCESS) {
			if (row)
				netsnmp_tdata_delete_row(row);
			log_err("agentx: cannot add a row to %s", ax_tables[t].name);
		}
	}
}

void axsnmp_tables_sync(struct axsnmp *s, unsigned verbs)
{
	for (int t = 0; t < AXT_MAX; t++)
		if (ax_tables[t].verbs & verbs)
			table_sync(s, t);
}

static void event_row_add(struct axsnmp *s, struct ax_event *ev)
{
	uint32_t idx = (uint32_t)ev->seq;
	netsnmp_tdata_row *row = new_row(&idx, 1, ev);

	if (!row || netsnmp_tdata_add_row(s->tables[AXT_EVENT].td, row) != SNMPERR_SUCCESS) {
		if (row)
			netsnmp_tdata_delete_row(row);
		log_warn("agentx: event %llu not added to herdEventTable (a duplicate index?)",
			 (unsigned long long)ev->seq);
	}
}

void axsnmp_event_added(struct axsnmp *s, struct ax_event *added, struct ax_event *evicted)
{
	netsnmp_tdata *td = s->tables[AXT_EVENT].td;

	if (evicted) {
		oid idx = (oid)(uint32_t)evicted->seq;
		netsnmp_tdata_row *row = netsnmp_tdata_row_get_byoid(td, &idx, 1);

		if (row && row->data == evicted) {
			netsnmp_tdata_remove_row(td, row);
			bury_row(row, s);
		}
		(void)GRAVE_PUSH(s->grave_events, s->ngrave_events, s->cap_grave_events, evicted);
	}
	if (added)
		event_row_add(s, added);
}

void axsnmp_events_sync(struct axsnmp *s)
{
	netsnmp_tdata *td = s->tables[AXT_EVENT].td;

	CONTAINER_CLEAR(td->container, bury_row, s);
	for (size_t i = 0; i < ax_model_nevents(s->m); i++)
		event_row_add(s, ax_model_event_at(s->m, i));
}

void axsnmp_collect(struct axsnmp *s)
{
	for (size_t i = 0; i < s->ngrave_rows; i++)
		netsnmp_tdata_delete_row(s->grave_rows[i]);
	s->ngrave_rows = 0;
	for (size_t i = 0; i < s->ngrave_sets; i++)
		ax_rows_free(&s->grave_sets[i]);
	s->ngrave_sets = 0;
	for (size_t i = 0; i < s->ngrave_events; i++)
		free(s->grave_events[i]);
	s->ngrave_events = 0;
	ax_model_collect(s->m);
}

/* ---- notifications ----------------------------------------------------- */

static netsnmp_variable_list *build_vars(uint32_t n, const struct ax_varbind *vb, int count)
{
	netsnmp_variable_list *vars = NULL;
	uint32_t o32[AX_OID_MAX];
	oid name[AX_OID_MAX];
	int len = ax_oid_notification(n, o32, ARRAY_SIZE(o32));

	if (len < 0)
		return NULL;
	to_oid(o32, (size_t)len, name);
	if (!snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
				       ASN_OBJECT_ID, name, (size_t)len * sizeof(oid)))
		return NULL;
	for (int i = 0; i < count; i++) {
		netsnmp_variable_list *v;

		to_oid(vb[i].oid, vb[i].oidlen, name);
		v = snmp_varlist_add_variable(&vars, name, vb[i].oidlen, ASN_NULL, NULL, 0);
		if (!v) {
			snmp_free_varbind(vars);
			return NULL;
		}
		set_value(v, &vb[i].v);
	}
	return vars;
}

static void update_counts(struct axsnmp *s)
{
	s->m->queued = (uint32_t)s->qlen;
}

/*
 * Hand a notification to the master: what send_v2trap does for the AgentX
 * trap session, without its SNMPv1 conversion (which cannot carry a
 * Counter64 and logs so on every call).
 */
static void send_now(struct axsnmp *s, netsnmp_variable_list *vars)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
	u_long uptime = netsnmp_get_agent_uptime();

	if (pdu && snmp_varlist_add_variable(&pdu->variables, sysuptime_oid,
					     OID_LENGTH(sysuptime_oid), ASN_TIMETICKS, &uptime,
					     sizeof(uptime))) {
		netsnmp_variable_list *last = pdu->variables;

		last->next_variable = vars;
		vars = NULL;
		pdu->command = AX_AGENTX_MSG_NOTIFY;
		send_trap_to_sess(s->session, pdu);
		s->m->sent++;
	} else {
		log_err("agentx: out of memory: a notification is lost");
	}
	snmp_free_pdu(pdu);
	snmp_free_varbind(vars);
}

static void enqueue(struct axsnmp *s, netsnmp_variable_list *vars)
{
	if (s->qlen == AXSNMP_QUEUE_MAX) {
		snmp_free_varbind(s->queue[s->qhead]);
		s->qhead = (s->qhead + 1) % AXSNMP_QUEUE_MAX;
		s->qlen--;
		s->m->dropped++;
	}
	s->queue[(s->qhead + s->qlen) % AXSNMP_QUEUE_MAX] = vars;
	s->qlen++;
	update_counts(s);
}

static void dispatch(struct axsnmp *s, netsnmp_variable_list *vars)
{
	if (!vars) {
		log_err("agentx: cannot build a notification (out of memory)");
		return;
	}
	if (s->master && s->session && s->qlen == 0)
		send_now(s, vars);
	else
		enqueue(s, vars);
}

void axsnmp_notify_event(struct axsnmp *s, const struct ax_event *ev)
{
	struct ax_varbind vb[24];
	int n = ax_notification(s->m, ev, vb, ARRAY_SIZE(vb));

	if (n < 0) {
		log_debug("agentx: no notification for event %llu of unknown type",
			  (unsigned long long)ev->seq);
		return;
	}
	dispatch(s, build_vars((uint32_t)ev->type, vb, n));
}

void axsnmp_notify_agent(struct axsnmp *s, uint32_t n)
{
	struct ax_varbind vb[8];
	int k = ax_agent_notification(s->m, n, vb, ARRAY_SIZE(vb));

	if (k >= 0)
		dispatch(s, build_vars(n, vb, k));
}

static void flush(struct axsnmp *s)
{
	while (s->master && s->session && s->qlen) {
		netsnmp_variable_list *vars = s->queue[s->qhead];

		s->qhead = (s->qhead + 1) % AXSNMP_QUEUE_MAX;
		s->qlen--;
		send_now(s, vars);
	}
	update_counts(s);
}

bool axsnmp_master_up(const struct axsnmp *s)
{
	return s->master;
}

/* ---- the master agent -------------------------------------------------- */

static int on_master_defer(sd_event_source *src, void *userdata)
{
	struct axsnmp *s = userdata;
	struct ax_varbind vb[8];
	int k;

	if (!s->master || !s->session)
		return 0;
	/* herdAgentRestarted goes first, the queue after it. */
	k = ax_agent_notification(s->m, AX_NOTIF_AGENT_RESTARTED, vb, ARRAY_SIZE(vb));
	if (k >= 0) {
		netsnmp_variable_list *vars = build_vars(AX_NOTIF_AGENT_RESTARTED, vb, k);

		if (vars)
			send_now(s, vars);
	}
	flush(s);
	if (s->ops->master)
		s->ops->master(s->userdata, true);
	return 0;
}

static int on_index_start(int major, int minor, void *serverarg, void *clientarg)
{
	struct axsnmp *s = clientarg;
	netsnmp_session *sess = serverarg;

	/* herd-agentx's own requests to the master (ping, register, notify
	 * responses) must not block for net-snmp's default seconds. */
	if (sess) {
		sess->timeout = (long)AXSNMP_AGENTX_TIMEOUT;
		sess->retries = 0;
	}
	if (!s->master)
		log_notice("registered with the AgentX master agent");
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   AXSNMP_PING_INTERVAL);
	s->master = true;
	s->session = sess;
	/* Registrations are sent after this callback: notify on the next turn. */
	sd_event_source_set_enabled(s->master_defer, SD_EVENT_ONESHOT);
	return 0;
}

/* The turn after a lost master: reopening it may be tried again. */
static int on_xaddr_defer(sd_event_source *src, void *userdata)
{
	struct axsnmp *s = userdata;

	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, s->xaddr);
	return 0;
}

static int on_index_stop(int major, int minor, void *serverarg, void *clientarg)
{
	struct axsnmp *s = clientarg;

	if (s->master)
		log_warn("lost the AgentX master agent; reconnecting, notifications are queued");
	/*
	 * A master that closed the connection is retried every ping interval
	 * (net-snmp read it before calling us). One that stopped answering
	 * pings is hung, not gone: each attempt to reopen then blocks for the
	 * AgentX timeout and leaves a connection in its listen queue, and once
	 * that is full connect() blocks until the master runs again. So retry
	 * a hung one less often; registering sets the interval back.
	 */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   AXSNMP_HUNG_RETRY);
	/*
	 * After an unanswered ping net-snmp closes the session (one more
	 * AgentX timeout) and reopens it at once, in the same alarm: connect
	 * to a hung master succeeds while its listen queue has room, and the
	 * open then waits a whole second (the library's timeout, whole
	 * seconds). Let that reopen fail at once (an address no socket can
	 * have); the retries, every AXSNMP_HUNG_RETRY, run from the loop,
	 * which lets them through only once the master accepts connections
	 * again (agentx_loop.h). The address is back on the next turn.
	 */
	if (s->xaddr_defer && s->xaddr) {
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
				      "/dev/null/herd-agentx-retry-later");
		sd_event_source_set_enabled(s->xaddr_defer, SD_EVENT_ONESHOT);
	}
	s->master = false;
	s->session = NULL;
	if (s->ops->master)
		s->ops->master(s->userdata, false);
	return 0;
}

static int on_log(int major, int minor, void *serverarg, void *clientarg)
{
	struct snmp_log_message *msg = serverarg;
	const char *text = msg && msg->msg ? msg->msg : "";
	size_t len = strlen(text);
	int prio = msg ? msg->priority : LOG_INFO;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len)
		log_msg(prio < LOG_NOTICE ? prio : MAX(prio, LOG_INFO), "net-snmp: %.*s", (int)len,
			text);
	return 0;
}

/* ---- setup ------------------------------------------------------------- */

/*
 * Opening the AgentX session waits this long (whole seconds only), once:
 * set here because init_snmp resets the library's defaults before it reads
 * its (no) configuration and opens the session.
 */
static int on_pre_read_config(int major, int minor, void *serverarg, void *clientarg)
{
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES, 0);
	return 0;
}

int axsnmp_new(sd_event *ev, const char *agentx_address, const char *persistent_dir,
	       struct ax_model *m, const struct axsnmp_ops *ops, void *userdata,
	       struct axsnmp **out)
{
	struct axsnmp *s = calloc(1, sizeof(*s));
	size_t nregs = ax_ngroups + AXT_MAX;
	int r;

	if (!s)
		return -ENOMEM;
	s->ev = sd_event_ref(ev);
	s->m = m;
	s->ops = ops;
	s->userdata = userdata;
	s->regs = calloc(nregs, sizeof(*s->regs));
	if (!s->regs) {
		axsnmp_free(s);
		return -ENOMEM;
	}
	s->xaddr = strdup(agentx_address);
	if (!s->xaddr) {
		axsnmp_free(s);
		return -ENOMEM;
	}
	r = sd_event_add_defer(ev, &s->master_defer, on_master_defer, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->master_defer, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_defer(ev, &s->xaddr_defer, on_xaddr_defer, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->xaddr_defer, SD_EVENT_OFF);
	if (r < 0) {
		axsnmp_free(s);
		return r;
	}

	/* HERD_AGENTX_DEBUG=TOKENS: net-snmp's debug output (like snmpd -D). */
	if (getenv("HERD_AGENTX_DEBUG") && *getenv("HERD_AGENTX_DEBUG")) {
		debug_register_tokens(getenv("HERD_AGENTX_DEBUG"));
		snmp_set_do_debugging(1);
	}
	/* net-snmp's log goes to ours; it must never write to stderr by itself. */
	snmp_disable_log();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);

	/* Private state: nothing read from or written to the system's dirs. */
	setenv("SNMP_PERSISTENT_DIR", persistent_dir, 1);
	setenv("SNMPCONFPATH", persistent_dir, 1);
	setenv("MIBDIRS", persistent_dir, 1);
	setenv("MIBS", "", 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, persistent_dir);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_CONFIGURATION_DIR, persistent_dir);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
	/* No SIGALRM: agentx_loop runs the alarms. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_PRE_READ_CONFIG,
			       on_pre_read_config, NULL);

	netsnmp_enable_subagent();
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, agentx_address);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
			   (int)AXSNMP_AGENTX_TIMEOUT);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES, 0);
	if (init_agent("herd-agentx") != 0) {
		axsnmp_free(s);
		return -EIO;
	}
	/* After init_agent, which resets it. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   AXSNMP_PING_INTERVAL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
			       on_index_start, s);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
			       on_index_stop, s);

	for (unsigned g = 0; g < ax_ngroups; g++) {
		r = register_group(s, g, &s->regs[s->nregs++]);
		if (r < 0)
			goto fail;
	}
	for (int t = 0; t < AXT_MAX; t++) {
		r = register_table(s, t, &s->regs[s->nregs++]);
		if (r < 0)
			goto fail;
	}
	axsnmp_tables_sync(s, AX_VERBS_ALL);
	axsnmp_events_sync(s);

	/* Reads no files (DONT_READ_CONFIGS) and starts the AgentX session. */
	init_snmp("herd-agentx");
	if (!s->master)
		log_warn("cannot reach the AgentX master agent at %s yet; trying every %d s, "
			 "notifications are queued", agentx_address, AXSNMP_PING_INTERVAL);
	*out = s;
	return 0;
fail:
	log_err("agentx: cannot register HERD-MIB with net-snmp");
	axsnmp_free(s);
	return r;
}

void axsnmp_free(struct axsnmp *s)
{
	if (!s)
		return;
	if (s->regs) {
		/* snmp_shutdown frees the client argument of every callback left. */
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
					 on_index_start, s, 1);
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
					 on_index_stop, s, 1);
		snmp_shutdown("herd-agentx");
	}
	while (s->qlen) {
		snmp_free_varbind(s->queue[s->qhead]);
		s->qhead = (s->qhead + 1) % AXSNMP_QUEUE_MAX;
		s->qlen--;
	}
	axsnmp_collect(s);
	for (int t = 0; t < AXT_MAX; t++)
		ax_rows_free(&s->tables[t].rows);
	free(s->grave_rows);
	free(s->grave_sets);
	free(s->grave_events);
	sd_event_source_disable_unref(s->master_defer);
	sd_event_source_disable_unref(s->xaddr_defer);
	free(s->xaddr);
	sd_event_unref(s->ev);
	free(s->regs);
	free(s);
}
