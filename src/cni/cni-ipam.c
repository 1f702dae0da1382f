/* nsring-cni: IPAM by delegation (CNI spec "Delegated plugin execution"): the plugin named in
 * ipam.type is found in CNI_PATH and run with the same environment and config. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni/cni.h"

#define IPAM_OUT_MAX (4 << 20)

/* The first executable CNI_PATH/NAME. */
static int find_plugin(const char *name, char *out, size_t size, CniError *e)
{
	const char *path = getenv("CNI_PATH");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!path || !*path)
		return cni_err(e, CNI_ERR_ENV,
			       "CNI_PATH is not set: cannot find the IPAM plugin \"%s\"", name);
	copy = strdup(path);
	if (!copy)
		return cni_err(e, CNI_ERR_IO, "out of memory");
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (!*dir || snprintf(out, size, "%s/%s", dir, name) >= (int)size)
			continue;
		if (access(out, X_OK) == 0)
			return 0;
	}
	return cni_err(e, CNI_ERR_CONFIG, "failed to find the IPAM plugin \"%s\" in CNI_PATH %s",
		       name, path);
}

/* Writes the whole input and reads the whole output, together (a plugin may answer before it
 * has read everything). */
static int pump(int in_fd, const char *buf, size_t len, int out_fd, char **ret_out, size_t *ret_len)
{
	size_t off = 0, n = 0, cap = 0;
	char *out = NULL;

	if (!len)
		in_fd = safe_close(in_fd);
	while (out_fd >= 0) {
		struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN },
				       { .fd = in_fd, .events = POLLOUT } };
		ssize_t r;

		if (poll(p, in_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (in_fd >= 0 && p[1].revents) {
			r = write(in_fd, buf + off, len - off);
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				in_fd = safe_close(in_fd); /* EPIPE: it does not want the rest */
			else if (r > 0 && (off += (size_t)r) == len)
				in_fd = safe_close(in_fd);
		}
		if (p[0].revents) {
			if (n + 4096 + 1 > cap) {
				char *bigger;

				if (cap >= IPAM_OUT_MAX)
					goto fail;
				cap = cap ? 2 * cap : 16384;
				bigger = realloc(out, cap);
				if (!bigger)
					goto fail;
				out = bigger;
			}
			r = read(out_fd, out + n, cap - n - 1);
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				goto fail;
			if (r == 0)
				break;
			if (r > 0)
				n += (size_t)r;
		}
	}
	safe_close(in_fd);
	if (!out && !(out = malloc(1)))
		return -ENOMEM;
	out[n] = '\0';
	*ret_out = out;
	*ret_len = n;
	return 0;
fail:
	safe_close(in_fd);
	free(out);
	return -EIO;
}

int cni_ipam_exec(const CniConfig *cfg, const char *command, const char *stdin_buf,
		  size_t stdin_len, json_t **ret_result, CniError *e)
{
	char plugin[PATH_MAX];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status, r;
	_cleanup_free_ char *res = NULL;
	size_t res_len = 0;
	json_error_t jerr;
	json_t *doc;
	pid_t pid;

	if (!cfg->ipam_type)
		return cni_err(e, CNI_ERR_CONFIG, "invalid network config: \"ipam\" is missing");
	if (find_plugin(cfg->ipam_type, plugin, sizeof(plugin), e) < 0)
		return -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		safe_close(in[0]);
		safe_close(in[1]);
		return cni_err(e, CNI_ERR_IO, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		r = errno;
		safe_close(in[0]), safe_close(in[1]), safe_close(out[0]), safe_close(out[1]);
		return cni_err(e, CNI_ERR_IO, "fork: %s", strerror(r));
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		setenv("CNI_COMMAND", command, 1);
		execl(plugin, cfg->ipam_type, (char *)NULL);
		_exit(127);
	}
	safe_close(in[0]);
	safe_close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	r = pump(in[1], stdin_buf, stdin_len, out[0], &res, &res_len);
	safe_close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return cni_err(e, CNI_ERR_IO, "IPAM plugin %s: reading its output failed", plugin);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* Its error document, passed on as it is (spec: the plugin's code and msg). */
		doc = json_loadb(res, res_len, 0, &jerr);
		if (doc && json_is_integer(json_object_get(doc, "code")) &&
		    json_is_string(json_object_get(doc, "msg"))) {
			const char *d = json_string_value(json_object_get(doc, "details"));

			cni_err(e, (int)json_integer_value(json_object_get(doc, "code")), "%s",
				json_string_value(json_object_get(doc, "msg")));
			if (d)
				cni_err_details(e, "%s", d);
			json_decref(doc);
			return -1;
		}
		json_decref(doc);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return cni_err(e, CNI_ERR_IO, "IPAM plugin %s could not be executed",
				       plugin);
		cni_err(e, CNI_ERR_IO, "IPAM plugin %s failed (%s %d) without an error document",
			plugin, WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		cni_err_details(e, "%.1024s", res);
		return -1;
	}
	if (!ret_result)
		return 0;
	doc = json_loadb(res, res_len, 0, &jerr);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		cni_err(e, CNI_ERR_DECODE, "failed to decode the result of IPAM plugin %s", plugin);
		cni_err_details(e, "%.1024s", res);
		return -1;
	}
	*ret_result = doc;
	return 0;
}
