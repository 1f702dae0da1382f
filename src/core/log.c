/* Logging to stderr with levels and a monotonic timestamp. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int log_max_level = LOG_LVL_INFO;

int log_level_from_string(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "error", LOG_LVL_ERR },  { "err", LOG_LVL_ERR },	 { "warning", LOG_LVL_WARN },
		{ "warn", LOG_LVL_WARN },  { "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	if (s[0] >= '3' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	return -EINVAL;
}

void log_internal(int level, const char *fmt, ...)
{
	static const char *const prefix[8] = { "", "", "", "error", "warning", "", "info", "debug" };
	char buf[2048];
	struct timespec ts;
	va_list ap;
	int saved = errno;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "[%5lld.%06ld] %s: %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000,
		prefix[level & 7], buf);
	errno = saved;
}
