/*
 * daemon_cluster.c — the cluster glue (see daemon_cluster.h).
 *
 * What each node does, every keepalive interval and on every change:
 *   - the transport says which peers are connected and what their
 *     keepalives announce (flags, capabilities, the leader they follow,
 *     whether they lead holding the lock, their generation);
 *   - elect_decide() says whom to follow and whether to take or give up
 *     leadership; leadership needs the recovery lock (reclock.c), and a
 *     leader whose lease is stale steps down before it acts on anything;
 *   - the leader bumps the generation and runs a recovery step after every
 *     membership change: every active connected node must acknowledge the
 *     new generation; nodes that fail repeatedly are banned;
 *   - a candidate that cannot take the lock for long (the losing side of a
 *     partition) bans itself for `recovery ban period`, as CTDB does;
 *   - maintenance mode freezes elections, bans and health-driven changes.
 */
#include "agentd/daemon_cluster.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agentd/clusterop.h"
#include "agentd/daemon.h"
#include "agentd/daemon_cluster_private.h"
#include "agentd/daemon_ip.h"
#include "agentd/daemon_roles.h"
#include "agentd/elect.h"
#include "agentd/log.h"
#include "agentd/reclock.h"
#include "agentd/transport.h"
#include "collectors/monitor.h"

#define KEY_MAX              4096
#define RECOVERY_FAIL_BAN    3   /* failed recoveries in a row: the leader bans the node */
#define CONTENTION_BAN_LEASES 3  /* lock contended this many leases: ban ourselves */

static usec_t detection(const struct herd_conf *cf)
{
	return cf->keepalive_interval * cf->keepalive_limit;
}

static usec_t lease(const struct herd_conf *cf)
{
	return cf->recovery_lock_lease ? cf->recovery_lock_lease
				       : cf->keepalive_interval * cf->keepalive_limit;
}

bool cluster_active(const struct cluster *c)
{
	const struct herd_state *st = c->d->st;

	if (st->leader == PNN_NONE)
		return false;
	if (!c->rl)
		return true;
	if (st->leader == st->pnn)
		return c->leading;
	return c->peers[st->leader].connected &&
	       (c->peers[st->leader].status & HERD_KA_F_LOCK_HELD);
}

static uint32_t own_caps(const struct cluster *c)
{
	const struct herd_conf *cf = c->d->cf;

	return (cf->recmaster ? NODE_CAP_RECMASTER : 0) | (cf->lmaster ? NODE_CAP_LMASTER : 0) |
	       roles_capabilities((struct cluster *)c);
}

/* Tell the peers (at once) what this node is now. */
static void announce(struct cluster *c)
{
	struct herd_state *st = ST(c);
	struct transport_local l = {
		.node_flags = c->own_flags,
		.capabilities = own_caps(c),
		.leader = st->leader,
		.generation = st->generation,
		.status = (c->leading && (!c->rl || reclock_held(c->rl, now_monotonic()))
				   ? HERD_KA_F_LOCK_HELD : 0) |
			  (c->leading ? HERD_KA_F_LEADING : 0) |
			  (st->recmode == RECOVERY_ACTIVE ? HERD_KA_F_RECOVERING : 0),
	};

	st->nodes[self(c)].flags = c->own_flags;
	st->nodes[self(c)].caps = l.capabilities;
	if (c->tp)
		transport_set_local(c->tp, &l);
}

/* Flag changes of any node become events; the observer records them. */
static void flag_events(struct cluster *c, uint32_t pnn, uint32_t old, uint32_t new,
			const char *why)
{
	static const struct {
		uint32_t bit;
		enum herd_event_type on, off;
		const char *won, *woff;
	} bits[] = {
		{ NODE_FLAG_BANNED, EV_NODE_BANNED, EV_NODE_UNBANNED, "banned", "unbanned" },
		{ NODE_FLAG_PERMANENTLY_DISABLED, EV_NODE_DISABLED, EV_NODE_ENABLED, "disabled",
		  "enabled" },
		{ NODE_FLAG_STOPPED, EV_NODE_STOPPED, EV_NODE_CONTINUED, "stopped", "continued" },
		{ NODE_FLAG_UNHEALTHY, EV_UNHEALTHY, EV_HEALTHY, "unhealthy", "healthy" },
	};
	char subject[EVENT_SUBJECT_MAX], fl[128];

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		bool was = old & bits[i].bit, is = new & bits[i].bit;

		if (was == is)
			continue;
		snprintf(subject, sizeof(subject), "node %u is %s", pnn, is ? bits[i].won : bits[i].woff);
		herdd_emit_change(c->d, is ? bits[i].on : bits[i].off, pnn, old, new, subject,
				  "flags now %s%s%s", node_flags_format(fl, sizeof(fl), new),
				  why[0] ? ": " : "", why);
	}
}

static void set_own_flags_why(struct cluster *c, uint32_t flags, const char *why)
{
	uint32_t old = c->own_flags;

	if (old == flags)
		return;
	c->own_flags = flags;
	ST(c)->nodes[self(c)].changed_wall = now_realtime();
	flag_events(c, self(c), old, flags, why);
	if (c->mon) {
		if (flags & (NODE_FLAG_STOPPED | NODE_FLAG_BANNED))
			monitor_pause(c->mon);
		else if (!maintenance(c))
			monitor_resume(c->mon);
	}
	announce(c);
	ip_own_flags_changed(c, old, flags);
	roles_update(c);
	if (c->leading)
		ip_kick(c, "this node's flags changed");
}

void cluster_set_own_flags(struct cluster *c, uint32_t flags, const char *why)
{
	set_own_flags_why(c, flags, why);
}

void cluster_update_health(struct cluster *c, const char *why)
{
	bool unhealthy = c->mon_unhealthy || ip_ifaces_down(c);

	set_own_flags_why(c, unhealthy ? c->own_flags | NODE_FLAG_UNHEALTHY
				       : c->own_flags & ~NODE_FLAG_UNHEALTHY, why);
}

bool cluster_may_act(struct cluster *c)
{
	return c->leading && (!c->rl || reclock_held(c->rl, now_monotonic()));
}

static void set_own_flags(struct cluster *c, uint32_t flags)
{
	set_own_flags_why(c, flags, "");
}

/* The state model's view of a peer: what it announced, or DISCONNECTED. */
static void update_peer_state(struct cluster *c, uint32_t pnn)
{
	struct node_state *ns = &ST(c)->nodes[pnn];
	struct peer_view *p = &c->peers[pnn];
	uint32_t flags;

	if (ns->flags & NODE_FLAG_DELETED)
		return;
	flags = p->connected ? (p->have_ka ? p->flags & ~NODE_FLAG_DISCONNECTED : 0)
			     : NODE_FLAG_DISCONNECTED;
	if (flags != ns->flags) {
		/* DISCONNECTED has its own events; report the other bits once the
		 * first keepalive after connecting gave us a baseline. */
		if (p->connected && p->baselined)
			flag_events(c, pnn, ns->flags, flags, "");
		ns->flags = flags;
		ns->changed_wall = now_realtime();
		roles_update(c);
	}
	ns->caps = p->have_ka ? p->caps : 0;
	p->baselined = p->connected && p->have_ka;
}

