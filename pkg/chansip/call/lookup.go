package call

import "github.com/gostrisk/gostrisk/pkg/pbx"

// HasDialog reports whether a live dialog has this Call-ID: the driver
// answers an in-dialog OPTIONS with 200 only then, as chan_sip does for a
// dialog that has an INVITE.
func (m *Manager) HasDialog(callID string) bool {
	d := m.find(callID)
	return d != nil && !d.isEnded()
}

// ChannelOf is the pbx channel of the live dialog with this Call-ID, nil
// when there is none or it has no channel yet (an in-dialog MESSAGE is
// routed with the call's channel variables).
func (m *Manager) ChannelOf(callID string) *pbx.Channel {
	d := m.find(callID)
	if d == nil || d.isEnded() {
		return nil
	}
	return d.channel()
}
