/* libFuzzer harness for sysctl keys and values: whatever the input, an accepted key maps to a
 * path under net/ with no escape, and maps back to itself; values come out newline-terminated and
 * printable. The input is split at its first NUL: key, then value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysctl-key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void fuzz_key(const char *key)
{
	char path[SYSCTL_PATH_MAX], back[SYSCTL_PATH_MAX], again[SYSCTL_PATH_MAX];
	const char *c;

	if (sysctl_key_to_path(key, path, sizeof(path)) < 0)
		return;
	FUZZ_ASSERT(strncmp(path, "net/", 4) == 0);
	FUZZ_ASSERT(!strstr(path, "//") && path[strlen(path) - 1] != '/');
	for (c = path; *c; c++)
		FUZZ_ASSERT((unsigned char)*c > ' ' && *c != 0x7f);
	for (c = path; c; c = strchr(c, '/')) {
		c += *c == '/';
		FUZZ_ASSERT(strncmp(c, "./", 2) != 0 && strcmp(c, ".") != 0);
		FUZZ_ASSERT(strncmp(c, "../", 3) != 0 && strcmp(c, "..") != 0);
	}
	/* the path is a key in its own right, and its dotted form maps back to it */
	FUZZ_ASSERT(sysctl_key_to_path(path, again, sizeof(again)) == 0 && !strcmp(again, path));
	FUZZ_ASSERT(sysctl_path_to_key(path, back, sizeof(back)) == 0);
	FUZZ_ASSERT(sysctl_key_to_path(back, again, sizeof(again)) == 0 && !strcmp(again, path));
}

static void fuzz_value(const char *value)
{
	char out[SYSCTL_VALUE_MAX + 2];
	int n = sysctl_value_format(value, out, sizeof(out));

	if (n < 0)
		return;
	FUZZ_ASSERT(n >= 2 && (size_t)n == strlen(out) && out[n - 1] == '\n');
	FUZZ_ASSERT(!memchr(out, '\n', (size_t)n - 1));
	FUZZ_ASSERT(sysctl_value_trim(out, (size_t)n) == (size_t)n - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 2);
	size_t klen;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = s[size + 1] = '\0';
	klen = strlen(s);
	fuzz_key(s);
	fuzz_value(s + (klen < size ? klen + 1 : size));
	free(s);
	return 0;
}
