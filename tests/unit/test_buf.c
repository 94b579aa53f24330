/*
 * test_buf.c — unit tests for agentd/buf.c: the big-endian writer and the
 * bounds-checked reader every wire format is built on.
 *
 * Known-answer tests pin the byte order; a seeded random round trip writes
 * and reads back long random sequences; every truncation of a valid buffer
 * must fail cleanly with the sticky -EBADMSG and zeroed outputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "agentd/buf.h"

/* Let huge allocations fail instead of aborting under AddressSanitizer. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/* splitmix64: a small seeded PRNG, so failures reproduce. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void test_kat(void **state)
{
	static const uint8_t want[] = {
		0x12,
		0x34, 0x56,
		0x78, 0x9a, 0xbc, 0xde,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		'a', 'b',
		0x00, 0x02, 'h', 'i',
		0x00, 0x00,
	};
	struct wbuf w;
	struct rbuf r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	char ab[2], s[8], e[1];

	wbuf_init(&w, 0);
	assert_int_equal(wbuf_put_u8(&w, 0x12), 0);
	assert_int_equal(wbuf_put_u16(&w, 0x3456), 0);
	assert_int_equal(wbuf_put_u32(&w, 0x789abcde), 0);
	assert_int_equal(wbuf_put_u64(&w, UINT64_C(0x0102030405060708)), 0);
	assert_int_equal(wbuf_put_bytes(&w, "ab", 2), 0);
	assert_int_equal(wbuf_put_str(&w, "hi"), 0);
	assert_int_equal(wbuf_put_str(&w, ""), 0);
	assert_int_equal(wbuf_put_bytes(&w, NULL, 0), 0);
	assert_int_equal(wbuf_error(&w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	assert_int_equal(buf_str_len("hi"), 4);

	rbuf_init(&r, want, sizeof(want));
	rbuf_get_u8(&r, &u8);
	rbuf_get_u16(&r, &u16);
	rbuf_get_u32(&r, &u32);
	rbuf_get_u64(&r, &u64);
	rbuf_get_bytes(&r, ab, 2);
	rbuf_get_str(&r, s, sizeof(s));
	assert_int_equal(rbuf_remaining(&r), 2);
	rbuf_get_str(&r, e, sizeof(e));
	assert_int_equal(rbuf_end(&r), 0);
	assert_int_equal(u8, 0x12);
	assert_int_equal(u16, 0x3456);
	assert_int_equal(u32, 0x789abcde);
	assert_true(u64 == UINT64_C(0x0102030405060708));
	assert_memory_equal(ab, "ab", 2);
	assert_string_equal(s, "hi");
	assert_string_equal(e, "");
	wbuf_free(&w);
}

static void test_load_store(void **state)
{
	uint8_t b[8];

	buf_store_be16(b, 0xa1b2);
	assert_int_equal(b[0], 0xa1);
	assert_int_equal(b[1], 0xb2);
	assert_int_equal(buf_load_be16(b), 0xa1b2);
	buf_store_be32(b, 0xfedcba98);
	assert_int_equal(b[0], 0xfe);
	assert_int_equal(b[3], 0x98);
	assert_int_equal(buf_load_be32(b), 0xfedcba98);
	buf_store_be64(b, UINT64_C(0x8000000000000001));
	assert_int_equal(b[0], 0x80);
	assert_int_equal(b[7], 0x01);
	assert_true(buf_load_be64(b) == UINT64_C(0x8000000000000001));
}

enum op { OP_U8, OP_U16, OP_U32, OP_U64, OP_BYTES, OP_STR, OP_MAX };

struct item {
	enum op op;
	uint64_t v;
	size_t n;
	uint8_t bytes[300];
};

/* Random items; strings are random non-NUL bytes. */
static void gen_item(uint64_t *s, struct item *it)
{
	it->op = (enum op)(rnd(s) % OP_MAX);
	it->v = rnd(s);
	it->n = rnd(s) % 3 == 0 ? 0 : rnd(s) % sizeof(it->bytes);
	for (size_t i = 0; i < it->n; i++) {
		it->bytes[i] = (uint8_t)rnd(s);
		if (it->op == OP_STR && it->bytes[i] == 0)
			it->bytes[i] = 'x';
	}
}

