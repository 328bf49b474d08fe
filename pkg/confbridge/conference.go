package confbridge

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixer"
	"github.com/gostrisk/gostrisk/pkg/mixmonitor"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Conference is one live conference: its mixer and the users in it.
type Conference struct {
	m       *Module
	name    string
	bp      *BridgeProfile // the first user's, as in Asterisk
	id      string
	created time.Time
	mix     *mixer.Mixer
	stop    context.CancelFunc
	loop    chan struct{} // closed when the mixing loop returned

	annMu sync.Mutex // one announcement at a time
	// leaveMu orders a user's removal with its ConfbridgeLeave event, so
	// the last user's Leave and the End that follows it cannot overtake
	// the Leave of a user who left just before.
	leaveMu sync.Mutex

	mu      sync.Mutex
	active  []*User // in join order
	waiting []*User // wait_marked users until a marked user comes
	marked  int
	locked  bool
	muted   bool // admin_toggle_mute_participants
	ended   bool
	joins   int // users that came in so far (their numbers)
	rec     *mixmonitor.File
	recPart *mixer.Participant
	recName string
	recCmd  string
}

// Created is when the conference started.
func (c *Conference) Created() time.Time { return c.created }

// Name is the conference's name.
func (c *Conference) Name() string { return c.name }

// Counts returns the users (active and waiting) and marked users, and
// whether the conference is locked and muted.
func (c *Conference) Counts() (users, marked int, locked, muted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.active) + len(c.waiting), c.marked, c.locked, c.muted
}

// Users lists the active users then the waiting ones.
func (c *Conference) Users() []*User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(append([]*User(nil), c.active...), c.waiting...)
}

// SetLocked locks or unlocks the conference against new non-admins.
func (c *Conference) SetLocked(on bool) {
	c.mu.Lock()
	c.locked = on
	c.mu.Unlock()
}

// conference returns the live conference name, creating it with bp.
func (m *Module) conference(name string, bp *BridgeProfile) *Conference {
	key := strings.ToLower(name)
	if c := m.confs[key]; c != nil {
		return c
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conference{m: m, name: name, bp: bp, id: pbx.NewBridgeID(), created: time.Now(), stop: cancel, loop: make(chan struct{})}
	c.mix = mixer.New(mixer.Options{Rate: bp.SampleRate, Interval: bp.MixingInterval, Translator: pbx.Translator(),
		OnTalk: func(p *mixer.Participant, on bool) {
			if u, ok := p.Value().(*User); ok {
				c.publishTalking(u, on)
			}
		}})
	m.confs[key] = c
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(c.loop)
		c.mix.Run(ctx)
	}()
	m.log.Verbose(3, "Conference '%s' created\n", name)
	c.publish("ConfbridgeStart", nil, nil)
	if bp.Record {
		c.startRecord("")
	}
	return c
}

// add puts u in the conference unless it is locked or full for it. It
// reports false when u may not enter.
func (c *Conference) add(u *User) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	full := c.bp.MaxMembers > 0 && len(c.active) >= c.bp.MaxMembers
	if (c.locked || full) && !u.up.Admin {
		return false
	}
	u.joined = time.Now()
	c.joins++
	u.num = c.joins
	if u.up.Marked {
		c.marked++
		// The users waiting for a marked user come in.
		for _, w := range c.waiting {
			w.active = true
			c.active = append(c.active, w)
			w.poke()
		}
		c.waiting = nil
	}
	if u.up.WaitMarked && !u.up.Marked && c.marked == 0 {
		c.waiting = append(c.waiting, u)
		return true
	}
	u.active = true
	c.active = append(c.active, u)
	for _, o := range c.active {
		o.poke() // nobody is alone any more: music stops
	}
	return true
}

