package pbx

import (
	"fmt"
	"strconv"
	"strings"
)

// ChannelItemReader is implemented by drivers that answer CHANNEL() items
// of their own technology (chan_sip's peerip, recvip, from, uri,
// useragent, peername); ok is false for an item they do not know.
type ChannelItemReader interface {
	ChannelItem(item string) (value string, ok bool)
}

// ToneZone is the channel's indications country (CHANNEL(tonezone)), ""
// for indications.conf's default.
func (c *Channel) ToneZone() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.toneZone }

// SetToneZone sets the channel's indications country.
func (c *Channel) SetToneZone(s string) { c.mu.Lock(); c.toneZone = s; c.mu.Unlock() }

// channelFunction is CHANNEL(item): the items of func_channel.c that
// gostrisk keeps, read and written as Asterisk does.
var channelFunction = Function{
	Name:        "CHANNEL",
	Synopsis:    "Gets/sets various pieces of information about the channel.",
	Syntax:      "CHANNEL(item)",
	Description: "Gets/sets various pieces of information about the channel, additional items may be available from the channel driver; see its documentation for details. Any item requested that is not available on the current channel will return an empty string.",
	Arguments: "item - Standard items (provided by all channel technologies) are: accountcode, audioreadformat, " +
		"audiowriteformat, audionativeformat, channeltype, checkhangup, context, exten, language, linkedid, " +
		"musicclass, name, peer, priority, state, tonezone, uniqueid. chan_sip adds peerip, recvip, from, uri, " +
		"useragent, peername, callgroup, pickupgroup, rtpqos.",
	Read:  readChannelItem,
	Write: writeChannelItem,
}

func readChannelItem(ch *Channel, args string) (string, error) {
	if ch == nil {
		return "", fmt.Errorf("No channel was provided to CHANNEL function.")
	}
	item := strings.ToLower(strings.TrimSpace(args))
	switch item {
	case "language":
		return ch.Language(), nil
	case "musicclass":
		return ch.MusicClass(), nil
	case "tonezone":
		return ch.ToneZone(), nil
	case "accountcode":
		return ch.AccountCode(), nil
	case "channeltype":
		return ch.Tech(), nil
	case "name":
		return ch.Name(), nil
	case "uniqueid":
		return ch.UniqueID(), nil
	case "linkedid":
		return ch.LinkedID(), nil
	case "state":
		return ch.State().String(), nil
	case "context":
		c, _, _ := ch.Location()
		return c, nil
	case "exten":
		_, x, _ := ch.Location()
		return x, nil
	case "priority":
		_, _, p := ch.Location()
		return strconv.Itoa(p), nil
	case "checkhangup":
		if ch.HangupRequested() {
			return "1", nil
		}
		return "0", nil
	case "peer":
		if p := ch.Peer(); p != nil {
			return p.Name(), nil
		}
		return "", nil
	case "audionativeformat", "audioreadformat", "audiowriteformat":
		if f := ch.mediaFormat(item); f != nil {
			return f.Name, nil
		}
		return "", nil
	}
	if r, ok := ch.Driver().(ChannelItemReader); ok && ch.Driver() != nil {
		if v, ok := r.ChannelItem(item); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("Unknown or unavailable item requested: '%s'", args)
}

func writeChannelItem(ch *Channel, args, value string) error {
	if ch == nil {
		return fmt.Errorf("No channel was provided to CHANNEL function.")
	}
	switch strings.ToLower(strings.TrimSpace(args)) {
	case "language":
		ch.SetLanguage(value)
	case "musicclass":
		ch.SetMusicClass(value)
	case "tonezone":
		ch.SetToneZone(value)
	case "accountcode":
		ch.SetAccountCode(value)
	default:
		return fmt.Errorf("Unknown or unavailable item requested: '%s'", args)
	}
	return nil
}
