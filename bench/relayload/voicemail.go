package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

// The voicemail mode measures callers leaving messages: each leg is a
// channel running VoiceMail(<box>@default,s) (no greeting, no
// instructions), recording what its phone streams to the spool in the
// format= given by -vmformat, until the window ends and the caller hangs
// up (the message is then deposited, as Asterisk keeps a message whose
// caller hung up).

// vmLab is the voicemail module of one run and its spool.
type vmLab struct {
	vm    *voicemail.Module
	spool string
}

func newVMLab(eng *pbx.Engine, boxes int, format string) (*vmLab, error) {
	dir, err := os.MkdirTemp("", "relayload-vm-")
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[general]\nformat=%s\nmaxsecs=0\nmaxmsg=9999\n[default]\n", format)
	for i := 0; i < boxes; i++ {
		fmt.Fprintf(&b, "%d => 1234,Bench %d\n", 10000+i, i)
	}
	cfg, diags := confparse.Parse("voicemail.conf", []byte(b.String()), confparse.Options{})
	if diags.HasErrors() {
		return nil, diags.Err()
	}
	vc, _ := voicemail.Load(cfg)
	l := &vmLab{vm: voicemail.New(voicemail.Options{Log: eng.Log(), SpoolDir: dir, Host: "bench"}, vc), spool: dir}
	if err := l.vm.Register(eng); err != nil {
		return nil, err
	}
	return l, nil
}

// messages counts the messages the run left in the spool.
func (l *vmLab) messages() int {
	n := 0
	filepath.WalkDir(l.spool, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txt") && strings.Contains(p, "/INBOX/msg") {
			n++
		}
		return nil
	})
	return n
}

func (l *vmLab) close() {
	l.vm.Close()
	os.RemoveAll(l.spool)
}

// startVoicemail runs VoiceMail on a channel on each leg of call i.
func startVoicemail(eng *pbx.Engine, la, lb *rtp.Leg, i int) (*transcoded, error) {
	app, ok := eng.App("VoiceMail")
	if !ok {
		return nil, fmt.Errorf("no VoiceMail application")
	}
	mk := func(leg *rtp.Leg, name string) *pbx.Channel {
		ch := ulawChannel(eng, leg, name)
		ch.SetLocation("default", "vm", 1)
		return ch
	}
	x := &transcoded{a: mk(la, "a"), b: mk(lb, "b"), done: make(chan struct{})}
	x.runApp(app, "voicemail", func(k int) string { return fmt.Sprintf("%d@default,s", 10000+2*i+k) })
	return x, nil
}
