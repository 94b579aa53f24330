/*
 * test_ctlproto.c — unit tests for the control-socket framing
 * (agentd/ctlproto.c, the contract in agentd/ctlproto.h).
 *
 * A known-answer test pins the 20 header bytes; headers round-trip over
 * 1000 seeds; every bad field and every short read is refused with the
 * documented errno; the streaming reader is fed one byte at a time, in
 * random chunks and all at once, and must hand out every payload exactly
 * and NUL-terminated, without ever touching the next frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "agentd/ctlproto.h"

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void test_hdr_kat(void **state)
{
	static const uint8_t want[HCTL_HDR_LEN] = {
		0x48, 0x43, 0x54, 0x4c, /* magic "HCTL" */
		0x01,                   /* version */
		0x02,                   /* type: reply */
		0x00, 0x00,             /* flags */
		0x01, 0x02, 0x03, 0x04, /* id */
		0xff, 0xff, 0xff, 0xfe, /* status: -2 (-ENOENT) */
		0x00, 0x00, 0x00, 0x10, /* length */
	};
	uint8_t out[HCTL_HDR_LEN];
	struct hctl_hdr h;

	hctl_hdr_push(out, HCTL_REPLY, 0x01020304, -ENOENT, 16);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(hctl_hdr_pull(want, sizeof(want), &h), 0);
	assert_int_equal(h.magic, HCTL_MAGIC);
	assert_int_equal(h.version, HCTL_VERSION);
	assert_int_equal(h.type, HCTL_REPLY);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.id, 0x01020304);
	assert_int_equal(h.status, -ENOENT);
	assert_int_equal(h.length, 16);
}

static void test_hdr_roundtrip_random(void **state)
{
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		uint64_t s = seed;
		uint8_t type = (uint8_t)(HCTL_REQUEST + rnd(&s) % 3);
		uint32_t id = (uint32_t)rnd(&s);
		int32_t status = rnd(&s) % 2 ? 0 : -(int32_t)(rnd(&s) % 4096);
		uint32_t length = (uint32_t)(rnd(&s) % (HCTL_PAYLOAD_MAX + 1));
		uint8_t out[HCTL_HDR_LEN];
		struct hctl_hdr h;

		if (seed == 1)
			length = HCTL_PAYLOAD_MAX;
		if (seed == 2)
			status = INT32_MIN;
		hctl_hdr_push(out, type, id, status, length);
		assert_int_equal(hctl_hdr_pull(out, sizeof(out), &h), 0);
		assert_int_equal(h.type, type);
		assert_int_equal(h.id, id);
		assert_int_equal(h.status, status);
		assert_int_equal(h.length, length);
	}
}

static void test_hdr_errors(void **state)
{
	uint8_t f[HCTL_HDR_LEN];
	struct hctl_hdr h;

	hctl_hdr_push(f, HCTL_REQUEST, 1, 0, 2);
	for (size_t n = 0; n < HCTL_HDR_LEN; n++) {
		uint8_t *c = dup_exact(f, n);

		assert_int_equal(hctl_hdr_pull(c, n, &h), -EAGAIN);
		free(c);
	}
	for (int i = 0; i < 4; i++) {
		f[i] ^= 0x01;
		assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), -EBADMSG);
		f[i] ^= 0x01;
	}
	f[4] = 0;
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), -EPROTONOSUPPORT);
	f[4] = 2;
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), -EPROTONOSUPPORT);
	assert_int_equal(h.version, 2);
	f[4] = HCTL_VERSION;
	for (unsigned t = 0; t < 256; t++) {
		f[5] = (uint8_t)t;
		assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h),
				 t >= HCTL_REQUEST && t <= HCTL_EVENT ? 0 : -EBADMSG);
	}
	f[5] = HCTL_EVENT;
	/* Unknown flags are ignored (and reported). */
	f[6] = 0xff;
	f[7] = 0xff;
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), 0);
	assert_int_equal(h.flags, 0xffff);
	/* Lengths. */
	hctl_hdr_push(f, HCTL_REQUEST, 1, 0, HCTL_PAYLOAD_MAX);
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), 0);
	hctl_hdr_push(f, HCTL_REQUEST, 1, 0, HCTL_PAYLOAD_MAX + 1);
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), -EMSGSIZE);
	hctl_hdr_push(f, HCTL_REQUEST, 1, 0, UINT32_MAX);
	assert_int_equal(hctl_hdr_pull(f, sizeof(f), &h), -EMSGSIZE);
}

