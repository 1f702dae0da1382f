/* libnsring: synchronous unary ttrpc calls to nsringd over a unix stream socket. One request
 * in flight per client; responses for other stream ids (late answers to timed-out calls) are
 * skipped, so a timeout between frames leaves the connection usable. */
#include "nsring/nsring.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/status.h"
#include "rpc/ttrpc-wire.h"
#include "ttrpc/ttrpc.pb-c.h"

struct NsrClient {
	int fd;
	uint64_t next_stream_id; /* 64 bits, so running out of 32-bit ids is visible */
	uint64_t timeout_ns;
	/* Set by a transport failure that may have left a partial frame on the stream: no
	 * later call can find a frame boundary again. */
	bool broken;
	/* Buffered input, so small frames cost one recv() rather than two. */
	size_t in_start, in_end;
	uint8_t in[16384];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits until fd is ready for events or the deadline (0: none) passes. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int timeout_ms = -1;
		int r;

		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				return -ETIMEDOUT;
			/* Round up so we never spin on a sub-millisecond remainder. */
			timeout_ms =
				(int)MIN((deadline - now + 999999) / 1000000, (uint64_t)INT32_MAX);
		}
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (r == 0)
			return -ETIMEDOUT;
		/* POLLERR/POLLHUP: let the following send()/recv() report what happened. */
		return 0;
	}
}

