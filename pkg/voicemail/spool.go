package voicemail

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// Folders are app_voicemail's folders, in its numbering (VoiceMailMain's
// "a" option and the change-folder menu use these indexes).
var Folders = []string{"INBOX", "Old", "Work", "Family", "Friends", "Cust1", "Cust2", "Cust3", "Cust4", "Cust5", "Deleted", "Urgent"}

// Folder indexes used by name in the code.
const (
	FolderInbox  = 0
	FolderOld    = 1
	FolderUrgent = 11
)

// MessageInfo is a message's msgNNNN.txt ([message] section).
type MessageInfo struct {
	OrigMailbox, Context, MacroContext, Exten, RDNIS string
	Priority                                         int
	CallerChan, CallerID, OrigDate                   string
	OrigTime                                         int64
	Category, MsgID, Flag                            string
	Duration                                         int
}

// Bytes is the file as app_voicemail writes it.
func (m *MessageInfo) Bytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, ";\n; Message Information file\n;\n[message]\n"+
		"origmailbox=%s\ncontext=%s\nmacrocontext=%s\nexten=%s\nrdnis=%s\npriority=%d\n"+
		"callerchan=%s\ncallerid=%s\norigdate=%s\norigtime=%d\ncategory=%s\nmsg_id=%s\n"+
		"flag=%s\nduration=%d\n",
		m.OrigMailbox, m.Context, m.MacroContext, m.Exten, m.RDNIS, m.Priority,
		m.CallerChan, m.CallerID, m.OrigDate, m.OrigTime, m.Category, m.MsgID, m.Flag, m.Duration)
	return b.Bytes()
}

