package tests

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tlsFiles is a throw-away CA and a server certificate for 127.0.0.1.
type tlsFiles struct {
	CA     string // the CA certificate (PEM)
	Server string // server certificate and its key in one PEM file
}

func makeTLSFiles(t *testing.T, dir string) tlsFiles {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gostrisk e2e CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	f := tlsFiles{CA: filepath.Join(dir, "ca.pem"), Server: filepath.Join(dir, "asterisk.pem")}
	mustWrite(t, f.CA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	mustWrite(t, f.Server, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})...))
	return f
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeToneWAV writes seconds of a sine at freq Hz, 8 kHz mono 16-bit.
func writeToneWAV(t *testing.T, path string, freq float64, seconds int) {
	t.Helper()
	n := 8000 * seconds
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(2*n))
	for i := 0; i < n; i++ {
		binary.Write(&b, binary.LittleEndian, int16(12000*math.Sin(2*math.Pi*freq*float64(i)/8000)))
	}
	mustWrite(t, path, b.Bytes())
}

// readWAV returns the 16-bit samples of a PCM WAV file (any chunk layout).
func readWAV(path string) ([]int16, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%s: not a WAV file", path)
	}
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), int(binary.LittleEndian.Uint32(data[p+4:p+8]))
		p += 8
		if id == "data" {
			end := min(p+size, len(data))
			out := make([]int16, (end-p)/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(data[p+2*i:]))
			}
			return out, nil
		}
		p += size + size%2
	}
	return nil, fmt.Errorf("%s: no data chunk", path)
}

// toneShare is the fraction of the signal's energy at freq Hz in an
// 8 kHz signal (see goertzelShare).
func toneShare(s []float64, freq float64) float64 { return goertzelShare(s, freq, 8000) }

func rms(s []float64) float64 {
	var e float64
	for _, x := range s {
		e += x * x
	}
	if len(s) == 0 {
		return 0
	}
	return math.Sqrt(e / float64(len(s)))
}

// ulawDecode is G.711 mu-law to linear.
func ulawDecode(u byte) float64 {
	u = ^u
	sign := u & 0x80
	exp := (u >> 4) & 7
	mant := u & 0x0f
	v := ((int(mant) << 3) + 0x84) << exp
	v -= 0x84
	if sign != 0 {
		v = -v
	}
	return float64(v)
}

// ulawEncode is linear to G.711 mu-law, for the detector's self-check.
func ulawEncode(x int16) byte {
	const bias, clip = 0x84, 32635
	v := int(x)
	sign := byte(0)
	if v < 0 {
		v, sign = -v, 0x80
	}
	v = min(v, clip) + bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^(sign | byte(exp<<4) | byte(mant))
}

// plaintextTone says whether an RTP packet's payload, read as clear PCMU,
// carries one of the test tones. SRTP encrypts the payload (AES counter
// mode), so an encrypted packet decodes to noise with no tone in it.
func plaintextTone(pkt []byte, freqs ...float64) bool {
	if len(pkt) < 12+80 || pkt[0]>>6 != 2 {
		return false
	}
	hdr := 12 + 4*int(pkt[0]&0x0f)
	if len(pkt) < hdr+80 {
		return false
	}
	payload := pkt[hdr:]
	s := make([]float64, min(len(payload), 160))
	for i := range s {
		s[i] = ulawDecode(payload[i])
	}
	for _, f := range freqs {
		if toneShare(s, f) > 0.5 {
			return true
		}
	}
	return false
}

// rtpCapture records the UDP payloads of every packet on the loopback
// interface from or to a port in [lo, hi), through an AF_PACKET socket
// (needs root or CAP_NET_RAW). A UDP socket cannot share the relay's port,
// and tshark is not a dependency; this sees exactly what crosses lo.
type rtpCapture struct {
	fd      int
	lo, hi  int
	mu      sync.Mutex
	packets [][]byte
	stop    chan struct{}
	done    chan struct{}
}