static void put_item(struct wbuf *w, const struct item *it)
{
	char str[sizeof(it->bytes) + 1];

	switch (it->op) {
	case OP_U8: wbuf_put_u8(w, (uint8_t)it->v); break;
	case OP_U16: wbuf_put_u16(w, (uint16_t)it->v); break;
	case OP_U32: wbuf_put_u32(w, (uint32_t)it->v); break;
	case OP_U64: wbuf_put_u64(w, it->v); break;
	case OP_BYTES: wbuf_put_bytes(w, it->bytes, it->n); break;
	case OP_STR:
		memcpy(str, it->bytes, it->n);
		str[it->n] = '\0';
		wbuf_put_str(w, str);
		break;
	default: fail();
	}
}

/* Read one item back; returns whether it matched (false on error too). */
static bool get_item(struct rbuf *r, const struct item *it)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	uint8_t bytes[sizeof(it->bytes)];
	char str[sizeof(it->bytes) + 1];

	switch (it->op) {
	case OP_U8: return rbuf_get_u8(r, &u8) == 0 && u8 == (uint8_t)it->v;
	case OP_U16: return rbuf_get_u16(r, &u16) == 0 && u16 == (uint16_t)it->v;
	case OP_U32: return rbuf_get_u32(r, &u32) == 0 && u32 == (uint32_t)it->v;
	case OP_U64: return rbuf_get_u64(r, &u64) == 0 && u64 == it->v;
	case OP_BYTES:
		return rbuf_get_bytes(r, bytes, it->n) == 0 &&
		       (it->n == 0 || memcmp(bytes, it->bytes, it->n) == 0);
	case OP_STR:
		return rbuf_get_str(r, str, sizeof(str)) == 0 && strlen(str) == it->n &&
		       memcmp(str, it->bytes, it->n) == 0;
	default: return false;
	}
}

static void test_roundtrip_random(void **state)
{
	enum { NITEMS = 40 };
	struct item *items = calloc(NITEMS, sizeof(*items));

	assert_non_null(items);
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		uint64_t s = seed;
		size_t n = 1 + rnd(&s) % NITEMS;
		struct wbuf w;
		struct rbuf r;

		wbuf_init(&w, 0);
		for (size_t i = 0; i < n; i++) {
			gen_item(&s, &items[i]);
			put_item(&w, &items[i]);
		}
		assert_int_equal(wbuf_error(&w), 0);

		rbuf_init(&r, w.data, w.len);
		for (size_t i = 0; i < n; i++)
			if (!get_item(&r, &items[i]))
				fail_msg("seed %llu item %zu", (unsigned long long)seed, i);
		assert_int_equal(rbuf_end(&r), 0);

		/*
		 * Every truncation fails (the items are a prefix code only
		 * when read in order, so read in order and expect an error
		 * somewhere, never a read past the copy's end).
		 */
		for (size_t cut = 0; cut < w.len; cut += 1 + cut / 16) {
			uint8_t *copy = malloc(cut ? cut : 1);
			bool ok = true;

			assert_non_null(copy);
			memcpy(copy, w.data, cut);
			rbuf_init(&r, copy, cut);
			for (size_t i = 0; i < n && ok; i++)
				ok = get_item(&r, &items[i]);
			assert_false(ok && rbuf_end(&r) == 0);
			assert_int_equal(rbuf_error(&r), -EBADMSG);
			free(copy);
		}
		wbuf_free(&w);
	}
	free(items);
}

