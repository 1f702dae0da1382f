/* Name rules, written once: the daemon, libnsring and nsringctl all call these, so a name
 * the CLI accepts is a name the daemon accepts. */
#pragma once

#include <stdbool.h>

/* An interface name as the kernel's dev_valid_name() takes it: 1..15 bytes, not "." or "..",
 * no '/', ':' or white space (the kernel's Latin-1 isspace(), NBSP included). */
bool name_ifname_valid(const char *name);

/* A namespace name under the netns directory: 1..255 bytes, not "." or "..", no '/' and no
 * control characters (they would break line-based tools such as `ip netns list`). */
bool name_netns_valid(const char *name);