static void set_leader(struct cluster *c, uint32_t leader, const char *why)
{
	struct herd_state *st = ST(c);
	char subject[EVENT_SUBJECT_MAX];

	if (st->leader == leader)
		return;
	c->leader_changes++;
	if (leader == PNN_NONE)
		snprintf(subject, sizeof(subject), "no leader (was node %u)", st->leader);
	else
		snprintf(subject, sizeof(subject), "node %u is the leader", leader);
	st->leader = leader;
	herdd_emit(c->d, EV_LEADER_CHANGED, leader, subject, "%s", why);
	announce(c);
	roles_update(c);
}

static void ban_self(struct cluster *c, usec_t period, const char *why)
{
	char buf[64];

	if (maintenance(c)) {
		log_notice("not banning this node during maintenance (%s)", why);
		return;
	}
	c->bans++;
	c->ban_until = now_monotonic() + period;
	log_warn("banning this node for %s: %s", format_duration(buf, sizeof(buf), period), why);
	set_own_flags_why(c, c->own_flags | NODE_FLAG_BANNED, why);
}

/* ---- recovery ---------------------------------------------------------- */

int cluster_send(struct cluster *c, uint32_t dst, uint32_t op, const void *data, size_t len,
		 uint32_t reqid, uint32_t flags)
{
	struct herd_msg m = { .type = HERD_MSG_CONTROL };

	if (len > UINT32_MAX)
		return -E2BIG;
	m.control = (struct herd_control){ .opcode = op, .reqid = reqid, .flags = flags,
					   .datalen = (uint32_t)len, .data = data };
	return transport_send(c->tp, dst, &m, ST(c)->generation);
}

static int send_op(struct cluster *c, uint32_t dst, uint32_t op, const struct herd_op_body *b,
		   uint32_t reqid, uint32_t flags)
{
	uint8_t body[HERD_OP_BODY_MAX];
	int len = herd_op_push(op, b, body);
	struct herd_msg m = { .type = HERD_MSG_CONTROL };

	if (len < 0)
		return len;
	m.control = (struct herd_control){ .opcode = op, .reqid = reqid, .flags = flags,
					   .datalen = (uint32_t)len, .data = body };
	return transport_send(c->tp, dst, &m, ST(c)->generation);
}

static void recovery_finish(struct cluster *c, bool complete)
{
	struct herd_state *st = ST(c);
	usec_t dur = now_monotonic() - c->rec_start_mono;
	char buf[64], missing[256] = "";
	size_t off = 0;

	for (size_t i = 0; i < c->npeers; i++) {
		struct peer_view *p = &c->peers[i];

		if (!p->rec_waiting) {
			if (i != self(c))
				p->rec_failures = 0;
			continue;
		}
		p->rec_waiting = false;
		p->rec_failures++;
		if (off < sizeof(missing) - 8)
			off += (size_t)snprintf(missing + off, sizeof(missing) - off, "%s%zu",
						off ? "," : "", i);
		else if (off < sizeof(missing) - 4)
			off += (size_t)snprintf(missing + off, sizeof(missing) - off, ",...");
		if (p->rec_failures >= RECOVERY_FAIL_BAN && !maintenance(c)) {
			struct herd_op_body b = {
				.seconds = (uint32_t)(c->d->cf->recovery_ban_period / USEC_PER_SEC),
			};

			log_warn("node %zu failed %u recoveries in a row: banning it", i,
				 p->rec_failures);
			(void)send_op(c, (uint32_t)i, HERD_OP_BAN, &b, ++c->reqid, HERD_CTRL_F_NOREPLY);
			p->rec_failures = 0;
		}
	}
	c->recovering = false;
	st->recmode = RECOVERY_NORMAL;
	c->last_rec_duration = dur;
	c->last_rec_end_wall = now_realtime();
	c->max_rec_duration = MAX(c->max_rec_duration, dur);
	if (!complete)
		c->recovery_timeouts++;
	herdd_emit(c->d, EV_RECOVERY_FINISHED, PNN_NONE,
		   complete ? "recovery finished" : "recovery finished without every node",
		   "generation %u in %s%s%s", st->generation, format_duration(buf, sizeof(buf), dur),
		   complete ? "" : "; no answer from node ", missing);
	announce(c);
	ip_kick(c, "a recovery finished");
}

static bool recovery_done(const struct cluster *c)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (c->peers[i].rec_waiting)
			return false;
	return true;
}

static void recovery_start(struct cluster *c)
{
	struct herd_state *st = ST(c);
	struct herd_op_body b;
	uint32_t gen = st->generation;

	if (!c->leading)
		return;
	if (c->rl && !reclock_held(c->rl, now_monotonic()))
		return; /* the tick steps down */
	if (c->recovering) {
		c->recovery_wanted = true;
		return;
	}
	/* Alone, there is nobody to agree a generation with: a leader cut off
	 * from every peer (or one that just woke up) must not inflate it. */
	{
		bool anyone = false;

		for (size_t i = 0; i < c->npeers; i++)
			if (i != self(c) && c->peers[i].connected)
				anyone = true;
		if (!anyone) {
			c->recovery_wanted = false;
			return;
		}
	}
	c->recovery_wanted = false;
	for (size_t i = 0; i < c->npeers; i++)
		gen = MAX(gen, c->peers[i].generation);
	st->generation = gen + 1;
	st->recmode = RECOVERY_ACTIVE;
	c->recovering = true;
	c->recoveries++;
	c->rec_start_mono = now_monotonic();
	c->last_rec_start_wall = now_realtime();
	c->rec_deadline = c->rec_start_mono +
			  MAX(2 * USEC_PER_SEC, 4 * c->d->cf->keepalive_interval * c->d->cf->keepalive_limit);
	c->rec_reqid = ++c->reqid;
	herdd_emit(c->d, EV_RECOVERY_STARTED, PNN_NONE, "recovery started", "generation %u",
		   st->generation);
	announce(c);
	b = (struct herd_op_body){ .generation = st->generation };
	for (size_t i = 0; i < c->npeers; i++) {
		struct peer_view *p = &c->peers[i];

		p->rec_waiting = false;
		if (i == self(c) || !p->connected || (p->flags & NODE_FLAG_INACTIVE))
			continue;
		p->rec_waiting = send_op(c, (uint32_t)i, HERD_OP_RECOVERY, &b, c->rec_reqid, 0) >= 0;
	}
	if (recovery_done(c))
		recovery_finish(c, true);
}

/* ---- leadership -------------------------------------------------------- */

static void become_leader(struct cluster *c, const char *why)
{
	c->leading = true;
	c->contended_since = 0;
	if (c->rl)
		herdd_emit(c->d, EV_RECLOCK_TAKEN, self(c), "recovery lock taken", "%s",
			   reclock_spec(c->rl));
	set_leader(c, self(c), why);
	recovery_start(c);
	ip_kick(c, "this node became the leader");
}

