/* nsringctl's output: one generic JSON encoder driven by protobuf-c descriptors (so the keys are
 * the proto's field names and new fields appear without code here), and ip -br-like tables. */
#include "ctl-print.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/macro.h"
#include "nsring/v1/nsring.pb-c.h"

/* ---------------------------------------------------------------- JSON */

/* Length of the valid UTF-8 sequence at s, or 0: JSON must be UTF-8, and interface names
 * are arbitrary bytes. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	fputc('"', f);
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (n == 0) {
				fputs("\\ufffd", f); /* a stray byte: the replacement character */
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

static void json_base64(FILE *f, const ProtobufCBinaryData *b)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	fputc('"', f);
	for (size_t i = 0; i < b->len; i += 3) {
		uint32_t v = (uint32_t)b->data[i] << 16;
		size_t left = b->len - i;

		if (left > 1)
			v |= (uint32_t)b->data[i + 1] << 8;
		if (left > 2)
			v |= b->data[i + 2];
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(left > 1 ? tab[v >> 6 & 63] : '=', f);
		fputc(left > 2 ? tab[v & 63] : '=', f);
	}
	fputc('"', f);
}

static void json_double(FILE *f, double d, const char *fmt)
{
	/* JSON has no NaN or infinities; proto3's JSON mapping spells them as strings. */
	if (isnan(d))
		fputs("\"NaN\"", f);
	else if (isinf(d))
		fputs(d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
	else
		fprintf(f, fmt, d);
}

static size_t field_elem_size(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* Whether the value at p is the proto3 default (left out unless emit_defaults). */
static bool value_is_default(const ProtobufCFieldDescriptor *fd, const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return *(const uint32_t *)p == 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return *(const uint64_t *)p == 0;
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)p == 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)p == 0;
	case PROTOBUF_C_TYPE_BOOL:
		return !*(const protobuf_c_boolean *)p;
	case PROTOBUF_C_TYPE_STRING:
		return !*(char *const *)p || !**(char *const *)p;
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return !*(ProtobufCMessage *const *)p;
	}
	return true;
}

static void json_value(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p,
		       bool emit_defaults)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(f, "%" PRId32, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(f, "%" PRIu32, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(f, "%" PRId64, *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%" PRIu64, *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		json_double(f, *(const float *)p, "%.9g");
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		json_double(f, *(const double *)p, "%.17g");
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, v);

		if (ev)
			json_string(f, ev->name);
		else
			fprintf(f, "%d", v);
		break;
	}
	case PROTOBUF_C_TYPE_STRING:
		json_string(f, *(char *const *)p);
		break;
	case PROTOBUF_C_TYPE_BYTES:
		json_base64(f, p);
		break;
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;

		if (sub)
			ctl_print_json_message(f, sub, emit_defaults);
		else
			fputs("null", f);
		break;
	}
	}
}

void ctl_print_json_message(FILE *f, const ProtobufCMessage *m, bool emit_defaults)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	bool first = true;

	fputc('{', f);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const void *p = base + fd->offset;

		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			/* Only the member the case names; its default value still counts as set. */
			if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
				continue;
			if (fd->type == PROTOBUF_C_TYPE_MESSAGE && !*(ProtobufCMessage *const *)p)
				continue;
		} else if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			const char *arr = *(char *const *)p;
			size_t sz = field_elem_size(fd);

			if (n == 0 && !emit_defaults)
				continue;
			fprintf(f, "%s\"%s\":[", first ? "" : ",", fd->name);
			for (size_t k = 0; k < n; k++) {
				if (k)
					fputc(',', f);
				json_value(f, fd, arr + k * sz, emit_defaults);
			}
			fputc(']', f);
			first = false;
			continue;
		} else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
			   fd->type != PROTOBUF_C_TYPE_MESSAGE &&
			   fd->type != PROTOBUF_C_TYPE_STRING) {
			/* proto2-style has_ flag. */
			if (!*(const protobuf_c_boolean *)(base + fd->quantifier_offset))
				continue;
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (!*(ProtobufCMessage *const *)p)
				continue;
		} else if (!emit_defaults && value_is_default(fd, p)) {
			continue;
		}
		fprintf(f, "%s\"%s\":", first ? "" : ",", fd->name);
		json_value(f, fd, p, emit_defaults);
		first = false;
	}
	fputc('}', f);
}

