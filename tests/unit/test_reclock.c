/*
 * Unit tests: agentd/reclock.c — the recovery lock manager on a real
 * sd-event loop against the real helper (HERD_BUILD/herd-reclock, else
 * ../herd-reclock next to this program; skipped when it is missing) and
 * small /bin/sh helpers for the `!COMMAND` contract.
 *
 * The stall test is the point of the lease: a callback blocks the loop for
 * longer than the lease (herdd stopped); on waking reclock_held() must be
 * false before anything else runs, LOST must follow, and another manager
 * must get the lock. Each test makes its own temp dir and removes it, and
 * frees its managers (which kills their helpers) in its teardown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agentd/log.h"
#include "agentd/reclock.h"

#define MS USEC_PER_MSEC
#define LEASE (500 * MS)
#define TAKE_TIMEOUT (2000 * MS)
#define MAX_RL 3

struct t {
	sd_event *ev;
	char dir[64];
	char lock[128];
	char helper[PATH_MAX + 64];
	struct reclock *rl[MAX_RL];
	/* what the callbacks reported, per manager */
	enum reclock_state got[MAX_RL][16];
	int ngot[MAX_RL];
};

static struct t *T;

static void on_state(struct reclock *rl, enum reclock_state s, void *userdata)
{
	int i = (int)(intptr_t)userdata;

	if (T->ngot[i] < 16)
		T->got[i][T->ngot[i]++] = s;
}

/* Run the loop until manager i reports something new or timeout; return it. */
static enum reclock_state wait_report(int i, usec_t timeout)
{
	usec_t end = now_monotonic() + timeout;
	int before = T->ngot[i];

	while (T->ngot[i] == before && now_monotonic() < end)
		assert_true(sd_event_run(T->ev, 10 * MS) >= 0);
	if (T->ngot[i] == before)
		fail_msg("manager %d reported nothing within %llu ms (state %s)", i,
			 (unsigned long long)(timeout / MS),
			 reclock_state_name(reclock_get_state(T->rl[i])));
	return T->got[i][before];
}

static void run_for(usec_t span)
{
	usec_t end = now_monotonic() + span;

	while (now_monotonic() < end)
		assert_true(sd_event_run(T->ev, 10 * MS) >= 0);
}

static void wait_reaped(int i)
{
	struct reclock_status st;
	usec_t end = now_monotonic() + 3000 * MS;

	do {
		reclock_get_status(T->rl[i], &st);
		if (st.pid == 0)
			return;
		assert_true(sd_event_run(T->ev, 10 * MS) >= 0);
	} while (now_monotonic() < end);
	fail_msg("helper %d of manager %d was not reaped", (int)st.pid, i);
}

static int mk(int i, const char *spec, usec_t lease)
{
	return reclock_new(T->ev, spec, T->helper, lease, TAKE_TIMEOUT, on_state,
			   (void *)(intptr_t)i, &T->rl[i]);
}

