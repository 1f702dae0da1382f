/* nsringd: wires the loop, the operations and the RPC transport together; options, the
 * listening socket, signals and a graceful shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/macro.h"
#include "core/status.h"
#include "loop/loop.h"
#include "netns/netns.h"
#include "ops/ops.h"
#include "rpc/rpc.h"
#include "sd.h"

#define DEFAULT_SOCKET "/run/nsring/nsring.sock"
#define DEFAULT_NETNS_DIR "/run/netns"
/* How long in-flight calls may take to finish once we are told to stop. */
#define SHUTDOWN_GRACE_NS (5ull * 1000000000ull)

typedef struct DaemonStream DaemonStream;

typedef struct Daemon {
	Loop *loop;
	Ops *ops;
	RpcServer *rpc;
	DaemonStream *streams; /* streaming calls (Watch) not ended yet */
	const char *socket_path;
	bool stopping;
	bool activated; /* the socket came from systemd */
	LoopTimer grace;
	LoopTimer drain;
	uint64_t drain_until;
} Daemon;

/* At exit, how long the kernel may take to return what io_uring still holds. */
#define DRAIN_NS (1000ull * 1000000ull)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nsringd [OPTIONS]\n"
		"Performs network-namespace operations for ttrpc and gRPC clients on a unix\n"
		"socket (both on the same one; gRPC with health checking and reflection).\n"
		"Under systemd it takes a socket-activated socket (LISTEN_FDS) and reports\n"
		"readiness (Type=notify).\n\n"
		"  -s, --socket PATH         listen here (default " DEFAULT_SOCKET ")\n"
		"  -d, --netns-dir DIR       named namespaces live here (default " DEFAULT_NETNS_DIR
		")\n"
		"  -g, --allow-group GROUP   also admit peers in this group (default: root only)\n"
		"  -u, --allow-uid USER      also admit this user (name or uid; repeatable)\n"
		"      --netns-path-prefix DIR  namespace paths clients give must be in DIR\n"
		"                            (repeatable; default: the netns dir, /run/netns,\n"
		"                            /var/run/netns, /proc)\n"
		"  -l, --log-level LEVEL     error, warning, info (default) or debug\n"
		"      --opener-threads N    namespace helper threads alive at once (default %u)\n"
		"      --max-connections N   clients connected at once (default 1024)\n"
		"      --idle-close SECONDS  close a namespace's sockets when unused this long;\n"
		"                            the next request reopens it (default 0: never)\n"
		"  -h, --help                show this help\n",
		NETNS_DEFAULT_THREADS);
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

/* The path of a socket systemd passed (its lock goes beside it); unchanged (-s or the default)
 * for an abstract or unnamed socket. */
static void activated_path(int fd, const char **path)
{
	static struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) && sa.sun_path[0] == '/' &&
	    len < sizeof(sa)) {
		((char *)&sa)[len] = '\0';
		*path = sa.sun_path;
	}
}

/* Who serves a socket path is decided by an exclusive OFD lock on PATH.lock, which the kernel
 * releases atomically when its holder dies: a daemon started right after a kill -9 serves at
 * once, where a connect() probe could still reach the dead daemon's socket for a moment (io_uring
 * releases it asynchronously) and refuse. The lock file is never removed: unlinking it would let
 * a daemon that opened the old file and one that creates a new file both hold "the" lock. The fd
 * stays open for the daemon's life (O_CLOEXEC: nothing we start inherits it). */
