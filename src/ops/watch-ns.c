/* The Watch's side of one namespace: its event socket (opened inside it by a helper thread,
 * subscribed to the groups its watches need), the dumps that fill its mirror (notifications
 * arriving meanwhile are held back and applied after), overruns (RESYNC) and retries. */
#include <errno.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/list.h"
#include "core/log.h"
#include "watch-internal.h"

static void wns_forget(WatchNs *wns, const char *why);

/* Applies one notification to the mirror (which tells the live watches). */
static void wns_apply(WatchNs *wns, const struct nlmsghdr *nlh)
{
	int r = wstate_apply(&wns->mirror, nlh);

	if (r == -ENOMEM)
		wns_lost(wns, "out of memory");
	else if (r == WSTATE_REDUMP)
		/* Which route it replaced is not said: a dump finds it (and reports it DELETED). */
		wns_dump_start(wns);
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

int wns_subscribe(WatchNs *wns)
{
	static const struct {
		unsigned kind, group;
	} groups[] = {
		{ WK_LINK, RTNLGRP_LINK },
		{ WK_ADDR, RTNLGRP_IPV4_IFADDR },
		{ WK_ADDR, RTNLGRP_IPV6_IFADDR },
		{ WK_ROUTE, RTNLGRP_IPV4_ROUTE },
		{ WK_ROUTE, RTNLGRP_IPV6_ROUTE },
		{ WK_QDISC, RTNLGRP_TC },
		/* Neighbours and FDB entries share the group (AF_BRIDGE ones are the FDB). */
		{ WK_NEIGH, RTNLGRP_NEIGH },
		{ WK_FDB, RTNLGRP_NEIGH },
		{ WK_RULE, RTNLGRP_IPV4_RULE },
		{ WK_RULE, RTNLGRP_IPV6_RULE },
		{ WK_NEXTHOP, RTNLGRP_NEXTHOP },
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (!(wns->mirror.kinds & groups[i].kind))
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

	if (!d->wns || !wobj_parse(nlh, &o))
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
	unsigned kind = rq->kind;
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

void wns_dump_start(WatchNs *wns)
{
	static const struct {
		int what;
		unsigned kind;
	} dumps[] = {
		{ RTM_GETLINK, WK_LINK },   { RTM_GETADDR, WK_ADDR },	{ RTM_GETROUTE, WK_ROUTE },
		{ RTM_GETQDISC, WK_QDISC }, { RTM_GETNEIGH, WK_NEIGH }, { RTM_GETNEIGH, WK_FDB },
		{ RTM_GETRULE, WK_RULE },   { RTM_GETNEXTHOP, WK_NEXTHOP },
	};
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
	d->kinds = wns->mirror.kinds;
	wns->dump = d;
	wns->dump_again = false;
	wns->lost = false;
	wns->hold_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		uint8_t buf[512];
		int len, r;

		if (dumps[i].kind != WK_LINK && !(d->kinds & dumps[i].kind))
			continue;
		switch (dumps[i].kind) {
		case WK_LINK:
			len = rtnl_link_dump(buf, sizeof(buf), 0, NULL);
			break;
		case WK_ADDR:
			len = rtnl_addr_dump(buf, sizeof(buf), AF_UNSPEC, 0);
			break;
		case WK_ROUTE:
			len = rtnl_route_dump(buf, sizeof(buf), AF_UNSPEC);
			break;
		case WK_QDISC:
			len = rtnl_qdisc_dump(buf, sizeof(buf), 0);
			break;
		case WK_RULE:
			len = rtnl_rule_dump(buf, sizeof(buf), AF_UNSPEC);
			break;
		case WK_NEXTHOP:
			len = rtnl_nexthop_dump(buf, sizeof(buf), 0);
			break;
		default: /* the neighbour tables (ARP, NDP), or the bridge FDB */
			len = rtnl_neigh_dump(buf, sizeof(buf),
					      dumps[i].kind == WK_FDB ? AF_BRIDGE : AF_UNSPEC, 0,
					      0);
			break;
		}
		d->req[i] = (struct WatchDumpReq){ .d = d,
						   .what = dumps[i].what,
						   .kind = dumps[i].kind };
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
	if (wstate_reconcile(&wns->mirror, d->objs, d->n, d->kinds) < 0) {
		wns_forget(wns, "out of memory");
		wns_retry_later(wns);
		return;
	}
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
			watch_stream_send_type(
				sub->s, wns, NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_RESYNC);
		sub->state = SUB_SNAPSHOT;
	}
	wstate_clear(&wns->mirror);
	wns->synced = false;
	wns->hold_len = 0;
}

/* Notifications were lost: RESYNC, and a new dump (the running one is redone once it
 * answers: its picture may miss what was lost). */
void wns_lost(WatchNs *wns, const char *why)
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

WatchNs *wns_find(Watches *w, const Netns *ns)
{
	HNode *n;

	hmap_for_hash(&w->nmap, hmap_hash_u64(ns->ino), n) {
		WatchNs *wns = container_of(n, WatchNs, hnode);

		if (wns->ns == ns)
			return wns;
	}
	return NULL;
}

WatchNs *wns_find_ino(Watches *w, uint64_t ino)
{
	HNode *n;

	hmap_for_hash(&w->nmap, hmap_hash_u64(ino), n) {
		WatchNs *wns = container_of(n, WatchNs, hnode);

		if (wns->ns->ino == ino)
			return wns;
	}
	return NULL;
}

static int wns_hash_add(Watches *w, WatchNs *wns)
{
	int r = hmap_insert(&w->nmap, &wns->hnode, hmap_hash_u64(wns->ns->ino));

	if (r < 0)
		return r;
	LIST_PREPEND(w->nss, wns, prev, next);
	return 0;
}

static void wns_hash_remove(Watches *w, WatchNs *wns)
{
	hmap_remove(&w->nmap, &wns->hnode);
	LIST_UNLINK(w->nss, wns, prev, next);
}

/* Lets go of the namespace: the event socket closes (it would pin the namespace), answers of
 * a running dump and a socket still being opened are dropped. */
void wns_free(WatchNs *wns)
{
	Watches *w = wns->w;

	while (wns->subs)
		watch_sub_free(wns->subs);
	wns_hash_remove(w, wns);
	loop_timer_disarm(w->ops->loop, &wns->retry);
	nlevents_close(wns->ev);
	if (wns->sockreq)
		wns->sockreq->wns = NULL;
	if (wns->dump)
		wns->dump->wns = NULL;
	wstate_clear(&wns->mirror);
	free(wns->hold);
	free(wns->name);
	free(wns->path);
	netns_unref(wns->ns);
	free(wns);
}

/* The watch state of ns, made on first use; takes over the caller's reference on ns. */
int wns_get(Watches *w, Netns *ns, const char *name, const char *path, WatchNs **ret)
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
	wstate_init(&wns->mirror, WK_LINK, wns_emit, wns);
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
