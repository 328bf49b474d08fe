package pbx

// Warn logs a substitution warning (pbx/expr.Warner): a function that
// failed logs its own message, as Asterisk's functions do, and the
// reference expands to nothing.
func (env channelEnv) Warn(msg string) { env.e.log.Warning("%s\n", msg) }
