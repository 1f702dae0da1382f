/* nsring-cni: a CNI plugin (specification 1.0/1.1) that wires containers through nsringd.
 * Shared types of its modules: config, result, IPAM delegation, exec protocol, modes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/macro.h"

/* Error codes of the CNI specification ("Error" section); 100+ are the plugin's own. */
enum {
	CNI_ERR_VERSION = 1,	    /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED = 2,    /* unsupported field in network configuration */
	CNI_ERR_UNKNOWN_CTR = 3,    /* container unknown or does not exist */
	CNI_ERR_ENV = 4,	    /* invalid necessary environment variables */
	CNI_ERR_IO = 5,		    /* I/O failure */
	CNI_ERR_DECODE = 6,	    /* failed to decode content */
	CNI_ERR_CONFIG = 7,	    /* invalid network config */
	CNI_ERR_TRY_LATER = 11,	    /* try again later */
	CNI_ERR_NOT_AVAILABLE = 50, /* STATUS: the plugin cannot serve ADDs now */
	CNI_ERR_NSRINGD = 100,	    /* nsringd refused an operation (its status and message) */
	CNI_ERR_CHECK = 101,	    /* CHECK found the container's network not as ADD left it */
	CNI_ERR_NO_FEATURE = 102,   /* a key needs a daemon feature this version lacks */
};

typedef struct CniError {
	int code;
	char msg[256];
	char details[2048];
} CniError;

/* Fills e and returns -1, so error paths read `return cni_err(e, CODE, ...)`. */
int cni_err(CniError *e, int code, const char *fmt, ...) _printf_(3, 4);
/* Sets e->details (printf-style). */
void cni_err_details(CniError *e, const char *fmt, ...) _printf_(2, 3);

/* ---------------------------------------------------------------- config (cni-config.c) */

typedef enum { CNI_MODE_BRIDGE, CNI_MODE_PTP } CniMode;

typedef struct CniConfig {
	json_t *root; /* the whole document; the strings below point into it */
	const char *cni_version;
	const char *name;
	const char *type;
	CniMode mode;
	const char *bridge; /* bridge mode: the bridge's name (default "cni0") */
	bool is_gateway, is_default_gateway, force_address;
	bool hairpin, promisc;
	bool ip_masq;	     /* refused on ADD: no iptables here */
	uint32_t vlan;	     /* 0: none */
	uint32_t mtu;	     /* 0: kernel default */
	const char *socket;  /* nsringd's socket */
	const char *host_ns; /* NamespaceRef path of the "host" side; NULL: the daemon's own */
	json_t *ipam;	     /* the ipam object (borrowed), NULL if none */
	const char *ipam_type;
	json_t *prev_result; /* borrowed, NULL if none */
	json_t *dns;	     /* the config's dns object (borrowed), NULL if none */
	/* GC: cni.dev/valid-attachments, borrowed, NULL if none */
	json_t *valid_attachments;
} CniConfig;

/* Parses and validates a network configuration (stdin). On failure fills e (codes 1, 6, 7).
 * cni_config_free() is safe on a zeroed or failed config. */
int cni_config_parse(const char *buf, size_t len, CniConfig *cfg, CniError *e);
void cni_config_free(CniConfig *cfg);
/* Whether the plugin speaks this CNI version, and comparison of versions ("1.0.0" > "0.4.0"). */
bool cni_version_supported(const char *v);
int cni_version_cmp(const char *a, const char *b);
extern const char *const cni_supported_versions[];

/* ---------------------------------------------------------------- results (cni-result.c) */

#define CNI_MAX_IPS    16
#define CNI_MAX_ROUTES 64
#define CNI_ADDR_MAX   46 /* INET6_ADDRSTRLEN */

typedef struct CniIp {
	int family; /* 4 or 6 */
	char addr[CNI_ADDR_MAX];
	unsigned plen;
	char gw[CNI_ADDR_MAX]; /* "" if none */
} CniIp;

typedef struct CniRoute {
	int family;
	char dst[CNI_ADDR_MAX];
	unsigned plen;
	char gw[CNI_ADDR_MAX]; /* "" if none */
} CniRoute;

/* The part of a result this plugin uses: what IPAM handed out, or a prevResult. */
typedef struct CniIpam {
	CniIp ips[CNI_MAX_IPS];
	size_t n_ips;
	CniRoute routes[CNI_MAX_ROUTES];
	size_t n_routes;
	json_t *dns; /* owned reference or NULL */
} CniIpam;

/* "ADDR/PLEN" -> family, canonical address text and prefix length. */
int cni_parse_prefix(const char *s, int *family, char *addr, unsigned *plen);
/* Reads the ips, routes and dns of a result document (any version 0.3.0..1.1.0). */
int cni_ipam_from_json(json_t *res, CniIpam *out, CniError *e);
void cni_ipam_free(CniIpam *r);
/* The address with its host bits cleared ("198.18.0.0" for 198.18.3.4/16), and its first
 * host address (network + 1), as the standard plugins compute a missing gateway. */
int cni_net_first(int family, const char *addr, unsigned plen, char *net, char *first);

typedef struct CniIface {
	char name[16];
	char mac[18];
	const char *sandbox; /* NULL on the host side */
} CniIface;

/* A result document of the config's version: interfaces, ips (on interface ip_iface), routes,
 * dns. Returns a new reference or NULL (out of memory). */
json_t *cni_result_build(const CniConfig *cfg, const CniIface *ifs, size_t n_ifs, size_t ip_iface,
			 const CniIpam *ip, const CniRoute *routes, size_t n_routes);
/* ADD with a prevResult (chaining): the previous plugins' results first, then ours. */
int cni_result_merge_prev(json_t *prev, json_t *doc);
/* Prints a document on stdout (compact, newline-terminated); an error document for e. */
int cni_print(json_t *doc);
void cni_print_error(const char *version, const CniError *e);

/* ---------------------------------------------------------------- IPAM (cni-ipam.c) */

/* Runs the IPAM plugin cfg->ipam_type from CNI_PATH with CNI_COMMAND=command and the config
 * on stdin (the rest of the environment as given). ADD: *ret_result is its result document.
 * Errors carry the plugin's own code and message. */
int cni_ipam_exec(const CniConfig *cfg, const char *command, const char *stdin_buf,
		  size_t stdin_len, json_t **ret_result, CniError *e);

/* ---------------------------------------------------------------- exec protocol (cni-exec.c) */

typedef struct CniEnv {
	const char *command, *container_id, *netns, *ifname, *args, *path;
} CniEnv;

/* ---------------------------------------------------------------- modes (cni-modes.c) */

typedef struct CniCtx {
	const CniConfig *cfg;
	const CniEnv *env;
	const char *stdin_buf;
	size_t stdin_len;
	struct NsrClient *client;
} CniCtx;

/* Connects to nsringd (cfg->socket): a clear code-11 error naming the socket if it is not
 * there. */
int cni_connect(CniCtx *ctx, CniError *e);
/* The host end's name for this attachment: "nsr" + 12 hex digits of a hash of the network
 * name, the container id and the interface name, so DEL and GC find it again. */
void cni_host_ifname(const char *network, const char *container_id, const char *ifname,
		     char out[16]);

int cni_cmd_add(CniCtx *ctx, CniError *e);
int cni_cmd_del(CniCtx *ctx, CniError *e);
int cni_cmd_check(CniCtx *ctx, CniError *e);
int cni_cmd_status(CniCtx *ctx, CniError *e);
int cni_cmd_gc(CniCtx *ctx, CniError *e);
