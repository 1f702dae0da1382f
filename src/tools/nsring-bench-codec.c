/* nsring-bench codec: operations -> ttrpc request frames (plain or Batch), and the few fields
 * of responses the tool needs, decoded in place. No I/O and no allocation per call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "nsring-bench.h"
#include "nsring/v1/nsring.pb-c.h"
#include "wire/ttrpc-wire.h"

/* ---------------------------------------------------------------- buffers */

int bench_buf_reserve(BenchBuf *b, size_t more)
{
	return buf_grow(&b->data, &b->cap, b->len + more, 65536);
}

void bench_buf_free(BenchBuf *b)
{
	free(b->data);
	*b = (BenchBuf){ 0 };
}

/* ---------------------------------------------------------------- operations */

static const struct {
	const char *method;
	unsigned batch_field; /* BatchOp oneof member */
} op_info[] = {
	[BOP_CREATE_NS] = { "CreateNamespace", 1 },
	[BOP_DELETE_NS] = { "DeleteNamespace", 2 },
	[BOP_CREATE_VETH] = { "CreateLink", 3 },
	[BOP_CREATE_BRIDGE] = { "CreateLink", 3 },
	[BOP_UPDATE_LINK] = { "UpdateLink", 4 },
	[BOP_DELETE_LINK] = { "DeleteLink", 5 },
	[BOP_CREATE_ADDR] = { "CreateAddress", 6 },
	[BOP_CREATE_ROUTE] = { "CreateRoute", 8 },
	[BOP_GET_LINK] = { "GetLink", 10 },
	[BOP_SET_SYSCTL] = { "SetSysctl", 61 },
	[BOP_CREATE_QDISC] = { "CreateQdisc", 65 },
	/* Neighbours and FDB entries. */
	[BOP_CREATE_VXLAN] = { "CreateLink", 3 },
	[BOP_CREATE_NEIGH] = { "CreateNeighbor", 40 },
	[BOP_APPEND_FDB] = { "CreateFdbEntry", 42 },
	[BOP_CREATE_RULE] = { "CreateRule", 30 },
};

const char *bench_op_method(BenchOpKind k)
{
	return op_info[k].method;
}

unsigned bench_op_batch_field(BenchOpKind k)
{
	return op_info[k].batch_field;
}

void bench_op_describe(const BenchOp *op, char *buf, size_t n)
{
	const char *m = bench_op_method(op->kind);

	switch (op->kind) {
	case BOP_CREATE_NS:
	case BOP_DELETE_NS:
		snprintf(buf, n, "%s %s", m, op->ns);
		break;
	case BOP_CREATE_VETH:
		snprintf(buf, n, "%s veth %s (peer %s in %s) in %s", m, op->name, op->peer,
			 op->peer_ns[0] ? op->peer_ns : op->ns, op->ns);
		break;
	case BOP_CREATE_ADDR:
		snprintf(buf, n, "%s %s/%u dev %s in %s", m, op->addr, op->plen, op->name, op->ns);
		break;
	case BOP_SET_SYSCTL:
		snprintf(buf, n, "%s net.ipv4.ip_forward=1 in %s", m, op->ns);
		break;
	case BOP_CREATE_ROUTE:
		snprintf(buf, n, "%s %s via %s%s%s in %s", m, op->addr, op->gw,
			 op->name[0] ? " dev " : "", op->name, op->ns);
		break;
	case BOP_CREATE_NEIGH:
		snprintf(buf, n, "%s %s lladdr %s dev %s in %s", m, op->addr, op->gw, op->name,
			 op->ns);
		break;
	case BOP_APPEND_FDB:
		snprintf(buf, n, "%s append 00:00:00:00:00:00 dev %s dst %s in %s", m, op->name,
			 op->addr, op->ns);
		break;
	case BOP_CREATE_RULE:
		snprintf(buf, n, "%s from %s table %u pref %u in %s", m, op->addr, op->table,
			 op->priority, op->ns);
		break;
	default:
		snprintf(buf, n, "%s %s in %s", m, op->name, op->ns);
		break;
	}
}

