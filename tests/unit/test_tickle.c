/*
 * test_tickle.c — tickle ACKs (failover/tickle.c) against the real kernel:
 * tickle_list must find in the socket table exactly the established
 * connection whose local end is the public address, and tickle_send must
 * put on the wire a bare ACK (seq 0, ack 0) from that end to the client,
 * with valid checksums. IPv4, IPv6, and an IPv4 client of a dual-stack
 * IPv6 listener.
 *
 * The process enters a network namespace of its own (as root; otherwise
 * the kernel tests are skipped; tests/unit/netns.c), brings lo up and
 * gives it a server and a client address per family (failover/ipaddr.c). Both ends of
 * each connection live in this process; the segments are captured on lo
 * with an AF_PACKET socket and checked byte by byte, checksums recomputed
 * here independently of tickle.c.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "failover/ipaddr.h"
#include "failover/tickle.h"
#include "tests/unit/netns.h"

#define SRV4 "192.0.2.1"
#define CLI4 "192.0.2.2"
#define SRV6 "2001:db8::1"
#define CLI6 "2001:db8::2"

struct fixture {
	bool in_netns;
};

#define NEED_NETNS(f) NETNS_NEED((f)->in_netns)

static struct sockaddr_storage ip(const char *s, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(s, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

static socklen_t sslen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					      : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Address and port equal. */
static void assert_end(const struct sockaddr_storage *got, const struct sockaddr_storage *want)
{
	assert_int_equal(got->ss_family, want->ss_family);
	assert_int_equal(port_of(got), port_of(want));
	if (want->ss_family == AF_INET)
		assert_memory_equal(&((const struct sockaddr_in *)got)->sin_addr,
				    &((const struct sockaddr_in *)want)->sin_addr, 4);
	else
		assert_memory_equal(&((const struct sockaddr_in6 *)got)->sin6_addr,
				    &((const struct sockaddr_in6 *)want)->sin6_addr, 16);
}

/*
 * A connection from cli to srv (address strings): listen on srv (or on ::
 * dual-stack when listen_any6), connect from cli, accept. fds: listener,
 * client, accepted. *srv_end and *cli_end get both ends with their ports.
 */
static void make_conn(const char *srv, const char *cli, bool listen_any6, int fds[3],
		      struct sockaddr_storage *srv_end, struct sockaddr_storage *cli_end)
{
	struct sockaddr_storage l = listen_any6 ? ip("::", 0) : ip(srv, 0), c = ip(cli, 0);
	socklen_t len;
	int off = 0;

	fds[0] = socket(l.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fds[0] >= 0);
	if (listen_any6)
		assert_int_equal(setsockopt(fds[0], IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), 0);
	assert_int_equal(bind(fds[0], (struct sockaddr *)&l, sslen(&l)), 0);
	assert_int_equal(listen(fds[0], 4), 0);
	len = sizeof(l);
	assert_int_equal(getsockname(fds[0], (struct sockaddr *)&l, &len), 0);

	*srv_end = ip(srv, port_of(&l));
	fds[1] = socket(c.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fds[1] >= 0);
	assert_int_equal(bind(fds[1], (struct sockaddr *)&c, sslen(&c)), 0);
	assert_int_equal(connect(fds[1], (struct sockaddr *)srv_end, sslen(srv_end)), 0);
	len = sizeof(c);
	assert_int_equal(getsockname(fds[1], (struct sockaddr *)&c, &len), 0);
	*cli_end = c;
	fds[2] = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC);
	assert_true(fds[2] >= 0);
}

static void close_conn(int fds[3])
{
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

static bool same_end(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	size_t len = a->ss_family == AF_INET ? 4 : 16;

	return a->ss_family == b->ss_family && port_of(a) == port_of(b) &&
	       memcmp(a->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
					      : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr,
		      b->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)b)->sin_addr
					      : (const void *)&((const struct sockaddr_in6 *)b)->sin6_addr,
		      len) == 0;
}

