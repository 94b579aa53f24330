/*
 * daemon_roles.c — the NAT gateway and LVS roles of this node (see
 * daemon_roles.h): after every change of any node's flags, and every
 * keepalive interval, decide (failover/natgw.c, failover/lvs.c — pure, the
 * same inputs on every node give the same master) and, when the decision
 * changed, apply it (failover/natgw_apply.c, failover/lvs_apply.c).
 *
 * A node outside a running cluster (no leader holding the lock) for longer
 * than two detection times, or banned or stopped, holds no role at all:
 * the isolated side of a partition must not keep the NAT gateway address
 * or the LVS address that the other side now hosts. The grace keeps the
 * roles steady while a new leader is elected after the old one died.
 */
#include "agentd/daemon_roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd/addr.h"
#include "agentd/daemon_cluster_private.h"
#include "agentd/log.h"
#include "conf/nodes.h"
#include "failover/arp.h"
#include "failover/lvs.h"
#include "failover/lvs_apply.h"
#include "failover/natgw.h"
#include "failover/natgw_apply.h"

#define ROLE_ARP_ROUNDS 3 /* gratuitous ARP after taking a role's address */

struct roles {
	/* NAT gateway */
	struct natgw_apply *ng;
	bool ng_applied;                /* ng_dec was applied (or cleared) */
	struct natgw_decision ng_dec;
	char *ng_plan;                  /* text of what is applied */
	char ng_error[256];
	unsigned ng_arp;                /* rounds left */

	/* LVS */
	struct lvs_apply *lv;
	bool lv_applied;
	uint32_t lv_master;
	enum lvs_role lv_role;
	uint64_t lv_set[(HERD_MAX_NODES + 63) / 64];
	char lv_error[256];
	unsigned lv_arp;

	bool dirty;                     /* the configuration changed: apply again */
	usec_t inactive_since;          /* monotonic: out of a running cluster since */
	uint64_t applies, failures;
};

static struct roles *R(struct cluster *c)
{
	return c->roles;
}

static int64_t pnn_of(const struct herd_conf *cf, const struct sockaddr_storage *a)
{
	const struct conf_node *n = nodes_find_address(cf->nodes, cf->nnodes, a);

	return n && !n->deleted ? (int64_t)n->pnn : -1;
}

uint32_t roles_capabilities(struct cluster *c)
{
	const struct herd_conf *cf = c->d->cf;
	uint32_t caps = 0;

	for (size_t i = 0; i < cf->nnatgw_nodes; i++)
		if (pnn_of(cf, &cf->natgw_nodes[i].addr) == self(c) && !cf->natgw_nodes[i].slave_only)
			caps |= NODE_CAP_NATGW;
	for (size_t i = 0; i < cf->nlvs_nodes; i++)
		if (pnn_of(cf, &cf->lvs_nodes[i].addr) == self(c))
			caps |= NODE_CAP_LVS;
	return caps;
}

int roles_new(struct cluster *c)
{
	struct roles *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	c->roles = r;
	r->lv_master = LVS_NO_MASTER;
	r->ng_dec.master = -1;
	if (c->d->cf->nlvs_nodes && !lvs_kernel_has_ipvs())
		log_warn("LVS is configured but the kernel has no IPVS (%s absent): herdd will record "
			 "the ipvsadm commands it would run instead of running them", LVS_IPVS_PROC);
	return 0;
}

void roles_status_json(struct cluster *c, struct json_object *status)
{
	if (c->d->cf->nlvs_nodes && !lvs_kernel_has_ipvs())
		json_object_object_add(status, "lvs_warning", json_object_new_string(
			"DRY RUN: the kernel has no IPVS, ipvsadm commands are recorded, not run"));
}

/* The apply objects open their sockets on first use: nodes without the
 * feature never touch nftables or ipvsadm. */
static int ensure_natgw(struct roles *r)
{
	return r->ng ? 0 : natgw_apply_new(&r->ng);
}

static int ensure_lvs(struct roles *r)
{
	int ret;

	if (r->lv)
		return 0;
	ret = lvs_apply_new(NULL, 0, &r->lv);
	if (ret >= 0 && lvs_apply_dry_run(r->lv))
		log_warn("LVS: %s", lvs_apply_dry_run_reason(r->lv));
	return ret;
}

