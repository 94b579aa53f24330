/*
 * proto.c — marshalling of the cluster wire protocol (see proto.h and
 * doc/PROTOCOL.md): the frame header, each message's len/push/pull, whole
 * frames, the sequence-number bookkeeping of the replay rules, and the
 * streaming reader that cuts a TCP byte stream into frames.
 *
 * Nothing here does I/O, keeps state beyond a reader's buffer, or trusts a
 * length it has not checked: a message pull reads through a struct rbuf,
 * whose sticky error turns any overrun into -EBADMSG, and a frame's payload
 * must be consumed exactly. The message table below is the one place that
 * knows every message type.
 */
#include "agentd/proto.h"

/* HELLO's fixed part: pnn, link, capabilities, node flags, features,
 * start time, nonce; the cluster name follows as a wire string. */
#define HELLO_FIXED_LEN (4 + 1 + 4 + 4 + 4 + 8 + 8)

size_t herd_hello_len(const struct herd_hello *m)
{
	return HELLO_FIXED_LEN + 2 + strnlen(m->cluster, sizeof(m->cluster));
}

int herd_hello_push(struct wbuf *w, const struct herd_hello *m)
{
	size_t n = strnlen(m->cluster, sizeof(m->cluster));

	if (n == sizeof(m->cluster))
		return -EINVAL;
	wbuf_put_u32(w, m->pnn);
	wbuf_put_u8(w, m->link);
	wbuf_put_u32(w, m->capabilities);
	wbuf_put_u32(w, m->node_flags);
	wbuf_put_u32(w, m->features);
	wbuf_put_u64(w, m->start_time);
	wbuf_put_u64(w, m->nonce);
	wbuf_put_u16(w, (uint16_t)n);
	return wbuf_put_bytes(w, m->cluster, n);
}

int herd_hello_pull(struct rbuf *r, struct herd_hello *m)
{
	rbuf_get_u32(r, &m->pnn);
	rbuf_get_u8(r, &m->link);
	rbuf_get_u32(r, &m->capabilities);
	rbuf_get_u32(r, &m->node_flags);
	rbuf_get_u32(r, &m->features);
	rbuf_get_u64(r, &m->start_time);
	rbuf_get_u64(r, &m->nonce);
	return rbuf_get_str(r, m->cluster, sizeof(m->cluster));
}

size_t herd_keepalive_len(const struct herd_keepalive *m)
{
	return HERD_KEEPALIVE_LEN;
}

int herd_keepalive_push(struct wbuf *w, const struct herd_keepalive *m)
{
	wbuf_put_u64(w, m->timestamp);
	wbuf_put_u64(w, m->echo);
	wbuf_put_u32(w, m->echo_delay);
	wbuf_put_u32(w, m->node_flags);
	wbuf_put_u32(w, m->leader);
	wbuf_put_u32(w, m->capabilities);
	return wbuf_put_u32(w, m->status);
}

int herd_keepalive_pull(struct rbuf *r, struct herd_keepalive *m)
{
	rbuf_get_u64(r, &m->timestamp);
	rbuf_get_u64(r, &m->echo);
	rbuf_get_u32(r, &m->echo_delay);
	rbuf_get_u32(r, &m->node_flags);
	rbuf_get_u32(r, &m->leader);
	rbuf_get_u32(r, &m->capabilities);
	return rbuf_get_u32(r, &m->status);
}

size_t herd_control_len(const struct herd_control *m)
{
	return HERD_CONTROL_HDR_LEN + (size_t)m->datalen;
}

int herd_control_push(struct wbuf *w, const struct herd_control *m)
{
	if (m->datalen > 0 && !m->data)
		return -EINVAL;
	wbuf_put_u32(w, m->opcode);
	wbuf_put_u32(w, m->reqid);
	wbuf_put_u32(w, m->flags);
	wbuf_put_u32(w, m->datalen);
	return wbuf_put_bytes(w, m->data, m->datalen);
}

int herd_control_pull(struct rbuf *r, struct herd_control *m)
{
	rbuf_get_u32(r, &m->opcode);
	rbuf_get_u32(r, &m->reqid);
	rbuf_get_u32(r, &m->flags);
	rbuf_get_u32(r, &m->datalen);
	return rbuf_get_ptr(r, m->datalen, &m->data);
}

size_t herd_reply_len(const struct herd_reply *m)
{
	return HERD_CONTROL_HDR_LEN + (size_t)m->datalen;
}

int herd_reply_push(struct wbuf *w, const struct herd_reply *m)
{
	if (m->datalen > 0 && !m->data)
		return -EINVAL;
	wbuf_put_u32(w, m->opcode);
	wbuf_put_u32(w, m->reqid);
	wbuf_put_u32(w, (uint32_t)m->status);
	wbuf_put_u32(w, m->datalen);
	return wbuf_put_bytes(w, m->data, m->datalen);
}

