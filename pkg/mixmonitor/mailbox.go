package mixmonitor

import (
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// toMailboxes leaves the mixed recording in each mailbox of the m option
// as a new voicemail (app_mixmonitor's copy_to_voicemail), through the
// engine's voicemail module. A recording without a mixed file (r/t
// only) has nothing to leave.
func (r *recording) toMailboxes() {
	m := r.m
	if r.mixed == nil {
		m.logError("No file extension set for Mixmonitor %s. Skipping copy to voicemail.\n", r.ch.Name())
		return
	}
	m.log.Verbose(3, "Copying recordings for Mixmonitor %s to voicemail recipients\n", r.ch.Name())
	cid := r.ch.Connected()
	if r.spec.realCID || (cid.Num == "" && cid.Name == "") {
		cid = r.ch.CallerID()
	}
	_, ff := Resolve(m.opts.SpoolDir, r.spec.mixed)
	secs := 0
	if r.rate > 0 {
		secs = int((r.ts + uint32(r.rate)/2) / uint32(r.rate))
	}
	for _, box := range r.spec.mailboxes {
		err := r.ch.Engine().DepositRecording(pbx.RecordingForMailbox{
			Mailbox: box, File: r.mixed.Path(), Format: ff.Name, Channel: r.ch, CallerID: cid, Duration: secs,
		})
		if err != nil {
			m.logError("Failed to copy recording for Mixmonitor %s to %s: %v\n", r.ch.Name(), box, err)
			continue
		}
		m.log.Verbose(3, "Copied recording for Mixmonitor %s to mailbox %s\n", r.ch.Name(), box)
	}
}