static void natgw_update(struct cluster *c, bool active)
{
	struct roles *r = R(c);
	const struct herd_conf *cf = c->d->cf;
	struct natgw_decision dec = { .role = NATGW_ROLE_NONE, .master = -1 };
	struct natgw_plan *plan = NULL;
	int ret;

	if (cf->nnatgw_nodes && active && natgw_decide(cf, ST(c), &dec) < 0)
		return;
	if (dec.role == NATGW_ROLE_NO_MASTER) {
		/* nobody can be master: keep what is in place (as CTDB's 11.natgw) */
		r->ng_dec.master = -1;
		return;
	}
	if (r->ng_applied && !r->dirty && dec.role == r->ng_dec.role && dec.master == r->ng_dec.master)
		return;
	if (dec.role == NATGW_ROLE_NONE && !r->ng) {
		r->ng_dec = dec;
		r->ng_applied = true;
		return;
	}
	r->applies++;
	ret = ensure_natgw(r);
	if (ret >= 0 && dec.role == NATGW_ROLE_NONE)
		ret = natgw_apply_clear(r->ng);
	else if (ret >= 0) {
		ret = natgw_plan_new(cf, dec.role, &dec.master_addr, &plan);
		if (ret >= 0)
			ret = natgw_apply(r->ng, plan);
	}
	if (ret < 0) {
		r->failures++;
		snprintf(r->ng_error, sizeof(r->ng_error), "%s",
			 r->ng ? natgw_apply_error(r->ng) : strerror(-ret));
		if (!r->ng_error[0])
			snprintf(r->ng_error, sizeof(r->ng_error), "%s", strerror(-ret));
		log_err("NAT gateway: cannot apply the %s role: %s", natgw_role_name(dec.role),
			r->ng_error);
		natgw_plan_free(plan);
		r->ng_applied = false; /* the tick tries again */
		return;
	}
	if (r->ng_dec.role != dec.role || r->ng_dec.master != dec.master) {
		char subject[EVENT_SUBJECT_MAX], buf[64];

		if (dec.master >= 0)
			snprintf(subject, sizeof(subject), "NAT gateway master is node %d", dec.master);
		else
			snprintf(subject, sizeof(subject), "no NAT gateway role");
		herdd_emit(c->d, EV_NATGW_CHANGED, self(c), subject, "this node is %s%s%s",
			   natgw_role_name(dec.role), dec.master >= 0 ? "; master's private address " : "",
			   dec.master >= 0 ? sockaddr_format(buf, sizeof(buf), &dec.master_addr) : "");
	}
	r->ng_error[0] = 0;
	free(r->ng_plan);
	r->ng_plan = plan ? natgw_plan_format(plan) : NULL;
	if (dec.role == NATGW_ROLE_MASTER && r->ng_dec.role != NATGW_ROLE_MASTER)
		r->ng_arp = ROLE_ARP_ROUNDS;
	natgw_plan_free(plan);
	r->ng_dec = dec;
	r->ng_applied = true;
}

