#!/usr/bin/python3
# Captures the rtnetlink requests tc (iproute2) sends, and the kernel's dump replies, as the
# golden vectors of tests/unit/test-rtnl-tc.c. Needs root; each case runs in a throwaway network
# namespace (unshare -n) with veth v0/v1 and ifb0. Usage: capture.py OUTDIR [CASE...]
import os, re, subprocess, sys, tempfile

SETUP = 'ip link add v0 type veth peer name v1 && ip link add ifb0 type ifb && ip link set v0 up'
# name, setup commands run before, the traced command, which messages to keep:
#   'send' keeps the last request of a tc-object type (RTM_*QDISC/TCLASS/TFILTER),
#   'recv' keeps every reply message of those types.
CASES = [
    ('tbf', '', 'tc qdisc add dev v0 root tbf rate 8mbit burst 32kbit latency 50ms', 'send'),
    ('tbf-replace-64', '', 'tc qdisc replace dev v0 root tbf rate 40gbit burst 1mb limit 2mb', 'send'),
    ('tbf-change', 'tc qdisc add dev v0 root tbf rate 8mbit burst 32kbit latency 50ms',
     'tc qdisc change dev v0 root tbf rate 4mbit burst 16kbit latency 20ms', 'send'),
    ('qdisc-del', 'tc qdisc add dev v0 root tbf rate 8mbit burst 32kbit latency 50ms',
     'tc qdisc del dev v0 root', 'send'),
    ('ifb-tbf', '', 'tc qdisc add dev ifb0 root tbf rate 1mbit burst 10kb latency 25ms', 'send'),
    ('htb', '', 'tc qdisc add dev v0 root handle 1: htb default 10', 'send'),
    ('htb-class', 'tc qdisc add dev v0 root handle 1: htb default 10',
     'tc class add dev v0 parent 1: classid 1:10 htb rate 8mbit ceil 16mbit', 'send'),
    ('htb-class-64', 'tc qdisc add dev v0 root handle 1: htb default 10',
     'tc class add dev v0 parent 1: classid 1:20 htb rate 10gbit ceil 40gbit burst 15k cburst 15k prio 2', 'send'),
    ('pfifo-class', 'tc qdisc add dev v0 root handle 1: htb default 10; '
     'tc class add dev v0 parent 1: classid 1:10 htb rate 8mbit',
     'tc qdisc add dev v0 parent 1:10 handle 10: pfifo limit 50', 'send'),
    ('netem', '', 'tc qdisc add dev v0 root netem delay 100ms 10ms 25% loss 1% duplicate 2% '
     'corrupt 0.5% reorder 25% 50% rate 1mbit limit 1000 slot 10ms 20ms', 'send'),
    ('netem-64', '', 'tc qdisc add dev v0 root netem delay 200s 2s rate 40gbit', 'send'),
    ('netem-delay', '', 'tc qdisc add dev v0 root netem delay 50ms', 'send'),
    ('pfifo', '', 'tc qdisc add dev v0 root pfifo limit 100', 'send'),
    ('bfifo', '', 'tc qdisc add dev v0 root bfifo limit 10kb', 'send'),
    ('fq_codel', '', 'tc qdisc add dev v0 root fq_codel limit 1024 flows 512 target 5ms '
     'interval 100ms quantum 1514 ecn', 'send'),
    ('prio', '', 'tc qdisc add dev v0 root handle 1: prio', 'send'),
    ('sfq', '', 'tc qdisc add dev v0 root sfq perturb 10', 'send'),
    ('ingress', '', 'tc qdisc add dev v0 ingress', 'send'),
    ('clsact', '', 'tc qdisc add dev v0 clsact', 'send'),
    ('u32-mirred-redirect', 'tc qdisc add dev v0 ingress',
     'tc filter add dev v0 parent ffff: protocol all prio 1 u32 match u32 0 0 '
     'action mirred egress redirect dev ifb0', 'send'),
    ('u32-mirred-mirror', 'tc qdisc add dev v0 clsact',
     'tc filter add dev v0 egress protocol all prio 5 u32 match u32 0 0 '
     'action mirred egress mirror dev ifb0', 'send'),
    ('u32-ip-dst', 'tc qdisc add dev v0 root handle 1: htb default 10',
     'tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 198.18.0.0/24 flowid 1:10',
     'send'),
    ('u32-ip-src-drop', 'tc qdisc add dev v0 ingress',
     'tc filter add dev v0 parent ffff: protocol ip prio 2 u32 match ip src 198.18.0.1/32 action drop',
     'send'),
    ('u32-police', 'tc qdisc add dev v0 ingress',
     'tc filter add dev v0 parent ffff: protocol ip prio 3 u32 match u32 0 0 '
     'action police rate 1mbit burst 10k drop', 'send'),
    ('matchall', 'tc qdisc add dev v0 clsact',
     'tc filter add dev v0 ingress prio 1 matchall action gact drop', 'send'),
    ('flower', 'tc qdisc add dev v0 clsact',
     'tc filter add dev v0 ingress protocol ip prio 1 flower ip_proto tcp src_ip 198.18.0.1 '
     'dst_ip 198.18.1.0/24 dst_port 80 action gact pass', 'send'),
    ('filter-del', 'tc qdisc add dev v0 ingress; tc filter add dev v0 parent ffff: protocol all '
     'prio 1 u32 match u32 0 0 action drop',
     'tc filter del dev v0 parent ffff: protocol all prio 1', 'send'),
    ('qdisc-dump-req', '', 'tc qdisc show dev v0', 'send'),
    ('dump-qdisc-tbf', 'tc qdisc add dev v0 root tbf rate 8mbit burst 32kbit latency 50ms',
     'tc -s qdisc show dev v0', 'recv'),
    ('dump-qdisc-tbf-traffic', 'tc qdisc add dev v0 root tbf rate 8mbit burst 32kbit latency 50ms; '
     'ip link set v1 up; ip addr add 198.18.0.1/24 dev v0; ping -c 3 -i 0.2 -W 1 198.18.0.3 >/dev/null',
     'tc -s qdisc show dev v0', 'recv'),
    ('dump-htb', 'tc qdisc add dev v0 root handle 1: htb default 10; '
     'tc class add dev v0 parent 1: classid 1:10 htb rate 8mbit ceil 16mbit',
     'tc -s class show dev v0', 'recv'),
    ('dump-filter-u32', 'tc qdisc add dev v0 ingress; tc filter add dev v0 parent ffff: '
     'protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0',
     'tc filter show dev v0 parent ffff:', 'recv'),
]

