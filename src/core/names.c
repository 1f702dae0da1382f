/* Name rules shared by the daemon, the client library and the CLI (see names.h). */
#include "core/names.h"

#include <net/if.h>
#include <string.h>

bool name_ifname_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, IFNAMSIZ);
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* The kernel's isspace() is Latin-1: besides ASCII blanks it includes 0xa0 (NBSP). */
		if (c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0)
			return false;
	}
	return true;
}

bool name_netns_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, 256);
	if (n == 0 || n > 255)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}
