package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// agiPerlScript is an AGI program written with Asterisk::AGI: it answers,
// reads three keys with GET DATA (the beep as prompt), stores them in a
// channel variable, reads it back, plays hello-world and hangs up, then
// writes what it saw to the file named by its first argument.
const agiPerlScript = `#!/usr/bin/perl
use strict; use warnings;
use Asterisk::AGI;
$| = 1;
# AGI sends SIGHUP once the channel hangs up (our own HANGUP too): stay
# to write the result.
$SIG{HUP} = 'IGNORE';
my $agi = Asterisk::AGI->new;
my %env = $agi->ReadParse();
my $out = $ARGV[0];
my $a = $agi->answer();
my $digits = $agi->get_data('beep', 8000, 3);
$agi->set_variable('AGIDIGITS', $digits);
my $back = $agi->get_variable('AGIDIGITS');
my $s = $agi->stream_file('hello-world', '""');
my $h = $agi->hangup();
open(my $fh, '>', "$out.tmp") or die;
print $fh "channel=$env{channel}\ncallerid=$env{callerid}\nextension=$env{extension}\narg1=$env{arg_1}\n";
print $fh "answer=$a\ndigits=$digits\nback=$back\nstream=$s\nhangup=$h\n";
close $fh; rename("$out.tmp", $out);
`

// fastAGIServer is a FastAGI server written with panoramisk's
// fast_agi.Application: route "fast" answers, waits for a key, sets a
// variable with it, says two digits and hangs up.
const fastAGIServer = `
import asyncio, sys, json
from panoramisk import fast_agi

port, out = int(sys.argv[1]), sys.argv[2]

async def fast(request):
    res = {'script': request.headers.get('agi_network_script'), 'channel': request.headers.get('agi_channel')}
    res['answer'] = (await request.send_command('ANSWER'))
    res['digit'] = (await request.send_command('WAIT FOR DIGIT 8000'))
    key = chr(int(res['digit']['result'][0]))
    res['set'] = (await request.send_command('SET VARIABLE FASTKEY %s' % key))
    res['get'] = (await request.send_command('GET VARIABLE FASTKEY'))
    res['say'] = (await request.send_command('SAY DIGITS 42 ""'))
    res['bad'] = (await request.send_command('FROBNICATE'))
    res['hangup'] = (await request.send_command('HANGUP'))
    with open(out + '.tmp', 'w') as f:
        json.dump(res, f)
    import os; os.rename(out + '.tmp', out)
    request.writer.close()

async def main():
    app = fast_agi.Application()
    app.add_route('fast', fast)
    server = await asyncio.start_server(app.handler, '127.0.0.1', port)
    print('listening', flush=True)
    async with server:
        await asyncio.sleep(60)

asyncio.run(main())
`

// agiInstance is a media instance whose phone 6001 dials into context
// agitest, with astagidir set to dir.
func agiInstance(t *testing.T, dir string, fastPort int, result string) *harness.Instance {
	t.Helper()
	return mediaInstance(t, map[string][]string{
		"6001": {"disallow=all", "allow=ulaw", "dtmfmode=rfc2833", "context=agitest"},
	}, func(f map[string]string) {
		f["asterisk.conf"] = strings.Replace(f["asterisk.conf"], "astdatadir => /usr/share/asterisk",
			"astdatadir => /usr/share/asterisk\nastagidir => "+dir, 1)
		f["extensions.conf"] += fmt.Sprintf("\n[agitest]\nexten => 7000,1,AGI(agi-test.pl,%s)\nsame => n,Hangup()\n"+
			"exten => 7001,1,AGI(agi://127.0.0.1:%d/fast)\nsame => n,Hangup()\n", result, fastPort)
	})
}

