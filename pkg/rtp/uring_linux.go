//go:build linux

package rtp

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The small part of io_uring the relay uses (include/uapi/linux/io_uring.h):
// one submission and one completion ring, and a ring of provided buffers
// that multishot receives fill.
const (
	uringOpPollAdd     = 6
	uringOpRecvMsg     = 10
	uringOpAsyncCancel = 14
	uringOpSend        = 26

	uringSqeBufferSelect   = 1 << 5
	uringSqeCQESkipSuccess = 1 << 6

	uringSetupCQSize       = 1 << 3
	uringSetupSubmitAll    = 1 << 7
	uringSetupCoopTaskrun  = 1 << 8
	uringSetupSingleIssuer = 1 << 12
	uringSetupDeferTaskrun = 1 << 13

	uringFeatSingleMmap = 1 << 0
	uringFeatNoDrop     = 1 << 1
	uringFeatCQESkip    = 1 << 11

	uringEnterGetEvents = 1 << 0

	uringCQEFBuffer   = 1 << 0
	uringCQEFMore     = 1 << 1
	uringCQEBufferBit = 16

	uringRecvMultishot = 1 << 1
	uringPollAddMulti  = 1 << 0

	uringRegisterEventfd  = 4
	uringRegisterPbufRing = 22

	uringCQEventfdDisabled = 1 << 0

	uringOffSQRing = 0
	uringOffSQEs   = 0x10000000
)

type uringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqOff struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
}

// uringSQE is struct io_uring_sqe (64 bytes).
type uringSQE struct {
	opcode      uint8
	flags       uint8
	ioprio      uint16
	fd          int32
	addr2       uint64
	addr        uint64
	len         uint32
	opFlags     uint32 // msg_flags, poll32_events, cancel_flags
	userData    uint64
	bufGroup    uint16
	personality uint16
	addrLen     uint16
	_           uint16
	addr3       uint64
	_           uint64
}

// uringCQE is struct io_uring_cqe.
type uringCQE struct {
	userData uint64
	res      int32
	flags    uint32
}

// uring is one io_uring instance owned by one goroutine locked to its
// thread: the ring is set up single-issuer with deferred task work, so
// the kernel does the receive work only when that thread asks for
// completions.
type uring struct {
	fd      int
	ringMem []byte
	sqeMem  []byte

	sqHead    *uint32
	sqTail    *uint32
	sqMask    uint32
	sqEntries uint32
	sqes      []uringSQE
	tail      uint32 // SQEs written; published to *sqTail by enter
	submitted uint32 // SQEs handed to the kernel

	cqHead  *uint32
	cqTail  *uint32
	cqFlags *uint32
	cqMask  uint32
	cqes    []uringCQE
}

var errUringUnsupported = errors.New("rtp: io_uring unavailable")

func newUring(entries, cqEntries uint32) (*uring, error) {
	return newUringFlags(entries, cqEntries, uringSetupCoopTaskrun|uringSetupSingleIssuer|uringSetupDeferTaskrun)
}

// newSendUring sets up a ring for sends only, which any thread may enter:
// a non-blocking send runs inline at submission, so it gains nothing from
// deferred task work, and its owner need not lock a thread (see txRing).
// Without cooperative task running, the rare send that must wait (a full
// socket buffer) is finished by task work that wakes the thread that
// submitted it, whichever thread that was and however long it sleeps.
func newSendUring(entries, cqEntries uint32) (*uring, error) {
	return newUringFlags(entries, cqEntries, 0)
}

