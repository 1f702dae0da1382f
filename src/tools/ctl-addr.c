/* nsringctl's address object: `addr add|del|show`, the address table and the address line of
 * `monitor`. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* The IPv4 broadcast address of addr/plen (ip's `broadcast +`). */
static int broadcast_plus(CtlParser *p, const char *addr, uint32_t plen, const char **ret)
{
	struct in_addr in;
	char *out;

	if (inet_pton(AF_INET, addr, &in) != 1)
		return ctl_fail(p->cmd, "\"broadcast\" is only for IPv4 addresses");
	if (plen >= 31)
		return ctl_fail(p->cmd, "\"broadcast +\" needs a prefix length below 31");
	in.s_addr |= htonl(UINT32_MAX >> plen);
	out = ctl_alloc(p->cmd, INET_ADDRSTRLEN);
	if (!out)
		return ctl_oom(p->cmd);
	inet_ntop(AF_INET, &in, out, INET_ADDRSTRLEN);
	*ret = out;
	return 0;
}

/* valid_lft/preferred_lft N|forever */
static int parse_lft(CtlParser *p, const char *kw, uint32_t *ret)
{
	const char *v;
	int r = ctl_need(p, kw, &v);

	if (r < 0)
		return r;
	if (ctl_streq(v, "forever")) {
		*ret = UINT32_MAX;
		return 0;
	}
	if (ctl_parse_u32(v, ret) < 0)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" takes seconds or "
				"\"forever\"",
				v, kw);
	return 0;
}

