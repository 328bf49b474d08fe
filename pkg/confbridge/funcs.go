package confbridge

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// dynamicKey is the datastore of the profiles CONFBRIDGE() builds on a
// channel (func_confbridge_helper's datastore).
type dynamicKey struct{}

type dynamic struct {
	bridge *BridgeProfile
	user   *UserProfile
	menu   *Menu
}

func (m *Module) dynamicOf(ch *pbx.Channel) *dynamic {
	d, _ := ch.Datastore(dynamicKey{}).(*dynamic)
	return d
}

// bridgeProfile is the profile ConfBridge uses: the one named, else the
// channel's CONFBRIDGE(bridge,...) profile, else default_bridge; nil
// when the named one does not exist.
func (m *Module) bridgeProfile(ch *pbx.Channel, name string) *BridgeProfile {
	name = strings.TrimSpace(name)
	if name == "" {
		if d := m.dynamicOf(ch); d != nil && d.bridge != nil {
			return d.bridge
		}
		name = DefaultBridgeProfile
	}
	return m.Config().Bridges[strings.ToLower(name)]
}

func (m *Module) userProfile(ch *pbx.Channel, name string) *UserProfile {
	name = strings.TrimSpace(name)
	if name == "" {
		if d := m.dynamicOf(ch); d != nil && d.user != nil {
			return d.user
		}
		name = DefaultUserProfile
	}
	return m.Config().Users[strings.ToLower(name)]
}

func (m *Module) menuFor(ch *pbx.Channel, name string) (*Menu, string) {
	name = strings.TrimSpace(name)
	if name == "" {
		if d := m.dynamicOf(ch); d != nil && d.menu != nil {
			return d.menu, d.menu.Name
		}
		name = DefaultMenu
	}
	mn := m.Config().Menus[strings.ToLower(name)]
	if mn == nil {
		return nil, name
	}
	return mn, mn.Name
}

func (m *Module) functions() []pbx.Function {
	return []pbx.Function{
		{
			Name:      "CONFBRIDGE",
			Synopsis:  "Set a custom dynamic bridge, user, or menu profile on a channel for the ConfBridge application using the same options available in confbridge.conf.",
			Syntax:    "CONFBRIDGE(type,option)",
			Arguments: "type\noption",
			Write:     m.writeConfbridge,
		},
		{
			Name:      "CONFBRIDGE_INFO",
			Synopsis:  "Get information about a ConfBridge conference.",
			Syntax:    "CONFBRIDGE_INFO(type,conf)",
			Arguments: "type\nconf",
			Read:      m.readInfo,
		},
		{
			Name:      "CONFBRIDGE_CHANNELS",
			Synopsis:  "Get a list of channels in a ConfBridge conference.",
			Syntax:    "CONFBRIDGE_CHANNELS(type,conf)",
			Arguments: "type\nconf",
			Read:      m.readChannels,
		},
	}
}

