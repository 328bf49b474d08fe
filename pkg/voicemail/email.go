package voicemail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/strftime"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// Notice is what a new-message mail says: the values app_voicemail puts
// in the VM_* variables of its templates.
type Notice struct {
	User     *User
	MsgNum   int // 1-based, as VM_MSGNUM
	Folder   string
	CIDNum   string
	CIDName  string
	Duration int // seconds
	Flag     string
	Category string
	When     time.Time
	// Attach is the audio's path without extension; Format its format
	// (wav49, gsm, wav); no attachment when Attach is "".
	Attach, Format string
	// Orig is the message's msgNNNN.txt (the ORIG_VM_* variables).
	Orig *MessageInfo
}

// mailEnv answers the VM_* variables and passes functions to fallback.
type mailEnv struct {
	vars     map[string]string
	fallback expr.Env
}

func (e mailEnv) Var(name string) (string, bool) {
	if v, ok := e.vars[name]; ok {
		return v, true
	}
	if e.fallback != nil {
		return e.fallback.Var(name)
	}
	return "", false
}

func (e mailEnv) Func(name, args string) (string, error) {
	if e.fallback != nil {
		return e.fallback.Func(name, args)
	}
	return "", fmt.Errorf("Function %s not registered", name)
}

// vars are prep_email_sub_vars' variables.
func (n *Notice) vars(date string, loc *time.Location, dateFormat string) map[string]string {
	cid := "an unknown caller"
	if n.CIDName != "" || n.CIDNum != "" {
		cid = MergeCallerID(n.CIDName, n.CIDNum)
	}
	orUnknown := func(s string) string {
		if s == "" {
			return "an unknown caller"
		}
		return s
	}
	cat := n.Category
	if cat == "" {
		cat = "no category"
	}
	v := map[string]string{
		"VM_NAME": n.User.FullName, "VM_DUR": duration(n.Duration), "VM_MSGNUM": fmt.Sprint(n.MsgNum),
		"VM_CONTEXT": n.User.Context, "VM_MAILBOX": n.User.Mailbox, "VM_CALLERID": cid,
		"VM_CIDNAME": orUnknown(n.CIDName), "VM_CIDNUM": orUnknown(n.CIDNum), "VM_DATE": date,
		"VM_CATEGORY": cat, "VM_FLAG": n.Flag,
	}
	if n.Orig != nil {
		v["ORIG_VM_CALLERID"] = n.Orig.CallerID
		name, num := splitCallerID(n.Orig.CallerID)
		v["ORIG_VM_CIDNAME"], v["ORIG_VM_CIDNUM"] = name, num
		if n.Orig.OrigTime > 0 {
			v["ORIG_VM_DATE"] = strftime.Format(dateFormat, time.Unix(n.Orig.OrigTime, 0).In(loc))
		}
	}
	return v
}

// splitCallerID is ast_callerid_split for `"Name" <num>`, `Name`, `num`.
func splitCallerID(s string) (name, num string) {
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		return strings.Trim(strings.TrimSpace(s[:i]), `"`), s[i+1 : len(s)-1]
	}
	if strings.Trim(s, "0123456789+*#") == "" {
		return "", s
	}
	return s, ""
}

// duration is VM_DUR: minutes:seconds.
func duration(sec int) string { return fmt.Sprintf("%d:%02d", sec/60, sec%60) }

// Mail holds what BuildMail needs besides the notice.
type Mail struct {
	Cfg  *Config
	Host string // gethostname
	// Env resolves functions in templates (nil: none).
	Env expr.Env
	// Pager builds the short pager mail instead of the e-mail.
	Pager bool
}

// needsMIME is check_mime: a header value with characters outside
// printable ASCII (or specials) must be encoded.
func needsMIME(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 32 || s[i] > 126 || strings.IndexByte(`()<>@,:;/"[]?.=`, s[i]) >= 0 {
			return true
		}
	}
	return false
}