static void lvs_update(struct cluster *c, bool active)
{
	struct roles *r = R(c);
	const struct herd_conf *cf = c->d->cf;
	struct lvs_member m[HERD_MAX_NODES];
	bool in_set[HERD_MAX_NODES] = { false };
	uint64_t set[ARRAY_SIZE(r->lv_set)] = { 0 };
	struct lvs_plan plan = { 0 };
	enum lvs_role role = LVS_ROLE_NONE;
	uint32_t master = LVS_NO_MASTER;
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < cf->nlvs_nodes && n < ARRAY_SIZE(m); i++) {
		int64_t pnn = pnn_of(cf, &cf->lvs_nodes[i].addr);

		if (pnn < 0)
			continue;
		m[n] = (struct lvs_member){
			.pnn = (uint32_t)pnn,
			.flags = (size_t)pnn < ST(c)->nnodes ? ST(c)->nodes[pnn].flags
							     : NODE_FLAG_DISCONNECTED,
			.slave_only = cf->lvs_nodes[i].slave_only,
			.addr = cf->lvs_nodes[i].addr,
		};
		n++;
	}
	if (n && active) {
		master = lvs_select(m, n, in_set);
		role = lvs_role_of(m, n, in_set, master, self(c));
	}
	for (size_t i = 0; i < n; i++)
		if (in_set[i])
			set[m[i].pnn / 64] |= UINT64_C(1) << (m[i].pnn % 64);
	if (r->lv_applied && !r->dirty && role == r->lv_role && master == r->lv_master &&
	    !memcmp(set, r->lv_set, sizeof(set)))
		return;
	if (role == LVS_ROLE_NONE && !r->lv) {
		r->lv_role = role;
		r->lv_master = master;
		memcpy(r->lv_set, set, sizeof(set));
		r->lv_applied = true;
		return;
	}
	r->applies++;
	ret = ensure_lvs(r);
	if (ret >= 0)
		ret = lvs_plan_build(&plan, role, &cf->lvs_public_address, cf->lvs_public_interface, m,
				     n, in_set, self(c));
	if (ret >= 0)
		ret = lvs_apply(r->lv, &plan);
	if (ret < 0) {
		r->failures++;
		snprintf(r->lv_error, sizeof(r->lv_error), "%s",
			 r->lv && lvs_apply_error(r->lv)[0] ? lvs_apply_error(r->lv) : strerror(-ret));
		log_err("LVS: cannot apply the %s role: %s", lvs_role_name(role), r->lv_error);
		lvs_plan_done(&plan);
		r->lv_applied = false;
		return;
	}
	if (role != r->lv_role || master != r->lv_master) {
		char subject[EVENT_SUBJECT_MAX];

		if (master != LVS_NO_MASTER)
			snprintf(subject, sizeof(subject), "LVS master is node %u", master);
		else
			snprintf(subject, sizeof(subject), "no LVS master");
		herdd_emit(c->d, EV_LVS_CHANGED, self(c), subject, "this node is %s%s",
			   lvs_role_name(role), lvs_apply_dry_run(r->lv)
				   ? " (dry run: the kernel has no IPVS, ipvsadm commands recorded)" : "");
	}
	if (lvs_apply_dry_run(r->lv) && lvs_apply_commands(r->lv)[0])
		log_info("LVS (dry run) would run:\n%s", lvs_apply_commands(r->lv));
	if (role == LVS_ROLE_MASTER && r->lv_role != LVS_ROLE_MASTER)
		r->lv_arp = ROLE_ARP_ROUNDS;
	r->lv_error[0] = 0;
	lvs_plan_done(&plan);
	r->lv_role = role;
	r->lv_master = master;
	memcpy(r->lv_set, set, sizeof(set));
	r->lv_applied = true;
}

void roles_update(struct cluster *c)
{
	struct roles *r = R(c);
	bool active;

	if (!r)
		return;
	if (c->own_flags & (NODE_FLAG_BANNED | NODE_FLAG_STOPPED)) {
		active = false;
	} else if (cluster_active(c)) {
		active = true;
		r->inactive_since = 0;
	} else {
		usec_t now = now_monotonic();
		usec_t grace = 2 * c->d->cf->keepalive_interval * c->d->cf->keepalive_limit;

		if (!r->inactive_since)
			r->inactive_since = now;
		if (now - r->inactive_since < grace)
			return; /* an election is going on: keep the roles as they are */
		active = false;
	}
	natgw_update(c, active);
	lvs_update(c, active);
	r->dirty = false;
}

void roles_reconfigure(struct cluster *c)
{
	if (!R(c))
		return;
	R(c)->dirty = true;
	roles_update(c);
}

void roles_tick(struct cluster *c)
{
	struct roles *r = R(c);
	const struct herd_conf *cf = c->d->cf;

	if (!r)
		return;
	roles_update(c);
	if (r->ng_arp && r->ng_dec.role == NATGW_ROLE_MASTER) {
		r->ng_arp--;
		(void)arp_send(cf->natgw_public_interface, &cf->natgw_public_address.addr);
	}
	if (r->lv_arp && r->lv_role == LVS_ROLE_MASTER) {
		r->lv_arp--;
		(void)arp_send(cf->lvs_public_interface, &cf->lvs_public_address);
	}
}

void roles_free(struct cluster *c)
{
	struct roles *r = R(c);

	if (!r)
		return;
	/* At shutdown nothing of a role stays behind (CTDB's shutdown event). */
	if (r->ng)
		(void)natgw_apply_clear(r->ng);
	if (r->lv && r->lv_role != LVS_ROLE_NONE) {
		struct lvs_plan plan = { 0 };

		if (lvs_plan_build(&plan, LVS_ROLE_NONE, &c->d->cf->lvs_public_address,
				   c->d->cf->lvs_public_interface, NULL, 0, NULL, self(c)) >= 0)
			(void)lvs_apply(r->lv, &plan);
		lvs_plan_done(&plan);
	}
	natgw_apply_free(r->ng);
	lvs_apply_free(r->lv);
	free(r->ng_plan);
	free(r);
	c->roles = NULL;
}

/* ---- JSON -------------------------------------------------------------- */

static struct json_object *state_json(struct cluster *c, int64_t pnn)
{
	char buf[128];

