/* test-ensure.sh's state dump: the links, addresses and routes of wire namespaces, read from the
 * kernel (not through nsringd) and printed without what differs between two identical runs
 * (ifindexes, random MACs, IPv6 link-local addresses, the run's name prefix), so two runs compare
 * with diff.
 *   ensure-state NETNS_DIR PREFIX N   PREFIX-h then PREFIX-c0 .. PREFIX-c{N-1}; names that start
 *                                     with PREFIX print as "P" instead. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtnl/rtnl.h"

#define STATE_MAX_LINKS 4096

static const char *prefix;
static RtnlLink links[STATE_MAX_LINKS];
static size_t nlinks;

/* PREFIX-x -> P-x */
static const char *norm(const char *name, char *buf, size_t size)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) == 0)
		snprintf(buf, size, "P%s", name + n);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

static const char *link_name(uint32_t index)
{
	for (size_t i = 0; i < nlinks; i++)
		if (links[i].index == index)
			return links[i].name;
	return "?";
}

typedef struct Dump {
	int what;
	char *lines[STATE_MAX_LINKS * 4];
	size_t n;
} Dump;

static Dump out;

static void add_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_line(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (out.n < sizeof(out.lines) / sizeof(out.lines[0]))
		out.lines[out.n++] = s;
	else
		free(s);
}

static bool link_local6(const RtnlIp *ip)
{
	return ip->family == AF_INET6 && ip->bytes[0] == 0xfe && (ip->bytes[1] & 0xc0) == 0x80;
}

static int on_msg(const struct nlmsghdr *nlh, void *userdata)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], n1[64], n2[64];
	int *done = userdata;

	(void)b;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		*done = 1;
		return 0;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		*done = -1;
		return 0;
	}
	if (nlh->nlmsg_type == RTM_NEWLINK && nlinks < STATE_MAX_LINKS) {
		if (rtnl_link_parse(nlh, &links[nlinks]) == 0)
			nlinks++;
	} else if (nlh->nlmsg_type == RTM_NEWADDR) {
		RtnlAddr ad;

		if (rtnl_addr_parse(nlh, &ad) < 0 || link_local6(&ad.addr))
			return 0;
		add_line("addr %s %s/%u scope %u brd %s", norm(link_name(ad.index), n1, sizeof(n1)),
			 rtnl_ip_format(&ad.addr, a, sizeof(a)), ad.prefix_len, ad.scope,
			 ad.broadcast.family ? rtnl_ip_format(&ad.broadcast, c, sizeof(c)) : "-");
	} else if (nlh->nlmsg_type == RTM_NEWROUTE) {
		RtnlRoute rt;

		if (rtnl_route_parse(nlh, &rt) < 0 || link_local6(&rt.dst) ||
		    (rt.family == AF_INET6 && rt.dst.family && rt.dst.bytes[0] == 0xff))
			return 0;
		add_line("route table %u %s/%u via %s dev %s proto %u scope %u type %u metric %u "
			 "src %s",
			 rt.table,
			 rt.dst.family ? rtnl_ip_format(&rt.dst, a, sizeof(a)) : "default",
			 rt.dst_len,
			 rt.gateway.family ? rtnl_ip_format(&rt.gateway, c, sizeof(c)) : "-",
			 rt.oif ? norm(link_name(rt.oif), n1, sizeof(n1)) : "-", rt.protocol,
			 rt.scope, rt.type, rt.priority,
			 rt.prefsrc.family ? rtnl_ip_format(&rt.prefsrc, n2, sizeof(n2)) : "-");
	}
	return 0;
}

static int dump(int fd, const void *req, int len)
{
	static char buf[1 << 16] __attribute__((aligned(4)));
	int done = 0;

	if (len < 0 || send(fd, req, (size_t)len, 0) != len)
		return -1;
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			return -1;
		if (rtnl_walk(buf, (size_t)n, on_msg, &done) < 0)
			return -1;
	}
	return done == 1 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ns_state(const char *dir, const char *ns, int self_fd)
{
	char path[4096], n1[64], n2[64];
	uint8_t req[512];
	int nsfd, fd;

	snprintf(path, sizeof(path), "%s/%s", dir, ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		printf("%s: missing\n", norm(ns, n1, sizeof(n1)));
		if (nsfd >= 0)
			close(nsfd);
		return 0;
	}
	close(nsfd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(self_fd, CLONE_NEWNET) < 0 || fd < 0)
		return -1;
	nlinks = 0;
	out.n = 0;
	if (dump(fd, req, rtnl_link_dump(req, sizeof(req), 0, NULL)) < 0 ||
	    dump(fd, req, rtnl_addr_dump(req, sizeof(req), AF_UNSPEC, 0)) < 0 ||
	    dump(fd, req, rtnl_route_dump(req, sizeof(req), AF_UNSPEC)) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < nlinks; i++) {
		const RtnlLink *l = &links[i];

		add_line("link %s kind %s mtu %u %s master %s group %u peer %s",
			 norm(l->name, n1, sizeof(n1)), l->kind[0] ? l->kind : "-", l->mtu,
			 l->flags & IFF_UP ? "UP" : "DOWN",
			 l->master ? norm(link_name(l->master), n2, sizeof(n2)) : "-", l->group,
			 strcmp(l->kind, "veth") == 0
				 ? (l->link_netnsid >= 0 ? "elsewhere" : "here")
				 : "-");
	}
	qsort(out.lines, out.n, sizeof(out.lines[0]), cmp);
	for (size_t i = 0; i < out.n; i++) {
		printf("%s: %s\n", norm(ns, n1, sizeof(n1)), out.lines[i]);
		free(out.lines[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char ns[256];
	int self_fd, n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s NETNS_DIR PREFIX N\n", argv[0]);
		return 2;
	}
	prefix = argv[2];
	n = atoi(argv[3]);
	self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_fd < 0)
		return 1;
	snprintf(ns, sizeof(ns), "%s-h", prefix);
	if (ns_state(argv[1], ns, self_fd) < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		snprintf(ns, sizeof(ns), "%s-c%d", prefix, i);
		if (ns_state(argv[1], ns, self_fd) < 0)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "ensure-state: dumping failed: %s\n", strerror(errno));
	return 1;
}
