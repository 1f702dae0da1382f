/* libnsring: synchronous ttrpc calls to nsringd over a unix stream socket: unary calls, and
 * server streams as containerd/ttrpc 1.2 speaks them. One request in flight per client;
 * frames for other stream ids (late answers to timed-out calls) are skipped, so a timeout
 * between frames leaves the connection usable. */
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

#define NSR_MAX_PENDING_FDS 16
#include "core/status.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"
#include "wire/unix-addr.h"

struct NsrClient {
	int fd;
	uint64_t next_stream_id; /* 64 bits, so running out of 32-bit ids is visible */
	uint64_t timeout_ns;
	/* Set by a transport failure that may have left a partial frame on the stream: no
	 * later call can find a frame boundary again. */
	bool broken;
	/* The open stream: no other call until it ends or is closed. */
	NsrStream *stream;
	/* fds passed with replies (SCM_RIGHTS), oldest first. The daemon sends each with the
	 * first byte of an OK response to an fd-passing call, so they pair with those frames in
	 * order: fd_ids are the stream ids of such calls not answered yet. */
	int fds[NSR_MAX_PENDING_FDS];
	unsigned nfds;
	uint32_t fd_ids[NSR_MAX_PENDING_FDS];
	unsigned n_fd_ids;
	/* Buffered input, so small frames cost one recv() rather than two. */
	size_t in_start, in_end;
	uint8_t in[16384];
};

#define FD_CMSG_MAX 8

struct NsrStream {
	NsrClient *c;
	uint32_t id;
	bool ended;	  /* the last message or the status arrived */
	int end_r;	  /* what nsr_stream_next() returns once ended: 0 or -NSR_ESTATUS */
	NsrStatus end_st; /* ... and the status */
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

/* Keeps the fds a receive brought. More than the client can pair cannot happen with the
 * daemon (one per fd call in flight): they are closed, and the connection is broken. */
static void fds_take(NsrClient *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->nfds < NSR_MAX_PENDING_FDS) {
				c->fds[c->nfds++] = fd;
			} else {
				close(fd);
				c->broken = true;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		c->broken = true; /* fds were lost: the pairing is gone */
}

/* The oldest fd received, or -EBADMSG (an fd reply came without its fd). */
static int fds_pop(NsrClient *c)
{
	int fd;

	if (c->nfds == 0)
		return -EBADMSG;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, --c->nfds * sizeof(int));
	return fd;
}

/* A response frame arrived: if it answers an fd call and is OK, its fd is the oldest one.
 * Returns the fd (the caller owns it), -1 when the frame carries none, or -EBADMSG. */
static int fds_frame(NsrClient *c, uint32_t stream_id, const uint8_t *data, size_t len)
{
	Ttrpc__Response *tr;
	bool ok;
	unsigned i;

	for (i = 0; i < c->n_fd_ids; i++)
		if (c->fd_ids[i] == stream_id)
			break;
	if (i == c->n_fd_ids)
		return -1;
	memmove(c->fd_ids + i, c->fd_ids + i + 1, (--c->n_fd_ids - i) * sizeof(uint32_t));
	tr = ttrpc__response__unpack(NULL, len, data);
	if (!tr)
		return -EBADMSG;
	ok = !tr->status || tr->status->code == 0;
	ttrpc__response__free_unpacked(tr, NULL);
	return ok ? fds_pop(c) : -1;
}

/* Reads at most len bytes (at least one) into dst. */
static ssize_t recv_some(NsrClient *c, void *dst, size_t len, uint64_t deadline)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(FD_CMSG_MAX * sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { dst, len };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf.buf,
				     .msg_controllen = sizeof(cbuf.buf) };
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		int r;

		if (n >= 0)
			fds_take(c, &mh);

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
	struct sockaddr_un sa;
	_cleanup_close_ int fd = -1;
	const char *path = socket_path ? socket_path : NSR_DEFAULT_SOCKET;
	socklen_t salen;
	int r;

	if (!ret)
		return -EINVAL;
	fd = wire_unix_socket(path, &sa, &salen);
	if (fd < 0)
		return fd;
	while (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		/* A connect interrupted by a signal completes asynchronously: wait for it. */
		if (errno == EINTR || errno == EINPROGRESS) {
			int err = 0;
			socklen_t errlen = sizeof(err);

			r = wait_fd(fd, POLLOUT, 0);
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
	if (c->stream)
		c->stream->c = NULL; /* a stream left open outlives its client, as a dead one */
	while (c->nfds > 0)
		close(c->fds[--c->nfds]);
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

static void status_set(NsrStatus *st, const Ttrpc__Status *ts)
{
	if (!st)
		return;
	st->code = ts ? ts->code : 0;
	snprintf(st->message, sizeof(st->message), "%s", ts && ts->message ? ts->message : "");
}

/* Writes a request frame on a new stream id. timeout_nano: the deadline the daemon sees (0:
 * none); deadline: ours for the write. */
static int send_request(NsrClient *c, const char *method, const ProtobufCMessage *req,
			uint8_t flags, int64_t timeout_nano, uint64_t deadline,
			uint32_t *ret_stream_id)
{
	Ttrpc__Request treq = TTRPC__REQUEST__INIT;
	_cleanup_free_ uint8_t *payload = NULL, *frame = NULL;
	size_t payload_len = 0, len;
	uint32_t stream_id;
	int r;

	if (!c || !method || !*method)
		return -EINVAL;
	if (c->broken)
		return -ENOTCONN;
	if (c->stream)
		return -EBUSY;
	if (c->next_stream_id > UINT32_MAX)
		return -EOVERFLOW; /* after 2^31 calls: reconnect */
	treq.timeout_nano = timeout_nano;

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
						   .type = TTRPC_TYPE_REQUEST,
						   .flags = flags });
	ttrpc__request__pack(&treq, frame + TTRPC_HEADER_SIZE);

	r = write_all(c, frame, TTRPC_HEADER_SIZE + len, deadline);
	if (r < 0) {
		/* Part of the frame may be out: the daemon would misread whatever follows. */
		c->broken = true;
		return r;
	}
	*ret_stream_id = stream_id;
	return 0;
}

