package parking

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is res_parking's device state provider: the devices
// "park:<space>@<lot context>" that parkinghints=yes hints name, INUSE
// while a call is parked at the space, NOT_INUSE otherwise.

// DeviceProvider is the prefix of the parking spaces' devices.
const DeviceProvider = "park"

// spaceDevice names the device of a space of a lot.
func spaceDevice(space int, context string) string {
	return DeviceProvider + ":" + strconv.Itoa(space) + "@" + context
}

// DeviceState is the state of the device "park:<rest>": rest is
// "<space>@<context>"; INVALID without a context.
func (m *Module) DeviceState(rest string) pbx.DeviceState {
	exten, context, ok := strings.Cut(rest, "@")
	if !ok || context == "" {
		return pbx.DeviceInvalid
	}
	n, err := strconv.Atoi(exten)
	if err != nil {
		return pbx.DeviceNotInUse
	}
	for _, l := range m.allLots() {
		if strings.EqualFold(l.Context, context) && n >= l.Start && n <= l.Stop && m.occupied(l.Name, n) {
			return pbx.DeviceInUse
		}
	}
	return pbx.DeviceNotInUse
}

// spaceChanged announces the new state of pc's space (parked or freed)
// so that the hints watching it (BLF keys) follow.
func (m *Module) spaceChanged(pc *parkedCall) {
	lot := m.lookup(pc.lot)
	if lot == nil {
		return
	}
	pc.ch.Engine().PublishDeviceState(spaceDevice(pc.space, lot.Context))
}