/* Packs op's request message into scratch; returns its length or a negative errno. */
static ssize_t pack_op(const BenchOp *op, BenchBuf *scratch)
{
	Nsring__V1__NamespaceRef ns = NSRING__V1__NAMESPACE_REF__INIT;
	Nsring__V1__NamespaceRef peer_ns = NSRING__V1__NAMESPACE_REF__INIT;
	Nsring__V1__Veth veth = NSRING__V1__VETH__INIT;
	Nsring__V1__Bridge bridge = NSRING__V1__BRIDGE__INIT;
	Nsring__V1__Link link = NSRING__V1__LINK__INIT;
	Nsring__V1__Address addr = NSRING__V1__ADDRESS__INIT;
	Nsring__V1__Route route = NSRING__V1__ROUTE__INIT;
	Nsring__V1__Sysctl sysctls[2] = { NSRING__V1__SYSCTL__INIT, NSRING__V1__SYSCTL__INIT };
	Nsring__V1__Sysctl *psysctls[2] = { &sysctls[0], &sysctls[1] };
	Nsring__V1__Qdisc qdisc = NSRING__V1__QDISC__INIT;
	Nsring__V1__Tbf tbf = NSRING__V1__TBF__INIT;
	Nsring__V1__Vxlan vxlan = NSRING__V1__VXLAN__INIT;
	Nsring__V1__Neighbor neigh = NSRING__V1__NEIGHBOR__INIT;
	Nsring__V1__FdbEntry fdb = NSRING__V1__FDB_ENTRY__INIT;
	Nsring__V1__Rule rule = NSRING__V1__RULE__INIT;
	union {
		ProtobufCMessage base;
		Nsring__V1__CreateNamespaceRequest cns;
		Nsring__V1__DeleteNamespaceRequest dns;
		Nsring__V1__CreateLinkRequest cl;
		Nsring__V1__UpdateLinkRequest ul;
		Nsring__V1__DeleteLinkRequest dl;
		Nsring__V1__GetLinkRequest gl;
		Nsring__V1__CreateAddressRequest ca;
		Nsring__V1__CreateRouteRequest cr;
		Nsring__V1__SetSysctlRequest ss;
		Nsring__V1__CreateQdiscRequest cq;
		Nsring__V1__CreateNeighborRequest cn;
		Nsring__V1__CreateFdbEntryRequest cf;
		Nsring__V1__CreateRuleRequest cu;
	} m;
	size_t len;
	int r;

	ns.ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
	ns.name = (char *)op->ns;

	switch (op->kind) {
	case BOP_CREATE_NS:
		m.cns = (Nsring__V1__CreateNamespaceRequest)
			NSRING__V1__CREATE_NAMESPACE_REQUEST__INIT;
		m.cns.name = (char *)op->ns;
		if (op->no_ipv6) {
			/* "all" for lo, "default" for every link made later */
			sysctls[0].key = "net.ipv6.conf.all.disable_ipv6";
			sysctls[1].key = "net.ipv6.conf.default.disable_ipv6";
			sysctls[0].value = sysctls[1].value = "1";
			m.cns.n_sysctls = 2;
			m.cns.sysctls = psysctls;
		}
		break;
	case BOP_SET_SYSCTL:
		m.ss = (Nsring__V1__SetSysctlRequest)NSRING__V1__SET_SYSCTL_REQUEST__INIT;
		m.ss.namespace_ = &ns;
		sysctls[0].key = "net.ipv4.ip_forward";
		sysctls[0].value = "1";
		m.ss.n_sysctls = 1;
		m.ss.sysctls = psysctls;
		break;
	case BOP_DELETE_NS:
		m.dns = (Nsring__V1__DeleteNamespaceRequest)
			NSRING__V1__DELETE_NAMESPACE_REQUEST__INIT;
		m.dns.name = (char *)op->ns;
		break;
	case BOP_CREATE_VETH:
	case BOP_CREATE_BRIDGE:
	case BOP_CREATE_VXLAN:
		m.cl = (Nsring__V1__CreateLinkRequest)NSRING__V1__CREATE_LINK_REQUEST__INIT;
		m.cl.namespace_ = &ns;
		m.cl.link = &link;
		link.name = (char *)op->name;
		link.up = op->up;
		if (op->kind == BOP_CREATE_VETH) {
			link.info_case = NSRING__V1__LINK__INFO_VETH;
			link.veth = &veth;
			veth.peer_name = (char *)op->peer;
			if (op->peer_ns[0]) {
				peer_ns.ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
				peer_ns.name = (char *)op->peer_ns;
				veth.peer_namespace = &peer_ns;
			}
		} else if (op->kind == BOP_CREATE_VXLAN) {
			link.info_case = NSRING__V1__LINK__INFO_VXLAN;
			link.vxlan = &vxlan;
			vxlan.vni = 100;
			vxlan.local = (char *)op->addr;
			vxlan.port = 4789;
		} else {
			link.info_case = NSRING__V1__LINK__INFO_BRIDGE;
			link.bridge = &bridge;
		}
		if (op->master[0])
			m.cl.master = (char *)op->master;
		break;
	case BOP_UPDATE_LINK:
		m.ul = (Nsring__V1__UpdateLinkRequest)NSRING__V1__UPDATE_LINK_REQUEST__INIT;
		m.ul.namespace_ = &ns;
		m.ul.name = (char *)op->name;
		if (op->master[0]) {
			m.ul.set_master_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER;
			m.ul.master = (char *)op->master;
		}
		if (op->up) {
			m.ul.set_up_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP;
			m.ul.up = true;
		}
		break;
	case BOP_DELETE_LINK:
		m.dl = (Nsring__V1__DeleteLinkRequest)NSRING__V1__DELETE_LINK_REQUEST__INIT;
		m.dl.namespace_ = &ns;
		m.dl.name = (char *)op->name;
		break;
	case BOP_GET_LINK:
		m.gl = (Nsring__V1__GetLinkRequest)NSRING__V1__GET_LINK_REQUEST__INIT;
		m.gl.namespace_ = &ns;
		m.gl.name = (char *)op->name;
		break;
	case BOP_CREATE_ADDR:
		m.ca = (Nsring__V1__CreateAddressRequest)NSRING__V1__CREATE_ADDRESS_REQUEST__INIT;
		m.ca.namespace_ = &ns;
		m.ca.address = &addr;
		addr.link_name = (char *)op->name;
		addr.address = (char *)op->addr;
		addr.prefix_len = op->plen;
		break;
	case BOP_CREATE_ROUTE:
		m.cr = (Nsring__V1__CreateRouteRequest)NSRING__V1__CREATE_ROUTE_REQUEST__INIT;
		m.cr.namespace_ = &ns;
		m.cr.route = &route;
		route.destination = (char *)op->addr;
		route.gateway = (char *)op->gw;
		route.dev = (char *)op->name;
		break;
	case BOP_CREATE_QDISC:
		/* tc qdisc add dev NAME root tbf rate 8mbit burst 32kbit latency 50ms */
		m.cq = (Nsring__V1__CreateQdiscRequest)NSRING__V1__CREATE_QDISC_REQUEST__INIT;
		m.cq.namespace_ = &ns;
		m.cq.qdisc = &qdisc;
		qdisc.link_name = (char *)op->name;
		qdisc.options_case = NSRING__V1__QDISC__OPTIONS_TBF;
		qdisc.tbf = &tbf;
		tbf.rate = 1000000;
		tbf.burst = 4096;
		tbf.latency_us = 50000;
		break;
	case BOP_CREATE_NEIGH:
		m.cn = (Nsring__V1__CreateNeighborRequest)NSRING__V1__CREATE_NEIGHBOR_REQUEST__INIT;
		m.cn.namespace_ = &ns;
		m.cn.neighbor = &neigh;
		neigh.dev = (char *)op->name;
		neigh.address = (char *)op->addr;
		neigh.lladdr = (char *)op->gw;
		break;
	case BOP_APPEND_FDB:
		m.cf = (Nsring__V1__CreateFdbEntryRequest)
			NSRING__V1__CREATE_FDB_ENTRY_REQUEST__INIT;
		m.cf.namespace_ = &ns;
		m.cf.entry = &fdb;
		m.cf.append = true;
		fdb.dev = (char *)op->name;
		fdb.mac = "00:00:00:00:00:00";
		fdb.dst = (char *)op->addr;
		break;
	case BOP_CREATE_RULE:
		m.cu = (Nsring__V1__CreateRuleRequest)NSRING__V1__CREATE_RULE_REQUEST__INIT;
		m.cu.namespace_ = &ns;
		m.cu.rule = &rule;
		rule.family = 4;
		rule.from = (char *)op->addr;
		rule.table = op->table;
		rule.set_priority_case = NSRING__V1__RULE__SET_PRIORITY_PRIORITY;
		rule.priority = op->priority;
		break;
	default:
		return -EINVAL;
	}
	len = protobuf_c_message_get_packed_size(&m.base);
	r = bench_buf_reserve(scratch, len);
	if (r < 0)
		return r;
	protobuf_c_message_pack(&m.base, scratch->data + scratch->len);
	scratch->len += len;
	return (ssize_t)len;
}

