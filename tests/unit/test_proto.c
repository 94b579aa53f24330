/*
 * test_proto.c — unit tests for the cluster wire protocol (agentd/proto.c)
 * and its HMAC trailer (agentd/auth.c).
 *
 * Known-answer tests pin the exact bytes of a header, of two whole frames
 * and of one HMAC, so the layout cannot drift silently. Every message and
 * the header round-trip over 1000 seeds of random field values; every
 * truncation, every wrong length and every flipped bit of a valid frame
 * must fail cleanly (frames are copied into exactly-sized allocations so
 * that AddressSanitizer sees any read past the end); the stream reader is
 * fed one byte at a time, in random chunks and all at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include <cmocka.h>

#include "agentd/auth.h"
#include "agentd/proto.h"
#include "agentd/state.h"

static const uint8_t key[] = "herd-test-key";
#define KEYLEN (sizeof(key) - 1)

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Random values biased towards the edges: 0, 1, all ones, or anything. */
static uint64_t rnd_val(uint64_t *s)
{
	switch (rnd(s) % 8) {
	case 0: return 0;
	case 1: return 1;
	case 2: return UINT64_MAX;
	default: return rnd(s);
	}
}

/* A heap copy of exactly n bytes (ASan then catches any overread). */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

#define DATA_MAX 2000

/* A random message of the given type; control data lives in data[]. */
static void gen_msg(uint64_t *s, uint8_t type, struct herd_msg *m, uint8_t data[DATA_MAX])
{
	size_t n;

	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case HERD_MSG_HELLO:
		m->hello.pnn = (uint32_t)rnd_val(s);
		m->hello.link = (uint8_t)rnd_val(s);
		m->hello.capabilities = (uint32_t)rnd_val(s);
		m->hello.node_flags = (uint32_t)rnd_val(s);
		m->hello.features = (uint32_t)rnd_val(s);
		m->hello.start_time = rnd_val(s);
		m->hello.nonce = rnd_val(s);
		n = rnd(s) % (HERD_CLUSTER_NAME_MAX + 1);
		for (size_t i = 0; i < n; i++)
			m->hello.cluster[i] = (char)(1 + rnd(s) % 255);
		break;
	case HERD_MSG_KEEPALIVE:
		m->keepalive.timestamp = rnd_val(s);
		m->keepalive.echo = rnd_val(s);
		m->keepalive.echo_delay = (uint32_t)rnd_val(s);
		m->keepalive.node_flags = (uint32_t)rnd_val(s);
		m->keepalive.leader = (uint32_t)rnd_val(s);
		m->keepalive.capabilities = (uint32_t)rnd_val(s);
		m->keepalive.status = (uint32_t)rnd_val(s);
		break;
	case HERD_MSG_CONTROL:
	case HERD_MSG_REPLY:
		n = rnd(s) % 4 == 0 ? 0 : rnd(s) % DATA_MAX;
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)rnd(s);
		if (type == HERD_MSG_CONTROL) {
			m->control.opcode = (uint32_t)rnd_val(s);
			m->control.reqid = (uint32_t)rnd_val(s);
			m->control.flags = (uint32_t)rnd_val(s);
			m->control.datalen = (uint32_t)n;
			m->control.data = n ? data : NULL;
		} else {
			m->reply.opcode = (uint32_t)rnd_val(s);
			m->reply.reqid = (uint32_t)rnd_val(s);
			m->reply.status = (int32_t)rnd_val(s);
			m->reply.datalen = (uint32_t)n;
			m->reply.data = n ? data : NULL;
		}
		break;
	default:
		fail();
	}
}

static void gen_hdr(uint64_t *s, struct herd_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->flags = (uint16_t)rnd_val(s);
	h->src = (uint32_t)rnd_val(s);
	h->dst = (uint32_t)rnd_val(s);
	h->generation = (uint32_t)rnd_val(s);
	h->seq = rnd_val(s);
}

static void assert_data_equal(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	assert_int_equal(alen, blen);
	if (alen)
		assert_memory_equal(a, b, alen);
}

static void assert_msg_equal(const struct herd_msg *a, const struct herd_msg *b)
{
	assert_int_equal(a->type, b->type);
	switch (a->type) {
	case HERD_MSG_HELLO:
		assert_int_equal(a->hello.pnn, b->hello.pnn);
		assert_int_equal(a->hello.link, b->hello.link);
		assert_int_equal(a->hello.capabilities, b->hello.capabilities);
		assert_int_equal(a->hello.node_flags, b->hello.node_flags);
		assert_int_equal(a->hello.features, b->hello.features);
		assert_true(a->hello.start_time == b->hello.start_time);
		assert_true(a->hello.nonce == b->hello.nonce);
		assert_string_equal(a->hello.cluster, b->hello.cluster);
		break;
	case HERD_MSG_KEEPALIVE:
		assert_true(a->keepalive.timestamp == b->keepalive.timestamp);
		assert_true(a->keepalive.echo == b->keepalive.echo);
		assert_int_equal(a->keepalive.echo_delay, b->keepalive.echo_delay);
		assert_int_equal(a->keepalive.node_flags, b->keepalive.node_flags);
		assert_int_equal(a->keepalive.leader, b->keepalive.leader);
		assert_int_equal(a->keepalive.capabilities, b->keepalive.capabilities);
		assert_int_equal(a->keepalive.status, b->keepalive.status);
		break;
	case HERD_MSG_CONTROL:
		assert_int_equal(a->control.opcode, b->control.opcode);
		assert_int_equal(a->control.reqid, b->control.reqid);
		assert_int_equal(a->control.flags, b->control.flags);
		assert_data_equal(a->control.data, a->control.datalen,
				  b->control.data, b->control.datalen);
		break;
	case HERD_MSG_REPLY:
		assert_int_equal(a->reply.opcode, b->reply.opcode);
		assert_int_equal(a->reply.reqid, b->reply.reqid);
		assert_int_equal(a->reply.status, b->reply.status);
		assert_data_equal(a->reply.data, a->reply.datalen,
				  b->reply.data, b->reply.datalen);
		break;
	default:
		fail();
	}
}