// writeConfbridge is CONFBRIDGE(type,option)=value: the channel's own
// profile starts as the default one (or template=) and takes the option;
// CONFBRIDGE(type,clear)= drops it.
func (m *Module) writeConfbridge(ch *pbx.Channel, args, value string) error {
	if ch == nil {
		return errors.New("CONFBRIDGE: no channel")
	}
	a := pbx.SplitArgs(args, ',')
	if len(a) != 2 || strings.TrimSpace(a[1]) == "" {
		return errors.New("CONFBRIDGE: usage CONFBRIDGE(type,option)=value")
	}
	typ, opt := strings.ToLower(strings.TrimSpace(a[0])), strings.TrimSpace(a[1])
	var err error
	ch.UpdateDatastore(dynamicKey{}, func(old any) any {
		d, _ := old.(*dynamic)
		if d == nil {
			d = &dynamic{}
		} else {
			cp := *d
			d = &cp
		}
		cfg := m.Config()
		clear := strings.EqualFold(opt, "clear")
		switch typ {
		case "bridge":
			if clear {
				d.bridge = nil
				break
			}
			if d.bridge == nil || strings.EqualFold(opt, "template") {
				base := cfg.Bridges[DefaultBridgeProfile]
				if strings.EqualFold(opt, "template") {
					if base = cfg.Bridges[strings.ToLower(value)]; base == nil {
						err = fmt.Errorf("CONFBRIDGE: no bridge profile '%s'", value)
						return d
					}
				}
				cp := *base
				cp.Name, cp.Sounds = "", copyMap(base.Sounds)
				d.bridge = &cp
			}
			if !strings.EqualFold(opt, "template") {
				cp := *d.bridge
				cp.Sounds = copyMap(d.bridge.Sounds)
				err = SetBridgeOption(&cp, opt, value)
				d.bridge = &cp
			}
		case "user":
			if clear {
				d.user = nil
				break
			}
			if d.user == nil || strings.EqualFold(opt, "template") {
				base := cfg.Users[DefaultUserProfile]
				if strings.EqualFold(opt, "template") {
					if base = cfg.Users[strings.ToLower(value)]; base == nil {
						err = fmt.Errorf("CONFBRIDGE: no user profile '%s'", value)
						return d
					}
				}
				cp := *base
				cp.Name = ""
				d.user = &cp
			}
			if !strings.EqualFold(opt, "template") {
				cp := *d.user
				err = SetUserOption(&cp, opt, value)
				d.user = &cp
			}
		case "menu":
			if clear {
				d.menu = nil
				break
			}
			mn := &Menu{Name: "dialplan"} // Asterisk names the dynamic menu so
			if d.menu != nil {
				mn.Entries = append(mn.Entries, d.menu.Entries...)
			}
			if strings.EqualFold(opt, "template") {
				t := cfg.Menus[strings.ToLower(value)]
				if t == nil {
					err = fmt.Errorf("CONFBRIDGE: no menu '%s'", value)
					return d
				}
				mn.Entries = append([]MenuEntry(nil), t.Entries...)
			} else {
				e, perr := ParseMenuEntry(opt, value)
				if perr != nil {
					err = perr
					return d
				}
				mn.set(e)
			}
			d.menu = mn
		default:
			err = fmt.Errorf("CONFBRIDGE: type must be bridge, user or menu, not '%s'", a[0])
		}
		return d
	})
	return err
}

// readInfo is CONFBRIDGE_INFO(parties|admins|marked|locked|muted,conf).
func (m *Module) readInfo(_ *pbx.Channel, args string) (string, error) {
	a := pbx.SplitArgs(args, ',')
	if len(a) != 2 || strings.TrimSpace(a[0]) == "" || strings.TrimSpace(a[1]) == "" {
		return "", errors.New("CONFBRIDGE_INFO: usage CONFBRIDGE_INFO(category,confno)")
	}
	typ := strings.ToLower(strings.TrimSpace(a[0]))
	c := m.Find(strings.TrimSpace(a[1]))
	if c == nil {
		// Asterisk answers 0 for a conference that does not exist.
		switch typ {
		case "parties", "admins", "marked", "locked", "muted":
			return "0", nil
		}
		return "", fmt.Errorf("CONFBRIDGE_INFO: unknown category '%s'", a[0])
	}
	users := c.Users()
	_, _, locked, muted := c.Counts()
	n := 0
	switch typ {
	case "parties":
		n = len(users)
	case "admins":
		for _, u := range users {
			if u.up.Admin {
				n++
			}
		}
	case "marked":
		for _, u := range users {
			if u.up.Marked {
				n++
			}
		}
	case "locked":
		n = b2i(locked)
	case "muted":
		n = b2i(muted)
	default:
		return "", fmt.Errorf("CONFBRIDGE_INFO: unknown category '%s'", a[0])
	}
	return strconv.Itoa(n), nil
}

// readChannels is CONFBRIDGE_CHANNELS(all|participants|admins|marked|active|waiting,conf).
func (m *Module) readChannels(_ *pbx.Channel, args string) (string, error) {
	a := pbx.SplitArgs(args, ',')
	if len(a) != 2 {
		return "", errors.New("CONFBRIDGE_CHANNELS: usage CONFBRIDGE_CHANNELS(type,conf)")
	}
	c := m.Find(strings.TrimSpace(a[1]))
	if c == nil {
		return "", nil
	}
	var names []string
	for _, u := range c.Users() {
		ok := false
		switch strings.ToLower(strings.TrimSpace(a[0])) {
		case "all":
			ok = true
		case "participants":
			ok = !u.up.Admin
		case "admins":
			ok = u.up.Admin
		case "marked":
			ok = u.up.Marked
		case "active":
			ok = !u.Waiting()
		case "waiting":
			ok = u.Waiting()
		default:
			return "", fmt.Errorf("CONFBRIDGE_CHANNELS: unknown type '%s'", a[0])
		}
		if ok {
			names = append(names, u.ch.Name())
		}
	}
	return strings.Join(names, ","), nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