static void step_down(struct cluster *c, const char *why)
{
	if (!c->leading)
		return;
	log_warn("stepping down as leader: %s", why);
	c->leading = false;
	if (c->recovering)
		herdd_emit(c->d, EV_RECOVERY_FINISHED, PNN_NONE, "recovery abandoned",
			   "generation %u: this node stepped down (%s)", ST(c)->generation, why);
	c->recovering = false;
	c->recovery_wanted = false;
	for (size_t i = 0; i < c->npeers; i++)
		c->peers[i].rec_waiting = false;
	ST(c)->recmode = RECOVERY_NORMAL;
	ip_abort(c);
	if (c->rl)
		reclock_release(c->rl);
	set_leader(c, PNN_NONE, why);
}

static void lock_failed(struct cluster *c, enum reclock_state state, const char *cause);

/* Try the lock, no more often than the backoff allows. */
static void take_lock(struct cluster *c)
{
	usec_t now = now_monotonic();
	int r;

	if (now < c->next_take)
		return;
	/* From one keepalive interval, doubling up to a quarter lease: a lease
	 * freed by a dead leader is found within a quarter lease. */
	c->take_backoff = c->take_backoff ? MIN(2 * c->take_backoff,
						MAX(lease(c->d->cf) / 4, c->d->cf->keepalive_interval))
					  : c->d->cf->keepalive_interval;
	c->next_take = now + c->take_backoff;
	r = reclock_take(c->rl);
	if (r < 0 && r != -EALREADY)
		lock_failed(c, RECLOCK_ERROR, strerror(-r));
}

static void run_election(struct cluster *c)
{
	struct herd_state *st = ST(c);
	struct elect_node nodes[HERD_MAX_NODES];
	struct elect_input in = {
		.self = self(c),
		.lock_configured = c->rl != NULL,
		.leader = st->leader,
		.leading = c->leading,
		.holds_lock = c->leading && (!c->rl || reclock_held(c->rl, now_monotonic())),
		.nnodes = 0,
		.nodes = nodes,
	};
	struct elect_decision dec;
	char why[128];

	if (maintenance(c) && st->leader != PNN_NONE && !c->leading)
		return; /* frozen: no leader churn during maintenance */
	if (!c->settled) {
		/* Right after start, give the links one detection bound to come
		 * up before deciding anything, so a restarting node joins the
		 * running leader instead of trying to lead on its own. */
		bool all = true;

		for (size_t i = 0; i < c->npeers; i++)
			if (i != self(c) && !(st->nodes[i].flags & NODE_FLAG_DELETED) &&
			    (!c->peers[i].connected || !c->peers[i].have_ka))
				all = false;
		if (!all && now_monotonic() < c->start_mono + detection(c->d->cf))
			return;
		c->settled = true;
	}
	for (size_t i = 0; i < st->nnodes && i < ARRAY_SIZE(nodes); i++) {
		const struct peer_view *p = &c->peers[i];
		struct elect_node *n = &nodes[in.nnodes++];

		n->pnn = (uint32_t)i;
		n->flags = st->nodes[i].flags;
		n->caps = i == self(c) ? own_caps(c) : p->caps;
		n->follows = i == self(c) ? st->leader : p->have_ka ? p->follows : PNN_NONE;
		n->leader_claim = i != self(c) && p->connected && p->have_ka &&
				  (p->status & HERD_KA_F_LEADING);
		n->holds_lock = n->leader_claim && (!c->rl || (p->status & HERD_KA_F_LOCK_HELD));
		n->generation = i == self(c) ? st->generation : p->generation;
	}
	if (elect_decide(&in, &dec) < 0)
		fatalx("election input malformed");
	c->elections++;
	snprintf(why, sizeof(why), "election: %s", elect_reason_name(dec.reason));
	if (dec.action != ELECT_BECOME_LEADER) {
		c->contended_since = 0; /* not trying: old contention is history */
		c->take_backoff = c->next_take = 0;
	}
	switch (dec.action) {
	case ELECT_STEP_DOWN:
		step_down(c, why);
		break;
	case ELECT_BECOME_LEADER:
		if (!c->rl) {
			become_leader(c, why);
			break;
		}
		switch (reclock_get_state(c->rl)) {
		case RECLOCK_TAKING:
			break;
		case RECLOCK_HELD:
			if (reclock_held(c->rl, now_monotonic()))
				become_leader(c, why);
			break;
		default:
			take_lock(c);
			break;
		}
		break;
	case ELECT_NONE:
		/* A take still running for a leadership we no longer want. */
		if (c->rl && !c->leading && reclock_get_state(c->rl) == RECLOCK_TAKING &&
		    dec.leader != self(c))
			reclock_release(c->rl);
		if (!c->leading)
			set_leader(c, dec.leader, why);
		break;
	}
}

static void lock_failed(struct cluster *c, enum reclock_state state, const char *cause)
{
	usec_t now = now_monotonic();

	c->lock_contended++;
	if (!c->contended_since)
		c->contended_since = now;
	log_info("recovery lock %s: %s (%s)", reclock_spec(c->rl), reclock_state_name(state), cause);
	if (now - c->contended_since > CONTENTION_BAN_LEASES * lease(c->d->cf)) {
		c->contended_since = 0;
		ban_self(c, c->d->cf->recovery_ban_period,
			 state == RECLOCK_CONTENDED
				 ? "could not take the recovery lock: another part of the cluster holds it"
				 : "could not take the recovery lock: the lock helper fails");
	}
}

static void on_reclock(struct reclock *rl, enum reclock_state state, void *userdata)
{
	struct cluster *c = userdata;
	struct reclock_status rs;

	reclock_get_status(rl, &rs);
	switch (state) {
	case RECLOCK_HELD:
		c->contended_since = 0;
		c->take_backoff = c->next_take = 0;
		run_election(c); /* still the one to lead? */
		if (!c->leading)
			reclock_release(rl);
		break;
	case RECLOCK_CONTENDED:
	case RECLOCK_TIMEOUT:
	case RECLOCK_ERROR:
		lock_failed(c, state, reclock_cause_name(rs.cause));
		break;
	case RECLOCK_LOST:
		herdd_emit(c->d, EV_RECLOCK_LOST, self(c), "recovery lock lost", "%s (%s)",
			   reclock_spec(rl), reclock_cause_name(rs.cause));
		step_down(c, "the recovery lock was lost");
		break;
	default:
		break;
	}
}

/* ---- transport callbacks ---------------------------------------------- */

static void on_link(struct transport *t, uint32_t pnn, unsigned link, bool up,
		    enum transport_reason reason, void *userdata)
{
	struct cluster *c = userdata;
	char subject[EVENT_SUBJECT_MAX];

	snprintf(subject, sizeof(subject), "link %u to node %u is %s", link, pnn, up ? "up" : "down");
	herdd_emit(c->d, up ? EV_LINK_UP : EV_LINK_DOWN, pnn, subject, "%s",
		   transport_reason_name(reason));
}

