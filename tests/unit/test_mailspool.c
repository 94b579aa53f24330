/*
 * Unit tests: notify.d/mailspool.c — the spool in a temporary directory:
 * add and reload, the state sidecar, leftovers of a crash, delivery and
 * expiry into failed/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "notify.d/mailspool.h"

#define S(n) ((usec_t)(n) * USEC_PER_SEC)
#define T0 (UINT64_C(1795428000) * USEC_PER_SEC)

static const char *const rcpt2[] = { "root@localhost", "ops@example.com" };
static const char *const fallback[] = { "fallback@localhost" };

struct fixture {
	char dir[64];
	char spool[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_mailspool.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	/* Below a directory that does not exist yet: open creates both. */
	snprintf(f->spool, sizeof(f->spool), "%s/state/mail", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_type == DT_REG)
			n++;
	closedir(d);
	return n;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_add_reload(void **state)
{
	struct fixture *f = *state;
	struct mailspool *s;
	struct mailspool_entry *a, *b, *e;
	struct mailspool_stats st;
	char name[64], *msg;
	size_t len;
	struct stat sb;

	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	assert_int_equal(stat(f->spool, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_true(exists(f->spool, MAILSPOOL_FAILED_DIR));
	assert_int_equal(mailspool_count(s), 0);
	assert_null(mailspool_next_due(s));
	assert_int_equal(mailspool_add(s, "one\r\n", 5, rcpt2, 2, T0 + S(2), 0x2222, &b), 0);
	/* An older mail added later (the clock went back) still sorts first. */
	assert_int_equal(mailspool_add(s, "two\r\n", 5, rcpt2, 1, T0 + S(1), 0x1111, &a), 0);
	assert_int_equal(mailspool_add(s, "x", 1, rcpt2, 0, T0, 1, &e), -EINVAL);
	assert_true(mailspool_id_ok(a->id));
	assert_string_equal(b->id, "000660eea8476c80-00002222");
	assert_ptr_equal(mailspool_get(s, 0), a);
	assert_ptr_equal(mailspool_get(s, 1), b);
	assert_ptr_equal(mailspool_next_due(s), a);
	snprintf(name, sizeof(name), "%s.msg", a->id);
	assert_true(exists(f->spool, name));
	snprintf(name, sizeof(name), "%s.state", a->id);
	assert_true(exists(f->spool, name));
	/* The one due first wins, whatever its age. */
	a->next = T0 + S(60);
	assert_ptr_equal(mailspool_next_due(s), b);

	/* A failed attempt, persisted. */
	b->attempts = 2;
	b->next = T0 + S(90);
	b->session_failed = true;
	b->error_time = T0 + S(30);
	b->done[1] = true;
	snprintf(b->error, sizeof(b->error), "connect:\nConnection refused");
	assert_int_equal(mailspool_save(s, b), 0);
	mailspool_free(s);

	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	assert_int_equal(mailspool_count(s), 2);
	e = mailspool_get(s, 1);
	assert_int_equal(e->queued, T0 + S(2));
	assert_int_equal(e->next, T0 + S(90));
	assert_int_equal(e->attempts, 2);
	assert_true(e->session_failed);
	assert_int_equal(e->error_time, T0 + S(30));
	assert_string_equal(e->error, "connect: Connection refused");
	assert_int_equal(e->nrcpt, 2);
	assert_string_equal(e->rcpt[0], "root@localhost");
	assert_false(e->done[0]);
	assert_string_equal(e->rcpt[1], "ops@example.com");
	assert_true(e->done[1]);
	assert_int_equal(e->size, 5);
	assert_int_equal(mailspool_read(s, e, &msg, &len), 0);
	assert_string_equal(msg, "one\r\n");
	assert_int_equal(len, 5);
	free(msg);
	assert_int_equal(mailspool_get(s, 0)->nrcpt, 1);
	mailspool_stats(s, &st);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.oldest, T0 + S(1));
	assert_int_equal(st.last_error_time, T0 + S(30));
	assert_string_equal(st.last_error, "connect: Connection refused");
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.failed, 0);
	mailspool_free(s);
}

