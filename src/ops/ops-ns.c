/* Namespace methods: CreateNamespace, DeleteNamespace, ListNamespaces. */
#include <errno.h>
#include <stdlib.h>

#include "core/status.h"
#include "ops-internal.h"

static bool check_name(Op *op, const char *name)
{
	char msg[1024];

	if (!ops_ns_name_error(name, msg, sizeof(msg)))
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT, "%s", msg);
	return false;
}

static void create_namespace_error(Op *op, int r)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;

	if (r == -EEXIST)
		op_fail(op, STATUS_ALREADY_EXISTS, "namespace \"%s\" already exists", req->name);
	else
		op_fail_errno(op, r, op_printf(op, "namespace \"%s\"", req->name), NULL);
}

static void create_namespace_done(void *userdata, int r, Netns *ns)
{
	Op *op = userdata;

	op->pending--;
	if (r < 0)
		create_namespace_error(op, r);
	else
		op->ns[0] = ns;
	op_continue(op);
}

static void create_namespace_reply(Op *op)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;
	Nsring__V1__CreateNamespaceResponse resp = NSRING__V1__CREATE_NAMESPACE_RESPONSE__INIT;
	Nsring__V1__Namespace *ns = op_alloc(op, sizeof(*ns));

	nsring__v1__namespace__init(ns);
	ns->name = req->name;
	ns->path = op_printf(op, "%s/%s", netns_registry_dir(op->ops->reg), req->name);
	ns->inode = op->ns[0]->ino;
	resp.namespace_ = ns;
	op_reply(op, &resp.base);
}

/* The sysctls the request carries, set inside the namespace before the reply; with ensure (a
 * namespace found there) only the keys whose value differs are written. */
static void create_namespace_sysctls(Op *op)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;

	ops_sysctls_apply(op, req->sysctls, req->n_sysctls, op_ensure(op), create_namespace_reply);
}

static void create_namespace_again(Op *op);

/* Ensure: the name exists. A namespace there (also one our own creation is still making) is the
 * work done; the empty file a daemon killed mid-creation leaves is removed and the namespace
 * made anew (the next step). r: how opening the name went. */
static void create_namespace_found(Op *op, int r, Netns *ns)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;
	int rr;

	if (r == 0) {
		op->ns[0] = ns;
		op_set_already_done(op);
	} else if (r == -EINVAL && (rr = netns_reclaim_stale(op->ops->reg, req->name)) != -EEXIST) {
		if (rr < 0 && rr != -ENOENT)
			op_fail_errno(op, rr,
				      op_printf(op, "stale file of namespace \"%s\"", req->name),
				      NULL);
		else
			op_then(op, create_namespace_again);
	} else if (r == -EINVAL) {
		op_fail(op, STATUS_ALREADY_EXISTS,
			"namespace \"%s\" exists with different attributes: its file is not a "
			"network namespace",
			req->name);
	} else if (r == -ENOENT) {
		op_then(op, create_namespace_again); /* deleted meanwhile: make it */
	} else {
		create_namespace_error(op, r);
	}
}

static void create_namespace_existing(void *userdata, int r, Netns *ns)
{
	Op *op = userdata;

	op->pending--;
	create_namespace_found(op, r, ns);
	op_continue(op);
}

/* may_exist: with ensure, an existing name is looked at (not after a stale file was removed:
 * a second EEXIST then is somebody else's new namespace, reported as such). */
static void create_namespace_send(Op *op, bool may_exist)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;
	int r;

	op_then(op, create_namespace_sysctls);
	r = netns_create(op->ops->reg, req->name, create_namespace_done, op);
	if (r == -EEXIST && may_exist && op_ensure(op)) {
		NetnsRef ref = { .type = NETNS_REF_NAME, .str = req->name };

		r = netns_open(op->ops->reg, &ref, create_namespace_existing, op);
		if (r < 0) {
			create_namespace_found(op, r, NULL);
			return;
		}
	}
	if (r < 0) {
		create_namespace_error(op, r);
		return;
	}
	op->pending++;
}

static void create_namespace_again(Op *op)
{
	create_namespace_send(op, false);
}

void ops_create_namespace(Op *op)
{
	const Nsring__V1__CreateNamespaceRequest *req = (void *)op->req;

	if (!check_name(op, req->name) || !ops_sysctls_check(op, req->sysctls, req->n_sysctls))
		return;
	create_namespace_send(op, true);
}

void ops_delete_namespace(Op *op)
{
	const Nsring__V1__DeleteNamespaceRequest *req = (void *)op->req;
	Nsring__V1__DeleteNamespaceResponse resp = NSRING__V1__DELETE_NAMESPACE_RESPONSE__INIT;
	int r;

	if (!check_name(op, req->name))
		return;
	r = netns_delete(op->ops->reg, req->name);
	if (r == -ENOENT && op_ensure(op)) {
		op_set_already_done(op);
		op_reply(op, &resp.base);
		return;
	}
	if (r == -ENOENT) {
		op_fail(op, STATUS_NOT_FOUND, "namespace \"%s\" not found", req->name);
		return;
	}
	if (r < 0) {
		op_fail_errno(op, r, op_printf(op, "namespace \"%s\"", req->name), NULL);
		return;
	}
	op_reply(op, &resp.base);
}

void ops_list_namespaces(Op *op)
{
	Nsring__V1__ListNamespacesResponse resp = NSRING__V1__LIST_NAMESPACES_RESPONSE__INIT;
	NetnsEntry *entries = NULL;
	size_t n = 0;
	int r;

	r = netns_list(op->ops->reg, &entries, &n);
	if (r < 0) {
		op_fail_errno(op, r, op_printf(op, "listing %s", netns_registry_dir(op->ops->reg)),
			      NULL);
		return;
	}
	resp.n_namespaces = n;
	resp.namespaces = op_alloc(op, (n ? n : 1) * sizeof(*resp.namespaces));
	for (size_t i = 0; i < n; i++) {
		Nsring__V1__Namespace *ns = op_alloc(op, sizeof(*ns));
		nsring__v1__namespace__init(ns);
		ns->name = op_strdup(op, entries[i].name);
		ns->path = op_printf(op, "%s/%s", netns_registry_dir(op->ops->reg), entries[i].name);
		ns->inode = entries[i].ino;
		resp.namespaces[i] = ns;
	}
	free(entries);
	op_reply(op, &resp.base);
}
