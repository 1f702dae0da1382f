// Interop test: containerd's Go ttrpc client (Debian's
// golang-github-containerd-ttrpc-dev) against nsringd.
//
// Usage: nsring-interop SOCKET
// Prints one line per check and ends with "N passed, M failed"; exits 1 on any
// failure (2 when it cannot even connect).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	service = "nsring.v1.NsRing"
	nsName  = "interop-a"
)

var passed, failed int

func check(name string, ok bool, detail string, args ...interface{}) bool {
	if ok {
		passed++
		fmt.Printf("PASS %s\n", name)
	} else {
		failed++
		fmt.Printf("FAIL %s: %s\n", name, fmt.Sprintf(detail, args...))
	}
	return ok
}

// checkCode checks that err is a ttrpc (gRPC) status error with the given code.
func checkCode(name string, err error, want codes.Code) {
	if err == nil {
		check(name, false, "call succeeded, want %v", want)
		return
	}
	st, ok := status.FromError(err)
	if !ok {
		check(name, false, "error is not a status: %T %v", err, err)
		return
	}
	check(name, st.Code() == want && st.Message() != "",
		"got code %v message %q, want %v with a message", st.Code(), st.Message(), want)
	if st.Code() == want {
		fmt.Printf("     (%v: %s)\n", st.Code(), st.Message())
	}
}

func hasNamespace(r *ListNamespacesResponse, name string) *Namespace {
	for _, ns := range r.Namespaces {
		if ns.Name == name {
			return ns
		}
	}
	return nil
}