// remove takes u out and reports whether the conference is empty now
// (the caller ends it with endIfEmpty, after its leave event).
func (c *Conference) remove(u *User) bool {
	c.mu.Lock()
	c.active = without(c.active, u)
	c.waiting = without(c.waiting, u)
	u.active = false
	if u.up.Marked {
		c.marked--
		for _, o := range append([]*User(nil), c.active...) {
			switch {
			case o.up.EndMarkedAny, o.up.EndMarked && c.marked == 0:
				o.kick("ENDMARKED")
			case o.up.WaitMarked && !o.up.Marked && c.marked == 0:
				// Back to waiting for a leader.
				o.active = false
				c.active = without(c.active, o)
				c.waiting = append(c.waiting, o)
				o.leaderLeft = true
			}
			o.poke()
		}
	}
	for _, o := range c.active {
		o.poke()
	}
	empty := len(c.active)+len(c.waiting) == 0
	c.mu.Unlock()
	return empty
}

func without(us []*User, u *User) []*User {
	for i, o := range us {
		if o == u {
			return append(us[:i:i], us[i+1:]...)
		}
	}
	return us
}

// endIfEmpty ends c when nobody came in meanwhile.
func (m *Module) endIfEmpty(c *Conference) {
	m.mu.Lock()
	c.mu.Lock()
	if len(c.active)+len(c.waiting) > 0 || c.ended {
		c.mu.Unlock()
		m.mu.Unlock()
		return
	}
	c.ended = true
	c.mu.Unlock()
	delete(m.confs, strings.ToLower(c.name))
	m.mu.Unlock()
	c.stopRecord()
	c.stop()
	<-c.loop
	c.publish("ConfbridgeEnd", nil, nil)
	m.log.Verbose(3, "Conference '%s' ended\n", c.name)
}

// kickAll kicks every user (or only non-admins with "participants").
func (c *Conference) kickAll(which string) int {
	n := 0
	for _, u := range c.Users() {
		if which == "participants" && u.up.Admin {
			continue
		}
		u.kick("KICKED")
		n++
	}
	return n
}

// Kick kicks the user whose channel is named name, or everyone ("all"),
// or the non-admins ("participants"); it reports whether anyone was.
func (c *Conference) Kick(name string) bool {
	if strings.EqualFold(name, "all") {
		return c.kickAll("") > 0
	}
	if strings.EqualFold(name, "participants") {
		return c.kickAll("participants") > 0
	}
	for _, u := range c.Users() {
		if u.ch.Name() == name {
			u.kick("KICKED")
			return true
		}
	}
	return false
}

// Mute mutes or unmutes users as the CLI names them: a channel name
// prefix (the first match), "all" or "participants".
func (c *Conference) Mute(name string, on bool) bool {
	all, parts := strings.EqualFold(name, "all"), strings.EqualFold(name, "participants")
	found := false
	for _, u := range c.Users() {
		match := strings.HasPrefix(strings.ToLower(u.ch.Name()), strings.ToLower(name))
		if match || all || (parts && !u.up.Admin) {
			u.setMuted(on)
			found = true
			if match {
				return true
			}
		}
	}
	return found
}

// muteParticipants is admin_toggle_mute_participants: every non-admin.
func (c *Conference) muteParticipants() bool {
	c.mu.Lock()
	c.muted = !c.muted
	on := c.muted
	users := append(append([]*User(nil), c.active...), c.waiting...)
	c.mu.Unlock()
	for _, u := range users {
		if !u.up.Admin {
			u.setMuted(on)
		}
	}
	return on
}

// alone reports whether u is the only active user.
func (c *Conference) alone(u *User) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.active) == 1 && c.active[0] == u
}

func (c *Conference) activeCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.active)
}

// lastParticipant is admin_kick_last's target: the last non-admin in.
func (c *Conference) lastParticipant() *User {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last *User
	for _, u := range append(append([]*User(nil), c.active...), c.waiting...) {
		if !u.up.Admin && (last == nil || u.joined.After(last.joined)) {
			last = u
		}
	}
	return last
}

// announce plays prompts to the whole conference through the mixer, in
// the background, one announcement after another.
func (c *Conference) announce(names ...string) { c.announceThen(nil, names...) }

