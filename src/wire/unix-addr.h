/* The daemon's socket address as a client names it: a path, "@NAME" for an abstract socket, or
 * either behind gRPC's "unix:" or "unix://" prefix. Header-only: libnsring and nsring-bench. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/macro.h" /* negative_errno */

/* Fills sa and its length for connect(); -EINVAL for an empty name, -ENAMETOOLONG for one that
 * does not fit sun_path. */
static inline int wire_unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *ret_len)
{
	size_t len;

	/* Accept the gRPC-style address too, so one string works for both transports. */
	if (strncmp(path, "unix://", 7) == 0)
		path += 7;
	else if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	len = strlen(path);
	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len);
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (path[0] == '@')
		sa->sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL */
	else
		(*ret_len)++; /* include the NUL, as the kernel expects for a path */
	return 0;
}

/* wire_unix_addr(), and a blocking, close-on-exec stream socket to connect to it: the fd, or a
 * negative errno. */
static inline int wire_unix_socket(const char *path, struct sockaddr_un *sa, socklen_t *ret_len)
{
	int fd, r = wire_unix_addr(path, sa, ret_len);

	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return fd < 0 ? negative_errno() : fd;
}
