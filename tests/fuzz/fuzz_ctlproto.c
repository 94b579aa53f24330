/*
 * fuzz_ctlproto.c — libFuzzer target for the control-socket framing
 * (agentd/ctlproto.c): the header parser and the streaming reader.
 *
 * The first input byte picks the chunk size; the rest is fed to a reader
 * as a byte stream. Every frame the reader hands out must match the input
 * at the place it came from, its payload must be NUL-terminated, and
 * re-building it with hctl_frame_new must give back the same bytes (the
 * flags aside, which senders always write as 0). Build with `make fuzz`.
 */
#include <stdio.h>

#include "agentd/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #x);                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hctl_reader r;
	struct hctl_hdr h;
	const uint8_t *s;
	const char *p;
	size_t off, chunk, n, at = 0;
	int e;

	hctl_hdr_pull(data, size, &h);
	if (size == 0)
		return 0;
	chunk = 1 + data[0] % 64;
	s = data + 1;
	n = size - 1;
	hctl_reader_init(&r);
	for (off = 0; off < n; off += chunk) {
		if (hctl_reader_feed(&r, s + off, MIN(chunk, n - off)) < 0)
			break;
		while ((e = hctl_reader_next(&r, &h, &p)) == 1) {
			uint8_t *f;
			ssize_t fl;

			CHECK(at + HCTL_HDR_LEN + h.length <= n);
			CHECK(memcmp(p, s + at + HCTL_HDR_LEN, h.length) == 0);
			CHECK(p[h.length] == '\0');
			fl = hctl_frame_new(h.type, h.id, h.status, p, h.length, &f);
			CHECK(fl == (ssize_t)(HCTL_HDR_LEN + h.length));
			CHECK(memcmp(f, s + at, 6) == 0);
			CHECK(memcmp(f + 8, s + at + 8, (size_t)fl - 8) == 0);
			free(f);
			at += HCTL_HDR_LEN + h.length;
		}
		if (e < 0)
			break;
	}
	hctl_reader_free(&r);
	return 0;
}