/* ---------------------------------------------------------------- protobuf wire helpers */

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* A length-delimited field: tag, length, then the bytes. */
static size_t ld_size_field(unsigned field, size_t len)
{
	return varint_size(field << 3 | 2) + varint_size(len) + len;
}

/* The same for fields 1..15 (one-byte tags): every field here but the BatchOp members. */
static size_t ld_size(size_t len)
{
	return ld_size_field(1, len);
}

static uint8_t *put_ld_head(uint8_t *p, unsigned field, size_t len)
{
	p = put_varint(p, field << 3 | 2);
	return put_varint(p, len);
}

static const uint8_t *get_varint(const uint8_t *p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64 && p < end; shift += 7) {
		uint8_t b = *p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return p;
		}
	}
	return NULL;
}

/* One field of a message: its number, wire type, and either a varint value or a (ptr, v) for a
 * length-delimited one; fixed-size fields are skipped. */
typedef struct PbField {
	unsigned num, type;
	uint64_t v;
	const uint8_t *ptr;
} PbField;

/* Reads the field at *p and moves *p past it: 1, or 0 at end, or -EBADMSG if malformed. */
static int next_field(const uint8_t **p, const uint8_t *end, PbField *f)
{
	const uint8_t *q = *p;
	uint64_t key;

	if (q >= end)
		return 0;
	*f = (PbField){ 0 };
	q = get_varint(q, end, &key);
	if (!q)
		return -EBADMSG;
	f->num = (unsigned)(key >> 3);
	f->type = (unsigned)(key & 7);
	switch (key & 7) {
	case 0:
		q = get_varint(q, end, &f->v);
		break;
	case 1:
		q = end - q >= 8 ? q + 8 : NULL;
		break;
	case 2:
		q = get_varint(q, end, &f->v);
		if (q && f->v > (uint64_t)(end - q))
			q = NULL;
		if (q) {
			f->ptr = q;
			q += f->v;
		}
		break;
	case 5:
		q = end - q >= 4 ? q + 4 : NULL;
		break;
	default:
		q = NULL;
	}
	if (!q)
		return -EBADMSG;
	*p = q;
	return 1;
}

