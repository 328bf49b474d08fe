package agi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// runStatus is what a command's handler tells the loop.
type runStatus int

const (
	runOK        runStatus = iota
	runShowUsage           // wrong arguments: answer 520 with the usage
	runHangup              // the channel hung up during the command
)

// Command is one AGI command.
type Command struct {
	Words   []string
	Dead    bool // allowed on a hung up channel
	Summary string
	Usage   string
	Run     func(s *session, argv []string) (string, runStatus)
}

// FullName is the command's words joined.
func (c *Command) FullName() string { return strings.Join(c.Words, " ") }

func ok(n int) string { return "200 result=" + strconv.Itoa(n) }

// digitResult is a key as res_agi reports it: its character code.
func digitResult(d rune) int { return int(d) }

// hungUp tells a command's channel error from a file's.
func hungUp(err error) bool {
	return errors.Is(err, pbx.ErrHangup) || errors.Is(err, pbx.ErrInterrupted)
}

// commands is res_agi's command table (the part gostrisk implements), in
// its order.
func commands() []*Command {
	return []*Command{
		{Words: []string{"answer"}, Summary: "Answer channel",
			Usage: " Usage: ANSWER\n       Answers channel if not already in answer state. Returns -1 on\n channel failure, or 0 if successful.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if s.ch.State() == pbx.StateUp {
					return ok(0), runOK
				}
				if err := s.ch.Answer(); err != nil {
					return ok(-1), runOK
				}
				return ok(0), runOK
			}},
		{Words: []string{"channel", "status"}, Dead: true, Summary: "Returns status of the connected channel.",
			Usage: " Usage: CHANNEL STATUS [<channelname>]\n       Returns the status of the specified channel.\n If no channel name is given then returns the status of the current channel.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) > 3 {
					return "", runShowUsage
				}
				ch := s.ch
				if len(argv) == 3 {
					c, found := s.ch.Engine().FindChannel(argv[2])
					if !found {
						return ok(-1), runOK
					}
					ch = c
				}
				return ok(int(ch.State())), runOK
			}},
		{Words: []string{"control", "stream", "file"}, Summary: "Sends audio file on channel and allows the listener to control the stream.",
			Usage: " Usage: CONTROL STREAM FILE <filename> <escape digits> [<skipms> [<ffchar> [<rewchr> [<pausechr> [<offsetms>]]]]]\n       Send the given file, allowing playback to be controlled by the given\n digits, if any. Use double quotes for the digits if you wish none to be\n permitted.\n",
			Run:   cmdControlStream},
		{Words: []string{"database", "del"}, Dead: true, Summary: "Removes database key/value",
			Usage: " Usage: DATABASE DEL <family> <key>\n       Deletes an entry in the Asterisk database for a\n given family and key.\n Returns 1 if successful, 0 otherwise.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				if db := s.m.opts.DB; db != nil {
					if _, found := db.Get(argv[2], argv[3]); found && db.Del(argv[2], argv[3]) == nil {
						return ok(1), runOK
					}
				}
				return ok(0), runOK
			}},
		{Words: []string{"database", "deltree"}, Dead: true, Summary: "Removes database keytree/value",
			Usage: " Usage: DATABASE DELTREE <family> [<keytree>]\n       Deletes a family or specific keytree within a family\n in the Asterisk database.\n Returns 1 if successful, 0 otherwise.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 3 || len(argv) > 4 {
					return "", runShowUsage
				}
				sub := ""
				if len(argv) == 4 {
					sub = argv[3]
				}
				if db := s.m.opts.DB; db != nil {
					if n, err := db.DelTree(argv[2], sub); err == nil && n > 0 {
						return ok(1), runOK
					}
				}
				return ok(0), runOK
			}},
		{Words: []string{"database", "get"}, Dead: true, Summary: "Gets database value",
			Usage: " Usage: DATABASE GET <family> <key>\n       Retrieves an entry in the Asterisk database for a\n given family and key.\n Returns 0 if <key> is not set.  Returns 1 if <key> is set and returns the variable in parenthesis.\n Example return code: 200 result=1 (testvariable)\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				if db := s.m.opts.DB; db != nil {
					if v, found := db.Get(argv[2], argv[3]); found {
						return ok(1) + " (" + v + ")", runOK
					}
				}
				return ok(0), runOK
			}},
		{Words: []string{"database", "put"}, Dead: true, Summary: "Adds/updates database value",
			Usage: " Usage: DATABASE PUT <family> <key> <value>\n       Adds or updates an entry in the Asterisk database for a\n given family, key, and value.\n Returns 1 if successful, 0 otherwise.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 5 {
					return "", runShowUsage
				}
				if db := s.m.opts.DB; db != nil && db.Put(argv[2], argv[3], argv[4]) == nil {
					return ok(1), runOK
				}
				return ok(0), runOK
			}},
		{Words: []string{"exec"}, Dead: true, Summary: "Executes a given Application",
			Usage: " Usage: EXEC <application> <options>\n       Executes application with given options.\n Returns whatever the application returns, or -2 on failure to find application\n",
			Run:   cmdExec},
		{Words: []string{"get", "data"}, Summary: "Prompts for DTMF on a channel",
			Usage: " Usage: GET DATA <file to be streamed> [timeout] [max digits]\n       Stream the given file, and receive DTMF data. Returns the digits received\nfrom the channel at the other end.\n",
			Run:   cmdGetData},
		{Words: []string{"get", "full", "variable"}, Dead: true, Summary: "Evaluates a channel expression",
			Usage: " Usage: GET FULL VARIABLE <variablename> [<channel name>]\n       Returns 0 if <variablename> is not set or channel does not exist.  Returns 1\nif <variablename> is set and returns the variable in parenthesis.  Understands\ncomplex variable names and builtin variables, unlike GET VARIABLE.\n Example return code: 200 result=1 (testvariable)\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 4 || len(argv) > 5 {
					return "", runShowUsage
				}
				ch := s.ch
				if len(argv) == 5 {
					c, found := s.ch.Engine().FindChannel(argv[4])
					if !found {
						return ok(0), runOK
					}
					ch = c
				}
				return ok(1) + " (" + ch.Engine().Substitute(ch, argv[3]) + ")", runOK
			}},
		{Words: []string{"get", "option"}, Summary: "Stream file, prompt for DTMF, with timeout.",
			Usage: " Usage: GET OPTION <filename> <escape_digits> [timeout]\n       Behaves similar to STREAM FILE but used with a timeout option.\n",
			Run:   cmdGetOption},
		{Words: []string{"get", "variable"}, Dead: true, Summary: "Gets a channel variable.",
			Usage: " Usage: GET VARIABLE <variablename>\n       Returns 0 if <variablename> is not set. Returns 1 if <variablename>\n is set and returns the variable in parentheses.\n example return code: 200 result=1 (testvariable)\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 3 {
					return "", runShowUsage
				}
				name := argv[2]
				e := s.ch.Engine()
				if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
					v, err := e.ReadFunction(s.ch, name[:i], name[i+1:len(name)-1])
					if err != nil {
						return ok(0), runOK
					}
					return ok(1) + " (" + v + ")", runOK
				}
				if v, found := s.ch.Var(name); found {
					return ok(1) + " (" + v + ")", runOK
				}
				if v, found := e.Env(s.ch).Var(name); found {
					return ok(1) + " (" + v + ")", runOK
				}
				return ok(0), runOK
			}},
		{Words: []string{"hangup"}, Dead: true, Summary: "Hangup a channel.",
			Usage: " Usage: HANGUP [<channelname>]\n       Hangs up the specified channel.\n If no channel name is given, hangs up the current channel\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) > 2 {
					return "", runShowUsage
				}
				ch := s.ch
				if len(argv) == 2 {
					c, found := s.ch.Engine().FindChannel(argv[1])
					if !found {
						return ok(-1), runOK
					}
					ch = c
				}
				ch.SoftHangup(pbx.CauseNormalClearing)
				return ok(1), runOK
			}},
		{Words: []string{"noop"}, Dead: true, Summary: "Does nothing.",
			Usage: " Usage: NoOp\n       Does nothing.\n",
			Run:   func(s *session, argv []string) (string, runStatus) { return ok(0), runOK }},
		{Words: []string{"record", "file"}, Summary: "Records to a given file.",
			Usage: " Usage: RECORD FILE <filename> <format> <escape digits> <timeout> [offset samples] [BEEP] [s=silence]\n       Record to a file until a given dtmf digit in the sequence is received\n Returns -1 on hangup or error.  The format will specify what kind of file\n will be recorded.  The timeout is the maximum record time in milliseconds, or\n -1 for no timeout. \"Offset samples\" is optional, and, if provided, will seek\n to the offset without exceeding the end of the file.  \"silence\" is the number\n of seconds of silence allowed before the function returns despite the\n lack of dtmf digits or reaching timeout.  Silence value must be\n preceded by \"s=\" and is also optional.\n",
			Run:   cmdRecordFile},
		{Words: []string{"say", "alpha"}, Summary: "Says a given character string.",
			Usage: " Usage: SAY ALPHA <number> <escape digits>\n       Say a given character string, returning early if any of the given DTMF digits\n are received on the channel. Returns 0 if playback completes without a digit\n being pressed, or the ASCII numerical value of the digit if one was pressed or\n -1 on error/hangup.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				return sayResult(apps.SayAlpha(s.ch, argv[2], argv[3]))
			}},
		{Words: []string{"say", "digits"}, Summary: "Says a given digit string.",
			Usage: " Usage: SAY DIGITS <number> <escape digits>\n       Say a given digit string, returning early if any of the given DTMF digits\n are received on the channel. Returns 0 if playback completes without a digit\n being pressed, or the ASCII numerical value of the digit if one was pressed or\n -1 on error/hangup.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				return sayResult(apps.SayDigits(s.ch, argv[2], argv[3]))
			}},
		{Words: []string{"say", "number"}, Summary: "Says a given number.",
			Usage: " Usage: SAY NUMBER <number> <escape digits> [gender]\n       Say a given number, returning early if any of the given DTMF digits\n are received on the channel.  Returns 0 if playback completes without a digit\n being pressed, or the ASCII numerical value of the digit if one was pressed or\n -1 on error/hangup.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 4 || len(argv) > 5 {
					return "", runShowUsage
				}
				n, err := strconv.Atoi(argv[2])
				if err != nil {
					return "", runShowUsage
				}
				gender := ""
				if len(argv) == 5 {
					gender = argv[4]
				}
				return sayResult(apps.SayNumber(s.ch, n, argv[3], gender))
			}},
		{Words: []string{"say", "date"}, Summary: "Says a given date.",
			Usage: " Usage: SAY DATE <date> <escape digits>\n       Say a given date, returning early if any of the given DTMF digits are\n received on the channel.  <date> is number of seconds elapsed since 00:00:00\n on January 1, 1970, Coordinated Universal Time (UTC). Returns 0 if playback\n completes without a digit being pressed, or the ASCII numerical value of the\n digit if one was pressed or -1 on error/hangup.\n",
			Run:   sayTime("ABdY")},
		{Words: []string{"say", "time"}, Summary: "Says a given time.",
			Usage: " Usage: SAY TIME <time> <escape digits>\n       Say a given time, returning early if any of the given DTMF digits are\n received on the channel.  <time> is number of seconds elapsed since 00:00:00\n on January 1, 1970, Coordinated Universal Time (UTC). Returns 0 if playback\n completes without a digit being pressed, or the ASCII numerical value of the\n digit if one was pressed or -1 on error/hangup.\n",
			Run:   sayTime("IMp")},
		{Words: []string{"say", "datetime"}, Summary: "Says a given time as specified by the format given.",
			Usage: " Usage: SAY DATETIME <time> <escape digits> [format] [timezone]\n       Say a given time, returning early if any of the given DTMF digits are\n received on the channel.\n",
			Run:   sayTime("")},
		{Words: []string{"send", "text"}, Summary: "Sends text to channels supporting it.",
			Usage: " Usage: SEND TEXT \"<text to send>\"\n       Sends the given text on a channel. Most channels do not support the\n transmission of text.  Returns 0 if text is sent, or if the channel does not\n support text transmission.  Returns -1 only on error/hangup.  Text\n consisting of greater than one word should be placed in quotes since the\n command only accepts a single argument.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 3 {
					return "", runShowUsage
				}
				// chan_sip would send a MESSAGE; gostrisk's SIP channels have
				// no text path, which Asterisk answers with 0 as well.
				return ok(0), runOK
			}},
		{Words: []string{"set", "callerid"}, Dead: true, Summary: "Sets callerid for the current channel.",
			Usage: " Usage: SET CALLERID <number>\n       Changes the callerid of the current channel.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 3 {
					return "", runShowUsage
				}
				// "Name" <num> arrives as one word or, unquoted, two.
				name, num := splitCallerID(strings.Join(argv[2:], " "))
				s.ch.UpdateCallerID(func(id *pbx.CallerID) { id.Name, id.Num = name, num })
				return ok(1), runOK
			}},
		{Words: []string{"set", "context"}, Dead: true, Summary: "Sets channel context.",
			Usage: " Usage: SET CONTEXT <desired context>\n       Sets the context for continuation upon exiting the application.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 3 {
					return "", runShowUsage
				}
				_, x, p := s.ch.Location()
				s.ch.SetLocation(argv[2], x, p)
				return ok(0), runOK
			}},
		{Words: []string{"set", "extension"}, Dead: true, Summary: "Changes channel extension.",
			Usage: " Usage: SET EXTENSION <new extension>\n       Changes the extension for continuation upon exiting the application.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 3 {
					return "", runShowUsage
				}
				c, _, p := s.ch.Location()
				s.ch.SetLocation(c, argv[2], p)
				return ok(0), runOK
			}},
		{Words: []string{"set", "music"}, Summary: "Enable/Disable Music on hold generator",
			Usage: " Usage: SET MUSIC <on|off> <class>\n       Enables/Disables the music on hold generator.  If <class> is\n not specified, then the default music on hold class will be used.\n Always returns 0.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 3 || len(argv) > 4 {
					return "", runShowUsage
				}
				switch strings.ToLower(argv[2]) {
				case "on":
					class := ""
					if len(argv) == 4 {
						class = argv[3]
					}
					apps.StartMusic(s.ch, class)
				case "off":
					apps.StopMusic(s.ch)
				default:
					return "", runShowUsage
				}
				return ok(0), runOK
			}},
		{Words: []string{"set", "priority"}, Dead: true, Summary: "Set channel dialplan priority.",
			Usage: " Usage: SET PRIORITY <priority>\n       Changes the priority for continuation upon exiting the application.\n The priority must be a valid priority or label.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 3 {
					return "", runShowUsage
				}
				c, x, _ := s.ch.Location()
				p, err := strconv.Atoi(argv[2])
				if err != nil {
					plan := s.ch.Engine().Plan()
					found := false
					if plan != nil {
						p, found = plan.FindLabel(c, x, s.ch.CallerID().Num, argv[2])
					}
					if !found || p < 1 {
						return "", runShowUsage
					}
				}
				s.ch.SetLocation(c, x, p)
				return ok(0), runOK
			}},
		{Words: []string{"set", "variable"}, Dead: true, Summary: "Sets a channel variable.",
			Usage: " Usage: SET VARIABLE <variablename> <value>\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				name := argv[2]
				if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
					s.ch.Engine().WriteFunction(s.ch, name[:i], name[i+1:len(name)-1], argv[3])
				} else {
					s.ch.SetVar(name, argv[3])
				}
				return ok(1), runOK
			}},
		{Words: []string{"stream", "file"}, Summary: "Sends audio file on channel.",
			Usage: " Usage: STREAM FILE <filename> <escape digits> [sample offset]\n       Send the given file, allowing playback to be interrupted by the given\n digits, if any. Returns 0 if playback completes without a digit\n being pressed, or the ASCII numerical value of the digit if one was pressed,\n or -1 on error or if the channel was disconnected. If musiconhold is\n playing before calling stream file it will be automatically stopped and will\n not be restarted after completion.\n",
			Run:   cmdStreamFile},
		{Words: []string{"verbose"}, Dead: true, Summary: "Logs a message to the asterisk verbose log.",
			Usage: " Usage: VERBOSE <message> <level>\n       Sends <message> to the console via verbose message system.\n <level> is the verbose level (1-4)\n Always returns 1.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) < 2 || len(argv) > 3 {
					return "", runShowUsage
				}
				level := 0
				if len(argv) == 3 {
					n, err := strconv.Atoi(argv[2])
					if err != nil {
						return "", runShowUsage
					}
					level = n
				}
				s.m.opts.Log.Verbose(level, "%s: %s\n", s.script, argv[1])
				return ok(1), runOK
			}},
		{Words: []string{"wait", "for", "digit"}, Summary: "Waits for a digit to be pressed.",
			Usage: " Usage: WAIT FOR DIGIT <timeout>\n       Waits up to <timeout> milliseconds for channel to receive a DTMF digit.\n Returns -1 on channel failure, 0 if no digit is received in the timeout, or\n the numerical value of the ascii of the digit if one is received.  Use -1\n for the <timeout> value if you desire the call to block indefinitely.\n",
			Run: func(s *session, argv []string) (string, runStatus) {
				if len(argv) != 4 {
					return "", runShowUsage
				}
				ms, err := strconv.Atoi(argv[3])
				if err != nil {
					return "", runShowUsage
				}
				d := time.Duration(ms) * time.Millisecond
				if ms < 0 {
					d = -1
				}
				digit, err := s.ch.WaitDigit(d)
				if err != nil {
					return ok(-1), runHangup
				}
				return ok(digitResult(digit)), runOK
			}},
	}
}

