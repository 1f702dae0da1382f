#!/usr/bin/python3
"""Writes the seed corpora of the fuzz-ttrpc, fuzz-h2 and fuzz-request harnesses.

    tests/fuzz/gen-corpus.py [--capture] [OUTDIR]   (default: tests/fuzz/corpus)

Each file starts with the harness's scenario byte (see the harness's header comment). Requests
are built from proto/ with protoc and python3-protobuf; HTTP/2 input is framed here (HPACK
literals, no Huffman). --capture also records what python3-grpcio really sends (Huffman,
indexed headers, WINDOW_UPDATEs) for a few calls. Deterministic without --capture; the
committed corpus is this output plus entries the fuzzers found (merged with -merge=1)."""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import nsring_ttrpc  # noqa: E402
PROTO = os.path.join(HERE, "..", "..", "proto")
PROTOS = ["nsring/v1/nsring.proto", "nsring/v1/socket.proto", "ttrpc/ttrpc.proto", "grpc/health/v1/health.proto",
          "grpc/reflection/v1/reflection.proto"]
# fuzz-request.c's method table, in order.
METHODS = ["CreateNamespace", "DeleteNamespace", "ListNamespaces", "CreateLink", "GetLink",
           "ListLinks", "UpdateLink", "DeleteLink", "CreateAddress", "DeleteAddress",
           "ListAddresses", "CreateRoute", "DeleteRoute", "ListRoutes", "Batch", "Watch", "",
           "NoSuchMethod", "OpenSocket", "OpenNamespace", "Netlink", "GetSysctl", "SetSysctl",
           "CreateQdisc", "DeleteQdisc", "ListQdiscs", "CreateClass", "DeleteClass", "ListClasses",
           "CreateFilter", "DeleteFilter", "ListFilters",
           "UpdateBridgePort", "CreateBridgeVlan", "DeleteBridgeVlan", "ListBridgeVlans",
           "CreateNeighbor", "DeleteNeighbor", "ListNeighbors", "CreateFdbEntry",
           "DeleteFdbEntry", "ListFdbEntries",
           "GetRoute", "CreateRule", "DeleteRule", "ListRules", "CreateNexthop", "DeleteNexthop",
           "ListNexthops"]
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def load_messages():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        subprocess.run(["protoc", "-I" + PROTO, "--include_imports",
                        "--descriptor_set_out=" + out] + PROTOS, check=True)
        fds = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)

    def msg(name, fields=None):
        cls = message_factory.MessageFactory(pool).GetPrototype(
            pool.FindMessageTypeByName(name))
        return json_format.ParseDict(fields or {}, cls()).SerializeToString()
    return msg


MSG = load_messages()


def req(method, fields=None):
    return MSG("nsring.v1.%sRequest" % method, fields)


def _nl(length, typ, flags, seq, body):
    import base64
    return base64.b64encode(struct.pack("=IHHII", length, typ, flags, seq, 0) + body).decode()


# Netlink messages (base64, as json_format takes bytes): requests and ones that lie.
NL_GETLINK = _nl(32, 18, 0x301, 1, bytes(16))
NL_GETNETCONF = _nl(20, 82, 0x301, 2, b"\x02\0\0\0")
NL_GETFAMILY = _nl(32, 16, 0x5, 3, b"\x03\x01\0\0" + struct.pack("=HH", 11, 2) + b"nlctrl\0\0")
NL_NEWLINK_BAD = _nl(32, 16, 0x405, 4, bytes(16))
NL_LIAR = _nl(4096, 18, 0x301, 5, bytes(16))