/* google.rpc.Status and BatchResult share their first two fields: code, message. */
static int decode_code_msg(const uint8_t *p, size_t n, int *ret_code, const char **ret_msg,
			   size_t *ret_msg_len)
{
	const uint8_t *end = p + n;
	PbField f;
	int r;

	*ret_code = 0;
	*ret_msg = "";
	*ret_msg_len = 0;
	while ((r = next_field(&p, end, &f)) > 0) {
		if (f.num == 1 && f.type == 0)
			*ret_code = (int)(int32_t)f.v;
		else if (f.num == 2 && f.type == 2)
			*ret_msg = (const char *)f.ptr, *ret_msg_len = f.v;
	}
	return r;
}

/* ---------------------------------------------------------------- requests */

int bench_encode_rpc(BenchBuf *out, uint32_t stream_id, const BenchOp *ops, size_t n, bool batch,
		     BenchBuf *scratch, uint32_t *lens)
{
	static const char service[] = TTRPC_SERVICE;
	const char *method = batch ? "Batch" : bench_op_method(ops[0].kind);
	size_t mlen = strlen(method), payload = 0, env, off;
	uint8_t *p;
	int r;

	if (n == 0 || (!batch && n != 1))
		return -EINVAL;
	scratch->len = 0;
	for (size_t i = 0; i < n; i++) {
		ssize_t l = pack_op(&ops[i], scratch);

		if (l < 0)
			return (int)l;
		lens[i] = (uint32_t)l;
		/* BatchRequest.ops (1) { BatchOp.<member> { request } } */
		payload += batch ? ld_size(ld_size_field(bench_op_batch_field(ops[i].kind), l))
				 : (size_t)l;
	}
	if (batch)
		payload += 2; /* mode */
	env = ld_size_field(1, sizeof(service) - 1) + ld_size_field(2, mlen) +
	      ld_size_field(3, payload);
	if (env > TTRPC_MESSAGE_MAX)
		return -EMSGSIZE;
	r = bench_buf_reserve(out, TTRPC_HEADER_SIZE + env);
	if (r < 0)
		return r;
	p = out->data + out->len;
	ttrpc_header_encode(p, &(TtrpcHeader){ .length = (uint32_t)env,
					       .stream_id = stream_id,
					       .type = TTRPC_TYPE_REQUEST });
	p += TTRPC_HEADER_SIZE;
	p = put_ld_head(p, 1, sizeof(service) - 1);
	memcpy(p, service, sizeof(service) - 1);
	p += sizeof(service) - 1;
	p = put_ld_head(p, 2, mlen);
	memcpy(p, method, mlen);
	p += mlen;
	p = put_ld_head(p, 3, payload);
	off = 0;
	for (size_t i = 0; i < n; i++) {
		if (batch) {
			p = put_ld_head(p, 1,
					ld_size_field(bench_op_batch_field(ops[i].kind), lens[i]));
			p = put_ld_head(p, bench_op_batch_field(ops[i].kind), lens[i]);
		}
		memcpy(p, scratch->data + off, lens[i]);
		p += lens[i];
		off += lens[i];
	}
	/* BatchRequest.mode (2) = CONTINUE: provisioning in bulk, every op reports on its own, and
	 * ops of one namespace are pipelined. */
	if (batch) {
		*p++ = 2 << 3;
		*p++ = NSRING__V1__BATCH_MODE__BATCH_MODE_CONTINUE;
	}
	out->len = (size_t)(p - out->data);
	return 0;
}

