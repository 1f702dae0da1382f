/* nsring-cni: the network configuration on stdin (CNI spec "Network configuration"), parsed
 * with jansson and validated before anything is changed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"
#include "core/names.h"
#include "nsring/nsring.h"

const char *const cni_supported_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

int cni_err(CniError *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->details[0] = '\0';
	return -1;
}

void cni_err_details(CniError *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
}

/* "X.Y.Z" -> three numbers; -1 when it is not that shape. */
static int version_parts(const char *v, unsigned p[3])
{
	int n = 0;

	if (!v || sscanf(v, "%u.%u.%u%n", &p[0], &p[1], &p[2], &n) != 3 || v[n])
		return -1;
	return 0;
}

int cni_version_cmp(const char *a, const char *b)
{
	unsigned pa[3] = { 0 }, pb[3] = { 0 };

	version_parts(a, pa);
	version_parts(b, pb);
	for (int i = 0; i < 3; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

bool cni_version_supported(const char *v)
{
	for (const char *const *s = cni_supported_versions; *s; s++)
		if (!strcmp(*s, v))
			return true;
	return false;
}

/* Optional members of a type: absent (or null) leaves *out alone. */
static int get_string(json_t *o, const char *key, const char **out, CniError *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"%s\" must be a string",
			       key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"%s\" contains a NUL",
			       key);
	*out = json_string_value(v);
	return 0;
}

static int get_bool(json_t *o, const char *key, bool *out, CniError *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

static int get_uint(json_t *o, const char *key, uint32_t max, uint32_t *out, CniError *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"%s\" must be an integer 0..%u", key, max);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int get_object(json_t *o, const char *key, json_t **out, CniError *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"%s\" must be an object", key);
	*out = v;
	return 0;
}

static int parse_members(CniConfig *c, CniError *e)
{
	json_t *root = c->root, *args = NULL;
	const char *mode = NULL;

	if (get_string(root, "cniVersion", &c->cni_version, e) < 0 ||
	    get_string(root, "name", &c->name, e) < 0 ||
	    get_string(root, "type", &c->type, e) < 0 || get_string(root, "mode", &mode, e) < 0 ||
	    get_string(root, "bridge", &c->bridge, e) < 0 ||
	    get_bool(root, "isGateway", &c->is_gateway, e) < 0 ||
	    get_bool(root, "isDefaultGateway", &c->is_default_gateway, e) < 0 ||
	    get_bool(root, "forceAddress", &c->force_address, e) < 0 ||
	    get_bool(root, "hairpinMode", &c->hairpin, e) < 0 ||
	    get_bool(root, "promiscMode", &c->promisc, e) < 0 ||
	    get_bool(root, "ipMasq", &c->ip_masq, e) < 0 ||
	    get_uint(root, "vlan", 4094, &c->vlan, e) < 0 ||
	    get_uint(root, "mtu", 65535, &c->mtu, e) < 0 ||
	    get_string(root, "socket", &c->socket, e) < 0 ||
	    get_string(root, "hostNamespace", &c->host_ns, e) < 0 ||
	    get_object(root, "ipam", &c->ipam, e) < 0 ||
	    get_object(root, "prevResult", &c->prev_result, e) < 0 ||
	    get_object(root, "dns", &c->dns, e) < 0 || get_object(root, "args", &args, e) < 0)
		return -1;
	/* CNI 1.1 GC: the attachments still in use. */
	c->valid_attachments = json_object_get(root, "cni.dev/valid-attachments");
	if (c->valid_attachments && !json_is_array(c->valid_attachments))
		return cni_err(
			e, CNI_ERR_CONFIG,
			"invalid network config: \"cni.dev/valid-attachments\" must be an array");
	if (!c->cni_version)
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"cniVersion\" is missing");
	if (!c->name || !*c->name)
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"name\" is missing");
	if (!c->type || !*c->type)
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"type\" is missing");
	if (!mode || !strcmp(mode, "bridge"))
		c->mode = CNI_MODE_BRIDGE;
	else if (!strcmp(mode, "ptp"))
		c->mode = CNI_MODE_PTP;
	else
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"mode\" must be \"bridge\" or \"ptp\", "
			       "not \"%s\"",
			       mode);
	if (!c->bridge)
		c->bridge = "cni0";
	if (!name_ifname_valid(c->bridge))
		return cni_err(
			e, CNI_ERR_CONFIG,
			"invalid network config: \"bridge\" is not a valid interface name: \"%s\"",
			c->bridge);
	/* As the standard plugin: a default gateway is a gateway. */
	if (c->is_default_gateway)
		c->is_gateway = true;
	if (c->mtu && c->mtu < 68)
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"mtu\" %u is below 68",
			       c->mtu);
	if (!c->socket || !*c->socket)
		c->socket = NSR_DEFAULT_SOCKET;
	if (c->host_ns && c->host_ns[0] != '/')
		return cni_err(e, CNI_ERR_CONFIG,
			       "invalid network config: \"hostNamespace\" must be an absolute "
			       "path, not \"%s\"",
			       c->host_ns);
	if (c->host_ns && !*c->host_ns)
		c->host_ns = NULL;
	if (c->ipam) {
		json_t *t = json_object_get(c->ipam, "type");

		if (!json_is_string(t) || !*json_string_value(t))
			return cni_err(
				e, CNI_ERR_CONFIG,
				"invalid network config: \"ipam.type\" must name an IPAM plugin");
		c->ipam_type = json_string_value(t);
		if (strchr(c->ipam_type, '/') || strlen(c->ipam_type) != json_string_length(t))
			return cni_err(e, CNI_ERR_CONFIG,
				       "invalid network config: \"ipam.type\" must be a plugin "
				       "name, not a path");
	}
	return 0;
}

int cni_config_parse(const char *buf, size_t len, CniConfig *c, CniError *e)
{
	json_error_t jerr;

	memset(c, 0, sizeof(*c));
	c->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!c->root)
		return cni_err(e, CNI_ERR_DECODE,
			       "failed to decode the network config: %s (line %d)", jerr.text,
			       jerr.line);
	if (!json_is_object(c->root))
		return cni_err(e, CNI_ERR_DECODE,
			       "failed to decode the network config: not a JSON object");
	if (parse_members(c, e) < 0)
		return -1;
	if (!cni_version_supported(c->cni_version)) {
		cni_err(e, CNI_ERR_VERSION, "incompatible CNI version %s", c->cni_version);
		cni_err_details(e, "nsring-cni supports 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
		return -1;
	}
	return 0;
}

void cni_config_free(CniConfig *c)
{
	if (c->root)
		json_decref(c->root);
	memset(c, 0, sizeof(*c));
}