/* A list response's repeated field as a top-level array. */
static void json_array(FILE *f, ProtobufCMessage **items, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		ctl_print_json_message(f, items[i], true);
	}
	fputs("]\n", f);
}

/* ---------------------------------------------------------------- names */

const char *ctl_route_table_name(uint32_t table, char buf[static 12])
{
	switch (table) {
	case 0: /* the API's "main" */
	case 254:
		return "main";
	case 253:
		return "default";
	case 255:
		return "local";
	}
	snprintf(buf, 12, "%" PRIu32, table);
	return buf;
}

const char *ctl_route_scope_name(uint32_t scope, char buf[static 12])
{
	switch (scope) {
	case 0:
		return "global";
	case 200:
		return "site";
	case 253:
		return "link";
	case 254:
		return "host";
	case 255:
		return "nowhere";
	}
	snprintf(buf, 12, "%" PRIu32, scope);
	return buf;
}

const char *ctl_route_proto_name(uint32_t proto, char buf[static 12])
{
	static const char *const names[] = {
		[0] = "unspec", [1] = "redirect", [2] = "kernel",      [3] = "boot",
		[4] = "static", [8] = "gated",	  [9] = "ra",	       [10] = "mrt",
		[11] = "zebra", [12] = "bird",	  [13] = "dnrouted",   [14] = "xorp",
		[15] = "ntk",	[16] = "dhcp",	  [18] = "keepalived", [42] = "babel",
		[99] = "openr", [186] = "bgp",	  [187] = "isis",      [188] = "ospf",
		[189] = "rip",	[192] = "eigrp",
	};

	if (proto < ARRAY_SIZE(names) && names[proto])
		return names[proto];
	snprintf(buf, 12, "%" PRIu32, proto);
	return buf;
}

static const char *route_type_name(uint32_t type)
{
	static const char *const names[] = {
		[2] = "local",	   [3] = "broadcast", [4] = "anycast",
		[5] = "multicast", [6] = "blackhole", [7] = "unreachable",
		[8] = "prohibit",  [9] = "throw",     [10] = "nat",
	};

	return type < ARRAY_SIZE(names) ? names[type] : NULL;
}