// splitCallerID reads "Name" <num> or a bare number.
func splitCallerID(s string) (name, num string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return strings.Trim(strings.TrimSpace(s[:i]), `"`), s[i+1 : i+j]
		}
	}
	if strings.Trim(s, "0123456789+*#") == "" {
		return "", s
	}
	return s, ""
}

func sayResult(d rune, err error) (string, runStatus) {
	if err != nil {
		if hungUp(err) {
			return ok(-1), runHangup
		}
		return ok(-1), runOK
	}
	return ok(digitResult(d)), runOK
}

func sayTime(format string) func(s *session, argv []string) (string, runStatus) {
	return func(s *session, argv []string) (string, runStatus) {
		max := 4
		if format == "" {
			max = 6
		}
		if len(argv) < 4 || len(argv) > max {
			return "", runShowUsage
		}
		secs, err := strconv.ParseInt(argv[2], 10, 64)
		if err != nil {
			return "", runShowUsage
		}
		t := time.Unix(secs, 0)
		f := format
		if format == "" {
			f = "ABdY 'digits/at' IMp"
			if len(argv) >= 5 && argv[4] != "" {
				f = argv[4]
			}
			if len(argv) == 6 {
				if loc, err := time.LoadLocation(argv[5]); err == nil {
					t = t.In(loc)
				}
			}
		}
		return sayResult(apps.SayDateTime(s.ch, t, f, argv[3]))
	}
}

