package bridge_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestMixingBridge: a three-way call's mixing bridge is listed by bridge
// show as a basic bridge on softmix with its members, who carry its id;
// a member leaving gets back the bridge it came from, and once ended the
// bridge is no longer listed.
func TestMixingBridge(t *testing.T) {
	log := &recLog{}
	eng := pbx.New(pbx.Config{Logger: log})
	b := bridge.Install(eng, bridge.Options{})
	reg := cli.NewRegistry()
	if err := bridge.RegisterCLI(reg, b); err != nil {
		t.Fatal(err)
	}
	ch := func(name string) *pbx.Channel {
		return pbxtest.NewPhone(media.ULaw).NewChannel(eng, name, "default", "s")
	}
	a, p, c := ch("a"), ch("p"), ch("c")
	a.SetBridged(p, "orig")
	p.SetBridged(c, "consult")
	m := b.StartMixing(p, a, c)
	for _, x := range []*pbx.Channel{a, p, c} {
		if x.BridgeID() != m.ID() {
			t.Errorf("%s: bridge id %q, want %q", x.Name(), x.BridgeID(), m.ID())
		}
	}
	row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m.ID()) + `     3 basic           softmix         00:00:0\d$`)
	if out := run(t, reg, "bridge show all"); !row.MatchString(out) {
		t.Errorf("bridge show all:\n%s", out)
	}
	out := run(t, reg, "bridge show "+m.ID())
	for _, want := range []string{"Technology: softmix\n", "Num-Channels: 3\n", "Channel: " + p.Name() + "\nChannel: " + a.Name() + "\nChannel: " + c.Name() + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("bridge show <id>: no %q in\n%s", want, out)
		}
	}
	m.Leave(a)
	m.Leave(a) // twice: nothing more
	if a.BridgeID() != "orig" || a.Peer() != p {
		t.Errorf("the member that left is in %q with %v, want orig", a.BridgeID(), a.Peer())
	}
	if in, ok := b.Find(m.ID()); !ok || len(in.Channels) != 2 {
		t.Errorf("after one left: %+v %v", in, ok)
	}
	m.End()
	if p.BridgeID() != "consult" || c.BridgeID() != "" {
		t.Errorf("after the end: %q and %q", p.BridgeID(), c.BridgeID())
	}
	if _, ok := b.Find(m.ID()); ok || len(b.Bridges()) != 0 {
		t.Error("the ended bridge is still listed")
	}
	text := log.text()
	for _, want := range []string{
		"Channel " + p.Name() + " joined 'softmix' basic-bridge <ID>",
		"Channel " + a.Name() + " left 'softmix' basic-bridge <ID>",
		"Channel " + c.Name() + " left 'softmix' basic-bridge <ID>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no line %q in\n%s", want, text)
		}
	}
	if n := strings.Count(text, "left 'softmix'"); n != 3 {
		t.Errorf("%d left lines, want 3", n)
	}
}
