/* nsringctl's dispatcher: global options, the object table (netns, link, address, route, rule,
 * nexthop, monitor, netlink, sysctl, tc's objects, bridge), and the usage text assembled from the
 * objects' own lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-internal.h"

/* The objects in the order of the usage text. ip's table order decides abbreviations that
 * more than one object shares: put a new object after those its prefixes should not take
 * (r and ro are route, ru rule; n and ne are netns, nei neigh, nex nexthop, s sysctl... as with
 * ip's table where it matters). */
static const CtlObject *const objects[] = {
	&ctl_object_netns,  &ctl_object_link,	 &ctl_object_addr,    &ctl_object_route,
	&ctl_object_rule,   &ctl_object_nexthop, &ctl_object_monitor, &ctl_object_netlink,
	&ctl_object_sysctl, &ctl_object_qdisc,	 &ctl_object_class,   &ctl_object_filter,
	&ctl_object_bridge,
	/* After netns: "n" and "ne" stay netns, "nei" is neigh. */
	&ctl_object_neigh,  &ctl_object_neighbour,
};

void ctl_usage(FILE *f)
{
	fputs("Usage: nsringctl [OPTIONS] OBJECT COMMAND [ARGS]   (the grammar of ip(8))\n"
	      "\n"
	      "Options (before OBJECT):\n"
	      "  -s, --socket PATH   nsringd's socket (default $NSRING_SOCKET, else\n"
	      "                      /run/nsring/nsring.sock)\n"
	      "  -n, --netns NS      operate in namespace NS: a name under the netns directory,\n"
	      "                      an absolute path to an nsfs file (/proc/PID/ns/net, a\n"
	      "                      container's netns file), or pid:N for process N's namespace\n"
	      "  -j, --json          print JSON (one document)\n"
	      "  -s, -stats          link show: with counters (as ip -s; \"-s PATH\" with a '/'\n"
	      "                      in PATH is --socket)\n"
	      "  -d, -details        link show: every attribute (as ip -d)\n"
	      "  -4, -6              only IPv4 / IPv6 (addr show, route show, default routes)\n"
	      "  -s, -stats          before qdisc/class: counters, as tc -s\n"
	      "  --timeout SEC       give up after SEC seconds (default 60; 0: never)\n"
	      "  --dry-run           print the request as JSON instead of sending it\n"
	      "  --ensure            safe to resend: an add that finds the same object, a del\n"
	      "                      that finds nothing, a set found done succeed (-j shows\n"
	      "                      \"already_done\": true); with -batch: the whole batch\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Objects and commands (abbreviations as in ip: l = link, a/addr = address,\n"
	      "r/ro = route, n = netns; NS below takes the same forms as -n):\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		fputs(objects[i]->usage, f);
	fputs("\n"
	      "Exit status: 0 success, 1 failure (daemon error or no connection), 2 usage error.\n",
	      f);
}

/* "--name=value" or "--name value" / "-x value". */
static int option_value(CtlParser *p, const char *a, const char *long_name, const char **ret)
{
	size_t n = strlen(long_name);

	if (strncmp(a, long_name, n) == 0 && a[n] == '=') {
		*ret = a + n + 1;
		return 0;
	}
	return ctl_need(p, a, ret);
}

static bool is_option(const char *a, const char *shrt, const char *lng)
{
	size_t n = strlen(lng);

	return (shrt && ctl_streq(a, shrt)) || ctl_streq(a, lng) ||
	       (strncmp(a, lng, n) == 0 && a[n] == '=');
}

static int parse_timeout(CtlParser *p, const char *v)
{
	double sec;
	char *end;

	errno = 0;
	sec = strtod(v, &end);
	if (errno || end == v || *end || !(sec >= 0) || sec > 1e9)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: invalid timeout (seconds)", v);
	p->cmd->timeout_ns = (uint64_t)(sec * 1e9);
	return 0;
}

/* --ensure: every request that changes something has `bool ensure = 15` (nsring.proto). */
static int set_ensure(CtlCmd *cmd)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(cmd->req->descriptor, 15);

	if (!f || f->type != PROTOBUF_C_TYPE_BOOL || strcmp(f->name, "ensure") != 0)
		return ctl_fail(cmd, "--ensure applies to changes (add, del, set), not to %s",
				cmd->method);
	*(protobuf_c_boolean *)((char *)cmd->req + f->offset) = 1;
	return CTL_PARSE_OK;
}

