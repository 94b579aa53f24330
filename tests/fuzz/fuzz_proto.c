/*
 * fuzz_proto.c — libFuzzer target for the cluster wire protocol's pull
 * paths (agentd/proto.c, agentd/auth.c).
 *
 * The input is tried three ways: as one frame (herd_frame_pull, then the
 * HMAC check), as the bare payload of every message type (herd_msg_pull),
 * and as a byte stream cut into random chunks for the streaming reader.
 * Beyond "no crash, no sanitizer report" it checks a property: whatever
 * pulls successfully pushes back to the very same bytes, so push and pull
 * cannot disagree about a layout. Build with `make fuzz`; tests/fuzz/README.
 */
#include <stdio.h>

#include "agentd/auth.h"
#include "agentd/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[] = "fuzz-key";

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #x);                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

/* A frame that pulled must push back to the same bytes (bar the trailer,
 * which push leaves zeroed). */
static void check_frame(const uint8_t *f, size_t n)
{
	struct herd_hdr h;
	struct herd_msg m;
	struct wbuf w;
	size_t mac;
	int r;

	r = herd_frame_pull(f, n, &h, &m);
	if (r < 0)
		return;
	CHECK((size_t)r == h.length && h.length <= n);
	mac = (h.flags & HERD_HDR_F_MAC) ? HERD_MAC_LEN : 0;
	wbuf_init(&w, HERD_FRAME_MAX);
	CHECK(herd_frame_push(&w, &h, &m) == 0);
	CHECK(w.len == h.length);
	CHECK(memcmp(w.data, f, h.length - mac) == 0);
	wbuf_free(&w);
	r = herd_frame_verify(f, h.length, key, sizeof(key) - 1);
	CHECK(r == 0 || r == -EACCES);
	CHECK(mac || r == -EACCES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct herd_reader rd;
	struct herd_hdr h;
	const uint8_t *f;
	size_t off, chunk;

	check_frame(data, size);

	for (unsigned type = 0; type <= HERD_MSG_TYPE_MAX + 1; type++) {
		struct herd_msg m;
		struct rbuf r;
		struct wbuf w;

		rbuf_init(&r, data, size);
		if (herd_msg_pull(&r, (uint8_t)type, &m) < 0)
			continue;
		CHECK(herd_msg_len(&m) == size);
		wbuf_init(&w, 0);
		CHECK(herd_msg_push(&w, &m) == 0);
		CHECK(w.len == size && memcmp(w.data, data, size) == 0);
		wbuf_free(&w);
	}

	/* The stream: chunk sizes come from the first byte. */
	if (size == 0)
		return 0;
	chunk = 1 + data[0] % 64;
	herd_reader_init(&rd);
	for (off = 1; off < size; off += chunk) {
		size_t n = MIN(chunk, size - off);
		int r;

		if (herd_reader_feed(&rd, data + off, n) < 0)
			break;
		while ((r = herd_reader_next(&rd, &h, &f)) == 1)
			check_frame(f, h.length);
		if (r < 0)
			break;
	}
	herd_reader_free(&rd);
	return 0;
}
