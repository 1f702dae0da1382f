/* nsringctl's netns object: `netns add|del|list` and the namespace table. */
#include <errno.h>
#include <inttypes.h>

#include "core/names.h"
#include "ctl-internal.h"
#include "ctl-json.h"

#define NETNS_NAME_MAX 255 /* a file name */

static int parse_netns(CtlParser *p)
{
	const char *c = ctl_next(p), *name;
	int r;

	if (!c || ctl_matches(c, "list") || ctl_matches(c, "show") || ctl_matches(c, "lst")) {
		Nsring__V1__ListNamespacesRequest *req;

		req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListNamespacesRequest,
				  nsring__v1__list_namespaces_request__init);
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_call(p->cmd, "ListNamespaces", &req->base,
			     &nsring__v1__list_namespaces_response__descriptor,
			     ctl_print_namespaces);
		return ctl_no_more(p);
	}
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	if (!ctl_matches(c, "add") && !ctl_matches(c, "delete"))
		return ctl_unknown(p, c);

	r = ctl_need(p, c, &name);
	if (r < 0)
		return ctl_fail(p->cmd, "netns %s needs a NAME", c);
	if (!name_netns_valid(name))
		return ctl_fail(p->cmd,
				"\"%s\" is not a valid namespace name (no \"/\", at most %d bytes)",
				name, NETNS_NAME_MAX);
	if (ctl_matches(c, "add")) {
		Nsring__V1__CreateNamespaceRequest *req;

		req = CTL_NEW_CALL(p, CreateNamespace, create_namespace, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->name = (char *)name;
		/* netns add NAME sysctl KEY=VALUE...: set in the same call */
		if (ctl_peek(p) && ctl_matches(ctl_peek(p), "sysctl")) {
			size_t n;

			ctl_next(p);
			if (p->i >= p->argc)
				return ctl_fail(p->cmd, "netns add %s sysctl needs KEY=VALUE...", name);
			n = (size_t)(p->argc - p->i);
			req->sysctls = ctl_alloc(p->cmd, n * sizeof(*req->sysctls));
			if (!req->sysctls)
				return ctl_oom(p->cmd);
			for (const char *a; (a = ctl_next(p)); req->n_sysctls++) {
				r = ctl_parse_sysctl_assign(p, a, &req->sysctls[req->n_sysctls]);
				if (r < 0)
					return r;
			}
		}
	} else {
		Nsring__V1__DeleteNamespaceRequest *req;

		req = CTL_NEW_CALL(p, DeleteNamespace, delete_namespace, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->name = (char *)name;
	}
	return ctl_no_more(p);
}

const CtlObject ctl_object_netns = {
	.word = "netns",
	.usage = "  netns add NAME [sysctl KEY=VALUE...] | del NAME | list\n",
	.parse = parse_netns,
};

static void netns_row(FILE *f, const ProtobufCMessage *item)
{
	const Nsring__V1__Namespace *ns = (const void *)item;

	fprintf(f, "%-24s %-12" PRIu64 " %s\n", ctl_or_dash(ns->name), ns->inode,
		ctl_or_dash(ns->path));
}

int ctl_print_namespaces(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListNamespacesResponse *r = (const void *)resp;

	ctl_print_list(f, json, (ProtobufCMessage **)r->namespaces, r->n_namespaces, netns_row,
		       "%-24s %-12s %s\n", "NAME", "INODE", "PATH");
	return 0;
}