static void test_writer_max(void **state)
{
	struct wbuf w;

	wbuf_init(&w, 10);
	assert_int_equal(wbuf_put_u64(&w, 1), 0);
	assert_int_equal(wbuf_put_u32(&w, 2), -EMSGSIZE);
	assert_int_equal(w.len, 8);
	/* Sticky: even what would fit is refused now. */
	assert_int_equal(wbuf_put_u8(&w, 3), -EMSGSIZE);
	assert_int_equal(wbuf_put_str(&w, ""), -EMSGSIZE);
	assert_int_equal(w.len, 8);
	assert_int_equal(wbuf_error(&w), -EMSGSIZE);
	wbuf_reset(&w);
	assert_int_equal(wbuf_error(&w), 0);
	assert_int_equal(wbuf_put_u64(&w, 1), 0);
	assert_int_equal(wbuf_put_u16(&w, 1), 0);
	assert_int_equal(w.len, 10);
	assert_int_equal(wbuf_put_bytes(&w, "", 0), 0);
	assert_int_equal(wbuf_put_u8(&w, 1), -EMSGSIZE);
	wbuf_free(&w);
	assert_int_equal(w.max, 10);
	assert_null(w.data);
}

static void test_writer_fixed(void **state)
{
	uint8_t b[7] = { 0 };
	struct wbuf w;
	size_t len;

	wbuf_init_fixed(&w, b, sizeof(b));
	assert_int_equal(wbuf_put_u32(&w, 0x01020304), 0);
	assert_int_equal(wbuf_put_u16(&w, 0x0506), 0);
	assert_int_equal(wbuf_put_u16(&w, 0x0708), -EMSGSIZE);
	assert_int_equal(w.len, 6);
	assert_int_equal(b[5], 0x06);
	assert_int_equal(b[6], 0);
	assert_null(wbuf_steal(&w, &len));
	assert_int_equal(len, 0);
	wbuf_reset(&w);
	assert_int_equal(wbuf_put_u8(&w, 0xff), 0);
	assert_int_equal(b[0], 0xff);
	assert_null(wbuf_steal(&w, &len));
	wbuf_free(&w); /* does not free b */
}

static void test_writer_str_limit(void **state)
{
	char *s = malloc(BUF_STR_MAX + 2);
	struct wbuf w;
	struct rbuf r;
	char *back = malloc(BUF_STR_MAX + 1);

	assert_non_null(s);
	assert_non_null(back);
	memset(s, 'a', BUF_STR_MAX);
	s[BUF_STR_MAX] = '\0';
	wbuf_init(&w, 0);
	assert_int_equal(wbuf_put_str(&w, s), 0);
	assert_int_equal(w.len, 2 + BUF_STR_MAX);
	assert_int_equal(w.data[0], 0xff);
	assert_int_equal(w.data[1], 0xff);
	rbuf_init(&r, w.data, w.len);
	assert_int_equal(rbuf_get_str(&r, back, BUF_STR_MAX + 1), 0);
	assert_int_equal(strlen(back), BUF_STR_MAX);
	assert_int_equal(rbuf_end(&r), 0);

	s[BUF_STR_MAX] = 'a';
	s[BUF_STR_MAX + 1] = '\0';
	assert_int_equal(wbuf_put_str(&w, s), -EMSGSIZE);
	assert_int_equal(w.len, 2 + BUF_STR_MAX);
	wbuf_free(&w);
	free(s);
	free(back);
}

