#!/usr/bin/python3
# pyroute2 peer of the nsring benchmark comparison: the workloads of tests/bench/WORKLOADS.md the
# way Python programs do them with pyroute2 (run with Debian's /usr/bin/python3).
import argparse
import json
import os
import sys
import time

from pyroute2 import IPRoute, NetNS, netns


def ns_path(args, fmt, *a):
    return os.path.join(args.netns_dir, fmt % a)


def open_ns(args, path):
    """An RTNL socket in the namespace at path. Default: IPRoute opened inside it with
    pushns/popns (what newer pyroute2's IPRoute(netns=...) does); --netns-class: pyroute2 0.7's
    NetNS(path), which runs the socket in a forked helper process."""
    if args.netns_class:
        return NetNS(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        netns.pushns(fd)
        try:
            return IPRoute()
        finally:
            netns.popns()
    finally:
        os.close(fd)


def veth(args):
    with open_ns(args, ns_path(args, '%s-v', args.prefix)) as ipr:
        for i in range(args.count):
            ipr.link('add', ifname='%s%da' % (args.prefix, i), kind='veth',
                     peer='%s%db' % (args.prefix, i))
    return args.count, 0


def route(args):
    with open_ns(args, ns_path(args, '%s-r', args.prefix)) as ipr:
        idx = ipr.link_lookup(ifname='%s-r0' % args.prefix)[0]
        for i in range(args.count):
            ipr.route('add', dst='198.19.%d.%d/32' % (i // 256, i % 256),
                      gateway='198.18.0.2', oif=idx)
    return args.count, 0


def rule(args):
    with open_ns(args, ns_path(args, '%s-u', args.prefix)) as ipr:
        for i in range(args.count):
            ipr.rule('add', src='198.19.%d.%d' % (i // 256, i % 256), src_len=32, table=100,
                     priority=1000 + i)
    return args.count, 0


def wire(args, create=False):
    n = args.count
    with open_ns(args, ns_path(args, '%s-h', args.prefix)) as h:
        br = h.link_lookup(ifname='%s-br' % args.prefix)[0]
        for i in range(n):
            cpath = ns_path(args, '%s-c%d', args.prefix, i)
            if create:
                netns.create(cpath)
            host = '%s-h%d' % (args.prefix, i)
            h.link('add', ifname=host, kind='veth',
                   peer={'ifname': 'eth0', 'net_ns_fd': cpath})
            hidx = h.link_lookup(ifname=host)[0]
            h.link('set', index=hidx, master=br, state='up')
            with open_ns(args, cpath) as c:
                eth0 = c.link_lookup(ifname='eth0')[0]
                c.link('set', index=eth0, state='up')
                c.link('set', index=c.link_lookup(ifname='lo')[0], state='up')
                c.addr('add', index=eth0, address='198.18.%d.%d' % (1 + i // 256, i % 256),
                       prefixlen=16)
                c.route('add', dst='0.0.0.0/0', gateway='198.18.0.1')
    return 6 * n + (n if create else 0), n


def ns_create_delete(args):
    for i in range(args.count):
        netns.create(ns_path(args, '%s-n%d', args.prefix, i))
    for i in range(args.count):
        netns.remove(ns_path(args, '%s-n%d', args.prefix, i))
    return 2 * args.count, 0


def delete(args):
    with open_ns(args, ns_path(args, '%s-h', args.prefix)) as h:
        for i in range(args.count):
            h.link('del', index=h.link_lookup(ifname='%s-h%d' % (args.prefix, i))[0])
    return args.count, 0


def topo_peer(args, k):
    a = k % args.nodes
    for j in range(k, k + args.nodes):
        b = (j * 7 + 1) % args.nodes
        if b != a:
            return b
    return a


def topo(args):
    socks, paths = [], []
    for v in range(args.nodes):
        p = ns_path(args, '%s-t%d', args.prefix, v)
        netns.create(p)
        paths.append(p)
        socks.append(open_ns(args, p))

    def addr(n):
        n += (198 << 24) | (18 << 16)
        return '%d.%d.%d.%d' % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)

    for k in range(args.links):
        a, b = k % args.nodes, topo_peer(args, k)
        socks[a].link('add', ifname='t%da' % k, kind='veth',
                      peer={'ifname': 't%db' % k, 'net_ns_fd': paths[b]})
        for node, name, me, peer in ((a, 't%da' % k, 2 * k, 2 * k + 1),
                                     (b, 't%db' % k, 2 * k + 1, 2 * k)):
            s = socks[node]
            idx = s.link_lookup(ifname=name)[0]
            s.link('set', index=idx, state='up')
            s.addr('add', index=idx, address=addr(me), prefixlen=31)
            s.route('add', dst='198.19.%d.%d/32' % (k // 256, k % 256), gateway=addr(peer))
    for s in socks:
        s.close()
    return args.nodes + 7 * args.links, 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('-d', '--netns-dir', required=True)
    ap.add_argument('-p', '--prefix', default='nb%d' % os.getpid())
    ap.add_argument('-n', '--count', type=int, default=100)
    ap.add_argument('--nodes', type=int, default=16)
    ap.add_argument('--links', type=int, default=32)
    ap.add_argument('--netns-class', action='store_true',
                    help="use pyroute2's NetNS (a helper process per namespace)")
    ap.add_argument('workload')
    args = ap.parse_args()
    funcs = {
        'veth': veth, 'route': route, 'rule': rule, 'wire': wire,
        'wire-create': lambda a: wire(a, create=True), 'netns': ns_create_delete,
        'delete': delete, 'topo': topo,
    }
    if args.workload not in funcs:
        sys.exit('pyroute2_bench: unsupported workload %s' % args.workload)
    t0 = time.monotonic()
    ops, containers = funcs[args.workload](args)
    s = time.monotonic() - t0
    print(json.dumps({
        'tool': 'pyroute2-netns' if args.netns_class else 'pyroute2',
        'workload': args.workload,
        'count': args.links if args.workload == 'topo' else args.count, 'ops': ops,
        'elapsed_s': s, 'ops_per_s': ops / s,
        'containers_per_s': containers / s if containers else None,
    }))


if __name__ == '__main__':
    main()