static void on_peer(struct transport *t, uint32_t pnn, bool connected, void *userdata)
{
	struct cluster *c = userdata;
	struct peer_view *p = &c->peers[pnn];
	char subject[EVENT_SUBJECT_MAX];
	uint32_t old_flags;

	p->connected = connected;
	if (!connected) {
		p->have_ka = false;
		p->rec_waiting = false;
		ip_peer_gone(c, pnn);
	}
	old_flags = ST(c)->nodes[pnn].flags;
	update_peer_state(c, pnn);
	snprintf(subject, sizeof(subject), "node %u %s", pnn,
		 connected ? "connected" : "disconnected");
	herdd_emit_change(c->d, connected ? EV_NODE_CONNECTED : EV_NODE_DISCONNECTED, pnn, old_flags,
			  ST(c)->nodes[pnn].flags, subject, "%s",
			  connected ? "a link came up" : "every link is down");
	if (connected && maintenance(c)) {
		struct herd_op_body b = { .until = c->maint_until };

		(void)send_op(c, pnn, HERD_OP_MAINTENANCE, &b, ++c->reqid, HERD_CTRL_F_NOREPLY);
	}
	run_election(c);
	/* A node that joins is recovered once its first keepalive has told us
	 * its generation and whether it leads (on_keepalive): a leader must not
	 * bump the generation from stale knowledge of its peers. */
	if (c->leading && !connected) {
		recovery_start(c);
		ip_kick(c, "a node disconnected");
	} else if (c->recovering && recovery_done(c))
		recovery_finish(c, true);
}

static void on_keepalive(struct transport *t, uint32_t pnn, unsigned link,
			 const struct herd_hdr *hdr, const struct herd_keepalive *ka, void *userdata)
{
	struct cluster *c = userdata;
	struct peer_view *p = &c->peers[pnn];
	bool first = !p->have_ka;
	bool flags_changed = !first && p->flags != ka->node_flags;
	bool changed = first || p->flags != ka->node_flags || p->follows != ka->leader ||
		       p->status != ka->status || p->caps != ka->capabilities;

	p->have_ka = true;
	/* Only what a node may say of itself; DELETED and DISCONNECTED are
	 * this node's own view, never a peer's word. */
	p->flags = ka->node_flags & (NODE_FLAG_BANNED | NODE_FLAG_STOPPED | NODE_FLAG_UNHEALTHY |
				     NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_PARTIALLYONLINE);
	p->caps = ka->capabilities;
	p->follows = ka->leader;
	p->status = ka->status;
	p->generation = hdr->generation;
	/* Followers take the generation of the leader they follow. */
	if (!c->leading && pnn == ST(c)->leader && hdr->generation > ST(c)->generation) {
		ST(c)->generation = hdr->generation;
		announce(c);
	}
	update_peer_state(c, pnn);
	if (changed)
		run_election(c);
	if (first && c->leading)
		recovery_start(c); /* the node joined (on_peer) */
	else if (flags_changed && c->leading)
		ip_kick(c, "a node's flags changed");
}

void cluster_reply(struct cluster *c, uint32_t dst, const struct herd_control *req, int status,
		   const void *data, size_t len)
{
	struct herd_msg m = { .type = HERD_MSG_REPLY };

	if (req->flags & HERD_CTRL_F_NOREPLY)
		return;
	m.reply = (struct herd_reply){ .opcode = req->opcode, .reqid = req->reqid,
				       .status = status, .datalen = (uint32_t)len, .data = data };
	(void)transport_send(c->tp, dst, &m, ST(c)->generation);
}

static void reply(struct cluster *c, uint32_t dst, const struct herd_control *req, int status)
{
	cluster_reply(c, dst, req, status, NULL, 0);
}

static int on_reloadnodes(sd_event_source *s, void *userdata)
{
	struct cluster *c = userdata;
	char err[1024];

	log_notice("another node asks to reload the nodes file");
	(void)herdd_reload(c->d, true, err, sizeof(err)); /* it logs a failure */
	return 0;
}