func names(r *ListNamespacesResponse) []string {
	var s []string
	for _, ns := range r.Namespaces {
		s = append(s, ns.Name)
	}
	return s
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: nsring-interop SOCKET")
		os.Exit(2)
	}
	conn, err := net.Dial("unix", os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect %s: %v\n", os.Args[1], err)
		os.Exit(2)
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()

	bg := context.Background()
	call := func(method string, req, resp interface{}) error {
		ctx, cancel := context.WithTimeout(bg, 30*time.Second)
		defer cancel()
		return client.Call(ctx, service, method, req, resp)
	}
	ref := &NamespaceRef{Name: nsName}

	// CreateNamespace.
	var cns CreateNamespaceResponse
	err = call("CreateNamespace", &CreateNamespaceRequest{Name: nsName}, &cns)
	if check("CreateNamespace "+nsName, err == nil, "%v", err) {
		check("CreateNamespace returns the namespace",
			cns.Namespace != nil && cns.Namespace.Name == nsName && cns.Namespace.Inode != 0 &&
				cns.Namespace.Path != "",
			"got %v", cns.Namespace)
	}

	// Again: ALREADY_EXISTS.
	var dummy CreateNamespaceResponse
	err = call("CreateNamespace", &CreateNamespaceRequest{Name: nsName}, &dummy)
	checkCode("CreateNamespace "+nsName+" again -> AlreadyExists", err, codes.AlreadyExists)

	// ListNamespaces contains it, with the same inode.
	var lns ListNamespacesResponse
	err = call("ListNamespaces", &Empty{}, &lns)
	if check("ListNamespaces", err == nil, "%v", err) {
		ns := hasNamespace(&lns, nsName)
		check("ListNamespaces contains "+nsName, ns != nil, "got %v", names(&lns))
		if ns != nil && cns.Namespace != nil {
			check("ListNamespaces inode matches CreateNamespace", ns.Inode == cns.Namespace.Inode,
				"list %d, create %d", ns.Inode, cns.Namespace.Inode)
		}
	}

	// CreateLink veth v0 (peer v1) in the namespace.
	var clr CreateLinkResponse
	err = call("CreateLink", &CreateLinkRequest{
		Namespace: ref,
		Link:      &Link{Name: "v0", Veth: &Veth{PeerName: "v1"}},
	}, &clr)
	var index uint32
	if check("CreateLink veth v0 peer v1 in "+nsName, err == nil, "%v", err) {
		l := clr.Link
		if check("CreateLink returns v0 with an index", l != nil && l.Name == "v0" && l.Index > 0,
			"got %v", l) {
			index = l.Index
			fmt.Printf("     (v0: index %d kind %q parent_index %d mtu %d)\n", l.Index, l.Kind,
				l.ParentIndex, l.Mtu)
			check("CreateLink kind is veth", l.Kind == "veth", "got kind %q", l.Kind)
		}
	}

	// GetLink v0: same index.
	var glr GetLinkResponse
	err = call("GetLink", &GetLinkRequest{Namespace: ref, Name: "v0"}, &glr)
	if check("GetLink v0", err == nil, "%v", err) {
		check("GetLink v0 has the created index", glr.Link != nil && glr.Link.Name == "v0" &&
			glr.Link.Index == index, "got %v, want index %d", glr.Link, index)
	}

	// GetLink v1 (the peer, by name) exists too.
	var glr1 GetLinkResponse
	err = call("GetLink", &GetLinkRequest{Namespace: ref, Name: "v1"}, &glr1)
	if check("GetLink v1 (peer)", err == nil, "%v", err) {
		check("GetLink v1 is v0's peer", glr1.Link != nil && glr1.Link.Name == "v1" &&
			glr1.Link.ParentIndex == index, "got %v, want parent_index %d", glr1.Link, index)
	}

	// Errors as gRPC status codes.
	err = call("GetLink", &GetLinkRequest{Namespace: ref, Name: "nope"}, &GetLinkResponse{})
	checkCode("GetLink nope -> NotFound", err, codes.NotFound)

	err = call("GetLink", &GetLinkRequest{Namespace: &NamespaceRef{Name: "interop-none"}, Name: "lo"},
		&GetLinkResponse{})
	checkCode("GetLink in unknown namespace -> NotFound", err, codes.NotFound)

	err = call("CreateNamespace", &CreateNamespaceRequest{Name: "bad/name"}, &CreateNamespaceResponse{})
	checkCode("CreateNamespace bad/name -> InvalidArgument", err, codes.InvalidArgument)

	err = call("Frobnicate", &Empty{}, &Empty{})
	checkCode("unknown method Frobnicate -> Unimplemented", err, codes.Unimplemented)

	err = client.Call(bg, "nsring.v1.Nope", "ListNamespaces", &Empty{}, &Empty{})
	checkCode("unknown service -> Unimplemented", err, codes.Unimplemented)

	// A call with a deadline (the client sends timeout_nano) succeeds.
	{
		ctx, cancel := context.WithDeadline(bg, time.Now().Add(5*time.Second))
		var r ListNamespacesResponse
		err = client.Call(ctx, service, "ListNamespaces", &Empty{}, &r)
		cancel()
		check("ListNamespaces with a 5s deadline", err == nil && hasNamespace(&r, nsName) != nil,
			"err %v, got %v", err, names(&r))
	}
	// A call with no deadline at all (timeout_nano 0) succeeds.
	{
		var r GetLinkResponse
		err = client.Call(bg, service, "GetLink", &GetLinkRequest{Namespace: ref, Name: "v0"}, &r)
		check("GetLink with no deadline", err == nil && r.Link != nil && r.Link.Index == index,
			"err %v, got %v", err, r.Link)
	}
	// A call carrying ttrpc metadata (Request field 5) succeeds.
	{
		md := ttrpc.MD{}
		md.Set("x-interop", "yes", "really")
		ctx, cancel := context.WithTimeout(ttrpc.WithMetadata(bg, md), 5*time.Second)
		var r ListNamespacesResponse
		err = client.Call(ctx, service, "ListNamespaces", &Empty{}, &r)
		cancel()
		check("ListNamespaces with metadata", err == nil, "%v", err)
	}

	// 50 concurrent calls on one client: stream-id multiplexing.
	{
		const n = 50
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(bg, 30*time.Second)
				defer cancel()
				switch i % 3 {
				case 0:
					var r GetLinkResponse
					err := client.Call(ctx, service, "GetLink",
						&GetLinkRequest{Namespace: ref, Name: "v0"}, &r)
					if err == nil && (r.Link == nil || r.Link.Index != index) {
						err = fmt.Errorf("GetLink v0: got %v", r.Link)
					}
					errs[i] = err
				case 1:
					var r ListNamespacesResponse
					err := client.Call(ctx, service, "ListNamespaces", &Empty{}, &r)
					if err == nil && hasNamespace(&r, nsName) == nil {
						err = fmt.Errorf("ListNamespaces: got %v", names(&r))
					}
					errs[i] = err
				case 2:
					// An error reply must reach the right caller too.
					err := client.Call(ctx, service, "GetLink",
						&GetLinkRequest{Namespace: ref, Name: fmt.Sprintf("nope%d", i)},
						&GetLinkResponse{})
					if status.Code(err) != codes.NotFound {
						err = fmt.Errorf("GetLink nope%d: got %v, want NotFound", i, err)
					} else {
						err = nil
					}
					errs[i] = err
				}
			}(i)
		}
		wg.Wait()
		bad := 0
		var first error
		for _, e := range errs {
			if e != nil {
				if first == nil {
					first = e
				}
				bad++
			}
		}
		check(fmt.Sprintf("%d concurrent calls on one client", n), bad == 0,
			"%d failed, first: %v", bad, first)
	}

	// DeleteNamespace, then it is gone.
	err = call("DeleteNamespace", &DeleteNamespaceRequest{Name: nsName}, &Empty{})
	check("DeleteNamespace "+nsName, err == nil, "%v", err)

	var lns2 ListNamespacesResponse
	err = call("ListNamespaces", &Empty{}, &lns2)
	if check("ListNamespaces after delete", err == nil, "%v", err) {
		check(nsName+" is gone", hasNamespace(&lns2, nsName) == nil, "got %v", names(&lns2))
	}

	err = call("DeleteNamespace", &DeleteNamespaceRequest{Name: nsName}, &Empty{})
	checkCode("DeleteNamespace "+nsName+" again -> NotFound", err, codes.NotFound)

	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
