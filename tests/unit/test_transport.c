/*
 * test_transport.c — the cluster transport (agentd/transport.c, peer.c)
 * over real TCP sockets: two to four transports, one per pnn, in one
 * sd-event loop.
 *
 * The process first enters a network namespace of its own (it must run as
 * root; otherwise every test is skipped; tests/unit/netns.c) and brings
 * its loopback up, so the nodes live on 127.0.0.1-3 (and 127.0.1.1-3 as
 * second links) and nothing touches the host's network. Checked: the handshake and
 * keepalives (RTT measured, local state carried), detection of a closed
 * peer and of a frozen one (SIGSTOP-like: no RST, only silence) with the
 * default and the fastest timings, rejoin from either side, two links
 * with one broken, a node with the wrong key, garbage and forged frames
 * on a listener, a node without a key, and reloading the nodes table.
 * Detection times are printed; they are asserted against generous bounds
 * (the figures for the record come from `make bench`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "agentd/auth.h"
#include "agentd/log.h"
#include "agentd/state.h"
#include "agentd/transport.h"
#include "tests/unit/netns.h"

#define MAXN 4
#define MS 1000 /* µs; an int, so that it compares with signed times */

static bool in_netns;

struct cluster;

struct tnode {
	struct cluster *cl;
	uint32_t pnn;
	struct transport *t;
	bool connected[MAXN];
	bool link_up[MAXN][TRANSPORT_MAX_LINKS];
	usec_t peer_changed_at[MAXN];
	enum transport_reason link_reason[MAXN][TRANSPORT_MAX_LINKS];
	unsigned peer_events[MAXN];
	unsigned link_events;
	unsigned keepalives[MAXN];
	struct herd_keepalive last_ka[MAXN];
	uint32_t last_ka_generation[MAXN];
	usec_t last_ka_at[MAXN];
	unsigned messages;
	uint32_t msg_src, msg_dst, msg_opcode;
	unsigned msg_link;
	char msg_data[64];
};

struct cluster {
	sd_event *e;
	size_t n;
	unsigned nlinks;
	uint16_t port;
	usec_t interval;
	unsigned limit;
	const char *keys[MAXN]; /* NULL: the common key; "": none */
	struct conf_node nodes[MAXN];
	struct tnode node[MAXN];
};

static const char common_key[] = "0123456789abcdef0123456789abcdef";

static void on_link(struct transport *t, uint32_t pnn, unsigned link, bool up,
		    enum transport_reason reason, void *userdata)
{
	struct tnode *n = userdata;

	assert_true(pnn < MAXN && link < TRANSPORT_MAX_LINKS);
	assert_true(n->link_up[pnn][link] != up); /* only transitions */
	n->link_up[pnn][link] = up;
	n->link_reason[pnn][link] = reason;
	n->link_events++;
}

static void on_peer(struct transport *t, uint32_t pnn, bool connected, void *userdata)
{
	struct tnode *n = userdata;

	assert_true(pnn < MAXN);
	assert_true(n->connected[pnn] != connected);
	n->connected[pnn] = connected;
	n->peer_changed_at[pnn] = now_monotonic();
	n->peer_events[pnn]++;
	/* The callback may query: the state agrees with what it reports. */
	assert_int_equal(transport_peer_connected(t, pnn), connected);
}

static void on_keepalive(struct transport *t, uint32_t pnn, unsigned link,
			 const struct herd_hdr *hdr, const struct herd_keepalive *ka, void *userdata)
{
	struct tnode *n = userdata;

	assert_true(pnn < MAXN);
	n->keepalives[pnn]++;
	n->last_ka[pnn] = *ka;
	n->last_ka_generation[pnn] = hdr->generation;
	n->last_ka_at[pnn] = now_monotonic();
}

static void on_message(struct transport *t, uint32_t pnn, unsigned link,
		       const struct herd_hdr *hdr, const struct herd_msg *msg, void *userdata)
{
	struct tnode *n = userdata;

	assert_int_equal(msg->type, HERD_MSG_CONTROL);
	n->messages++;
	n->msg_src = pnn;
	n->msg_dst = hdr->dst;
	n->msg_link = link;
	n->msg_opcode = msg->control.opcode;
	snprintf(n->msg_data, sizeof(n->msg_data), "%.*s", (int)msg->control.datalen,
		 (const char *)msg->control.data);
}

static const struct transport_ops ops = {
	.link_changed = on_link,
	.peer_changed = on_peer,
	.keepalive = on_keepalive,
	.message = on_message,
};

static void addr_of(struct sockaddr_storage *ss, unsigned pnn, unsigned link)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x7f000000u | (link << 8) | (pnn + 1));
}

static void cluster_init(struct cluster *cl, size_t n, unsigned nlinks, uint16_t port,
			 usec_t interval, unsigned limit)
{
	memset(cl, 0, sizeof(*cl));
	assert_int_equal(sd_event_new(&cl->e), 0);
	cl->n = n;
	cl->nlinks = nlinks;
	cl->port = port;
	cl->interval = interval;
	cl->limit = limit;
	for (unsigned i = 0; i < n; i++) {
		cl->nodes[i].pnn = i;
		cl->nodes[i].naddrs = nlinks;
		for (unsigned l = 0; l < nlinks; l++)
			addr_of(&cl->nodes[i].addrs[l], i, l);
		cl->node[i].cl = cl;
		cl->node[i].pnn = i;
	}
}