static void test_writer_reserve_patch(void **state)
{
	static const uint8_t want[] = { 0, 0, 0, 0, 0xaa, 0, 0, 0, 5, 0xbb };
	struct wbuf w;
	size_t off, off2, len;
	uint8_t *p;

	wbuf_init(&w, 0);
	assert_int_equal(wbuf_reserve(&w, 4, &off), 0);
	assert_int_equal(off, 0);
	wbuf_put_u8(&w, 0xaa);
	assert_int_equal(wbuf_reserve(&w, 4, &off2), 0);
	assert_int_equal(off2, 5);
	assert_int_equal(wbuf_reserve(&w, 0, &off), 0);
	assert_int_equal(off, 9);
	wbuf_put_u8(&w, 0xbb);
	assert_int_equal(wbuf_patch_u32(&w, off2, 5), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	/* The patch can land on the very last 4 bytes. */
	assert_int_equal(wbuf_patch_u32(&w, w.len - 4, 0x01020304), 0);
	assert_int_equal(w.data[w.len - 1], 0x04);

	p = wbuf_steal(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, sizeof(want));
	assert_int_equal(w.len, 0);
	assert_null(w.data);
	free(p);

	/* A failed writer ignores patches and reports its error. */
	wbuf_init(&w, 4);
	assert_int_equal(wbuf_reserve(&w, 8, &off), -EMSGSIZE);
	assert_int_equal(off, 0);
	assert_int_equal(wbuf_patch_u32(&w, 0, 1), -EMSGSIZE);
	assert_null(wbuf_steal(&w, &len));
	wbuf_free(&w);

	/* Stealing from an empty writer still yields something to free. */
	wbuf_init(&w, 0);
	p = wbuf_steal(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
}

static void test_writer_grow(void **state)
{
	struct wbuf w;
	uint8_t chunk[1000];

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	wbuf_init(&w, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(wbuf_put_bytes(&w, chunk, sizeof(chunk)), 0);
	assert_int_equal(w.len, 1000 * sizeof(chunk));
	assert_true(w.cap >= w.len);
	for (int i = 0; i < 1000; i++)
		assert_memory_equal(w.data + i * sizeof(chunk), chunk, sizeof(chunk));
	wbuf_free(&w);
}

static void test_writer_enomem(void **state)
{
	struct wbuf w;
	size_t off;

	wbuf_init(&w, 0);
	assert_int_equal(wbuf_put_u8(&w, 1), 0);
	assert_int_equal(wbuf_reserve(&w, SIZE_MAX / 4, &off), -ENOMEM);
	assert_int_equal(w.len, 1);
	assert_int_equal(wbuf_put_u8(&w, 1), -ENOMEM);
	wbuf_free(&w);
}

static void test_grow(void **state)
{
	uint8_t *b = NULL;
	size_t cap = 0;

	assert_int_equal(buf_grow(&b, &cap, 0, 100), 0);
	assert_null(b);
	assert_int_equal(buf_grow(&b, &cap, 101, 100), -EMSGSIZE);
	assert_int_equal(buf_grow(&b, &cap, 10, 100), 0);
	assert_int_equal(cap, 100); /* 256 clamped to max */
	assert_int_equal(buf_grow(&b, &cap, 100, 100), 0);
	free(b);
	b = NULL;
	cap = 0;
	assert_int_equal(buf_grow(&b, &cap, 300, SIZE_MAX), 0);
	assert_int_equal(cap, 512);
	assert_int_equal(buf_grow(&b, &cap, 513, 600), 0);
	assert_int_equal(cap, 600);
	free(b);
}

static void test_feed(void **state)
{
	uint8_t *b = NULL, big[100000];
	size_t len = 0, cap = 0, consumed = 0;

	memset(big, 7, sizeof(big));
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "abcd", 4, 10), 0);
	assert_int_equal(len, 4);
	consumed = 3;
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "efgh", 4, 10), 0);
	assert_int_equal(consumed, 0);
	assert_int_equal(len, 5);
	assert_memory_equal(b, "defgh", 5);
	/* Over the limit: refused, buffered bytes intact. */
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "123456", 6, 10), -EMSGSIZE);
	assert_int_equal(len, 5);
	assert_memory_equal(b, "defgh", 5);
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "12345", 5, 10), 0);
	assert_memory_equal(b, "defgh12345", 10);
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "", 0, 10), 0);
	free(b);

	/* A big buffer that empties is released. */
	b = NULL;
	len = cap = consumed = 0;
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, big, sizeof(big), SIZE_MAX), 0);
	assert_true(cap >= sizeof(big));
	consumed = len;
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, "x", 1, SIZE_MAX), 0);
	assert_true(cap <= 256);
	assert_int_equal(len, 1);
	assert_int_equal(b[0], 'x');
	consumed = 1;
	assert_int_equal(buf_feed(&b, &len, &cap, &consumed, NULL, 0, SIZE_MAX), 0);
	assert_int_equal(len, 0);
	free(b);
}

