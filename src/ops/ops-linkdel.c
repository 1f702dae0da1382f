/* DeleteLink, wholly: alone, coalesced with other calls, or as a batch's group. Deleting links
 * one RTM_DELLINK at a time costs an RCU wait each (about 30 ms here); moving the links into
 * one link group and deleting the group pays it once.
 *
 * A batch groups its own runs of deletes (ops-batch.c). Outside a batch, DeleteLink calls that
 * reach one namespace in the same loop turn (concurrent clients, a client pipelining its calls)
 * wait in a DelGroup until the end of the turn and go out as one group delete. A lone call is
 * sent as a plain RTM_DELLINK, as before. Order is kept: any other request for the namespace
 * sends the waiting group first, and a second delete of the same link starts a new group. If
 * the group delete fails (a member that cannot be deleted makes the kernel refuse the whole
 * group), the members go back to the groups they were in and each is deleted on its own, so
 * every call gets its own outcome; a batch's group does the same. */
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "core/log.h"
#include "core/status.h"
#include "ops-internal.h"

/* Links being deleted together are first moved to a group of this range, then deleted by
 * group. The range is far above anything ip users pick (they count from 0). */
#define GROUP_BASE 0xfff00000u
#define GROUP_SPAN 0x000fffffu
/* Members of one group at most: bounds the duplicate check and the time rtnl_lock is held. */
#define DELGROUP_MAX 256

/* ---- one group delete, shared with the batch */

struct LinkGroup {
	size_t n;
	const Nsring__V1__DeleteLinkRequest **reqs;
	uint32_t group;
	int *codes; /* per member: its own failure (not found, bad name), else 0 */
	char **msgs;
	RtnlLink *links; /* each member as it was: its group, to restore after a failure */
	int del_code;	 /* the group delete's failure */
	char *del_msg;
	int restore_code;
	char *restore_msg;
};

static void link_group_answered(Op *op);

LinkGroup *link_group_new(Op *op, size_t n)
{
	static uint32_t group_seq;
	LinkGroup *g = op_alloc(op, sizeof(*g));

	g->n = n;
	g->group = GROUP_BASE + (group_seq++ & GROUP_SPAN);
	g->reqs = op_alloc(op, n * sizeof(*g->reqs));
	g->codes = op_alloc(op, n * sizeof(*g->codes));
	g->msgs = op_alloc(op, n * sizeof(*g->msgs));
	g->links = op_alloc(op, n * sizeof(*g->links));
	return g;
}

void link_group_set(LinkGroup *g, size_t i, const Nsring__V1__DeleteLinkRequest *req)
{
	g->reqs[i] = req;
}

int link_group_result(const LinkGroup *g, size_t i, const char **ret_msg)
{
	*ret_msg = g->msgs[i];
	return g->codes[i];
}

/* Sends, on op's namespace slot 0, each member's move into the group, then the group delete;
 * op's next step sorts out the answer (if the kernel refused the group, each member goes back
 * to the group it was in and is deleted alone) and replies. codes/msgs then hold each member's
 * own outcome. */