# Valid and near-valid requests per method: names, refs of each kind, every link kind, v4 and
# v6, bad addresses and prefixes, limits.
REQUESTS = {
    "CreateNamespace": [{"name": "fz0"}, {"name": ""}, {"name": "a/b"}, {"name": ".."},
                        {"name": "x" * 300},
                        {"name": "fz1", "sysctls": [{"key": "net.ipv4.ip_forward", "value": "1"},
                                                    {"key": "net.ipv6.conf.all.accept_ra",
                                                     "value": "0"}]},
                        {"name": "fz2", "sysctls": [{"key": "kernel.hostname", "value": "1"}]}],
    "DeleteNamespace": [{"name": "fz0"}, {"name": "."}, {"name": "nope"}],
    "ListNamespaces": [{}],
    "CreateLink": [
        {"link": {"name": "d0", "dummy": {}}},
        {"link": {"name": "d1", "dummy": {}, "mtu": 9000, "address": "02:00:00:00:00:01",
                  "up": True, "group": 3}},
        {"link": {"name": "v0", "veth": {"peerName": "v1"}}},
        {"link": {"name": "v0", "veth": {"peerName": "v1", "peerNamespace": {"name": "fz0"}}}},
        {"link": {"name": "br0", "bridge": {}}},
        {"link": {"name": "d2", "dummy": {}}, "master": "br0"},
        {"link": {"name": "vx0", "vxlan": {"vni": 42, "port": 4789, "local": "198.18.0.1",
                                           "remote": "198.18.0.2"}}},
        {"link": {"name": "vx1", "vxlan": {"vni": 16777216, "group": "239.1.1.1", "dev": "lo"}}},
        {"link": {"name": "mv0", "macvlan": {"parent": "lo", "mode": "MACVLAN_MODE_BRIDGE"}}},
        {"link": {"name": "ifb0", "ifb": {}}},
        {"link": {"name": "", "dummy": {}}},
        {"link": {"name": "bad name", "dummy": {}}},
        {"link": {"name": "d3"}},
        {"link": {"name": "d4", "dummy": {}, "address": "zz:00"}},
        {"namespace": {"path": "/proc/1/ns/net"}, "link": {"name": "d5", "dummy": {}}},
        {"namespace": {"pid": 1}, "link": {"name": "d6", "dummy": {}}},
        {"namespace": {"name": "fz0"}, "link": {"name": "d7", "dummy": {}}},
        {"link": {"name": "vl0", "vlan": {"parent": "lo", "id": 10, "protocol": "802.1ad"}}},
        {"link": {"name": "vl1", "vlan": {"parent": "lo", "id": 4095}}},
        {"link": {"name": "vrf0", "vrf": {"table": 10}}},
        {"link": {"name": "bo0", "bond": {"mode": "802.3ad", "miimon": 100, "lacpRate": "fast",
                                          "xmitHashPolicy": "layer3+4"}}},
        {"link": {"name": "bo1", "bond": {"mode": "nosuch"}}},
        {"link": {"name": "iv0", "ipvlan": {"parent": "lo", "mode": "l3s"}}},
        {"link": {"name": "mt0", "macvtap": {"parent": "lo", "mode": "bridge"}}},
        {"link": {"name": "gn0", "geneve": {"id": 7, "remote": "2001:db8::2", "port": 6081}}},
        {"link": {"name": "gr0", "gre": {"local": "198.18.0.1", "remote": "198.18.0.2",
                                         "ttl": 64, "ikey": 1, "okey": 2}}},
        {"link": {"name": "gr1", "ip6gre": {"local": "198.18.0.1", "remote": "2001:db8::2"}}},
        {"link": {"name": "gr2", "sit": {"remote": "198.18.0.2", "ikey": 3, "dev": "lo"}}},
        {"link": {"name": "wg0", "wireguard": {}}},
        {"link": {"name": "br1", "bridge": {"vlanFiltering": True, "vlanProtocol": "802.1ad",
                                            "defaultPvid": 10, "stpState": 1,
                                            "ageingTime": 30000, "forwardDelay": 1500,
                                            "mcastSnooping": False}}},
        {"link": {"name": "a0", "veth": {"peerName": "a1"}, "alias": "x", "txqlen": 10,
                  "promisc": True, "allmulti": False, "multicast": True, "arp": False,
                  "addrGenMode": "none"}},
        {"link": {"name": "t0", "tun": {"tap": True}}},
    ],
    "GetLink": [{"name": "lo"}, {"index": 1}, {"name": "nope"}, {"index": 4294967295},
                {"namespace": {"path": "relative"}, "name": "lo"}, {}],
    "ListLinks": [{}, {"kind": "dummy"}, {"master": "br0"}, {"namespace": {"pid": -1}},
                  {"stats": True}],
    "UpdateLink": [{"name": "lo", "up": True}, {"name": "lo", "mtu": 1280},
                   {"index": 1, "address": "02:00:00:00:00:02"}, {"name": "lo", "newName": "lo2"},
                   {"name": "lo", "master": "br0"}, {"name": "lo", "group": 7},
                   {"name": "lo", "moveTo": {"name": "fz0"}}, {"name": "lo", "mtu": 0},
                   {"name": "lo", "alias": "a", "txqlen": 5, "promisc": True, "allmulti": True,
                    "multicast": False, "arp": False, "addrGenMode": "random"},
                   {"name": "lo", "bridge": {"stpState": 1}}],
    "UpdateBridgePort": [{"name": "lo", "port": {"hairpin": True, "isolated": False,
                                                 "cost": 5, "priority": 3}},
                         {"name": "lo", "port": {}}, {"name": "lo", "port": {"priority": 64}},
                         {"index": 1, "port": {"learning": False}, "ensure": True}],
    "CreateBridgeVlan": [{"dev": "lo", "vlan": {"vid": 10, "pvid": True, "untagged": True}},
                         {"dev": "lo", "vlan": {"vid": 10, "vidEnd": 20},
                          "target": "BRIDGE_VLAN_TARGET_SELF", "ensure": True},
                         {"dev": "lo", "vlan": {"vid": 4095}}, {"dev": "lo"}],
    "DeleteBridgeVlan": [{"dev": "lo", "vlan": {"vid": 10}, "ensure": True},
                         {"devIndex": 1, "vlan": {"vid": 20, "vidEnd": 10}}],
    "ListBridgeVlans": [{}, {"dev": "lo"}],
    "DeleteLink": [{"name": "d0"}, {"index": 1}, {"name": ""}],
    "CreateAddress": [
        {"address": {"linkName": "lo", "address": "198.18.1.3", "prefixLen": 24}},
        {"address": {"linkIndex": 1, "address": "2001:db8::1", "prefixLen": 64, "scope": 253}},
        {"address": {"linkName": "lo", "address": "198.18.1.3", "prefixLen": 33}},
        {"address": {"linkName": "lo", "address": "198.18.1.300", "prefixLen": 8}},
        {"address": {"linkName": "lo", "address": "198.18.9.9", "prefixLen": 24,
                     "broadcast": "198.18.9.255", "flags": 128}},
        {"address": {"linkName": "nope", "address": "198.18.1.3", "prefixLen": 24}},
        {},
    ],
    "DeleteAddress": [{"address": {"linkName": "lo", "address": "198.18.1.3", "prefixLen": 24}},
                      {"address": {"linkName": "lo", "address": "::1", "prefixLen": 128}}],
    "ListAddresses": [{}, {"linkName": "lo"}, {"family": 4}, {"family": 6}, {"family": 9}],
    "CreateRoute": [
        {"route": {"destination": "198.18.20.0/24", "dev": "lo"}},
        {"route": {"destination": "198.18.20.0/24", "gateway": "127.0.0.2", "metric": 10}},
        {"route": {"destination": "2001:db8:1::/64", "dev": "lo", "table": 100}, "replace": True},
        {"route": {"destination": "default", "dev": "lo", "family": 6}},
        {"route": {"destination": "198.18.30.0/24", "type": 6}},
        {"route": {"destination": "198.18.40.0/33", "dev": "lo"}},
        {"route": {"destination": "198.18.50.0/24", "dev": "lo", "scope": 253, "protocol": 4,
                   "prefsrc": "127.0.0.1"}},
        {"route": {"destination": "198.18.60.0/24", "devIndex": 1}},
        {},
    ],
    "DeleteRoute": [{"route": {"destination": "198.18.20.0/24", "dev": "lo"}},
                    {"route": {"destination": "2001:db8:1::/64", "table": 100}}],
    "ListRoutes": [{}, {"family": 4}, {"family": 6, "table": 255}, {"table": 100}],
    "Batch": [
        {"ops": [{"createLink": {"link": {"name": "b0", "dummy": {}}}},
                 {"createAddress": {"address": {"linkName": "b0", "address": "198.18.7.1",
                                                "prefixLen": 24}}},
                 {"updateLink": {"name": "b0", "up": True}},
                 {"createRoute": {"route": {"destination": "198.18.8.0/24",
                                            "gateway": "198.18.7.2"}}},
                 {"getLink": {"name": "b0"}},
                 {"deleteLink": {"name": "b0"}}]},
        {"mode": "BATCH_MODE_CONTINUE",
         "ops": [{"createNamespace": {"name": "fzb"}},
                 {"createLink": {"namespace": {"name": "fzb"},
                                 "link": {"name": "v0", "veth": {"peerName": "v1"}}}},
                 {"deleteLink": {"name": "nope"}},
                 {"createLink": {"namespace": {"name": "fzb"},
                                 "link": {"name": "d0", "dummy": {}}}},
                 {"deleteNamespace": {"name": "fzb"}}]},
        {"ops": [{"deleteLink": {"name": "nope"}}, {"createLink": {"link": {"name": "b1",
                                                                            "dummy": {}}}}]},
        {"ops": [{}]},
        {"ops": []},
        {"mode": "BATCH_MODE_CONTINUE", "ensure": True,
         "ops": [{"createNamespace": {"name": "fzs", "sysctls": [
                     {"key": "net.ipv4.ip_forward", "value": "1"}]}},
                 {"setSysctl": {"namespace": {"name": "fzs"}, "sysctls": [
                     {"key": "net.ipv6.conf.all.disable_ipv6", "value": "1"}]}},
                 {"getSysctl": {"namespace": {"name": "fzs"}, "keys": ["net.ipv4.ip_forward"]}},
                 {"deleteNamespace": {"name": "fzs"}}]},
    ],
    "Watch": [{}],
    "GetSysctl": [{"keys": ["net.ipv4.ip_forward"]},
                  {"keys": ["net.ipv4.conf.lo.rp_filter", "net/ipv6/conf/all/forwarding"]},
                  {"keys": ["kernel.hostname"]}, {"keys": ["net/../../kernel/hostname"]},
                  {"keys": ["net.ipv4.no_such_key"]}, {"keys": ["net.ipv4"]}, {"keys": []},
                  {"namespace": {"name": "fz0"}, "keys": ["net.ipv4.ip_forward"]}],
    "SetSysctl": [{"sysctls": [{"key": "net.ipv4.ip_forward", "value": "1"}]},
                  {"sysctls": [{"key": "net.ipv4.conf.lo.rp_filter", "value": "2"},
                               {"key": "net.ipv6.conf.lo.accept_ra", "value": "0"}],
                   "ensure": True},
                  {"sysctls": [{"key": "net.ipv4.ip_local_port_range",
                                "value": "20000\t30000"}]},
                  {"sysctls": [{"key": "net.ipv6.conf.all.addr_gen_mode", "value": "9"}]},
                  {"sysctls": [{"key": "net.ipv4.ip_forward", "value": "x\u0001"}]},
                  {"sysctls": [{"key": "kernel.hostname", "value": "x"}]},
                  {"sysctls": [{"key": "net.ipv4.conf.all.mc_forwarding", "value": "1"}]},
                  {"sysctls": []}],
    # traffic control on lo: every kind, the modes, and values out of range
    "CreateQdisc": [
        {"qdisc": {"linkName": "lo", "tbf": {"rate": 1000000, "burst": 4096, "latencyUs": 50000}}},
        {"qdisc": {"linkName": "lo", "tbf": {"rate": 5000000000, "burst": 1048576,
                                             "limit": 2097152}}, "mode": "TC_MODE_REPLACE"},
        {"qdisc": {"linkName": "lo", "tbf": {"rate": 1000000, "burst": 4096}}},
        {"qdisc": {"linkName": "lo", "handle": "1:", "htb": {"defaultClass": 16}}},
        {"qdisc": {"linkName": "lo", "netem": {"delayNs": "100000000", "jitterNs": "10000000",
                                               "loss": 1.5, "reorder": 25, "rate": "125000",
                                               "slotMinNs": "10000000"}}},
        {"qdisc": {"linkName": "lo", "netem": {"loss": 101}}},
        {"qdisc": {"linkName": "lo", "parent": "1:10", "handle": "10:", "pfifo": {"limit": 50}}},
        {"qdisc": {"linkName": "lo", "bfifo": {"limit": 10240}}, "mode": "TC_MODE_CHANGE"},
        {"qdisc": {"linkName": "lo", "fqCodel": {"limit": 1024, "ecn": True}}},
        {"qdisc": {"linkName": "lo", "prio": {"bands": 3, "priomap": [1] * 16}}},
        {"qdisc": {"linkName": "lo", "prio": {"bands": 17}}},
        {"qdisc": {"linkName": "lo", "sfq": {"perturbS": 10}}},
        {"qdisc": {"linkName": "lo", "ingress": {}}, "ensure": True},
        {"qdisc": {"linkName": "lo", "clsact": {}}},
        {"qdisc": {"linkName": "lo", "handle": "zz:", "tbf": {}}},
        {"qdisc": {"linkName": "nope", "parent": "ingress", "htb": {}}},
        {"qdisc": {"linkName": "lo"}},
        {"mode": 7},
    ],
    "DeleteQdisc": [{"qdisc": {"linkName": "lo"}}, {"qdisc": {"linkName": "lo", "parent": "ingress"}},
                    {"qdisc": {"linkName": "lo", "clsact": {}}, "ensure": True},
                    {"qdisc": {"linkIndex": 1, "parent": "ffff:ffff:"}}],
    "ListQdiscs": [{}, {"linkName": "lo", "stats": True}, {"linkName": "bad/name"}],
    "CreateClass": [
        {"tclass": {"linkName": "lo", "classid": "1:10", "parent": "1:",
                    "htb": {"rate": 1000000, "ceil": 2000000, "prio": 2}}},
        {"tclass": {"linkName": "lo", "classid": "1:20", "parent": "1:",
                    "htb": {"rate": 1250000000, "ceil": 5000000000}}, "ensure": True},
        {"tclass": {"linkName": "lo", "classid": "1:", "parent": "1:", "htb": {"rate": 1}}},
        {"tclass": {"linkName": "lo", "classid": "2:10", "parent": "1:", "htb": {"rate": 1}}},
        {"tclass": {"linkName": "lo", "classid": "1:30", "parent": "1:", "htb": {"prio": 9}}},
    ],
    "DeleteClass": [{"tclass": {"linkName": "lo", "classid": "1:10"}},
                    {"tclass": {"linkName": "lo", "classid": "x"}, "ensure": True}],
    "ListClasses": [{"linkName": "lo", "stats": True}, {}],
    "CreateFilter": [
        {"filter": {"linkName": "lo", "parent": "ffff:", "prio": 1, "protocol": "all",
                    "u32": {}, "actions": [{"mirred": {"redirect": True, "dev": "lo"}}]}},
        {"filter": {"linkName": "lo", "parent": "1:", "prio": 1, "protocol": "ip",
                    "classid": "1:10", "u32": {"keys": [{"ipDst": "198.18.0.0/15"},
                                                         {"ipSrc": "198.18.1.3"}]}}},
        {"filter": {"linkName": "lo", "parent": "ffff:", "protocol": "ip", "u32": {"keys": [
            {"value": 6, "mask": 255, "offset": 8}]},
            "actions": [{"gact": "TC_VERDICT_DROP"},
                        {"police": {"rate": 125000, "burst": 10240,
                                    "exceed": "TC_VERDICT_DROP"}}]}, "ensure": True},
        {"filter": {"linkName": "lo", "parent": "ingress", "matchall": {},
                    "actions": [{"gact": "TC_VERDICT_PASS"}]}},
        {"filter": {"linkName": "lo", "parent": "egress", "protocol": "ip", "flower": {
            "ipProto": 6, "srcIp": "198.18.0.1", "dstIp": "198.18.1.0/24", "dstPort": 80}}},
        {"filter": {"linkName": "lo", "parent": "egress", "flower": {"dstPort": 80}}},
        {"filter": {"linkName": "lo", "parent": "ingress", "bpf": {"name": "p"}}},
        {"filter": {"linkName": "lo", "parent": "ffff:", "u32": {"keys": [{"offset": 3}]}}},
        {"filter": {"linkName": "lo", "parent": "ffff:", "protocol": "0x12345", "u32": {}}},
        {"filter": {"linkName": "lo", "parent": "ffff:", "u32": {},
                    "actions": [{}, {}, {}, {}, {}]}},
        {"filter": {"linkName": "lo", "parent": "ffff:", "u32": {},
                    "actions": [{"mirred": {"dev": "nope"}}]}},
        {"filter": {"linkName": "lo"}},
    ],
    "DeleteFilter": [{"filter": {"linkName": "lo", "parent": "ffff:", "prio": 1}},
                     {"filter": {"linkName": "lo", "parent": "ffff:", "prio": 1,
                                 "handle": "800::800", "u32": {}}, "ensure": True},
                     {"filter": {"linkName": "lo", "parent": "ffff:", "handle": "1"}}],
    "ListFilters": [{"linkName": "lo", "parent": "ingress"}, {"linkName": "lo"},
                    {"linkName": "lo", "parent": "bad"}],
    "": [{}],
    "NoSuchMethod": [{}],
    "OpenSocket": [
        {"socket": {"domain": 2, "type": 1}},
        {"socket": {"domain": 10, "type": 2 | 2048}},
        {"socket": {"domain": 1, "type": 5}},
        {"socket": {"domain": 16, "type": 3, "protocol": 16}},
        {"socket": {"domain": 17, "type": 2, "protocol": 768}},
        {"socket": {"domain": 16, "type": 3, "protocol": 40}},
        {"socket": {"domain": 31, "type": 1}},
        {"socket": {"domain": 2, "type": 7}},
        {"socket": {"domain": 2, "type": 1, "protocol": 17}},
        {"namespace": {"name": "nope"}, "socket": {"domain": 2, "type": 2}},
        {},
    ],
    "OpenNamespace": [{}, {"namespace": {"pid": 1}}, {"namespace": {"name": "nope"}},
                      {"namespace": {"path": "/proc/self/ns/net"}}],
    "Netlink": [
        # RTM_GETLINK dump; RTM_GETNETCONF dump; genl CTRL_CMD_GETFAMILY "nlctrl"; two at once
        {"protocol": 0, "messages": NL_GETLINK},
        {"protocol": 0, "messages": NL_GETNETCONF, "timeoutMs": 500, "portid": 7},
        {"protocol": 16, "messages": NL_GETFAMILY},
        {"protocol": 16, "messages": NL_GETFAMILY + NL_GETFAMILY},
        {"protocol": 0, "messages": NL_NEWLINK_BAD},
        {"protocol": 9, "messages": NL_GETLINK},
        {"protocol": 0, "messages": ""},
        {"protocol": 0, "messages": NL_LIAR},
        {"protocol": 0, "messages": NL_GETLINK, "timeoutMs": 70000},
        {"protocol": 4, "messages": NL_GETLINK},
    ],
    "CreateNeighbor": [
        {"neighbor": {"dev": "lo", "address": "198.18.9.2", "lladdr": "02:00:00:00:00:02"}},
        {"neighbor": {"dev": "lo", "address": "2001:db8:9::2", "lladdr": "2:0:0:0:0:3", "router": True,
                      "state": 4}, "replace": True},
        {"neighbor": {"dev": "lo", "address": "198.18.9.3", "proxy": True}, "ensure": True},
        {"neighbor": {"dev": "lo", "address": "198.18.9.4", "lladdr": "zz:00"}},
        {"neighbor": {"devIndex": 1, "address": "198.18.9.5", "state": 256}},
    ],
    "DeleteNeighbor": [{"neighbor": {"dev": "lo", "address": "198.18.9.2"}, "ensure": True},
                       {"neighbor": {"address": "198.18.9.2"}}],
    "ListNeighbors": [{}, {"family": 6, "dev": "lo"}, {"proxy": True}, {"nudMask": 191}],
    "CreateFdbEntry": [
        {"entry": {"dev": "lo", "mac": "02:00:00:00:01:01", "master": True, "state": 2}},
        {"entry": {"dev": "lo", "mac": "00:00:00:00:00:00", "dst": "198.18.9.9", "vni": 5,
                   "port": 4790}, "append": True},
        {"entry": {"dev": "lo", "mac": "02:00:00:00:01", "vlan": 4095}},
        {"entry": {"dev": "lo", "mac": "02:00:00:00:01:02"}, "append": True, "replace": True},
    ],
    "DeleteFdbEntry": [{"entry": {"dev": "lo", "mac": "02:00:00:00:01:01", "self": True},
                        "ensure": True}],
    "ListFdbEntries": [{}, {"dev": "lo"}, {"bridge": "nope"}],
    "GetRoute": [{"destination": "127.0.0.1"}, {"destination": "::1", "oif": "lo"},
                 {"destination": "198.18.1.1", "from": "127.0.0.1", "iif": "lo", "mark": 3},
                 {"destination": "127.0.0.1", "fibMatch": True}, {"destination": "nope"},
                 {"destination": "198.18.1.1", "iif": "lo"}, {}],
    "CreateRule": [
        {"rule": {"from": "198.18.10.0/24", "table": 100, "priority": 1000}},
        {"rule": {"family": 6, "to": "2001:db8::/32", "table": 254, "invert": True}},
        {"rule": {"fwmark": 16, "fwmask": 255, "iif": "lo", "oif": "lo", "ipproto": 6,
                  "sport": {"start": 1000, "end": 2000}, "dport": {"start": 80},
                  "table": 300, "suppressPrefixlength": 0}},
        {"rule": {"priority": 10, "action": "RULE_ACTION_GOTO", "gotoPriority": 20}},
        {"rule": {"action": "RULE_ACTION_BLACKHOLE", "table": 5}},
        {"rule": {"l3mdev": True, "priority": 1000}},
        {"rule": {"from": "198.18.10.0/24", "to": "2001:db8::/32", "table": 1}},
        {"rule": {"dport": {"start": 90, "end": 80}, "table": 1}},
        {"rule": {}}, {},
    ],
    "DeleteRule": [{"rule": {"priority": 1000}}, {"rule": {"family": 6, "table": 100}},
                   {"rule": {"from": "198.18.10.0/24", "action": "RULE_ACTION_PROHIBIT"}}],
    "ListRules": [{}, {"family": 4}, {"family": 6}, {"family": 7}],
    "CreateNexthop": [
        {"nexthop": {"id": 1, "gateway": "127.0.0.2", "dev": "lo"}},
        {"nexthop": {"id": 2, "gateway": "2001:db8::2", "dev": "lo", "onlink": True}},
        {"nexthop": {"id": 3, "blackhole": True}},
        {"nexthop": {"id": 10, "group": [{"id": 1}, {"id": 3, "weight": 5}]}},
        {"nexthop": {"id": 11, "group": [{"id": 1}], "resilientBuckets": 8}},
        {"nexthop": {"id": 12, "group": [{"id": 12}]}},
        {"nexthop": {"id": 13, "gateway": "127.0.0.2"}},
        {"nexthop": {"id": 1, "gateway": "127.0.0.3", "dev": "lo"}, "replace": True},
        {},
    ],
    "DeleteNexthop": [{"id": 10}, {"id": 0}, {"id": 4294967295}],
    "ListNexthops": [{}, {"dev": "lo"}, {"dev": "a b"}],
}


