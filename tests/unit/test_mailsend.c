/*
 * Unit tests: notify.d/mailsend.c — the child's report and what it means
 * (a table), and real children on sd-event against servers that are not
 * there, that never answer, and a message that cannot be read. The SMTP
 * dialogue itself is tested against a real server in tests/notify/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "notify.d/mailsend.h"

#define S(n) ((usec_t)(n) * USEC_PER_SEC)

static void test_conclude(void **state)
{
	static const struct {
		const char *report;
		size_t nrcpt;
		bool timed_out;
		int status;
		bool delivered, session_failed, tls;
		const char *error;
		int codes[3];
	} cases[] = {
		{ "MAIL 250 ok\nRCPT 0 250 ok\nDATA 250 queued\nEND\n", 1, false, 0,
		  true, false, false, "", { 250 } },
		{ "TLS started\nMAIL 250 ok\nRCPT 0 250 ok\nRCPT 1 251 forwarded\nDATA 250 q\nEND\n", 2,
		  false, 0, true, false, true, "", { 250, 251 } },
		/* One recipient refused: not delivered, but the server answered. */
		{ "MAIL 250 ok\nRCPT 0 250 ok\nRCPT 1 550 no such user\nDATA 250 q\nEND\n", 2, false, 0,
		  false, false, false, "recipient 2 refused: 550 no such user", { 250, 550 } },
		{ "MAIL 250 ok\nRCPT 0 450 later\nRCPT 1 550 no\nRCPT 2 550 no\nDATA 0 \nEND\n", 3,
		  false, 0, false, false, false, "recipient 1 refused: 450 later (and 2 more)",
		  { 450, 550, 550 } },
		/* Every RCPT fine but DATA refused. */
		{ "MAIL 250 ok\nRCPT 0 250 ok\nDATA 554 spam\nEND\n", 1, false, 0,
		  false, false, false, "message refused: 554 spam", { 250 } },
		/* smtp_start_session failed: the session's fault, the first ERR wins. */
		{ "ERR localhost:1: Connection refused\nMAIL 0 \nRCPT 0 0 \nDATA 0 \nEND\n", 1, false, 0,
		  false, true, false, "localhost:1: Connection refused", { 0 } },
		{ "ERR the server does not offer STARTTLS (starttls = required)\nERR x: y\nMAIL 0 \n"
		  "RCPT 0 0 \nDATA 0 \nEND\n", 1, false, 0, false, true, false,
		  "the server does not offer STARTTLS (starttls = required)", { 0 } },
		{ "MAIL 530 5.7.0 Authentication required\nRCPT 0 0 \nDATA 0 \nEND\n", 1, false, 0,
		  false, true, false, "MAIL FROM refused: 530 5.7.0 Authentication required", { 0 } },
		/* Killed at the timeout, the report cut short. */
		{ "MAIL 250 ok\n", 1, true, -9, false, true, false, "timed out after 30s", { 0 } },
		/* The child died without finishing. */
		{ "", 1, false, -11, false, true, false, "the mail child was killed by signal 11", { 0 } },
		{ "ERR cannot read /x: No such file or directory\n", 1, false, 0, false, true, false,
		  "the mail child exited 0: cannot read /x: No such file or directory", { 0 } },
		/* An incomplete report never counts as delivered. */
		{ "MAIL 250 ok\nRCPT 0 250 ok\nDATA 250 q\n", 1, false, 0, false, false, false,
		  "the mail child exited 0", { 250 } },
		/* Garbage and out-of-range indexes are ignored. */
		{ "HELLO\nRCPT 7 250 x\nRCPT x 250\nMAIL 250 ok\nRCPT 0 250 ok\nDATA 250 q\nEND", 1,
		  false, 0, true, false, false, "", { 250 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mailsend_rcpt rcpt[3];
		struct mailsend_result res = { .nrcpt = cases[i].nrcpt, .rcpt = rcpt };

		memset(rcpt, 0, sizeof(rcpt));
		mailsend_conclude(cases[i].report, strlen(cases[i].report), cases[i].timed_out,
				  cases[i].status, S(30), &res);
		if (res.delivered != cases[i].delivered || res.session_failed != cases[i].session_failed ||
		    res.tls != cases[i].tls || !streq(res.error, cases[i].error))
			fail_msg("case %zu: delivered %d session %d tls %d error '%s'", i, res.delivered,
				 res.session_failed, res.tls, res.error);
		for (size_t k = 0; k < cases[i].nrcpt; k++)
			assert_int_equal(rcpt[k].code, cases[i].codes[k]);
	}
}

static void test_names(void **state)
{
	assert_string_equal(mailsend_starttls_name(MAILSEND_STARTTLS_OPPORTUNISTIC), "opportunistic");
	assert_int_equal(mailsend_starttls_from_name("required"), MAILSEND_STARTTLS_REQUIRED);
	assert_int_equal(mailsend_starttls_from_name("off"), MAILSEND_STARTTLS_OFF);
	assert_int_equal(mailsend_starttls_from_name("yes"), -EINVAL);
}

/* ---- real children ------------------------------------------------------ */

struct run {
	bool called;
	struct mailsend_result res;
	char error[MAILSEND_TEXT_MAX];
	struct mailsend *s;
};

static void on_done(struct mailsend *s, const struct mailsend_result *res, void *userdata)
{
	struct run *r = userdata;

	r->called = true;
	r->res = *res;
	r->res.rcpt = NULL;
	snprintf(r->error, sizeof(r->error), "%s", res->error);
	mailsend_free(s);
	r->s = NULL;
}