TC_TYPES = set(range(36, 48))  # RTM_NEWQDISC .. RTM_GETTFILTER


def dumps(path, which):
    """Every hex dump of a sendmsg (which='send') or recvmsg ('recv') in an strace log."""
    out, cur, call = [], None, None
    for line in open(path):
        m = re.match(r'^\d+\s+(\w+)\(', line)
        if m:
            call = m.group(1)
            continue
        m = re.match(r'^ \| [0-9a-f]{5}  ', line)
        if m and call == ('sendmsg' if which == 'send' else 'recvmsg'):
            if line.startswith(' | 00000'):
                cur = bytearray()
                out.append(cur)
            cur += bytes.fromhex(line[10:59].replace(' ', ''))
    return out


def messages(buf):
    i = 0
    while i + 16 <= len(buf):
        ln = int.from_bytes(buf[i:i + 4], 'little')
        if ln < 16 or i + ln > len(buf):
            break
        yield bytes(buf[i:i + ln])
        i += (ln + 3) & ~3


def main():
    outdir = sys.argv[1]
    for name, pre, cmd, which in CASES:
        if sys.argv[2:] and name not in sys.argv[2:]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, 'st')
            opt = '-e write=all' if which == 'send' else '-e read=all'
            trace = 'sendmsg' if which == 'send' else 'recvmsg'
            script = (f'{SETUP}; {pre or "true"}; '
                      f'for d in v0 ifb0; do ip -o link show $d | cut -d: -f1; done > {tmp}/idx; '
                      f'strace -f -e trace={trace} {opt} -o {log} {cmd} > {tmp}/out 2> {tmp}/err; '
                      f'echo $? > {tmp}/rc')
            subprocess.run(['unshare', '-n', 'sh', '-c', script], check=True)
            idx = open(f'{tmp}/idx').read().split()
            rc = open(f'{tmp}/rc').read().strip()
            err = open(f'{tmp}/err').read().strip().replace('\n', ' | ')
            msgs = [m for b in dumps(log, which) for m in messages(b)
                    if int.from_bytes(m[4:6], 'little') in TC_TYPES]
            if which == 'send':
                msgs = msgs[-1:]
        with open(os.path.join(outdir, name + '.hex'), 'w') as f:
            f.write(f'# {cmd}\n')
            if pre:
                f.write(f'# after: {pre}\n')
            f.write(f'# ifindex v0={idx[0]} ifb0={idx[1]}; tc exit {rc}' +
                    (f': {err}' if err else '') + '\n')
            for m in msgs:
                f.write('\n'.join(m[i:i + 16].hex(' ') for i in range(0, len(m), 16)) + '\n\n')
        print(name, rc, len(msgs), err)


main()
