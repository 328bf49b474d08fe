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

// issue17Dialplan is issue 17's acceptance dialplan on the reference
// setup: a time condition, a Gosub whose While loop counts in a LOCAL
// variable, GROUP_COUNT limiting the "trunk" to 2 calls (the 3rd gets
// congestion), BLACKLIST refusing a caller, SIPAddHeader on the callee's
// INVITE and CDR(userfield) in Master.csv.
func issue17Dialplan(f map[string]string) {
	f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_csv.so", "load = cdr_csv.so")
	f["extensions.conf"] = strings.Replace(f["extensions.conf"],
		"exten => _6XXX,1,Dial(SIP/${EXTEN},20)\nexten => _6XXX,2,Hangup()\n",
		`exten => _6XXX,1,Set(CDR(userfield)=issue17)
same => n,GotoIf($[${BLACKLIST()}]?blocked)
same => n,GotoIfTime(*,*,*,*?open)
same => n,Congestion(1)
same => n(open),Gosub(sub-count,s,1(3))
same => n,NoOp(AFTER=${i} RET=${GOSUB_RETVAL})
same => n,Set(GROUP(trunk)=out)
same => n,NoOp(INUSE=${GROUP_COUNT(out@trunk)})
same => n,GotoIf($[${GROUP_COUNT(out@trunk)} > 2]?full)
same => n,SIPAddHeader(X-Issue: 17)
same => n,Dial(SIP/${EXTEN},20)
same => n,Hangup()
same => n(full),Congestion(1)
same => n(blocked),Busy(1)

[sub-count]
exten => s,1,Set(LOCAL(i)=0)
same => n,While($[${LOCAL(i)} < ${ARG1}])
same => n,Set(LOCAL(i)=$[${LOCAL(i)} + 1])
same => n,EndWhile()
same => n,Return(${i})
`, 1)
}

// TestIssue17Dialplan runs issue 17's acceptance scenario on the daemon.
func TestIssue17Dialplan(t *testing.T) {
	in, lab := dialplanLab(t, issue17Dialplan, "sub-count")

	// 6000 takes two calls, each checking the X-Issue header.
	uas := harness.Sipp{Scenario: callScenario(t, "i17-uas-6000.xml"), LocalPort: lab.uasPort, Calls: 2, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	wait1 := lab.caller(t, callScenario(t, "flow-uac-callee-bye.xml"))
	waitOutput(t, in, regexp.MustCompile(`INUSE=1\b`))
	wait2 := lab.caller(t, callScenario(t, "flow-uac-callee-bye.xml"))
	waitOutput(t, in, regexp.MustCompile(`INUSE=2\b`))
	// Both are in a Dial now: the third finds the trunk full.
	wait3 := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "503"}))
	requireSippOK(t, "UAC 6001 third call (congestion)", wait3())
	waitOutput(t, in, regexp.MustCompile(`INUSE=3\b`))
	waitOutput(t, in, regexp.MustCompile(`Executing \[6000@work:13\] Congestion\("SIP/6001-[0-9a-f]{8}", "1"\)`))
	requireSippOK(t, "UAC 6001 first call", wait1())
	requireSippOK(t, "UAC 6001 second call", wait2())
	requireSippOK(t, "UAS 6000 (X-Issue checked on both INVITEs)", waitUAS())

	// The Gosub counted to 3 in a LOCAL variable that Return took away.
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "AFTER= RET=3"\)`))

	// A blacklisted caller is refused with Busy before any Dial.
	in.MustRX("database put blacklist 6001 1")
	wait4 := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 blacklisted", wait4())
	waitOutput(t, in, regexp.MustCompile(`Executing \[6000@work:14\] Busy\("SIP/6001-[0-9a-f]{8}", "1"\)`))

	// The two dialed calls left records with the user field; the refused
	// ones dialed nobody and, unanswered, leave none (unanswered=no).
	path := in.Path("var", "log", "cdr-csv", "Master.csv")
	var rows [][]string
	harness.PollUntil(3*time.Second, func() bool {
		b, _ := os.ReadFile(path)
		rows, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
		return len(rows) >= 2
	})
	time.Sleep(300 * time.Millisecond)
	b, _ := os.ReadFile(path)
	rows, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
	if len(rows) != 2 {
		t.Fatalf("Master.csv holds %d records, want 2: %q", len(rows), rows)
	}
	for _, r := range rows {
		if len(r) < 18 || r[17] != "issue17" || r[14] != "ANSWERED" {
			t.Errorf("record %q: want ANSWERED with userfield issue17", r)
		}
	}
	checkIdle(t, in, 4)
}
