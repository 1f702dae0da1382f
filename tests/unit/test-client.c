/* libnsring against a fake ttrpc server in a thread: framing, stream ids, status errors, stale
 * and interleaved frames, short reads, timeouts, oversized and malformed frames, EOF; server
 * streams (the request flags, each way a stream ends, timeouts between messages, cancel). */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "nsring/nsring.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"

/* ---------------------------------------------------------------- fake server */

typedef struct Server {
	int fd;
	int listen_fd;		      /* >= 0: accept one connection first */
	uint32_t next_id;	      /* the stream id the next request must carry */
	_Atomic int64_t last_timeout; /* timeout_nano of the last request */
	pthread_t thread;
} Server;

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void send_frame_flags(int fd, uint32_t id, uint8_t type, uint8_t flags, const void *data,
			     size_t len)
{
	uint8_t hdr[TTRPC_HEADER_SIZE];

	ttrpc_header_encode(hdr, &(TtrpcHeader){ .length = (uint32_t)len,
						 .stream_id = id,
						 .type = type,
						 .flags = flags });
	CHECK(write_full(fd, hdr, sizeof(hdr)) == 0);
	if (len)
		CHECK(write_full(fd, data, len) == 0);
}

static void send_frame(int fd, uint32_t id, uint8_t type, const void *data, size_t len)
{
	send_frame_flags(fd, id, type, 0, data, len);
}

/* Packs a ttrpc.Response with a payload message or an error status into a malloc'ed buffer. */
static uint8_t *pack_response(const ProtobufCMessage *payload, int code, const char *msg,
			      size_t *ret_len)
{
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	Ttrpc__Status st = TTRPC__STATUS__INIT;
	uint8_t *pl = NULL, *out;

	if (code) {
		st.code = code;
		st.message = (char *)msg;
		resp.status = &st;
	} else if (payload) {
		resp.payload.len = protobuf_c_message_get_packed_size(payload);
		pl = malloc(resp.payload.len + 1);
		protobuf_c_message_pack(payload, pl);
		resp.payload.data = pl;
	}
	*ret_len = ttrpc__response__get_packed_size(&resp);
	out = malloc(*ret_len + 1);
	ttrpc__response__pack(&resp, out);
	free(pl);
	return out;
}

static void reply(int fd, uint32_t id, const ProtobufCMessage *payload, int code, const char *msg)
{
	size_t len;
	uint8_t *buf = pack_response(payload, code, msg, &len);

	send_frame(fd, id, TTRPC_TYPE_RESPONSE, buf, len);
	free(buf);
}

/* A ListNamespacesResponse with n namespaces "ns0".."ns<n-1>". */
static void reply_namespaces(int fd, uint32_t id, size_t n, bool dribble)
{
	Nsring__V1__ListNamespacesResponse resp = NSRING__V1__LIST_NAMESPACES_RESPONSE__INIT;
	Nsring__V1__Namespace *items = calloc(n, sizeof(*items));
	Nsring__V1__Namespace **ptrs = calloc(n, sizeof(*ptrs));
	char(*names)[32] = calloc(n, 32);

	for (size_t i = 0; i < n; i++) {
		nsring__v1__namespace__init(&items[i]);
		snprintf(names[i], 32, "ns%zu", i);
		items[i].name = names[i];
		items[i].path = (char *)"/run/netns/x";
		items[i].inode = 4026531840u + i;
		ptrs[i] = &items[i];
	}
	resp.n_namespaces = n;
	resp.namespaces = ptrs;
	if (!dribble) {
		reply(fd, id, &resp.base, 0, NULL);
	} else {
		/* One byte per write, with pauses, so the client sees short reads. */
		uint8_t hdr[TTRPC_HEADER_SIZE], *buf;
		size_t len;

		buf = pack_response(&resp.base, 0, NULL, &len);
		ttrpc_header_encode(hdr, &(TtrpcHeader){ .length = (uint32_t)len,
							 .stream_id = id,
							 .type = TTRPC_TYPE_RESPONSE });
		for (size_t i = 0; i < sizeof(hdr) + len; i++) {
			CHECK(write_full(fd, i < sizeof(hdr) ? &hdr[i] : &buf[i - sizeof(hdr)],
					 1) == 0);
			usleep(200);
		}
		free(buf);
	}
	free(items);
	free(ptrs);
	free(names);
}