static void assert_hdr_equal(const struct herd_hdr *a, const struct herd_hdr *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->length, b->length);
	assert_int_equal(a->src, b->src);
	assert_int_equal(a->dst, b->dst);
	assert_int_equal(a->generation, b->generation);
	assert_true(a->seq == b->seq);
}

static void test_hdr_kat(void **state)
{
	static const uint8_t want[HERD_HDR_LEN] = {
		0x48, 0x52, 0x44, 0x31, /* magic "HRD1" */
		0x02,                   /* version */
		0x02,                   /* type: keepalive */
		0x80, 0x01,             /* flags: MAC + an unknown bit */
		0x00, 0x00, 0x00, 0x60, /* length */
		0x00, 0x00, 0x00, 0x01, /* src */
		0xff, 0xff, 0xff, 0xff, /* dst: broadcast */
		0x01, 0x02, 0x03, 0x04, /* generation */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* seq */
	};
	struct herd_hdr h = {
		.type = HERD_MSG_KEEPALIVE,
		.flags = 0x8001,
		.length = 0x60,
		.src = 1,
		.dst = HERD_PNN_BROADCAST,
		.generation = 0x01020304,
		.seq = UINT64_C(0x1122334455667788),
	};
	struct herd_hdr back;
	uint8_t out[HERD_HDR_LEN];

	assert_int_equal(HERD_HDR_LEN, 32);
	assert_int_equal(HERD_MAGIC, 0x48524431);
	herd_hdr_push(out, &h);
	assert_memory_equal(out, want, sizeof(want));
	/* Unknown flag bits are ignored, but kept. */
	assert_int_equal(herd_hdr_pull(want, sizeof(want), &back), 0);
	assert_int_equal(back.version, HERD_VERSION);
	assert_hdr_equal(&back, &h);
}

/* A keepalive frame with its HMAC trailer, byte for byte. */
static void test_frame_kat_keepalive(void **state)
{
	static const uint8_t want[] = {
		/* header */
		0x48, 0x52, 0x44, 0x31, 0x02, 0x02, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		/* keepalive */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40, /* timestamp */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x3e, 0x58, /* echo */
		0x00, 0x00, 0x00, 0xfa,                         /* echo_delay */
		0x00, 0x00, 0x00, 0x02,                         /* node_flags */
		0x00, 0x00, 0x00, 0x00,                         /* leader */
		0x00, 0x00, 0x00, 0x03,                         /* capabilities */
		0x00, 0x00, 0x00, 0x01,                         /* status */
		/* HMAC-SHA256("herd-test-key", header + payload) */
		0x1a, 0x24, 0x24, 0xee, 0x33, 0x2b, 0xe7, 0x4b,
		0x8d, 0xb5, 0xaa, 0x48, 0x83, 0x45, 0xb5, 0xad,
		0x4e, 0x7a, 0xf9, 0x2b, 0xd5, 0x71, 0x09, 0x96,
		0xd5, 0xe4, 0x00, 0xde, 0xcf, 0x98, 0x72, 0x7b,
	};
	struct herd_hdr h = {
		.flags = HERD_HDR_F_MAC, .src = 1, .dst = 2, .generation = 7,
		.seq = UINT64_C(0x0102030405060708),
	}, hb;
	struct herd_msg m = {
		.type = HERD_MSG_KEEPALIVE,
		.keepalive = {
			.timestamp = 1000000, .echo = 999000, .echo_delay = 250,
			.node_flags = NODE_FLAG_UNHEALTHY, .leader = 0,
			.capabilities = NODE_CAP_RECMASTER | NODE_CAP_LMASTER,
			.status = HERD_KA_F_LOCK_HELD,
		},
	}, mb;
	struct wbuf w;

	wbuf_init(&w, HERD_FRAME_MAX);
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_int_equal(herd_frame_sign(w.data, w.len, key, KEYLEN), 0);
	assert_memory_equal(w.data, want, sizeof(want));
	assert_int_equal(herd_frame_verify(want, sizeof(want), key, KEYLEN), 0);
	assert_int_equal(herd_frame_pull(want, sizeof(want), &hb, &mb), sizeof(want));
	h.type = HERD_MSG_KEEPALIVE;
	h.length = sizeof(want);
	assert_hdr_equal(&hb, &h);
	assert_msg_equal(&mb, &m);
	assert_int_equal(herd_keepalive_len(&m.keepalive), HERD_KEEPALIVE_LEN);
	wbuf_free(&w);
}

