/* libFuzzer harness for request decoding and validation: the first input byte picks a method of
 * nsring.v1.NsRing (and a scenario), the rest is its protobuf request, run by a real Ops on a
 * real loop. Each call must be answered exactly once, with a reply that packs.
 *
 * A valid request really changes the network, so everything runs in private user, network and
 * mount namespaces created at start (and checked: the harness aborts if the host's network
 * namespace is still reachable); named namespaces live in a private tmpfs on /run. State a request
 * leaves behind (namespaces, links, addresses, routes) is removed after it.
 *
 * First byte: bits 0-4 the method (modulo the table below; 31: the next byte adds to it);
 * bit 5 a deadline that has already passed; bit 6 the caller reports the client gone (the
 * cancel check says true); bit 7 the caller cannot take fds with replies (gRPC: OpenSocket and
 * OpenNamespace must refuse). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "loop/loop.h"
#include "nsring/v1/nsring.pb-c.h"
#include "ops/ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-request: assertion failed: %s (line %d)\n", #cond,   \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char *const methods[] = {
	"CreateNamespace",
	"DeleteNamespace",
	"ListNamespaces",
	"CreateLink",
	"GetLink",
	"ListLinks",
	"UpdateLink",
	"DeleteLink",
	"CreateAddress",
	"DeleteAddress",
	"ListAddresses",
	"CreateRoute",
	"DeleteRoute",
	"ListRoutes",
	"Batch",
	"Watch",
	"",
	"NoSuchMethod",
	"OpenSocket",
	"OpenNamespace",
	"Netlink",
	"GetSysctl",
	"SetSysctl",
	/* traffic control: after the others, so the corpus's method bytes keep their meaning */
	"CreateQdisc",
	"DeleteQdisc",
	"ListQdiscs",
	"CreateClass",
	"DeleteClass",
	"ListClasses",
	"CreateFilter",
	"DeleteFilter",
	"ListFilters",
	"UpdateBridgePort",
	"CreateBridgeVlan",
	"DeleteBridgeVlan",
	"ListBridgeVlans",
	/* Neighbours and FDB entries. */
	"CreateNeighbor",
	"DeleteNeighbor",
	"ListNeighbors",
	"CreateFdbEntry",
	"DeleteFdbEntry",
	"ListFdbEntries",
	/* Policy routing (routing.proto). */
	"GetRoute",
	"CreateRule",
	"DeleteRule",
	"ListRules",
	"CreateNexthop",
	"DeleteNexthop",
	"ListNexthops",
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

/* A cleanup request to send after the current call: method and packed request. */
typedef struct Pending {
	const char *method;
	uint8_t *req;
	size_t len;
} Pending;

static struct {
	Loop *loop;
	Ops *ops;
	char dir[32];
	bool cancelled;
	bool no_fds;
	/* The call in flight: its generation (the userdata of its reply) and its replies. */
	uintptr_t gen;
	unsigned replies;
	int code;
	void (*collect)(const ProtobufCMessage *resp);
	Pending *todo;
	size_t ntodo, captodo;
} F;

static void on_reply(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	/* Exactly once, and only for the call in flight. */
	FUZZ_ASSERT((uintptr_t)userdata == F.gen);
	FUZZ_ASSERT(F.replies == 0);
	F.replies++;
	F.code = code;
	FUZZ_ASSERT(code >= 0 && code <= 16);
	if (code == 0) {
		size_t n;
		uint8_t *p;

		FUZZ_ASSERT(resp);
		n = protobuf_c_message_get_packed_size(resp);
		p = malloc(n ? n : 1);
		FUZZ_ASSERT(p);
		FUZZ_ASSERT(protobuf_c_message_pack(resp, p) == n);
		free(p);
		if (F.collect)
			F.collect(resp);
	} else {
		FUZZ_ASSERT(msg);
		(void)strlen(msg);
	}
	loop_quit(F.loop, 0);
}

/* A reply with an fd: OK, the fd valid, and ours to close. */
static void on_fd_reply(void *userdata, const ProtobufCMessage *resp, int fd)
{
	FUZZ_ASSERT(fd >= 0 && fcntl(fd, F_GETFD) >= 0);
	close(fd);
	on_reply(userdata, 0, NULL, resp);
}

static bool is_cancelled(void *userdata)
{
	return F.cancelled;
}

