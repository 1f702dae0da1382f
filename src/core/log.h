/* Logging to stderr with levels; library modules log at debug level only. */
#pragma once

#include "macro.h"

enum { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

extern int log_max_level;

/* Parses "error", "warning", "info", "debug" (or 3..7); returns the level or -EINVAL. */
int log_level_from_string(const char *s);
void log_internal(int level, const char *fmt, ...) _printf_(2, 3);

#define log_at(level, ...)                                                                         \
	do {                                                                                       \
		if ((level) <= log_max_level)                                                      \
			log_internal((level), __VA_ARGS__);                                        \
	} while (0)
#define log_error(...) log_at(LOG_LVL_ERR, __VA_ARGS__)
#define log_warning(...) log_at(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LVL_DEBUG, __VA_ARGS__)