static int parse_addr_modify(CtlParser *p, bool add, bool replace)
{
	Nsring__V1__Address *addr;
	const char *a, *dev = NULL, *brd = NULL;
	bool have_addr = false;
	int r, fam = 0, peer_plen = -1;

	addr = CTL_NEW_MSG(p->cmd, Nsring__V1__Address, nsring__v1__address__init);
	if (!addr)
		return ctl_oom(p->cmd);

	while ((a = ctl_next(p))) {
		const char *v;

		if (ctl_streq(a, "dev")) {
			if (dev)
				return ctl_fail(p->cmd, "duplicate \"dev\"");
			r = ctl_arg_ifname(p, a, &dev);
		} else if (ctl_streq(a, "peer") || ctl_streq(a, "remote")) {
			const char *paddr;
			uint32_t pplen;
			int pfam = 0;

			r = ctl_need(p, a, &v);
			if (r >= 0)
				r = ctl_parse_prefix(p, v, &paddr, &pplen, &pfam, NULL);
			addr->peer = (char *)paddr;
			if (r >= 0 && strchr(v, '/'))
				peer_plen = (int)pplen;
		} else if (ctl_streq(a, "label")) {
			r = ctl_need(p, a, &v);
			addr->label = (char *)v;
		} else if (ctl_streq(a, "valid_lft")) {
			addr->set_valid_lft_case = NSRING__V1__ADDRESS__SET_VALID_LFT_VALID_LFT;
			r = parse_lft(p, a, &addr->valid_lft);
		} else if (ctl_streq(a, "preferred_lft")) {
			addr->set_preferred_lft_case =
				NSRING__V1__ADDRESS__SET_PREFERRED_LFT_PREFERRED_LFT;
			r = parse_lft(p, a, &addr->preferred_lft);
		} else if (ctl_streq(a, "nodad")) {
			addr->nodad = true;
			r = 0;
		} else if (ctl_streq(a, "noprefixroute")) {
			addr->noprefixroute = true;
			r = 0;
		} else if (ctl_streq(a, "broadcast") || ctl_streq(a, "brd")) {
			r = ctl_need(p, a, &brd);
			if (r >= 0 && !ctl_streq(brd, "+") && ctl_ip_family(brd) != 4)
				return ctl_fail(
					p->cmd,
					"argument \"%s\" is wrong: broadcast must be an IPv4 "
					"address or \"+\"",
					brd);
		} else if (!have_addr) {
			if (ctl_streq(a, "local")) {
				r = ctl_need(p, a, &v);
				if (r < 0)
					return r;
			} else {
				v = a;
			}
			r = ctl_parse_prefix(p, v, (const char **)&addr->address, &addr->prefix_len,
					     &fam, NULL);
			have_addr = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!have_addr)
		return ctl_fail(p->cmd, "not enough information: an ADDRESS/PLEN is required");
	if (!dev)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	addr->link_name = (char *)dev;
	if (addr->peer[0]) {
		if (ctl_ip_family(addr->peer) != fam)
			return ctl_fail(p->cmd, "\"peer\" is not of the address's family");
		/* ip: the prefix length given with the peer is the address's. */
		if (peer_plen >= 0)
			addr->prefix_len = (uint32_t)peer_plen;
	}
	if (addr->label[0] && fam != 4)
		return ctl_fail(p->cmd, "\"label\" is only for IPv4 addresses");
	if (brd) {
		if (fam != 4)
			return ctl_fail(p->cmd, "\"broadcast\" is only for IPv4 addresses");
		if (ctl_streq(brd, "+")) {
			r = broadcast_plus(p, addr->address, addr->prefix_len, &brd);
			if (r < 0)
				return r;
		}
		addr->broadcast = (char *)brd;
	}

	if (add) {
		Nsring__V1__CreateAddressRequest *req;

		req = CTL_NEW_CALL(p, CreateAddress, create_address, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->address = addr;
		req->replace = replace;
	} else {
		Nsring__V1__DeleteAddressRequest *req;

		req = CTL_NEW_CALL(p, DeleteAddress, delete_address, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->address = addr;
	}
	return 0;
}

static int parse_addr_show(CtlParser *p)
{
	Nsring__V1__ListAddressesRequest *req;
	const char *name = NULL;
	int r;

	r = ctl_parse_dev(p, &name, NULL, NULL);
	if (r < 0)
		return r;
	req = CTL_NEW_CALL(p, ListAddresses, list_addresses, ctl_print_addresses);
	if (!req)
		return ctl_oom(p->cmd);
	if (name)
		req->link_name = (char *)name;
	req->family = (uint32_t)p->cmd->family;
	return 0;
}

static int parse_addr(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_addr_show(p);
	if (ctl_matches(c, "add"))
		return parse_addr_modify(p, true, false);
	if (ctl_matches(c, "replace"))
		return parse_addr_modify(p, true, true);
	if (ctl_matches(c, "delete"))
		return parse_addr_modify(p, false, false);
	if (ctl_matches(c, "show") || ctl_matches(c, "lst") || ctl_matches(c, "list"))
		return parse_addr_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_addr = {
	.word = "address",
	.usage = "  addr add|replace|del ADDR[/PLEN] dev NAME [broadcast ADDR|+] [peer "
		 "ADDR[/PLEN]]\n"
		 "           [label NAME] [valid_lft N|forever] [preferred_lft N|forever] [nodad]\n"
		 "           [noprefixroute]\n"
		 "  addr show [[dev] NAME]\n",
	.parse = parse_addr,
};

/* ---------------------------------------------------------------- printing */

static void addr_row(FILE *f, const ProtobufCMessage *item)
{
	const Nsring__V1__Address *a = (const void *)item;
	char link[24], addr[64], scope[12];

	if (a->link_name[0])
		snprintf(link, sizeof(link), "%s", a->link_name);
	else
		snprintf(link, sizeof(link), "if%" PRIu32, a->link_index);
	snprintf(addr, sizeof(addr), "%s/%" PRIu32, a->address, a->prefix_len);
	fprintf(f, "%-16s %-32s %-8s %s\n", link, addr, ctl_route_scope_name(a->scope, scope),
		ctl_or_dash(a->broadcast));
}

int ctl_print_addresses(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListAddressesResponse *r = (const void *)resp;

	ctl_print_list(f, json, (ProtobufCMessage **)r->addresses, r->n_addresses, addr_row,
		       "%-16s %-32s %-8s %s\n", "LINK", "ADDRESS", "SCOPE", "BROADCAST");
	return 0;
}

/* ---------------------------------------------------------------- monitor */

void ctl_addr_print_event(FILE *f, const Nsring__V1__Address *a)
{
	static const CtlWord names[] = {
		{ "secondary", 0x01 },	    { "dadfailed", 0x08 }, { "deprecated", 0x20 },
		{ "tentative", 0x40 },	    { "nodad", 0x02 },	   { "optimistic", 0x04 },
		{ "noprefixroute", 0x200 },
	};
	bool v6 = strchr(a->address, ':') != NULL;
	char sb[12];

	if (a->link_index)
		fprintf(f, "%" PRIu32 ": ", a->link_index);
	if (a->link_name[0])
		fputs(a->link_name, f);
	else
		fprintf(f, "if%" PRIu32, a->link_index);
	fprintf(f, "    %s %s/%" PRIu32, v6 ? "inet6" : "inet", a->address, a->prefix_len);
	if (a->broadcast[0])
		fprintf(f, " brd %s", a->broadcast);
	fprintf(f, " scope %s", ctl_route_scope_name(a->scope, sb));
	/* IPv6 addresses without IFA_F_PERMANENT have lifetimes (SLAAC, DHCPv6). */
	if (v6 && !(a->flags & 0x80))
		fputs(" dynamic", f);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (a->flags & (uint32_t)names[i].value)
			fprintf(f, " %s", names[i].word);
	if (!v6 && a->link_name[0])
		fprintf(f, " %s", a->link_name); /* the label */
}

/* As `ip monitor route`: "[TYPE] DST [via GW] dev DEV [table T] [proto P] [scope S] [src A]
 * [metric M]", leaving out what ip leaves out (unicast, table main, proto boot, scope
 * global). */
