// A small ttrpc call that receives the fd nsringd passes with OpenSocket's reply. containerd's
// Go ttrpc client reads its connection with Read, which drops SCM_RIGHTS, so this call uses a
// connection of its own, read with recvmsg. The messages are few and tiny: encoded here by hand
// (protobuf wire format), so the example needs nothing beyond the standard library for it.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"syscall"
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field)<<3|2)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendUint(b []byte, field int, v uint64) []byte {
	b = appendVarint(b, uint64(field)<<3)
	return appendVarint(b, v)
}

// fields decodes one message level: varints and length-delimited values by field number.
func fields(b []byte) (map[int]uint64, map[int][]byte, error) {
	ints, blobs := map[int]uint64{}, map[int][]byte{}
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, nil, errors.New("bad varint")
		}
		b = b[n:]
		switch key & 7 {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, nil, errors.New("bad varint")
			}
			ints[int(key>>3)] = v
			b = b[n:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, nil, errors.New("bad length")
			}
			blobs[int(key>>3)] = b[n : n+int(l)]
			b = b[n+int(l):]
		default:
			return nil, nil, fmt.Errorf("wire type %d", key&7)
		}
	}
	return ints, blobs, nil
}

// openSocket asks nsringd for a socket(domain, typ, 0) created inside the named namespace and
// returns its fd and the namespace's inode.
func openSocket(sock, ns string, domain, typ int) (int, uint64, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return -1, 0, err
	}
	defer conn.Close()

	// OpenSocketRequest{namespace: NamespaceRef{name}, socket: SocketSpec{domain, type}}
	ref := appendBytes(nil, 1, []byte(ns))
	spec := appendUint(appendUint(nil, 1, uint64(domain)), 2, uint64(typ))
	req := appendBytes(appendBytes(nil, 1, ref), 2, spec)
	// ttrpc.Request{service, method, payload}, in a frame: length, stream id, type 1, flags 0
	body := appendBytes(appendBytes(appendBytes(nil, 1, []byte("nsring.v1.NsRing")), 2,
		[]byte("OpenSocket")), 3, req)
	frame := make([]byte, 10, 10+len(body))
	binary.BigEndian.PutUint32(frame[0:], uint32(len(body)))
	binary.BigEndian.PutUint32(frame[4:], 1)
	frame[8] = 1
	if _, err := conn.Write(append(frame, body...)); err != nil {
		return -1, 0, err
	}

	// The fd rides on the reply frame's first byte: every read is a recvmsg.
	var in []byte
	fd := -1
	buf := make([]byte, 65536)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	for len(in) < 10 || len(in) < 10+int(binary.BigEndian.Uint32(in[0:])) {
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			if fd >= 0 {
				syscall.Close(fd)
			}
			return -1, 0, err
		}
		in = append(in, buf[:n]...)
		msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
		for _, m := range msgs {
			fds, _ := syscall.ParseUnixRights(&m)
			for _, f := range fds {
				syscall.CloseOnExec(f)
				if fd < 0 {
					fd = f
				} else {
					syscall.Close(f) // cannot happen: one fd per reply
				}
			}
		}
	}
	n := binary.BigEndian.Uint32(in[0:])
	// ttrpc.Response{status: Status{code, message}, payload}
	_, blobs, err := fields(in[10 : 10+n])
	if err == nil && blobs[1] != nil {
		st, sm, _ := fields(blobs[1])
		if st[1] != 0 {
			err = fmt.Errorf("status %d: %s", st[1], sm[2])
		}
	}
	if err != nil {
		if fd >= 0 {
			syscall.Close(fd)
		}
		return -1, 0, err
	}
	if fd < 0 {
		return -1, 0, errors.New("OpenSocket answered without an fd")
	}
	resp, _, err := fields(blobs[2])
	if err != nil {
		syscall.Close(fd)
		return -1, 0, err
	}
	return fd, resp[1], nil
}
