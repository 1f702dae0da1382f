/* Address methods: CreateAddress, DeleteAddress, ListAddresses. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

/* What the steps share (op->scratch): the link named by name, once looked up. */
typedef struct AddrScratch {
	uint32_t idx_link;
	OpFound found, found_link; /* ensure: the address, its link */
} AddrScratch;

const size_t ops_addr_scratch_size = sizeof(AddrScratch);

/* peer, label, lifetimes, nodad, noprefixroute (create only; a delete ignores them). */
static bool addr_options_from_pb(Op *op, const Nsring__V1__Address *pb, RtnlAddr *ret)
{
	bool has_valid = pb->set_valid_lft_case == NSRING__V1__ADDRESS__SET_VALID_LFT_VALID_LFT;
	bool has_pref =
		pb->set_preferred_lft_case == NSRING__V1__ADDRESS__SET_PREFERRED_LFT_PREFERRED_LFT;

	if (str_set(pb->peer)) {
		if (rtnl_ip_parse(pb->peer, &ret->peer) < 0 ||
		    ret->peer.family != ret->addr.family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"address.peer: invalid address \"%.64s\" (of the address's family)",
				pb->peer);
			return false;
		}
	}
	if (str_set(pb->label)) {
		size_t n = str_set(pb->link_name) ? strlen(pb->link_name) : 0;

		if (ret->addr.family != AF_INET) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"address.label: only IPv4 addresses have one");
			return false;
		}
		if (strlen(pb->label) >= IFNAMSIZ ||
		    (n && strncmp(pb->label, pb->link_name, n) != 0)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"address.label \"%.64s\": at most 15 bytes, starting with the "
				"link's "
				"name",
				pb->label);
			return false;
		}
		snprintf(ret->label, sizeof(ret->label), "%s", pb->label);
	}
	if (has_pref && !has_valid) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"address.preferred_lft needs address.valid_lft");
		return false;
	}
	if (has_valid) {
		if (pb->valid_lft == 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "address.valid_lft must be above 0");
			return false;
		}
		if (has_pref && pb->preferred_lft > pb->valid_lft) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"address.preferred_lft %u is above address.valid_lft %u",
				pb->preferred_lft, pb->valid_lft);
			return false;
		}
		ret->has_lifetimes = true;
		ret->valid_lft = pb->valid_lft;
		ret->preferred_lft = has_pref ? pb->preferred_lft : pb->valid_lft;
	}
	if (pb->nodad)
		ret->flags |= IFA_F_NODAD;
	if (pb->noprefixroute)
		ret->flags |= IFA_F_NOPREFIXROUTE;
	return true;
}

static bool addr_from_pb(Op *op, const Nsring__V1__Address *pb, RtnlAddr *ret)
{
	unsigned max;

	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "address is required");
		return false;
	}
	if (!str_set(pb->link_name) && pb->link_index == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"the address's link (name or index) is required");
		return false;
	}
	if (str_set(pb->link_name) && !name_ifname_valid(pb->link_name)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid interface name \"%.64s\"",
			pb->link_name);
		return false;
	}
	if (!pb->address || rtnl_ip_parse(pb->address, &ret->addr) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid IP address \"%.64s\"",
			pb->address ? pb->address : "");
		return false;
	}
	max = ret->addr.family == AF_INET ? 32 : 128;
	if (pb->prefix_len > max) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "prefix length %u is out of range 0-%u",
			pb->prefix_len, max);
		return false;
	}
	ret->prefix_len = (uint8_t)pb->prefix_len;
	if (str_set(pb->broadcast)) {
		if (ret->addr.family != AF_INET ||
		    rtnl_ip_parse(pb->broadcast, &ret->broadcast) < 0 ||
		    ret->broadcast.family != AF_INET) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"invalid broadcast \"%.64s\": only an IPv4 address has one",
				pb->broadcast);
			return false;
		}
	}
	ret->index = pb->link_index;
	return addr_options_from_pb(op, pb, ret);
}