/* Start node i with a nodes table of nn entries (0: the whole cluster). */
static void node_start_n(struct cluster *cl, unsigned i, size_t nn)
{
	const char *key = cl->keys[i] ? cl->keys[i] : common_key;
	struct transport_config cfg = {
		.pnn = i,
		.nodes = cl->nodes,
		.nnodes = nn ? nn : cl->n,
		.port = cl->port,
		.cluster_name = "test",
		.key = (const uint8_t *)key,
		.keylen = strlen(key),
		.keepalive_interval = cl->interval,
		.keepalive_limit = cl->limit,
	};
	struct tnode *n = &cl->node[i];

	assert_null(n->t);
	memset(n->connected, 0, sizeof(n->connected));
	memset(n->link_up, 0, sizeof(n->link_up));
	assert_int_equal(transport_new(cl->e, &cfg, &ops, n, &n->t), 0);
	assert_int_equal(transport_pnn(n->t), i);
}

static void node_start(struct cluster *cl, unsigned i)
{
	node_start_n(cl, i, 0);
}

static void node_stop(struct cluster *cl, unsigned i)
{
	transport_free(cl->node[i].t);
	cl->node[i].t = NULL;
}

static void cluster_free(struct cluster *cl)
{
	for (unsigned i = 0; i < cl->n; i++)
		node_stop(cl, i);
	/* Let nothing linger in the loop (the transports removed their
	 * sources), then drop it. */
	sd_event_unref(cl->e);
}

typedef bool (*pred_fn)(struct cluster *cl, void *arg);

/* Run the loop until pred holds; the time it took, or -1 on timeout. */
static int64_t run_until(struct cluster *cl, pred_fn pred, void *arg, usec_t timeout)
{
	usec_t start = now_monotonic();

	for (;;) {
		usec_t now = now_monotonic();

		if (pred(cl, arg))
			return (int64_t)(now - start);
		if (now - start >= timeout)
			return -1;
		assert_true(sd_event_run(cl->e, 10 * MS) >= 0);
	}
}

static bool never(struct cluster *cl, void *arg)
{
	return false;
}

static void run_for(struct cluster *cl, usec_t d)
{
	(void)run_until(cl, never, NULL, d);
}

/* Every running node connected to every other running node. */
static bool all_connected(struct cluster *cl, void *arg)
{
	for (unsigned i = 0; i < cl->n; i++)
		for (unsigned j = 0; j < cl->n; j++)
			if (i != j && cl->node[i].t && cl->node[j].t &&
			    !cl->node[i].connected[j])
				return false;
	return true;
}

/* ... and every link of it up. */
static bool all_links_up(struct cluster *cl, void *arg)
{
	for (unsigned i = 0; i < cl->n; i++)
		for (unsigned j = 0; j < cl->n; j++)
			for (unsigned l = 0; l < cl->nlinks; l++)
				if (i != j && cl->node[i].t && cl->node[j].t &&
				    !cl->node[i].link_up[j][l])
					return false;
	return true;
}

/* Every other running node sees node *arg disconnected. */
static bool all_lost(struct cluster *cl, void *arg)
{
	unsigned p = *(unsigned *)arg;

	for (unsigned i = 0; i < cl->n; i++)
		if (i != p && cl->node[i].t && cl->node[i].connected[p])
			return false;
	return true;
}

static void print_ms(const char *what, int64_t us)
{
	print_message("    %-52s %7.1f ms\n", what, (double)us / 1000.0);
}

#define NEED_NETNS() NETNS_NEED(in_netns)

