package mixmonitor

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// mixMonitorFunc is app_mixmonitor's MIXMONITOR(id,key): what a running
// MixMonitor started with i(var) records; key filename is the only one.
func (m *Module) mixMonitorFunc() pbx.Function {
	return pbx.Function{
		Name: "MIXMONITOR", Synopsis: "Retrieve data pertaining to specific instances of MixMonitor on a channel.",
		Syntax:      "MIXMONITOR(id,key)",
		Description: "id: the unique ID of the MixMonitor instance (the i() option's variable). key: filename - the filename used for the MixMonitor recording.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			a := pbx.SplitArgs(s, ',')
			if s == "" || len(a) < 2 || a[0] == "" || a[1] == "" {
				return "", fmt.Errorf("Not enough arguments provided to MIXMONITOR. An ID and key must be provided")
			}
			if ch == nil {
				return "", fmt.Errorf("Could not find MixMonitor with ID %s", a[0])
			}
			recs := m.recordings(ch, a[0])
			if len(recs) == 0 {
				return "", fmt.Errorf("Could not find MixMonitor with ID %s", a[0])
			}
			if !strings.EqualFold(a[1], "filename") {
				return "", fmt.Errorf("Unrecognized MIXMONITOR option %s", a[1])
			}
			return recs[0].mixedPath, nil
		},
	}
}
