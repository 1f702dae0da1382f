/* Network sysctl keys and values, checked and mapped once (pure, no I/O): what the daemon may open
 * under /proc/sys of a namespace, and what it may write there. */
#pragma once

#include <stddef.h>

/* Longest path accepted, NUL included (the longest real net key is far shorter: 4 components
 * of sysctl names plus a 15-byte interface name). */
#define SYSCTL_PATH_MAX 256
/* Longest value written, newline excluded (multi-value keys such as tcp_rmem are ~30 bytes). */
#define SYSCTL_VALUE_MAX 1024

/* Maps a key to its path relative to /proc/sys, as sysctl(8) (procps) does: the first separator
 * decides the form. Dotted form ("net.ipv4.conf.eth0.rp_filter"): '.' and '/' swap, so an
 * interface name with dots is written with '/' in its place ("net.ipv4.conf.eth0/10.rp_filter"
 * is net/ipv4/conf/eth0.10/rp_filter, VLAN eth0.10). Slashed form ("net/ipv4/conf/eth0.10/
 * rp_filter"): taken as is. The path must be under net/, with no empty, "." or ".." component,
 * no control character, space or DEL, and fit in size (at most SYSCTL_PATH_MAX).
 * Returns 0, -EINVAL (bad key) or -ENAMETOOLONG. */
int sysctl_key_to_path(const char *key, char *ret, size_t size);

/* The dotted form sysctl(8) prints for a path ("net/ipv4/conf/eth0.10/rp_filter" ->
 * "net.ipv4.conf.eth0/10.rp_filter"); the path is validated as above. */
int sysctl_path_to_key(const char *path, char *ret, size_t size);

/* Checks a value to write and formats it newline-terminated into ret (the kernel's proc
 * handlers parse up to the newline; one write of the whole). Printable ASCII and tabs only (tabs
 * and spaces separate the fields of multi-value keys), 1..SYSCTL_VALUE_MAX bytes; one trailing
 * newline in value is accepted and not doubled. Returns the length written (without the NUL),
 * -EINVAL or -ENOBUFS (size too small). */
int sysctl_value_format(const char *value, char *ret, size_t size);

/* A value as read: strips the trailing newline in place; returns the new length. */
size_t sysctl_value_trim(char *value, size_t len);