# Ensure (safe resends): each changing request with ensure set, appended (the seeds above keep
# their numbers): creates that find their object (same or other attributes), deletes of what is
# gone, updates found done, a whole Batch with ensure.
ENSURE = {
    "CreateNamespace": [{"name": "fz0", "ensure": True}, {"name": "a/b", "ensure": True}],
    "DeleteNamespace": [{"name": "nope", "ensure": True}],
    "CreateLink": [
        {"link": {"name": "lo", "dummy": {}}, "ensure": True},
        {"link": {"name": "v0", "veth": {"peerName": "v1", "peerNamespace": {"name": "fz0"}},
                  "up": True, "mtu": 1400}, "master": "br0", "ensure": True},
        {"link": {"name": "vx0", "vxlan": {"vni": 42, "port": 4789, "local": "198.18.0.1",
                                           "remote": "198.18.0.2", "dev": "lo"}},
         "ensure": True},
        {"link": {"name": "mv0", "macvlan": {"parent": "lo", "mode": "MACVLAN_MODE_PRIVATE"}},
         "ensure": True},
        {"link": {"name": "ifb0", "ifb": {}, "address": "02:00:00:00:00:09", "group": 5},
         "ensure": True},
    ],
    "UpdateLink": [{"name": "lo", "up": True, "ensure": True},
                   {"name": "nope", "newName": "lo", "ensure": True},
                   {"name": "nope", "moveTo": {"name": "fz0"}, "ensure": True},
                   {"index": 77, "moveTo": {"pid": 1}, "ensure": True}],
    "DeleteLink": [{"name": "nope", "ensure": True}, {"index": 4242, "ensure": True}],
    "CreateAddress": [
        {"address": {"linkName": "lo", "address": "127.0.0.1", "prefixLen": 8}, "ensure": True},
        {"address": {"linkName": "lo", "address": "::1", "prefixLen": 64}, "ensure": True},
        {"address": {"linkName": "lo", "address": "198.18.9.9", "prefixLen": 24,
                     "broadcast": "198.18.9.254"}, "ensure": True},
    ],
    "DeleteAddress": [{"address": {"linkName": "nope", "address": "198.18.1.3", "prefixLen": 24},
                       "ensure": True}],
    "CreateRoute": [
        {"route": {"destination": "127.0.0.0/8", "dev": "lo", "table": 255, "type": 2},
         "ensure": True},
        {"route": {"destination": "198.18.20.0/24", "gateway": "127.0.0.2", "prefsrc": "127.0.0.1"},
         "ensure": True},
        {"route": {"destination": "2001:db8:1::/64", "dev": "lo"}, "replace": True, "ensure": True},
    ],
    "DeleteRoute": [{"route": {"destination": "198.18.99.0/24", "dev": "nope"}, "ensure": True}],
    "Batch": [
        {"ensure": True,
         "ops": [{"createNamespace": {"name": "fzb"}},
                 {"createLink": {"namespace": {"name": "fzb"},
                                 "link": {"name": "v0", "veth": {"peerName": "v1"}}}},
                 {"deleteLink": {"namespace": {"name": "fzb"}, "name": "nope"}},
                 {"deleteLink": {"namespace": {"name": "fzb"}, "name": "v0"}},
                 {"deleteNamespace": {"name": "fzb"}},
                 {"deleteNamespace": {"name": "fzb"}}]},
        {"mode": "BATCH_MODE_CONTINUE",
         "ops": [{"createLink": {"link": {"name": "lo", "dummy": {}}, "ensure": True}},
                 {"deleteRoute": {"route": {"destination": "198.18.1.0/24"}, "ensure": True}}]},
        {"mode": "BATCH_MODE_CONTINUE", "ensure": True,
         "ops": [{"createNexthop": {"nexthop": {"id": 5, "gateway": "127.0.0.2", "dev": "lo"}}},
                 {"createRule": {"rule": {"from": "198.18.9.0/24", "table": 9}}},
                 {"deleteRule": {"rule": {"from": "198.18.9.0/24", "table": 9}}},
                 {"deleteNexthop": {"id": 5}}]},
    ],
}
for _method, _reqs in ENSURE.items():
    REQUESTS[_method].extend(_reqs)


