/* Namespace registry and helper-thread opener: the ONLY module that calls setns(), unshare()
 * or mount(). Namespaces are identified by the inode of their nsfs file, so two names for one
 * namespace share one entry (and one netlink connection upstream). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop/loop.h"

typedef struct NetnsRegistry NetnsRegistry;

/* The one default for helper threads alive at once (netns_registry_new() with 0, and nsringd's
 * --opener-threads): enough to overlap the few syscalls each makes, few enough to stay cheap. */
#define NETNS_DEFAULT_THREADS 4
typedef struct Netns Netns;

typedef enum {
	NETNS_REF_SELF, /* the daemon's own network namespace */
	NETNS_REF_NAME, /* a name under the netns directory */
	NETNS_REF_PATH, /* an absolute path to an nsfs file */
	NETNS_REF_PID,	/* /proc/PID/ns/net */
} NetnsRefType;

typedef struct NetnsRef {
	NetnsRefType type;
	const char *str; /* NAME, PATH */
	pid_t pid;	 /* PID */
} NetnsRef;

/* An open namespace, as callers see it: these fields are read-only outside the module except
 * priv. Once closed (see netns_close_cb) reg is NULL and ns_fd is -1; the struct lives until
 * its last netns_unref(). The module's own state of an entry is private (netns-internal.h);
 * NETNS_PUBLIC_FIELDS lets it view these same fields by name. */
#define NETNS_PUBLIC_FIELDS                                                                        \
	NetnsRegistry *reg;                                                                        \
	uint64_t dev, ino; /* identity of the namespace */                                         \
	int ns_fd;	   /* O_RDONLY fd of the nsfs file: for IFLA_NET_NS_FD and setns() */      \
	void *priv;	   /* the upper layer's per-namespace state (its netlink connection) */

struct Netns {
	NETNS_PUBLIC_FIELDS
};

/* Called on the loop thread when a Netns is closed: the namespace was deleted through us,
 * went away behind our back (its name removed, the processes it was opened by exited), sat
 * idle (netns_registry_set_idle_close()), or the registry is being freed. The upper layer must
 * release ns->priv and everything it holds in the namespace (its netlink socket), so the
 * kernel can free the namespace. A later netns_open() resolves the reference afresh. */
typedef void (*netns_close_cb)(Netns *ns, void *userdata);

/* netns_dir: where named namespaces live (default /run/netns when NULL; must be absolute). It
 * need not exist yet: it is watched (inotify) from creation if it exists, else from the first
 * name opened or created in it.
 * max_threads bounds helper threads alive at once (0: NETNS_DEFAULT_THREADS); further jobs
 * queue. */
int netns_registry_new(NetnsRegistry **ret, Loop *loop, const char *netns_dir, unsigned max_threads,
		       netns_close_cb close_cb, void *userdata);
/* Closes every Netns (close_cb for each), waits for helper threads, frees. Opens and creates
 * still in flight are answered with -ECANCELED (a namespace being created is removed again).
 * Not from inside one of the registry's callbacks. The registry's LoopWake, its inotify read
 * and its pidfd polls are cancelled and released on the loop's next turn (or, if the loop
 * never runs again, stay allocated until the process exits: see NetnsOrphan). */
void netns_registry_free(NetnsRegistry *reg);
const char *netns_registry_dir(const NetnsRegistry *reg);

/* Where PATH references may point: each path's directory, canonicalized, must be one of these
 * or below one (defaults: the netns dir, /run/netns, /var/run/netns, /proc). Outside them
 * netns_open() gives -EPERM, as it does for a symlink in place of the namespace file. */
int netns_registry_set_path_prefixes(NetnsRegistry *reg, const char *const *prefixes, size_t n);

/* Open callback: r < 0 (negative errno) or r == 0 with ns (a new reference the callee owns;
 * drop it with netns_unref()). On the first open of a namespace, *ret_nl_fd... see
 * netns_take_nl_fd(). Always called from the loop, never from inside netns_open(). */
typedef void (*netns_open_cb)(void *userdata, int r, Netns *ns);

/* Returns 0 when cb will be called (exactly once, later, from the loop), or a negative errno
 * when ref cannot be resolved right away, in which case cb is never called.
 * Resolves ref and opens the namespace: the nsfs file is opened and checked (NS_GET_NSTYPE ==
 * CLONE_NEWNET) on the loop thread; when the namespace is not open yet, a helper thread enters
 * it and opens a NETLINK_ROUTE socket (SOCK_CLOEXEC|SOCK_NONBLOCK), then exits. Concurrent
 * opens of one namespace share one helper job. Errors: -EINVAL bad name/path, -ENOENT no such
 * namespace, -ESRCH no such pid, -EINVAL not a network namespace.
 * The entry remembers the reference, so that nobody has to tell us when the namespace goes
 * away: the netns directory is watched with inotify, and a pid (also the PID in the paths
 * /proc/PID/ns/net and /proc/PID/task/TID/ns/net) with a pidfd. When a name is removed or a
 * process exits, every entry it was opened by that none of its remembered references (its
 * names, its last other path, the processes still alive in it) reaches any more is closed
 * (netns_close_cb), even while referenced. Namespaces known only by other paths are not
 * watched: see netns_registry_set_idle_close(). */
