/* Watch streams (OpsStream): the requests, each stream's subscriptions to the namespaces it
 * watches, its events and snapshots, its end; all_namespaces follows the netns dir. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/status.h"
#include "ops-pb.h"
#include "ops-tc-internal.h"
#include "watch-internal.h"

static const OpMethod watch_method = { "Watch", &nsring__v1__watch_request__descriptor, NULL };

static void watches_rescan_soon(Watches *w, uint64_t delay);

/* ---- streams */

static void watches_reap_soon(Watches *w)
{
	w->reap_needed = true;
	loop_defer(w->ops->loop, &w->reap);
}

void watch_stream_end(OpsStream *s, int code, const char *fmt, ...)
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
		watch_stream_end(s, STATUS_RESOURCE_EXHAUSTED, "Watch: consumer too slow");
		return false;
	}
	if (r < 0) {
		watch_stream_end(s, STATUS_CANCELLED, "Watch: the client left");
		return false;
	}
	return true;
}

void watch_sub_free(WatchSub *sub)
{
	OpsStream *s = sub->s;
	WatchNs *wns = sub->wns;

	LIST_UNLINK(s->subs, sub, s_prev, s_next);
	LIST_UNLINK(wns->subs, sub, n_prev, n_next);
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

			watch_sub_free(s->subs);
			if (!wns->subs)
				wns_free(wns);
		}
		LIST_UNLINK(w->streams, s, prev, next);
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

void watch_stream_send_type(OpsStream *s, WatchNs *wns, Nsring__V1__WatchEventType type)
{
	Nsring__V1__WatchEvent ev;

	event_init(&ev, wns, type);
	stream_send(s, &ev.base);
}

/* A neighbour's or FDB entry's event object, its device (and bridge) named from the mirror. */
static void event_neigh(WatchNs *wns, Nsring__V1__WatchEvent *ev, const WObj *o)
{
	Op *op = wns->w->scratch;
	const RtnlLink *dev = wstate_link(&wns->mirror, o->u.neigh.ifindex);
	const RtnlLink *br =
		o->u.neigh.master ? wstate_link(&wns->mirror, o->u.neigh.master) : NULL;
	RtnlLink *links = op_alloc(op, 2 * sizeof(*links));

	op->dump.nlinks = 0;
	if (dev)
		links[op->dump.nlinks++] = *dev;
	if (br)
		links[op->dump.nlinks++] = *br;
	op->dump.links = links;
	if (o->kind == WK_NEIGH) {
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_NEIGHBOR;
		ev->neighbor = op_neigh_to_pb(op, &o->u.neigh);
	} else {
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_FDB;
		ev->fdb = op_fdb_to_pb(op, &o->u.neigh);
	}
}

/* A route event: its links (the device, each path's) named from the mirror. */
static void event_route(WatchNs *wns, Nsring__V1__WatchEvent *ev, const RtnlRoute *rt)
{
	Op *op = wns->w->scratch;
	RtnlLink *links = op_alloc(op, (1 + rt->n_paths) * sizeof(*links));
	size_t n = 0;

	for (size_t i = 0; i <= rt->n_paths; i++) {
		uint32_t index = i ? rt->paths[i - 1].ifindex : rt->oif;
		const RtnlLink *l = wstate_link(&wns->mirror, index);

		if (l)
			links[n++] = *l;
	}
	op->dump.links = links;
	op->dump.nlinks = n;
	ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_ROUTE;
	ev->route = op_route_to_pb(op, rt);
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
		l = wstate_link(&wns->mirror, o->u.addr.index);
		op->dump.links = (RtnlLink *)l;
		op->dump.nlinks = l ? 1 : 0;
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_ADDRESS;
		ev->address = op_addr_to_pb(op, &o->u.addr);
		break;
	case WK_QDISC:
		l = wstate_link(&wns->mirror, o->u.qdisc.ifindex);
		op->dump.links = (RtnlLink *)l;
		op->dump.nlinks = l ? 1 : 0;
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_QDISC;
		ev->qdisc = tc_qdisc_to_pb(op, &o->u.qdisc, NULL);
		break;
	case WK_NEIGH:
	case WK_FDB:
		event_neigh(wns, ev, o);
		break;
	case WK_RULE:
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_RULE;
		ev->rule = op_rule_to_pb(op, &o->u.rule);
		break;
	case WK_NEXTHOP:
		l = wstate_link(&wns->mirror, o->u.nexthop.oif);
		op->dump.links = (RtnlLink *)l;
		op->dump.nlinks = l ? 1 : 0;
		ev->object_case = NSRING__V1__WATCH_EVENT__OBJECT_NEXTHOP;
		ev->nexthop = op_nexthop_to_pb(op, &o->u.nexthop);
		break;
	default:
		event_route(wns, ev, &o->u.route.rt);
		break;
	}
	op->dump.links = NULL;
	op->dump.nlinks = 0;
}

static const Nsring__V1__WatchEventType event_types[] = {
	[WSTATE_ADDED] = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED,
	[WSTATE_CHANGED] = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_CHANGED,
	[WSTATE_DELETED] = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED,
};

/* Sends an object event to the namespace's live watches of its kind (from_dump: a difference
 * a dump found, which watches still waiting for their first dump do not get). */
void wns_emit(void *userdata, WStateEvent type, const WObj *o, bool from_dump)
{
	WatchNs *wns = userdata;
	Nsring__V1__WatchEvent ev;
	bool built = false;

	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next) {
		if (sub->s->ended || !(sub->s->kinds & o->kind))
			continue;
		if (sub->state != SUB_LIVE && (sub->state != SUB_QUIET || from_dump))
			continue;
		if (!built) {
			event_init(&ev, wns, event_types[type]);
			event_object(wns, &ev, o);
			built = true;
		}
		stream_send(sub->s, &ev.base);
	}
	if (built)
		op_arena_reset(wns->w->scratch);
}