/* A hello frame without a trailer, byte for byte. */
static void test_frame_kat_hello(void **state)
{
	static const uint8_t want[] = {
		/* header */
		0x48, 0x52, 0x44, 0x31, 0x02, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x03,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* hello */
		0x00, 0x00, 0x00, 0x03,                         /* pnn */
		0x01,                                           /* link */
		0x00, 0x00, 0x00, 0x03,                         /* capabilities */
		0x00, 0x00, 0x00, 0x40,                         /* node_flags */
		0x00, 0x00, 0x00, 0x00,                         /* features */
		0x00, 0x06, 0x0a, 0x8d, 0x4c, 0x3b, 0x20, 0x00, /* start_time */
		0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xf0, 0x0d, /* nonce */
		0x00, 0x04, 'd', 'e', 'm', 'o',                 /* cluster */
	};
	struct herd_hdr h = { .src = 3, .dst = HERD_PNN_BROADCAST }, hb;
	struct herd_msg m = {
		.type = HERD_MSG_HELLO,
		.hello = {
			.pnn = 3, .link = 1,
			.capabilities = NODE_CAP_RECMASTER | NODE_CAP_LMASTER,
			.node_flags = NODE_FLAG_PARTIALLYONLINE,
			.start_time = UINT64_C(0x00060a8d4c3b2000),
			.nonce = UINT64_C(0xdeadbeefcafef00d),
			.cluster = "demo",
		},
	}, mb;
	struct wbuf w;

	wbuf_init(&w, HERD_FRAME_MAX);
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	assert_int_equal(herd_hello_len(&m.hello), sizeof(want) - HERD_HDR_LEN);
	assert_int_equal(herd_frame_pull(want, sizeof(want), &hb, &mb), sizeof(want));
	assert_msg_equal(&mb, &m);
	/* Without a trailer there is nothing to verify. */
	assert_int_equal(herd_frame_verify(want, sizeof(want), key, KEYLEN), -EACCES);
	wbuf_free(&w);
}

static void test_hdr_roundtrip_random(void **state)
{
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		uint64_t s = seed;
		struct herd_hdr h, back;
		uint8_t out[HERD_HDR_LEN];

		gen_hdr(&s, &h);
		h.type = (uint8_t)(1 + rnd(&s) % HERD_MSG_TYPE_MAX);
		h.length = HERD_HDR_LEN + HERD_MAC_LEN +
			   (uint32_t)(rnd(&s) % (HERD_FRAME_MAX - HERD_HDR_LEN - HERD_MAC_LEN + 1));
		herd_hdr_push(out, &h);
		assert_int_equal(herd_hdr_pull(out, sizeof(out), &back), 0);
		assert_hdr_equal(&back, &h);
	}
}

static void test_msg_roundtrip_random(void **state)
{
	uint8_t *data = malloc(DATA_MAX);

	assert_non_null(data);
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		for (uint8_t type = 1; type <= HERD_MSG_TYPE_MAX; type++) {
			uint64_t s = seed * 131 + type;
			struct herd_msg m, back;
			struct herd_hdr h, hb;
			struct wbuf w;
			struct rbuf r;
			uint8_t *f;
			size_t len;

			gen_msg(&s, type, &m, data);
			gen_hdr(&s, &h);

			/* The bare payload. */
			wbuf_init(&w, 0);
			assert_int_equal(herd_msg_push(&w, &m), 0);
			assert_int_equal(w.len, herd_msg_len(&m));
			f = dup_exact(w.data, w.len);
			rbuf_init(&r, f, w.len);
			assert_int_equal(herd_msg_pull(&r, type, &back), 0);
			assert_msg_equal(&back, &m);
			free(f);
			wbuf_free(&w);

			/* A whole frame, signed when the flag says so. */
			wbuf_init(&w, HERD_FRAME_MAX);
			assert_int_equal(herd_frame_push(&w, &h, &m), 0);
			len = w.len;
			assert_int_equal(len, HERD_HDR_LEN + herd_msg_len(&m) +
						      ((h.flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0));
			if (h.flags & HERD_HDR_F_MAC)
				assert_int_equal(herd_frame_sign(w.data, len, key, KEYLEN), 0);
			f = dup_exact(w.data, len);
			wbuf_free(&w);
			assert_int_equal(herd_frame_pull(f, len, &hb, &back), (int)len);
			h.type = type;
			h.length = (uint32_t)len;
			assert_hdr_equal(&hb, &h);
			assert_msg_equal(&back, &m);
			if (h.flags & HERD_HDR_F_MAC)
				assert_int_equal(herd_frame_verify(f, len, key, KEYLEN), 0);
			free(f);
		}
	}
	free(data);
}

/*
 * Every prefix of a frame is incomplete; every wrong length in the header
 * makes the payload short or long; both fail cleanly.
 */
