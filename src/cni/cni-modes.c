/* nsring-cni: ADD and DEL in the two modes: `bridge` (a veth per container enslaved to a bridge
 * on the host side, as the standard bridge plugin) and `ptp` (a veth per container with host
 * routes, as the standard ptp plugin). Each ADD's network work is one nsringd Batch. */
#include <stdio.h>
#include <string.h>

#include "cni/cni-batch.h"

void cni_host_ifname(const char *network, const char *container_id, const char *ifname,
		     char out[16])
{
	const char *parts[3] = { network, container_id, ifname };
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64 bits */

	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull; /* separator: "ab"+"c" != "a"+"bc" */
	}
	snprintf(out, 16, "nsr%012llx", (unsigned long long)(h & 0xffffffffffffull));
}

/* Keys that need link attributes (bridge port flags, promiscuity, bridge VLANs) the API of
 * this version lacks: refused clearly rather than silently ignored. */
static int check_link_features(const CniConfig *cfg, CniError *e)
{
	static const char why[] = "needs nsringd link attributes not available in this version";

	if (cfg->ip_masq) {
		cni_err(e, CNI_ERR_UNSUPPORTED,
			"ipMasq is not supported: nsring-cni sets up no iptables rules");
		cni_err_details(e, "chain the standard portmap or firewall plugins, or masquerade "
				   "on the host");
		return -1;
	}
	if (cfg->mode != CNI_MODE_BRIDGE)
		return 0;
	if (cfg->hairpin)
		return cni_err(e, CNI_ERR_NO_FEATURE, "hairpinMode %s", why);
	if (cfg->promisc)
		return cni_err(e, CNI_ERR_NO_FEATURE, "promiscMode %s", why);
	if (cfg->vlan)
		return cni_err(e, CNI_ERR_NO_FEATURE, "vlan %s", why);
	return 0;
}

/* The gateway of each IP: IPAM's, else (as the standard plugins) the subnet's first address. */
static void fill_gateways(CniIpam *ip)
{
	for (size_t i = 0; i < ip->n_ips; i++)
		if (!ip->ips[i].gw[0])
			cni_net_first(ip->ips[i].family, ip->ips[i].addr, ip->ips[i].plen, NULL,
				      ip->ips[i].gw);
}

static const char *gw_of_family(const CniIpam *ip, int family)
{
	for (size_t i = 0; i < ip->n_ips; i++)
		if (ip->ips[i].family == family && ip->ips[i].gw[0])
			return ip->ips[i].gw;
	return NULL;
}

/* The result's routes: IPAM's, plus in bridge mode with isDefaultGateway a default route per
 * family via the gateway (unless IPAM gave one), as the standard bridge plugin (the standard
 * ptp plugin has no such key). */
static size_t result_routes(const CniConfig *cfg, const CniIpam *ip, CniRoute *out)
{
	size_t n = 0;

	for (size_t i = 0; i < ip->n_routes; i++)
		out[n++] = ip->routes[i];
	if (!cfg->is_default_gateway || cfg->mode != CNI_MODE_BRIDGE)
		return n;
	for (int family = 4; family <= 6; family += 2) {
		const char *gw = gw_of_family(ip, family);
		bool have = false;

		for (size_t i = 0; i < n; i++)
			have |= out[i].family == family && out[i].plen == 0;
		if (!gw || have || n == CNI_MAX_ROUTES)
			continue;
		out[n] = (CniRoute){ .family = family, .plen = 0 };
		strcpy(out[n].dst, family == 4 ? "0.0.0.0" : "::");
		strcpy(out[n].gw, gw);
		n++;
	}
	return n;
}

static void iface_from(CniIface *f, const char *name, const Nsring__V1__Link *l,
		       const char *sandbox)
{
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->mac, sizeof(f->mac), "%s", l && l->address ? l->address : "");
	f->sandbox = sandbox;
}

/* The ops of bridge mode: bridge (created on first use) and up, gateway addresses on it, the
 * veth born with its peer in the container, enslaved and up, addresses and routes inside. */