func cmdStreamFile(s *session, argv []string) (string, runStatus) {
	if len(argv) < 4 || len(argv) > 5 {
		return "", runShowUsage
	}
	var offset int64
	if len(argv) == 5 {
		n, err := strconv.ParseInt(argv[4], 10, 64)
		if err != nil {
			return "", runShowUsage
		}
		offset = n
	}
	d, pos, err := apps.StreamFile(s.ch, argv[2], argv[3], offset)
	if err != nil {
		if hungUp(err) {
			return fmt.Sprintf("200 result=-1 endpos=%d", pos), runHangup
		}
		return fmt.Sprintf("200 result=-1 endpos=%d", offset), runOK
	}
	return fmt.Sprintf("200 result=%d endpos=%d", digitResult(d), pos), runOK
}

func cmdGetOption(s *session, argv []string) (string, runStatus) {
	if len(argv) < 4 || len(argv) > 5 {
		return "", runShowUsage
	}
	timeout := 5 * time.Second
	if len(argv) == 5 {
		n, err := strconv.Atoi(argv[4])
		if err != nil {
			return "", runShowUsage
		}
		timeout = time.Duration(n) * time.Millisecond
		if n <= 0 {
			timeout = -1
		}
	}
	d, pos, err := apps.StreamFile(s.ch, argv[2], argv[3], 0)
	if err != nil {
		if hungUp(err) {
			return fmt.Sprintf("200 result=-1 endpos=%d", pos), runHangup
		}
		return "200 result=-1 endpos=0", runOK
	}
	if d == 0 {
		for {
			d, err = s.ch.WaitDigit(timeout)
			if err != nil {
				return fmt.Sprintf("200 result=-1 endpos=%d", pos), runHangup
			}
			if d == 0 || strings.ContainsRune(argv[3], d) {
				break
			}
		}
	}
	return fmt.Sprintf("200 result=%d endpos=%d", digitResult(d), pos), runOK
}