def method_bytes(i, flags=0):
    """fuzz-request.c's first byte (flags and the method); from 31 on, 31 and then i - 31."""
    return bytes([i | flags]) if i < 31 else bytes([31 | flags, i - 31])


def request_corpus():
    out = {}
    for method, reqs in REQUESTS.items():
        i = METHODS.index(method)
        name = method or "empty"
        for j, fields in enumerate(reqs):
            try:
                body = req(method, fields) if method not in ("Watch", "", "NoSuchMethod") \
                    else b""
            except Exception:  # Watch is streaming; "" and NoSuchMethod have no type
                body = MSG("nsring.v1.WatchRequest") if method == "Watch" else b""
            out["%s-%02d" % (name, j)] = method_bytes(i) + body
    # Scenario bits: a passed deadline, a client that left, garbage after a valid message.
    out["CreateLink-deadline"] = bytes([3 | 0x20]) + req("CreateLink", REQUESTS["CreateLink"][0])
    out["Batch-cancelled"] = bytes([14 | 0x40]) + req("Batch", REQUESTS["Batch"][0])
    out["GetLink-trailing"] = bytes([4]) + req("GetLink", {"name": "lo"}) + b"\xff\xff\xff"
    # A caller that cannot take fds (gRPC): FAILED_PRECONDITION before any work.
    for m in ("OpenSocket", "OpenNamespace"):
        out[m + "-nofds"] = method_bytes(METHODS.index(m), 0x80) + req(m, REQUESTS[m][0])
    return out


