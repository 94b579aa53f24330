/*
 * test_failing.c — the set of failing collectors (collectors/failing.c) as
 * a table: the set before and one monitor run in; the changes reported and
 * the set after out. Then a sequence of runs (counts, first-failure time,
 * silent detail updates) and failing_detail()'s words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include <signal.h>

#include "collectors/failing.h"

#define OK EVENTSCRIPT_OK
#define ERR EVENTSCRIPT_ERROR
#define TMO EVENTSCRIPT_TIMEDOUT
#define DIS EVENTSCRIPT_DISABLED
#define NR EVENTSCRIPT_NOT_RUN

/* The set's first failures started at T0, the run at T0 + 10s. */
#define T0 (1700000000ULL * USEC_PER_SEC)
#define T1 (T0 + 10 * USEC_PER_SEC)

struct sc {
	const char *name;
	enum eventscript_status status;
	int exit_status, signal, exec_error;
	const char *output;
};

/* Changes as text: "+name(detail)" failed, "-name(detail)" recovered. */
static void collect(const struct failing_change *ch, void *userdata)
{
	char *out = userdata;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s%c%s(%s)", n ? " " : "", ch->failed ? '+' : '-', ch->name,
		 ch->detail);
}

/* The set as text: "name:runs", "@name:runs" for the directory. */
static void set_text(char *buf, size_t len, const struct failing *f)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->n; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s:%u", i ? " " : "",
				      f->v[i].dir ? "@" : "", f->v[i].name, f->v[i].runs);
}

/* A set from text as set_text() writes it; every entry first failed at T0. */
static void set_from_text(struct failing *f, const char *text)
{
	char buf[256], *save = NULL;

	*f = (struct failing){ 0 };
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		struct failing_collector *c;
		char *colon = strchr(w, ':');

		f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
		assert_non_null(f->v);
		c = &f->v[f->n++];
		*c = (struct failing_collector){ .since = T0, .dir = w[0] == '@' };
		assert_non_null(colon);
		*colon = '\0';
		c->runs = (unsigned)atoi(colon + 1);
		snprintf(c->name, sizeof(c->name), "%s", w + c->dir);
		snprintf(c->detail, sizeof(c->detail), "old detail");
	}
}

/* A run of the given scripts; its status and failed index as eventscripts.c sets them. */
static void make_run(struct eventscripts_run *run, struct eventscript_result *res,
		     const struct sc *sc, int list_error, bool canceled)
{
	*run = (struct eventscripts_run){
		.event = "monitor", .status = OK, .list_error = list_error, .failed = -1,
		.start_wall = T1, .timeout = 2 * USEC_PER_SEC, .scripts = res,
	};
	for (size_t i = 0; sc && sc[i].name; i++) {
		res[i] = (struct eventscript_result){
			.status = sc[i].status, .exit_status = sc[i].exit_status,
			.signal = sc[i].signal, .exec_error = sc[i].exec_error,
			.output = (char *)sc[i].output,
		};
		snprintf(res[i].name, sizeof(res[i].name), "%s", sc[i].name);
		if (run->failed < 0 && (sc[i].status == ERR || sc[i].status == TMO)) {
			run->failed = (int)i;
			run->status = sc[i].status;
		}
		run->nscripts++;
	}
	if (list_error)
		run->status = ERR;
	if (canceled)
		run->status = EVENTSCRIPT_CANCELED;
}

