/* Watch: a server-streaming method of link, address and route events of one namespace, a list,
 * or every namespace (the daemon's own and every name under the netns dir, also later ones).
 * Each watched namespace has one event socket (subscribed to the rtnetlink groups its watches
 * need, opened inside it by a helper thread) shared by every watch of it, and one mirror of its
 * objects: the mirror is filled by a dump on the namespace's connection taken after subscribing,
 * with the notifications that arrive meanwhile held back and applied after it, so nothing falls
 * between the dump and the stream. Events are judged against the mirror (ADDED, CHANGED,
 * DELETED), and a watch joining later gets its snapshot from the mirror. An overrun of the event
 * socket throws the mirror away: every watch of the namespace gets RESYNC and a fresh snapshot. */
#include <errno.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/names.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/status.h"
#include "nlconn/nlevents.h"
#include "ops-internal.h"

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

enum { WK_LINK = 1, WK_ADDR = 2, WK_ROUTE = 4, WK_ALL = 7 };

typedef struct Watches Watches;
typedef struct WatchNs WatchNs;
typedef struct WatchSub WatchSub;
typedef struct WatchOpen WatchOpen;
typedef struct WatchDump WatchDump;

/* One object of a namespace's mirror, keyed as the kernel keys it. Zeroed before parsing, so
 * a memcmp of the value tells whether it changed. */
typedef struct WObj WObj;
struct WObj {
	WObj *next; /* hash chain */
	uint32_t hash;
	uint8_t kind; /* WK_* */
	bool seen;    /* in the dump being applied */
	union {
		RtnlLink link;
		RtnlAddr addr;
		struct {
			RtnlRoute rt;
			uint8_t tos;
		} route;
	} u;
};

typedef struct WMap {
	WObj **b;
	size_t nb, n;
} WMap;

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
		int what; /* RTM_GETLINK, ... */
	} req[3];
	WObj *objs; /* what the dump returned, in order */
	size_t n, cap;
};

typedef struct WatchSockReq {
	WatchNs *wns; /* NULL once the namespace's state is gone: the socket is closed */
} WatchSockReq;

struct WatchNs {
	Watches *w;
	WatchNs *prev, *next; /* w->nss */
	WatchNs *hnext;	      /* by inode */
	Netns *ns;	      /* a reference */
	Nsring__V1__Namespace pb;
	char *name, *path;
	NlEvents *ev;
	WatchSockReq *sockreq;
	unsigned kinds; /* kinds the mirror tracks (links always: names for the others) */
	WatchSub *subs;
	WMap mirror;
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
	WatchNs **nhash;
	size_t n_nhash, n_nss;
	Op *scratch; /* an arena for building messages, reset after each */
	LoopDefer reap;
	bool reap_needed;
	LoopTimer rescan;
	unsigned rescan_tries;
	unsigned n_all;
	bool dir_hooked;
};

static const OpMethod watch_method = { "Watch", &nsring__v1__watch_request__descriptor, NULL };

static void wns_dump_start(WatchNs *wns);
static void wns_lost(WatchNs *wns, const char *why);
static void wns_forget(WatchNs *wns, const char *why);
static void wns_free(WatchNs *wns);
static void stream_end(OpsStream *s, int code, const char *fmt, ...) _printf_(3, 4);
static void watches_rescan_soon(Watches *w, uint64_t delay);

/* ---- the mirror */

static uint32_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ h >> 32);
}

static uint32_t obj_hash(const WObj *o)
{
	uint64_t h = 0xcbf29ce484222325ull ^ o->kind;

	switch (o->kind) {
	case WK_LINK:
		return hash_bytes(h, &o->u.link.index, sizeof(o->u.link.index));
	case WK_ADDR:
		h = hash_bytes(h, &o->u.addr.index, sizeof(o->u.addr.index));
		h = hash_bytes(h, &o->u.addr.addr, sizeof(o->u.addr.addr));
		return hash_bytes(h, &o->u.addr.prefix_len, 1);
	default:
		h = hash_bytes(h, &o->u.route.rt.table, sizeof(o->u.route.rt.table));
		h = hash_bytes(h, &o->u.route.rt.dst, sizeof(o->u.route.rt.dst));
		h = hash_bytes(h, &o->u.route.rt.dst_len, 1);
		h = hash_bytes(h, &o->u.route.rt.family, 1);
		if (o->u.route.rt.family == AF_INET6)
			h = hash_bytes(h, &o->u.route.rt.oif, sizeof(o->u.route.rt.oif));
		return hash_bytes(h, &o->u.route.rt.priority, sizeof(o->u.route.rt.priority));
	}
}

/* The kernel's identity of an object: links by ifindex, addresses by (ifindex, family,
 * address, prefix length), routes by (table, family, destination, length, metric, tos, type),
 * IPv6 ones also by their device (fe80::/64 exists once per link). */
static bool obj_key_eq(const WObj *a, const WObj *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case WK_LINK:
		return a->u.link.index == b->u.link.index;
	case WK_ADDR:
		return a->u.addr.index == b->u.addr.index &&
		       memcmp(&a->u.addr.addr, &b->u.addr.addr, sizeof(a->u.addr.addr)) == 0 &&
		       a->u.addr.prefix_len == b->u.addr.prefix_len;
	default: {
		const RtnlRoute *x = &a->u.route.rt, *y = &b->u.route.rt;

		return x->table == y->table && x->family == y->family &&
		       memcmp(&x->dst, &y->dst, sizeof(x->dst)) == 0 && x->dst_len == y->dst_len &&
		       x->priority == y->priority && a->u.route.tos == b->u.route.tos &&
		       x->type == y->type && (x->family != AF_INET6 || x->oif == y->oif);
	}
	}
}

static size_t obj_size(uint8_t kind)
{
	return kind == WK_LINK	 ? sizeof(RtnlLink)
	       : kind == WK_ADDR ? sizeof(RtnlAddr)
				 : sizeof(((WObj *)0)->u.route);
}

static bool obj_same(const WObj *a, const WObj *b)
{
	return memcmp(&a->u, &b->u, obj_size(a->kind)) == 0;
}

