package voicemail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// writeTone writes d of a hz tone at path in format.
func writeTone(t *testing.T, path, format string, hz int, d time.Duration) {
	t.Helper()
	ff, ok := sound.LookupFileFormat(format)
	if !ok {
		t.Fatalf("no format %s", format)
	}
	w, err := sound.Create(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dsp.ParseToneList(fmt.Sprint(hz))
	if err != nil {
		t.Fatal(err)
	}
	p := dsp.NewTonePlayer(list, 8000)
	tr, err := pbx.Translator().Path(media.SLin, ff.Codec)
	if err != nil {
		t.Fatal(err)
	}
	chain := tr.NewChain()
	for i := 0; i < int(d/(20*time.Millisecond)); i++ {
		fr := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, p.Read(make([]int16, 160))), uint32(i*160))
		if ff.Codec != media.SLin {
			if fr, err = chain.Translate(fr); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// fixtureSpool copies testdata/spool (msgNNNN.txt files as Asterisk 18
// writes them) to a temporary spool and adds each message's audio as
// Asterisk's format=wav49|wav would have (msgNNNN.WAV and .wav).
func fixtureSpool(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "voicemail")
	err := filepath.WalkDir("testdata/spool", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/spool", p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o777)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o666); err != nil {
			return err
		}
		base := strings.TrimSuffix(to, ".txt")
		writeTone(t, base+".WAV", "wav49", 440, time.Second)
		writeTone(t, base+".wav", "wav", 440, time.Second)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMessageInfoRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/spool/default/6000/INBOX/msg0000.txt")
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseInfo("msg0000.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	want := MessageInfo{OrigMailbox: "6000", Context: "from-internal", Exten: "6000", RDNIS: "unknown", Priority: 2,
		CallerChan: "SIP/6001-00000003", CallerID: `"Bob" <6001>`, OrigDate: "Sun Nov 30 09:12:44 AM UTC 2025",
		OrigTime: 1764493964, MsgID: "1764493964-00000000", Duration: 5}
	if *info != want {
		t.Errorf("parsed %+v\nwant   %+v", *info, want)
	}
	if string(info.Bytes()) != string(data) {
		t.Errorf("written back:\n%s\nAsterisk's file:\n%s", info.Bytes(), data)
	}
	if got := OrigDate(time.Unix(1764493964, 0)); got != want.OrigDate {
		t.Errorf("OrigDate = %q", got)
	}
	for _, c := range []struct{ name, num, want string }{
		{"Bob", "6001", `"Bob" <6001>`}, {"", "6001", "6001"}, {"Bob", "", "Bob"}, {"", "", "Unknown"},
	} {
		if got := MergeCallerID(c.name, c.num); got != c.want {
			t.Errorf("MergeCallerID(%q,%q) = %q", c.name, c.num, got)
		}
	}
}

func TestListSkipsBrokenMessage(t *testing.T) {
	s := NewSpool(fixtureSpool(t))
	msgs, errs := s.List("default", "6000", "Old")
	if len(msgs) != 1 || msgs[0].Num != 0 {
		t.Fatalf("listed %v", msgs)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), filepath.Join("Old", "msg0001.txt")) {
		t.Errorf("errors %v, want one naming Old/msg0001.txt", errs)
	}
	if n := s.Count("default", "6000", "INBOX"); n != 2 {
		t.Errorf("INBOX count %d", n)
	}
	if n := s.Count("default", "nobody", "INBOX"); n != 0 {
		t.Errorf("missing box count %d", n)
	}
}

func TestConcurrentDeposits(t *testing.T) {
	s := NewSpool(filepath.Join(t.TempDir(), "voicemail"))
	s.SetFormats([]string{"wav49", "gsm"})
	tmp := s.FolderDir("default", "6000", "tmp")
	if err := os.MkdirAll(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	const callers = 40
	var wg sync.WaitGroup
	nums := make([]int, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			base := filepath.Join(tmp, fmt.Sprintf("rec%d", i))
			for _, ext := range []string{"WAV", "gsm"} {
				os.WriteFile(base+"."+ext, []byte(fmt.Sprint(i)), 0o666)
			}
			info := &MessageInfo{OrigMailbox: "6000", MsgID: fmt.Sprint(i)}
			os.WriteFile(base+".txt", info.Bytes(), 0o666)
			_, n, err := s.Deposit("default", "6000", "INBOX", base, 100)
			if err != nil {
				t.Error(err)
			}
			nums[i] = n
		}(i)
	}
	wg.Wait()
	sort.Ints(nums)
	for i, n := range nums {
		if n != i {
			t.Fatalf("numbers %v: reused or skipped", nums)
		}
	}
	msgs, errs := s.List("default", "6000", "INBOX")
	if len(msgs) != callers || len(errs) != 0 {
		t.Fatalf("%d messages, errors %v", len(msgs), errs)
	}
	for _, m := range msgs {
		audio, _ := os.ReadFile(m.Base + ".WAV")
		if string(audio) != m.Info.MsgID {
			t.Errorf("msg%04d: audio of caller %s, txt of caller %s", m.Num, audio, m.Info.MsgID)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("tmp still holds %v", left)
	}
	// maxmsg reached: nothing is half-written.
	base := filepath.Join(tmp, "full")
	os.WriteFile(base+".txt", []byte("[message]\n"), 0o666)
	if _, _, err := s.Deposit("default", "6000", "INBOX", base, callers); !errors.Is(err, ErrFull) {
		t.Errorf("deposit in a full box: %v", err)
	}
	if s.Count("default", "6000", "INBOX") != callers {
		t.Error("a full box grew")
	}
}

func TestResequenceAndLock(t *testing.T) {
	s := NewSpool(fixtureSpool(t))
	dir := s.FolderDir("default", "6000", "INBOX")
	Remove(MsgBase(dir, 0))
	if err := s.Resequence(dir); err != nil {
		t.Fatal(err)
	}
	msgs, _ := s.List("default", "6000", "INBOX")
	if len(msgs) != 1 || msgs[0].Num != 0 || msgs[0].Info.MsgID != "1764494000-00000001" {
		t.Fatalf("after resequence: %+v", msgs)
	}
	for _, ext := range []string{"WAV", "wav", "txt"} {
		if _, err := os.Stat(MsgBase(dir, 0) + "." + ext); err != nil {
			t.Errorf("msg0000.%s: %v", ext, err)
		}
	}
	unlock, err := s.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".lock")); err != nil {
		t.Errorf("no .lock file while locked: %v", err)
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, ".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".lock left behind: %v", err)
	}
	// A .lock left by a process that died is taken over at once.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	os.WriteFile(filepath.Join(dir, ".lock"), []byte(strconv.Itoa(dead.Process.Pid)), 0o644)
	start := time.Now()
	unlock, err = s.Lock(dir)
	if err != nil || time.Since(start) > time.Second {
		t.Fatalf("stale lock: %v after %v", err, time.Since(start))
	}
	unlock()
}

