package confbridge

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds app_confbridge's manager actions with its privileges
// and answers. ConfbridgeSetSingleVideoSrc is left out: gostrisk mixes
// no video, so a client gets the manager's "Invalid/unknown command".
func (m *Module) RegisterAMI(reg Registrar) error {
	for _, a := range []manager.Action{
		{Name: "ConfbridgeList", Synopsis: "List participants in a conference.", Perm: manager.PermReporting, Handler: m.amiList},
		{Name: "ConfbridgeListRooms", Synopsis: "List active conferences.", Perm: manager.PermReporting, Handler: m.amiRooms},
		{Name: "ConfbridgeMute", Synopsis: "Mute a Confbridge user.", Perm: manager.PermCall, Handler: m.amiMute(true)},
		{Name: "ConfbridgeUnmute", Synopsis: "Unmute a Confbridge user.", Perm: manager.PermCall, Handler: m.amiMute(false)},
		{Name: "ConfbridgeKick", Synopsis: "Kick a Confbridge user.", Perm: manager.PermCall, Handler: m.amiKick},
		{Name: "ConfbridgeLock", Synopsis: "Lock a Confbridge conference.", Perm: manager.PermCall, Handler: m.amiLock(true)},
		{Name: "ConfbridgeUnlock", Synopsis: "Unlock a Confbridge conference.", Perm: manager.PermCall, Handler: m.amiLock(false)},
		{Name: "ConfbridgeStartRecord", Synopsis: "Start recording a Confbridge conference.", Perm: manager.PermCall, Handler: m.amiStartRecord},
		{Name: "ConfbridgeStopRecord", Synopsis: "Stop recording a Confbridge conference.", Perm: manager.PermCall, Handler: m.amiStopRecord},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("app_confbridge: %w", err)
		}
	}
	return nil
}

// amiConference does the checks every action starts with, in
// app_confbridge's order, answering the error itself; nil when one
// failed.
func (m *Module) amiConference(r *manager.Request) *Conference {
	name := r.Get("Conference")
	if name == "" {
		r.Error("No Conference name provided.")
		return nil
	}
	if len(m.Conferences()) == 0 {
		r.Error("No active conferences.")
		return nil
	}
	c := m.Find(name)
	if c == nil {
		r.Error("No Conference by that name found.")
	}
	return c
}

func (m *Module) amiList(r *manager.Request) error {
	c := m.amiConference(r)
	if c == nil {
		return nil
	}
	r.ListStart("Confbridge user list will follow")
	users := c.Users()
	for _, u := range users {
		up := u.Profile()
		var answered int64
		if at := u.Channel().AnsweredAt(); !at.IsZero() {
			answered = int64(time.Since(at) / time.Second)
		}
		fields := []manager.Header{
			{Key: "Conference", Value: c.Name()},
			{Key: "Admin", Value: yesNo(up.Admin)},
			{Key: "MarkedUser", Value: yesNo(up.Marked)},
			{Key: "WaitMarked", Value: yesNo(up.WaitMarked)},
			{Key: "EndMarked", Value: yesNo(up.EndMarked)},
			{Key: "Waiting", Value: yesNo(u.Waiting())},
			{Key: "Muted", Value: yesNo(u.Muted())},
			{Key: "Talking", Value: yesNo(u.Talking())},
			{Key: "AnsweredTime", Value: strconv.FormatInt(answered, 10)},
		}
		r.ListItem("ConfbridgeList", append(fields, r.ChannelHeaders(u.Channel())...)...)
	}
	r.ListComplete("ConfbridgeListComplete", len(users))
	return nil
}

func (m *Module) amiRooms(r *manager.Request) error {
	confs := m.Conferences()
	if len(confs) == 0 {
		r.Error("No active conferences.")
		return nil
	}
	r.ListStart("Confbridge conferences will follow")
	for _, c := range confs {
		users, marked, locked, muted := c.Counts()
		r.ListItem("ConfbridgeListRooms",
			manager.Header{Key: "Conference", Value: c.Name()},
			manager.Header{Key: "Parties", Value: strconv.Itoa(users)},
			manager.Header{Key: "Marked", Value: strconv.Itoa(marked)},
			manager.Header{Key: "Locked", Value: yesNo(locked)},
			manager.Header{Key: "Muted", Value: yesNo(muted)})
	}
	r.ListComplete("ConfbridgeListRoomsComplete", len(confs))
	return nil
}

func (m *Module) amiMute(on bool) func(*manager.Request) error {
	return func(r *manager.Request) error {
		if r.Get("Conference") == "" {
			r.Error("No Conference name provided.")
			return nil
		}
		who := r.Get("Channel")
		if who == "" {
			r.Error("No channel name provided.")
			return nil
		}
		c := m.amiConference(r)
		if c == nil {
			return nil
		}
		if !c.Mute(who, on) {
			r.Error("No Channel by that name found in Conference.")
			return nil
		}
		if on {
			r.Success("User muted")
		} else {
			r.Success("User unmuted")
		}
		return nil
	}
}

func (m *Module) amiKick(r *manager.Request) error {
	c := m.amiConference(r)
	if c == nil {
		return nil
	}
	who := r.Get("Channel")
	if who == "" || !c.Kick(who) {
		r.Error("No Channel by that name found in Conference.")
		return nil
	}
	if who == "all" {
		r.Success("All participants kicked")
	} else {
		r.Success("User kicked")
	}
	return nil
}

func (m *Module) amiLock(on bool) func(*manager.Request) error {
	return func(r *manager.Request) error {
		c := m.amiConference(r)
		if c == nil {
			return nil
		}
		c.SetLocked(on)
		if on {
			r.Success("Conference locked")
		} else {
			r.Success("Conference unlocked")
		}
		return nil
	}
}

func (m *Module) amiStartRecord(r *manager.Request) error {
	c := m.amiConference(r)
	if c == nil {
		return nil
	}
	if c.Recording() {
		r.Error("Conference is already being recorded.")
		return nil
	}
	if err := c.startRecord(strings.TrimSpace(r.Get("RecordFile"))); err != nil {
		r.Error("Internal error starting conference recording.")
		return nil
	}
	r.Success("Conference Recording Started.")
	return nil
}

func (m *Module) amiStopRecord(r *manager.Request) error {
	c := m.amiConference(r)
	if c == nil {
		return nil
	}
	if !c.stopRecord() {
		r.Error("Internal error while stopping recording.")
		return nil
	}
	r.Success("Conference Recording Stopped.")
	return nil
}
