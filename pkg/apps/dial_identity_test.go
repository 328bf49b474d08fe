package apps_test

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const dialIdentityPlan = `
[t]
exten => plain,1,Dial(SIP/6000,20)
exten => o,1,Dial(SIP/6000,20,o)
exten => ox,1,Dial(SIP/6000,20,o("Front Desk" <100>))
exten => f,1,Dial(SIP/6000,20,f(0140506070))
exten => fu,1,Dial(SIP/6000,20,f(Acme <0140506070>)u(prohib))
exten => u,1,Dial(SIP/6000,20,u(prohib))
exten => fnox,1,Dial(SIP/6000,20,fsiz)
exten => sub,1,Dial(SIP/6000,20,U(callee))
exten => suba,1,Dial(SIP/6000,20,aU(callee))
exten => r,1,Dial(SIP/6000,20,r)
exten => R,1,Dial(SIP/6000,20,R)
exten => rtone,1,Dial(SIP/6000,20,r(nosuchtone))
exten => priv,1,Dial(SIP/6000,20,pN)

[callee]
exten => s,1,Set(SEEN=yes)
 same => n,Return()
`

// Dial's identity options (o, f, u) set what the called channel carries
// and what is sent to it; a answers the caller before U runs; r and R
// ring the caller at once, R passing the called party's progress on.
func TestDialIdentityAndAnswerOptions(t *testing.T) {
	plan := loadPlan(t, "extensions.conf", []byte(dialIdentityPlan))
	tests := []struct {
		exten          string
		far            behaviour
		cid, connected pbx.CallerID // of the called channel (Name, Num only)
		pres           string       // its connected line's presentation
		answerFirst    bool         // caller answered before the callee's U
		inds           []pbx.Indication
		log            string
	}{
		{exten: "plain", cid: pbx.CallerID{Num: "plain"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, pres: "allowed_not_screened"},
		{exten: "o", cid: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}},
		{exten: "ox", cid: pbx.CallerID{Name: "Front Desk", Num: "100"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}},
		{exten: "f", cid: pbx.CallerID{Num: "f"}, connected: pbx.CallerID{Num: "0140506070"}},
		{exten: "fu", cid: pbx.CallerID{Num: "fu"}, connected: pbx.CallerID{Name: "Acme", Num: "0140506070"}, pres: "prohib"},
		// u works only with f(x); f without x only on forwards.
		{exten: "u", cid: pbx.CallerID{Num: "u"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, pres: "allowed_not_screened"},
		{exten: "fnox", cid: pbx.CallerID{Num: "fnox"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}},
		{exten: "sub", cid: pbx.CallerID{Num: "sub"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}},
		{exten: "suba", cid: pbx.CallerID{Num: "suba"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, answerFirst: true},
		// The fake callee rings: r rings once, R passes nothing more (no
		// progress comes), plain Dial rings when the callee does.
		{exten: "r", cid: pbx.CallerID{Num: "r"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, inds: []pbx.Indication{pbx.IndRinging}},
		{exten: "R", cid: pbx.CallerID{Num: "R"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, inds: []pbx.Indication{pbx.IndRinging}},
		// With early media from the callee: r keeps ringing, R passes the
		// progress on, plain Dial rings then passes nothing more.
		{exten: "r", far: progressThenAnswer, cid: pbx.CallerID{Num: "r"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, inds: []pbx.Indication{pbx.IndRinging}},
		{exten: "R", far: progressThenAnswer, cid: pbx.CallerID{Num: "R"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, inds: []pbx.Indication{pbx.IndRinging, pbx.IndProgress}},
		{exten: "plain", far: progressThenAnswer, cid: pbx.CallerID{Num: "plain"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"}, inds: []pbx.Indication{pbx.IndRinging}},
		{exten: "rtone", cid: pbx.CallerID{Num: "rtone"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"},
			inds: []pbx.Indication{pbx.IndRinging}, log: "WARNING: Unable to start playtone 'nosuchtone'"},
		{exten: "priv", cid: pbx.CallerID{Num: "priv"}, connected: pbx.CallerID{Name: "Poste 6001", Num: "6001"},
			log: "WARNING: Dial option p (call screening/privacy) is not supported by gostrisk; dialing without it"},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			far := answerThenHangup
			if tt.far != 0 {
				far = tt.far
			}
			l := newLab(t, plan, map[string]behaviour{"6000": far})
			sub := l.e.Bus().Subscribe()
			defer sub.Close()
			ch, d := l.call(t, "t", tt.exten)
			out := l.tech.outbound()
			if len(out) != 1 {
				t.Fatalf("%d outbound channels", len(out))
			}
			peer := out[0]
			if got := peer.CallerID(); got.Name != tt.cid.Name || got.Num != tt.cid.Num {
				t.Errorf("called channel's caller ID %q <%s>, want %q <%s>", got.Name, got.Num, tt.cid.Name, tt.cid.Num)
			}
			if got := peer.Connected(); got.Name != tt.connected.Name || got.Num != tt.connected.Num {
				t.Errorf("sent identity %q <%s>, want %q <%s>", got.Name, got.Num, tt.connected.Name, tt.connected.Num)
			}
			if tt.pres != "" && peer.ConnectedPresentation() != tt.pres {
				t.Errorf("presentation %q, want %q", peer.ConnectedPresentation(), tt.pres)
			}
			if tt.exten == "sub" || tt.exten == "suba" {
				up, seen := -1, -1
				for i, ev := range sub.Take() {
					switch {
					case ev.Type == pbx.BusNewstate && ev.Channel == ch && ev.State == pbx.StateUp && up < 0:
						up = i
					case ev.Type == pbx.BusVarSet && ev.Channel == peer && ev.Variable == "SEEN":
						seen = i
					}
				}
				if up < 0 || seen < 0 {
					t.Fatalf("events: caller up at %d, SEEN at %d", up, seen)
				}
				if (up < seen) != tt.answerFirst {
					t.Errorf("caller answered at event %d, the callee's U ran at %d; answer first %v", up, seen, tt.answerFirst)
				}
			}
			if tt.inds != nil {
				got := d.indications()
				if len(got) != len(tt.inds) {
					t.Errorf("indications %v, want %v", got, tt.inds)
				} else {
					for i := range got {
						if got[i] != tt.inds[i] {
							t.Errorf("indications %v, want %v", got, tt.inds)
						}
					}
				}
			}
			if tt.log != "" {
				l.log.has(t, tt.log)
			}
		})
	}
}
