package funcs

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_devstate.c's DEVICE_STATE and func_extstate.c's
// EXTENSION_STATE, over pkg/pbx's device states (channels the engine
// knows, the technology's view, Custom: devices).

// CustomDevstateFamily is the astdb family Custom: device states persist
// in, as func_devstate.c keeps them; the core loads them at start.
const CustomDevstateFamily = "CustomDevstate"

func devstateFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	return []pbx.Function{
		{Name: "DEVICE_STATE", Synopsis: "Get or Set a device state.", Syntax: "DEVICE_STATE(device)",
			Description: "The DEVICE_STATE function can be used to retrieve the device state from any device state provider. It can also be used to set the state of a custom device state (Custom:name). The possible values for both uses are: UNKNOWN | NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE | ONHOLD",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				return e.DeviceState(strings.TrimSpace(s)).String(), nil
			},
			Write: func(_ *pbx.Channel, s, value string) error {
				name, ok := cutPrefixFold(strings.TrimSpace(s), "Custom:")
				if !ok {
					return fmt.Errorf("The DEVICE_STATE function can only be used to set 'Custom:' device state!")
				}
				if name == "" {
					return fmt.Errorf("DEVICE_STATE function called with no custom device name!")
				}
				st, _ := pbx.ParseDeviceState(value) // an unknown name is UNKNOWN, as ast_devstate_val
				e.SetCustomDeviceState(name, st)
				if deps.DB != nil {
					if err := deps.DB.Put(CustomDevstateFamily, name, st.String()); err != nil {
						return fmt.Errorf("DEVICE_STATE: astdb: %w", err)
					}
				}
				return nil
			}},
		{Name: "EXTENSION_STATE", Synopsis: "Get an extension's state.", Syntax: "EXTENSION_STATE(extension[@context])",
			Description: "The EXTENSION_STATE function can be used to retrieve the state from any hinted extension. The possible values returned by this function are: UNKNOWN | NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE | HOLDINUSE | ONHOLD",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				exten, context, _ := strings.Cut(s, "@")
				if context == "" {
					context = "default"
				}
				if exten == "" {
					return "", fmt.Errorf("EXTENSION_STATE requires an extension")
				}
				st, ok := e.ExtensionState(context, exten)
				if !ok {
					return "UNKNOWN", nil
				}
				return string(st), nil
			}},
	}
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
