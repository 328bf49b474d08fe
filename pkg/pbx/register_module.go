package pbx

import "fmt"

// RegisterModule adds a module's applications and functions to e in one
// call, the first failure wrapped with the module's name ("app_queue:
// ..."), so that every module registers, and reports a clash, alike.
func (e *Engine) RegisterModule(module string, apps []*App, funcs []Function) error {
	for _, a := range apps {
		if err := e.RegisterApp(a); err != nil {
			return fmt.Errorf("%s: %w", module, err)
		}
	}
	for _, f := range funcs {
		if err := e.RegisterFunction(f); err != nil {
			return fmt.Errorf("%s: %w", module, err)
		}
	}
	return nil
}