static WObj *map_find(const WMap *m, const WObj *key)
{
	WObj *o;

	if (!m->nb)
		return NULL;
	for (o = m->b[key->hash & (m->nb - 1)]; o; o = o->next)
		if (o->hash == key->hash && obj_key_eq(o, key))
			return o;
	return NULL;
}

/* Inserts a copy of o; NULL without memory. */
static WObj *map_insert(WMap *m, const WObj *o)
{
	WObj *n;

	if (m->n >= m->nb) {
		size_t nb = m->nb ? m->nb * 2 : 64;
		WObj **b = calloc(nb, sizeof(*b));

		if (!b)
			return NULL;
		for (size_t i = 0; i < m->nb; i++) {
			while (m->b[i]) {
				WObj *e = m->b[i];

				m->b[i] = e->next;
				e->next = b[e->hash & (nb - 1)];
				b[e->hash & (nb - 1)] = e;
			}
		}
		free(m->b);
		m->b = b;
		m->nb = nb;
	}
	n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	*n = *o;
	n->next = m->b[n->hash & (m->nb - 1)];
	m->b[n->hash & (m->nb - 1)] = n;
	m->n++;
	return n;
}

static void map_remove(WMap *m, WObj *o)
{
	WObj **p = &m->b[o->hash & (m->nb - 1)];

	while (*p != o)
		p = &(*p)->next;
	*p = o->next;
	m->n--;
	free(o);
}

static void map_clear(WMap *m)
{
	for (size_t i = 0; i < m->nb; i++) {
		while (m->b[i]) {
			WObj *o = m->b[i];

			m->b[i] = o->next;
			free(o);
		}
	}
	free(m->b);
	*m = (WMap){ 0 };
}

/* Parses a link, address or route message into o (zeroed first); false for anything the
 * mirror does not keep (bridge port messages, other families, cloned routes). */
static bool obj_parse(const struct nlmsghdr *nlh, WObj *o)
{
	memset(o, 0, sizeof(*o));
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *ifi = NLMSG_DATA(nlh);

		/* AF_BRIDGE messages describe a bridge port, not the link itself. */
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_family != AF_UNSPEC)
			return false;
		o->kind = WK_LINK;
		if (rtnl_link_parse(nlh, &o->u.link) < 0)
			return false;
		break;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR:
		o->kind = WK_ADDR;
		if (rtnl_addr_parse(nlh, &o->u.addr) < 0)
			return false;
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		const struct rtmsg *rtm = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || (rtm->rtm_flags & RTM_F_CLONED))
			return false;
		o->kind = WK_ROUTE;
		if (rtnl_route_parse(nlh, &o->u.route.rt) < 0)
			return false;
		o->u.route.tos = rtm->rtm_tos;
		break;
	}
	default:
		return false;
	}
	o->hash = obj_hash(o);
	return true;
}

/* ---- streams */

static void watches_reap_soon(Watches *w)
{
	w->reap_needed = true;
	loop_defer(w->ops->loop, &w->reap);
}

/* Ends the stream: exactly once, cb->end last. Its memory goes on the next reap, so loops over
 * a namespace's watches never see one freed under them. */
static void stream_end(OpsStream *s, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->ended)
		return;
	s->ended = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (WatchOpen *o = s->opens; o; o = o->next)
		o->s = NULL;
	s->opens = NULL;
	s->n_opens = 0;
	if (s->all)
		s->w->n_all--;
	s->w->ops->outstanding--;
	s->cb.end(s->userdata, code, code ? msg : NULL, NULL);
	watches_reap_soon(s->w);
}

/* Sends one message; a consumer too slow or gone ends the stream. */
static bool stream_send(OpsStream *s, const ProtobufCMessage *m)
{
	int r;

	if (s->ended)
		return false;
	r = s->cb.send(s->userdata, m);
	if (r == -ENOBUFS) {
		stream_end(s, STATUS_RESOURCE_EXHAUSTED, "Watch: consumer too slow");
		return false;
	}
	if (r < 0) {
		stream_end(s, STATUS_CANCELLED, "Watch: the client left");
		return false;
	}
	return true;
}

static void sub_free(WatchSub *sub)
{
	OpsStream *s = sub->s;
	WatchNs *wns = sub->wns;

	if (sub->s_prev)
		sub->s_prev->s_next = sub->s_next;
	else
		s->subs = sub->s_next;
	if (sub->s_next)
		sub->s_next->s_prev = sub->s_prev;
	if (sub->n_prev)
		sub->n_prev->n_next = sub->n_next;
	else
		wns->subs = sub->n_next;
	if (sub->n_next)
		sub->n_next->n_prev = sub->n_prev;
	free(sub);
}

static void watches_reap(LoopDefer *d)
{
	Watches *w = container_of(d, Watches, reap);
	OpsStream *s, *next;

	if (!w->reap_needed)
		return;
	w->reap_needed = false;
	for (s = w->streams; s; s = next) {
		next = s->next;
		if (!s->ended)
			continue;
		while (s->subs) {
			WatchNs *wns = s->subs->wns;

			sub_free(s->subs);
			if (!wns->subs)
				wns_free(wns);
		}
		if (s->prev)
			s->prev->next = s->next;
		else
			w->streams = s->next;
		if (s->next)
			s->next->prev = s->prev;
		free(s);
	}
}

/* ---- events */

static void event_init(Nsring__V1__WatchEvent *ev, WatchNs *wns, Nsring__V1__WatchEventType type)
{
	nsring__v1__watch_event__init(ev);
	ev->type = type;
	ev->namespace_ = &wns->pb;
}

static void stream_send_type(OpsStream *s, WatchNs *wns, Nsring__V1__WatchEventType type)
{
	Nsring__V1__WatchEvent ev;

	event_init(&ev, wns, type);
	stream_send(s, &ev.base);
}

static const RtnlLink *wns_link(WatchNs *wns, uint32_t index)
{
	WObj key = { .kind = WK_LINK };
	WObj *o;

	key.u.link.index = index;
	key.hash = obj_hash(&key);
	o = map_find(&wns->mirror, &key);
	return o ? &o->u.link : NULL;
}

