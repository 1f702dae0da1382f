// The nsring.v1 messages this example sends with containerd's ttrpc client (ListNamespaces),
// as plain structs with protobuf tags (gogo/protobuf's reflection path), as tests/interop/
// ttrpc-go does. Unknown fields in replies are skipped.
package main

import "fmt"

type Empty struct{}

func (m *Empty) Reset()         { *m = Empty{} }
func (m *Empty) String() string { return "{}" }
func (*Empty) ProtoMessage()    {}

type Namespace struct {
	Name  string `protobuf:"bytes,1,opt,name=name,proto3"`
	Path  string `protobuf:"bytes,2,opt,name=path,proto3"`
	Inode uint64 `protobuf:"varint,3,opt,name=inode,proto3"`
}

func (m *Namespace) Reset()         { *m = Namespace{} }
func (m *Namespace) String() string { return fmt.Sprintf("%+v", *m) }
func (*Namespace) ProtoMessage()    {}

type ListNamespacesResponse struct {
	Namespaces []*Namespace `protobuf:"bytes,1,rep,name=namespaces,proto3"`
}

func (m *ListNamespacesResponse) Reset()         { *m = ListNamespacesResponse{} }
func (m *ListNamespacesResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*ListNamespacesResponse) ProtoMessage()    {}