/* Handshake, keepalives, RTT, local state, sending. */
static void test_handshake(void **state)
{
	struct cluster cl;
	struct transport_link_stats ls;
	struct transport_peer_stats ps;
	struct transport_peer_info info;
	struct transport_stats st;
	struct transport_local loc = {
		.node_flags = NODE_FLAG_UNHEALTHY,
		.capabilities = NODE_CAP_RECMASTER,
		.leader = 0,
		.generation = 7,
		.status = HERD_KA_F_LOCK_HELD,
	};
	struct herd_msg m = {
		.type = HERD_MSG_CONTROL,
		.control = { .opcode = 42, .reqid = 1, .datalen = 5,
			     .data = (const uint8_t *)"hello" },
	};
	usec_t start;
	int64_t us;

	NEED_NETNS();
	cluster_init(&cl, 3, 1, 14380, 100 * MS, 3);
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	us = run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC);
	assert_true(us >= 0);
	print_ms("3 nodes: start to all connected", us);

	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++) {
			if (i == j) {
				assert_int_equal(transport_link_state(cl.node[i].t, j, 0),
						 TRANSPORT_LINK_NONE);
				assert_int_equal(transport_peer_links(cl.node[i].t, j), 0);
				continue;
			}
			assert_int_equal(transport_link_state(cl.node[i].t, j, 0), TRANSPORT_LINK_UP);
			assert_int_equal(transport_link_state(cl.node[i].t, j, 1), TRANSPORT_LINK_NONE);
			assert_int_equal(transport_peer_links(cl.node[i].t, j), 1);
			assert_true(transport_peer_connected(cl.node[i].t, j));
			assert_int_equal(cl.node[i].link_reason[j][0], TRANSPORT_R_HANDSHAKE);
		}

	/* Keepalives flow on every link; the RTT is measured. */
	cl.node[1].keepalives[0] = 0;
	run_for(&cl, 650 * MS);
	assert_in_range(cl.node[1].keepalives[0], 3, 12);
	assert_int_equal(transport_link_stats(cl.node[1].t, 0, 0, &ls), 0);
	assert_true(ls.keepalives_in >= 4 && ls.keepalives_out >= 4);
	assert_true(ls.rtt_samples >= 3);
	assert_true(ls.rtt_avg < 50 * MS && ls.rtt_min <= ls.rtt_avg && ls.rtt_avg <= ls.rtt_max);
	assert_true(ls.keepalives_missed <= 2); /* 0 unless the machine stalls */
	assert_int_equal(ls.ups, 1);
	assert_int_equal(ls.downs, 0);
	assert_true(ls.frames_in >= ls.keepalives_in && ls.bytes_in > ls.frames_in * 32);
	assert_int_equal(ls.last_reason, TRANSPORT_R_HANDSHAKE);
	print_message("    rtt on loopback: last %lu us, avg %lu us, %lu samples\n",
		      (unsigned long)ls.rtt_last, (unsigned long)ls.rtt_avg,
		      (unsigned long)ls.rtt_samples);
	assert_int_equal(transport_peer_stats(cl.node[1].t, 0, &ps), 0);
	assert_true(ps.connected && ps.links == 1 && ps.links_up == 1 && ps.connects == 1);
	assert_true(ps.total.keepalives_in == ls.keepalives_in && ps.total.rtt_samples > 0);
	assert_int_equal(transport_peer_stats(cl.node[1].t, 1, &ps), -ENOENT);
	assert_int_equal(transport_link_stats(cl.node[1].t, 0, 1, &ls), -ENOENT);
	transport_stats(cl.node[1].t, &st);
	assert_true(st.frames_in > 0 && st.accepts >= 1);
	for (unsigned r = 0; r < TRANSPORT_R_MAX; r++)
		assert_int_equal(st.drops[r], 0);

	/* Our state reaches the peers at once, not at the next beat. */
	cl.node[1].keepalives[0] = 0;
	start = now_monotonic();
	transport_set_local(cl.node[0].t, &loc);
	while (cl.node[1].keepalives[0] == 0)
		assert_true(sd_event_run(cl.e, 10 * MS) >= 0);
	assert_true(now_monotonic() - start < 50 * MS);
	assert_int_equal(cl.node[1].last_ka[0].node_flags, NODE_FLAG_UNHEALTHY);
	assert_int_equal(cl.node[1].last_ka[0].status, HERD_KA_F_LOCK_HELD);
	assert_int_equal(cl.node[1].last_ka[0].leader, 0);
	assert_int_equal(cl.node[1].last_ka[0].capabilities, NODE_CAP_RECMASTER);
	assert_int_equal(cl.node[1].last_ka_generation[0], 7);
	assert_int_equal(transport_peer_info(cl.node[1].t, 0, &info), 0);
	assert_true(info.hello && info.keepalive && info.start_time > 0);
	assert_int_equal(info.generation, 7);
	assert_int_equal(info.leader, 0);
	assert_int_equal(transport_peer_info(cl.node[1].t, 1, &info), -ENOENT);

	/* Unicast and broadcast. */
	assert_int_equal(transport_send(cl.node[0].t, 2, &m, 7), 0);
	while (cl.node[2].messages == 0)
		assert_true(sd_event_run(cl.e, 10 * MS) >= 0);
	assert_int_equal(cl.node[2].msg_src, 0);
	assert_int_equal(cl.node[2].msg_dst, 2);
	assert_int_equal(cl.node[2].msg_opcode, 42);
	assert_string_equal(cl.node[2].msg_data, "hello");
	m.control.opcode = 43;
	assert_int_equal(transport_send(cl.node[1].t, HERD_PNN_BROADCAST, &m, 7), 2);
	while (cl.node[0].messages == 0 || cl.node[2].messages == 1)
		assert_true(sd_event_run(cl.e, 10 * MS) >= 0);
	assert_int_equal(cl.node[0].msg_dst, HERD_PNN_BROADCAST);
	assert_int_equal(cl.node[2].msg_opcode, 43);
	assert_int_equal(cl.node[2].msg_src, 1);
	assert_int_equal(transport_send(cl.node[1].t, 1, &m, 7), -EINVAL);
	assert_int_equal(transport_send(cl.node[1].t, 9, &m, 7), -ENOENT);
	m.type = HERD_MSG_KEEPALIVE;
	assert_int_equal(transport_send(cl.node[1].t, 0, &m, 7), -EINVAL);
	assert_int_equal(cl.node[1].link_events, 2);
	cluster_free(&cl);
}

/*
 * A peer that goes away closes its sockets: seen at once. It comes back:
 * rejoined at once, whether it is the lowest pnn (it dials on start) or the
 * highest, away long enough for the others' backoff to have grown past a
 * second (its knock makes them dial now).
 */
