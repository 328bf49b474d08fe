package chansip

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// pathSIPConf adds a peer with supportpath=yes to the registrar setup.
const pathSIPConf = testSIPConf + `
[edge]
type=friend
host=dynamic
secret=test
supportpath=yes
`

// TestRegisterPath: a supportpath=yes peer's REGISTER keeps its Path
// headers as the route set (RFC 3327), the 200 echoes them after the
// Contact with "path" in Supported, astdb keeps them under
// SIP/RegistryPath and "sip show peer" lists them; a REGISTER without
// Path clears them. A peer without supportpath neither echoes nor keeps
// them.
func TestRegisterPath(t *testing.T) {
	store := newMemStore()
	env := startDriver(t, loadConf(t, pathSIPConf), store)
	ph := newPhone(t, env.addr)
	paths := []string{"<sip:edge1.example.com;lr>", "<sip:10.0.0.2:5070;lr>;received=1, <sip:10.0.0.3;lr>"}
	want := []string{"<sip:edge1.example.com;lr>", "<sip:10.0.0.2:5070;lr>", "<sip:10.0.0.3;lr>"}

	_, ok := ph.registerAuth(regOpts{user: "edge", authUser: "edge", password: "test", expires: "600", path: paths})
	if ok == nil || ok.code != 200 {
		t.Fatalf("REGISTER: %+v", ok)
	}
	if got := ok.headers["supported"]; got != "replaces, timer, path" {
		t.Errorf("Supported %q, want path listed", got)
	}
	echo := "\r\nPath: " + paths[0] + "\r\nPath: " + paths[1] + "\r\nDate: "
	if !strings.Contains(ok.raw, echo) || strings.Index(ok.raw, "\r\nContact: ") > strings.Index(ok.raw, "\r\nPath: ") {
		t.Errorf("200 does not echo the Path headers after Contact:\n%s", ok.raw)
	}
	if r := env.d.regs.get("edge"); r == nil || !slices.Equal(r.Path, want) {
		t.Fatalf("route set %v, want %v", r, want)
	}
	if v, _ := store.Get("SIP/RegistryPath", "edge"); v != strings.Join(want, ",") {
		t.Errorf("astdb SIP/RegistryPath %q", v)
	}
	out := env.rx(t, "sip show peer edge")
	if !strings.Contains(out, "\n  Path support : Yes\n  Path         : "+strings.Join(want, ", ")+"\n") {
		t.Errorf("sip show peer edge:\n%s", out)
	}

	// Restored with the registration after a restart.
	rs := newRegistrations(store)
	if r, err := rs.restore("edge", time.Now()); err != nil || r == nil || !slices.Equal(r.Path, want) {
		t.Errorf("restored %+v, %v", r, err)
	}

	// A refresh without Path clears the route set.
	ph.registerAuth(regOpts{user: "edge", authUser: "edge", password: "test", expires: "600"})
	if r := env.d.regs.get("edge"); r == nil || len(r.Path) != 0 {
		t.Errorf("route set after a REGISTER without Path: %+v", r)
	}
	if _, ok := store.Get("SIP/RegistryPath", "edge"); ok {
		t.Error("SIP/RegistryPath row left")
	}
	if out := env.rx(t, "sip show peer edge"); !strings.Contains(out, "\n  Path         : N/A\n") {
		t.Errorf("sip show peer edge without Path:\n%s", out)
	}

	// Without supportpath the Path headers are neither echoed nor kept.
	_, ok = ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "600", path: paths})
	if ok == nil || ok.code != 200 {
		t.Fatalf("REGISTER 6000: %+v", ok)
	}
	if strings.Contains(ok.raw, "\r\nPath:") || ok.headers["supported"] != "replaces, timer" {
		t.Errorf("200 to a peer without supportpath:\n%s", ok.raw)
	}
	if r := env.d.regs.get("6000"); r == nil || len(r.Path) != 0 {
		t.Errorf("6000 kept a route set: %+v", r)
	}
}

// TestPathQualify: the qualify OPTIONS to a supportpath=yes peer goes to
// its Path's first hop with the Path as Route and the registered Contact
// as Request-URI, as chan_sip's poke copies the peer's path.
func TestPathQualify(t *testing.T) {
	env := startDriver(t, loadConf(t, pathSIPConf+"qualify=yes\n"), nil)
	proxy, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	hop := fmt.Sprintf("<sip:%s;lr>", proxy.LocalAddr())
	ph := newPhone(t, env.addr)
	contact := fmt.Sprintf("sip:edge@%s;transport=UDP", ph.addr())
	if _, ok := ph.registerAuth(regOpts{user: "edge", authUser: "edge", password: "test", expires: "600", path: []string{hop}}); ok == nil || ok.code != 200 {
		t.Fatalf("REGISTER: %+v", ok)
	}
	buf := make([]byte, 4096)
	proxy.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := proxy.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no OPTIONS through the Path's hop: %v", err)
	}
	msg := string(buf[:n])
	if !strings.HasPrefix(msg, "OPTIONS "+contact+" SIP/2.0\r\n") || !strings.Contains(msg, "\r\nRoute: "+hop+"\r\n") {
		t.Errorf("OPTIONS through the Path:\n%s", msg)
	}
}
