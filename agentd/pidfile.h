/*
 * pidfile.h — herdd's pid file, locked for the daemon's lifetime so a second
 * herdd on the same run dir refuses to start.
 */
#ifndef HERD_PIDFILE_H
#define HERD_PIDFILE_H

#include <sys/types.h>

/*
 * Create, lock and write path. Returns the locked fd (keep it open), or
 * -EEXIST with *holder set to the running daemon's pid, or another -errno.
 */
int pidfile_acquire(const char *path, pid_t *holder);
/* Remove and close. */
void pidfile_release(const char *path, int fd);

#endif
