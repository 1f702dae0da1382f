/* nsring-cni: CHECK (the container's network is still what ADD's result says), and CNI 1.1's
 * STATUS (can ADDs be served) and GC (remove attachments the runtime no longer knows). */
#include <stdio.h>
#include <string.h>

#include "cni/cni-batch.h"

/* The interface index of prevResult's interface named ifname in the sandbox, or -1. */
static int prev_iface(json_t *prev, const char *ifname, const char **mac)
{
	json_t *ifs = json_object_get(prev, "interfaces"), *v;
	size_t i;

	json_array_foreach(ifs, i, v)
	{
		const char *name = json_string_value(json_object_get(v, "name"));

		if (name && !strcmp(name, ifname) && json_object_get(v, "sandbox")) {
			*mac = json_string_value(json_object_get(v, "mac"));
			return (int)i;
		}
	}
	return -1;
}

static int check_addresses(CniCtx *ctx, Nsring__V1__NamespaceRef *C, const CniIpam *want,
			   CniError *e)
{
	Nsring__V1__ListAddressesRequest req = NSRING__V1__LIST_ADDRESSES_REQUEST__INIT;
	Nsring__V1__ListAddressesResponse *resp = NULL;
	NsrStatus st;
	int r;

	req.namespace_ = C;
	req.link_name = (char *)ctx->env->ifname;
	r = nsr_list_addresses(ctx->client, &req, &resp, &st);
	if (r < 0)
		return cni_nsr_err(e, "ListAddresses", r, &st);
	for (size_t i = 0; i < want->n_ips && r == 0; i++) {
		const CniIp *ip = &want->ips[i];
		unsigned plen =
			ctx->cfg->mode == CNI_MODE_PTP ? (ip->family == 4 ? 32 : 128) : ip->plen;
		bool found = false;

		for (size_t j = 0; j < resp->n_addresses && !found; j++)
			found = !strcmp(resp->addresses[j]->address, ip->addr) &&
				resp->addresses[j]->prefix_len == plen;
		if (!found)
			r = cni_err(e, CNI_ERR_CHECK, "%s in %s has no address %s/%u",
				    ctx->env->ifname, ctx->env->netns, ip->addr, plen);
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return r;
}

/* "ADDR/PLEN" (or a bare address) of a listed route's destination vs ours. */
static bool same_dst(const char *listed, int family, const char *dst, unsigned plen)
{
	char want[CNI_ADDR_MAX + 8];

	if (plen == 0 && (!*listed || !strcmp(listed, "default")))
		return true;
	snprintf(want, sizeof(want), "%s/%u", dst, plen);
	if (!strcmp(listed, want))
		return true;
	return plen == (family == 4 ? 32u : 128u) && !strcmp(listed, dst);
}

static int check_routes(CniCtx *ctx, Nsring__V1__NamespaceRef *C, const CniIpam *want, CniError *e)
{
	Nsring__V1__ListRoutesRequest req = NSRING__V1__LIST_ROUTES_REQUEST__INIT;
	Nsring__V1__ListRoutesResponse *resp = NULL;
	NsrStatus st;
	int r;

	req.namespace_ = C;
	r = nsr_list_routes(ctx->client, &req, &resp, &st);
	if (r < 0)
		return cni_nsr_err(e, "ListRoutes", r, &st);
	for (size_t i = 0; i < want->n_routes && r == 0; i++) {
		const CniRoute *rt = &want->routes[i];
		bool found = false;

		for (size_t j = 0; j < resp->n_routes && !found; j++) {
			const Nsring__V1__Route *l = resp->routes[j];

			found = (l->family == 0 || l->family == (uint32_t)rt->family) &&
				same_dst(l->destination, rt->family, rt->dst, rt->plen) &&
				(!rt->gw[0] || !strcmp(l->gateway, rt->gw));
		}
		if (!found)
			r = cni_err(e, CNI_ERR_CHECK, "%s has no route to %s/%u%s%s",
				    ctx->env->netns, rt->dst, rt->plen, rt->gw[0] ? " via " : "",
				    rt->gw);
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return r;
}

int cni_cmd_check(CniCtx *ctx, CniError *e)
{
	const CniConfig *cfg = ctx->cfg;
	_cleanup_(cni_batch_free) CniBatch b = { 0 };
	Nsring__V1__NamespaceRef *C, *H;
	const Nsring__V1__Link *cl, *hl, *br = NULL;
	const char *mac = NULL;
	CniIpam want = { 0 };
	char host_if[16];
	int ic, ih, ib = -1, r = -1;

	if (!cfg->prev_result)
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: CHECK needs \"prevResult\"");
	if (cni_ipam_from_json(cfg->prev_result, &want, e) < 0)
		return -1;
	if (prev_iface(cfg->prev_result, ctx->env->ifname, &mac) < 0) {
		cni_err(e, CNI_ERR_CHECK, "prevResult has no interface %s in the sandbox",
			ctx->env->ifname);
		goto out;
	}
	if (cfg->ipam && cni_ipam_exec(cfg, "CHECK", ctx->stdin_buf, ctx->stdin_len, NULL, e) < 0)
		goto out;
	cni_host_ifname(cfg->name, ctx->env->container_id, ctx->env->ifname, host_if);
	C = cni_batch_ns(&b, ctx->env->netns);
	H = cni_batch_ns(&b, cfg->host_ns);
	ic = cni_op_get_link(&b, C, ctx->env->ifname);
	ih = cni_op_get_link(&b, H, host_if);
	if (cfg->mode == CNI_MODE_BRIDGE)
		ib = cni_op_get_link(&b, H, cfg->bridge);
	if (cni_batch_run(ctx, &b, e) < 0) {
		e->code = CNI_ERR_CHECK;
		goto out;
	}
	cl = cni_batch_link(&b, ic);
	hl = cni_batch_link(&b, ih);
	if (ib >= 0)
		br = cni_batch_link(&b, ib);
	if (!cl || !hl || (ib >= 0 && !br)) {
		cni_err(e, CNI_ERR_NSRINGD, "nsringd returned no link");
		goto out;
	}
	if (strcmp(cl->kind, "veth") != 0 || strcmp(hl->kind, "veth") != 0) {
		cni_err(e, CNI_ERR_CHECK, "%s or %s is not a veth", ctx->env->ifname, host_if);
		goto out;
	}
	if (mac && *mac && strcasecmp(mac, cl->address) != 0) {
		cni_err(e, CNI_ERR_CHECK, "%s has MAC %s, prevResult says %s", ctx->env->ifname,
			cl->address, mac);
		goto out;
	}
	if (!cl->up || !hl->up) {
		cni_err(e, CNI_ERR_CHECK, "%s or %s is down", ctx->env->ifname, host_if);
		goto out;
	}
	if (br && hl->master_index != br->index) {
		cni_err(e, CNI_ERR_CHECK, "%s is not a port of bridge %s", host_if, cfg->bridge);
		goto out;
	}
	if (check_addresses(ctx, C, &want, e) < 0 || check_routes(ctx, C, &want, e) < 0)
		goto out;
	r = 0;
out:
	cni_ipam_free(&want);
	return r;
}

int cni_cmd_status(CniCtx *ctx, CniError *e)
{
	Nsring__V1__GetLinkRequest req = NSRING__V1__GET_LINK_REQUEST__INIT;
	Nsring__V1__GetLinkResponse *resp = NULL;
	_cleanup_(cni_batch_free) CniBatch b = { 0 };
	NsrStatus st;
	int r;

	/* Ready when nsringd answers in the host namespace (its loopback is always there). */
	if (cni_connect(ctx, e) < 0) {
		e->code = CNI_ERR_NOT_AVAILABLE;
		return -1;
	}
	req.namespace_ = cni_batch_ns(&b, ctx->cfg->host_ns);
	req.name = "lo";
	r = nsr_get_link(ctx->client, &req, &resp, &st);
	if (r < 0) {
		cni_nsr_err(e, "GetLink lo in the host namespace", r, &st);
		e->code = CNI_ERR_NOT_AVAILABLE;
		return -1;
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return 0;
}

/* GC: our host ends ("nsr" + 12 hex digits) on this network's bridge whose attachment is not
 * among cni.dev/valid-attachments are deleted. ptp host ends carry no mark of their network,
 * so ptp leaves links alone (DEL removes them). IPAM gets the GC too when it speaks 1.1. */
static int gc_links(CniCtx *ctx, CniError *e)
{
	const CniConfig *cfg = ctx->cfg;
	Nsring__V1__ListLinksRequest req = NSRING__V1__LIST_LINKS_REQUEST__INIT;
	Nsring__V1__ListLinksResponse *resp = NULL;
	_cleanup_(cni_batch_free) CniBatch b = { 0 };
	Nsring__V1__NamespaceRef *H = cni_batch_ns(&b, cfg->host_ns);
	NsrStatus st;
	json_t *v;
	size_t i;
	int r;

	req.namespace_ = H;
	req.master = (char *)cfg->bridge;
	req.kind = "veth";
	r = nsr_list_links(ctx->client, &req, &resp, &st);
	if (r == -NSR_ESTATUS && st.code == 5)
		return 0; /* no bridge: nothing of ours */
	if (r < 0)
		return cni_nsr_err(e, "ListLinks", r, &st);
	for (size_t j = 0; j < resp->n_links; j++) {
		const char *name = resp->links[j]->name;
		bool valid = false;

		if (strlen(name) != 15 || strncmp(name, "nsr", 3) != 0 ||
		    strspn(name + 3, "0123456789abcdef") != 12)
			continue;
		json_array_foreach(cfg->valid_attachments, i, v)
		{
			const char *cid = json_string_value(json_object_get(v, "containerID"));
			const char *ifn = json_string_value(json_object_get(v, "ifname"));
			char want[16];

			if (!cid || !ifn)
				continue;
			cni_host_ifname(cfg->name, cid, ifn, want);
			valid |= !strcmp(want, name);
		}
		if (!valid)
			cni_op_del_link(&b, H, name);
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return b.n ? cni_batch_run(ctx, &b, e) : 0;
}

static bool ipam_speaks(CniCtx *ctx, const char *version)
{
	json_t *doc = NULL, *v;
	CniError ignored;
	size_t i;
	bool yes = false;

	if (cni_ipam_exec(ctx->cfg, "VERSION", ctx->stdin_buf, ctx->stdin_len, &doc, &ignored) < 0)
		return false;
	json_array_foreach(json_object_get(doc, "supportedVersions"), i, v) yes |=
		json_is_string(v) && !strcmp(json_string_value(v), version);
	json_decref(doc);
	return yes;
}

int cni_cmd_gc(CniCtx *ctx, CniError *e)
{
	if (!ctx->cfg->valid_attachments)
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: GC needs \"cni.dev/valid-attachments\"");
	if (cni_connect(ctx, e) < 0)
		return -1;
	if (ctx->cfg->mode == CNI_MODE_BRIDGE && gc_links(ctx, e) < 0)
		return -1;
	if (ctx->cfg->ipam && ipam_speaks(ctx, "1.1.0") &&
	    cni_ipam_exec(ctx->cfg, "GC", ctx->stdin_buf, ctx->stdin_len, NULL, e) < 0)
		return -1;
	return 0;
}
