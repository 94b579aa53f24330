/*
 * test_ipnl.c — failover's netlink and raw-socket layer against the real
 * kernel: addresses (failover/ipaddr.c), gratuitous ARP and unsolicited
 * neighbour advertisements (failover/arp.c), link monitoring on sd-event
 * (failover/iflink.c), and the pure interface-health rule
 * (failover/ifhealth.c) with a table.
 *
 * The process first enters a network namespace of its own (it must run as
 * root; otherwise every kernel test is skipped) and makes a veth pair
 * hv0/hv1 there, both up and with carrier (tests/unit/netns.c); nothing
 * touches the host's network, and the namespace and everything in it
 * vanish when the process exits. The node side is hv0; hv1 plays the
 * neighbour that receives ARP and NA frames.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "failover/arp.h"
#include "failover/ifhealth.h"
#include "failover/iflink.h"
#include "failover/ipaddr.h"
#include "tests/unit/netns.h"

struct fixture {
	bool in_netns;
};

#define NEED_NETNS(f) NETNS_NEED((f)->in_netns)

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(s, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

static void mac_of(const char *ifname, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
}

/* ---- interface health: a pure table ---- */

static void pa_set(struct conf_pubaddr *pa, const char *ifs)
{
	char buf[128], *save = NULL;

	memset(pa, 0, sizeof(*pa));
	snprintf(buf, sizeof(buf), "%s", ifs);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		snprintf(pa->ifaces[pa->nifaces++], HERD_IFNAME_MAX, "%s", t);
}

static void test_health_table(void **state)
{
	static const struct {
		const char *addrs[4]; /* each: the interfaces of one address */
		const char *up;       /* interfaces up, comma-separated */
		const char *down;     /* interfaces known and down */
		enum ifhealth want;
		const char *hostable; /* one char per address: y/n */
	} cases[] = {
		{ { NULL }, "", "", IFHEALTH_OK, "" },
		{ { NULL }, "", "eth0", IFHEALTH_OK, "" },
		{ { "eth0" }, "eth0", "", IFHEALTH_OK, "y" },
		{ { "eth0" }, "", "eth0", IFHEALTH_DOWN, "n" },
		{ { "eth0" }, "", "", IFHEALTH_DOWN, "n" },                  /* missing = down */
		{ { "eth0", "eth1" }, "eth0,eth1", "", IFHEALTH_OK, "yy" },
		{ { "eth0", "eth1" }, "eth0", "eth1", IFHEALTH_PARTIAL, "yn" },
		{ { "eth0", "eth1" }, "eth1", "eth0", IFHEALTH_PARTIAL, "ny" },
		{ { "eth0", "eth1" }, "", "eth0,eth1", IFHEALTH_DOWN, "nn" },
		{ { "eth0,eth1" }, "eth1", "eth0", IFHEALTH_PARTIAL, "y" },  /* still hostable */
		{ { "eth0,eth1", "eth0" }, "eth1", "eth0", IFHEALTH_PARTIAL, "yn" },
		{ { "eth0", "eth0", "eth0" }, "eth0", "", IFHEALTH_OK, "yyy" }, /* counted once */
		{ { "eth0", "eth0", "eth1" }, "eth0", "eth1", IFHEALTH_PARTIAL, "yyn" },
		{ { "eth0", "eth0", "eth0" }, "", "eth0", IFHEALTH_DOWN, "nnn" },
		{ { "bond0", "eth2" }, "bond0,eth9", "", IFHEALTH_PARTIAL, "yn" },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct conf_pubaddr pa[4];
		struct ifhealth_link links[8];
		char ubuf[64], dbuf[64], *save = NULL;
		size_t npa = 0, nlinks = 0;

		for (; npa < 4 && cases[c].addrs[npa]; npa++)
			pa_set(&pa[npa], cases[c].addrs[npa]);
		snprintf(ubuf, sizeof(ubuf), "%s", cases[c].up);
		snprintf(dbuf, sizeof(dbuf), "%s", cases[c].down);
		for (char *t = strtok_r(ubuf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			links[nlinks++] = (struct ifhealth_link){ t, true };
		for (char *t = strtok_r(dbuf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			links[nlinks++] = (struct ifhealth_link){ t, false };

		if (ifhealth_eval(pa, npa, links, nlinks) != cases[c].want)
			fail_msg("case %zu: got %s, want %s", c,
				 ifhealth_name(ifhealth_eval(pa, npa, links, nlinks)),
				 ifhealth_name(cases[c].want));
		assert_int_equal(strlen(cases[c].hostable), npa);
		for (size_t a = 0; a < npa; a++)
			if (ifhealth_can_host(&pa[a], links, nlinks) != (cases[c].hostable[a] == 'y'))
				fail_msg("case %zu: address %zu hostable should be %c", c, a,
					 cases[c].hostable[a]);
	}
	assert_string_equal(ifhealth_name(IFHEALTH_PARTIAL), "partial");
}

/* ---- addresses ---- */

static void check_addr_cycle(struct ipaddr *ipa, const char *addr, unsigned prefix, unsigned flags)
{
	struct sockaddr_storage a = ip(addr);
	char ifname[IF_NAMESIZE] = "";
	unsigned plen = 0;

	assert_int_equal(ipaddr_find(ipa, &a, ifname, &plen), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a, prefix, flags), 0);
	assert_int_equal(ipaddr_find(ipa, &a, ifname, &plen), (int)if_nametoindex("hv0"));
	assert_string_equal(ifname, "hv0");
	assert_int_equal(plen, prefix);
	assert_int_equal(ipaddr_find(ipa, &a, NULL, NULL), (int)if_nametoindex("hv0"));
	assert_int_equal(ipaddr_add(ipa, "hv0", &a, prefix, flags), -EEXIST);
	/* Not on hv1: deleting it there is refused and leaves it alone. */
	assert_int_equal(ipaddr_del(ipa, "hv1", &a), -EADDRNOTAVAIL);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a), 0);
	assert_int_equal(ipaddr_find(ipa, &a, ifname, &plen), 0);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a), -EADDRNOTAVAIL);
	assert_int_equal(ipaddr_del(ipa, NULL, &a), -EADDRNOTAVAIL);
	/* Missing interface. */
	assert_int_equal(ipaddr_add(ipa, "nosuch0", &a, prefix, flags), -ENODEV);
	assert_int_equal(ipaddr_del(ipa, "nosuch0", &a), -ENODEV);
	assert_int_equal(ipaddr_add(ipa, "", &a, prefix, flags), -ENODEV);
	assert_int_equal(ipaddr_add(ipa, "a-name-far-too-long-for-linux", &a, prefix, flags), -ENODEV);
	/* Delete without naming the interface. */
	assert_int_equal(ipaddr_add(ipa, "hv1", &a, prefix, flags), 0);
	assert_int_equal(ipaddr_find(ipa, &a, ifname, NULL), (int)if_nametoindex("hv1"));
	assert_string_equal(ifname, "hv1");
	assert_int_equal(ipaddr_del(ipa, NULL, &a), 0);
	assert_int_equal(ipaddr_find(ipa, &a, NULL, NULL), 0);
}