func startRTPCapture(lo, hi int) (*rtpCapture, error) {
	const ethPIP = 0x0800
	proto := (ethPIP&0xff)<<8 | ethPIP>>8 // ETH_P_IP in network byte order
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_DGRAM, proto)
	if err != nil {
		return nil, fmt.Errorf("AF_PACKET socket: %w", err)
	}
	ifi, err := net.InterfaceByName("lo")
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: uint16(proto), Ifindex: ifi.Index}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("bind to lo: %w", err)
	}
	tv := syscall.NsecToTimeval(int64(100 * time.Millisecond))
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	c := &rtpCapture{fd: fd, lo: lo, hi: hi, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *rtpCapture) run() {
	defer close(c.done)
	buf := make([]byte, 65536)
	for {
		select {
		case <-c.stop:
			return
		default:
		}
		n, _, err := syscall.Recvfrom(c.fd, buf, 0)
		if err != nil || n < 28 {
			continue
		}
		ihl := int(buf[0]&0x0f) * 4
		if buf[0]>>4 != 4 || buf[9] != syscall.IPPROTO_UDP || n < ihl+8 {
			continue
		}
		sp := int(binary.BigEndian.Uint16(buf[ihl:]))
		dp := int(binary.BigEndian.Uint16(buf[ihl+2:]))
		if (sp < c.lo || sp >= c.hi) && (dp < c.lo || dp >= c.hi) {
			continue
		}
		c.mu.Lock()
		c.packets = append(c.packets, append([]byte(nil), buf[ihl+8:n]...))
		c.mu.Unlock()
	}
}

// Stop ends the capture and returns what it saw.
func (c *rtpCapture) Stop() [][]byte {
	select {
	case <-c.stop:
	default:
		close(c.stop)
		<-c.done
		syscall.Close(c.fd)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.packets
}

// baresip is one softphone process with its own config directory, driven
// over its ctrl_tcp socket (JSON in netstrings).
type baresip struct {
	t      *testing.T
	name   string
	dir    string
	cmd    *exec.Cmd
	out    *syncBuffer
	ctrl   net.Conn
	events chan map[string]any
	done   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// baresipConfig is what one phone needs: loopback only, a WAV file as
// microphone, the ALSA null device as speaker, every call's audio dumped
// to WAV files (sndfile). With a CA file it registers over TLS with SRTP
// mandatory; without, over UDP with plain RTP.
type baresipConfig struct {
	User      string // SIP user (the peer name)
	Registrar int    // gostrisk's TLS port with CAFile, else its UDP port
	CAFile    string // TLS and SRTP when set
	Codecs    string // the account's audio_codecs (baresip names: PCMU, PCMA, G722, GSM); default PCMU
	Source    string // WAV file played as the microphone
	RTPStart  int
	CtrlPort  int
	Manual    bool // answermode=manual: calls ring until the "accept" command
	SIPTrace  bool // baresip -s: every SIP message in its output
}

func startBaresip(t *testing.T, c baresipConfig) *baresip {
	t.Helper()
	dir := t.TempDir()
	conf := strings.Join([]string{
		"poll_method\t\tepoll",
		"sip_listen\t\t127.0.0.1:0",
		"net_interface\t\t127.0.0.1",
		"call_local_timeout\t30",
		"audio_player\t\talsa,null",
		"audio_alert\t\talsa,null",
		"audio_source\t\taufile," + c.Source,
		"audio_level\t\tno",
		fmt.Sprintf("rtp_ports\t\t%d-%d", c.RTPStart, c.RTPStart+19),
		"rtp_timeout\t\t0",
		"module_path\t\t/usr/lib/baresip/modules",
		"module\t\t\tg711.so",
		"module\t\t\tg722.so",
		"module\t\t\tgsm.so",
		"module\t\t\taufile.so",
		"module\t\t\talsa.so",
		"module\t\t\tsrtp.so",
		"module\t\t\tsndfile.so",
		"snd_path\t\t" + dir,
		"module_app\t\taccount.so",
		"module_app\t\tmenu.so",
		"module_app\t\tctrl_tcp.so",
		fmt.Sprintf("ctrl_tcp_listen\t\t127.0.0.1:%d", c.CtrlPort),
	}, "\n")
	if c.CAFile != "" {
		conf += "\nsip_cafile\t\t" + c.CAFile
	}
	mustWrite(t, filepath.Join(dir, "config"), []byte(conf+"\n"))
	codecs := c.Codecs
	if codecs == "" {
		codecs = "PCMU"
	}
	transport, enc := "udp", ""
	if c.CAFile != "" {
		transport, enc = "tls", ";mediaenc=srtp-mand"
	}
	answer := "auto"
	if c.Manual {
		answer = "manual"
	}
	account := fmt.Sprintf("<sip:%s@127.0.0.1:%d;transport=%s>;auth_pass=test%s;regint=600;answermode=%s;audio_codecs=%s\n",
		c.User, c.Registrar, transport, enc, answer, codecs)
	mustWrite(t, filepath.Join(dir, "accounts"), []byte(account))
	mustWrite(t, filepath.Join(dir, "contacts"), nil)

	b := &baresip{t: t, name: c.User, dir: dir, out: &syncBuffer{}, events: make(chan map[string]any, 64), done: make(chan struct{})}
	args := []string{"-f", dir}
	if c.SIPTrace {
		args = append(args, "-s")
	}
	b.cmd = exec.Command("baresip", args...)
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	b.cmd.Stdin = nil
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("baresip %s: %v", c.User, err)
	}
	go func() {
		b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(b.Stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("baresip %s output:\n%s", c.User, b.out.String())
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.CtrlPort))
		if err == nil {
			b.ctrl = conn
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip %s: ctrl_tcp did not open: %v\n%s", c.User, err, b.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	go b.readEvents()
	return b
}

// readEvents forwards ctrl_tcp messages until the connection closes.
func (b *baresip) readEvents() {
	defer close(b.events)
	r := bufio.NewReader(b.ctrl)
	for {
		lenStr, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenStr, ":")))
		if err != nil {
			return
		}
		msg := make([]byte, n+1) // the payload and the trailing ','
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(msg[:n], &m) == nil {
			b.events <- m
		}
	}
}

