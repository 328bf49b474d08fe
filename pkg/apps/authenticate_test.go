package apps_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const authPlan = `
[auth]
exten => fixed,1,Authenticate(1234)
 same => n,NoOp(in/${CHANNEL(accountcode)})
exten => max,1,Authenticate(42,a,2)
 same => n,NoOp(in/${CHANNEL(accountcode)})
exten => file,1,Authenticate(${PWFILE},a)
 same => n,NoOp(in/${CHANNEL(accountcode)})
exten => md5,1,Authenticate(${MD5FILE},am)
 same => n,NoOp(in/${CHANNEL(accountcode)})
exten => nofile,1,Authenticate(/nonexistent/h17-passwords)
 same => n,NoOp(in)
`

func TestAuthenticate(t *testing.T) {
	needSounds(t)
	dir := t.TempDir()
	pw := filepath.Join(dir, "passwords")
	md5f := filepath.Join(dir, "md5")
	if err := os.WriteFile(pw, []byte("1111\n2222\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// md5("5555") = 6074c6aa3488f3c2dddff2a7ca821aab
	if err := os.WriteFile(md5f, []byte("other:00000000000000000000000000000000\nsales:6074c6aa3488f3c2dddff2a7ca821aab\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		exten  string
		tries  []string // keys pressed after each prompt
		result string   // NoOp data when the dialplan goes on; "" when hung up
		log    []string
	}{
		{exten: "fixed", tries: []string{"1234#"}, result: "in/", log: []string{
			`    -- <Test/6001-00000000> Playing 'agent-pass.slin' (language 'en')`,
			`    -- <Test/6001-00000000> Playing 'auth-thankyou.slin' (language 'en')`,
		}},
		{exten: "fixed", tries: []string{"1#", "2#", "3#"}, log: []string{
			`    -- <Test/6001-00000000> Playing 'auth-incorrect.slin' (language 'en')`,
			`    -- <Test/6001-00000000> Playing 'vm-goodbye.slin' (language 'en')`,
		}},
		{exten: "max", tries: []string{"9#", "42"}, result: "in/42"},
		{exten: "file", tries: []string{"2222#"}, result: "in/2222"},
		{exten: "md5", tries: []string{"5555#"}, result: "in/sales"},
		{exten: "nofile", tries: []string{"1#", "1#", "1#"}, log: []string{
			`WARNING: Unable to open file '/nonexistent/h17-passwords' for authentication: No such file or directory`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, authPlan, apps.Config{})
			l.e.SetGlobalVar("PWFILE", pw)
			l.e.SetGlobalVar("MD5FILE", md5f)
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "auth", tc.exten)
			prompts := []string{"agent-pass", "auth-incorrect", "auth-incorrect"}
			for i, keys := range tc.tries {
				l.waitLogCount(t, "Playing '"+prompts[i]+".", count(prompts[:i+1], prompts[i]), 3*time.Second)
				for _, k := range keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 10*time.Second)
			want := tc.log
			if tc.result != "" {
				want = append(want, `    -- Executing [`+tc.exten+`@auth:2] NoOp("Test/6001-00000000", "`+tc.result+`") in new stack`)
			}
			l.log.has(t, want...)
			if tc.result == "" {
				for _, app := range l.log.executed() {
					if app == "NoOp" {
						t.Errorf("the dialplan went on after a failed authentication")
					}
				}
			}
		})
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// waitLogCount waits until n log lines contain s.
func (l *mediaLab) waitLogCount(t *testing.T, s string, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		got := 0
		for _, line := range l.log.Lines() {
			if strings.Contains(line, s) {
				got++
			}
		}
		if got >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d log lines with %q in %v; log:\n%s", n, s, d, strings.Join(l.log.Lines(), "\n"))
}
