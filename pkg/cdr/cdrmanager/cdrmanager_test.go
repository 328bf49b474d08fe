package cdrmanager

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		enabled    bool
		diags      string
	}{
		{"missing", "", false, ""},
		{"enabled", "[general]\nenabled = yes\n", true, ""},
		{"disabled", "[general]\nenabled = no\n", false, ""},
		{"unknown", "[general]\nenabled = yes\nfoo = 1\n[mappings]\nrate => Rate\n[other]\n",
			true, "cdr_manager.conf:3: Unknown option 'foo' in [general] of cdr_manager.conf|" +
				"cdr_manager.conf:5: cdr_manager.conf mapping 'rate' is ignored: gostrisk's CDRs have no custom variables|" +
				"cdr_manager.conf:6: Unknown section [other] in cdr_manager.conf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pc *confparse.Config
			if tc.text != "" {
				var d confparse.Diagnostics
				pc, d = confparse.Parse("cdr_manager.conf", []byte(tc.text), confparse.Options{})
				if d.HasErrors() {
					t.Fatal(d)
				}
			}
			cfg, diags := Load(pc)
			var got []string
			for _, d := range diags {
				got = append(got, d.File+":"+strconv.Itoa(d.Line)+": "+d.Message)
			}
			if cfg.Enabled != tc.enabled || strings.Join(got, "|") != tc.diags {
				t.Errorf("enabled %v, diags %q; want %v, %q", cfg.Enabled, strings.Join(got, "|"), tc.enabled, tc.diags)
			}
		})
	}
}

func TestEventAndPost(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.Local)
	r := &cdr.Record{AccountCode: "acme", Src: "6001", Dst: "6002", DContext: "internal", CLID: `"Alice" <6001>`,
		Channel: "SIP/6001-00000001", DstChannel: "SIP/6002-00000002", LastApp: "Dial", LastData: "SIP/6002,30",
		Start: start, Answer: start.Add(3 * time.Second), End: start.Add(65 * time.Second),
		Disposition: cdr.Answered, UniqueID: "1772359200.1"}
	var lines []string
	for _, f := range Event(r).Fields {
		lines = append(lines, f.Key+": "+f.Value)
	}
	want := "AccountCode: acme|Source: 6001|Destination: 6002|DestinationContext: internal|CallerID: \"Alice\" <6001>|" +
		"Channel: SIP/6001-00000001|DestinationChannel: SIP/6002-00000002|LastApplication: Dial|LastData: SIP/6002,30|" +
		"StartTime: 2026-03-01 10:00:00|AnswerTime: 2026-03-01 10:00:03|EndTime: 2026-03-01 10:01:05|" +
		"Duration: 65|BillableSeconds: 62|Disposition: ANSWERED|AMAFlags: DOCUMENTATION|UniqueID: 1772359200.1|UserField: "
	if got := strings.Join(lines, "|"); got != want {
		t.Errorf("Cdr fields:\n%s\nwant\n%s", got, want)
	}

	eng := pbx.New(pbx.Config{})
	sub := eng.Bus().SubscribeTo(EventType)
	defer sub.Close()
	for _, tc := range []struct {
		name    string
		cfg     *Config
		kept    bool
		publish bool
	}{
		{"enabled", &Config{Enabled: true}, true, true},
		{"disabled", &Config{}, true, false},
		{"not kept", &Config{Enabled: true}, false, false},
		{"no config", nil, true, false},
	} {
		Post(eng, tc.cfg, r, tc.kept)
		if got := len(sub.Take()) == 1; got != tc.publish {
			t.Errorf("%s: published %v", tc.name, got)
		}
	}
}
