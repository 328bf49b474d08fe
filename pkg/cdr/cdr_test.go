package cdr

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestFormat(t *testing.T) {
	start := time.Date(2026, 11, 22, 11, 49, 36, 0, time.Local)
	tests := []struct {
		name string
		rec  Record
		cfg  Config
		want string
	}{
		{
			name: "answered call",
			rec: Record{Src: "6001", Dst: "6000", DContext: "work", CLID: `"Choucheh Sadek" <6001>`,
				Channel: "SIP/6001-00000000", DstChannel: "SIP/6000-00000001", LastApp: "Dial", LastData: "SIP/6000,20",
				Start: start, Answer: start.Add(2 * time.Second), End: start.Add(12 * time.Second),
				Disposition: Answered, UniqueID: "1795340976.0"},
			cfg:  DefaultConfig(),
			want: `"","6001","6000","work","""Choucheh Sadek"" <6001>","SIP/6001-00000000","SIP/6000-00000001","Dial","SIP/6000,20","2026-11-22 11:49:36","2026-11-22 11:49:38","2026-11-22 11:49:48",12,10,"ANSWERED","DOCUMENTATION","1795340976.0",""` + "\n",
		},
		{
			name: "busy, without optional columns",
			rec: Record{Src: "6001", Dst: "6000", DContext: "work", Channel: "SIP/6001-00000002", DstChannel: "SIP/6000-00000003",
				LastApp: "Dial", LastData: "SIP/6000,20", Start: start, End: start.Add(1500 * time.Millisecond), Disposition: Busy},
			cfg:  Config{Enable: true},
			want: `"","6001","6000","work","","SIP/6001-00000002","SIP/6000-00000003","Dial","SIP/6000,20","2026-11-22 11:49:36","","2026-11-22 11:49:37",1,0,"BUSY","DOCUMENTATION"` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(&tt.rec, tt.cfg); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestWriterDispositionRules(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	recs := []Record{
		{Channel: "SIP/6001-1", DstChannel: "SIP/6000-2", Start: now, End: now, Disposition: Answered, AccountCode: "acme"},
		{Channel: "SIP/6001-3", DstChannel: "SIP/6000-4", Start: now, End: now, Disposition: Busy},
		{Channel: "SIP/6001-5", Start: now, End: now, Disposition: NoAnswer}, // never dialled: dropped
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "cdr-csv", "Master.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := countLines(b); n != 2 {
		t.Errorf("Master.csv has %d lines, want 2:\n%s", n, b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cdr-csv", "acme.csv")); err != nil || countLines(b) != 1 {
		t.Errorf("acme.csv: %v %q", err, b)
	}
	w.SetConfig(Config{Enable: false})
	w.Write(&recs[0])
	if b2, _ := os.ReadFile(filepath.Join(dir, "cdr-csv", "Master.csv")); countLines(b2) != 2 {
		t.Error("enable=no still wrote a record")
	}
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

func TestLoadConfig(t *testing.T) {
	cdrConf, d := confparse.Parse("cdr.conf", []byte("[general]\nenable=no\nunanswered=yes\nbogus=1\n"), confparse.Options{})
	if d.HasErrors() {
		t.Fatal(d)
	}
	csvConf, _ := confparse.Parse("cdr_csv.conf", []byte("[csv]\nloguniqueid=maybe\n"), confparse.Options{})
	c, diags := LoadConfig(cdrConf, csvConf)
	if c.Enable || !c.Unanswered {
		t.Errorf("config %+v", c)
	}
	if len(diags) != 2 || diags[0].Line != 4 || diags[0].Severity != confparse.Warning || diags[1].Severity != confparse.Error || diags[1].File != "cdr_csv.conf" {
		t.Errorf("diagnostics %v", diags)
	}
}