static void test_frame_new(void **state)
{
	static const char json[] = "{\"verb\": \"status\", \"args\": {}}";
	struct hctl_hdr h;
	uint8_t *f;
	ssize_t n;

	n = hctl_frame_new(HCTL_REQUEST, 42, 0, json, strlen(json), &f);
	assert_int_equal(n, HCTL_HDR_LEN + strlen(json));
	assert_int_equal(hctl_hdr_pull(f, (size_t)n, &h), 0);
	assert_int_equal(h.type, HCTL_REQUEST);
	assert_int_equal(h.id, 42);
	assert_int_equal(h.length, strlen(json));
	assert_memory_equal(f + HCTL_HDR_LEN, json, strlen(json));
	free(f);

	n = hctl_frame_new(HCTL_EVENT, 0, 0, NULL, 0, &f);
	assert_int_equal(n, HCTL_HDR_LEN);
	assert_non_null(f);
	free(f);

	f = (uint8_t *)"not touched";
	n = hctl_frame_new(HCTL_REPLY, 1, 0, json, (size_t)HCTL_PAYLOAD_MAX + 1, &f);
	assert_int_equal(n, -EMSGSIZE);
	assert_null(f);
}

/* A stream of frames with random payloads (JSON-ish text, sometimes empty,
 * sometimes with bytes a JSON parser would refuse: the framing does not
 * care). */
struct stream {
	uint8_t *bytes;
	size_t len, nframes;
	size_t off[64];
	uint8_t type[64];
	uint32_t id[64];
	int32_t status[64];
	uint32_t plen[64];
};

static void gen_stream(uint64_t *s, struct stream *st)
{
	size_t cap = 0;

	st->bytes = NULL;
	st->len = 0;
	st->nframes = 1 + rnd(s) % 40;
	for (size_t i = 0; i < st->nframes; i++) {
		uint32_t n = rnd(s) % 5 == 0 ? 0 : (uint32_t)(rnd(s) % 3000);
		char *p = malloc(n + 1);
		uint8_t *f;
		ssize_t fl;

		assert_non_null(p);
		for (uint32_t k = 0; k < n; k++)
			p[k] = rnd(s) % 50 == 0 ? (char)rnd(s) : (char)(' ' + rnd(s) % 95);
		st->type[i] = (uint8_t)(HCTL_REQUEST + rnd(s) % 3);
		st->id[i] = (uint32_t)rnd(s);
		st->status[i] = -(int32_t)(rnd(s) % 200);
		st->plen[i] = n;
		fl = hctl_frame_new(st->type[i], st->id[i], st->status[i], p, n, &f);
		assert_int_equal(fl, HCTL_HDR_LEN + n);
		if (st->len + (size_t)fl > cap) {
			cap = 2 * (st->len + (size_t)fl);
			st->bytes = realloc(st->bytes, cap);
			assert_non_null(st->bytes);
		}
		st->off[i] = st->len;
		memcpy(st->bytes + st->len, f, (size_t)fl);
		st->len += (size_t)fl;
		free(f);
		free(p);
	}
}

static size_t drain(struct hctl_reader *r, const struct stream *st, size_t got)
{
	struct hctl_hdr h;
	const char *p;
	int e;

	while ((e = hctl_reader_next(r, &h, &p)) == 1) {
		assert_true(got < st->nframes);
		assert_int_equal(h.type, st->type[got]);
		assert_int_equal(h.id, st->id[got]);
		assert_int_equal(h.status, st->status[got]);
		assert_int_equal(h.length, st->plen[got]);
		assert_memory_equal(p, st->bytes + st->off[got] + HCTL_HDR_LEN, h.length);
		assert_int_equal(p[h.length], '\0');
		got++;
	}
	assert_int_equal(e, 0);
	assert_null(p);
	return got;
}

