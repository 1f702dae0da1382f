/* libFuzzer harness for nsring-cni's network configuration parser: whatever the input, an
 * accepted config holds its invariants, and its prevResult (the ips and routes CHECK compares)
 * survives a round trip through the result writer and reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "core/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void fuzz_prev_result(const CniConfig *cfg)
{
	CniIpam ip = { 0 }, again = { 0 };
	CniIface ifs[1] = { { .name = "eth0", .sandbox = "/run/netns/x" } };
	CniError e = { 0 };
	json_t *doc;

	if (cni_ipam_from_json(cfg->prev_result, &ip, &e) < 0) {
		FUZZ_ASSERT(e.code == CNI_ERR_DECODE && e.msg[0]);
		cni_ipam_free(&ip);
		return;
	}
	FUZZ_ASSERT(ip.n_ips <= CNI_MAX_IPS && ip.n_routes <= CNI_MAX_ROUTES);
	for (size_t i = 0; i < ip.n_ips; i++) {
		char net[CNI_ADDR_MAX], first[CNI_ADDR_MAX];

		FUZZ_ASSERT(ip.ips[i].family == 4 || ip.ips[i].family == 6);
		FUZZ_ASSERT(ip.ips[i].plen <= (ip.ips[i].family == 4 ? 32u : 128u));
		FUZZ_ASSERT(cni_net_first(ip.ips[i].family, ip.ips[i].addr, ip.ips[i].plen, net,
					  first) == 0);
	}
	doc = cni_result_build(cfg, ifs, 1, 0, &ip, ip.routes, ip.n_routes);
	FUZZ_ASSERT(doc);
	FUZZ_ASSERT(cni_ipam_from_json(doc, &again, &e) == 0);
	FUZZ_ASSERT(again.n_ips == ip.n_ips && again.n_routes == ip.n_routes);
	for (size_t i = 0; i < ip.n_ips; i++)
		FUZZ_ASSERT(!memcmp(&again.ips[i], &ip.ips[i], sizeof(ip.ips[i])));
	for (size_t i = 0; i < ip.n_routes; i++)
		FUZZ_ASSERT(!memcmp(&again.routes[i], &ip.routes[i], sizeof(ip.routes[i])));
	json_decref(doc);
	cni_ipam_free(&again);
	cni_ipam_free(&ip);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CniConfig cfg;
	CniError e = { 0 };

	if (cni_config_parse((const char *)data, size, &cfg, &e) < 0) {
		FUZZ_ASSERT(e.code == CNI_ERR_VERSION || e.code == CNI_ERR_DECODE ||
			    e.code == CNI_ERR_CONFIG);
		FUZZ_ASSERT(e.msg[0]);
		cni_config_free(&cfg);
		return 0;
	}
	FUZZ_ASSERT(cfg.cni_version && cni_version_supported(cfg.cni_version));
	FUZZ_ASSERT(cfg.name && *cfg.name && cfg.type && *cfg.type);
	FUZZ_ASSERT(cfg.mode == CNI_MODE_BRIDGE || cfg.mode == CNI_MODE_PTP);
	FUZZ_ASSERT(cfg.bridge && name_ifname_valid(cfg.bridge));
	FUZZ_ASSERT(cfg.socket && *cfg.socket);
	FUZZ_ASSERT(!cfg.host_ns || cfg.host_ns[0] == '/');
	FUZZ_ASSERT(cfg.vlan <= 4094 && cfg.mtu <= 65535 && (!cfg.mtu || cfg.mtu >= 68));
	FUZZ_ASSERT(!cfg.is_default_gateway || cfg.is_gateway);
	FUZZ_ASSERT(!cfg.ipam || (cfg.ipam_type && *cfg.ipam_type && !strchr(cfg.ipam_type, '/')));
	if (cfg.prev_result)
		fuzz_prev_result(&cfg);
	cni_config_free(&cfg);
	return 0;
}