/* A data message of a stream: a Namespace with inode i. */
static void send_event(int fd, uint32_t id, uint64_t i, uint8_t flags)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
	uint8_t buf[64];

	ns.name = (char *)"ev";
	ns.inode = i;
	send_frame_flags(fd, id, TTRPC_TYPE_DATA, flags, buf,
			 nsring__v1__namespace__pack(&ns, buf));
}

static const uint8_t END_OK = TTRPC_FLAG_REMOTE_CLOSED | TTRPC_FLAG_NO_DATA;

/* Streaming methods: true if m is one. */
static bool serve_stream(Server *s, const char *m, uint32_t id)
{
	if (strncmp(m, "Watch", 5) != 0)
		return false;
	m += 5;
	if (strcmp(m, "3") == 0) {
		/* Three messages, a stale frame between them, then the end as Go's server sends
		 * it. */
		send_event(s->fd, id, 0, 0);
		reply_namespaces(s->fd, id + 100, 1, false);
		send_event(s->fd, id, 1, 0);
		send_event(s->fd, id, 2, 0);
		send_frame_flags(s->fd, id, TTRPC_TYPE_DATA, END_OK, NULL, 0);
	} else if (strcmp(m, "Fail") == 0) {
		send_event(s->fd, id, 0, 0);
		reply(s->fd, id, NULL, 5, "gone");
	} else if (strcmp(m, "Resp") == 0) {
		/* PROTOCOL.md: a stream may end with a Response, here carrying a last message. */
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;

		send_event(s->fd, id, 0, 0);
		ns.inode = 1;
		reply(s->fd, id, &ns.base, 0, NULL);
	} else if (strcmp(m, "LastData") == 0) {
		send_event(s->fd, id, 0, TTRPC_FLAG_REMOTE_CLOSED);
	} else if (strcmp(m, "Bad") == 0) {
		send_frame(s->fd, id, TTRPC_TYPE_DATA, "\xff\xff", 2);
		send_event(s->fd, id, 1, 0);
		send_frame_flags(s->fd, id, TTRPC_TYPE_DATA, END_OK, NULL, 0);
	} else if (strcmp(m, "Slow") == 0) {
		send_event(s->fd, id, 0, 0);
		usleep(300 * 1000);
		send_frame_flags(s->fd, id, TTRPC_TYPE_DATA, END_OK, NULL, 0);
	} else if (strcmp(m, "Forever") == 0) {
		send_event(s->fd, id, 0, 0); /* then the next read sees the client's close */
	}
	return true;
}