/* ---------------------------------------------------------------- responses */

int bench_decode_response(const uint8_t *p, size_t n, int *ret_code, const char **ret_msg,
			  size_t *ret_msg_len, const uint8_t **ret_payload, size_t *ret_payload_len)
{
	const uint8_t *end = p + n;
	PbField f;
	int r;

	*ret_code = 0;
	*ret_msg = "";
	*ret_msg_len = 0;
	*ret_payload = p;
	*ret_payload_len = 0;
	while ((r = next_field(&p, end, &f)) > 0) {
		if (f.num == 1 && f.type == 2) {
			if (decode_code_msg(f.ptr, f.v, ret_code, ret_msg, ret_msg_len) < 0)
				return -EBADMSG;
		} else if (f.num == 2 && f.type == 2) {
			*ret_payload = f.ptr;
			*ret_payload_len = f.v;
		}
	}
	return r;
}

int bench_decode_batch(const uint8_t *p, size_t n, BenchResult *res, size_t max, size_t *ret_n)
{
	const uint8_t *end = p + n;
	size_t k = 0;
	PbField f;
	int r;

	while ((r = next_field(&p, end, &f)) > 0) {
		if (f.num != 1 || f.type != 2)
			continue; /* failed, aborted: the tool counts results itself */
		if (k < max &&
		    decode_code_msg(f.ptr, f.v, &res[k].code, &res[k].msg, &res[k].msg_len) < 0)
			return -EBADMSG;
		k++;
	}
	if (r < 0)
		return r;
	*ret_n = k;
	return 0;
}
