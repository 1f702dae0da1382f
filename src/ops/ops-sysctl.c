/* Sysctl methods: GetSysctl, SetSysctl (and CreateNamespace's sysctls). A helper thread inside the
 * namespace opens the /proc/sys/net files (an fd stays bound to the namespace of its opener);
 * the loop thread reads and writes them through io_uring and closes them after the call. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "core/sysctl-key.h"
#include "netns/netns-pool.h"
#include "ops-internal.h"

/* Writes of forwarding and disable_ipv6 take rtnl with a trylock and restart the syscall when
 * it is busy; io_uring turns that into -EINTR with nothing written (docs/design/tc-sysctl.md,
 * fact c). Resubmit: at once a few times, then with a backoff doubling from 0.25 ms, for
 * SYSCTL_URING_TRIES submissions (about 4 ms). A plain pwrite() restarts inside the kernel until
 * the trylock succeeds: under sustained contention (other namespaces' netlink work holds rtnl
 * most of the time) that is the only way through, so the write then goes to a helper thread
 * that does just that, and the loop thread never spins. */
#define SYSCTL_URING_TRIES    8
#define SYSCTL_EAGER_TRIES    4
#define SYSCTL_BACKOFF_MIN_NS 250000ull
/* What a read returns at most: net values are short (the longest, lists of congestion control
 * algorithms or port ranges, well under this). */
#define SYSCTL_READ_MAX 4096
/* Keys one call takes. */
#define SYSCTL_MAX_KEYS 1024

typedef struct SysctlKey {
	LoopOp lop;
	LoopTimer timer;
	Op *op;
	const char *key;   /* dotted form, for messages and replies */
	char *path;	   /* relative to /proc/sys (arena) */
	const char *value; /* set: newline-terminated (arena) */
	size_t value_len;
	int fd;
	char *buf; /* what a read returned (arena), NUL-terminated */
	size_t len;
	/* set through RTM_SETLINK IFLA_INET_CONF: the devconf type (0: through /proc), the value
	 * as a number, the device's name and (found by the job) index */
	int inet_type;
	uint32_t inet_value;
	char ifname[IFNAMSIZ];
	uint32_t ifindex;
	unsigned tries;
	bool read_done, writing;
} SysctlKey;

typedef struct SysctlState {
	SysctlKey *keys;
	size_t n, cur;
	bool set, ensure, changed;
	op_step_fn next; /* after the last key */
	int job_err;	 /* the job's failure and the key it concerns */
	size_t job_idx;
} SysctlState;

static void sysctl_step(Op *op);

/* ---- checking the request */

static bool sysctl_is_number(const char *s, uint32_t *ret)
{
	char *end;
	long v;

	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || (*end && strcmp(end, "\n") != 0) || v < INT32_MIN || v > INT32_MAX)
		return false;
	*ret = (uint32_t)(int32_t)v;
	return true;
}

/* net/ipv4/conf/DEV/NAME, DEV not all or default, NAME settable over rtnetlink. */
static void sysctl_inet_route(SysctlKey *k)
{
	static const char prefix[] = "net/ipv4/conf/";
	const char *dev, *slash;
	int type;

	if (strncmp(k->path, prefix, sizeof(prefix) - 1) != 0)
		return;
	dev = k->path + sizeof(prefix) - 1;
	slash = strchr(dev, '/');
	if (!slash || (size_t)(slash - dev) >= IFNAMSIZ || strchr(slash + 1, '/'))
		return;
	if (strncmp(dev, "all/", 4) == 0 || strncmp(dev, "default/", 8) == 0)
		return;
	type = rtnl_inet_devconf_from_name(slash + 1);
	if (type < 0 || !sysctl_is_number(k->value, &k->inet_value))
		return;
	memcpy(k->ifname, dev, (size_t)(slash - dev));
	k->ifname[slash - dev] = '\0';
	k->inet_type = type;
}

