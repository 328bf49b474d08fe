package confbridge

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// maxConfName is Asterisk's MAX_CONF_NAME (names are shorter).
const maxConfName = 128

// pinAttempts is how many PIN entries a caller gets (conf_get_pin).
const pinAttempts = 3

var openSound = sound.Open

func atoiDefault(s string, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

// Attach gives the module the engine whose bus its events go to, without
// registering anything (MeetMe's conferences).
func (m *Module) Attach(eng *pbx.Engine) { m.eng.Store(eng) }

// Register adds ConfBridge, ConfKick and the CONFBRIDGE functions to eng.
func (m *Module) Register(eng *pbx.Engine) error {
	m.eng.Store(eng)
	apps := []*pbx.App{
		{
			Name:     "ConfBridge",
			Synopsis: "Conference bridge application.",
			Syntax:   "ConfBridge(conference[,bridge_profile[,user_profile[,menu]]])",
			Description: "Enters the user into a specified conference bridge. The user can exit the conference by hangup or DTMF menu option.\n" +
				"This application sets the following channel variable upon completion:\n" +
				"CONFBRIDGE_RESULT: The result of the bridge attempt as a text string.\n" +
				"    FAILED\n    HANGUP\n    KICKED\n    ENDMARKED\n    DTMF\n    TIMEOUT",
			Arguments: "conference\nbridge_profile\nuser_profile\nmenu",
			Exec:      m.exec,
		},
		{
			Name:      "ConfKick",
			Synopsis:  "Kicks channel(s) from the requested ConfBridge.",
			Syntax:    "ConfKick(conference[,channel])",
			Arguments: "conference\nchannel",
			Exec:      m.kickExec,
		},
	}
	return eng.RegisterModule("app_confbridge", apps, m.functions())
}

// exec is ConfBridge().
func (m *Module) exec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	for len(args) < 4 {
		args = append(args, "")
	}
	name := strings.TrimSpace(args[0])
	fail := func(format string, a ...any) (pbx.Result, error) {
		ch.SetVar("CONFBRIDGE_RESULT", "FAILED")
		if format != "" {
			m.log.Warning(format, a...)
		}
		return pbx.HangupResult, nil
	}
	if name == "" {
		return fail("ConfBridge requires an argument (conference name[,options])\n")
	}
	if len(name) >= maxConfName {
		return fail("ConfBridge does not accept conference names longer than %d\n", maxConfName-1)
	}
	bp := m.bridgeProfile(ch, args[1])
	if bp == nil {
		return fail("Conference bridge profile %s does not exist\n", orDefault(args[1], DefaultBridgeProfile))
	}
	up := m.userProfile(ch, args[2])
	if up == nil {
		return fail("Conference user profile %s does not exist\n", orDefault(args[2], DefaultUserProfile))
	}
	if ch.State() != pbx.StateUp && up.AnswerChannel {
		if err := ch.Answer(); err != nil {
			return fail("")
		}
	}
	if up.PIN != "" && !m.getPIN(ch, bp, up) {
		return fail("")
	}
	menu, menuName := m.menuFor(ch, args[3])
	if menu == nil {
		return fail("Conference menu profile %s does not exist\n", orDefault(args[3], DefaultMenu))
	}

	return m.Enter(ch, name, bp, up, menu, menuName), nil
}

