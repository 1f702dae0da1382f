/* nsring-cni: results (CNI spec "Success" and "Error" documents): reading an IPAM plugin's or
 * a prevResult's ips and routes, writing this plugin's result and errors. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"

int cni_parse_prefix(const char *s, int *family, char *addr, unsigned *plen)
{
	char buf[CNI_ADDR_MAX + 8];
	unsigned char bin[16];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long p;
	size_t n;

	if (!slash || (n = (size_t)(slash - s)) >= CNI_ADDR_MAX || !slash[1])
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		*family = 6;
	else
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	p = strtoul(slash + 1, &end, 10);
	if (*end || p > (*family == 4 ? 32u : 128u))
		return -1;
	inet_ntop(*family == 4 ? AF_INET : AF_INET6, bin, addr, CNI_ADDR_MAX);
	*plen = (unsigned)p;
	return 0;
}

/* Canonical text of a single address of the given family ("" accepted as none). */
static int parse_addr(const char *s, int family, char *out)
{
	unsigned char bin[16];
	int af = family == 4 ? AF_INET : AF_INET6;

	if (!s || !*s) {
		out[0] = '\0';
		return 0;
	}
	if (inet_pton(af, s, bin) != 1)
		return -1;
	inet_ntop(af, bin, out, CNI_ADDR_MAX);
	return 0;
}

int cni_net_first(int family, const char *addr, unsigned plen, char *net, char *first)
{
	unsigned char bin[16];
	int af = family == 4 ? AF_INET : AF_INET6, len = family == 4 ? 4 : 16;

	if (inet_pton(af, addr, bin) != 1)
		return -1;
	for (int i = 0; i < len; i++) {
		int bits = (int)plen - 8 * i;

		if (bits <= 0)
			bin[i] = 0;
		else if (bits < 8)
			bin[i] &= (unsigned char)(0xff << (8 - bits));
	}
	if (net)
		inet_ntop(af, bin, net, CNI_ADDR_MAX);
	for (int i = len - 1; i >= 0; i--)
		if (++bin[i])
			break;
	if (first)
		inet_ntop(af, bin, first, CNI_ADDR_MAX);
	return 0;
}

int cni_ipam_from_json(json_t *res, CniIpam *out, CniError *e)
{
	json_t *ips = json_object_get(res, "ips"), *routes = json_object_get(res, "routes"), *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(res))
		return cni_err(e, CNI_ERR_DECODE, "failed to decode a result: not a JSON object");
	if (ips && !json_is_array(ips))
		return cni_err(e, CNI_ERR_DECODE,
			       "failed to decode a result: \"ips\" is not an array");
	if (routes && !json_is_array(routes))
		return cni_err(e, CNI_ERR_DECODE,
			       "failed to decode a result: \"routes\" is not an array");
	json_array_foreach(ips, i, v)
	{
		CniIp *ip = &out->ips[out->n_ips];
		const char *a = json_string_value(json_object_get(v, "address"));
		const char *gw = json_string_value(json_object_get(v, "gateway"));

		if (out->n_ips == CNI_MAX_IPS)
			return cni_err(e, CNI_ERR_DECODE, "a result with more than %d ips",
				       CNI_MAX_IPS);
		if (!a || cni_parse_prefix(a, &ip->family, ip->addr, &ip->plen) < 0)
			return cni_err(
				e, CNI_ERR_DECODE,
				"failed to decode a result: ips[%zu].address is not ADDRESS/PREFIX",
				i);
		if (parse_addr(gw, ip->family, ip->gw) < 0)
			return cni_err(e, CNI_ERR_DECODE,
				       "failed to decode a result: ips[%zu].gateway \"%s\" is not "
				       "an IPv%d address",
				       i, gw, ip->family);
		out->n_ips++;
	}
	json_array_foreach(routes, i, v)
	{
		CniRoute *r = &out->routes[out->n_routes];
		const char *dst = json_string_value(json_object_get(v, "dst"));
		const char *gw = json_string_value(json_object_get(v, "gw"));

		if (out->n_routes == CNI_MAX_ROUTES)
			return cni_err(e, CNI_ERR_DECODE, "a result with more than %d routes",
				       CNI_MAX_ROUTES);
		if (!dst || cni_parse_prefix(dst, &r->family, r->dst, &r->plen) < 0)
			return cni_err(
				e, CNI_ERR_DECODE,
				"failed to decode a result: routes[%zu].dst is not ADDRESS/PREFIX",
				i);
		if (parse_addr(gw, r->family, r->gw) < 0)
			return cni_err(e, CNI_ERR_DECODE,
				       "failed to decode a result: routes[%zu].gw \"%s\" is not an "
				       "IPv%d address",
				       i, gw, r->family);
		out->n_routes++;
	}
	v = json_object_get(res, "dns");
	if (json_is_object(v))
		out->dns = json_incref(v);
	return 0;
}

void cni_ipam_free(CniIpam *r)
{
	if (r->dns)
		json_decref(r->dns);
	r->dns = NULL;
}

