package moh

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds MusicOnHold, StartMusicOnHold and StopMusicOnHold to eng.
func (m *Module) Register(eng *pbx.Engine) error {
	return eng.RegisterModule("res_musiconhold", m.apps(), nil)
}

func (m *Module) apps() []*pbx.App {
	return []*pbx.App{
		{
			Name:     "MusicOnHold",
			Synopsis: "Play Music On Hold indefinitely.",
			Syntax:   "MusicOnHold(class[,duration])",
			Description: "Plays hold music specified by class. If omitted, the default music source for the channel will be used. " +
				"Change the default class with Set(CHANNEL(musicclass)=...). If duration is given, hold music will be played " +
				"specified number of seconds. If duration is omitted, music plays indefinitely. Returns 0 when done, -1 on hangup.\n\n" +
				"This application does not automatically answer and should be preceeded by an application such as Answer() or Progress().",
			Arguments: "class\nduration",
			Exec:      m.musicOnHoldExec,
		},
		{
			Name:     "StartMusicOnHold",
			Synopsis: "Play Music On Hold.",
			Syntax:   "StartMusicOnHold(class)",
			Description: "Starts playing music on hold, uses default music class for channel. Starts playing music specified by class. " +
				"If omitted, the default music source for the channel will be used. Always returns 0.",
			Arguments: "class",
			Exec:      m.startMusicOnHoldExec,
		},
		{
			Name:        "StopMusicOnHold",
			Synopsis:    "Stop playing Music On Hold.",
			Syntax:      "StopMusicOnHold()",
			Description: "Stops playing music on hold.",
			Exec:        m.stopMusicOnHoldExec,
		},
	}
}

// nullable prints an absent class as Asterisk's printf of a NULL does.
func nullable(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

// startOn starts class on ch unless the channel already hears that class
// (Asterisk leaves the music running then). It reports whether music
// plays.
func (m *Module) startOn(ch *pbx.Channel, class string) bool {
	c := m.resolve(ch, class, "")
	if c == nil {
		return false
	}
	if m.Playing(ch) == c && ch.GeneratorActive() {
		return true
	}
	ch.StopGenerator()
	m.log.Verbose(3, "Started music on hold, class '%s', on channel '%s'\n", c.Name, ch.Name())
	ch.StartGenerator(&generator{m: m, class: c})
	return true
}

// stopOn stops what plays on ch, as ast_moh_stop deactivates the
// channel's generator whatever it is.
func (m *Module) stopOn(ch *pbx.Channel) { ch.StopGenerator() }

// leadingInt parses what sscanf("%d") would: optional sign and digits
// after leading blanks, ignoring what follows.
func leadingInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	start := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == start {
		return 0, false
	}
	n, err := strconv.Atoi(s[:end])
	return n, err == nil
}

func (m *Module) musicOnHoldExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	class := strings.TrimSpace(args[0])
	timeout := time.Duration(0)
	if len(args) > 1 && strings.TrimSpace(args[1]) != "" {
		if n, ok := leadingInt(args[1]); ok {
			timeout = time.Duration(n) * time.Second
		} else {
			m.log.Warning("Invalid MusicOnHold duration '%s'. Will wait indefinitely.\n", args[1])
		}
	}
	if !m.startOn(ch, class) {
		m.log.Warning("Unable to start music on hold class '%s' on channel %s\n", nullable(class), ch.Name())
		return pbx.Continue, nil
	}
	defer m.stopOn(ch)
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		fr, err := ch.ReadUntil(deadline)
		switch {
		case err == nil:
			if fr.Kind == media.DTMFEnd {
				m.digit(ch, fr.Digit)
			}
			continue
		case errors.Is(err, pbx.ErrTimeout):
			return pbx.Continue, nil
		case errors.Is(err, pbx.ErrHangup):
			return pbx.HangupResult, nil
		case errors.Is(err, pbx.ErrInterrupted):
			return pbx.Continue, nil
		}
		// No media to read (a driver that only relays): wait out the
		// duration while the generator plays.
		select {
		case <-ch.Done():
			return pbx.HangupResult, nil
		case <-ch.Interrupted():
			return pbx.Continue, nil
		case <-deadline:
			return pbx.Continue, nil
		}
	}
}

// digit switches the music to the class whose digit= was pressed, as
// Asterisk's generator digit handler does, and makes it the channel's
// class.
func (m *Module) digit(ch *pbx.Channel, d rune) {
	c := m.cfg.Load().byDigit(d)
	if c == nil {
		return
	}
	ch.SetMusicClass(c.Name)
	m.stopOn(ch)
	m.startOn(ch, c.Name)
}

func (m *Module) startMusicOnHoldExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	class := strings.TrimSpace(pbx.SplitArgs(data, ',')[0])
	if !m.startOn(ch, class) {
		m.log.Warning("Unable to start music on hold class '%s' on channel %s\n", nullable(class), ch.Name())
	}
	return pbx.Continue, nil
}

func (m *Module) stopMusicOnHoldExec(ch *pbx.Channel, _ string) (pbx.Result, error) {
	m.stopOn(ch)
	return pbx.Continue, nil
}