int netns_open(NetnsRegistry *reg, const NetnsRef *ref, netns_open_cb cb, void *userdata);

/* Marks ns as used now (the upper layer sent a request in it), for the idle close. */
void netns_touch(Netns *ns);

/* Closes (netns_close_cb) entries nobody references (refs == 0) and neither opened nor
 * touched for idle_ns nanoseconds; 0 (the default) never does. A sweep runs every
 * max(idle_ns / 4, 1 s), so an entry closes between idle_ns and idle_ns plus that period after
 * its last use. A later open reopens the namespace (a new helper job). */
void netns_registry_set_idle_close(NetnsRegistry *reg, uint64_t idle_ns);

/* The netlink socket opened in the namespace, handed over once (returns -1 afterwards): the
 * caller owns it from then on. */
int netns_take_nl_fd(Netns *ns);

Netns *netns_ref(Netns *ns);
void netns_unref(Netns *ns);

/* Creates a named namespace as `ip netns add` does (netns dir made a shared mount, file
 * created O_EXCL, a helper thread unshare()s and bind-mounts /proc/thread-self/ns/net onto
 * it; it also opens the namespace's netlink socket while inside). cb gets the open Netns.
 * -EEXIST if the name exists, -EINVAL for a bad name. Returns 0 when cb will be called, as
 * netns_open() does; cb gets -ENOENT if the name is deleted before the creation completes. */
int netns_create(NetnsRegistry *reg, const char *name, netns_open_cb cb, void *userdata);

/* Removes name's file if it is what a creation that never finished leaves (a daemon killed
 * between creating the file and mounting the namespace on it): an empty regular file that is
 * no mounted namespace, with no creation of ours in flight for it. 0 removed; -EEXIST it is
 * something else (a namespace); -EBUSY our creation is in flight; -ENOENT no such file. */
int netns_reclaim_stale(NetnsRegistry *reg, const char *name);

/* Deletes a named namespace as `ip netns del` does (umount2 MNT_DETACH + unlink); if we have
 * it open, it is closed first (close_cb), so no socket of ours pins it. Synchronous. Opens of
 * the namespace still in flight get -ENOENT. */
int netns_delete(NetnsRegistry *reg, const char *name);

typedef struct NetnsEntry {
	char name[256];
	uint64_t ino; /* 0 if the file is not (yet) a mounted namespace */
} NetnsEntry;

/* Lists the netns directory, sorted by name. *ret is malloc()ed; caller frees. */
int netns_list(NetnsRegistry *reg, NetnsEntry **ret, size_t *ret_n);

/* For tests and stats: the most helper threads alive at once (created and not yet joined),
 * and how many were started in all. */
unsigned netns_registry_max_threads_seen(const NetnsRegistry *reg);
uint64_t netns_registry_threads_started(const NetnsRegistry *reg);
/* Entries open or opening, and process watches (pidfds) alive. */
size_t netns_registry_open_count(const NetnsRegistry *reg);
size_t netns_registry_pid_watches(const NetnsRegistry *reg);

/* Opens a socket (AF_NETLINK, protocol; SOCK_CLOEXEC|SOCK_NONBLOCK) inside ns from a helper
 * thread (netns_run_in(), netns-pool.h), e.g. a second NETLINK_ROUTE socket for multicast events.
 * cb gets 0 and the fd (the callee owns it), or a negative errno (-ENOENT: ns was closed meanwhile,
 * -ECANCELED: the registry is being freed) and -1. Returns 0 when cb will be called (exactly once,
 * later, from the loop), or a negative errno (-ESHUTDOWN: ns is closed), and cb is never called. */
typedef void (*netns_socket_cb)(void *userdata, int r, int fd);
int netns_open_socket(Netns *ns, int protocol, netns_socket_cb cb, void *userdata);

/* Called from the loop when a name appears in or leaves the netns directory (created, moved,
 * deleted; a new name's namespace may not be mounted on it yet), or with NULL when events
 * were lost and any name may have changed. One callback per registry; NULL removes it. */
typedef void (*netns_dir_cb)(void *userdata, const char *name);
void netns_registry_set_dir_cb(NetnsRegistry *reg, netns_dir_cb cb, void *userdata);