static void link_group_send(Op *op, LinkGroup *g)
{
	uint8_t buf[512];
	const char *what;
	OpNl *nl;

	for (size_t i = 0; i < g->n; i++) {
		const Nsring__V1__DeleteLinkRequest *req = g->reqs[i];
		const char *name = str_set(req->name) ? req->name : NULL;
		RtnlLinkChange ch = { .index = name ? 0 : req->index, .name = name, .up = -1,
				      .ns_fd = -1, .has_group = true, .group = g->group };

		g->codes[i] = 0;
		if (!name && !req->index) {
			g->codes[i] = STATUS_INVALID_ARGUMENT;
			g->msgs[i] = "DeleteLink: name or index of the link is required";
			continue;
		}
		if (name && !name_ifname_valid(name)) {
			g->codes[i] = STATUS_INVALID_ARGUMENT;
			g->msgs[i] = op_printf(op, "DeleteLink: invalid interface name \"%.64s\"",
					       name);
			continue;
		}
		what = name ? op_printf(op, "link \"%s\"", name)
			    : op_printf(op, "link index %u", req->index);
		/* Forgotten now: later ops may start before this answers (pipelining). */
		op_index_forget(op, 0, name);
		/* The link as it is, in the same send (no round trip): its group, should the
		 * group delete fail and the link have to go back. */
		nl = op_send(op, 0, buf, rtnl_link_get(buf, sizeof(buf), ch.index, name), what);
		if (nl) {
			nl->ret_link = &g->links[i];
			nl->no_learn = true;
			nl->not_found = true;
			nl->ret_code = &g->codes[i];
			nl->ret_msg = &g->msgs[i];
		}
		nl = op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch), what);
		if (nl) {
			nl->not_found = true;
			nl->ret_code = &g->codes[i];
			nl->ret_msg = &g->msgs[i];
		}
	}
	/* In the same send: the kernel tears all of them down under one RCU wait. */
	nl = op_send(op, 0, buf, rtnl_link_del_group(buf, sizeof(buf), g->group),
		     op_printf(op, "delete link group %u", g->group));
	if (nl) {
		nl->ret_code = &g->del_code;
		nl->ret_msg = &g->del_msg;
	}
	op->scratch = g;
	op_then_final(op, link_group_answered);
}


/* ENODEV for the group delete only means no link was left in the group (every member failed
 * on its own); anything else, and the members that moved into the group still exist. */
static bool link_group_failed(const LinkGroup *g)
{
	return g->del_code && g->del_code != STATUS_NOT_FOUND;
}

/* After a refused group delete: each member back to the group it was in, then deleted alone
 * (a link the kernel cannot delete keeps its group). */
static void link_group_fallback(Op *op, LinkGroup *g)
{
	uint8_t buf[512];
	OpNl *nl;

	g->del_code = 0; /* superseded by each member's own outcome */
	g->del_msg = NULL;
	for (size_t i = 0; i < g->n; i++) {
		const RtnlLink *l = &g->links[i];
		RtnlLinkChange ch = { .index = l->index, .up = -1, .ns_fd = -1, .has_group = true,
				      .group = l->group };

		if (g->codes[i] || !l->index)
			continue;
		nl = op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			     op_printf(op, "link \"%s\" back to group %u", l->name, l->group));
		if (nl) {
			/* A link gone meanwhile is no failure; others are logged on the reply. */
			nl->ret_code = &g->restore_code;
			nl->ret_msg = &g->restore_msg;
		}
		nl = op_send(op, 0, buf, rtnl_link_del(buf, sizeof(buf), l->index, NULL),
			     op_printf(op, "link \"%s\"", l->name));
		if (nl) {
			nl->not_found = true;
			nl->ret_code = &g->codes[i];
			nl->ret_msg = &g->msgs[i];
		}
	}
}

/* The op itself succeeds: its caller hands each member its outcome from codes/msgs. */
static void link_group_reply(Op *op)
{
	Nsring__V1__DeleteLinkResponse resp = NSRING__V1__DELETE_LINK_RESPONSE__INIT;
	const LinkGroup *g = op->scratch;

	if (g->restore_code && g->restore_code != STATUS_NOT_FOUND)
		log_warning("%s", g->restore_msg);
	op_reply(op, &resp.base);
}

static void link_group_answered(Op *op)
{
	if (link_group_failed(op->scratch)) {
		link_group_fallback(op, op->scratch);
		op_then(op, link_group_reply);
		return;
	}
	link_group_reply(op);
}

/* ---- a batch's run of deletes */

static void group_send(Op *op)
{
	link_group_send(op, op->scratch);
}

static void group_start_step(Op *op)
{
	const Nsring__V1__DeleteLinkRequest *req = (void *)op->req;

	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, group_send);
}

const OpMethod link_group_method = {
	"DeleteLink", &nsring__v1__delete_link_request__descriptor, group_start_step, true
};

