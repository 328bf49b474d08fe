package dialplan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// loadDir builds the dialplan of a config directory (users.conf optional).
func loadDir(t *testing.T, dir string) (*Dialplan, confparse.Diagnostics) {
	t.Helper()
	ext, diags := confparse.Load("extensions.conf", confparse.Options{Dir: dir})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	var users *confparse.Config
	if _, err := os.Stat(filepath.Join(dir, "users.conf")); err == nil {
		users, diags = confparse.Load("users.conf", confparse.Options{Dir: dir})
		if diags.HasErrors() {
			t.Fatalf("parse users: %v", diags)
		}
	}
	return Build(ext, users)
}

// buildString builds a dialplan from extensions.conf text.
func buildString(t testing.TB, text string) (*Dialplan, confparse.Diagnostics) {
	t.Helper()
	cfg, diags := confparse.Parse("extensions.conf", []byte(text), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	return Build(cfg, nil)
}

// The goldens are Asterisk 18.26.4's transcripts for testdata/reference
// (a copy of reference/asterisk18/conf). dialplan-show.golden differs from
// transcripts/dialplan-show.txt in one way: Asterisk also listed
// '__func_periodic_hook_context__', created by the func_periodic_hook
// module that gostrisk does not have; its block (2 extensions, 9
// priorities) is cut out and the summary recounted from
// "-= 8 extensions (26 priorities) in 4 contexts. =-" to
// "-= 6 extensions (17 priorities) in 3 contexts. =-", which is what
// Asterisk prints without that module.
func TestShowGolden(t *testing.T) {
	d, diags := loadDir(t, "testdata/reference")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	for _, tc := range []struct{ arg, golden string }{
		{"", "dialplan-show.golden"},
		{"work", "dialplan-show-work.golden"},
		{"sortant-ovh", "dialplan-show-sortant-ovh.golden"},
		{"ovh-sip", "dialplan-show-ovh-sip.golden"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := d.Show(&got, tc.arg); err != nil {
				t.Fatalf("Show(%q): %v", tc.arg, err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Show(%q) mismatch\n--- got\n%s\n--- want\n%s", tc.arg, got.Bytes(), want)
			}
		})
	}
}

// TestShowCases covers the other shapes of the command on a dialplan
// using every kind of line; expected output is in testdata/show/*.golden
// (written from Asterisk 18's printf formats in pbx.c).
func TestShowCases(t *testing.T) {
	d, _ := loadDir(t, "testdata/show")
	for _, tc := range []struct {
		arg, golden string
		notFound    bool
	}{
		{"", "all.golden", false},
		{"office", "office.golden", false},
		{"100@office", "100-at-office.golden", false},
		{"2001@office", "2001-at-office.golden", false},
		{"5@office", "5-at-office.golden", true},
		{"6@", "6-at.golden", true},
		{"nosuch", "nosuch.golden", true},
		{"999@office", "999-at-office.golden", false},
		{"999@", "999-at.golden", false},
		{"1234@", "1234-at.golden", false},
		{"@office", "office.golden", false},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var got bytes.Buffer
			err := d.Show(&got, tc.arg)
			if tc.notFound != errors.Is(err, ErrNotFound) {
				t.Errorf("Show(%q) error = %v, want not found %v", tc.arg, err, tc.notFound)
			}
			checkGolden(t, filepath.Join("testdata/show", tc.golden), got.Bytes())
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestCLI(t *testing.T) {
	d, _ := loadDir(t, "testdata/reference")
	reg := cli.NewRegistry()
	RegisterCLI(reg, func() *Dialplan { return d })
	var out bytes.Buffer
	if err := reg.Execute(nil, "dialplan show work", &out); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/dialplan-show-work.golden")
	if out.String() != string(want) {
		t.Errorf("dialplan show work:\n%s", out.String())
	}
	out.Reset()
	if err := reg.Execute(nil, "dialplan show a b", &out); !errors.Is(err, cli.ErrShowUsage) || out.String() != showUsage {
		t.Errorf("extra argument: err %v, output %q", err, out.String())
	}
	out.Reset()
	if err := reg.Execute(nil, "dialplan show nosuch", &out); !errors.Is(err, ErrNotFound) || out.String() != "There is no existence of 'nosuch' context\nCommand 'dialplan show nosuch' failed.\n" {
		t.Errorf("missing context: err %v, output %q", err, out.String())
	}
	cmd := reg.Find([]string{"dialplan", "show"})
	if got := strings.Join(cmd.Complete(&cli.Args{}, 2, "O"), " "); got != "ovh-sip" {
		t.Errorf("complete O = %q", got)
	}
	if got := strings.Join(cmd.Complete(&cli.Args{}, 2, ""), " "); got != "ovh-sip sortant-ovh work" {
		t.Errorf("complete all = %q", got)
	}
	if got := cmd.Complete(&cli.Args{}, 3, ""); got != nil {
		t.Errorf("complete pos 3 = %q", got)
	}

	reg2 := cli.NewRegistry()
	RegisterCLI(reg2, func() *Dialplan { return nil })
	out.Reset()
	if err := reg2.Execute(nil, "dialplan show", &out); err != nil || out.String() != "-= 0 extensions (0 priorities) in 0 contexts. =-\n" {
		t.Errorf("nil dialplan: err %v, output %q", err, out.String())
	}
}
