package funcs

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// fakeResolver answers from tables; queries counts the SRV lookups.
type fakeResolver struct {
	srv     map[string][]*net.SRV
	txt     map[string][]string
	queries int
}

func (f *fakeResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	f.queries++
	if service != "" || proto != "" {
		return "", nil, errors.New("unexpected service/proto form")
	}
	r, ok := f.srv[name]
	if !ok {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return name, r, nil
}

func (f *fakeResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	r, ok := f.txt[name]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return r, nil
}

// TestDNSFunctions: SRVQUERY/SRVRESULT and TXTCIDNAME on a fake resolver.
func TestDNSFunctions(t *testing.T) {
	res := &fakeResolver{
		srv: map[string][]*net.SRV{"_sip._udp.example.com": {
			{Target: "sip1.example.com.", Port: 5060, Priority: 10, Weight: 60},
			{Target: "sip2.example.com.", Port: 5080, Priority: 20, Weight: 0},
		}},
		txt: map[string][]string{"4.3.2.1.e164.arpa": {"Jean Dupont"}, "4.3.2.1.e164.example.net": {"Other Zone"}},
	}
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{Resolver: res}); err != nil {
		t.Fatal(err)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	for _, tc := range []struct{ in, want, warn string }{
		{"${SRVQUERY(_sip._udp.example.com)}", "_sip._udp.example.com", ""},
		{"${SRVRESULT(_sip._udp.example.com,getnum)}", "2", ""},
		{"${SRVRESULT(_sip._udp.example.com,1,host)}:${SRVRESULT(_sip._udp.example.com,1,port)}", "sip1.example.com:5060", ""},
		{"${SRVRESULT(_sip._udp.example.com,2,priority)}/${SRVRESULT(_sip._udp.example.com,2,weight)}", "20/0", ""},
		{"${SRVRESULT(_sip._udp.example.com,3,host)}", "", "Failed to get record number 3 for SRVRESULT"},
		{"${SRVRESULT(_sip._udp.example.com,1)}", "", "A field must be provided when requesting SRV data"},
		{"${SRVRESULT(_sip._udp.example.com,x,host)}", "", "Invalid value 'x' for resultnum to SRVRESULT"},
		{"${SRVRESULT(_sip._udp.example.com,1,ttl)}", "", "Unrecognized SRV field 'ttl'"},
		{"${SRVQUERY(_sip._udp.nowhere.test)}", "", ""},
		{"${SRVQUERY()}", "", "SRVQUERY requires a service as an argument"},
		{"${TXTCIDNAME(+1-234)}", "Jean Dupont", ""},
		{"${TXTCIDNAME(1234,.e164.example.net)}", "Other Zone", ""},
		{"[${TXTCIDNAME(999)}]", "[]", ""},
		{"${TXTCIDNAME()}", "", "Syntax: TXTCIDNAME(number[,zone-suffix])"},
	} {
		if got := e.Substitute(ch, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
		w := warnings(log.take())
		if tc.warn == "" && len(w) > 0 || tc.warn != "" && (len(w) != 1 || w[0] != tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.in, w, tc.warn)
		}
	}
	if res.queries != 2 {
		t.Errorf("%d SRV lookups, want 2 (SRVRESULT reuses SRVQUERY's)", res.queries)
	}
	// SRVRESULT without SRVQUERY looks the service up itself.
	other := pbxtest.NewPhone(nil).NewChannel(e, "b", "sub", "s")
	defer other.Hangup(0)
	if got := e.Substitute(other, "${SRVRESULT(_sip._udp.example.com,getnum)}"); got != "2" {
		t.Errorf("SRVRESULT first: %q", got)
	}
}