int nsr_call(NsrClient *c, const char *method, const ProtobufCMessage *req,
	     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp,
	     NsrStatus *ret_status)
{
	return nsr_call_fd(c, method, req, resp_desc, ret_resp, NULL, ret_status);
}

int nsr_call_fd(NsrClient *c, const char *method, const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp,
		int *ret_fd, NsrStatus *ret_status)
{
	_cleanup_close_ int fd = -1;
	_cleanup_(response_freep) Ttrpc__Response *tresp = NULL;
	ProtobufCMessage *resp = NULL;
	uint64_t deadline = 0;
	int64_t timeout_nano = 0;
	uint32_t stream_id;
	int r;

	if (c && c->timeout_ns) {
		deadline = now_ns() + c->timeout_ns;
		timeout_nano = (int64_t)MIN(c->timeout_ns, (uint64_t)INT64_MAX);
	}
	if (ret_fd && c && c->n_fd_ids == NSR_MAX_PENDING_FDS)
		return -EBUSY; /* too many fd calls timed out unanswered: reconnect */
	r = send_request(c, method, req, 0, timeout_nano, deadline, &stream_id);
	if (r < 0)
		return r;
	if (ret_fd)
		c->fd_ids[c->n_fd_ids++] = stream_id;

	for (;;) {
		_cleanup_free_ uint8_t *data = NULL;
		TtrpcHeader h;
		int f;

		r = read_frame(c, &h, &data, deadline);
		if (r < 0)
			return r;
		f = h.type == TTRPC_TYPE_RESPONSE ? fds_frame(c, h.stream_id, data, h.length) : -1;
		if (f == -EBADMSG) {
			c->broken = true;
			return -EBADMSG;
		}
		/* Skip late answers to earlier calls that timed out (closing an fd one carried),
		 * and anything not a response (containerd/ttrpc only sends data frames on
		 * streaming calls). */
		if (h.stream_id != stream_id || h.type != TTRPC_TYPE_RESPONSE) {
			safe_close(f);
			continue;
		}
		fd = f;
		tresp = ttrpc__response__unpack(NULL, h.length, data);
		if (!tresp)
			return -EBADMSG;
		break;
	}

	if (tresp->status && tresp->status->code != 0) {
		status_set(ret_status, tresp->status);
		return -NSR_ESTATUS;
	}
	if (resp_desc && ret_resp) {
		resp = protobuf_c_message_unpack(resp_desc, NULL, tresp->payload.len,
						 tresp->payload.data);
		if (!resp)
			return -EBADMSG;
		*ret_resp = resp;
	}
	if (ret_fd) {
		if (fd < 0) {
			if (ret_resp && resp) {
				protobuf_c_message_free_unpacked(resp, NULL);
				*ret_resp = NULL;
			}
			return -EBADMSG;
		}
		*ret_fd = TAKE_FD(fd);
	}
	status_set(ret_status, NULL);
	return 0;
}

int nsr_stream_start(NsrClient *c, const char *method, const ProtobufCMessage *req, NsrStream **ret)
{
	_cleanup_free_ NsrStream *s = calloc(1, sizeof(*s));
	int r;

	if (!ret)
		return -EINVAL;
	if (!s)
		return -ENOMEM;
	/* No deadline on the wire: it would end the stream when it passes. */
	r = send_request(c, method, req, TTRPC_FLAG_REMOTE_CLOSED, 0,
			 c && c->timeout_ns ? now_ns() + c->timeout_ns : 0, &s->id);
	if (r < 0)
		return r;
	s->c = c;
	c->stream = s;
	*ret = TAKE_PTR(s);
	return 0;
}

/* The stream is over with r (0, -NSR_ESTATUS with status ts, or -EBADMSG for an undecodable
 * status). */