# ---- ttrpc

def ttrpc_frame(payload, stream=1, type_=1, flags=0, length=None):
    return nsring_ttrpc.frame(stream, payload, type_, flags, length)


def ttrpc_request(method, body=b"", service="nsring.v1.NsRing", timeout=0, metadata=()):
    fields = {"service": service, "method": method}
    if timeout:
        fields["timeoutNano"] = str(timeout)
    if metadata:
        fields["metadata"] = [{"key": k, "value": v} for k, v in metadata]
    import base64
    if body:
        fields["payload"] = base64.b64encode(body).decode()
    return MSG("ttrpc.Request", fields)


def ttrpc_corpus():
    ll = req("ListLinks")
    gl = req("GetLink", {"name": "lo"})
    wr = MSG("nsring.v1.WatchRequest")
    one = ttrpc_frame(ttrpc_request("ListLinks", ll))
    out = {
        "one": b"\x00" + one,
        "one-fail": b"\x01" + one,
        "one-nextturn": b"\x02" + one,
        "one-hold": b"\x03" + one,
        "one-bytewise": b"\x04" + one,
        "one-chunks3": b"\x0c" + one,
        "one-denied": b"\x20" + one,
        "one-large": b"\x80" + one,
        "timeout-meta": b"\x00" + ttrpc_frame(ttrpc_request(
            "GetLink", gl, timeout=5000000000, metadata=[("k", "v"), ("trace", "x" * 40)])),
        "pipelined": b"\x00" + b"".join(ttrpc_frame(ttrpc_request("GetLink", gl), stream=s)
                                        for s in (1, 3, 5, 7, 9)),
        "pipelined-limit-hold": b"\x43" + b"".join(
            ttrpc_frame(ttrpc_request("ListLinks", ll), stream=s) for s in range(1, 21, 2)),
        "pipelined-limit-large-split": b"\xd6" + b"".join(
            ttrpc_frame(ttrpc_request("ListLinks", ll), stream=s) for s in range(1, 13, 2)),
        "bad-service": b"\x00" + ttrpc_frame(ttrpc_request("ListLinks", service="x.Y")),
        "no-service": b"\x00" + ttrpc_frame(MSG("ttrpc.Request", {"method": "ListLinks"})),
        "empty-method": b"\x00" + ttrpc_frame(ttrpc_request("")),
        "bad-envelope": b"\x00" + ttrpc_frame(b"\x0a\xff\x01"),
        "empty-envelope": b"\x00" + ttrpc_frame(b""),
        "type-response": b"\x00" + ttrpc_frame(ttrpc_request("ListLinks"), type_=2),
        "type-data": b"\x00" + ttrpc_frame(b"", type_=3, flags=1),
        "stream0": b"\x00" + ttrpc_frame(ttrpc_request("ListLinks"), stream=0),
        "too-long": b"\x00" + ttrpc_frame(b"", length=(4 << 20) + 1),
        "truncated": b"\x00" + ttrpc_frame(ttrpc_request("ListLinks", ll))[:-3],
        "big-announced": b"\x04" + ttrpc_frame(b"\x0a\x10nsring.v1.NsRing", length=70000),
        "header-only": b"\x00" + struct.pack(">IIBB", 0, 1, 1, 0)[:7],
        "then-garbage": b"\x00" + one + b"\xff" * 12,
        "watch-stream": b"\x00" + ttrpc_frame(ttrpc_request("Watch", wr), flags=1),
        "watch-stream-hold-large": b"\x83" + ttrpc_frame(ttrpc_request("Watch", wr), flags=1),
        "watch-unary": b"\x00" + ttrpc_frame(ttrpc_request("Watch", wr)),
        "h2-lookalike": b"\x00PRI * HTTP/1.1\r\n",
        "empty": b"\x00",
    }
    return out


