/*
 * mail_driver.c — the email sink (notify.d/mail.c) alone on an sd-event
 * loop, for the shell tests in tests/notify/ (built as
 * $(BUILD)/tests/mail-driver, not a unit test itself).
 *
 *   mail-driver --spool DIR --server HOST:PORT [options] [actions]
 *
 * Options map one to one onto struct mail_config (durations in ms):
 *   --to ADDR (repeatable) --from ADDR --prefix P --cluster NAME --node PNN
 *   --starttls off|opportunistic|required --ca FILE --no-verify
 *   --auth-user U --password-file F --timeout MS
 *   --severity S --events LIST --coalesce MS --max-events N --rate N
 *   --retry-min MS --retry-max MS --expiry MS
 * Actions:
 *   --emit N            N events at start (seq 1..N, nodes 0..2 in turn)
 *   --emit-start SEQ    number them from SEQ instead
 *   --emit-type T       their type (default node-disconnected, error)
 *   --test              mail_test() one event; prints "test: R TEXT" and,
 *                       without --wait-idle, ends the run then
 *   --run SECS          run this long, then free the sink and exit 0
 *   --wait-idle SECS    run until nothing waits, is queued or sending:
 *                       exit 0, or 1 when SECS pass first
 *   --flush             mail_flush() at start
 * At exit the status JSON (mail_status_json) goes to stdout, one line.
 * SIGTERM and SIGINT end the run like --run does.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "agentd/log.h"
#include "agentd/state.h"
#include "notify.d/mail.h"

#define TICK (50 * USEC_PER_MSEC)
#define MAX_TO 16

struct driver {
	sd_event *event;
	struct mail *mail;
	usec_t deadline;
	bool wait_idle, idle, test_pending, test_requested;
	int exit_code;
};

static char *status_text(void *userdata)
{
	return strdup("Number of nodes:3\n"
		      "pnn:0   127.0.0.1        OK (THIS NODE) (LEADER)\n"
		      "pnn:1   127.0.0.2        DISCONNECTED|UNHEALTHY\n"
		      "pnn:2   127.0.0.3        OK\n"
		      "Generation:7\n"
		      "STATUS-MARKER\n");
}

static void on_test(int r, const char *text, void *userdata)
{
	struct driver *d = userdata;

	printf("test: %d %s\n", r, text);
	fflush(stdout);
	d->test_pending = false;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct driver *d = userdata;
	struct mail_counts c;

	mail_counts(d->mail, &c);
	if (d->wait_idle && c.queued == 0 && c.pending == 0 && !c.sending && !d->test_pending) {
		d->idle = true;
		return sd_event_exit(d->event, 0);
	}
	if (d->test_requested && !d->test_pending && !d->wait_idle)
		return sd_event_exit(d->event, 0);
	if (now_monotonic() >= d->deadline) {
		d->exit_code = d->wait_idle ? 1 : 0;
		return sd_event_exit(d->event, 0);
	}
	sd_event_source_set_time(s, now_monotonic() + TICK);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

static usec_t ms(const char *s)
{
	return (usec_t)strtoull(s, NULL, 10) * USEC_PER_MSEC;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spool", required_argument, NULL, 'S' },
		{ "server", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "starttls", required_argument, NULL, 'T' },
		{ "ca", required_argument, NULL, 'C' },
		{ "no-verify", no_argument, NULL, 'V' },
		{ "auth-user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 'v' },
		{ "events", required_argument, NULL, 'e' },
		{ "coalesce", required_argument, NULL, 'w' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "rate", required_argument, NULL, 'r' },
		{ "retry-min", required_argument, NULL, '1' },
		{ "retry-max", required_argument, NULL, '2' },
		{ "expiry", required_argument, NULL, 'x' },
		{ "emit", required_argument, NULL, 'E' },
		{ "emit-type", required_argument, NULL, 'Y' },
		{ "emit-start", required_argument, NULL, 'N' },
		{ "test", no_argument, NULL, 'X' },
		{ "run", required_argument, NULL, 'R' },
		{ "wait-idle", required_argument, NULL, 'W' },
		{ "flush", no_argument, NULL, 'F' },
		{ 0 },
	};
	const char *to[MAX_TO];
	struct mail_config cfg;
	struct driver d = { 0 };
	struct json_object *st;
	sd_event_source *tick = NULL;
	unsigned long emit = 0, emit_start = 1;
	enum herd_event_type emit_type = EV_NODE_DISCONNECTED;
	bool test = false, flush = false;
	usec_t run = 10 * USEC_PER_SEC;
	size_t nto = 0;
	sigset_t mask;
	int c, r;

	log_open("mail-driver", LOG_TARGET_STDERR);
	log_set_level(LOG_DEBUG);
	mail_config_default(&cfg);
	cfg.cluster = "testcluster";
	cfg.self = 0;
	cfg.hostname = "node0.test";
	cfg.policy.coalesce = 200 * USEC_PER_MSEC;
	cfg.policy.rate_per_hour = 0;
	cfg.send_timeout = 10 * USEC_PER_SEC;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S': cfg.spool_dir = optarg; break;
		case 's': cfg.server = optarg; break;
		case 't':
			if (nto < MAX_TO)
				to[nto++] = optarg;
			break;
		case 'f': cfg.from = optarg; break;
		case 'p': cfg.subject_prefix = optarg; break;
		case 'c': cfg.cluster = optarg; break;
		case 'n': cfg.self = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'T':
			r = mailsend_starttls_from_name(optarg);
			if (r < 0) {
				fprintf(stderr, "mail-driver: bad --starttls %s\n", optarg);
				return 2;
			}
			cfg.starttls = r;
			break;
		case 'C': cfg.tls_ca_file = optarg; break;
		case 'V': cfg.tls_verify = false; break;
		case 'u': cfg.auth_user = optarg; break;
		case 'P': cfg.auth_password_file = optarg; break;
		case 'o': cfg.send_timeout = ms(optarg); break;
		case 'v':
			r = severity_from_name(optarg);
			if (r < 0)
				return 2;
			cfg.policy.min_severity = r;
			break;
		case 'e':
			if (mailpolicy_parse_types(optarg, &cfg.policy.types) < 0)
				return 2;
			break;
		case 'w': cfg.policy.coalesce = ms(optarg); break;
		case 'm': cfg.policy.max_events = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': cfg.policy.rate_per_hour = (unsigned)strtoul(optarg, NULL, 10); break;
		case '1': cfg.policy.retry_min = ms(optarg); break;
		case '2': cfg.policy.retry_max = ms(optarg); break;
		case 'x': cfg.policy.expiry = ms(optarg); break;
		case 'E': emit = strtoul(optarg, NULL, 10); break;
		case 'N': emit_start = strtoul(optarg, NULL, 10); break;
		case 'Y':
			r = event_type_from_name(optarg);
			if (r < 0)
				return 2;
			emit_type = r;
			break;
		case 'X': test = true; break;
		case 'R': run = (usec_t)(strtod(optarg, NULL) * USEC_PER_SEC); break;
		case 'W':
			run = (usec_t)(strtod(optarg, NULL) * USEC_PER_SEC);
			d.wait_idle = true;
			break;
		case 'F': flush = true; break;
		default:
			fprintf(stderr, "usage: mail-driver --spool DIR --server HOST:PORT ...\n");
			return 2;
		}
	}
	if (nto) {
		cfg.to = to;
		cfg.nto = nto;
	}

	/* As herdd: SIGCHLD blocked for sd_event_add_child, signals as events. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_default(&d.event);
	if (r < 0)
		return 1;
	sd_event_add_signal(d.event, NULL, SIGTERM, NULL, NULL);
	sd_event_add_signal(d.event, NULL, SIGINT, NULL, NULL);

	r = mail_new(d.event, &cfg, status_text, &d, &d.mail);
	if (r < 0) {
		fprintf(stderr, "mail-driver: mail_new: %s\n", strerror(-r));
		return 1;
	}
	for (unsigned long i = emit_start; i < emit_start + emit; i++) {
		struct herd_event ev = {
			.seq = i, .wall = now_realtime(), .mono = now_monotonic(),
			.node = (uint32_t)(i % 3), .reporter = 0, .type = emit_type,
			.severity = event_type_severity(emit_type),
		};

		snprintf(ev.subject, sizeof(ev.subject), "event %lu", i);
		snprintf(ev.detail, sizeof(ev.detail), "detail of event %lu", i);
		r = mail_event(d.mail, &ev);
		if (r < 0)
			fprintf(stderr, "mail-driver: mail_event: %s\n", strerror(-r));
	}
	if (test) {
		struct herd_event ev = {
			.seq = 0, .wall = now_realtime(), .node = 0, .type = EV_HEALTHY,
			.severity = SEV_NOTICE, .subject = "test event from mail-driver",
			.detail = "herdctl notify test",
		};

		r = mail_test(d.mail, &ev, on_test, &d);
		if (r < 0)
			printf("test: %d cannot compose: %s\n", r, strerror(-r));
		else
			d.test_pending = d.test_requested = true;
	}
	if (flush)
		mail_flush(d.mail);
	d.deadline = now_monotonic() + run;
	sd_event_add_time(d.event, &tick, CLOCK_MONOTONIC, now_monotonic() + TICK, 0, on_tick, &d);
	sd_event_loop(d.event);

	st = mail_status_json(d.mail);
	printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
	json_object_put(st);
	mail_free(d.mail);
	sd_event_source_unref(tick);
	sd_event_unref(d.event);
	return d.exit_code;
}