static const char *macvlan_mode_name(Nsring__V1__MacvlanMode mode)
{
	switch (mode) {
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PRIVATE:
		return "private";
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_VEPA:
		return "vepa";
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE:
		return "bridge";
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PASSTHRU:
		return "passthru";
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_SOURCE:
		return "source";
	default:
		return NULL;
	}
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* ---------------------------------------------------------------- namespaces */

int ctl_print_namespaces(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListNamespacesResponse *r = (const void *)resp;

	if (json) {
		json_array(f, (ProtobufCMessage **)r->namespaces, r->n_namespaces);
		return 0;
	}
	fprintf(f, "%-24s %-12s %s\n", "NAME", "INODE", "PATH");
	for (size_t i = 0; i < r->n_namespaces; i++) {
		const Nsring__V1__Namespace *ns = r->namespaces[i];

		fprintf(f, "%-24s %-12" PRIu64 " %s\n", or_dash(ns->name), ns->inode,
			or_dash(ns->path));
	}
	return 0;
}

/* ---------------------------------------------------------------- links */

static const Nsring__V1__Link *find_link(Nsring__V1__Link *const *links, size_t n, uint32_t index)
{
	for (size_t i = 0; i < n; i++)
		if (links[i]->index == index)
			return links[i];
	return NULL;
}

/* A peer or parent: its name when it is in this listing (so in this namespace), else the name
 * the daemon gave, else its index; plus the namespace id when it lives elsewhere. */
static void link_ref(FILE *f, Nsring__V1__Link *const *all, size_t n, uint32_t index,
		     int32_t netnsid, const char *fallback)
{
	const Nsring__V1__Link *l = netnsid < 0 && index ? find_link(all, n, index) : NULL;

	if (l)
		fputs(l->name, f);
	else if (fallback && *fallback)
		fputs(fallback, f);
	else if (index)
		fprintf(f, "if%" PRIu32, index);
	else
		fputs("?", f);
	if (netnsid >= 0)
		fprintf(f, " netnsid %" PRId32, netnsid);
}

static void link_details(FILE *f, const Nsring__V1__Link *l, Nsring__V1__Link *const *all, size_t n)
{
	const char *sep = "";
	bool parent_shown = false;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		fputs("peer ", f);
		link_ref(f, all, n, l->parent_index, l->link_netnsid,
			 l->veth ? l->veth->peer_name : NULL);
		sep = " ";
		parent_shown = true;
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		fputs("parent ", f);
		link_ref(f, all, n, l->parent_index, l->link_netnsid,
			 l->macvlan ? l->macvlan->parent : NULL);
		if (l->macvlan && macvlan_mode_name(l->macvlan->mode))
			fprintf(f, " mode %s", macvlan_mode_name(l->macvlan->mode));
		sep = " ";
		parent_shown = true;
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		if (!l->vxlan)
			break;
		fprintf(f, "vni %" PRIu32, l->vxlan->vni);
		if (l->vxlan->port)
			fprintf(f, " dstport %" PRIu32, l->vxlan->port);
		if (l->vxlan->local[0])
			fprintf(f, " local %s", l->vxlan->local);
		if (l->vxlan->remote[0])
			fprintf(f, " remote %s", l->vxlan->remote);
		if (l->vxlan->group[0])
			fprintf(f, " group %s", l->vxlan->group);
		if (l->vxlan->dev[0])
			fprintf(f, " dev %s", l->vxlan->dev);
		else if (l->vxlan->dev_index)
			fprintf(f, " dev if%" PRIu32, l->vxlan->dev_index);
		sep = " ";
		parent_shown = l->vxlan->dev[0] || l->vxlan->dev_index; /* that is its IFLA_LINK */
		break;
	default:
		break;
	}
	if (l->parent_index && !parent_shown) {
		/* The daemon may report only the kind string, without the kind's attributes. */
		const char *what = strcmp(l->kind, "veth") == 0	     ? "peer"
				   : strcmp(l->kind, "macvlan") == 0 ? "parent"
								     : "link";

		fprintf(f, "%s%s ", sep, what);
		link_ref(f, all, n, l->parent_index, l->link_netnsid, NULL);
		sep = " ";
	}
	if (l->group)
		fprintf(f, "%sgroup %" PRIu32, sep, l->group);
}

static void link_table(FILE *f, Nsring__V1__Link *const *links, size_t n)
{
	fprintf(f, "%-6s %-16s %-8s %-5s %-14s %-6s %-17s %-6s %s\n", "INDEX", "NAME", "KIND",
		"STATE", "OPER", "MTU", "ADDRESS", "MASTER", "DETAILS");
	for (size_t i = 0; i < n; i++) {
		const Nsring__V1__Link *l = links[i];
		char master[12] = "-", details[512] = "";
		FILE *d = fmemopen(details, sizeof(details) - 1, "w");

		/* Details first, so a row without any ends without trailing blanks. */
		if (d) {
			link_details(d, l, links, n);
			fclose(d);
		}
		if (l->master_index)
			snprintf(master, sizeof(master), "%" PRIu32, l->master_index);
		fprintf(f, "%-6" PRIu32 " %-16s %-8s %-5s %-14s %-6" PRIu32 " %-17s ", l->index,
			or_dash(l->name), or_dash(l->kind), l->up ? "UP" : "DOWN",
			or_dash(l->oper_state), l->mtu, or_dash(l->address));
		if (details[0])
			fprintf(f, "%-6s %s\n", master, details);
		else
			fprintf(f, "%s\n", master);
	}
}

int ctl_print_links(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListLinksResponse *r = (const void *)resp;

	if (json)
		json_array(f, (ProtobufCMessage **)r->links, r->n_links);
	else
		link_table(f, r->links, r->n_links);
	return 0;
}

