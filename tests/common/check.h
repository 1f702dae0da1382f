/* The one check header of the C tests. A failed check prints file, line, the current test's
 * name and the expression (with both values for the _EQ forms) and exits 1, so a test fails
 * at its first broken assumption. Set current_test at the start of each test function. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *current_test __attribute__((unused)) = "?";

#define CHECK_FAIL_(...)                                                                           \
	do {                                                                                       \
		fprintf(stderr, "%s:%d: [%s] check failed: ", __FILE__, __LINE__, current_test);  \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		exit(1);                                                                           \
	} while (0)

/* CHECK(cond) or CHECK(cond, "fmt", args...) for extra context. The expression is printed
 * on its own, so the format's arguments stay in their order. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: [%s] check failed: %s", __FILE__, __LINE__,       \
				current_test, #cond);                                              \
			__VA_OPT__(fputs(" : ", stderr); fprintf(stderr, __VA_ARGS__);)            \
			fputc('\n', stderr);                                                       \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b)                                                                      \
			CHECK_FAIL_("%s == %s (%lld != %lld)", #a, #b, _a, _b);                    \
	} while (0)

#define CHECK_STREQ(a, b)                                                                          \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0)                                             \
			CHECK_FAIL_("%s == \"%s\" (got \"%s\")", #a, _b ? _b : "(null)",           \
				    _a ? _a : "(null)");                                           \
	} while (0)

/* Byte-for-byte equality, with the first differing offset on failure (golden requests). */
#define CHECK_MEMEQ(a, alen, b, blen)                                                              \
	do {                                                                                       \
		const unsigned char *_a = (const void *)(a), *_b = (const void *)(b);              \
		size_t _al = (alen), _bl = (blen), _i = 0;                                         \
		while (_i < _al && _i < _bl && _a[_i] == _b[_i])                                   \
			_i++;                                                                      \
		if (_al != _bl || _i != _al)                                                       \
			CHECK_FAIL_("%s == %s: lengths %zu/%zu, first difference at byte %zu",     \
				    #a, #b, _al, _bl, _i);                                         \
	} while (0)
