package confparse

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to the parser. The same bytes are also
// written as main.conf and inc.conf in the config dir, so "#include" lines
// in the input reach the input again (loops, globs over both files). The
// parser must not panic, must finish quickly, and must give every variable,
// category and diagnostic a position.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"[general]\ncontext=default\n",
		"[t](!)\na=1\n[u](t)\na+=2\n[u](+)\nb=>3\n",
		";-- x\n[a]\n--; [b]\nc=1 ;-- d --; e\n",
		"[g]\n#include main.conf\n#include *.conf\n#tryinclude {main,inc}.conf\n",
		"[g]\nv=a\\;b\\\n\\[x]=1\n;---\n--;\n",
		"\xef\xbb\xbf[g]\r\na=1\r\n",
		"[p](+type=pe.r&TEMPLATES=include)\n[p](,)\n[p](+x=[)\n",
		"[g]\n#exec ls\n#include \"\"\n#include <>\n#\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Keep includes inside the temp dir: an absolute pattern could
		// reach files that block when read.
		data = bytes.ReplaceAll(data, []byte("/"), []byte("_"))
		dir := t.TempDir()
		for _, name := range []string{"main.conf", "inc.conf"} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		cfg, diags := Parse("main.conf", data, Options{Dir: dir, maxLoads: 64})
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("parse took %v", d)
		}
		for _, c := range cfg.Categories {
			if c.File == "" || c.Line <= 0 {
				t.Fatalf("category %q without a position: %s", c.Name, c.Pos())
			}
			for _, v := range c.Vars {
				if v.File == "" || v.Line <= 0 || v.Name == "" {
					t.Fatalf("variable %q without a position or name: %s", v.Name, v.Pos())
				}
			}
		}
		for _, d := range diags {
			if d.File == "" || d.Message == "" {
				t.Fatalf("diagnostic without a file or message: %+v", d)
			}
		}
	})
}
