/* nsringctl's neighbour object: `neigh add|replace|del|show` with ip neigh's grammar, the NUD
 * state names, and the neighbour lines of `neigh show` and `monitor`. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* NUD_* of linux/neighbour.h as ip names them (lower case in, upper case out). */
static const CtlWord nud_states[] = {
	{ "permanent", 0x80 }, { "noarp", 0x40 },      { "reachable", 0x02 },
	{ "stale", 0x04 },     { "delay", 0x08 },      { "probe", 0x10 },
	{ "failed", 0x20 },    { "incomplete", 0x01 }, { "none", 0x00 },
};

static int parse_neigh_modify(CtlParser *p, const char *method)
{
	Nsring__V1__Neighbor *n;
	const char *a, *v;
	bool have_addr = false, have_nud = false;
	int r, fam = 0;

	n = CTL_NEW_MSG(p->cmd, Nsring__V1__Neighbor, nsring__v1__neighbor__init);
	if (!n)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		r = 0;
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			n->dev = (char *)v;
		} else if (ctl_streq(a, "lladdr")) {
			r = ctl_arg_lladdr(p, a, &n->lladdr);
		} else if (ctl_streq(a, "nud")) {
			int s;

			r = ctl_need(p, a, &v);
			if (r < 0)
				return r;
			if (ctl_word_value(CTL_WORDS(nud_states), v, &s) < 0) {
				char list[160];

				return ctl_fail(p->cmd, "argument \"%s\" is wrong: nud takes %s", v,
						ctl_word_list(CTL_WORDS(nud_states), " or ", list,
							      sizeof(list)));
			}
			n->state = (uint32_t)s;
			have_nud = true;
		} else if (ctl_streq(a, "proxy")) {
			n->proxy = true;
		} else if (ctl_streq(a, "router")) {
			n->router = true;
		} else if (!have_addr) {
			if (ctl_streq(a, "to")) {
				r = ctl_need(p, a, &a);
				if (r < 0)
					return r;
			}
			fam = ctl_ip_family(a);
			if (!fam)
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: not an IP address", a);
			n->address = (char *)a;
			have_addr = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!have_addr)
		return ctl_fail(p->cmd, "not enough information: an address is required");
	if (!n->dev[0])
		return ctl_fail(p->cmd, "not enough information: \"dev\" is required");
	if (p->cmd->family && fam != p->cmd->family)
		return ctl_fail(p->cmd, "\"%s\" is not an IPv%d address (-%d was given)",
				n->address, p->cmd->family, p->cmd->family);
	if (n->proxy && (n->lladdr[0] || have_nud || n->router))
		return ctl_fail(p->cmd, "a proxy entry takes no lladdr, nud or router");

	if (ctl_streq(method, "DeleteNeighbor")) {
		Nsring__V1__DeleteNeighborRequest *req;

		req = CTL_NEW_CALL(p, DeleteNeighbor, delete_neighbor, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		n->state = 0; /* a delete names the entry only */
		req->neighbor = n;
	} else {
		Nsring__V1__CreateNeighborRequest *req;

		req = CTL_NEW_CALL(p, CreateNeighbor, create_neighbor, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->neighbor = n;
		req->replace = ctl_streq(method, "ReplaceNeighbor");
	}
	return 0;
}

static int parse_neigh_show(CtlParser *p)
{
	Nsring__V1__ListNeighborsRequest *req;
	const char *a, *v;
	bool nud_set = false;
	int r;

	req = CTL_NEW_CALL(p, ListNeighbors, list_neighbors, ctl_print_neighbors);
	if (!req)
		return ctl_oom(p->cmd);
	req->family = (uint32_t)p->cmd->family;
	/* ip neigh show's default: every state but noarp (`nud all` shows those too). */
	req->nud_mask = 0xff & ~0x40u;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			if (r < 0)
				return r;
			req->dev = (char *)v;
		} else if (ctl_streq(a, "proxy")) {
			req->proxy = true;
		} else if (ctl_streq(a, "nud")) {
			int st;

			r = ctl_need(p, a, &v);
			if (r < 0)
				return r;
			if (ctl_streq(v, "all")) {
				req->nud_mask = 0;
			} else if (ctl_word_value(CTL_WORDS(nud_states), v, &st) == 0 && st) {
				/* Several nud words add up, as in ip. */
				req->nud_mask = (nud_set ? req->nud_mask : 0) | (uint32_t)st;
			} else {
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: nud takes all or a "
						"state",
						v);
			}
			nud_set = true;
		} else {
			return ctl_unknown(p, a);
		}
	}
	return 0;
}

static int parse_neigh(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_neigh_show(p);
	if (ctl_matches(c, "add"))
		return parse_neigh_modify(p, "CreateNeighbor");
	if (ctl_matches(c, "replace"))
		return parse_neigh_modify(p, "ReplaceNeighbor");
	if (ctl_matches(c, "delete"))
		return parse_neigh_modify(p, "DeleteNeighbor");
	if (ctl_matches(c, "show") || ctl_matches(c, "list") || ctl_matches(c, "lst"))
		return parse_neigh_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_neigh = {
	.word = "neighbor",
	.usage = "  neigh add|replace|del ADDR [lladdr MAC] dev NAME [nud STATE] [router]\n"
		 "  neigh add|del proxy ADDR dev NAME\n"
		 "      STATE := permanent | noarp | reachable | stale | delay | probe | ...\n"
		 "  neigh show [dev NAME] [nud STATE|all] [proxy]\n",
	.parse = parse_neigh,
};

/* ip's spelling, also accepted. */
const CtlObject ctl_object_neighbour = {
	.word = "neighbour",
	.usage = "",
	.parse = parse_neigh,
};

/* ---------------------------------------------------------------- printing */

/* ip's state words, upper case: "REACHABLE", "STALE,PROBE" (more bits), "NONE". */
static void print_state(FILE *f, uint32_t state)
{
	bool first = true;

	if (!state) {
		fputs("NONE", f);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(nud_states); i++) {
		if (!nud_states[i].value || !(state & (uint32_t)nud_states[i].value))
			continue;
		fputs(first ? "" : ",", f);
		for (const char *s = nud_states[i].word; *s; s++)
			fputc(*s - 'a' + 'A', f);
		first = false;
	}
}

/* One neighbour as `ip neigh` prints it, without the newline. */
void ctl_neigh_print_event(FILE *f, const Nsring__V1__Neighbor *n)
{
	fputs(n->address, f);
	if (n->dev[0])
		fprintf(f, " dev %s", n->dev);
	else if (n->dev_index)
		fprintf(f, " dev if%" PRIu32, n->dev_index);
	if (n->lladdr[0])
		fprintf(f, " lladdr %s", n->lladdr);
	if (n->router)
		fputs(" router", f);
	if (n->proxy) {
		fputs(" proxy", f);
		return;
	}
	fputc(' ', f);
	print_state(f, n->state);
}

static void neigh_row(FILE *f, const ProtobufCMessage *item)
{
	ctl_neigh_print_event(f, (const Nsring__V1__Neighbor *)item);
	fputc('\n', f);
}

int ctl_print_neighbors(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListNeighborsResponse *r = (const void *)resp;

	/* ip's own lines, no header: they are what scripts compare. */
	ctl_print_list(f, json, (ProtobufCMessage **)r->neighbors, r->n_neighbors, neigh_row, "%s",
		       "");
	return 0;
}