/* ---- a plain DeleteLink */

static void delete_link_reply(Op *op)
{
	Nsring__V1__DeleteLinkResponse resp = NSRING__V1__DELETE_LINK_RESPONSE__INIT;
	const OpFound *found = op->scratch; /* set by delete_link_send_one() */

	if (found && found->gone)
		op_set_already_done(op);
	op_reply(op, &resp.base);
}

/* One DeleteLink as one RTM_DELLINK (its next step replies). */
static void delete_link_send_one(Op *op)
{
	const Nsring__V1__DeleteLinkRequest *req = (void *)op->req;
	const char *name = str_set(req->name) ? req->name : NULL;
	uint8_t buf[512];
	OpNl *nl;

	/* Forgotten now, not on the answer: with pipelining later ops may start before it. */
	op_index_forget(op, 0, name);
	nl = op_send(op, 0, buf, rtnl_link_del(buf, sizeof(buf), name ? 0 : req->index, name),
		     op_link_what(op, req->name, req->index));
	if (nl)
		nl->not_found = true;
	if (nl && op_ensure(op)) {
		/* Ensure: already gone is done. */
		op->scratch = op_alloc(op, sizeof(OpFound));
		op_nl_tolerate_gone(nl, op->scratch);
	}
	op_then_final(op, delete_link_reply);
}

static bool delgroup_join(Op *op);

static void delete_link_send(Op *op)
{
	if (delgroup_join(op))
		op_then(op, delete_link_reply); /* runs once the group has answered */
	else
		delete_link_send_one(op);
}

void ops_delete_link(Op *op)
{
	const Nsring__V1__DeleteLinkRequest *req = (void *)op->req;

	if (!op_check_link_ref(op, req->name, req->index) || !op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, delete_link_send);
}

/* ---- DeleteLink calls outside a batch, coalesced per namespace and loop turn */

typedef struct DelGroup DelGroup;
struct DelGroup {
	Ops *ops;
	Netns *ns;
	OpsNs *ons; /* whose delgroup it is while it waits (NULL: the namespace closed) */
	DelGroup *next;
	Op **members;
	size_t n, cap;
	LinkGroup *lg; /* once sent: in the sending Op's arena */
};

static const OpMethod delgroup_method = {
	"DeleteLink", &nsring__v1__delete_link_request__descriptor, NULL, true
};

static void delgroup_free(DelGroup *g)
{
	free(g->members);
	free(g);
}

/* Gives a member back to the single-request path (it sends one RTM_DELLINK). */
static void member_alone(Op *m)
{
	m->pending--;
	delete_link_send_one(m);
	op_continue(m);
}

static void member_done(Op *m, int code, const char *msg)
{
	if (code == STATUS_NOT_FOUND && op_ensure(m)) {
		op_set_already_done(m); /* ensure: already gone is done */
		code = 0;
	}
	if (code && !m->err_code) {
		m->err_code = code;
		m->err_msg = op_strdup(m, msg ? msg : "DeleteLink failed");
	}
	m->pending--;
	op_continue(m);
}

/* The group Op finished: each member gets its outcome. */
static void delgroup_replied(void *userdata, int code, const char *msg,
			     const ProtobufCMessage *resp)
{
	DelGroup *g = userdata;
	LinkGroup *lg = g->lg;

	(void)resp;
	for (size_t i = 0; i < g->n; i++) {
		Op *m = g->members[i];

		if (code)
			member_done(m, code, msg);
		else
			member_done(m, lg->codes[i], lg->msgs[i]);
	}
	delgroup_free(g);
}

static void delgroup_unlink(DelGroup *g)
{
	DelGroup **pp = &g->ops->delgroups;

	if (g->ons)
		g->ons->delgroup = NULL;
	g->ons = NULL;
	while (*pp != g)
		pp = &(*pp)->next;
	*pp = g->next;
	g->next = NULL;
}

