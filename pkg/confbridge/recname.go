package confbridge

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The name recording of announce_join_leave, as app_confbridge's
// conf_rec_name: the prompt vm-rec-name, a beep, at most ten seconds of
// signed linear ended by '#', kept in astspooldir/confbridge under a
// name of the conference and the channel's unique id, and removed when
// the user has left.
const (
	namePrompt   = "vm-rec-name"
	nameMax      = 10 * time.Second
	nameExt      = "sln"
	reviewPrompt = "vm-review"
	// reviewTries is how many times the review menu is offered without an
	// answer before the recording is taken as it is.
	reviewTries = 3
)

// namePath is where the user's name is recorded, without extension; a
// '/' in the conference's name cannot lead the file elsewhere.
func (m *Module) namePath(conf string, ch *pbx.Channel) string {
	conf = strings.ReplaceAll(conf, "/", "-")
	return filepath.Join(m.opts.SpoolDir, "confbridge", "confbridge-name-"+conf+"-"+ch.UniqueID())
}

// recordName records the user's name for announce_join_leave and returns
// the recording's path without extension; ok is false when the caller
// hung up or nothing could be recorded (ConfBridge then fails, as
// Asterisk's does). With review (announce_join_leave_review) the caller
// may listen to it (2), record it again (3) or accept it (1).
func (m *Module) recordName(ch *pbx.Channel, conf string, review bool) (string, bool) {
	base := m.namePath(conf, ch)
	for {
		if !m.recordNameOnce(ch, base) {
			removeName(base)
			return "", false
		}
		if !review {
			return base, true
		}
		again, ok := m.reviewName(ch, base)
		if !ok {
			removeName(base)
			return "", false
		}
		if !again {
			return base, true
		}
	}
}

// recordNameOnce plays the prompt and the beep and records.
func (m *Module) recordNameOnce(ch *pbx.Channel, base string) bool {
	if _, err := m.play(ch, namePrompt, ""); err != nil {
		return false
	}
	if _, err := m.play(ch, "beep", ""); err != nil {
		return false
	}
	status, hungUp, _ := apps.RecordFile(ch, base+"."+nameExt, nameExt,
		apps.RecordOptions{MaxDuration: nameMax, Terminator: '#'})
	return !hungUp && status != "ERROR"
}

// reviewName is ast_record_review's menu after a recording: again is
// true to record once more.
func (m *Module) reviewName(ch *pbx.Channel, base string) (again, ok bool) {
	for try := 0; try < reviewTries; try++ {
		d, err := m.readDigits(ch, reviewPrompt, 1, 5*time.Second)
		if err != nil {
			return false, false
		}
		switch d {
		case "1":
			return false, true
		case "2":
			if _, err := m.play(ch, base, ""); err != nil {
				return false, false
			}
			try = -1 // a choice made: the menu starts over
		case "3":
			return true, true
		}
	}
	return false, true
}

// removeName deletes a name recording (every extension it may have).
func removeName(base string) {
	if base == "" {
		return
	}
	_ = os.Remove(base + "." + nameExt)
}