/* Fills ev's object from o (in the scratch arena; the caller resets it). */
static void event_object(WatchNs *wns, Nsring__V1__WatchEvent *ev, const WObj *o)
{
	Op *op = wns->w->scratch;
	const RtnlLink *l;

	/* The converters name an address's or route's link from the op's links. */
	op->dump.links = NULL;
	op->dump.nlinks = 0;
	switch (o->kind) {
	case WK_LINK:
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_LINK;
		ev->link = op_link_to_pb(op, &o->u.link);
		break;
	case WK_ADDR:
		l = wns_link(wns, o->u.addr.index);
		op->dump.links = (RtnlLink *)l;
		op->dump.nlinks = l ? 1 : 0;
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_ADDRESS;
		ev->address = op_addr_to_pb(op, &o->u.addr);
		break;
	default:
		l = wns_link(wns, o->u.route.rt.oif);
		op->dump.links = (RtnlLink *)l;
		op->dump.nlinks = l ? 1 : 0;
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_ROUTE;
		ev->route = op_route_to_pb(op, &o->u.route.rt);
		break;
	}
	op->dump.links = NULL;
	op->dump.nlinks = 0;
}

/* Sends an object event to the namespace's live watches of its kind (from_dump: a difference
 * a dump found, which watches still waiting for their first dump do not get). */
static void wns_emit(WatchNs *wns, Nsring__V1__WatchEventType type, const WObj *o, bool from_dump)
{
	Nsring__V1__WatchEvent ev;
	bool built = false;

	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next) {
		if (sub->s->ended || !(sub->s->kinds & o->kind))
			continue;
		if (sub->state != SUB_LIVE && (sub->state != SUB_QUIET || from_dump))
			continue;
		if (!built) {
			event_init(&ev, wns, type);
			event_object(wns, &ev, o);
			built = true;
		}
		stream_send(sub->s, &ev.base);
	}
	if (built)
		op_arena_reset(wns->w->scratch);
}

/* The snapshot of the mirror for one watch (links, then addresses, then routes), and SYNCED. */
static void sub_snapshot(WatchSub *sub)
{
	WatchNs *wns = sub->wns;
	static const uint8_t order[] = { WK_LINK, WK_ADDR, WK_ROUTE };

	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		if (!(sub->s->kinds & order[k]))
			continue;
		for (size_t i = 0; i < wns->mirror.nb; i++) {
			for (WObj *o = wns->mirror.b[i]; o; o = o->next) {
				Nsring__V1__WatchEvent ev;
				bool ok;

				if (o->kind != order[k])
					continue;
				event_init(&ev, wns,
					   NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED);
				event_object(wns, &ev, o);
				ok = stream_send(sub->s, &ev.base);
				op_arena_reset(wns->w->scratch);
				if (!ok)
					return;
			}
		}
	}
	stream_send_type(sub->s, wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_SYNCED);
}

/* The mirror is in sync: watches waiting for it get going. */
static void wns_serve_waiting(WatchNs *wns)
{
	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next) {
		if (sub->s->ended || (sub->s->kinds & ~wns->kinds))
			continue;
		if (sub->state == SUB_SNAPSHOT)
			sub_snapshot(sub);
		sub->state = SUB_LIVE;
	}
}

/* Routes the kernel removes without telling: IPv4 routes through a link that went down (but
 * not the host-scope local ones) or away (all of them; IPv6 ones were announced already). */
static void wns_flush_routes(WatchNs *wns, uint32_t index, bool deleted)
{
	WObj **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < wns->mirror.nb; i++) {
		for (WObj *o = wns->mirror.b[i]; o; o = o->next) {
			const RtnlRoute *rt = &o->u.route.rt;

			if (o->kind != WK_ROUTE || rt->oif != index)
				continue;
			if (!deleted && (rt->family != AF_INET || rt->scope == RT_SCOPE_HOST))
				continue;
			if (n == cap) {
				WObj **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!nv)
					break;
				v = nv;
			}
			v[n++] = o;
		}
	}
	for (size_t i = 0; i < n; i++) {
		wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED, v[i], false);
		map_remove(&wns->mirror, v[i]);
	}
	free(v);
}

/* Applies one notification to the mirror and tells the live watches. */
static void wns_apply(WatchNs *wns, const struct nlmsghdr *nlh)
{
	bool del = nlh->nlmsg_type == RTM_DELLINK || nlh->nlmsg_type == RTM_DELADDR ||
		   nlh->nlmsg_type == RTM_DELROUTE;
	WObj o, *old;

	if (!obj_parse(nlh, &o) || !(wns->kinds & o.kind))
		return;
	old = map_find(&wns->mirror, &o);
	if (del) {
		/* Reported even if unknown: it existed, whatever we missed about it. */
		wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED, &o, false);
		if (old)
			map_remove(&wns->mirror, old);
		if (o.kind == WK_LINK)
			wns_flush_routes(wns, o.u.link.index, true);
		return;
	}
	if (!old) {
		if (!map_insert(&wns->mirror, &o)) {
			wns_lost(wns, "out of memory");
			return;
		}
		wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED, &o, false);
		/* An IPv6 route replaced one on another device: which one is not said, a dump
		 * finds it (and reports it DELETED). */
		if (o.kind == WK_ROUTE && o.u.route.rt.family == AF_INET6 &&
		    (nlh->nlmsg_flags & NLM_F_REPLACE))
			wns_dump_start(wns);
		return;
	}
	if (obj_same(old, &o))
		return; /* a notification of something we do not report (statistics, ...) */
	{
		bool went_down = o.kind == WK_LINK && (old->u.link.flags & IFF_UP) &&
				 !(o.u.link.flags & IFF_UP);
		WObj *next = old->next;

		*old = o;
		old->next = next;
		wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_CHANGED, old, false);
		if (went_down)
			wns_flush_routes(wns, o.u.link.index, false);
	}
}

/* ---- the event socket */