static void *server_main(void *arg)
{
	Server *s = arg;

	if (s->listen_fd >= 0) {
		s->fd = accept(s->listen_fd, NULL, NULL);
		CHECK(s->fd >= 0);
		if (s->fd < 0)
			return NULL;
	}
	for (;;) {
		uint8_t hdr[TTRPC_HEADER_SIZE], *buf;
		Ttrpc__Request *req;
		TtrpcHeader h;
		const char *m;
		uint32_t id;

		if (read_full(s->fd, hdr, sizeof(hdr)) < 0)
			break; /* the client went away */
		ttrpc_header_decode(hdr, &h);
		CHECK_EQ(h.type, TTRPC_TYPE_REQUEST);
		CHECK_EQ(h.stream_id, s->next_id);
		s->next_id = h.stream_id + 2;
		CHECK(h.length <= TTRPC_MESSAGE_MAX);
		buf = malloc(h.length + 1);
		if (read_full(s->fd, buf, h.length) < 0) {
			free(buf);
			break;
		}
		req = ttrpc__request__unpack(NULL, h.length, buf);
		free(buf);
		CHECK(req != NULL);
		if (!req)
			break;
		CHECK(strcmp(req->service, TTRPC_SERVICE) == 0);
		s->last_timeout = req->timeout_nano;
		id = h.stream_id;
		m = req->method;
		/* A stream is opened with remote-closed (the client sends nothing more); a unary
		 * call has no flags. */
		CHECK_EQ(h.flags, strncmp(m, "Watch", 5) == 0 ? TTRPC_FLAG_REMOTE_CLOSED : 0);

		if (serve_stream(s, m, id)) {
		} else if (strcmp(m, "ListNamespaces") == 0) {
			Nsring__V1__ListNamespacesRequest *lr;

			lr = nsring__v1__list_namespaces_request__unpack(NULL, req->payload.len,
									 req->payload.data);
			CHECK(lr != NULL);
			if (lr)
				nsring__v1__list_namespaces_request__free_unpacked(lr, NULL);
			reply_namespaces(s->fd, id, 2, false);
		} else if (strcmp(m, "DeleteLink") == 0) {
			Nsring__V1__DeleteLinkRequest *dr;
			char msg[128];

			dr = nsring__v1__delete_link_request__unpack(NULL, req->payload.len,
								     req->payload.data);
			CHECK(dr != NULL);
			CHECK(dr && dr->namespace_ &&
			      dr->namespace_->ref_case == NSRING__V1__NAMESPACE_REF__REF_NAME &&
			      strcmp(dr->namespace_->name, "blue") == 0);
			snprintf(msg, sizeof(msg), "DeleteLink: link \"%s\" not found (ENODEV)",
				 dr ? dr->name : "?");
			if (dr)
				nsring__v1__delete_link_request__free_unpacked(dr, NULL);
			reply(s->fd, id, NULL, 5, msg);
		} else if (strcmp(m, "CreateFdbEntry") == 0) {
			/* The neighbour/FDB wrappers: the request arrives whole, the response's
			 * already_done comes back. */
			Nsring__V1__CreateFdbEntryRequest *fr;
			Nsring__V1__CreateFdbEntryResponse resp =
				NSRING__V1__CREATE_FDB_ENTRY_RESPONSE__INIT;

			fr = nsring__v1__create_fdb_entry_request__unpack(NULL, req->payload.len,
									  req->payload.data);
			CHECK(fr && fr->append && fr->entry && strcmp(fr->entry->dev, "vx0") == 0 &&
			      strcmp(fr->entry->dst, "198.18.10.2") == 0 &&
			      strcmp(fr->entry->mac, "00:00:00:00:00:00") == 0);
			if (fr)
				nsring__v1__create_fdb_entry_request__free_unpacked(fr, NULL);
			resp.already_done = true;
			reply(s->fd, id, &resp.base, 0, NULL);
		} else if (strcmp(m, "DeleteNeighbor") == 0) {
			reply(s->fd, id, NULL, 5, "DeleteNeighbor: delete neighbor: ENOENT");
		} else if (strcmp(m, "Interleave") == 0) {
			/* A stale answer, a data frame, then ours. */
			reply_namespaces(s->fd, id + 100, 1, false);
			send_frame(s->fd, id, TTRPC_TYPE_DATA, "xx", 2);
			reply_namespaces(s->fd, id, 3, false);
		} else if (strcmp(m, "Dribble") == 0) {
			reply_namespaces(s->fd, id, 2, true);
		} else if (strcmp(m, "Big") == 0) {
			reply_namespaces(s->fd, id, 5000, false);
		} else if (strcmp(m, "Garbage") == 0) {
			send_frame(s->fd, id, TTRPC_TYPE_RESPONSE, "\xff\xff\xff\xff", 4);
		} else if (strcmp(m, "BadPayload") == 0) {
			Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
			uint8_t out[64];
			size_t len;

			resp.payload.data = (uint8_t *)"\x0a\x05\x0a";
			resp.payload.len = 3; /* a namespace field cut short */
			len = ttrpc__response__pack(&resp, out);
			send_frame(s->fd, id, TTRPC_TYPE_RESPONSE, out, len);
		} else if (strcmp(m, "Slow") == 0) {
			usleep(300 * 1000);
			reply_namespaces(s->fd, id, 1, false);
		} else if (strcmp(m, "Oversize") == 0) {
			uint8_t big[TTRPC_HEADER_SIZE];

			ttrpc_header_encode(big, &(TtrpcHeader){ .length = TTRPC_MESSAGE_MAX + 1,
								 .stream_id = id,
								 .type = TTRPC_TYPE_RESPONSE });
			CHECK(write_full(s->fd, big, sizeof(big)) == 0);
		} else if (strcmp(m, "Partial") == 0) {
			/* Half a header, then EOF. */
			CHECK(write_full(s->fd, "\0\0\0", 3) == 0);
			ttrpc__request__free_unpacked(req, NULL);
			break;
		} else if (strcmp(m, "Close") == 0) {
			ttrpc__request__free_unpacked(req, NULL);
			break;
		} else {
			reply(s->fd, id, NULL, 12, "unknown method");
		}
		ttrpc__request__free_unpacked(req, NULL);
	}
	close(s->fd);
	s->fd = -1;
	return NULL;
}

