package confparse

import (
	"fmt"
	"strings"
	"testing"
)

// genSIPConf builds a sip.conf of n peers inheriting a template, with a
// comment on every peer, as a large installation's file looks.
func genSIPConf(n int) []byte {
	var b strings.Builder
	b.WriteString("[general]\ncontext=default\nbindport=5060\ndisallow=all\nallow=alaw\nallow=ulaw\n\n")
	b.WriteString("[phone](!)\ntype=friend\nhost=dynamic\ncontext=work\nqualify=yes\nnat=force_rport,comedia\ndisallow=all\nallow=ulaw\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[%d](phone) ; desk %d\nsecret=s3cr3t%d\nfullname = \"User %d\"\ncallerid=\"User %d\" <%d>\nmailbox=%d@default\n\n", 10000+i, i, i, i, i, 10000+i, 10000+i)
	}
	return []byte(b.String())
}

// genExtensions builds an extensions.conf of about n lines.
func genExtensions(n int) []byte {
	var b strings.Builder
	for ctx := 0; n > 0; ctx++ {
		fmt.Fprintf(&b, "[ctx%d]\n", ctx)
		n--
		for i := 0; i < 100 && n > 0; i += 4 {
			fmt.Fprintf(&b, "exten => %d,1,NoOp(call ${EXTEN}) ; trace\nsame => n,Set(CALLERID(num)=0972124831)\nsame => n,Dial(SIP/%d,20)\nsame => n,Hangup()\n", 1000+i, 1000+i)
			n -= 4
		}
	}
	return []byte(b.String())
}

func BenchmarkParseSIP10000Peers(b *testing.B) {
	data := genSIPConf(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := Parse("sip.conf", data, Options{})
		if len(diags) != 0 || len(cfg.Categories) != 10002 {
			b.Fatalf("%d categories, %v", len(cfg.Categories), diags)
		}
	}
}

func BenchmarkParseExtensions20000Lines(b *testing.B) {
	data := genExtensions(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Parse("extensions.conf", data, Options{}); len(diags) != 0 {
			b.Fatal(diags)
		}
	}
}

// BenchmarkLookupPeers is what a driver does after parsing: find each peer
// by name.
func BenchmarkLookupPeers(b *testing.B) {
	cfg, _ := Parse("sip.conf", genSIPConf(10000), Options{})
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 10000; i += 97 {
			if cfg.Category(fmt.Sprint(10000+i)) == nil {
				b.Fatal("peer not found")
			}
		}
	}
}

func TestGeneratedSIPConf(t *testing.T) {
	cfg, diags := Parse("sip.conf", genSIPConf(100), Options{})
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	peer := cfg.Category("10042")
	if peer == nil {
		t.Fatal("peer 10042 missing")
	}
	if v, _ := peer.Get("host"); v != "dynamic" {
		t.Errorf("inherited host = %q", v)
	}
	if v := peer.Var("fullname"); v.Value != `"User 42"` || v.Pos() != "sip.conf:271" {
		t.Errorf("fullname = %q at %s", v.Value, v.Pos())
	}
}
