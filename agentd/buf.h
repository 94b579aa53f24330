/*
 * buf.h — marshalling primitives: a growable writer and a bounds-checked
 * reader, both explicit big-endian.
 *
 * Part of the base layer: depends on libc and util.h only, does no I/O and
 * no logging. Both buffers carry a sticky error: after the first failure
 * every further call is a no-op that returns the same error, so a marshaller
 * writes or reads a whole message and checks once at the end.
 *
 *   struct wbuf w;
 *   wbuf_init(&w, HERD_FRAME_MAX);
 *   wbuf_put_u32(&w, x); wbuf_put_str(&w, name);
 *   if (wbuf_error(&w) < 0) ...
 *
 *   struct rbuf r;
 *   rbuf_init(&r, data, len);
 *   rbuf_get_u32(&r, &x); rbuf_get_str(&r, name, sizeof(name));
 *   if (rbuf_end(&r) < 0) ...           (-EBADMSG: short, long or malformed)
 */
#ifndef HERD_BUF_H
#define HERD_BUF_H

#include "agentd/util.h"

/* Strings on the wire: u16 length, then that many bytes, no NUL. */
#define BUF_STR_MAX UINT16_MAX

/* Wire size of a string as wbuf_put_str writes it. */
static inline size_t buf_str_len(const char *s)
{
	return 2 + strlen(s);
}

/* Big-endian loads and stores at a raw pointer (no bounds: the caller's). */
static inline uint16_t buf_load_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t buf_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t buf_load_be64(const uint8_t *p)
{
	return (uint64_t)buf_load_be32(p) << 32 | buf_load_be32(p + 4);
}

static inline void buf_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void buf_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void buf_store_be64(uint8_t *p, uint64_t v)
{
	buf_store_be32(p, (uint32_t)(v >> 32));
	buf_store_be32(p + 4, (uint32_t)v);
}

/*
 * Grow *buf (capacity *cap) so that it holds at least need bytes, doubling
 * from 256 and never beyond max. Returns 0, -EMSGSIZE when need > max, or
 * -ENOMEM. Shared by wbuf and the protocol stream readers.
 */
int buf_grow(uint8_t **buf, size_t *cap, size_t need, size_t max);

/*
 * The input side of a stream reader (proto.c, ctlproto.c): append n bytes
 * to buf[0..*len), first dropping the *consumed bytes already handed out
 * (a buffer over 64 KiB that empties is freed, so one big frame does not
 * pin memory). Returns 0, -EMSGSIZE when more than limit bytes would then
 * be buffered, or -ENOMEM; on error the buffered bytes stay.
 */
int buf_feed(uint8_t **buf, size_t *len, size_t *cap, size_t *consumed,
	     const void *data, size_t n, size_t limit);

/*
 * The writer. data[0..len) holds what was written. A writer made by
 * wbuf_init owns a malloc'd buffer that grows up to max bytes; one made by
 * wbuf_init_fixed writes into the caller's array and never grows.
 * Errors (sticky): -EMSGSIZE (past max, or a string over BUF_STR_MAX),
 * -ENOMEM.
 */
struct wbuf {
	uint8_t *data;
	size_t len, cap;
	size_t max;
	bool fixed;
	int err;
};

/* max == 0 means no limit but memory. */
void wbuf_init(struct wbuf *w, size_t max);
void wbuf_init_fixed(struct wbuf *w, void *data, size_t cap);
/* Free the buffer (not a fixed one) and reset w to empty. */
void wbuf_free(struct wbuf *w);
/* Forget the contents and the error, keep the memory. */
void wbuf_reset(struct wbuf *w);
/*
 * Hand the malloc'd buffer to the caller (who frees it) and reset w.
 * Returns NULL when w failed or is fixed; *len gets the length.
 */
uint8_t *wbuf_steal(struct wbuf *w, size_t *len);

static inline int wbuf_error(const struct wbuf *w)
{
	return w->err;
}

/*
 * The put functions append and return 0, or the sticky error (then nothing
 * is written, and nothing ever will be).
 */
int wbuf_put_u8(struct wbuf *w, uint8_t v);
int wbuf_put_u16(struct wbuf *w, uint16_t v);
int wbuf_put_u32(struct wbuf *w, uint32_t v);
int wbuf_put_u64(struct wbuf *w, uint64_t v);
int wbuf_put_bytes(struct wbuf *w, const void *p, size_t n);
/* u16 length + the bytes of s without its NUL; -EMSGSIZE if too long. */
int wbuf_put_str(struct wbuf *w, const char *s);

/*
 * Append n zero bytes to fill in later; *off gets their offset (data may
 * move as w grows: keep offsets, not pointers). Returns 0 or the error.
 */
int wbuf_reserve(struct wbuf *w, size_t n, size_t *off);
/*
 * Overwrite 4 bytes at off (within what was written) with v. A no-op that
 * returns the error once w has failed; patching outside data[0..len) is a
 * bug and asserts.
 */
int wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v);

/*
 * The reader: a cursor over len const bytes it does not own. A read past
 * the end, a string too long for the caller's buffer or with an embedded
 * NUL sets the sticky error -EBADMSG; outputs are then zeroed (strings
 * empty), so a caller never uses uninitialised values.
 */
struct rbuf {
	const uint8_t *data;
	size_t len, off;
	int err;
};

void rbuf_init(struct rbuf *r, const void *data, size_t len);

static inline int rbuf_error(const struct rbuf *r)
{
	return r->err;
}

static inline size_t rbuf_remaining(const struct rbuf *r)
{
	return r->len - r->off;
}

int rbuf_get_u8(struct rbuf *r, uint8_t *v);
int rbuf_get_u16(struct rbuf *r, uint16_t *v);
int rbuf_get_u32(struct rbuf *r, uint32_t *v);
int rbuf_get_u64(struct rbuf *r, uint64_t *v);
/* Copy n bytes out. */
int rbuf_get_bytes(struct rbuf *r, void *dst, size_t n);
/* Point *p at the next n bytes without copying (NULL on error or n == 0). */
int rbuf_get_ptr(struct rbuf *r, size_t n, const uint8_t **p);
int rbuf_skip(struct rbuf *r, size_t n);
/*
 * Read a wire string into dst (size dstsize, >= 1) and NUL-terminate it.
 * -EBADMSG when it does not fit with its NUL or contains a NUL byte.
 */
int rbuf_get_str(struct rbuf *r, char *dst, size_t dstsize);
/*
 * Finish a message: the sticky error, or -EBADMSG (made sticky) when bytes
 * remain unread. Returns 0 when exactly everything was consumed.
 */
int rbuf_end(struct rbuf *r);

#endif