static int write_all(NsrClient *c, const uint8_t *p, size_t len, uint64_t deadline)
{
	while (len > 0) {
		/* MSG_DONTWAIT so the deadline holds even for a large request, MSG_NOSIGNAL so a
		 * dead daemon gives -EPIPE instead of killing the caller. */
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			int r;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return negative_errno();
			r = wait_fd(c->fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads at most len bytes (at least one) into dst. */
static ssize_t recv_some(NsrClient *c, void *dst, size_t len, uint64_t deadline)
{
	for (;;) {
		ssize_t n = recv(c->fd, dst, len, MSG_DONTWAIT);
		int r;

		if (n > 0)
			return n;
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return negative_errno();
		r = wait_fd(c->fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

static int fill(NsrClient *c, uint64_t deadline)
{
	ssize_t n;

	if (c->in_start == c->in_end)
		c->in_start = c->in_end = 0;
	n = recv_some(c, c->in + c->in_end, sizeof(c->in) - c->in_end, deadline);
	if (n < 0)
		return (int)n;
	c->in_end += (size_t)n;
	return 0;
}

static int read_exact(NsrClient *c, uint8_t *dst, size_t len, uint64_t deadline)
{
	while (len > 0) {
		size_t avail = c->in_end - c->in_start;
		int r;

		if (avail > 0) {
			size_t k = MIN(avail, len);

			memcpy(dst, c->in + c->in_start, k);
			c->in_start += k;
			dst += k;
			len -= k;
			continue;
		}
		if (len >= sizeof(c->in)) {
			/* A big payload goes straight to its destination. */
			ssize_t n = recv_some(c, dst, len, deadline);

			if (n < 0)
				return (int)n;
			dst += n;
			len -= (size_t)n;
			continue;
		}
		r = fill(c, deadline); /* the buffer is empty here, so fill() rewinds it */
		if (r < 0)
			return r;
	}
	return 0;
}

/* Reads one frame; *ret_payload is malloc'ed (never NULL on success, even when empty). */
static int read_frame(NsrClient *c, TtrpcHeader *ret_h, uint8_t **ret_payload, uint64_t deadline)
{
	uint8_t hdr[TTRPC_HEADER_SIZE];
	_cleanup_free_ uint8_t *payload = NULL;
	TtrpcHeader h;
	int r;

	/* Waiting for the first byte of a frame is the only place a timeout is clean: nothing
	 * of the frame has been consumed yet. */
	if (c->in_start == c->in_end) {
		r = fill(c, deadline);
		if (r < 0) {
			if (r != -ETIMEDOUT)
				c->broken = true;
			return r;
		}
	}
	r = read_exact(c, hdr, sizeof(hdr), deadline);
	if (r < 0)
		goto broken;
	ttrpc_header_decode(hdr, &h);
	if (h.length > TTRPC_MESSAGE_MAX) {
		/* We cannot skip it without reading 4 GiB of junk: give up on the stream. */
		r = -EMSGSIZE;
		goto broken;
	}
	payload = malloc(h.length ? h.length : 1);
	if (!payload) {
		r = -ENOMEM;
		goto broken;
	}
	r = read_exact(c, payload, h.length, deadline);
	if (r < 0)
		goto broken;
	*ret_h = h;
	*ret_payload = TAKE_PTR(payload);
	return 0;
broken:
	c->broken = true;
	return r;
}

int nsr_connect_fd(int fd, NsrClient **ret)
{
	NsrClient *c;

	if (fd < 0 || !ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		safe_close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->next_stream_id = 1; /* client-initiated streams are odd, as in containerd/ttrpc */
	*ret = c;
	return 0;
}

int nsr_connect(const char *socket_path, NsrClient **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	const char *path = socket_path ? socket_path : NSR_DEFAULT_SOCKET;
	socklen_t salen;
	size_t len;

	if (!ret)
		return -EINVAL;
	/* Accept the gRPC-style address too, so one string works for both transports. */
	if (strncmp(path, "unix://", 7) == 0)
		path += 7;
	else if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	len = strlen(path);
	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL */
	else
		salen++; /* include the NUL, as the kernel expects for a path */

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	while (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		/* A connect interrupted by a signal completes asynchronously: wait for it. */
		if (errno == EINTR || errno == EINPROGRESS) {
			int err = 0, r = wait_fd(fd, POLLOUT, 0);
			socklen_t errlen = sizeof(err);

			if (r < 0)
				return r;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
				return negative_errno();
			if (err != 0)
				return -err;
			break;
		}
		return negative_errno();
	}
	return nsr_connect_fd(TAKE_FD(fd), ret);
}

void nsr_close(NsrClient *c)
{
	if (!c)
		return;
	safe_close(c->fd);
	free(c);
}

void nsr_set_timeout(NsrClient *c, uint64_t timeout_ns)
{
	if (c)
		c->timeout_ns = timeout_ns;
}

const char *nsr_status_code_name(int code)
{
	return status_code_name(code);
}

static void response_freep(Ttrpc__Response **p)
{
	if (*p)
		ttrpc__response__free_unpacked(*p, NULL);
}

int nsr_call(NsrClient *c, const char *method, const ProtobufCMessage *req,
	     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp,
	     NsrStatus *ret_status)
{
	Ttrpc__Request treq = TTRPC__REQUEST__INIT;
	_cleanup_free_ uint8_t *payload = NULL, *frame = NULL;
	_cleanup_(response_freep) Ttrpc__Response *tresp = NULL;
	ProtobufCMessage *resp = NULL;
	uint64_t deadline = 0;
	size_t payload_len = 0, len;
	uint32_t stream_id;
	int r;

	if (!c || !method || !*method)
		return -EINVAL;
	if (c->broken)
		return -ENOTCONN;
	if (c->next_stream_id > UINT32_MAX)
		return -EOVERFLOW; /* after 2^31 calls: reconnect */
	if (c->timeout_ns) {
		deadline = now_ns() + c->timeout_ns;
		treq.timeout_nano = (int64_t)MIN(c->timeout_ns, (uint64_t)INT64_MAX);
	}

	if (req) {
		payload_len = protobuf_c_message_get_packed_size(req);
		if (payload_len > TTRPC_MESSAGE_MAX)
			return -EMSGSIZE;
		payload = malloc(payload_len ? payload_len : 1);
		if (!payload)
			return -ENOMEM;
		protobuf_c_message_pack(req, payload);
	}
	treq.service = (char *)TTRPC_SERVICE;
	treq.method = (char *)method;
	treq.payload.data = payload;
	treq.payload.len = payload_len;

	len = ttrpc__request__get_packed_size(&treq);
	if (len > TTRPC_MESSAGE_MAX)
		return -EMSGSIZE;
	frame = malloc(TTRPC_HEADER_SIZE + len);
	if (!frame)
		return -ENOMEM;
	stream_id = (uint32_t)c->next_stream_id;
	c->next_stream_id += 2;
	ttrpc_header_encode(frame, &(TtrpcHeader){ .length = (uint32_t)len,
						   .stream_id = stream_id,
						   .type = TTRPC_TYPE_REQUEST });
	ttrpc__request__pack(&treq, frame + TTRPC_HEADER_SIZE);

	r = write_all(c, frame, TTRPC_HEADER_SIZE + len, deadline);
	if (r < 0) {
		/* Part of the frame may be out: the daemon would misread whatever follows. */
		c->broken = true;
		return r;
	}

	for (;;) {
		_cleanup_free_ uint8_t *data = NULL;
		TtrpcHeader h;

		r = read_frame(c, &h, &data, deadline);
		if (r < 0)
			return r;
		/* Skip late answers to earlier calls that timed out, and anything not a response
		 * (containerd/ttrpc only sends data frames on streaming calls). */
		if (h.stream_id != stream_id || h.type != TTRPC_TYPE_RESPONSE)
			continue;
		tresp = ttrpc__response__unpack(NULL, h.length, data);
		if (!tresp)
			return -EBADMSG;
		break;
	}

	if (tresp->status && tresp->status->code != 0) {
		if (ret_status) {
			const char *msg = tresp->status->message ? tresp->status->message : "";

			ret_status->code = tresp->status->code;
			snprintf(ret_status->message, sizeof(ret_status->message), "%s", msg);
		}
		return -NSR_ESTATUS;
	}
	if (resp_desc && ret_resp) {
		resp = protobuf_c_message_unpack(resp_desc, NULL, tresp->payload.len,
						 tresp->payload.data);
		if (!resp)
			return -EBADMSG;
		*ret_resp = resp;
	}
	if (ret_status) {
		ret_status->code = 0;
		ret_status->message[0] = '\0';
	}
	return 0;
}

#define NSR_DEFINE_METHOD(lower, Camel)                                                            \
	int nsr_##lower(NsrClient *c, const Nsring__V1__##Camel##Request *req,                     \
			Nsring__V1__##Camel##Response **ret_resp, NsrStatus *ret_status)           \
	{                                                                                          \
		return nsr_call(c, #Camel, req ? &req->base : NULL,                                \
				&nsring__v1__##lower##_response__descriptor,                       \
				(ProtobufCMessage **)ret_resp, ret_status);                        \
	}
NSR_METHODS(NSR_DEFINE_METHOD)
