package pbx

import (
	"strings"
	"sync"
)

// deviceProviders are the device state providers modules register
// (ast_devstate_prov_add): the state of "<prefix>:<rest>" devices is
// theirs, e.g. res_parking's "park:701@parkedcalls".
type deviceProviders struct {
	mu sync.RWMutex
	m  map[string]func(rest string) DeviceState // key: prefix lower-cased
}

// RegisterDeviceProvider makes fn answer the state of the devices named
// prefix + ":" + rest (the prefix in any case); the returned function
// removes it. A device whose provider is gone is INVALID, as Asterisk's.
func (e *Engine) RegisterDeviceProvider(prefix string, fn func(rest string) DeviceState) func() {
	key := strings.ToLower(prefix)
	p := &e.devProv
	p.mu.Lock()
	if p.m == nil {
		p.m = map[string]func(string) DeviceState{}
	}
	p.m[key] = fn
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.m, key)
		p.mu.Unlock()
	}
}

// providerState is the state of a provider's device; ok is false when
// device names no registered provider.
func (e *Engine) providerState(device string) (DeviceState, bool) {
	i := strings.IndexByte(device, ':')
	if i <= 0 || strings.IndexByte(device[:i], '/') >= 0 {
		return DeviceUnknown, false
	}
	p := &e.devProv
	p.mu.RLock()
	fn := p.m[strings.ToLower(device[:i])]
	p.mu.RUnlock()
	if fn == nil {
		return DeviceUnknown, false
	}
	return fn(device[i+1:]), true
}
