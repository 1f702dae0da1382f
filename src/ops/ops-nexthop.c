/* Nexthop object methods: CreateNexthop (also replace), DeleteNexthop, ListNexthops (ip nexthop
 * add|replace|del|show). Every field is checked here, before anything is sent. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/nexthop.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

/* What the steps share (op->scratch). */
typedef struct NexthopScratch {
	uint32_t idx_link; /* the device named by dev, once looked up */
	int code;	   /* the request's outcome when ensure may excuse it */
	char *msg;
	bool already_done;
} NexthopScratch;

const size_t ops_nexthop_scratch_size = sizeof(NexthopScratch);

static bool nexthop_from_pb(Op *op, const Nsring__V1__Nexthop *pb, RtnlNexthop *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "nexthop is required");
		return false;
	}
	if (pb->family != 0 && pb->family != 4 && pb->family != 6) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "nexthop.family must be 4, 6 or 0, not %u",
			pb->family);
		return false;
	}
	ret->id = pb->id;
	if (pb->protocol > 255) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "nexthop.protocol %u is out of range 0-255",
			pb->protocol);
		return false;
	}
	ret->protocol = (uint8_t)pb->protocol;
	ret->fdb = pb->fdb;
	if (pb->n_group) {
		if (str_set(pb->gateway) || str_set(pb->dev) || pb->dev_index || pb->blackhole ||
		    pb->onlink || pb->family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"nexthop.group: a group has members only (no gateway, dev, "
				"blackhole, onlink or family)");
			return false;
		}
		if (pb->n_group > RTNL_NEXTHOP_GROUP_MAX) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"nexthop.group: %zu members, at most %d here", pb->n_group,
				RTNL_NEXTHOP_GROUP_MAX);
			return false;
		}
		for (size_t i = 0; i < pb->n_group; i++) {
			const Nsring__V1__NexthopGroupMember *m = pb->group[i];

			if (!m || m->id == 0 || m->weight > 256) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"nexthop.group[%zu]: the id must be set and the weight "
					"1-256",
					i);
				return false;
			}
			if (m->id == pb->id) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"nexthop.group[%zu]: a group cannot hold itself (id %u)", i,
					m->id);
				return false;
			}
			for (size_t j = 0; j < i; j++) {
				if (ret->group[j].id == m->id) {
					op_fail(op, STATUS_INVALID_ARGUMENT,
						"nexthop.group[%zu]: id %u is there twice", i,
						m->id);
					return false;
				}
			}
			ret->group[i] = (RtnlNexthopMember){ m->id, (uint16_t)(m->weight ?: 1) };
		}
		ret->n_group = (uint16_t)pb->n_group;
		if (pb->resilient_buckets) {
			if (pb->resilient_buckets > 65535) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"nexthop.resilient_buckets %u is out of range 1-65535",
					pb->resilient_buckets);
				return false;
			}
			ret->group_type = NEXTHOP_GRP_TYPE_RES;
			ret->res_buckets = (uint16_t)pb->resilient_buckets;
		}
		return true;
	}
	if (pb->resilient_buckets) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"nexthop.resilient_buckets needs nexthop.group");
		return false;
	}
	ret->family = pb->family == 6 ? AF_INET6 : AF_INET;
	if (pb->blackhole) {
		if (str_set(pb->gateway) || str_set(pb->dev) || pb->dev_index || pb->onlink ||
		    pb->fdb) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"nexthop.blackhole: no gateway, dev, onlink or fdb with it");
			return false;
		}
		ret->blackhole = true;
		return true;
	}
	if (str_set(pb->gateway)) {
		if (rtnl_ip_parse(pb->gateway, &ret->gateway) < 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"nexthop.gateway: invalid address \"%.64s\"", pb->gateway);
			return false;
		}
		if (pb->family && op_af(pb->family) != ret->gateway.family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"nexthop.gateway \"%.64s\" is not of nexthop.family %u",
				pb->gateway, pb->family);
			return false;
		}
		ret->family = ret->gateway.family;
	}
	if (str_set(pb->dev) && !name_ifname_valid(pb->dev)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"nexthop.dev: invalid interface name \"%.64s\"", pb->dev);
		return false;
	}
	if (!str_set(pb->dev) && !pb->dev_index && !pb->fdb) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"nexthop.dev is required (or blackhole, group or fdb)");
		return false;
	}
	if (pb->onlink && !ret->gateway.family) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "nexthop.onlink needs nexthop.gateway");
		return false;
	}
	if (pb->fdb && (str_set(pb->dev) || pb->dev_index)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "nexthop.fdb: no dev with it");
		return false;
	}
	ret->oif = pb->dev_index;
	ret->flags = pb->onlink ? RTNH_F_ONLINK : 0;
	return true;
}

