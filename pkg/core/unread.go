package core

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// unreadReasons says why gostrisk does not read a config file Asterisk 18
// ships a sample of, for "gostrisk check"'s "not read" lines. A file of the
// config directory that is not here and not read gets a plain "not read".
var unreadReasons = map[string]string{
	"acl.conf":                  "gostrisk has no named ACLs (permit/deny in sip.conf work)",
	"adsi.conf":                 "gostrisk has no ADSI",
	"aeap.conf":                 "gostrisk has no AEAP (speech to text)",
	"alarmreceiver.conf":        "gostrisk has no AlarmReceiver",
	"alsa.conf":                 "gostrisk has no sound card channel (chan_alsa)",
	"app_mysql.conf":            "gostrisk has no MySQL application",
	"app_skel.conf":             "app_skel is Asterisk's example module",
	"ari.conf":                  "gostrisk has no ARI",
	"ast_debug_tools.conf":      "used by Asterisk's debugging scripts, not by a module",
	"calendar.conf":             "gostrisk has no calendars (res_calendar)",
	"ccss.conf":                 "gostrisk has no call completion (CCSS)",
	"cdr_adaptive_odbc.conf":    "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_beanstalkd.conf":       "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_custom.conf":           "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_mysql.conf":            "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_odbc.conf":             "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_pgsql.conf":            "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_sqlite3_custom.conf":   "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_syslog.conf":           "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cdr_tds.conf":              "gostrisk writes CDRs to Master.csv only (cdr_csv)",
	"cel.conf":                  "gostrisk has no channel event logging (CEL)",
	"cel_beanstalkd.conf":       "gostrisk has no channel event logging (CEL)",
	"cel_custom.conf":           "gostrisk has no channel event logging (CEL)",
	"cel_odbc.conf":             "gostrisk has no channel event logging (CEL)",
	"cel_pgsql.conf":            "gostrisk has no channel event logging (CEL)",
	"cel_sqlite3_custom.conf":   "gostrisk has no channel event logging (CEL)",
	"cel_tds.conf":              "gostrisk has no channel event logging (CEL)",
	"chan_dahdi.conf":           "gostrisk has no DAHDI",
	"chan_mobile.conf":          "gostrisk has no Bluetooth channel (chan_mobile)",
	"cli.conf":                  "gostrisk runs no startup commands from cli.conf",
	"cli_aliases.conf":          "gostrisk has no CLI aliases",
	"cli_permissions.conf":      "gostrisk has no CLI permissions",
	"codecs.conf":               "gostrisk has no codec settings (speex, plc, genericplc)",
	"config_test.conf":          "used by Asterisk's unit tests",
	"console.conf":              "gostrisk has no console channel (chan_console)",
	"dbsep.conf":                "gostrisk has no realtime configuration",
	"dnsmgr.conf":               "gostrisk resolves host names itself (no dnsmgr settings)",
	"dsp.conf":                  "gostrisk's DSP takes no settings",
	"dundi.conf":                "gostrisk has no DUNDi",
	"enum.conf":                 "gostrisk has no ENUM lookups",
	"extconfig.conf":            "gostrisk has no realtime configuration",
	"extensions.ael":            "gostrisk has no AEL (pbx_ael): write the dialplan in extensions.conf",
	"extensions.lua":            "gostrisk has no Lua dialplan (pbx_lua): write the dialplan in extensions.conf",
	"extensions_minivm.conf":    "gostrisk has no MiniVM",
	"features.conf":             "gostrisk has no call features (transfer codes, call parking, applicationmap)",
	"festival.conf":             "gostrisk has no Festival text to speech",
	"func_odbc.conf":            "gostrisk has no ODBC functions",
	"geolocation.conf":          "gostrisk has no geolocation (PJSIP)",
	"hep.conf":                  "gostrisk has no HEP capture",
	"http.conf":                 "gostrisk has no HTTP server",
	"iax.conf":                  "gostrisk has no IAX2",
	"iaxprov.conf":              "gostrisk has no IAX2",
	"mgcp.conf":                 "gostrisk has no MGCP",
	"minivm.conf":               "gostrisk has no MiniVM",
	"misdn.conf":                "gostrisk has no mISDN",
	"motif.conf":                "gostrisk has no Jingle/Google Talk (chan_motif)",
	"muted.conf":                "muted is a separate Asterisk tool",
	"ooh323.conf":               "gostrisk has no H.323",
	"osp.conf":                  "gostrisk has no OSP",
	"oss.conf":                  "gostrisk has no sound card channel (chan_oss)",
	"phone.conf":                "gostrisk has no Linux telephony channel (chan_phone)",
	"phoneprov.conf":            "gostrisk has no phone provisioning",
	"pjproject.conf":            "gostrisk has chan_sip (sip.conf), not PJSIP",
	"pjsip.conf":                "gostrisk has chan_sip (sip.conf), not PJSIP",
	"pjsip_notify.conf":         "gostrisk has chan_sip (sip.conf), not PJSIP",
	"pjsip_wizard.conf":         "gostrisk has chan_sip (sip.conf), not PJSIP",
	"prometheus.conf":           "gostrisk has no Prometheus exporter",
	"res_config_mysql.conf":     "gostrisk has no realtime configuration",
	"res_config_odbc.conf":      "gostrisk has no realtime configuration",
	"res_config_sqlite.conf":    "gostrisk has no realtime configuration",
	"res_config_sqlite3.conf":   "gostrisk has no realtime configuration",
	"res_corosync.conf":         "gostrisk has no clustering (res_corosync)",
	"res_curl.conf":             "gostrisk's CURL takes no res_curl.conf proxy settings",
	"res_fax.conf":              "gostrisk has no fax",
	"res_http_media_cache.conf": "gostrisk has no HTTP media cache",
	"res_ldap.conf":             "gostrisk has no realtime configuration",
	"res_odbc.conf":             "gostrisk has no ODBC",
	"res_pgsql.conf":            "gostrisk has no realtime configuration",
	"res_pktccops.conf":         "gostrisk has no PacketCable COPS",
	"res_snmp.conf":             "gostrisk has no SNMP agent",
	"res_stun_monitor.conf":     "gostrisk has no STUN monitor",
	"resolver_unbound.conf":     "gostrisk uses the system's resolver",
	"say.conf":                  "gostrisk's Say applications take no say.conf rules",
	"sip_notify.conf":           "gostrisk has no sip notify",
	"skinny.conf":               "gostrisk has no Skinny (SCCP)",
	"sla.conf":                  "gostrisk has no shared line appearances (SLA)",
	"smdi.conf":                 "gostrisk has no SMDI",
	"sorcery.conf":              "gostrisk has no sorcery (PJSIP and realtime object mapping)",
	"stasis.conf":               "gostrisk's event bus takes no settings",
	"statsd.conf":               "gostrisk has no StatsD",
	"stir_shaken.conf":          "gostrisk has no STIR/SHAKEN",
	"test_sorcery.conf":         "used by Asterisk's unit tests",
	"udptl.conf":                "gostrisk has no T.38 (UDPTL)",
	"unistim.conf":              "gostrisk has no UNISTIM",
	"vpb.conf":                  "gostrisk has no Voicetronix channel",
	"xmpp.conf":                 "gostrisk has no XMPP",
}

