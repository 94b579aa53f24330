/*
 * auth.h — HMAC-SHA256 authentication of cluster frames (OpenSSL libcrypto).
 *
 * A frame whose header has HERD_HDR_F_MAC ends in a 32-byte trailer: the
 * HMAC-SHA256, under the cluster key, of every byte before it (header and
 * payload; the header's length already counts the trailer). Build the frame
 * with herd_frame_push (which leaves the trailer zeroed), then sign it;
 * verify a received frame before herd_frame_pull trusts its payload.
 * doc/PROTOCOL.md has the rules. Kept apart from proto.c so that programs
 * that never see node frames (herdctl) need not link libcrypto.
 */
#ifndef HERD_AUTH_H
#define HERD_AUTH_H

#include "agentd/proto.h"

/*
 * Fill the trailer of the frame frame[0..len). Returns 0, or -EINVAL when
 * frame is not one whole frame with HERD_HDR_F_MAC set, or the key is
 * empty; -EIO if libcrypto fails.
 */
int herd_frame_sign(uint8_t *frame, size_t len, const uint8_t *key, size_t keylen);

/*
 * Check the trailer of frame[0..len) in constant time. Returns 0 when the
 * frame is authentic; -EACCES when it has no trailer or the trailer does
 * not match; -EBADMSG when frame[0..len) is not exactly one frame (or
 * another herd_hdr_pull error); -EINVAL on an empty key; -EIO if libcrypto
 * fails.
 */
int herd_frame_verify(const uint8_t *frame, size_t len, const uint8_t *key, size_t keylen);

#endif
