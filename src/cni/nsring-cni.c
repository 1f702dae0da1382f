/* nsring-cni: the CNI exec protocol (spec "Section 3: Execution Protocol"): the command and its
 * parameters from CNI_* variables, the network configuration on stdin, the result or the error
 * document on stdout, a non-zero exit status on error. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cni.h"
#include "core/names.h"
#include "nsring/nsring.h"

#define STDIN_MAX (16 << 20)

static int read_stdin(char **ret, size_t *ret_len, CniError *e)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t r;

		if (n + 4096 + 1 > cap) {
			char *bigger;

			cap = cap ? 2 * cap : 16384;
			if (cap > STDIN_MAX || !(bigger = realloc(buf, cap))) {
				free(buf);
				return cni_err(
					e, CNI_ERR_IO,
					"the network config on stdin is too large (over %d bytes)",
					STDIN_MAX / 2);
			}
			buf = bigger;
		}
		r = read(0, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			return cni_err(e, CNI_ERR_IO, "reading the network config from stdin: %s",
				       strerror(err));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

static int print_version(const char *version)
{
	json_t *doc = json_object(), *v = json_array();

	for (const char *const *s = cni_supported_versions; *s; s++)
		json_array_append_new(v, json_string(*s));
	json_object_set_new(doc, "cniVersion", json_string(version));
	json_object_set_new(doc, "supportedVersions", v);
	cni_print(doc);
	json_decref(doc);
	return 0;
}

/* The spec's rule for CNI_CONTAINERID: alphanumerics plus _ . -, not empty. */
static bool container_id_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static int need_env(const char *name, const char *value, CniError *e)
{
	if (!value || !*value)
		return cni_err(e, CNI_ERR_ENV, "%s is not set", name);
	return 0;
}

/* The variables each command needs (spec: ADD and CHECK need all; DEL may miss CNI_NETNS). */
static int check_env(const CniEnv *env, CniError *e)
{
	bool add_or_check = !strcmp(env->command, "ADD") || !strcmp(env->command, "CHECK");

	if (!strcmp(env->command, "STATUS") || !strcmp(env->command, "GC"))
		return 0;
	if (need_env("CNI_CONTAINERID", env->container_id, e) < 0 ||
	    need_env("CNI_IFNAME", env->ifname, e) < 0)
		return -1;
	if (add_or_check && need_env("CNI_NETNS", env->netns, e) < 0)
		return -1;
	if (!container_id_valid(env->container_id))
		return cni_err(
			e, CNI_ERR_ENV,
			"CNI_CONTAINERID \"%s\" has characters other than letters, digits, _ . -",
			env->container_id);
	if (!name_ifname_valid(env->ifname))
		return cni_err(e, CNI_ERR_ENV, "CNI_IFNAME \"%s\" is not a valid interface name",
			       env->ifname);
	if (env->netns && *env->netns && env->netns[0] != '/')
		return cni_err(e, CNI_ERR_ENV, "CNI_NETNS \"%s\" is not an absolute path",
			       env->netns);
	return 0;
}

static int run(const CniEnv *env, CniConfig *cfg, CniError *e)
{
	_cleanup_free_ char *in = NULL;
	CniCtx ctx = { .cfg = cfg, .env = env };
	size_t len = 0;
	int r;

	if (read_stdin(&in, &len, e) < 0)
		return -1;
	if (!strcmp(env->command, "VERSION")) {
		/* Answers in the version asked for when it is one of ours. */
		json_t *doc = json_loadb(in, len, 0, NULL);
		const char *v = json_string_value(json_object_get(doc, "cniVersion"));

		print_version(v && cni_version_supported(v) ? v : "1.1.0");
		json_decref(doc);
		return 0;
	}
	if (cni_config_parse(in, len, cfg, e) < 0)
		return -1;
	if (check_env(env, e) < 0)
		return -1;
	ctx.stdin_buf = in;
	ctx.stdin_len = len;
	if (!strcmp(env->command, "ADD"))
		r = cni_cmd_add(&ctx, e);
	else if (!strcmp(env->command, "DEL"))
		r = cni_cmd_del(&ctx, e);
	else if (!strcmp(env->command, "CHECK")) {
		if (cni_version_cmp(cfg->cni_version, "0.4.0") < 0)
			return cni_err(e, CNI_ERR_VERSION,
				       "CHECK needs cniVersion 0.4.0 or later, not %s",
				       cfg->cni_version);
		r = cni_cmd_check(&ctx, e);
	} else if (!strcmp(env->command, "STATUS") || !strcmp(env->command, "GC")) {
		if (cni_version_cmp(cfg->cni_version, "1.1.0") < 0)
			return cni_err(e, CNI_ERR_VERSION,
				       "%s needs cniVersion 1.1.0 or later, not %s", env->command,
				       cfg->cni_version);
		r = !strcmp(env->command, "GC") ? cni_cmd_gc(&ctx, e) : cni_cmd_status(&ctx, e);
	} else
		r = cni_err(e, CNI_ERR_ENV,
			    "CNI_COMMAND \"%s\" is not ADD, DEL, CHECK, STATUS, GC or VERSION",
			    env->command);
	if (ctx.client)
		nsr_close(ctx.client);
	return r;
}

int main(int argc, char **argv)
{
	CniEnv env = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
		.path = getenv("CNI_PATH"),
	};
	CniConfig cfg = { 0 };
	CniError e = { 0 };
	const char *version;

	signal(SIGPIPE, SIG_IGN);
	if (!env.command) {
		if (argc > 1 || isatty(0)) {
			fprintf(stderr,
				"nsring-cni: a CNI plugin wiring containers through nsringd "
				"(type \"nsring\"); runtimes run it with CNI_COMMAND set.\n"
				"CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, "
				"1.1.0\n");
			return argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
				       ? 0
				       : 2;
		}
		cni_err(&e, CNI_ERR_ENV, "CNI_COMMAND is not set");
		cni_print_error("1.1.0", &e);
		return 1;
	}
	if (run(&env, &cfg, &e) == 0) {
		cni_config_free(&cfg);
		return 0;
	}
	version = cfg.cni_version && cni_version_supported(cfg.cni_version) ? cfg.cni_version
									    : "1.1.0";
	cni_print_error(version, &e);
	cni_config_free(&cfg);
	return 1;
}
