/*
 * log.c — the log back ends: stderr (foreground), journal, syslog.
 */
#include "agentd/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

static enum log_target log_target = LOG_TARGET_STDERR;
static int log_level = LOG_NOTICE;
static const char *log_ident = "herd";

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void log_open(const char *ident, enum log_target target)
{
	struct stat st;

	log_ident = ident;
	if (target == LOG_TARGET_AUTO)
		target = stat("/run/systemd/journal/socket", &st) == 0 ? LOG_TARGET_JOURNAL
								     : LOG_TARGET_SYSLOG;
	log_target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_close(void)
{
	if (log_target == LOG_TARGET_SYSLOG)
		closelog();
	log_target = LOG_TARGET_STDERR;
}

enum log_target log_get_target(void)
{
	return log_target;
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

const char *log_level_name(int level)
{
	if (level < 0 || level >= (int)ARRAY_SIZE(level_names))
		return "unknown";
	return level_names[level];
}

int log_level_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (streq(level_names[i], name))
			return (int)i;
	if (streq(name, "err"))
		return LOG_ERR;
	if (streq(name, "warn"))
		return LOG_WARNING;
	return -EINVAL;
}

static void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	if (prio > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	switch (log_target) {
	case LOG_TARGET_JOURNAL:
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
				"SYSLOG_IDENTIFIER=%s", log_ident, NULL);
		break;
	case LOG_TARGET_SYSLOG:
		syslog(prio, "%s", msg);
		break;
	default:
		fprintf(stderr, "%s[%d]: %s: %s\n", log_ident, (int)getpid(),
			log_level_name(prio), msg);
		break;
	}
	errno = saved;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	abort();
}