/* The list for addr has exactly one entry, srv_end <- cli_end. */
static void check_list(const char *addr, const struct sockaddr_storage *srv_end,
		       const struct sockaddr_storage *cli_end)
{
	struct sockaddr_storage a = ip(addr, 9); /* the port is ignored */
	struct tickle_conn *conns = NULL;
	size_t n = 99;

	assert_int_equal(tickle_list(&a, &conns, &n), 0);
	assert_int_equal(n, 1);
	assert_non_null(conns);
	assert_end(&conns[0].local, srv_end);
	assert_end(&conns[0].remote, cli_end);
	free(conns);
	/* and among all of them (NULL) */
	assert_int_equal(tickle_list(NULL, &conns, &n), 0);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = same_end(&conns[i].local, srv_end) && same_end(&conns[i].remote, cli_end);
	assert_true(found);
	free(conns);
}

static void check_list_empty(const char *addr)
{
	struct sockaddr_storage a = ip(addr, 0);
	struct tickle_conn *conns = (struct tickle_conn *)&a;
	size_t n = 99;

	assert_int_equal(tickle_list(&a, &conns, &n), 0);
	assert_int_equal(n, 0);
	assert_null(conns);
}

/* ---- capturing and checking the tickle ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Folded sum; a packet whose checksum field is right sums to 0xffff. */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int capture_open(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));

	assert_true(fd >= 0);
	sll.sll_ifindex = if_nametoindex("lo");
	assert_true(sll.sll_ifindex > 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/*
 * Wait (1 s at most) for the segment srv_end -> cli_end with seq 0 and
 * ack 0, and check it: ACK only, checksums right. IP packets only (the
 * AF_PACKET socket is SOCK_DGRAM: no link header).
 */
static void expect_tickle(int fd, const struct sockaddr_storage *srv_end,
			  const struct sockaddr_storage *cli_end)
{
	usec_t until = now_monotonic() + USEC_PER_SEC;
	bool v4 = srv_end->ss_family == AF_INET;
	const uint8_t *src = v4 ? (const uint8_t *)&((const struct sockaddr_in *)srv_end)->sin_addr
				: (const uint8_t *)&((const struct sockaddr_in6 *)srv_end)->sin6_addr;
	const uint8_t *dst = v4 ? (const uint8_t *)&((const struct sockaddr_in *)cli_end)->sin_addr
				: (const uint8_t *)&((const struct sockaddr_in6 *)cli_end)->sin6_addr;
	size_t alen = v4 ? 4 : 16, iphl = v4 ? 20 : 40;

	while (now_monotonic() < until) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t pkt[2048];
		const uint8_t *tcp;
		uint32_t sum;
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < (ssize_t)(iphl + 20) || pkt[0] >> 4 != (v4 ? 4 : 6))
			continue;
		if (v4 ? (pkt[9] != IPPROTO_TCP || memcmp(pkt + 12, src, 4) ||
			  memcmp(pkt + 16, dst, 4))
		       : (pkt[6] != IPPROTO_TCP || memcmp(pkt + 8, src, 16) ||
			  memcmp(pkt + 24, dst, 16)))
			continue;
		tcp = pkt + iphl;
		if (get16(tcp) != port_of(srv_end) || get16(tcp + 2) != port_of(cli_end) ||
		    get32(tcp + 4) != 0 || get32(tcp + 8) != 0)
			continue; /* the connection's own traffic */

		if (v4) {
			assert_int_equal(pkt[0], 0x45);
			assert_int_equal(get16(pkt + 2), 40);
			assert_int_equal(csum_fold(csum_add(0, pkt, 20)), 0xffff);
		} else {
			assert_int_equal(get16(pkt + 4), 20);
		}
		assert_true((size_t)n >= iphl + 20);
		assert_int_equal(tcp[12] >> 4, 5);    /* no options */
		assert_int_equal(tcp[13], 0x10);      /* ACK only */
		assert_int_equal(get16(tcp + 18), 0); /* urgent pointer */
		sum = csum_add(0, src, alen);
		sum = csum_add(sum, dst, alen);
		sum += IPPROTO_TCP + 20;
		sum = csum_add(sum, tcp, 20);
		assert_int_equal(csum_fold(sum), 0xffff);
		return;
	}
	fail_msg("no tickle ACK seen on lo");
}