static SysctlKey *sysctl_key_prepare(Op *op, SysctlKey *k, const char *key, const char *value,
				     const char *field)
{
	char path[SYSCTL_PATH_MAX], dotted[SYSCTL_PATH_MAX], v[SYSCTL_VALUE_MAX + 2];
	int r;

	k->op = op;
	k->fd = -1;
	if (!str_set(key)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s: the key is empty", field);
		return NULL;
	}
	r = sysctl_key_to_path(key, path, sizeof(path));
	if (r == 0)
		r = sysctl_path_to_key(path, dotted, sizeof(dotted));
	if (r < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s: invalid key \"%.300s\": %s", field, key,
			r == -ENAMETOOLONG ? "too long"
					   : "only net.* keys, with no empty, \".\" or \"..\" "
					     "component and no space or control character");
		return NULL;
	}
	k->path = op_strdup(op, path);
	k->key = op_strdup(op, dotted);
	if (!value)
		return k;
	r = sysctl_value_format(value, v, sizeof(v));
	if (r < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"%s: invalid value for %s: 1..%d bytes of printable ASCII or tabs", field,
			k->key, SYSCTL_VALUE_MAX);
		return NULL;
	}
	k->value = op_strdup(op, v);
	k->value_len = (size_t)r;
	sysctl_inet_route(k);
	return k;
}

bool ops_sysctls_check(Op *op, Nsring__V1__Sysctl *const *sysctls, size_t n)
{
	SysctlKey k;

	if (n > SYSCTL_MAX_KEYS) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "sysctls: %zu keys, at most %d per call", n,
			SYSCTL_MAX_KEYS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *field = op_printf(op, "sysctls[%zu]", i);

		memset(&k, 0, sizeof(k));
		if (!sysctls[i]) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "%s is empty", field);
			return false;
		}
		if (!sysctl_key_prepare(op, &k, sysctls[i]->key,
					sysctls[i]->value ? sysctls[i]->value : "", field))
			return false;
	}
	return true;
}

/* ---- the job: opens every key's file inside the namespace */

static int sysctl_openat2(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long r = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return r < 0 ? -errno : (int)r;
}

static void sysctl_close_all(SysctlState *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->keys[i].fd >= 0) {
			close(s->keys[i].fd);
			s->keys[i].fd = -1;
		}
}

/* Runs in the helper thread inside the namespace: /proc/sys/net is the namespace's. */
static int sysctl_job(void *userdata)
{
	SysctlState *s = userdata;
	int dirfd, r = 0;

	dirfd = open("/proc/sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		s->job_err = -errno;
		s->job_idx = 0;
		return s->job_err;
	}
	for (size_t i = 0; i < s->n; i++) {
		SysctlKey *k = &s->keys[i];
		/* Set without ensure only writes: some files are write-only (route/flush). A key
		 * written over rtnetlink is opened to prove it exists and to read it for ensure. */
		int flags = !s->set || k->inet_type ? O_RDONLY : s->ensure ? O_RDWR : O_WRONLY;
		struct stat st;

		/* "net" itself is the directory dirfd already is */
		r = k->path[3] == '/' ? sysctl_openat2(dirfd, k->path + 4, flags) : -EISDIR;
		if (r >= 0 && fstat(r, &st) == 0 && !S_ISREG(st.st_mode)) {
			close(r);
			r = -EISDIR;
		}
		if (r >= 0 && k->inet_type) {
			k->ifindex = if_nametoindex(k->ifname);
			if (k->ifindex == 0) {
				close(r);
				r = -ENOENT;
			}
		}
		if (r < 0) {
			s->job_err = r;
			s->job_idx = i;
			break;
		}
		k->fd = r;
	}
	close(dirfd);
	if (r < 0)
		sysctl_close_all(s);
	return r < 0 ? r : 0;
}