func cmdControlStream(s *session, argv []string) (string, runStatus) {
	if len(argv) < 5 || len(argv) > 10 {
		return "", runShowUsage
	}
	arg := func(i int, def string) string {
		if i < len(argv) && argv[i] != "" {
			return argv[i]
		}
		return def
	}
	skip, err := strconv.Atoi(arg(5, "3000"))
	if err != nil {
		return "", runShowUsage
	}
	var offset int64
	if o := arg(9, ""); o != "" {
		if offset, err = strconv.ParseInt(o, 10, 64); err != nil {
			return "", runShowUsage
		}
	}
	d, pos, err := apps.ControlStreamFile(s.ch, argv[3], argv[4], skip, arg(6, "#"), arg(7, "*"), arg(8, ""), offset)
	if err != nil && hungUp(err) {
		return fmt.Sprintf("200 result=-1 endpos=%d", pos), runHangup
	}
	if err != nil {
		return "200 result=-1 endpos=0", runOK
	}
	return fmt.Sprintf("200 result=%d endpos=%d", digitResult(d), pos), runOK
}

func cmdGetData(s *session, argv []string) (string, runStatus) {
	if len(argv) < 3 || len(argv) > 5 {
		return "", runShowUsage
	}
	var timeout time.Duration
	max := 1024
	if len(argv) >= 4 {
		n, err := strconv.Atoi(argv[3])
		if err != nil {
			return "", runShowUsage
		}
		timeout = time.Duration(n) * time.Millisecond
	}
	if len(argv) == 5 {
		n, err := strconv.Atoi(argv[4])
		if err != nil {
			return "", runShowUsage
		}
		max = n
	}
	digits, timedOut, err := apps.GetData(s.ch, argv[2], max, timeout)
	if err != nil {
		return ok(-1), runHangup
	}
	if timedOut {
		return "200 result=" + digits + " (timeout)", runOK
	}
	return "200 result=" + digits, runOK
}

