package voicemail

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildMail parses what BuildMail writes with Go's MIME readers, for
// the default texts, pbxskip, a flag, a non-ASCII name, no attachment and
// the pager mail.
func TestBuildMail(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "msg0004")
	writeTone(t, base+".WAV", "wav49", 440, time.Second)
	when := time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name, conf     string
		pager          bool
		flag           string
		wantSubject    string
		wantTo         string
		wantBody       string
		wantAttachment bool
	}{
		{name: "defaults", conf: "[general]\nemaildateformat=%d/%m/%Y %H:%M\n[default]\n6000 => 1,Alice Martin,alice@example.com\n",
			wantSubject: "[PBX]: New message 5 in mailbox 6000", wantTo: `"Alice Martin" <alice@example.com>`,
			wantBody:       "Dear Alice Martin:\n\n\tJust wanted to let you know you were just left a 0:07 long message (number 5)\nin mailbox 6000 from Bob, on 05/12/2026 10:30 so you might\nwant to check it when you get a chance.  Thanks!\n\n\t\t\t\t--Asterisk\n",
			wantAttachment: true},
		{name: "pbxskip and a flag", conf: "[general]\npbxskip=yes\n[default]\n6000 => 1,Alice,alice@example.com\n", flag: "Urgent",
			wantSubject: "New Urgent message 5 in mailbox 6000", wantTo: `"Alice" <alice@example.com>`, wantAttachment: true},
		{name: "non-ASCII name, no attachment", conf: "[general]\ncharset=UTF-8\n[default]\n6000 => 1,Hélène Dupré,h@example.com,,attach=no\n",
			wantSubject: "[PBX]: New message 5 in mailbox 6000", wantTo: "Hélène Dupré <h@example.com>"},
		{name: "pager", conf: "[general]\npagerdateformat=%H:%M\n[default]\n6000 => 1,Alice,alice@example.com,555@pager.example.com\n", pager: true,
			wantSubject: "New VM", wantTo: `"Alice" <555@pager.example.com>`, wantBody: "New 0:07 long  msg in box 6000\nfrom Bob, on 10:30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := parse(t, tc.conf)
			u := cfg.Lookup("", "6000")
			n := &Notice{User: u, MsgNum: 5, Folder: "INBOX", CIDNum: "6001", CIDName: "Bob", Duration: 7, Flag: tc.flag,
				When: when, Attach: base, Format: "wav49"}
			data, err := (&Mail{Cfg: cfg, Host: "pbx.example.com", Pager: tc.pager}).BuildMail(n)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(data)))
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			dec := new(mime.WordDecoder)
			to, _ := dec.DecodeHeader(msg.Header.Get("To"))
			if to != tc.wantTo {
				t.Errorf("To %q, want %q", to, tc.wantTo)
			}
			if got := msg.Header.Get("Subject"); got != tc.wantSubject {
				t.Errorf("Subject %q, want %q", got, tc.wantSubject)
			}
			if got := msg.Header.Get("From"); got != "Asterisk PBX <asterisk@pbx.example.com>" {
				t.Errorf("From %q", got)
			}
			if d, err := msg.Header.Date(); err != nil || !d.Equal(when) {
				t.Errorf("Date %v %v", d, err)
			}
			if tc.pager {
				body, _ := io.ReadAll(msg.Body)
				if string(body) != tc.wantBody {
					t.Errorf("pager body %q, want %q", body, tc.wantBody)
				}
				return
			}
			mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if !tc.wantAttachment {
				if err != nil || mt != "text/plain" {
					t.Errorf("Content-Type %q", msg.Header.Get("Content-Type"))
				}
				return
			}
			if err != nil || mt != "multipart/mixed" {
				t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			text, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(text)
			if tc.wantBody != "" && string(body) != tc.wantBody {
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
			att, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if att.FileName() != "msg0004.WAV" || att.Header.Get("Content-Type") != `audio/x-WAV; name="msg0004.WAV"` {
				t.Errorf("attachment %q %q", att.FileName(), att.Header.Get("Content-Type"))
			}
			enc, _ := io.ReadAll(att)
			got, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(enc), "\n", ""))
			want, _ := os.ReadFile(base + ".WAV")
			if err != nil || string(got) != string(want) {
				t.Errorf("attachment: %v, %d bytes, want %d", err, len(got), len(want))
			}
		})
	}
}