static void test_reader_overrun(void **state)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5 };
	struct rbuf r;
	uint32_t u32;
	uint64_t u64;
	uint8_t u8, out[4] = { 9, 9, 9, 9 };
	const uint8_t *p;

	rbuf_init(&r, d, sizeof(d));
	assert_int_equal(rbuf_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 0x01020304);
	assert_int_equal(rbuf_get_u64(&r, &u64), -EBADMSG);
	assert_true(u64 == 0);
	/* Sticky: the byte that is there is not read any more. */
	assert_int_equal(rbuf_get_u8(&r, &u8), -EBADMSG);
	assert_int_equal(u8, 0);
	assert_int_equal(rbuf_get_bytes(&r, out, 4), -EBADMSG);
	assert_int_equal(out[0], 0);
	assert_int_equal(rbuf_get_ptr(&r, 1, &p), -EBADMSG);
	assert_null(p);
	assert_int_equal(rbuf_skip(&r, 0), -EBADMSG);
	assert_int_equal(rbuf_end(&r), -EBADMSG);
	assert_int_equal(rbuf_remaining(&r), 1);

	rbuf_init(&r, d, sizeof(d));
	assert_int_equal(rbuf_skip(&r, 2), 0);
	assert_int_equal(rbuf_get_ptr(&r, 3, &p), 0);
	assert_ptr_equal(p, d + 2);
	assert_int_equal(rbuf_remaining(&r), 0);
	assert_int_equal(rbuf_get_ptr(&r, 0, &p), 0);
	assert_int_equal(rbuf_end(&r), 0);

	rbuf_init(&r, d, sizeof(d));
	assert_int_equal(rbuf_skip(&r, 6), -EBADMSG);

	/* Unread bytes make rbuf_end fail, stickily. */
	rbuf_init(&r, d, sizeof(d));
	assert_int_equal(rbuf_get_u8(&r, &u8), 0);
	assert_int_equal(rbuf_end(&r), -EBADMSG);
	assert_int_equal(rbuf_get_u8(&r, &u8), -EBADMSG);

	/* An empty reader over NULL. */
	rbuf_init(&r, NULL, 0);
	assert_int_equal(rbuf_get_bytes(&r, out, 0), 0);
	assert_int_equal(rbuf_get_ptr(&r, 0, &p), 0);
	assert_null(p);
	assert_int_equal(rbuf_end(&r), 0);
	assert_int_equal(rbuf_get_u16(&r, &(uint16_t){ 0 }), -EBADMSG);
}

static void test_reader_str(void **state)
{
	struct rbuf r;
	char s[4];

	/* Fits exactly with its NUL. */
	rbuf_init(&r, "\x00\x03" "abc", 5);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), 0);
	assert_string_equal(s, "abc");
	assert_int_equal(rbuf_end(&r), 0);

	/* One too long for the caller's buffer. */
	rbuf_init(&r, "\x00\x04" "abcd", 6);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), -EBADMSG);
	assert_string_equal(s, "");

	/* Embedded NUL. */
	rbuf_init(&r, "\x00\x03" "a\0c", 5);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), -EBADMSG);
	assert_string_equal(s, "");

	/* Length beyond the data. */
	rbuf_init(&r, "\x00\x05" "abc", 5);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), -EBADMSG);
	assert_string_equal(s, "");

	/* Length prefix cut. */
	rbuf_init(&r, "\x00", 1);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), -EBADMSG);

	/* Empty string, into a 1-byte buffer. */
	rbuf_init(&r, "\x00\x00", 2);
	assert_int_equal(rbuf_get_str(&r, s, 1), 0);
	assert_string_equal(s, "");
	assert_int_equal(rbuf_end(&r), 0);

	/* A 1-byte string never fits a 1-byte buffer. */
	rbuf_init(&r, "\x00\x01" "a", 3);
	assert_int_equal(rbuf_get_str(&r, s, 1), -EBADMSG);

	/* A failed reader gives an empty string. */
	memcpy(s, "xyz", 4);
	assert_int_equal(rbuf_get_str(&r, s, sizeof(s)), -EBADMSG);
	assert_string_equal(s, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat),
		cmocka_unit_test(test_load_store),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_writer_max),
		cmocka_unit_test(test_writer_fixed),
		cmocka_unit_test(test_writer_str_limit),
		cmocka_unit_test(test_writer_reserve_patch),
		cmocka_unit_test(test_writer_grow),
		cmocka_unit_test(test_writer_enomem),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_reader_overrun),
		cmocka_unit_test(test_reader_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
