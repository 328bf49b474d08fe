package core

import "fmt"

// reloadForApp is the Reload application's way in: the names the CLI's
// "module reload" takes ("chan_sip", "pbx_config.so", "manager"), one
// at a time, and "" for everything. Unlike the CLI it prints nothing: the
// application only reports success or failure in RELOADSTATUS, and the
// reload itself logs what it finds wrong.
func (d *Daemon) reloadForApp(name string) error {
	if name == "" {
		return d.Reload("")
	}
	switch n := lowerTrim(name); n {
	case "logger":
		return d.reloadLogger()
	case "indications", "manager":
		return d.Reload(n)
	}
	m, ok := normalizeModule(name)
	if !ok {
		return fmt.Errorf("module %q not found", name)
	}
	if !m.Reloadable {
		return fmt.Errorf("module %q does not support reloading", m.Name)
	}
	return d.Reload(m.Name)
}