static void test_close_and_rejoin(void **state)
{
	struct cluster cl;
	struct transport_link_stats ls;
	unsigned p;
	int64_t us;

	NEED_NETNS();
	cluster_init(&cl, 3, 1, 14381, 250 * MS, 4);
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	assert_true(run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC) >= 0);

	for (p = 3; p-- > 0;) {
		if (p == 1)
			continue;
		node_stop(&cl, p);
		us = run_until(&cl, all_lost, &p, 3 * USEC_PER_SEC);
		assert_true(us >= 0);
		print_ms(p == 2 ? "node 2 (highest) closed: DISCONNECTED after"
				: "node 0 (lowest) closed: DISCONNECTED after", us);
		assert_true(us < 1000 * MS); /* RST/FIN: in practice under 1 ms */
		for (unsigned i = 0; i < 3; i++)
			if (i != p)
				assert_int_equal(cl.node[i].link_reason[p][0], TRANSPORT_R_CLOSED);
		/* The others are still connected to each other. */
		assert_true(cl.node[1].connected[2 - p]);

		if (p == 2) /* the others' retries: at 0, .1, .3, .7, 1.5, 3.1 s */
			run_for(&cl, 1600 * MS);
		node_start(&cl, p);
		us = run_until(&cl, all_connected, NULL, 3 * USEC_PER_SEC);
		assert_true(us >= 0);
		print_ms(p == 2 ? "node 2 restarted: all connected after"
				: "node 0 restarted: all connected after", us);
		assert_true(us < 1000 * MS); /* without the knock: ~1.5 s */
	}
	assert_int_equal(transport_link_stats(cl.node[1].t, 2, 0, &ls), 0);
	assert_int_equal(ls.ups, 2);
	assert_int_equal(ls.downs, 1);
	assert_int_equal(ls.last_reason, TRANSPORT_R_HANDSHAKE);
	cluster_free(&cl);
}

/* Freeze node p (no RST, just silence) and time its detection. */
static int64_t freeze_detect(struct cluster *cl, unsigned p)
{
	usec_t start;
	int64_t us;

	transport_test_freeze(cl->node[p].t, true);
	start = now_monotonic();
	us = run_until(cl, all_lost, &p, 10 * cl->interval * cl->limit);
	assert_true(us >= 0);
	for (unsigned i = 0; i < cl->n; i++) {
		if (i == p)
			continue;
		assert_int_equal(cl->node[i].link_reason[p][0], TRANSPORT_R_TIMEOUT);
		/* Each node's own detection, not the loop's last one. */
		us = MAX(us, (int64_t)(cl->node[i].peer_changed_at[p] - start));
	}
	return us;
}

static void test_freeze(void **state)
{
	struct cluster cl;
	struct transport_link_stats ls;
	unsigned p = 1;
	int64_t us;

	NEED_NETNS();
	/* The defaults: 250 ms x 4. */
	cluster_init(&cl, 3, 1, 14382, 250 * MS, 4);
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	assert_true(run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC) >= 0);
	run_for(&cl, 300 * MS);
	us = freeze_detect(&cl, p);
	print_ms("250 ms x 4: frozen node DISCONNECTED after", us);
	assert_true(us >= 600 * MS && us <= 3 * 1000 * MS);
	assert_true(cl.node[0].connected[2] && cl.node[2].connected[0]);
	assert_int_equal(transport_link_stats(cl.node[0].t, 1, 0, &ls), 0);
	assert_true(ls.keepalives_missed >= 2);
	assert_int_equal(ls.last_reason, TRANSPORT_R_TIMEOUT);

	/* Thawed, it finds its connections closed and rejoins. */
	transport_test_freeze(cl.node[p].t, false);
	us = run_until(&cl, all_connected, NULL, 5 * USEC_PER_SEC);
	assert_true(us >= 0);
	print_ms("thawed: all connected after", us);
	cluster_free(&cl);

	/* The fastest supported: 100 ms x 3. */
	cluster_init(&cl, 3, 1, 14383, 100 * MS, 3);
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	assert_true(run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC) >= 0);
	run_for(&cl, 150 * MS);
	p = 2;
	us = freeze_detect(&cl, p);
	print_ms("100 ms x 3: frozen node DISCONNECTED after", us);
	assert_true(us >= 150 * MS && us <= 900 * MS);
	cluster_free(&cl);
}

