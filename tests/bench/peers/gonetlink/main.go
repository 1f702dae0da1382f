// Go peer of the nsring benchmark comparison: the workloads of tests/bench/WORKLOADS.md done the
// way Go programs do them, with vishvananda/netlink (one Handle per namespace via NewHandleAt).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

var (
	nsDir  = flag.String("d", "", "netns directory (required)")
	prefix = flag.String("p", "nb", "name prefix")
	count  = flag.Int("n", 100, "the workload's N")
	nodes  = flag.Int("nodes", 16, "topo: namespaces")
	links  = flag.Int("links", 32, "topo: veth links")
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gonetlink: "+format+"\n", a...)
	os.Exit(1)
}

func check(err error, what string) {
	if err != nil {
		die("%s: %v", what, err)
	}
}

func nsPath(format string, a ...interface{}) string {
	return filepath.Join(*nsDir, fmt.Sprintf(format, a...))
}

func handleAt(path string) (*netlink.Handle, netns.NsHandle) {
	ns, err := netns.GetFromPath(path)
	check(err, "open "+path)
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	check(err, "NewHandleAt "+path)
	return h, ns
}

// newNamedAt is netns.NewNamed for a netns directory other than /run/netns: on a locked thread,
// unshare, bind-mount the thread's namespace onto the file, switch back.
func newNamedAt(path string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	check(err, "netns.Get")
	defer orig.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL, 0444)
	check(err, "create "+path)
	f.Close()
	check(unix.Unshare(unix.CLONE_NEWNET), "unshare")
	src := fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
	check(unix.Mount(src, path, "none", unix.MS_BIND, ""), "bind mount "+path)
	check(netns.Set(orig), "setns back")
}

func deleteNamedAt(path string) {
	check(unix.Unmount(path, unix.MNT_DETACH), "umount "+path)
	check(os.Remove(path), "remove "+path)
}

func ip4(a, b, c, d int) net.IP { return net.IPv4(byte(a), byte(b), byte(c), byte(d)).To4() }

func veth() int {
	h, ns := handleAt(nsPath("%s-v", *prefix))
	defer ns.Close()
	defer h.Close()
	for i := 0; i < *count; i++ {
		name := fmt.Sprintf("%s%da", *prefix, i)
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name},
			PeerName: fmt.Sprintf("%s%db", *prefix, i)}
		check(h.LinkAdd(v), "veth add")
	}
	return *count
}

// rule: N rules from 198.19.x.y/32 table 100 pref 1000 + i in P-u, one RuleAdd each.
func rule() int {
	h, ns := handleAt(nsPath("%s-u", *prefix))
	defer ns.Close()
	defer h.Close()
	for i := 0; i < *count; i++ {
		r := netlink.NewRule()
		r.Family = unix.AF_INET
		r.Src = &net.IPNet{IP: ip4(198, 19, i/256, i%256), Mask: net.CIDRMask(32, 32)}
		r.Table = 100
		r.Priority = 1000 + i
		check(h.RuleAdd(r), "rule add")
	}
	return *count
}

func route() int {
	h, ns := handleAt(nsPath("%s-r", *prefix))
	defer ns.Close()
	defer h.Close()
	l, err := h.LinkByName(*prefix + "-r0")
	check(err, "LinkByName")
	gw := ip4(198, 18, 0, 2)
	for i := 0; i < *count; i++ {
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw,
			Dst: &net.IPNet{IP: ip4(198, 19, i/256, i%256), Mask: net.CIDRMask(32, 32)}}
		check(h.RouteAdd(r), "route add")
	}
	return *count
}

func wire(create bool) (int, int) {
	n := *count
	h, hns := handleAt(nsPath("%s-h", *prefix))
	defer hns.Close()
	defer h.Close()
	br, err := h.LinkByName(*prefix + "-br")
	check(err, "LinkByName bridge")
	gw := ip4(198, 18, 0, 1)
	for i := 0; i < n; i++ {
		cpath := nsPath("%s-c%d", *prefix, i)
		if create {
			newNamedAt(cpath)
		}
		ch, cns := handleAt(cpath)
		name := fmt.Sprintf("%s-h%d", *prefix, i)
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name},
			PeerName: "eth0", PeerNamespace: netlink.NsFd(cns)}
		check(h.LinkAdd(v), "veth add")
		hl, err := h.LinkByName(v.Name)
		check(err, "LinkByName host end")
		check(h.LinkSetMaster(hl, br), "set master")
		check(h.LinkSetUp(hl), "host end up")
		eth0, err := ch.LinkByName("eth0")
		check(err, "LinkByName eth0")
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: ip4(198, 18, 1+i/256, i%256),
			Mask: net.CIDRMask(16, 32)}}
		check(ch.AddrAdd(eth0, addr), "addr add")
		check(ch.LinkSetUp(eth0), "eth0 up")
		lo, err := ch.LinkByName("lo")
		check(err, "LinkByName lo")
		check(ch.LinkSetUp(lo), "lo up")
		dflt := &netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: gw}
		check(ch.RouteAdd(dflt), "default route")
		ch.Close()
		cns.Close()
	}
	ops := 6 * n
	if create {
		ops += n
	}
	return ops, n
}

