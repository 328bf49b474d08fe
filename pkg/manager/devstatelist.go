package manager

import (
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// actDeviceStateList lists the devices whose state the PBX follows: the
// Custom: devices set, and every device a hint names, each as a
// DeviceStateChange event with its current state, by name.
func actDeviceStateList(r *Request) error {
	eng := r.s.m.opts.Engine
	names := map[string]string{} // lower-cased -> as first written
	for name := range eng.CustomDeviceStates() {
		names[strings.ToLower("Custom:"+name)] = "Custom:" + name
	}
	for _, h := range eng.Hints() {
		if strings.HasPrefix(h.Exten, "_") {
			continue // a pattern hint names ${EXTEN}, not a device
		}
		devs, _ := pbx.HintDevices(h.Devices)
		for _, d := range devs {
			if k := strings.ToLower(d); names[k] == "" {
				names[k] = d
			}
		}
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	r.ListStart("Device State Changes will follow")
	for _, k := range keys {
		d := names[k]
		r.ListItem("DeviceStateChange", Header{"Device", d}, Header{"State", eng.DeviceState(d).String()})
	}
	r.ListComplete("DeviceStateListComplete", len(keys))
	return nil
}
