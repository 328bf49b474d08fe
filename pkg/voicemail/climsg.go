package voicemail

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// The message commands of app_voicemail 18: "voicemail show mailbox",
// "voicemail forward", "voicemail move" and "voicemail remove". Messages
// are named by their msg_id, as Asterisk's voicemail API does.

// folderName is the folder as written, matched without case as
// Asterisk's get_folder_by_name; "" when unknown.
func folderName(s string) string {
	for _, f := range Folders {
		if strings.EqualFold(f, s) {
			return f
		}
	}
	return ""
}

// ShowMailbox is "voicemail show mailbox <box> <context>".
func (m *Module) ShowMailbox(box, context string) (string, bool) {
	u := m.Config().Lookup(context, box)
	if u == nil {
		return fmt.Sprintf("Can't find voicemail user %s@%s\n", box, context), false
	}
	var b strings.Builder
	const details = "%-32.32s %-32.32s %-16.16s %-16.16s %-16.16s %-16.16s\n"
	fmt.Fprintf(&b, details, "Full Name", "Email", "Pager", "Language", "Locale", "Time Zone")
	fmt.Fprintf(&b, details, u.FullName, u.Email, u.Pager, u.Language, u.Locale, u.Zone)
	b.WriteString("\n")
	const row = "%-8.8s %-32.32s %-32.32s %-9.9s %-6.6s %-30.30s\n"
	fmt.Fprintf(&b, row, "Folder", "Caller ID", "Date", "Duration", "Flag", "ID")
	total := 0
	for _, f := range Folders {
		msgs, errs := m.spool.List(u.Context, u.Mailbox, f)
		for _, err := range errs {
			m.log.Warning("%v\n", err)
		}
		sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Info.MsgID < msgs[j].Info.MsgID })
		for _, msg := range msgs {
			fmt.Fprintf(&b, row, f, msg.Info.CallerID, msg.Info.OrigDate, fmt.Sprint(msg.Info.Duration), msg.Info.Flag, msg.Info.MsgID)
			total++
		}
	}
	s := "s"
	if total == 1 {
		s = ""
	}
	fmt.Fprintf(&b, "%d Message%s Total\n", total, s)
	return b.String(), true
}

// findByID finds the message with msg_id id in a folder of u.
func (m *Module) findByID(u *User, folder, id string) *Message {
	msgs, _ := m.spool.List(u.Context, u.Mailbox, folder)
	for _, msg := range msgs {
		if msg.Info.MsgID == id {
			return msg
		}
	}
	return nil
}

// MoveMessage moves message id of box@context from one folder to another
// (vm_msg_move) and announces the new counts.
func (m *Module) MoveMessage(box, context, from, id, to string) error {
	u := m.Config().Lookup(context, box)
	from, to = folderName(from), folderName(to)
	if u == nil || from == "" || to == "" {
		return fmt.Errorf("no such mailbox or folder")
	}
	msg := m.findByID(u, from, id)
	if msg == nil {
		return fmt.Errorf("no message %s", id)
	}
	if _, _, err := m.spool.CopyTo(msg.Base, u.Context, u.Mailbox, to, 0); err != nil {
		return err
	}
	Remove(msg.Base)
	m.spool.Resequence(m.spool.FolderDir(u.Context, u.Mailbox, from))
	m.changed(u)
	return nil
}

// RemoveMessage deletes message id from a folder (vm_msg_remove).
func (m *Module) RemoveMessage(box, context, folder, id string) error {
	u := m.Config().Lookup(context, box)
	folder = folderName(folder)
	if u == nil || folder == "" {
		return fmt.Errorf("no such mailbox or folder")
	}
	msg := m.findByID(u, folder, id)
	if msg == nil {
		return fmt.Errorf("no message %s", id)
	}
	Remove(msg.Base)
	m.spool.Resequence(m.spool.FolderDir(u.Context, u.Mailbox, folder))
	m.changed(u)
	return nil
}