static int bridge_ops(CniCtx *ctx, CniBatch *b, const CniIpam *ip, const CniRoute *routes,
		      size_t n_routes, const char *host_if, int idx[3])
{
	const CniConfig *cfg = ctx->cfg;
	Nsring__V1__NamespaceRef *H = cni_batch_ns(b, cfg->host_ns);
	Nsring__V1__NamespaceRef *C = cni_batch_ns(b, ctx->env->netns);

	cni_op_create_bridge(b, H, cfg->bridge, cfg->mtu);
	cni_op_set_up(b, H, cfg->bridge);
	if (cfg->is_gateway)
		for (size_t i = 0; i < ip->n_ips; i++)
			cni_op_add_addr(b, H, cfg->bridge, ip->ips[i].gw, ip->ips[i].plen,
					CNI_OK_EXISTS);
	/* Sysctls (as the standard plugin: net.ipv4.ip_forward with isGateway, the container's
	 * arp_notify and IPv6 accept_dad): they come with nsringd's sysctl API; this is where
	 * they join the batch. */
	cni_op_create_veth(b, H, host_if, ctx->env->ifname, C, cfg->bridge, cfg->mtu);
	if (cfg->mtu)
		cni_op_set_mtu(b, C, ctx->env->ifname, cfg->mtu);
	for (size_t i = 0; i < ip->n_ips; i++)
		cni_op_add_addr(b, C, ctx->env->ifname, ip->ips[i].addr, ip->ips[i].plen, 0);
	for (size_t i = 0; i < n_routes; i++) {
		const char *gw =
			routes[i].gw[0] ? routes[i].gw : gw_of_family(ip, routes[i].family);

		cni_op_add_route(b, C, routes[i].dst, routes[i].plen, gw, ctx->env->ifname, false);
	}
	idx[0] = cni_op_get_link(b, H, cfg->bridge);
	idx[1] = cni_op_get_link(b, H, host_if);
	idx[2] = cni_op_get_link(b, C, ctx->env->ifname);
	return 0;
}

/* The ops of ptp mode: the veth, the gateway address (a /32 or /128) on the host end with a
 * host route to each container address; inside, the address as a host address, a link route to
 * the gateway, the subnet and the other routes via it. */
static int ptp_ops(CniCtx *ctx, CniBatch *b, const CniIpam *ip, const CniRoute *routes,
		   size_t n_routes, const char *host_if, int idx[3])
{
	const CniConfig *cfg = ctx->cfg;
	Nsring__V1__NamespaceRef *H = cni_batch_ns(b, cfg->host_ns);
	Nsring__V1__NamespaceRef *C = cni_batch_ns(b, ctx->env->netns);
	const char *ifn = ctx->env->ifname;

	/* Sysctls (net.ipv4.ip_forward on the host side): with nsringd's sysctl API, here. */
	cni_op_create_veth(b, H, host_if, ifn, C, NULL, cfg->mtu);
	if (cfg->mtu)
		cni_op_set_mtu(b, C, ifn, cfg->mtu);
	for (size_t i = 0; i < ip->n_ips; i++) {
		const CniIp *a = &ip->ips[i];
		unsigned host = a->family == 4 ? 32 : 128;
		char net[CNI_ADDR_MAX];

		cni_op_add_addr(b, H, host_if, a->gw, host, 0);
		cni_op_add_route(b, H, a->addr, host, NULL, host_if, true);
		cni_op_add_addr(b, C, ifn, a->addr, host, 0);
		cni_op_add_route(b, C, a->gw, host, NULL, ifn, true);
		cni_net_first(a->family, a->addr, a->plen, net, NULL);
		if (a->plen < host)
			cni_op_add_route(b, C, net, a->plen, a->gw, ifn, false);
	}
	for (size_t i = 0; i < n_routes; i++) {
		const char *gw =
			routes[i].gw[0] ? routes[i].gw : gw_of_family(ip, routes[i].family);

		cni_op_add_route(b, C, routes[i].dst, routes[i].plen, gw, ifn, false);
	}
	idx[0] = -1;
	idx[1] = cni_op_get_link(b, H, host_if);
	idx[2] = cni_op_get_link(b, C, ifn);
	return 0;
}