static void test_addr(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage bad = { .ss_family = AF_UNIX };
	struct sockaddr_storage a4 = ip("192.0.2.10");
	struct ipaddr *ipa = NULL;

	NEED_NETNS(f);
	assert_int_equal(ipaddr_new(&ipa), 0);
	check_addr_cycle(ipa, "192.0.2.10", 24, 0);
	check_addr_cycle(ipa, "2001:db8::10", 64, IPADDR_NODAD);
	check_addr_cycle(ipa, "198.51.100.7", 32, 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a4, 33, 0), -EINVAL);
	assert_int_equal(ipaddr_add(ipa, "hv0", &bad, 24, 0), -EAFNOSUPPORT);
	assert_int_equal(ipaddr_del(ipa, "hv0", &bad), -EAFNOSUPPORT);
	assert_int_equal(ipaddr_find(ipa, &bad, NULL, NULL), -EAFNOSUPPORT);
	ipaddr_free(ipa);
	ipaddr_free(NULL);
}

/* Releasing the primary of a subnet keeps the other public addresses in it. */
static void test_addr_secondaries(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage a1 = ip("203.0.113.1"), a2 = ip("203.0.113.2"),
				a3 = ip("203.0.113.3");
	struct ipaddr *ipa = NULL;

	NEED_NETNS(f);
	assert_int_equal(ipaddr_new(&ipa), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a1, 24, 0), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a2, 24, 0), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a3, 24, 0), 0);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a1), 0);
	assert_int_equal(ipaddr_find(ipa, &a1, NULL, NULL), 0);
	assert_true(ipaddr_find(ipa, &a2, NULL, NULL) > 0);
	assert_true(ipaddr_find(ipa, &a3, NULL, NULL) > 0);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a3), 0); /* now a secondary */
	assert_true(ipaddr_find(ipa, &a2, NULL, NULL) > 0);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a2), 0);
	assert_int_equal(ipaddr_find(ipa, &a2, NULL, NULL), 0);
	ipaddr_free(ipa);
}

