/*
 * buf.c — the marshalling primitives every wire format in herd is built on.
 *
 * The writer appends big-endian integers, bytes and length-prefixed strings
 * to a buffer that grows up to a maximum; the reader walks a byte range with
 * every access checked against what is left. Both remember their first error
 * so that a message's push or pull is a straight list of calls followed by
 * one check: protocol code stays readable and cannot forget a bounds check.
 * No I/O, no logging, no globals.
 */
#include <assert.h>

#include "agentd/buf.h"

#define BUF_MIN_CAP 256
#define BUF_KEEP_CAP (64u << 10)

int buf_grow(uint8_t **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -EMSGSIZE;
	ncap = *cap < BUF_MIN_CAP ? BUF_MIN_CAP : *cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
	if (ncap > max)
		ncap = max;
	p = realloc(*buf, ncap);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

int buf_feed(uint8_t **buf, size_t *len, size_t *cap, size_t *consumed,
	     const void *data, size_t n, size_t limit)
{
	size_t left = *len - *consumed;
	int r;

	if (left > limit || n > limit - left)
		return -EMSGSIZE;
	if (*consumed > 0) {
		if (left > 0)
			memmove(*buf, *buf + *consumed, left);
		*len = left;
		*consumed = 0;
	}
	if (*len == 0 && *cap > BUF_KEEP_CAP) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
	if (n == 0)
		return 0;
	r = buf_grow(buf, cap, *len + n, limit);
	if (r < 0)
		return r;
	memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

void wbuf_init(struct wbuf *w, size_t max)
{
	*w = (struct wbuf){ .max = max ? max : SIZE_MAX };
}

void wbuf_init_fixed(struct wbuf *w, void *data, size_t cap)
{
	*w = (struct wbuf){ .data = data, .cap = cap, .max = cap, .fixed = true };
}

void wbuf_free(struct wbuf *w)
{
	size_t max = w->max;

	if (!w->fixed)
		free(w->data);
	wbuf_init(w, max);
}

void wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->err = 0;
}

uint8_t *wbuf_steal(struct wbuf *w, size_t *len)
{
	uint8_t *p;

	if (w->err < 0 || w->fixed) {
		*len = 0;
		return NULL;
	}
	p = w->data;
	*len = w->len;
	if (!p) /* nothing written yet: still hand out a real allocation */
		p = malloc(1);
	wbuf_init(w, w->max);
	return p;
}

/*
 * Make room for n more bytes; returns a pointer to them, or NULL when w has
 * failed (error set) or n is 0 (data may still be NULL then).
 */
static uint8_t *wbuf_room(struct wbuf *w, size_t n)
{
	int r;

	if (w->err < 0 || n == 0)
		return NULL;
	if (n > w->max - w->len) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	if (w->len + n > w->cap) {
		if (w->fixed) {
			w->err = -EMSGSIZE;
			return NULL;
		}
		r = buf_grow(&w->data, &w->cap, w->len + n, w->max);
		if (r < 0) {
			w->err = r;
			return NULL;
		}
	}
	w->len += n;
	return w->data + w->len - n;
}

int wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_room(w, 1);

	if (p)
		*p = v;
	return w->err;
}

int wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_room(w, 2);

	if (p)
		buf_store_be16(p, v);
	return w->err;
}

int wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_room(w, 4);

	if (p)
		buf_store_be32(p, v);
	return w->err;
}

int wbuf_put_u64(struct wbuf *w, uint64_t v)
{
	uint8_t *p = wbuf_room(w, 8);

	if (p)
		buf_store_be64(p, v);
	return w->err;
}

int wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_room(w, n);

	if (p)
		memcpy(p, src, n);
	return w->err;
}

int wbuf_put_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	if (w->err < 0)
		return w->err;
	if (n > BUF_STR_MAX) {
		w->err = -EMSGSIZE;
		return w->err;
	}
	wbuf_put_u16(w, (uint16_t)n);
	return wbuf_put_bytes(w, s, n);
}

int wbuf_reserve(struct wbuf *w, size_t n, size_t *off)
{
	size_t at = w->len;
	uint8_t *p = wbuf_room(w, n);

	*off = w->err < 0 ? 0 : at;
	if (p)
		memset(p, 0, n);
	return w->err;
}

int wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v)
{
	if (w->err < 0)
		return w->err;
	assert(off <= w->len && w->len - off >= 4);
	buf_store_be32(w->data + off, v);
	return 0;
}

void rbuf_init(struct rbuf *r, const void *data, size_t len)
{
	*r = (struct rbuf){ .data = data, .len = len };
}

/*
 * Take n bytes; returns a pointer to them, or NULL when r has failed (error
 * set) or n is 0 (data may be NULL for an empty reader).
 */
static const uint8_t *rbuf_take(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err < 0)
		return NULL;
	if (n > r->len - r->off) {
		r->err = -EBADMSG;
		return NULL;
	}
	if (n == 0)
		return NULL;
	p = r->data + r->off;
	r->off += n;
	return p;
}

int rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	const uint8_t *p = rbuf_take(r, 1);

	*v = p ? *p : 0;
	return r->err;
}

int rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *p = rbuf_take(r, 2);

	*v = p ? buf_load_be16(p) : 0;
	return r->err;
}

int rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *p = rbuf_take(r, 4);

	*v = p ? buf_load_be32(p) : 0;
	return r->err;
}

int rbuf_get_u64(struct rbuf *r, uint64_t *v)
{
	const uint8_t *p = rbuf_take(r, 8);

	*v = p ? buf_load_be64(p) : 0;
	return r->err;
}

int rbuf_get_bytes(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *p = rbuf_take(r, n);

	if (p)
		memcpy(dst, p, n);
	else if (n)
		memset(dst, 0, n);
	return r->err;
}

int rbuf_get_ptr(struct rbuf *r, size_t n, const uint8_t **p)
{
	*p = rbuf_take(r, n);
	return r->err;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	rbuf_take(r, n);
	return r->err;
}

int rbuf_get_str(struct rbuf *r, char *dst, size_t dstsize)
{
	const uint8_t *p;
	uint16_t n;

	assert(dstsize >= 1);
	dst[0] = '\0';
	if (rbuf_get_u16(r, &n) < 0)
		return r->err;
	p = rbuf_take(r, n);
	if (r->err < 0 || n == 0)
		return r->err;
	if ((size_t)n >= dstsize || memchr(p, '\0', n)) {
		r->err = -EBADMSG;
		return r->err;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int rbuf_end(struct rbuf *r)
{
	if (r->err == 0 && r->off != r->len)
		r->err = -EBADMSG;
	return r->err;
}
