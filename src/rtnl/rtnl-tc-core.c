/* tc's arithmetic, redone so requests match tc's bytes: units (get_rate64, get_size, get_time),
 * ticks from the psched clock and the 256-entry rate tables (tc_core.c). Pure: no file reads. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "rtnl-tc-internal.h"

#define TC_TIME_UNITS_PER_SEC 1000000.0

const RtnlPsched rtnl_psched_default = {
	.t2us = 1000, .us2t = 64, .clock_res = 1000000, .hz = 1000000000
};

int rtnl_psched_parse(const char *text, RtnlPsched *ret)
{
	RtnlPsched p;
	int n = 0;

	if (!text ||
	    sscanf(text, "%8x %8x %8x %8x%n", &p.t2us, &p.us2t, &p.clock_res, &p.hz, &n) != 4)
		return -EINVAL;
	if (p.us2t == 0 || p.clock_res == 0 || text[n + strspn(text + n, " \n")] != '\0')
		return -EINVAL;
	*ret = p;
	return 0;
}

/* tc_core_init(): a kernel with nanosecond resolution advertises t2us 1000 meaning 1. */
static double rtnl_tc_clock_factor(const RtnlPsched *ps)
{
	return (double)ps->clock_res / TC_TIME_UNITS_PER_SEC;
}

double rtnl_tc_tick_in_usec(const RtnlPsched *ps)
{
	uint32_t t2us = ps->clock_res == 1000000000 ? ps->us2t : ps->t2us;

	return (double)t2us / ps->us2t * rtnl_tc_clock_factor(ps);
}

uint32_t rtnl_tc_xmittime(const RtnlPsched *ps, uint64_t rate, uint32_t size)
{
	double usec, ticks;

	if (!ps)
		ps = &rtnl_psched_default;
	if (rate == 0)
		return 0;
	/* tc_core_time2tick() takes an unsigned: the microseconds are truncated before the
	 * multiplication, which is visible in tc's tables (31109, not 31124, at 8mbit). */
	usec = TC_TIME_UNITS_PER_SEC * ((double)size / (double)rate);
	if (usec >= 4294967296.0)
		return UINT32_MAX;
	ticks = (uint32_t)usec * rtnl_tc_tick_in_usec(ps);
	return ticks >= 4294967296.0 ? UINT32_MAX : (uint32_t)ticks; /* tc's would wrap: clamped */
}

int rtnl_tc_rtable(const RtnlPsched *ps, struct tc_ratespec *r, uint32_t rtab[256], int cell_log,
		   uint32_t mtu)
{
	if (mtu == 0)
		mtu = 2047;
	if (cell_log < 0) {
		cell_log = 0;
		while ((mtu >> cell_log) > 255)
			cell_log++;
	}
	for (unsigned i = 0; i < 256; i++) {
		uint32_t sz = (i + 1) << cell_log;

		if (sz < r->mpu)
			sz = r->mpu;
		rtab[i] = rtnl_tc_xmittime(ps, r->rate, sz);
	}
	r->cell_align = -1;
	r->cell_log = cell_log;
	r->linklayer = TC_LINKLAYER_ETHERNET;
	return cell_log;
}

/* strtod() as tc calls it, refusing what tc would misread: empty, signs, hex, inf/nan. */
static int rtnl_tc_number(const char *s, double *ret, const char **ret_unit)
{
	char *end;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -EINVAL;
	errno = 0;
	*ret = strtod(s, &end);
	if (end == s || errno || !isfinite(*ret) || strncasecmp(s, "0x", 2) == 0)
		return -EINVAL;
	*ret_unit = end;
	return 0;
}

typedef struct TcUnit {
	const char *name;
	double scale;
} TcUnit;

/* A number and an optional unit of units (matched without case), scaled by the unit. */
static int rtnl_tc_scaled(const char *s, const TcUnit *units, size_t n, double *ret)
{
	const char *unit;

	if (rtnl_tc_number(s, ret, &unit) < 0)
		return -EINVAL;
	if (!*unit)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(unit, units[i].name) == 0) {
			*ret *= units[i].scale;
			return 0;
		}
	return -EINVAL;
}

/* Rate units, scaled to bits. */
static const TcUnit rtnl_tc_rate_units[] = {
	{ "bit", 1. },
	{ "kibit", 1024. },
	{ "kbit", 1000. },
	{ "mibit", 1048576. },
	{ "mbit", 1000000. },
	{ "gibit", 1073741824. },
	{ "gbit", 1e9 },
	{ "tibit", 1099511627776. },
	{ "tbit", 1e12 },
	{ "bps", 8. },
	{ "kibps", 8. * 1024 },
	{ "kbps", 8000. },
	{ "mibps", 8. * 1048576 },
	{ "mbps", 8e6 },
	{ "gibps", 8. * 1073741824 },
	{ "gbps", 8e9 },
	{ "tibps", 8. * 1099511627776 },
	{ "tbps", 8e12 },
};

