package funcs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_curl.c's CURL and CURLOPT on net/http (http and
// https). CURLOPT settings made without a channel are global, with one
// they are the channel's, read before the global ones. A request has
// libcurl's defaults as func_curl.c sets them: a 180 s timeout, redirects
// not followed, the peer's certificate checked, and the user agent
// "asterisk-libcurl-agent/1.0". The channel's dialplan waits for the
// answer; its hang-up cancels the request.

const curlUserAgent = "asterisk-libcurl-agent/1.0" // asterisk.h's AST_CURL_USER_AGENT

// curlKind is how an option's value is read and printed.
type curlKind int

const (
	curlBool curlKind = iota
	curlInt
	curlMS // seconds with decimals, kept in ms
	curlString
	curlEnum
)

// curlOptions are parse_curlopt_key's names.
var curlOptions = map[string]curlKind{
	"header": curlBool, "httpheader": curlString, "proxy": curlString, "proxyport": curlInt,
	"proxytype": curlEnum, "dnstimeout": curlInt, "userpwd": curlString, "proxyuserpwd": curlString,
	"followlocation": curlBool, "maxredirs": curlInt, "referer": curlString, "useragent": curlString,
	"cookie": curlString, "ftptimeout": curlInt, "httptimeout": curlMS, "conntimeout": curlMS,
	"ftptext": curlBool, "ssl_verifypeer": curlBool, "hashcompat": curlEnum, "failurecodes": curlString,
}

// curlSetting is one option as stored (numbers as int64, text as is).
type curlSetting struct {
	name string
	num  int64
	text string
}

// curlSettings is an ordered list of settings (httpheader may repeat).
type curlSettings struct {
	mu   sync.Mutex
	list []curlSetting
}

func (s *curlSettings) set(c curlSetting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.name != "httpheader" {
		s.list = slices.DeleteFunc(s.list, func(o curlSetting) bool { return o.name == c.name })
	}
	s.list = append(s.list, c)
}

func (s *curlSettings) snapshot() []curlSetting {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]curlSetting(nil), s.list...)
}

func (s *curlSettings) get(name string) (curlSetting, bool) {
	for _, c := range s.snapshot() {
		if c.name == name {
			return c, true
		}
	}
	return curlSetting{}, false
}

type curlKey struct{}

// Proxy types and hashcompat modes as func_curl.c prints them.
var (
	proxyTypes  = []string{"http", "socks4", "socks4a", "socks5", "socks5hostname"}
	hashCompats = []string{"no", "yes", "legacy"}
)