func nsCreateDelete() int {
	for i := 0; i < *count; i++ {
		newNamedAt(nsPath("%s-n%d", *prefix, i))
	}
	for i := 0; i < *count; i++ {
		deleteNamedAt(nsPath("%s-n%d", *prefix, i))
	}
	return 2 * *count
}

func del() int {
	h, ns := handleAt(nsPath("%s-h", *prefix))
	defer ns.Close()
	defer h.Close()
	for i := 0; i < *count; i++ {
		l, err := h.LinkByName(fmt.Sprintf("%s-h%d", *prefix, i))
		check(err, "LinkByName")
		check(h.LinkDel(l), "link del")
	}
	return *count
}

func topoPeer(k int) int {
	a := k % *nodes
	for j := k; j < k+*nodes; j++ {
		if b := (j*7 + 1) % *nodes; b != a {
			return b
		}
	}
	return a
}

func topo() int {
	hs := make([]*netlink.Handle, *nodes)
	nss := make([]netns.NsHandle, *nodes)
	for v := 0; v < *nodes; v++ {
		p := nsPath("%s-t%d", *prefix, v)
		newNamedAt(p)
		hs[v], nss[v] = handleAt(p)
	}
	base := ip4(198, 18, 0, 0)
	addrOf := func(n int) net.IP {
		return ip4(int(base[0]), int(base[1])+n>>16, n>>8&255, n&255)
	}
	for k := 0; k < *links; k++ {
		a, b := k%*nodes, topoPeer(k)
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("t%da", k)},
			PeerName: fmt.Sprintf("t%db", k), PeerNamespace: netlink.NsFd(nss[b])}
		check(hs[a].LinkAdd(v), "veth add")
		ends := []struct {
			node int
			name string
			me   int
			peer int
		}{{a, v.Name, 2 * k, 2*k + 1}, {b, v.PeerName, 2*k + 1, 2 * k}}
		for _, e := range ends {
			h := hs[e.node]
			l, err := h.LinkByName(e.name)
			check(err, "LinkByName")
			check(h.LinkSetUp(l), "link up")
			check(h.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: addrOf(e.me),
				Mask: net.CIDRMask(31, 32)}}), "addr add")
			dst := &net.IPNet{IP: ip4(198, 19, k/256, k%256),
				Mask: net.CIDRMask(32, 32)}
			check(h.RouteAdd(&netlink.Route{Gw: addrOf(e.peer), Dst: dst}), "route add")
		}
	}
	for v := 0; v < *nodes; v++ {
		hs[v].Close()
		nss[v].Close()
	}
	return *nodes + 7**links
}

func main() {
	flag.Parse()
	if *nsDir == "" || flag.NArg() != 1 {
		fmt.Fprintf(os.Stderr, "usage: gonetlink -d NETNS_DIR [-p PREFIX] [-n N] "+
			"[-nodes N -links N] WORKLOAD\n")
		os.Exit(2)
	}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil {
		rl.Cur = rl.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
	}
	w := flag.Arg(0)
	ops, containers, n := 0, 0, *count
	t0 := time.Now()
	switch w {
	case "veth":
		ops = veth()
	case "route":
		ops = route()
	case "rule":
		ops = rule()
	case "wire":
		ops, containers = wire(false)
	case "wire-create":
		ops, containers = wire(true)
	case "netns":
		ops = nsCreateDelete()
	case "delete":
		ops = del()
	case "topo":
		ops, n = topo(), *links
	default:
		die("unsupported workload %s", w)
	}
	s := time.Since(t0).Seconds()
	out := map[string]interface{}{"tool": "go-netlink", "workload": w, "count": n, "ops": ops,
		"elapsed_s": s, "ops_per_s": float64(ops) / s, "containers_per_s": nil}
	if containers > 0 {
		out["containers_per_s"] = float64(containers) / s
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
