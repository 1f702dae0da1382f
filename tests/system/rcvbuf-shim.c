/* LD_PRELOAD shim for the fault tests: shrinks the receive buffer nsringd asks for on its netlink
 * sockets to $NSRING_TEST_NL_RCVBUF bytes, so the kernel drops ACKs (ENOBUFS) under a burst and
 * the daemon's overrun handling is exercised. Other sockets and options pass through untouched. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>

typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	static setsockopt_fn real;
	const char *want = getenv("NSRING_TEST_NL_RCVBUF");
	int domain = 0, size;
	socklen_t dlen = sizeof(domain);

	if (!real)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (want && level == SOL_SOCKET && (optname == SO_RCVBUFFORCE || optname == SO_RCVBUF) &&
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain == AF_NETLINK) {
		size = atoi(want);
		return real(fd, level, SO_RCVBUFFORCE, &size, sizeof(size));
	}
	return real(fd, level, optname, optval, optlen);
}
