/*
 * bench_ipalloc.c — how long the leader's takeover decision takes on a
 * large cluster, and how much memory it needs (make bench).
 *
 *   bench_ipalloc [NODES [ADDRS [REPS [ALGS]]]]   (default 64 1024 20, all)
 *
 * Times failover/takeover.c's takeover_plan() — the pure function the
 * leader calls on every takeover run, which gathers every node's list and
 * calls ipalloc_run() — for each algorithm (lcp2, deterministic,
 * nondeterministic; ALGS picks some: "lcp2,deterministic"), in three
 * situations a cluster goes through:
 *
 *   fresh      every node OK, nobody hosts anything yet (cluster start)
 *   failover   addresses placed by "fresh"; node 1 dies (did not answer,
 *              DISCONNECTED): its addresses move
 *   failback   addresses placed by "failover"; node 1 is back, hosting
 *              nothing (lcp2 moves some addresses to it)
 *
 * Every node lists every address, usable (the most work for the
 * algorithms). Three quarters of the addresses are IPv4, 254 to a /24
 * (10.100.S.1-254), the rest IPv6, 254 to a /64 (fd00:100:0:S::1-fe).
 *
 * Output, one figure a line for tests/bench/run.sh: NAME<TAB>VALUE<TAB>UNIT.
 * Lines are flushed as they are measured, so a run cut short by a timeout
 * still reports what it finished. Peak RSS is getrusage()'s ru_maxrss: the
 * node lists (the input, what the leader holds anyway) are reported
 * separately, measured before the first plan.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "agentd/ipop.h"
#include "agentd/state.h"
#include "agentd/util.h"
#include "failover/takeover.h"

#define VICTIM 1u

struct bench {
	size_t nnodes, naddrs, reps;
	struct ipop_ip *lists;          /* [nnodes * naddrs] every node's list */
	struct takeover_node *nodes;    /* [nnodes] */
	int32_t *holder;                /* [naddrs] who hosts address k now */
	double *ms;                     /* [reps] */
};

static void make_addr(size_t k, size_t naddrs, struct sockaddr_storage *ss, unsigned *prefix)
{
	size_t nv4 = naddrs * 3 / 4;

	memset(ss, 0, sizeof(*ss));
	if (k < nv4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		uint32_t a = (UINT32_C(10) << 24) | (UINT32_C(100) << 16) |
			     (uint32_t)(k / 254) << 8 | (uint32_t)(k % 254 + 1);

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(a);
		*prefix = 24;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		size_t i = k - nv4;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr.s6_addr[0] = 0xfd;
		sin6->sin6_addr.s6_addr[2] = 0x01;
		sin6->sin6_addr.s6_addr[6] = (uint8_t)(i / 254 >> 8);
		sin6->sin6_addr.s6_addr[7] = (uint8_t)(i / 254);
		sin6->sin6_addr.s6_addr[15] = (uint8_t)(i % 254 + 1);
		*prefix = 64;
	}
}

/* Every node's list from b->holder; node `down` (or none: -1) did not answer. */
static void fill(struct bench *b, long down)
{
	for (size_t n = 0; n < b->nnodes; n++) {
		struct ipop_ip *l = b->lists + n * b->naddrs;

		for (size_t k = 0; k < b->naddrs; k++)
			l[k].flags = IPOP_IP_USABLE |
				     (b->holder[k] == (int32_t)n ? IPOP_IP_HOSTED : 0);
		b->nodes[n] = (struct takeover_node){
			.flags = (long)n == down ? NODE_FLAG_DISCONNECTED : 0,
			.answered = (long)n != down,
			.ips = l,
			.nips = b->naddrs,
		};
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long maxrss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) < 0 ? -1 : ru.ru_maxrss;
}

static void figure(const char *name, double value, const char *unit)
{
	printf("%s\t%.*f\t%s\n", name, streq(unit, "ms") ? 1 : 0, value, unit);
	fflush(stdout);
}

/*
 * Time REPS plans of the current input, report median and max, and leave
 * the last plan's targets in b->holder. Returns how many addresses changed
 * node, or -errno.
 */
static long measure(struct bench *b, const char *alg_name, enum ip_allocation alg,
		    const char *what)
{
	struct takeover_input in = {
		.algorithm = alg,
		.nnodes = b->nnodes,
		.nodes = b->nodes,
	};
	struct takeover_plan p = { 0 };
	char name[128];
	long moved = 0;
	int r;

	for (size_t i = 0; i < b->reps; i++) {
		double t0 = now_ms();

		takeover_plan_free(&p);
		r = takeover_plan(&in, &p);
		if (r < 0)
			return r;
		b->ms[i] = now_ms() - t0;
	}
	if (p.naddrs != b->naddrs) {
		takeover_plan_free(&p);
		return -EPROTO;
	}
	for (size_t k = 0; k < b->naddrs; k++) {
		/* The plan is in address order, as b->lists are. */
		if (memcmp(&p.addrs[k].addr, &b->lists[k].addr, sizeof(p.addrs[k].addr))) {
			takeover_plan_free(&p);
			return -EPROTO;
		}
		if (p.addrs[k].target != b->holder[k])
			moved++;
		b->holder[k] = p.addrs[k].target;
	}
	takeover_plan_free(&p);
	qsort(b->ms, b->reps, sizeof(*b->ms), cmp_double);
	snprintf(name, sizeof(name), "%zux%zu %s %s, median (%zu)",
		 b->nnodes, b->naddrs, alg_name, what, b->reps);
	figure(name, b->reps % 2 ? b->ms[b->reps / 2]
				 : (b->ms[b->reps / 2 - 1] + b->ms[b->reps / 2]) / 2, "ms");
	snprintf(name, sizeof(name), "%zux%zu %s %s, max",
		 b->nnodes, b->naddrs, alg_name, what);
	figure(name, b->ms[b->reps - 1], "ms");
	return moved;
}