static void test_truncation(void **state)
{
	uint8_t *data = malloc(DATA_MAX);

	assert_non_null(data);
	for (uint64_t seed = 1; seed <= 40; seed++) {
		for (uint8_t type = 1; type <= HERD_MSG_TYPE_MAX; type++) {
			uint64_t s = seed * 7919 + type;
			struct herd_msg m, back;
			struct herd_hdr h, hb;
			struct wbuf w;
			size_t len, cut;

			gen_msg(&s, type, &m, data);
			gen_hdr(&s, &h);
			wbuf_init(&w, HERD_FRAME_MAX);
			assert_int_equal(herd_frame_push(&w, &h, &m), 0);
			len = w.len;

			for (cut = 0; cut < len; cut++) {
				uint8_t *f = dup_exact(w.data, cut);

				assert_int_equal(herd_frame_check(f, cut, &hb), -EAGAIN);
				assert_int_equal(herd_frame_pull(f, cut, &hb, &back), -EAGAIN);
				free(f);
			}

			/* The header claims a different length. */
			for (uint32_t l = HERD_HDR_LEN; l <= len + 3; l++) {
				size_t mac = (h.flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0;
				uint8_t *f = malloc(l);
				int want;

				assert_non_null(f);
				memcpy(f, w.data, MIN(l, len));
				if (l > len)
					memset(f + len, 0, l - len);
				buf_store_be32(f + HERD_OFF_LENGTH, l);
				if (l < HERD_HDR_LEN + mac)
					want = -EBADMSG; /* too short for its trailer */
				else if (l == len)
					want = (int)len;
				else
					want = -EBADMSG; /* payload short or long */
				assert_int_equal(herd_frame_pull(f, l, &hb, &back), want);
				free(f);
			}
			wbuf_free(&w);
		}
	}
	free(data);
}

static void test_hdr_errors(void **state)
{
	struct herd_hdr h = { .type = HERD_MSG_HELLO, .length = 100 }, hb;
	uint8_t f[HERD_HDR_LEN];

	for (size_t n = 0; n < HERD_HDR_LEN; n++)
		assert_int_equal(herd_hdr_pull(f, n, &hb), -EAGAIN);

	herd_hdr_push(f, &h);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), 0);
	for (int i = 0; i < 4; i++) {
		f[HERD_OFF_MAGIC + i] ^= 0x20;
		assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
		f[HERD_OFF_MAGIC + i] ^= 0x20;
	}
	/* Another version, whatever else is wrong, is -EPROTONOSUPPORT. */
	f[HERD_OFF_VERSION] = 0;
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EPROTONOSUPPORT);
	f[HERD_OFF_VERSION] = HERD_VERSION + 1;
	f[HERD_OFF_TYPE] = 200;
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EPROTONOSUPPORT);
	assert_int_equal(hb.version, HERD_VERSION + 1);
	f[HERD_OFF_VERSION] = HERD_VERSION;
	/* A bad magic wins over a bad version. */
	f[HERD_OFF_MAGIC] = 0;
	f[HERD_OFF_VERSION] = 9;
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
	herd_hdr_push(f, &h);

	for (unsigned t = 0; t < 256; t++) {
		f[HERD_OFF_TYPE] = (uint8_t)t;
		assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb),
				 t >= 1 && t <= HERD_MSG_TYPE_MAX ? 0 : -EBADMSG);
		assert_int_equal(herd_type_name((uint8_t)t) != NULL,
				 t >= 1 && t <= HERD_MSG_TYPE_MAX);
	}
	herd_hdr_push(f, &h);

	/* Lengths. */
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_HDR_LEN - 1);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
	buf_store_be32(f + HERD_OFF_LENGTH, 0);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_HDR_LEN);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), 0);
	buf_store_be16(f + HERD_OFF_FLAGS, HERD_HDR_F_MAC);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_HDR_LEN + HERD_MAC_LEN - 1);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EBADMSG);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_HDR_LEN + HERD_MAC_LEN);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), 0);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_FRAME_MAX);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), 0);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_FRAME_MAX + 1);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EMSGSIZE);
	buf_store_be32(f + HERD_OFF_LENGTH, UINT32_MAX);
	assert_int_equal(herd_hdr_pull(f, sizeof(f), &hb), -EMSGSIZE);
	assert_int_equal(herd_frame_check(f, sizeof(f), &hb), -EMSGSIZE);

	/* The header alone of a longer frame: wait for the rest. */
	buf_store_be32(f + HERD_OFF_LENGTH, 1000);
	assert_int_equal(herd_frame_check(f, sizeof(f), &hb), -EAGAIN);
	/* A frame of just a header is complete (though no message is empty). */
	buf_store_be16(f + HERD_OFF_FLAGS, 0);
	buf_store_be32(f + HERD_OFF_LENGTH, HERD_HDR_LEN);
	assert_int_equal(herd_frame_check(f, sizeof(f), &hb), HERD_HDR_LEN);
	f[HERD_OFF_TYPE] = HERD_MSG_KEEPALIVE;
	assert_int_equal(herd_frame_pull(f, sizeof(f), &hb, &(struct herd_msg){ 0 }), -EBADMSG);
}

