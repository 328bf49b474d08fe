package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Device states as ChanIsAvail reports them in AVAILSTATUS: Asterisk's
// AST_DEVICE_* numbers.
const (
	devUnknown   = 0
	devNotInUse  = 1
	devInUse     = 2
	devInvalid   = 4
	devRinging   = 6
	devRingInUse = 7
)

var chanIsAvailApp = &pbx.App{
	Name:     "ChanIsAvail",
	Synopsis: "Check channel availability",
	Syntax:   "ChanIsAvail(Technology/Resource[&Technology2/Resource2[&...]][,options])",
	Description: "This application will check to see if any of the specified channels are available.\n\n" +
		"This application sets the following channel variables: AVAILCHAN (the name of the available channel, if one exists), " +
		"AVAILORIGCHAN (the canonical channel name that was used to create the channel), " +
		"AVAILSTATUS (the device state for the device), AVAILCAUSECODE (the cause code returned when requesting the channel).",
	Arguments: "Technology/Resource - Specification of the device(s) to check. These must be in the format of Technology/Resource, where Technology represents a particular channel driver, and Resource represents a resource available to that particular channel driver.\n" +
		"options - a: Check for all available channels, not only the first one. " +
		"s: Consider the channel unavailable if the channel is in use at all. " +
		"t: Simply checks if specified channels exist in the channel list.",
	Exec: chanIsAvail,
}

func chanIsAvail(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	args := pbx.SplitArgs(data, ',')
	opts := ""
	if len(args) > 1 {
		opts = args[1]
	}
	all := strings.ContainsRune(opts, 'a')
	stateOpt := strings.ContainsRune(opts, 's')
	nameOpt := strings.ContainsRune(opts, 't')
	var avail, orig, stat, causes []string
	for _, dev := range strings.Split(args[0], "&") {
		dev = strings.TrimSpace(dev)
		tech, resource, ok := strings.Cut(dev, "/")
		if !ok {
			if dev != "" {
				e.Log().Warning("Invalid ChanIsAvail technology/resource argument: '%s'\n", dev)
			}
			stat = append(stat, strconv.Itoa(devInvalid))
			continue
		}
		status, inuse := devUnknown, -1
		switch {
		case nameOpt:
			status = channelState(e, dev, true)
			inuse = status
		case stateOpt:
			status = channelState(e, dev, false)
			inuse = status
		}
		stat = append(stat, strconv.Itoa(status))
		if inuse > devNotInUse {
			continue
		}
		// No requestor: the probe must not count as a leg of this call
		// (its CDR, its outbound legs); Asterisk disables the probe's CDR.
		probe, err := e.Request(ch.Ctx(), tech, resource, nil)
		if err != nil {
			continue
		}
		avail = append(avail, probe.Name())
		orig = append(orig, tech+"/"+resource)
		// A request that succeeded leaves Asterisk's cause unset (0).
		causes = append(causes, "0")
		probe.Hangup(pbx.CauseNormalClearing)
		if !all {
			break
		}
	}
	ch.SetVar("AVAILCHAN", strings.Join(avail, "&"))
	ch.SetVar("AVAILORIGCHAN", strings.Join(orig, "&"))
	ch.SetVar("AVAILSTATUS", strings.Join(stat, "&"))
	ch.SetVar("AVAILCAUSECODE", strings.Join(causes, "&"))
	return pbx.Continue, nil
}

// channelState is a device's state as the channels the engine knows show
// it: a channel named device-<seq> ringing is RINGING, up or dialing
// INUSE, both RINGINUSE. With byName (option t, ast_parse_device_state)
// no channel is UNKNOWN; otherwise (option s) a device of a known
// technology without a channel counts as NOT_INUSE and one of an unknown
// technology as INVALID.
func channelState(e *pbx.Engine, device string, byName bool) int {
	prefix := strings.ToLower(device) + "-"
	ringing, inuse := false, false
	for _, c := range e.Channels() {
		if !strings.HasPrefix(strings.ToLower(c.Name()), prefix) || c.Gone() {
			continue
		}
		switch c.State() {
		case pbx.StateRing, pbx.StateRinging:
			ringing = true
		default:
			inuse = true
		}
	}
	switch {
	case ringing && inuse:
		return devRingInUse
	case ringing:
		return devRinging
	case inuse:
		return devInUse
	case byName:
		return devUnknown
	}
	tech, _, _ := strings.Cut(device, "/")
	if _, ok := e.Technology(tech); !ok {
		return devInvalid
	}
	return devNotInUse
}