	if (pnn < 0 || (size_t)pnn >= ST(c)->nnodes)
		return json_object_new_string("UNKNOWN");
	return json_object_new_string(node_flags_format(buf, sizeof(buf), ST(c)->nodes[pnn].flags));
}

static struct json_object *role_nodes_json(struct cluster *c, const struct conf_rolenode *rn,
					   size_t n, const uint64_t *in_set)
{
	struct json_object *list = json_object_new_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		int64_t pnn = pnn_of(c->d->cf, &rn[i].addr);

		json_object_object_add(o, "address", json_object_new_string(
			sockaddr_format(buf, sizeof(buf), &rn[i].addr)));
		json_object_object_add(o, "pnn", pnn >= 0 ? json_object_new_int64(pnn) : NULL);
		json_object_object_add(o, "slave_only", json_object_new_boolean(rn[i].slave_only));
		json_object_object_add(o, "state", state_json(c, pnn));
		if (in_set)
			json_object_object_add(o, "in_set", json_object_new_boolean(
				pnn >= 0 && ((in_set[pnn / 64] >> (pnn % 64)) & 1)));
		json_object_array_add(list, o);
	}
	return list;
}

struct json_object *cluster_natgw_json(struct cluster *c)
{
	struct roles *r = R(c);
	const struct herd_conf *cf = c->d->cf;
	struct json_object *o = json_object_new_object();
	char buf[80];

	json_object_object_add(o, "pnn", json_object_new_int64(self(c)));
	json_object_object_add(o, "configured", json_object_new_boolean(cf->nnatgw_nodes > 0));
	json_object_object_add(o, "role", json_object_new_string(natgw_role_name(r->ng_dec.role)));
	json_object_object_add(o, "master", r->ng_dec.master >= 0
						    ? json_object_new_int64(r->ng_dec.master) : NULL);
	json_object_object_add(o, "master_address", r->ng_dec.master >= 0
		? json_object_new_string(sockaddr_format(buf, sizeof(buf), &r->ng_dec.master_addr))
		: NULL);
	json_object_object_add(o, "public_address", cf->natgw_public_address.addr.ss_family
		? json_object_new_string(sockaddr_format(buf, sizeof(buf),
							 &cf->natgw_public_address.addr))
		: NULL);
	json_object_object_add(o, "nodes", role_nodes_json(c, cf->natgw_nodes, cf->nnatgw_nodes,
							   NULL));
	json_object_object_add(o, "applied", r->ng_plan ? json_object_new_string(r->ng_plan) : NULL);
	json_object_object_add(o, "error", r->ng_error[0] ? json_object_new_string(r->ng_error)
							  : NULL);
	return o;
}

struct json_object *cluster_lvs_json(struct cluster *c)
{
	struct roles *r = R(c);
	const struct herd_conf *cf = c->d->cf;
	struct json_object *o = json_object_new_object();
	char buf[80];

	json_object_object_add(o, "pnn", json_object_new_int64(self(c)));
	json_object_object_add(o, "configured", json_object_new_boolean(cf->nlvs_nodes > 0));
	json_object_object_add(o, "role", json_object_new_string(lvs_role_name(r->lv_role)));
	json_object_object_add(o, "master", r->lv_master != LVS_NO_MASTER
						    ? json_object_new_int64(r->lv_master) : NULL);
	json_object_object_add(o, "address", cf->lvs_public_address.ss_family
		? json_object_new_string(sockaddr_format(buf, sizeof(buf), &cf->lvs_public_address))
		: NULL);
	json_object_object_add(o, "interface", cf->lvs_public_interface[0]
		? json_object_new_string(cf->lvs_public_interface) : NULL);
	json_object_object_add(o, "kernel_ipvs", json_object_new_boolean(lvs_kernel_has_ipvs()));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->lv && lvs_apply_dry_run(r->lv)));
	json_object_object_add(o, "nodes", role_nodes_json(c, cf->lvs_nodes, cf->nlvs_nodes,
							   r->lv_set));
	json_object_object_add(o, "commands", r->lv ? json_object_new_string(lvs_apply_commands(r->lv))
						     : NULL);
	json_object_object_add(o, "error", r->lv_error[0] ? json_object_new_string(r->lv_error)
							  : NULL);
	return o;
}

void cluster_roles_statistics_json(struct cluster *c, struct json_object *stats)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "applies", json_object_new_int64((int64_t)R(c)->applies));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)R(c)->failures));
	json_object_object_add(stats, "roles", o);
}
