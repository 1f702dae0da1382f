/* libFuzzer harness for the RPC server's input path: the input is what a client writes on one
 * connection to a real RpcServer on a real loop (ttrpc frames; with FUZZ_H2, the HTTP/2 client
 * preface is prepended and the rest is frames, HPACK and gRPC messages). Built twice, as
 * fuzz-ttrpc and fuzz-h2.
 *
 * The first input byte is the scenario, the rest the client's bytes:
 *   bits 0-1  how the dispatcher answers: 0 reply at once, 1 fail at once, 2 on the next loop
 *             turn, 3 hold every call until the connection is gone (or stalls)
 *   bits 2-4  how the bytes are written: 0 all at once, else in chunks, each written once the
 *             server has taken the previous one (so frames arrive split)
 *   bit 5     the peer is not admitted (PERMISSION_DENIED path)
 *   bit 6     at most 2 calls in flight per connection (RESOURCE_EXHAUSTED, paused reads)
 *   bit 7     replies are large (64 KiB: several sends, HTTP/2 flow control)
 * Calls of a method named "Watch" stream two messages before their answer.
 * The connection must end (the client half-closes after its last byte) with every call
 * answered exactly once and nothing leaked; a loop that stops making progress is a hang. */
#include <errno.h>
#include <linux/sockios.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "loop/loop.h"
#include "rpc/rpc-internal.h"
#include "rpc/rpc.h"
#include "ttrpc/ttrpc.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-rpc: assertion failed: %s (line %d)\n", #cond,       \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define H2_CLIENT_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define MAX_CHUNKS	  64
/* Loop turns without any progress before held calls are answered, and before it is a hang. */
#define STALL_ANSWER 8
#define STALL_HANG   100000

enum { ANSWER_REPLY, ANSWER_FAIL, ANSWER_NEXT_TURN, ANSWER_HOLD };

static struct {
	Loop *loop;
	RpcServer *srv;
	struct sockaddr_un addr;
	socklen_t addrlen;
	LoopTimer tick;
	char *big; /* the large reply's text */

	/* This input. */
	unsigned answer;
	bool large;
	bool deny;
	const uint8_t *in;
	size_t inlen, off, chunk;
	int client;
	bool conn_seen, wr_closed;
	unsigned stall, turns;
	RpcCall **held;
	size_t nheld, capheld;
	unsigned dispatched, answered;
} F;

static void answer(RpcCall *call, unsigned n)
{
	Ttrpc__Status st = TTRPC__STATUS__INIT;

	F.answered++;
	if (n % 3 == 2) {
		rpc_call_fail(call, STATUS_NOT_FOUND, "no such thing \"%s\"", "x\x01%s\xff");
		return;
	}
	st.code = (int32_t)n;
	st.message = F.large ? F.big : "ok";
	rpc_call_reply(call, &st.base);
}

static void answer_held(void)
{
	/* Answering may not dispatch, but take the list first all the same. */
	size_t n = F.nheld;

	F.nheld = 0;
	for (size_t i = 0; i < n; i++)
		answer(F.held[i], (unsigned)i);
}

static void on_cancel(void *userdata)
{
	/* The call stays held: it is ended with the others, as the owner must. */
}

/* A "Watch" call streams: two messages before its answer (on ttrpc only when the client
 * opened it as a stream; otherwise the server answers it and drops ours). */
static void stream(RpcCall *call)
{
	Ttrpc__Status st = TTRPC__STATUS__INIT;
	int r;

	rpc_call_on_cancel(call, on_cancel, NULL);
	for (int i = 0; i < 2; i++) {
		st.code = i;
		st.message = F.large ? F.big : "event";
		r = rpc_call_send(call, &st.base);
		FUZZ_ASSERT(r == 0 || r == -EPIPE || r == -ENOBUFS);
		if (r < 0)
			break;
	}
	(void)rpc_call_queued(call);
}

static void dispatch(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	/* What the daemon reads of a call: all of it must be there. */
	FUZZ_ASSERT(info->method && (info->len == 0 || info->payload));
	(void)strlen(info->method);
	if (info->len)
		(void)((volatile const uint8_t *)info->payload)[info->len - 1];
	F.dispatched++;
	if (strcmp(info->method, "Watch") == 0)
		stream(call);
	switch (F.answer) {
	case ANSWER_REPLY:
		answer(call, 0);
		return;
	case ANSWER_FAIL:
		answer(call, 2);
		return;
	default:
		if (F.nheld == F.capheld) {
			size_t cap = F.capheld ? 2 * F.capheld : 16;
			RpcCall **p = realloc(F.held, cap * sizeof(*p));

			FUZZ_ASSERT(p);
			F.held = p;
			F.capheld = cap;
		}
		F.held[F.nheld++] = call;
	}
}

/* Reads what the server answered, so its sends never block. */
static bool drain_client(void)
{
	static uint8_t sink[65536];
	bool progress = false;

	for (;;) {
		ssize_t n = recv(F.client, sink, sizeof(sink), MSG_DONTWAIT);

		if (n <= 0)
			return progress;
		progress = true;
	}
}

static size_t server_unread(const RpcConn *c)
{
	int n = 0;

	if (ioctl(c->fd, SIOCINQ, &n) < 0)
		return 0;
	return (size_t)n;
}