static void test_push_errors(void **state)
{
	struct herd_hdr h = { 0 };
	struct herd_msg m = { .type = HERD_MSG_HELLO };
	struct wbuf w;
	struct rbuf r;
	uint8_t small[40] = { 0 };
	size_t len;

	wbuf_init(&w, HERD_FRAME_MAX);
	assert_int_equal(wbuf_put_u32(&w, 0xabcdef01), 0);

	/* Unknown type. */
	m.type = 0;
	assert_int_equal(herd_frame_push(&w, &h, &m), -EINVAL);
	assert_int_equal(herd_msg_push(&w, &m), -EINVAL);
	assert_int_equal(herd_msg_len(&m), 0);
	m.type = HERD_MSG_TYPE_MAX + 1;
	assert_int_equal(herd_frame_push(&w, &h, &m), -EINVAL);
	assert_int_equal(w.len, 4);

	/* A cluster name that fills its array has no NUL: refused, no
	 * half frame left behind, the writer still usable. */
	m.type = HERD_MSG_HELLO;
	memset(m.hello.cluster, 'x', sizeof(m.hello.cluster));
	assert_int_equal(herd_frame_push(&w, &h, &m), -EINVAL);
	assert_int_equal(w.len, 4);
	assert_int_equal(wbuf_error(&w), 0);
	m.hello.cluster[HERD_CLUSTER_NAME_MAX] = '\0';
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(w.len, 4 + HERD_HDR_LEN + herd_hello_len(&m.hello));
	len = w.len;

	/* Data length without data. */
	m.type = HERD_MSG_CONTROL;
	m.control = (struct herd_control){ .datalen = 1 };
	assert_int_equal(herd_frame_push(&w, &h, &m), -EINVAL);
	m.type = HERD_MSG_REPLY;
	m.reply = (struct herd_reply){ .datalen = 1 };
	assert_int_equal(herd_frame_push(&w, &h, &m), -EINVAL);
	assert_int_equal(w.len, len);
	wbuf_free(&w);

	/* A writer too small: its sticky error comes back. */
	m.type = HERD_MSG_KEEPALIVE;
	m.keepalive = (struct herd_keepalive){ 0 };
	wbuf_init_fixed(&w, small, sizeof(small));
	assert_int_equal(herd_frame_push(&w, &h, &m), -EMSGSIZE);
	assert_int_equal(herd_frame_push(&w, &h, &m), -EMSGSIZE);

	/* The hello pull refuses a name longer than HERD_CLUSTER_NAME_MAX. */
	wbuf_init(&w, 0);
	wbuf_put_bytes(&w, small, 4 + 1 + 4 + 4 + 4 + 8 + 8);
	wbuf_put_str(&w, "0123456789012345678901234567890123456789012345678901234567890123");
	rbuf_init(&r, w.data, w.len);
	assert_int_equal(herd_msg_pull(&r, HERD_MSG_HELLO, &m), -EBADMSG);
	assert_string_equal(m.hello.cluster, "");
	rbuf_init(&r, w.data, w.len);
	assert_int_equal(herd_msg_pull(&r, 0, &m), -EBADMSG);
	wbuf_free(&w);
}

/* The biggest frame goes through; one byte more does not. */
static void test_frame_max(void **state)
{
	size_t datalen = HERD_FRAME_MAX - HERD_HDR_LEN - HERD_CONTROL_HDR_LEN;
	uint8_t *data = calloc(1, datalen + 1);
	struct herd_msg m = { .type = HERD_MSG_CONTROL }, back;
	struct herd_hdr h = { 0 }, hb;
	struct herd_reader rd;
	const uint8_t *f;
	struct wbuf w;

	assert_non_null(data);
	data[datalen - 1] = 0x5a;
	m.control.data = data;
	m.control.datalen = (uint32_t)datalen;
	wbuf_init(&w, 0);
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(w.len, HERD_FRAME_MAX);
	assert_int_equal(herd_frame_pull(w.data, w.len, &hb, &back), HERD_FRAME_MAX);
	assert_int_equal(back.control.datalen, datalen);
	assert_int_equal(back.control.data[datalen - 1], 0x5a);

	herd_reader_init(&rd);
	assert_int_equal(herd_reader_feed(&rd, w.data, w.len), 0);
	assert_int_equal(herd_reader_next(&rd, &hb, &f), 1);
	assert_int_equal(hb.length, HERD_FRAME_MAX);
	assert_int_equal(herd_reader_next(&rd, &hb, &f), 0);
	herd_reader_free(&rd);

	/* One byte more, or the same payload with a trailer, is too big and
	 * nothing is written. */
	wbuf_reset(&w);
	m.control.datalen++;
	assert_int_equal(herd_frame_push(&w, &h, &m), -EMSGSIZE);
	assert_int_equal(w.len, 0);
	assert_int_equal(wbuf_error(&w), 0);
	m.control.datalen--;
	h.flags = HERD_HDR_F_MAC;
	assert_int_equal(herd_frame_push(&w, &h, &m), -EMSGSIZE);
	m.control.datalen -= HERD_MAC_LEN;
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(w.len, HERD_FRAME_MAX);
	assert_int_equal(herd_frame_sign(w.data, w.len, key, KEYLEN), 0);
	assert_int_equal(herd_frame_verify(w.data, w.len, key, KEYLEN), 0);

	/* Even a u32 datalen that would overflow a 32-bit sum. */
	m.control.datalen = UINT32_MAX;
	wbuf_reset(&w);
	assert_int_equal(herd_frame_push(&w, &h, &m), -EMSGSIZE);
	wbuf_free(&w);
	free(data);
}

