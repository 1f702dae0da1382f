/* nsringctl's argument helpers shared by every object's grammar (ctl-args.h): errors, the
 * request's allocations, the argv cursor, numbers, names, addresses and word tables. */
#include "ctl-args.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

int ctl_fail(CtlCmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd->error, sizeof(cmd->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ctl_oom(CtlCmd *cmd)
{
	snprintf(cmd->error, sizeof(cmd->error), "out of memory");
	return -ENOMEM;
}

void *ctl_alloc(CtlCmd *cmd, size_t size)
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

char *ctl_strndup(CtlCmd *cmd, const char *s, size_t n)
{
	char *p = ctl_alloc(cmd, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

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
bool ctl_matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(word) && strncmp(arg, word, n) == 0;
}

bool ctl_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

const char *ctl_peek(CtlParser *p)
{
	return p->i < p->argc ? p->argv[p->i] : NULL;
}

const char *ctl_next(CtlParser *p)
{
	return p->i < p->argc ? p->argv[p->i++] : NULL;
}

int ctl_unknown(CtlParser *p, const char *arg)
{
	return ctl_fail(p->cmd, "unknown argument %s", arg);
}

/* The value after keyword kw. */
int ctl_need(CtlParser *p, const char *kw, const char **ret)
{
	const char *v = ctl_next(p);

	/* Set even on failure: callers' compilers cannot see that ctl_fail() is negative. */
	*ret = v;
	if (!v)
		return ctl_fail(p->cmd, "\"%s\" needs an argument", kw);
	return 0;
}

/* Rejects anything after the command's arguments. */
int ctl_no_more(CtlParser *p)
{
	const char *a = ctl_peek(p);

	return a ? ctl_unknown(p, a) : 0;
}

int ctl_parse_u32(const char *s, uint32_t *ret)
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

int ctl_arg_u32(CtlParser *p, const char *kw, uint32_t max, uint32_t *ret)
{
	const char *v;
	uint32_t n;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	if (ctl_parse_u32(v, &n) < 0 || n > max)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: invalid \"%s\" value", v, kw);
	*ret = n;
	return 0;
}

int ctl_check_ifname(CtlParser *p, const char *name)
{
	if (!name_ifname_valid(name))
		return ctl_fail(
			p->cmd,
			"\"%s\" is not a valid interface name (1..15 bytes, no \"/\", \":\" or "
			"whitespace)",
			name);
	return 0;
}

int ctl_arg_ifname(CtlParser *p, const char *kw, const char **ret)
{
	const char *v;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	r = ctl_check_ifname(p, v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* NS: a name under the netns directory, an absolute nsfs path, or pid:N. */
int ctl_parse_nsref(CtlParser *p, const char *s, Nsring__V1__NamespaceRef **ret)
{
	Nsring__V1__NamespaceRef *ref;

	ref = CTL_NEW_MSG(p->cmd, Nsring__V1__NamespaceRef, nsring__v1__namespace_ref__init);
	if (!ref)
		return ctl_oom(p->cmd);
	if (s[0] == '/') {
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_PATH;
		ref->path = (char *)s;
	} else if (strncmp(s, "pid:", 4) == 0) {
		uint32_t pid;

		if (ctl_parse_u32(s + 4, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return ctl_fail(p->cmd, "\"%s\" is not a valid namespace: bad pid", s);
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_PID;
		ref->pid = (int32_t)pid;
	} else if (name_netns_valid(s)) {
		ref->ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
		ref->name = (char *)s;
	} else {
		return ctl_fail(
			p->cmd,
			"\"%s\" is not a valid namespace (a name, an absolute path or pid:N)", s);
	}
	*ret = ref;
	return 0;
}

/* 4 or 6 for an IP address text, 0 if it is none. */
int ctl_ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 6;
	return 0;
}

int ctl_arg_ip(CtlParser *p, const char *kw, const char **ret, int *ret_family)
{
	const char *v;
	int r, fam;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	fam = ctl_ip_family(v);
	if (!fam)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: \"%s\" is not an IP address", v,
				kw);
	*ret = v;
	if (ret_family)
		*ret_family = fam;
	return 0;
}

/* ADDR[/PLEN]: the address (copied without the prefix length), its family and the length;
 * without one, the length is the full address (a host address or route, as in ip). */
int ctl_parse_prefix(CtlParser *p, const char *s, const char **ret_addr, uint32_t *ret_plen,
		     int *ret_family, bool *ret_has_plen)
{
	const char *slash = strchr(s, '/');
	char *addr;
	uint32_t plen;
	int fam;

	addr = ctl_strndup(p->cmd, s, slash ? (size_t)(slash - s) : strlen(s));
	if (!addr)
		return ctl_oom(p->cmd);
	fam = ctl_ip_family(addr);
	if (!fam)
		return ctl_fail(p->cmd, "\"%s\" is not an IP address or prefix", s);
	if (slash) {
		if (ctl_parse_u32(slash + 1, &plen) < 0 || !isdigit((unsigned char)slash[1]) ||
		    plen > (fam == 4 ? 32u : 128u))
			return ctl_fail(p->cmd, "\"%s\": invalid prefix length (0..%d for IPv%d)",
					s, fam == 4 ? 32 : 128, fam);
	} else {
		plen = fam == 4 ? 32 : 128;
	}
	if (p->cmd->family && p->cmd->family != fam)
		return ctl_fail(p->cmd, "\"%s\" is not an IPv%d address (-%d was given)", s,
				p->cmd->family, p->cmd->family);
	*ret_addr = addr;
	*ret_plen = plen;
	*ret_family = fam;
	if (ret_has_plen)
		*ret_has_plen = slash != NULL;
	return 0;
}

/* A link-layer address "aa:bb:..": normalised to two lower-case hex digits per byte. */
int ctl_arg_lladdr(CtlParser *p, const char *kw, char **ret)
{
	const char *v, *s;
	size_t bytes = 0, len = 0;
	char *out;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	out = ctl_alloc(p->cmd, strlen(v) * 2 + 3);
	if (!out)
		return ctl_oom(p->cmd);
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
	return ctl_fail(p->cmd, "argument \"%s\" is wrong: \"%s\" is not a link-layer address", v,
			kw);
}

void ctl_set_namespace(CtlParser *p, Nsring__V1__NamespaceRef **field)
{
	*field = p->ns;
}

void ctl_set_call(CtlCmd *cmd, const char *method, ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *resp_desc, CtlPrintFn print)
{
	cmd->method = method;
	cmd->req = req;
	cmd->resp_desc = resp_desc;
	cmd->print = print;
}

void *ctl_new_call(CtlParser *p, const char *method, const ProtobufCMessageDescriptor *req_desc,
		   const ProtobufCMessageDescriptor *resp_desc, CtlPrintFn print)
{
	ProtobufCMessage *req = ctl_alloc(p->cmd, req_desc->sizeof_message);
	const ProtobufCFieldDescriptor *ns;

	if (!req)
		return NULL;
	protobuf_c_message_init(req_desc, req);
	/* Every request that names a namespace calls the field "namespace" (one NamespaceRef). */
	ns = protobuf_c_message_descriptor_get_field_by_name(req_desc, "namespace");
	if (ns && ns->descriptor == &nsring__v1__namespace_ref__descriptor &&
	    ns->label != PROTOBUF_C_LABEL_REPEATED)
		ctl_set_namespace(p, (Nsring__V1__NamespaceRef **)((char *)req + ns->offset));
	ctl_set_call(p->cmd, method, req, resp_desc, print);
	return req;
}
int ctl_parse_dev(CtlParser *p, const char **ret_name, const char **ret_type,
		  const char **ret_master)
{
	const char *a, *name = NULL;
	int r;

	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev")) {
			if (name)
				return ctl_fail(p->cmd, "duplicate \"dev\"");
			r = ctl_arg_ifname(p, a, &name);
		} else if (ctl_streq(a, "type") && ret_type) {
			r = ctl_need(p, a, ret_type);
		} else if (ctl_streq(a, "master") && ret_master) {
			r = ctl_arg_ifname(p, a, ret_master);
		} else if (!name) {
			r = ctl_check_ifname(p, a);
			name = a;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	*ret_name = name;
	return 0;
}

/* ---------------------------------------------------------------- word tables */

int ctl_word_value(const CtlWord *t, size_t n, const char *word, int *ret)
{
	for (size_t i = 0; i < n; i++)
		if (ctl_streq(t[i].word, word)) {
			*ret = t[i].value;
			return 0;
		}
	return -ENOENT;
}

const char *ctl_word_name(const CtlWord *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].word;
	return NULL;
}

const char *ctl_word_list(const CtlWord *t, size_t n, const char *last_sep, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i == 0	     ? ""
					: i + 1 == n ? last_sep
						     : ", ",
					t[i].word);
	return buf;
}

const char *ctl_word_name_or_number(const CtlWord *t, size_t n, uint32_t value, char buf[static 12])
{
	const char *w = value <= INT32_MAX ? ctl_word_name(t, n, (int)value) : NULL;

	if (w)
		return w;
	snprintf(buf, 12, "%" PRIu32, value);
	return buf;
}

int ctl_arg_word(CtlParser *p, const char *kw, const CtlWord *t, size_t n, uint32_t max,
		 uint32_t *ret)
{
	const char *v;
	int r, val;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	if (ctl_word_value(t, n, v, &val) == 0) {
		*ret = (uint32_t)val;
		return 0;
	}
	if (ctl_parse_u32(v, ret) < 0 || *ret > max)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: invalid \"%s\" value", v, kw);
	return 0;
}

const char *ctl_or_dash(const char *s)
{
	return s && *s ? s : "-";
}
