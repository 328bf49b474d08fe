package sipconf

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// chanSIPOptions reads testdata/chansip_options.txt: section name ->
// option names.
func chanSIPOptions(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/chansip_options.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			out[section] = append(out[section], line)
		}
	}
	if len(out["general"]) < 150 || len(out["peer"]) < 100 {
		t.Fatalf("option list too short: %d general, %d peer", len(out["general"]), len(out["peer"]))
	}
	return out
}

// optionValue is a value each option accepts, so that a case fails only
// for the option's name (values are checked by the other tests).
func optionValue(name string) string {
	if v, ok := map[string]string{
		"allow": "ulaw", "disallow": "all", "type": "friend", "host": "dynamic", "context": "default",
		"bindaddr": "127.0.0.1", "udpbindaddr": "127.0.0.1", "tcpbindaddr": "127.0.0.1", "tlsbindaddr": "127.0.0.1",
		"sslbindaddr": "127.0.0.1", "rtpbindaddr": "127.0.0.1", "media_address": "127.0.0.1", "defaultip": "127.0.0.1",
		"ipaddr": "127.0.0.1", "externaddr": "127.0.0.1", "externip": "127.0.0.1", "externhost": "localhost",
		"localnet": "192.168.0.0/255.255.0.0", "permit": "0.0.0.0/0.0.0.0", "deny": "0.0.0.0/0.0.0.0",
		"contactpermit": "0.0.0.0/0.0.0.0", "contactdeny": "0.0.0.0/0.0.0.0", "directmediapermit": "0.0.0.0/0.0.0.0",
		"directmediadeny": "0.0.0.0/0.0.0.0", "acl": "named", "contactacl": "named", "directmediaacl": "named",
		"bindport": "5060", "port": "5060", "externtcpport": "5060", "externtlsport": "5061",
		"transport": "udp", "dtmfmode": "rfc2833", "nat": "force_rport,comedia", "insecure": "port,invite",
		"directmedia": "yes", "canreinvite": "yes", "callerid": "\"A\" <100>", "callingpres": "allowed",
		"amaflags": "default", "session-timers": "accept", "session-refresher": "uas", "session-expires": "1800",
		"session-minse": "90", "t38pt_udptl": "yes", "sendrpid": "pai", "progressinband": "never",
		"encryption": "no", "qualify": "yes", "register": "user:secret@127.0.0.1", "mwi": "user:secret@127.0.0.1/1234",
		"domain": "example.com", "setvar": "A=1", "header": "X-A: 1", "outboundproxy": "127.0.0.1",
		"mailbox": "1234@default", "callgroup": "1", "pickupgroup": "1", "maxforwards": "70", "timert1": "500",
		"timerb": "32000", "t1min": "100", "registertimeout": "20", "registerattempts": "0", "keepalive": "0",
		"rtptimeout": "0", "rtpholdtimeout": "0", "rtpkeepalive": "0", "qualifyfreq": "60", "qualifygap": "100",
		"qualifypeers": "1", "call-limit": "10", "busylevel": "1", "maxcallbitrate": "384",
		"defaultexpiry": "120", "defaultexpirey": "120", "minexpiry": "60", "minexpirey": "60", "maxexpiry": "3600",
		"maxexpirey": "3600", "mwiexpiry": "3600", "mwiexpirey": "3600", "submaxexpiry": "3600", "submaxexpirey": "3600",
		"subminexpiry": "60", "subminexpirey": "60", "externrefresh": "10", "tcpauthtimeout": "30", "tcpauthlimit": "100",
		"websocket_write_timeout": "100", "cos_sip": "3", "cos_audio": "5", "cos_video": "4", "cos_text": "3",
		"tos_sip": "cs3", "tos_audio": "ef", "tos_video": "af41", "tos_text": "af41", "regseconds": "0", "lastms": "0",
		"encryption_taglen": "80", "notifymimetype": "text/plain", "realm": "asterisk", "useragent": "Asterisk PBX",
		"sdpowner": "root", "sdpsession": "Asterisk PBX", "tlsclientmethod": "tlsv1", "sslclientmethod": "tlsv1",
		"dtlssetup": "actpass", "dtlsverify": "no", "dtlsrekey": "0", "dtlsfingerprint": "sha-256",
		"cc_agent_policy": "never", "cc_monitor_policy": "never", "cc_offer_timer": "20", "ccnr_available_timer": "7200",
		"ccbs_available_timer": "4800", "cc_recall_timer": "20", "cc_max_agents": "5", "cc_max_monitors": "5",
		"jbmaxsize": "200", "jbresyncthreshold": "1000", "jbtargetextra": "40", "jbimpl": "fixed",
		"tonezone": "us", "language": "en", "accountcode": "a", "vmexten": "asterisk", "regcontext": "",
		"rtp_engine": "asterisk", "t38pt_usertpsource": "yes", "use_q850_reason": "yes", "trustrpid": "no",
		"tlscertfile": "", "tlsprivatekey": "", "tlscafile": "", "tlscapath": "", "tlscadir": "", "tlscert": "",
		"sslcert": "", "sslprivatekey": "", "dtlscertfile": "", "dtlsprivatekey": "", "dtlscafile": "", "dtlscapath": "",
		"dtlscadir": "", "tlsenable": "no", "sslenable": "no", "tcpenable": "no", "dtlsenable": "no",
		"tlsverifyclient": "no", "websocket_enabled": "no", "callbackextension": "", "fullcontact": "",
		"md5secret": "", "defaultuser": "", "username": "", "fromuser": "", "fromdomain": "", "description": "",
		"fullname": "", "cid_number": "", "cid_tag": "", "parkinglot": "", "mohinterpret": "default",
		"mohsuggest": "default", "subscribecontext": "", "outofcall_message_context": "", "regexten": "",
		"secret": "", "remotesecret": "", "namedcallgroup": "", "namedpickupgroup": "", "name": "", "trunkname": "",
		"mwi_from": "", "unsolicited_mailbox": "", "recordonfeature": "", "recordofffeature": "", "dtlscipher": "",
		"tlscipher": "", "sslcipher": "", "rtsavepath": "", "vmexten ": "", "dtlsautogeneratecert": "no",
	}[name]; ok {
		return v
	}
	return "no"
}

