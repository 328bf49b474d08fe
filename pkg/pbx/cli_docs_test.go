package pbx

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// docsEngine has a few applications and functions with Asterisk 18's
// synopses, so that the listings can be compared with Asterisk's.
func docsEngine(t *testing.T) (*Engine, func(string) string) {
	t.Helper()
	e := New(Config{})
	nop := func(*Channel, string) (Result, error) { return Continue, nil }
	for _, a := range []*App{
		{Name: "Dial", Synopsis: "Attempt to connect to another device or endpoint and bridge the call.",
			Description: "This application will place calls to one or more specified channels. As soon as one of the requested channels answers, the originating channel will be answered, if it has not already been answered. These two channels will then be active in a bridged call. All other channels that were requested will then be hung up.",
			Syntax:      "Dial(Technology/Resource[&Technology2/Resource2[&...]],[timeout,[options,[URL]]]])",
			Arguments:   "Technology/Resource\n    Technology/Resource - Specification of the device(s) to dial.",
			SeeAlso:     "RetryDial()", Exec: nop},
		{Name: "RetryDial", Synopsis: "Place a call, retrying on failure allowing an optional exit extension.",
			Description: "This application will attempt to place a call using the normal Dial application.", Exec: nop},
		{Name: "Stasis", Synopsis: "Invoke an external Stasis application.", Description: "Invoke a Stasis application.", Exec: nop},
		{Name: "NoOp", Synopsis: "Do Nothing (No Operation).", Description: "This application does nothing. However, it is useful for debugging purposes.", Exec: nop},
	} {
		if err := e.RegisterApp(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []Function{
		{Name: "LISTFILTER", Synopsis: "Remove an item from a list, by name.", Syntax: "LISTFILTER(varname,delim,value)", Read: func(*Channel, string) (string, error) { return "", nil }},
		{Name: "Lower_case", Synopsis: "A function whose name is not upper case.", Syntax: "Lower_case()", Read: func(*Channel, string) (string, error) { return "", nil }},
	} {
		if err := e.RegisterFunction(f); err != nil {
			t.Fatal(err)
		}
	}
	reg := cli.NewRegistry()
	if err := RegisterCLI(reg, e); err != nil {
		t.Fatal(err)
	}
	return e, func(line string) string {
		var b bytes.Buffer
		if err := reg.Execute(nil, line, &b); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return b.String()
	}
}

func TestShowApplicationsAndFunctions(t *testing.T) {
	_, run := docsEngine(t)
	cases := []struct{ command, golden string }{
		// The first is Asterisk 18.26.4's own transcript.
		{"core show applications like Dial", "core-show-applications-like-Dial.txt"},
		{"core show applications", "core-show-applications.txt"},
		// "like" without its word, or with two, lists everything.
		{"core show applications like", "core-show-applications.txt"},
		{"core show applications like Dial NoOp", "core-show-applications.txt"},
		// Asterisk counts one match per word found, even for an
		// application another word then rules out.
		{"core show applications describing application debugging", "core-show-applications-describing.txt"},
		{"core show application dial noop", "core-show-application-dial-noop.txt"},
		{"core show application Queue", "core-show-application-unknown.txt"},
		{"core show functions", "core-show-functions.txt"},
		{"core show functions like FILTER", "core-show-functions-like.txt"},
		{"core show function LISTFILTER", "core-show-function-listfilter.txt"},
		{"core show function listfilter", "core-show-function-unknown.txt"},
	}
	for _, tc := range cases {
		t.Run(tc.command, func(t *testing.T) {
			goldenFile(t, tc.golden, run(tc.command))
		})
	}
}

func TestShowApplicationsEmpty(t *testing.T) {
	e := New(Config{})
	reg := cli.NewRegistry()
	if err := RegisterCLI(reg, e); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reg.Execute(nil, "core show applications", &b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "There are no registered applications\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestWrapDoc(t *testing.T) {
	long := strings.Repeat("word ", 20) // 100 characters
	cases := []struct{ name, in, want string }{
		{"short", "short text", "short text"},
		{"break at the last blank", long, strings.Repeat("word ", 15) + "word\nword word word word "},
		{"indent kept", "    " + strings.Repeat("abcd ", 20), "    " + strings.Repeat("abcd ", 14) + "abcd\n    abcd abcd abcd abcd abcd "},
		// No blank within 30 characters: cut at column 80, and that
		// character is lost, as in Asterisk.
		{"no blank", strings.Repeat("x", 85), strings.Repeat("x", 79) + "\n" + strings.Repeat("x", 5)},
		{"newlines reset", "a\n" + strings.Repeat("y", 10), "a\n" + strings.Repeat("y", 10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrapDoc(tc.in); got != tc.want {
				t.Errorf("wrapDoc:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestShowMissing(t *testing.T) {
	e, run := docsEngine(t)
	ch := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
	ch.SetLocation("internal", "600", 3)
	for i := 0; i < 2; i++ {
		if res, _ := e.Exec(ch, &Priority{App: "Queue", Data: "sales"}); res.Action != ActHangup {
			t.Errorf("missing application: %+v, want a hangup", res)
		}
	}
	ch.SetLocation("internal", "601", 1)
	if _, err := e.ReadFunction(ch, "BLACKLIST", ""); err == nil {
		t.Error("missing function read without error")
	}
	if err := e.WriteFunction(ch, "CDR", "userfield", "x"); err == nil {
		t.Error("missing function written without error")
	}
	goldenFile(t, "core-show-missing.txt", run("core show missing"))
}
