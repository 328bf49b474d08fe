package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/manager"
)

// registerModuleActions adds the manager actions of the modules that are
// loaded (app_queue's Queue*, app_confbridge's Confbridge*, res_agi's AGI,
// app_mixmonitor's, res_parking's lists), as each Asterisk module registers its
// own when it loads.
func (d *Daemon) registerModuleActions(m *manager.Module, snap *Snapshot) error {
	if d.queue != nil {
		if err := d.queue.RegisterAMI(m, d.reloadQueues); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.confbridge != nil {
		if err := d.confbridge.RegisterAMI(m); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.agi != nil {
		if err := d.agi.RegisterAMI(m); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	// The voicemail module exists without app_voicemail.so (for MWI):
	// its actions come with the module only.
	if d.vm != nil && snap.Modules.Enabled("app_voicemail.so") {
		if err := d.vm.RegisterAMI(m); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.mixmon != nil {
		if err := d.mixmon.RegisterAMI(m, d.engine); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.agentpool != nil {
		if err := d.agentpool.RegisterAMI(m); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.parking != nil {
		if err := d.parking.RegisterAMI(m); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if d.features != nil {
		if err := d.features.RegisterAMI(m, d.engine); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	return nil
}