static void test_update_table(void **state)
{
	static const struct {
		const char *what;
		const char *before;
		struct sc scripts[5];
		int list_error;
		bool canceled;
		const char *changes;
		const char *after;
	} cases[] = {
		{ "all fine, nothing failing", "",
		  { { "10.a", OK, 0 }, { "20.b", OK, 0 } }, 0, false, "", "" },
		{ "no scripts at all", "", { { NULL } }, 0, false, "", "" },
		{ "a script fails: added, with why",
		  "", { { "10.a", OK, 0 }, { "20.b", ERR, 1, 0, 0, "service check failed\nmore\n" },
			{ "30.c", NR, -1 } }, 0, false,
		  "+20.b(exit 1: service check failed)", "20.b:1" },
		{ "fails without output",
		  "", { { "10.a", ERR, 3 } }, 0, false, "+10.a(exit 3)", "10.a:1" },
		{ "timed out",
		  "", { { "10.a", TMO, -1, SIGKILL, 0, "hanging\n" } }, 0, false,
		  "+10.a(timed out after 2s: hanging)", "10.a:1" },
		{ "killed by a signal",
		  "", { { "10.a", ERR, -1, SIGKILL } }, 0, false, "+10.a(killed by SIGKILL)",
		  "10.a:1" },
		{ "cannot be run",
		  "", { { "10.a", ERR, 127, 0, -EACCES, "ignored" } }, 0, false,
		  "+10.a(cannot execute: Permission denied)", "10.a:1" },
		{ "fails again: no report, counted",
		  "10.a:1", { { "10.a", ERR, 1, 0, 0, "down" } }, 0, false, "", "10.a:2" },
		{ "works again",
		  "10.a:3", { { "10.a", OK, 0 } }, 0, false,
		  "-10.a(works again after 3 failed runs (failing for 10s))", "" },
		{ "works again after one run",
		  "10.a:1", { { "10.a", OK, 0 } }, 0, false,
		  "-10.a(works again after 1 failed run (failing for 10s))", "" },
		{ "not run after an earlier failure: unchanged",
		  "20.b:4", { { "10.a", ERR, 1 }, { "20.b", NR, -1 } }, 0, false,
		  "+10.a(exit 1)", "10.a:1 20.b:4" },
		{ "not run and not failing: nothing",
		  "", { { "10.a", ERR, 1 }, { "20.b", NR, -1 } }, 0, false, "+10.a(exit 1)",
		  "10.a:1" },
		{ "disabled while failing",
		  "10.a:2", { { "10.a", DIS, -1 }, { "20.b", OK, 0 } }, 0, false,
		  "-10.a(disabled)", "" },
		{ "disabled, never failing: nothing",
		  "", { { "10.a", DIS, -1 } }, 0, false, "", "" },
		{ "removed while failing",
		  "05.gone:2 10.a:1", { { "10.a", ERR, 1 } }, 0, false, "-05.gone(removed)",
		  "10.a:2" },
		{ "the directory removed: every script removed",
		  "10.a:1 20.b:1", { { NULL } }, 0, false, "-10.a(removed) -20.b(removed)", "" },
		{ "the listing fails: events.d fails, the scripts stay",
		  "10.a:2", { { NULL } }, -EACCES, false,
		  "+events.d(Permission denied)", "@events.d:1 10.a:2" },
		{ "the listing fails again: counted",
		  "@events.d:1 10.a:2", { { NULL } }, -EIO, false, "", "@events.d:2 10.a:2" },
		{ "the listing works again",
		  "@events.d:2 10.a:2", { { "10.a", OK, 0 } }, 0, false,
		  "-events.d(works again after 2 failed runs (failing for 10s)) "
		  "-10.a(works again after 2 failed runs (failing for 10s))", "" },
		{ "a script named events.d is not the directory",
		  "@events.d:1", { { "events.d", ERR, 2 } }, 0, false,
		  "-events.d(works again after 1 failed run (failing for 10s)) +events.d(exit 2)",
		  "events.d:1" },
		{ "a canceled run changes nothing",
		  "10.a:1 20.b:1", { { "10.a", OK, 0 }, { "30.c", ERR, 1 } }, 0, true, "",
		  "10.a:1 20.b:1" },
		{ "several at once, in run order, removed last",
		  "00.gone:1 20.b:1 40.d:1",
		  { { "10.a", OK, 0 }, { "20.b", OK, 0 }, { "30.c", ERR, 1, 0, 0, "x" },
		    { "40.d", NR, -1 } }, 0, false,
		  "-20.b(works again after 1 failed run (failing for 10s)) +30.c(exit 1: x) "
		  "-00.gone(removed)", "30.c:1 40.d:1" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct eventscript_result res[5];
		struct eventscripts_run run;
		struct failing f;
		char changes[1024] = "", after[256];
		int r;

		set_from_text(&f, cases[i].before);
		make_run(&run, res, cases[i].scripts, cases[i].list_error, cases[i].canceled);
		r = failing_update(&f, &run, collect, changes);
		set_text(after, sizeof(after), &f);
		if (!streq(changes, cases[i].changes) || !streq(after, cases[i].after))
			fail_msg("case %zu (%s): changes '%s' set '%s'; want '%s' set '%s'", i,
				 cases[i].what, changes, after, cases[i].changes, cases[i].after);
		if (r < 0 || (r == 0) != (changes[0] == '\0'))
			fail_msg("case %zu (%s): returned %d", i, cases[i].what, r);
		failing_clear(&f);
	}
}

/* Runs one after another: the first failure's time stays, the detail follows. */
static void test_sequence(void **state)
{
	struct eventscript_result res[2];
	struct eventscripts_run run;
	struct failing f = { 0 };
	const struct failing_collector *c;
	char changes[1024] = "";

	make_run(&run, res, (const struct sc[]){ { "10.a", ERR, 1, 0, 0, "first" }, { NULL } },
		 0, false);
	assert_int_equal(failing_update(&f, &run, collect, changes), 1);
	assert_string_equal(changes, "+10.a(exit 1: first)");
	c = failing_find(&f, "10.a");
	assert_non_null(c);
	assert_true(c->since == T1);
	assert_int_equal(c->runs, 1);
	assert_false(c->dir);

	/* Failing differently: silent, but the detail is the latest. */
	make_run(&run, res, (const struct sc[]){ { "10.a", TMO, -1, SIGKILL }, { NULL } },
		 0, false);
	run.start_wall = T1 + 5 * USEC_PER_SEC;
	changes[0] = '\0';
	assert_int_equal(failing_update(&f, &run, NULL, NULL), 0);
	c = failing_find(&f, "10.a");
	assert_string_equal(c->detail, "timed out after 2s");
	assert_int_equal(c->runs, 2);
	assert_true(c->since == T1);

	/* The listing fails: the directory too, found by its name. */
	make_run(&run, res, NULL, -ENOTDIR, false);
	run.start_wall = T1 + 10 * USEC_PER_SEC;
	assert_int_equal(failing_update(&f, &run, collect, changes), 1);
	assert_string_equal(changes, "+events.d(Not a directory)");
	assert_int_equal(f.n, 2);
	assert_true(failing_find(&f, FAILING_EVENTS_DIR)->dir);
	assert_null(failing_find(&f, "20.b"));

	/* Fixed: both recover, timed from their first failures. */
	make_run(&run, res, (const struct sc[]){ { "10.a", OK, 0 }, { NULL } }, 0, false);
	run.start_wall = T1 + 75 * USEC_PER_SEC + 500 * USEC_PER_MSEC;
	changes[0] = '\0';
	assert_int_equal(failing_update(&f, &run, collect, changes), 2);
	assert_string_equal(changes,
			    "-events.d(works again after 1 failed run (failing for 1m 5.500s)) "
			    "-10.a(works again after 2 failed runs (failing for 1m 15.500s))");
	assert_int_equal(f.n, 0);
	assert_null(f.v);

	/* A clock that went back: no duration. */
	make_run(&run, res, (const struct sc[]){ { "10.a", ERR, 1 }, { NULL } }, 0, false);
	assert_int_equal(failing_update(&f, &run, NULL, NULL), 1);
	make_run(&run, res, (const struct sc[]){ { "10.a", OK, 0 }, { NULL } }, 0, false);
	run.start_wall = T0;
	changes[0] = '\0';
	assert_int_equal(failing_update(&f, &run, collect, changes), 1);
	assert_string_equal(changes, "-10.a(works again after 1 failed run)");
	failing_clear(&f);
	failing_clear(&f);
}

static void test_detail(void **state)
{
	static const struct sc sc[] = {
		{ "10.a", OK, 0 },
		{ "20.b", ERR, 1, 0, 0, "line one\nline two\n" },
		{ "30.c", NR, -1 },
		{ NULL },
	};
	struct eventscript_result res[4];
	struct eventscripts_run run;
	char buf[64], tiny[8];

	make_run(&run, res, sc, 0, false);
	assert_string_equal(failing_detail(buf, sizeof(buf), &run, 0), "OK");
	assert_string_equal(failing_detail(buf, sizeof(buf), &run, 1), "exit 1: line one");
	assert_string_equal(failing_detail(buf, sizeof(buf), &run, 2), "NOT_RUN");
	assert_string_equal(failing_detail(buf, sizeof(buf), &run, 3), "");
	assert_string_equal(failing_detail(tiny, sizeof(tiny), &run, 1), "exit 1:");
	/* A list error of the run does not hide the script's own words. */
	run.list_error = -EIO;
	assert_string_equal(failing_detail(buf, sizeof(buf), &run, 1), "exit 1: line one");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_table),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_detail),
	};

	return cmocka_run_group_tests_name("failing", tests, NULL, NULL);
}
