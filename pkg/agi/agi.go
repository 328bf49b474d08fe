package agi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// Logger is what the module logs through (pkg/logger's *Logger).
type Logger interface {
	Verbose(level int, format string, args ...any)
	Notice(format string, args ...any)
	Warning(format string, args ...any)
}

// logError logs at ERROR when the logger has that level (pkg/logger
// does), else as a warning.
func logError(l Logger, format string, args ...any) {
	if el, ok := l.(interface{ Error(string, ...any) }); ok {
		el.Error(format, args...)
		return
	}
	l.Warning(format, args...)
}

// DB is the Asterisk database the DATABASE commands use.
type DB interface {
	Get(family, key string) (string, bool)
	Put(family, key, value string) error
	Del(family, key string) error
	DelTree(family, subtree string) (int, error)
}

// Options configure the module.
type Options struct {
	Log Logger
	// AGIDir is astagidir: relative script paths are under it.
	AGIDir string
	// ConfigDir and the other directories go to scripts as AST_* variables.
	ConfigDir, DataDir, LogDir, SpoolDir, RunDir, VarLibDir string
	DB                                                      DB
	// Version is agi_version ("18.26.4").
	Version string
	// ConnectTimeout bounds a FastAGI connection attempt (res_agi: 2 s).
	ConnectTimeout time.Duration
	// DeadWait is how long a script or FastAGI server may go on once the
	// channel hung up before it is killed or disconnected, so one that
	// never ends cannot hold the call's resources.
	DeadWait time.Duration
}

// Module is res_agi: the AGI applications and their commands.
type Module struct {
	opts   Options
	debug  atomic.Bool
	cmds   []*Command
	thread atomic.Int64
	eng    *pbx.Engine // the AGI action's channels
	async  asyncRuns   // the channels in AGI(agi:async)
}

// New returns the module.
func New(opts Options) *Module {
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 2 * time.Second
	}
	if opts.DeadWait == 0 {
		opts.DeadWait = 5 * time.Second
	}
	m := &Module{opts: opts}
	m.cmds = commands()
	return m
}

// Register adds AGI and DeadAGI to e.
func (m *Module) Register(e *pbx.Engine) error {
	m.eng = e
	return e.RegisterModule("res_agi", []*pbx.App{
		{Name: "AGI", Synopsis: "Executes an AGI compliant application.",
			Syntax: "AGI(command[,arg1[,arg2[,...]]])",
			Description: "Executes an Asterisk Gateway Interface compliant program on a channel. AGI allows Asterisk to launch external programs written in any language to control a telephony channel, play audio, read DTMF digits, etc. by communicating with the AGI protocol.\n" +
				"The program is run from astagidir when its path is relative; agi://host[:port][/script] connects to a FastAGI server instead (port 4573 by default).\n" +
				"This application sets the following channel variable upon completion: AGISTATUS - The status of the attempt to the run the AGI script text string, one of: SUCCESS, FAILURE, NOTFOUND, HANGUP.\n" +
				"agi:async hands the channel to manager clients (AsyncAGI): the AGI manager action queues commands, AsyncAGIStart/Exec/End events carry the environment and the answers.\n" +
				"EAGI gives a local script the caller's audio on file descriptor 3.",
			Arguments: "command\nargs",
			SeeAlso:   "EAGI, DeadAGI",
			Exec:      m.exec},
		{Name: "EAGI", Synopsis: "Executes an EAGI compliant application.",
			Syntax:      "EAGI(command[,arg1[,arg2[,...]]])",
			Description: "Using 'EAGI' provides enhanced AGI, with incoming audio available out of band on file descriptor 3 (8 kHz signed linear). Only a local script can have it: EAGI of agi://, hagi:// or agi:async fails with AGISTATUS=FAILURE, as in Asterisk.",
			Arguments:   "command\nargs",
			SeeAlso:     "AGI, DeadAGI",
			Exec:        m.execEAGI},
		{Name: "DeadAGI", Synopsis: "Executes AGI on a hungup channel.",
			Syntax:      "DeadAGI(command[,arg1[,arg2[,...]]])",
			Description: "Deprecated: AGI now detects a hung up channel itself; DeadAGI runs AGI.",
			Arguments:   "command\nargs",
			SeeAlso:     "AGI, EAGI",
			Exec:        m.exec},
	}, nil)
}

