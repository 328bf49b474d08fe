package security

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/logger"
)

func newLogger(t *testing.T, conf string) (*logger.Logger, string) {
	t.Helper()
	dir := t.TempDir()
	cfg, diags := confparse.Parse("logger.conf", []byte(conf), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	l, err := logger.New(logger.Options{LogDir: dir, Config: cfg, PID: 25152,
		Now: func() time.Time { return excerptAt(75, 868) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

// TestLogShapes: a reported event is a SECURITY line from
// res_security_log.c in messages (the reference excerpt's line, byte for
// byte) and from res_security_log.c:114 security_event_stasis_cb on a
// console; an event without a time gets the time of the report.
func TestLogShapes(t *testing.T) {
	l, dir := newLogger(t, "[logfiles]\nconsole => security\nmessages => notice,warning,error,security\n")
	var mu sync.Mutex
	var console strings.Builder
	defer l.Subscribe(nil, func(e logger.Event) { mu.Lock(); console.WriteString(e.Text); mu.Unlock() })()
	s := NewLog(l, func() time.Time { return excerptAt(75, 868) })
	if !s.Enabled() {
		t.Fatal("not enabled although messages takes security")
	}
	ev := sipEvent(ChallengeSent, time.Time{}, "6000", "0x7f7290000ed0")
	ev.Challenge = "435b85da"
	s.Report(&ev)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	const event = `SecurityEvent="ChallengeSent",EventTV="2026-12-05T05:41:15.868+0000",Severity="Informational",Service="SIP",EventVersion="1",AccountID="6000",SessionID="0x7f7290000ed0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="435b85da"`
	b, err := os.ReadFile(filepath.Join(dir, "messages"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "[Dec  5 05:41:15] SECURITY[25152] res_security_log.c: "+event+"\n"; got != want {
		t.Errorf("messages:\n got %q\nwant %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := console.String(), "[Dec  5 05:41:15] SECURITY[25152]: res_security_log.c:114 security_event_stasis_cb: "+event+"\n"; got != want {
		t.Errorf("console:\n got %q\nwant %q", got, want)
	}
}

// TestLogRouting: nothing is built or written when no channel takes the
// security level, and an event that cannot be printed is a WARNING.
func TestLogRouting(t *testing.T) {
	l, dir := newLogger(t, "[logfiles]\nmessages => notice,warning,error\n")
	s := NewLog(l, nil)
	if s.Enabled() {
		t.Error("enabled although no channel takes security")
	}
	ev := sipEvent(InvalidAccountID, excerptAt(0, 0), "9999", "0x1")
	s.Report(&ev)
	var nilLog *Log
	if nilLog.Enabled() {
		t.Error("a nil Log is enabled")
	}
	nilLog.Report(&ev) // must not panic

	l2, dir2 := newLogger(t, "[logfiles]\nmessages => warning,security\n")
	s2 := NewLog(l2, nil)
	bad := Event{Type: InvalidAccountID, Service: "SIP"}
	s2.Report(&bad)
	for _, lg := range []*logger.Logger{l, l2} {
		if err := lg.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "messages")); len(b) != 0 {
		t.Errorf("messages without security got %q", b)
	}
	b, _ := os.ReadFile(filepath.Join(dir2, "messages"))
	if got := string(b); !strings.Contains(got, "WARNING[") || !strings.Contains(got, "security event InvalidAccountID: no LocalAddress") ||
		strings.Contains(got, "SECURITY[") {
		t.Errorf("an invalid event should be one WARNING and no SECURITY line; messages:\n%s", got)
	}
}

// BenchmarkLogReport is the cost of one event from Report to the file,
// the writer goroutine's work included (the queue is drained before the
// clock stops).
func BenchmarkLogReport(b *testing.B) {
	dir := b.TempDir()
	cfg, diags := confparse.Parse("logger.conf", []byte("[logfiles]\nmessages => notice,warning,error,security\n"), confparse.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	l, err := logger.New(logger.Options{LogDir: dir, Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	s := NewLog(l, nil)
	ev := Event{Type: SuccessfulAuth, Service: "SIP", AccountID: "6000", SessionID: "0x7f72913493a0",
		Local:  Addr{AddrPort: netip.MustParseAddrPort("127.0.0.5:5060"), Transport: UDP},
		Remote: Addr{AddrPort: netip.MustParseAddrPort("127.0.0.3:5091"), Transport: UDP}, UsingPassword: true}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e := ev
		s.Report(&e)
	}
	l.Sync()
}

func BenchmarkEventString(b *testing.B) {
	ev := Event{Type: InvalidPassword, Time: time.Now(), Service: "SIP", AccountID: "6000", SessionID: "0x7f72913493a0",
		Local:         Addr{AddrPort: netip.MustParseAddrPort("127.0.0.5:5060"), Transport: UDP},
		Remote:        Addr{AddrPort: netip.MustParseAddrPort("127.0.0.3:5091"), Transport: UDP},
		WithChallenge: true, Challenge: "435b85da", ReceivedChallenge: "435b85da", ReceivedHash: "2ea19b086a6aec35d15e2b1690942434"}
	b.ReportAllocs()
	for range b.N {
		_ = ev.String()
	}
}
