/* The one error contract: negative errno inside the daemon, gRPC status codes on the wire.
 * Every failed RPC carries a status code and a message that names the operation, the errno
 * name and, when the kernel gave one, its extended-ack text. */
#pragma once

#include <stddef.h>

/* gRPC status codes (google.rpc.Code). */
typedef enum {
	STATUS_OK = 0,
	STATUS_CANCELLED = 1,
	STATUS_UNKNOWN = 2,
	STATUS_INVALID_ARGUMENT = 3,
	STATUS_DEADLINE_EXCEEDED = 4,
	STATUS_NOT_FOUND = 5,
	STATUS_ALREADY_EXISTS = 6,
	STATUS_PERMISSION_DENIED = 7,
	STATUS_RESOURCE_EXHAUSTED = 8,
	STATUS_FAILED_PRECONDITION = 9,
	STATUS_ABORTED = 10,
	STATUS_OUT_OF_RANGE = 11,
	STATUS_UNIMPLEMENTED = 12,
	STATUS_INTERNAL = 13,
	STATUS_UNAVAILABLE = 14,
	STATUS_DATA_LOSS = 15,
	STATUS_UNAUTHENTICATED = 16,
} StatusCode;

/* Maps a (positive or negative) errno to the status code clients see. */
StatusCode status_from_errno(int err);
/* "NOT_FOUND", ... for logs and the CLI. */
const char *status_code_name(int code);
/* "ENODEV", ... (the symbolic name, not strerror text); "E<number>" if unknown. */
const char *errno_name(int err);
