#!/usr/bin/python3
"""Captures the requests iproute2 sends, as golden vectors for test-rtnl-l3.

    sudo tests/unit/vectors/capture.py > tests/unit/vectors/iproute2.txt

Runs each command of CASES under strace in a throwaway network namespace (unshare -n) set up
by SETUP, and writes the last netlink message of the wanted type the command sent, with
nlmsg_seq and nlmsg_pid zeroed, as "NAME HEX" after a "# COMMAND" comment. The kernel may
refuse a request (that is fine: only what iproute2 sends matters)."""

import re
import subprocess
import sys
import tempfile

# Fixed ifindexes (index N), so the vectors do not depend on what else a new namespace has.
SETUP = """
ip link set lo up
ip link add d0 index 10 type veth peer name p0 index 20
ip link set d0 up
ip link add br0 index 11 type bridge
ip link add d1 index 12 type veth peer name p1 index 21
ip link set d1 master br0
ip link add vx0 index 13 type vxlan id 42 dstport 4789 local 198.18.0.1 nolearning
ip link set br0 up; ip link set d1 up; ip link set vx0 up; ip link set p0 up; ip link set p1 up
ip addr add 198.18.0.1/24 dev d0
ip addr add 2001:db8::1/64 dev d0 nodad
"""

RTM = {"NEWROUTE": 24, "DELROUTE": 25, "GETROUTE": 26, "NEWADDR": 20, "DELADDR": 21,
       "NEWNEIGH": 28, "DELNEIGH": 29, "GETNEIGH": 30, "NEWRULE": 32, "DELRULE": 33,
       "GETRULE": 34, "NEWNEXTHOP": 104, "DELNEXTHOP": 105, "GETNEXTHOP": 106}

