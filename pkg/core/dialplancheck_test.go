package core

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestUsesOf(t *testing.T) {
	app := func(n string) dialplanUse { return dialplanUse{app: true, name: n} }
	fn := func(n string) dialplanUse { return dialplanUse{name: n} }
	cases := []struct {
		name, app, data string
		want            []dialplanUse
	}{
		{"plain", "NoOp", "hello", []dialplanUse{app("NoOp")}},
		{"function read", "NoOp", "${CALLERID(num)}", []dialplanUse{app("NoOp"), fn("CALLERID")}},
		{"nested in args", "Dial", "SIP/${CUT(${DB(a/b)},-,1)}", []dialplanUse{app("Dial"), fn("CUT"), fn("DB")}},
		{"variable, substring", "NoOp", "${EXTEN:1} ${X}", []dialplanUse{app("NoOp")}},
		{"function with substring", "NoOp", "${CALLERID(num):0:3}", []dialplanUse{app("NoOp"), fn("CALLERID")}},
		{"set writes", "Set", "CDR(userfield)=${LOCAL(x)}", []dialplanUse{app("Set"), fn("CDR"), fn("LOCAL")}},
		{"set variable", "Set", "FOO=bar(1)", []dialplanUse{app("Set")}},
		{"mset writes", "MSet", "A=1,GROUP(trunk)=out", []dialplanUse{app("MSet"), fn("GROUP")}},
		{"expression calls", "GotoIf", `$[${GROUP_COUNT(out)} > 2 & SQRT(4) = 2 & DEVICE_STATE(SIP/1) = "x(y)"]?busy`,
			[]dialplanUse{app("GotoIf"), fn("DEVICE_STATE"), fn("GROUP_COUNT")}},
		{"quoted text in expression", "GotoIf", `$["FOO(1)" = "a"]?x`, []dialplanUse{app("GotoIf")}},
		{"execif both branches", "ExecIf", "$[1]?Queue(sales):VoiceMail(100@default,u)", []dialplanUse{app("ExecIf"), app("Queue"), app("VoiceMail")}},
		{"execif true only", "ExecIf", "${X}?Playback(a,b)", []dialplanUse{app("ExecIf"), app("Playback")}},
		{"execiftime", "ExecIfTime", "9:00-17:00,mon-fri,*,*?Page(SIP/1)", []dialplanUse{app("ExecIfTime"), app("Page")}},
		{"exec", "Exec", "Festival(hello)", []dialplanUse{app("Exec"), app("Festival")}},
		{"tryexec", "TryExec", "Foo", []dialplanUse{app("TryExec"), app("Foo")}},
		{"dynamic app", "Exec", "${APP}(x)", []dialplanUse{app("Exec")}},
		{"dynamic function", "NoOp", "${${F}(x)}", []dialplanUse{app("NoOp")}},
		{"repeated once", "NoOp", "${LEN(a)}${LEN(b)}", []dialplanUse{app("NoOp"), fn("LEN")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := usesOf(tc.app, tc.data); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("usesOf(%q, %q) = %+v, want %+v", tc.app, tc.data, got, tc.want)
			}
		})
	}
}

// confDir writes files into a fresh config directory and returns an
// AsteriskConf that uses it.
func confDir(t *testing.T, files map[string]string) *AsteriskConf {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ac := DefaultAsteriskConf()
	ac.Directories.EtcDir = dir
	ac.Directories.DataDir = dir
	ac.Directories.LogDir = dir
	return ac
}

func loadForCheck(t *testing.T, ac *AsteriskConf) *Snapshot {
	t.Helper()
	snap, diags := LoadSnapshot(ac)
	if diags.HasErrors() {
		t.Fatalf("LoadSnapshot: %s", FormatDiagnostics(diags))
	}
	return snap
}

const checkDialplan = `[internal]
exten => 600,1,Answer()
 same => n,Queue(sales)
 same => n,Set(SPEECH_ENGINE(confidence)=50)
 same => n,GotoIf($[${CALENDAR_BUSY(work)}]?bl)
 same => n,Dial(SIP/600)
 same => n,Dail(SIP/600)
exten => 700,1,While($[${X} < 3])
 same => n,NoOp(${LEN(x)})
exten => 701,1,EndWhile()
exten => 702,1,While(1)
 same => n,EndWhile()

[globals]
BL=${CALENDAR_BUSY(work)}
SHORT=${LEN(abc)}
`

