/*
 * util.c — clocks, formatting and the leftover-name filter shared by every
 * herd program.
 */
#include "agentd/util.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

static usec_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t now_realtime(void)
{
	return clock_us(CLOCK_REALTIME);
}

usec_t now_monotonic(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

char *format_duration(char *buf, size_t len, usec_t us)
{
	uint64_t s = us / USEC_PER_SEC, ms = (us % USEC_PER_SEC) / 1000;
	uint64_t d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60;
	size_t off = 0;

	buf[0] = '\0';
	if (d)
		off += (size_t)snprintf(buf + off, len - MIN(off, len), "%llud ", (unsigned long long)d);
	if (d || h)
		off += (size_t)snprintf(buf + off, len - MIN(off, len), "%lluh ", (unsigned long long)h);
	if (d || h || m)
		off += (size_t)snprintf(buf + off, len - MIN(off, len), "%llum ", (unsigned long long)m);
	if (ms)
		snprintf(buf + MIN(off, len), len - MIN(off, len), "%llu.%03llus",
			 (unsigned long long)(s % 60), (unsigned long long)ms);
	else
		snprintf(buf + MIN(off, len), len - MIN(off, len), "%llus", (unsigned long long)(s % 60));
	return buf;
}

char *format_iso8601(char *buf, size_t len, usec_t wall_us)
{
	time_t t = (time_t)(wall_us / USEC_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool name_is_leftover(const char *name)
{
	static const char *const suffixes[] = { "~", ".swp", ".orig", ".bak" };
	static const char *const infixes[] = { ".rpm", ".dpkg-" };
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.')
		return true;
	if (n >= 2 && name[0] == '#' && name[n - 1] == '#')
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (has_suffix(name, n, suffixes[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(infixes); i++)
		if (strstr(name, infixes[i]))
			return true;
	return false;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
