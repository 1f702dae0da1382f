/* CreateLink for tun/tap. The kernel has no rtnetlink create for them: a device made through
 * /dev/net/tun belongs to the namespace of the task that opened it, so a helper thread inside the
 * target namespace (netns_run_in()) opens it, makes the device (TUNSETIFF), sets its owner and
 * group and makes it persistent, and closes it; the loop thread never switches namespace. The
 * other attributes (up, mtu, master, alias...) then go out on the namespace's netlink socket. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/status.h"
#include "netns/netns-pool.h"
#include "ops-internal.h"
#include "ops-linkkind.h"
#include "ops-pb.h"

typedef struct TunJob {
	Op *op;
	RtnlTunSpec spec;
	const char *failed; /* what failed in the helper thread */
	RtnlLink link, master;
} TunJob;

/* In the helper thread, inside the namespace. */
static int tun_run(void *userdata)
{
	TunJob *j = userdata;
	const char *field = NULL;
	struct ifreq ifr;
	char buf[4096];
	int fd, r = 0;

	if (j->spec.owner >= 0) {
		struct passwd pw, *res = NULL;

		if (getpwuid_r((uid_t)j->spec.owner, &pw, buf, sizeof(buf), &res) != 0 || !res) {
			j->failed = "owner";
			return -ESRCH;
		}
	}
	if (j->spec.group >= 0) {
		struct group gr, *res = NULL;

		if (getgrgid_r((gid_t)j->spec.group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
			j->failed = "group";
			return -ESRCH;
		}
	}
	/* TUNSETIFF on the name of a persistent tun/tap attaches to it instead of failing: a
	 * create must find the name free. */
	if (if_nametoindex(j->spec.name) > 0) {
		j->failed = "exists";
		return -EEXIST;
	}
	if (rtnl_tun_ifreq(&j->spec, &ifr, &field) < 0) {
		j->failed = field;
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		j->failed = "open /dev/net/tun";
		return -errno;
	}
	/* A failure after TUNSETIFF leaves nothing: the device is not persistent yet and goes
	 * away with the fd. */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		j->failed = "TUNSETIFF", r = -errno;
	else if (j->spec.owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)j->spec.owner) < 0)
		j->failed = "TUNSETOWNER", r = -errno;
	else if (j->spec.group >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)j->spec.group) < 0)
		j->failed = "TUNSETGROUP", r = -errno;
	else if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		j->failed = "TUNSETPERSIST", r = -errno;
	close(fd);
	return r;
}

static void tun_reply(Op *op)
{
	TunJob *j = op->scratch;
	Nsring__V1__CreateLinkResponse resp = NSRING__V1__CREATE_LINK_RESPONSE__INIT;

	resp.link = op_link_to_pb(op, &j->link);
	op_reply(op, &resp.base);
}

/* The attributes TUNSETIFF cannot set, on the namespace's socket, and the read back. */
static void tun_configure(Op *op)
{
	TunJob *j = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;
	RtnlLinkChange ch = { .name = l->name, .up = l->up ? 1 : -1, .ns_fd = -1 };
	uint8_t buf[1024];

	if (!op_link_attrs_from_pb(op, l, &ch.attrs))
		return;
	if (l->mtu)
		ch.has_mtu = true, ch.mtu = l->mtu;
	if (str_set(l->address))
		ch.has_mac = true, rtnl_mac_parse(l->address, ch.mac);
	if (l->group)
		ch.has_group = true, ch.group = l->group;
	if (str_set(req->master))
		ch.has_master = true, ch.master_index = j->master.index;
	if (ch.up >= 0 || ch.has_mtu || ch.has_mac || ch.has_group || ch.has_master ||
	    op_update_attrs_set(&ch.attrs))
		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "link \"%s\"", l->name));
	op_get_link(op, 0, 0, l->name, &j->link, NULL);
	op_then_final(op, tun_reply);
}

/* On the loop thread, once the helper thread is done. */
static void tun_done(void *userdata, int r)
{
	TunJob *j = userdata;
	Op *op = j->op;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const char *name = req->link->name;

	op->pending--;
	if (r == -ESRCH && j->failed)
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link.tun.%s %u: no such %s",
			j->failed,
			strcmp(j->failed, "owner") == 0 ? req->link->tun->owner
							: req->link->tun->group,
			strcmp(j->failed, "owner") == 0 ? "user" : "group");
	else if (r == -EEXIST && j->failed && strcmp(j->failed, "exists") == 0)
		op_fail(op, STATUS_ALREADY_EXISTS, "create link \"%s\": a link of that name exists",
			name);
	else if (r == -EINVAL && j->failed && !strchr(j->failed, ' ') && j->failed[0] != 'T')
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link.tun.%s", j->failed);
	else if (r < 0)
		op_fail_errno(op, r,
			      op_printf(op, "create %s \"%s\": %s",
					req->link->tun->tap ? "tap" : "tun", name,
					j->failed ? j->failed : "entering the namespace"),
			      NULL);
	op_continue(op);
}

static void tun_start(Op *op)
{
	TunJob *j = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	int r;

	if (str_set(req->master) && !op_master_kind_ok(j->master.kind)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"invalid master \"%s\": it is a %s link, not a master (bridge, bond or "
			"vrf)",
			j->master.name, j->master.kind[0] ? j->master.kind : "kind-less");
		return;
	}
	r = netns_run_in(op->ns[0], tun_run, tun_done, j);
	if (r < 0) {
		op_fail_errno(op, r, op_printf(op, "create tun/tap \"%s\"", req->link->name), NULL);
		return;
	}
	op->pending++;
	op_then(op, tun_configure);
}

static void tun_resolve(Op *op)
{
	TunJob *j = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;

	if (str_set(req->master))
		op_get_link(op, 0, 0, req->master, &j->master, NULL);
	op_then(op, tun_start);
}

bool ops_tun_validate(Op *op, const Nsring__V1__Link *l)
{
	const Nsring__V1__Tun *t = l->tun;
	RtnlTunSpec spec = { .name = l->name, .owner = -1, .group = -1 };
	const char *field = NULL;
	struct ifreq ifr;
	RtnlLinkAttrs a;

	if (!t->persistent) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"invalid link.tun.persistent: must be true (a tun/tap made by nsringd is "
			"persistent: nothing would hold it open)");
		return false;
	}
	if (t->set_owner_case)
		spec.owner = t->owner;
	if (t->set_group_case)
		spec.group = t->group;
	if (rtnl_tun_ifreq(&spec, &ifr, &field) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link.tun.%s",
			field ? field : "flags");
		return false;
	}
	return op_link_attrs_from_pb(op, l, &a);
}

void ops_create_tun(Op *op)
{
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Tun *t = req->link->tun;
	TunJob *j = op_alloc(op, sizeof(*j));

	j->op = op;
	j->spec = (RtnlTunSpec){ .name = req->link->name,
				 .tap = t->tap,
				 .multi_queue = t->multi_queue,
				 .no_pi = !t->pi,
				 .vnet_hdr = t->vnet_hdr,
				 .owner = t->set_owner_case ? (int64_t)t->owner : -1,
				 .group = t->set_group_case ? (int64_t)t->group : -1 };
	op->scratch = j;
	op_then(op, tun_resolve);
}
