/* ttrpc framing as containerd/ttrpc speaks it: a 10-byte header (length u32 BE, stream id
 * u32 BE, type u8, flags u8) followed by a protobuf ttrpc.Request or ttrpc.Response. A
 * header-only module: the daemon's rpc, libnsring and nsring-bench all include it. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TTRPC_HEADER_SIZE 10
#define TTRPC_MESSAGE_MAX (4u << 20) /* containerd/ttrpc's messageLengthMax */
#define TTRPC_SERVICE "nsring.v1.NsRing"

enum {
	TTRPC_TYPE_REQUEST = 1,
	TTRPC_TYPE_RESPONSE = 2,
	TTRPC_TYPE_DATA = 3,
};

/* Flags (containerd/ttrpc 1.2 streaming). On a request: the client sends no data after it
 * (remote closed: a server stream) or does (remote open: a client stream). On a data message:
 * the last one of its sender (remote closed), carrying no message (no data). A unary request
 * has no flags. */
enum {
	TTRPC_FLAG_REMOTE_CLOSED = 0x1,
	TTRPC_FLAG_REMOTE_OPEN = 0x2,
	TTRPC_FLAG_NO_DATA = 0x4,
};

typedef struct TtrpcHeader {
	uint32_t length; /* payload bytes after the header */
	uint32_t stream_id;
	uint8_t type;
	uint8_t flags;
} TtrpcHeader;

static inline void ttrpc_header_encode(uint8_t out[TTRPC_HEADER_SIZE], const TtrpcHeader *h)
{
	out[0] = (uint8_t)(h->length >> 24);
	out[1] = (uint8_t)(h->length >> 16);
	out[2] = (uint8_t)(h->length >> 8);
	out[3] = (uint8_t)h->length;
	out[4] = (uint8_t)(h->stream_id >> 24);
	out[5] = (uint8_t)(h->stream_id >> 16);
	out[6] = (uint8_t)(h->stream_id >> 8);
	out[7] = (uint8_t)h->stream_id;
	out[8] = h->type;
	out[9] = h->flags;
}

static inline void ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_SIZE], TtrpcHeader *h)
{
	h->length = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	h->stream_id = (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7];
	h->type = in[8];
	h->flags = in[9];
}

/* A reader's buffer holds an incomplete frame at *off that needs need bytes in all: when the
 * buffer is too small for it, moves the unread bytes to the front (*off becomes 0) and grows it
 * to need. -ENOMEM when it cannot grow. */
static inline int ttrpc_rbuf_fit(uint8_t **buf, size_t *len, size_t *cap, size_t *off, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	memmove(*buf, *buf + *off, *len - *off);
	*len -= *off;
	*off = 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = need;
	return 0;
}
