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

const disaPlan = `
[m]
exten => pw,1,DISA(1234,out,"Boss" <999>)
exten => open,1,DISA(no-password,out)
exten => pound,1,DISA(no-password,out,,,p)
exten => file,1,DISA(${PWFILE})
exten => noarg,1,DISA()
 same => n,NoOp(not reached)

[out]
exten => 60,1,NoOp(in out ${CALLERID(name)}/${CALLERID(num)} ${CHANNEL(accountcode)})
exten => 601,1,NoOp(in out 601)
exten => i,1,NoOp(invalid ${INVALID_EXTEN})

[disa]
exten => 77,1,NoOp(in disa ${CALLERID(num)} ${CHANNEL(accountcode)})
`

func TestDISA(t *testing.T) {
	dir := t.TempDir()
	pwfile := filepath.Join(dir, "disa.txt")
	if err := os.WriteFile(pwfile, []byte("# comment\n;other\n\nabc,out\n4321\n5555,out,\"Jo\" <55>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, exten, keys string
		want              []string // substrings of log lines, in order
		hangup            bool     // the dialplan waits in reorder: hang up
	}{
		{name: "password", exten: "pw", keys: "1234#60#",
			want: []string{`NoOp("Test/6001-00000000", "in out Boss/999 1234")`}},
		{name: "bad password", exten: "pw", keys: "1111#", hangup: true,
			want: []string{"WARNING: DISA on chan Test/6001-00000000 got bad password 1111"}},
		{name: "no password, invalid extension", exten: "open", keys: "7#",
			want: []string{`NoOp("Test/6001-00000000", "invalid 7")`}},
		{name: "extension is a prefix, # ends it", exten: "open", keys: "60#",
			want: []string{`NoOp("Test/6001-00000000", "in out / ")`}},
		{name: "p option", exten: "pound", keys: "60#",
			want: []string{`NoOp("Test/6001-00000000", "in out / ")`}},
		{name: "longest match", exten: "open", keys: "601",
			want: []string{`NoOp("Test/6001-00000000", "in out 601")`}},
		{name: "file, default context", exten: "file", keys: "4321#77",
			want: []string{`NoOp("Test/6001-00000000", "in disa  4321")`}},
		{name: "file entry's context and cid", exten: "file", keys: "5555#60#",
			want: []string{`NoOp("Test/6001-00000000", "in out Jo/55 5555")`}},
		{name: "file, bad password", exten: "file", keys: "9999#", hangup: true,
			want: []string{"WARNING: DISA on chan Test/6001-00000000 got bad password 9999"}},
		{name: "no argument", exten: "noarg",
			want: []string{"WARNING: DISA requires an argument (passcode/passcode file)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, disaPlan, apps.Config{})
			l.e.SetGlobalVar("PWFILE", pwfile)
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "m", tc.exten)
			if tc.keys != "" {
				// Dial tone first (no indications: the 350+440 pair).
				if !phone.WaitHeard(10, 3*time.Second) {
					t.Fatal("no dial tone")
				}
				pcm, err := phone.HeardPCM()
				if err != nil {
					t.Fatal(err)
				}
				if hz := dominantHz(pcm, 8000); hz < 340 || hz > 450 {
					t.Errorf("dial tone at %.0f Hz", hz)
				}
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, w := range tc.want {
				l.waitLog(t, w, 5*time.Second)
			}
			if tc.hangup {
				c.ch.SoftHangup(16)
			}
			c.wait(t, l, 5*time.Second)
			if strings.Contains(strings.Join(l.log.Lines(), "\n"), "not reached") {
				t.Error("DISA without argument went on")
			}
		})
	}
}
