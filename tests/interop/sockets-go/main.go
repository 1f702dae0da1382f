// A long-lived Go program with many goroutines serves HTTP inside network namespace A and
// fetches the page from namespace B, without any of its threads ever entering either: nsringd
// creates a TCP socket in each namespace and passes it over ttrpc (OpenSocket); the program
// binds and listens on A's (net.FileListener, net/http) and connects B's to it (net.FileConn).
// A watcher checks every thread's /proc/self/task/TID/ns/net for the whole run.
//
// Usage: sockets-go SOCK NS_A NS_B ADDR_A   (ADDR_A: an address of A that B reaches)
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/containerd/ttrpc"
)

var failed int32

func check(what string, ok bool, format string, args ...interface{}) bool {
	if ok {
		fmt.Printf("PASS %s\n", what)
	} else {
		atomic.AddInt32(&failed, 1)
		fmt.Printf("FAIL %s: %s\n", what, fmt.Sprintf(format, args...))
	}
	return ok
}

// threadNamespaces maps each thread of this process to its network namespace.
func threadNamespaces() map[string]string {
	out := map[string]string{}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		if ns, err := os.Readlink("/proc/self/task/" + t.Name() + "/ns/net"); err == nil {
			out[t.Name()] = ns
		}
	}
	return out
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: sockets-go SOCK NS_A NS_B ADDR_A")
		os.Exit(2)
	}
	sock, nsA, nsB, addrA := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	home, _ := os.Readlink("/proc/self/ns/net")

	// The long-lived program: many goroutines, some pinned to their own OS threads, all busy.
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for i := 0; i < 200; i++ {
		workers.Add(1)
		go func(i int) {
			defer workers.Done()
			if i%20 == 0 {
				runtime.LockOSThread() // more threads for the runtime to juggle
			}
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(1+i%7) * time.Millisecond):
				}
			}
		}(i)
	}
	// The watcher: every thread stays in the namespace the process started in.
	var strays int32
	var seen sync.Map
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			for tid, ns := range threadNamespaces() {
				seen.Store(tid, true)
				if ns != home {
					atomic.AddInt32(&strays, 1)
					fmt.Printf("thread %s is in %s, not %s\n", tid, ns, home)
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	// An ordinary call with containerd's ttrpc client: both namespaces exist.
	conn, err := net.Dial("unix", sock)
	if !check("connect with containerd's ttrpc client", err == nil, "%v", err) {
		os.Exit(1)
	}
	client := ttrpc.NewClient(conn)
	var lns ListNamespacesResponse
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err = client.Call(ctx, "nsring.v1.NsRing", "ListNamespaces", &Empty{}, &lns)
	cancel()
	have := map[string]uint64{}
	for _, ns := range lns.Namespaces {
		have[ns.Name] = ns.Inode
	}
	check("ListNamespaces (containerd ttrpc) lists A and B", err == nil && have[nsA] != 0 &&
		have[nsB] != 0, "%v %v", err, have)

	// A's socket: bound, listening, served by net/http.
	fdA, inoA, err := openSocket(sock, nsA, syscall.AF_INET, syscall.SOCK_STREAM)
	if !check("OpenSocket in "+nsA, err == nil, "%v", err) {
		os.Exit(1)
	}
	check("the socket lives in "+nsA, inoA == have[nsA], "inode %d, want %d", inoA, have[nsA])
	ip := net.ParseIP(addrA).To4()
	sa := &syscall.SockaddrInet4{Port: 8080}
	copy(sa.Addr[:], ip)
	syscall.SetsockoptInt(fdA, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	err = syscall.Bind(fdA, sa)
	// The address exists only in A: the bind itself proves where the socket is.
	check("bind "+addrA+":8080 (an address only "+nsA+" has)", err == nil, "%v", err)
	check("listen", syscall.Listen(fdA, 128) == nil, "")
	lf := os.NewFile(uintptr(fdA), "listener-in-"+nsA)
	ln, err := net.FileListener(lf)
	lf.Close()
	if !check("net.FileListener", err == nil, "%v", err) {
		os.Exit(1)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from namespace %s to %s\n", nsA, r.RemoteAddr)
	})}
	go srv.Serve(ln)

	// B's socket: connected to A's listener through the link between them.
	var body string
	for round := 0; round < 5; round++ {
		fdB, inoB, err := openSocket(sock, nsB, syscall.AF_INET, syscall.SOCK_STREAM)
		if !check(fmt.Sprintf("OpenSocket in %s (round %d)", nsB, round), err == nil &&
			inoB == have[nsB], "%v (inode %d)", err, inoB) {
			os.Exit(1)
		}
		err = syscall.Connect(fdB, sa)
		if !check("connect from "+nsB+" to "+addrA+":8080", err == nil, "%v", err) {
			syscall.Close(fdB)
			break
		}
		cf := os.NewFile(uintptr(fdB), "client-in-"+nsB)
		c, err := net.FileConn(cf)
		cf.Close()
		if !check("net.FileConn", err == nil, "%v", err) {
			break
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", addrA)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if check("HTTP response", err == nil && resp.StatusCode == 200, "%v", err) {
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
			resp.Body.Close()
		}
		c.Close()
	}
	check("the page came from A's server to B's address", strings.HasPrefix(body,
		"hello from namespace "+nsA+" to ") && !strings.Contains(body, "127.0.0.1"),
		"got %q", body)
	fmt.Print("# ", body)

	srv.Close()
	close(stop)
	workers.Wait()
	<-watchDone
	client.Close()
	n := 0
	seen.Range(func(_, _ interface{}) bool { n++; return true })
	check(fmt.Sprintf("all %d threads seen stayed in %s for the whole run", n, home),
		atomic.LoadInt32(&strays) == 0 && n > 1, "%d strays", strays)
	if atomic.LoadInt32(&failed) > 0 {
		os.Exit(1)
	}
}