# ---- HTTP/2

def h2_frame(type_, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([type_, flags]) + \
        struct.pack(">I", stream) + payload


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value):
    """Literal header field without indexing, new name, no Huffman."""
    name, value = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def hpack_indexed_literal(name, value):
    """Literal with incremental indexing (fills the dynamic table)."""
    name, value = name.encode(), value.encode()
    return b"\x40" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def grpc_headers(path, timeout=None, extra=(), method="POST", ctype="application/grpc",
                 index=False):
    hs = [(":method", method), (":scheme", "http"), (":path", path),
          (":authority", "localhost"), ("content-type", ctype), ("te", "trailers")]
    if timeout:
        hs.append(("grpc-timeout", timeout))
    hs += list(extra)
    enc = hpack_indexed_literal if index else hpack_literal
    return b"".join(enc(n, v) for n, v in hs)


def grpc_msg(body, compressed=0):
    return bytes([compressed]) + struct.pack(">I", len(body)) + body


SETTINGS = h2_frame(4, 0, 0, b"")
SETTINGS_ACK = h2_frame(4, 1, 0, b"")
END_STREAM, END_HEADERS, PADDED, PRIORITY = 1, 4, 8, 32


def call(stream, path, body, timeout=None, split_data=False, index=False):
    hb = grpc_headers(path, timeout, index=index)
    out = h2_frame(1, END_HEADERS, stream, hb)
    m = grpc_msg(body)
    if split_data and len(m) > 3:
        out += h2_frame(0, 0, stream, m[:3]) + h2_frame(0, END_STREAM, stream, m[3:])
    else:
        out += h2_frame(0, END_STREAM, stream, m)
    return out