// command sends one ctrl_tcp command.
func (b *baresip) command(cmd, params string) {
	b.t.Helper()
	data, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(data), data); err != nil {
		b.t.Fatalf("baresip %s: %s: %v", b.name, cmd, err)
	}
}

// waitEvent waits for an event of the given type ("REGISTER_OK",
// "CALL_ESTABLISHED", ...).
func (b *baresip) waitEvent(typ string, timeout time.Duration) error {
	tm := time.NewTimer(timeout)
	defer tm.Stop()
	for {
		select {
		case m, ok := <-b.events:
			if !ok {
				return fmt.Errorf("baresip %s: control connection closed before %s", b.name, typ)
			}
			if ev, _ := m["event"].(bool); ev && m["type"] == typ {
				return nil
			}
			if m["type"] == "REGISTER_FAIL" && typ == "REGISTER_OK" {
				return fmt.Errorf("baresip %s: registration failed: %v", b.name, m["param"])
			}
			if m["type"] == "CALL_CLOSED" && typ == "CALL_ESTABLISHED" {
				return fmt.Errorf("baresip %s: call closed: %v", b.name, m["param"])
			}
		case <-tm.C:
			return fmt.Errorf("baresip %s: no %s within %v", b.name, typ, timeout)
		}
	}
}

// waitRegistered waits until the account is registered. baresip reports it
// as a REGISTER_OK event on ctrl_tcp, but it may register before the test's
// control connection is up, and that event is then lost; its own output
// line ("<user>@<host>: {0/TLS/v4} 200 OK (...)") is kept, so either counts.
func (b *baresip) waitRegistered(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(b.out.String(), "} 200 OK (") {
			return nil
		}
		select {
		case m, ok := <-b.events:
			if !ok {
				return fmt.Errorf("baresip %s: control connection closed before registering", b.name)
			}
			if ev, _ := m["event"].(bool); ev && m["type"] == "REGISTER_OK" {
				return nil
			}
			if m["type"] == "REGISTER_FAIL" {
				return fmt.Errorf("baresip %s: registration failed: %v", b.name, m["param"])
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("baresip %s: not registered within %v", b.name, timeout)
}

// Stop asks baresip to quit (so that its WAV dumps are finalised), then
// kills it if it lingers.
func (b *baresip) Stop() {
	select {
	case <-b.done:
		return
	default:
	}
	if b.ctrl != nil {
		data := `{"command":"quit","token":"quit"}`
		fmt.Fprintf(b.ctrl, "%d:%s,", len(data), data)
	}
	select {
	case <-b.done:
	case <-time.After(3 * time.Second):
		b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(2 * time.Second):
			b.cmd.Process.Kill()
			<-b.done
		}
	}
	if b.ctrl != nil {
		b.ctrl.Close()
	}
}

// recording returns the audio this phone received in its call (sndfile's
// "dec" dump).
func (b *baresip) recording() ([]float64, error) {
	files, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(files) == 0 {
		return nil, errors.New("no dump-*-dec.wav written")
	}
	samples, err := readWAV(files[0])
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(samples))
	for i, s := range samples {
		out[i] = float64(s)
	}
	return out, nil
}

func sinAt(freq float64, i int) float64 { return math.Sin(2 * math.Pi * freq * float64(i) / 8000) }