// transport is the script's side: a process's pipes or a FastAGI
// connection.
type transport interface {
	io.Writer
	// setWriteDeadline bounds writes, so a script that stops reading
	// cannot block the channel.
	setWriteDeadline(t time.Time)
	hangup()     // SIGHUP for a script, "HANGUP" for FastAGI
	close() bool // ends it; true when it ended on its own (exit 0 / EOF)
}

// session is one AGI run on a channel.
type session struct {
	m      *Module
	ch     *pbx.Channel
	t      transport
	lines  chan string
	script string
	dead   bool
	fast   bool
	eagi   *eagiAudio // EAGI's audio on fd 3 (nil for AGI)
}

func (m *Module) exec(ch *pbx.Channel, data string) (pbx.Result, error) {
	return m.run(ch, data, false)
}

// execEAGI is EAGI: AGI with the caller's audio on the script's fd 3.
// A hung up channel has no audio to give: eagi_exec refuses it (and
// leaves AGISTATUS alone).
func (m *Module) execEAGI(ch *pbx.Channel, data string) (pbx.Result, error) {
	if ch.HangupRequested() {
		logError(m.opts.Log, "EAGI cannot be run on a dead/hungup channel, please use AGI.\n")
		return pbx.Continue, nil
	}
	return m.run(ch, data, true)
}