// Enter puts ch into conference conf (created with bp when it does not
// exist) as a user of profile up with menu, plays the prompts, runs the
// user until it leaves and sets CONFBRIDGE_RESULT. ConfBridge calls it
// after the profiles and the PIN; MeetMe's mapping calls it with profiles
// built from its options. A locked or full conference turns the caller
// away. The result is what the application returns.
func (m *Module) Enter(ch *pbx.Channel, conf string, bp *BridgeProfile, up *UserProfile, menu *Menu, menuName string) pbx.Result {
	fail := func() pbx.Result {
		ch.SetVar("CONFBRIDGE_RESULT", "FAILED")
		return pbx.HangupResult
	}
	// announce_join_leave: the name is recorded before the caller joins.
	var name string
	if up.AnnounceJoinLeave {
		var ok bool
		if name, ok = m.recordName(ch, conf, up.JoinReview); !ok {
			return fail()
		}
	}
	u := &User{ch: ch, up: up, menu: menu, menuName: menuName, wake: make(chan time.Time, 1)}
	u.muted.Store(up.StartMuted)
	m.mu.Lock()
	c := m.conference(conf, bp)
	u.conf = c
	ok := c.add(u)
	m.mu.Unlock()
	if !ok {
		_, _ = m.play(ch, c.bp.Sound("sound_locked"), "")
		// A conference created for this caller alone ends with it.
		m.endIfEmpty(c)
		removeName(name)
		return fail()
	}
	if c.isMutedByAdmin() && !up.Admin {
		u.muted.Store(true)
	}
	// The channel is bridged as far as CHANNEL(bridgeid) and MixMonitor's
	// b option can tell.
	ch.SetBridged(nil, c.id)
	defer ch.SetBridged(nil, "")
	m.log.Verbose(3, "Channel %s joined 'softmix' base-bridge <%s>\n", ch.Name(), c.id)
	c.publish("ConfbridgeJoin", u, nil)

	// The joiner's own prompts, before it hears the others.
	if !up.Quiet {
		switch {
		case u.Waiting():
			_ = u.prompt(c.bp.Sound("sound_wait_for_leader"))
		case c.alone(u) && up.AnnounceOnlyUser:
			_ = u.prompt(c.bp.Sound("sound_only_person"))
		case up.AnnounceUserCount:
			_ = u.prompt(u.countPrompt())
		}
		if up.AnnounceUserCountAll > 0 && c.activeCount() > up.AnnounceUserCountAll {
			c.announce(append(append([]string{c.bp.Sound("sound_there_are")}, NumberFiles(c.activeCount()-1)...),
				c.bp.Sound("sound_other_in_party"))...)
		}
		c.announce(c.bp.Sound("sound_join"))
	}
	if name != "" {
		c.announce(name, c.bp.Sound("sound_has_joined"))
	}
	if up.Announcement != "" {
		_ = u.prompt(up.Announcement)
	}

	var timeout *time.Timer
	if up.Timeout > 0 {
		timeout = time.AfterFunc(up.Timeout, func() { u.kick("TIMEOUT") })
	}
	result := u.run()
	if timeout != nil {
		timeout.Stop()
	}
	c.leaveMu.Lock()
	empty := c.remove(u)
	m.log.Verbose(3, "Channel %s left 'softmix' base-bridge <%s>\n", ch.Name(), c.id)
	c.publish("ConfbridgeLeave", u, nil)
	c.leaveMu.Unlock()
	if empty {
		m.endIfEmpty(c)
	}
	if !up.Quiet {
		c.announce(c.bp.Sound("sound_leave"))
	}
	if name != "" {
		// The others hear who left; the file goes once it was played.
		c.announceThen(func() { removeName(name) }, name, c.bp.Sound("sound_has_left"))
	}
	hungUp := ch.HangupRequested()
	if hungUp && result != "KICKED" && result != "ENDMARKED" {
		result = "HANGUP"
	}
	if result == "KICKED" && !up.Quiet && !hungUp {
		_, _ = m.play(ch, c.bp.Sound("sound_kicked"), "")
	}
	if result != "" {
		ch.SetVar("CONFBRIDGE_RESULT", result)
	}
	if hungUp || result == "KICKED" {
		// Asterisk's ConfBridge returns -1 for a kicked user too.
		return pbx.HangupResult
	}
	return pbx.Continue
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// getPIN asks for the user profile's PIN, three times at most, with
// Asterisk's prompts.
func (m *Module) getPIN(ch *pbx.Channel, bp *BridgeProfile, up *UserProfile) bool {
	for i := 0; i < pinAttempts; i++ {
		got, err := m.readDigits(ch, bp.Sound("sound_get_pin"), 80, 5*time.Second)
		if err != nil {
			return false
		}
		if strings.EqualFold(got, up.PIN) {
			return true
		}
		if _, err := m.play(ch, bp.Sound("sound_invalid_pin"), ""); err != nil {
			return false
		}
	}
	return false
}

// kickExec is ConfKick(conference[,channel]): the channel, "all" or
// "participants"; without a channel, everyone.
func (m *Module) kickExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	if strings.TrimSpace(args[0]) == "" {
		m.log.Warning("No conference bridge specified.\n")
		ch.SetVar("CONFKICKSTATUS", "FAILURE")
		return pbx.Continue, nil
	}
	who := "all"
	if len(args) > 1 && strings.TrimSpace(args[1]) != "" {
		who = strings.TrimSpace(args[1])
	}
	c := m.Find(args[0])
	if c == nil || !c.Kick(who) {
		ch.SetVar("CONFKICKSTATUS", "FAILURE")
		return pbx.Continue, nil
	}
	ch.SetVar("CONFKICKSTATUS", "SUCCESS")
	return pbx.Continue, nil
}