int ctl_print_link(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__GetLinkResponse *r = (const void *)resp;
	Nsring__V1__Link *const *links = r->link ? &r->link : NULL;
	size_t n = r->link ? 1 : 0;

	/* `link show NAME` is a listing of one, as with ip -j. */
	if (json)
		json_array(f, (ProtobufCMessage **)links, n);
	else
		link_table(f, links, n);
	return 0;
}

/* ---------------------------------------------------------------- addresses */

int ctl_print_addresses(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListAddressesResponse *r = (const void *)resp;

	if (json) {
		json_array(f, (ProtobufCMessage **)r->addresses, r->n_addresses);
		return 0;
	}
	fprintf(f, "%-16s %-32s %-8s %s\n", "LINK", "ADDRESS", "SCOPE", "BROADCAST");
	for (size_t i = 0; i < r->n_addresses; i++) {
		const Nsring__V1__Address *a = r->addresses[i];
		char link[24], addr[64], scope[12];

		if (a->link_name[0])
			snprintf(link, sizeof(link), "%s", a->link_name);
		else
			snprintf(link, sizeof(link), "if%" PRIu32, a->link_index);
		snprintf(addr, sizeof(addr), "%s/%" PRIu32, a->address, a->prefix_len);
		fprintf(f, "%-16s %-32s %-8s %s\n", link, addr,
			ctl_route_scope_name(a->scope, scope), or_dash(a->broadcast));
	}
	return 0;
}

/* ---------------------------------------------------------------- routes */

int ctl_print_routes(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListRoutesResponse *r = (const void *)resp;

	if (json) {
		json_array(f, (ProtobufCMessage **)r->routes, r->n_routes);
		return 0;
	}
	fprintf(f, "%-24s %-24s %-16s %-8s %-8s %-8s %-8s %s\n", "DESTINATION", "VIA", "DEV",
		"TABLE", "METRIC", "PROTO", "SCOPE", "SRC");
	for (size_t i = 0; i < r->n_routes; i++) {
		const Nsring__V1__Route *rt = r->routes[i];
		char dst[96], dev[24], tb[12], pb[12], sb[12];
		const char *dest = rt->destination[0] && strcmp(rt->destination, "default") != 0
					   ? rt->destination
					   : "default";
		const char *type = route_type_name(rt->type);

		snprintf(dst, sizeof(dst), "%s%s%s", type ? type : "", type ? " " : "", dest);
		if (rt->dev[0])
			snprintf(dev, sizeof(dev), "%s", rt->dev);
		else if (rt->dev_index)
			snprintf(dev, sizeof(dev), "if%" PRIu32, rt->dev_index);
		else
			snprintf(dev, sizeof(dev), "-");
		fprintf(f, "%-24s %-24s %-16s %-8s %-8" PRIu32 " %-8s %-8s %s\n", dst,
			or_dash(rt->gateway), dev, ctl_route_table_name(rt->table, tb), rt->metric,
			ctl_route_proto_name(rt->protocol, pb),
			rt->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE
				? ctl_route_scope_name(rt->scope, sb)
				: "-",
			or_dash(rt->prefsrc));
	}
	return 0;
}

/* ---------------------------------------------------------------- mutations */

int ctl_print_created(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const ProtobufCMessageDescriptor *d = resp->descriptor;

	if (!json)
		return 0;
	/* CreateLinkResponse{link}, CreateNamespaceResponse{namespace}: print the resource (its
	 * first field; already_done, the other one, is what -ensure reports). */
	if (d->n_fields >= 1 && d->fields[0].type == PROTOBUF_C_TYPE_MESSAGE &&
	    d->fields[0].label != PROTOBUF_C_LABEL_REPEATED &&
	    (d->n_fields == 1 ||
	     (d->n_fields == 2 && strcmp(d->fields[1].name, "already_done") == 0))) {
		const ProtobufCMessage *sub =
			*(ProtobufCMessage *const *)((const char *)resp + d->fields[0].offset);

		if (sub) {
			ctl_print_json_message(f, sub, true);
			fputc('\n', f);
			return 0;
		}
		fputs("{}\n", f);
		return 0;
	}
	/* The rest carry only already_done: shown when true. */
	ctl_print_json_message(f, resp, false);
	fputc('\n', f);
	return 0;
}