static bool nh_create(const Op *op)
{
	return op->m->start == ops_create_nexthop;
}

static bool nh_ensure(const Op *op)
{
	return op_ensure(op);
}

static void nh_reply_ok(Op *op)
{
	NexthopScratch *x = op->scratch;

	if (nh_create(op)) {
		Nsring__V1__CreateNexthopResponse resp = NSRING__V1__CREATE_NEXTHOP_RESPONSE__INIT;
		resp.already_done = x->already_done;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteNexthopResponse resp = NSRING__V1__DELETE_NEXTHOP_RESPONSE__INIT;
		resp.already_done = x->already_done;
		op_reply(op, &resp.base);
	}
}

/* The attributes in which the nexthop found (have) differs from the one asked for (want), as
 * "gateway, dev", or "" when it is the same. */
static const char *nh_differs(Op *op, const RtnlNexthop *want, const RtnlNexthop *have)
{
	char buf[256] = "";
	size_t n = 0;

#define DIFF(cond, name)                                                                           \
	do {                                                                                       \
		if (cond)                                                                          \
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ", " : "",     \
					      name);                                               \
	} while (0)
	DIFF(want->n_group != have->n_group ||
		     memcmp(want->group, have->group, want->n_group * sizeof(want->group[0])) != 0,
	     "group");
	DIFF(want->group_type != have->group_type || want->res_buckets != have->res_buckets,
	     "resilient_buckets");
	DIFF(want->blackhole != have->blackhole, "blackhole");
	DIFF(!want->n_group && !want->blackhole && want->family != have->family, "family");
	DIFF(memcmp(&want->gateway, &have->gateway, sizeof(want->gateway)) != 0, "gateway");
	DIFF(want->oif != have->oif, "dev");
	DIFF((want->flags & RTNH_F_ONLINK) != (have->flags & RTNH_F_ONLINK), "onlink");
	DIFF(want->fdb != have->fdb, "fdb");
	DIFF(want->protocol && want->protocol != have->protocol, "protocol");
#undef DIFF
	return op_strdup(op, buf);
}

static void nh_reply(Op *op);

/* ensure and EEXIST: the nexthops there (op->dump) tell whether it is the same one. */
static void nh_compare(Op *op)
{
	const Nsring__V1__CreateNexthopRequest *req = (void *)op->req;
	NexthopScratch *x = op->scratch;
	RtnlNexthop want;
	const char *diff;

	nexthop_from_pb(op, req->nexthop, &want);
	if (x->idx_link)
		want.oif = x->idx_link;
	for (size_t i = 0; i < op->dump.nnexthops; i++) {
		const RtnlNexthop *have = &op->dump.nexthops[i];

		if (have->id != want.id)
			continue;
		diff = nh_differs(op, &want, have);
		if (!*diff) {
			x->already_done = true;
			nh_reply_ok(op);
			return;
		}
		op_fail(op, STATUS_ALREADY_EXISTS, "nexthop %u exists with another %s", want.id,
			diff);
		return;
	}
	/* Gone again meanwhile: the kernel's answer stands. */
	op_fail(op, x->code, "%s", x->msg + strlen(op->m->name) + 2);
}

static void nh_reply(Op *op)
{
	const Nsring__V1__CreateNexthopRequest *creq = (void *)op->req;
	NexthopScratch *x = op->scratch;

	if (!x->code) {
		nh_reply_ok(op);
		return;
	}
	if (nh_ensure(op) && !nh_create(op) && x->code == STATUS_NOT_FOUND) {
		x->already_done = true;
		nh_reply_ok(op);
		return;
	}
	if (nh_ensure(op) && nh_create(op) && !creq->replace && x->code == STATUS_ALREADY_EXISTS &&
	    creq->nexthop->id) {
		op_dump(op, RTM_GETNEXTHOP, AF_UNSPEC);
		op_then(op, nh_compare);
		return;
	}
	op_fail(op, x->code, "%s", x->msg + strlen(op->m->name) + 2);
}