/* `-s` is ip's -stats when what follows is an option or an object word, and --socket's short
 * form when it is a path (socket paths given to -s must contain a '/'). */
static bool stats_not_socket(const char *next)
{
	if (!next || next[0] == '-')
		return next != NULL;
	if (strchr(next, '/'))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		if (ctl_matches(next, objects[i]->word))
			return true;
	return false;
}

int ctl_parse(int argc, char **argv, CtlCmd *cmd)
{
	CtlParser p = { .cmd = cmd, .argc = argc, .argv = argv, .i = 1 };
	const char *a, *obj;
	int r;

	*cmd = (CtlCmd){ .timeout_ns = CTL_DEFAULT_TIMEOUT_NS };

	while ((a = ctl_peek(&p)) && a[0] == '-' && a[1]) {
		const char *v;

		p.i++;
		r = 0;
		if (ctl_streq(a, "--"))
			break;
		if (ctl_streq(a, "-h") || ctl_streq(a, "-help") || ctl_streq(a, "--help"))
			return CTL_PARSE_HELP;
		if (ctl_streq(a, "-j") || ctl_streq(a, "-json") || ctl_streq(a, "--json")) {
			cmd->json = true;
		} else if (ctl_streq(a, "-4")) {
			cmd->family = 4;
		} else if (ctl_streq(a, "-6")) {
			cmd->family = 6;
		} else if (ctl_streq(a, "--dry-run")) {
			cmd->dry_run = true;
		} else if (ctl_streq(a, "--ensure") || ctl_streq(a, "-ensure")) {
			cmd->ensure = true;
		} else if (ctl_streq(a, "-stats") || ctl_streq(a, "-statistics") ||
			   ctl_streq(a, "--stats") ||
			   (ctl_streq(a, "-s") && stats_not_socket(ctl_peek(&p)))) {
			cmd->stats = true;
		} else if (ctl_streq(a, "-d") || ctl_streq(a, "-details") ||
			   ctl_streq(a, "--details")) {
			cmd->details = true;
		} else if (is_option(a, "-s", "--socket")) {
			r = option_value(&p, a, "--socket", &v);
			if (r >= 0 && !*v)
				return ctl_fail(cmd, "the socket path is empty");
			cmd->socket_path = v;
		} else if (is_option(a, "-n", "--netns") || ctl_streq(a, "-netns")) {
			r = option_value(&p, a, "--netns", &v);
			if (r >= 0)
				r = ctl_parse_nsref(&p, v, &p.ns);
		} else if (is_option(a, NULL, "--timeout")) {
			r = option_value(&p, a, "--timeout", &v);
			if (r >= 0)
				r = parse_timeout(&p, v);
		} else {
			return ctl_unknown(&p, a);
		}
		if (r < 0)
			return r;
	}

	obj = ctl_next(&p);
	if (!obj) {
		char list[128];
		size_t len = 0;

		for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						i ? ", " : "", objects[i]->word);
		return ctl_fail(cmd, "no object given (%s); try --help", list);
	}
	/* nh: ip's short name of nexthop; else the first object the word abbreviates, in the
	 * table's order. */
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		if (ctl_matches(obj, objects[i]->word) ||
		    (objects[i] == &ctl_object_nexthop && ctl_streq(obj, "nh"))) {
			r = objects[i]->parse(&p);
			return r == CTL_PARSE_OK && cmd->ensure ? set_ensure(cmd) : r;
		}
	if (ctl_matches(obj, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(&p, obj);
}
