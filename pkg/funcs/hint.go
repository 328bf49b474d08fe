package funcs

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// hintFuncs is func_devstate.c's HINT: the device list of an extension's
// hint (ast_get_hint), or with the n option the hint's name (the data of
// the hint priority, empty for "exten => x,hint,devices" lines).
func hintFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{{
		Name: "HINT", Synopsis: "Get the devices set for a dialplan hint.",
		Syntax:      "HINT(extension[@context][,options])",
		Description: "The HINT function can be used to retrieve the list of devices that are mapped to a dialplan hint.",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			a := args(s)
			if len(a) == 0 || strings.TrimSpace(a[0]) == "" {
				return "", fmt.Errorf("The HINT function requires an extension")
			}
			exten, context, _ := strings.Cut(a[0], "@")
			if context == "" {
				context = "default"
			}
			hf, ok := e.Plan().(pbx.HintFinder)
			if !ok {
				return "", nil
			}
			v, ok := hf.Hint(context, exten)
			if !ok {
				return "", nil
			}
			if len(a) > 1 && strings.Contains(a[1], "n") {
				return "", nil // hint lines carry no data
			}
			return v, nil
		},
	}}
}