/* Two links: one broken, the peer stays connected; traffic moves over. */
static void test_two_links(void **state)
{
	struct cluster cl;
	struct herd_msg m = {
		.type = HERD_MSG_CONTROL,
		.control = { .opcode = 1, .datalen = 3, .data = (const uint8_t *)"abc" },
	};
	unsigned events;
	int64_t us;

	NEED_NETNS();
	cluster_init(&cl, 3, 2, 14384, 100 * MS, 3);
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	us = run_until(&cl, all_links_up, NULL, 2 * USEC_PER_SEC);
	assert_true(us >= 0);
	print_ms("3 nodes x 2 links: all links up after", us);
	assert_int_equal(transport_peer_links(cl.node[0].t, 1), 2);

	/* Node 1 loses link 1. */
	events = cl.node[0].peer_events[1] + cl.node[2].peer_events[1];
	assert_int_equal(transport_test_break_link(cl.node[1].t, 1, true), 0);
	run_for(&cl, 500 * MS);
	for (unsigned i = 0; i < 3; i += 2) {
		assert_false(cl.node[i].link_up[1][1]);
		assert_true(cl.node[i].link_up[1][0]);
		assert_true(cl.node[i].connected[1]);
		assert_int_equal(transport_link_state(cl.node[i].t, 1, 0), TRANSPORT_LINK_UP);
		assert_int_not_equal(transport_link_state(cl.node[i].t, 1, 1), TRANSPORT_LINK_UP);
		assert_int_equal(cl.node[i].link_reason[1][1], TRANSPORT_R_CLOSED);
		assert_true(cl.node[1].connected[i]);
		assert_false(cl.node[1].link_up[i][1]);
	}
	assert_int_equal(cl.node[0].peer_events[1] + cl.node[2].peer_events[1], events);
	/* Nodes 0 and 2 keep both links between them. */
	assert_true(cl.node[0].link_up[2][1] && cl.node[2].link_up[0][1]);

	/* Node 2 loses link 0: messages to it take link 1. */
	assert_int_equal(transport_test_break_link(cl.node[2].t, 0, true), 0);
	run_for(&cl, 300 * MS);
	assert_false(cl.node[0].link_up[2][0]);
	assert_true(cl.node[0].connected[2]);
	assert_int_equal(transport_send(cl.node[0].t, 2, &m, 0), 0);
	while (cl.node[2].messages == 0)
		assert_true(sd_event_run(cl.e, 10 * MS) >= 0);
	assert_int_equal(cl.node[2].msg_link, 1);
	/* Node 1 and node 2 now share no link. */
	assert_false(cl.node[1].connected[2]);
	assert_false(cl.node[2].connected[1]);
	assert_int_equal(transport_send(cl.node[1].t, 2, &m, 0), -ENOTCONN);
	assert_int_equal(transport_send(cl.node[1].t, HERD_PNN_BROADCAST, &m, 0), 1);

	/* Mended: everything comes back. */
	assert_int_equal(transport_test_break_link(cl.node[1].t, 1, false), 0);
	assert_int_equal(transport_test_break_link(cl.node[2].t, 0, false), 0);
	us = run_until(&cl, all_links_up, NULL, 3 * USEC_PER_SEC);
	assert_true(us >= 0);
	print_ms("links mended: all links up after", us);
	cluster_free(&cl);
}

/* A node with another key never joins; its frames are counted. */
static void test_wrong_key(void **state)
{
	struct cluster cl;
	struct transport_stats st;

	NEED_NETNS();
	cluster_init(&cl, 3, 1, 14385, 100 * MS, 3);
	cl.keys[2] = "another key, not the cluster's one";
	for (unsigned i = 0; i < 3; i++)
		node_start(&cl, i);
	run_for(&cl, 800 * MS);
	assert_true(cl.node[0].connected[1] && cl.node[1].connected[0]);
	for (unsigned i = 0; i < 2; i++) {
		assert_false(cl.node[i].connected[2]);
		assert_false(cl.node[2].connected[i]);
		assert_int_equal(cl.node[i].peer_events[2], 0);
		assert_int_equal(cl.node[2].peer_events[i], 0);
	}
	/* Node 2 refuses the others' dials; they refuse its knocks. */
	transport_stats(cl.node[2].t, &st);
	assert_true(st.drops[TRANSPORT_R_BAD_MAC] >= 2);
	print_message("    node 2 dropped %lu frames for a bad MAC\n",
		      (unsigned long)st.drops[TRANSPORT_R_BAD_MAC]);
	for (unsigned i = 0; i < 2; i++) {
		transport_stats(cl.node[i].t, &st);
		assert_true(st.drops[TRANSPORT_R_BAD_MAC] >= 1);
	}
	cluster_free(&cl);
}

/* Raw connections to node 1's listener. */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int raw_connect(unsigned src_host, uint16_t port)
{
	struct sockaddr_storage src, dst;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	addr_of(&src, src_host, 0);
	addr_of(&dst, 1, 0);
	((struct sockaddr_in *)&dst)->sin_port = htons(port);
	assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(struct sockaddr_in)), 0);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(struct sockaddr_in)) < 0)
		assert_int_equal(errno, EINPROGRESS);
	return fd;
}

static void raw_write(struct cluster *cl, int fd, const void *p, size_t n)
{
	usec_t start = now_monotonic();
	size_t off = 0;

	while (off < n) {
		ssize_t w = send(fd, (const uint8_t *)p + off, n - off, MSG_NOSIGNAL);

		if (w < 0) {
			assert_true(errno == EAGAIN || errno == ENOTCONN);
			assert_true(now_monotonic() - start < USEC_PER_SEC);
			assert_true(sd_event_run(cl->e, 5 * MS) >= 0);
			continue;
		}
		off += (size_t)w;
	}
}

/* A frame from pnn src (signed with key unless NULL) into w. */
static void raw_frame(struct wbuf *w, uint32_t src, uint32_t dst, uint64_t seq,
		      const struct herd_msg *m, const char *key)
{
	struct herd_hdr h = { .flags = key ? HERD_HDR_F_MAC : 0, .src = src, .dst = dst,
			      .seq = seq };
	size_t start = w->len;

	assert_int_equal(herd_frame_push(w, &h, m), 0);
	if (key)
		assert_int_equal(herd_frame_sign(w->data + start, w->len - start,
						 (const uint8_t *)key, strlen(key)), 0);
}

