package core

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// registerFuncs adds pkg/funcs' dialplan functions, handing them the
// astdb, the module list and chan_sip (once it has started) through
// funcs.Deps.
func (d *Daemon) registerFuncs(eng *pbx.Engine) error {
	// Custom: device states survive a restart in the astdb, as
	// func_devstate.c keeps them (/CustomDevstate/<name>).
	for _, en := range d.db.Entries(funcs.CustomDevstateFamily, "") {
		name := en.Key[strings.LastIndexByte(en.Key, '/')+1:]
		st, _ := pbx.ParseDeviceState(en.Value)
		eng.SetCustomDeviceState(name, st)
	}
	return funcs.Register(eng, funcs.Deps{
		DB:           d.db,
		ModuleLoaded: func(name string) bool { return d.snap.Load().Modules.Enabled(name) },
		Version:      AsteriskVersion,
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

// PeerItem answers SIPPEER() from sip.conf and the peer's registration.
func (s sipFuncs) PeerItem(peer, item string) (string, bool, bool) {
	p := s.d.Config().Peer(peer)
	if p == nil {
		return "", false, false
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	switch strings.ToLower(item) {
	case "ip":
		if a, ok := s.d.PeerAddr(peer); ok {
			return a.Addr().String(), true, true
		}
		return "", true, true
	case "port":
		if a, ok := s.d.PeerAddr(peer); ok {
			return strconv.Itoa(int(a.Port())), true, true
		}
		return "0", true, true
	case "context":
		return p.Context, true, true
	case "mailbox":
		return p.Mailbox, true, true
	case "dynamic":
		return yesNo(p.Dynamic), true, true
	case "callerid_name":
		return p.CallerIDName, true, true
	case "callerid_num":
		return p.CallerIDNum, true, true
	case "language":
		return p.Language, true, true
	case "accountcode":
		return p.AccountCode, true, true
	}
	return "", true, false
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
