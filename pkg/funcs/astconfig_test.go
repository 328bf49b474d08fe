package funcs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
)

// TestASTConfig: AST_CONFIG reads a file of the config directory, with
// templates and repeated variables by index.
func TestASTConfig(t *testing.T) {
	dir := t.TempDir()
	conf := "[base](!)\ncodec=ulaw\n[6000](base)\ncodec=alaw\nsecret=s3cr3t\nallow=gsm\nallow=g722\n"
	if err := os.WriteFile(filepath.Join(dir, "phones.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{ConfigDir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want, warn string }{
		{"${AST_CONFIG(phones.conf,6000,secret)}", "s3cr3t", ""},
		{"${AST_CONFIG(phones.conf,6000,codec)}", "ulaw", ""},
		{"${AST_CONFIG(phones.conf,6000,codec,-1)}", "alaw", ""},
		{"${AST_CONFIG(phones.conf,6000,allow,1)}", "g722", ""},
		{"${AST_CONFIG(phones.conf,6000,ALLOW,2)}", "", ""},
		{"${AST_CONFIG(" + filepath.Join(dir, "phones.conf") + ",6000,secret)}", "s3cr3t", ""},
		{"${AST_CONFIG(phones.conf,7000,secret)}", "", ""},
		{"${AST_CONFIG(none.conf,6000,secret)}", "", ""},
		{"${AST_CONFIG(phones.conf,6000)}", "", "AST_CONFIG() requires a variable"},
		{"${AST_CONFIG(phones.conf,6000,allow,x)}", "", "AST_CONFIG() index must be an integer"},
		{"${AST_CONFIG()}", "", "AST_CONFIG() requires an argument"},
	} {
		if got := e.Substitute(nil, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
		w := warnings(log.take())
		if tc.warn == "" && len(w) > 0 || tc.warn != "" && (len(w) != 1 || w[0] != tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.in, w, tc.warn)
		}
	}
}
