package voicemail

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Directory is app_directory: dial by name from voicemail.conf's full
// names. It lives here because it reads the same mailboxes and plays the
// recorded names of the same spool.

var directoryApp = pbx.App{
	Name:     "Directory",
	Synopsis: "Provide directory of voicemail extensions.",
	Syntax:   "Directory([vm-context][,dial-context[,options]])",
	Description: "This application will present the calling channel with a directory of extensions from which they can search by " +
		"name. The list of names and corresponding extensions is retrieved from the voicemail configuration file, voicemail.conf.\n" +
		"This application will immediately exit if one of the following DTMF digits are received and the extension to jump to exists:\n" +
		"0 - Jump to the 'o' extension, if it exists.\n" +
		"* - Jump to the 'a' extension, if it exists.\n" +
		"This application will set the following channel variables before completion:\n" +
		"DIRECTORY_RESULT - Details of the User choice.\n    OPERATOR\n    ASSISTANT\n    TIMEOUT\n    HANGUP\n    SELECTED\n    USEREXIT\n    FAILED\n" +
		"DIRECTORY_EXTEN - If the skip option is set this will be set to the extension number selected.",
	Arguments: "vm-context - This is the context within voicemail.conf to use for the Directory. If not specified and searchcontexts=no in voicemail.conf, then default will be assumed.\n" +
		"dial-context - This is the dialplan context to use when looking for an extension that the user has selected, or when jumping to the 'o' or 'a' extension. If not specified, the current context will be used.\n" +
		"options\n    e: In addition to the name, also read the extension number to the caller before presenting dialing options.\n" +
		"    f(n): Allow the caller to enter the first name of a user in the directory instead of using the last name. If specified, the optional number argument will be used for the number of characters the user should enter.\n" +
		"    l(n): Allow the caller to enter the last name of a user in the directory. This is the default.\n" +
		"    b(n): Allow the caller to enter either the first or the last name of a user in the directory.\n" +
		"    p(n): Pause for n milliseconds after the digits are typed.\n" +
		"    n: Read digits even if the channel is not answered.\n" +
		"    m: Instead of reading each name sequentially and asking for confirmation, create a menu of up to 8 names.\n" +
		"    s: Skip calling the extension, instead set it in the DIRECTORY_EXTEN channel variable.\n" +
		"    v: Instead of dialing the extension, only set the extension number in the channel (the VoiceMail application's d option uses this).",
}

type dirItem struct {
	u   *User
	key string
}

// directoryExec is Directory([vm-context][,dial-context[,options]]).
func (m *Module) directoryExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	vmctx, dialctx := args[0], args[1]
	opts := pbx.ParseAppOptions(args[2])
	cfg := m.Config()
	digits, first, last := 3, has(opts, 'f') || has(opts, 'b'), has(opts, 'l') || has(opts, 'b') || !has(opts, 'f')
	which, arg := "dir-last", opts['l']
	switch {
	case has(opts, 'b'):
		which, arg = "dir-firstlast", opts['b']
	case has(opts, 'f'):
		which, arg = "dir-first", opts['f']
	}
	if n, err := strconv.Atoi(arg); err == nil {
		digits = n
	}
	if digits > 9 {
		digits = 9
	} else if digits < 1 {
		digits = 3
	}
	if ch.State() != pbx.StateUp && !has(opts, 'n') {
		if err := ch.Answer(); err != nil {
			ch.SetVar("DIRECTORY_RESULT", "FAILED")
			return pbx.HangupResult, nil
		}
	}
	chCtx, _, _ := ch.Location()
	if dialctx == "" {
		dialctx = chCtx
	}
	for {
		var d rune
		var err error
		if cfg.General.DirectoryIntro != "" {
			d, err = play(ch, cfg.General.DirectoryIntro, allKeys)
		} else {
			d, err = playAll(ch, allKeys, "dir-welcome", "dir-pls-enter", "digits/"+strconv.Itoa(digits), which, "dir-usingkeypad")
		}
		if err == nil && d == 0 {
			d, err = waitDigit(ch, 5*time.Second)
		}
		if err != nil {
			ch.SetVar("DIRECTORY_RESULT", "HANGUP")
			return pbx.HangupResult, nil
		}
		if d == 0 {
			ch.SetVar("DIRECTORY_RESULT", "TIMEOUT")
			return pbx.Continue, nil
		}
		res, done, err := m.directorySearch(ch, cfg, vmctx, dialctx, d, digits, first, last, opts)
		if err != nil {
			ch.SetVar("DIRECTORY_RESULT", "HANGUP")
			return pbx.HangupResult, nil
		}
		if done {
			return res, nil
		}
	}
}