// TestAGIPerlScript: an Asterisk::AGI script answers, reads keys sent as
// RFC 2833 events by a baresip phone with GET DATA, sets and reads a
// variable, plays a file and hangs up.
func TestAGIPerlScript(t *testing.T) {
	requireBaresip(t)
	requireTool(t, "perl", "-MAsterisk::AGI", "-e1")
	dir := t.TempDir()
	result := filepath.Join(t.TempDir(), "agi-result")
	if err := os.WriteFile(filepath.Join(dir, "agi-test.pl"), []byte(agiPerlScript), 0o755); err != nil {
		t.Fatal(err)
	}
	in := agiInstance(t, dir, harness.FreePort(t), result)
	in.MustRX("agi set debug on")
	caller := phone(t, in, "6001", "PCMU", 0)
	defer caller.Stop()
	dial(t, in, caller, nil, "7000")
	time.Sleep(1200 * time.Millisecond) // the beep
	for _, d := range "123" {
		caller.command("sndcode", string(d))
		time.Sleep(400 * time.Millisecond)
	}
	if err := caller.waitEvent("CALL_CLOSED", 15*time.Second); err != nil {
		t.Fatalf("the script did not hang up: %v", err)
	}
	var got string
	harness.PollUntil(5*time.Second, func() bool {
		b, err := os.ReadFile(result)
		got = string(b)
		return err == nil
	})
	for _, w := range []string{"callerid=6001", "extension=7000", "arg1=" + result, "answer=0", "digits=123",
		"back=123", "stream=0", "hangup=1"} {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("script result lacks %q:\n%s", w, got)
		}
	}
	if !strings.HasPrefix(got, "channel=SIP/6001-") {
		t.Errorf("agi_channel: %s", got)
	}
	out := in.Output()
	for _, w := range []string{"AGI Tx >> agi_request: agi-test.pl", "AGI Rx << GET DATA beep 8000 3", "AGI Tx >> 200 result=123"} {
		if !strings.Contains(out, w) {
			t.Errorf("agi debug lacks %q", w)
		}
	}
}

// TestFastAGIPanoramisk: a panoramisk FastAGI server drives the call:
// it answers, gets an RFC 2833 key, sets and reads a variable, says
// digits, gets 510 for an unknown command and hangs up.
func TestFastAGIPanoramisk(t *testing.T) {
	requireBaresip(t)
	requireTool(t, debianPython(), "-c", "import panoramisk.fast_agi")
	port := harness.FreePort(t)
	result := filepath.Join(t.TempDir(), "fast-result")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	script := filepath.Join(t.TempDir(), "fast.py")
	os.WriteFile(script, []byte(fastAGIServer), 0o644)
	srv := exec.CommandContext(ctx, debianPython(), script, strconv.Itoa(port), result)
	srvOut, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	buf := make([]byte, 64)
	if n, _ := srvOut.Read(buf); !strings.Contains(string(buf[:n]), "listening") {
		t.Fatalf("FastAGI server did not start: %q", buf[:n])
	}
	in := agiInstance(t, t.TempDir(), port, result)
	caller := phone(t, in, "6001", "PCMU", 0)
	defer caller.Stop()
	dial(t, in, caller, nil, "7001")
	time.Sleep(800 * time.Millisecond)
	caller.command("sndcode", "7")
	if err := caller.waitEvent("CALL_CLOSED", 15*time.Second); err != nil {
		t.Fatalf("the server did not hang up: %v", err)
	}
	var got string
	harness.PollUntil(5*time.Second, func() bool {
		b, err := os.ReadFile(result)
		got = string(b)
		return err == nil
	})
	for _, w := range []string{`"script": "fast"`, `"channel": "SIP/6001-`, `"digit": {"status_code": 200, "result": ["55", ""]`,
		`"get": {"status_code": 200, "result": ["1", "7"]`, `"bad": {"status_code": 510, "result": ["", ""], "msg": "", "error": "AGIInvalidCommand"}`, `"hangup": {"status_code": 200, "result": ["1", ""]`} {
		if !strings.Contains(got, w) {
			t.Errorf("FastAGI result lacks %s:\n%s", w, got)
		}
	}
}