static void hello_msg(struct herd_msg *m, uint32_t pnn, const char *cluster)
{
	memset(m, 0, sizeof(*m));
	m->type = HERD_MSG_HELLO;
	m->hello.pnn = pnn;
	m->hello.nonce = 12345;
	m->hello.start_time = 1;
	snprintf(m->hello.cluster, sizeof(m->hello.cluster), "%s", cluster);
}

struct drop_wait {
	struct transport *t;
	enum transport_reason r;
	uint64_t want;
};

static bool dropped(struct cluster *cl, void *arg)
{
	struct drop_wait *d = arg;
	struct transport_stats st;

	transport_stats(d->t, &st);
	return st.drops[d->r] >= d->want;
}

/* Write bytes on a new raw connection from src_host; expect a drop. */
static void expect_drop(struct cluster *cl, unsigned src_host, const void *p, size_t n,
			enum transport_reason r)
{
	struct transport_stats st;
	struct drop_wait d = { .t = cl->node[1].t, .r = r };
	int fd = raw_connect(src_host, cl->port);
	uint8_t buf[512];
	ssize_t got;

	transport_stats(d.t, &st);
	d.want = st.drops[r] + 1;
	raw_write(cl, fd, p, n);
	if (run_until(cl, dropped, &d, 2 * USEC_PER_SEC) < 0)
		fail_msg("no %s drop", transport_reason_name(r));
	/* The connection was closed on us (after at most node 1's HELLO and
	 * first KEEPALIVE, when ours passed). */
	run_for(cl, 20 * MS);
	do
		got = recv(fd, buf, sizeof(buf), 0);
	while (got > 0);
	assert_true(got == 0 || errno == ECONNRESET);
	close(fd);
}

