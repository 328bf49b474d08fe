package apps

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// all lists the applications of this package; each file adds its own.
func all() []*pbx.App {
	return []*pbx.App{
		noopApp, verboseApp, logApp, setApp, msetApp, gotoApp, gotoIfApp,
		execIfApp, gosubApp, gosubIfApp, returnApp, macroApp, macroExitApp,
		hangupApp, answerApp, ringingApp, progressApp, busyApp, congestionApp,
		waitApp, dialApp,
	}
}

// Register adds every application of the package to e.
func Register(e *pbx.Engine) error {
	for _, a := range all() {
		if err := e.RegisterApp(a); err != nil {
			return fmt.Errorf("apps: %w", err)
		}
	}
	return nil
}
