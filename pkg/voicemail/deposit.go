package voicemail

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// DepositRecording implements pbx.RecordingDepositor: a recording made
// elsewhere (MixMonitor's m option) becomes a new INBOX message of the
// mailbox, converted to every format= of voicemail.conf, with its .txt,
// then the e-mail, MWI and externnotify as for a message left by
// VoiceMail (Asterisk's msg_create_from_file).
func (m *Module) DepositRecording(r pbx.RecordingForMailbox) error {
	cfg := m.Config()
	box, vmctx, _ := strings.Cut(r.Mailbox, "@")
	u := cfg.Lookup(vmctx, box)
	if u == nil {
		return fmt.Errorf("voicemail: no mailbox %s", r.Mailbox)
	}
	if err := os.MkdirAll(m.spool.FolderDir(u.Context, u.Mailbox, "tmp"), 0o777); err != nil {
		return fmt.Errorf("voicemail: %s: %w", u.ID(), err)
	}
	tmpBase, cleanup, err := m.tempBase(u)
	if err != nil {
		return fmt.Errorf("voicemail: %s: %w", u.ID(), err)
	}
	defer cleanup()
	for _, f := range m.spool.Formats() {
		if err := convert(r.File, r.Format, tmpBase+"."+DiskExt(f), f); err != nil {
			return fmt.Errorf("voicemail: %s to %s: %w", r.File, u.ID(), err)
		}
	}
	at := time.Now()
	if st, err := os.Stat(r.File); err == nil {
		at = st.ModTime().Add(-time.Duration(r.Duration) * time.Second)
	}
	info := &MessageInfo{OrigMailbox: u.Mailbox, RDNIS: "unknown", CallerID: MergeCallerID(r.CallerID.Name, r.CallerID.Num),
		OrigDate: OrigDate(at), OrigTime: at.Unix(), MsgID: newMsgID(), Duration: r.Duration}
	if ch := r.Channel; ch != nil {
		info.Context, info.Exten, info.Priority = ch.Location()
		info.CallerChan = ch.Name()
	}
	if err := writeFileAtomic(tmpBase+".txt", info.Bytes()); err != nil {
		return fmt.Errorf("voicemail: %s: %w", u.ID(), err)
	}
	base, num, err := m.spool.Deposit(u.Context, u.Mailbox, "INBOX", tmpBase, u.MaxMsg)
	if err != nil {
		return fmt.Errorf("voicemail: %s: %w", u.ID(), err)
	}
	if r.Channel != nil {
		m.notify(r.Channel, cfg, u, base, num, "INBOX", r.CallerID, r.Duration, "", info)
	} else {
		m.changed(u)
	}
	return nil
}