// announceThen is announce calling done (when not nil) once the prompts
// were played or skipped.
func (c *Conference) announceThen(done func(), names ...string) {
	c.m.wg.Add(1)
	go func() {
		defer c.m.wg.Done()
		if done != nil {
			defer done()
		}
		c.annMu.Lock()
		defer c.annMu.Unlock()
		for _, name := range names {
			c.playToAll(name)
		}
	}()
}

func (c *Conference) playToAll(name string) {
	rate := c.mix.Rate()
	slin := media.SLin
	if rate >= 16000 {
		slin = media.SLin16
	}
	path, ff, err := c.m.finder.Find(name, c.bp.Language, pbx.CostTo(slin))
	if err != nil {
		c.m.log.Warning("File %s does not exist in any format\n", name)
		return
	}
	r, err := openSound(path, ff)
	if err != nil {
		return
	}
	frames, _ := fileFrames(r)
	r.Close()
	p := c.mix.Join(mixer.ParticipantOptions{TalkingThreshold: 1, SilenceThreshold: time.Hour})
	defer p.Leave()
	t := time.NewTicker(c.mix.Interval())
	defer t.Stop()
	for _, fr := range frames {
		c.mu.Lock()
		ended := c.ended
		c.mu.Unlock()
		if ended {
			return
		}
		_ = p.Write(fr)
		<-t.C
	}
}

// startRecord starts recording the conference (record_conference or
// "confbridge record start"); file overrides record_file.
func (c *Conference) startRecord(file string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec != nil {
		return fmt.Errorf("conference %s is already being recorded", c.name)
	}
	name := c.recFileName(file)
	path, ff := mixmonitor.Resolve(c.m.opts.SpoolDir, name)
	f, err := mixmonitor.Create(path, ff, strings.Contains(c.bp.RecordOptions, "a"))
	if err != nil {
		c.m.logError("Cannot open %s for recording conference %s: %v\n", path, c.name, err)
		return err
	}
	c.rec, c.recName, c.recCmd = f, path, c.bp.RecordCmd
	c.recPart = c.mix.Join(mixer.ParticipantOptions{Format: media.SLin, Deliver: f.Write})
	c.m.log.Verbose(2, "Conference '%s' recording to %s\n", c.name, path)
	c.publishRecord("ConfbridgeRecord", len(c.active)+len(c.waiting))
	return nil
}

// recFileName is set_rec_filename: the profile's record_file with the
// time inserted before the extension (record_file_timestamp), or
// confbridge-<name>-<time>.wav.
func (c *Conference) recFileName(file string) string {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	rf := file
	if rf == "" {
		rf = c.bp.RecordFile
	}
	switch {
	case rf == "":
		return "confbridge-" + c.name + "-" + now + ".wav"
	case c.bp.RecordTimestamp && file == "":
		if ext := filepath.Ext(rf); ext != "" {
			return strings.TrimSuffix(rf, ext) + "-" + now + ext
		}
		return rf + "-" + now
	}
	return rf
}

// stopRecord ends the recording and runs record_command.
func (c *Conference) stopRecord() bool {
	c.mu.Lock()
	f, p, cmd := c.rec, c.recPart, c.recCmd
	c.rec, c.recPart = nil, nil
	c.mu.Unlock()
	if f == nil {
		return false
	}
	p.Leave()
	if err := f.Close(); err != nil {
		c.m.logError("Recording of conference %s failed: %v\n", c.name, err)
		return true
	}
	n, _, _, _ := c.Counts()
	c.publishRecord("ConfbridgeStopRecord", n)
	if cmd != "" {
		c.m.wg.Add(1)
		go func() {
			defer c.m.wg.Done()
			<-mixmonitor.RunCommand(c.m.log, cmd)
		}()
	}
	return true
}

// Recording reports whether the conference is being recorded.
func (c *Conference) Recording() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rec != nil
}

func (m *Module) logError(format string, args ...any) {
	if e, ok := m.log.(interface{ Error(string, ...any) }); ok {
		e.Error(format, args...)
		return
	}
	m.log.Warning(format, args...)
}