static void sysctl_fail_key(Op *op, int err, const SysctlKey *k)
{
	switch (err) {
	case -ENOENT:
		op_fail(op, STATUS_NOT_FOUND, "sysctl %s not found", k->key);
		break;
	case -EISDIR:
		op_fail(op, STATUS_INVALID_ARGUMENT, "sysctl %s is a directory, not a key", k->key);
		break;
	case -EACCES:
	case -EPERM:
		op_fail(op, STATUS_PERMISSION_DENIED, "sysctl %s: %s: the key is %s", k->key,
			errno_name(err), k->value ? "not writable" : "not readable");
		break;
	default:
		op_fail_errno(op, err,
			      k->value && k->writing
				      ? op_printf(op, "sysctl %s = \"%.*s\": the kernel refused it",
						  k->key, (int)k->value_len, k->value)
				      : op_printf(op, "sysctl %s", k->key),
			      NULL);
		break;
	}
}

static void sysctl_job_done(void *userdata, int r)
{
	SysctlState *s = userdata;
	Op *op = s->keys[0].op;

	op->pending--;
	if (r < 0) {
		sysctl_close_all(s); /* the job's fds when the namespace closed meanwhile */
		if (s->job_err < 0)
			sysctl_fail_key(op, s->job_err, &s->keys[s->job_idx]);
		else
			op_fail_errno(op, r, "opening sysctls in the namespace", NULL);
	}
	op_continue(op);
}

/* ---- reading and writing on the loop thread */

static void sysctl_submit(SysctlKey *k)
{
	struct io_uring_sqe *sqe = loop_sqe(k->op->ops->loop, &k->lop);

	if (k->writing)
		io_uring_prep_write(sqe, k->fd, k->value, (unsigned)k->value_len, 0);
	else
		io_uring_prep_read(sqe, k->fd, k->buf, SYSCTL_READ_MAX - 1, 0);
	io_uring_sqe_set_data(sqe, &k->lop);
}

static void sysctl_retry(LoopTimer *t)
{
	sysctl_submit(container_of(t, SysctlKey, timer));
}

/* Values equal field by field: "32768\t60999" was written, "32768 60999" may be asked. */
static bool sysctl_value_same(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == '\n')
			a++;
		while (*b == ' ' || *b == '\t' || *b == '\n')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		while (*a && *a != ' ' && *a != '\t' && *a != '\n') {
			if (*a != *b)
				return false;
			a++, b++;
		}
		if (*b && *b != ' ' && *b != '\t' && *b != '\n')
			return false;
	}
}

static void sysctl_key_done(SysctlKey *k, int res)
{
	Op *op = k->op;
	SysctlState *s = op->scratch;

	op->pending--;
	if (res == -EINTR) {
		op_fail(op, STATUS_UNAVAILABLE,
			"sysctl %s: the kernel refused the %s with EINTR (rtnl busy) %u times; "
			"nothing was written",
			k->key, k->writing ? "write" : "read", k->tries);
	} else if (res < 0) {
		sysctl_fail_key(op, res, k);
	} else if (k->writing) {
		if ((size_t)res != k->value_len)
			op_fail(op, STATUS_INTERNAL, "sysctl %s: short write (%d of %zu bytes)",
				k->key, res, k->value_len);
		s->changed = true;
		s->cur++;
	} else {
		k->len = sysctl_value_trim(k->buf, (size_t)res);
		k->buf[k->len] = '\0';
		k->read_done = true;
		if (!s->set)
			s->cur++;
	}
	op_continue(op);
}

/* In a helper thread: the syscall restarts inside the kernel until rtnl's trylock succeeds. */
static int sysctl_sync_job(void *userdata)
{
	SysctlKey *k = userdata;
	ssize_t r;

	do
		r = k->writing ? pwrite(k->fd, k->value, k->value_len, 0)
			       : pread(k->fd, k->buf, SYSCTL_READ_MAX - 1, 0);
	while (r < 0 && errno == EINTR && ++k->tries < SYSCTL_URING_TRIES * 4);
	return r < 0 ? -errno : (int)r;
}

static void sysctl_sync_done(void *userdata, int r)
{
	sysctl_key_done(userdata, r);
}

