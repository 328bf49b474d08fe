package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestDBdeltreeE2E: DBdeltree run by a dialplan (reached through a Local
// channel originated from the CLI) removes the key tree it names and
// nothing else.
func TestDBdeltreeE2E(t *testing.T) {
	edit := func(f map[string]string) {
		f["extensions.conf"] += "\n[dbt]\nexten => del,1,DBdeltree(test/a)\n same => n,Set(DB(test/done)=yes)\n same => n,Hangup()\n" +
			"exten => idle,1,Answer()\n same => n,Wait(2)\n"
	}
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: edit})
	in.DumpOnFailure()
	for _, cmd := range []string{"database put test/a b 1", "database put test/a/deeper c 2", "database put test z 3"} {
		in.MustRX(cmd)
	}
	in.MustRX("channel originate Local/del@dbt extension idle@dbt")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(in.MustRX("database show test"), "/test/done") {
		if time.Now().After(deadline) {
			t.Fatalf("the dialplan did not run:\n%s", in.MustRX("database show test"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := in.MustRX("database show test")
	if strings.Contains(got, "/test/a/") || !strings.Contains(got, "/test/z") {
		t.Errorf("database after DBdeltree(test/a):\n%s", got)
	}
}
