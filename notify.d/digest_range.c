/*
 * digest_range.c — logwatch's --range language, parsed without Date::Manip:
 * the forms its help text and examples use, with "now" as an input. Pure
 * but for the local time zone (localtime_r/mktime), which calendar words
 * need: "today" starts at local midnight.
 */
#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include "notify.d/digest.h"

#define SPEC_MAX 256

const char *digest_period_name(enum digest_period p)
{
	switch (p) {
	case DIGEST_PERIOD_DAY: return "day";
	case DIGEST_PERIOD_HOUR: return "hour";
	case DIGEST_PERIOD_MINUTE: return "minute";
	case DIGEST_PERIOD_SECOND: return "second";
	}
	return "day";
}

/* Lower-case s into buf with runs of blanks as one space, trimmed. */
static int normalize(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	bool space = false;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = n > 0;
			continue;
		}
		if (n + 2 >= size)
			return -EINVAL;
		if (space)
			buf[n++] = ' ';
		space = false;
		buf[n++] = (char)tolower((unsigned char)*s);
	}
	buf[n] = '\0';
	return n ? 0 : -EINVAL;
}

static usec_t from_time_t(time_t t)
{
	return t < 0 ? 0 : (usec_t)t * USEC_PER_SEC;
}

/* Local midnight of the day t falls on, moved by days (DST-safe). */
static usec_t local_midnight(usec_t t, int days)
{
	time_t s = (time_t)(t / USEC_PER_SEC);
	struct tm tm;

	localtime_r(&s, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return from_time_t(mktime(&tm));
}

static usec_t floor_period(usec_t t, enum digest_period p)
{
	time_t s = (time_t)(t / USEC_PER_SEC);
	struct tm tm;

	if (p == DIGEST_PERIOD_DAY)
		return local_midnight(t, 0);
	if (p == DIGEST_PERIOD_SECOND)
		return t - t % USEC_PER_SEC;
	localtime_r(&s, &tm);
	if (p == DIGEST_PERIOD_HOUR)
		tm.tm_min = 0;
	tm.tm_sec = 0;
	return from_time_t(mktime(&tm));
}

/* The start of the period after the one starting at t. */
static usec_t next_period(usec_t t, enum digest_period p)
{
	switch (p) {
	case DIGEST_PERIOD_DAY: return local_midnight(t, 1);
	case DIGEST_PERIOD_HOUR: return t + 3600 * USEC_PER_SEC;
	case DIGEST_PERIOD_MINUTE: return t + 60 * USEC_PER_SEC;
	case DIGEST_PERIOD_SECOND: return t + USEC_PER_SEC;
	}
	return t;
}

/* ---- points in time ----------------------------------------------------- */

static const struct {
	const char *name;
	int64_t seconds;        /* 0: calendar days (times days) */
	int days;
} units[] = {
	{ "s", 1, 0 },       { "sec", 1, 0 },        { "secs", 1, 0 },    { "second", 1, 0 },
	{ "seconds", 1, 0 }, { "min", 60, 0 },       { "mins", 60, 0 },   { "minute", 60, 0 },
	{ "minutes", 60, 0 }, { "h", 3600, 0 },      { "hour", 3600, 0 }, { "hours", 3600, 0 },
	{ "d", 0, 1 },       { "day", 0, 1 },        { "days", 0, 1 },    { "w", 0, 7 },
	{ "week", 0, 7 },    { "weeks", 0, 7 },
};

/* "-3 days", "+2 hours", "3 days ago", "4 hours" (future, as Date::Manip). */
static int parse_relative(const char *s, usec_t now, usec_t *t)
{
	char unit[16], ago[8];
	long long n;
	int sign = 1, used = 0, k;

	if (*s == '-' || *s == '+') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (*s == ' ')
			s++;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	k = sscanf(s, "%lld %15s%n %7s%n", &n, unit, &used, ago, &used);
	if (k < 2 || s[used] != '\0' || n < 0 || n > 100000)
		return -EINVAL;
	if (k == 3) {
		if (!streq(ago, "ago") || sign < 0)
			return -EINVAL;
		sign = -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!streq(units[i].name, unit))
			continue;
		if (units[i].seconds) {
			int64_t d = (int64_t)n * units[i].seconds * (int64_t)USEC_PER_SEC;

			if (sign < 0 && (usec_t)d > now)
				return -EINVAL;
			*t = sign < 0 ? now - (usec_t)d : now + (usec_t)d;
		} else {
			time_t sec = (time_t)(now / USEC_PER_SEC);
			struct tm tm;

			localtime_r(&sec, &tm);
			tm.tm_mday += sign * (int)n * units[i].days;
			tm.tm_isdst = -1;
			*t = from_time_t(mktime(&tm)) + now % USEC_PER_SEC;
		}
		return 0;
	}
	return -EINVAL;
}

static int month_from_name(const char *s, size_t *len)
{
	static const char *const months[] = { "january", "february", "march",     "april",
					      "may",     "june",     "july",      "august",
					      "september", "october", "november", "december" };
	size_t n = 0;

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 3)
		return -EINVAL;
	for (int m = 0; m < 12; m++)
		if (n <= strlen(months[m]) && strncmp(months[m], s, n) == 0) {
			*len = n;
			return m + 1;
		}
	return -EINVAL;
}