// TestShowUsersFixture lists a spool in Asterisk's layout: the NewMsg
// column counts INBOX and Urgent, as app_voicemail's inboxcount.
func TestShowUsersFixture(t *testing.T) {
	spool := fixtureSpool(t)
	cfg, _ := parse(t, sampleConf)
	m := New(Options{Log: nopLog{}, SpoolDir: filepath.Dir(spool), Host: "pbx"}, cfg)
	defer m.Close()
	all, ok := m.ShowUsers("")
	if !ok {
		t.Fatal("show users failed")
	}
	goldenfile.Check(t, "testdata/show_users.txt", all)
	other, _ := m.ShowUsers("other")
	goldenfile.Check(t, "testdata/show_users_other.txt", other)
	none, ok := m.ShowUsers("nosuch")
	if ok || none != "No such voicemail context \"nosuch\"\n" {
		t.Errorf("unknown context: %q", none)
	}
	goldenfile.Check(t, "testdata/show_zones.txt", ShowZones(cfg))
	empty := New(Options{Log: nopLog{}, SpoolDir: t.TempDir()}, nil)
	defer empty.Close()
	if out, ok := empty.ShowUsers(""); ok || out != "There are no voicemail users currently defined\n" {
		t.Errorf("no users: %q", out)
	}
	if out := ShowZones(empty.Config()); out != "There are no voicemail zones currently defined\n" {
		t.Errorf("no zones: %q", out)
	}
	c, ok := m.MailboxCounts("6000@default")
	// Old counts its broken msg0001.txt too: app_voicemail counts the
	// .txt names, so MWI agrees with Asterisk on the same spool.
	if !ok || c != (pbx.MailboxCounts{New: 3, Old: 2, UrgentNew: 1}) {
		t.Errorf("counts %+v %v", c, ok)
	}
	if _, ok := m.MailboxCounts("9999"); ok {
		t.Error("unknown mailbox has counts")
	}
}

type nopLog struct{}

func (nopLog) Verbose(int, string, ...any) {}
func (nopLog) Notice(string, ...any)       {}
func (nopLog) Warning(string, ...any)      {}

// TestMessageCommands: voicemail show mailbox lists every folder's
// messages by msg_id; move, forward and remove find a message by its id
// and keep the folders numbered from 0.
func TestMessageCommands(t *testing.T) {
	spool := fixtureSpool(t)
	cfg, _ := parse(t, sampleConf)
	m := New(Options{Log: nopLog{}, SpoolDir: filepath.Dir(spool), Host: "pbx"}, cfg)
	defer m.Close()
	out, ok := m.ShowMailbox("6000", "default")
	if !ok {
		t.Fatal(out)
	}
	goldenfile.Check(t, "testdata/show_mailbox.txt", out)
	if out, ok := m.ShowMailbox("6999", "default"); ok || out != "Can't find voicemail user 6999@default\n" {
		t.Errorf("unknown box: %q", out)
	}
	if err := m.MoveMessage("6000", "default", "inbox", "1764493964-00000000", "Work"); err != nil {
		t.Fatal(err)
	}
	s := m.spool
	if s.Count("default", "6000", "INBOX") != 1 || s.Count("default", "6000", "Work") != 1 {
		t.Errorf("after move: INBOX %d, Work %d", s.Count("default", "6000", "INBOX"), s.Count("default", "6000", "Work"))
	}
	msgs, _ := s.List("default", "6000", "INBOX")
	if msgs[0].Num != 0 || msgs[0].Info.MsgID != "1764494000-00000001" {
		t.Errorf("INBOX not renumbered: %+v", msgs[0])
	}
	if err := m.ForwardMessage("6000", "default", "Work", "1764493964-00000000", "100", "other", "INBOX"); err != nil {
		t.Fatal(err)
	}
	if s.Count("other", "100", "INBOX") != 1 || s.Count("default", "6000", "Work") != 1 {
		t.Error("forward must copy")
	}
	if err := m.RemoveMessage("6000", "default", "Work", "1764493964-00000000"); err != nil {
		t.Fatal(err)
	}
	if s.Count("default", "6000", "Work") != 0 {
		t.Error("remove left the message")
	}
	if err := m.RemoveMessage("6000", "default", "Work", "nope"); err == nil {
		t.Error("removing an unknown id succeeded")
	}
}
