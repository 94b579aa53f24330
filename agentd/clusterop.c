/*
 * clusterop.c — marshalling of the cluster opcodes' bodies (clusterop.h).
 */
#include "agentd/clusterop.h"

#include <stdint.h>

#include "agentd/buf.h"

static const struct {
	const char *name;
	size_t len;      /* SIZE_MAX: variable (ipop.h) */
} ops[HERD_OP_MAX_] = {
	[HERD_OP_RECOVERY] = { "recovery", 4 },
	[HERD_OP_SET_FLAGS] = { "set-flags", 8 },
	[HERD_OP_BAN] = { "ban", 4 },
	[HERD_OP_RECOVER] = { "recover", 0 },
	[HERD_OP_MAINTENANCE] = { "maintenance", 8 },
	[HERD_OP_RELOADNODES] = { "reloadnodes", 0 },
	[HERD_OP_IPINFO] = { "ipinfo", SIZE_MAX },
	[HERD_OP_RELEASEIP] = { "releaseip", SIZE_MAX },
	[HERD_OP_TAKEIP] = { "takeip", SIZE_MAX },
	[HERD_OP_IPMAP] = { "ipmap", SIZE_MAX },
	[HERD_OP_TAKEOVER] = { "takeover", SIZE_MAX },
	[HERD_OP_MOVEIP] = { "moveip", SIZE_MAX },
	[HERD_OP_RELOADIPS] = { "reloadips", SIZE_MAX },
	[HERD_OP_TICKLES] = { "tickles", SIZE_MAX },
};

static bool known(uint32_t op)
{
	return op > 0 && op < HERD_OP_MAX_;
}

bool herd_op_variable(uint32_t op)
{
	return known(op) && ops[op].len == SIZE_MAX;
}

const char *herd_op_name(uint32_t op)
{
	return known(op) ? ops[op].name : "unknown";
}

int herd_op_push(uint32_t op, const struct herd_op_body *b, uint8_t out[HERD_OP_BODY_MAX])
{
	struct wbuf w;

	if (!known(op) || herd_op_variable(op))
		return -EINVAL;
	wbuf_init_fixed(&w, out, HERD_OP_BODY_MAX);
	switch (op) {
	case HERD_OP_RECOVERY:
		wbuf_put_u32(&w, b->generation);
		break;
	case HERD_OP_SET_FLAGS:
		wbuf_put_u32(&w, b->set);
		wbuf_put_u32(&w, b->clear);
		break;
	case HERD_OP_BAN:
		wbuf_put_u32(&w, b->seconds);
		break;
	case HERD_OP_MAINTENANCE:
		wbuf_put_u64(&w, b->until);
		break;
	default:
		break;
	}
	return wbuf_error(&w) < 0 ? wbuf_error(&w) : (int)ops[op].len;
}

int herd_op_pull(uint32_t op, const uint8_t *data, size_t len, struct herd_op_body *b)
{
	struct rbuf r;

	if (!known(op))
		return -EINVAL;
	*b = (struct herd_op_body){ 0 };
	if (herd_op_variable(op))
		return 0;
	if (len != ops[op].len)
		return -EBADMSG;
	rbuf_init(&r, data, len);
	switch (op) {
	case HERD_OP_RECOVERY:
		rbuf_get_u32(&r, &b->generation);
		break;
	case HERD_OP_SET_FLAGS:
		rbuf_get_u32(&r, &b->set);
		rbuf_get_u32(&r, &b->clear);
		break;
	case HERD_OP_BAN:
		rbuf_get_u32(&r, &b->seconds);
		break;
	case HERD_OP_MAINTENANCE:
		rbuf_get_u64(&r, &b->until);
		break;
	default:
		break;
	}
	return rbuf_end(&r);
}
