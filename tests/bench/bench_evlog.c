/*
 * bench_evlog — throughput of the persistent event log (notify.d/evlog.c):
 * events/s appended in each crash-safety mode, committed per event, per
 * 10 or 100 appends (herdd's glue commits once per loop iteration) or in
 * one burst, with and without pruning, and read back; the time to open a
 * log after a clean close and after a crash (header rebuilt by one
 * traversal). One line per figure, "NAME\tVALUE\tUNIT", for
 * tests/bench/run.sh.
 *
 *   bench_evlog [DIR [EVENTS]]   DIR: where the TDB files go (default
 *                                $TMPDIR or /tmp: put it on the state
 *                                dir's file system); EVENTS: 50000
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "notify.d/evlog.h"

static char dir[256];
static char path[300];

static double secs(usec_t a, usec_t b)
{
	return (double)(b - a) / USEC_PER_SEC;
}

static void figure(const char *name, double value, const char *unit)
{
	printf("%s\t%.0f\t%s\n", name, value, unit);
}

static struct herd_event mkev(unsigned i)
{
	struct herd_event ev = {
		.wall = now_realtime(),
		.mono = now_monotonic(),
		.node = i % 8,
		.type = i % 2 ? EV_IP_TAKEOVER : EV_NODE_CONNECTED,
	};

	ev.severity = event_type_severity(ev.type);
	snprintf(ev.subject, sizeof(ev.subject), "10.0.%u.%u taken over", (i >> 8) & 255, i & 255);
	snprintf(ev.detail, sizeof(ev.detail), "on eth0 by node %u (%u connections to tickle)",
		 i % 8, i % 13);
	return ev;
}

static struct evlog *open_log(enum evlog_sync sync, uint64_t max_count, bool defer)
{
	struct evlog_config cf = {
		.path = path, .max_count = max_count, .sync = sync, .defer_commit = defer,
	};
	struct evlog *log;
	int r = evlog_open(&cf, &log);

	if (r < 0) {
		fprintf(stderr, "bench_evlog: open %s: %s\n", path, strerror(-r));
		exit(1);
	}
	return log;
}

/*
 * Append n events one by one into a new log; with commit_every, deferred
 * commits every that many appends (herdd commits once per loop iteration),
 * else one transaction per append. Returns events/s.
 */
static double append(enum evlog_sync sync, uint64_t max_count, unsigned n, unsigned commit_every)
{
	struct evlog *log;
	usec_t t0, t1;
	int r = 0;

	unlink(path);
	log = open_log(sync, max_count, commit_every > 0);
	t0 = now_monotonic();
	for (unsigned i = 0; i < n && r >= 0; i++) {
		struct herd_event ev = mkev(i);

		r = evlog_append(log, &ev);
		if (r >= 0 && commit_every && (i + 1) % commit_every == 0)
			r = evlog_commit(log);
	}
	if (r >= 0)
		r = evlog_commit(log);
	t1 = now_monotonic();
	if (r < 0) {
		fprintf(stderr, "bench_evlog: append: %s\n", strerror(-r));
		exit(1);
	}
	evlog_close(log);
	return n / secs(t0, t1);
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 50000;
	struct herd_event *evs;
	struct evlog_filter newest = { .limit = 100, .newest = true };
	struct evlog *log;
	struct rusage ru;
	struct stat sb;
	char name[128];
	size_t got;
	usec_t t0, t1;
	pid_t pid;
	int r;

	if (n < 100 || n > 10000000) {
		fprintf(stderr, "usage: bench_evlog [DIR [EVENTS (100-10000000)]]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/bench_evlog.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("bench_evlog: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events.tdb", dir);

	figure("evlog append 2000, atomic, a commit per event", append(EVLOG_SYNC_ATOMIC, 0, 2000, 0),
	       "ev/s");
	snprintf(name, sizeof(name), "evlog append %u, atomic, a commit per 10", n / 10);
	figure(name, append(EVLOG_SYNC_ATOMIC, 0, n / 10, 10), "ev/s");
	snprintf(name, sizeof(name), "evlog append %u, atomic, a commit per 100", n);
	figure(name, append(EVLOG_SYNC_ATOMIC, 0, n, 100), "ev/s");
	snprintf(name, sizeof(name), "evlog append %u, atomic, one burst", n);
	figure(name, append(EVLOG_SYNC_ATOMIC, 0, n, UINT32_MAX), "ev/s");
	snprintf(name, sizeof(name), "evlog append %u, atomic, per 100, pruning at %u", n, n / 4);
	figure(name, append(EVLOG_SYNC_ATOMIC, n / 4, n, 100), "ev/s");
	snprintf(name, sizeof(name), "evlog append %u, none (no transaction)", n);
	figure(name, append(EVLOG_SYNC_NONE, 0, n, 0), "ev/s");
	figure("evlog append 100, full (fsync), a commit per event",
	       append(EVLOG_SYNC_FULL, 0, 100, 0), "ev/s");

	/* Read back what the atomic run stored. */
	append(EVLOG_SYNC_ATOMIC, 0, n, 1000);
	if (stat(path, &sb) == 0) {
		snprintf(name, sizeof(name), "evlog file size, %u events", n);
		figure(name, (double)sb.st_size / 1024, "KiB");
	}
	t0 = now_monotonic();
	log = open_log(EVLOG_SYNC_ATOMIC, 0, false);
	t1 = now_monotonic();
	figure("evlog open after a clean close", secs(t0, t1) * 1e6, "us");
	t0 = now_monotonic();
	r = evlog_query(log, NULL, &evs, &got);
	t1 = now_monotonic();
	if (r < 0 || got != n) {
		fprintf(stderr, "bench_evlog: read back %zu of %u: %s\n", got, n, strerror(-r));
		return 1;
	}
	free(evs);
	snprintf(name, sizeof(name), "evlog read back %u (query all)", n);
	figure(name, n / secs(t0, t1), "ev/s");
	t0 = now_monotonic();
	for (int i = 0; i < 100; i++) {
		r = evlog_query(log, &newest, &evs, &got);
		free(evs);
	}
	t1 = now_monotonic();
	figure("evlog newest 100 (query)", secs(t0, t1) * 1e6 / 100, "us");
	evlog_close(log);

	/* A NONE-mode writer that dies: the next open traverses. */
	pid = fork();
	if (pid == 0) {
		log = open_log(EVLOG_SYNC_NONE, 0, false);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	t0 = now_monotonic();
	log = open_log(EVLOG_SYNC_ATOMIC, 0, false);
	t1 = now_monotonic();
	snprintf(name, sizeof(name), "evlog open after a crash (rebuild, %u events)", n);
	figure(name, secs(t0, t1) * 1e3, "ms");
	evlog_close(log);

	getrusage(RUSAGE_SELF, &ru);
	figure("evlog bench peak RSS", (double)ru.ru_maxrss, "KiB");
	unlink(path);
	rmdir(dir);
	return 0;
}
