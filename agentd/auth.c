/*
 * auth.c — signs and checks the HMAC-SHA256 trailer of cluster frames.
 *
 * The MAC covers header and payload, so the sequence number, generation and
 * addresses are authenticated along with the message; the per-connection
 * nonce rules in doc/PROTOCOL.md turn that into replay protection. The
 * comparison is constant-time (CRYPTO_memcmp) so that a peer cannot learn
 * a valid trailer byte by byte from timing. No state, no logging.
 */
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "agentd/auth.h"

static_assert(HERD_MAC_LEN == 32, "the trailer is one SHA-256 digest");

/* The HMAC of frame[0..len - HERD_MAC_LEN) into mac. */
static int frame_mac(const uint8_t *frame, size_t len, const uint8_t *key, size_t keylen,
		     uint8_t mac[HERD_MAC_LEN])
{
	unsigned int maclen = 0;

	if (!key || keylen == 0 || keylen > INT_MAX)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)keylen, frame, len - HERD_MAC_LEN, mac, &maclen) ||
	    maclen != HERD_MAC_LEN)
		return -EIO;
	return 0;
}

/* Whether frame[0..len) is exactly one frame; its header into h. */
static int frame_whole(const uint8_t *frame, size_t len, struct herd_hdr *h)
{
	int n = herd_frame_check(frame, len, h);

	if (n == -EAGAIN || (n >= 0 && (size_t)n != len))
		return -EBADMSG;
	return n < 0 ? n : 0;
}

int herd_frame_sign(uint8_t *frame, size_t len, const uint8_t *key, size_t keylen)
{
	struct herd_hdr h;

	if (frame_whole(frame, len, &h) < 0 || !(h.flags & HERD_HDR_F_MAC))
		return -EINVAL;
	return frame_mac(frame, len, key, keylen, frame + len - HERD_MAC_LEN);
}

int herd_frame_verify(const uint8_t *frame, size_t len, const uint8_t *key, size_t keylen)
{
	uint8_t mac[HERD_MAC_LEN];
	struct herd_hdr h;
	int r;

	r = frame_whole(frame, len, &h);
	if (r < 0)
		return r;
	if (!(h.flags & HERD_HDR_F_MAC))
		return -EACCES;
	r = frame_mac(frame, len, key, keylen, mac);
	if (r < 0)
		return r;
	if (CRYPTO_memcmp(mac, frame + len - HERD_MAC_LEN, HERD_MAC_LEN) != 0)
		return -EACCES;
	return 0;
}
