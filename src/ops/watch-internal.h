/* Internals shared by the Watch's files: watch-ns.c (a namespace's event socket and dumps) and
 * watch-stream.c (the streams, their subscriptions and requests); the mirror is watch-state.c. */
#pragma once

/* Watch is a server-streaming method of link, address and route events of one namespace, a list, or
 * every namespace (the daemon's own and every name under the netns dir, also later ones). Each
 * watched namespace has one event socket (subscribed to the rtnetlink groups its watches need,
 * opened inside it by a helper thread) shared by every watch of it, and one mirror of its objects:
 * the mirror is filled by a dump on the namespace's connection taken after subscribing, with the
 * notifications that arrive meanwhile held back and applied after it, so nothing falls between the
 * dump and the stream. Events are judged against the mirror (ADDED, CHANGED, DELETED), and a watch
 * joining later gets its snapshot from the mirror. An overrun of the event socket throws the mirror
 * away: every watch of the namespace gets RESYNC and a fresh snapshot. */

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"
#include "core/macro.h"
#include "nlconn/nlevents.h"
#include "ops-internal.h"
#include "ops/watch-state.h"

/* Event sockets' receive buffers: a ring of their own, so they never starve the connections'. */
#define WATCH_BUF_GROUP 2
#define WATCH_BUF_COUNT 256
#define WATCH_BUF_SIZE	16384
/* Notifications held back per namespace while its dump runs; past it they count as lost. */
#define WATCH_HOLD_MAX (8u << 20)
/* A failed dump or event socket is retried after this long. */
#define WATCH_RETRY_NS (250ull * 1000000ull)
/* all_namespaces: the netns dir is listed again this soon after a name appeared, then with
 * backoff while a name there is not a mounted namespace yet (ip netns add mounts after it
 * creates the file). */
#define WATCH_RESCAN_FIRST_NS (5ull * 1000000ull)
#define WATCH_RESCAN_MAX_NS   (1000ull * 1000000ull)
#define WATCH_RESCAN_TRIES    12
#define WATCH_RESCAN_BUSY_NS  (50ull * 1000000ull)
/* For tests: the event sockets' receive buffer in bytes (default 4 MiB), to provoke overruns. */
#define WATCH_RCVBUF_ENV "NSRINGD_EVENT_RCVBUF"

typedef struct Watches Watches;
typedef struct WatchNs WatchNs;
typedef struct WatchSub WatchSub;
typedef struct WatchOpen WatchOpen;
typedef struct WatchDump WatchDump;

/* One watch's view of one namespace. */
typedef enum {
	SUB_SNAPSHOT, /* waits for the mirror to be in sync, then gets a snapshot and SYNCED */
	SUB_QUIET,    /* no snapshot asked: live events once the first dump is in */
	SUB_LIVE,
} SubState;

struct WatchSub {
	OpsStream *s;
	WatchNs *wns;
	WatchSub *s_prev, *s_next; /* the stream's */
	WatchSub *n_prev, *n_next; /* the namespace's */
	SubState state;
};

struct WatchDump {
	WatchNs *wns; /* NULL once the namespace's state is gone: the answers are dropped */
	unsigned pending;
	unsigned kinds;
	int error;
	struct WatchDumpReq {
		WatchDump *d;
		int what;      /* RTM_GETLINK, ... */
		unsigned kind; /* WK_* of what it returns (one RTM_GETNEIGH serves two) */
	} req[8];
	WObj *objs; /* what the dump returned, in order */
	size_t n, cap;
};

typedef struct WatchSockReq {
	WatchNs *wns; /* NULL once the namespace's state is gone: the socket is closed */
} WatchSockReq;

struct WatchNs {
	Watches *w;
	WatchNs *prev, *next; /* w->nss */
	HNode hnode;	      /* w->nmap, by inode */
	Netns *ns;	      /* a reference */
	Nsring__V1__Namespace pb;
	char *name, *path;
	NlEvents *ev;
	WatchSockReq *sockreq;
	WatchSub *subs;
	/* The mirror; mirror.kinds: what it tracks (links always: names for the others). */
	WState mirror;
	bool synced; /* the mirror reflects the namespace (a dump got in since the last loss) */
	WatchDump *dump;
	bool dump_again; /* dump once more after the one running (kinds were added) */
	bool lost;	 /* notifications were lost during the running dump: redo it */
	uint8_t *hold;	 /* notifications that arrived during the dump */
	size_t hold_len, hold_cap;
	LoopTimer retry;
};

struct WatchOpen {
	Watches *w;
	OpsStream *s; /* NULL once the stream ended */
	WatchOpen *prev, *next;
	bool by_name; /* all_namespaces: a netns dir name (its errors are not the client's) */
	char *name, *path;
	char *what;
};

struct OpsStream {
	Watches *w;
	OpsStream *prev, *next;
	OpsStreamCb cb;
	void *userdata;
	unsigned kinds;
	bool snapshot, all, ended;
	WatchSub *subs;
	WatchOpen *opens;
	unsigned n_opens;
};

struct Watches {
	Ops *ops;
	LoopBufRing *br;
	uint32_t rcvbuf;
	OpsStream *streams;
	WatchNs *nss;
	HMap nmap;   /* the WatchNs by inode */
	Op *scratch; /* an arena for building messages, reset after each */
	LoopDefer reap;
	bool reap_needed;
	LoopTimer rescan;
	unsigned rescan_tries;
	unsigned n_all;
	bool dir_hooked;
};

/* watch-stream.c */
/* Ends the stream: exactly once, cb->end last. Its memory goes on the next reap, so loops over
 * a namespace's watches never see one freed under them. */
void watch_stream_end(OpsStream *s, int code, const char *fmt, ...) _printf_(3, 4);
void watch_stream_send_type(OpsStream *s, WatchNs *wns, Nsring__V1__WatchEventType type);
void watch_sub_free(WatchSub *sub);
/* The mirror's events, sent to the namespace's watches (the WState callback). */
void wns_emit(void *userdata, WStateEvent type, const WObj *o, bool from_dump);
/* The mirror is in sync: watches waiting for it get going. */
void wns_serve_waiting(WatchNs *wns);

/* watch-ns.c */
WatchNs *wns_find(Watches *w, const Netns *ns);
WatchNs *wns_find_ino(Watches *w, uint64_t ino);
/* The watch state of ns, made on first use; takes over the caller's reference on ns. */
int wns_get(Watches *w, Netns *ns, const char *name, const char *path, WatchNs **ret);
/* Lets go of the namespace (and its watches' subscriptions to it). */
void wns_free(WatchNs *wns);
/* Subscribes the event socket to the groups of the mirror's kinds. */
int wns_subscribe(WatchNs *wns);
/* A dump of the mirror's kinds (again after the running one, if one runs). */
void wns_dump_start(WatchNs *wns);
/* Notifications were lost: RESYNC, and a new dump. */
void wns_lost(WatchNs *wns, const char *why);
