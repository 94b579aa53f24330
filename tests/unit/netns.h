/*
 * netns.h — a private network namespace for the unit tests that touch the
 * kernel (test_ipnl, test_tickle, test_natgw_apply, test_policyroute_apply,
 * test_lvs_apply, test_transport), and the links they make in it, through
 * libnl-route-3. Nothing touches the host's network: the namespace and
 * every link in it go away when the process exits.
 *
 * A veth's carrier (IFF_RUNNING) follows IFF_UP asynchronously (the
 * kernel's linkwatch work, up to a second on a busy machine), and frames
 * sent on a link without carrier are dropped: netns_veth_up waits for it.
 * A carrier that never comes is a failure of the set-up, not a skip.
 *
 *   netns_setup         the usual group set-up: enter, make veth pairs, or
 *                       say why the kernel tests are skipped
 *   netns_enter         unshare(CLONE_NEWNET) and lo up, or why not (a skip)
 *   netns_link_up       set a link up by name
 *   netns_link_down     set a link down by name
 *   netns_veth_add      a veth pair, both ends down (as the kernel makes it)
 *   netns_veth_up       a veth pair, both ends up and with carrier
 *   netns_wait_running  wait (5 s at most) until a link has carrier
 *   netns_link_del      delete a link (a veth takes its peer with it)
 *   NETNS_NEED          in a cmocka test: skip unless the namespace is there
 *
 * Apart from netns_setup they return 0 or -errno. Each call opens its own
 * netlink socket, so they work in whichever namespace the process is in.
 */
#ifndef HERD_TESTS_NETNS_H
#define HERD_TESTS_NETNS_H

/* How long netns_wait_running waits for a carrier. */
#define NETNS_CARRIER_TIMEOUT_SEC 5

/*
 * The usual cmocka group set-up: netns_enter, then the veth pairs named
 * by the arguments (name, peer, name, peer, ..., NULL; netns_setup(NULL)
 * for none), each made with netns_veth_up. 1: all there. 0: the kernel
 * tests are to be skipped, "PROG: WHY: kernel tests skipped" said on
 * stderr. -1: a carrier never came (said on stderr): the set-up failed.
 */
int netns_setup(const char *name, ...);

/*
 * Enter a network namespace of our own and bring its lo up. On failure
 * *why says why in a few words ("needs root", "unshare(CLONE_NEWNET):
 * Operation not permitted", ...; a static string) for the caller's
 * "NAME: WHY: kernel tests skipped".
 */
int netns_enter(const char **why);

int netns_link_up(const char *name);
int netns_link_down(const char *name);

/* A veth pair name/peer in this namespace, both ends down. */
int netns_veth_add(const char *name, const char *peer);

/*
 * A veth pair name/peer, both ends up, and both with carrier: -ETIMEDOUT
 * (and a line on stderr) when a carrier is still missing after
 * NETNS_CARRIER_TIMEOUT_SEC, any other error when the pair cannot be made.
 */
int netns_veth_up(const char *name, const char *peer);

/*
 * Wait until the link has carrier (IFF_RUNNING): 0, -ETIMEDOUT after
 * NETNS_CARRIER_TIMEOUT_SEC (saying so on stderr, prefixed with the
 * program's name), or -errno (-ENODEV: no such link).
 */
int netns_wait_running(const char *name);

int netns_link_del(const char *name);

/* In a cmocka test (cmocka.h included): skip it unless ok. */
#define NETNS_NEED(ok)                                                         \
	do {                                                                   \
		if (!(ok)) {                                                   \
			print_message("    skipped: needs a network namespace (run as root)\n"); \
			skip();                                                \
		}                                                              \
	} while (0)

#endif