/* ---- link monitoring ---- */

struct seen {
	unsigned events;
	int state[4]; /* hv0..hv3: -1 unknown/gone, 0 down, 1 up */
	int idx[4];
};

static void on_link(struct iflink *il, const char *ifname, int ifindex, bool up, void *userdata)
{
	struct seen *s = userdata;

	s->events++;
	if (strncmp(ifname, "hv", 2) == 0 && ifname[2] >= '0' && ifname[2] <= '3' && !ifname[3]) {
		s->state[ifname[2] - '0'] = up;
		s->idx[ifname[2] - '0'] = ifindex;
	}
	/* The query agrees with what is reported. */
	if (iflink_is_up(il, ifname) >= 0)
		assert_int_equal(iflink_is_up(il, ifname), up);
}

/* Run the loop until hvN's reported state is want (or 2 s pass). */
static bool wait_state(sd_event *e, struct seen *s, int n, int want)
{
	usec_t until = now_monotonic() + 2 * USEC_PER_SEC;

	while (s->state[n] != want && now_monotonic() < until)
		assert_true(sd_event_run(e, 100 * USEC_PER_MSEC) >= 0);
	return s->state[n] == want;
}

static void test_iflink(void **state)
{
	struct fixture *f = *state;
	struct seen s = { .state = { -1, -1, -1, -1 } };
	struct iflink *il = NULL;
	sd_event *e = NULL;
	bool up, found = false;
	int idx;

	NEED_NETNS(f);
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(iflink_new(e, on_link, &s, &il), 0);
	assert_int_equal(iflink_is_up(il, "hv0"), 1);
	assert_int_equal(iflink_is_up(il, "hv1"), 1);
	assert_int_equal(iflink_is_up(il, "lo"), 1);
	assert_int_equal(iflink_is_up(il, "nosuch0"), -ENODEV);
	for (size_t i = 0; i < iflink_count(il); i++)
		if (streq(iflink_get(il, i, &idx, &up), "hv0")) {
			found = true;
			assert_int_equal(idx, (int)if_nametoindex("hv0"));
			assert_true(up);
		}
	assert_true(found);
	assert_null(iflink_get(il, iflink_count(il), NULL, NULL));
	assert_int_equal(s.events, 0); /* the start state is not reported */

	/* hv1 down: hv1 is down, and hv0 loses its carrier. */
	assert_int_equal(netns_link_down("hv1"), 0);
	assert_true(wait_state(e, &s, 1, 0));
	assert_true(wait_state(e, &s, 0, 0));
	assert_int_equal(s.idx[0], (int)if_nametoindex("hv0"));
	assert_int_equal(iflink_is_up(il, "hv0"), 0);
	assert_int_equal(iflink_is_up(il, "hv1"), 0);

	assert_int_equal(netns_link_up("hv1"), 0);
	assert_true(wait_state(e, &s, 1, 1));
	assert_true(wait_state(e, &s, 0, 1));
	assert_int_equal(iflink_is_up(il, "hv0"), 1);

	/* An interface appears (down), comes up, and goes away. */
	assert_int_equal(netns_veth_add("hv2", "hv3"), 0);
	assert_true(wait_state(e, &s, 2, 0));
	assert_int_equal(netns_link_up("hv3"), 0);
	assert_int_equal(netns_link_up("hv2"), 0);
	assert_true(wait_state(e, &s, 2, 1));
	assert_int_equal(iflink_is_up(il, "hv2"), 1);
	s.state[2] = -1;
	assert_int_equal(netns_link_del("hv2"), 0);
	assert_true(wait_state(e, &s, 2, 0));
	assert_int_equal(iflink_is_up(il, "hv2"), -ENODEV);
	assert_int_equal(iflink_is_up(il, "hv3"), -ENODEV); /* went with its peer */

	iflink_free(il);
	iflink_free(NULL);
	sd_event_unref(e);
}

/* ---- gratuitous ARP and unsolicited NA ---- */