static void test_garbage(void **state)
{
	struct cluster cl;
	struct transport_stats st;
	struct wbuf w;
	struct herd_msg m;
	struct herd_hdr h;
	uint8_t hdr[HERD_HDR_LEN];
	char junk[64];
	unsigned events;
	int fd;

	NEED_NETNS();
	cluster_init(&cl, 2, 1, 14386, 100 * MS, 3);
	for (unsigned i = 0; i < 2; i++)
		node_start(&cl, i);
	assert_true(run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC) >= 0);
	events = cl.node[0].link_events + cl.node[1].link_events;

	/* Not our protocol at all. */
	snprintf(junk, sizeof(junk), "GET / HTTP/1.0\r\nHost: herd\r\n\r\nxxxxxxxxxxxxxxxxx");
	expect_drop(&cl, 0, junk, sizeof(junk), TRANSPORT_R_BAD_FRAME);
	/* Headers: too long for the protocol, too long before the handshake,
	 * another version. */
	h = (struct herd_hdr){ .type = HERD_MSG_HELLO, .length = HERD_FRAME_MAX + 1 };
	herd_hdr_push(hdr, &h);
	expect_drop(&cl, 0, hdr, sizeof(hdr), TRANSPORT_R_OVERSIZE);
	h.length = 100000;
	herd_hdr_push(hdr, &h);
	expect_drop(&cl, 0, hdr, sizeof(hdr), TRANSPORT_R_OVERSIZE);
	h.length = 64;
	herd_hdr_push(hdr, &h);
	hdr[HERD_OFF_VERSION] = HERD_VERSION + 7;
	expect_drop(&cl, 0, hdr, sizeof(hdr), TRANSPORT_R_VERSION);

	/* Well-formed frames that must not pass. */
	wbuf_init(&w, 0);
	hello_msg(&m, 0, "test");
	raw_frame(&w, 0, 1, 0, &m, NULL); /* no MAC */
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_BAD_MAC);
	wbuf_reset(&w);
	raw_frame(&w, 0, 1, 0, &m, "not the key");
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_BAD_MAC);
	wbuf_reset(&w);
	hello_msg(&m, 0, "other");
	raw_frame(&w, 0, 1, 0, &m, common_key);
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_WRONG_CLUSTER);
	wbuf_reset(&w);
	hello_msg(&m, 0, "test");
	raw_frame(&w, 0, 1, 0, &m, common_key);
	expect_drop(&cl, 8, w.data, w.len, TRANSPORT_R_BAD_ADDRESS); /* from 127.0.0.9 */
	wbuf_reset(&w);
	hello_msg(&m, 7, "test");
	raw_frame(&w, 7, 1, 0, &m, common_key);
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_UNKNOWN_PEER);
	wbuf_reset(&w);
	hello_msg(&m, 0, "test");
	raw_frame(&w, 0, 1, 5, &m, common_key); /* a HELLO has seq 0 */
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_REPLAY);
	wbuf_reset(&w);
	m = (struct herd_msg){ .type = HERD_MSG_KEEPALIVE };
	raw_frame(&w, 0, 1, 0, &m, common_key); /* no HELLO first */
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_BAD_FRAME);

	/* A recorded HELLO replayed, then a frame that cannot follow it
	 * (its seq is not node 1's fresh nonce + 1): never replaces the
	 * real connection. */
	wbuf_reset(&w);
	hello_msg(&m, 0, "test");
	raw_frame(&w, 0, 1, 0, &m, common_key);
	m = (struct herd_msg){ .type = HERD_MSG_KEEPALIVE };
	raw_frame(&w, 0, 1, 12345 + 1, &m, common_key);
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_REPLAY);

	/* Half a header, then silence: the handshake times out. */
	{
		struct drop_wait d = { .t = cl.node[1].t, .r = TRANSPORT_R_HANDSHAKE_TIMEOUT };

		transport_stats(d.t, &st);
		d.want = st.drops[d.r] + 1;
		fd = raw_connect(0, cl.port);
		raw_write(&cl, fd, hdr, 10);
		assert_true(run_until(&cl, dropped, &d, 3 * USEC_PER_SEC) >= 0);
		close(fd);
	}
	wbuf_free(&w);

	/* A flood of silent connections: beyond 64 in handshake they are
	 * refused at once; the rest time out. */
	{
		struct drop_wait d = { .t = cl.node[1].t, .r = TRANSPORT_R_HANDSHAKE_TIMEOUT };
		int fds[70];

		transport_stats(d.t, &st);
		d.want = st.drops[d.r] + 64;
		for (unsigned i = 0; i < ARRAY_SIZE(fds); i++)
			fds[i] = raw_connect(0, cl.port);
		assert_true(run_until(&cl, dropped, &d, 3 * USEC_PER_SEC) >= 0);
		transport_stats(d.t, &st);
		assert_true(st.drops[TRANSPORT_R_OVERLOAD] >= 6);
		for (unsigned i = 0; i < ARRAY_SIZE(fds); i++)
			close(fds[i]);
	}

	/* Random bytes, some behind a valid header start: every connection
	 * is closed, whatever it sent. */
	{
		uint64_t seed = 0x1234567;
		int fds[40];
		uint8_t data[600];

		for (unsigned i = 0; i < ARRAY_SIZE(fds); i++) {
			size_t n = 1 + (size_t)(xorshift(&seed) % sizeof(data));

			for (size_t j = 0; j < n; j++)
				data[j] = (uint8_t)xorshift(&seed);
			if (i % 2 == 0 && n >= 8)
				memcpy(data, "HRD1\x02", 5);
			fds[i] = raw_connect(0, cl.port);
			raw_write(&cl, fds[i], data, n);
		}
		run_for(&cl, 800 * MS); /* past the handshake timeout */
		for (unsigned i = 0; i < ARRAY_SIZE(fds); i++) {
			uint8_t buf[512];
			ssize_t got;

			do
				got = recv(fds[i], buf, sizeof(buf), 0);
			while (got > 0);
			assert_true(got == 0 || errno == ECONNRESET);
			close(fds[i]);
		}
	}

	/* Through all this, the real link never moved and still works. */
	assert_int_equal(cl.node[0].link_events + cl.node[1].link_events, events);
	assert_true(cl.node[0].connected[1] && cl.node[1].connected[0]);
	m = (struct herd_msg){ .type = HERD_MSG_CONTROL,
			       .control = { .opcode = 5, .datalen = 2, .data = (const uint8_t *)"ok" } };
	assert_int_equal(transport_send(cl.node[0].t, 1, &m, 0), 0);
	while (cl.node[1].messages == 0)
		assert_true(sd_event_run(cl.e, 10 * MS) >= 0);
	assert_string_equal(cl.node[1].msg_data, "ok");
	transport_stats(cl.node[1].t, &st);
	print_message("    node 1 drops: bad-frame %lu oversize %lu version %lu bad-mac %lu "
		      "wrong-cluster %lu bad-address %lu unknown-peer %lu replay %lu "
		      "handshake-timeout %lu overload %lu\n",
		      (unsigned long)st.drops[TRANSPORT_R_BAD_FRAME],
		      (unsigned long)st.drops[TRANSPORT_R_OVERSIZE],
		      (unsigned long)st.drops[TRANSPORT_R_VERSION],
		      (unsigned long)st.drops[TRANSPORT_R_BAD_MAC],
		      (unsigned long)st.drops[TRANSPORT_R_WRONG_CLUSTER],
		      (unsigned long)st.drops[TRANSPORT_R_BAD_ADDRESS],
		      (unsigned long)st.drops[TRANSPORT_R_UNKNOWN_PEER],
		      (unsigned long)st.drops[TRANSPORT_R_REPLAY],
		      (unsigned long)st.drops[TRANSPORT_R_HANDSHAKE_TIMEOUT],
		      (unsigned long)st.drops[TRANSPORT_R_OVERLOAD]);
	cluster_free(&cl);
}

/* Without a key: frames carry no MAC, and one that does is refused. */
static void test_no_key(void **state)
{
	struct cluster cl;
	struct wbuf w;
	struct herd_msg m;

	NEED_NETNS();
	cluster_init(&cl, 2, 1, 14387, 100 * MS, 3);
	cl.keys[0] = cl.keys[1] = "";
	for (unsigned i = 0; i < 2; i++)
		node_start(&cl, i);
	assert_true(run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC) >= 0);
	wbuf_init(&w, 0);
	hello_msg(&m, 0, "test");
	raw_frame(&w, 0, 1, 0, &m, common_key);
	expect_drop(&cl, 0, w.data, w.len, TRANSPORT_R_BAD_MAC);
	wbuf_free(&w);
	assert_true(cl.node[0].connected[1] && cl.node[1].connected[0]);
	cluster_free(&cl);
}