static void ev_msg(void *userdata, const struct nlmsghdr *nlh)
{
	WatchNs *wns = userdata;
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);

	if (wns->dump) {
		/* Held back until the dump is in, then applied on top of it. */
		if (wns->lost)
			return; /* the dump will be redone anyway */
		if (wns->hold_len + len > WATCH_HOLD_MAX) {
			wns_lost(wns, "too many notifications during a dump");
			return;
		}
		if (buf_grow(&wns->hold, &wns->hold_cap, wns->hold_len + len, 65536) < 0) {
			wns_lost(wns, "out of memory");
			return;
		}
		memset(wns->hold + wns->hold_len, 0, len);
		memcpy(wns->hold + wns->hold_len, nlh, nlh->nlmsg_len);
		wns->hold_len += len;
		return;
	}
	if (!wns->synced)
		return; /* a full dump is due; it will reflect this */
	wns_apply(wns, nlh);
}

static void ev_overrun(void *userdata)
{
	wns_lost(userdata, "the kernel overran the event socket");
}

static const NlEventsHandler ev_handler = { .msg = ev_msg, .overrun = ev_overrun };

static int wns_subscribe(WatchNs *wns)
{
	static const struct {
		unsigned kind, group;
	} groups[] = {
		{ WK_LINK, RTNLGRP_LINK },	  { WK_ADDR, RTNLGRP_IPV4_IFADDR },
		{ WK_ADDR, RTNLGRP_IPV6_IFADDR }, { WK_ROUTE, RTNLGRP_IPV4_ROUTE },
		{ WK_ROUTE, RTNLGRP_IPV6_ROUTE },
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (!(wns->kinds & groups[i].kind))
			continue;
		r = nlevents_add_group(wns->ev, groups[i].group);
		if (r < 0)
			return r;
	}
	return 0;
}

static void wns_retry_later(WatchNs *wns)
{
	if (!loop_timer_armed(&wns->retry))
		loop_timer_arm(wns->w->ops->loop, &wns->retry,
			       loop_now(wns->w->ops->loop) + WATCH_RETRY_NS);
}

static void wns_sock_opened(void *userdata, int r, int fd)
{
	WatchSockReq *req = userdata;
	WatchNs *wns = req->wns;

	free(req);
	if (!wns) {
		if (fd >= 0)
			close(fd);
		return;
	}
	wns->sockreq = NULL;
	if (r < 0) {
		log_debug("watch: event socket for namespace %" PRIu64 ": %s", wns->ns->ino,
			  strerror(-r));
		wns_retry_later(wns);
		return;
	}
	r = nlevents_new(&wns->ev, wns->w->ops->loop, wns->w->br, fd, wns->w->rcvbuf, &ev_handler,
			 wns);
	if (r < 0) {
		log_debug("watch: event socket setup: %s", strerror(-r));
		close(fd);
		wns_retry_later(wns);
		return;
	}
	r = wns_subscribe(wns);
	if (r < 0) {
		log_debug("watch: subscribing: %s", strerror(-r));
		nlevents_close(TAKE_PTR(wns->ev));
		wns_retry_later(wns);
		return;
	}
	wns_dump_start(wns);
}

static int wns_open_socket(WatchNs *wns)
{
	WatchSockReq *req = calloc(1, sizeof(*req));
	int r;

	if (!req)
		return -ENOMEM;
	req->wns = wns;
	r = netns_open_socket(wns->ns, NETLINK_ROUTE, wns_sock_opened, req);
	if (r < 0) {
		free(req);
		return r;
	}
	wns->sockreq = req;
	return 0;
}

/* ---- dumps */

static void dump_msg(void *userdata, const struct nlmsghdr *nlh)
{
	struct WatchDumpReq *rq = userdata;
	WatchDump *d = rq->d;
	WObj o;

	if (!d->wns || !obj_parse(nlh, &o))
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		WObj *v = realloc(d->objs, cap * sizeof(*v));

		if (!v) {
			d->error = -ENOMEM;
			return;
		}
		d->objs = v;
		d->cap = cap;
	}
	d->objs[d->n++] = o;
}

static void dump_restart(void *userdata)
{
	struct WatchDumpReq *rq = userdata;
	WatchDump *d = rq->d;
	uint8_t kind = rq->what == RTM_GETLINK	 ? WK_LINK
		       : rq->what == RTM_GETADDR ? WK_ADDR
						 : WK_ROUTE;
	size_t k = 0;

	/* An interrupted dump runs again: forget what it gave of its kind. */
	for (size_t i = 0; i < d->n; i++)
		if (d->objs[i].kind != kind)
			d->objs[k++] = d->objs[i];
	d->n = k;
}

static void wns_dump_done(WatchNs *wns, WatchDump *d);

static void dump_done(void *userdata, int error, const char *extack)
{
	struct WatchDumpReq *rq = userdata;
	WatchDump *d = rq->d;

	if (error < 0 && !d->error)
		d->error = error;
	if (--d->pending > 0)
		return;
	if (d->wns)
		wns_dump_done(d->wns, d);
	free(d->objs);
	free(d);
}

static const NlConnHandler dump_handler = {
	.msg = dump_msg,
	.restart = dump_restart,
	.done = dump_done,
};

static void wns_dump_start(WatchNs *wns)
{
	static const int whats[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	WatchDump *d;
	NlConn *c;

	if (!wns->ev || wns->sockreq)
		return; /* the socket's arrival starts it */
	if (wns->dump) {
		wns->dump_again = true;
		return;
	}
	loop_timer_disarm(wns->w->ops->loop, &wns->retry);
	ops_conn_attach(wns->w->ops, wns->ns);
	c = ops_ns_conn(wns->ns);
	d = calloc(1, sizeof(*d));
	if (!c || !d) {
		free(d);
		wns_retry_later(wns);
		return;
	}
	d->wns = wns;
	d->kinds = wns->kinds;
	wns->dump = d;
	wns->dump_again = false;
	wns->lost = false;
	wns->hold_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(whats); i++) {
		uint8_t buf[512];
		int len, r;

		if ((whats[i] == RTM_GETADDR && !(d->kinds & WK_ADDR)) ||
		    (whats[i] == RTM_GETROUTE && !(d->kinds & WK_ROUTE)))
			continue;
		len = whats[i] == RTM_GETLINK	? rtnl_link_dump(buf, sizeof(buf), 0, NULL)
		      : whats[i] == RTM_GETADDR ? rtnl_addr_dump(buf, sizeof(buf), AF_UNSPEC, 0)
						: rtnl_route_dump(buf, sizeof(buf), AF_UNSPEC);
		d->req[i] = (struct WatchDumpReq){ .d = d, .what = whats[i] };
		r = len < 0 ? len : nlconn_send(c, buf, (size_t)len, &dump_handler, &d->req[i], 0);
		if (r < 0) {
			d->error = r;
			break;
		}
		d->pending++;
	}
	if (d->pending == 0) {
		wns->dump = NULL;
		free(d);
		wns_retry_later(wns);
	}
}

