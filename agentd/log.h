/*
 * log.h — herd's logging: one call site, three back ends.
 *
 * Foreground (-d) logs to stderr; a daemon logs to the journal when its
 * socket exists (sd_journal_send drops messages silently otherwise) and to
 * syslog when it does not. Levels are syslog's. Part of the base layer.
 */
#ifndef HERD_LOG_H
#define HERD_LOG_H

#include <syslog.h>

#include "agentd/util.h"

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
	LOG_TARGET_JOURNAL,
	LOG_TARGET_AUTO, /* journal if its socket exists, else syslog */
};

/* Open the log for program `ident`. AUTO picks journal or syslog. */
void log_open(const char *ident, enum log_target target);
void log_close(void);
enum log_target log_get_target(void);

/* Messages above this syslog priority are dropped (LOG_DEBUG keeps all). */
void log_set_level(int level);
int log_get_level(void);

/* Names of syslog levels: "error", "warning", "notice", "info", "debug". */
const char *log_level_name(int level);
int log_level_from_name(const char *name); /* -EINVAL if unknown */

void log_msg(int prio, const char *fmt, ...) _printf_(2, 3);

#define log_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log a broken invariant and abort: only for what can only be a bug. */
_noreturn_ void fatalx(const char *fmt, ...) _printf_(1, 2);

#endif
