/* nsringctl's `bridge fdb add|append|replace|del|show` with bridge(8)'s grammar (a sub-object of
 * the bridge object), and the FDB lines of `bridge fdb show` and `monitor`. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

static const CtlWord fdb_states[] = {
	{ "permanent", NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT },
	{ "static", NSRING__V1__FDB_STATE__FDB_STATE_STATIC },
	{ "dynamic", NSRING__V1__FDB_STATE__FDB_STATE_DYNAMIC },
};

static int parse_fdb_modify(CtlParser *p, const char *cmd)
{
	Nsring__V1__FdbEntry *e;
	const char *a, *v;
	int r, st;

	e = CTL_NEW_MSG(p->cmd, Nsring__V1__FdbEntry, nsring__v1__fdb_entry__init);
	if (!e)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		r = 0;
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			e->dev = (char *)v;
		} else if (ctl_streq(a, "dst")) {
			int fam;

			r = ctl_arg_ip(p, a, &v, &fam);
			e->dst = (char *)v;
		} else if (ctl_streq(a, "vni") || ctl_streq(a, "src_vni")) {
			e->set_vni_case = NSRING__V1__FDB_ENTRY__SET_VNI_VNI;
			r = ctl_arg_u32(p, a, 0xffffff, &e->vni);
		} else if (ctl_streq(a, "port") || ctl_streq(a, "dst_port")) {
			r = ctl_arg_u32(p, a, 65535, &e->port);
		} else if (ctl_streq(a, "vlan")) {
			r = ctl_arg_u32(p, a, 4094, &e->vlan);
			if (r >= 0 && e->vlan == 0)
				return ctl_fail(p->cmd, "argument \"0\" is wrong: vlan is 1-4094");
		} else if (ctl_streq(a, "self")) {
			e->self = true;
		} else if (ctl_streq(a, "master")) {
			e->master = true;
		} else if (ctl_word_value(CTL_WORDS(fdb_states), a, &st) == 0) {
			if (e->state)
				return ctl_fail(p->cmd, "only one of permanent, static, dynamic");
			e->state = (Nsring__V1__FdbState)st;
		} else if (!e->mac[0]) {
			/* ctl_arg_lladdr reads the word after a keyword: step back onto it. */
			char *mac;

			p->i--;
			r = ctl_arg_lladdr(p, "lladdr", &mac);
			if (r >= 0 && strlen(mac) != 17)
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: invalid MAC address", a);
			e->mac = mac;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!e->mac[0])
		return ctl_fail(p->cmd, "not enough information: a MAC address is required");
	if (!e->dev[0])
		return ctl_fail(p->cmd, "not enough information: \"dev\" is required");
	if (ctl_streq(cmd, "del")) {
		Nsring__V1__DeleteFdbEntryRequest *req;

		req = CTL_NEW_CALL(p, DeleteFdbEntry, delete_fdb_entry, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->entry = e;
	} else {
		Nsring__V1__CreateFdbEntryRequest *req;

		if (ctl_streq(cmd, "append") && !e->dst[0])
			return ctl_fail(p->cmd, "\"append\" adds a remote: \"dst\" is required");
		req = CTL_NEW_CALL(p, CreateFdbEntry, create_fdb_entry, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->entry = e;
		req->append = ctl_streq(cmd, "append");
		req->replace = ctl_streq(cmd, "replace");
	}
	return 0;
}

static int parse_fdb_show(CtlParser *p)
{
	Nsring__V1__ListFdbEntriesRequest *req;
	const char *a, *v;
	int r;

	req = CTL_NEW_CALL(p, ListFdbEntries, list_fdb_entries, ctl_print_fdb_entries);
	if (!req)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev") || ctl_streq(a, "brport")) {
			r = ctl_arg_ifname(p, a, &v);
			req->dev = (char *)v;
		} else if (ctl_streq(a, "br")) {
			r = ctl_arg_ifname(p, a, &v);
			req->bridge = (char *)v;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int ctl_fdb_parse(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_fdb_show(p);
	if (ctl_matches(c, "add"))
		return parse_fdb_modify(p, "add");
	if (ctl_matches(c, "append"))
		return parse_fdb_modify(p, "append");
	if (ctl_matches(c, "replace"))
		return parse_fdb_modify(p, "replace");
	if (ctl_matches(c, "delete"))
		return parse_fdb_modify(p, "del");
	if (ctl_matches(c, "show") || ctl_matches(c, "list"))
		return parse_fdb_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

/* ---------------------------------------------------------------- printing */

/* One entry as `bridge fdb show` prints it, without the newline. */
void ctl_fdb_print_event(FILE *f, const Nsring__V1__FdbEntry *e)
{
	fputs(e->mac, f);
	if (e->dev[0])
		fprintf(f, " dev %s", e->dev);
	else if (e->dev_index)
		fprintf(f, " dev if%" PRIu32, e->dev_index);
	if (e->dst[0])
		fprintf(f, " dst %s", e->dst);
	if (e->vlan)
		fprintf(f, " vlan %" PRIu32, e->vlan);
	if (e->port)
		fprintf(f, " port %" PRIu32, e->port);
	if (e->set_vni_case == NSRING__V1__FDB_ENTRY__SET_VNI_VNI)
		fprintf(f, " vni %" PRIu32, e->vni);
	if (e->self)
		fputs(" self", f);
	if (e->master_name[0])
		fprintf(f, " master %s", e->master_name);
	else if (e->master)
		fputs(" master", f);
	if (e->state == NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT)
		fputs(" permanent", f);
	else if (e->state == NSRING__V1__FDB_STATE__FDB_STATE_STATIC)
		fputs(" static", f);
}

static void fdb_row(FILE *f, const ProtobufCMessage *item)
{
	ctl_fdb_print_event(f, (const Nsring__V1__FdbEntry *)item);
	fputc('\n', f);
}

int ctl_print_fdb_entries(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListFdbEntriesResponse *r = (const void *)resp;

	/* bridge's own lines, no header: they are what scripts compare. */
	ctl_print_list(f, json, (ProtobufCMessage **)r->entries, r->n_entries, fdb_row, "%s", "");
	return 0;
}