/* Writes the next chunk once the server took the previous one (or is not reading). */
static bool write_more(RpcConn *c)
{
	size_t n;
	ssize_t w;

	if (F.off >= F.inlen) {
		if (!F.wr_closed) {
			shutdown(F.client, SHUT_WR);
			F.wr_closed = true;
			return true;
		}
		return false;
	}
	if (F.chunk < F.inlen && (!c->recv_inflight || server_unread(c) > 0) &&
	    F.stall < STALL_ANSWER / 2)
		return false;
	n = F.chunk < F.inlen - F.off ? F.chunk : F.inlen - F.off;
	w = send(F.client, F.in + F.off, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w < 0) {
		if (errno == EAGAIN)
			return false;
		F.off = F.inlen; /* the server hung up */
		return true;
	}
	F.off += (size_t)w;
	return true;
}

/* Runs once per loop turn: feeds the client's bytes, answers deferred calls, and stops the
 * loop once the server has closed the connection. */
static void tick(LoopTimer *t)
{
	bool progress = drain_client();
	RpcServer *s = F.srv;

	F.turns++;
	if (!F.conn_seen && s->conns) {
		F.conn_seen = true;
		if (F.deny)
			s->conns->denied = true; /* before its first receive completes */
	}
	if (F.answer == ANSWER_NEXT_TURN && F.nheld) {
		answer_held();
		progress = true;
	}
	if (F.conn_seen && s->nconns == 0) {
		loop_quit(F.loop, 0);
		return;
	}
	if (s->conns && write_more(s->conns))
		progress = true;
	F.stall = progress ? 0 : F.stall + 1;
	if (F.stall >= STALL_ANSWER && F.nheld) {
		answer_held();
		F.stall = 0;
	}
	if (F.stall > STALL_HANG) {
		fprintf(stderr,
			"fuzz-rpc: hang: the server neither reads nor closes (%zu of %zu "
			"bytes written, %u calls held)\n",
			F.off, F.inlen, (unsigned)F.nheld);
		abort();
	}
	loop_timer_arm(F.loop, &F.tick, loop_now(F.loop) + 1);
}

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
	RpcServerConfig cfg = { .allow_gid = (gid_t)-1, .max_connections = 4 };
	static uid_t me;
	const char *lvl = getenv("NSRING_FUZZ_LOG");
	int fd, r;

	log_max_level = lvl ? log_level_from_string(lvl) : LOG_LVL_ERR - 1;
	me = getuid();
	cfg.allow_uids = &me;
	cfg.n_allow_uids = 1;
	r = loop_new(&F.loop, 256);
	if (r < 0) {
		fprintf(stderr, "fuzz-rpc: loop_new: %s\n", strerror(-r));
		exit(1);
	}
	/* An abstract address: nothing to clean up, private to this network namespace. */
	F.addr.sun_family = AF_UNIX;
	snprintf(F.addr.sun_path + 1, sizeof(F.addr.sun_path) - 1, "nsring-fuzz-rpc-%d",
		 (int)getpid());
	F.addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				strlen(F.addr.sun_path + 1));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&F.addr, F.addrlen) < 0 || listen(fd, 16) < 0) {
		perror("fuzz-rpc: listen");
		exit(1);
	}
	r = rpc_server_new(&F.srv, F.loop, fd, &cfg, dispatch, NULL);
	if (r < 0) {
		fprintf(stderr, "fuzz-rpc: rpc_server_new: %s\n", strerror(-r));
		exit(1);
	}
	F.big = malloc(65536);
	FUZZ_ASSERT(F.big);
	memset(F.big, 'x', 65535);
	F.big[65535] = '\0';
	F.tick.cb = tick;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = { 0, 1, 2, 3, 5, 9, 64, 1000 };
	uint8_t ctl = size ? data[0] : 0;
	uint8_t *buf = NULL;
	size_t prefix = 0;

	if (size)
		data++, size--;
#ifdef FUZZ_H2
	prefix = strlen(H2_CLIENT_PREFACE);
#endif
	buf = malloc(prefix + size + 1);
	FUZZ_ASSERT(buf);
	memcpy(buf, H2_CLIENT_PREFACE, prefix);
	if (size)
		memcpy(buf + prefix, data, size);

	F.answer = ctl & 3;
	F.large = ctl & 0x80;
	F.deny = ctl & 0x20;
	F.srv->cfg.max_calls_per_conn = ctl & 0x40 ? 2 : 1024;
	F.in = buf;
	F.inlen = prefix + size;
	F.off = 0;
	F.chunk = chunks[(ctl >> 2) & 7];
	if (F.chunk == 0 || F.chunk < F.inlen / MAX_CHUNKS)
		F.chunk = F.chunk ? F.inlen / MAX_CHUNKS + 1 : F.inlen;
	F.conn_seen = F.wr_closed = false;
	F.stall = F.turns = 0;
	F.dispatched = F.answered = 0;
	F.nheld = 0;

	F.client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FUZZ_ASSERT(F.client >= 0);
	FUZZ_ASSERT(connect(F.client, (struct sockaddr *)&F.addr, F.addrlen) == 0);
	loop_timer_arm(F.loop, &F.tick, 0);
	FUZZ_ASSERT(loop_run(F.loop) == 0);
	loop_timer_disarm(F.loop, &F.tick);

	/* Calls still held were orphaned with the connection: their answers are dropped. */
	answer_held();
	FUZZ_ASSERT(F.answered == F.dispatched);
	if (log_max_level >= LOG_LVL_DEBUG)
		fprintf(stderr, "fuzz-rpc: %u calls dispatched, %u loop turns\n", F.dispatched,
			F.turns);
	FUZZ_ASSERT(F.srv->nconns == 0 && F.srv->unanswered == 0);
	close(F.client);
	free(buf);
	return 0;
}