static void write_script(const char *name, const char *body, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", T->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	static struct t t;
	const char *build = getenv("HERD_BUILD");

	memset(&t, 0, sizeof(t));
	T = &t;
	if (build && *build) {
		snprintf(t.helper, sizeof(t.helper), "%s/herd-reclock", build);
	} else {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n <= 0)
			return -1;
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(t.helper, sizeof(t.helper), "%s/../herd-reclock", exe);
	}
	snprintf(t.dir, sizeof(t.dir), "/tmp/herd-reclock-test.XXXXXX");
	if (!mkdtemp(t.dir))
		return -1;
	snprintf(t.lock, sizeof(t.lock), "%s/lock", t.dir);
	if (sd_event_new(&t.ev) < 0)
		return -1;
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < MAX_RL; i++)
		reclock_free(T->rl[i]);
	/* Let the loop reap what reclock_free() killed. */
	for (int k = 0; k < 20; k++)
		(void)sd_event_run(T->ev, 10 * MS);
	T->ev = sd_event_unref(T->ev);
	(void)nftw(T->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void need_helper(void)
{
	if (access(T->helper, X_OK) != 0) {
		print_message("SKIP: no helper at %s (build it: make)\n", T->helper);
		skip();
	}
}

static void test_split(void **state)
{
	char **argv;

	assert_int_equal(reclock_split_command("  /usr/bin/etcd-lock  --key  herd\t-x ", &argv), 4);
	assert_string_equal(argv[0], "/usr/bin/etcd-lock");
	assert_string_equal(argv[1], "--key");
	assert_string_equal(argv[2], "herd");
	assert_string_equal(argv[3], "-x");
	assert_null(argv[4]);
	free(argv);
	assert_int_equal(reclock_split_command("one", &argv), 1);
	assert_null(argv[1]);
	free(argv);
	assert_int_equal(reclock_split_command(" \t ", &argv), -EINVAL);
	{
		char buf[PATH_MAX];
		const char *p = reclock_helper_path(buf, sizeof(buf));
		size_t l = strlen(p);

		assert_true(l > 13 && streq(p + l - 13, "/herd-reclock"));
	}
	assert_int_equal(reclock_split_command("", &argv), -EINVAL);
}

static void test_new_bad(void **state)
{
	struct reclock *rl = NULL;

	assert_int_equal(reclock_new(T->ev, "", T->helper, LEASE, TAKE_TIMEOUT, NULL, NULL, &rl), -EINVAL);
	assert_int_equal(reclock_new(T->ev, "!", T->helper, LEASE, TAKE_TIMEOUT, NULL, NULL, &rl), -EINVAL);
	assert_int_equal(reclock_new(T->ev, "!  ", NULL, LEASE, TAKE_TIMEOUT, NULL, NULL, &rl), -EINVAL);
	assert_int_equal(reclock_new(T->ev, T->lock, NULL, LEASE, TAKE_TIMEOUT, NULL, NULL, &rl), -EINVAL);
	assert_int_equal(reclock_new(T->ev, T->lock, T->helper, 3 * MS, TAKE_TIMEOUT, NULL, NULL, &rl),
			 -EINVAL);
	assert_int_equal(reclock_new(T->ev, T->lock, T->helper, LEASE, 0, NULL, NULL, &rl), -EINVAL);
	assert_null(rl);
	assert_string_equal(reclock_state_name(RECLOCK_HELD), "held");
	assert_string_equal(reclock_state_name((enum reclock_state)42), "unknown");
	assert_string_equal(reclock_cause_name(RECLOCK_CAUSE_NO_ANSWER), "no-answer");
	for (int c = 0; c < RECLOCK_CAUSE_MAX_; c++)
		assert_string_not_equal(reclock_cause_name((enum reclock_cause)c), "unknown");
	reclock_free(NULL);
}

static void test_take_hold_release(void **state)
{
	struct reclock_status st;
	pid_t pid;

	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_string_equal(reclock_spec(T->rl[0]), T->lock);
	assert_int_equal(reclock_get_state(T->rl[0]), RECLOCK_IDLE);
	assert_false(reclock_held(T->rl[0], now_monotonic()));
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(reclock_take(T->rl[0]), -EALREADY);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	assert_true(reclock_held(T->rl[0], now_monotonic()));

	/* Three leases: the pings keep it. */
	run_for(3 * LEASE);
	assert_true(reclock_held(T->rl[0], now_monotonic()));
	assert_int_equal(T->ngot[0], 1);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.state, RECLOCK_HELD);
	assert_int_equal(st.taken, 1);
	assert_int_equal(st.lease, LEASE);
	assert_true(st.pid > 0);
	assert_true(now_monotonic() - st.acked < LEASE);
	pid = st.pid;

	assert_int_equal(reclock_release(T->rl[0]), 1);
	assert_false(reclock_held(T->rl[0], now_monotonic()));
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_RELEASED);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.pid, 0);
	assert_int_equal(st.released, 1);
	assert_int_equal(kill(pid, 0), -1);     /* gone and reaped */
	assert_int_equal(reclock_release(T->rl[0]), 0);
	/* The file stays: releasing never unlinks. */
	assert_int_equal(access(T->lock, F_OK), 0);
}

