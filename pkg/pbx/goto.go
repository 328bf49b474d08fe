package pbx

import (
	"fmt"
	"strconv"
	"strings"
)

// ResolveGoto turns a Goto-style target "[[context,]exten,]priority"
// (priority: a number, +N/-N, or a label) into a location relative to
// where ch is, as Asterisk's parseable goto does.
func (e *Engine) ResolveGoto(ch *Channel, target string) (dpContext, exten string, priority int, err error) {
	dpContext, exten, cur := ch.Location()
	parts := strings.Split(target, ",")
	var pri string
	switch len(parts) {
	case 1:
		pri = parts[0]
	case 2:
		exten, pri = parts[0], parts[1]
	case 3:
		dpContext, exten, pri = parts[0], parts[1], parts[2]
	default:
		return "", "", 0, fmt.Errorf("invalid goto target %q", target)
	}
	dpContext, exten, pri = strings.TrimSpace(dpContext), strings.TrimSpace(exten), strings.TrimSpace(pri)
	if exten == "BYEXTENSION" {
		_, exten, _ = ch.Location()
	}
	mode := byte(0)
	if pri != "" && (pri[0] == '+' || pri[0] == '-') {
		mode, pri = pri[0], pri[1:]
	}
	n, convErr := strconv.Atoi(pri)
	if convErr != nil || n < 1 && mode == 0 {
		plan := e.Plan()
		var ok bool
		if plan != nil && convErr != nil {
			n, ok = plan.FindLabel(dpContext, exten, ch.CallerID().Num, pri)
		}
		if !ok {
			return "", "", 0, fmt.Errorf("Priority '%s' must be a number > 0, or valid label", pri)
		}
		mode = 0
	}
	switch mode {
	case '+':
		n = cur + n
	case '-':
		n = cur - n
	}
	return dpContext, exten, n, nil
}