// moduleFiles are the files gostrisk reads only while their module loads.
var moduleFiles = map[string]string{
	"sip.conf":         "chan_sip.so",
	"extensions.conf":  "pbx_config.so",
	"musiconhold.conf": "res_musiconhold.so",
	"confbridge.conf":  "app_confbridge.so",
	"meetme.conf":      "app_meetme.so",
	"voicemail.conf":   "app_voicemail.so",
	"queues.conf":      "app_queue.so",
	"queuerules.conf":  "app_queue.so",
	"res_parking.conf": "res_parking.so",
	"followme.conf":    "app_followme.so",
	"agents.conf":      "app_agent_pool.so",
	"amd.conf":         "app_amd.so",
	"cdr_manager.conf": "cdr_manager.so",
}

// UnreadFiles lists, one warning each, the config files of the config
// directory that no module of this build read for snap, with the reason
// when the file is one Asterisk knows. Only Asterisk's kinds of files are
// looked at (*.conf, *.ael, *.lua); directories and other files (keys,
// certificates, backups) are not.
func UnreadFiles(ac *AsteriskConf, snap *Snapshot) confparse.Diagnostics {
	ents, err := os.ReadDir(ac.Directories.EtcDir)
	if err != nil || snap == nil {
		return nil // CheckFiles reports an unreadable directory
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".conf") || strings.HasSuffix(n, ".ael") || strings.HasSuffix(n, ".lua")) {
			continue
		}
		if !snap.Read[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var diags confparse.Diagnostics
	for _, n := range names {
		msg := "not read"
		if mod, ok := moduleFiles[n]; ok && !snap.Modules.Enabled(mod) {
			msg = fmt.Sprintf("not read: modules.conf does not load %s", mod)
		} else if why, ok := unreadReasons[n]; ok {
			msg = "not read: " + why
		}
		diags = append(diags, confparse.Diagnostic{File: n, Severity: confparse.Warning, Message: msg})
	}
	return diags
}
