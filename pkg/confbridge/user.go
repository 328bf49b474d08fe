package confbridge

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixer"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// menuDigitTimeout is how long a partial menu sequence waits for its
// next digit (the bridge's featuredigittimeout default).
const menuDigitTimeout = time.Second

// User is one channel in a conference.
type User struct {
	conf     *Conference
	ch       *pbx.Channel
	up       *UserProfile
	menu     *Menu
	menuName string
	joined   time.Time
	num      int // the conference's count of users when it came in (MeetMe's user number)

	// Guarded by conf.mu.
	active     bool
	leaderLeft bool // the last marked user left: say so once

	muted atomic.Bool
	// hold: what the mixer delivers is not written (a prompt or the
	// music plays to the user).
	hold atomic.Bool

	wake     chan time.Time // a value makes the user's goroutine look at its state
	kickOnce sync.Once
	kicked   atomic.Pointer[string] // CONFBRIDGE_RESULT of a kick

	// Owned by the user's goroutine.
	part   *mixer.Participant
	music  bool
	digits string
}

// Channel is the user's channel.
func (u *User) Channel() *pbx.Channel { return u.ch }

// Profile is the user's profile.
func (u *User) Profile() *UserProfile { return u.up }

// MenuName is the name of the user's menu.
func (u *User) MenuName() string { return u.menuName }

// Joined is when the user came in.
func (u *User) Joined() time.Time { return u.joined }

// Number is the user's number in the conference (1 for the first in).
func (u *User) Number() int { return u.num }

// Talking reports whether the user talks now.
func (u *User) Talking() bool {
	p := u.partNow()
	return p != nil && p.Talking()
}

// Muted reports whether the user is muted.
func (u *User) Muted() bool { return u.muted.Load() }

// Waiting reports whether the user waits for a marked user.
func (u *User) Waiting() bool {
	u.conf.mu.Lock()
	defer u.conf.mu.Unlock()
	return !u.active
}

func (u *User) poke() {
	select {
	case u.wake <- time.Time{}:
	default:
	}
}

func (u *User) kick(result string) {
	u.kickOnce.Do(func() {
		u.kicked.Store(&result)
	})
	u.poke()
}

func (u *User) setMuted(on bool) {
	if u.muted.Swap(on) == on {
		return
	}
	if p := u.partNow(); p != nil {
		u.conf.mu.Lock()
		active := u.active
		u.conf.mu.Unlock()
		p.SetMuted(on || !active)
	}
	if on {
		u.conf.publish("ConfbridgeMute", u, nil)
	} else {
		u.conf.publish("ConfbridgeUnmute", u, nil)
	}
}

// partNow is the user's participant; only the user's goroutine changes
// it, others read it through here.
func (u *User) partNow() *mixer.Participant {
	u.conf.mu.Lock()
	defer u.conf.mu.Unlock()
	return u.part
}

// deliver is the mixer's Deliver, called on the conference's mixing
// loop: the frame goes straight to the channel's stream, whose queue the
// session's pacer drains at the rate the loop fills it, so the write does
// not wait in the steady state (a stream that falls behind makes the
// loop wait for it, as a paced writer would). A goroutine per user to
// decouple them cost a wake-up per user per interval: about half the
// conference's CPU in bench/relayload's conf modes.
func (u *User) deliver(fr media.Frame) {
	if u.hold.Load() {
		return
	}
	_ = u.ch.Write(fr)
}

// sync brings the user's media in line with its state in the conference:
// in the mix while active, music while alone or waiting when the profile
// asks for it.
func (u *User) sync() {
	c := u.conf
	c.mu.Lock()
	active := u.active
	alone := active && len(c.active) == 1
	c.mu.Unlock()
	// A waiting user is in the mix too, deaf and silent: it receives
	// silence, so its phone keeps getting RTP as Asterisk's does.
	if u.part == nil {
		p := c.mix.Join(mixer.ParticipantOptions{Format: u.ch.NativeFormat(), Deliver: u.deliver,
			TalkingThreshold: u.up.TalkingThreshold, SilenceThreshold: u.up.SilenceThreshold,
			TalkEvents: u.up.TalkDetection, Value: u})
		c.mu.Lock()
		u.part = p
		c.mu.Unlock()
	}
	u.part.SetDeaf(!active)
	u.part.SetMuted(u.muted.Load() || !active)
	wantMusic := u.up.MusicOnHoldWhenEmpty && (!active || alone)
	if wantMusic != u.music {
		if wantMusic {
			if g := u.conf.m.music(u.ch, u.up.MusicClass); g != nil {
				u.hold.Store(true)
				u.ch.StartGenerator(g)
				u.music = true
			}
		} else {
			u.ch.StopGenerator()
			u.music = false
			u.hold.Store(false)
		}
	}
}