static void test_contended(void **state)
{
	struct reclock_status st;

	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_int_equal(mk(1, T->lock, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	assert_int_equal(reclock_take(T->rl[1]), 0);
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_CONTENDED);
	assert_false(reclock_held(T->rl[1], now_monotonic()));
	reclock_get_status(T->rl[1], &st);
	assert_int_equal(st.contended, 1);
	wait_reaped(1);

	/* Released by one, taken by the other. */
	assert_int_equal(reclock_release(T->rl[0]), 1);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_RELEASED);
	assert_int_equal(reclock_take(T->rl[1]), 0);
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_HELD);
}

/* A timer callback that blocks the loop like a SIGSTOP of herdd would. */
struct stall {
	usec_t span;
	bool held_after, still_held_state;
};

static int on_stall(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct stall *st = userdata;

	usleep((useconds_t)st->span);
	/* Woken up: before anything else runs, the lock must read as gone. */
	st->held_after = reclock_held(T->rl[0], now_monotonic());
	st->still_held_state = reclock_get_state(T->rl[0]) == RECLOCK_HELD;
	return 0;
}

static void test_stall_loses_lock(void **state)
{
	struct stall st = { .span = 2 * LEASE };
	struct reclock_status rs;
	sd_event_source *src = NULL;
	enum reclock_state s;

	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_int_equal(mk(1, T->lock, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	run_for(LEASE / 2);

	assert_int_equal(sd_event_add_time_relative(T->ev, &src, CLOCK_MONOTONIC, 1, 0, on_stall, &st), 0);
	s = wait_report(0, 4 * LEASE);
	sd_event_source_unref(src);
	assert_true(st.still_held_state);       /* nothing had told us yet ... */
	assert_false(st.held_after);            /* ... but the gate was already closed */
	assert_int_equal(s, RECLOCK_LOST);
	reclock_get_status(T->rl[0], &rs);
	assert_int_equal(rs.lost, 1);
	print_message("lost after a %llu ms stall: %s\n", (unsigned long long)(st.span / MS),
		      reclock_cause_name(rs.cause));
	assert_true(rs.cause == RECLOCK_CAUSE_LEASE_EXPIRED || rs.cause == RECLOCK_CAUSE_NO_ANSWER ||
		    rs.cause == RECLOCK_CAUSE_HELPER_EXITED);

	/* The helper let go during the stall: another node takes it now. */
	assert_int_equal(reclock_take(T->rl[1]), 0);
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_HELD);
	/* and the woken one finds it contended */
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_CONTENDED);
}

static void test_file_removed(void **state)
{
	struct reclock_status st;

	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	assert_int_equal(unlink(T->lock), 0);
	assert_int_equal(wait_report(0, 3 * LEASE), RECLOCK_LOST);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_FILE_LOST);
	wait_reaped(0);
}

static void test_release_then_take(void **state)
{
	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	/* Step down and up again at once: the new helper waits for the old. */
	assert_int_equal(reclock_release(T->rl[0]), 1);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(reclock_get_state(T->rl[0]), RECLOCK_TAKING);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	assert_int_equal(T->ngot[0], 2); /* no RELEASED in between, no CONTENDED */
}

static void test_free_while_held(void **state)
{
	struct reclock_status st;

	need_helper();
	assert_int_equal(mk(0, T->lock, LEASE), 0);
	assert_int_equal(mk(1, T->lock, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	reclock_get_status(T->rl[0], &st);
	reclock_free(T->rl[0]);
	T->rl[0] = NULL;
	run_for(100 * MS);
	assert_int_equal(kill(st.pid, 0), -1);  /* killed and reaped */
	assert_int_equal(reclock_take(T->rl[1]), 0);
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_HELD);
}

static void test_command_timeout(void **state)
{
	struct reclock_status st;

	assert_int_equal(reclock_new(T->ev, "!/bin/sleep 30", NULL, LEASE, 300 * MS, on_state,
				     (void *)0, &T->rl[0]),
			 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, 2000 * MS), RECLOCK_TIMEOUT);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_TAKE_TIMEOUT);
	assert_int_equal(st.timeouts, 1);
	wait_reaped(0);
}

