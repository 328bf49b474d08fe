package pbx

import "errors"

// Warn logs a substitution warning (pbx/expr.Warner).
func (env channelEnv) Warn(msg string) { env.e.log.Warning("%s\n", msg) }

// WarnFuncError logs a failing function's error (pbx/expr.FuncErrorWarner):
// its text is what Asterisk logs for it, at ERROR when the function marked
// it with LogAsError, else at WARNING; the reference expands to nothing.
func (env channelEnv) WarnFuncError(err error) {
	var le interface{ LogAsError() bool }
	if errors.As(err, &le) && le.LogAsError() {
		if el, ok := env.e.log.(errorLogger); ok {
			el.Error("%s\n", err.Error())
			return
		}
	}
	env.e.log.Warning("%s\n", err.Error())
}

// ErrorLevel marks a function's error as one Asterisk logs at ERROR
// rather than WARNING (ast_log(LOG_ERROR, ...) in the function).
func ErrorLevel(err error) error { return levelError{err} }

type levelError struct{ error }

func (e levelError) Unwrap() error  { return e.error }
func (levelError) LogAsError() bool { return true }

// LogFunctionError logs the error of a function write (Set(FUNC(x)=y)) at
// the level the function gave it, as WarnFuncError does for reads.
func (e *Engine) LogFunctionError(err error) { channelEnv{e: e}.WarnFuncError(err) }