// directorySearch is do_directory: the name digits, the matches in
// order of last name (then first name), each offered with 1 to select,
// * for the next; done false goes back to the intro.
func (m *Module) directorySearch(ch *pbx.Channel, cfg *Config, vmctx, dialctx string, first rune, digits int, byFirst, byLast bool, opts map[byte]string) (pbx.Result, bool, error) {
	eng := ch.Engine()
	switch first {
	case '0':
		if eng.Exists(ch, dialctx, "o", 1) {
			ch.SetVar("DIRECTORY_RESULT", "OPERATOR")
			return pbx.GotoResult(dialctx, "o", 1), true, nil
		}
	case '*':
		if eng.Exists(ch, dialctx, "a", 1) {
			ch.SetVar("DIRECTORY_RESULT", "ASSISTANT")
			return pbx.GotoResult(dialctx, "a", 1), true, nil
		}
	}
	pattern := string(first)
	for len(pattern) < digits {
		d, err := waitDigit(ch, 3*time.Second)
		if err != nil {
			return pbx.HangupResult, true, err
		}
		if d == 0 || d == '#' {
			break
		}
		pattern += string(d)
	}
	var items []dirItem
	for _, u := range cfg.Users {
		if u.HideFromDir || (vmctx != "" && u.Context != vmctx) || (vmctx == "" && !cfg.General.SearchContexts && u.Context != "default") {
			continue
		}
		if key, ok := nameMatch(u.FullName, pattern, false); byLast && ok {
			items = append(items, dirItem{u, key})
		} else if key, ok := nameMatch(u.FullName, pattern, true); byFirst && ok {
			items = append(items, dirItem{u, key})
		}
	}
	if len(items) == 0 {
		if _, err := play(ch, "dir-nomatch", allKeys); err != nil {
			return pbx.HangupResult, true, err
		}
		return pbx.Continue, false, nil
	}
	sort.SliceStable(items, func(i, j int) bool { return strings.ToLower(items[i].key) < strings.ToLower(items[j].key) })
	if p, err := strconv.Atoi(opts['p']); err == nil && has(opts, 'p') && p > 0 {
		if p > 3000 {
			p = 3000
		}
		waitDigit(ch, time.Duration(p)*time.Millisecond)
	}
	if has(opts, 'm') {
		return m.directoryMenu(ch, items, dialctx, opts)
	}
	for _, it := range items {
		for loop := 0; loop < 3; loop++ {
			d, err := m.sayOwner(ch, it.u, has(opts, 'e'))
			if err == nil && d == 0 {
				d, err = play(ch, "dir-instr", allKeys)
			}
			if err == nil && d == 0 {
				d, err = waitDigit(ch, 3*time.Second)
			}
			if err != nil {
				return pbx.HangupResult, true, err
			}
			switch d {
			case '0':
				ch.SetVar("DIRECTORY_RESULT", "OPERATOR")
				return pbx.GotoResult(dialctx, "o", 1), true, nil
			case '1':
				return m.selectEntry(ch, it.u, dialctx, opts)
			case '#':
				ch.SetVar("DIRECTORY_RESULT", "USEREXIT")
				return pbx.Continue, true, nil
			}
			if d == '*' {
				break
			}
		}
	}
	if _, err := play(ch, "dir-nomore", allKeys); err != nil {
		return pbx.HangupResult, true, err
	}
	return pbx.Continue, false, nil
}

