/* nsringctl's sysctl object: `sysctl KEY...` reads and `sysctl -w KEY=VALUE...` writes net.* keys
 * of a namespace, printing `KEY = VALUE` lines as sysctl(8) does. */
#include <errno.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

int ctl_parse_sysctl_assign(CtlParser *p, const char *s, Nsring__V1__Sysctl **ret)
{
	const char *eq = strchr(s, '=');
	Nsring__V1__Sysctl *sc;
	size_t klen;

	if (!eq || eq == s)
		return ctl_fail(p->cmd, "\"%s\" is not KEY=VALUE", s);
	klen = (size_t)(eq - s);
	/* sysctl(8) allows spaces around '=' inside one argument: "a.b = 1" */
	while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
		klen--;
	eq++;
	while (*eq == ' ' || *eq == '\t')
		eq++;
	if (klen == 0 || !*eq)
		return ctl_fail(p->cmd, "\"%s\" is not KEY=VALUE (key and value are required)", s);
	sc = CTL_NEW_MSG(p->cmd, Nsring__V1__Sysctl, nsring__v1__sysctl__init);
	if (!sc)
		return ctl_oom(p->cmd);
	sc->key = ctl_strndup(p->cmd, s, klen);
	if (!sc->key)
		return ctl_oom(p->cmd);
	sc->value = (char *)eq;
	*ret = sc;
	return 0;
}

static int parse_sysctl(CtlParser *p)
{
	const char *a = ctl_peek(p);
	bool write = false;
	size_t n = 0;

	if (a && (ctl_streq(a, "help") || ctl_streq(a, "-h")))
		return CTL_PARSE_HELP;
	if (a && (ctl_streq(a, "-w") || ctl_streq(a, "--write"))) {
		write = true;
		ctl_next(p);
	}
	if (p->i >= p->argc)
		return ctl_fail(p->cmd,
				write ? "sysctl -w needs KEY=VALUE..." : "sysctl needs a KEY");
	n = (size_t)(p->argc - p->i);
	if (write) {
		Nsring__V1__SetSysctlRequest *req = CTL_NEW_MSG(
			p->cmd, Nsring__V1__SetSysctlRequest, nsring__v1__set_sysctl_request__init);

		if (!req || !(req->sysctls = ctl_alloc(p->cmd, n * sizeof(*req->sysctls))))
			return ctl_oom(p->cmd);
		for (; (a = ctl_next(p)); req->n_sysctls++) {
			int r = ctl_parse_sysctl_assign(p, a, &req->sysctls[req->n_sysctls]);
			if (r < 0)
				return r;
		}
		ctl_set_namespace(p, &req->namespace_);
		ctl_set_call(p->cmd, "SetSysctl", &req->base,
			     &nsring__v1__set_sysctl_response__descriptor, ctl_print_sysctls);
	} else {
		Nsring__V1__GetSysctlRequest *req = CTL_NEW_MSG(
			p->cmd, Nsring__V1__GetSysctlRequest, nsring__v1__get_sysctl_request__init);

		if (!req || !(req->keys = ctl_alloc(p->cmd, n * sizeof(*req->keys))))
			return ctl_oom(p->cmd);
		while ((a = ctl_next(p))) {
			if (a[0] == '-')
				return ctl_fail(p->cmd, "unknown sysctl option \"%s\" (only -w)",
						a);
			if (strchr(a, '='))
				return ctl_fail(p->cmd, "\"%s\": to set a key use sysctl -w", a);
			req->keys[req->n_keys++] = (char *)a;
		}
		ctl_set_namespace(p, &req->namespace_);
		ctl_set_call(p->cmd, "GetSysctl", &req->base,
			     &nsring__v1__get_sysctl_response__descriptor, ctl_print_sysctls);
	}
	return 0;
}

const CtlObject ctl_object_sysctl = {
	.word = "sysctl",
	.usage = "  sysctl KEY... | sysctl -w KEY=VALUE...   (net.* keys, as sysctl(8))\n",
	.parse = parse_sysctl,
};

/* GetSysctl and SetSysctl: `KEY = VALUE` lines, or a JSON array of {key, value}. */
int ctl_print_sysctls(FILE *f, const ProtobufCMessage *resp, bool json)
{
	Nsring__V1__Sysctl **sc;
	size_t n;

	if (resp->descriptor == &nsring__v1__get_sysctl_response__descriptor) {
		const Nsring__V1__GetSysctlResponse *r = (const void *)resp;
		sc = r->sysctls;
		n = r->n_sysctls;
	} else {
		const Nsring__V1__SetSysctlResponse *r = (const void *)resp;
		sc = r->sysctls;
		n = r->n_sysctls;
	}
	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)sc, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s = %s\n", sc[i]->key, sc[i]->value);
	return 0;
}