static void test_hmac(void **state)
{
	static const uint8_t other[] = "herd-test-kez";
	static const uint8_t longer[] = "herd-test-key2";
	uint8_t payload[64];
	struct herd_msg m = { .type = HERD_MSG_CONTROL };
	struct herd_hdr h = { .flags = HERD_HDR_F_MAC, .src = 4, .dst = 5, .seq = 77 };
	uint8_t *f;
	struct wbuf w;
	size_t len;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 37);
	m.control = (struct herd_control){ .opcode = 9, .datalen = sizeof(payload), .data = payload };
	wbuf_init(&w, 0);
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	len = w.len;
	f = dup_exact(w.data, len);
	wbuf_free(&w);

	/* An unsigned trailer (zeroes) does not verify. */
	assert_int_equal(herd_frame_verify(f, len, key, KEYLEN), -EACCES);
	assert_int_equal(herd_frame_sign(f, len, key, KEYLEN), 0);
	assert_int_equal(herd_frame_verify(f, len, key, KEYLEN), 0);

	/* Wrong keys: another byte, a prefix, a longer key. (Not a key with
	 * a NUL appended: HMAC pads short keys with zeroes, so those are the
	 * same key; doc/PROTOCOL.md says so.) */
	assert_int_equal(herd_frame_verify(f, len, other, KEYLEN), -EACCES);
	assert_int_equal(herd_frame_verify(f, len, key, KEYLEN - 1), -EACCES);
	assert_int_equal(herd_frame_verify(f, len, longer, sizeof(longer) - 1), -EACCES);
	assert_int_equal(herd_frame_verify(f, len, key, KEYLEN + 1), 0);
	/* No key at all is a caller error. */
	assert_int_equal(herd_frame_verify(f, len, key, 0), -EINVAL);
	assert_int_equal(herd_frame_sign(f, len, NULL, 0), -EINVAL);

	/* Every single flipped bit anywhere is caught (as a bad header, or
	 * as a bad MAC), never accepted. */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			f[i] ^= (uint8_t)(1u << bit);
			assert_true(herd_frame_verify(f, len, key, KEYLEN) < 0);
			if (i >= HERD_HDR_LEN || i == HERD_OFF_SEQ || i == HERD_OFF_SRC + 3)
				assert_int_equal(herd_frame_verify(f, len, key, KEYLEN), -EACCES);
			f[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_int_equal(herd_frame_verify(f, len, key, KEYLEN), 0);

	/* Not exactly one frame. */
	assert_int_equal(herd_frame_verify(f, len - 1, key, KEYLEN), -EBADMSG);
	assert_int_equal(herd_frame_verify(f, 10, key, KEYLEN), -EBADMSG);
	assert_int_equal(herd_frame_sign(f, len - 1, key, KEYLEN), -EINVAL);
	free(f);

	/* A frame without the flag cannot be signed and does not verify. */
	h.flags = 0;
	wbuf_init(&w, 0);
	assert_int_equal(herd_frame_push(&w, &h, &m), 0);
	assert_int_equal(herd_frame_sign(w.data, w.len, key, KEYLEN), -EINVAL);
	assert_int_equal(herd_frame_verify(w.data, w.len, key, KEYLEN), -EACCES);
	/* Nor does one where the flag was set afterwards (length is short). */
	buf_store_be16(w.data + HERD_OFF_FLAGS, HERD_HDR_F_MAC);
	assert_int_equal(herd_frame_verify(w.data, w.len, key, KEYLEN), -EACCES);
	wbuf_free(&w);
}

/* A stream of random frames, and the copies to compare against. */
struct stream {
	uint8_t *bytes;
	size_t len;
	size_t nframes;
	size_t off[64], flen[64];
};

static void gen_stream(uint64_t *s, struct stream *st, uint8_t *data)
{
	struct wbuf w;

	wbuf_init(&w, 0);
	st->nframes = 1 + rnd(s) % 30;
	for (size_t i = 0; i < st->nframes; i++) {
		struct herd_msg m;
		struct herd_hdr h;

		gen_msg(s, (uint8_t)(1 + rnd(s) % HERD_MSG_TYPE_MAX), &m, data);
		gen_hdr(s, &h);
		st->off[i] = w.len;
		assert_int_equal(herd_frame_push(&w, &h, &m), 0);
		st->flen[i] = w.len - st->off[i];
		if (h.flags & HERD_HDR_F_MAC)
			assert_int_equal(herd_frame_sign(w.data + st->off[i], st->flen[i],
							 key, KEYLEN), 0);
	}
	st->bytes = wbuf_steal(&w, &st->len);
	assert_non_null(st->bytes);
}

/* Drain the reader, checking each frame against the stream; returns the
 * number of frames taken. */
static size_t drain(struct herd_reader *rd, const struct stream *st, size_t got)
{
	struct herd_hdr h;
	struct herd_msg m;
	const uint8_t *f;
	int r;

	while ((r = herd_reader_next(rd, &h, &f)) == 1) {
		assert_true(got < st->nframes);
		assert_int_equal(h.length, st->flen[got]);
		assert_memory_equal(f, st->bytes + st->off[got], h.length);
		assert_int_equal(herd_frame_pull(f, h.length, &h, &m), (int)h.length);
		if (h.flags & HERD_HDR_F_MAC)
			assert_int_equal(herd_frame_verify(f, h.length, key, KEYLEN), 0);
		got++;
	}
	assert_int_equal(r, 0);
	return got;
}