static void sysctl_io_done(LoopOp *lop, int res, uint32_t cqe_flags)
{
	SysctlKey *k = container_of(lop, SysctlKey, lop);
	Op *op = k->op;
	int r;

	(void)cqe_flags;
	/* -EINTR (and, defensively, the kernel's restart codes): nothing was done; again. */
	if (res == -EINTR || (res <= -512 && res >= -516)) {
		k->tries++;
		log_debug("sysctl %s: %s refused with %d (rtnl busy), again (%u)", k->key,
			  k->writing ? "write" : "read", res, k->tries);
		if (k->tries < SYSCTL_EAGER_TRIES) {
			sysctl_submit(k);
			return;
		}
		if (k->tries < SYSCTL_URING_TRIES) {
			k->timer.cb = sysctl_retry;
			loop_timer_arm(
				op->ops->loop, &k->timer,
				loop_now(op->ops->loop) +
					(SYSCTL_BACKOFF_MIN_NS << (k->tries - SYSCTL_EAGER_TRIES)));
			return;
		}
		log_debug("sysctl %s: handing the %s to a helper thread", k->key,
			  k->writing ? "write" : "read");
		r = netns_run_in(op->ns[0], sysctl_sync_job, sysctl_sync_done, k);
		if (r == 0)
			return;
		res = r;
	}
	sysctl_key_done(k, res);
}

/* One key at a time, in order: later keys may depend on earlier ones (forwarding on "all"
 * before a device's), and the first failure stops the rest. */
static void sysctl_step(Op *op)
{
	SysctlState *s = op->scratch;
	SysctlKey *k;

	if (s->cur == s->n) {
		sysctl_close_all(s);
		/* A key written: the work was not all found done (a CreateNamespace with ensure
		 * that found its namespace has already_done set). */
		if (s->changed)
			op->already_done = false;
		op_then(op, s->next);
		return;
	}
	k = &s->keys[s->cur];
	op_then(op, sysctl_step);
	k->lop.cb = sysctl_io_done;
	k->tries = 0;
	if (!k->read_done && (!s->set || s->ensure)) {
		k->buf = op_alloc(op, SYSCTL_READ_MAX);
		k->writing = false;
	} else if (s->set && s->ensure && sysctl_value_same(k->buf, k->value)) {
		s->cur++; /* already so: nothing to write */
		close(k->fd);
		k->fd = -1;
		sysctl_step(op);
		return;
	} else if (k->inet_type) {
		uint8_t buf[256];
		OpNl *nl;

		/* The same value over rtnetlink: no trylock, so no -EINTR (fact d). */
		s->changed = true;
		s->cur++;
		nl = op_send(op, 0, buf,
			     rtnl_link_set_inet_conf(buf, sizeof(buf), k->ifindex, k->inet_type,
						     k->inet_value),
			     op_printf(op, "sysctl %s = \"%.*s\" (RTM_SETLINK IFLA_INET_CONF)",
				       k->key, (int)k->value_len - 1, k->value));
		if (nl)
			nl->not_found = true;
		return;
	} else {
		k->writing = true;
	}
	op->pending++;
	sysctl_submit(k);
}

static void sysctl_open(Op *op)
{
	SysctlState *s = op->scratch;
	int r;

	for (size_t i = 0; i < s->n; i++)
		s->keys[i].fd = -1;
	r = netns_run_in(op->ns[0], sysctl_job, sysctl_job_done, s);
	if (r < 0) {
		op_fail_errno(op, r, "opening sysctls in the namespace", NULL);
		return;
	}
	op->pending++;
	op_then(op, sysctl_step);
}

static void sysctl_cleanup(Op *op)
{
	SysctlState *s = op->scratch;

	/* A retry timer may still be armed when a failure ends the call. */
	for (size_t i = 0; i < s->n; i++)
		if (loop_timer_armed(&s->keys[i].timer))
			loop_timer_disarm(op->ops->loop, &s->keys[i].timer);
	sysctl_close_all(s);
}

/* The state, in the arena; keys from either a list of names (get) or of Sysctls (set). */
static SysctlState *sysctl_state_new(Op *op, size_t n, bool set, bool ensure, op_step_fn next)
{
	SysctlState *s = op_alloc(op, sizeof(*s));

	s->keys = op_alloc(op, (n ? n : 1) * sizeof(*s->keys));
	s->n = n;
	s->set = set;
	s->ensure = ensure;
	s->next = next;
	for (size_t i = 0; i < n; i++)
		s->keys[i].fd = -1;
	op->scratch = s;
	op->cleanup = sysctl_cleanup;
	return s;
}

