package tests

import (
	"bytes"
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// funcsDialplan replaces the reference [work] extension with one that uses
// issue 17's functions: CDR(userfield), GROUP/GROUP_COUNT, BLACKLIST,
// SHA1, FILTER, and a blacklisted caller gets Busy without a Dial.
func funcsDialplan(f map[string]string) {
	f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_csv.so", "load = cdr_csv.so")
	f["sip.conf"] = strings.Replace(f["sip.conf"], "[6001]\ntype=friend\n", "[6001]\ntype=friend\ncallgroup=4,1-3\npickupgroup=2\ncallcounter=yes\n", 1) // DS1: INUSE needs the counter
	f["extensions.conf"] = strings.Replace(f["extensions.conf"],
		"exten => _6XXX,1,Dial(SIP/${EXTEN},20)\nexten => _6XXX,2,Hangup()\n",
		`exten => _6XXX,1,Set(CDR(userfield)=vip-${CALLERID(num)})
same => n,Set(GROUP(calls)=${EXTEN})
same => n,NoOp(FUNCS BL=${BLACKLIST()} GC=${GROUP_COUNT(${EXTEN}@calls)} SHA=${SHA1(junky)} F=${FILTER(0-9,x${CALLERID(num)}y)} BAD=${MATH(1)} MOD=${IFMODULE(chan_sip.so)}${IFMODULE(app_queue.so)})
same => n,NoOp(SIP UA=${SIP_HEADER(User-Agent)} IP=${SIPPEER(6000)} CTX=${SIPPEER(6000,context)} ST=${SIPPEER(6000,status)} DYN=${SIPPEER(6000,dynamic)} CODECS=${SIPPEER(6000,codecs)} NOPEER=${SIPPEER(nope)} DS=${DEVICE_STATE(SIP/6000)} DS1=${DEVICE_STATE(SIP/6001)} DSX=${DEVICE_STATE(SIP/nope)} CG=${CHANNEL(callgroup)} PG=${SIPPEER(6001,pickupgroup)})
same => n,GotoIf($[${BLACKLIST()}]?blocked)
same => n,Dial(SIP/${EXTEN},20)
same => n,Hangup()
same => n(blocked),Busy(1)
`, 1)
}

// TestFuncsEndToEnd: 6001 calls 6000, who is busy; the functions expand
// in the running daemon, a bad MATH() logs Asterisk's warning and the call
// goes on, CDR(userfield) reaches Master.csv; then 6001 is put on the
// blacklist with `database put` and its next call is refused with Busy
// before any Dial.
func TestFuncsEndToEnd(t *testing.T) {
	in, lab := dialplanLab(t, funcsDialplan, "BLACKLIST")

	waitUAS := lab.callee(t, callScenario(t, "flow-uas-busy.xml"))
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 (gets 486)", waitUAC())
	requireSippOK(t, "UAS 6000 (486)", waitUAS())
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "FUNCS BL=0 GC=1 SHA=60fa5675b9303eb62f99a9cd47f9f5837d18f9a0 F=6001 BAD= MOD=10"\)`))
	waitOutput(t, in, regexp.MustCompile(`WARNING.*Supply all the parameters - just this once, please`))
	// chan_sip's view: the caller's own INVITE header, the callee's
	// registration; 6000 is registered and idle, 6001 is in this call.
	waitOutput(t, in, regexp.MustCompile(`"SIP UA=SIPp-6001 IP=127\.0\.0\.1 CTX=work ST=Unmonitored DYN=yes CODECS=\([a-z|]+\) NOPEER= DS=NOT_INUSE DS1=INUSE DSX=INVALID CG=1, 2, 3, 4 PG=2"`))

	// module show lists the func_ modules behind them, and noload would
	// take their functions away (pruneNoload, as for the others).
	if out := in.MustRX("module show like func_groupcount"); !strings.Contains(out, "func_groupcount.so") || !strings.Contains(out, "1 modules loaded") {
		t.Errorf("module show like func_groupcount:\n%s", out)
	}
	in.MustRX("database put blacklist 6001 1")
	start := time.Now()
	waitUAC = lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 blacklisted (gets 486 from Busy)", waitUAC())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("blacklisted call took %v", d)
	}
	waitOutput(t, in, regexp.MustCompile(`FUNCS BL=1 GC=1 `))
	waitOutput(t, in, regexp.MustCompile(`Executing \[6000@work:8\] Busy\("SIP/6001-[0-9a-f]{8}", "1"\)`))

	// The first call left a record with the user field the dialplan set;
	// the refused one dialed nobody and, unanswered (cdr.conf's
	// unanswered=no), leaves none, as in Asterisk.
	path := in.Path("var", "log", "cdr-csv", "Master.csv")
	var rows [][]string
	harness.PollUntil(3*time.Second, func() bool {
		b, _ := os.ReadFile(path)
		rows, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
		return len(rows) >= 1
	})
	time.Sleep(300 * time.Millisecond) // a stray second record would show by now
	b, _ := os.ReadFile(path)
	rows, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
	if len(rows) != 1 {
		t.Fatalf("Master.csv holds %d records, want 1: %q", len(rows), rows)
	}
	for _, r := range rows {
		if len(r) < 18 || r[17] != "vip-6001" {
			t.Errorf("CDR userfield column = %q, want vip-6001 (record %q)", r[min(len(r)-1, 17)], r)
		}
	}
}

// dialplanLab starts the daemon on the reference setup with edit applied
// (marker proves the edit took), registers 6000 from a sipp UAS and
// returns the flow lab that drives the calls.
func dialplanLab(t *testing.T, edit func(map[string]string), marker string) (*harness.Instance, *flowLab) {
	t.Helper()
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		noDirectMedia(f) // the phones of these calls take no re-INVITE
		edit(f)
	}, Args: []string{"-vvv"}})
	in.DumpOnFailure()
	if !strings.Contains(in.ReadFile("extensions.conf"), marker) {
		t.Fatal("the test dialplan was not installed: the reference [work] context changed")
	}
	requireSIPCalls(t, in)
	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)
	return in, lab
}