static void wns_hold_apply(WatchNs *wns)
{
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= wns->hold_len && wns->synced) {
		const struct nlmsghdr *nlh = (const void *)(wns->hold + off);

		off += NLMSG_ALIGN(nlh->nlmsg_len);
		wns_apply(wns, nlh);
	}
	wns->hold_len = 0;
	if (wns->hold_cap > 65536 && !wns->dump) {
		/* A burst during a dump needed much: give it back. */
		free(wns->hold);
		wns->hold = NULL;
		wns->hold_cap = 0;
	}
}

static void wns_dump_done(WatchNs *wns, WatchDump *d)
{
	WObj **gone = NULL;
	size_t ngone = 0, gone_cap = 0;

	wns->dump = NULL;
	if (d->error < 0) {
		log_debug("watch: dump in namespace %" PRIu64 " failed: %s", wns->ns->ino,
			  strerror(-d->error));
		wns_forget(wns, "the dump failed");
		wns_retry_later(wns);
		return;
	}
	if (wns->lost) {
		/* Notifications were lost while it ran: its picture may miss changes. Again. */
		wns->hold_len = 0;
		wns_dump_start(wns);
		return;
	}

	/* What changed since the mirror's picture (nothing to tell a watch that waits for its
	 * snapshot; live ones learn what a reconciling dump found). */
	for (size_t i = 0; i < wns->mirror.nb; i++)
		for (WObj *o = wns->mirror.b[i]; o; o = o->next)
			o->seen = !(d->kinds & o->kind);
	for (size_t i = 0; i < d->n; i++) {
		WObj *o = &d->objs[i], *old = map_find(&wns->mirror, o);

		if (!old) {
			old = map_insert(&wns->mirror, o);
			if (!old) {
				wns_forget(wns, "out of memory");
				wns_retry_later(wns);
				return;
			}
			old->seen = true;
			wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED, old,
				 true);
		} else if (!obj_same(old, o)) {
			WObj *next = old->next;

			*old = *o;
			old->next = next;
			old->seen = true;
			wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_CHANGED, old,
				 true);
		} else {
			old->seen = true;
		}
	}
	for (size_t i = 0; i < wns->mirror.nb; i++) {
		for (WObj *o = wns->mirror.b[i]; o; o = o->next) {
			if (o->seen)
				continue;
			if (ngone == gone_cap) {
				size_t cap = gone_cap ? gone_cap * 2 : 64;
				WObj **v = realloc(gone, cap * sizeof(*v));

				if (!v)
					break; /* the rest stays until the next dump */
				gone = v;
				gone_cap = cap;
			}
			gone[ngone++] = o;
		}
	}
	for (size_t i = 0; i < ngone; i++) {
		wns_emit(wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED, gone[i],
			 true);
		map_remove(&wns->mirror, gone[i]);
	}
	free(gone);
	wns->synced = true;
	/* Then what happened while it ran, on top. */
	wns_hold_apply(wns);
	if (!wns->synced)
		return; /* lost again while applying (out of memory): a new dump is under way */
	if (wns->dump_again) {
		wns_dump_start(wns);
		return;
	}
	wns_serve_waiting(wns);
}

/* The mirror cannot be trusted: every watch of the namespace forgets it (RESYNC) and gets a
 * fresh snapshot once a new dump is in. */
static void wns_forget(WatchNs *wns, const char *why)
{
	log_debug("watch: namespace %" PRIu64 ": %s: resynchronizing", wns->ns->ino, why);
	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next) {
		if (sub->s->ended)
			continue;
		if (sub->state != SUB_SNAPSHOT)
			stream_send_type(sub->s, wns,
					 NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_RESYNC);
		sub->state = SUB_SNAPSHOT;
	}
	map_clear(&wns->mirror);
	wns->synced = false;
	wns->hold_len = 0;
}

/* Notifications were lost: RESYNC, and a new dump (the running one is redone once it
 * answers: its picture may miss what was lost). */
static void wns_lost(WatchNs *wns, const char *why)
{
	wns_forget(wns, why);
	if (wns->dump)
		wns->lost = true;
	else
		wns_dump_start(wns);
}

static void wns_retry(LoopTimer *t)
{
	WatchNs *wns = container_of(t, WatchNs, retry);

	if (!wns->ev && !wns->sockreq) {
		int r = wns_open_socket(wns);

		if (r < 0) {
			log_debug("watch: event socket: %s", strerror(-r));
			wns_retry_later(wns);
		}
		return;
	}
	wns_dump_start(wns);
}

/* ---- namespaces */

static size_t wns_bucket(const Watches *w, uint64_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 20) & (w->n_nhash - 1);
}

static WatchNs *wns_find(Watches *w, const Netns *ns)
{
	if (!w->n_nhash)
		return NULL;
	for (WatchNs *wns = w->nhash[wns_bucket(w, ns->ino)]; wns; wns = wns->hnext)
		if (wns->ns == ns)
			return wns;
	return NULL;
}

static WatchNs *wns_find_ino(Watches *w, uint64_t ino)
{
	if (!w->n_nhash)
		return NULL;
	for (WatchNs *wns = w->nhash[wns_bucket(w, ino)]; wns; wns = wns->hnext)
		if (wns->ns->ino == ino)
			return wns;
	return NULL;
}