static bool sysctl_set_prepare(Op *op, Nsring__V1__Sysctl *const *sysctls, size_t n, bool ensure,
			       op_step_fn next)
{
	SysctlState *s;

	if (!ops_sysctls_check(op, sysctls, n))
		return false;
	s = sysctl_state_new(op, n, true, ensure, next);
	for (size_t i = 0; i < n; i++)
		if (!sysctl_key_prepare(op, &s->keys[i], sysctls[i]->key,
					sysctls[i]->value ? sysctls[i]->value : "",
					op_printf(op, "sysctls[%zu]", i)))
			return false;
	return true;
}

void ops_sysctls_apply(Op *op, Nsring__V1__Sysctl *const *sysctls, size_t n, bool ensure,
		       op_step_fn next)
{
	if (n == 0) {
		op_then(op, next);
		return;
	}
	if (!sysctl_set_prepare(op, sysctls, n, ensure, next))
		return;
	sysctl_open(op);
}

/* ---- the methods */

static void get_sysctl_reply(Op *op)
{
	SysctlState *s = op->scratch;
	Nsring__V1__GetSysctlResponse resp = NSRING__V1__GET_SYSCTL_RESPONSE__INIT;

	resp.n_sysctls = s->n;
	resp.sysctls = op_alloc(op, s->n * sizeof(*resp.sysctls));
	for (size_t i = 0; i < s->n; i++) {
		Nsring__V1__Sysctl *sc = op_alloc(op, sizeof(*sc));

		nsring__v1__sysctl__init(sc);
		sc->key = (char *)s->keys[i].key;
		sc->value = s->keys[i].buf;
		resp.sysctls[i] = sc;
	}
	op_reply(op, &resp.base);
}

void ops_get_sysctl(Op *op)
{
	const Nsring__V1__GetSysctlRequest *req = (void *)op->req;
	SysctlState *s;

	if (req->n_keys == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "keys: at least one key is required");
		return;
	}
	if (req->n_keys > SYSCTL_MAX_KEYS) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "keys: %zu keys, at most %d per call",
			req->n_keys, SYSCTL_MAX_KEYS);
		return;
	}
	s = sysctl_state_new(op, req->n_keys, false, false, get_sysctl_reply);
	for (size_t i = 0; i < req->n_keys; i++)
		if (!sysctl_key_prepare(op, &s->keys[i], req->keys[i], NULL,
					op_printf(op, "keys[%zu]", i)))
			return;
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, sysctl_open);
}

static void set_sysctl_reply(Op *op)
{
	SysctlState *s = op->scratch;
	Nsring__V1__SetSysctlResponse resp = NSRING__V1__SET_SYSCTL_RESPONSE__INIT;

	if (s->ensure && !s->changed)
		op_set_already_done(op);

	resp.n_sysctls = s->n;
	resp.sysctls = op_alloc(op, s->n * sizeof(*resp.sysctls));
	for (size_t i = 0; i < s->n; i++) {
		Nsring__V1__Sysctl *sc = op_alloc(op, sizeof(*sc));

		nsring__v1__sysctl__init(sc);
		sc->key = (char *)s->keys[i].key;
		sc->value = op_strdup(op, s->keys[i].value);
		sc->value[s->keys[i].value_len - 1] = '\0'; /* without the newline */
		resp.sysctls[i] = sc;
	}
	op_reply(op, &resp.base);
}

void ops_set_sysctl(Op *op)
{
	const Nsring__V1__SetSysctlRequest *req = (void *)op->req;

	if (req->n_sysctls == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "sysctls: at least one key is required");
		return;
	}
	if (!sysctl_set_prepare(op, req->sysctls, req->n_sysctls, op_ensure(op), set_sysctl_reply) ||
	    !op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, sysctl_open);
}