/* The inputs run so far, newest last: a hang may depend on what earlier ones left behind. */
#define HISTORY 16
static struct {
	uint8_t *data;
	size_t len;
} history[HISTORY];
static unsigned n_history;

static void history_add(const uint8_t *data, size_t size)
{
	unsigned i = n_history++ % HISTORY;

	free(history[i].data);
	history[i].data = malloc(size ? size : 1);
	FUZZ_ASSERT(history[i].data);
	memcpy(history[i].data, data, size);
	history[i].len = size;
}

/* A call unanswered this long is a hang: every netlink request times out after 30 s
 * (NLCONN_DEFAULT_TIMEOUT_NS), so a call may take that long when other work on the machine
 * holds the kernel's rtnl lock (namespace teardown can, for seconds), never much longer. On a
 * hang, the recent inputs go to NSRING_FUZZ_HANG_DIR (if set) as 00..15, in order, to replay
 * with the smoke runner, and the harness aborts. A thread watches, so the loop waits exactly as
 * it would without it. */
#define HANG_S 45
static _Atomic uintptr_t watch_gen;
static const char *_Atomic watch_method;

static void *watchdog(void *arg)
{
	for (;;) {
		uintptr_t gen = watch_gen;
		const char *dir = getenv("NSRING_FUZZ_HANG_DIR");
		unsigned first = n_history > HISTORY ? n_history - HISTORY : 0;

		sleep(HANG_S);
		if (gen == 0 || gen != watch_gen)
			continue;
		fprintf(stderr, "fuzz-request: hang: a call of %s got no reply in %d s\n",
			watch_method, HANG_S);
		for (unsigned i = first; dir && i < n_history; i++) {
			char path[4096];
			FILE *f;

			snprintf(path, sizeof(path), "%s/%02u", dir, i - first);
			f = fopen(path, "wb");
			if (f) {
				fwrite(history[i % HISTORY].data, 1, history[i % HISTORY].len, f);
				fclose(f);
			}
		}
		abort();
	}
	return NULL;
}

/* Runs one call to its reply; returns the status code. */
static int call(const char *method, const uint8_t *req, size_t len, uint64_t deadline)
{
	F.gen++;
	F.replies = 0;
	ops_call_fd(F.ops, method, req, len, deadline, on_reply, F.no_fds ? NULL : on_fd_reply,
		    (void *)F.gen);
	watch_method = method;
	watch_gen = F.gen;
	while (F.replies == 0)
		FUZZ_ASSERT(loop_run(F.loop) == 0);
	watch_gen = 0;
	FUZZ_ASSERT(F.replies == 1);
	return F.code;
}

/* ---- cleanup: what the request created goes, so inputs do not depend on each other */

static void todo_add(const char *method, const ProtobufCMessage *req)
{
	Pending *p;

	if (F.ntodo == F.captodo) {
		size_t cap = F.captodo ? 2 * F.captodo : 64;

		F.todo = realloc(F.todo, cap * sizeof(*F.todo));
		FUZZ_ASSERT(F.todo);
		F.captodo = cap;
	}
	p = &F.todo[F.ntodo++];
	p->method = method;
	p->len = protobuf_c_message_get_packed_size(req);
	p->req = malloc(p->len ? p->len : 1);
	FUZZ_ASSERT(p->req);
	protobuf_c_message_pack(req, p->req);
}

static void collect_namespaces(const ProtobufCMessage *m)
{
	const Nsring__V1__ListNamespacesResponse *r = (const void *)m;

	for (size_t i = 0; i < r->n_namespaces; i++) {
		Nsring__V1__DeleteNamespaceRequest d = NSRING__V1__DELETE_NAMESPACE_REQUEST__INIT;

		d.name = r->namespaces[i]->name;
		todo_add("DeleteNamespace", &d.base);
	}
}

static void collect_links(const ProtobufCMessage *m)
{
	const Nsring__V1__ListLinksResponse *r = (const void *)m;

	for (size_t i = 0; i < r->n_links; i++) {
		Nsring__V1__DeleteLinkRequest d = NSRING__V1__DELETE_LINK_REQUEST__INIT;

		if (strcmp(r->links[i]->name, "lo") == 0)
			continue;
		d.index = r->links[i]->index;
		todo_add("DeleteLink", &d.base);
	}
}