static void test_reader_stream(void **state)
{
	uint8_t *data = malloc(DATA_MAX);

	assert_non_null(data);
	for (uint64_t seed = 1; seed <= 100; seed++) {
		uint64_t s = seed;
		struct herd_reader rd;
		struct stream st;
		size_t got, off;

		gen_stream(&s, &st, data);

		/* One byte at a time. */
		herd_reader_init(&rd);
		for (off = 0, got = 0; off < st.len; off++) {
			assert_int_equal(herd_reader_feed(&rd, st.bytes + off, 1), 0);
			got = drain(&rd, &st, got);
		}
		assert_int_equal(got, st.nframes);
		herd_reader_free(&rd);

		/* Random chunks. */
		herd_reader_init(&rd);
		for (off = 0, got = 0; off < st.len;) {
			size_t n = rnd(&s) % 700;

			n = MIN(n, st.len - off);

			assert_int_equal(herd_reader_feed(&rd, st.bytes + off, n), 0);
			off += n;
			got = drain(&rd, &st, got);
		}
		assert_int_equal(got, st.nframes);
		herd_reader_free(&rd);

		/* All at once: many frames in one feed. */
		herd_reader_init(&rd);
		assert_int_equal(herd_reader_feed(&rd, st.bytes, st.len), 0);
		assert_int_equal(drain(&rd, &st, 0), st.nframes);
		herd_reader_free(&rd);
		free(st.bytes);
	}
	free(data);
}

static void test_reader_errors(void **state)
{
	struct herd_msg m = { .type = HERD_MSG_KEEPALIVE };
	struct herd_hdr h = { 0 };
	struct herd_reader rd;
	const uint8_t *f;
	struct wbuf w;
	uint8_t *big;

	wbuf_init(&w, 0);
	herd_frame_push(&w, &h, &m);

	/* A good frame, then garbage: the frame, then a sticky -EBADMSG. */
	herd_reader_init(&rd);
	assert_int_equal(herd_reader_next(&rd, &h, &f), 0);
	assert_null(f);
	assert_int_equal(herd_reader_feed(&rd, w.data, w.len), 0);
	assert_int_equal(herd_reader_feed(&rd, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 37), 0);
	assert_int_equal(herd_reader_next(&rd, &h, &f), 1);
	assert_int_equal(herd_reader_next(&rd, &h, &f), -EBADMSG);
	assert_null(f);
	assert_int_equal(herd_reader_next(&rd, &h, &f), -EBADMSG);
	assert_int_equal(herd_reader_feed(&rd, w.data, w.len), -EBADMSG);
	herd_reader_free(&rd);

	/* Another version. */
	herd_reader_init(&rd);
	w.data[HERD_OFF_VERSION] = HERD_VERSION + 1;
	assert_int_equal(herd_reader_feed(&rd, w.data, w.len), 0);
	assert_int_equal(herd_reader_next(&rd, &h, &f), -EPROTONOSUPPORT);
	herd_reader_free(&rd);

	/* An oversize frame is refused from its header alone. */
	herd_reader_init(&rd);
	w.data[HERD_OFF_VERSION] = HERD_VERSION;
	buf_store_be32(w.data + HERD_OFF_LENGTH, HERD_FRAME_MAX + 1);
	assert_int_equal(herd_reader_feed(&rd, w.data, HERD_HDR_LEN), 0);
	assert_int_equal(herd_reader_next(&rd, &h, &f), -EMSGSIZE);
	herd_reader_free(&rd);
	wbuf_free(&w);

	/* A feed past the buffering limit. */
	big = calloc(1, (size_t)HERD_FRAME_MAX + 1);
	assert_non_null(big);
	herd_reader_init(&rd);
	assert_int_equal(herd_reader_feed(&rd, big, HERD_FRAME_MAX), 0);
	assert_int_equal(herd_reader_feed(&rd, big, HERD_FRAME_MAX + 1), -EMSGSIZE);
	assert_int_equal(herd_reader_feed(&rd, big, 1), -EMSGSIZE);
	herd_reader_free(&rd);
	free(big);
}

/* Frames handed out stay valid across next calls, until the next feed;
 * a big buffer is released once drained. */
static void test_reader_memory(void **state)
{
	static uint8_t data[200000];
	struct herd_msg m = { .type = HERD_MSG_REPLY };
	struct herd_hdr h = { 0 };
	struct herd_reader rd;
	const uint8_t *f1, *f2;
	struct wbuf w;

	m.reply.data = data;
	m.reply.datalen = sizeof(data);
	wbuf_init(&w, 0);
	herd_frame_push(&w, &h, &m);
	herd_frame_push(&w, &h, &m);
	herd_reader_init(&rd);
	assert_int_equal(herd_reader_feed(&rd, w.data, w.len), 0);
	assert_int_equal(herd_reader_next(&rd, &h, &f1), 1);
	assert_int_equal(herd_reader_next(&rd, &h, &f2), 1);
	assert_memory_equal(f1, w.data, h.length);
	assert_memory_equal(f2, w.data + h.length, h.length);
	assert_true(rd.cap >= w.len);
	assert_int_equal(herd_reader_feed(&rd, w.data, 10), 0);
	assert_true(rd.cap <= 256);
	assert_int_equal(herd_reader_next(&rd, &h, &f1), 0);
	herd_reader_free(&rd);
	wbuf_free(&w);
}

