// Minimal hand-written message types for the nsring.v1 API
// (proto/nsring/v1/nsring.proto), in the style of ttrpc's own types.go: plain
// structs with protobuf struct tags, marshalled by gogo/protobuf's reflection
// path. Only the fields this test uses are declared; unknown fields in replies
// are skipped by the decoder.
//
// Oneofs are avoided: a oneof member is on the wire just an optional field with
// its own number, so NamespaceRef carries only `name` (field 1) as a plain
// string and Link carries only `veth` (field 20) as a plain message pointer.
package main

import "fmt"

type NamespaceRef struct {
	Name string `protobuf:"bytes,1,opt,name=name,proto3"`
}

func (m *NamespaceRef) Reset()         { *m = NamespaceRef{} }
func (m *NamespaceRef) String() string { return fmt.Sprintf("%+v", *m) }
func (*NamespaceRef) ProtoMessage()    {}

type Namespace struct {
	Name  string `protobuf:"bytes,1,opt,name=name,proto3"`
	Path  string `protobuf:"bytes,2,opt,name=path,proto3"`
	Inode uint64 `protobuf:"varint,3,opt,name=inode,proto3"`
}

func (m *Namespace) Reset()         { *m = Namespace{} }
func (m *Namespace) String() string { return fmt.Sprintf("%+v", *m) }
func (*Namespace) ProtoMessage()    {}

type CreateNamespaceRequest struct {
	Name string `protobuf:"bytes,1,opt,name=name,proto3"`
}

func (m *CreateNamespaceRequest) Reset()         { *m = CreateNamespaceRequest{} }
func (m *CreateNamespaceRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateNamespaceRequest) ProtoMessage()    {}

type CreateNamespaceResponse struct {
	Namespace *Namespace `protobuf:"bytes,1,opt,name=namespace,proto3"`
}

func (m *CreateNamespaceResponse) Reset()         { *m = CreateNamespaceResponse{} }
func (m *CreateNamespaceResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateNamespaceResponse) ProtoMessage()    {}

type DeleteNamespaceRequest struct {
	Name string `protobuf:"bytes,1,opt,name=name,proto3"`
}

func (m *DeleteNamespaceRequest) Reset()         { *m = DeleteNamespaceRequest{} }
func (m *DeleteNamespaceRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*DeleteNamespaceRequest) ProtoMessage()    {}

// Empty serves as DeleteNamespaceResponse, ListNamespacesRequest and the
// messages of the unknown-method call: all have no fields.
type Empty struct{}

func (m *Empty) Reset()         { *m = Empty{} }
func (m *Empty) String() string { return "{}" }
func (*Empty) ProtoMessage()    {}

type ListNamespacesResponse struct {
	Namespaces []*Namespace `protobuf:"bytes,1,rep,name=namespaces,proto3"`
}

func (m *ListNamespacesResponse) Reset()         { *m = ListNamespacesResponse{} }
func (m *ListNamespacesResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*ListNamespacesResponse) ProtoMessage()    {}

type Veth struct {
	PeerName string `protobuf:"bytes,1,opt,name=peer_name,json=peerName,proto3"`
}

func (m *Veth) Reset()         { *m = Veth{} }
func (m *Veth) String() string { return fmt.Sprintf("%+v", *m) }
func (*Veth) ProtoMessage()    {}

type Link struct {
	Index       uint32 `protobuf:"varint,1,opt,name=index,proto3"`
	Name        string `protobuf:"bytes,2,opt,name=name,proto3"`
	Kind        string `protobuf:"bytes,3,opt,name=kind,proto3"`
	Flags       uint32 `protobuf:"varint,4,opt,name=flags,proto3"`
	Up          bool   `protobuf:"varint,5,opt,name=up,proto3"`
	OperState   string `protobuf:"bytes,6,opt,name=oper_state,json=operState,proto3"`
	Mtu         uint32 `protobuf:"varint,7,opt,name=mtu,proto3"`
	Address     string `protobuf:"bytes,8,opt,name=address,proto3"`
	MasterIndex uint32 `protobuf:"varint,9,opt,name=master_index,json=masterIndex,proto3"`
	Group       uint32 `protobuf:"varint,10,opt,name=group,proto3"`
	ParentIndex uint32 `protobuf:"varint,11,opt,name=parent_index,json=parentIndex,proto3"`
	LinkNetnsid int32  `protobuf:"varint,12,opt,name=link_netnsid,json=linkNetnsid,proto3"`
	// Member of oneof info; on the wire just optional field 20.
	Veth *Veth `protobuf:"bytes,20,opt,name=veth,proto3"`
}

func (m *Link) Reset()         { *m = Link{} }
func (m *Link) String() string { return fmt.Sprintf("%+v", *m) }
func (*Link) ProtoMessage()    {}

type CreateLinkRequest struct {
	Namespace *NamespaceRef `protobuf:"bytes,1,opt,name=namespace,proto3"`
	Link      *Link         `protobuf:"bytes,2,opt,name=link,proto3"`
	Master    string        `protobuf:"bytes,3,opt,name=master,proto3"`
}

func (m *CreateLinkRequest) Reset()         { *m = CreateLinkRequest{} }
func (m *CreateLinkRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateLinkRequest) ProtoMessage()    {}

type CreateLinkResponse struct {
	Link *Link `protobuf:"bytes,1,opt,name=link,proto3"`
}

func (m *CreateLinkResponse) Reset()         { *m = CreateLinkResponse{} }
func (m *CreateLinkResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateLinkResponse) ProtoMessage()    {}

type GetLinkRequest struct {
	Namespace *NamespaceRef `protobuf:"bytes,1,opt,name=namespace,proto3"`
	Name      string        `protobuf:"bytes,2,opt,name=name,proto3"`
	Index     uint32        `protobuf:"varint,3,opt,name=index,proto3"`
}

func (m *GetLinkRequest) Reset()         { *m = GetLinkRequest{} }
func (m *GetLinkRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*GetLinkRequest) ProtoMessage()    {}

type GetLinkResponse struct {
	Link *Link `protobuf:"bytes,1,opt,name=link,proto3"`
}

func (m *GetLinkResponse) Reset()         { *m = GetLinkResponse{} }
func (m *GetLinkResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*GetLinkResponse) ProtoMessage()    {}