static void collect_addresses(const ProtobufCMessage *m)
{
	const Nsring__V1__ListAddressesResponse *r = (const void *)m;

	for (size_t i = 0; i < r->n_addresses; i++) {
		Nsring__V1__DeleteAddressRequest d = NSRING__V1__DELETE_ADDRESS_REQUEST__INIT;
		Nsring__V1__Address a = *r->addresses[i];

		/* lo's own 127.0.0.1/8 and ::1 stay. */
		if (strcmp(a.address, "127.0.0.1") == 0 || strcmp(a.address, "::1") == 0)
			continue;
		a.link_name = "";
		d.address = &a;
		todo_add("DeleteAddress", &d.base);
	}
}

static void collect_routes(const ProtobufCMessage *m)
{
	const Nsring__V1__ListRoutesResponse *r = (const void *)m;

	for (size_t i = 0; i < r->n_routes; i++) {
		Nsring__V1__DeleteRouteRequest d = NSRING__V1__DELETE_ROUTE_REQUEST__INIT;
		Nsring__V1__Route rt = *r->routes[i];

		if (rt.protocol == 2) /* RTPROT_KERNEL: lo's own */
			continue;
		rt.dev = "";
		d.route = &rt;
		todo_add("DeleteRoute", &d.base);
	}
}

static void run_todo(void)
{
	for (size_t i = 0; i < F.ntodo; i++) {
		call(F.todo[i].method, F.todo[i].req, F.todo[i].len, 0);
		free(F.todo[i].req);
	}
	F.ntodo = 0;
}

static void list_and_delete(const char *list, const ProtobufCMessage *req,
			    void (*collect)(const ProtobufCMessage *))
{
	uint8_t buf[64];
	size_t n = protobuf_c_message_pack(req, buf);

	F.collect = collect;
	call(list, buf, n, 0);
	F.collect = NULL;
	run_todo();
}

/* Qdiscs left on lo (the links the fuzzer makes go with their deletes, their qdiscs too). */
static void tc_cleanup(void)
{
	static const char *const parents[] = { "root", "ingress" };
	Nsring__V1__DeleteQdiscRequest dq = NSRING__V1__DELETE_QDISC_REQUEST__INIT;
	Nsring__V1__Qdisc q = NSRING__V1__QDISC__INIT;
	uint8_t buf[64];

	q.link_name = "lo";
	dq.qdisc = &q;
	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		q.parent = (char *)parents[i];
		call("DeleteQdisc", buf, protobuf_c_message_pack(&dq.base, buf), 0);
	}
}

static void cleanup(void)
{
	Nsring__V1__ListNamespacesRequest ln = NSRING__V1__LIST_NAMESPACES_REQUEST__INIT;
	Nsring__V1__ListLinksRequest ll = NSRING__V1__LIST_LINKS_REQUEST__INIT;
	Nsring__V1__ListAddressesRequest la = NSRING__V1__LIST_ADDRESSES_REQUEST__INIT;
	Nsring__V1__ListRoutesRequest lr = NSRING__V1__LIST_ROUTES_REQUEST__INIT;

	F.cancelled = false;
	list_and_delete("ListNamespaces", &ln.base, collect_namespaces);
	list_and_delete("ListLinks", &ll.base, collect_links);
	list_and_delete("ListAddresses", &la.base, collect_addresses);
	lr.table = 0;
	list_and_delete("ListRoutes", &lr.base, collect_routes);
	tc_cleanup();
}

/* ---- private namespaces */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static ino_t ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Enters private user, network and mount namespaces and proves the host's network namespace
 * is out of reach. Exits 77 (skip) when namespaces cannot be created. */