// ParseInfo reads a msgNNNN.txt. A file without a [message] section is
// an error (Asterisk cannot play its envelope either); unknown keys are
// kept out silently, as Asterisk reads only the keys it knows.
func ParseInfo(name string, data []byte) (*MessageInfo, error) {
	cfg, diags := confparse.Parse(name, data, confparse.Options{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %w", name, diags.Err())
	}
	cat := cfg.Category("message")
	if cat == nil {
		return nil, fmt.Errorf("%s: no [message] section", name)
	}
	m := &MessageInfo{}
	get := func(k string) string { v, _ := cat.Get(k); return v }
	m.OrigMailbox, m.Context, m.MacroContext = get("origmailbox"), get("context"), get("macrocontext")
	m.Exten, m.RDNIS, m.CallerChan = get("exten"), get("rdnis"), get("callerchan")
	m.CallerID, m.OrigDate, m.Category = get("callerid"), get("origdate"), get("category")
	m.MsgID, m.Flag = get("msg_id"), get("flag")
	m.Priority, _ = strconv.Atoi(get("priority"))
	m.OrigTime, _ = strconv.ParseInt(get("origtime"), 10, 64)
	m.Duration, _ = strconv.Atoi(get("duration"))
	return m, nil
}

// OrigDate is app_voicemail's origdate: the time in UTC as "%a %b %e %r
// UTC %Y".
func OrigDate(t time.Time) string {
	return t.UTC().Format("Mon Jan _2 03:04:05 PM UTC 2006")
}

// MergeCallerID is ast_callerid_merge with "Unknown" for no caller id.
func MergeCallerID(name, num string) string {
	switch {
	case name != "" && num != "":
		return fmt.Sprintf("\"%s\" <%s>", name, num)
	case name != "":
		return name
	case num != "":
		return num
	}
	return "Unknown"
}

// Message is one message of a folder.
type Message struct {
	Folder string
	Num    int
	// Base is the path without extension (…/INBOX/msg0000).
	Base string
	Info *MessageInfo
}

// Spool is astspooldir/voicemail in Asterisk's layout:
// <context>/<mailbox>/<folder>/msgNNNN.{txt,<ext>...} and the greetings
// (unavail, busy, greet, temp) in <context>/<mailbox>.
type Spool struct {
	Dir string
	// formats are the formats messages are written in (format=),
	// swapped whole on reload while recordings read them.
	formats atomic.Pointer[[]string]

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewSpool returns the spool under dir (astspooldir/voicemail).
func NewSpool(dir string) *Spool {
	s := &Spool{Dir: dir, locks: map[string]*sync.Mutex{}}
	s.SetFormats([]string{"wav"})
	return s
}

// SetFormats sets the formats messages are written in (format=).
func (s *Spool) SetFormats(f []string) {
	if len(f) == 0 {
		f = []string{"wav"}
	}
	s.formats.Store(&f)
}

// Formats are the formats messages are written in; the first is the
// one recorded, played and attached.
func (s *Spool) Formats() []string { return *s.formats.Load() }

// BoxDir is the mailbox's directory.
func (s *Spool) BoxDir(context, box string) string {
	if context == "" {
		context = "default"
	}
	return filepath.Join(s.Dir, context, box)
}

// FolderDir is a folder's directory.
func (s *Spool) FolderDir(context, box, folder string) string {
	return filepath.Join(s.BoxDir(context, box), folder)
}

// MsgBase is the path of message num of a folder, without extension.
func MsgBase(dir string, num int) string { return filepath.Join(dir, fmt.Sprintf("msg%04d", num)) }

// DiskExt is the extension a format is stored with (wav49 is .WAV).
func DiskExt(format string) string {
	if ff, ok := sound.LookupFileFormat(format); ok {
		return ff.Ext()
	}
	return format
}

// msgNum returns the number of a msgNNNN.txt name, -1 for other names.
func msgNum(name string) int {
	if len(name) != 11 || !strings.EqualFold(name[:3], "msg") || name[7:] != ".txt" {
		return -1
	}
	n, err := strconv.Atoi(name[3:7])
	if err != nil {
		return -1
	}
	return n
}

// Count is the number of messages in a folder: its msgNNNN.txt files,
// as __has_voicemail counts them. A missing folder holds none.
func (s *Spool) Count(context, box, folder string) int {
	ents, err := os.ReadDir(s.FolderDir(context, box, folder))
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if msgNum(e.Name()) >= 0 {
			n++
		}
	}
	return n
}

// numbers lists the message numbers present in dir, ascending.
func numbers(dir string) []int {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if n := msgNum(e.Name()); n >= 0 {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// List reads the messages of a folder in number order. A message whose
// msgNNNN.txt is unreadable or broken is left out and reported in errs
// (naming the file); the others are listed.
func (s *Spool) List(context, box, folder string) (msgs []*Message, errs []error) {
	dir := s.FolderDir(context, box, folder)
	for _, n := range numbers(dir) {
		base := MsgBase(dir, n)
		data, err := os.ReadFile(base + ".txt")
		if err != nil {
			errs = append(errs, fmt.Errorf("voicemail: %w", err))
			continue
		}
		info, err := ParseInfo(base+".txt", data)
		if err != nil {
			errs = append(errs, fmt.Errorf("voicemail: %w", err))
			continue
		}
		msgs = append(msgs, &Message{Folder: folder, Num: n, Base: base, Info: info})
	}
	return msgs, errs
}

// ErrLock is returned when a folder stays locked by someone else.
var ErrLock = errors.New("couldn't lock directory")

// lockTimeout is how long Lock waits, as ast_lock_path.
const lockTimeout = 5 * time.Second

// Lock takes the folder's lock: a mutex for this process and, for other
// programs (Asterisk itself on a shared spool), the .lock file that
// ast_lock_path's lockfile method creates with link(). unlock releases
// both.
func (s *Spool) Lock(dir string) (unlock func(), err error) {
	s.mu.Lock()
	m := s.locks[dir]
	if m == nil {
		m = &sync.Mutex{}
		s.locks[dir] = m
	}
	s.mu.Unlock()
	m.Lock()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		m.Unlock()
		return nil, fmt.Errorf("voicemail: %w", err)
	}
	lock := filepath.Join(dir, ".lock")
	tmp, err := os.CreateTemp(dir, ".lock-")
	if err != nil {
		m.Unlock()
		return nil, fmt.Errorf("voicemail: lock %s: %w", dir, err)
	}
	fmt.Fprintf(tmp, "%d", os.Getpid())
	tmp.Close()
	defer os.Remove(tmp.Name())
	deadline := time.Now().Add(lockTimeout)
	for {
		err = os.Link(tmp.Name(), lock)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || time.Now().After(deadline) {
			m.Unlock()
			return nil, fmt.Errorf("voicemail: %w %s", ErrLock, dir)
		}
		if staleLock(lock) {
			// Left by a process that died holding it: nobody will
			// remove it, and the folder would stay locked for good.
			os.Remove(lock)
			continue
		}
		time.Sleep(10 * time.Millisecond)
	}
	return func() {
		os.Remove(lock)
		m.Unlock()
	}, nil
}

// staleLock reports a .lock whose owner (the pid ast_lock_path and Lock
// write in it) no longer runs on this host.
func staleLock(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// lastIndex is LAST_MSG_INDEX: the highest number in use, -1 when none.
func lastIndex(dir string) int {
	ns := numbers(dir)
	if len(ns) == 0 {
		return -1
	}
	return ns[len(ns)-1]
}

// Deposit moves a finished recording into a folder as the next message:
// tmpBase is the recording's path without extension (its audio in each
// of s.Formats, its .txt beside them). The folder is locked while the
// number is chosen and the files are renamed, so two callers never get
// the same number. It returns the message's path without extension.
func (s *Spool) Deposit(context, box, folder, tmpBase string, maxMsg int) (base string, num int, err error) {
	dir := s.FolderDir(context, box, folder)
	unlock, err := s.Lock(dir)
	if err != nil {
		return "", 0, err
	}
	defer unlock()
	if maxMsg > 0 && len(numbers(dir)) >= maxMsg {
		return "", 0, ErrFull
	}
	num = lastIndex(dir) + 1
	if num >= MaxMsgLimit {
		return "", 0, ErrFull
	}
	base = MsgBase(dir, num)
	// Audio first and the .txt last: a message is counted by its .txt,
	// so nobody sees it before its audio is in place.
	for _, f := range s.Formats() {
		ext := DiskExt(f)
		if err := os.Rename(tmpBase+"."+ext, base+"."+ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", 0, fmt.Errorf("voicemail: %w", err)
		}
	}
	if err := os.Rename(tmpBase+".txt", base+".txt"); err != nil {
		return "", 0, fmt.Errorf("voicemail: %w", err)
	}
	return base, num, nil
}

// ErrFull is a folder at maxmsg (or at msg9998).
var ErrFull = errors.New("mailbox full")

// msgFiles lists the files of message base (msg0003.txt, msg0003.WAV, ...).
func msgFiles(base string) []string {
	matches, _ := filepath.Glob(globEscape(base) + ".*")
	return matches
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// CopyTo copies message src into folder of another (or the same) mailbox
// as its next message, with origmailbox kept. Used by forwarding, the
// extra mailboxes of VoiceMail(a&b) and save-to-folder.
func (s *Spool) CopyTo(src string, context, box, folder string, maxMsg int) (base string, num int, err error) {
	dir := s.FolderDir(context, box, folder)
	unlock, err := s.Lock(dir)
	if err != nil {
		return "", 0, err
	}
	defer unlock()
	if maxMsg > 0 && len(numbers(dir)) >= maxMsg {
		return "", 0, ErrFull
	}
	num = lastIndex(dir) + 1
	base = MsgBase(dir, num)
	var txt string
	for _, f := range msgFiles(src) {
		ext := strings.TrimPrefix(filepath.Ext(f), ".")
		if ext == "txt" {
			txt = f
			continue
		}
		if err := copyFile(f, base+"."+ext); err != nil {
			return "", 0, err
		}
	}
	if txt == "" {
		return "", 0, fmt.Errorf("voicemail: %s.txt: %w", src, os.ErrNotExist)
	}
	if err := copyFile(txt, base+".txt"); err != nil {
		return "", 0, err
	}
	return base, num, nil
}

// copyFile writes dst through a temporary name and renames it.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("voicemail: %w", err)
	}
	return writeFileAtomic(dst, data)
}

// writeFileAtomic writes data to a temporary file beside path and
// renames it, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("voicemail: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("voicemail: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("voicemail: write %s: %w", path, err)
	}
	os.Chmod(f.Name(), 0o666)
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("voicemail: %w", err)
	}
	return nil
}

// Remove deletes every file of message base.
func Remove(base string) {
	for _, f := range msgFiles(base) {
		os.Remove(f)
	}
}

// Resequence renumbers a folder's messages from 0 without gaps, as
// app_voicemail does when it closes a mailbox.
func (s *Spool) Resequence(dir string) error {
	unlock, err := s.Lock(dir)
	if err != nil {
		return err
	}
	defer unlock()
	for dest, n := range numbers(dir) {
		if n == dest {
			continue
		}
		from, to := MsgBase(dir, n), MsgBase(dir, dest)
		var txt string
		for _, f := range msgFiles(from) {
			ext := filepath.Ext(f)
			if ext == ".txt" {
				txt = f
				continue
			}
			if err := os.Rename(f, to+ext); err != nil {
				return fmt.Errorf("voicemail: %w", err)
			}
		}
		if txt != "" {
			if err := os.Rename(txt, to+".txt"); err != nil {
				return fmt.Errorf("voicemail: %w", err)
			}
		}
	}
	return nil
}

// Greeting is the path (without extension) of one of the mailbox's
// recordings: unavail, busy, greet (its name), temp.
func (s *Spool) Greeting(context, box, which string) string {
	return filepath.Join(s.BoxDir(context, box), which)
}
