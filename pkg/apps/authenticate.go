package apps

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"os"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var authenticateApp = &pbx.App{
	Name:     "Authenticate",
	Synopsis: "Authenticate a user",
	Syntax:   "Authenticate(password[,options[,maxdigits[,prompt]]])",
	Description: "This application asks the caller to enter a given password in order to continue dialplan execution.\n\n" +
		"If the password begins with the / character, it is interpreted as a file which contains a list of valid passwords, listed 1 password per line in the file.\n\n" +
		"When using a database key, the value associated with the key can be anything.\n\n" +
		"Users have three attempts to authenticate before the channel is hung up.",
	Arguments: "password - Password the user should know\n" +
		"options - a: Set the channels' account code to the password that is entered. " +
		"d: Interpret the given path as database key, not a literal file. " +
		"m: Interpret the given path as a file which contains a list of account codes and password hashes delimited with :, listed one per line in the file. When one of the passwords is matched, the channel will have its account code set to the corresponding account code in the file. " +
		"r: Remove the database key upon successful entry (valid with d only)\n" +
		"maxdigits - maximum acceptable number of digits. Stops reading after maxdigits have been entered (without requiring the user to press the # key). Defaults to 0 - no limit - wait for the user press the # key.\n" +
		"prompt - Override the agent-pass prompt file.",
	SeeAlso: "VMAuthenticate, DISA",
	Exec:    authenticate,
}

// maxAuthDigits is Asterisk's buffer limit when maxdigits is absent or
// out of range.
const maxAuthDigits = 254

func authenticate(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	if data == "" {
		log.Warning("Authenticate requires an argument(password)\n")
		return pbx.HangupResult, nil
	}
	if ch.State() != pbx.StateUp {
		if err := ch.Answer(); err != nil {
			return pbx.HangupResult, nil
		}
	}
	args := pbx.SplitArgs(data, ',')
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	password, opts := arg(0), arg(1)
	has := func(o byte) bool { return strings.IndexByte(opts, o) >= 0 }
	maxDigits := maxAuthDigits
	if s := arg(2); s != "" {
		if n, _ := strconv.Atoi(s); n >= 1 && n <= maxAuthDigits {
			maxDigits = n
		}
	}
	prompt := arg(3)
	if prompt == "" {
		prompt = "agent-pass"
	}

	ok, entered := false, ""
	for tries := 0; tries < 3 && !ok; tries++ {
		got, res := getData(ch, prompt, maxDigits, 0, "#")
		if res == getdataFailed && ch.HangupRequested() {
			return pbx.HangupResult, nil
		}
		entered = got
		switch {
		case !strings.HasPrefix(password, "/"):
			ok = got == password
		case has('d'):
			ok = authFromDB(ch, password[1:], got, has('r'))
		default:
			var account string
			account, ok = authFromFile(ch, password, got, has('m'))
			if ok && has('a') {
				ch.SetAccountCode(account)
			}
		}
		prompt = "auth-incorrect"
	}
	if !ok {
		_, _ = streamAndWait(ch, "vm-goodbye", ch.Language(), nil)
		return pbx.HangupResult, nil
	}
	if has('a') && !has('m') {
		ch.SetAccountCode(entered)
	}
	if _, err := streamAndWait(ch, "auth-thankyou", ch.Language(), nil); err != nil && ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// authFromDB accepts the digits when the astdb has family/digits, through
// the DB functions the core registers (they are the astdb's only door
// the applications have); r deletes the key once used.
func authFromDB(ch *pbx.Channel, family, digits string, remove bool) bool {
	e := ch.Engine()
	key := family + "/" + digits
	v, err := e.ReadFunction(ch, "DB_EXISTS", key)
	if err != nil {
		e.Log().Warning("Authenticate: %v\n", err)
		return false
	}
	if v != "1" {
		return false
	}
	if remove {
		if _, err := e.ReadFunction(ch, "DB_DELETE", key); err != nil {
			e.Log().Warning("Authenticate: %v\n", err)
		}
	}
	return true
}

// authFromFile looks the digits up in a file of passwords, one a line,
// or with m of "accountcode:md5(password)" lines. It returns the account
// code the line gives (the password itself without m).
func authFromFile(ch *pbx.Channel, path, digits string, multiple bool) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		ch.Engine().Log().Warning("Unable to open file '%s' for authentication: %s\n", path, pathError(err))
		return "", false
	}
	defer f.Close()
	sum := md5.Sum([]byte(digits))
	hash := hex.EncodeToString(sum[:])
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if multiple {
			account, secret, ok := strings.Cut(line, ":")
			if ok && secret == hash {
				return account, true
			}
			continue
		}
		if line == digits {
			return line, true
		}
	}
	return "", false
}

// pathError is the strerror part of an *os.PathError.
func pathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		s := pe.Err.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}