func (m *Module) run(ch *pbx.Channel, data string, enhanced bool) (pbx.Result, error) {
	log := m.opts.Log
	if strings.TrimSpace(data) == "" {
		log.Warning("AGI requires an argument (script)\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	script := strings.TrimSpace(args[0])
	ch.SetVar("AGISTATUS", "")
	var (
		t     transport
		r     io.Reader
		err   error
		fast  bool
		netSc string
		audio *eagiAudio
	)
	if enhanced {
		// res_agi has no audio for a network or manager script: EAGI
		// fails there before anything is started (launch_script gives
		// FAILURE for agi:// and hagi:// without a word, AsyncAGI says
		// why), and the dialplan goes on with AGISTATUS=FAILURE.
		lower := strings.ToLower(script)
		switch {
		case strings.HasPrefix(lower, "agi:async"):
			log.Warning("Async AGI does not support Enhanced AGI yet\n")
			ch.SetVar("AGISTATUS", "FAILURE")
			return pbx.Continue, nil
		case strings.HasPrefix(lower, "agi://"), strings.HasPrefix(lower, "hagi://"):
			ch.SetVar("AGISTATUS", "FAILURE")
			return pbx.Continue, nil
		}
	}
	if strings.EqualFold(script, "agi:async") {
		status := m.execAsync(ch, args[1:])
		ch.SetVar("AGISTATUS", status)
		if status == "HANGUP" {
			return pbx.HangupResult, nil
		}
		return pbx.Continue, nil
	}
	if strings.HasPrefix(strings.ToLower(script), "agi://") {
		fast = true
		t, r, netSc, err = m.dialFast(script)
		if err != nil {
			ch.SetVar("AGISTATUS", "FAILURE")
			return pbx.Continue, nil
		}
	} else {
		path := script
		if !filepath.IsAbs(path) {
			path = filepath.Join(m.opts.AGIDir, path)
		}
		if _, serr := os.Stat(path); serr != nil {
			log.Warning("Failed to execute '%s': File does not exist.\n", path)
			ch.SetVar("AGISTATUS", "NOTFOUND")
			return pbx.Continue, nil
		}
		var fd3 *os.File
		if enhanced {
			if audio, fd3, err = startEAGI(ch); err != nil {
				log.Warning("Failed to execute '%s': %v\n", path, err)
				ch.SetVar("AGISTATUS", "FAILURE")
				return pbx.Continue, nil
			}
			defer audio.stop()
		}
		t, r, err = m.startScript(path, args[1:], fd3)
		if fd3 != nil {
			fd3.Close() // the script has its copy
		}
		if err != nil {
			log.Warning("Failed to execute '%s': %v\n", path, err)
			ch.SetVar("AGISTATUS", "FAILURE")
			return pbx.Continue, nil
		}
		log.Verbose(3, "Launched AGI Script %s\n", path)
	}
	s := &session{m: m, ch: ch, t: t, lines: make(chan string, 16), script: script, fast: fast,
		dead: ch.HangupRequested(), eagi: audio}
	env := s.environment(script, args[1:], fast, netSc)
	// The reader goroutine belongs to this run: it ends when the
	// transport is closed below (EOF or error), and lines is buffered so
	// its last send never blocks after we stop reading.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(s.lines)
		br := bufio.NewReaderSize(r, maxLine)
		for {
			line, err := readLine(br)
			if err != nil {
				return
			}
			s.lines <- line
		}
	}()
	status := s.run(env)
	ended := t.close()
	wg.Wait()
	if status == "" {
		status = "SUCCESS"
		if !ended && !s.dead {
			status = "FAILURE"
		}
	}
	if s.dead || ch.HangupRequested() {
		status = "HANGUP"
	}
	ch.SetVar("AGISTATUS", status)
	log.Verbose(3, "<%s>AGI Script %s completed, returning %d\n", ch.Name(), script, 0)
	if status == "HANGUP" {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// readLine reads one line without its end; a line over maxLine is cut.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(b) < maxLine {
			b = append(b, frag...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && len(b) == 0 {
			return "", err
		}
		if len(b) > maxLine {
			b = b[:maxLine]
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
}

// environment is the agi_* block sent first.
func (s *session) environment(script string, args []string, fast bool, netScript string) []string {
	ch := s.ch
	cid := ch.CallerID()
	ctx, exten, prio := ch.Location()
	enhanced := "0.0"
	if s.eagi != nil {
		enhanced = "1.0"
	}
	orUnknown := func(v string) string {
		if v == "" {
			return "unknown"
		}
		return v
	}
	env := []string{
		"agi_request: " + script,
		"agi_channel: " + ch.Name(),
		"agi_language: " + ch.Language(),
		"agi_type: " + ch.Tech(),
		"agi_uniqueid: " + ch.UniqueID(),
		"agi_version: " + s.m.opts.Version,
		"agi_callerid: " + orUnknown(cid.Num),
		"agi_calleridname: " + orUnknown(cid.Name),
		"agi_callingpres: 0",
		"agi_callingani2: 0",
		"agi_callington: 0",
		"agi_callingtns: 0",
		"agi_dnid: " + orUnknown(cid.DNID),
		"agi_rdnis: " + orUnknown(cid.RDNIS),
		"agi_context: " + ctx,
		"agi_extension: " + exten,
		"agi_priority: " + strconv.Itoa(prio),
		"agi_enhanced: " + enhanced,
		"agi_accountcode: " + ch.AccountCode(),
		"agi_threadid: " + strconv.FormatInt(140000000000000+s.m.thread.Add(1), 10),
	}
	if fast {
		head := []string{"agi_network: yes"}
		if netScript != "" {
			head = append(head, "agi_network_script: "+netScript)
		}
		env = append(head, env...)
	}
	for i, a := range args {
		env = append(env, fmt.Sprintf("agi_arg_%d: %s", i+1, a))
	}
	return env
}

// send writes one line to the script, bounded in time.
func (s *session) send(line string) error {
	if s.m.debug.Load() {
		s.m.opts.Log.Verbose(0, "<%s>AGI Tx >> %s\n", s.ch.Name(), line)
	}
	s.t.setWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := io.WriteString(s.t, line+"\n")
	return err
}

// run sends the environment and answers commands until the script ends.
// It returns a status to force ("" lets the outcome decide).
func (s *session) run(env []string) string {
	for _, l := range env {
		if err := s.send(l); err != nil {
			return "FAILURE"
		}
	}
	if err := s.send(""); err != nil {
		return "FAILURE"
	}
	var deadline <-chan time.Time
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	hangupSeen := s.dead
	if hangupSeen {
		timer = time.NewTimer(s.m.opts.DeadWait)
		deadline = timer.C
	}
	done := s.ch.Done()
	// onLine answers one line from the script; stop ends the run.
	onLine := func(line string, ok bool) (stop bool) {
		if !ok {
			return true
		}
		if s.m.debug.Load() {
			s.m.opts.Log.Verbose(0, "<%s>AGI Rx << %s\n", s.ch.Name(), line)
		}
		if strings.TrimSpace(line) == "" {
			return false
		}
		if !s.dead && s.ch.HangupRequested() {
			s.dead = true
		}
		resp, end := s.handle(line)
		if resp != "" {
			if err := s.send(strings.TrimSuffix(resp, "\n")); err != nil {
				return true
			}
		}
		return end
	}
	onHangup := func() {
		done = nil
		if !hangupSeen {
			hangupSeen = true
			s.dead = true
			s.t.hangup()
			timer = time.NewTimer(s.m.opts.DeadWait)
			deadline = timer.C
		}
	}
	for {
		if s.eagi != nil && !s.dead {
			// EAGI: between commands the caller's audio is read here (the
			// tap hands it to fd 3), a frame at a time, so that a line
			// from the script waits at most one frame time.
			select {
			case line, ok := <-s.lines:
				if onLine(line, ok) {
					return ""
				}
			case <-done:
				onHangup()
			default:
				s.eagi.readOnce(s.ch)
			}
			continue
		}
		select {
		case line, ok := <-s.lines:
			if onLine(line, ok) {
				return ""
			}
		case <-done:
			onHangup()
		case <-deadline:
			s.m.opts.Log.Warning("AGI script %s on hung up channel %s did not end within %v: closing it\n",
				s.script, s.ch.Name(), s.m.opts.DeadWait)
			return "HANGUP"
		}
	}
}

// handle runs one command line and returns the answer. Each command is
// announced on the engine bus as res_agi's AGIExecStart and AGIExecEnd
// manager events (class agi).
func (s *session) handle(line string) (resp string, end bool) {
	argv := ParseArgs(line)
	if len(argv) == 0 {
		return "", false
	}
	id := strconv.Itoa(int(rand.Int31()))
	s.publish("AGIExecStart", pbx.EventField{Key: "CommandId", Value: id}, pbx.EventField{Key: "Command", Value: line})
	code, result := 200, "Success"
	defer func() {
		s.publish("AGIExecEnd", pbx.EventField{Key: "CommandId", Value: id}, pbx.EventField{Key: "Command", Value: line},
			pbx.EventField{Key: "ResultCode", Value: strconv.Itoa(code)}, pbx.EventField{Key: "Result", Value: result})
	}()
	c := s.m.find(argv)
	if c == nil {
		code, result = 510, "Invalid or unknown command"
		return "510 Invalid or unknown command", false
	}
	if s.dead && !c.Dead {
		code, result = 511, "Command Not Permitted on a dead channel or intercept routine"
		return "511 Command Not Permitted on a dead channel or intercept routine", false
	}
	out, st := c.Run(s, argv)
	if st == runShowUsage {
		code, result = 520, "Usage"
		return "520-Invalid command syntax.  Proper usage follows:\n" + strings.TrimSuffix(c.Usage, "\n") + "\n520 End of proper usage.", false
	}
	if st == runHangup {
		s.dead = true
	}
	return out, false
}

// publish puts a module event about the session's channel on the bus.
func (s *session) publish(event string, fields ...pbx.EventField) {
	bus := s.ch.Engine().Bus()
	if bus.Wants(pbx.BusEventType(event)) {
		bus.Publish(pbx.BusEvent{Type: pbx.BusEventType(event), Channel: s.ch, Fields: fields})
	}
}

// find matches argv against the commands, longest first.
func (m *Module) find(argv []string) *Command {
	var best *Command
	for _, c := range m.cmds {
		if len(c.Words) > len(argv) || (best != nil && len(c.Words) <= len(best.Words)) {
			continue
		}
		ok := true
		for i, w := range c.Words {
			if !strings.EqualFold(w, argv[i]) {
				ok = false
				break
			}
		}
		if ok {
			best = c
		}
	}
	return best
}

// --- scripts ---

type scriptTransport struct {
	cmd  *exec.Cmd
	in   *os.File // our end of the script's stdin
	out  *os.File // our end of its stdout
	done chan error
}

func (t *scriptTransport) Write(p []byte) (int, error)  { return t.in.Write(p) }
func (t *scriptTransport) setWriteDeadline(d time.Time) { t.in.SetWriteDeadline(d) }
func (t *scriptTransport) hangup()                      { t.cmd.Process.Signal(syscall.SIGHUP) }

func (t *scriptTransport) close() bool {
	t.in.Close()
	var err error
	select {
	case err = <-t.done:
	case <-time.After(2 * time.Second):
		t.cmd.Process.Kill()
		err = <-t.done
	}
	t.out.Close()
	return err == nil
}

// startScript runs path with args; its stdin and stdout are our pipes
// (non-blocking on our side, so writes can time out).
func (m *Module) startScript(path string, args []string, fd3 *os.File) (transport, io.Reader, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	if fd3 != nil {
		cmd.ExtraFiles = []*os.File{fd3} // EAGI's audio
	}
	o := m.opts
	cmd.Env = append(os.Environ(),
		"AST_CONFIG_DIR="+o.ConfigDir, "AST_CONFIG_FILE="+filepath.Join(o.ConfigDir, "asterisk.conf"),
		"AST_MODULE_DIR=", "AST_SPOOL_DIR="+o.SpoolDir, "AST_MONITOR_DIR="+filepath.Join(o.SpoolDir, "monitor"),
		"AST_VAR_DIR="+o.VarLibDir, "AST_DATA_DIR="+o.DataDir, "AST_LOG_DIR="+o.LogDir,
		"AST_AGI_DIR="+o.AGIDir, "AST_KEY_DIR="+filepath.Join(o.VarLibDir, "keys"), "AST_RUN_DIR="+o.RunDir)
	if err := realtime.Start(cmd); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, nil, err
	}
	inR.Close()
	outW.Close()
	t := &scriptTransport{cmd: cmd, in: inW, out: outR, done: make(chan error, 1)}
	go func() { t.done <- cmd.Wait() }()
	return t, outR, nil
}

// --- FastAGI ---

type netTransport struct{ c net.Conn }

func (t *netTransport) Write(p []byte) (int, error)  { return t.c.Write(p) }
func (t *netTransport) setWriteDeadline(d time.Time) { t.c.SetWriteDeadline(d) }
func (t *netTransport) hangup() {
	t.c.SetWriteDeadline(time.Now().Add(time.Second))
	io.WriteString(t.c, "HANGUP\n")
}
func (t *netTransport) close() bool { t.c.Close(); return true }

// dialFast connects to agi://host[:port][/script]; it returns the script
// part (agi_network_script).
func (m *Module) dialFast(raw string) (transport, io.Reader, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		m.opts.Log.Warning("Unable to parse FastAGI URL '%s'\n", raw)
		return nil, nil, "", errors.New("bad url")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "4573")
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.ConnectTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		m.opts.Log.Warning("FastAGI connection to '%s' failed: %v\n", raw, err)
		return nil, nil, "", err
	}
	script := strings.TrimPrefix(raw[len("agi://"):], u.Host)
	script = strings.TrimPrefix(script, "/")
	return &netTransport{c}, c, script, nil
}