/* ---------------------------------------------------------------- events (monitor) */

/* <FLAGS> in ip's order (IFF_* values from linux/if.h). */
static void link_flags(FILE *f, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ 0x8, "LOOPBACK" },	 { 0x2, "BROADCAST" },	 { 0x10, "POINTOPOINT" },
		{ 0x1000, "MULTICAST" }, { 0x80, "NOARP" },	 { 0x200, "ALLMULTI" },
		{ 0x100, "PROMISC" },	 { 0x400, "MASTER" },	 { 0x800, "SLAVE" },
		{ 0x4, "DEBUG" },	 { 0x8000, "DYNAMIC" },	 { 0x4000, "AUTOMEDIA" },
		{ 0x2000, "PORTSEL" },	 { 0x20, "NOTRAILERS" }, { 0x1, "UP" },
		{ 0x10000, "LOWER_UP" }, { 0x20000, "DORMANT" }, { 0x40000, "ECHO" },
	};
	const char *sep = "";

	fputc('<', f);
	/* Up without carrier (IFF_RUNNING clear): ip says so first. */
	if ((flags & 0x1) && !(flags & 0x40)) {
		fputs("NO-CARRIER", f);
		sep = ",";
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].bit) {
			fprintf(f, "%s%s", sep, names[i].name);
			sep = ",";
		}
	fputc('>', f);
}

/* As `ip monitor link`, on one line: index, name@peer, flags, mtu, master, state, link-layer
 * address, then the kind and its details as in `link show`. */
static void event_link(FILE *f, const Nsring__V1__Link *l)
{
	char details[512] = "";
	FILE *d = fmemopen(details, sizeof(details) - 1, "w");

	if (d) {
		Nsring__V1__Link shown = *l;

		/* A veth whose peer is not known (yet, or any more): no "peer ?". */
		if (l->info_case == NSRING__V1__LINK__INFO_VETH && !l->parent_index &&
		    (!l->veth || !l->veth->peer_name[0]))
			shown.info_case = NSRING__V1__LINK__INFO__NOT_SET;
		link_details(d, &shown, NULL, 0);
		fclose(d);
	}
	fprintf(f, "%" PRIu32 ": %s", l->index, or_dash(l->name));
	if (l->parent_index)
		fprintf(f, "@if%" PRIu32, l->parent_index);
	fputs(": ", f);
	/* Only up is known when the daemon gives no flags. */
	link_flags(f, l->flags ? l->flags : l->up ? 0x1 | 0x40 : 0);
	if (l->mtu)
		fprintf(f, " mtu %" PRIu32, l->mtu);
	if (l->master_index)
		fprintf(f, " master if%" PRIu32, l->master_index);
	if (l->oper_state[0]) {
		fputs(" state ", f);
		for (const char *s = l->oper_state; *s; s++)
			fputc(toupper((unsigned char)*s), f);
	}
	if (l->address[0])
		fprintf(f, " link/%s %s", l->flags & 0x8 ? "loopback" : "ether", l->address);
	if (l->kind[0])
		fprintf(f, " %s", l->kind);
	if (details[0])
		fprintf(f, " %s", details);
}

/* As `ip monitor address`: "5: veth0    inet 198.18.0.1/24 brd 198.18.0.255 scope global
 * veth0". */
