package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Applications that act on another channel: app_softhangup's SoftHangup
// and app_channelredirect's ChannelRedirect.

var softHangupApp = &pbx.App{
	Name:        "SoftHangup",
	Synopsis:    "Hangs up the requested channel.",
	Syntax:      "SoftHangup(Technology/Resource[,options])",
	Description: "Hangs up the requested channel. If there are no channels to hangup, the application will report it.",
	Arguments:   "Technology/Resource\noptions\n    a: Hang up all channels on a specified device instead of a single resource",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		args := pbx.SplitArgs(data, ',')
		target := ""
		if len(args) > 0 {
			target = strings.TrimSpace(args[0])
		}
		if target == "" {
			ch.Engine().Log().Warning("SoftHangup requires an argument (Technology/resource)\n")
			return pbx.Continue, nil
		}
		all := len(args) > 1 && strings.ContainsRune(args[1], 'a')
		for _, c := range ch.Engine().Channels() {
			if !strings.EqualFold(deviceOfName(c.Name()), target) {
				continue
			}
			c.SoftHangup(pbx.CauseNormalClearing)
			if !all {
				break
			}
		}
		return pbx.Continue, nil
	},
}

// deviceOfName is a channel's name without its "-sequence" suffix
// (SIP/6000-0000000a -> SIP/6000), the device SoftHangup names.
func deviceOfName(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		return name[:i]
	}
	return name
}

var channelRedirectApp = &pbx.App{
	Name:        "ChannelRedirect",
	Synopsis:    "Redirects given channel to a dialplan target",
	Syntax:      "ChannelRedirect(channel,[[context,]extension,]priority)",
	Description: "Sends the specified channel to the specified extension priority\nThis application sets the following channel variables upon completion\n    CHANNELREDIRECT_STATUS - Are set to the result of the redirection\n        NOCHANNEL\n        SUCCESS",
	Arguments:   "channel\ncontext\nextension\npriority",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		e := ch.Engine()
		name, target, _ := strings.Cut(data, ",")
		name, target = strings.TrimSpace(name), strings.TrimSpace(target)
		if name == "" || target == "" {
			e.Log().Warning("ChannelRedirect(channel,[[context,]extension,]priority)\n")
			return pbx.HangupResult, nil
		}
		c, ok := e.FindChannel(name)
		if !ok {
			e.Log().Warning("No such channel: %s\n", name)
			ch.SetVar("CHANNELREDIRECT_STATUS", "NOCHANNEL")
			return pbx.Continue, nil
		}
		ctx, exten, prio, err := e.ResolveGoto(c, target)
		if err == nil {
			err = c.AsyncGoto(ctx, exten, prio)
		}
		if err != nil {
			e.Log().Warning("ChannelRedirect: %v\n", err)
		}
		ch.SetVar("CHANNELREDIRECT_STATUS", "SUCCESS")
		return pbx.Continue, nil
	},
}
