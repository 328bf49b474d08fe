package manager

import "strings"

// SIP is what the chan_sip actions read from the SIP driver; the core
// adapts the driver to it, so the manager never reaches into chan_sip.
type SIP interface {
	// Peers are the bodies of SIPpeers' PeerEntry events.
	Peers() [][]Header
	// Peer is SIPshowpeer's body; ok false for an unknown peer.
	Peer(name string) (fields []Header, ok bool)
	// Registry are the bodies of SIPshowregistry's RegistryEntry events.
	Registry() [][]Header
	// Qualify asks for an OPTIONS to the peer now; false when unknown.
	Qualify(name string) bool
}

// SIPNotifier is a SIP that can send SIPnotify's NOTIFY: to target (a
// peer or host, "SIP/" prefix allowed) with the headers and Content
// lines of vars; an error means no address for target.
type SIPNotifier interface {
	Notify(target string, vars []Header) error
}

// SIPDialogNotifier is a SIPNotifier that can also send SIPnotify's
// NOTIFY inside the existing dialog with a Call-ID; an error means no
// dialog has it.
type SIPDialogNotifier interface {
	NotifyDialog(callID string, vars []Header) error
}

// RegisterSIP adds chan_sip's actions (SIPpeers, SIPshowpeer,
// SIPshowregistry, SIPqualifypeer) answered from sip.
func (m *Module) RegisterSIP(sip SIP) error {
	if n, ok := sip.(SIPNotifier); ok {
		if err := m.RegisterAction(Action{Name: "SIPnotify", Synopsis: "Send a SIP notify.", Perm: PermSystem,
			Handler: func(r *Request) error { return actSIPnotify(r, n) }}); err != nil {
			return err
		}
	}
	for _, a := range []Action{
		{Name: "SIPpeers", Synopsis: "List SIP peers (text format).", Perm: PermSystem | PermReporting,
			Handler: func(r *Request) error {
				peers := sip.Peers()
				r.ListStart("Peer status list will follow")
				for _, p := range peers {
					r.ListItem("PeerEntry", p...)
				}
				r.ListComplete("PeerlistComplete", len(peers))
				return nil
			}},
		{Name: "SIPshowpeer", Synopsis: "show SIP peer (text format).", Perm: PermSystem | PermReporting,
			Handler: func(r *Request) error {
				name := r.Get("Peer")
				if name == "" {
					r.Error("Peer: <name> missing.")
					return nil
				}
				f, ok := sip.Peer(name)
				if !ok {
					r.Error("Peer " + name + " not found.")
					return nil
				}
				r.Success("", f...)
				return nil
			}},
		{Name: "SIPshowregistry", Synopsis: "Show SIP registrations (text format).", Perm: PermSystem | PermReporting,
			Handler: func(r *Request) error {
				regs := sip.Registry()
				r.ListStart("Registrations will follow")
				for _, e := range regs {
					r.ListItem("RegistryEntry", e...)
				}
				r.ListComplete("RegistrationsComplete", len(regs))
				return nil
			}},
		{Name: "SIPqualifypeer", Synopsis: "Qualify SIP peers.", Perm: PermSystem | PermReporting,
			Handler: func(r *Request) error {
				name := r.Get("Peer")
				if name == "" {
					r.Error("Peer: <name> missing.")
					return nil
				}
				if !sip.Qualify(name) {
					r.Error("Peer " + name + " not found.")
					return nil
				}
				r.Success("")
				return nil
			}},
	} {
		if err := m.RegisterAction(a); err != nil {
			return err
		}
	}
	return nil
}

// actSIPnotify sends the NOTIFY SIPnotify describes: Channel is the
// target, each Variable line one or more name=value pairs (comma
// separated) in order; with Call-ID the NOTIFY goes inside that dialog.
func actSIPnotify(r *Request, n SIPNotifier) error {
	target := r.Get("Channel")
	if target == "" {
		r.Error("SIPNotify requires a channel name")
		return nil
	}
	var vars []Header
	for _, line := range r.All("Variable") {
		for _, kv := range strings.Split(line, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if k = strings.TrimSpace(k); ok && k != "" {
				vars = append(vars, Header{Key: k, Value: v})
			}
		}
	}
	if callID := r.Get("Call-ID"); callID != "" {
		// chan_sip looks the dialog up by Call-ID alone; Channel is
		// required all the same.
		dn, ok := n.(SIPDialogNotifier)
		if !ok || dn.NotifyDialog(callID, vars) != nil {
			r.Error("Call-ID not found")
			return nil
		}
		r.Success("Notify Sent")
		return nil
	}
	if err := n.Notify(target, vars); err != nil {
		r.Error("Could not create address")
		return nil
	}
	r.Success("Notify Sent")
	return nil
}