static int wns_hash_add(Watches *w, WatchNs *wns)
{
	if (w->n_nss >= w->n_nhash) {
		size_t n = w->n_nhash ? w->n_nhash * 2 : 64;
		WatchNs **b = calloc(n, sizeof(*b)), **old = w->nhash;
		size_t oldn = w->n_nhash;

		if (!b)
			return -ENOMEM;
		w->nhash = b;
		w->n_nhash = n;
		for (size_t i = 0; i < oldn; i++) {
			while (old[i]) {
				WatchNs *e = old[i];
				size_t j = wns_bucket(w, e->ns->ino);

				old[i] = e->hnext;
				e->hnext = b[j];
				b[j] = e;
			}
		}
		free(old);
	}
	{
		size_t j = wns_bucket(w, wns->ns->ino);

		wns->hnext = w->nhash[j];
		w->nhash[j] = wns;
	}
	w->n_nss++;
	wns->next = w->nss;
	if (w->nss)
		w->nss->prev = wns;
	w->nss = wns;
	return 0;
}

static void wns_hash_remove(Watches *w, WatchNs *wns)
{
	WatchNs **p = &w->nhash[wns_bucket(w, wns->ns->ino)];

	while (*p != wns)
		p = &(*p)->hnext;
	*p = wns->hnext;
	w->n_nss--;
	if (wns->prev)
		wns->prev->next = wns->next;
	else
		w->nss = wns->next;
	if (wns->next)
		wns->next->prev = wns->prev;
}

/* Lets go of the namespace: the event socket closes (it would pin the namespace), answers of
 * a running dump and a socket still being opened are dropped. */
static void wns_free(WatchNs *wns)
{
	Watches *w = wns->w;

	while (wns->subs)
		sub_free(wns->subs);
	wns_hash_remove(w, wns);
	loop_timer_disarm(w->ops->loop, &wns->retry);
	nlevents_close(wns->ev);
	if (wns->sockreq)
		wns->sockreq->wns = NULL;
	if (wns->dump)
		wns->dump->wns = NULL;
	map_clear(&wns->mirror);
	free(wns->hold);
	free(wns->name);
	free(wns->path);
	netns_unref(wns->ns);
	free(wns);
}

/* The watch state of ns, made on first use; takes over the caller's reference on ns. */
static int wns_get(Watches *w, Netns *ns, const char *name, const char *path, WatchNs **ret)
{
	WatchNs *wns = wns_find(w, ns);
	int r;

	if (wns) {
		netns_unref(ns);
		*ret = wns;
		return 0;
	}
	wns = calloc(1, sizeof(*wns));
	if (!wns) {
		netns_unref(ns);
		return -ENOMEM;
	}
	wns->w = w;
	wns->ns = ns;
	wns->kinds = WK_LINK;
	wns->retry.cb = wns_retry;
	wns->name = strdup(name ? name : "");
	wns->path = strdup(path ? path : "");
	if (!wns->name || !wns->path || wns_hash_add(w, wns) < 0) {
		free(wns->name);
		free(wns->path);
		free(wns);
		netns_unref(ns);
		return -ENOMEM;
	}
	nsring__v1__namespace__init(&wns->pb);
	wns->pb.name = wns->name;
	wns->pb.path = wns->path;
	wns->pb.inode = ns->ino;
	ops_conn_attach(w->ops, ns);
	r = wns_open_socket(wns);
	if (r < 0) {
		wns_free(wns);
		return r;
	}
	*ret = wns;
	return 0;
}

/* A namespace the stream watches is open: join its watch state. */
static void stream_attach(OpsStream *s, Netns *ns, const char *name, const char *path)
{
	Watches *w = s->w;
	WatchNs *wns;
	WatchSub *sub;
	unsigned add;
	int r;

	wns = wns_find(w, ns);
	if (wns)
		for (sub = wns->subs; sub; sub = sub->n_next)
			if (sub->s == s) {
				netns_unref(ns); /* two references to one namespace */
				return;
			}
	r = wns_get(w, ns, name, path, &wns);
	if (r == -ESHUTDOWN) {
		/* Closed between its open and now: it is gone already. */
		return;
	}
	if (r < 0) {
		stream_end(s, STATUS_RESOURCE_EXHAUSTED, "Watch: cannot watch a namespace: %s",
			   strerror(-r));
		return;
	}
	sub = calloc(1, sizeof(*sub));
	if (!sub) {
		if (!wns->subs)
			wns_free(wns);
		stream_end(s, STATUS_RESOURCE_EXHAUSTED, "Watch: out of memory");
		return;
	}
	sub->s = s;
	sub->wns = wns;
	sub->state = s->snapshot ? SUB_SNAPSHOT : SUB_QUIET;
	sub->s_next = s->subs;
	if (s->subs)
		s->subs->s_prev = sub;
	s->subs = sub;
	sub->n_next = wns->subs;
	if (wns->subs)
		wns->subs->n_prev = sub;
	wns->subs = sub;
	if (s->all)
		stream_send_type(s, wns,
				 NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED);
	if (s->ended)
		return;

	add = s->kinds & ~wns->kinds;
	if (add) {
		/* The mirror starts tracking more kinds: subscribe, then a dump fills them in
		 * (watches already live only hear of kinds they asked for). */
		wns->kinds |= add;
		if (wns->ev && wns_subscribe(wns) < 0) {
			wns_lost(wns, "subscribing failed");
			return;
		}
		wns_dump_start(wns);
		return;
	}
	if (wns->synced && !wns->dump)
		wns_serve_waiting(wns);
}

static void watch_opened(void *userdata, int r, Netns *ns)
{
	WatchOpen *o = userdata;
	OpsStream *s = o->s;

	if (s) {
		if (o->prev)
			o->prev->next = o->next;
		else
			s->opens = o->next;
		if (o->next)
			o->next->prev = o->prev;
		s->n_opens--;
	}
	if (!s) {
		if (r >= 0)
			netns_unref(ns);
	} else if (r < 0) {
		if (o->by_name)
			log_debug("watch: opening %s: %s", o->what, strerror(-r));
		else if (r == -ENOENT || r == -ESRCH)
			stream_end(s, STATUS_NOT_FOUND, "Watch: %s not found", o->what);
		else if (r == -EINVAL)
			stream_end(s, STATUS_INVALID_ARGUMENT,
				   "Watch: %s is not a network namespace", o->what);
		else if (r == -EPERM)
			stream_end(s, STATUS_PERMISSION_DENIED,
				   "Watch: %s is not allowed (see --netns-path-prefix)", o->what);
		else
			stream_end(s, status_from_errno(r), "Watch: %s: %s", o->what,
				   errno_name(r));
	} else {
		stream_attach(s, ns, o->name, o->path);
	}
	free(o->name);
	free(o->path);
	free(o->what);
	free(o);
}