func (m *Module) music(ch *pbx.Channel, class string) pbx.Generator {
	if m.opts.Music == nil {
		return nil
	}
	return m.opts.Music(ch, class)
}

// prompt plays files to the user alone, the mix held meanwhile.
func (u *User) prompt(names string) error {
	if u.music {
		u.ch.StopGenerator()
	}
	u.hold.Store(true)
	u.ch.FlushMedia()
	_, err := u.conf.m.play(u.ch, names, "")
	u.hold.Store(u.music)
	if u.music {
		if g := u.conf.m.music(u.ch, u.up.MusicClass); g != nil {
			u.ch.StartGenerator(g)
		}
	}
	return err
}

// run is the user's life in the conference on its channel's goroutine:
// its voice to the mixer, its keys to the menu, until it leaves. It
// returns CONFBRIDGE_RESULT's value.
func (u *User) run() string {
	defer func() {
		if u.part != nil {
			u.part.Leave()
		}
		if u.music {
			u.ch.StopGenerator()
		}
	}()
	u.sync()
	var digitDeadline <-chan time.Time
	var digitTimer *time.Timer
	for {
		if r := u.kicked.Load(); r != nil {
			return *r
		}
		var fr media.Frame
		var err error
		if digitDeadline != nil {
			// A partial menu sequence: wait for its next key or give up.
			select {
			case <-digitDeadline:
				u.digits, digitDeadline = "", nil
				continue
			default:
			}
		}
		fr, err = u.ch.ReadUntil(u.wake)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			u.conf.mu.Lock()
			left := u.leaderLeft
			u.leaderLeft = false
			u.conf.mu.Unlock()
			if left && !u.up.Quiet {
				_ = u.prompt(u.conf.bp.Sound("sound_leader_has_left"))
			}
			u.sync()
			continue
		case errors.Is(err, pbx.ErrInterrupted):
			return ""
		case err != nil:
			return "HANGUP"
		}
		switch fr.Kind {
		case media.Voice:
			if u.part != nil {
				_ = u.part.Write(fr)
			}
		case media.DTMFEnd:
			if digitTimer != nil {
				digitTimer.Stop()
			}
			u.digits += string(fr.Digit)
			e, partial := u.match()
			switch {
			case e != nil:
				u.digits, digitDeadline = "", nil
				if res, leave := u.execMenu(e); leave {
					return res
				}
			case partial:
				digitTimer = time.NewTimer(menuDigitTimeout)
				digitDeadline = digitTimer.C
			default:
				u.digits, digitDeadline = "", nil
			}
		}
	}
}

// match finds the menu entry of the digits so far, or reports that more
// digits may still make one.
func (u *User) match() (*MenuEntry, bool) {
	if u.menu == nil {
		return nil, false
	}
	partial := false
	for i := range u.menu.Entries {
		e := &u.menu.Entries[i]
		if strings.EqualFold(e.DTMF, u.digits) {
			return e, false
		}
		if strings.HasPrefix(strings.ToUpper(e.DTMF), strings.ToUpper(u.digits)) {
			partial = true
		}
	}
	return nil, partial
}