CASES = [
    # rules
    ("rule-add-v4", "NEWRULE", "ip rule add pref 1000 from 198.18.0.0/24 table 100"),
    ("rule-add-v6", "NEWRULE",
     "ip -6 rule add pref 2000 to 2001:db8:1::/48 iif d0 oif d1 fwmark 0x10/0xff table 1000"),
    ("rule-add-blackhole", "NEWRULE", "ip rule add pref 3000 blackhole"),
    ("rule-add-unreachable", "NEWRULE", "ip rule add pref 3001 unreachable"),
    ("rule-add-prohibit", "NEWRULE", "ip rule add pref 3002 prohibit"),
    ("rule-add-nop", "NEWRULE", "ip rule add pref 3003 nop"),
    ("rule-add-goto", "NEWRULE", "ip rule add pref 4000 from 198.18.2.0/24 goto 5000"),
    ("rule-add-full", "NEWRULE",
     "ip rule add pref 6000 not from 198.18.1.0/24 tos 0x10 ipproto tcp sport 1000-2000 "
     "dport 80 table main suppress_prefixlength 0 protocol static"),
    ("rule-add-l3mdev", "NEWRULE", "ip rule add pref 1500 l3mdev"),
    ("rule-del", "DELRULE", "ip rule del pref 1000 from 198.18.0.0/24 table 100"),
    ("rule-dump-v4", "GETRULE", "ip rule show"),
    ("rule-dump-v6", "GETRULE", "ip -6 rule show"),
    # neighbors
    ("neigh-add-v4", "NEWNEIGH",
     "ip neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent"),
    ("neigh-replace-v4", "NEWNEIGH",
     "ip neigh replace 198.18.0.3 lladdr 02:00:00:00:00:03 dev d0 nud reachable"),
    ("neigh-add-v6-router", "NEWNEIGH",
     "ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:00:04 dev d0 router nud stale"),
    ("neigh-add-proxy", "NEWNEIGH", "ip neigh add proxy 198.18.0.4 dev d0"),
    ("neigh-del-v4", "DELNEIGH", "ip neigh del 198.18.0.2 dev d0"),
    ("neigh-dump", "GETNEIGH", "ip neigh show"),
    ("neigh-dump-dev", "GETNEIGH", "ip neigh show dev d0"),
    # bridge fdb
    ("fdb-add-master-static", "NEWNEIGH", "bridge fdb add 02:00:00:00:00:10 dev d1 master static"),
    ("fdb-add-master-vlan", "NEWNEIGH",
     "bridge fdb add 02:00:00:00:00:11 dev d1 master vlan 10"),
    ("fdb-append-vtep", "NEWNEIGH",
     "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.2 self permanent"),
    ("fdb-add-vtep6", "NEWNEIGH",
     "bridge fdb add 02:00:00:00:00:12 dev vx0 dst 2001:db8::2 vni 100 port 4789 self"),
    ("fdb-replace-dynamic", "NEWNEIGH",
     "bridge fdb replace 02:00:00:00:00:13 dev vx0 dst 198.18.0.3 self dynamic"),
    ("fdb-del", "DELNEIGH", "bridge fdb del 02:00:00:00:00:10 dev d1 master"),
    ("fdb-dump", "GETNEIGH", "bridge fdb show"),
    ("fdb-dump-br", "GETNEIGH", "bridge fdb show br br0"),
    ("fdb-dump-dev", "GETNEIGH", "bridge fdb show dev vx0"),
    # nexthops
    ("nh-add-v4", "NEWNEXTHOP", "ip nexthop add id 1 via 198.18.0.2 dev d0"),
    ("nh-add-v6-onlink", "NEWNEXTHOP", "ip nexthop add id 2 via 2001:db8::2 dev d0 onlink"),
    ("nh-add-dev", "NEWNEXTHOP", "ip nexthop add id 4 dev d0"),
    ("nh-add-blackhole", "NEWNEXTHOP", "ip nexthop add id 3 blackhole"),
    ("nh-add-group", "NEWNEXTHOP", "ip nexthop add id 10 group 1/4,5"),
    ("nh-add-group-res", "NEWNEXTHOP", "ip nexthop add id 11 group 1/4 type resilient buckets 8"),
    ("nh-replace", "NEWNEXTHOP", "ip nexthop replace id 1 via 198.18.0.3 dev d0"),
    ("nh-del", "DELNEXTHOP", "ip nexthop del id 1"),
    ("nh-dump", "GETNEXTHOP", "ip nexthop show"),
    # routes
    ("route-add-multipath", "NEWROUTE",
     "ip route add 198.18.10.0/24 nexthop via 198.18.0.2 dev d0 weight 1 "
     "nexthop via 198.18.0.3 dev d0 weight 3"),
    ("route-add-multipath6", "NEWROUTE",
     "ip -6 route add 2001:db8:10::/64 nexthop via 2001:db8::2 dev d0 "
     "nexthop via 2001:db8::3 dev d0 weight 2"),
    ("route-add-nhid", "NEWROUTE", "ip route add 198.18.11.0/24 nhid 10"),
    ("route-add-onlink", "NEWROUTE", "ip route add 198.18.12.0/24 via 198.18.5.1 dev d0 onlink"),
    ("route-add-mtu-src", "NEWROUTE",
     "ip route add 198.18.13.0/24 via 198.18.0.2 dev d0 src 198.18.0.1 mtu 1400"),
    ("route-add-blackhole", "NEWROUTE", "ip route add blackhole 198.18.14.0/24"),
    ("route-add-unreachable", "NEWROUTE", "ip route add unreachable 198.18.14.0/25"),
    ("route-add-prohibit", "NEWROUTE", "ip route add prohibit 198.18.14.128/25"),
    ("route-add-local", "NEWROUTE", "ip route add local 198.18.15.1 dev d0 table local"),
    ("route-get", "GETROUTE", "ip route get 198.18.0.2"),
    ("route-get-from-iif", "GETROUTE", "ip route get 198.18.0.2 from 198.18.3.1 iif d0"),
    ("route-get6", "GETROUTE", "ip -6 route get 2001:db8::2"),
    # addresses
    ("addr-add-v4", "NEWADDR", "ip addr add 198.18.0.5/24 dev d0"),
    ("addr-add-label-brd", "NEWADDR",
     "ip addr add 198.18.0.6/24 brd 198.18.0.255 label d0:1 dev d0"),
    ("addr-add-peer", "NEWADDR", "ip addr add 198.18.0.7 peer 198.18.0.8/32 dev d0"),
    ("addr-add-v6-flags", "NEWADDR",
     "ip addr add 2001:db8::5/64 dev d0 nodad noprefixroute valid_lft 300 preferred_lft 100"),
    ("addr-del", "DELADDR", "ip addr del 198.18.0.1/24 dev d0"),
    ("addr-replace", "NEWADDR",
     "ip addr replace 198.18.0.5/24 dev d0 valid_lft 60 preferred_lft 30"),
]