int herd_reply_pull(struct rbuf *r, struct herd_reply *m)
{
	uint32_t status;

	rbuf_get_u32(r, &m->opcode);
	rbuf_get_u32(r, &m->reqid);
	rbuf_get_u32(r, &status);
	m->status = (int32_t)status;
	rbuf_get_u32(r, &m->datalen);
	return rbuf_get_ptr(r, m->datalen, &m->data);
}

/*
 * The message table: type -> name and the trio, through struct herd_msg.
 * Adding a message adds one MSG_GLUE and one table line.
 */
struct msg_ops {
	const char *name;
	size_t (*len)(const struct herd_msg *m);
	int (*push)(struct wbuf *w, const struct herd_msg *m);
	int (*pull)(struct rbuf *r, struct herd_msg *m);
};

#define MSG_GLUE(x)                                                            \
	static size_t x##_len(const struct herd_msg *m)                        \
	{                                                                      \
		return herd_##x##_len(&m->x);                                  \
	}                                                                      \
	static int x##_push(struct wbuf *w, const struct herd_msg *m)          \
	{                                                                      \
		return herd_##x##_push(w, &m->x);                              \
	}                                                                      \
	static int x##_pull(struct rbuf *r, struct herd_msg *m)                \
	{                                                                      \
		return herd_##x##_pull(r, &m->x);                              \
	}

MSG_GLUE(hello)
MSG_GLUE(keepalive)
MSG_GLUE(control)
MSG_GLUE(reply)

#define MSG_OPS(x) { #x, x##_len, x##_push, x##_pull }

static const struct msg_ops msg_table[] = {
	[HERD_MSG_HELLO] = MSG_OPS(hello),
	[HERD_MSG_KEEPALIVE] = MSG_OPS(keepalive),
	[HERD_MSG_CONTROL] = MSG_OPS(control),
	[HERD_MSG_REPLY] = MSG_OPS(reply),
};

static_assert(ARRAY_SIZE(msg_table) == HERD_MSG_TYPE_MAX + 1,
	      "every message type has a table entry");

static const struct msg_ops *msg_ops(uint8_t type)
{
	if (type >= ARRAY_SIZE(msg_table) || !msg_table[type].name)
		return NULL;
	return &msg_table[type];
}

const char *herd_type_name(uint8_t type)
{
	const struct msg_ops *ops = msg_ops(type);

	return ops ? ops->name : NULL;
}

size_t herd_msg_len(const struct herd_msg *m)
{
	const struct msg_ops *ops = msg_ops(m->type);

	return ops ? ops->len(m) : 0;
}

int herd_msg_push(struct wbuf *w, const struct herd_msg *m)
{
	const struct msg_ops *ops = msg_ops(m->type);

	return ops ? ops->push(w, m) : -EINVAL;
}

int herd_msg_pull(struct rbuf *r, uint8_t type, struct herd_msg *m)
{
	const struct msg_ops *ops = msg_ops(type);

	memset(m, 0, sizeof(*m));
	m->type = type;
	if (!ops)
		return -EBADMSG;
	ops->pull(r, m);
	return rbuf_end(r);
}

void herd_hdr_push(uint8_t out[HERD_HDR_LEN], const struct herd_hdr *h)
{
	buf_store_be32(out + HERD_OFF_MAGIC, HERD_MAGIC);
	out[HERD_OFF_VERSION] = HERD_VERSION;
	out[HERD_OFF_TYPE] = h->type;
	buf_store_be16(out + HERD_OFF_FLAGS, h->flags);
	buf_store_be32(out + HERD_OFF_LENGTH, h->length);
	buf_store_be32(out + HERD_OFF_SRC, h->src);
	buf_store_be32(out + HERD_OFF_DST, h->dst);
	buf_store_be32(out + HERD_OFF_GENERATION, h->generation);
	buf_store_be64(out + HERD_OFF_SEQ, h->seq);
}

