package apps

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// DefaultSystemTimeout bounds a System() command when Config.SystemTimeout
// is zero. Asterisk waits for ever; a dialplan thread stuck behind a hung
// script is worse than a killed script, so gostrisk stops it.
const DefaultSystemTimeout = 5 * time.Minute

var systemApp = &pbx.App{
	Name:     "System",
	Synopsis: "Execute a system command.",
	Syntax:   "System(command)",
	Description: "Executes a command by using system(). If the command fails, the console should report a fallthrough.\n\n" +
		"Result of execution is returned in the SYSTEMSTATUS channel variable: FAILURE (could not execute the specified command), " +
		"SUCCESS (specified command successfully executed), APPERROR (specified command successfully executed, but returned error code).\n\n" +
		"gostrisk runs the command with /bin/sh -c as the daemon's user and kills it after the configured timeout.",
	Arguments: "command - Command to execute",
	SeeAlso:   "TrySystem, SHELL(), Exec",
	Exec:      func(ch *pbx.Channel, data string) (pbx.Result, error) { return systemExec(ch, data, true) },
}

var trySystemApp = &pbx.App{
	Name:     "TrySystem",
	Synopsis: "Try executing a system command.",
	Syntax:   "TrySystem(command)",
	Description: "Executes a command by using system().\n\n" +
		"Result of execution is returned in the SYSTEMSTATUS channel variable: FAILURE (could not execute the specified command), " +
		"SUCCESS (specified command successfully executed), APPERROR (specified command successfully executed, but returned error code).",
	Arguments: "command - Command to execute",
	SeeAlso:   "System, SHELL(), Exec",
	Exec:      func(ch *pbx.Channel, data string) (pbx.Result, error) { return systemExec(ch, data, false) },
}

// systemExec runs data as a shell command. System ends the dialplan when
// the command cannot run at all; TrySystem always continues.
func systemExec(ch *pbx.Channel, data string, hangupOnFailure bool) (pbx.Result, error) {
	log := ch.Engine().Log()
	failed := pbx.Continue
	if hangupOnFailure {
		failed = pbx.HangupResult
	}
	if data == "" {
		log.Warning("System requires an argument(command)\n")
		ch.SetVar("SYSTEMSTATUS", "FAILURE")
		return failed, nil
	}
	cmd := decodeEscapes(data)
	if len(cmd) >= 2 && (cmd[0] == '"' || cmd[0] == '\'') && cmd[len(cmd)-1] == cmd[0] {
		cmd = cmd[1 : len(cmd)-1]
		log.Notice("It is not necessary to quote the argument to the System application.\n")
	}
	timeout := configOf(ch.Engine()).systemTimeout()
	code, err := runShell(ch.Ctx(), cmd, timeout)
	if errors.Is(err, errSystemTimeout) {
		log.Warning("Command '%s' still running after %s: killed\n", cmd, timeout)
	}
	switch {
	case err != nil || code == 127:
		log.Warning("Unable to execute '%s'\n", data)
		ch.SetVar("SYSTEMSTATUS", "FAILURE")
		return failed, nil
	case code != 0:
		ch.SetVar("SYSTEMSTATUS", "APPERROR")
	default:
		ch.SetVar("SYSTEMSTATUS", "SUCCESS")
	}
	return pbx.Continue, nil
}

// errSystemTimeout reports a command killed after the timeout.
var errSystemTimeout = errors.New("timed out")

// runShell runs cmd with /bin/sh -c in a process group of its own, so
// that on timeout (or when ctx ends) the whole group is killed, and returns
// its exit status. Output is discarded, as the daemon has no terminal.
func runShell(ctx context.Context, cmd string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = time.Second
	err := realtime.Run(c)
	if ctx.Err() != nil {
		return -1, errSystemTimeout
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// decodeEscapes turns \n, \r, \t, \\ and \xHH into their characters, as
// ast_str_get_encoded_str does for System's argument.
func decodeEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			if n, err := strconv.ParseUint(s[i+1:j], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i = j - 1
			} else {
				b.WriteByte('x')
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
