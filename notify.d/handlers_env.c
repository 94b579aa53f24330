/*
 * handlers_env.c — the environment of a notify.d handler run.
 *
 * Every variable is always present, empty when herdd does not know the
 * value, so that handlers may run under `set -u`. Numbers are decimal; a
 * node that is none (PNN_NONE, a cluster-wide event) is the empty string,
 * never 4294967295.
 */
#include "notify.d/handlers_env.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "agentd/state.h"

struct env_writer {
	struct handlers_env *env;
	size_t nvars, off;
};

/* Append NAME=VALUE; the value is cut (at a UTF-8 boundary) where buf ends. */
static void env_put(struct env_writer *w, const char *name, const char *value, size_t max)
{
	struct handlers_env *env = w->env;
	size_t room = sizeof(env->buf) - w->off, nlen = strlen(name);
	size_t vlen = strnlen(value, max);

	if (w->nvars >= HANDLERS_ENV_VARS || room < nlen + 2)
		return;
	if (vlen > room - nlen - 2)
		vlen = room - nlen - 2;
	/* Do not leave half a UTF-8 sequence at the end. */
	if (vlen < strlen(value))
		while (vlen > 0 && ((unsigned char)value[vlen] & 0xc0) == 0x80)
			vlen--;
	env->envp[w->nvars++] = env->buf + w->off;
	memcpy(env->buf + w->off, name, nlen);
	env->buf[w->off + nlen] = '=';
	memcpy(env->buf + w->off + nlen + 1, value, vlen);
	env->buf[w->off + nlen + 1 + vlen] = '\0';
	w->off += nlen + vlen + 2;
}

static void env_putf(struct env_writer *w, const char *name, const char *fmt, ...)
	_printf_(3, 4);
static void env_putf(struct env_writer *w, const char *name, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	env_put(w, name, v, sizeof(v));
}

/* A pnn, or "" for none. */
static void env_pnn(struct env_writer *w, const char *name, uint32_t pnn)
{
	if (pnn == PNN_NONE)
		env_put(w, name, "", 0);
	else
		env_putf(w, name, "%" PRIu32, pnn);
}

int handlers_env_build(struct handlers_env *env, const struct herd_event *ev,
		       const struct handlers_extra *x, bool test)
{
	static const struct handlers_extra none = { .pnn = PNN_NONE };
	struct env_writer w = { .env = env };
	const char *name = event_type_name(ev->type);
	char iso[32];

	if (!name)
		return -EINVAL;
	if (!x)
		x = &none;
	memset(env->envp, 0, sizeof(env->envp));
	env_put(&w, "PATH", HANDLERS_PATH_ENV + strlen("PATH="), SIZE_MAX);
	env_put(&w, "LANG", HANDLERS_LANG_ENV + strlen("LANG="), SIZE_MAX);
	env_put(&w, "HERD_VERSION", HERD_PKG_VERSION, SIZE_MAX);
	env_put(&w, "HERD_EVENT", name, SIZE_MAX);
	env_putf(&w, "HERD_EVENT_TYPE", "%d", (int)ev->type);
	env_putf(&w, "HERD_SEQ", "%" PRIu64, ev->seq);
	env_put(&w, "HERD_SEVERITY", severity_name(ev->severity), SIZE_MAX);
	env_pnn(&w, "HERD_NODE", ev->node);
	env_put(&w, "HERD_NODE_ADDRESS", x->node_address ? x->node_address : "",
		HANDLERS_ADDRESS_MAX);
	env_put(&w, "HERD_OLD_STATE", x->old_state ? x->old_state : "", HANDLERS_STATE_MAX);
	env_put(&w, "HERD_NEW_STATE", x->new_state ? x->new_state : "", HANDLERS_STATE_MAX);
	env_put(&w, "HERD_TIME", format_iso8601(iso, sizeof(iso), ev->wall), SIZE_MAX);
	env_putf(&w, "HERD_TIME_EPOCH", "%" PRIu64, ev->wall / USEC_PER_SEC);
	env_putf(&w, "HERD_TIME_USEC", "%" PRIu64, ev->wall % USEC_PER_SEC);
	env_put(&w, "HERD_CLUSTER", x->cluster ? x->cluster : "", HANDLERS_CLUSTER_MAX);
	env_pnn(&w, "HERD_PNN", x->pnn);
	env_pnn(&w, "HERD_REPORTER", ev->reporter);
	env_put(&w, "HERD_TEST", test ? "1" : "0", SIZE_MAX);
	/* Last: the two free texts, the only ones that could be cut. */
	env_put(&w, "HERD_SUBJECT", ev->subject, sizeof(ev->subject));
	env_put(&w, "HERD_DETAIL", ev->detail, sizeof(ev->detail));
	return 0;
}
