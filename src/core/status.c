/* errno -> gRPC status mapping and symbolic errno names. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

StatusCode status_from_errno(int err)
{
	switch (abs(err)) {
	case 0:
		return STATUS_OK;
	case EEXIST:
	case ENOTEMPTY:
		return STATUS_ALREADY_EXISTS;
	case ENODEV:
	case ENOENT:
	case ESRCH:
	case EADDRNOTAVAIL:
	case ENXIO:
		return STATUS_NOT_FOUND;
	case EINVAL:
	case ERANGE:
	case ENAMETOOLONG:
	case EAFNOSUPPORT:
	case EOPNOTSUPP:
	case EPROTONOSUPPORT:
	case EMSGSIZE:
	case ENOTDIR:
	case ELOOP:
	case EBADMSG:
		return STATUS_INVALID_ARGUMENT;
	case EPERM:
	case EACCES:
		return STATUS_PERMISSION_DENIED;
	case ENOMEM:
	case ENOBUFS:
	case ENOSPC:
	case EMFILE:
	case ENFILE:
	case EAGAIN:
		return STATUS_RESOURCE_EXHAUSTED;
	case ETIMEDOUT:
	case ETIME:
		return STATUS_DEADLINE_EXCEEDED;
	case ECANCELED:
		return STATUS_CANCELLED;
	case EBUSY:
	case ENOTCONN:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTUNREACH:
		return STATUS_FAILED_PRECONDITION;
	case ESHUTDOWN:
	case ECONNRESET:
	case EPIPE:
		return STATUS_UNAVAILABLE;
	case ENOSYS:
		return STATUS_UNIMPLEMENTED;
	default:
		return STATUS_UNKNOWN;
	}
}

const char *status_code_name(int code)
{
	static const char *const names[] = {
		"OK",		     "CANCELLED",	  "UNKNOWN",	       "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND",	  "ALREADY_EXISTS",    "PERMISSION_DENIED",
		"RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",	       "OUT_OF_RANGE",
		"UNIMPLEMENTED",     "INTERNAL",	  "UNAVAILABLE",       "DATA_LOSS",
		"UNAUTHENTICATED",
	};
	if (code < 0 || code >= (int)(sizeof(names) / sizeof(names[0])))
		return "UNKNOWN";
	return names[code];
}

const char *errno_name(int err)
{
	static __thread char buf[16];
	err = abs(err);
#define E(x)                                                                                       \
	case x:                                                                                    \
		return #x
	switch (err) {
		E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG); E(EBADF);
		E(EAGAIN); E(ENOMEM); E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV);
		E(ENODEV); E(ENOTDIR); E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOSPC);
		E(EPIPE); E(ERANGE); E(ENAMETOOLONG); E(ENOSYS); E(ENOTEMPTY); E(ELOOP);
		E(ENODATA); E(ETIME); E(EBADMSG); E(EOVERFLOW); E(EMSGSIZE); E(EPROTONOSUPPORT);
		E(EOPNOTSUPP); E(EAFNOSUPPORT); E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENETDOWN);
		E(ENETUNREACH); E(ECONNRESET); E(ENOBUFS); E(ENOTCONN); E(ESHUTDOWN);
		E(ETIMEDOUT); E(ECONNREFUSED); E(EHOSTUNREACH); E(ECANCELED); E(EPROTO);
	}
#undef E
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}
