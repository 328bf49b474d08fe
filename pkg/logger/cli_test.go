package logger

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

func TestCLI(t *testing.T) {
	l, dir := newTest(t, "[logfiles]\nmessages => notice,error\n", nil)
	reg := cli.NewRegistry()
	reloadErr := errors.New("logger.conf:3: broken")
	var fail bool
	if err := RegisterCLI(reg, l, func() error {
		if fail {
			return reloadErr
		}
		return l.Reload(parse(t, "[logfiles]\nmessages => notice,error\n"))
	}); err != nil {
		t.Fatal(err)
	}
	run := func(line string) string {
		var b bytes.Buffer
		reg.Execute(nil, line, &b)
		return b.String()
	}
	l.Notice("first")
	if out := run("logger rotate"); out != "" {
		t.Fatalf("logger rotate printed %q", out)
	}
	l.Notice("second")
	if out := run("logger reload"); out != "" {
		t.Fatalf("logger reload printed %q", out)
	}
	fail = true
	if out := run("logger reload"); out != "Failed to reload the logger\n" {
		t.Fatalf("failed reload printed %q", out)
	}
	l.Sync()
	if !strings.Contains(readFile(t, filepath.Join(dir, "messages.0")), "first") {
		t.Error("logger rotate did not move the old file to messages.0")
	}
	cur := readFile(t, filepath.Join(dir, "messages"))
	if !strings.Contains(cur, "second") || !strings.Contains(cur, "ERROR[1629] cli.go: logger.conf:3: broken") {
		t.Errorf("messages = %q", cur)
	}
	if out := run("logger show levels"); !strings.HasPrefix(out, "Level Name\n----- ----\n    0 DEBUG\n") || !strings.Contains(out, "   16 SECURITY\n\n") {
		t.Errorf("logger show levels = %q", out)
	}
	if out := run("logger show channels"); !strings.Contains(out, "Logger queue limit: 1000\n") {
		t.Errorf("logger show channels = %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "messages.1")); err == nil {
		t.Error("reload must not rotate")
	}
}