func curlFuncs(e *pbx.Engine) []pbx.Function {
	global := &curlSettings{}
	chanSettings := func(ch *pbx.Channel, create bool) *curlSettings {
		if ch == nil {
			return nil
		}
		var s *curlSettings
		ch.UpdateDatastore(curlKey{}, func(old any) any {
			if o, ok := old.(*curlSettings); ok {
				s = o
				return o
			}
			if !create {
				return nil
			}
			s = &curlSettings{}
			return s
		})
		return s
	}
	return []pbx.Function{
		{Name: "CURL", Synopsis: "Retrieve content from a remote web or ftp server", Syntax: "CURL(url[,post-data])",
			Description: "When this function is read, a HTTP GET (by default) or POST (when post-data is given) is done to the url, and the body of the response is returned (trailing blanks removed). When written, CURL(url)=file_path stores the body in file_path. (gostrisk: http and https only.)",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("CURL requires an argument (URL)")
				}
				a := args(s)
				var post *string
				if len(a) > 1 {
					post = &a[1]
				}
				body, err := curlDo(e, ch, global, chanSettings(ch, false), arg(a, 0), post, nil)
				if err != nil {
					return "", err
				}
				return body, nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if s == "" {
					return fmt.Errorf("CURL requires an argument (URL)")
				}
				path := arg(args(value), 0)
				if path == "" {
					return fmt.Errorf("CURL requires a file to write")
				}
				f, err := os.Create(path)
				if err != nil {
					var en syscall.Errno
					errors.As(err, &en)
					return fmt.Errorf("Failed to open file %s: %s (%d)", path, strerror(err), int(en))
				}
				defer f.Close()
				_, err = curlDo(e, ch, global, chanSettings(ch, false), s, nil, f)
				return err
			}},
		{Name: "CURLOPT", Synopsis: "Sets various options for future invocations of CURL.", Syntax: "CURLOPT(key)",
			Description: "Options may be set globally or per channel. Per-channel settings will override global settings. Keys: cookie, conntimeout, dnstimeout, followlocation, ftptext, ftptimeout, header, httpheader, httptimeout, maxredirs, proxy, proxytype, proxyport, proxyuserpwd, referer, useragent, userpwd, ssl_verifypeer, hashcompat, failurecodes.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				kind, ok := curlOptions[strings.ToLower(s)]
				if !ok {
					return "", errorf("Unrecognized option: '%s'", s)
				}
				name := strings.ToLower(s)
				c, found := chanSettings(ch, false).get(name)
				if !found {
					if c, found = global.get(name); !found {
						return "", nil
					}
				}
				switch kind {
				case curlBool, curlInt:
					return strconv.FormatInt(c.num, 10), nil
				case curlMS:
					if c.num%1000 == 0 {
						return strconv.FormatInt(c.num/1000, 10), nil
					}
					return strconv.FormatFloat(float64(c.num)/1000, 'f', 3, 64), nil
				case curlEnum:
					table := proxyTypes
					if name == "hashcompat" {
						table = hashCompats
					}
					if c.num >= 0 && int(c.num) < len(table) {
						return table[c.num], nil
					}
					return "unknown", nil
				}
				return c.text, nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				name := strings.ToLower(s)
				kind, ok := curlOptions[name]
				if !ok {
					return errorf("Unrecognized option: %s", s)
				}
				c := curlSetting{name: name, text: value}
				switch kind {
				case curlBool:
					if confparse.True(value) {
						c.num = 1
					}
				case curlInt:
					n, _ := strconv.ParseInt(leadingInt(value), 10, 64) // atol
					c.num = n
				case curlMS:
					f, _ := cNumber(value) // atof
					c.num = int64(f * 1000)
				case curlEnum:
					if name == "proxytype" {
						v := strings.ToLower(value)
						switch {
						case v == "socks4":
							c.num = 1
						case v == "socks4a":
							c.num = 2
						case v == "socks5":
							c.num = 3
						case strings.HasPrefix(v, "socks5"):
							c.num = 4
						}
					} else {
						switch {
						case strings.EqualFold(value, "legacy"):
							c.num = 2
						case confparse.True(value):
							c.num = 1
						}
					}
				}
				target := global
				if ch != nil {
					target = chanSettings(ch, true)
				}
				target.set(c)
				return nil
			}},
	}
}