static const Nsring__V1__Address *addr_req(Op *op, bool create)
{
	if (create)
		return ((Nsring__V1__CreateAddressRequest *)op->req)->address;
	return ((Nsring__V1__DeleteAddressRequest *)op->req)->address;
}

static void addr_reply(Op *op)
{
	AddrScratch *x = op->scratch;

	if (x->found.gone || x->found_link.gone)
		op_set_already_done(op); /* ensure: a delete that found nothing */
	if (op->m->start == ops_create_address) {
		Nsring__V1__CreateAddressResponse resp = NSRING__V1__CREATE_ADDRESS_RESPONSE__INIT;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteAddressResponse resp = NSRING__V1__DELETE_ADDRESS_RESPONSE__INIT;
		op_reply(op, &resp.base);
	}
}

/* Ensure: the address exists; the link's addresses were dumped. The kernel refuses an IPv4
 * address only with the same prefix, an IPv6 one with any: compare the prefix length and the
 * broadcast. */
static void addr_compare(Op *op)
{
	AddrScratch *x = op->scratch;
	const Nsring__V1__Address *pb = addr_req(op, true);
	char ip[INET6_ADDRSTRLEN], fb[INET6_ADDRSTRLEN], ab[INET6_ADDRSTRLEN];
	const RtnlAddr *found = NULL;
	EnsureDiff d;
	RtnlAddr a;

	addr_from_pb(op, pb, &a);
	a.index = x->idx_link ? x->idx_link : a.index;
	for (size_t i = 0; i < op->dump.naddrs && !found; i++) {
		const RtnlAddr *c = &op->dump.addrs[i];

		if (c->index == a.index && c->addr.family == a.addr.family &&
		    memcmp(c->addr.bytes, a.addr.bytes, sizeof(a.addr.bytes)) == 0)
			found = c;
	}
	if (!found) {
		op_fail_found(op, &x->found); /* gone again, or the kernel meant something else */
		return;
	}
	ensure_diff_init(&d);
	ensure_diff_u32(&d, "prefix length", found->prefix_len, a.prefix_len);
	if (a.broadcast.family && (found->broadcast.family != AF_INET ||
				   found->broadcast.v4.s_addr != a.broadcast.v4.s_addr))
		ensure_diff_str(&d, "broadcast",
				found->broadcast.family
					? rtnl_ip_format(&found->broadcast, fb, sizeof(fb))
					: "",
				rtnl_ip_format(&a.broadcast, ab, sizeof(ab)));
	if (ensure_diff_fail(op, &d,
			     op_printf(op, "address %s on link \"%s\"",
				       rtnl_ip_format(&a.addr, ip, sizeof(ip)),
				       str_set(pb->link_name) ? pb->link_name
							      : op_printf(op, "%u", a.index))))
		return;
	op_set_already_done(op);
	addr_reply(op);
}

static void addr_judge(Op *op)
{
	AddrScratch *x = op->scratch;
	const Nsring__V1__Address *pb = addr_req(op, true);
	uint8_t buf[512];
	OpNl *nl;

	if (!x->found.exists) {
		addr_reply(op);
		return;
	}
	nl = op_send(op, 0, buf,
		     rtnl_addr_dump(buf, sizeof(buf), op_af(0),
				    x->idx_link ? x->idx_link : pb->link_index),
		     "list addresses");
	if (nl)
		nl->collect = RTM_GETADDR;
	op_then(op, addr_compare);
}

