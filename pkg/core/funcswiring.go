package core

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// registerFuncs adds pkg/funcs' dialplan functions, handing them the
// astdb, the module list and chan_sip (once it has started) through
// funcs.Deps.
func (d *Daemon) registerFuncs(eng *pbx.Engine) error {
	// `gostrisk check` registers without an astdb (d.db nil): the
	// functions are listed, never called, there.
	var db funcs.DB
	if d.db != nil {
		db = d.db
		// Custom: device states survive a restart in the astdb, as
		// func_devstate.c keeps them (/CustomDevstate/<name>).
		for _, en := range d.db.Entries(funcs.CustomDevstateFamily, "") {
			name := en.Key[strings.LastIndexByte(en.Key, '/')+1:]
			st, _ := pbx.ParseDeviceState(en.Value)
			eng.SetCustomDeviceState(name, st)
		}
	}
	return funcs.Register(eng, funcs.Deps{
		DB: db,
		// What `module show` lists: a module gostrisk has, not noloaded.
		ModuleLoaded: func(name string) bool {
			for _, m := range KnownModules {
				if strings.EqualFold(m.Name, name) {
					return d.snap.Load().Modules.Enabled(m.Name)
				}
			}
			return false
		},
		Version:     AsteriskVersion,
		SoundExists: apps.SoundExists,
		ConfigDir:   d.conf.Directories.EtcDir,
		SIP: func() funcs.SIP {
			if d.sip == nil {
				return nil
			}
			return sipFuncs{d.sip}
		},
	})
}

// sipFuncs adapts chan_sip's driver to funcs.SIP.
type sipFuncs struct{ d *chansip.Driver }

// PeerItem answers SIPPEER() from sip.conf and the peer's registration
// and qualify state, with chan_sip's item names and value shapes.
func (s sipFuncs) PeerItem(peer, item string) (string, bool, bool) {
	p, st, ok := s.d.PeerState(peer)
	if !ok {
		return "", false, false
	}
	addr := st.Addr
	if !addr.IsValid() && !p.Dynamic {
		addr = p.Addr
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	item = strings.ToLower(item)
	switch {
	case strings.HasPrefix(item, "chanvar["):
		name, _, _ := strings.Cut(item[len("chanvar["):], "]")
		v := ""
		for _, sv := range p.SetVars {
			if strings.EqualFold(sv.Name, name) {
				v = sv.Value
			}
		}
		return v, true, true
	case strings.HasPrefix(item, "codec["):
		n, _, _ := strings.Cut(item[len("codec["):], "]")
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 || i >= len(p.Codecs) {
			return "", true, true
		}
		return p.Codecs[i], true, true
	}
	switch item {
	case "ip":
		if !addr.IsValid() {
			return "(null)", true, true // chan_sip prints an unset address so
		}
		return addr.Addr().String(), true, true
	case "port":
		return strconv.Itoa(int(addr.Port())), true, true
	case "status":
		return sipshow.PeerStatus(p, st), true, true
	case "language":
		return p.Language, true, true
	case "regexten":
		return p.RegExten, true, true
	case "limit":
		return strconv.Itoa(p.CallLimit), true, true
	case "busylevel":
		return strconv.Itoa(p.BusyLevel), true, true
	case "curcalls":
		return strconv.Itoa(st.InUse), true, true
	case "maxforwards":
		return strconv.Itoa(p.MaxForwards), true, true
	case "accountcode":
		return p.AccountCode, true, true
	case "callgroup":
		return sipconf.GroupString(p.CallGroup), true, true
	case "pickupgroup":
		return sipconf.GroupString(p.PickupGroup), true, true
	case "namedcallgroup":
		return p.NamedCallGroup, true, true
	case "namedpickupgroup":
		return p.NamedPickupGroup, true, true
	case "useragent":
		return st.UserAgent, true, true
	case "mailbox":
		return p.Mailbox, true, true
	case "context":
		return p.Context, true, true
	case "expire":
		if st.Expires.IsZero() {
			return "-1", true, true
		}
		return strconv.Itoa(int(time.Until(st.Expires) / time.Second)), true, true
	case "dynamic":
		return yesNo(p.Dynamic), true, true
	case "callerid_name":
		return p.CallerIDName, true, true
	case "callerid_num":
		return p.CallerIDNum, true, true
	case "codecs":
		return p.Codecs.String(), true, true
	case "encryption":
		return boolDigit(p.Encryption), true, true
	}
	return "", true, false
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// IsLocalDomain is CHECKSIPDOMAIN: sip.conf's domain= entries.
func (s sipFuncs) IsLocalDomain(domain string) (bool, bool) {
	ds := s.d.Config().General.Domains
	for _, d := range ds {
		name, _, _ := strings.Cut(d, ",")
		if strings.EqualFold(strings.TrimSpace(name), domain) {
			return true, true
		}
	}
	return false, len(ds) > 0
}