static int apply_op(struct cluster *c, uint32_t from, const struct herd_hdr *hdr,
		    uint32_t op, const struct herd_op_body *b)
{
	struct herd_state *st = ST(c);
	char why[128];

	switch (op) {
	case HERD_OP_RECOVERY:
		/* Only from the leader we follow (or would), never an older generation. */
		if (b->generation < st->generation || (c->leading && from != self(c)))
			return -ESTALE;
		/* Only from the leader we follow: a recovery must never win a
		 * node over behind the election's back (a woken leader without
		 * a lock would otherwise collect followers this way). */
		if (!c->leading && st->leader != PNN_NONE && st->leader != from)
			return -ESTALE;
		st->generation = b->generation;
		if (!c->leading && st->leader != from)
			set_leader(c, from, "it runs the recovery");
		announce(c);
		return 0;
	case HERD_OP_SET_FLAGS:
		if ((b->set | b->clear) & ~(NODE_FLAG_PERMANENTLY_DISABLED | NODE_FLAG_STOPPED))
			return -EINVAL;
		log_notice("node %u asks to set flags 0x%x, clear 0x%x", from, b->set, b->clear);
		set_own_flags(c, (c->own_flags | b->set) & ~b->clear);
		run_election(c);
		return 0;
	case HERD_OP_BAN:
		if (b->seconds) {
			snprintf(why, sizeof(why), "banned by node %u for %us", from, b->seconds);
			ban_self(c, (usec_t)b->seconds * USEC_PER_SEC, why);
			if (!(c->own_flags & NODE_FLAG_BANNED))
				return -EBUSY; /* maintenance */
		} else if (c->own_flags & NODE_FLAG_BANNED) {
			log_notice("unbanned by node %u", from);
			set_own_flags(c, c->own_flags & ~NODE_FLAG_BANNED);
		}
		run_election(c);
		return 0;
	case HERD_OP_RECOVER:
		if (!c->leading)
			return -EAGAIN;
		recovery_start(c);
		return 0;
	case HERD_OP_RELOADNODES:
		/* Not from inside a transport callback: on the next loop turn. */
		if (from == self(c))
			return 0;
		if (!c->reload_defer &&
		    sd_event_add_defer(c->d->ev, &c->reload_defer, on_reloadnodes, c) < 0)
			return -ENOMEM;
		return sd_event_source_set_enabled(c->reload_defer, SD_EVENT_ONESHOT);
	case HERD_OP_MAINTENANCE:
		if (b->until && b->until > now_realtime()) {
			bool was = maintenance(c);

			c->maint_until = b->until;
			if (!was) {
				format_iso8601(why, sizeof(why), b->until);
				herdd_emit(c->d, EV_MAINTENANCE_ON, PNN_NONE, "maintenance mode on",
					   "until %s (set by node %u): no bans, no leader changes, "
					   "no health-driven changes", why, from);
				if (c->mon)
					monitor_pause(c->mon);
			}
		} else if (c->maint_until) {
			c->maint_until = 0;
			herdd_emit(c->d, EV_MAINTENANCE_OFF, PNN_NONE, "maintenance mode off",
				   "ended by node %u", from);
			if (c->mon && !(c->own_flags & (NODE_FLAG_STOPPED | NODE_FLAG_BANNED)))
				monitor_resume(c->mon);
		}
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static void on_message(struct transport *t, uint32_t pnn, unsigned link,
		       const struct herd_hdr *hdr, const struct herd_msg *msg, void *userdata)
{
	struct cluster *c = userdata;
	struct herd_op_body b;
	int r;

	if (msg->type == HERD_MSG_REPLY) {
		const struct herd_reply *rp = &msg->reply;

		if (rp->opcode == HERD_OP_RECOVERY && c->recovering && rp->reqid == c->rec_reqid &&
		    pnn < c->npeers) {
			/* An answer, even a refusal, is not a failure to count. */
			if (rp->status < 0)
				log_warn("node %u refused recovery: %s", pnn, strerror(-rp->status));
			c->peers[pnn].rec_waiting = false;
			if (recovery_done(c))
				recovery_finish(c, true);
		} else if (herd_op_variable(rp->opcode)) {
			ip_on_reply(c, pnn, rp);
		}
		return;
	}
	if (msg->type != HERD_MSG_CONTROL)
		return;
	c->controls_in++;
	if (herd_op_variable(msg->control.opcode)) {
		ip_on_control(c, pnn, &msg->control);
		return;
	}
	r = herd_op_pull(msg->control.opcode, msg->control.data, msg->control.datalen, &b);
	if (r < 0) {
		c->controls_bad++;
		log_info("dropping a malformed %s from node %u", herd_op_name(msg->control.opcode), pnn);
		reply(c, pnn, &msg->control, r);
		return;
	}
	if (c->test_drop_recovery && msg->control.opcode == HERD_OP_RECOVERY)
		return;
	reply(c, pnn, &msg->control, apply_op(c, pnn, hdr, msg->control.opcode, &b));
}

/* ---- the tick ---------------------------------------------------------- */

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct cluster *c = userdata;
	usec_t now = now_monotonic();

	if ((c->own_flags & NODE_FLAG_BANNED) && c->ban_until && now >= c->ban_until) {
		c->ban_until = 0;
		log_notice("the ban period is over");
		set_own_flags(c, c->own_flags & ~NODE_FLAG_BANNED);
	}
	if (c->maint_until && now_realtime() >= c->maint_until) {
		c->maint_until = 0;
		herdd_emit(c->d, EV_MAINTENANCE_OFF, PNN_NONE, "maintenance mode off",
			   "its time ran out");
		if (c->mon && !(c->own_flags & (NODE_FLAG_STOPPED | NODE_FLAG_BANNED)))
			monitor_resume(c->mon);
	}
	/* A leader without a fresh lease must not act: step down first. */
	if (c->leading && c->rl && !reclock_held(c->rl, now))
		step_down(c, "the recovery lock lease is not fresh (was herdd stalled?)");
	if (c->recovering && now >= c->rec_deadline)
		recovery_finish(c, false);
	run_election(c);
	if (c->leading && c->recovery_wanted && !c->recovering)
		recovery_start(c);
	ip_tick(c);
	announce(c);
	roles_tick(c);
	sd_event_source_set_time(s, now + c->d->cf->keepalive_interval);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* ---- health monitor ---------------------------------------------------- */

static void on_lifecycle(struct monitor *m, enum monitor_phase done, void *userdata)
{
	struct cluster *c = userdata;
	static const enum herd_event_type ev[] = {
		[MONITOR_INIT] = EV_INIT, [MONITOR_SETUP] = EV_SETUP, [MONITOR_STARTUP] = EV_STARTUP,
	};

	if (done < ARRAY_SIZE(ev) && ev[done])
		herdd_emit(c->d, ev[done], self(c), monitor_phase_name(done),
			   "the %s event scripts succeeded", monitor_phase_name(done));
}

static void on_health(struct monitor *m, enum health h, const char *reason,
		      const struct eventscripts_run *run, void *userdata)
{
	struct cluster *c = userdata;

	if (maintenance(c))
		return;
	c->mon_unhealthy = h == HEALTH_UNHEALTHY;
	if (h == HEALTH_UNHEALTHY)
		log_warn("this node is unhealthy: %s", reason);
	else if (!(c->own_flags & NODE_FLAG_UNHEALTHY))
		/* Healthy while the flag is already clear (a verdict dropped during
		 * maintenance): no flag change, but say it. */
		herdd_emit(c->d, EV_HEALTHY, self(c), "node is healthy",
			   "the monitor event scripts succeed");
	cluster_update_health(c, reason);
	run_election(c);
}

/*
 * One health check (a monitor script) failed or works again. Not dropped in
 * maintenance mode as health verdicts are: it only says what is broken.
 * (Maintenance pauses the monitor, and paused runs report nothing.)
 */
static void on_collector(struct monitor *m, const char *name, bool failed, const char *detail,
			 void *userdata)
{
	struct cluster *c = userdata;

	herdd_emit(c->d, failed ? EV_COLLECTOR_FAILED : EV_COLLECTOR_RECOVERED, self(c), name,
		   "%s", detail);
}

/* ---- set-up ------------------------------------------------------------ */

static int read_key(const struct herd_conf *cf, uint8_t *key, size_t *len)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int fd = -EBADF;
	ssize_t n;

	*len = 0;
	if (!cf->key_file[0])
		return 0;
	path = conf_path(cf, cf->key_file);
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		log_err("cannot read the cluster key file %s: %s", path, strerror(errno));
		return -errno;
	}
	n = read(fd, key, KEY_MAX);
	if (n < 0 || n == 0) {
		log_err("the cluster key file %s is %s", path, n ? strerror(errno) : "empty");
		return n ? -errno : -EINVAL;
	}
	*len = (size_t)n;
	return 0;
}

int cluster_new(struct herdd *d, struct cluster **out)
{
	const struct herd_conf *cf = d->cf;
	static const struct transport_ops tops = {
		.link_changed = on_link,
		.peer_changed = on_peer,
		.keepalive = on_keepalive,
		.message = on_message,
	};
	static const struct monitor_callbacks mops = {
		.lifecycle = on_lifecycle,
		.health = on_health,
		.collector = on_collector,
	};
	struct transport_config tc = {
		.pnn = d->st->pnn,
		.nodes = cf->nodes,
		.nnodes = cf->nnodes,
		.port = (uint16_t)cf->port,
		.cluster_name = cf->cluster_name,
		.keepalive_interval = cf->keepalive_interval,
		.keepalive_limit = cf->keepalive_limit,
		.start_time = d->start_wall,
	};
	struct monitor_config mc;
	uint8_t key[KEY_MAX];
	struct cluster *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	/* Fault injection for the test suite only: a node that never answers
	 * a recovery, so that the leader's ban of such nodes can be tested. */
	c->test_drop_recovery = getenv("HERD_TEST_DROP_RECOVERY") &&
				streq(getenv("HERD_TEST_DROP_RECOVERY"), "1");
	if (c->test_drop_recovery)
		log_warn("HERD_TEST_DROP_RECOVERY=1: this node will not answer recoveries (test fault)");
	/* Like CTDB: UNHEALTHY until the first monitor run says otherwise. */
	c->own_flags = NODE_FLAG_UNHEALTHY;
	c->mon_unhealthy = true;
	c->npeers = d->st->nnodes;
	c->peers = calloc(c->npeers ? c->npeers : 1, sizeof(*c->peers));
	if (!c->peers) {
		free(c);
		return -ENOMEM;
	}
	r = read_key(cf, key, &tc.keylen);
	if (r < 0)
		goto fail;
	tc.key = key;
	r = transport_new(d->ev, &tc, &tops, c, &c->tp);
	explicit_bzero(key, sizeof(key));
	if (r < 0) {
		log_err("cannot start the cluster transport on port %u: %s", cf->port, strerror(-r));
		goto fail;
	}
	if (cf->recovery_lock[0]) {
		char helper[4096];

		r = reclock_new(d->ev, cf->recovery_lock, reclock_helper_path(helper, sizeof(helper)),
				lease(cf), MAX(lease(cf), 2 * USEC_PER_SEC), on_reclock, c, &c->rl);
		if (r < 0) {
			log_err("bad recovery lock '%s': %s", cf->recovery_lock, strerror(-r));
			goto fail;
		}
	}
	r = monitor_config_from_conf(&mc, cf, &c->events_dir);
	if (r >= 0 && (asprintf(&c->env[0], "HERD_PNN=%u", d->st->pnn) < 0 ||
		       asprintf(&c->env[1], "HERD_CLUSTER=%s", cf->cluster_name) < 0 ||
		       asprintf(&c->env[2], "HERD_CONF_DIR=%s", cf->dir) < 0))
		r = -ENOMEM;
	mc.env = (const char *const *)c->env;
	if (r >= 0)
		r = monitor_new(d->ev, &mc, &mops, c, &c->mon);
	if (r < 0) {
		log_err("cannot set up the health monitor: %s", strerror(-r));
		goto fail;
	}
	r = ip_new(c);
	if (r < 0) {
		log_err("cannot set up the public addresses: %s", strerror(-r));
		goto fail;
	}
	r = roles_new(c);
	if (r < 0)
		goto fail;
	announce(c);
	*out = c;
	return 0;
fail:
	cluster_free(c);
	return r;
}

