/* nsringctl's ip-compatible grammar: argv -> (method, request, response descriptor, printer).
 * Objects and commands take ip's prefix abbreviations; option keywords are exact, because a
 * bare word is a link name and `link add l type dummy` must not read "l" as "link". */
#include "core/names.h"
#include "ctl-parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "ctl-print.h"
#include "nsring/v1/nsring.pb-c.h"

#define IFNAME_MAX     15  /* IFNAMSIZ - 1 */
#define NETNS_NAME_MAX 255 /* a file name */

typedef struct Parser {
	CtlCmd *cmd;
	int argc;
	char **argv;
	int i;
	Nsring__V1__NamespaceRef *ns; /* -n, or NULL for the daemon's own namespace */
} Parser;

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
	      "  -4, -6              only IPv4 / IPv6 (addr show, route show, default routes)\n"
	      "  --timeout SEC       give up after SEC seconds (default 60; 0: never)\n"
	      "  --dry-run           print the request as JSON instead of sending it\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Objects and commands (abbreviations as in ip: l = link, a/addr = address,\n"
	      "r/ro = route, n = netns; NS below takes the same forms as -n):\n"
	      "  netns add NAME | del NAME | list\n"
	      "  link add [name] NAME [mtu N] [address MAC] [group G] [master BR] [up]\n"
	      "           [link PARENT] type TYPE [TYPE ARGS]\n"
	      "      TYPE := veth peer [name] PEER [netns NS]\n"
	      "            | bridge | ifb | dummy\n"
	      "            | vxlan id VNI [dstport PORT] [local ADDR] [remote ADDR | group ADDR]\n"
	      "                    [dev DEV]\n"
	      "            | macvlan [mode private|vepa|bridge|passthru|source]\n"
	      "                      (macvlan needs link PARENT)\n"
	      "  link set [dev] NAME [up | down] [mtu N] [address MAC] [master BR | nomaster]\n"
	      "           [name NEWNAME] [group G] [netns NS]\n"
	      "  link del [dev] NAME\n"
	      "  link show [[dev] NAME | type TYPE | master BR]\n"
	      "  addr add|del ADDR[/PLEN] dev NAME [broadcast ADDR|+]\n"
	      "  addr show [[dev] NAME]\n"
	      "  route add|replace|del [TYPE] DST|default [via GW] [dev NAME] [table TABLE]\n"
	      "           [metric N] [scope host|link|global|N] [proto static|boot|kernel|N]\n"
	      "           [src ADDR]\n"
	      "      TYPE := unicast | blackhole | unreachable | prohibit | throw | local | ...\n"
	      "      TABLE := main | local | default | N\n"
	      "  route show [table TABLE|all]\n"
	      "  monitor [all | link | address | route ...] [-n NS ... | --all] [--snapshot]\n"
	      "      print changes as ip monitor does, one line each (JSON lines with -j), until\n"
	      "      Ctrl-C or the daemon ends the stream; -n (also before monitor): watch NS\n"
	      "      (several allowed), --all (or all-nsid): every namespace, also later ones;\n"
	      "      --snapshot: first the current objects, then \"Synced\", then changes.\n"
	      "      --timeout does not apply.\n"
	      "\n"
	      "Exit status: 0 success, 1 failure (daemon error or no connection), 2 usage error.\n",
	      f);
}