static int stream_end(NsrStream *s, int r, const Ttrpc__Status *ts, NsrStatus *ret_status)
{
	s->ended = true;
	s->end_r = r;
	status_set(&s->end_st, ts);
	s->c->stream = NULL; /* the connection is free for other calls */
	if (ret_status && r != -EBADMSG)
		*ret_status = s->end_st;
	return r;
}

int nsr_stream_next(NsrStream *s, const ProtobufCMessageDescriptor *desc,
		    ProtobufCMessage **ret_msg, NsrStatus *ret_status)
{
	NsrClient *c;
	uint64_t deadline;

	if (!s || !desc || !ret_msg)
		return -EINVAL;
	if (s->ended) {
		if (ret_status && s->end_r != -EBADMSG)
			*ret_status = s->end_st;
		return s->end_r;
	}
	c = s->c;
	if (!c || c->broken)
		return -ENOTCONN;
	deadline = c->timeout_ns ? now_ns() + c->timeout_ns : 0;
	for (;;) {
		_cleanup_free_ uint8_t *data = NULL;
		_cleanup_(response_freep) Ttrpc__Response *tresp = NULL;
		const uint8_t *payload;
		size_t len;
		TtrpcHeader h;
		int r;

		r = read_frame(c, &h, &data, deadline);
		if (r < 0)
			return r;
		if (h.stream_id != s->id) {
			/* A late answer to an earlier call (with the fd it may carry). */
			int f = h.type == TTRPC_TYPE_RESPONSE
					? fds_frame(s->c, h.stream_id, data, h.length)
					: -1;

			safe_close(f);
			continue;
		}
		if (h.type == TTRPC_TYPE_DATA) {
			/* containerd/ttrpc ends a stream with status OK by flagging its last data
			 * message remote-closed (no-data when it carries none). */
			if (h.flags & TTRPC_FLAG_NO_DATA) {
				if (h.flags & TTRPC_FLAG_REMOTE_CLOSED)
					return stream_end(s, 0, NULL, ret_status);
				continue;
			}
			if (h.flags & TTRPC_FLAG_REMOTE_CLOSED)
				stream_end(s, 0, NULL, NULL);
			payload = data;
			len = h.length;
		} else if (h.type == TTRPC_TYPE_RESPONSE) {
			/* The status; PROTOCOL.md also allows a last message in it. */
			tresp = ttrpc__response__unpack(NULL, h.length, data);
			if (!tresp)
				return stream_end(s, -EBADMSG, NULL, NULL);
			if (tresp->status && tresp->status->code != 0)
				return stream_end(s, -NSR_ESTATUS, tresp->status, ret_status);
			if (tresp->payload.len == 0)
				return stream_end(s, 0, NULL, ret_status);
			stream_end(s, 0, NULL, NULL);
			payload = tresp->payload.data;
			len = tresp->payload.len;
		} else {
			continue;
		}
		*ret_msg = protobuf_c_message_unpack(desc, NULL, len, payload);
		if (!*ret_msg)
			return -EBADMSG;
		if (ret_status)
			status_set(ret_status, NULL);
		return 1;
	}
}

int nsr_stream_fd(const NsrStream *s)
{
	return s && s->c ? s->c->fd : -EINVAL;
}

bool nsr_stream_buffered(const NsrStream *s)
{
	return s && s->c && s->c->in_start < s->c->in_end;
}

void nsr_stream_close(NsrStream *s)
{
	if (!s)
		return;
	if (!s->ended && s->c) {
		/* ttrpc has no cancel message: the daemon learns it from the connection closing. */
		shutdown(s->c->fd, SHUT_RDWR);
		s->c->broken = true;
		s->c->stream = NULL;
	}
	free(s);
}

int nsr_watch(NsrClient *c, const Nsring__V1__WatchRequest *req, NsrStream **ret)
{
	return nsr_stream_start(c, "Watch", req ? &req->base : NULL, ret);
}

int nsr_watch_next(NsrStream *s, Nsring__V1__WatchEvent **ret_event, NsrStatus *ret_status)
{
	return nsr_stream_next(s, &nsring__v1__watch_event__descriptor,
			       (ProtobufCMessage **)ret_event, ret_status);
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

int nsr_open_socket(NsrClient *c, const Nsring__V1__OpenSocketRequest *req,
		    Nsring__V1__OpenSocketResponse **ret_resp, int *ret_fd, NsrStatus *ret_status)
{
	if (!ret_fd)
		return -EINVAL;
	return nsr_call_fd(c, "OpenSocket", req ? &req->base : NULL,
			   &nsring__v1__open_socket_response__descriptor,
			   (ProtobufCMessage **)ret_resp, ret_fd, ret_status);
}

int nsr_open_namespace(NsrClient *c, const Nsring__V1__OpenNamespaceRequest *req,
		       Nsring__V1__OpenNamespaceResponse **ret_resp, int *ret_fd,
		       NsrStatus *ret_status)
{
	if (!ret_fd)
		return -EINVAL;
	return nsr_call_fd(c, "OpenNamespace", req ? &req->base : NULL,
			   &nsring__v1__open_namespace_response__descriptor,
			   (ProtobufCMessage **)ret_resp, ret_fd, ret_status);
}
