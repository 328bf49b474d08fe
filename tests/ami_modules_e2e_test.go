package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// perlModulesScript drives the module actions (app_queue, res_parking,
// app_confbridge, the hints) with Telephony::Asterisk::AMI and prints one
// line per answer and list item.
const perlModulesScript = `
use strict; use warnings;
use Telephony::Asterisk::AMI;
my $ami = Telephony::Asterisk::AMI->new(Host => '127.0.0.1', Port => $ARGV[0],
  Username => 'admin', Secret => 'amp111', Events => 'off');
$ami->connect or die "connect: " . $ami->error;
sub act { my $r = $ami->action(@_); print "$_[1] $r->{Response}: " . ($r->{Message} // '') . "\n"; return $r }
sub list {
  my ($r, @keys) = @_;
  my $id = $r->{ActionID};
  while (1) {
    my $e = $ami->read_response;
    next unless defined $e->{ActionID} && $e->{ActionID} eq $id;
    if (($e->{EventList} // '') eq 'Complete') { print "  END $e->{Event} $e->{ListItems}\n"; last }
    print "  $e->{Event}", (map { " $_=" . ($e->{$_} // '') } grep { exists $e->{$_} } @keys), "\n";
  }
}
act(Action => 'QueueAdd', Queue => 'support', Interface => 'SIP/6001', MemberName => 'Bob', Paused => 'yes', Reason => 'lunch');
act(Action => 'QueueAdd', Queue => 'support', Interface => 'SIP/6001');
list(act(Action => 'QueueStatus', Queue => 'support'), qw(Queue Strategy Calls Name Location Membership Paused PausedReason));
list(act(Action => 'QueueSummary'), qw(Queue LoggedIn Available Callers));
act(Action => 'QueuePause', Interface => 'SIP/6001', Paused => 'no');
act(Action => 'QueuePenalty', Interface => 'SIP/6001', Penalty => '2');
list(act(Action => 'QueueStatus', Queue => 'support', Member => 'Bob'), qw(Name Penalty Paused));
act(Action => 'QueueRemove', Queue => 'support', Interface => 'SIP/6001');
act(Action => 'QueueRemove', Queue => 'support', Interface => 'SIP/6001');
list(act(Action => 'ExtensionStateList'), qw(Exten Context Hint StatusText));
list(act(Action => 'Parkinglots'), qw(Name StartSpace StopSpace Timeout));
list(act(Action => 'ParkedCalls'));
act(Action => 'ConfbridgeListRooms');
act(Action => 'AGI', Channel => 'SIP/nobody-00000001', Command => 'NOOP');
act(Action => 'SIPnotify', Channel => 'SIP/6000', Variable => 'Event=check-sync');
$ami->disconnect or die "logoff: " . $ami->error;
`

// TestAMIModuleActions: a Debian AMI client (Telephony::Asterisk::AMI)
// runs the actions the modules register, on the real daemon.
func TestAMIModuleActions(t *testing.T) {
	requireTool(t, "perl", "-MTelephony::Asterisk::AMI", "-e1")
	in, port := amiInstance(t, nil, "", func(f map[string]string) {
		f["queues.conf"] = "[support]\nstrategy = ringall\nmember => SIP/6000,0,Alice\n"
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\nexten => 6000,hint,SIP/6000\n", 1)
	})
	script := filepath.Join(t.TempDir(), "modules.pl")
	if err := os.WriteFile(script, []byte(perlModulesScript), 0o644); err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSpace(runClient(t, 30*time.Second, "perl", script, strconv.Itoa(port)))
	want := strings.Join([]string{
		"QueueAdd Success: Added interface to queue",
		"QueueAdd Error: Unable to add interface: Already there",
		"QueueStatus Success: Queue status will follow",
		"  QueueParams Queue=support Strategy=ringall Calls=0",
		"  QueueMember Queue=support Name=Alice Location=SIP/6000 Membership=static Paused=0 PausedReason=",
		"  QueueMember Queue=support Name=Bob Location=SIP/6001 Membership=dynamic Paused=1 PausedReason=lunch",
		"  END QueueStatusComplete 3",
		"QueueSummary Success: Queue summary will follow",
		"  QueueSummary Queue=support LoggedIn=0 Available=0 Callers=0",
		"  END QueueSummaryComplete 1",
		"QueuePause Success: Interface unpaused successfully",
		"QueuePenalty Success: Interface penalty set successfully",
		"QueueStatus Success: Queue status will follow",
		"  QueueParams",
		"  QueueMember Name=Bob Penalty=2 Paused=0",
		"  END QueueStatusComplete 2",
		"QueueRemove Success: Removed interface from queue",
		"QueueRemove Error: Unable to remove interface: Not there",
		"ExtensionStateList Success: Extension Statuses will follow",
		"  ExtensionStatus Exten=6000 Context=work Hint=SIP/6000 StatusText=Unavailable",
		"  ExtensionStatus Exten=6002 Context=default Hint=SIP/6002 StatusText=Unavailable", // the sample's
		"  END ExtensionStateListComplete 2",
		"Parkinglots Success: Parking lots will follow",
		"  Parkinglot Name=default StartSpace=701 StopSpace=720 Timeout=45",
		"  END ParkinglotsComplete 1",
		"ParkedCalls Success: Parked calls will follow",
		"  END ParkedCallsComplete 0",
		"ConfbridgeListRooms Error: No active conferences.",
		"AGI Error: Channel SIP/nobody-00000001 does not exist.",
		"SIPnotify Error: Could not create address",
	}, "\n")
	if out != want {
		t.Errorf("perl client printed\n%s\nwant\n%s", out, want)
	}
	// QueueAdd and QueueRemove write queue_log lines as app_queue does.
	b, _ := os.ReadFile(in.Path("var", "log", "queue_log"))
	if ql := string(b); !strings.Contains(ql, "|MANAGER|support|Bob|ADDMEMBER|PAUSED") ||
		!strings.Contains(ql, "|MANAGER|support|Bob|REMOVEMEMBER|") {
		t.Errorf("queue_log:\n%s", ql)
	}
}
