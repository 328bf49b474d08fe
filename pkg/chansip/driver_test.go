package chansip

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// asteriskRow is the astdb value Asterisk 18 wrote for the reference
// registration of 6000.
const asteriskRow = "127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP"

// TestRestoreFromAsteriskAstdb builds the driver on the reference sip.conf
// over an astdb holding Asterisk's row, and compares "sip show peers" and
// "sip show peer 6000" with what Asterisk printed in that state.
func TestRestoreFromAsteriskAstdb(t *testing.T) {
	raw, err := os.ReadFile("testdata/reference-sip.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadConf(t, string(raw))
	store := newMemStore()
	store.Put("SIP/Registry", "6000", asteriskRow)
	now := time.Now()
	reg := cli.NewRegistry()
	d, err := New(Options{Config: cfg, Store: store, Registry: reg, Version: "18.26.4",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	// The transcript was taken 1 s after the registration, with the trunk
	// unreachable; chan_sip counted the expiry from its 10 s guard.
	d.regs.get("6000").Expires = now.Add(3609 * time.Second)
	d.regs.get("6000").UserAgent = "SIPp-reg-6000"
	d.runtime("trunk-ovh").lastMs = -1
	for _, tc := range []struct{ cmd, golden string }{
		{"sip show peers", "testdata/sip-show-peers.after-register-6000.txt"},
		{"sip show peer 6000", "testdata/sip-show-peer-6000.after-register-6000.txt"},
	} {
		var b bytes.Buffer
		if err := reg.Execute(nil, tc.cmd, &b); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.cmd, b.String(), want)
		}
	}
	r := d.regs.get("6000")
	if r.Addr != netip.MustParseAddrPort("127.0.0.1:5061") || r.Username != "asadek" || r.Transport != "UDP" {
		t.Errorf("restored %+v", r)
	}
}

func TestRestoreDropsExpired(t *testing.T) {
	cfg := loadConf(t, testSIPConf)
	store := newMemStore()
	store.Put("SIP/Registry", "6000", asteriskRow)
	store.Put(expiresFamily, "6000", fmt.Sprint(time.Now().Add(-time.Minute).Unix()))
	d, err := New(Options{Config: cfg, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if d.regs.get("6000") != nil {
		t.Error("expired registration restored")
	}
	if _, ok := store.Get("SIP/Registry", "6000"); ok {
		t.Error("expired row kept")
	}
}

func TestReloadKeepsRegistrations(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "600"})
	ph.registerAuth(regOpts{user: "nat", authUser: "nat", password: "test", expires: "600"})
	// 6000 stays, nat goes, 7000 arrives.
	next := strings.Replace(testSIPConf, "[nat]", "[7000]", 1)
	if err := env.d.Reload(loadConf(t, next)); err != nil {
		t.Fatal(err)
	}
	if env.d.regs.get("6000") == nil {
		t.Error("6000 lost its registration")
	}
	if env.d.regs.get("nat") != nil {
		t.Error("removed peer kept its registration")
	}
	if _, ok := env.d.View().Peers["7000"]; !ok {
		t.Error("new peer missing")
	}
}

func TestStartPortInUse(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := loadConf(t, testSIPConf)
	cfg.General.UDPBind = c.LocalAddr().(*net.UDPAddr).AddrPort()
	d, err := New(Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err == nil {
		d.Stop()
		t.Fatal("Start succeeded on a busy port")
	}
}

func TestCLI(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "600"})
	tests := []struct{ cmd, want string }{
		{"sip unregister 7000", "Peer unknown: '7000'. Not unregistered.\n"},
		{"sip unregister acl", "Peer acl not registered\n"},
		{"sip unregister 6000", "Unregistered peer '6000'\n\n"},
		{"sip unregister 6000", "Peer 6000 not registered\n"},
		{"sip qualify peer nobody", "Peer 'nobody' not found\n"},
		{"sip set debug on", "SIP Debugging enabled\n"},
		{"sip set debug ip 127.0.0.1", "SIP Debugging Enabled for IP: 127.0.0.1\n"},
		{"sip set debug peer static", "SIP Debugging Enabled for IP: 127.0.0.1:5060\n"},
		{"sip set debug peer 6000", "Unable to get IP address of peer '6000'\n"},
		{"sip set debug peer zz", "No such peer 'zz'\n"},
		{"sip set debug off", "SIP Debugging Disabled\n"},
		{"sip reload", ""},
	}
	for _, tc := range tests {
		if got := env.rx(t, tc.cmd); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
	if _, ok := env.store.Get("SIP/Registry", "6000"); ok {
		t.Error("sip unregister left the astdb row")
	}
}

func TestDebugOutput(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	env.rx(t, "sip set debug on")
	ph := newPhone(t, env.addr)
	env.log.take()
	ph.register(regOpts{user: "6000", expires: "600"})
	env.log.waitFor(t, "<--- Transmitting (no NAT) to "+ph.addr().String()+" --->\nSIP/2.0 401 Unauthorized\r\n", time.Second)
	env.log.waitFor(t, "VERBOSE0: \n<--- SIP read from UDP:"+ph.addr().String()+" --->\nREGISTER sip:", time.Second)
	env.rx(t, "sip set debug off")
	env.log.take()
	ph.register(regOpts{user: "6000", expires: "600"})
	if l := env.log.take(); len(l) != 0 {
		t.Errorf("debug off still prints: %q", l)
	}
}

func TestIncomingOptions(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	me := ph.addr()
	ph.send(fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-opt;rport\r\n"+
		"From: <sip:probe@%s>;tag=x\r\nTo: <sip:%s>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		env.addr, me, me.Addr(), env.addr))
	res := ph.recv()
	if res.code != 200 || res.headers["allow"] != env.d.allowHeader() || res.headers["accept"] != "application/sdp" ||
		res.headers["supported"] != "replaces, timer" || res.headers["contact"] != "<sip:"+env.addr.String()+">" {
		t.Fatalf("OPTIONS reply:\n%s", res.raw)
	}
}
