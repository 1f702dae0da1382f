/* Helpers shared by the rtnl codec's builders and parsers; not part of the module's interface. */
#pragma once

#include <sys/socket.h>

#include "rtnl.h"

/* Bytes of an address of this family on the wire, or 0 for a family the codec does not handle. */
static inline size_t rtnl_family_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/* Longest prefix of the family, or -1 when the family is not handled. */
static inline int rtnl_family_max_plen(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}
