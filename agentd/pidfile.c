/*
 * pidfile.c — herdd's pid file. The flock held on it is the real guard
 * against two daemons on one run dir; the pid inside is for admins and
 * for the "already running (pid N)" message.
 */
#include "agentd/pidfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>

#include "agentd/util.h"

int pidfile_acquire(const char *path, pid_t *holder)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EEXIST : -errno;

		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		*holder = (pid_t)atoi(buf);
		close(fd);
		return r;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		int r = -errno;

		close(fd);
		return r ? r : -EIO;
	}
	return fd;
}

void pidfile_release(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}