static void tickle_cycle(const char *srv, const char *cli, const char *other, bool listen_any6)
{
	struct sockaddr_storage srv_end, cli_end;
	struct tickle_conn *conns = NULL;
	size_t n = 0;
	int fds[3], cap;

	make_conn(srv, cli, listen_any6, fds, &srv_end, &cli_end);
	check_list(srv, &srv_end, &cli_end);
	/* The client's address has the mirror image only. */
	check_list(cli, &cli_end, &srv_end);
	check_list_empty(other);

	assert_int_equal(tickle_list(&srv_end, &conns, &n), 0);
	assert_int_equal(n, 1);
	cap = capture_open();
	assert_int_equal(tickle_send(&conns[0]), 0);
	expect_tickle(cap, &srv_end, &cli_end);
	close(cap);
	free(conns);

	/* The connection survives (the client only answers with an ACK). */
	assert_int_equal(write(fds[1], "x", 1), 1);
	{
		struct pollfd p = { .fd = fds[2], .events = POLLIN };
		char c;

		assert_int_equal(poll(&p, 1, 1000), 1);
		assert_int_equal(read(fds[2], &c, 1), 1);
		assert_int_equal(c, 'x');
	}
	close_conn(fds);
	check_list_empty(srv); /* closed: no longer established */
}

static void test_tickle_v4(void **state)
{
	NEED_NETNS((struct fixture *)*state);
	tickle_cycle(SRV4, CLI4, "192.0.2.3", false);
}

static void test_tickle_v6(void **state)
{
	NEED_NETNS((struct fixture *)*state);
	tickle_cycle(SRV6, CLI6, "2001:db8::3", false);
}

/* An IPv4 client of a dual-stack IPv6 listener is listed as IPv4. */
static void test_tickle_v4_mapped(void **state)
{
	NEED_NETNS((struct fixture *)*state);
	tickle_cycle(SRV4, CLI4, "192.0.2.3", true);
}

static void test_bad_family(void **state)
{
	struct sockaddr_storage bad = { .ss_family = AF_UNIX };
	struct tickle_conn c = { .local = ip(SRV4, 1), .remote = ip(CLI6, 2) };
	struct tickle_conn *conns = NULL;
	size_t n = 7;

	assert_int_equal(tickle_list(&bad, &conns, &n), -EAFNOSUPPORT);
	assert_null(conns);
	assert_int_equal(n, 0);
	assert_int_equal(tickle_send(&c), -EAFNOSUPPORT); /* mixed families */
	c.local = bad;
	c.remote = bad;
	assert_int_equal(tickle_send(&c), -EAFNOSUPPORT);
}

/* ---- set-up: a namespace of our own, lo up with four addresses ---- */

static int setup(void **state)
{
	static struct fixture f;
	static const char *const addrs[] = { SRV4, CLI4, SRV6, CLI6 };
	struct ipaddr *ipa = NULL;
	bool ok;

	*state = &f;
	if (netns_setup(NULL) <= 0)
		return 0;
	ok = ipaddr_new(&ipa) == 0;
	for (size_t i = 0; ok && i < ARRAY_SIZE(addrs); i++) {
		struct sockaddr_storage a = ip(addrs[i], 0);

		ok = ipaddr_add(ipa, "lo", &a, a.ss_family == AF_INET ? 32 : 128,
				IPADDR_NODAD) == 0;
	}
	ipaddr_free(ipa);
	if (!ok) {
		fprintf(stderr, "test_tickle: cannot set up lo: kernel tests skipped\n");
		return 0;
	}
	f.in_netns = true;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_family),
		cmocka_unit_test(test_tickle_v4),
		cmocka_unit_test(test_tickle_v6),
		cmocka_unit_test(test_tickle_v4_mapped),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