func newUringFlags(entries, cqEntries, extra uint32) (*uring, error) {
	p := uringParams{
		flags:     uringSetupCQSize | uringSetupSubmitAll | extra,
		cqEntries: cqEntries,
	}
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, fmt.Errorf("%w: io_uring_setup: %w", errUringUnsupported, e)
	}
	u := &uring{fd: int(fd)}
	need := uint32(uringFeatSingleMmap | uringFeatNoDrop | uringFeatCQESkip)
	if p.features&need != need {
		u.close()
		return nil, fmt.Errorf("%w: kernel lacks features %#x", errUringUnsupported, need&^p.features)
	}
	size := max(p.sqOff.array+p.sqEntries*4, p.cqOff.cqes+p.cqEntries*uint32(unsafe.Sizeof(uringCQE{})))
	var err error
	u.ringMem, err = unix.Mmap(u.fd, uringOffSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		u.close()
		return nil, fmt.Errorf("rtp: mmap io_uring rings: %w", err)
	}
	u.sqeMem, err = unix.Mmap(u.fd, uringOffSQEs, int(p.sqEntries)*int(unsafe.Sizeof(uringSQE{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		u.close()
		return nil, fmt.Errorf("rtp: mmap io_uring SQEs: %w", err)
	}
	at := func(off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&u.ringMem[off])) }
	u.sqHead, u.sqTail = at(p.sqOff.head), at(p.sqOff.tail)
	u.sqMask, u.sqEntries = *at(p.sqOff.ringMask), *at(p.sqOff.ringEntries)
	u.cqHead, u.cqTail = at(p.cqOff.head), at(p.cqOff.tail)
	u.cqMask = *at(p.cqOff.ringMask)
	u.cqFlags = at(p.cqOff.flags)
	// SQE i always sits in slot i of the indirection array.
	array := unsafe.Slice(at(p.sqOff.array), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	u.sqes = unsafe.Slice((*uringSQE)(unsafe.Pointer(&u.sqeMem[0])), p.sqEntries)
	u.cqes = unsafe.Slice((*uringCQE)(unsafe.Pointer(&u.ringMem[p.cqOff.cqes])), p.cqEntries)
	return u, nil
}

// registerEventfd has the kernel signal fd when it queues work for the
// ring (a socket's datagram to receive, a completion), while signalling
// is on (see signal).
func (u *uring) registerEventfd(fd int) error {
	v := int32(fd)
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(u.fd), uringRegisterEventfd, uintptr(unsafe.Pointer(&v)), 1, 0, 0); e != 0 {
		return fmt.Errorf("%w: register eventfd: %w", errUringUnsupported, e)
	}
	return nil
}

// signal turns the registered eventfd's signalling on or off; a busy
// loop has no use for it and should not pay for a wake-up per batch.
func (u *uring) signal(on bool) {
	f := atomic.LoadUint32(u.cqFlags)
	if on {
		f &^= uringCQEventfdDisabled
	} else {
		f |= uringCQEventfdDisabled
	}
	atomic.StoreUint32(u.cqFlags, f)
}

func (u *uring) close() {
	if u.sqeMem != nil {
		_ = unix.Munmap(u.sqeMem)
	}
	if u.ringMem != nil {
		_ = unix.Munmap(u.ringMem)
	}
	_ = unix.Close(u.fd)
}

// sqe returns a zeroed submission entry, submitting what is queued first
// when the ring is full.
func (u *uring) sqe() (*uringSQE, error) {
	if u.tail-atomic.LoadUint32(u.sqHead) >= u.sqEntries {
		if err := u.enter(0); err != nil {
			return nil, err
		}
	}
	s := &u.sqes[u.tail&u.sqMask]
	*s = uringSQE{}
	u.tail++
	return s, nil
}

