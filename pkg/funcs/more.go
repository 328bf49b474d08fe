package funcs

import "github.com/gostrisk/gostrisk/pkg/pbx"

// moreFuncs gathers the functions added in session 9 (one file per
// family, as the rest of the package), so Register's list stays short.
func moreFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	var out []pbx.Function
	for _, g := range [][]pbx.Function{
		minMaxFuncs(), {sipHeadersFunc()}, strMoreFuncs(e), aesFuncs(), jsonFuncs(e), iconvFuncs(e),
		varsMoreFuncs(e), sayFilesFuncs(e, deps), fileFuncs(e), chanInfoFuncs(e), lockFuncs(), audioFuncs(e), {talkDetectFunc(e), holdInterceptFunc(e), astConfigFunc(deps)}, curlFuncs(e), dnsFuncs(e, deps), enumFuncs(e, deps), {periodicHookFunc(e), jitterBufferFunc()},
	} {
		out = append(out, g...)
	}
	return out
}