static void delgroup_send(DelGroup *g)
{
	uint64_t deadline = 0;
	Op *op;

	delgroup_unlink(g);
	if (g->n == 1) {
		member_alone(g->members[0]);
		delgroup_free(g);
		return;
	}
	/* The latest deadline of the members (none if one has none): the kernel's answer for
	 * all of them is one. */
	for (size_t i = 0; i < g->n; i++) {
		uint64_t d = g->members[i]->deadline;
		if (!d) {
			deadline = 0;
			break;
		}
		if (d > deadline)
			deadline = d;
	}
	op = op_new(g->ops, &delgroup_method, deadline, delgroup_replied, g);
	if (!op) {
		for (size_t i = 0; i < g->n; i++)
			member_done(g->members[i], STATUS_RESOURCE_EXHAUSTED, "DeleteLink: out of memory");
		delgroup_free(g);
		return;
	}
	op->internal = true;
	op->req = g->members[0]->req;
	op->req_borrowed = true;
	op->ns[0] = netns_ref(g->ns);
	g->lg = link_group_new(op, g->n);
	for (size_t i = 0; i < g->n; i++)
		g->lg->reqs[i] = (const void *)g->members[i]->req;
	link_group_send(op, g->lg);
	op_continue(op);
}

static bool same_link(const Nsring__V1__DeleteLinkRequest *a,
		      const Nsring__V1__DeleteLinkRequest *b)
{
	if (str_set(a->name) || str_set(b->name))
		return str_set(a->name) && str_set(b->name) && strcmp(a->name, b->name) == 0;
	return a->index == b->index;
}

static void delgroup_send_all(Ops *ops)
{
	while (ops->delgroups)
		delgroup_send(ops->delgroups);
}

static void delgroup_turn_end(LoopDefer *d)
{
	delgroup_send_all(container_of(d, Ops, delgroup_defer));
}

/* A DeleteLink outside a batch waits for the turn's end with the namespace's other deletes;
 * false: send it alone now. */
static bool delgroup_join(Op *op)
{
	const Nsring__V1__DeleteLinkRequest *req = (void *)op->req;
	Ops *ops = op->ops;
	Netns *ns = op->ns[0];
	OpsNs *ons = ns ? ns->priv : NULL;
	DelGroup *g;

	if (op->batch || !ons)
		return false;
	g = ons->delgroup;
	if (g) {
		bool dup = g->n >= DELGROUP_MAX;

		for (size_t i = 0; i < g->n && !dup; i++)
			dup = same_link((const void *)g->members[i]->req, req);
		if (dup) {
			delgroup_send(g);
			g = NULL;
		}
	}
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g)
			return false;
		g->ops = ops;
		g->ns = ns;
		g->ons = ons;
		ons->delgroup = g;
		g->next = ops->delgroups;
		ops->delgroups = g;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		Op **m = realloc(g->members, cap * sizeof(*m));

		if (!m) {
			if (g->n == 0) {
				delgroup_unlink(g);
				delgroup_free(g);
			}
			return false;
		}
		g->members = m;
		g->cap = cap;
	}
	g->members[g->n++] = op;
	op->pending++; /* released by delgroup_replied() or member_alone() */
	loop_defer(ops->loop, &ops->delgroup_defer);
	return true;
}

void delgroup_cut(Netns *ns)
{
	OpsNs *ons = ns ? ns->priv : NULL;

	if (ons && ons->delgroup)
		delgroup_send(ons->delgroup);
}

void delgroup_ns_closed(OpsNs *ons)
{
	/* Still sent at the turn's end (and failed there: the namespace is gone). */
	if (ons->delgroup)
		ons->delgroup->ons = NULL;
	ons->delgroup = NULL;
}

void delgroup_init(Ops *ops)
{
	ops->delgroup_defer.cb = delgroup_turn_end;
}

void delgroup_flush_all(Ops *ops)
{
	loop_defer_cancel(ops->loop, &ops->delgroup_defer);
	delgroup_send_all(ops);
}