/* A client connected to a server thread over a socketpair. */
static NsrClient *start_pair(Server *s)
{
	NsrClient *c = NULL;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	*s = (Server){ .fd = sv[1], .listen_fd = -1, .next_id = 1 };
	CHECK(pthread_create(&s->thread, NULL, server_main, s) == 0);
	CHECK(nsr_connect_fd(sv[0], &c) == 0);
	return c;
}

/* ---------------------------------------------------------------- tests */

static void check_namespaces(ProtobufCMessage *m, size_t n)
{
	Nsring__V1__ListNamespacesResponse *r = (Nsring__V1__ListNamespacesResponse *)m;

	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(m->descriptor == &nsring__v1__list_namespaces_response__descriptor);
	CHECK_EQ(r->n_namespaces, n);
	if (r->n_namespaces == n && n > 0) {
		CHECK(strcmp(r->namespaces[0]->name, "ns0") == 0);
		CHECK_EQ(r->namespaces[n - 1]->inode, 4026531840u + n - 1);
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

static int call_list(NsrClient *c, const char *method, ProtobufCMessage **ret, NsrStatus *st)
{
	Nsring__V1__ListNamespacesRequest req = NSRING__V1__LIST_NAMESPACES_REQUEST__INIT;

	*ret = NULL;
	return nsr_call(c, method, &req.base, &nsring__v1__list_namespaces_response__descriptor,
			ret, st);
}

static void test_calls(void)
{
	Server s;
	NsrClient *c = start_pair(&s);
	ProtobufCMessage *m = NULL;
	NsrStatus st = { .code = 99 };

	current_test = "test_calls";
	/* 1: a plain call; the status is reset to OK. */
	CHECK_EQ(call_list(c, "ListNamespaces", &m, &st), 0);
	CHECK_EQ(st.code, 0);
	CHECK_EQ(st.message[0], 0);
	check_namespaces(m, 2);
	CHECK_EQ(s.last_timeout, 0);

	/* 3: an error status. */
	{
		Nsring__V1__DeleteLinkRequest req = NSRING__V1__DELETE_LINK_REQUEST__INIT;
		Nsring__V1__NamespaceRef ns = NSRING__V1__NAMESPACE_REF__INIT;
		Nsring__V1__DeleteLinkResponse *resp = (void *)0x1;

		ns.ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
		ns.name = (char *)"blue";
		req.namespace_ = &ns;
		req.name = (char *)"veth0";
		CHECK_EQ(nsr_delete_link(c, &req, &resp, &st), -NSR_ESTATUS);
		CHECK_EQ(st.code, 5);
		CHECK(strcmp(st.message, "DeleteLink: link \"veth0\" not found (ENODEV)") == 0);
		CHECK(strcmp(nsr_status_code_name(st.code), "NOT_FOUND") == 0);
		CHECK(resp == (void *)0x1); /* untouched on failure */
	}

	/* 5: stale and data frames are skipped. */
	CHECK_EQ(call_list(c, "Interleave", &m, NULL), 0);
	check_namespaces(m, 3);

	/* 7: short reads. */
	CHECK_EQ(call_list(c, "Dribble", &m, &st), 0);
	check_namespaces(m, 2);

	/* 9, 11: undecodable frames fail the call but not the connection. */
	CHECK_EQ(call_list(c, "Garbage", &m, &st), -EBADMSG);
	CHECK(m == NULL);
	CHECK_EQ(call_list(c, "BadPayload", &m, &st), -EBADMSG);
	CHECK(m == NULL);

	/* 13: a response far larger than the client's input buffer. */
	CHECK_EQ(call_list(c, "Big", &m, &st), 0);
	check_namespaces(m, 5000);

	/* 15: typed wrapper; no response wanted is fine too. */
	{
		Nsring__V1__ListNamespacesRequest req = NSRING__V1__LIST_NAMESPACES_REQUEST__INIT;
		Nsring__V1__ListNamespacesResponse *resp = NULL;

		CHECK_EQ(nsr_list_namespaces(c, &req, &resp, NULL), 0);
		check_namespaces(resp ? &resp->base : NULL, 2);
	}
	CHECK_EQ(nsr_call(c, "ListNamespaces", NULL, NULL, NULL, NULL), 0); /* 17 */

	/* 19: a timeout between frames; the deadline goes on the wire too. 21 then skips the
	 * late answer to 19. */
	nsr_set_timeout(c, 100 * 1000000ull);
	CHECK_EQ(call_list(c, "Slow", &m, &st), -ETIMEDOUT);
	CHECK_EQ(s.last_timeout, 100 * 1000000ll);
	nsr_set_timeout(c, 0);
	CHECK_EQ(call_list(c, "ListNamespaces", &m, &st), 0);
	check_namespaces(m, 2);

	/* 23: unknown method -> UNIMPLEMENTED from the server. */
	CHECK_EQ(call_list(c, "NoSuchMethod", &m, &st), -NSR_ESTATUS);
	CHECK_EQ(st.code, 12);
	CHECK(strcmp(nsr_status_code_name(st.code), "UNIMPLEMENTED") == 0);

	/* 25: an oversized frame breaks the connection for good. */
	CHECK_EQ(call_list(c, "Oversize", &m, &st), -EMSGSIZE);
	CHECK_EQ(call_list(c, "ListNamespaces", &m, &st), -ENOTCONN);

	nsr_close(c);
	pthread_join(s.thread, NULL);
	CHECK_EQ(s.next_id, 27);
}

static void test_neigh_wrappers(void)
{
	Server s;
	NsrClient *c = start_pair(&s);
	NsrStatus st;

	current_test = "test_neigh_wrappers";
	{
		Nsring__V1__CreateFdbEntryRequest req = NSRING__V1__CREATE_FDB_ENTRY_REQUEST__INIT;
		Nsring__V1__FdbEntry e = NSRING__V1__FDB_ENTRY__INIT;
		Nsring__V1__CreateFdbEntryResponse *resp = NULL;

		e.dev = (char *)"vx0";
		e.mac = (char *)"00:00:00:00:00:00";
		e.dst = (char *)"198.18.10.2";
		req.entry = &e;
		req.append = true;
		CHECK_EQ(nsr_create_fdb_entry(c, &req, &resp, &st), 0);
		CHECK(resp && resp->already_done);
		if (resp)
			nsring__v1__create_fdb_entry_response__free_unpacked(resp, NULL);
	}
	{
		Nsring__V1__DeleteNeighborRequest req = NSRING__V1__DELETE_NEIGHBOR_REQUEST__INIT;
		Nsring__V1__DeleteNeighborResponse *resp = NULL;

		CHECK_EQ(nsr_delete_neighbor(c, &req, &resp, &st), -NSR_ESTATUS);
		CHECK_EQ(st.code, 5);
		CHECK(resp == NULL);
	}
	nsr_close(c);
	pthread_join(s.thread, NULL);
}

static void test_eof(void)
{
	Server s;
	NsrClient *c;
	ProtobufCMessage *m;
	NsrStatus st = { .code = 99 };

	current_test = "test_eof";
	c = start_pair(&s);
	CHECK_EQ(call_list(c, "Close", &m, &st), -ECONNRESET);
	CHECK_EQ(st.code, 99); /* untouched by a transport failure */
	CHECK_EQ(call_list(c, "ListNamespaces", &m, &st), -ENOTCONN);
	nsr_close(c);
	pthread_join(s.thread, NULL);

	c = start_pair(&s);
	CHECK_EQ(call_list(c, "Partial", &m, &st), -ECONNRESET);
	nsr_close(c);
	pthread_join(s.thread, NULL);

	/* The daemon is gone before we write: -EPIPE, not a SIGPIPE. */
	{
		int sv[2];

		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
		close(sv[1]);
		CHECK_EQ(nsr_connect_fd(sv[0], &c), 0);
		CHECK_EQ(call_list(c, "ListNamespaces", &m, NULL), -EPIPE);
		nsr_close(c);
	}
}

static void test_stream_ids_and_path(void)
{
	char dir[] = "/tmp/test-client-XXXXXX", path[128], addr[140];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char long_path[200];
	Server s;
	NsrClient *c = NULL;
	ProtobufCMessage *m;
	int lfd;

	current_test = "test_stream_ids_and_path";
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/nsring.sock", dir);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(lfd, 4) == 0);

	s = (Server){ .fd = -1, .listen_fd = lfd, .next_id = 1 };
	CHECK(pthread_create(&s.thread, NULL, server_main, &s) == 0);
	snprintf(addr, sizeof(addr), "unix://%s", path); /* the gRPC spelling works too */
	CHECK_EQ(nsr_connect(addr, &c), 0);
	for (int i = 0; i < 10; i++) { /* stream ids 1, 3, ..., 19, checked by the server */
		CHECK_EQ(call_list(c, "ListNamespaces", &m, NULL), 0);
		check_namespaces(m, 2);
	}
	nsr_close(c);
	pthread_join(s.thread, NULL);
	CHECK_EQ(s.next_id, 21);
	close(lfd);

	/* An abstract socket, as "@NAME". */
	{
		struct sockaddr_un asa = { .sun_family = AF_UNIX };
		int n = snprintf(asa.sun_path + 1, sizeof(asa.sun_path) - 1, "nsring-test-%d",
				 (int)getpid());

		lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(bind(lfd, (struct sockaddr *)&asa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0);
		CHECK(listen(lfd, 4) == 0);
		s = (Server){ .fd = -1, .listen_fd = lfd, .next_id = 1 };
		CHECK(pthread_create(&s.thread, NULL, server_main, &s) == 0);
		snprintf(addr, sizeof(addr), "@%s", asa.sun_path + 1);
		CHECK_EQ(nsr_connect(addr, &c), 0);
		CHECK_EQ(call_list(c, "ListNamespaces", &m, NULL), 0);
		check_namespaces(m, 2);
		nsr_close(c);
		pthread_join(s.thread, NULL);
		close(lfd);
	}

	/* Connection failures are plain errnos. */
	unlink(path);
	c = NULL;
	CHECK_EQ(nsr_connect(path, &c), -ENOENT);
	CHECK(c == NULL);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK_EQ(nsr_connect(long_path, &c), -ENAMETOOLONG);
	CHECK_EQ(nsr_connect("", &c), -EINVAL);
	CHECK(rmdir(dir) == 0);
}

static void test_request_limits(void)
{
	Server s;
	NsrClient *c = start_pair(&s);
	Nsring__V1__CreateNamespaceRequest req = NSRING__V1__CREATE_NAMESPACE_REQUEST__INIT;
	char *huge = malloc(TTRPC_MESSAGE_MAX + 1);

	current_test = "test_request_limits";
	/* Refused before anything is written, so the connection stays usable. */
	memset(huge, 'x', TTRPC_MESSAGE_MAX);
	huge[TTRPC_MESSAGE_MAX] = '\0';
	req.name = huge;
	CHECK_EQ(nsr_call(c, "CreateNamespace", &req.base, NULL, NULL, NULL), -EMSGSIZE);
	CHECK_EQ(nsr_call(c, "", NULL, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(nsr_call(c, "ListNamespaces", NULL, NULL, NULL, NULL), 0);
	free(huge);
	nsr_close(c);
	pthread_join(s.thread, NULL);
	CHECK_EQ(s.next_id, 3);
}

/* ---------------------------------------------------------------- streams */

/* The next message must be event i. */
static void expect_event(NsrStream *st, uint64_t i, int line)
{
	ProtobufCMessage *m = NULL;
	NsrStatus status = { .code = 99 };
	int r = nsr_stream_next(st, &nsring__v1__namespace__descriptor, &m, &status);
	Nsring__V1__Namespace *ns = (Nsring__V1__Namespace *)m;

	if (r != 1 || !ns || ns->inode != i || status.code != 0)
		fprintf(stderr, "%s:%d: expected event %llu, got r=%d inode=%lld code=%d\n",
			__FILE__, line, (unsigned long long)i, r, ns ? (long long)ns->inode : -1LL,
			status.code);
	CHECK(r == 1 && ns && ns->inode == i && status.code == 0);
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

static int stream_next(NsrStream *st, NsrStatus *status)
{
	ProtobufCMessage *m = NULL;
	int r = nsr_stream_next(st, &nsring__v1__namespace__descriptor, &m, status);

	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

static void test_streams(void)
{
	Nsring__V1__ListNamespacesRequest req = NSRING__V1__LIST_NAMESPACES_REQUEST__INIT;
	Server s;
	NsrClient *c = start_pair(&s);
	NsrStream *st = NULL, *st2 = NULL;
	NsrStatus status = { .code = 99 };
	ProtobufCMessage *m;

	current_test = "test_streams";
	/* 1: messages, a stale frame skipped, the end as data flagged remote-closed, no-data. */
	CHECK_EQ(nsr_stream_start(c, "Watch3", &req.base, &st), 0);
	CHECK(nsr_stream_fd(st) >= 0);
	CHECK_EQ(nsr_call(c, "ListNamespaces", NULL, NULL, NULL, NULL), -EBUSY);
	CHECK_EQ(nsr_stream_start(c, "Watch3", &req.base, &st2), -EBUSY);
	for (uint64_t i = 0; i < 3; i++)
		expect_event(st, i, __LINE__);
	CHECK_EQ(stream_next(st, &status), 0);
	CHECK_EQ(status.code, 0);
	CHECK_EQ(stream_next(st, &status), 0); /* the end stays the end */
	nsr_stream_close(st);
	/* 3: the connection serves unary calls again. */
	CHECK_EQ(call_list(c, "ListNamespaces", &m, NULL), 0);
	check_namespaces(m, 2);

	/* 5: an error status in a Response. */
	CHECK_EQ(nsr_stream_start(c, "WatchFail", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	CHECK_EQ(stream_next(st, &status), -NSR_ESTATUS);
	CHECK_EQ(status.code, 5);
	CHECK(strcmp(status.message, "gone") == 0);
	status.code = 99;
	CHECK_EQ(stream_next(st, &status), -NSR_ESTATUS);
	CHECK_EQ(status.code, 5);
	nsr_stream_close(st);

	/* 7: a Response with status OK and a last message; 9: a last data message flagged
	 * remote-closed. */
	CHECK_EQ(nsr_stream_start(c, "WatchResp", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	expect_event(st, 1, __LINE__);
	CHECK_EQ(stream_next(st, &status), 0);
	nsr_stream_close(st);
	CHECK_EQ(nsr_stream_start(c, "WatchLastData", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	CHECK_EQ(stream_next(st, &status), 0);
	nsr_stream_close(st);

	/* 11: a message that does not decode fails alone. */
	CHECK_EQ(nsr_stream_start(c, "WatchBad", NULL, &st), 0);
	CHECK_EQ(stream_next(st, &status), -EBADMSG);
	expect_event(st, 1, __LINE__);
	CHECK_EQ(stream_next(st, &status), 0);
	nsr_stream_close(st);

	/* 13: the timeout bounds each wait, not the stream, and is not sent. */
	nsr_set_timeout(c, 100 * 1000000ull);
	CHECK_EQ(nsr_stream_start(c, "WatchSlow", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	CHECK_EQ(stream_next(st, &status), -ETIMEDOUT);
	nsr_set_timeout(c, 0);
	CHECK_EQ(stream_next(st, &status), 0);
	CHECK_EQ(s.last_timeout, 0);
	nsr_stream_close(st);

	/* 15: closing a stream that goes on cancels it by shutting the connection down: the
	 * server sees EOF (the thread ends), the client needs a new connection. */
	CHECK_EQ(nsr_stream_start(c, "WatchForever", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	nsr_stream_close(st);
	pthread_join(s.thread, NULL);
	CHECK_EQ(s.next_id, 17);
	CHECK_EQ(nsr_call(c, "ListNamespaces", NULL, NULL, NULL, NULL), -ENOTCONN);
	nsr_close(c);

	/* The daemon goes away mid-stream. */
	c = start_pair(&s);
	CHECK_EQ(nsr_stream_start(c, "WatchForever", NULL, &st), 0);
	expect_event(st, 0, __LINE__);
	CHECK_EQ(nsr_stream_start(c, "x", NULL, &st2), -EBUSY);
	shutdown(s.fd, SHUT_RDWR);
	pthread_join(s.thread, NULL);
	CHECK_EQ(stream_next(st, &status), -ECONNRESET);
	nsr_close(c); /* before the stream: allowed */
	CHECK_EQ(stream_next(st, &status), -ENOTCONN);
	nsr_stream_close(st);
	CHECK_EQ(nsr_stream_start(NULL, "Watch3", NULL, &st), -EINVAL);
}

int main(void)
{
	test_calls();
	test_neigh_wrappers();
	test_eof();
	test_stream_ids_and_path();
	test_request_limits();
	test_streams();
	printf("ok\n");
	return 0;
}