/* Is name one of the comma-separated words of list? */
static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || !p[len]))
			return true;
	}
	return false;
}

static int run(struct bench *b, const char *only)
{
	static const struct {
		const char *name;
		enum ip_allocation alg;
	} algs[] = {
		{ "lcp2", IP_ALLOC_LCP2 },
		{ "deterministic", IP_ALLOC_DETERMINISTIC },
		{ "nondeterministic", IP_ALLOC_NONDETERMINISTIC },
	};
	char name[128];
	size_t ran = 0;
	long moved;

	for (size_t a = 0; a < ARRAY_SIZE(algs); a++) {
		if (only && !listed(only, algs[a].name))
			continue;
		ran++;
		for (size_t k = 0; k < b->naddrs; k++)
			b->holder[k] = -1;
		fill(b, -1);
		moved = measure(b, algs[a].name, algs[a].alg, "fresh");
		if (moved < 0)
			return (int)moved;
		fill(b, VICTIM);
		moved = measure(b, algs[a].name, algs[a].alg, "failover");
		if (moved < 0)
			return (int)moved;
		snprintf(name, sizeof(name), "%zux%zu %s failover, addresses moved",
			 b->nnodes, b->naddrs, algs[a].name);
		figure(name, (double)moved, "ips");
		fill(b, -1);
		moved = measure(b, algs[a].name, algs[a].alg, "failback");
		if (moved < 0)
			return (int)moved;
		snprintf(name, sizeof(name), "%zux%zu %s failback, addresses moved",
			 b->nnodes, b->naddrs, algs[a].name);
		figure(name, (double)moved, "ips");
	}
	return ran ? 0 : -EINVAL;
}

static size_t arg(int argc, char **argv, int i, size_t def)
{
	char *end;
	unsigned long v;

	if (argc <= i)
		return def;
	errno = 0;
	v = strtoul(argv[i], &end, 10);
	if (errno || *end || !v)
		return 0;
	return v;
}

int main(int argc, char **argv)
{
	struct bench b = {
		.nnodes = arg(argc, argv, 1, 64),
		.naddrs = arg(argc, argv, 2, 1024),
		.reps = arg(argc, argv, 3, 20),
	};
	char name[128];
	long rss_lists;
	int r;

	if (argc > 5 || !b.nnodes || !b.naddrs || !b.reps || b.nnodes > HERD_MAX_NODES ||
	    b.nnodes <= VICTIM || b.naddrs > IPOP_MAX_IPS) {
		fprintf(stderr, "usage: bench_ipalloc [NODES (2-%d) [ADDRS (1-%u) [REPS [ALGS]]]]\n",
			HERD_MAX_NODES, IPOP_MAX_IPS);
		return 2;
	}
	b.lists = calloc(b.nnodes * b.naddrs, sizeof(*b.lists));
	b.nodes = calloc(b.nnodes, sizeof(*b.nodes));
	b.holder = calloc(b.naddrs, sizeof(*b.holder));
	b.ms = calloc(b.reps, sizeof(*b.ms));
	if (!b.lists || !b.nodes || !b.holder || !b.ms) {
		fprintf(stderr, "bench_ipalloc: out of memory\n");
		return 1;
	}
	for (size_t n = 0; n < b.nnodes; n++)
		for (size_t k = 0; k < b.naddrs; k++) {
			struct ipop_ip *ip = &b.lists[n * b.naddrs + k];

			make_addr(k, b.naddrs, &ip->addr, &ip->prefix);
			ip->pnn = PNN_NONE;
		}
	for (size_t k = 0; k < b.naddrs; k++)
		b.holder[k] = -1;
	fill(&b, -1);
	rss_lists = maxrss_kib();

	r = run(&b, argc > 4 ? argv[4] : NULL);
	if (r == -EINVAL) {
		fprintf(stderr, "bench_ipalloc: ALGS: lcp2, deterministic, nondeterministic\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "bench_ipalloc: takeover_plan: %s\n", strerror(-r));
		return 1;
	}
	snprintf(name, sizeof(name), "%zux%zu peak RSS", b.nnodes, b.naddrs);
	figure(name, (double)maxrss_kib(), "KiB");
	snprintf(name, sizeof(name), "%zux%zu RSS before the first plan (node lists)",
		 b.nnodes, b.naddrs);
	figure(name, (double)rss_lists, "KiB");
	free(b.lists);
	free(b.nodes);
	free(b.holder);
	free(b.ms);
	return 0;
}
