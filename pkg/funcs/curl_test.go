package funcs

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestCurl: CURL against a local HTTP server (GET, POST, options,
// redirects, failure codes, hashcompat, writing to a file) and CURLOPT's
// channel and global settings.
func TestCurl(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			u, p, _ := r.BasicAuth()
			fmt.Fprintf(w, "%s ua=%s body=%s x=%s cookie=%s auth=%s:%s \n\n", r.Method, r.UserAgent(), body,
				r.Header.Get("X-Test"), r.Header.Get("Cookie"), u, p)
		case "/redirect":
			http.Redirect(w, r, "/echo", http.StatusFound)
		case "/missing":
			http.Error(w, "gone", http.StatusNotFound)
		case "/hash":
			io.WriteString(w, "name=Jean+Dupont&city=Paris%2C%20France&empty=")
		}
	}))
	defer srv.Close()
	e, log := newMoreEngine(t, nil)
	ch := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	other := pbxtest.NewPhone(nil).NewChannel(e, "b", "sub", "s")
	defer other.Hangup(0)
	u := srv.URL
	out := filepath.Join(t.TempDir(), "page.txt")
	steps := []struct {
		writes     [][2]string
		global     [][2]string
		in, want   string
		warn, note string
	}{
		{in: "${CURL(" + u + "/echo)}", want: "GET ua=asterisk-libcurl-agent/1.0 body= x= cookie= auth=:"},
		{in: "${CURL(" + u + "/echo,a=1&b=2)}", want: "POST ua=asterisk-libcurl-agent/1.0 body=a=1&b=2 x= cookie= auth=:"},
		{writes: [][2]string{{"CURLOPT(useragent)", "gostrisk"}, {"CURLOPT(httpheader)", "X-Test: one"}, {"CURLOPT(cookie)", "k=v"}, {"CURLOPT(userpwd)", "bob:pw"}},
			in: "${CURL(" + u + "/echo)}", want: "GET ua=gostrisk body= x=one cookie=k=v auth=bob:pw"},
		{in: "${CURLOPT(useragent)}|${CURLOPT(httptimeout)}", want: "gostrisk|"},
		{writes: [][2]string{{"CURLOPT(httptimeout)", "2.5"}, {"CURLOPT(conntimeout)", "3"}, {"CURLOPT(followlocation)", "yes"}, {"CURLOPT(proxytype)", "socks5"}},
			in: "${CURLOPT(httptimeout)} ${CURLOPT(conntimeout)} ${CURLOPT(followlocation)} ${CURLOPT(proxytype)}", want: "2.500 3 1 socks5"},
		{in: "${CURL(" + u + "/redirect)}", want: "GET ua=gostrisk body= x=one cookie=k=v auth=bob:pw"},
		{writes: [][2]string{{"CURLOPT(followlocation)", "no"}}, in: "[${CURL(" + u + "/redirect)}]", want: "[<a href=\"/echo\">Found</a>.]"},
		{writes: [][2]string{{"CURLOPT(failurecodes)", "404,500"}}, in: "[${CURL(" + u + "/missing)}]", want: "[]",
			note: fmt.Sprintf("%s%sCURL '%s/missing' returned response code (404).", ch.Name(), ch.Name(), u)},
		{writes: [][2]string{{"CURLOPT(hashcompat)", "legacy"}}, in: "${CURL(" + u + "/hash)}|${~ODBCFIELDS~}", want: `Jean Dupont,Paris\, France,|name,city,empty`},
		{writes: [][2]string{{"CURL(" + u + "/hash)", out}}, in: "", want: ""},
		{in: "${CURL(http://127.0.0.1:1/x)}", want: "", warn: "dial tcp 127.0.0.1:1: connect: connection refused ('http://127.0.0.1:1/x')"},
		{in: "${CURLOPT(bogus)}", warn: "Unrecognized option: 'bogus'"},
		{writes: [][2]string{{"CURLOPT(bogus)", "1"}}, warn: "Unrecognized option: bogus"},
		{in: "${CURL()}", warn: "CURL requires an argument (URL)"},
	}
	for i, st := range steps {
		log.take()
		var warns []string
		for _, w := range st.writes {
			if err := e.Assign(ch, w[0], w[1]); err != nil {
				warns = append(warns, err.Error())
			}
		}
		got := e.Substitute(ch, st.in)
		if got != st.want {
			t.Errorf("step %d: %s = %q, want %q", i, st.in, got, st.want)
		}
		lines := log.take()
		warns = append(warns, warnings(lines)...)
		if st.warn == "" && len(warns) > 0 || st.warn != "" && (len(warns) != 1 || warns[0] != st.warn) {
			t.Errorf("step %d: warnings %q, want %q", i, warns, st.warn)
		}
		if st.note != "" && !strings.Contains(strings.Join(lines, "\n"), "NOTICE: "+st.note) {
			t.Errorf("step %d: no NOTICE %q in %q", i, st.note, lines)
		}
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "name=Jean+Dupont&city=Paris%2C%20France&empty=" {
		t.Errorf("CURL()= file: %q %v", b, err)
	}
	// Settings without a channel are global; a channel's own come first.
	if err := e.Assign(nil, "CURLOPT(useragent)", "global-agent"); err != nil {
		t.Fatal(err)
	}
	if got := e.Substitute(other, "${CURLOPT(useragent)}"); got != "global-agent" {
		t.Errorf("other channel sees %q", got)
	}
	if got := e.Substitute(ch, "${CURLOPT(useragent)}"); got != "gostrisk" {
		t.Errorf("channel's own %q", got)
	}
	if got := e.Substitute(other, "${CURL("+u+"/echo)}"); !strings.HasPrefix(got, "GET ua=global-agent ") {
		t.Errorf("global agent not used: %q", got)
	}
}
