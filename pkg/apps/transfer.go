package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var transferApp = &pbx.App{
	Name:     "Transfer",
	Synopsis: "Transfer caller to remote extension.",
	Syntax:   "Transfer([Tech/]destination)",
	Description: "Requests the remote caller be transferred to a given destination. If TECH (SIP, IAX2, etc) is used, only an incoming call with the same channel technology will be transferred. Note that for SIP, if you transfer before call is setup, a 302 redirect SIP message will be returned to the caller.\n\n" +
		"The result of the application will be reported in the TRANSFERSTATUS channel variable:\n" +
		"SUCCESS - Transfer succeeded.\n" +
		"FAILURE - Transfer failed.\n" +
		"UNSUPPORTED - Transfer unsupported by channel driver.\n\n" +
		"The protocol specific error cause of the transfer is reported in TRANSFERSTATUSPROTOCOL: 0 when none, else a SIP error code.",
	Arguments: "dest - [Tech/]destination",
	Exec:      transferExec,
}

func transferExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	set := func(status string, code int) (pbx.Result, error) {
		ch.SetVar("TRANSFERSTATUS", status)
		ch.SetVar("TRANSFERSTATUSPROTOCOL", strconv.Itoa(code))
		return pbx.Continue, nil
	}
	dest := strings.TrimSpace(pbx.SplitArgs(data, ',')[0])
	if dest == "" {
		ch.Engine().Log().Warning("Transfer requires an argument ([Tech/]destination)\n")
		return set("FAILURE", 0)
	}
	if i := strings.IndexByte(dest, '/'); i > 0 {
		if !strings.EqualFold(dest[:i], ch.Tech()) {
			return set("FAILURE", 0)
		}
		dest = dest[i+1:]
	}
	td, ok := ch.Driver().(pbx.TransferDriver)
	if !ok {
		return set("UNSUPPORTED", 0)
	}
	code, err := td.Transfer(ch.Ctx(), dest)
	if err != nil {
		return set("FAILURE", code)
	}
	return set("SUCCESS", code)
}