int cluster_start(struct cluster *c)
{
	int r;

	c->start_mono = now_monotonic();
	r = sd_event_add_time(c->d->ev, &c->tick, CLOCK_MONOTONIC,
				  now_monotonic() + c->d->cf->keepalive_interval, 0, on_tick, c);

	if (r < 0)
		return r;
	r = monitor_start(c->mon);
	if (r < 0)
		return r;
	r = ip_start(c);
	if (r < 0)
		return r;
	run_election(c);
	return 0;
}

void cluster_free(struct cluster *c)
{
	if (!c)
		return;
	sd_event_source_disable_unref(c->tick);
	sd_event_source_disable_unref(c->reload_defer);
	roles_free(c);
	ip_free(c);
	monitor_free(c->mon);
	reclock_free(c->rl);
	transport_free(c->tp);
	free(c->events_dir);
	for (size_t i = 0; i < ARRAY_SIZE(c->env); i++)
		free(c->env[i]);
	free(c->peers);
	free(c);
}

/* ---- reload ------------------------------------------------------------ */

void cluster_reconfigure(struct cluster *c)
{
	struct monitor_config mc;
	char *dir = NULL;

	int r = monitor_config_from_conf(&mc, c->d->cf, &dir);

	mc.env = (const char *const *)c->env;
	if (r >= 0 && monitor_reconfigure(c->mon, &mc) >= 0) {
		free(c->events_dir);
		c->events_dir = dir;
	} else {
		free(dir);
	}
	announce(c); /* capabilities may have changed */
	ip_reconfigure(c);
	roles_reconfigure(c);
}

static bool same_addrs(const struct node_state *ns, const struct conf_node *cn)
{
	if (ns->naddrs != cn->naddrs)
		return false;
	for (size_t l = 0; l < ns->naddrs; l++)
		if (!sockaddr_equal_addr(&ns->addrs[l], &cn->addrs[l]))
			return false;
	return true;
}

int cluster_set_nodes(struct cluster *c, const struct herd_conf *cf, char *err, size_t errlen)
{
	struct herd_state *st = ST(c);
	size_t n = cf->nnodes, old = st->nnodes;
	struct node_state *nodes;
	struct peer_view *peers;
	int r;

	if (n > HERD_MAX_NODES) {
		snprintf(err, errlen, "%s: more than %d nodes", cf->nodes_file, HERD_MAX_NODES);
		return -E2BIG;
	}
	if (self(c) >= n || cf->nodes[self(c)].deleted || !same_addrs(&st->nodes[self(c)], &cf->nodes[self(c)])) {
		snprintf(err, errlen, "the nodes file changes this node's own line (pnn %u): "
			 "that needs a restart of herdd", self(c));
		return -EINVAL;
	}
	for (size_t i = 0; i < MIN(n, old); i++) {
		if ((st->nodes[i].flags & NODE_FLAG_DELETED) || cf->nodes[i].deleted)
			continue;
		if (!same_addrs(&st->nodes[i], &cf->nodes[i])) {
			snprintf(err, errlen, "the nodes file changes the addresses of node %zu; to "
				 "replace a node, mark its line deleted (#ADDR) and add the new node "
				 "as a new line", i);
			return -EINVAL;
		}
	}
	for (size_t i = n; i < old; i++)
		if (!(st->nodes[i].flags & NODE_FLAG_DELETED)) {
			snprintf(err, errlen, "the nodes file drops node %zu: nodes are removed by "
				 "marking their line deleted (#ADDR), never by removing the line", i);
			return -EINVAL;
		}
	r = transport_set_nodes(c->tp, cf->nodes, n);
	if (r < 0) {
		snprintf(err, errlen, "the transport refused the new nodes: %s", strerror(-r));
		return r;
	}
	nodes = realloc(st->nodes, MAX(n, (size_t)1) * sizeof(*nodes));
	if (nodes)
		st->nodes = nodes;
	peers = realloc(c->peers, MAX(n, (size_t)1) * sizeof(*peers));
	if (peers)
		c->peers = peers;
	if (!nodes || !peers)
		fatalx("out of memory growing the node table");
	for (size_t i = 0; i < n; i++) {
		const struct conf_node *cn = &cf->nodes[i];
		struct node_state *ns = &st->nodes[i];
		bool was_deleted = i >= old || (ns->flags & NODE_FLAG_DELETED);

		if (i >= old)
			c->peers[i] = (struct peer_view){ 0 };
		if (cn->deleted) {
			if (!was_deleted)
				log_notice("node %zu is deleted from the nodes file", i);
			if (i >= old)
				*ns = (struct node_state){ .pnn = (uint32_t)i };
			ns->flags = NODE_FLAG_DELETED; /* its addresses stay, for listnodes */
			ns->caps = 0;
			c->peers[i] = (struct peer_view){ 0 };
		} else if (was_deleted) {
			log_notice("node %zu is added to the nodes file", i);
			herdd_node_from_conf(ns, cn, NODE_FLAG_DISCONNECTED);
			ns->changed_wall = now_realtime();
			c->peers[i] = (struct peer_view){ 0 };
		}
	}
	st->nnodes = n;
	c->npeers = n;
	if (st->leader != PNN_NONE && st->leader >= n)
		st->leader = PNN_NONE;
	herdd_emit(c->d, EV_CONFIG_RELOADED, self(c), "nodes file reloaded", "%zu nodes (was %zu)",
		   n, old);
	if (c->leading)
		recovery_start(c);
	return 0;
}

