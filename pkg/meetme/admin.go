package meetme

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// MeetMeAdmin(confno,command[,user]) and MeetMeChannelAdmin(channel,
// command), app_meetme's administration applications, on the rooms this
// module runs. The conference end time (E, realtime rooms) does not
// exist here: E reports FAILED.

func (m *Module) adminApps() []*pbx.App {
	return []*pbx.App{
		{Name: "MeetMeAdmin", Synopsis: "MeetMe conference administration.", Syntax: "MeetMeAdmin(confno,command[,user])",
			Description: "Run admin command for conference.\n" +
				"    e: Eject last user that joined.\n    E: Extend conference end time, if scheduled.\n" +
				"    k: Kick one user out of conference.\n    K: Kick all users out of conference.\n" +
				"    l: Unlock conference.\n    L: Lock conference.\n    m: Unmute one user.\n    M: Mute one user.\n" +
				"    n: Unmute all users in the conference.\n    N: Mute all non-admin users in the conference.\n" +
				"    r: Reset one user's volume settings.\n    R: Reset all users volume settings.\n" +
				"    s: Lower entire conference speaking volume.\n    S: Raise entire conference speaking volume.\n" +
				"    t: Lower one user's talk volume.\n    T: Raise one user's talk volume.\n" +
				"    u: Lower one user's listen volume.\n    U: Raise one user's listen volume.\n" +
				"    v: Lower entire conference listening volume.\n    V: Raise entire conference listening volume.\n" +
				"This application sets the following channel variable upon completion:\n" +
				"    MEETMEADMINSTATUS: The status of the operation: NOPARSE, NOTFOUND, FAILED, OK",
			Arguments: "confno\ncommand\nuser", SeeAlso: "MeetMe", Exec: m.adminExec},
		{Name: "MeetMeChannelAdmin", Synopsis: "MeetMe conference Administration (channel specific).",
			Syntax:      "MeetMeChannelAdmin(channel,command)",
			Description: "Run admin command for a specific channel in any conference.\n    k: Kick the specified user out of the conference he is in.\n    m: Unmute the specified user.\n    M: Mute the specified user.",
			Arguments:   "channel\ncommand", SeeAlso: "MeetMe", Exec: m.channelAdminExec},
	}
}

// userCommands need a user number.
const userCommands = "mMtTuUrk"

func (m *Module) adminExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	status := func(s string) {
		if ch != nil {
			ch.SetVar("MEETMEADMINSTATUS", s)
		}
	}
	if data == "" {
		m.log.Warning("MeetMeAdmin requires an argument!\n")
		status("NOPARSE")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	if len(args) < 2 {
		m.log.Warning("MeetmeAdmin requires a command!\n")
		status("NOPARSE")
		return pbx.HangupResult, nil
	}
	conf := m.cb.Find(args[0])
	if conf == nil || conf.Name() != args[0] {
		m.log.Warning("Conference number '%s' not found!\n", args[0])
		status("NOTFOUND")
		return pbx.Continue, nil
	}
	cmd := byte(0)
	if args[1] != "" {
		cmd = args[1][0]
	}
	var user *confbridge.User
	if len(args) > 2 {
		if user = findUser(conf, args[2]); user == nil {
			m.log.Notice("Specified User not found!\n")
			status("NOTFOUND")
			return pbx.Continue, nil
		}
	} else if cmd != 0 && strings.IndexByte(userCommands, cmd) >= 0 {
		m.log.Notice("No user specified!\n")
		status("NOTFOUND")
		return pbx.Continue, nil
	}
	ok := true
	all := func(f func(u *confbridge.User)) {
		for _, u := range conf.Users() {
			f(u)
		}
	}
	switch cmd {
	case 'L', 'l':
		conf.SetLocked(cmd == 'L')
	case 'K':
		conf.Kick("all")
	case 'e':
		var last *confbridge.User
		for _, u := range conf.Users() {
			if last == nil || u.Number() > last.Number() {
				last = u
			}
		}
		switch {
		case last == nil:
			ok = false
			m.log.Notice("No last user to kick!\n")
		case last.Profile().Admin:
			ok = false
			m.log.Notice("Not kicking last user, is an Admin!\n")
		default:
			conf.Kick(last.Channel().Name())
		}
	case 'M', 'm':
		conf.Mute(user.Channel().Name(), cmd == 'M')
	case 'N':
		conf.Mute("participants", true)
	case 'n':
		conf.Mute("all", false)
	case 'k':
		conf.Kick(user.Channel().Name())
	case 'v', 'V', 's', 'S', 'R':
		action := map[byte]string{'v': "decrease_listening_volume", 'V': "increase_listening_volume",
			's': "decrease_talking_volume", 'S': "increase_talking_volume"}[cmd]
		all(func(u *confbridge.User) {
			if cmd == 'R' {
				u.Volume("reset_listening_volume")
				u.Volume("reset_talking_volume")
				return
			}
			u.Volume(action)
		})
	case 'r':
		user.Volume("reset_listening_volume")
		user.Volume("reset_talking_volume")
	case 'U', 'u', 'T', 't':
		user.Volume(map[byte]string{'U': "increase_listening_volume", 'u': "decrease_listening_volume",
			'T': "increase_talking_volume", 't': "decrease_talking_volume"}[cmd])
	case 'E':
		// Only realtime-scheduled rooms have an end time to extend.
		ok = false
	}
	if ok {
		status("OK")
	} else {
		status("FAILED")
	}
	return pbx.Continue, nil
}

// findUser is app_meetme's find_user: the user with that number.
func findUser(conf *confbridge.Conference, ident string) *confbridge.User {
	n, err := strconv.Atoi(strings.TrimSpace(ident))
	if err != nil {
		return nil
	}
	for _, u := range conf.Users() {
		if u.Number() == n {
			return u
		}
	}
	return nil
}

func (m *Module) channelAdminExec(_ *pbx.Channel, data string) (pbx.Result, error) {
	if data == "" {
		m.log.Warning("MeetMeChannelAdmin requires two arguments!\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	if len(args) < 2 {
		m.log.Warning("MeetMeChannelAdmin requires a command!\n")
		return pbx.HangupResult, nil
	}
	var conf *confbridge.Conference
	var user *confbridge.User
	for _, c := range m.cb.Conferences() {
		for _, u := range c.Users() {
			if u.Channel().Name() == args[0] {
				conf, user = c, u
				break
			}
		}
		if user != nil {
			break
		}
	}
	if user == nil {
		m.log.Notice("Specified user (%s) not found\n", args[0])
		return pbx.Continue, nil
	}
	switch cmd := args[1]; {
	case strings.HasPrefix(cmd, "M"):
		conf.Mute(user.Channel().Name(), true)
	case strings.HasPrefix(cmd, "m"):
		conf.Mute(user.Channel().Name(), false)
	case strings.HasPrefix(cmd, "k"):
		conf.Kick(user.Channel().Name())
	default:
		m.log.Warning("Unknown MeetMeChannelAdmin command '%s'\n", cmd)
	}
	return pbx.Continue, nil
}