// execMenu runs an entry's actions in order; leave reports that the user
// leaves the conference (with CONFBRIDGE_RESULT res).
func (u *User) execMenu(e *MenuEntry) (res string, leave bool) {
	c := u.conf
	b := c.bp
	for _, a := range e.Actions {
		switch a.Name {
		case "toggle_mute":
			on := !u.muted.Load()
			if c.isMutedByAdmin() && !u.up.Admin && !on {
				// The admin muted the participants; only the admin unmutes.
				continue
			}
			u.setMuted(on)
			if on {
				_ = u.prompt(b.Sound("sound_muted"))
			} else {
				_ = u.prompt(b.Sound("sound_unmuted"))
			}
		case "leave_conference":
			return "DTMF", true
		case "increase_listening_volume", "decrease_listening_volume", "reset_listening_volume",
			"increase_talking_volume", "decrease_talking_volume", "reset_talking_volume":
			u.volume(a.Name)
		case "admin_toggle_conference_lock":
			if !u.up.Admin {
				continue
			}
			c.mu.Lock()
			c.locked = !c.locked
			on := c.locked
			c.mu.Unlock()
			if on {
				_ = u.prompt(b.Sound("sound_locked_now"))
			} else {
				_ = u.prompt(b.Sound("sound_unlocked_now"))
			}
		case "admin_toggle_mute_participants":
			if !u.up.Admin {
				continue
			}
			if c.muteParticipants() {
				_ = u.prompt(b.Sound("sound_participants_muted"))
			} else {
				_ = u.prompt(b.Sound("sound_participants_unmuted"))
			}
		case "admin_kick_last":
			if !u.up.Admin {
				continue
			}
			if last := c.lastParticipant(); last != nil && last != u {
				last.kick("KICKED")
			} else {
				_ = u.prompt(b.Sound("sound_error_menu"))
			}
		case "participant_count":
			_ = u.prompt(u.countPrompt())
		case "playback", "playback_and_continue":
			_ = u.prompt(a.Arg)
		case "dialplan_exec":
			if r, left := u.dialplanExec(a.Arg); left {
				return r, true
			}
		case "no_op", "toggle_binaural", "set_as_single_video_src", "release_as_single_video_src":
		}
	}
	return "", false
}

func (c *Conference) isMutedByAdmin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.muted
}

func (u *User) volume(action string) {
	p := u.part
	if p == nil {
		return
	}
	switch action {
	case "increase_listening_volume":
		p.AdjustListenVolume(1)
	case "decrease_listening_volume":
		p.AdjustListenVolume(-1)
	case "reset_listening_volume":
		p.AdjustListenVolume(-p.AdjustListenVolume(0))
	case "increase_talking_volume":
		p.AdjustTalkVolume(1)
	case "decrease_talking_volume":
		p.AdjustTalkVolume(-1)
	case "reset_talking_volume":
		p.AdjustTalkVolume(-p.AdjustTalkVolume(0))
	}
}

// countPrompt is announce_user_count's sequence for the user: the only
// person, one other, or "there are N other participants".
func (u *User) countPrompt() string {
	b := u.conf.bp
	n := u.conf.activeCount()
	switch {
	case n <= 1:
		return b.Sound("sound_only_person")
	case n == 2:
		return b.Sound("sound_only_one")
	}
	return strings.Join(append(append([]string{b.Sound("sound_there_are")}, NumberFiles(n-1)...), b.Sound("sound_other_in_party")), "&")
}

// dialplanExec runs context,exten,priority out of the mix and comes back
// (Asterisk's dialplan_exec menu action); leave when the channel hung up.
func (u *User) dialplanExec(arg string) (string, bool) {
	parts := pbx.SplitArgs(arg, ',')
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	ctx, exten, prio := parts[0], parts[1], 1
	if n, err := atoiDefault(parts[2], 1); err == nil {
		prio = n
	}
	oc, oe, op := u.ch.Location()
	if ctx == "" {
		ctx = oc
	}
	if u.part != nil {
		u.part.Leave()
		u.conf.mu.Lock()
		u.part = nil
		u.conf.mu.Unlock()
	}
	u.hold.Store(true)
	res := u.ch.Engine().RunNested(u.ch, ctx, exten, prio)
	u.ch.SetLocation(oc, oe, op)
	u.hold.Store(u.music)
	if res.Action == pbx.ActHangup || u.ch.HangupRequested() {
		return "HANGUP", true
	}
	u.sync()
	return "", false
}
