package logger

// The functions here produce the lines the golden files hold; their file
// name, line numbers and names are part of the expected output, so edit
// this file only together with testdata/*.golden (go test -update).

func handleRegister(l *Logger) {
	l.Notice("Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Username/auth name mismatch")
	l.Warning("username mismatch, have <%s>, digest has <%s>", "6000", "asadek")
}

func runCall(l *Logger) {
	c := l.WithCallID(1)
	c.Verbose(3, "Executing [6000@work:1] Dial(\"SIP/6001-00000000\", \"SIP/6000,20\") in new stack")
	c.Verbose(2, "Spawn extension (work, 6000, 1) exited non-zero on 'SIP/6001-00000000'")
	c.Verbose(4, "0x7ffb28014b70 -- Strict RTP learning after remote address set to: 127.0.0.1:6200")
	c.Verbose(5, "Time to scan old dialplan and merge leftovers back into the new: 0.000020 sec")
	c.Verbose(1, "level one\nsecond line")
	c.DTMF("DTMF end '1' received on SIP/6001-00000000, duration 100 ms")
	c.Debug(1, "debug one")
	c.Debug(2, "debug two is above the debug level")
	c.Error("an error")
	c.Security("SecurityEvent=\"InvalidPassword\",Service=\"SIP\",RemoteAddress=\"IPV4/UDP/127.0.0.1/5061\"")
	func() { l.Notice("from a closure") }()
	l.Verbose(0, "Executing last minute cleanups")
}