static void test_deliver_expire(void **state)
{
	struct fixture *f = *state;
	char failed[160], name[64], id[MAILSPOOL_ID_MAX];
	struct mailspool *s;
	struct mailspool_entry *a, *b;
	struct mailspool_stats st;

	snprintf(failed, sizeof(failed), "%s/" MAILSPOOL_FAILED_DIR, f->spool);
	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	assert_int_equal(mailspool_add(s, "a\r\n", 3, rcpt2, 1, T0, 1, &a), 0);
	assert_int_equal(mailspool_add(s, "b\r\n", 3, rcpt2, 1, T0 + 1, 2, &b), 0);
	assert_int_equal(count_files(f->spool), 4);

	assert_int_equal(mailspool_delivered(s, a), 0);
	assert_int_equal(count_files(f->spool), 2);
	snprintf(id, sizeof(id), "%s", b->id);
	b->attempts = 9;
	b->error_time = T0 + S(100);
	snprintf(b->error, sizeof(b->error), "RCPT TO:<root@localhost> refused: 550 no");
	assert_int_equal(mailspool_expire(s, b), 0);
	assert_int_equal(count_files(f->spool), 0);
	assert_int_equal(count_files(failed), 2);
	snprintf(name, sizeof(name), "%s.msg", id);
	assert_true(exists(failed, name));
	mailspool_stats(s, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.oldest, 0);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.failed, 1);
	assert_string_equal(st.last_error, "RCPT TO:<root@localhost> refused: 550 no");
	assert_string_equal(st.last_error_id, id);
	mailspool_free(s);

	/* failed/ is counted again at open; delivered is since open. */
	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	mailspool_stats(s, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(mailspool_count(s), 0);
	mailspool_free(s);
}

/* What a crash can leave behind, and files that are not ours. */
static void test_leftovers(void **state)
{
	struct fixture *f = *state;
	struct mailspool *s;
	struct mailspool_entry *e;

	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	mailspool_free(s);
	/* A message whose state was never written: queued afresh. */
	write_file(f->spool, "0000000000000001-00000001.msg", "lonely\r\n");
	/* A state whose message is gone (delivered, crash before the unlink). */
	write_file(f->spool, "0000000000000002-00000002.state", "herd-mail-spool 1\nrcpt a@b\n");
	/* Half-written temporaries. */
	write_file(f->spool, ".0000000000000003-00000003.msg.tmp", "half");
	/* A state that is not one: queued afresh too. */
	write_file(f->spool, "0000000000000004-00000004.msg", "garbled\r\n");
	write_file(f->spool, "0000000000000004-00000004.state", "something else\n");
	/* Not ours: left alone. */
	write_file(f->spool, "README", "hello");
	write_file(f->spool, "notanid.msg", "x");

	assert_int_equal(mailspool_open(f->spool, fallback, 1, &s), 0);
	assert_int_equal(mailspool_count(s), 2);
	e = mailspool_get(s, 0);
	assert_string_equal(e->id, "0000000000000001-00000001");
	assert_int_equal(e->nrcpt, 1);
	assert_string_equal(e->rcpt[0], "fallback@localhost");
	assert_int_equal(e->attempts, 0);
	assert_int_equal(e->next, 0);
	assert_true(e->queued > 0);                     /* the file's mtime */
	assert_true(exists(f->spool, "0000000000000001-00000001.state"));
	assert_string_equal(mailspool_get(s, 1)->rcpt[0], "fallback@localhost");
	assert_false(exists(f->spool, "0000000000000002-00000002.state"));
	assert_false(exists(f->spool, ".0000000000000003-00000003.msg.tmp"));
	assert_true(exists(f->spool, "README"));
	assert_true(exists(f->spool, "notanid.msg"));
	mailspool_free(s);
}

static void test_id_ok(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "0019cbc3f63b4c80-00002222", true },
		{ "0019cbc3f63b4c80-0000222", false },
		{ "0019CBC3F63B4C80-00002222", false },
		{ "0019cbc3f63b4c80_00002222", false },
		{ "../../etc/passwd", false },
		{ "", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (mailspool_id_ok(cases[i].name) != cases[i].ok)
			fail_msg("case %zu '%s'", i, cases[i].name);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct mailspool *s;
	char file[160];

	assert_int_equal(mailspool_open("", fallback, 1, &s), -EINVAL);
	snprintf(file, sizeof(file), "%s/plainfile", f->dir);
	write_file(f->dir, "plainfile", "x");
	assert_int_equal(mailspool_open(file, fallback, 1, &s), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers, setup, teardown),
		cmocka_unit_test(test_id_ok),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