static void test_reader_stream(void **state)
{
	for (uint64_t seed = 1; seed <= 200; seed++) {
		uint64_t s = seed;
		struct hctl_reader r;
		struct stream st;
		size_t off, got;

		gen_stream(&s, &st);

		hctl_reader_init(&r);
		for (off = 0, got = 0; off < st.len; off++) {
			assert_int_equal(hctl_reader_feed(&r, st.bytes + off, 1), 0);
			got = drain(&r, &st, got);
		}
		assert_int_equal(got, st.nframes);
		hctl_reader_free(&r);

		hctl_reader_init(&r);
		for (off = 0, got = 0; off < st.len;) {
			size_t n = rnd(&s) % 5000;

			n = MIN(n, st.len - off);

			assert_int_equal(hctl_reader_feed(&r, st.bytes + off, n), 0);
			off += n;
			got = drain(&r, &st, got);
		}
		assert_int_equal(got, st.nframes);
		hctl_reader_free(&r);

		hctl_reader_init(&r);
		assert_int_equal(hctl_reader_feed(&r, st.bytes, st.len), 0);
		assert_int_equal(drain(&r, &st, 0), st.nframes);
		hctl_reader_free(&r);
		free(st.bytes);
	}
}

/* The NUL after a payload must not clobber the next frame's header, and
 * the payload is a C string a JSON parser can take. */
static void test_reader_nul(void **state)
{
	static const char a[] = "{\"verb\":\"a\"}", b[] = "{\"verb\":\"bb\"}";
	struct hctl_reader r;
	struct hctl_hdr h;
	const char *p;
	uint8_t *fa, *fb;
	ssize_t la, lb;

	la = hctl_frame_new(HCTL_REQUEST, 1, 0, a, strlen(a), &fa);
	lb = hctl_frame_new(HCTL_REQUEST, 2, 0, b, strlen(b), &fb);
	hctl_reader_init(&r);
	assert_int_equal(hctl_reader_feed(&r, fa, (size_t)la), 0);
	assert_int_equal(hctl_reader_feed(&r, fb, (size_t)lb), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_string_equal(p, a);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_int_equal(h.id, 2);
	assert_string_equal(p, b);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 0);

	/* An empty payload is "". */
	free(fa);
	la = hctl_frame_new(HCTL_EVENT, 0, 0, NULL, 0, &fa);
	assert_int_equal(hctl_reader_feed(&r, fa, (size_t)la), 0);
	assert_int_equal(hctl_reader_feed(&r, fb, 3), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_string_equal(p, "");
	assert_int_equal(hctl_reader_next(&r, &h, &p), 0);
	assert_int_equal(hctl_reader_feed(&r, fb + 3, (size_t)lb - 3), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_string_equal(p, b);
	hctl_reader_free(&r);
	free(fa);
	free(fb);
}

/* Every prefix of a frame yields nothing; the last byte yields it. */
static void test_reader_truncation(void **state)
{
	static const char j[] = "{\"verb\": \"status\"}";
	struct hctl_reader r;
	struct hctl_hdr h;
	const char *p;
	uint8_t *f;
	ssize_t n;

	n = hctl_frame_new(HCTL_REQUEST, 7, 0, j, strlen(j), &f);
	for (ssize_t cut = 0; cut < n; cut++) {
		uint8_t *c = dup_exact(f, (size_t)cut);

		hctl_reader_init(&r);
		assert_int_equal(hctl_reader_feed(&r, c, (size_t)cut), 0);
		assert_int_equal(hctl_reader_next(&r, &h, &p), 0);
		assert_int_equal(hctl_reader_feed(&r, f + cut, (size_t)(n - cut)), 0);
		assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
		assert_string_equal(p, j);
		hctl_reader_free(&r);
		free(c);
	}
	free(f);
}

static void test_reader_errors(void **state)
{
	struct hctl_reader r;
	struct hctl_hdr h;
	const char *p;
	uint8_t *f, hdr[HCTL_HDR_LEN];
	ssize_t n;

	n = hctl_frame_new(HCTL_REQUEST, 1, 0, "{}", 2, &f);

	/* A good frame, then garbage: the frame, then a sticky error. */
	hctl_reader_init(&r);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 0);
	assert_int_equal(hctl_reader_feed(&r, f, (size_t)n), 0);
	assert_int_equal(hctl_reader_feed(&r, "{\"verb\": \"status\", \"args\": {}}\n", 31), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_string_equal(p, "{}");
	assert_int_equal(hctl_reader_next(&r, &h, &p), -EBADMSG);
	assert_null(p);
	assert_int_equal(hctl_reader_next(&r, &h, &p), -EBADMSG);
	assert_int_equal(hctl_reader_feed(&r, f, (size_t)n), -EBADMSG);
	hctl_reader_free(&r);
	assert_int_equal(r.err, 0);

	/* Another version. */
	hctl_reader_init(&r);
	f[4] = 9;
	assert_int_equal(hctl_reader_feed(&r, f, (size_t)n), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), -EPROTONOSUPPORT);
	hctl_reader_free(&r);
	free(f);

	/* Oversize: refused from the header, before any payload arrives. */
	hctl_reader_init(&r);
	hctl_hdr_push(hdr, HCTL_REPLY, 1, 0, HCTL_PAYLOAD_MAX + 1);
	assert_int_equal(hctl_reader_feed(&r, hdr, sizeof(hdr)), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), -EMSGSIZE);
	hctl_reader_free(&r);
}