static void addr_send(Op *op)
{
	AddrScratch *x = op->scratch;
	bool create = op->m->start == ops_create_address;
	const Nsring__V1__Address *pb = addr_req(op, create);
	bool replace = create && ((const Nsring__V1__CreateAddressRequest *)op->req)->replace;
	char ip[INET6_ADDRSTRLEN];
	uint8_t buf[512];
	RtnlAddr a;
	OpNl *nl;

	if (x->found_link.gone) {
		if (create)
			op_fail_found(op, &x->found_link);
		else
			addr_reply(op); /* ensure: no link, no address */
		return;
	}
	addr_from_pb(op, pb, &a);
	if (x->idx_link)
		a.index = x->idx_link;
	/* ip's default for a new address's scope is global (0), which RtnlAddr is already. */
	if (!create) {
		/* Only link, address and length identify it (ip address del ignores the rest). */
		a.peer = (RtnlIp){ 0 };
		a.label[0] = 0;
		a.has_lifetimes = false;
		a.flags = 0;
	}
	nl = op_send(
		op, 0, buf,
		create ? (replace ? rtnl_addr_replace(buf, sizeof(buf), &a)
				  : rtnl_addr_new(buf, sizeof(buf), &a))
		       : rtnl_addr_del(buf, sizeof(buf), &a),
		op_printf(op, "%s address %s/%u on link \"%s\"",
			  create ? (replace ? "replace" : "add") : "delete",
			  rtnl_ip_format(&a.addr, ip, sizeof(ip)), a.prefix_len,
			  str_set(pb->link_name) ? pb->link_name : op_printf(op, "%u", a.index)));
	if (create && op_ensure(op)) {
		op_nl_tolerate_exists(nl, &x->found);
		op_then(op, addr_judge);
		return;
	}
	op_nl_tolerate_gone(nl, &x->found);
	op_then_final(op, addr_reply);
}

static void addr_resolve(Op *op)
{
	AddrScratch *x = op->scratch;
	const Nsring__V1__Address *pb = addr_req(op, op->m->start == ops_create_address);

	if (str_set(pb->link_name))
		op_nl_tolerate_gone(op_get_link(op, 0, 0, pb->link_name, NULL, &x->idx_link),
				    &x->found_link);
	op_then(op, addr_send);
}

static void addr_start(Op *op, const Nsring__V1__NamespaceRef *ns, const Nsring__V1__Address *pb)
{
	RtnlAddr a;

	if (!addr_from_pb(op, pb, &a) || !op_open_ns(op, 0, ns))
		return;
	op_then(op, addr_resolve);
}

void ops_create_address(Op *op)
{
	const Nsring__V1__CreateAddressRequest *req = (void *)op->req;
	addr_start(op, req->namespace_, req->address);
}

void ops_delete_address(Op *op)
{
	const Nsring__V1__DeleteAddressRequest *req = (void *)op->req;
	addr_start(op, req->namespace_, req->address);
}

/* ---- ListAddresses */

static void list_addresses_reply(Op *op)
{
	const Nsring__V1__ListAddressesRequest *req = (void *)op->req;
	Nsring__V1__ListAddressesResponse resp = NSRING__V1__LIST_ADDRESSES_RESPONSE__INIT;
	uint32_t only = 0;

	if (str_set(req->link_name)) {
		for (size_t i = 0; i < op->dump.nlinks; i++)
			if (strcmp(op->dump.links[i].name, req->link_name) == 0)
				only = op->dump.links[i].index;
		if (!only) {
			op_fail(op, STATUS_NOT_FOUND, "link \"%s\" not found", req->link_name);
			return;
		}
	}
	resp.addresses =
		op_alloc(op, (op->dump.naddrs ? op->dump.naddrs : 1) * sizeof(*resp.addresses));
	for (size_t i = 0; i < op->dump.naddrs; i++) {
		const RtnlAddr *a = &op->dump.addrs[i];

		if (only && a->index != only)
			continue;
		resp.addresses[resp.n_addresses++] = op_addr_to_pb(op, a);
	}
	op_reply(op, &resp.base);
}

static void list_addresses_dump(Op *op)
{
	const Nsring__V1__ListAddressesRequest *req = (void *)op->req;

	op_dump_after_links(op, RTM_GETADDR, req->family, list_addresses_reply);
}

void ops_list_addresses(Op *op)
{
	const Nsring__V1__ListAddressesRequest *req = (void *)op->req;

	if (!op_list_family_ok(op, req->family))
		return;
	if (str_set(req->link_name) && !name_ifname_valid(req->link_name)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid interface name \"%.64s\"",
			req->link_name);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_addresses_dump);
}