/* Starts opening a namespace for the stream; returns a negative errno if it cannot start. */
static int stream_open(OpsStream *s, const NetnsRef *ref, const char *what, bool by_name)
{
	WatchOpen *o = calloc(1, sizeof(*o));
	char path[512];
	int r;

	if (!o)
		return -ENOMEM;
	o->w = s->w;
	o->s = s;
	o->by_name = by_name;
	switch (ref->type) {
	case NETNS_REF_NAME:
		snprintf(path, sizeof(path), "%s/%s", netns_registry_dir(s->w->ops->reg), ref->str);
		o->name = strdup(ref->str);
		break;
	case NETNS_REF_PATH:
		snprintf(path, sizeof(path), "%s", ref->str);
		break;
	case NETNS_REF_PID:
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ref->pid);
		break;
	default:
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)getpid());
		break;
	}
	o->path = strdup(path);
	o->what = strdup(what);
	if (!o->path || !o->what || (ref->type == NETNS_REF_NAME && !o->name)) {
		r = -ENOMEM;
		goto fail;
	}
	r = netns_open(s->w->ops->reg, ref, watch_opened, o);
	if (r < 0)
		goto fail;
	o->next = s->opens;
	if (s->opens)
		s->opens->prev = o;
	s->opens = o;
	s->n_opens++;
	return 0;
fail:
	free(o->name);
	free(o->path);
	free(o->what);
	free(o);
	return r;
}

/* ---- all namespaces: the netns dir */

static bool stream_watches_ino(OpsStream *s, uint64_t ino)
{
	WatchNs *wns = wns_find_ino(s->w, ino);

	if (!wns)
		return false;
	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next)
		if (sub->s == s)
			return true;
	return false;
}

static void watches_rescan(LoopTimer *t)
{
	Watches *w = container_of(t, Watches, rescan);
	NetnsEntry *v = NULL;
	bool unmounted = false, busy = false;
	size_t n = 0;
	int r;

	if (!w->n_all || !w->ops->reg)
		return;
	r = netns_list(w->ops->reg, &v, &n);
	if (r < 0) {
		log_debug("watch: listing the netns dir: %s", strerror(-r));
		n = 0;
	}
	for (OpsStream *s = w->streams; s; s = s->next) {
		if (s->ended || !s->all)
			continue;
		if (s->n_opens) {
			busy = true; /* looked at again once its opens are answered */
			continue;
		}
		for (size_t i = 0; i < n && !s->ended; i++) {
			NetnsRef ref = { .type = NETNS_REF_NAME, .str = v[i].name };
			char what[300];

			if (!v[i].ino) {
				unmounted = true;
				continue;
			}
			if (stream_watches_ino(s, v[i].ino))
				continue;
			snprintf(what, sizeof(what), "namespace \"%s\"", v[i].name);
			r = stream_open(s, &ref, what, true);
			if (r < 0)
				log_debug("watch: opening %s: %s", what, strerror(-r));
		}
	}
	free(v);
	if (unmounted && ++w->rescan_tries < WATCH_RESCAN_TRIES) {
		uint64_t delay = WATCH_RESCAN_FIRST_NS << MIN(w->rescan_tries, 10u);

		loop_timer_arm(w->ops->loop, &w->rescan,
			       loop_now(w->ops->loop) + MIN(delay, WATCH_RESCAN_MAX_NS));
	} else if (busy) {
		/* Thousands of opens may take a while: do not list the directory meanwhile. */
		watches_rescan_soon(w, WATCH_RESCAN_BUSY_NS);
	}
}

static void watches_rescan_soon(Watches *w, uint64_t delay)
{
	uint64_t when = loop_now(w->ops->loop) + delay;

	if (!loop_timer_armed(&w->rescan) || w->rescan.when > when)
		loop_timer_arm(w->ops->loop, &w->rescan, when);
}

static void watches_dir_changed(void *userdata, const char *name)
{
	Watches *w = userdata;

	if (!w->n_all)
		return;
	w->rescan_tries = 0;
	watches_rescan_soon(w, WATCH_RESCAN_FIRST_NS);
}

/* ---- requests */

static Watches *watches_get(Ops *ops)
{
	Watches *w = ops->watches;
	const char *env;
	int r;

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->ops = ops;
	w->scratch = calloc(1, sizeof(*w->scratch));
	if (!w->scratch) {
		free(w);
		return NULL;
	}
	w->scratch->ops = ops;
	w->scratch->m = &watch_method;
	r = loop_bufring_new(ops->loop, &w->br, WATCH_BUF_GROUP, WATCH_BUF_COUNT, WATCH_BUF_SIZE);
	if (r < 0) {
		log_debug("watch: event buffer ring: %s", strerror(-r));
		free(w->scratch);
		free(w);
		return NULL;
	}
	env = getenv(WATCH_RCVBUF_ENV);
	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (!*end && v > 0 && v <= (1ul << 30))
			w->rcvbuf = (uint32_t)v;
	}
	w->reap.cb = watches_reap;
	w->rescan.cb = watches_rescan;
	ops->watches = w;
	return w;
}

/* The reference a NamespaceRef names (as op_open_ns() judges it); false with an error
 * message in msg. */
static bool watch_ref(const Nsring__V1__NamespaceRef *ref, NetnsRef *ret, char *what,
		      size_t what_size, char *msg, size_t msg_size)
{
	return ops_ns_ref_resolve(ref, ret, what, what_size, msg, msg_size) == 0;
}

bool ops_method_streams(const char *method)
{
	return method && strcmp(method, "Watch") == 0;
}