static int lock_socket_path(const char *path, int *ret_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char lock_path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int r;

	if (snprintf(lock_path, sizeof(lock_path), "%s.lock", path) >= (int)sizeof(lock_path))
		return -ENAMETOOLONG;
	r = mkdir_parents(lock_path);
	if (r < 0)
		return r;
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return negative_errno();
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		r = negative_errno();
		if (r == -EAGAIN || r == -EACCES) {
			log_error("another nsringd is serving %s (it holds %s)", path, lock_path);
			return -EADDRINUSE;
		}
		return r;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Binds under a temporary name and renames it into place, so clients never see a socket
 * with the wrong mode. The caller holds the path's lock (lock_socket_path()), so a socket file
 * already there is a dead daemon's: rename() replaces it atomically. */
static int listen_socket(const char *path, gid_t gid, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(sa.sun_path)];
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path) - 16)
		return -ENAMETOOLONG;
	r = mkdir_parents(path);
	if (r < 0)
		return r;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	unlink(tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return negative_errno();
	strcpy(sa.sun_path, tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return negative_errno();
	if (chmod(tmp, 0660) < 0 || (gid != (gid_t)-1 && chown(tmp, 0, gid) < 0) ||
	    listen(fd, 1024) < 0 || rename(tmp, path) < 0) {
		r = negative_errno();
		unlink(tmp);
		return r;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Every open namespace costs two fds (its nsfs file and its netlink socket): the usual soft limit
 * of 1024 would stop us near 500 namespaces, and a hard limit of 20000 near 10,000. With
 * CAP_SYS_RESOURCE we go up to the kernel's ceiling (fs.nr_open), else to the hard limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	unsigned long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (f) {
		if (fscanf(f, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (nr_open > rl.rlim_max &&
	    setrlimit(RLIMIT_NOFILE, &(struct rlimit){ nr_open, nr_open }) == 0)
		return;
	if (rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warning("cannot raise the open-file limit: %s", strerror(errno));
}

static void on_reply(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	RpcCall *call = userdata;

	if (code == 0)
		rpc_call_reply(call, resp);
	else
		rpc_call_fail(call, code, "%s", msg);
}

static void on_fd_reply(void *userdata, const ProtobufCMessage *resp, int fd)
{
	rpc_call_reply_fd(userdata, resp, fd);
}

static bool call_cancelled(void *userdata)
{
	return rpc_call_orphaned(userdata);
}

/* A streaming call (Watch) between the operations' stream and the transport's call. */
struct DaemonStream {
	Daemon *d;
	RpcCall *call;
	OpsStream *s;
	DaemonStream *prev, *next;
	size_t queued; /* bytes waiting for the client when a send was refused */
	bool starting, ended;
};

static void stream_unlink(DaemonStream *ds)
{
	LIST_UNLINK(ds->d->streams, ds, prev, next);
}

static int stream_send(void *userdata, const ProtobufCMessage *msg)
{
	DaemonStream *ds = userdata;
	int r = rpc_call_send(ds->call, msg);

	if (r == -ENOBUFS)
		ds->queued = rpc_call_queued(ds->call);
	return r;
}

static void stream_end(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	DaemonStream *ds = userdata;

	if (code == 0)
		rpc_call_reply(ds->call, NULL);
	else if (code == STATUS_RESOURCE_EXHAUSTED && ds->queued)
		rpc_call_fail(ds->call, code, "%s: %zu bytes queued", msg, ds->queued);
	else
		rpc_call_fail(ds->call, code, "%s", msg);
	ds->ended = true;
	stream_unlink(ds);
	if (!ds->starting)
		free(ds);
}

/* The client cancelled or left, or the server is stopping: end the stream. */
static void stream_cancelled(void *userdata)
{
	DaemonStream *ds = userdata;

	if (ds->d->stopping)
		ops_stream_cancel(ds->s, STATUS_UNAVAILABLE, "nsringd is stopping");
	else
		ops_stream_cancel(ds->s, STATUS_CANCELLED,
				  "cancelled: the client cancelled the stream or left");
}

static const OpsStreamCb stream_cb = { .send = stream_send, .end = stream_end };

static void on_stream_call(Daemon *d, RpcCall *call, const RpcCallInfo *info)
{
	DaemonStream *ds;

	if (d->stopping) {
		/* It would never end on its own and hold up the shutdown. */
		rpc_call_fail(call, STATUS_UNAVAILABLE, "nsringd is stopping");
		return;
	}
	ds = calloc(1, sizeof(*ds));
	if (!ds) {
		rpc_call_fail(call, STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	ds->d = d;
	ds->call = call;
	LIST_PREPEND(d->streams, ds, prev, next);
	ds->starting = true;
	ds->s = ops_stream_start(d->ops, info->method, info->payload, info->len, &stream_cb, ds);
	ds->starting = false;
	if (ds->ended) {
		free(ds); /* ended right away (bad input): the call is answered */
		return;
	}
	rpc_call_on_cancel(call, stream_cancelled, ds);
}

static void on_call(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	Daemon *d = userdata;

	log_debug("call %s from pid %d (%zu bytes)", info->method, (int)info->pid, info->len);
	if (ops_method_streams(info->method)) {
		on_stream_call(d, call, info);
		return;
	}
	ops_call_fd(d->ops, info->method, info->payload, info->len, info->deadline, on_reply,
		    info->pass_fds ? on_fd_reply : NULL, call);
}

static void on_drained(void *userdata)
{
	Daemon *d = userdata;

	log_info("all calls answered; exiting");
	loop_quit(d->loop, 0);
}

static void on_grace_expired(LoopTimer *t)
{
	Daemon *d = container_of(t, Daemon, grace);

	log_warning("%u calls still running after the grace period: answering UNAVAILABLE",
		    ops_outstanding(d->ops));
	rpc_server_abort_calls(d->rpc, "nsringd stopped before the operation finished");
	/* Replies are queued; quitting runs the final flush. */
	loop_quit(d->loop, 0);
}

static void on_drain_tick(LoopTimer *t)
{
	Daemon *d = container_of(t, Daemon, drain);

	if (ops_idle(d->ops) || loop_now(d->loop) >= d->drain_until) {
		loop_quit(d->loop, 0);
		return;
	}
	loop_timer_arm(d->loop, t, loop_now(d->loop) + 2000000ull);
}

static void on_signal(void *userdata, int signo)
{
	Daemon *d = userdata;

	if (d->stopping) {
		log_warning("second %s: exiting now", strsignal(signo));
		loop_quit(d->loop, 1);
		return;
	}
	d->stopping = true;
	log_info("%s: stopping; no new connections", strsignal(signo));
	sd_notify_str("STOPPING=1");
	if (!d->activated)
		unlink(d->socket_path); /* new clients fail fast instead of hanging */
	loop_timer_arm(d->loop, &d->grace, loop_now(d->loop) + SHUTDOWN_GRACE_NS);
	/* Streams never end on their own: end them, or the shutdown waits out the grace. */
	for (DaemonStream *ds = d->streams, *next; ds; ds = next) {
		next = ds->next;
		ops_stream_cancel(ds->s, STATUS_UNAVAILABLE, "nsringd is stopping");
	}
	rpc_server_shutdown(d->rpc, on_drained, d);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "netns-dir", required_argument, NULL, 'd' },
		{ "allow-group", required_argument, NULL, 'g' },
		{ "allow-uid", required_argument, NULL, 'u' },
		{ "netns-path-prefix", required_argument, NULL, 'P' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "opener-threads", required_argument, NULL, 'T' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "idle-close", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	Daemon d = { .socket_path = DEFAULT_SOCKET, .grace.cb = on_grace_expired };
	OpsConfig ocfg = { .netns_dir = DEFAULT_NETNS_DIR, .opener_threads = NETNS_DEFAULT_THREADS };
	RpcServerConfig rcfg = { .allow_gid = (gid_t)-1, .max_connections = 1024 };
	static uid_t allow_uids[64];
	static const char *prefixes[64];
	size_t n_uids = 0, n_prefixes = 0;
	sigset_t sigs;
	int c, r, fd = -1;
	_cleanup_close_ int lock_fd = -1;

	while ((c = getopt_long(argc, argv, "s:d:g:u:l:h", options, NULL)) >= 0) {
		switch (c) {
		case 's':
			d.socket_path = optarg;
			break;
		case 'd':
			if (optarg[0] != '/') {
				fprintf(stderr, "nsringd: --netns-dir must be an absolute path\n");
				return 2;
			}
			ocfg.netns_dir = optarg;
			break;
		case 'g': {
			struct group *g = getgrnam(optarg);
			unsigned gid;
			if (g)
				rcfg.allow_gid = g->gr_gid;
			else if (parse_uint(optarg, 0, 0x7fffffff, &gid) == 0)
				rcfg.allow_gid = gid;
			else {
				fprintf(stderr, "nsringd: unknown group \"%s\"\n", optarg);
				return 2;
			}
			break;
		}
		case 'u': {
			struct passwd *pw = getpwnam(optarg);
			unsigned uid;
			if (n_uids == ARRAY_SIZE(allow_uids)) {
				fprintf(stderr, "nsringd: at most %zu --allow-uid\n",
					ARRAY_SIZE(allow_uids));
				return 2;
			}
			if (pw)
				allow_uids[n_uids++] = pw->pw_uid;
			else if (parse_uint(optarg, 0, 0x7fffffff, &uid) == 0)
				allow_uids[n_uids++] = uid;
			else {
				fprintf(stderr, "nsringd: unknown user \"%s\"\n", optarg);
				return 2;
			}
			break;
		}
		case 'P':
			if (optarg[0] != '/' || n_prefixes == ARRAY_SIZE(prefixes)) {
				fprintf(stderr, "nsringd: --netns-path-prefix takes an absolute "
						"directory (at most %zu of them)\n",
					ARRAY_SIZE(prefixes));
				return 2;
			}
			prefixes[n_prefixes++] = optarg;
			break;
		case 'l':
			r = log_level_from_string(optarg);
			if (r < 0) {
				fprintf(stderr, "nsringd: unknown log level \"%s\"\n", optarg);
				return 2;
			}
			log_max_level = r;
			break;
		case 'T':
			if (parse_uint(optarg, 1, 256, &ocfg.opener_threads) < 0) {
				fprintf(stderr, "nsringd: --opener-threads takes 1-256\n");
				return 2;
			}
			break;
		case 'C':
			if (parse_uint(optarg, 1, 1000000, &rcfg.max_connections) < 0) {
				fprintf(stderr, "nsringd: --max-connections takes 1-1000000\n");
				return 2;
			}
			break;
		case 'I': {
			unsigned secs;

			/* Up to a year: nothing gains from longer, and the product fits easily. */
			if (parse_uint(optarg, 0, 366 * 86400, &secs) < 0) {
				fprintf(stderr, "nsringd: --idle-close takes 0-31622400 seconds\n");
				return 2;
			}
			ocfg.idle_close_ns = (uint64_t)secs * 1000000000ull;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nsringd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	rcfg.allow_uids = allow_uids;
	rcfg.n_allow_uids = n_uids;
	if (n_prefixes) {
		ocfg.path_prefixes = prefixes;
		ocfg.n_path_prefixes = n_prefixes;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Socket-activated: systemd owns the socket (and its path): never unlink it. Either way the
	 * path's lock is taken first, before any work: one daemon per socket path. */
	fd = sd_listen_fd();
	if (fd >= 0) {
		d.activated = true;
		activated_path(fd, &d.socket_path);
	} else if (fd != -ENOENT) {
		log_error("the socket passed by systemd is not a listening unix stream socket");
		return 1;
	}
	r = lock_socket_path(d.socket_path, &lock_fd);
	if (r < 0) {
		if (r != -EADDRINUSE)
			log_error("cannot lock %s.lock: %s", d.socket_path, strerror(-r));
		return 1;
	}
	raise_fd_limit();
	r = loop_new(&d.loop, 1024);
	if (r < 0) {
		log_error("io_uring setup failed: %s", strerror(-r));
		return 1;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	/* Before any helper thread exists, so they all inherit the blocked mask. */
	r = loop_add_signals(d.loop, &sigs, on_signal, &d);
	if (r < 0) {
		log_error("signal setup failed: %s", strerror(-r));
		return 1;
	}
	r = ops_new(&d.ops, d.loop, &ocfg);
	if (r < 0) {
		log_error("setup failed: %s", strerror(-r));
		return 1;
	}
	ops_set_cancel_check(d.ops, call_cancelled);
	if (!d.activated) {
		r = listen_socket(d.socket_path, rcfg.allow_gid, &fd);
		if (r < 0) {
			log_error("cannot listen on %s: %s", d.socket_path, strerror(-r));
			return 1;
		}
	}
	r = rpc_server_new(&d.rpc, d.loop, fd, &rcfg, on_call, &d);
	if (r < 0) {
		log_error("RPC setup failed: %s", strerror(-r));
		if (!d.activated)
			unlink(d.socket_path);
		return 1;
	}
	log_info("nsringd %s listening on %s (netns dir %s)", NSRING_VERSION,
		 d.activated ? "the socket systemd passed" : d.socket_path, ocfg.netns_dir);
	sd_notify_str("READY=1");

	r = loop_run(d.loop);
	if (!d.stopping && !d.activated)
		unlink(d.socket_path);
	/* Close every namespace, then let the kernel hand back what it still holds (a bounded
	 * wait: the loop delivers the last completions). */
	ops_shutdown(d.ops);
	d.drain_until = loop_now(d.loop) + DRAIN_NS;
	d.drain.cb = on_drain_tick;
	loop_timer_arm(d.loop, &d.drain, loop_now(d.loop));
	loop_run(d.loop);
	rpc_server_free(d.rpc);
	ops_free(d.ops);
	loop_free(d.loop);
	return r < 0 ? 1 : r;
}