/* A date, then optionally " HH:MM[:SS]" or "THH:MM[:SS]" and "Z". */
static int parse_date(const char *s, usec_t *t)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0, k;
	bool utc = false;
	struct tm tm = { 0 };
	time_t r;
	size_t mlen;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 && used == 10)
		;
	else if (sscanf(s, "%4d/%2d/%2d%n", &y, &mo, &d, &used) == 3 && used == 10)
		;
	else if (sscanf(s, "%2d/%2d/%4d%n", &mo, &d, &y, &used) == 3 && used >= 8 &&
		 isdigit((unsigned char)s[used - 4]) && !isdigit((unsigned char)s[used]))
		;
	else if ((mo = month_from_name(s, &mlen)) > 0 &&
		 (sscanf(s + mlen, " %2d, %4d%n", &d, &y, &used) == 2 ||
		  sscanf(s + mlen, " %2d %4d%n", &d, &y, &used) == 2))
		used += (int)mlen;
	else
		return -EINVAL;
	s += used;
	if (*s == ' ' || *s == 't') {
		int n1 = 0, n2 = 0;

		s++;
		k = sscanf(s, "%2d:%2d%n:%2d%n", &h, &mi, &n1, &sec, &n2);
		if (k < 2 || n1 != 5 || (k == 3 && n2 != 8))
			return -EINVAL;
		s += k == 3 ? n2 : n1;
	}
	if (*s == 'z') {
		utc = true;
		s++;
	}
	if (*s != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	r = utc ? timegm(&tm) : mktime(&tm);
	if (r == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1) /* Feb 30 */
		return -EINVAL;
	*t = from_time_t(r);
	return 0;
}

static int time_parse_norm(const char *s, usec_t now, usec_t *t)
{
	char *end;

	if (streq(s, "now")) {
		*t = now;
		return 0;
	}
	if (streq(s, "today") || streq(s, "yesterday") || streq(s, "tomorrow")) {
		*t = local_midnight(now, streq(s, "today") ? 0 : streq(s, "yesterday") ? -1 : 1);
		return 0;
	}
	if (s[0] == '@') {
		unsigned long long v;

		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (!isdigit((unsigned char)s[1]) || *end || errno || v > UINT64_MAX / USEC_PER_SEC)
			return -EINVAL;
		*t = (usec_t)v * USEC_PER_SEC;
		return 0;
	}
	if (parse_date(s, t) == 0)
		return 0;
	return parse_relative(s, now, t);
}

int digest_time_parse(const char *s, usec_t now, usec_t *t)
{
	char buf[SPEC_MAX];

	if (normalize(s, buf, sizeof(buf)) < 0)
		return -EINVAL;
	return time_parse_norm(buf, now, t);
}

/* ---- ranges ------------------------------------------------------------- */

/* Split off a trailing "for that|those|this UNIT(s)" into *p. */
static int strip_period(char *s, enum digest_period *p)
{
	static const struct {
		const char *name;
		enum digest_period p;
	} names[] = {
		{ "day", DIGEST_PERIOD_DAY },       { "days", DIGEST_PERIOD_DAY },
		{ "hour", DIGEST_PERIOD_HOUR },     { "hours", DIGEST_PERIOD_HOUR },
		{ "minute", DIGEST_PERIOD_MINUTE }, { "minutes", DIGEST_PERIOD_MINUTE },
		{ "second", DIGEST_PERIOD_SECOND }, { "seconds", DIGEST_PERIOD_SECOND },
	};
	char *f = strstr(s, " for "), *next, which[8], unit[12];
	int used = 0;

	*p = DIGEST_PERIOD_DAY;
	if (!f && strncmp(s, "for ", 4) == 0)
		return -EINVAL;
	if (!f)
		return 0;
	while ((next = strstr(f + 1, " for ")))
		f = next;
	if (sscanf(f, " for %7s %11s%n", which, unit, &used) != 2 || f[used] != '\0')
		return -EINVAL;
	if (!streq(which, "that") && !streq(which, "those") && !streq(which, "this"))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(names[i].name, unit)) {
			*p = names[i].p;
			*f = '\0';
			return 0;
		}
	return -EINVAL;
}

int digest_range_parse(const char *spec, usec_t now, struct digest_range *out)
{
	char buf[SPEC_MAX], *and;
	struct digest_range r = { 0 };
	usec_t a, b;

	if (normalize(spec, buf, sizeof(buf)) < 0 || strip_period(buf, &r.period) < 0 || !buf[0])
		return -EINVAL;
	if (streq(buf, "all")) {
		r.all = true;
		r.to = DIGEST_TIME_MAX;
	} else if (streq(buf, "today") || streq(buf, "yesterday")) {
		/* The whole day whatever the resolution, as logwatch. */
		r.from = local_midnight(now, streq(buf, "today") ? 0 : -1);
		r.to = local_midnight(r.from, 1);
	} else if (strncmp(buf, "between ", 8) == 0) {
		and = strstr(buf + 8, " and ");
		if (!and)
			return -EINVAL;
		*and = '\0';
		if (time_parse_norm(buf + 8, now, &a) < 0 || time_parse_norm(and + 5, now, &b) < 0)
			return -EINVAL;
		if (a > b) { /* as logwatch's journalctl helper: swap */
			usec_t t = a;

			a = b;
			b = t;
		}
		r.from = floor_period(a, r.period);
		r.to = next_period(floor_period(b, r.period), r.period);
	} else if (strncmp(buf, "since ", 6) == 0) {
		if (time_parse_norm(buf + 6, now, &a) < 0)
			return -EINVAL;
		r.from = floor_period(a, r.period);
		r.to = DIGEST_TIME_MAX;
	} else {
		if (time_parse_norm(buf, now, &a) < 0)
			return -EINVAL;
		r.from = floor_period(a, r.period);
		r.to = next_period(r.from, r.period);
	}
	*out = r;
	return 0;
}