_printf_(2, 3) static int fail(CtlCmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd->error, sizeof(cmd->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int oom(CtlCmd *cmd)
{
	snprintf(cmd->error, sizeof(cmd->error), "out of memory");
	return -ENOMEM;
}

static void *ctl_alloc(CtlCmd *cmd, size_t size)
{
	void *p;

	if (cmd->n_allocs == cmd->alloc_cap) {
		size_t cap = cmd->alloc_cap ? cmd->alloc_cap * 2 : 16;
		void **a = realloc(cmd->allocs, cap * sizeof(*a));

		if (!a)
			return NULL;
		cmd->allocs = a;
		cmd->alloc_cap = cap;
	}
	p = calloc(1, size);
	if (p)
		cmd->allocs[cmd->n_allocs++] = p;
	return p;
}

static char *ctl_strndup(CtlCmd *cmd, const char *s, size_t n)
{
	char *p = ctl_alloc(cmd, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Allocates and initialises a protobuf-c message owned by cmd. */
#define NEW_MSG(cmd, type, init)                                                                   \
	({                                                                                         \
		type *_m = ctl_alloc((cmd), sizeof(type));                                         \
		if (_m)                                                                            \
			init(_m);                                                                  \
		_m;                                                                                \
	})

void ctl_cmd_done(CtlCmd *cmd)
{
	for (size_t i = 0; i < cmd->n_allocs; i++)
		free(cmd->allocs[i]);
	free(cmd->allocs);
	cmd->allocs = NULL;
	cmd->n_allocs = cmd->alloc_cap = 0;
	cmd->req = NULL;
}

/* ip's matches(): arg is a non-empty prefix of word. */
static bool matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(word) && strncmp(arg, word, n) == 0;
}

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static const char *peek(Parser *p)
{
	return p->i < p->argc ? p->argv[p->i] : NULL;
}

static const char *next(Parser *p)
{
	return p->i < p->argc ? p->argv[p->i++] : NULL;
}

static int unknown(Parser *p, const char *arg)
{
	return fail(p->cmd, "unknown argument %s", arg);
}

/* The value after keyword kw. */
static int need(Parser *p, const char *kw, const char **ret)
{
	const char *v = next(p);

	/* Set even on failure: callers' compilers cannot see that fail() is negative. */
	*ret = v;
	if (!v)
		return fail(p->cmd, "\"%s\" needs an argument", kw);
	return 0;
}

/* Rejects anything after the command's arguments. */
static int no_more(Parser *p)
{
	const char *a = peek(p);

	return a ? unknown(p, a) : 0;
}

static int parse_u32(const char *s, uint32_t *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull() accepts "-1" as a huge value and leading blanks; ip's get_u32 does not. */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int arg_u32(Parser *p, const char *kw, uint32_t max, uint32_t *ret)
{
	const char *v;
	uint32_t n;
	int r;

	r = need(p, kw, &v);
	if (r < 0)
		return r;
	if (parse_u32(v, &n) < 0 || n > max)
		return fail(p->cmd, "argument \"%s\" is wrong: invalid \"%s\" value", v, kw);
	*ret = n;
	return 0;
}

static int check_ifname(Parser *p, const char *name)
{
	if (!name_ifname_valid(name))
		return fail(p->cmd,
			    "\"%s\" is not a valid interface name (1..15 bytes, no \"/\", \":\" or "
			    "whitespace)",
			    name);
	return 0;
}

static int arg_ifname(Parser *p, const char *kw, const char **ret)
{
	const char *v;
	int r;

	r = need(p, kw, &v);
	if (r < 0)
		return r;
	r = check_ifname(p, v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* NS: a name under the netns directory, an absolute nsfs path, or pid:N. */
static int parse_nsref(Parser *p, const char *s, Nsring__V1__NamespaceRef **ret)
{
	Nsring__V1__NamespaceRef *ref;

	ref = NEW_MSG(p->cmd, Nsring__V1__NamespaceRef, nsring__v1__namespace_ref__init);
	if (!ref)
		return oom(p->cmd);
	if (s[0] == '/') {
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_PATH;
		ref->path = (char *)s;
	} else if (strncmp(s, "pid:", 4) == 0) {
		uint32_t pid;

		if (parse_u32(s + 4, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return fail(p->cmd, "\"%s\" is not a valid namespace: bad pid", s);
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_PID;
		ref->pid = (int32_t)pid;
	} else if (name_netns_valid(s)) {
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
		ref->name = (char *)s;
	} else {
		return fail(p->cmd,
			    "\"%s\" is not a valid namespace (a name, an absolute path or pid:N)",
			    s);
	}
	*ret = ref;
	return 0;
}

/* 4 or 6 for an IP address text, 0 if it is none. */
static int ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 6;
	return 0;
}

static int arg_ip(Parser *p, const char *kw, const char **ret, int *ret_family)
{
	const char *v;
	int r, fam;

	r = need(p, kw, &v);
	if (r < 0)
		return r;
	fam = ip_family(v);
	if (!fam)
		return fail(p->cmd, "argument \"%s\" is wrong: \"%s\" is not an IP address", v, kw);
	*ret = v;
	if (ret_family)
		*ret_family = fam;
	return 0;
}

/* ADDR[/PLEN]: the address (copied without the prefix length), its family and the length;
 * without one, the length is the full address (a host address or route, as in ip). */
static int parse_prefix(Parser *p, const char *s, const char **ret_addr, uint32_t *ret_plen,
			int *ret_family, bool *ret_has_plen)
{
	const char *slash = strchr(s, '/');
	char *addr;
	uint32_t plen;
	int fam;

	addr = ctl_strndup(p->cmd, s, slash ? (size_t)(slash - s) : strlen(s));
	if (!addr)
		return oom(p->cmd);
	fam = ip_family(addr);
	if (!fam)
		return fail(p->cmd, "\"%s\" is not an IP address or prefix", s);
	if (slash) {
		if (parse_u32(slash + 1, &plen) < 0 || !isdigit((unsigned char)slash[1]) ||
		    plen > (fam == 4 ? 32u : 128u))
			return fail(p->cmd, "\"%s\": invalid prefix length (0..%d for IPv%d)", s,
				    fam == 4 ? 32 : 128, fam);
	} else {
		plen = fam == 4 ? 32 : 128;
	}
	if (p->cmd->family && p->cmd->family != fam)
		return fail(p->cmd, "\"%s\" is not an IPv%d address (-%d was given)", s,
			    p->cmd->family, p->cmd->family);
	*ret_addr = addr;
	*ret_plen = plen;
	*ret_family = fam;
	if (ret_has_plen)
		*ret_has_plen = slash != NULL;
	return 0;
}

/* A link-layer address "aa:bb:..": normalised to two lower-case hex digits per byte. */
static int arg_lladdr(Parser *p, const char *kw, char **ret)
{
	const char *v, *s;
	size_t bytes = 0, len = 0;
	char *out;
	int r;

	r = need(p, kw, &v);
	if (r < 0)
		return r;
	out = ctl_alloc(p->cmd, strlen(v) * 2 + 3);
	if (!out)
		return oom(p->cmd);
	s = v;
	for (;;) {
		unsigned val = 0, digits = 0;

		while (isxdigit((unsigned char)*s) && digits < 3) {
			val = val * 16 + (unsigned)(isdigit((unsigned char)*s)
							    ? *s - '0'
							    : tolower(*s) - 'a' + 10);
			s++;
			digits++;
		}
		if (digits == 0 || digits > 2 || bytes >= 32)
			goto bad;
		len += (size_t)sprintf(out + len, bytes ? ":%02x" : "%02x", val);
		bytes++;
		if (*s == '\0')
			break;
		if (*s != ':')
			goto bad;
		s++;
	}
	*ret = out;
	return 0;
bad:
	return fail(p->cmd, "argument \"%s\" is wrong: \"%s\" is not a link-layer address", v, kw);
}

static int set_namespace(Parser *p, Nsring__V1__NamespaceRef **field)
{
	*field = p->ns;
	return 0;
}

static void set_call(CtlCmd *cmd, const char *method, ProtobufCMessage *req,
		     const ProtobufCMessageDescriptor *resp_desc, CtlPrintFn print)
{
	cmd->method = method;
	cmd->req = req;
	cmd->resp_desc = resp_desc;
	cmd->print = print;
}

/* ---------------------------------------------------------------- netns */

static int parse_netns(Parser *p)
{
	const char *c = next(p), *name;
	int r;

	if (!c || matches(c, "list") || matches(c, "show") || matches(c, "lst")) {
		Nsring__V1__ListNamespacesRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__ListNamespacesRequest,
			      nsring__v1__list_namespaces_request__init);
		if (!req)
			return oom(p->cmd);
		set_call(p->cmd, "ListNamespaces", &req->base,
			 &nsring__v1__list_namespaces_response__descriptor, ctl_print_namespaces);
		return no_more(p);
	}
	if (matches(c, "help"))
		return CTL_PARSE_HELP;
	if (!matches(c, "add") && !matches(c, "delete"))
		return unknown(p, c);

	r = need(p, c, &name);
	if (r < 0)
		return fail(p->cmd, "netns %s needs a NAME", c);
	if (!name_netns_valid(name))
		return fail(p->cmd,
			    "\"%s\" is not a valid namespace name (no \"/\", at most %d bytes)",
			    name, NETNS_NAME_MAX);
	if (matches(c, "add")) {
		Nsring__V1__CreateNamespaceRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__CreateNamespaceRequest,
			      nsring__v1__create_namespace_request__init);
		if (!req)
			return oom(p->cmd);
		req->name = (char *)name;
		set_call(p->cmd, "CreateNamespace", &req->base,
			 &nsring__v1__create_namespace_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__DeleteNamespaceRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__DeleteNamespaceRequest,
			      nsring__v1__delete_namespace_request__init);
		if (!req)
			return oom(p->cmd);
		req->name = (char *)name;
		set_call(p->cmd, "DeleteNamespace", &req->base,
			 &nsring__v1__delete_namespace_response__descriptor, ctl_print_created);
	}
	return no_more(p);
}

/* ---------------------------------------------------------------- link */

static int arg_group(Parser *p, const char *kw, uint32_t *ret)
{
	const char *v = peek(p);

	if (v && streq(v, "default")) {
		p->i++;
		*ret = 0;
		return 0;
	}
	return arg_u32(p, kw, UINT32_MAX, ret);
}

static int parse_link_kind(Parser *p, Nsring__V1__Link *link, const char *kind)
{
	CtlCmd *cmd = p->cmd;

	if (streq(kind, "veth")) {
		Nsring__V1__Veth *v = NEW_MSG(cmd, Nsring__V1__Veth, nsring__v1__veth__init);

		if (!v)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_VETH;
		link->veth = v;
	} else if (streq(kind, "bridge")) {
		Nsring__V1__Bridge *b = NEW_MSG(cmd, Nsring__V1__Bridge, nsring__v1__bridge__init);

		if (!b)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_BRIDGE;
		link->bridge = b;
	} else if (streq(kind, "vxlan")) {
		Nsring__V1__Vxlan *x = NEW_MSG(cmd, Nsring__V1__Vxlan, nsring__v1__vxlan__init);

		if (!x)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_VXLAN;
		link->vxlan = x;
	} else if (streq(kind, "macvlan")) {
		Nsring__V1__Macvlan *m =
			NEW_MSG(cmd, Nsring__V1__Macvlan, nsring__v1__macvlan__init);

		if (!m)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_MACVLAN;
		link->macvlan = m;
	} else if (streq(kind, "ifb")) {
		Nsring__V1__Ifb *i = NEW_MSG(cmd, Nsring__V1__Ifb, nsring__v1__ifb__init);

		if (!i)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_IFB;
		link->ifb = i;
	} else if (streq(kind, "dummy")) {
		Nsring__V1__Dummy *d = NEW_MSG(cmd, Nsring__V1__Dummy, nsring__v1__dummy__init);

		if (!d)
			return oom(cmd);
		link->info_case = NSRING__V1__LINK__INFO_DUMMY;
		link->dummy = d;
	} else {
		return fail(cmd,
			    "link type \"%s\" is not supported (veth, bridge, vxlan, macvlan, ifb, "
			    "dummy)",
			    kind);
	}
	return 0;
}

/* veth's `peer [name] NAME [netns NS]`: all remaining words belong to the peer, as in ip. */
static int parse_veth_peer(Parser *p, Nsring__V1__Veth *veth)
{
	const char *a;
	int r;

	while ((a = next(p))) {
		if (streq(a, "name") || streq(a, "dev")) {
			const char *n;

			if (veth->peer_name[0])
				return fail(p->cmd, "duplicate peer name");
			r = arg_ifname(p, a, &n);
			if (r < 0)
				return r;
			veth->peer_name = (char *)n;
		} else if (streq(a, "netns")) {
			const char *ns;

			r = need(p, a, &ns);
			if (r < 0)
				return r;
			r = parse_nsref(p, ns, &veth->peer_namespace);
			if (r < 0)
				return r;
		} else if (streq(a, "mtu") || streq(a, "address") || streq(a, "group") ||
			   streq(a, "master") || streq(a, "up") || streq(a, "txqueuelen")) {
			/* ip would apply these to the peer; the API has no peer attributes. */
			return fail(p->cmd,
				    "\"%s\" for a veth peer is not supported (options before "
				    "\"type\" apply to the new link; \"up\" brings both ends up)",
				    a);
		} else if (!veth->peer_name[0]) {
			r = check_ifname(p, a);
			if (r < 0)
				return r;
			veth->peer_name = (char *)a;
		} else {
			return unknown(p, a);
		}
	}
	return 0;
}

static int parse_vxlan_opt(Parser *p, const char *a, Nsring__V1__Vxlan *x, bool *has_id)
{
	const char *v;
	int r;

	if (streq(a, "id") || streq(a, "vni")) {
		r = arg_u32(p, a, 16777215, &x->vni);
		if (r < 0)
			return r;
		*has_id = true;
	} else if (streq(a, "dstport")) {
		r = arg_u32(p, a, 65535, &x->port);
	} else if (streq(a, "local")) {
		r = arg_ip(p, a, &v, NULL);
		x->local = (char *)v;
	} else if (streq(a, "remote")) {
		r = arg_ip(p, a, &v, NULL);
		x->remote = (char *)v;
	} else if (streq(a, "group")) {
		r = arg_ip(p, a, &v, NULL);
		x->group = (char *)v;
	} else if (streq(a, "dev")) {
		r = arg_ifname(p, a, &v);
		x->dev = (char *)v;
	} else {
		return 1; /* not a vxlan option */
	}
	return r < 0 ? r : 0;
}

static int parse_macvlan_opt(Parser *p, const char *a, Nsring__V1__Macvlan *m)
{
	static const struct {
		const char *name;
		Nsring__V1__MacvlanMode mode;
	} modes[] = {
		{ "private", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PRIVATE },
		{ "vepa", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_VEPA },
		{ "bridge", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE },
		{ "passthru", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PASSTHRU },
		{ "source", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_SOURCE },
	};
	const char *v;
	int r;

	if (!streq(a, "mode"))
		return 1;
	r = need(p, a, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (streq(v, modes[i].name)) {
			m->mode = modes[i].mode;
			return 0;
		}
	return fail(p->cmd,
		    "argument \"%s\" is wrong: macvlan mode is private, vepa, bridge, passthru or "
		    "source",
		    v);
}

static int parse_link_add(Parser *p)
{
	Nsring__V1__CreateLinkRequest *req;
	Nsring__V1__Link *link;
	const char *a, *parent = NULL;
	bool has_id = false;
	int r;

	req = NEW_MSG(p->cmd, Nsring__V1__CreateLinkRequest, nsring__v1__create_link_request__init);
	link = NEW_MSG(p->cmd, Nsring__V1__Link, nsring__v1__link__init);
	if (!req || !link)
		return oom(p->cmd);
	req->link = link;
	set_namespace(p, &req->namespace_);

	while ((a = next(p))) {
		const char *v;

		/* After `type KIND`, the kind's own keywords win (vxlan's group and dev are not
		 * the link group and the link name), as in ip. */
		if (link->info_case == NSRING__V1__LINK__INFO_VETH) {
			if (streq(a, "peer")) {
				r = parse_veth_peer(p, link->veth);
				if (r < 0)
					return r;
				continue;
			}
		} else if (link->info_case == NSRING__V1__LINK__INFO_VXLAN) {
			r = parse_vxlan_opt(p, a, link->vxlan, &has_id);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
		} else if (link->info_case == NSRING__V1__LINK__INFO_MACVLAN) {
			r = parse_macvlan_opt(p, a, link->macvlan);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
		}

		if (streq(a, "type")) {
			if (link->info_case != NSRING__V1__LINK__INFO__NOT_SET)
				return fail(p->cmd, "duplicate \"type\"");
			r = need(p, a, &v);
			if (r < 0)
				return r;
			r = parse_link_kind(p, link, v);
		} else if (streq(a, "name") || streq(a, "dev")) {
			if (link->name[0])
				return fail(p->cmd, "duplicate link name \"%s\"", peek(p) ?: "");
			r = arg_ifname(p, a, &v);
			link->name = (char *)v;
		} else if (streq(a, "mtu")) {
			r = arg_u32(p, a, UINT32_MAX, &link->mtu);
		} else if (streq(a, "address") || streq(a, "addr") || streq(a, "lladdr")) {
			r = arg_lladdr(p, a, &link->address);
		} else if (streq(a, "group")) {
			r = arg_group(p, a, &link->group);
		} else if (streq(a, "master")) {
			r = arg_ifname(p, a, &v);
			req->master = (char *)v;
		} else if (streq(a, "up")) {
			link->up = true;
			r = 0;
		} else if (streq(a, "link")) {
			r = arg_ifname(p, a, &parent);
		} else if (streq(a, "netns")) {
			return fail(
				p->cmd,
				"\"netns\" on link add is only supported for a veth peer; use -n "
				"NS to create the link in NS");
		} else if (!link->name[0]) {
			r = check_ifname(p, a);
			link->name = (char *)a;
		} else {
			return unknown(p, a);
		}
		if (r < 0)
			return r;
	}

	if (!link->name[0])
		return fail(p->cmd, "not enough information: a link NAME is required");
	switch (link->info_case) {
	case NSRING__V1__LINK__INFO__NOT_SET:
		return fail(p->cmd, "not enough information: \"type\" is required");
	case NSRING__V1__LINK__INFO_VETH:
		if (!link->veth->peer_name[0])
			return fail(p->cmd, "veth needs \"peer name PEER\"");
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		if (!has_id)
			return fail(p->cmd, "vxlan needs \"id VNI\"");
		if (link->vxlan->remote[0] && link->vxlan->group[0])
			return fail(p->cmd, "vxlan: \"remote\" and \"group\" are exclusive");
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		if (!parent)
			return fail(p->cmd, "macvlan needs \"link PARENT\"");
		link->macvlan->parent = (char *)parent;
		parent = NULL;
		break;
	default:
		break;
	}
	if (parent)
		return fail(p->cmd, "\"link PARENT\" is only supported for macvlan");

	set_call(p->cmd, "CreateLink", &req->base, &nsring__v1__create_link_response__descriptor,
		 ctl_print_created);
	return 0;
}

/* `[dev] NAME` where only the name may be given; allow_type: ip's (ignored) `type KIND` on
 * link del. */
static int parse_dev_only(Parser *p, const char **ret, bool allow_type)
{
	const char *a, *name = NULL;
	int r;

	while ((a = next(p))) {
		if (streq(a, "dev")) {
			if (name)
				return fail(p->cmd, "duplicate \"dev\"");
			r = arg_ifname(p, a, &name);
			if (r < 0)
				return r;
		} else if (streq(a, "type") && allow_type) {
			const char *t;

			r = need(p, a, &t);
			if (r < 0)
				return r;
		} else if (!name) {
			r = check_ifname(p, a);
			if (r < 0)
				return r;
			name = a;
		} else {
			return unknown(p, a);
		}
	}
	*ret = name;
	return 0;
}

static int parse_link_del(Parser *p)
{
	Nsring__V1__DeleteLinkRequest *req;
	const char *name = NULL;
	int r;

	r = parse_dev_only(p, &name, true);
	if (r < 0)
		return r;
	if (!name)
		return fail(p->cmd, "not enough information: \"dev\" argument is required");
	req = NEW_MSG(p->cmd, Nsring__V1__DeleteLinkRequest, nsring__v1__delete_link_request__init);
	if (!req)
		return oom(p->cmd);
	set_namespace(p, &req->namespace_);
	req->name = (char *)name;
	set_call(p->cmd, "DeleteLink", &req->base, &nsring__v1__delete_link_response__descriptor,
		 ctl_print_created);
	return 0;
}

static int parse_link_set(Parser *p)
{
	Nsring__V1__UpdateLinkRequest *req;
	const char *a;
	int r;

	req = NEW_MSG(p->cmd, Nsring__V1__UpdateLinkRequest, nsring__v1__update_link_request__init);
	if (!req)
		return oom(p->cmd);
	set_namespace(p, &req->namespace_);

	while ((a = next(p))) {
		const char *v;

		r = 0;
		if (streq(a, "dev")) {
			if (req->name[0])
				return fail(p->cmd, "duplicate \"dev\"");
			r = arg_ifname(p, a, &v);
			req->name = (char *)v;
		} else if (streq(a, "up") || streq(a, "down")) {
			req->set_up_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP;
			req->up = streq(a, "up");
		} else if (streq(a, "mtu")) {
			req->set_mtu_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU;
			r = arg_u32(p, a, UINT32_MAX, &req->mtu);
		} else if (streq(a, "address") || streq(a, "addr") || streq(a, "lladdr")) {
			req->set_address_case =
				NSRING__V1__UPDATE_LINK_REQUEST__SET_ADDRESS_ADDRESS;
			r = arg_lladdr(p, a, &req->address);
		} else if (streq(a, "master")) {
			req->set_master_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER;
			r = arg_ifname(p, a, &v);
			req->master = (char *)v;
		} else if (streq(a, "nomaster")) {
			req->set_master_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER;
			req->master = (char *)"";
		} else if (streq(a, "name")) {
			req->set_name_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME;
			r = arg_ifname(p, a, &v);
			req->new_name = (char *)v;
		} else if (streq(a, "group")) {
			req->set_group_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_GROUP_GROUP;
			r = arg_group(p, a, &req->group);
		} else if (streq(a, "netns")) {
			r = need(p, a, &v);
			if (r < 0)
				return r;
			r = parse_nsref(p, v, &req->move_to);
		} else if (!req->name[0]) {
			r = check_ifname(p, a);
			req->name = (char *)a;
		} else {
			return unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!req->name[0])
		return fail(p->cmd, "not enough information: \"dev\" argument is required");
	set_call(p->cmd, "UpdateLink", &req->base, &nsring__v1__update_link_response__descriptor,
		 ctl_print_created);
	return 0;
}

static int parse_link_show(Parser *p)
{
	const char *a, *name = NULL, *kind = NULL, *master = NULL;
	int r;

	while ((a = next(p))) {
		if (streq(a, "dev")) {
			if (name)
				return fail(p->cmd, "duplicate \"dev\"");
			r = arg_ifname(p, a, &name);
		} else if (streq(a, "type")) {
			r = need(p, a, &kind);
		} else if (streq(a, "master")) {
			r = arg_ifname(p, a, &master);
		} else if (!name) {
			r = check_ifname(p, a);
			name = a;
		} else {
			return unknown(p, a);
		}
		if (r < 0)
			return r;
	}

	if (name) {
		Nsring__V1__GetLinkRequest *req;

		if (kind || master)
			return fail(p->cmd,
				    "a link NAME cannot be combined with \"type\" or \"master\"");
		req = NEW_MSG(p->cmd, Nsring__V1__GetLinkRequest,
			      nsring__v1__get_link_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		req->name = (char *)name;
		set_call(p->cmd, "GetLink", &req->base, &nsring__v1__get_link_response__descriptor,
			 ctl_print_link);
	} else {
		Nsring__V1__ListLinksRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__ListLinksRequest,
			      nsring__v1__list_links_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		if (kind)
			req->kind = (char *)kind;
		if (master)
			req->master = (char *)master;
		set_call(p->cmd, "ListLinks", &req->base,
			 &nsring__v1__list_links_response__descriptor, ctl_print_links);
	}
	return 0;
}

static int parse_link(Parser *p)
{
	const char *c = next(p);

	if (!c)
		return parse_link_show(p);
	if (matches(c, "add"))
		return parse_link_add(p);
	if (streq(c, "set") || matches(c, "change"))
		return parse_link_set(p);
	if (matches(c, "delete"))
		return parse_link_del(p);
	if (matches(c, "show") || matches(c, "lst") || matches(c, "list"))
		return parse_link_show(p);
	if (matches(c, "help"))
		return CTL_PARSE_HELP;
	return unknown(p, c);
}

/* ---------------------------------------------------------------- address */

/* The IPv4 broadcast address of addr/plen (ip's `broadcast +`). */
static int broadcast_plus(Parser *p, const char *addr, uint32_t plen, const char **ret)
{
	struct in_addr in;
	char *out;

	if (inet_pton(AF_INET, addr, &in) != 1)
		return fail(p->cmd, "\"broadcast\" is only for IPv4 addresses");
	if (plen >= 31)
		return fail(p->cmd, "\"broadcast +\" needs a prefix length below 31");
	in.s_addr |= htonl(UINT32_MAX >> plen);
	out = ctl_alloc(p->cmd, INET_ADDRSTRLEN);
	if (!out)
		return oom(p->cmd);
	inet_ntop(AF_INET, &in, out, INET_ADDRSTRLEN);
	*ret = out;
	return 0;
}

static int parse_addr_modify(Parser *p, bool add)
{
	Nsring__V1__Address *addr;
	const char *a, *dev = NULL, *brd = NULL;
	bool have_addr = false;
	int r, fam = 0;

	addr = NEW_MSG(p->cmd, Nsring__V1__Address, nsring__v1__address__init);
	if (!addr)
		return oom(p->cmd);

	while ((a = next(p))) {
		const char *v;

		if (streq(a, "dev")) {
			if (dev)
				return fail(p->cmd, "duplicate \"dev\"");
			r = arg_ifname(p, a, &dev);
		} else if (streq(a, "broadcast") || streq(a, "brd")) {
			r = need(p, a, &brd);
			if (r >= 0 && !streq(brd, "+") && ip_family(brd) != 4)
				return fail(p->cmd,
					    "argument \"%s\" is wrong: broadcast must be an IPv4 "
					    "address or \"+\"",
					    brd);
		} else if (!have_addr) {
			if (streq(a, "local")) {
				r = need(p, a, &v);
				if (r < 0)
					return r;
			} else {
				v = a;
			}
			r = parse_prefix(p, v, (const char **)&addr->address, &addr->prefix_len,
					 &fam, NULL);
			have_addr = true;
		} else {
			return unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!have_addr)
		return fail(p->cmd, "not enough information: an ADDRESS/PLEN is required");
	if (!dev)
		return fail(p->cmd, "not enough information: \"dev\" argument is required");
	addr->link_name = (char *)dev;
	if (brd) {
		if (fam != 4)
			return fail(p->cmd, "\"broadcast\" is only for IPv4 addresses");
		if (streq(brd, "+")) {
			r = broadcast_plus(p, addr->address, addr->prefix_len, &brd);
			if (r < 0)
				return r;
		}
		addr->broadcast = (char *)brd;
	}

	if (add) {
		Nsring__V1__CreateAddressRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__CreateAddressRequest,
			      nsring__v1__create_address_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		req->address = addr;
		set_call(p->cmd, "CreateAddress", &req->base,
			 &nsring__v1__create_address_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__DeleteAddressRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__DeleteAddressRequest,
			      nsring__v1__delete_address_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		req->address = addr;
		set_call(p->cmd, "DeleteAddress", &req->base,
			 &nsring__v1__delete_address_response__descriptor, ctl_print_created);
	}
	return 0;
}

static int parse_addr_show(Parser *p)
{
	Nsring__V1__ListAddressesRequest *req;
	const char *name = NULL;
	int r;

	r = parse_dev_only(p, &name, false);
	if (r < 0)
		return r;
	req = NEW_MSG(p->cmd, Nsring__V1__ListAddressesRequest,
		      nsring__v1__list_addresses_request__init);
	if (!req)
		return oom(p->cmd);
	set_namespace(p, &req->namespace_);
	if (name)
		req->link_name = (char *)name;
	req->family = (uint32_t)p->cmd->family;
	set_call(p->cmd, "ListAddresses", &req->base,
		 &nsring__v1__list_addresses_response__descriptor, ctl_print_addresses);
	return 0;
}

static int parse_addr(Parser *p)
{
	const char *c = next(p);

	if (!c)
		return parse_addr_show(p);
	if (matches(c, "add"))
		return parse_addr_modify(p, true);
	if (matches(c, "delete"))
		return parse_addr_modify(p, false);
	if (matches(c, "show") || matches(c, "lst") || matches(c, "list"))
		return parse_addr_show(p);
	if (matches(c, "help"))
		return CTL_PARSE_HELP;
	return unknown(p, c);
}

/* ---------------------------------------------------------------- route */

typedef struct NamedValue {
	const char *name;
	uint32_t value;
} NamedValue;

/* /etc/iproute2/rt_tables, rt_scopes, rt_protos and ip's route types. */
static const NamedValue route_tables[] = {
	{ "default", 253 },
	{ "main", 254 },
	{ "local", 255 },
};
static const NamedValue route_scopes[] = {
	{ "global", 0 }, { "universe", 0 }, { "site", 200 },
	{ "link", 253 }, { "host", 254 },   { "nowhere", 255 },
};
static const NamedValue route_protos[] = {
	{ "unspec", 0 }, { "redirect", 1 }, { "kernel", 2 },	  { "boot", 3 },
	{ "static", 4 }, { "gated", 8 },    { "ra", 9 },	  { "mrt", 10 },
	{ "zebra", 11 }, { "bird", 12 },    { "dnrouted", 13 },	  { "xorp", 14 },
	{ "ntk", 15 },	 { "dhcp", 16 },    { "keepalived", 18 }, { "babel", 42 },
	{ "openr", 99 }, { "bgp", 186 },    { "isis", 187 },	  { "ospf", 188 },
	{ "rip", 189 },	 { "eigrp", 192 },
};
static const NamedValue route_types[] = {
	{ "unicast", 1 },   { "local", 2 },	{ "broadcast", 3 },   { "anycast", 4 },
	{ "multicast", 5 }, { "blackhole", 6 }, { "unreachable", 7 }, { "prohibit", 8 },
	{ "throw", 9 },	    { "nat", 10 },
};

static int lookup(const NamedValue *t, size_t n, const char *name, uint32_t *ret)
{
	for (size_t i = 0; i < n; i++)
		if (streq(t[i].name, name)) {
			*ret = t[i].value;
			return 0;
		}
	return -ENOENT;
}

static int arg_named(Parser *p, const char *kw, const NamedValue *t, size_t n, uint32_t max,
		     uint32_t *ret)
{
	const char *v;
	int r;

	r = need(p, kw, &v);
	if (r < 0)
		return r;
	if (lookup(t, n, v, ret) == 0)
		return 0;
	if (parse_u32(v, ret) < 0 || *ret > max)
		return fail(p->cmd, "argument \"%s\" is wrong: invalid \"%s\" value", v, kw);
	return 0;
}

static int parse_route_modify(Parser *p, const char *method)
{
	Nsring__V1__Route *route;
	const char *a;
	bool have_dst = false;
	int r, dst_fam = 0, gw_fam = 0, src_fam = 0;

	route = NEW_MSG(p->cmd, Nsring__V1__Route, nsring__v1__route__init);
	if (!route)
		return oom(p->cmd);

	while ((a = next(p))) {
		const char *v;
		uint32_t type;

		r = 0;
		if (streq(a, "via")) {
			/* ip accepts `via inet6 ADDR`. */
			v = peek(p);
			if (v && (streq(v, "inet") || streq(v, "inet6")))
				p->i++;
			r = arg_ip(p, a, &v, &gw_fam);
			route->gateway = (char *)v;
		} else if (streq(a, "dev") || streq(a, "oif")) {
			r = arg_ifname(p, a, &v);
			route->dev = (char *)v;
		} else if (streq(a, "table")) {
			r = arg_named(p, a, route_tables, ARRAY_SIZE(route_tables), UINT32_MAX,
				      &route->table);
		} else if (streq(a, "metric") || streq(a, "priority") || streq(a, "preference")) {
			r = arg_u32(p, a, UINT32_MAX, &route->metric);
		} else if (streq(a, "scope")) {
			route->set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE;
			r = arg_named(p, a, route_scopes, ARRAY_SIZE(route_scopes), 255,
				      &route->scope);
		} else if (streq(a, "proto") || streq(a, "protocol")) {
			r = arg_named(p, a, route_protos, ARRAY_SIZE(route_protos), 255,
				      &route->protocol);
		} else if (streq(a, "src")) {
			r = arg_ip(p, a, &v, &src_fam);
			route->prefsrc = (char *)v;
		} else if (!have_dst && route->type == 0 &&
			   lookup(route_types, ARRAY_SIZE(route_types), a, &type) == 0) {
			/* `blackhole 198.18.0.0/24`: a type in front of the destination. */
			route->type = type;
		} else if (!have_dst) {
			if (streq(a, "to")) {
				r = need(p, a, &v);
				if (r < 0)
					return r;
			} else {
				v = a;
			}
			if (streq(v, "default") || streq(v, "all") || streq(v, "any")) {
				route->destination = (char *)"";
			} else {
				const char *addr;
				uint32_t plen;

				r = parse_prefix(p, v, &addr, &plen, &dst_fam, NULL);
				route->destination = (char *)v;
			}
			have_dst = true;
		} else {
			return unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!have_dst)
		return fail(p->cmd, "not enough information: a destination (or \"default\") is "
				    "required");
	if (gw_fam && dst_fam && gw_fam != dst_fam)
		return fail(p->cmd, "the gateway is IPv%d but the destination is IPv%d", gw_fam,
			    dst_fam);
	if (p->cmd->family && gw_fam && gw_fam != p->cmd->family)
		return fail(p->cmd, "the gateway is not IPv%d (-%d was given)", p->cmd->family,
			    p->cmd->family);
	/* The family of a default route comes from the gateway, else -4/-6, else IPv4 as
	 * in ip. */
	route->family = dst_fam ?: gw_fam ?: p->cmd->family ?: src_fam ?: 4;
	if (src_fam && src_fam != (int)route->family)
		return fail(p->cmd, "\"src\" is not an IPv%u address", route->family);

	if (streq(method, "DeleteRoute")) {
		Nsring__V1__DeleteRouteRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__DeleteRouteRequest,
			      nsring__v1__delete_route_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		req->route = route;
		set_call(p->cmd, method, &req->base, &nsring__v1__delete_route_response__descriptor,
			 ctl_print_created);
	} else {
		Nsring__V1__CreateRouteRequest *req;

		req = NEW_MSG(p->cmd, Nsring__V1__CreateRouteRequest,
			      nsring__v1__create_route_request__init);
		if (!req)
			return oom(p->cmd);
		set_namespace(p, &req->namespace_);
		req->route = route;
		req->replace = streq(method, "ReplaceRoute");
		set_call(p->cmd, "CreateRoute", &req->base,
			 &nsring__v1__create_route_response__descriptor, ctl_print_created);
	}
	return 0;
}

static int parse_route_show(Parser *p)
{
	Nsring__V1__ListRoutesRequest *req;
	const char *a;
	int r;

	req = NEW_MSG(p->cmd, Nsring__V1__ListRoutesRequest, nsring__v1__list_routes_request__init);
	if (!req)
		return oom(p->cmd);
	set_namespace(p, &req->namespace_);
	req->family = (uint32_t)p->cmd->family;
	while ((a = next(p))) {
		if (!streq(a, "table"))
			return unknown(p, a);
		if (peek(p) && streq(peek(p), "all")) {
			p->i++;
			req->table = UINT32_MAX; /* the API's "all tables" */
			continue;
		}
		r = arg_named(p, a, route_tables, ARRAY_SIZE(route_tables), UINT32_MAX - 1,
			      &req->table);
		if (r < 0)
			return r;
	}
	set_call(p->cmd, "ListRoutes", &req->base, &nsring__v1__list_routes_response__descriptor,
		 ctl_print_routes);
	return 0;
}

static int parse_route(Parser *p)
{
	const char *c = next(p);

	if (!c)
		return parse_route_show(p);
	if (matches(c, "add"))
		return parse_route_modify(p, "CreateRoute");
	if (matches(c, "replace"))
		return parse_route_modify(p, "ReplaceRoute");
	if (matches(c, "delete"))
		return parse_route_modify(p, "DeleteRoute");
	if (matches(c, "show") || matches(c, "lst") || matches(c, "list"))
		return parse_route_show(p);
	if (matches(c, "help"))
		return CTL_PARSE_HELP;
	return unknown(p, c);
}

/* ---------------------------------------------------------------- monitor */

/* monitor [all | link | address | route ...] [-n NS ... | --all] [--snapshot]: a Watch. */
static int parse_monitor(Parser *p)
{
	static const struct {
		const char *name;
		Nsring__V1__WatchKind kind;
	} objects[] = {
		{ "link", NSRING__V1__WATCH_KIND__WATCH_KIND_LINK },
		{ "address", NSRING__V1__WATCH_KIND__WATCH_KIND_ADDRESS },
		{ "route", NSRING__V1__WATCH_KIND__WATCH_KIND_ROUTE },
	};
	Nsring__V1__WatchRequest *req;
	bool all_objects = false;
	const char *a;
	int r;

	req = NEW_MSG(p->cmd, Nsring__V1__WatchRequest, nsring__v1__watch_request__init);
	if (!req)
		return oom(p->cmd);
	/* At most one namespace per remaining word, and the global -n. */
	req->namespaces = ctl_alloc(p->cmd, (size_t)(p->argc - p->i + 1) * sizeof(void *));
	req->kinds = ctl_alloc(p->cmd, ARRAY_SIZE(objects) * sizeof(*req->kinds));
	if (!req->namespaces || !req->kinds)
		return oom(p->cmd);
	if (p->ns)
		req->namespaces[req->n_namespaces++] = p->ns;

	while ((a = next(p))) {
		bool seen;
		size_t k;

		if (streq(a, "all")) {
			all_objects = true;
		} else if (streq(a, "--snapshot") || streq(a, "snapshot")) {
			req->snapshot = true;
		} else if (streq(a, "--all") || streq(a, "all-nsid")) {
			req->all_namespaces = true;
		} else if (streq(a, "-n") || streq(a, "--netns") || streq(a, "netns")) {
			const char *v;

			r = need(p, a, &v);
			if (r >= 0)
				r = parse_nsref(p, v, &req->namespaces[req->n_namespaces]);
			if (r < 0)
				return r;
			req->n_namespaces++;
		} else if (streq(a, "help")) {
			return CTL_PARSE_HELP;
		} else {
			for (k = 0; k < ARRAY_SIZE(objects); k++)
				if (matches(a, objects[k].name))
					break;
			if (k == ARRAY_SIZE(objects))
				return unknown(p, a);
			seen = false;
			for (size_t j = 0; j < req->n_kinds; j++)
				seen |= req->kinds[j] == objects[k].kind;
			if (!seen)
				req->kinds[req->n_kinds++] = objects[k].kind;
		}
	}
	if (req->all_namespaces && req->n_namespaces > 0)
		return fail(p->cmd, "--all watches every namespace: it excludes -n");
	if (all_objects)
		req->n_kinds = 0; /* the API's "everything" */
	set_call(p->cmd, "Watch", &req->base, &nsring__v1__watch_event__descriptor,
		 ctl_print_watch_event);
	p->cmd->stream = true;
	return 0;
}

/* ---------------------------------------------------------------- global */

/* "--name=value" or "--name value" / "-x value". */
static int option_value(Parser *p, const char *a, const char *long_name, const char **ret)
{
	size_t n = strlen(long_name);

	if (strncmp(a, long_name, n) == 0 && a[n] == '=') {
		*ret = a + n + 1;
		return 0;
	}
	return need(p, a, ret);
}

static bool is_option(const char *a, const char *shrt, const char *lng)
{
	size_t n = strlen(lng);

	return (shrt && streq(a, shrt)) || streq(a, lng) ||
	       (strncmp(a, lng, n) == 0 && a[n] == '=');
}

static int parse_timeout(Parser *p, const char *v)
{
	double sec;
	char *end;

	errno = 0;
	sec = strtod(v, &end);
	if (errno || end == v || *end || !(sec >= 0) || sec > 1e9)
		return fail(p->cmd, "argument \"%s\" is wrong: invalid timeout (seconds)", v);
	p->cmd->timeout_ns = (uint64_t)(sec * 1e9);
	return 0;
}

int ctl_parse(int argc, char **argv, CtlCmd *cmd)
{
	Parser p = { .cmd = cmd, .argc = argc, .argv = argv, .i = 1 };
	const char *a, *obj;
	int r;

	*cmd = (CtlCmd){ .timeout_ns = CTL_DEFAULT_TIMEOUT_NS };

	while ((a = peek(&p)) && a[0] == '-' && a[1]) {
		const char *v;

		p.i++;
		r = 0;
		if (streq(a, "--"))
			break;
		if (streq(a, "-h") || streq(a, "-help") || streq(a, "--help"))
			return CTL_PARSE_HELP;
		if (streq(a, "-j") || streq(a, "-json") || streq(a, "--json")) {
			cmd->json = true;
		} else if (streq(a, "-4")) {
			cmd->family = 4;
		} else if (streq(a, "-6")) {
			cmd->family = 6;
		} else if (streq(a, "--dry-run")) {
			cmd->dry_run = true;
		} else if (is_option(a, "-s", "--socket")) {
			r = option_value(&p, a, "--socket", &v);
			if (r >= 0 && !*v)
				return fail(cmd, "the socket path is empty");
			cmd->socket_path = v;
		} else if (is_option(a, "-n", "--netns") || streq(a, "-netns")) {
			r = option_value(&p, a, "--netns", &v);
			if (r >= 0)
				r = parse_nsref(&p, v, &p.ns);
		} else if (is_option(a, NULL, "--timeout")) {
			r = option_value(&p, a, "--timeout", &v);
			if (r >= 0)
				r = parse_timeout(&p, v);
		} else {
			return unknown(&p, a);
		}
		if (r < 0)
			return r;
	}

	obj = next(&p);
	if (!obj)
		return fail(cmd,
			    "no object given (netns, link, address, route, monitor); try --help");
	/* ip's table order decides the abbreviations: a = address, r = route, l = link. */
	if (matches(obj, "address"))
		return parse_addr(&p);
	if (matches(obj, "route"))
		return parse_route(&p);
	if (matches(obj, "link"))
		return parse_link(&p);
	if (matches(obj, "netns"))
		return parse_netns(&p);
	if (matches(obj, "monitor"))
		return parse_monitor(&p);
	if (matches(obj, "help"))
		return CTL_PARSE_HELP;
	return unknown(&p, obj);
}