static void event_address(FILE *f, const Nsring__V1__Address *a)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ 0x01, "secondary" },	    { 0x08, "dadfailed" }, { 0x20, "deprecated" },
		{ 0x40, "tentative" },	    { 0x02, "nodad" },	   { 0x04, "optimistic" },
		{ 0x200, "noprefixroute" },
	};
	bool v6 = strchr(a->address, ':') != NULL;
	char sb[12];

	if (a->link_index)
		fprintf(f, "%" PRIu32 ": ", a->link_index);
	if (a->link_name[0])
		fputs(a->link_name, f);
	else
		fprintf(f, "if%" PRIu32, a->link_index);
	fprintf(f, "    %s %s/%" PRIu32, v6 ? "inet6" : "inet", a->address, a->prefix_len);
	if (a->broadcast[0])
		fprintf(f, " brd %s", a->broadcast);
	fprintf(f, " scope %s", ctl_route_scope_name(a->scope, sb));
	/* IPv6 addresses without IFA_F_PERMANENT have lifetimes (SLAAC, DHCPv6). */
	if (v6 && !(a->flags & 0x80))
		fputs(" dynamic", f);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (a->flags & names[i].bit)
			fprintf(f, " %s", names[i].name);
	if (!v6 && a->link_name[0])
		fprintf(f, " %s", a->link_name); /* the label */
}

/* As `ip monitor route`: "[TYPE] DST [via GW] dev DEV [table T] [proto P] [scope S] [src A]
 * [metric M]", leaving out what ip leaves out (unicast, table main, proto boot, scope
 * global). */
static void event_route(FILE *f, const Nsring__V1__Route *rt)
{
	const char *type = route_type_name(rt->type);
	char b[12];

	if (type)
		fprintf(f, "%s ", type);
	fputs(rt->destination[0] ? rt->destination : "default", f);
	if (rt->gateway[0])
		fprintf(f, " via %s", rt->gateway);
	if (rt->dev[0])
		fprintf(f, " dev %s", rt->dev);
	else if (rt->dev_index)
		fprintf(f, " dev if%" PRIu32, rt->dev_index);
	if (rt->table != 0 && rt->table != 254)
		fprintf(f, " table %s", ctl_route_table_name(rt->table, b));
	if (rt->protocol != 0 && rt->protocol != 3)
		fprintf(f, " proto %s", ctl_route_proto_name(rt->protocol, b));
	if (rt->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE && rt->scope != 0)
		fprintf(f, " scope %s", ctl_route_scope_name(rt->scope, b));
	if (rt->prefsrc[0])
		fprintf(f, " src %s", rt->prefsrc);
	if (rt->metric)
		fprintf(f, " metric %" PRIu32, rt->metric);
}

int ctl_print_watch_event(FILE *f, const ProtobufCMessage *m, bool json)
{
	const Nsring__V1__WatchEvent *ev = (const void *)m;
	const Nsring__V1__Namespace *ns = ev->namespace_;

	if (json) {
		/* JSON lines: one object per event, so a reader can act on each at once. */
		ctl_print_json_message(f, m, true);
		fputc('\n', f);
		return 0;
	}
	if (ns && ns->name[0])
		fprintf(f, "[%s] ", ns->name);
	else if (ns && ns->path[0])
		fprintf(f, "[%s] ", ns->path);
	else if (ns && ns->inode)
		fprintf(f, "[inode %" PRIu64 "] ", ns->inode);
	switch (ev->type) {
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_SYNCED:
		fputs("Synced: the snapshot is complete, changes follow\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_RESYNC:
		fputs("Resync: events were lost; a fresh snapshot follows\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED:
		fputs("Namespace added", f);
		if (ns && ns->name[0] && ns->path[0]) /* else the path is the prefix */
			fprintf(f, " %s", ns->path);
		if (ns && ns->inode)
			fprintf(f, " inode %" PRIu64, ns->inode);
		fputc('\n', f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_DELETED:
		fputs("Namespace deleted\n", f);
		return 0;
	case NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED:
		fputs("Deleted ", f);
		break;
	default:
		break;
	}
	switch (ev->object_case) {
	case NSRING__V1__WATCH_EVENT__OBJECT_LINK:
		event_link(f, ev->link);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_ADDRESS:
		event_address(f, ev->address);
		break;
	case NSRING__V1__WATCH_EVENT__OBJECT_ROUTE:
		event_route(f, ev->route);
		break;
	default:
		fprintf(f, "event %d", (int)ev->type); /* a newer daemon's event */
		break;
	}
	fputc('\n', f);
	return 0;
}
