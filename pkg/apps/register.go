package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

// all lists the applications of this package; each file adds its own.
func all() []*pbx.App {
	return []*pbx.App{
		noopApp, verboseApp, logApp, setApp, msetApp, gotoApp, gotoIfApp,
		execIfApp, gosubApp, gosubIfApp, returnApp, macroApp, macroExitApp,
		hangupApp, answerApp, ringingApp, progressApp, busyApp, congestionApp,
		waitApp, dialApp,
		playbackApp, backgroundApp, waitExtenApp, readApp, readExtenApp,
		sayDigitsApp, sayNumberApp, sayAlphaApp, sayAlphaCaseApp, sayUnixTimeApp,
		recordApp, echoApp, milliwattApp, playTonesApp, stopPlayTonesApp, sendDTMFApp,
		controlPlaybackApp,
		gotoIfTimeApp, execIfTimeApp, whileApp, endWhileApp, exitWhileApp, continueWhileApp,
		execApp, tryExecApp, systemApp, trySystemApp,
		sipAddHeaderApp, sipRemoveHeaderApp, sipDtmfModeApp,
		noCDRApp, resetCDRApp, forkCDRApp, setAMAFlagsApp,
		stackPopApp, importVarApp, waitUntilApp, userEventApp, dumpChanApp, macroIfApp, macroExclusiveApp,
		authenticateApp, chanIsAvailApp, originateApp, sayPhoneticApp,
		waitDigitApp, proceedingApp, transferApp,
		softHangupApp, channelRedirectApp, waitForSilenceApp, waitForNoiseApp,
		retryDialApp, disaApp, bridgeApp, pageApp, blindTransferApp, attendedTransferApp, bridgeWaitApp, zapatellerApp, privacyManagerApp, backgroundDetectApp, waitForToneApp,
		ifApp, elseIfApp, elseApp, endIfApp, exitIfApp,
		incompleteApp, raiseExceptionApp, reloadApp, clearHashApp, dateTimeApp,
		sendTextApp, receiveTextApp, sendURLApp, sayMoneyApp, sayOrdinalApp,
		sayCountedNounApp, sayCountedAdjApp, waitForConditionApp, morsecodeApp,
		signalApp, waitForSignalApp, streamEchoApp, hangupCauseClearApp, storeDTMFApp,
	}
}

// Register adds every application of the package to e with the default
// Config (see RegisterWith).
func Register(e *pbx.Engine) error { return RegisterWith(e, Config{}) }