static ssize_t recv_timeout(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

static void test_arp_v4(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage a = ip("192.0.2.20");
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t mac[ETH_ALEN], frame[128];
	struct ipaddr *ipa = NULL;
	unsigned got = 0;
	int fd;

	NEED_NETNS(f);
	mac_of("hv0", mac);
	assert_int_equal(ipaddr_new(&ipa), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a, 24, 0), 0);

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
	assert_true(fd >= 0);
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = if_nametoindex("hv1");
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);

	assert_int_equal(arp_send("hv0", &a), 0);
	for (unsigned want_op = ARPOP_REQUEST; want_op <= ARPOP_REPLY; want_op++) {
		ssize_t n = recv_timeout(fd, frame, sizeof(frame), 1000);
		const uint8_t *arp = frame + 14;

		assert_true(n >= 42);
		assert_memory_equal(frame, "\xff\xff\xff\xff\xff\xff", 6);     /* broadcast */
		assert_memory_equal(frame + 6, mac, 6);
		assert_int_equal(frame[12] << 8 | frame[13], ETH_P_ARP);
		assert_int_equal(arp[0] << 8 | arp[1], ARPHRD_ETHER);
		assert_int_equal(arp[2] << 8 | arp[3], ETH_P_IP);
		assert_int_equal(arp[4], 6);
		assert_int_equal(arp[5], 4);
		assert_int_equal(arp[6] << 8 | arp[7], want_op);
		assert_memory_equal(arp + 8, mac, 6);                          /* sender MAC */
		assert_memory_equal(arp + 14, &((struct sockaddr_in *)&a)->sin_addr, 4);
		assert_memory_equal(arp + 24, &((struct sockaddr_in *)&a)->sin_addr, 4);
		if (want_op == ARPOP_REPLY)
			assert_memory_equal(arp + 18, mac, 6);
		else
			assert_memory_equal(arp + 18, "\0\0\0\0\0\0", 6);
		got++;
	}
	assert_int_equal(got, 2);
	close(fd);

	assert_int_equal(arp_send("nosuch0", &a), -ENODEV);
	assert_int_equal(arp_send("lo", &a), -EOPNOTSUPP);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a), 0);
	ipaddr_free(ipa);
}

static void test_na_v6(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage a = ip("2001:db8::20");
	const struct in6_addr *target = &((struct sockaddr_in6 *)&a)->sin6_addr;
	struct icmp6_filter filt;
	uint8_t mac[ETH_ALEN], buf[256];
	union {
		struct cmsghdr hdr;
		uint8_t b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct ipaddr *ipa = NULL;
	usec_t until;
	bool found = false;
	int fd, on = 1;

	NEED_NETNS(f);
	mac_of("hv0", mac);
	assert_int_equal(ipaddr_new(&ipa), 0);
	assert_int_equal(ipaddr_add(ipa, "hv0", &a, 64, IPADDR_NODAD), 0);

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	assert_true(fd >= 0);
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filt);
	assert_int_equal(setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "hv1", 3), 0);
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)), 0);

	assert_int_equal(arp_send("hv0", &a), 0);
	until = now_monotonic() + USEC_PER_SEC;
	while (!found && now_monotonic() < until) {
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b) };
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int hops = -1;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvmsg(fd, &msg, 0);
		if (n < 32 || memcmp(buf + 8, target, 16) != 0)
			continue; /* some other NA */
		found = true;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&hops, CMSG_DATA(c), sizeof(hops));
		assert_int_equal(buf[0], ND_NEIGHBOR_ADVERT);
		assert_int_equal(buf[1], 0);
		assert_int_equal(buf[4], 0x20); /* override only */
		assert_int_equal(hops, 255);
		assert_memory_equal(&from.sin6_addr, target, 16); /* sent from the address */
		assert_true(n >= 32);
		assert_int_equal(buf[24], ND_OPT_TARGET_LINKADDR);
		assert_int_equal(buf[25], 1);
		assert_memory_equal(buf + 26, mac, 6);
	}
	assert_true(found);
	close(fd);

	assert_int_equal(arp_send("nosuch0", &a), -ENODEV);
	assert_int_equal(ipaddr_del(ipa, "hv0", &a), 0);
	ipaddr_free(ipa);
}

static void test_bad_family(void **state)
{
	struct sockaddr_storage bad = { .ss_family = AF_UNIX };

	assert_int_equal(arp_send("lo", &bad), -EAFNOSUPPORT);
}

/* ---- set-up: a namespace of our own with a veth pair ---- */

static int setup(void **state)
{
	static struct fixture f;
	int r = netns_setup("hv0", "hv1", NULL);

	*state = &f;
	f.in_netns = r > 0;
	return r < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_table),
		cmocka_unit_test(test_bad_family),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_addr_secondaries),
		cmocka_unit_test(test_iflink),
		cmocka_unit_test(test_arp_v4),
		cmocka_unit_test(test_na_v6),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
