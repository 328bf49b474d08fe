package funcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileRead: FILE's byte and line modes, FILE_COUNT_LINE, FILE_FORMAT
// and STAT on files written here, with func_env.c's offsets.
func TestFileRead(t *testing.T) {
	dir := t.TempDir()
	unix := filepath.Join(dir, "unix.txt")
	dos := filepath.Join(dir, "dos.txt")
	mac := filepath.Join(dir, "mac.txt")
	bare := filepath.Join(dir, "bare.txt")
	for name, body := range map[string]string{unix: "one\ntwo\nthree\nfour\n", dos: "a\r\nb\r\nc\r\n", mac: "x\ry\r", bare: "0123456789"} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "none")
	r := func(s string) string {
		return strings.NewReplacer("@U", unix, "@D", dos, "@M", mac, "@B", bare, "@N", missing).Replace(s)
	}
	runMore(t, []moreCase{
		{name: "whole", in: r("${FILE(@B)}"), want: "0123456789"},
		{name: "offset", in: r("${FILE(@B,3)}"), want: "3456789"},
		{name: "offset length", in: r("${FILE(@B,3,2)}"), want: "34"},
		{name: "negative offset", in: r("${FILE(@B,-3)}"), want: "789"},
		{name: "negative length", in: r("${FILE(@B,2,-3)}"), want: "23456"},
		{name: "length past end", in: r("${FILE(@B,8,10)}"), want: "89"},
		{name: "offset past end", in: r("${FILE(@B,20)}"), want: ""},
		{name: "missing", in: r("${FILE(@N)}"), warn: r("Cannot open file '@N' for reading: No such file or directory")},
		{name: "line", in: r("${FILE(@U,1,1,l)}"), want: "two\n"},
		{name: "lines", in: r("${FILE(@U,1,2,l)}"), want: "two\nthree\n"},
		{name: "lines to end", in: r("${FILE(@U,2,,l)}"), want: "three\nfour\n"},
		{name: "last line", in: r("${FILE(@U,-1,,l)}"), want: "four\n"},
		{name: "last two", in: r("${FILE(@U,-2,,l)}"), want: "three\nfour\n"},
		{name: "all from end", in: r("${FILE(@U,-4,,l)}"), want: "one\ntwo\nthree\nfour\n"},
		{name: "before beginning", in: r("${FILE(@U,-9,,l)}"), warn: "Offset '-9' refers to before the beginning of the file!"},
		{name: "dos line", in: r("${FILE(@D,1,1,l)}"), want: "b\r\n"},
		{name: "dos forced", in: r("${FILE(@D,1,1,l,d)}"), want: "b\r\n"},
		{name: "mac line", in: r("${FILE(@M,1,1,l)}"), want: "y\r"},
		{name: "no lines", in: r("${FILE(@B,0,1,l)}"), warn: r("'@B' is not a line-based file")},
		{name: "count unix", in: r("${FILE_COUNT_LINE(@U)}"), want: "4"},
		{name: "count dos", in: r("${FILE_COUNT_LINE(@D)}"), want: "3"},
		{name: "count forced mac", in: r("${FILE_COUNT_LINE(@U,m)}"), want: "0"},
		{name: "count missing", in: r("${FILE_COUNT_LINE(@N)}"), want: "-1", warn: r("Unable to open '@N': No such file or directory")},
		{name: "format", in: r("${FILE_FORMAT(@U)}${FILE_FORMAT(@D)}${FILE_FORMAT(@M)}${FILE_FORMAT(@B)}"), want: "udmx"},
		{name: "STAT exists", in: r("${STAT(e,@B)}${STAT(e,@N)}${STAT(f,@B)}${STAT(d,@B)}${STAT(d,") + dir + ")}", want: "10101"},
		{name: "STAT size mode", in: r("${STAT(s,@B)} ${STAT(m,@B)}"), want: "10 100644"},
	}, nil)
}

// TestFileWrite: FILE writes, each case on a fresh copy of the file.
func TestFileWrite(t *testing.T) {
	tests := []struct {
		name, initial, target, value, want, warn string
	}{
		{name: "overwrite", initial: "old", target: "FILE(F)", value: "new", want: "new"},
		{name: "append", initial: "a", target: "FILE(F,,,a)", value: "b", want: "ab"},
		{name: "replace same length", initial: "0123456789", target: "FILE(F,2,3)", value: "abc", want: "01abc56789"},
		{name: "replace shorter", initial: "0123456789", target: "FILE(F,2,5)", value: "x", want: "01x789"},
		{name: "replace longer", initial: "0123456789", target: "FILE(F,2,1)", value: "xyz", want: "01xyz3456789"},
		{name: "insert", initial: "0123", target: "FILE(F,2,0)", value: "--", want: "01--23"},
		{name: "truncate after", initial: "0123456789", target: "FILE(F,4)", value: "x", want: "0123x"},
		{name: "negative offset", initial: "0123456789", target: "FILE(F,-2,1)", value: "X", want: "01234567X9"},
		{name: "negative length", initial: "0123456789", target: "FILE(F,0,-2)", value: "X", want: "X89"},
		{name: "length too negative", initial: "0123", target: "FILE(F,2,-5)", value: "X", want: "0123", warn: "Length '-5' exceeds the file length.  No data will be written."},
		{name: "line replace", initial: "one\ntwo\nthree\n", target: "FILE(F,1,1,l)", value: "TWO", want: "one\nTWO\nthree\n"},
		{name: "line delete", initial: "one\ntwo\nthree\n", target: "FILE(F,1,1,ld)", value: "", want: "one\nthree\n"},
		{name: "line insert", initial: "one\ntwo\n", target: "FILE(F,1,0,l)", value: "x", want: "one\nx\ntwo\n"},
		{name: "line last", initial: "one\ntwo\n", target: "FILE(F,-1,,l)", value: "end", want: "one\nend\n"},
		{name: "line append", initial: "a\r\n", target: "FILE(F,,,al)", value: "b", want: "a\r\nb\r\n"},
		{name: "line overwrite forced", initial: "", target: "FILE(F,,,l,d)", value: "only", want: "only\r\n"},
		{name: "line unknown format", initial: "no newline", target: "FILE(F,0,1,l)", value: "x", want: "no newline", warn: "File 'F' not in line format"},
		{name: "modify missing", target: "FILE(N,2,1)", value: "x", warn: "Cannot open file 'N' for modification: No such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "f.txt")
			if err := os.WriteFile(f, []byte(tt.initial), 0o640); err != nil {
				t.Fatal(err)
			}
			rep := strings.NewReplacer("(F", "("+f, "'F'", "'"+f+"'", "(N", "("+filepath.Join(dir, "n"), "'N'", "'"+filepath.Join(dir, "n")+"'")
			e, log := newMoreEngine(t, nil)
			log.take()
			var warns []string
			if err := e.Assign(nil, rep.Replace(tt.target), tt.value); err != nil {
				warns = append(warns, err.Error())
			}
			warns = append(warns, warnings(log.take())...)
			want := rep.Replace(tt.warn)
			if want == "" && len(warns) > 0 || want != "" && (len(warns) != 1 || warns[0] != want) {
				t.Errorf("warnings %q, want %q", warns, want)
			}
			got, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("file = %q, want %q", got, tt.want)
			}
			if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %o, want 640 kept", fi.Mode().Perm())
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}