// directoryMenu is select_item_menu (option m): the matches by blocks
// of eight, "press N for <name>", 9 for more; a digit of the block
// selects.
func (m *Module) directoryMenu(ch *pbx.Channel, items []dirItem, dialctx string, opts map[byte]string) (pbx.Result, bool, error) {
	for start := 0; start < len(items); start += 8 {
		block := items[start:min(start+8, len(items))]
		var d rune
		var err error
		for i, it := range block {
			d, err = playAll(ch, allKeys, "dir-multi1", "digits/"+strconv.Itoa(i+1), "dir-multi2")
			if err == nil && d == 0 {
				d, err = m.sayOwner(ch, it.u, has(opts, 'e'))
			}
			if err == nil && d == 0 {
				d, err = waitDigit(ch, 800*time.Millisecond)
			}
			if err != nil {
				return pbx.HangupResult, true, err
			}
			if d != 0 {
				break
			}
		}
		if d == 0 && len(items) > start+len(block) {
			if d, err = play(ch, "dir-multi9", allKeys); err != nil {
				return pbx.HangupResult, true, err
			}
		}
		if d == 0 {
			if d, err = waitDigit(ch, 3*time.Second); err != nil {
				return pbx.HangupResult, true, err
			}
		}
		if d > '0' && d < '1'+rune(len(block)) {
			return m.selectEntry(ch, block[d-'1'].u, dialctx, opts)
		}
	}
	if _, err := play(ch, "dir-nomore", allKeys); err != nil {
		return pbx.HangupResult, true, err
	}
	return pbx.Continue, false, nil
}

// selectEntry jumps to the chosen extension (or, with s, sets
// DIRECTORY_EXTEN; with v, only the extension).
func (m *Module) selectEntry(ch *pbx.Channel, u *User, dialctx string, opts map[byte]string) (pbx.Result, bool, error) {
	ch.SetVar("DIRECTORY_RESULT", "SELECTED")
	switch {
	case has(opts, 's'):
		ch.SetVar("DIRECTORY_EXTEN", u.Mailbox)
		return pbx.Continue, true, nil
	case has(opts, 'v'):
		c, _, _ := ch.Location()
		return pbx.GotoResult(c, u.Mailbox, 1), true, nil
	}
	if !ch.Engine().Exists(ch, dialctx, u.Mailbox, 1) {
		ch.Engine().Log().Warning("Can't find extension '%s' in context '%s'.  Did you pass the wrong context to Directory?\n", u.Mailbox, dialctx)
		ch.SetVar("DIRECTORY_RESULT", "FAILED")
		return pbx.HangupResult, true, nil
	}
	return pbx.GotoResult(dialctx, u.Mailbox, 1), true, nil
}

// sayOwner is play_mailbox_owner: the recorded name, else the name
// spelled; with e, "extension" and its digits.
func (m *Module) sayOwner(ch *pbx.Channel, u *User, sayExten bool) (rune, error) {
	greet := m.spool.Greeting(u.Context, u.Mailbox, "greet")
	var d rune
	var err error
	if apps.SoundExists(ch, greet) {
		d, err = play(ch, greet, allKeys)
	} else {
		name := u.FullName
		if name == "" {
			name = u.Mailbox
		}
		d, err = apps.SayAlpha(ch, name, allKeys)
		if err != nil && isEnd(ch, err) {
			return 0, errHangup
		}
	}
	if d != 0 || err != nil || !sayExten {
		return d, err
	}
	if d, err = play(ch, "vm-extension", allKeys); d != 0 || err != nil {
		return d, err
	}
	d, err = apps.SayAlpha(ch, u.Mailbox, allKeys)
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

// nameMatch is check_match: the last name (after the first space) or
// the first name, its letters as keypad digits, must start with pattern.
// key sorts the matches: last name then first name.
func nameMatch(fullname, pattern string, byFirst bool) (key string, ok bool) {
	if fullname == "" {
		return "", false
	}
	k := fullname
	if !byFirst {
		if i := strings.IndexByte(fullname, ' '); i >= 0 {
			k = fullname[i+1:]
		}
	}
	if !keypadPrefix(k, pattern) {
		return "", false
	}
	key = k
	if k != fullname {
		key += fullname[:len(fullname)-len(k)-1]
	}
	return key, true
}

// keypadPrefix is app_directory's compare: letters map to their keys,
// characters below '!' are skipped, others fail.
func keypadPrefix(text, pattern string) bool {
	const keys = "22233344455566677778889999"
	t := []rune(text)
	i := 0
	for _, p := range pattern {
		for {
			if i >= len(t) {
				return false
			}
			c := unicode.ToUpper(t[i])
			i++
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = c
			case c >= 'A' && c <= 'Z':
				d = rune(keys[c-'A'])
			case c <= ' ':
				continue
			default:
				return false
			}
			if d != p {
				return false
			}
			break
		}
	}
	return true
}