static void nh_send(Op *op)
{
	NexthopScratch *x = op->scratch;
	uint8_t buf[1024];
	OpNl *nl;

	if (nh_create(op)) {
		const Nsring__V1__CreateNexthopRequest *req = (void *)op->req;
		RtnlNexthop nh;

		nexthop_from_pb(op, req->nexthop, &nh);
		if (x->idx_link)
			nh.oif = x->idx_link;
		nl = op_send(op, 0, buf, rtnl_nexthop_new(buf, sizeof(buf), &nh, req->replace),
			     nh.id ? op_printf(op, "%s nexthop %u",
					       req->replace ? "replace" : "add", nh.id)
				   : op_printf(op, "add nexthop"));
	} else {
		const Nsring__V1__DeleteNexthopRequest *req = (void *)op->req;

		nl = op_send(op, 0, buf, rtnl_nexthop_del(buf, sizeof(buf), req->id),
			     op_printf(op, "delete nexthop %u", req->id));
	}
	if (nl) {
		/* Sorted out in nh_reply(): ensure may excuse it. */
		nl->ret_code = &x->code;
		nl->ret_msg = &x->msg;
	}
	if (nh_ensure(op))
		op_then(op, nh_reply); /* it may need a dump before it answers */
	else
		op_then_final(op, nh_reply);
}

static void nh_resolve(Op *op)
{
	NexthopScratch *x = op->scratch;
	const Nsring__V1__CreateNexthopRequest *req = (void *)op->req;

	if (str_set(req->nexthop->dev))
		op_get_link(op, 0, 0, req->nexthop->dev, NULL, &x->idx_link);
	op_then(op, nh_send);
}

void ops_create_nexthop(Op *op)
{
	const Nsring__V1__CreateNexthopRequest *req = (void *)op->req;
	RtnlNexthop nh;

	if (!nexthop_from_pb(op, req->nexthop, &nh))
		return;
	if (op_ensure(op) && !nh.id) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"nexthop.id is required with ensure (else every resend makes a new one)");
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, nh_resolve);
}

void ops_delete_nexthop(Op *op)
{
	const Nsring__V1__DeleteNexthopRequest *req = (void *)op->req;

	if (req->id == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "id is required (1..4294967295)");
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, nh_send);
}

/* ---- ListNexthops */

static void list_nexthops_reply(Op *op)
{
	const Nsring__V1__ListNexthopsRequest *req = (void *)op->req;
	Nsring__V1__ListNexthopsResponse resp = NSRING__V1__LIST_NEXTHOPS_RESPONSE__INIT;
	size_t n = op->dump.nnexthops;
	uint32_t dev = 0;

	if (str_set(req->dev)) {
		for (size_t i = 0; i < op->dump.nlinks; i++)
			if (strcmp(op->dump.links[i].name, req->dev) == 0)
				dev = op->dump.links[i].index;
		if (!dev) {
			op_fail(op, STATUS_NOT_FOUND, "link \"%s\" not found", req->dev);
			return;
		}
	}
	resp.nexthops = op_alloc(op, (n ? n : 1) * sizeof(*resp.nexthops));
	for (size_t i = 0; i < n; i++) {
		const RtnlNexthop *nh = &op->dump.nexthops[i];

		if (dev && nh->oif != dev)
			continue;
		resp.nexthops[resp.n_nexthops++] = op_nexthop_to_pb(op, nh);
	}
	op_reply(op, &resp.base);
}

static void list_nexthops_dump(Op *op)
{
	op_dump(op, RTM_GETLINK, AF_UNSPEC);
	op_dump(op, RTM_GETNEXTHOP, AF_UNSPEC);
	op_then(op, list_nexthops_reply);
}

void ops_list_nexthops(Op *op)
{
	const Nsring__V1__ListNexthopsRequest *req = (void *)op->req;

	if (str_set(req->dev) && !name_ifname_valid(req->dev)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid interface name \"%.64s\"", req->dev);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_nexthops_dump);
}
