package call

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// challengeInvites makes the lab challenge new INVITEs with 401 the way
// chan_sip (and the driver) does before handing them to HandleInvite.
func (l *lab) challengeInvites() {
	// The lab's own nonces: the driver signs its nonces, which this
	// package does not import; a set of issued ones is enough here.
	var issuedMu sync.Mutex
	issued := map[string]bool{}
	newNonce := func() string {
		n := fmt.Sprintf("%016x", rand.Uint64())
		issuedMu.Lock()
		issued[n] = true
		issuedMu.Unlock()
		return n
	}
	known := func(n string) bool {
		issuedMu.Lock()
		defer issuedMu.Unlock()
		return issued[n]
	}
	handle := func(req *sip.Request, tx sip.ServerTransaction) {
		if tag, _ := req.To().Params.Get("tag"); tag != "" {
			if !l.m.HandleInDialog(req, tx) {
				_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
			}
			return
		}
		p := l.cfg.Peer(req.From().Address.User)
		if p == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
			return
		}
		if h := req.GetHeader("Authorization"); h != nil {
			creds, err := digest.Parse(h.Value())
			if err == nil && known(creds.Nonce) &&
				digest.Check(digest.HA1(p.Name, "asterisk", p.Secret), "INVITE", creds) {
				l.m.HandleInvite(req, tx, p, p.Context)
				return
			}
			_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
			return
		}
		res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", digest.Challenge("asterisk", newNonce(), false)))
		_ = tx.Respond(res)
	}
	l.mu.Lock()
	l.onInvite = handle
	l.mu.Unlock()
}

func sippCmd(t *testing.T, ctx context.Context, scenario string, port int, target string) *exec.Cmd {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-sf", scenario, "-i", "127.0.0.1", "-p", fmt.Sprint(port), "-m", "1", "-nostdin",
		"-mp", fmt.Sprint(sippMediaPort(t)), "-timeout", "15s", "-timeout_error", "-trace_err",
		"-error_file", filepath.Join(dir, "err.log")}
	if target != "" {
		args = append(args, target)
	}
	cmd := exec.CommandContext(ctx, "sipp", args...)
	cmd.Dir = dir
	return cmd
}

// sippMediaPort is a port for sipp's -mp: sipp binds it and the port two
// above (video), so both must be free. It is taken below the kernel's
// ephemeral range, where the sockets other tests bind to port 0 never
// land; another test picking the same port at the same moment is what
// is left, and sipp then fails at once with "Unable to bind", which the
// caller retries.
func sippMediaPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := 20000 + 2*rand.IntN(6000)
		a, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		b, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p+2))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return p
	}
	t.Fatal("no free media port pair for sipp")
	return 0
}

// TestSippReferenceCall runs Asterisk's reference scenarios (sipp as 6001
// and as 6000) through the Manager, with talk time cut to 3 s.
func TestSippReferenceCall(t *testing.T) {
	if _, err := exec.LookPath("sipp"); err != nil {
		t.Skip("sipp not installed")
	}
	uacXML, err := filepath.Abs("../../../tests/testdata/call-uac-6001-to-6000.xml")
	if err != nil {
		t.Fatal(err)
	}
	uasXML, _ := filepath.Abs("../../../tests/testdata/call-uas-6000.xml")
	if _, err := os.Stat(uacXML); err != nil {
		t.Skip("reference scenarios not found: ", err)
	}
	l := newLab(t)
	l.challengeInvites()
	free := l.alloc.Free()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()

	uasPort := int(freePort(t))
	l.register("6000", mustAddrPort(fmt.Sprintf("127.0.0.1:%d", uasPort)))
	uas := sippCmd(t, ctx, uasXML, uasPort, "")
	var uasOut strings.Builder
	uas.Stdout, uas.Stderr = &uasOut, &uasOut
	if err := uas.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	var out []byte
	for range 3 {
		uac := sippCmd(t, ctx, uacXML, int(freePort(t)), l.addr.String())
		out, err = uac.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Unable to bind") {
			break
		}
	}
	if err != nil {
		_ = uas.Process.Kill()
		_ = uas.Wait()
		t.Fatalf("sipp uac: %v\n%s\nlog:\n%s", err, out, l.log)
	}
	if err := uas.Wait(); err != nil {
		t.Fatalf("sipp uas: %v\n%s", err, uasOut.String())
	}
	recs := waitCDR(t, l, 1)
	if recs[0].Disposition != cdr.Answered || recs[0].DstChannel != "SIP/6000-00000001" {
		t.Errorf("CDR = %+v", *recs[0])
	}
	waitFor(t, "ports back", 3*time.Second, func() bool { return l.alloc.Free() == free })
}
