/* Network sysctl keys: sysctl(8)'s dotted/slashed forms mapped to paths under /proc/sys/net,
 * with every escape (.., empty components, control characters) refused; values checked. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sysctl-key.h"

/* procps's slashdot(): if the first separator is already `to`, the string is in that form;
 * otherwise '.' and '/' swap everywhere. */
static void sysctl_slashdot(char *s, char from, char to)
{
	char *p = strpbrk(s, "/.");

	if (!p || *p == to)
		return;
	for (; p; p = strpbrk(p + 1, "/.")) {
		if (*p == from)
			*p = to;
		else if (*p == to)
			*p = from;
	}
}

static bool sysctl_path_valid(const char *path)
{
	const char *c = path;

	if (strncmp(path, "net/", 4) != 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	/* every component non-empty and not "." or ".." */
	for (;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!c[n])
			return true;
		c += n + 1;
	}
}

static int sysctl_convert(const char *in, char *ret, size_t size, char from, char to)
{
	size_t len;

	if (!in || !ret)
		return -EINVAL;
	len = strnlen(in, SYSCTL_PATH_MAX);
	if (len == SYSCTL_PATH_MAX || len >= size)
		return len == 0 ? -EINVAL : -ENAMETOOLONG;
	memcpy(ret, in, len + 1);
	if (from == '.')
		sysctl_slashdot(ret, '.', '/');
	if (!sysctl_path_valid(ret)) {
		ret[0] = '\0';
		return -EINVAL;
	}
	if (to == '.') {
		/* path -> dotted: swap unconditionally (the path is in slashed form) */
		for (char *p = ret; *p; p++)
			*p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
	}
	return 0;
}

int sysctl_key_to_path(const char *key, char *ret, size_t size)
{
	return sysctl_convert(key, ret, size, '.', '/');
}

int sysctl_path_to_key(const char *path, char *ret, size_t size)
{
	if (!path || strncmp(path, "net/", 4) != 0) /* only the slashed form here */
		return -EINVAL;
	return sysctl_convert(path, ret, size, '/', '.');
}

int sysctl_value_format(const char *value, char *ret, size_t size)
{
	size_t len;

	if (!value || !ret)
		return -EINVAL;
	len = strnlen(value, SYSCTL_VALUE_MAX + 2);
	if (len > 0 && value[len - 1] == '\n')
		len--;
	if (len == 0 || len > SYSCTL_VALUE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];

		if ((ch < ' ' && ch != '\t') || ch >= 0x7f)
			return -EINVAL;
	}
	if (len + 2 > size)
		return -ENOBUFS;
	memcpy(ret, value, len);
	ret[len] = '\n';
	ret[len + 1] = '\0';
	return (int)len + 1;
}

size_t sysctl_value_trim(char *value, size_t len)
{
	if (len > 0 && value[len - 1] == '\n')
		value[--len] = '\0';
	return len;
}