func cmdRecordFile(s *session, argv []string) (string, runStatus) {
	if len(argv) < 6 {
		return "", runShowUsage
	}
	ms, err := strconv.Atoi(argv[5])
	if err != nil {
		return "", runShowUsage
	}
	timeout := time.Duration(ms) * time.Millisecond
	if ms < 0 {
		timeout = 0
	}
	beep := false
	var silence time.Duration
	for _, a := range argv[6:] {
		switch {
		case strings.EqualFold(a, "beep"):
			beep = true
		case strings.HasPrefix(strings.ToLower(a), "s="):
			if n, err := strconv.Atoi(a[2:]); err == nil {
				silence = time.Duration(n) * time.Second
			}
		}
	}
	d, hangup, err := apps.RecordWithEscape(s.ch, argv[2], argv[3], argv[4], timeout, silence, beep)
	switch {
	case hangup:
		return "200 result=-1 (hangup) endpos=0", runHangup
	case err != nil:
		return "200 result=-1 (writefile)", runOK
	case d != 0:
		return fmt.Sprintf("200 result=%d (dtmf) endpos=0", digitResult(d)), runOK
	}
	return "200 result=0 (timeout) endpos=0", runOK
}

// cmdExec runs an application (EXEC): result is 0, -1 when it ended the
// call, -2 when there is no such application.
func cmdExec(s *session, argv []string) (string, runStatus) {
	if len(argv) < 2 {
		return "", runShowUsage
	}
	e := s.ch.Engine()
	s.m.opts.Log.Verbose(3, "AGI Script Executing Application: (%s) Options: (%s)\n", argv[1], strings.Join(argv[2:], " "))
	if _, found := e.App(argv[1]); !found {
		s.m.opts.Log.Warning("Could not find application (%s)\n", argv[1])
		return ok(-2), runOK
	}
	data := ""
	if len(argv) > 2 {
		data = strings.Join(argv[2:], " ")
	}
	res, err := e.ExecApp(s.ch, argv[1], e.Substitute(s.ch, data))
	if err != nil || res.Action == pbx.ActHangup {
		return ok(-1), runOK
	}
	return ok(0), runOK
}