static void run_until(sd_event *e, struct run *r, usec_t max)
{
	usec_t end = now_monotonic() + max;

	while (!r->called && now_monotonic() < end)
		assert_true(sd_event_run(e, 100 * USEC_PER_MSEC) >= 0);
	assert_true(r->called);
}

/* A port on 127.0.0.1 that refuses connections (bound, never listening). */
static int closed_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static char msg_path[64];

static int setup_msg(void **state)
{
	int fd;

	snprintf(msg_path, sizeof(msg_path), "/tmp/test_mailsend.XXXXXX");
	fd = mkstemp(msg_path);
	if (fd < 0)
		return -1;
	if (write(fd, "Subject: x\r\n\r\nbody\r\n", 20) != 20)
		return -1;
	close(fd);
	return 0;
}

static int teardown_msg(void **state)
{
	unlink(msg_path);
	return 0;
}

static void test_refused(void **state)
{
	static const char *const rcpt[] = { "root@localhost", "ops@localhost" };
	_cleanup_(closep) int fd = -EBADF;
	char server[64];
	struct mailsend_config cfg = { .server = server, .from = "herd@localhost",
				       .timeout = S(10) };
	struct run r = { 0 };
	sd_event *e = NULL;

	snprintf(server, sizeof(server), "127.0.0.1:%d", closed_port(&fd));
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 2, on_done, &r, &r.s), 0);
	assert_true(mailsend_running(r.s));
	run_until(e, &r, S(10));
	assert_false(r.res.delivered);
	assert_true(r.res.session_failed);
	assert_false(r.res.timed_out);
	assert_true(r.res.complete);
	assert_int_equal(r.res.nrcpt, 2);
	if (!strstr(r.error, "Connection refused"))
		fail_msg("error '%s'", r.error);
	sd_event_unref(e);
}

static void test_unreadable(void **state)
{
	static const char *const rcpt[] = { "root@localhost" };
	struct mailsend_config cfg = { .server = "127.0.0.1:1", .from = "herd@localhost" };
	struct run r = { 0 };
	sd_event *e = NULL;

	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(mailsend_start(e, &cfg, "/nonexistent/x.msg", rcpt, 1, on_done, &r, &r.s),
			 0);
	run_until(e, &r, S(10));
	assert_true(r.res.session_failed);
	assert_string_equal(r.error, "the mail child exited 0: cannot read /nonexistent/x.msg: "
				     "No such file or directory");
	/* And the password file, read by the child too. */
	memset(&r, 0, sizeof(r));
	cfg.auth_user = "herd";
	cfg.auth_password_file = "/nonexistent/pw";
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 1, on_done, &r, &r.s), 0);
	run_until(e, &r, S(10));
	if (!strstr(r.error, "cannot read the password file /nonexistent/pw"))
		fail_msg("error '%s'", r.error);
	sd_event_unref(e);
}

/* A server that accepts the connection and never says a word. */
static void test_timeout(void **state)
{
	static const char *const rcpt[] = { "root@localhost" };
	_cleanup_(closep) int fd = -EBADF;
	char server[64];
	struct mailsend_config cfg = { .server = server, .from = "herd@localhost",
				       .timeout = 300 * USEC_PER_MSEC };
	struct run r = { 0 };
	sd_event *e = NULL;
	usec_t start = now_monotonic();

	snprintf(server, sizeof(server), "127.0.0.1:%d", closed_port(&fd));
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 1, on_done, &r, &r.s), 0);
	run_until(e, &r, S(10));
	assert_true(r.res.timed_out);
	assert_true(r.res.session_failed);
	assert_false(r.res.delivered);
	assert_true(now_monotonic() - start < S(5));
	assert_true(r.res.duration >= 300 * USEC_PER_MSEC);
	if (strncmp(r.error, "timed out after", 15) != 0)
		fail_msg("error '%s'", r.error);
	sd_event_unref(e);
}

/* Freed while the child runs: killed, reaped by the loop, no callback. */
static void test_free_running(void **state)
{
	static const char *const rcpt[] = { "root@localhost" };
	_cleanup_(closep) int fd = -EBADF;
	char server[64];
	struct mailsend_config cfg = { .server = server, .from = "herd@localhost",
				       .timeout = S(60) };
	struct run r = { 0 };
	sd_event *e = NULL;
	pid_t pid;

	snprintf(server, sizeof(server), "127.0.0.1:%d", closed_port(&fd));
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 1, on_done, &r, &r.s), 0);
	for (int i = 0; i < 5; i++)
		assert_true(sd_event_run(e, 20 * USEC_PER_MSEC) >= 0);
	mailsend_free(r.s);
	/* The loop reaps it: after a few turns no child of ours is left. */
	for (int i = 0; i < 50; i++) {
		assert_true(sd_event_run(e, 20 * USEC_PER_MSEC) >= 0);
		pid = waitpid(-1, NULL, WNOHANG);
		if (pid < 0 && errno == ECHILD)
			break;
	}
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_false(r.called);
	sd_event_unref(e);
}

static void test_invalid(void **state)
{
	static const char *const rcpt[] = { "root@localhost" };
	struct mailsend_config cfg = { .server = "localhost:25", .from = "herd@localhost" };
	struct mailsend *s;
	sd_event *e = NULL;

	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 0, on_done, NULL, &s), -EINVAL);
	cfg.server = "";
	assert_int_equal(mailsend_start(e, &cfg, msg_path, rcpt, 1, on_done, NULL, &s), -EINVAL);
	mailsend_free(NULL);
	sd_event_unref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conclude),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_free_running),
		cmocka_unit_test(test_invalid),
	};
	sigset_t chld;

	/* sd_event_add_child needs SIGCHLD blocked, as herdd has it. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	return cmocka_run_group_tests(tests, setup_msg, teardown_msg);
}