// ForwardMessage copies message id to another mailbox's folder
// (vm_msg_forward).
func (m *Module) ForwardMessage(box, context, from, id, toBox, toContext, to string) error {
	cfg := m.Config()
	u, tu := cfg.Lookup(context, box), cfg.Lookup(toContext, toBox)
	from, to = folderName(from), folderName(to)
	if u == nil || tu == nil || from == "" || to == "" {
		return fmt.Errorf("no such mailbox or folder")
	}
	msg := m.findByID(u, from, id)
	if msg == nil {
		return fmt.Errorf("no message %s", id)
	}
	if _, _, err := m.spool.CopyTo(msg.Base, tu.Context, tu.Mailbox, to, tu.MaxMsg); err != nil {
		return err
	}
	m.changed(tu)
	return nil
}

// messageCommands are the CLI entries of the message commands, in
// app_voicemail's order.
func (m *Module) messageCommands() []*cli.Command {
	return []*cli.Command{
		{
			Words:   []string{"voicemail", "show", "mailbox"},
			Summary: "Display a mailbox's content details",
			Usage:   "Usage: voicemail show mailbox <mailbox> <context>\n       Show contents of mailbox <mailbox>@<context>\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 5 {
					return cli.ErrShowUsage
				}
				out, _ := m.ShowMailbox(a.Argv[3], a.Argv[4])
				a.Printf("%s", out)
				return nil
			},
		},
		{
			Words:   []string{"voicemail", "forward"},
			Summary: "Forward message to another folder",
			Usage: "Usage: voicemail forward <from_mailbox> <from_context> <from_folder> <messageid> <to_mailbox> <to_context> <to_folder>\n" +
				"       Forward message <messageid> in mailbox <mailbox>@<context> <from_folder>\n" +
				"       to mailbox <mailbox>@<context> <to_folder>\n",
			Handler: func(a *cli.Args) error {
				v := a.Argv
				if len(v) != 9 {
					return cli.ErrShowUsage
				}
				verb := "Forwarded"
				if err := m.ForwardMessage(v[2], v[3], v[4], v[5], v[6], v[7], v[8]); err != nil {
					verb = "Error forwarding"
				}
				a.Printf("%s message %s from mailbox %s@%s %s to mailbox %s@%s %s\n", verb, v[5], v[2], v[3], v[4], v[6], v[7], v[8])
				return nil
			},
		},
		{
			Words:   []string{"voicemail", "move"},
			Summary: "Move message to another folder",
			Usage: "Usage: voicemail move <mailbox> <context> <from_folder> <messageid> <to_folder>\n" +
				"       Move message <messageid> in mailbox <mailbox>&<context> from <from_folder> to <to_folder>\n",
			Handler: func(a *cli.Args) error {
				v := a.Argv
				if len(v) != 7 {
					return cli.ErrShowUsage
				}
				verb := "Moved"
				if err := m.MoveMessage(v[2], v[3], v[4], v[5], v[6]); err != nil {
					verb = "Error moving"
				}
				a.Printf("%s message %s from mailbox %s@%s %s to %s\n", verb, v[5], v[2], v[3], v[4], v[6])
				return nil
			},
		},
		{
			Words:   []string{"voicemail", "remove"},
			Summary: "Remove message",
			Usage: "Usage: voicemail remove <mailbox> <context> <from_folder> <messageid>\n" +
				"       Remove message <messageid> from <from_folder> in mailbox <mailbox>@<context>\n",
			Handler: func(a *cli.Args) error {
				v := a.Argv
				if len(v) != 6 {
					return cli.ErrShowUsage
				}
				verb := "Removed"
				if err := m.RemoveMessage(v[2], v[3], v[4], v[5]); err != nil {
					verb = "Error removing"
				}
				a.Printf("%s message %s from mailbox %s@%s %s\n", verb, v[5], v[2], v[3], v[4])
				return nil
			},
		},
	}
}