// Every option Asterisk 18's chan_sip reads is accepted by the loader
// (modelled or accepted as having no effect here); only names chan_sip
// does not know warn "Unknown option".
func TestEveryChanSIPOptionAccepted(t *testing.T) {
	opts := chanSIPOptions(t)
	for _, section := range []string{"general", "peer"} {
		for _, name := range opts[section] {
			t.Run(section+"/"+name, func(t *testing.T) {
				conf := "[general]\n"
				if section == "general" {
					conf += name + "=" + optionValue(name) + "\n"
				} else {
					conf += "\n[p1]\ntype=friend\nhost=dynamic\n" + name + "=" + optionValue(name) + "\n"
				}
				_, diags := parse(t, conf, "")
				for _, d := range diags {
					if strings.Contains(d.Message, "Unknown option") {
						t.Errorf("%s", d)
					}
				}
			})
		}
	}
	for _, tc := range []struct{ section, name string }{{"general", "nosuchoption"}, {"peer", "allowsubscriber"}} {
		conf := "[general]\n" + tc.name + "=yes\n"
		if tc.section == "peer" {
			conf = "[general]\n[p1]\ntype=friend\nhost=dynamic\n" + tc.name + "=yes\n"
		}
		_, diags := parse(t, conf, "")
		found := false
		for _, d := range diags {
			found = found || strings.Contains(d.Message, "Unknown option '"+tc.name+"'")
		}
		if !found {
			t.Errorf("%s %s: no Unknown option warning in %v", tc.section, tc.name, diags)
		}
	}
}

// The allow/disallow forms of issue 18 load without a diagnostic.
func TestAllowSyntaxLoads(t *testing.T) {
	for _, tc := range []struct{ lines, general, peer string }{
		{"allow=!all,g722,ulaw,alaw", "(g722|ulaw|alaw)", "(g722|ulaw|alaw)"},
		{"disallow=all\nallow=ulaw|alaw", "(ulaw|alaw)", "(ulaw|alaw)"},
		{"allow=all\ndisallow=all\nallow=gsm", "(gsm)", "(gsm)"},
	} {
		c, diags := parse(t, "[general]\n"+tc.lines+"\n[p1]\ntype=friend\nhost=dynamic\n", "")
		if len(diags) != 0 {
			t.Errorf("%q: %v", tc.lines, diags)
			continue
		}
		if got := c.General.Codecs.String(); !strings.HasPrefix(got, tc.general) {
			t.Errorf("%q: [general] %s, want %s", tc.lines, got, tc.general)
		}
		if got := c.Peer("p1").Codecs.String(); tc.peer != "" && got != tc.peer {
			t.Errorf("%q: peer %s, want %s", tc.lines, got, tc.peer)
		}
	}
}

// host= may carry a port, as chan_sip resolves the value with it.
func TestHostWithPort(t *testing.T) {
	for _, tc := range []struct {
		host, port string
		wantHost   string
		wantAddr   string
	}{
		{"127.0.0.1:5061", "", "127.0.0.1", "127.0.0.1:5061"},
		{"127.0.0.1", "", "127.0.0.1", "127.0.0.1:5060"},
		{"127.0.0.1:5061", "port=5070", "127.0.0.1", "127.0.0.1:5070"},
		{"[::1]:5062", "", "::1", "[::1]:5062"},
		{"::1", "", "::1", "[::1]:5060"},
		{"sip.example.com:5080", "", "sip.example.com", ""},
	} {
		c, diags := parse(t, "[general]\n[p1]\ntype=peer\nhost="+tc.host+"\n"+tc.port+"\n", "")
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tc.host, diags)
		}
		p := c.Peer("p1")
		addr := ""
		if p.Addr.IsValid() {
			addr = p.Addr.String()
		}
		if p.Host != tc.wantHost || addr != tc.wantAddr {
			t.Errorf("host=%s %s: Host %q Addr %q, want %q %q", tc.host, tc.port, p.Host, addr, tc.wantHost, tc.wantAddr)
		}
	}
	if c, _ := parse(t, "[general]\n[p1]\ntype=peer\nhost=sip.example.com:5080\n", ""); c.Peer("p1").Port != 5080 {
		t.Errorf("name:port: Port %d, want 5080", c.Peer("p1").Port)
	}
}