int cluster_admin_reloadnodes(struct cluster *c, char *err, size_t errlen)
{
	struct herd_op_body b = { 0 };

	int r = send_op(c, HERD_PNN_BROADCAST, HERD_OP_RELOADNODES, &b, ++c->reqid,
			HERD_CTRL_F_NOREPLY);

	if (r < 0 && r != -ENOTCONN) {
		snprintf(err, errlen, "reloaded here, but could not ask the other nodes: %s",
			 strerror(-r));
		return r;
	}
	return 0;
}

/* ---- admin verbs ------------------------------------------------------- */

static int check_target(struct cluster *c, uint32_t target, char *err, size_t errlen)
{
	if (target == CLUSTER_ALL || target == self(c))
		return 0;
	if (target >= c->npeers || (ST(c)->nodes[target].flags & NODE_FLAG_DELETED)) {
		snprintf(err, errlen, "there is no node %u", target);
		return -ENOENT;
	}
	if (!c->peers[target].connected) {
		snprintf(err, errlen, "node %u is not connected", target);
		return -ENOTCONN;
	}
	return 0;
}

/* Apply op to target: here, there, or everywhere. */
static int admin_op(struct cluster *c, uint32_t target, uint32_t op, const struct herd_op_body *b,
		    char *err, size_t errlen)
{
	int r = check_target(c, target, err, errlen);

	if (r < 0)
		return r;
	if (target == CLUSTER_ALL || target == self(c)) {
		struct herd_hdr h = { .src = self(c), .generation = ST(c)->generation };

		r = apply_op(c, self(c), &h, op, b);
		if (r < 0) {
			snprintf(err, errlen, "%s", r == -EBUSY ? "maintenance mode is on" : strerror(-r));
			return r;
		}
	}
	if (target != self(c)) {
		r = send_op(c, target == CLUSTER_ALL ? HERD_PNN_BROADCAST : target, op, b, ++c->reqid,
			    HERD_CTRL_F_NOREPLY);
		if (r < 0 && target != CLUSTER_ALL) {
			snprintf(err, errlen, "cannot reach node %u: %s", target, strerror(-r));
			return r;
		}
	}
	return 0;
}

int cluster_admin_flags(struct cluster *c, uint32_t target, uint32_t set, uint32_t clear,
			char *err, size_t errlen)
{
	struct herd_op_body b = { .set = set, .clear = clear };

	return admin_op(c, target, HERD_OP_SET_FLAGS, &b, err, errlen);
}

int cluster_admin_ban(struct cluster *c, uint32_t target, uint32_t seconds, char *err,
		      size_t errlen)
{
	struct herd_op_body b = { .seconds = seconds };

	if (seconds && maintenance(c)) {
		snprintf(err, errlen, "maintenance mode is on: banning is frozen");
		return -EBUSY;
	}
	return admin_op(c, target, HERD_OP_BAN, &b, err, errlen);
}

int cluster_admin_recover(struct cluster *c, char *err, size_t errlen)
{
	struct herd_op_body b = { 0 };
	uint32_t leader = ST(c)->leader;

	if (leader == PNN_NONE) {
		snprintf(err, errlen, "there is no leader to run a recovery");
		return -EAGAIN;
	}
	if (leader == self(c)) {
		recovery_start(c);
		return 0;
	}
	return admin_op(c, leader, HERD_OP_RECOVER, &b, err, errlen);
}

int cluster_admin_maintenance(struct cluster *c, usec_t until, char *err, size_t errlen)
{
	struct herd_op_body b = { .until = until };

	return admin_op(c, CLUSTER_ALL, HERD_OP_MAINTENANCE, &b, err, errlen);
}

/* ---- JSON -------------------------------------------------------------- */

void cluster_node_json(struct cluster *c, uint32_t pnn, struct json_object *node)
{
	struct json_object *links = json_object_new_array();
	const struct node_state *ns = &ST(c)->nodes[pnn];
	char buf[128];

	for (unsigned l = 0; l < ns->naddrs; l++) {
		struct json_object *o = json_object_new_object();
		struct transport_link_stats ls;
		const char *state = pnn == self(c) ? "self"
				    : transport_link_state_name(transport_link_state(c->tp, pnn, l));

		json_object_object_add(o, "link", json_object_new_int(l));
		json_object_object_add(o, "address", json_object_new_string(
			sockaddr_format(buf, sizeof(buf), &ns->addrs[l])));
		json_object_object_add(o, "state", json_object_new_string(state));
		if (pnn != self(c) && transport_link_stats(c->tp, pnn, l, &ls) >= 0) {
			json_object_object_add(o, "rtt_us", json_object_new_int64((int64_t)ls.rtt_avg));
			json_object_object_add(o, "keepalives_missed",
					       json_object_new_int64((int64_t)ls.keepalives_missed));
			json_object_object_add(o, "changed", herdd_json_time(ls.changed_wall));
		}
		json_object_array_add(links, o);
	}
	json_object_object_add(node, "links", links);
	if (pnn == self(c) && (c->own_flags & NODE_FLAG_BANNED) && c->ban_until)
		json_object_object_add(node, "ban_seconds_left", json_object_new_int64(
			(int64_t)((c->ban_until - MIN(c->ban_until, now_monotonic())) / USEC_PER_SEC)));
}

void cluster_recovery_times(const struct cluster *c, usec_t *start, usec_t *finish,
			    usec_t *duration)
{
	*start = c->last_rec_start_wall;
	*finish = c->last_rec_end_wall;
	*duration = c->last_rec_duration;
}

void cluster_status_json(struct cluster *c, struct json_object *o)
{
	struct reclock_status rs;
	struct json_object *lock = json_object_new_object();

	json_object_object_add(o, "active", json_object_new_boolean(cluster_active(c)));
	json_object_object_add(o, "leading", json_object_new_boolean(c->leading));
	if (c->rl) {
		reclock_get_status(c->rl, &rs);
		/* A follower's last attempt is history: it does not need the lock. */
		json_object_object_add(lock, "state", json_object_new_string(
			c->leading || rs.state == RECLOCK_TAKING || rs.state == RECLOCK_HELD
				? reclock_state_name(rs.state) : "not-needed"));
		json_object_object_add(lock, "cause", json_object_new_string(reclock_cause_name(rs.cause)));
		json_object_object_add(lock, "held", json_object_new_boolean(
			reclock_held(c->rl, now_monotonic())));
		json_object_object_add(lock, "lease_ms", json_object_new_int64(
			(int64_t)(rs.lease / USEC_PER_MSEC)));
	} else {
		json_object_object_add(lock, "state", json_object_new_string("none"));
	}
	json_object_object_add(o, "recovery_lock_state", lock);
	json_object_object_add(o, "maintenance", json_object_new_boolean(maintenance(c)));
	json_object_object_add(o, "maintenance_until", maintenance(c) ? herdd_json_time(c->maint_until) : NULL);
	json_object_object_add(o, "last_recovery_start", herdd_json_time(c->last_rec_start_wall));
	json_object_object_add(o, "last_recovery_finish", herdd_json_time(c->last_rec_end_wall));
	json_object_object_add(o, "last_recovery_duration_ms", json_object_new_int64(
		(int64_t)(c->last_rec_duration / USEC_PER_MSEC)));
	json_object_object_add(o, "health", json_object_new_string(
		health_name(monitor_health(c->mon))));
	json_object_object_add(o, "health_reason", json_object_new_string(monitor_reason(c->mon)));
	json_object_object_add(o, "startup_phase", json_object_new_string(
		monitor_phase_name(monitor_phase(c->mon))));
	roles_status_json(c, o);
}

