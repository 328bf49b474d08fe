package funcs

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/local"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestPeriodicHook: every second a Local channel runs hooks,beep (a
// tone for 300 ms) and the hooked channel's far end hears it mixed into
// what the channel sends; off stops it.
func TestPeriodicHook(t *testing.T) {
	cfg, diags := confparse.Parse("extensions.conf", []byte("[hooks]\nexten => beep,1,Answer()\n same => n,Set(SEEN=${HOOK_ID}/${HOOK_CHANNEL})\n same => n,Playtones(1000)\n same => n,Wait(0.3)\n same => n,Hangup()\n"), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan := pbx.FromDialplan(dp)
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Plan: func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := apps.Register(e); err != nil {
		t.Fatal(err)
	}
	if err := Register(e, Deps{}); err != nil {
		t.Fatal(err)
	}
	if err := e.RegisterTechnology(local.New(e, local.Options{})); err != nil {
		t.Fatal(err)
	}
	phone := pbxtest.NewPhone(media.SLin)
	ch := phone.NewChannel(e, "a", "hooks", "s")
	defer ch.Hangup(0)
	id := e.Substitute(ch, "${PERIODIC_HOOK(hooks,beep,1)}")
	if id == "" {
		t.Fatalf("no hook id; log %q", log.take())
	}
	// The channel sends silence (as a bridge would send its peer's
	// voice) for 2.5 s; the hook's tone must be in it.
	loud := 0
	silence := slinFrame(make([]int16, 160)...)
	for i := 0; i < 125; i++ {
		before := len(phone.Heard())
		if err := ch.Write(silence); err != nil {
			t.Fatal(err)
		}
		for _, fr := range phone.Heard()[before:] {
			for _, v := range media.DecodeSLin(nil, fr.Payload) {
				if v > 1000 || v < -1000 {
					loud++
					break
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if loud < 5 {
		t.Fatalf("%d frames carried the hook's tone; log %q", loud, log.take())
	}
	if err := e.Assign(ch, "PERIODIC_HOOK("+id+")", "off"); err != nil {
		t.Fatal(err)
	}
	if err := e.Assign(ch, "PERIODIC_HOOK(nope)", "on"); err == nil {
		t.Error("unknown hook id accepted")
	}
	if err := e.Assign(ch, "PERIODIC_HOOK("+id+")", "maybe"); err == nil || err.Error() != "Invalid value for PERIODIC_HOOK function: 'maybe'" {
		t.Errorf("bad value: %v", err)
	}
}

// TestPeriodicHookErrors: func_periodic_hook.c's warnings.
func TestPeriodicHookErrors(t *testing.T) {
	runMore(t, []moreCase{
		{name: "no interval", in: "${PERIODIC_HOOK(hooks,beep)}", warn: "Invalid hook interval: ''"},
		{name: "zero interval", in: "${PERIODIC_HOOK(hooks,beep,0)}", warn: "Invalid hook interval: '0'"},
		{name: "no exten", in: "${PERIODIC_HOOK(hooks,,5)}", warn: "A context and extension are required for PERIODIC_HOOK()."},
		{name: "unknown off", writes: [][2]string{{"PERIODIC_HOOK(77)", "off"}}, warn: "Hook with ID '77' not found on channel 'Test/6000-00000000'"},
	}, nil)
}