def h2_corpus():
    ll = req("ListLinks")
    gl = req("GetLink", {"name": "lo"})
    hreq = MSG("grpc.health.v1.HealthCheckRequest", {"service": "nsring.v1.NsRing"})
    hreq_bad = MSG("grpc.health.v1.HealthCheckRequest", {"service": "nope"})
    rreq = lambda f: MSG("grpc.reflection.v1.ServerReflectionRequest", f)
    R = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
    RA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
    base = SETTINGS
    one = base + call(1, "/nsring.v1.NsRing/ListLinks", ll)
    hb = grpc_headers("/nsring.v1.NsRing/GetLink")
    out = {
        "one": b"\x00" + one,
        "one-fail": b"\x01" + one,
        "one-nextturn": b"\x02" + one,
        "one-hold": b"\x03" + one,
        "one-chunks2": b"\x08" + one,
        "one-chunks9": b"\x14" + one,
        "one-denied": b"\x20" + one,
        "one-large": b"\x80" + one,
        "settings-ack": b"\x00" + base + SETTINGS_ACK + call(1, "/nsring.v1.NsRing/GetLink", gl),
        "timeout": b"\x00" + base + call(1, "/nsring.v1.NsRing/GetLink", gl, timeout="100m"),
        "timeout-0n": b"\x00" + base + call(1, "/nsring.v1.NsRing/GetLink", gl, timeout="0n"),
        "timeout-bad": b"\x00" + base + call(1, "/nsring.v1.NsRing/GetLink", gl,
                                             timeout="123456789H"),
        "split-data": b"\x00" + base + call(1, "/nsring.v1.NsRing/GetLink", gl, split_data=True),
        "indexed": b"\x00" + base + call(1, "/nsring.v1.NsRing/GetLink", gl, index=True) +
        call(3, "/nsring.v1.NsRing/GetLink", gl, index=True),
        "many-streams": b"\x00" + base + b"".join(
            call(s, "/nsring.v1.NsRing/ListLinks", ll) for s in range(1, 20, 2)),
        "many-streams-limit-hold": b"\x43" + base + b"".join(
            call(s, "/nsring.v1.NsRing/ListLinks", ll) for s in range(1, 12, 2)),
        "large-window0": b"\x80" + h2_frame(4, 0, 0, struct.pack(">HI", 4, 0)) +
        call(1, "/nsring.v1.NsRing/ListLinks", ll) + h2_frame(8, 0, 1, struct.pack(">I", 100)),
        "watch": b"\x00" + base + call(1, "/nsring.v1.NsRing/Watch", MSG("nsring.v1.WatchRequest")),
        "watch-hold-rst": b"\x03" + base + call(1, "/nsring.v1.NsRing/Watch", b"") +
        h2_frame(3, 0, 1, struct.pack(">I", 8)),
        "health-check": b"\x00" + base + call(1, "/grpc.health.v1.Health/Check", hreq),
        "health-check-unknown": b"\x00" + base + call(1, "/grpc.health.v1.Health/Check",
                                                      hreq_bad),
        "health-watch": b"\x00" + base + call(1, "/grpc.health.v1.Health/Watch", hreq),
        "health-bad": b"\x00" + base + call(1, "/grpc.health.v1.Health/Check", b"\xff"),
        "health-nomethod": b"\x00" + base + call(1, "/grpc.health.v1.Health/Nope", hreq),
        "reflect-list": b"\x00" + base + call(1, R, rreq({"listServices": ""})),
        "reflect-symbol": b"\x00" + base + call(1, R, rreq(
            {"fileContainingSymbol": "nsring.v1.NsRing"})),
        "reflect-file": b"\x00" + base + call(1, RA, rreq(
            {"fileByFilename": "nsring/v1/nsring.proto"})),
        "reflect-ext": b"\x00" + base + call(1, R, rreq(
            {"allExtensionNumbersOfType": "nsring.v1.Link"})),
        "reflect-ext2": b"\x00" + base + call(1, R, rreq(
            {"fileContainingExtension": {"containingType": "nsring.v1.Link",
                                         "extensionNumber": 5}})),
        "reflect-two": b"\x00" + base + h2_frame(1, END_HEADERS, 1, grpc_headers(R)) +
        h2_frame(0, 0, 1, grpc_msg(rreq({"listServices": ""})) +
                 grpc_msg(rreq({"fileContainingSymbol": "grpc.health.v1.Health"}))) +
        h2_frame(0, END_STREAM, 1, b""),
        "reflect-bad": b"\x00" + base + call(1, R, b"\x0a\xff"),
        "unknown-service": b"\x00" + base + call(1, "/x.Y/Z", b""),
        "unknown-method": b"\x00" + base + call(1, "/nsring.v1.NsRing/Nope", b""),
        "bad-path": b"\x00" + base + call(1, "nsring.v1.NsRing/ListLinks", b""),
        "bad-path2": b"\x00" + base + call(1, "/a/b/c", b""),
        "get": b"\x00" + base + h2_frame(1, END_HEADERS | END_STREAM, 1,
                                         grpc_headers("/nsring.v1.NsRing/ListLinks",
                                                      method="GET")),
        "not-grpc": b"\x00" + base + h2_frame(1, END_HEADERS | END_STREAM, 1, grpc_headers(
            "/nsring.v1.NsRing/ListLinks", ctype="application/json")),
        "grpc-proto": b"\x00" + base + h2_frame(1, END_HEADERS, 1, grpc_headers(
            "/nsring.v1.NsRing/ListLinks", ctype="application/grpc+proto")) +
        h2_frame(0, END_STREAM, 1, grpc_msg(ll)),
        "compressed": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(0, END_STREAM, 1, grpc_msg(gl, 1)),
        "two-messages": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(0, END_STREAM, 1, grpc_msg(gl) + grpc_msg(gl)),
        "no-message": b"\x00" + base + h2_frame(1, END_HEADERS | END_STREAM, 1, hb),
        "truncated-message": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(0, END_STREAM, 1, grpc_msg(gl)[:-2]),
        "too-big": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(0, END_STREAM, 1, b"\x00\x00\x50\x00\x01"),
        "continuation": b"\x00" + base + h2_frame(1, 0, 1, hb[:20]) +
        h2_frame(9, END_HEADERS, 1, hb[20:]) + h2_frame(0, END_STREAM, 1, grpc_msg(gl)),
        "padded-priority": b"\x00" + base + h2_frame(
            1, END_HEADERS | PADDED | PRIORITY, 1,
            b"\x04" + struct.pack(">IB", 0, 15) + hb + b"\x00" * 4) +
        h2_frame(0, END_STREAM | PADDED, 1, b"\x02" + grpc_msg(gl) + b"\x00\x00"),
        "trailers": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(0, 0, 1, grpc_msg(gl)) +
        h2_frame(1, END_HEADERS | END_STREAM, 1, hpack_literal("x-trailer", "1")),
        "rst-hold": b"\x03" + base + call(1, "/nsring.v1.NsRing/GetLink", gl) +
        h2_frame(3, 0, 1, struct.pack(">I", 8)),
        "rst-before-end": b"\x00" + base + h2_frame(1, END_HEADERS, 1, hb) +
        h2_frame(3, 0, 1, struct.pack(">I", 8)),
        "ping": b"\x00" + base + h2_frame(6, 0, 0, b"12345678") +
        call(1, "/nsring.v1.NsRing/GetLink", gl),
        "goaway": b"\x02" + base + call(1, "/nsring.v1.NsRing/GetLink", gl) +
        h2_frame(7, 0, 0, struct.pack(">II", 1, 0)),
        "window-update": b"\x80" + base + h2_frame(8, 0, 0, struct.pack(">I", 1 << 20)) +
        call(1, "/nsring.v1.NsRing/ListLinks", ll) + h2_frame(8, 0, 1, struct.pack(">I", 1000)),
        "settings-all": b"\x00" + h2_frame(4, 0, 0, b"".join(
            struct.pack(">HI", k, v) for k, v in
            [(1, 0), (2, 0), (3, 1), (4, 65535), (5, 16384), (6, 100)])) +
        call(1, "/nsring.v1.NsRing/GetLink", gl),
        "even-stream": b"\x00" + base + call(2, "/nsring.v1.NsRing/GetLink", gl),
        "bad-frame": b"\x00" + base + h2_frame(0, 0, 0, b"xx"),
        "empty": b"\x00",
        "preface-only-settings": b"\x00" + base,
    }
    return out