#define ADD_U64(obj, name, v) json_object_object_add(obj, name, json_object_new_int64((int64_t)(v)))

void cluster_statistics_json(struct cluster *c, struct json_object *o)
{
	struct json_object *cl = json_object_new_object(), *tp = json_object_new_object();
	struct json_object *peers = json_object_new_object(), *drops = json_object_new_object();
	struct transport_stats ts;
	struct monitor_stats ms;
	char name[16];

	ADD_U64(cl, "elections", c->elections);
	ADD_U64(cl, "leader_changes", c->leader_changes);
	ADD_U64(cl, "recoveries", c->recoveries);
	ADD_U64(cl, "recovery_timeouts", c->recovery_timeouts);
	ADD_U64(cl, "last_recovery_ms", c->last_rec_duration / USEC_PER_MSEC);
	ADD_U64(cl, "max_recovery_ms", c->max_rec_duration / USEC_PER_MSEC);
	ADD_U64(cl, "bans", c->bans);
	ADD_U64(cl, "lock_contended", c->lock_contended);
	ADD_U64(cl, "controls_in", c->controls_in);
	ADD_U64(cl, "controls_bad", c->controls_bad);
	json_object_object_add(o, "cluster", cl);

	transport_stats(c->tp, &ts);
	ADD_U64(tp, "frames_in", ts.frames_in);
	ADD_U64(tp, "frames_out", ts.frames_out);
	ADD_U64(tp, "bytes_in", ts.bytes_in);
	ADD_U64(tp, "bytes_out", ts.bytes_out);
	ADD_U64(tp, "accepts", ts.accepts);
	for (int r = 0; r < TRANSPORT_R_MAX; r++)
		if (transport_reason_is_drop((enum transport_reason)r))
			ADD_U64(drops, transport_reason_name((enum transport_reason)r), ts.drops[r]);
	json_object_object_add(tp, "drops", drops);
	json_object_object_add(o, "transport", tp);

	for (uint32_t p = 0; p < c->npeers; p++) {
		struct transport_peer_stats ps;
		struct json_object *po;

		if (p == self(c) || transport_peer_stats(c->tp, p, &ps) < 0)
			continue;
		po = json_object_new_object();
		ADD_U64(po, "links_up", ps.links_up);
		ADD_U64(po, "frames_in", ps.total.frames_in);
		ADD_U64(po, "frames_out", ps.total.frames_out);
		ADD_U64(po, "bytes_in", ps.total.bytes_in);
		ADD_U64(po, "bytes_out", ps.total.bytes_out);
		ADD_U64(po, "keepalives_in", ps.total.keepalives_in);
		ADD_U64(po, "keepalives_out", ps.total.keepalives_out);
		ADD_U64(po, "keepalives_missed", ps.total.keepalives_missed);
		ADD_U64(po, "connects", ps.connects);
		ADD_U64(po, "disconnects", ps.disconnects);
		ADD_U64(po, "rtt_us", ps.total.rtt_avg);
		{
			struct json_object *links = json_object_new_array();

			for (unsigned l = 0; l < ps.links; l++) {
				struct transport_link_stats ls;
				struct json_object *lo;

				if (transport_link_stats(c->tp, p, l, &ls) < 0)
					continue;
				lo = json_object_new_object();
				ADD_U64(lo, "link", l);
				ADD_U64(lo, "frames_in", ls.frames_in);
				ADD_U64(lo, "frames_out", ls.frames_out);
				ADD_U64(lo, "bytes_in", ls.bytes_in);
				ADD_U64(lo, "bytes_out", ls.bytes_out);
				ADD_U64(lo, "keepalives_missed", ls.keepalives_missed);
				ADD_U64(lo, "ups", ls.ups);
				ADD_U64(lo, "downs", ls.downs);
				ADD_U64(lo, "rtt_us", ls.rtt_avg);
				json_object_array_add(links, lo);
			}
			json_object_object_add(po, "links", links);
		}
		snprintf(name, sizeof(name), "node%u", p);
		json_object_object_add(peers, name, po);
	}
	json_object_object_add(o, "peers", peers);

	monitor_get_stats(c->mon, &ms);
	cl = json_object_new_object();
	ADD_U64(cl, "runs", ms.runs);
	ADD_U64(cl, "failed", ms.failed);
	ADD_U64(cl, "timedout", ms.timedout);
	ADD_U64(cl, "overruns", ms.overruns);
	ADD_U64(cl, "health_changes", ms.health_changes);
	ADD_U64(cl, "last_run_ms", ms.last_duration / USEC_PER_MSEC);
	json_object_object_add(o, "monitor", cl);
}

struct json_object *cluster_scriptstatus_json(struct cluster *c)
{
	struct eventscripts *es = monitor_eventscripts(c->mon);
	struct json_object *o = json_object_new_object(), *events = json_object_new_array();

	for (size_t i = 0; es && i < eventscripts_nevents(es); i++) {
		const struct eventscripts_run *run = eventscripts_last_at(es, i);
		struct json_object *e = json_object_new_object(), *scripts = json_object_new_array();

		json_object_object_add(e, "event", json_object_new_string(run->event));
		json_object_object_add(e, "status", json_object_new_string(
			eventscript_status_name(run->status)));
		json_object_object_add(e, "start", herdd_json_time(run->start_wall));
		json_object_object_add(e, "duration_ms", json_object_new_double(
			(double)run->duration / (double)USEC_PER_MSEC));
		for (size_t s = 0; s < run->nscripts; s++) {
			const struct eventscript_result *r = &run->scripts[s];
			struct json_object *so = json_object_new_object();

			json_object_object_add(so, "name", json_object_new_string(r->name));
			json_object_object_add(so, "status", json_object_new_string(
				eventscript_status_name(r->status)));
			json_object_object_add(so, "exit_status", json_object_new_int(r->exit_status));
			json_object_object_add(so, "signal", json_object_new_int(r->signal));
			json_object_object_add(so, "start", herdd_json_time(r->start_wall));
			json_object_object_add(so, "duration_ms", json_object_new_double(
				(double)r->duration / (double)USEC_PER_MSEC));
			json_object_object_add(so, "output", r->output ?
				json_object_new_string_len(r->output, (int)r->output_len) : NULL);
			json_object_object_add(so, "output_truncated",
					       json_object_new_boolean(r->output_truncated));
			json_object_array_add(scripts, so);
		}
		json_object_object_add(e, "scripts", scripts);
		json_object_array_add(events, e);
	}
	json_object_object_add(o, "events_dir", json_object_new_string(c->events_dir ? c->events_dir : ""));
	json_object_object_add(o, "events", events);
	return o;
}
