/* nsringctl's bridge object (bridge(8)'s words after nsringctl): a table of sub-objects, today
 * only fdb (ctl-fdb.c); `link` and `vlan` are more rows of the same table. */
#include "ctl-internal.h"

static const struct {
	const char *word;
	int (*parse)(CtlParser *p);
} subobjects[] = {
	{ "fdb", ctl_fdb_parse },
};

static int parse_bridge(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c || ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	for (size_t i = 0; i < ARRAY_SIZE(subobjects); i++)
		if (ctl_matches(c, subobjects[i].word))
			return subobjects[i].parse(p);
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_bridge = {
	.word = "bridge",
	.usage = ctl_fdb_usage,
	.parse = parse_bridge,
};
