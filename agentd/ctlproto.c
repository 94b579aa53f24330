/*
 * ctlproto.c — framing of the control-socket protocol (ctlproto.h): the
 * 20-byte header, whole frames, and the streaming reader that cuts the
 * byte stream of a control connection into frames of JSON text.
 *
 * The reader hands out each payload NUL-terminated in place, so that a
 * JSON parser can take it as a C string without a copy of the frame: the
 * header has been parsed by then, so the payload is moved back over the
 * header's last byte, which frees a byte for the NUL without touching the
 * next frame. No I/O, no logging; the JSON itself is the callers' business.
 */
#include <assert.h>

#include "agentd/buf.h"
#include "agentd/ctlproto.h"

#define HCTL_OFF_MAGIC   0
#define HCTL_OFF_VERSION 4
#define HCTL_OFF_TYPE    5
#define HCTL_OFF_FLAGS   6
#define HCTL_OFF_ID      8
#define HCTL_OFF_STATUS  12
#define HCTL_OFF_LENGTH  16

static_assert(HCTL_OFF_MAGIC + 4 == HCTL_OFF_VERSION, "header layout");
static_assert(HCTL_OFF_VERSION + 1 == HCTL_OFF_TYPE, "header layout");
static_assert(HCTL_OFF_TYPE + 1 == HCTL_OFF_FLAGS, "header layout");
static_assert(HCTL_OFF_FLAGS + 2 == HCTL_OFF_ID, "header layout");
static_assert(HCTL_OFF_ID + 4 == HCTL_OFF_STATUS, "header layout");
static_assert(HCTL_OFF_STATUS + 4 == HCTL_OFF_LENGTH, "header layout");
static_assert(HCTL_OFF_LENGTH + 4 == HCTL_HDR_LEN, "header layout");

/* Twice the largest frame: a partial frame plus one read() of any size a
 * caller that drains after each feed would use. */
#define HCTL_READER_LIMIT ((size_t)2 * (HCTL_HDR_LEN + HCTL_PAYLOAD_MAX))

void hctl_hdr_push(uint8_t out[HCTL_HDR_LEN], uint8_t type, uint32_t id,
		   int32_t status, uint32_t length)
{
	buf_store_be32(out + HCTL_OFF_MAGIC, HCTL_MAGIC);
	out[HCTL_OFF_VERSION] = HCTL_VERSION;
	out[HCTL_OFF_TYPE] = type;
	buf_store_be16(out + HCTL_OFF_FLAGS, 0);
	buf_store_be32(out + HCTL_OFF_ID, id);
	buf_store_be32(out + HCTL_OFF_STATUS, (uint32_t)status);
	buf_store_be32(out + HCTL_OFF_LENGTH, length);
}

int hctl_hdr_pull(const uint8_t *in, size_t len, struct hctl_hdr *h)
{
	if (len < HCTL_HDR_LEN)
		return -EAGAIN;
	h->magic = buf_load_be32(in + HCTL_OFF_MAGIC);
	h->version = in[HCTL_OFF_VERSION];
	h->type = in[HCTL_OFF_TYPE];
	h->flags = buf_load_be16(in + HCTL_OFF_FLAGS);
	h->id = buf_load_be32(in + HCTL_OFF_ID);
	h->status = (int32_t)buf_load_be32(in + HCTL_OFF_STATUS);
	h->length = buf_load_be32(in + HCTL_OFF_LENGTH);

	if (h->magic != HCTL_MAGIC)
		return -EBADMSG;
	if (h->version != HCTL_VERSION)
		return -EPROTONOSUPPORT;
	if (h->type < HCTL_REQUEST || h->type > HCTL_EVENT)
		return -EBADMSG;
	if (h->length > HCTL_PAYLOAD_MAX)
		return -EMSGSIZE;
	return 0;
}

ssize_t hctl_frame_new(uint8_t type, uint32_t id, int32_t status,
		       const char *payload, size_t len, uint8_t **out)
{
	uint8_t *f;

	*out = NULL;
	if (len > HCTL_PAYLOAD_MAX)
		return -EMSGSIZE;
	f = malloc(HCTL_HDR_LEN + len);
	if (!f)
		return -ENOMEM;
	hctl_hdr_push(f, type, id, status, (uint32_t)len);
	if (len)
		memcpy(f + HCTL_HDR_LEN, payload, len);
	*out = f;
	return (ssize_t)(HCTL_HDR_LEN + len);
}

void hctl_reader_init(struct hctl_reader *r)
{
	*r = (struct hctl_reader){ 0 };
}

void hctl_reader_free(struct hctl_reader *r)
{
	free(r->buf);
	hctl_reader_init(r);
}

int hctl_reader_feed(struct hctl_reader *r, const void *data, size_t n)
{
	int e;

	if (r->err < 0)
		return r->err;
	e = buf_feed(&r->buf, &r->len, &r->cap, &r->consumed, data, n, HCTL_READER_LIMIT);
	if (e < 0)
		r->err = e;
	return e;
}

int hctl_reader_next(struct hctl_reader *r, struct hctl_hdr *h, const char **payload)
{
	uint8_t *f;
	int e;

	*payload = NULL;
	if (r->err < 0)
		return r->err;
	if (!r->buf)
		return 0;
	f = r->buf + r->consumed;
	e = hctl_hdr_pull(f, r->len - r->consumed, h);
	if (e == -EAGAIN)
		return 0;
	if (e < 0) {
		r->err = e;
		return e;
	}
	if (r->len - r->consumed - HCTL_HDR_LEN < h->length)
		return 0;

	/* Slide the payload back one byte over the parsed header; its old
	 * last byte becomes the NUL, and the next frame stays untouched. */
	memmove(f + HCTL_HDR_LEN - 1, f + HCTL_HDR_LEN, h->length);
	f[HCTL_HDR_LEN - 1 + h->length] = '\0';
	*payload = (const char *)(f + HCTL_HDR_LEN - 1);
	r->consumed += HCTL_HDR_LEN + h->length;
	return 1;
}
