/* Namespace references and namespace errors as every caller (calls, batches, Watch) judges
 * them: one validation of a NamespaceRef, one mapping of a failed open to a status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"

const char *ops_ns_name_error(const char *name, char *msg, size_t msg_size)
{
	if (name && name_netns_valid(name))
		return NULL;
	snprintf(msg, msg_size,
		 "invalid namespace name \"%.256s\": it must be 1-255 bytes, without '/' or "
		 "control characters, and not \".\" or \"..\"",
		 name ? name : "");
	return msg;
}

int ops_ns_ref_resolve(const Nsring__V1__NamespaceRef *ref, NetnsRef *ret, char *what,
		       size_t what_size, char *msg, size_t msg_size)
{
	*ret = (NetnsRef){ .type = NETNS_REF_SELF };
	snprintf(what, what_size, "the daemon's namespace");
	if (!ref)
		return 0;
	switch (ref->ref_case) {
	case NSRING__V1__NAMESPACE_REF__REF_NAME:
		if (ops_ns_name_error(ref->name, msg, msg_size))
			return STATUS_INVALID_ARGUMENT;
		*ret = (NetnsRef){ .type = NETNS_REF_NAME, .str = ref->name };
		snprintf(what, what_size, "namespace \"%.256s\"", ref->name);
		return 0;
	case NSRING__V1__NAMESPACE_REF__REF_PATH:
		if (!ref->path || ref->path[0] != '/') {
			snprintf(msg, msg_size, "namespace path \"%.512s\" is not absolute",
				 ref->path ? ref->path : "");
			return STATUS_INVALID_ARGUMENT;
		}
		*ret = (NetnsRef){ .type = NETNS_REF_PATH, .str = ref->path };
		snprintf(what, what_size, "namespace path \"%.512s\"", ref->path);
		return 0;
	case NSRING__V1__NAMESPACE_REF__REF_PID:
		if (ref->pid <= 0) {
			snprintf(msg, msg_size, "invalid pid %d", (int)ref->pid);
			return STATUS_INVALID_ARGUMENT;
		}
		*ret = (NetnsRef){ .type = NETNS_REF_PID, .pid = ref->pid };
		snprintf(what, what_size, "namespace of pid %d", (int)ref->pid);
		return 0;
	default:
		return 0;
	}
}

int ops_errno_status(int err, const char *what, const char *extack, char *msg, size_t msg_size)
{
	if (err == -ESHUTDOWN) {
		snprintf(msg, msg_size,
			 "%s: the namespace was deleted while the operation was in flight", what);
		return STATUS_NOT_FOUND;
	}
	if (err == -ETIMEDOUT) {
		snprintf(msg, msg_size, "%s: no answer from the kernel in time", what);
		return STATUS_DEADLINE_EXCEEDED;
	}
	if (extack && *extack)
		snprintf(msg, msg_size, "%s: %s (%s): %s", what, errno_name(err), strerror(-err),
			 extack);
	else
		snprintf(msg, msg_size, "%s: %s (%s)", what, errno_name(err), strerror(-err));
	return status_from_errno(err);
}

int ops_ns_error(int err, const char *what, char *msg, size_t msg_size)
{
	switch (err) {
	case -ENOENT:
		snprintf(msg, msg_size, "%s not found", what);
		return STATUS_NOT_FOUND;
	case -ESRCH:
		snprintf(msg, msg_size, "%s: no such process", what);
		return STATUS_NOT_FOUND;
	case -EINVAL:
		snprintf(msg, msg_size, "%s is not a network namespace", what);
		return STATUS_INVALID_ARGUMENT;
	case -EPERM:
		snprintf(msg, msg_size,
			 "%s is not allowed: a path must name a namespace file (not a symlink) in "
			 "a directory under the allowed prefixes (--netns-path-prefix)",
			 what);
		return STATUS_PERMISSION_DENIED;
	default:
		return ops_errno_status(err, what, NULL, msg, msg_size);
	}
}