int rtnl_tc_parse_rate(const char *s, uint64_t *ret)
{
	double bits;

	if (rtnl_tc_scaled(s, rtnl_tc_rate_units, ARRAY_SIZE(rtnl_tc_rate_units), &bits) < 0)
		return -EINVAL;
	if (bits / 8 >= 18446744073709551616.0)
		return -ERANGE;
	*ret = (uint64_t)(bits / 8);
	return 0;
}

int rtnl_tc_parse_size(const char *s, uint32_t *ret)
{
	static const TcUnit units[] = {
		{ "kb", 1024. },       { "k", 1024. },		 { "mb", 1048576. },
		{ "m", 1048576. },     { "gb", 1073741824. },	 { "g", 1073741824. },
		{ "kbit", 1024. / 8 }, { "mbit", 1048576. / 8 }, { "gbit", 1073741824. / 8 },
		{ "b", 1. },
	};
	double sz;

	if (rtnl_tc_scaled(s, units, ARRAY_SIZE(units), &sz) < 0)
		return -EINVAL;
	if (sz > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)sz;
	return 0;
}

/* Shared by both time parsers: scale is per second (1e6 for usec, 1e9 for nsec). */
static int rtnl_tc_time(const char *s, double per_sec, bool ns_ok, double *ret)
{
	const char *unit;
	double t;

	if (rtnl_tc_number(s, &t, &unit) < 0)
		return -EINVAL;
	if (!*unit)
		t *= per_sec / 1e6; /* no unit: microseconds (get_time64 too) */
	else if (!strcasecmp(unit, "s") || !strcasecmp(unit, "sec") || !strcasecmp(unit, "secs"))
		t *= per_sec;
	else if (!strcasecmp(unit, "ms") || !strcasecmp(unit, "msec") || !strcasecmp(unit, "msecs"))
		t *= per_sec / 1e3;
	else if (!strcasecmp(unit, "us") || !strcasecmp(unit, "usec") || !strcasecmp(unit, "usecs"))
		t *= per_sec / 1e6;
	else if (ns_ok && (!strcasecmp(unit, "ns") || !strcasecmp(unit, "nsec") ||
			   !strcasecmp(unit, "nsecs")))
		t *= per_sec / 1e9;
	else
		return -EINVAL;
	*ret = t;
	return 0;
}

int rtnl_tc_parse_time(const char *s, uint32_t *ret)
{
	double t;

	if (rtnl_tc_time(s, 1e6, false, &t) < 0)
		return -EINVAL;
	if (t > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)t;
	return 0;
}

int rtnl_tc_parse_time64(const char *s, uint64_t *ret)
{
	double t;

	if (rtnl_tc_time(s, 1e9, true, &t) < 0)
		return -EINVAL;
	if (t >= 9223372036854775808.0)
		return -ERANGE;
	*ret = (uint64_t)t;
	return 0;
}

int rtnl_tc_parse_percent(const char *s, uint32_t *ret)
{
	const char *unit;
	double p;

	if (rtnl_tc_number(s, &p, &unit) < 0 || (*unit && strcmp(unit, "%") != 0) || p > 100.)
		return -EINVAL;
	*ret = (uint32_t)rint(p / 100. * UINT32_MAX);
	return 0;
}

/* One hex number of at most 4 digits (a handle's major or minor); "" is 0. */
static int rtnl_tc_hex16(const char *s, size_t len, uint32_t *ret)
{
	uint32_t v = 0;

	if (len > 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 16 +
		    (isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower(s[i]) - 'a' + 10));
	}
	*ret = v;
	return 0;
}

int rtnl_tc_parse_handle(const char *s, uint32_t *ret)
{
	const char *colon;
	uint32_t maj = 0, min = 0;

	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "root") == 0) {
		*ret = TC_H_ROOT;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		*ret = TC_H_UNSPEC;
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon) /* "10" is 0x10, as tc's get_tc_classid() reads it */
		return rtnl_tc_hex16(s, strlen(s), &min) < 0 ? -EINVAL : (*ret = min, 0);
	if (rtnl_tc_hex16(s, colon - s, &maj) < 0 ||
	    rtnl_tc_hex16(colon + 1, strlen(colon + 1), &min) < 0)
		return -EINVAL;
	*ret = maj << 16 | min;
	return 0;
}