/* The largest payload goes through the reader; the buffer is compacted
 * while many small frames pass, and released after a big one. */
static void test_reader_memory(void **state)
{
	char *big = malloc(HCTL_PAYLOAD_MAX);
	struct hctl_reader r;
	struct hctl_hdr h;
	const char *p;
	uint8_t *f;
	ssize_t n;

	assert_non_null(big);
	memset(big, 'a', HCTL_PAYLOAD_MAX);
	n = hctl_frame_new(HCTL_REPLY, 3, 0, big, HCTL_PAYLOAD_MAX, &f);
	assert_int_equal(n, HCTL_HDR_LEN + HCTL_PAYLOAD_MAX);
	hctl_reader_init(&r);
	assert_int_equal(hctl_reader_feed(&r, f, (size_t)n), 0);
	assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
	assert_int_equal(h.length, HCTL_PAYLOAD_MAX);
	assert_int_equal(strlen(p), HCTL_PAYLOAD_MAX);
	free(f);

	n = hctl_frame_new(HCTL_EVENT, 0, 0, "{\"event\":\"x\"}", 13, &f);
	for (int i = 0; i < 10000; i++) {
		assert_int_equal(hctl_reader_feed(&r, f, (size_t)n), 0);
		assert_int_equal(hctl_reader_next(&r, &h, &p), 1);
		assert_string_equal(p, "{\"event\":\"x\"}");
		assert_true(r.cap <= 256);
	}
	free(f);

	/* The feed limit: more than two maximal frames buffered. */
	assert_int_equal(hctl_reader_feed(&r, big, HCTL_PAYLOAD_MAX), 0);
	assert_int_equal(hctl_reader_feed(&r, big, HCTL_PAYLOAD_MAX), 0);
	assert_int_equal(hctl_reader_feed(&r, big, 2 * HCTL_HDR_LEN + 1), -EMSGSIZE);
	assert_int_equal(hctl_reader_feed(&r, big, 1), -EMSGSIZE);
	hctl_reader_free(&r);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_kat),
		cmocka_unit_test(test_hdr_roundtrip_random),
		cmocka_unit_test(test_hdr_errors),
		cmocka_unit_test(test_frame_new),
		cmocka_unit_test(test_reader_stream),
		cmocka_unit_test(test_reader_nul),
		cmocka_unit_test(test_reader_truncation),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
