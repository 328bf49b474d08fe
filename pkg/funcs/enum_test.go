package funcs

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

type fakeNAPTR map[string][]NAPTR

func (f fakeNAPTR) LookupNAPTR(_ context.Context, name string) ([]NAPTR, error) {
	r, ok := f[name]
	if !ok {
		return nil, errNXDomain
	}
	return r, nil
}

var enumRecords = []NAPTR{
	{Order: 100, Preference: 20, Flags: "u", Services: "E2U+sip", Regexp: "!^\\+33(.*)$!sip:\\1@backup.example.com!"},
	{Order: 100, Preference: 10, Flags: "u", Services: "E2U+sip", Regexp: "!^.*$!sip:info@example.com!"},
	{Order: 50, Preference: 10, Flags: "U", Services: "E2U+tel", Regexp: "!^(.*)$!tel:\\1!"},
	{Order: 100, Preference: 30, Flags: "s", Services: "E2U+sip", Regexp: "!^.*$!sip:never@example.com!"},
}

// TestENUM: ENUMLOOKUP's methods, options and record numbers, and
// ENUMQUERY/ENUMRESULT, on NAPTRs enum.c would read the same way.
func TestENUM(t *testing.T) {
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	res := fakeNAPTR{"4.3.2.1.3.3.e164.arpa": enumRecords, "4.3.2.1.3.3.enum.example.net": enumRecords[1:2], "331234.direct.test": enumRecords[1:2]}
	if err := Register(e, Deps{NAPTR: res}); err != nil {
		t.Fatal(err)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	for _, tc := range []struct{ in, want string }{
		{"${ENUMLOOKUP(+331234)}", "info@example.com"},
		{"${ENUMLOOKUP(+33-1234,sip,,2)}", "1234@backup.example.com"},
		{"${ENUMLOOKUP(+331234,sip,u)}", "sip:info@example.com"},
		{"${ENUMLOOKUP(+331234,sip,c)}", "2"},
		{"${ENUMLOOKUP(+331234,ALL,c)}", "3"},
		{"${ENUMLOOKUP(+331234,ALL)}", "tel:+331234"},
		{"${ENUMLOOKUP(+331234,tel)}", "+331234"},
		{"${ENUMLOOKUP(+331234,sip,,3)}", ""},
		{"${ENUMLOOKUP(+331234,sip,,1,enum.example.net)}", "info@example.com"},
		{"${ENUMLOOKUP(331234,sip,d,1,direct.test)}", "info@example.com"},
		{"[${ENUMLOOKUP(+449999)}]", "[]"},
	} {
		if got := e.Substitute(ch, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
	id := e.Substitute(ch, "${ENUMQUERY(+331234)}")
	for _, tc := range []struct{ in, want string }{
		{"${ENUMRESULT(" + id + ",getnum)}", "2"},
		{"${ENUMRESULT(" + id + ",1)}", "info@example.com"},
		{"${ENUMRESULT(" + id + ",2)}", "1234@backup.example.com"},
	} {
		if got := e.Substitute(ch, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
	log.take()
	for _, tc := range []struct{ in, warn string }{
		{"${ENUMRESULT(" + id + ",3)}", "Result number 3 is not valid for ENUM query results for ID " + id + "!"},
		{"${ENUMRESULT(999,1)}", "No ENUM results found for query id!"},
		{"${ENUMRESULT(" + id + ",x)}", "Invalid value 'x' for resultnum to ENUMRESULT!"},
		{"${ENUMLOOKUP()}", "Syntax: ENUMLOOKUP(number[,Method-type[,options[,record#[,zone-suffix]]]])"},
	} {
		e.Substitute(ch, tc.in)
		if w := warnings(log.take()); len(w) != 1 || w[0] != tc.warn {
			t.Errorf("%s: warnings %q, want %q", tc.in, w, tc.warn)
		}
	}
}

// TestNAPTRClient: the DNS client against a local UDP server answering
// with two NAPTRs (one with a compressed replacement name).
func TestNAPTRClient(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := buf[:n]
			resp := append([]byte{}, q[:2]...)
			resp = append(resp, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0)
			resp = append(resp, q[12:]...) // the question
			for _, r := range []struct {
				order, pref      uint16
				flags, svc, rexp string
			}{{10, 1, "u", "E2U+sip", "!^.*$!sip:a@example.com!"}, {20, 5, "u", "E2U+tel", "!^(.*)$!tel:\\1!"}} {
				rd := binary.BigEndian.AppendUint16(nil, r.order)
				rd = binary.BigEndian.AppendUint16(rd, r.pref)
				for _, s := range []string{r.flags, r.svc, r.rexp} {
					rd = append(append(rd, byte(len(s))), s...)
				}
				rd = append(rd, 0xc0, 12) // replacement: the question's name
				resp = append(resp, 0xc0, 12, 0, 35, 0, 1, 0, 0, 0, 60)
				resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
				resp = append(resp, rd...)
			}
			pc.WriteTo(resp, addr)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	recs, err := queryNAPTR(ctx, pc.LocalAddr().String(), "4.3.2.1.e164.arpa")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Services != "E2U+sip" || recs[1].Regexp != "!^(.*)$!tel:\\1!" || recs[0].Rep != "4.3.2.1.e164.arpa" || recs[1].Order != 20 {
		t.Errorf("records %+v", recs)
	}
}
