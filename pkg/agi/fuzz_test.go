package agi

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

type nopTransport struct{}

func (nopTransport) Write(p []byte) (int, error) { return len(p), nil }
func (nopTransport) setWriteDeadline(time.Time)  {}
func (nopTransport) hangup()                     {}
func (nopTransport) close() bool                 { return true }

// FuzzAGICommand parses arbitrary command lines and runs them on a hung
// up channel (where only the commands that need no audio run): nothing
// panics, and every answer is one of res_agi's status lines.
func FuzzAGICommand(f *testing.F) {
	for _, s := range []string{
		"ANSWER", "STREAM FILE hello \"\"", `SET VARIABLE "A B" "c \"d\""`, "GET VARIABLE A",
		"GET FULL VARIABLE ${A}", "DATABASE PUT a b c", "DATABASE DELTREE a", "SET PRIORITY label",
		"SET CALLERID \"x\" <1>", "EXEC Noop", "CHANNEL STATUS nope", "VERBOSE x y", "HANGUP a b c",
		"WAIT FOR DIGIT x", "\\", "\"", "",
	} {
		f.Add(s)
	}
	eng := pbx.New(pbx.Config{Substitute: func(s string, _ pbx.Env) string { return s }})
	m := New(Options{Log: &quiet{}, DB: &memDB{m: map[string]string{}}})
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "x", "default", "s")
	ch.Hangup(pbx.CauseNormalClearing)
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > maxLine {
			line = line[:maxLine]
		}
		argv := ParseArgs(line)
		if len(argv) > maxArgs {
			t.Fatalf("%d words", len(argv))
		}
		s := &session{m: m, ch: ch, t: nopTransport{}, dead: true, script: "fuzz"}
		resp, _ := s.handle(line)
		if resp == "" {
			if len(argv) != 0 {
				t.Fatalf("no answer to %q", line)
			}
			return
		}
		if !strings.HasPrefix(resp, "200 result=") && !strings.HasPrefix(resp, "510 ") &&
			!strings.HasPrefix(resp, "511 ") && !strings.HasPrefix(resp, "520") {
			t.Fatalf("answer %q to %q", resp, line)
		}
	})
}
