/* nsringctl's monitor object: the Watch request (objects, namespaces, snapshot) and each
 * event's line, as `ip monitor` prints it (the objects' lines come from their files). */
#include <errno.h>
#include <inttypes.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* The objects monitor watches; a prefix picks the first that it matches, as in ip. */
static const CtlWord objects[] = {
	{ "link", NSRING__V1__WATCH_KIND__WATCH_KIND_LINK },
	{ "address", NSRING__V1__WATCH_KIND__WATCH_KIND_ADDRESS },
	{ "route", NSRING__V1__WATCH_KIND__WATCH_KIND_ROUTE },
	{ "qdisc", NSRING__V1__WATCH_KIND__WATCH_KIND_QDISC },
	{ "neigh", NSRING__V1__WATCH_KIND__WATCH_KIND_NEIGHBOR },
	{ "fdb", NSRING__V1__WATCH_KIND__WATCH_KIND_FDB },
	{ "rule", NSRING__V1__WATCH_KIND__WATCH_KIND_RULE },
	{ "nexthop", NSRING__V1__WATCH_KIND__WATCH_KIND_NEXTHOP },
};

/* monitor [all | link | address | route | qdisc | neigh | fdb | rule | nexthop ...]
 *         [-n NS ... | --all]
 * [--snapshot]: a Watch. */
static int parse_monitor(CtlParser *p)
{
	Nsring__V1__WatchRequest *req;
	bool all_objects = false;
	const char *a;
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__WatchRequest, nsring__v1__watch_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	/* At most one namespace per remaining word, and the global -n. */
	req->namespaces = ctl_alloc(p->cmd, (size_t)(p->argc - p->i + 1) * sizeof(void *));
	req->kinds = ctl_alloc(p->cmd, ARRAY_SIZE(objects) * sizeof(*req->kinds));
	if (!req->namespaces || !req->kinds)
		return ctl_oom(p->cmd);
	if (p->ns)
		req->namespaces[req->n_namespaces++] = p->ns;

	while ((a = ctl_next(p))) {
		bool seen;
		size_t k;

		if (ctl_streq(a, "all")) {
			all_objects = true;
		} else if (ctl_streq(a, "--snapshot") || ctl_streq(a, "snapshot")) {
			req->snapshot = true;
		} else if (ctl_streq(a, "--all") || ctl_streq(a, "all-nsid")) {
			req->all_namespaces = true;
		} else if (ctl_streq(a, "-n") || ctl_streq(a, "--netns") || ctl_streq(a, "netns")) {
			const char *v;

			r = ctl_need(p, a, &v);
			if (r >= 0)
				r = ctl_parse_nsref(p, v, &req->namespaces[req->n_namespaces]);
			if (r < 0)
				return r;
			req->n_namespaces++;
		} else if (ctl_streq(a, "help")) {
			return CTL_PARSE_HELP;
		} else {
			for (k = 0; k < ARRAY_SIZE(objects); k++)
				if (ctl_matches(a, objects[k].word) ||
				    (ctl_streq(a, "nh") &&
				     objects[k].value ==
					     NSRING__V1__WATCH_KIND__WATCH_KIND_NEXTHOP))
					break;
			if (k == ARRAY_SIZE(objects))
				return ctl_unknown(p, a);
			seen = false;
			for (size_t j = 0; j < req->n_kinds; j++)
				seen |= req->kinds[j] == (Nsring__V1__WatchKind)objects[k].value;
			if (!seen)
				req->kinds[req->n_kinds++] =
					(Nsring__V1__WatchKind)objects[k].value;
		}
	}
	if (req->all_namespaces && req->n_namespaces > 0)
		return ctl_fail(p->cmd, "--all watches every namespace: it excludes -n");
	if (all_objects) {
		/* The API's default (no kind) is links, addresses and routes: all is what
		 * `ip monitor all` watches, neighbours, rules and nexthops too; qdiscs are tc
		 * monitor's, FDB entries bridge monitor's. */
		req->n_kinds = 0;
		for (size_t k = 0; k < ARRAY_SIZE(objects); k++)
			if (objects[k].value != NSRING__V1__WATCH_KIND__WATCH_KIND_QDISC &&
			    objects[k].value != NSRING__V1__WATCH_KIND__WATCH_KIND_FDB)
				req->kinds[req->n_kinds++] =
					(Nsring__V1__WatchKind)objects[k].value;
	}
	ctl_set_call(p->cmd, "Watch", &req->base, &nsring__v1__watch_event__descriptor,
		     ctl_print_watch_event);
	p->cmd->stream = true;
	return 0;
}

const CtlObject ctl_object_monitor = {
	.word = "monitor",
	.usage = "  monitor [all | link | address | route | qdisc | neigh | fdb | rule | nexthop ...]\n"
		 "          [-n NS ... | --all] [--snapshot]   (no object: link, address, route)\n"
		 "      print changes as ip monitor does, one line each (JSON lines with -j), "
		 "until\n"
		 "      Ctrl-C or the daemon ends the stream; -n (also before monitor): watch NS\n"
		 "      (several allowed), --all (or all-nsid): every namespace, also later ones;\n"
		 "      --snapshot: first the current objects, then \"Synced\", then changes.\n"
		 "      --timeout does not apply.\n",
	.parse = parse_monitor,
};

/* ---------------------------------------------------------------- printing */

int ctl_print_watch_event(FILE *f, const ProtobufCMessage *m, bool json)
{
	const Nsring__V1__WatchEvent *ev = (const void *)m;
	const Nsring__V1__Namespace *ns = ev->namespace_;

	if (json) {
		/* JSON lines: one object per event, so a reader can act on each at once. */
		ctl_print_json_message(f, m, true);
		fputc('\n', f);
		return 0;
	}
	if (ns && ns->name[0])
		fprintf(f, "[%s] ", ns->name);
	else if (ns && ns->path[0])
		fprintf(f, "[%s] ", ns->path);
	else if (ns && ns->inode)
		fprintf(f, "[inode %" PRIu64 "] ", ns->inode);
	switch (ev->type) {
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_SYNCED:
		fputs("Synced: the snapshot is complete, changes follow\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_RESYNC:
		fputs("Resync: events were lost; a fresh snapshot follows\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED:
		fputs("Namespace added", f);
		if (ns && ns->name[0] && ns->path[0]) /* else the path is the prefix */
			fprintf(f, " %s", ns->path);
		if (ns && ns->inode)
			fprintf(f, " inode %" PRIu64, ns->inode);
		fputc('\n', f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_DELETED:
		fputs("Namespace deleted\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED:
		fputs("Deleted ", f);
		break;
	default:
		break;
	}
	switch (ev->object_case) {
	case NSRING__V1__WATCH_EVENT__OBJECT_LINK:
		ctl_link_print_event(f, ev->link);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_ADDRESS:
		ctl_addr_print_event(f, ev->address);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_ROUTE:
		ctl_route_print_event(f, ev->route);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_QDISC:
		ctl_qdisc_print_event(f, ev->qdisc);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_NEIGHBOR:
		ctl_neigh_print_event(f, ev->neighbor);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_FDB:
		ctl_fdb_print_event(f, ev->fdb);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_RULE:
		ctl_rule_print_line(f, ev->rule);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_NEXTHOP:
		ctl_nexthop_print_line(f, ev->nexthop);
		break;
	default:
		fprintf(f, "event %d", (int)ev->type); /* a newer daemon's event */
		break;
	}
	fputc('\n', f);
	return 0;
}