static void test_command_error(void **state)
{
	char path[256], spec[300];
	struct reclock_status st;

	write_script("err.sh", "printf 3; echo 'no etcd here' >&2; exit 3", path, sizeof(path));
	snprintf(spec, sizeof(spec), "!%s", path);
	assert_int_equal(mk(0, spec, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_ERROR);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_HELPER_ERROR);
	wait_reaped(0);

	/* '2' from a helper is a timeout, anything else a bad status. */
	write_script("two.sh", "printf 2", path, sizeof(path));
	snprintf(spec, sizeof(spec), "!%s", path);
	assert_int_equal(mk(1, spec, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[1]), 0);
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_TIMEOUT);
	reclock_get_status(T->rl[1], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_HELPER_TIMEOUT);
	write_script("junk.sh", "printf x", path, sizeof(path));
	snprintf(spec, sizeof(spec), "!%s", path);
	assert_int_equal(mk(2, spec, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[2]), 0);
	assert_int_equal(wait_report(2, TAKE_TIMEOUT), RECLOCK_ERROR);
	reclock_get_status(T->rl[2], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_BAD_STATUS);
}

static void test_command_missing(void **state)
{
	struct reclock_status st;

	assert_int_equal(mk(0, "!herd-no-such-helper-x arg", LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), -ENOENT);
	assert_int_equal(reclock_get_state(T->rl[0]), RECLOCK_ERROR);
	assert_int_equal(mk(1, "!/nonexistent/helper", LEASE), 0);
	assert_int_equal(reclock_take(T->rl[1]), 0);  /* exec fails in the child */
	assert_int_equal(wait_report(1, TAKE_TIMEOUT), RECLOCK_ERROR);
	reclock_get_status(T->rl[1], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_HELPER_EXITED);
}

/*
 * A !COMMAND helper that answers the first ping and then hangs (a wedged
 * etcd client): HELD, then LOST for want of answers. It also shows what the
 * helper gets: argv as configured, the lease in the environment, a scrubbed
 * environment, no stray fds.
 */
static void test_command_hangs(void **state)
{
	char path[256], spec[1024], out[256], line[256];
	struct reclock_status st;
	FILE *f;

	snprintf(out, sizeof(out), "%s/seen", T->dir);
	write_script("hang.sh",
		     "echo \"$# $1 $2 lease=$HERD_RECLOCK_LEASE_MS home=${HOME:-unset}"
		     " fds=$(ls /proc/self/fd | wc -l)\" > \"$1\"\n"
		     "printf 0; head -c 1 >/dev/null; printf .; exec sleep 30",
		     path, sizeof(path));
	snprintf(spec, sizeof(spec), "!%s %s  second", path, out);
	assert_int_equal(mk(0, spec, LEASE), 0);
	assert_int_equal(reclock_take(T->rl[0]), 0);
	assert_int_equal(wait_report(0, TAKE_TIMEOUT), RECLOCK_HELD);
	assert_int_equal(wait_report(0, 3 * LEASE), RECLOCK_LOST);
	reclock_get_status(T->rl[0], &st);
	assert_int_equal(st.cause, RECLOCK_CAUSE_NO_ANSWER);
	wait_reaped(0);

	f = fopen(out, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* 0, 1, 2 and the one ls opens to list them */
	snprintf(spec, sizeof(spec), "2 %s second lease=500 home=unset fds=4\n", out);
	assert_string_equal(line, spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_hold_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stall_loses_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_then_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_hangs, setup, teardown),
	};

	log_set_level(getenv("HERD_TEST_VERBOSE") ? LOG_DEBUG : LOG_CRIT);
	signal(SIGPIPE, SIG_IGN); /* as herdd does */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