OpsStream *ops_stream_start(Ops *ops, const char *method, const uint8_t *payload, size_t len,
			    const OpsStreamCb *cb, void *userdata)
{
	Nsring__V1__WatchRequest *req;
	char msg[1024], what[600];
	OpsStream *s;
	Watches *w;
	NetnsRef ref;
	int r = 0;

	if (!ops_method_streams(method)) {
		snprintf(msg, sizeof(msg), "\"%.128s\" is not a streaming method", method);
		cb->end(userdata, STATUS_UNIMPLEMENTED, msg, NULL);
		return NULL;
	}
	if (!ops->reg) {
		cb->end(userdata, STATUS_UNAVAILABLE, "Watch: nsringd is shutting down", NULL);
		return NULL;
	}
	req = (Nsring__V1__WatchRequest *)protobuf_c_message_unpack(
		&nsring__v1__watch_request__descriptor, NULL, len, payload);
	if (!req) {
		cb->end(userdata, STATUS_INVALID_ARGUMENT,
			"Watch: malformed nsring.v1.WatchRequest", NULL);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	w = watches_get(ops);
	if (!s || !w) {
		free(s);
		protobuf_c_message_free_unpacked(&req->base, NULL);
		cb->end(userdata, STATUS_RESOURCE_EXHAUSTED, "Watch: out of memory", NULL);
		return NULL;
	}
	s->w = w;
	s->cb = *cb;
	s->userdata = userdata;
	s->snapshot = req->snapshot;
	s->all = req->all_namespaces;
	for (size_t i = 0; i < req->n_kinds; i++) {
		switch (req->kinds[i]) {
		case NSRING__V1__WATCH_KIND__WATCH_KIND_LINK:
			s->kinds |= WK_LINK;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_ADDRESS:
			s->kinds |= WK_ADDR;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_ROUTE:
			s->kinds |= WK_ROUTE;
			break;
		default:
			snprintf(msg, sizeof(msg),
				 "Watch: unknown kind %d (1 link, 2 address, "
				 "3 route)",
				 (int)req->kinds[i]);
			r = -EINVAL;
			break;
		}
	}
	if (!s->kinds)
		s->kinds = WK_ALL;
	if (!s->all) {
		/* Every reference is checked before anything starts. */
		for (size_t i = 0; i < req->n_namespaces && r == 0; i++) {
			char m[900];

			if (!watch_ref(req->namespaces[i], &ref, what, sizeof(what), m,
				       sizeof(m))) {
				snprintf(msg, sizeof(msg), "Watch: %s", m);
				r = -EINVAL;
			}
		}
	}
	if (r < 0) {
		protobuf_c_message_free_unpacked(&req->base, NULL);
		free(s);
		cb->end(userdata, STATUS_INVALID_ARGUMENT, msg, NULL);
		return NULL;
	}

	ops->outstanding++;
	s->next = w->streams;
	if (w->streams)
		w->streams->prev = s;
	w->streams = s;
	if (s->all) {
		w->n_all++;
		if (!w->dir_hooked) {
			netns_registry_set_dir_cb(ops->reg, watches_dir_changed, w);
			w->dir_hooked = true;
		}
	}
	if (s->all) {
		w->rescan_tries = 0;
		watches_rescan(&w->rescan);
	}
	if (s->all || req->n_namespaces == 0) {
		ref = (NetnsRef){ .type = NETNS_REF_SELF };
		r = stream_open(s, &ref, "the daemon's namespace", false);
		if (r < 0)
			stream_end(s, status_from_errno(r), "Watch: the daemon's namespace: %s",
				   errno_name(r));
	} else {
		for (size_t i = 0; i < req->n_namespaces && !s->ended; i++) {
			char m[900];

			watch_ref(req->namespaces[i], &ref, what, sizeof(what), m, sizeof(m));
			r = stream_open(s, &ref, what, false);
			if (r == -ENOENT || r == -ESRCH)
				stream_end(s, STATUS_NOT_FOUND, "Watch: %s not found", what);
			else if (r == -EPERM)
				stream_end(s, STATUS_PERMISSION_DENIED,
					   "Watch: %s is not allowed (see --netns-path-prefix)",
					   what);
			else if (r == -EINVAL)
				stream_end(s, STATUS_INVALID_ARGUMENT,
					   "Watch: %s is not a network namespace", what);
			else if (r < 0)
				stream_end(s, status_from_errno(r), "Watch: %s: %s", what,
					   errno_name(r));
		}
	}
	protobuf_c_message_free_unpacked(&req->base, NULL);
	return s->ended ? NULL : s;
}

void ops_stream_cancel(OpsStream *s, int code, const char *msg)
{
	if (s)
		stream_end(s, code, "%s", msg ? msg : "");
}

/* ---- hooks of the engine (ops.c) */

void watch_ns_closed(Ops *ops, Netns *ns)
{
	Watches *w = ops->watches;
	WatchNs *wns = w ? wns_find(w, ns) : NULL;

	if (!wns)
		return;
	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next)
		if (!sub->s->ended)
			stream_send_type(
				sub->s, wns,
				NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_DELETED);
	wns_free(wns);
	/* all_namespaces: the name may come back with a new namespace. */
	if (w->n_all)
		watches_rescan_soon(w, WATCH_RESCAN_FIRST_NS);
}

void watch_shutdown(Ops *ops)
{
	Watches *w = ops->watches;

	if (!w)
		return;
	for (OpsStream *s = w->streams; s; s = s->next)
		stream_end(s, STATUS_UNAVAILABLE, "Watch: nsringd is shutting down");
	watches_reap(&w->reap);
	while (w->nss)
		wns_free(w->nss);
	loop_timer_disarm(ops->loop, &w->rescan);
	if (w->dir_hooked && ops->reg)
		netns_registry_set_dir_cb(ops->reg, NULL, NULL);
	w->dir_hooked = false;
}

void watch_free(Ops *ops)
{
	Watches *w = ops->watches;

	if (!w)
		return;
	watch_shutdown(ops);
	loop_bufring_free(w->br);
	op_arena_reset(w->scratch);
	free(w->scratch);
	free(w->nhash);
	free(w);
	ops->watches = NULL;
}