// curlDo runs one request with the global then the channel's settings;
// out, when set, receives the body instead of the result.
func curlDo(e *pbx.Engine, ch *pbx.Channel, global, own *curlSettings, rawURL string, post *string, out io.Writer) (string, error) {
	if strings.ContainsAny(rawURL, "\r\n") {
		return "", errorf("URL '%s' is vulnerable to HTTP injection attacks. Aborting CURL() call.", rawURL)
	}
	opt := map[string]curlSetting{}
	var headers []string
	var failCodes []int
	for _, c := range append(global.snapshot(), own.snapshot()...) {
		switch c.name {
		case "httpheader":
			headers = append(headers, c.text)
		case "failurecodes":
			for _, f := range strings.Split(c.text, ",") {
				n, _ := strconv.Atoi(leadingInt(f))
				failCodes = append(failCodes, n)
			}
		default:
			opt[c.name] = c
		}
	}
	num := func(name string, def int64) int64 {
		if c, ok := opt[name]; ok {
			return c.num
		}
		return def
	}
	str := func(name string) string { return opt[name].text }

	timeout := 180 * time.Second
	if ms := num("httptimeout", 0); ms > 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	dialer := &net.Dialer{Timeout: 300 * time.Second} // libcurl's connect default
	if ms := num("conntimeout", 0); ms > 0 {
		dialer.Timeout = time.Duration(ms) * time.Millisecond
	}
	tr := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: num("ssl_verifypeer", 1) == 0}}
	if p := str("proxy"); p != "" {
		scheme := proxyTypes[min(max(num("proxytype", 0), 0), int64(len(proxyTypes)-1))]
		if strings.HasPrefix(scheme, "socks5") {
			scheme = "socks5"
		}
		if !strings.Contains(p, "://") {
			p = scheme + "://" + p
		}
		pu, err := url.Parse(p)
		if err == nil {
			if port := num("proxyport", 0); port > 0 && pu.Port() == "" {
				pu.Host = net.JoinHostPort(pu.Hostname(), strconv.FormatInt(port, 10))
			}
			if up := str("proxyuserpwd"); up != "" {
				u, pw, _ := strings.Cut(up, ":")
				pu.User = url.UserPassword(u, pw)
			}
			tr.Proxy = http.ProxyURL(pu)
		}
	}
	defer tr.CloseIdleConnections()
	follow := num("followlocation", 0) != 0
	maxRedirs := num("maxredirs", -1)
	client := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !follow {
				return http.ErrUseLastResponse
			}
			if maxRedirs >= 0 && int64(len(via)) > maxRedirs {
				return fmt.Errorf("Maximum (%d) redirects followed", maxRedirs)
			}
			return nil
		}}

	ctx := context.Background()
	if ch != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		// The request ends with the channel (cancel) or by itself
		// (ctx done by the deferred cancel): this goroutine with it.
		go func() {
			select {
			case <-ch.Done():
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	method, body := http.MethodGet, io.Reader(nil)
	if post != nil {
		method, body = http.MethodPost, strings.NewReader(*post)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		e.Log().Warning("%s ('%s')\n", err, rawURL)
		return "", nil
	}
	req.Header.Set("User-Agent", curlUserAgent)
	if post != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // libcurl's for POSTFIELDS
	}
	if ua := str("useragent"); ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	if r := str("referer"); r != "" {
		req.Header.Set("Referer", r)
	}
	if c := str("cookie"); c != "" {
		req.Header.Set("Cookie", c)
	}
	if up := str("userpwd"); up != "" {
		u, pw, _ := strings.Cut(up, ":")
		req.SetBasicAuth(u, pw)
	}
	for _, h := range headers {
		if k, v, ok := strings.Cut(h, ":"); ok {
			req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Log().Warning("%s ('%s')\n", err, rawURL)
		return "", nil
	}
	defer resp.Body.Close()
	var sb strings.Builder
	if num("header", 0) != 0 {
		fmt.Fprintf(&sb, "%s %s\r\n", resp.Proto, resp.Status)
		_ = resp.Header.Write(&sb)
		sb.WriteString("\r\n")
	}
	w := io.Writer(&sb)
	if out != nil {
		w = out
		if sb.Len() > 0 {
			io.WriteString(out, sb.String())
			sb.Reset()
		}
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		e.Log().Warning("%s ('%s')\n", err, rawURL)
	}
	if slices.Contains(failCodes, resp.StatusCode) {
		name := ": "
		if ch != nil {
			name = ch.Name() + ch.Name() // func_curl.c prints the name twice
		}
		e.Log().Notice("%sCURL '%s' returned response code (%d).\n", name, rawURL, resp.StatusCode)
		return "", nil // the reference expands to nothing; NOTICE said why
	}
	result := strings.TrimRight(sb.String(), " \t\r\n\v\f")
	if hc := num("hashcompat", 0); hc != 0 && result != "" {
		var fields, values []string
		for _, piece := range strings.Split(result, "&") {
			name, val, _ := strings.Cut(piece, "=")
			fields = append(fields, escapeCommas(curlURIDecode(name, hc == 2)))
			values = append(values, escapeCommas(curlURIDecode(val, hc == 2)))
		}
		setVar(e, ch, "~ODBCFIELDS~", strings.Join(fields, ","))
		result = strings.Join(values, ",")
	}
	return result, nil
}

// curlURIDecode is ast_uri_decode; legacy also turns '+' into a space.
func curlURIDecode(s string, legacy bool) string {
	if legacy {
		s = strings.ReplaceAll(s, "+", " ")
	}
	return uriDecode(s)
}

// escapeCommas is ast_str_set_escapecommas: a backslash before each comma
// and backslash.
func escapeCommas(s string) string {
	return strings.NewReplacer(`\`, `\\`, ",", `\,`).Replace(s)
}