int cni_cmd_add(CniCtx *ctx, CniError *e)
{
	const CniConfig *cfg = ctx->cfg;
	_cleanup_(cni_batch_free) CniBatch b = { 0 };
	CniIpam ip = { 0 };
	CniRoute routes[CNI_MAX_ROUTES + 2];
	CniIface ifs[3];
	json_t *ipam_res = NULL, *doc;
	char host_if[16];
	size_t n_routes, n_ifs = 0;
	int idx[3], r = -1;

	if (check_link_features(cfg, e) < 0)
		return -1;
	if (!cfg->ipam)
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"ipam\" is missing");
	/* Connect first: without nsringd, IPAM must not hand out an address we cannot use. */
	if (cni_connect(ctx, e) < 0)
		return -1;
	if (cni_ipam_exec(cfg, "ADD", ctx->stdin_buf, ctx->stdin_len, &ipam_res, e) < 0)
		return -1;
	if (cni_ipam_from_json(ipam_res, &ip, e) < 0)
		goto undo;
	if (!ip.n_ips) {
		cni_err(e, CNI_ERR_CONFIG, "IPAM plugin %s returned no IP address", cfg->ipam_type);
		goto undo;
	}
	if (cfg->is_gateway || cfg->mode == CNI_MODE_PTP)
		fill_gateways(&ip);
	n_routes = result_routes(cfg, &ip, routes);
	cni_host_ifname(cfg->name, ctx->env->container_id, ctx->env->ifname, host_if);
	if (cfg->mode == CNI_MODE_BRIDGE)
		bridge_ops(ctx, &b, &ip, routes, n_routes, host_if, idx);
	else
		ptp_ops(ctx, &b, &ip, routes, n_routes, host_if, idx);
	if (cni_batch_run(ctx, &b, e) < 0)
		goto undo;
	if (idx[0] >= 0) {
		const Nsring__V1__Link *br = cni_batch_link(&b, idx[0]);

		if (br && br->kind && strcmp(br->kind, "bridge") != 0) {
			cni_err(e, CNI_ERR_CONFIG, "%s exists and is a %s, not a bridge",
				cfg->bridge, br->kind);
			goto undo;
		}
		iface_from(&ifs[n_ifs++], cfg->bridge, br, NULL);
	}
	iface_from(&ifs[n_ifs++], host_if, cni_batch_link(&b, idx[1]), NULL);
	iface_from(&ifs[n_ifs++], ctx->env->ifname, cni_batch_link(&b, idx[2]), ctx->env->netns);
	doc = cni_result_build(cfg, ifs, n_ifs, n_ifs - 1, &ip, routes, n_routes);
	if (doc && cfg->prev_result && cni_result_merge_prev(cfg->prev_result, doc) < 0)
		json_decref(TAKE_PTR(doc));
	if (!doc || cni_print(doc) < 0) {
		json_decref(doc);
		cni_err(e, CNI_ERR_IO, "cannot write the result");
		goto undo;
	}
	json_decref(doc);
	r = 0;
	goto out;
undo:
	/* A failed ADD leaves no veth and no address behind: the runtime may
	 * not call DEL. (A bridge it created stays, as the standard plugin's.) */
	{
		_cleanup_(cni_batch_free) CniBatch d = { 0 };
		CniError ignored;

		if (b.n) { /* the batch was sent: its veth may exist */
			cni_op_del_link(&d, cni_batch_ns(&d, cfg->host_ns), host_if);
			cni_batch_run(ctx, &d, &ignored);
		}
		cni_ipam_exec(cfg, "DEL", ctx->stdin_buf, ctx->stdin_len, NULL, &ignored);
	}
out:
	cni_ipam_free(&ip);
	json_decref(ipam_res);
	return r;
}

int cni_cmd_del(CniCtx *ctx, CniError *e)
{
	const CniConfig *cfg = ctx->cfg;
	_cleanup_(cni_batch_free) CniBatch b = { 0 };
	char host_if[16];

	/* IPAM first, as the standard plugins: the address is released whatever else fails. */
	if (cfg->ipam && cni_ipam_exec(cfg, "DEL", ctx->stdin_buf, ctx->stdin_len, NULL, e) < 0)
		return -1;
	cni_host_ifname(cfg->name, ctx->env->container_id, ctx->env->ifname, host_if);
	/* The container's end (its peer goes with it), then the host end in case the container's
	 * namespace is gone already. Missing ones are success: DEL is idempotent. */
	if (ctx->env->netns && *ctx->env->netns)
		cni_op_del_link(&b, cni_batch_ns(&b, ctx->env->netns), ctx->env->ifname);
	cni_op_del_link(&b, cni_batch_ns(&b, cfg->host_ns), host_if);
	return cni_batch_run(ctx, &b, e);
}