// enter submits what is queued, runs the receives the kernel deferred to
// this thread, and waits for at least wait completions. Waiting blocks the
// thread in the kernel, so it goes through the runtime's system call
// entry; a non-waiting call is a raw one.
func (u *uring) enter(wait uint32) error {
	atomic.StoreUint32(u.sqTail, u.tail)
	for {
		toSubmit := u.tail - u.submitted
		var n uintptr
		var e unix.Errno
		if wait > 0 {
			n, _, e = unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(u.fd), uintptr(toSubmit), uintptr(wait), uringEnterGetEvents, 0, 0)
		} else {
			n, _, e = unix.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(u.fd), uintptr(toSubmit), 0, uringEnterGetEvents, 0, 0)
		}
		switch e {
		case 0:
			u.submitted += uint32(n)
			return nil
		case unix.EINTR:
			if wait > 0 {
				// Woken by a signal: whoever waits will look again.
				return nil
			}
			continue
		case unix.EBUSY, unix.EAGAIN:
			// Completions wait in the kernel's overflow list; the caller
			// reaps them and submits again.
			return nil
		default:
			return fmt.Errorf("rtp: io_uring_enter: %w", e)
		}
	}
}

// bufRing is a ring of provided buffers (IORING_REGISTER_PBUF_RING): the
// kernel picks a free one for each datagram a multishot receive takes in,
// and the relay hands it back once the packet has been sent on.
type bufRing struct {
	mem     []byte // the ring: entries of struct io_uring_buf
	data    []byte // the buffers themselves, size bytes each
	size    int
	recvLen int // the part of a buffer the kernel may fill; the rest is room for SRTP output
	mask    uint16
	tail    uint16 // buffers added; published by publish
	group   uint16
}

type uringBuf struct {
	addr uint64
	len  uint32
	bid  uint16
	_    uint16
}

func newBufRing(u *uring, group uint16, entries, size, recvLen int) (*bufRing, error) {
	ringBytes := entries * int(unsafe.Sizeof(uringBuf{}))
	mem, err := unix.Mmap(-1, 0, ringBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("rtp: mmap buffer ring: %w", err)
	}
	data, err := unix.Mmap(-1, 0, entries*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		_ = unix.Munmap(mem)
		return nil, fmt.Errorf("rtp: mmap buffers: %w", err)
	}
	reg := struct {
		ringAddr    uint64
		ringEntries uint32
		bgid        uint16
		_           uint16
		_           [3]uint64
	}{ringAddr: uint64(uintptr(unsafe.Pointer(&mem[0]))), ringEntries: uint32(entries), bgid: group}
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(u.fd), uringRegisterPbufRing, uintptr(unsafe.Pointer(&reg)), 1, 0, 0); e != 0 {
		_ = unix.Munmap(mem)
		_ = unix.Munmap(data)
		return nil, fmt.Errorf("%w: register buffer ring: %w", errUringUnsupported, e)
	}
	b := &bufRing{mem: mem, data: data, size: size, recvLen: recvLen, mask: uint16(entries - 1), group: group}
	for i := range entries {
		b.add(uint16(i))
	}
	b.publish()
	return b, nil
}

// buf is buffer bid, whole.
func (b *bufRing) buf(bid uint16) []byte {
	off := int(bid) * b.size
	return b.data[off : off+b.size : off+b.size]
}

// add queues buffer bid for the kernel; publish makes it visible.
func (b *bufRing) add(bid uint16) {
	e := (*uringBuf)(unsafe.Pointer(&b.mem[int(b.tail&b.mask)*int(unsafe.Sizeof(uringBuf{}))]))
	e.addr = uint64(uintptr(unsafe.Pointer(&b.data[int(bid)*b.size])))
	e.len = uint32(b.recvLen)
	e.bid = bid
	b.tail++
}

// publish stores the new tail. It shares a 32-bit word with the first
// entry's bid (the tail overlays that entry's reserved field), which only
// this goroutine writes, so the word is stored whole and atomically: the
// entries written before must be visible before the tail is.
func (b *bufRing) publish() {
	word := (*uint32)(unsafe.Pointer(&b.mem[12]))
	bid0 := *(*uint16)(unsafe.Pointer(&b.mem[12]))
	atomic.StoreUint32(word, uint32(bid0)|uint32(b.tail)<<16)
}

func (b *bufRing) close() {
	_ = unix.Munmap(b.mem)
	_ = unix.Munmap(b.data)
}
