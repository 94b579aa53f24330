/*
 * ctlproto.h — the control-socket protocol (herdd <-> herdctl, herd-agentx).
 *
 * No I/O here: framing, header marshalling and a streaming frame reader.
 * A frame is a fixed 20-byte big-endian header followed by `length` bytes of
 * JSON text (UTF-8, no NUL terminator):
 *
 *   off  size  field
 *     0     4  magic    0x4843544c ("HCTL")
 *     4     1  version  HCTL_VERSION
 *     5     1  type     enum hctl_type
 *     6     2  flags    0 for now; receivers ignore unknown bits
 *     8     4  id       request id, echoed in the reply; 0 for events
 *    12     4  status   replies: 0 or a negative errno (two's complement)
 *    16     4  length   payload length, <= HCTL_PAYLOAD_MAX
 *
 * Request payload: {"verb": "status", "args": {...}}.
 * Reply payload:   status == 0: the verb's result object;
 *                  status <  0: {"error": "human readable reason"}.
 * Event payload:   one event object (after a "subscribe" request).
 * doc/PROTOCOL.md is the full description. Part of the base layer.
 */
#ifndef HERD_CTLPROTO_H
#define HERD_CTLPROTO_H

#include "agentd/util.h"

#define HCTL_MAGIC       UINT32_C(0x4843544c)
#define HCTL_VERSION     1
#define HCTL_HDR_LEN     20
#define HCTL_PAYLOAD_MAX (8u << 20)

enum hctl_type {
	HCTL_REQUEST = 1,
	HCTL_REPLY = 2,
	HCTL_EVENT = 3,
};

struct hctl_hdr {
	uint32_t magic;
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t id;
	int32_t status;
	uint32_t length;
};

/* Write the header (magic and version are filled in) into out. */
void hctl_hdr_push(uint8_t out[HCTL_HDR_LEN], uint8_t type, uint32_t id,
		   int32_t status, uint32_t length);

/*
 * Parse a header from the first len bytes of in.
 * Returns 0, -EAGAIN when len < HCTL_HDR_LEN, -EBADMSG on a bad magic or
 * type, -EPROTONOSUPPORT on another version, -EMSGSIZE when length is over
 * HCTL_PAYLOAD_MAX.
 */
int hctl_hdr_pull(const uint8_t *in, size_t len, struct hctl_hdr *h);

/*
 * Build a whole frame (header + payload) in a malloc'd buffer.
 * Returns the frame length, or -EMSGSIZE / -ENOMEM.
 */
ssize_t hctl_frame_new(uint8_t type, uint32_t id, int32_t status,
		       const char *payload, size_t len, uint8_t **out);

/*
 * Streaming reader: feed it what read() returned, take whole frames out.
 * A reader that returned an error stays failed (the connection must close).
 */
struct hctl_reader {
	uint8_t *buf;
	size_t len, cap;
	size_t consumed; /* bytes of buf already handed out */
	int err;
};

void hctl_reader_init(struct hctl_reader *r);
void hctl_reader_free(struct hctl_reader *r);
int hctl_reader_feed(struct hctl_reader *r, const void *data, size_t n);
/*
 * Returns 1 and a frame (payload points into the reader, valid until the
 * next feed/next call; it is followed by a NUL byte for convenience), 0 when
 * no whole frame is buffered yet, or a negative errno from hctl_hdr_pull.
 */
int hctl_reader_next(struct hctl_reader *r, struct hctl_hdr *h, const char **payload);

#endif