# Kernel answers: "NAME HEX" is every message of the wanted type the dump command received, in
# order, seq/pid zeroed. PRE runs first (objects for the dump to show).
REPLY_PRE = """
ip rule add pref 1000 from 198.18.0.0/24 table 100
ip rule add pref 2000 not to 198.18.1.0/24 iif d0 fwmark 0x10/0xff ipproto udp dport 53 table 1000
ip rule add pref 40000 blackhole
ip neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent
bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.2 self permanent
bridge fdb add 02:00:00:00:00:10 dev d1 master static
ip nexthop add id 1 via 198.18.0.2 dev d0
ip nexthop add id 2 via 198.18.0.3 dev d0
ip nexthop add id 10 group 1/2,3
ip route add 198.18.10.0/24 nexthop via 198.18.0.2 dev d0 weight 1 nexthop via 198.18.0.3 dev d0 weight 3
ip route add 198.18.11.0/24 nhid 10
ip route add 198.18.13.0/24 via 198.18.0.2 dev d0 src 198.18.0.1 mtu 1400
ip addr add 198.18.0.7 peer 198.18.0.8/32 dev d0 label d0:p
"""

REPLIES = [
    ("reply-rules", "NEWRULE", "ip -4 rule show"),
    ("reply-neigh", "NEWNEIGH", "ip -4 neigh show dev d0"),
    ("reply-fdb", "NEWNEIGH", "bridge fdb show dev vx0"),
    ("reply-nexthops", "NEWNEXTHOP", "ip nexthop show"),
    ("reply-routes", "NEWROUTE", "ip -4 route show"),
    ("reply-route-get", "NEWROUTE", "ip route get 198.18.10.1"),
    ("reply-addrs", "NEWADDR", "ip -4 addr show dev d0"),
]


def capture(cmd, want, pre="", trace="sendmsg,sendto", rw="write"):
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        script = SETUP + pre + "strace -f -qq -e trace=%s -e %s=all -o %s %s || true\n" % (
            trace, rw, out.name, cmd)
        subprocess.run(["unshare", "-n", "sh", "-ec", script], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        msgs, cur = [], None
        for line in out.read().splitlines():
            if re.search(r"(sendmsg|sendto|recvmsg)\(", line) and "resumed>" not in line:
                cur = bytearray()
                msgs.append(cur)
            # " | 00010  02 00 18 00 ...  ASCII |": 16 hex bytes in fixed columns.
            m = re.match(r"\s*\| [0-9a-f]{5}  ", line)
            if m and cur is not None:
                cur += bytes.fromhex(line[m.end():m.end() + 49].replace(" ", ""))
    found, every = None, bytearray()
    for buf in msgs:
        off = 0
        while off + 16 <= len(buf):
            ln = int.from_bytes(buf[off:off + 4], "little")
            typ = int.from_bytes(buf[off + 4:off + 6], "little")
            if ln < 16 or off + ln > len(buf):
                break
            if typ == RTM[want]:
                found = bytearray(buf[off:off + ln])
                found[8:16] = bytes(8)
                every += found + bytes(((ln + 3) & ~3) - ln)
            off += (ln + 3) & ~3
    if found is None:
        sys.exit("no %s request from: %s" % (want, cmd))
    return (every if rw == "read" else found).hex()


def main():
    print("# Requests %s sends, captured by capture.py (seq and pid zeroed)." %
          subprocess.run(["ip", "-V"], capture_output=True, text=True).stdout.split(",")[1]
          .strip())
    print("# Namespace set up with:" + SETUP.rstrip().replace("\n", "\n#   "))
    for name, want, cmd in CASES:
        print("# " + cmd)
        print(name, capture(cmd, want))
    print("# Kernel answers after:" + REPLY_PRE.rstrip().replace("\n", "\n#   "))
    for name, want, cmd in REPLIES:
        print("# " + cmd)
        print(name, capture(cmd, want, REPLY_PRE, "recvmsg", "read"))


main()