/* reloadnodes: a node added at run time, then removed. */
static void test_set_nodes(void **state)
{
	struct cluster cl;
	struct conf_node nodes[3];
	int64_t us;
	unsigned p = 2;

	NEED_NETNS();
	cluster_init(&cl, 3, 1, 14388, 100 * MS, 3);
	/* Nodes 0 and 1 know of two nodes; node 2 knows of three. */
	node_start_n(&cl, 0, 2);
	node_start_n(&cl, 1, 2);
	node_start(&cl, 2);
	run_for(&cl, 400 * MS);
	assert_true(cl.node[0].connected[1]);
	assert_false(cl.node[0].connected[2] || cl.node[2].connected[0]);
	assert_int_equal(transport_peer_links(cl.node[0].t, 2), 0);

	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(transport_set_nodes(cl.node[i].t, cl.nodes, 3), 0);
	us = run_until(&cl, all_connected, NULL, 2 * USEC_PER_SEC);
	assert_true(us >= 0);
	print_ms("node 2 added by reload: all connected after", us);
	assert_int_equal(cl.node[0].peer_events[1], 1); /* untouched */

	/* Node 2 deleted ("#ADDR"): its connections close. */
	memcpy(nodes, cl.nodes, sizeof(nodes));
	nodes[2].deleted = true;
	nodes[2].naddrs = 0;
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(transport_set_nodes(cl.node[i].t, nodes, 3), 0);
		assert_false(cl.node[i].connected[2]);
		assert_int_equal(cl.node[i].link_reason[2][0], TRANSPORT_R_SHUTDOWN);
		assert_int_equal(transport_peer_links(cl.node[i].t, 2), 0);
	}
	assert_true(run_until(&cl, all_lost, &p, USEC_PER_SEC) >= 0);
	assert_true(cl.node[0].connected[1]);

	/* This node's own addresses cannot change without a restart. */
	addr_of(&nodes[0].addrs[0], 5, 0);
	assert_int_equal(transport_set_nodes(cl.node[0].t, nodes, 3), -EINVAL);
	cluster_free(&cl);
}

static void test_names(void **state)
{
	assert_string_equal(transport_reason_name(TRANSPORT_R_BAD_MAC), "bad-mac");
	assert_string_equal(transport_reason_name(TRANSPORT_R_TIMEOUT), "timeout");
	assert_string_equal(transport_reason_name(TRANSPORT_R_MAX), "unknown");
	for (unsigned r = 0; r < TRANSPORT_R_MAX; r++)
		assert_string_not_equal(transport_reason_name(r), "unknown");
	assert_false(transport_reason_is_drop(TRANSPORT_R_CLOSED));
	assert_true(transport_reason_is_drop(TRANSPORT_R_REPLAY));
	assert_string_equal(transport_link_state_name(TRANSPORT_LINK_UP), "up");
	assert_string_equal(transport_link_state_name(TRANSPORT_LINK_CONNECTING), "connecting");
}

static void test_bad_config(void **state)
{
	struct conf_node nodes[2] = { { .pnn = 0, .naddrs = 1 }, { .pnn = 1, .naddrs = 1 } };
	struct transport_config cfg = {
		.pnn = 0, .nodes = nodes, .nnodes = 2, .port = 14389, .cluster_name = "x",
		.keepalive_interval = 100 * MS, .keepalive_limit = 3,
	};
	struct transport *t = NULL;
	sd_event *e;

	NEED_NETNS();
	addr_of(&nodes[0].addrs[0], 0, 0);
	addr_of(&nodes[1].addrs[0], 1, 0);
	assert_int_equal(sd_event_new(&e), 0);
	cfg.pnn = 2;
	assert_int_equal(transport_new(e, &cfg, &ops, NULL, &t), -EINVAL);
	cfg.pnn = 0;
	cfg.keepalive_interval = 0;
	assert_int_equal(transport_new(e, &cfg, &ops, NULL, &t), -EINVAL);
	cfg.keepalive_interval = 100 * MS;
	nodes[0].deleted = true;
	assert_int_equal(transport_new(e, &cfg, &ops, NULL, &t), -EINVAL);
	nodes[0].deleted = false;
	assert_int_equal(transport_new(e, &cfg, NULL, NULL, &t), 0);
	{
		/* The port is taken: a second one fails to bind. */
		struct transport *t2 = NULL;

		assert_int_equal(transport_new(e, &cfg, NULL, NULL, &t2), -EADDRINUSE);
		assert_null(t2);
	}
	transport_free(t);
	transport_free(NULL);
	sd_event_unref(e);
}

/* Enter a network namespace of our own and bring its loopback up. */
static int setup(void **state)
{
	log_open("test_transport", LOG_TARGET_STDERR);
	if (getenv("HERD_TEST_DEBUG"))
		log_set_level(LOG_DEBUG);
	in_netns = netns_setup(NULL) > 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_close_and_rejoin),
		cmocka_unit_test(test_freeze),
		cmocka_unit_test(test_two_links),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_no_key),
		cmocka_unit_test(test_set_nodes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