func TestCheckDialplan(t *testing.T) {
	cases := []struct {
		name    string
		modules string
		want    []string
		apps    []string
		funcs   []string
	}{
		{"all loaded", "", []string{
			"extensions.conf:4: warning: function 'SPEECH_ENGINE' is not available in gostrisk (used by 600@internal priority 3)",
			"extensions.conf:5: warning: function 'CALENDAR_BUSY' is not available in gostrisk (used by 600@internal priority 4)",
			"extensions.conf:7: warning: application 'Dail' is not available in gostrisk, nor in Asterisk 18 (used by 600@internal priority 6)",
			"extensions.conf:8: warning: While without a matching EndWhile in the same extension (used by 700@internal priority 1)",
			"extensions.conf:10: warning: EndWhile without a While before it in the same extension (used by 701@internal priority 1)",
			"extensions.conf:15: warning: function 'CALENDAR_BUSY' is not available in gostrisk (used by [globals] BL)",
		}, []string{"Dail"}, []string{"CALENDAR_BUSY", "SPEECH_ENGINE"}},
		{"noload app_dial, app_queue and func_strings", "[modules]\nautoload=yes\nnoload => app_dial.so\nnoload => app_queue.so\nnoload => func_strings\n", []string{
			"extensions.conf:3: warning: application 'Queue' is not available in gostrisk: modules.conf does not load app_queue.so (used by 600@internal priority 2)",
			"extensions.conf:4: warning: function 'SPEECH_ENGINE' is not available in gostrisk (used by 600@internal priority 3)",
			"extensions.conf:5: warning: function 'CALENDAR_BUSY' is not available in gostrisk (used by 600@internal priority 4)",
			"extensions.conf:6: warning: application 'Dial' is not available in gostrisk: modules.conf does not load app_dial.so (used by 600@internal priority 5)",
			"extensions.conf:7: warning: application 'Dail' is not available in gostrisk, nor in Asterisk 18 (used by 600@internal priority 6)",
			"extensions.conf:8: warning: While without a matching EndWhile in the same extension (used by 700@internal priority 1)",
			"extensions.conf:9: warning: function 'LEN' is not available in gostrisk: modules.conf does not load func_strings.so (used by 700@internal priority 2)",
			"extensions.conf:10: warning: EndWhile without a While before it in the same extension (used by 701@internal priority 1)",
			"extensions.conf:15: warning: function 'CALENDAR_BUSY' is not available in gostrisk (used by [globals] BL)",
			"extensions.conf:16: warning: function 'LEN' is not available in gostrisk: modules.conf does not load func_strings.so (used by [globals] SHORT)",
		}, []string{"Dail", "Dial", "Queue"}, []string{"CALENDAR_BUSY", "LEN", "SPEECH_ENGINE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"extensions.conf": checkDialplan}
			if tc.modules != "" {
				files["modules.conf"] = tc.modules
			}
			snap := loadForCheck(t, confDir(t, files))
			cat, err := NewCatalogue(snap)
			if err != nil {
				t.Fatal(err)
			}
			r := CheckDialplan(snap.Dialplan, cat)
			var got []string
			for _, d := range r.Diags {
				got = append(got, d.String())
			}
			// While and EndWhile come with the applications issue; until
			// they are registered, they are reported as unavailable too.
			got = dropMissing(got, cat, "While", "EndWhile")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			r.Apps = dropNames(r.Apps, cat, "While", "EndWhile")
			if !reflect.DeepEqual(r.Apps, tc.apps) || !reflect.DeepEqual(r.Functions, tc.funcs) {
				t.Errorf("apps %v functions %v, want %v %v", r.Apps, r.Functions, tc.apps, tc.funcs)
			}
		})
	}
}