// quote is ast_str_quote: the string in double quotes with " and \ escaped.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// encodeWord encodes a header value as RFC 2047 in the mail's charset
// when it needs it, else quotes it.
func (m *Mail) phrase(s string) string {
	if !needsMIME(s) {
		return quote(s)
	}
	return mime.QEncoding.Encode(m.Cfg.General.Charset, s)
}

// BuildMail writes the mail app_voicemail's make_email_file (or sendpage,
// for the pager) writes: headers, the body from the templates and, with
// attach, the audio as a base64 part. The result is what mailcmd reads.
func (m *Mail) BuildMail(n *Notice) ([]byte, error) {
	g := &m.Cfg.General
	u := n.User
	loc := m.Cfg.Location(u)
	when := n.When.In(loc)
	from := u.ServerEmail
	if from == "" {
		from = g.Defaults.ServerEmail
	}
	if !strings.Contains(from, "@") {
		from += "@" + m.Host
	}
	dateFormat := g.EmailDateFormat
	if m.Pager {
		dateFormat = g.PagerDateFormat
	}
	date := strftime.Format(dateFormat, when)
	env := mailEnv{vars: n.vars(date, loc, dateFormat), fallback: m.Env}
	subst := func(s string) string { return expr.Substitute(s, env) }

	var b bytes.Buffer
	const endl = "\n"
	fmt.Fprintf(&b, "Date: %s"+endl, when.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	fromString := u.FromString
	if m.Pager && g.PagerFromString != "" {
		fromString = g.PagerFromString
	}
	if fromString != "" {
		fmt.Fprintf(&b, "From: %s <%s>"+endl, m.phrase(subst(fromString)), from)
	} else {
		fmt.Fprintf(&b, "From: Asterisk PBX <%s>"+endl, from)
	}
	to := u.Email
	if m.Pager {
		to = u.Pager
	}
	addrs := strings.Split(to, "|")
	b.WriteString("To:")
	for i, a := range addrs {
		sep := ""
		if i < len(addrs)-1 {
			sep = ","
		}
		fmt.Fprintf(&b, " %s <%s>%s"+endl, m.phrase(u.FullName), a, sep)
	}
	subject := u.EmailSubject
	if m.Pager {
		subject = g.PagerSubject
	}
	switch {
	case subject != "":
		s := subst(subject)
		if needsMIME8(s) {
			s = mime.QEncoding.Encode(g.Charset, s)
		}
		fmt.Fprintf(&b, "Subject: %s"+endl, s)
	case m.Pager && n.Flag == "":
		fmt.Fprintf(&b, "Subject: New VM"+endl)
	case m.Pager:
		fmt.Fprintf(&b, "Subject: New %s VM"+endl, n.Flag)
	default:
		prefix := "[PBX]: "
		if g.PBXSkip {
			prefix = ""
		}
		if n.Flag == "" {
			fmt.Fprintf(&b, "Subject: %sNew message %d in mailbox %s"+endl, prefix, n.MsgNum, u.Mailbox)
		} else {
			fmt.Fprintf(&b, "Subject: %sNew %s message %d in mailbox %s"+endl, prefix, n.Flag, n.MsgNum, u.Mailbox)
		}
	}
	if m.Pager {
		b.WriteString(endl)
		if g.PagerBody != "" {
			fmt.Fprintf(&b, "%s"+endl, subst(g.PagerBody))
		} else {
			caller := "unknown"
			if n.CIDName != "" {
				caller = n.CIDName
			} else if n.CIDNum != "" {
				caller = n.CIDNum
			}
			fmt.Fprintf(&b, "New %s long %s msg in box %s"+endl+"from %s, on %s", duration(n.Duration),
				n.Flag, u.Mailbox, caller, date)
		}
		return b.Bytes(), nil
	}
	fmt.Fprintf(&b, "Message-ID: <Asterisk-%d-%d-%s-%d@%s>"+endl, n.MsgNum, rand.Uint32(), u.Mailbox, os.Getpid(), m.Host)
	if n.CIDNum != "" {
		fmt.Fprintf(&b, "X-Asterisk-CallerID: %s"+endl, n.CIDNum)
	}
	if n.CIDName != "" {
		fmt.Fprintf(&b, "X-Asterisk-CallerIDName: %s"+endl, n.CIDName)
	}
	b.WriteString("MIME-Version: 1.0" + endl)
	attach := n.Attach != "" && u.Attach
	var bound string
	if attach {
		bound = fmt.Sprintf("----voicemail_%d%s%d%d", n.MsgNum, u.Mailbox, os.Getpid(), rand.Uint32())
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\""+endl, bound)
		b.WriteString(endl + endl + "This is a multi-part message in MIME format." + endl + endl)
		fmt.Fprintf(&b, "--%s"+endl, bound)
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=%s"+endl+"Content-Transfer-Encoding: 8bit"+endl+endl, g.Charset)
	if u.EmailBody != "" {
		fmt.Fprintf(&b, "%s"+endl, subst(u.EmailBody))
	} else {
		fmt.Fprintf(&b, "Dear %s:"+endl+endl+"\tJust wanted to let you know you were just left a "+
			"%s long message (number %d)"+endl+"in mailbox %s from %s, on %s so you might"+endl+
			"want to check it when you get a chance.  Thanks!"+endl+endl+"\t\t\t\t--Asterisk"+endl+endl,
			u.FullName, duration(n.Duration), n.MsgNum, u.Mailbox, orCaller(n), date)
	}
	if attach {
		format := n.Format
		ext := DiskExt(format)
		data, err := os.ReadFile(n.Attach + "." + ext)
		if err != nil {
			return nil, fmt.Errorf("voicemail: attachment: %w", err)
		}
		mimeType := "audio/x-"
		if strings.EqualFold(ext, "ogg") {
			mimeType = "application/"
		}
		name := fmt.Sprintf("msg%04d.%s", n.MsgNum-1, ext)
		fmt.Fprintf(&b, "--%s"+endl, bound)
		fmt.Fprintf(&b, "Content-Type: %s%s; name=\"%s\""+endl, mimeType, ext, name)
		b.WriteString("Content-Transfer-Encoding: base64" + endl)
		b.WriteString("Content-Description: Voicemail sound attachment." + endl)
		fmt.Fprintf(&b, "Content-Disposition: attachment; filename=\"%s\""+endl+endl, name)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 72 {
			b.WriteString(enc[:72] + endl)
			enc = enc[72:]
		}
		if enc != "" {
			b.WriteString(enc + endl)
		}
		fmt.Fprintf(&b, endl+endl+"--%s--"+endl+"."+endl, bound)
	}
	return b.Bytes(), nil
}

// needsMIME8 reports characters outside 7-bit printable ASCII.
func needsMIME8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 32 || s[i] > 126 {
			return true
		}
	}
	return false
}

func orCaller(n *Notice) string {
	switch {
	case n.CIDName != "":
		return n.CIDName
	case n.CIDNum != "":
		return n.CIDNum
	}
	return "an unknown caller"
}

// mailTimeout bounds a mailcmd run, so a stuck sendmail cannot keep a
// goroutine forever.
const mailTimeout = 2 * time.Minute

// SendMail pipes mail to mailcmd (run by /bin/sh, as ast_safe_system
// does) and waits for it. A failure carries the exit status.
func SendMail(ctx context.Context, mailcmd string, mail []byte) error {
	ctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", mailcmd)
	cmd.Stdin = bytes.NewReader(mail)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := realtime.Run(cmd); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return fmt.Errorf("mailcmd '%s' failed: %w: %s", mailcmd, err, msg)
		}
		return fmt.Errorf("mailcmd '%s' failed: %w", mailcmd, err)
	}
	return nil
}