/* Send one frame of the given type from one side's seq state; returns its
 * header. */
static int seq_send(struct herd_seq *s, uint8_t type, uint64_t nonce, struct herd_hdr *h,
		    struct herd_msg *m)
{
	memset(h, 0, sizeof(*h));
	memset(m, 0, sizeof(*m));
	m->type = type;
	h->type = type;
	if (type == HERD_MSG_HELLO)
		m->hello.nonce = nonce;
	return herd_seq_tx(s, type, &h->seq);
}

static void test_seq(void **state)
{
	uint64_t na = UINT64_C(0x1111), nb = UINT64_MAX - 2; /* b's count wraps */
	struct herd_seq a, b, b2;
	struct herd_hdr h, rec[10];
	struct herd_msg m, recm[10];
	uint64_t seq;

	herd_seq_init(&a, na);
	herd_seq_init(&b, nb);

	/* Nothing before our own HELLO; nothing else before the peer's. */
	assert_int_equal(herd_seq_tx(&a, HERD_MSG_KEEPALIVE, &seq), -EINVAL);
	assert_int_equal(seq_send(&a, HERD_MSG_HELLO, na, &h, &m), 0);
	assert_true(h.seq == 0);
	assert_int_equal(herd_seq_tx(&a, HERD_MSG_HELLO, &seq), -EINVAL);
	assert_int_equal(herd_seq_tx(&a, HERD_MSG_KEEPALIVE, &seq), -EAGAIN);
	assert_int_equal(herd_seq_rx(&b, &h, &m), 0);
	assert_int_equal(seq_send(&b, HERD_MSG_HELLO, nb, &h, &m), 0);
	assert_int_equal(herd_seq_rx(&a, &h, &m), 0);

	/* Each side counts from the other's nonce; b's count wraps. */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(seq_send(&a, HERD_MSG_KEEPALIVE, 0, &rec[i], &recm[i]), 0);
		assert_true(rec[i].seq == nb + 1 + (uint64_t)i);
		assert_int_equal(herd_seq_rx(&b, &rec[i], &recm[i]), 0);
		assert_int_equal(seq_send(&b, HERD_MSG_KEEPALIVE, 0, &h, &m), 0);
		assert_true(h.seq == na + 1 + (uint64_t)i);
		assert_int_equal(herd_seq_rx(&a, &h, &m), 0);
	}
	assert_true(rec[9].seq == 7); /* wrapped past 2^64 */

	/* Repeat, skip, reorder, a HELLO again: refused. */
	assert_int_equal(herd_seq_rx(&b, &rec[9], &recm[9]), -EPROTO);
	assert_int_equal(seq_send(&a, HERD_MSG_KEEPALIVE, 0, &h, &m), 0);
	assert_int_equal(seq_send(&a, HERD_MSG_KEEPALIVE, 0, &h, &m), 0);
	assert_int_equal(herd_seq_rx(&b, &h, &m), -EPROTO);
	h.seq = 0;
	h.type = m.type = HERD_MSG_HELLO;
	assert_int_equal(herd_seq_rx(&b, &h, &m), -EPROTO);

	/* The first frame must be a HELLO at seq 0. */
	herd_seq_init(&b2, 99);
	assert_int_equal(herd_seq_rx(&b2, &rec[0], &recm[0]), -EPROTO);
	h.seq = 1;
	assert_int_equal(herd_seq_rx(&b2, &h, &m), -EPROTO);

	/* A recorded connection replayed into a new one (b2 has a fresh
	 * nonce): the HELLO passes, the frames that follow do not. */
	herd_seq_init(&b2, nb + 12345);
	memset(&h, 0, sizeof(h));
	memset(&m, 0, sizeof(m));
	h.type = m.type = HERD_MSG_HELLO;
	m.hello.nonce = na;
	assert_int_equal(herd_seq_rx(&b2, &h, &m), 0);
	assert_int_equal(herd_seq_rx(&b2, &rec[0], &recm[0]), -EPROTO);
}

static void test_type_names(void **state)
{
	assert_string_equal(herd_type_name(HERD_MSG_HELLO), "hello");
	assert_string_equal(herd_type_name(HERD_MSG_KEEPALIVE), "keepalive");
	assert_string_equal(herd_type_name(HERD_MSG_CONTROL), "control");
	assert_string_equal(herd_type_name(HERD_MSG_REPLY), "reply");
	assert_null(herd_type_name(0));
	assert_null(herd_type_name(HERD_MSG_TYPE_MAX + 1));
	assert_null(herd_type_name(255));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_kat),
		cmocka_unit_test(test_frame_kat_keepalive),
		cmocka_unit_test(test_frame_kat_hello),
		cmocka_unit_test(test_hdr_roundtrip_random),
		cmocka_unit_test(test_msg_roundtrip_random),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_hdr_errors),
		cmocka_unit_test(test_push_errors),
		cmocka_unit_test(test_frame_max),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_reader_stream),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_memory),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
