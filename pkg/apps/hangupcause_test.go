package apps_test

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/funcs"
)

const hangupCausePlan = `
[hc]
exten => s,1,Dial(SIP/6000&SIP/6002,5)
 same => n,Set(K=${HANGUPCAUSE_KEYS()})
 same => n,Set(T=${HANGUPCAUSE(${CUT(K,\,,1)},tech)}|${HANGUPCAUSE(${CUT(K,\,,2)},tech)})
 same => n,Set(A=${HANGUPCAUSE(${CUT(K,\,,1)},ast)})
 same => n,Set(BAD=${HANGUPCAUSE(SIP/none,tech)}|${HANGUPCAUSE(x)})
 same => n,HangupCauseClear()
 same => n,Set(K2=${HANGUPCAUSE_KEYS()})
`

// Dial passes its legs' cause codes to the caller: HANGUPCAUSE reads them
// (tech: the SIP response, ast: its cause's text), HANGUPCAUSE_KEYS lists
// the legs, HangupCauseClear forgets them.
func TestHangupCause(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(hangupCausePlan)), map[string]behaviour{"6000": busy, "6002": congested})
	if err := funcs.Register(l.e, funcs.Deps{}); err != nil {
		t.Fatal(err)
	}
	ch, _ := l.call(t, "hc", "s")
	vars(t, ch, map[string]string{
		"K":   "SIP/6000-00000001,SIP/6002-00000002",
		"T":   "SIP 486 Busy Here|SIP 503 Service Unavailable",
		"A":   "User busy",
		"BAD": "|",
		"K2":  "",
	})
	l.log.has(t, "WARNING: Unable to find information for channel SIP/none",
		"WARNING: The HANGUPCAUSE function must have 2 parameters, not 1")
}