static void enter_sandbox(void)
{
	char uid_map[64], gid_map[64];
	ino_t host_net = ns_ino("/proc/self/ns/net"), pid1_net = ns_ino("/proc/1/ns/net");
	int host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;

	if (host_fd < 0 || host_net == 0) {
		fprintf(stderr, "fuzz-request: cannot open /proc/self/ns/net: skipping\n");
		exit(77);
	}
	snprintf(uid_map, sizeof(uid_map), "0 %u 1", (unsigned)getuid());
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", (unsigned)getgid());
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "fuzz-request: cannot create private namespaces (%s): skipping\n",
			strerror(errno));
		exit(77);
	}
	if (write_file("/proc/self/uid_map", uid_map) < 0 ||
	    write_file("/proc/self/setgroups", "deny") < 0 ||
	    write_file("/proc/self/gid_map", gid_map) < 0) {
		fprintf(stderr, "fuzz-request: cannot map ids in the user namespace: skipping\n");
		exit(77);
	}

	/* Not one step further unless the network namespace is really another one, and the
	 * host's cannot be entered from here (no capabilities over it). */
	FUZZ_ASSERT(ns_ino("/proc/self/ns/net") != 0);
	FUZZ_ASSERT(ns_ino("/proc/self/ns/net") != host_net);
	FUZZ_ASSERT(pid1_net == 0 || ns_ino("/proc/self/ns/net") != pid1_net);
	FUZZ_ASSERT(setns(host_fd, CLONE_NEWNET) < 0 && errno == EPERM);
	FUZZ_ASSERT(ns_ino("/proc/self/ns/net") != host_net);
	close(host_fd);

	/* Mounts stay in this mount namespace. A fresh tmpfs on /run hides the host's /run/netns
	 * and holds ours, and leaves nothing behind on the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "size=1m,mode=0755") < 0) {
		fprintf(stderr, "fuzz-request: cannot mount a private /run (%s): skipping\n",
			strerror(errno));
		exit(77);
	}
	snprintf(F.dir, sizeof(F.dir), "/run/netns");
	FUZZ_ASSERT(mkdir(F.dir, 0755) == 0);

	/* lo up, so addresses and routes on it can work. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FUZZ_ASSERT(s >= 0);
	FUZZ_ASSERT(ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	FUZZ_ASSERT(ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
	close(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *lvl = getenv("NSRING_FUZZ_LOG");
	const char *prefixes[1];
	OpsConfig cfg = { .opener_threads = 2 };
	int r;

	log_max_level = lvl ? log_level_from_string(lvl) : LOG_LVL_ERR - 1;
	enter_sandbox();
	prefixes[0] = F.dir;
	cfg.netns_dir = F.dir;
	cfg.path_prefixes = prefixes;
	cfg.n_path_prefixes = 1;
	r = loop_new(&F.loop, 256);
	FUZZ_ASSERT(r == 0);
	r = ops_new(&F.ops, F.loop, &cfg);
	if (r < 0) {
		fprintf(stderr, "fuzz-request: ops_new: %s\n", strerror(-r));
		exit(1);
	}
	ops_set_cancel_check(F.ops, is_cancelled);
	if (getenv("NSRING_FUZZ_HANG_DIR")) {
		pthread_t t;

		FUZZ_ASSERT(pthread_create(&t, NULL, watchdog, NULL) == 0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl = size ? data[0] : 0;
	/* 31 is an escape: the byte after it picks among the methods from 31 on (the table
	 * outgrew five bits). */
	size_t idx = ctl & 0x1f;
	const char *method;
	uint8_t *payload;
	uint64_t deadline = 0;
	static unsigned runs;
	int code;

	history_add(data, size);
	if (size)
		data++, size--;
	if (idx == 31 && size)
		idx += data[0], data++, size--;
	method = methods[idx % N_METHODS];
	/* An exact-size copy, so ASan sees reads past the payload. */
	payload = malloc(size ? size : 1);
	FUZZ_ASSERT(payload);
	memcpy(payload, data, size);
	if (ctl & 0x20)
		deadline = loop_now(F.loop) > 1 ? loop_now(F.loop) - 1 : 1;
	F.cancelled = ctl & 0x40;
	F.no_fds = ctl & 0x80;
	code = call(method, payload, size, deadline);
	if (F.no_fds && (strcmp(method, "OpenSocket") == 0 || strcmp(method, "OpenNamespace") == 0))
		FUZZ_ASSERT(code == STATUS_FAILED_PRECONDITION);
	if (log_max_level >= LOG_LVL_DEBUG)
		fprintf(stderr, "fuzz-request: %s: code %d\n", method, code);
	free(payload);
	F.cancelled = false;
	F.no_fds = false;
	/* Rejected requests changed nothing (a batch may have run some of its ops first). */
	if (++runs % 256 == 0 || code == 0 || strcmp(method, "Batch") == 0 ||
	    (code != STATUS_INVALID_ARGUMENT && code != STATUS_UNIMPLEMENTED))
		if (strncmp(method, "List", 4) != 0 && strcmp(method, "GetLink") != 0)
			cleanup();
	FUZZ_ASSERT(ops_outstanding(F.ops) == 0);
	return 0;
}