int herd_hdr_pull(const uint8_t *in, size_t len, struct herd_hdr *h)
{
	uint32_t magic, min;

	if (len < HERD_HDR_LEN)
		return -EAGAIN;
	magic = buf_load_be32(in + HERD_OFF_MAGIC);
	h->version = in[HERD_OFF_VERSION];
	h->type = in[HERD_OFF_TYPE];
	h->flags = buf_load_be16(in + HERD_OFF_FLAGS);
	h->length = buf_load_be32(in + HERD_OFF_LENGTH);
	h->src = buf_load_be32(in + HERD_OFF_SRC);
	h->dst = buf_load_be32(in + HERD_OFF_DST);
	h->generation = buf_load_be32(in + HERD_OFF_GENERATION);
	h->seq = buf_load_be64(in + HERD_OFF_SEQ);

	if (magic != HERD_MAGIC)
		return -EBADMSG;
	/* Checked before the type: another version may have other types. */
	if (h->version != HERD_VERSION)
		return -EPROTONOSUPPORT;
	if (!msg_ops(h->type))
		return -EBADMSG;
	if (h->length > HERD_FRAME_MAX)
		return -EMSGSIZE;
	min = HERD_HDR_LEN + ((h->flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0);
	if (h->length < min)
		return -EBADMSG;
	return 0;
}

int herd_frame_push(struct wbuf *w, const struct herd_hdr *h, const struct herd_msg *m)
{
	const struct msg_ops *ops = msg_ops(m->type);
	struct herd_hdr hh = *h;
	size_t start = w->len, off, body, total;
	int r;

	if (!ops)
		return -EINVAL;
	if (w->err < 0)
		return w->err;
	body = ops->len(m);
	total = HERD_HDR_LEN + body + ((h->flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0);
	if (body > HERD_FRAME_MAX || total > HERD_FRAME_MAX)
		return -EMSGSIZE;

	hh.type = m->type;
	hh.length = (uint32_t)total;
	if (wbuf_reserve(w, HERD_HDR_LEN, &off) < 0)
		return w->err;
	herd_hdr_push(w->data + off, &hh);
	r = ops->push(w, m);
	if (r == 0 && (h->flags & HERD_HDR_F_MAC))
		r = wbuf_reserve(w, HERD_MAC_LEN, &off);
	if (r < 0) {
		/* A refused message leaves no half frame behind. */
		if (w->err == 0)
			w->len = start;
		return r;
	}
	assert(w->len - start == total); /* herd_X_len agrees with herd_X_push */
	return 0;
}

int herd_frame_check(const uint8_t *in, size_t len, struct herd_hdr *h)
{
	int r = herd_hdr_pull(in, len, h);

	if (r < 0)
		return r;
	if (len < h->length)
		return -EAGAIN;
	return (int)h->length;
}

int herd_frame_pull(const uint8_t *in, size_t len, struct herd_hdr *h, struct herd_msg *m)
{
	size_t body;
	struct rbuf r;
	int n, e;

	n = herd_frame_check(in, len, h);
	if (n < 0)
		return n;
	body = h->length - HERD_HDR_LEN - ((h->flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0);
	rbuf_init(&r, in + HERD_HDR_LEN, body);
	e = herd_msg_pull(&r, h->type, m);
	return e < 0 ? e : n;
}

void herd_seq_init(struct herd_seq *s, uint64_t nonce)
{
	*s = (struct herd_seq){ .rx = nonce };
}

int herd_seq_tx(struct herd_seq *s, uint8_t type, uint64_t *seq)
{
	*seq = 0;
	if (type == HERD_MSG_HELLO) {
		if (s->hello_sent)
			return -EINVAL;
		s->hello_sent = true;
		return 0;
	}
	if (!s->hello_sent)
		return -EINVAL;
	if (!s->hello_received)
		return -EAGAIN;
	*seq = ++s->tx; /* wraps mod 2^64, like the peer's count */
	return 0;
}

int herd_seq_rx(struct herd_seq *s, const struct herd_hdr *h, const struct herd_msg *m)
{
	if (!s->hello_received) {
		if (h->type != HERD_MSG_HELLO || m->type != HERD_MSG_HELLO || h->seq != 0)
			return -EPROTO;
		s->hello_received = true;
		s->tx = m->hello.nonce; /* our frames count from the peer's nonce */
		return 0;
	}
	if (h->type == HERD_MSG_HELLO || h->seq != s->rx + 1)
		return -EPROTO;
	s->rx++;
	return 0;
}

/* Twice the largest frame: a partial frame plus one read() of any size a
 * caller that drains after each feed would use. */
#define READER_LIMIT ((size_t)2 * HERD_FRAME_MAX)

void herd_reader_init(struct herd_reader *r)
{
	*r = (struct herd_reader){ 0 };
}

void herd_reader_free(struct herd_reader *r)
{
	free(r->buf);
	herd_reader_init(r);
}

int herd_reader_feed(struct herd_reader *r, const void *data, size_t n)
{
	int e;

	if (r->err < 0)
		return r->err;
	e = buf_feed(&r->buf, &r->len, &r->cap, &r->consumed, data, n, READER_LIMIT);
	if (e < 0)
		r->err = e;
	return e;
}

int herd_reader_next(struct herd_reader *r, struct herd_hdr *h, const uint8_t **frame)
{
	int n;

	*frame = NULL;
	if (r->err < 0)
		return r->err;
	if (!r->buf)
		return 0;
	n = herd_frame_check(r->buf + r->consumed, r->len - r->consumed, h);
	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		r->err = n;
		return n;
	}
	*frame = r->buf + r->consumed;
	r->consumed += (size_t)n;
	return 1;
}