# ---- what grpcio sends

def capture_grpcio(path):
    """Calls a recording unix-socket peer with python3-grpcio and returns the bytes of each
    connection after the preface. The peer sends SETTINGS and acks the client's, then records
    until the client gives up (its deadline)."""
    import grpc

    recorded = []
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)

    def peer():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            data = b""
            c.settimeout(0.5)
            c.sendall(SETTINGS + SETTINGS_ACK)
            try:
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    data += b
            except socket.timeout:
                pass
            c.close()
            recorded.append(data)

    t = threading.Thread(target=peer, daemon=True)
    t.start()
    calls = [
        ("/nsring.v1.NsRing/ListLinks", req("ListLinks")),
        ("/nsring.v1.NsRing/CreateLink", req("CreateLink", REQUESTS["CreateLink"][2])),
        ("/nsring.v1.NsRing/Batch", req("Batch", REQUESTS["Batch"][0])),
        ("/grpc.health.v1.Health/Check", MSG("grpc.health.v1.HealthCheckRequest")),
    ]
    for p, body in calls:
        ch = grpc.insecure_channel("unix:" + path)
        fn = ch.unary_unary(p)
        # Two calls on one connection: the second uses HPACK's dynamic table.
        for _ in range(2):
            try:
                fn(body, timeout=0.3, metadata=[("x-request-id", "42")])
            except grpc.RpcError:
                pass
        ch.close()
    srv.close()
    t.join(2)
    out = {}
    for i, data in enumerate(recorded):
        if data.startswith(PREFACE):
            out["grpcio-%02d" % i] = b"\x00" + data[len(PREFACE):]
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "--capture"]
    outdir = args[0] if args else os.path.join(HERE, "corpus")
    sets = {"request": request_corpus(), "ttrpc": ttrpc_corpus(), "h2": h2_corpus()}
    if "--capture" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            sets["h2"].update(capture_grpcio(os.path.join(tmp, "rec.sock")))
    for name, files in sets.items():
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        for fname, data in files.items():
            with open(os.path.join(d, "seed-" + fname), "wb") as f:
                f.write(data)
        print("%s: %d files" % (d, len(files)))


if __name__ == "__main__":
    main()