// dropMissing removes the "not available" lines of the named applications
// when this build does not have them (yet).
func dropMissing(lines []string, cat *Catalogue, names ...string) []string {
	var out []string
next:
	for _, l := range lines {
		for _, n := range names {
			if _, ok := cat.Engine.App(n); !ok && strings.Contains(l, "application '"+n+"' is not available") {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

func dropNames(list []string, cat *Catalogue, names ...string) []string {
	out := []string{}
	for _, l := range list {
		keep := true
		for _, n := range names {
			if _, ok := cat.Engine.App(n); !ok && l == n {
				keep = false
			}
		}
		if keep {
			out = append(out, l)
		}
	}
	return out
}

// TestCatalogueIsTheDaemons checks that the catalogue knows what the
// daemon registers: every application of pkg/apps, the DB functions, the
// pbx built-ins and res_musiconhold's applications.
func TestCatalogueIsTheDaemons(t *testing.T) {
	snap := loadForCheck(t, confDir(t, map[string]string{"extensions.conf": "[x]\n"}))
	cat, err := NewCatalogue(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"Dial", "Set", "Gosub", "Playback", "MusicOnHold", "StartMusicOnHold"} {
		if _, ok := cat.Engine.App(a); !ok {
			t.Errorf("application %s missing from the catalogue", a)
		}
	}
	for _, f := range []string{"DB", "DB_EXISTS", "CALLERID", "CHANNEL", "LEN"} {
		if _, ok := cat.Engine.Function(f); !ok {
			t.Errorf("function %s missing from the catalogue", f)
		}
	}
	// Every name the engine has must be Asterisk's, or modules.conf could
	// not take it away and check could not say where it comes from.
	for _, a := range cat.Engine.Apps() {
		if _, ok := asteriskAppModule[strings.ToLower(a.Name)]; !ok {
			t.Errorf("application %s is not an Asterisk 18 application", a.Name)
		}
	}
	for _, f := range cat.Engine.Functions() {
		if _, ok := asteriskFuncModule[f.Name]; !ok {
			t.Errorf("function %s is not an Asterisk 18 function", f.Name)
		}
	}
}

// asteriskSampleNames are the file names of Asterisk 18's configs/samples
// (names only: the files are created empty), kept in testdata so the
// end-to-end check of cmd/gostrisk reads the same list.
var asteriskSampleNames = func() []string {
	b, err := os.ReadFile("testdata/asterisk18-sample-names.txt")
	if err != nil {
		panic(err)
	}
	return strings.Fields(string(b))
}()

// TestUnreadFiles runs the unread-file report on a directory holding
// Asterisk 18's sample file names (empty), one file included from
// extensions.conf and one unknown file, with chan_sip not loaded.
func TestUnreadFiles(t *testing.T) {
	files := map[string]string{}
	for _, n := range asteriskSampleNames {
		files[n] = ""
	}
	files["extensions.conf"] = "#include extensions_custom.conf\n"
	files["extensions_custom.conf"] = "[custom]\nexten => 1,1,NoOp()\n"
	files["my-notes.conf"] = "[x]\n"
	files["modules.conf"] = "[modules]\nnoload => chan_sip.so\n"
	ac := confDir(t, files)
	if err := os.Mkdir(filepath.Join(ac.Directories.EtcDir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	snap := loadForCheck(t, ac)
	var b strings.Builder
	for _, d := range UnreadFiles(ac, snap) {
		if d.Severity != confparse.Warning {
			t.Errorf("%s: not a warning", d)
		}
		b.WriteString(d.String() + "\n")
	}
	golden(t, "unread-files.txt", b.String())
	for _, n := range asteriskSampleNames {
		if strings.HasSuffix(n, ".conf") && !snap.Read[n] {
			if _, ok := unreadReasons[n]; !ok && moduleFiles[n] == "" {
				t.Errorf("%s: Asterisk's file is neither read nor explained", n)
			}
		}
	}
}

var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestModulesEnabled(t *testing.T) {
	cases := []struct {
		name, conf string
		on, off    []string
	}{
		{"no modules.conf", "", []string{"app_dial.so", "chan_sip.so"}, nil},
		{"noload", "[modules]\nautoload=yes\nnoload => app_dial.so\nnoload => func_cut\n",
			[]string{"chan_sip.so", "app_macro.so"}, []string{"app_dial.so", "func_cut.so"}},
		{"noload then load", "[modules]\nnoload => app_dial.so\nload => app_dial.so\n", []string{"app_dial.so"}, nil},
		{"autoload=no loads only what is listed", "[modules]\nautoload=no\nload => pbx_config.so\npreload => app_dial.so\nrequire = chan_sip.so\n",
			[]string{"pbx_config.so", "app_dial.so", "chan_sip.so"}, []string{"app_playback.so", "res_musiconhold.so", "func_strings.so"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var cfg *confparse.Config
			if tc.conf != "" {
				var d confparse.Diagnostics
				cfg, d = confparse.Parse("modules.conf", []byte(tc.conf), confparse.Options{})
				if len(d) > 0 {
					t.Fatal(d)
				}
			}
			m, diags := LoadModules(cfg)
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			for _, n := range tc.on {
				if !m.Enabled(n) {
					t.Errorf("%s not enabled", n)
				}
			}
			for _, n := range tc.off {
				if m.Enabled(n) {
					t.Errorf("%s enabled", n)
				}
			}
		})
	}
}