static bool sub_snapshot_one(void *userdata, const WObj *o)
{
	WatchSub *sub = userdata;
	WatchNs *wns = sub->wns;
	Nsring__V1__WatchEvent ev;
	bool ok;

	event_init(&ev, wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED);
	event_object(wns, &ev, o);
	ok = stream_send(sub->s, &ev.base);
	op_arena_reset(wns->w->scratch);
	return ok;
}

/* The snapshot of the mirror for one watch (links, then addresses, then routes), and SYNCED. */
static void sub_snapshot(WatchSub *sub)
{
	if (!wstate_snapshot(&sub->wns->mirror, sub->s->kinds, sub_snapshot_one, sub))
		return;
	watch_stream_send_type(sub->s, sub->wns,
			       NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_SYNCED);
}

void wns_serve_waiting(WatchNs *wns)
{
	for (WatchSub *sub = wns->subs; sub; sub = sub->n_next) {
		if (sub->s->ended || (sub->s->kinds & ~wns->mirror.kinds))
			continue;
		if (sub->state == SUB_SNAPSHOT)
			sub_snapshot(sub);
		sub->state = SUB_LIVE;
	}
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
		watch_stream_end(s, STATUS_RESOURCE_EXHAUSTED,
				 "Watch: cannot watch a namespace: %s", strerror(-r));
		return;
	}
	sub = calloc(1, sizeof(*sub));
	if (!sub) {
		if (!wns->subs)
			wns_free(wns);
		watch_stream_end(s, STATUS_RESOURCE_EXHAUSTED, "Watch: out of memory");
		return;
	}
	sub->s = s;
	sub->wns = wns;
	sub->state = s->snapshot ? SUB_SNAPSHOT : SUB_QUIET;
	LIST_PREPEND(s->subs, sub, s_prev, s_next);
	LIST_PREPEND(wns->subs, sub, n_prev, n_next);
	if (s->all)
		watch_stream_send_type(
			s, wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED);
	if (s->ended)
		return;

	add = s->kinds & ~wns->mirror.kinds;
	if (add) {
		/* The mirror starts tracking more kinds: subscribe, then a dump fills them in
		 * (watches already live only hear of kinds they asked for). */
		wns->mirror.kinds |= add;
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
		LIST_UNLINK(s->opens, o, prev, next);
		s->n_opens--;
	}
	if (!s) {
		if (r >= 0)
			netns_unref(ns);
	} else if (r < 0) {
		if (o->by_name)
			log_debug("watch: opening %s: %s", o->what, strerror(-r));
		else if (r == -ENOENT || r == -ESRCH)
			watch_stream_end(s, STATUS_NOT_FOUND, "Watch: %s not found", o->what);
		else if (r == -EINVAL)
			watch_stream_end(s, STATUS_INVALID_ARGUMENT,
					 "Watch: %s is not a network namespace", o->what);
		else if (r == -EPERM)
			watch_stream_end(s, STATUS_PERMISSION_DENIED,
					 "Watch: %s is not allowed (see --netns-path-prefix)",
					 o->what);
		else
			watch_stream_end(s, status_from_errno(r), "Watch: %s: %s", o->what,
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
	LIST_PREPEND(s->opens, o, prev, next);
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
		case NSRING__V1__WATCH_KIND__WATCH_KIND_QDISC:
			s->kinds |= WK_QDISC;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_NEIGHBOR:
			s->kinds |= WK_NEIGH;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_FDB:
			s->kinds |= WK_FDB;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_RULE:
			s->kinds |= WK_RULE;
			break;
		case NSRING__V1__WATCH_KIND__WATCH_KIND_NEXTHOP:
			s->kinds |= WK_NEXTHOP;
			break;
		default:
			snprintf(msg, sizeof(msg),
				 "Watch: unknown kind %d (1 link, 2 address, "
				 "3 route, 4 rule, 5 nexthop, 6 neighbor, 7 fdb, 8 qdisc)",
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
	LIST_PREPEND(w->streams, s, prev, next);
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
			watch_stream_end(s, status_from_errno(r),
					 "Watch: the daemon's namespace: %s", errno_name(r));
	} else {
		for (size_t i = 0; i < req->n_namespaces && !s->ended; i++) {
			char m[900];

			watch_ref(req->namespaces[i], &ref, what, sizeof(what), m, sizeof(m));
			r = stream_open(s, &ref, what, false);
			if (r == -ENOENT || r == -ESRCH)
				watch_stream_end(s, STATUS_NOT_FOUND, "Watch: %s not found", what);
			else if (r == -EPERM)
				watch_stream_end(
					s, STATUS_PERMISSION_DENIED,
					"Watch: %s is not allowed (see --netns-path-prefix)", what);
			else if (r == -EINVAL)
				watch_stream_end(s, STATUS_INVALID_ARGUMENT,
						 "Watch: %s is not a network namespace", what);
			else if (r < 0)
				watch_stream_end(s, status_from_errno(r), "Watch: %s: %s", what,
						 errno_name(r));
		}
	}
	protobuf_c_message_free_unpacked(&req->base, NULL);
	return s->ended ? NULL : s;
}

void ops_stream_cancel(OpsStream *s, int code, const char *msg)
{
	if (s)
		watch_stream_end(s, code, "%s", msg ? msg : "");
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
			watch_stream_send_type(
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
		watch_stream_end(s, STATUS_UNAVAILABLE, "Watch: nsringd is shutting down");
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
	hmap_clear(&w->nmap);
	free(w);
	ops->watches = NULL;
}