json_t *cni_result_build(const CniConfig *cfg, const CniIface *ifs, size_t n_ifs, size_t ip_iface,
			 const CniIpam *ip, const CniRoute *routes, size_t n_routes)
{
	bool pre10 = cni_version_cmp(cfg->cni_version, "1.0.0") < 0;
	json_t *doc = json_object(), *jifs = json_array(), *jips = json_array(),
	       *jroutes = json_array();
	char buf[CNI_ADDR_MAX + 8];

	if (!doc || !jifs || !jips || !jroutes)
		goto oom;
	json_object_set_new(doc, "cniVersion", json_string(cfg->cni_version));
	for (size_t i = 0; i < n_ifs; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(ifs[i].name));
		if (ifs[i].mac[0])
			json_object_set_new(o, "mac", json_string(ifs[i].mac));
		if (ifs[i].sandbox)
			json_object_set_new(o, "sandbox", json_string(ifs[i].sandbox));
		json_array_append_new(jifs, o);
	}
	for (size_t i = 0; i < ip->n_ips; i++) {
		json_t *o = json_object();

		if (pre10)
			json_object_set_new(o, "version",
					    json_string(ip->ips[i].family == 4 ? "4" : "6"));
		snprintf(buf, sizeof(buf), "%s/%u", ip->ips[i].addr, ip->ips[i].plen);
		json_object_set_new(o, "address", json_string(buf));
		if (ip->ips[i].gw[0])
			json_object_set_new(o, "gateway", json_string(ip->ips[i].gw));
		json_object_set_new(o, "interface", json_integer((json_int_t)ip_iface));
		json_array_append_new(jips, o);
	}
	for (size_t i = 0; i < n_routes; i++) {
		json_t *o = json_object();

		snprintf(buf, sizeof(buf), "%s/%u", routes[i].dst, routes[i].plen);
		json_object_set_new(o, "dst", json_string(buf));
		if (routes[i].gw[0])
			json_object_set_new(o, "gw", json_string(routes[i].gw));
		json_array_append_new(jroutes, o);
	}
	json_object_set_new(doc, "interfaces", jifs);
	json_object_set_new(doc, "ips", jips);
	if (n_routes)
		json_object_set_new(doc, "routes", jroutes);
	else
		json_decref(jroutes);
	/* As the standard bridge plugin: the config's dns, else what IPAM returned. */
	if (cfg->dns)
		json_object_set(doc, "dns", cfg->dns);
	else if (ip->dns)
		json_object_set(doc, "dns", ip->dns);
	else
		json_object_set_new(doc, "dns", json_object());
	return doc;
oom:
	json_decref(doc);
	json_decref(jifs);
	json_decref(jips);
	json_decref(jroutes);
	return NULL;
}

/* Chaining: the previous plugins' interfaces, ips and routes come first, ours after them (our
 * ips' interface indices shifted past theirs); their dns stays unless we have one. */
int cni_result_merge_prev(json_t *prev, json_t *doc)
{
	json_t *pifs = json_object_get(prev, "interfaces"), *pips = json_object_get(prev, "ips");
	json_t *proutes = json_object_get(prev, "routes"), *pdns = json_object_get(prev, "dns");
	json_t *ifs = json_array(), *ips = json_array(), *routes = json_array(), *v;
	size_t shift = json_is_array(pifs) ? json_array_size(pifs) : 0, i;

	if (!ifs || !ips || !routes) {
		json_decref(ifs), json_decref(ips), json_decref(routes);
		return -1;
	}
	if (json_is_array(pifs))
		json_array_extend(ifs, pifs);
	json_array_extend(ifs, json_object_get(doc, "interfaces"));
	json_array_foreach(pips, i, v) json_array_append(ips, v);
	json_array_foreach(json_object_get(doc, "ips"), i, v)
	{
		json_t *c = json_copy(v);
		json_int_t idx = json_integer_value(json_object_get(v, "interface"));

		json_object_set_new(c, "interface", json_integer(idx + (json_int_t)shift));
		json_array_append_new(ips, c);
	}
	json_array_foreach(proutes, i, v) json_array_append(routes, v);
	json_array_foreach(json_object_get(doc, "routes"), i, v) json_array_append(routes, v);
	json_object_set_new(doc, "interfaces", ifs);
	json_object_set_new(doc, "ips", ips);
	if (json_array_size(routes))
		json_object_set_new(doc, "routes", routes);
	else
		json_decref(routes);
	if (json_is_object(pdns) && json_object_size(pdns) &&
	    !json_object_size(json_object_get(doc, "dns")))
		json_object_set(doc, "dns", pdns);
	return 0;
}

int cni_print(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	if (!s)
		return -1;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* A JSON string of s; text cut inside a UTF-8 sequence (a truncated message) or other bytes
 * jansson refuses come out with '?' for every non-ASCII byte. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j || !(copy = strdup(s)))
		return j;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void cni_print_error(const char *version, const CniError *e)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "cniVersion", json_string(version));
	json_object_set_new(doc, "code", json_integer(e->code));
	json_object_set_new(doc, "msg", text(e->msg));
	if (e->details[0])
		json_object_set_new(doc, "details", text(e->details));
	cni_print(doc);
	json_decref(doc);
}
