package apps_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const ifConf = `
[ifs]
exten => true,1,If($[1 = 1])
 same => n,Set(A=in)
 same => n,Else()
 same => n,Set(B=else)
 same => n,EndIf()
 same => n,Set(AFTER=yes)
exten => false,1,If(0)
 same => n,Set(A=in)
 same => n,Else()
 same => n,Set(B=else)
 same => n,EndIf()
 same => n,Set(AFTER=yes)
exten => elseif,1,If($[${X} = 1])
 same => n,Set(R=one)
 same => n,ExitIf()
 same => n,ElseIf($[${X} = 2])
 same => n,Set(R=two)
 same => n,ExitIf()
 same => n,Else()
 same => n,Set(R=other)
 same => n,EndIf()
 same => n,Set(AFTER=${R})
exten => nested,1,If(1)
 same => n,If(0)
 same => n,Set(INNER=yes)
 same => n,EndIf()
 same => n,Set(OUTER=yes)
 same => n,EndIf()
 same => n,Set(DONE=${IF_0}|${IF_1})
exten => noend,1,If(0)
 same => n,Set(REACHED=yes)
exten => loop,1,Set(I=0)
 same => n(top),Set(I=$[${I} + 1])
 same => n,If($[${I} < 3])
 same => n,Set(SEEN=${SEEN}${I})
 same => n,EndIf()
 same => n,GotoIf($[${I} < 4]?top)
`

func TestIfBranches(t *testing.T) {
	plan := loadPlan(t, "ifs.conf", []byte(ifConf))
	tests := []struct {
		name, exten, x string
		want           map[string]string
		absent         []string
		log            []string
	}{
		{name: "true", exten: "true", want: map[string]string{"A": "in", "AFTER": "yes", "ifs_true_1": "0"}, absent: []string{"B", "IF_0"},
			log: []string{"    -- Exiting conditional, jumping to priority 5"}},
		{name: "false", exten: "false", want: map[string]string{"B": "else", "AFTER": "yes"}, absent: []string{"A", "IF_0"},
			log: []string{"    -- Taking absolute false branch, jumping to priority 3", "    -- Exiting conditional, jumping to priority 5"}},
		{name: "elseif 1", exten: "elseif", x: "1", want: map[string]string{"AFTER": "one"}},
		{name: "elseif 2", exten: "elseif", x: "2", want: map[string]string{"AFTER": "two"},
			log: []string{"    -- Taking conditional false branch, jumping to priority 3"}},
		{name: "elseif 3", exten: "elseif", x: "3", want: map[string]string{"AFTER": "other"},
			log: []string{"    -- Taking absolute false branch, jumping to priority 7"}},
		{name: "nested", exten: "nested", want: map[string]string{"OUTER": "yes", "DONE": "|"}, absent: []string{"INNER"}},
		// No EndIf: Asterisk's app_if goes on into the branch.
		{name: "no EndIf", exten: "noend", want: map[string]string{"REACHED": "yes"}},
		{name: "loop", exten: "loop", want: map[string]string{"SEEN": "12", "I": "4"}, absent: []string{"IF_0", "IF_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, plan, nil)
			l.e.SetGlobalVar("X", tt.x)
			ch, _ := l.call(t, "ifs", tt.exten)
			vars(t, ch, tt.want)
			for _, name := range tt.absent {
				if v, ok := ch.Var(name); ok {
					t.Errorf("%s is set (%q)", name, v)
				}
			}
			l.log.has(t, tt.log...)
		})
	}
}

const exceptionConf = `
[exc]
exten => s,1,Set(BEFORE=1)
 same => n,RaiseException(BADTHING)
 same => n,Set(NOTREACHED=1)
exten => e,1,Set(WHY=${EXCEPTION(reason)}|${EXCEPTION(context)}|${EXCEPTION(exten)}|${EXCEPTION(priority)}|${EXCEPTION(nonsense)})
exten => bad,1,Goto(nowhere,1)
exten => hash,1,Set(~HASH~h~a~=1)
 same => n,Set(__~HASH~h~b~=2)
 same => n,Set(~HASH~other~a~=3)
 same => n,ClearHash(h)

[noe]
exten => s,1,RaiseException(X)
exten => i,1,Set(INVALID=${INVALID_EXTEN})
`

func TestRaiseException(t *testing.T) {
	plan := loadPlan(t, "exc.conf", []byte(exceptionConf))
	tests := []struct {
		ctx, exten string
		want       map[string]string
		absent     []string
	}{
		{ctx: "exc", exten: "s", want: map[string]string{"WHY": "BADTHING|exc|s|2|"}, absent: []string{"NOTREACHED"}},
		// The core's own exception: an invalid extension with an e but no i.
		{ctx: "exc", exten: "bad", want: map[string]string{"WHY": "INVALID|exc|nowhere|1|"}},
		// No e: the invalid-extension handling takes the channel to i.
		{ctx: "noe", exten: "s", want: map[string]string{"INVALID": "e"}},
		{ctx: "exc", exten: "hash", want: map[string]string{"~HASH~other~a~": "3"}, absent: []string{"~HASH~h~a~", "~HASH~h~b~"}},
	}
	for _, tt := range tests {
		t.Run(tt.ctx+"/"+tt.exten, func(t *testing.T) {
			l := newLab(t, plan, nil)
			ch, _ := l.call(t, tt.ctx, tt.exten)
			vars(t, ch, tt.want)
			for _, name := range tt.absent {
				if v, ok := ch.Var(name); ok {
					t.Errorf("%s is set (%q)", name, v)
				}
			}
		})
	}
}

const reloadConf = `
[rl]
exten => all,1,Reload()
 same => n,NoOp(${RELOADSTATUS})
exten => some,1,Reload(chan_sip,pbx_config)
 same => n,NoOp(${RELOADSTATUS})
exten => bad,1,Reload(chan_sip,nosuch)
 same => n,NoOp(${RELOADSTATUS})
`

func TestReload(t *testing.T) {
	tests := []struct {
		exten, status string
		reloaded      []string
	}{
		{exten: "all", status: "SUCCESS", reloaded: []string{""}},
		{exten: "some", status: "SUCCESS", reloaded: []string{"chan_sip", "pbx_config"}},
		{exten: "bad", status: "FAILURE", reloaded: []string{"chan_sip", "nosuch"}},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			var got []string
			l := newMediaLab(t, reloadConf, apps.Config{Reload: func(m string) error {
				got = append(got, m)
				if m == "nosuch" {
					return errors.New("not found")
				}
				return nil
			}})
			l.run(t, pbxtest.NewPhone(media.ULaw), "rl", tt.exten)
			l.log.has(t, `    -- Executing [`+tt.exten+`@rl:2] NoOp("Test/6001-00000000", "`+tt.status+`") in new stack`)
			if strings.Join(got, ",") != strings.Join(tt.reloaded, ",") {
				t.Errorf("reloaded %q, want %q", got, tt.reloaded)
			}
		})
	}
	// Without a way to reload (gostrisk check's engine), Reload fails.
	l := newMediaLab(t, reloadConf, apps.Config{})
	l.run(t, pbxtest.NewPhone(media.ULaw), "rl", "all")
	l.log.has(t, `    -- Executing [all@rl:2] NoOp("Test/6001-00000000", "FAILURE") in new stack`)
}

const incompleteConf = `
[inc]
exten => _1X,1,Incomplete()
exten => _1XX,1,NoOp(got ${EXTEN})
exten => 2,1,Incomplete(n)
exten => i,1,NoOp(invalid ${INVALID_EXTEN})
`

func TestIncomplete(t *testing.T) {
	tests := []struct {
		name, exten, keys, want string
	}{
		{name: "more keys", exten: "12", keys: "3", want: `NoOp("Test/6001-00000000", "got 123")`},
		// Nothing can extend "2": invalid at once.
		{name: "nothing longer", exten: "2", want: `NoOp("Test/6001-00000000", "invalid 2")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, incompleteConf, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "inc", tt.exten)
			if tt.keys != "" {
				l.waitLog(t, "exited INCOMPLETE", 2*time.Second)
				time.Sleep(50 * time.Millisecond)
				for _, k := range tt.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 8*time.Second)
			found := false
			for _, s := range l.log.Lines() {
				if strings.Contains(s, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("log lacks %q:\n%s", tt.want, strings.Join(l.log.Lines(), "\n"))
			}
		})
	}
}

const sayMoneyConf = `
[say]
exten => ord,1,SayOrdinal(42)
 same => n,NoOp(after)
exten => ordbad,1,SayOrdinal(x)
 same => n,NoOp(after)
exten => ordnone,1,SayOrdinal()
 same => n,NoOp(after)
exten => money1,1,SayMoney(1)
 same => n,NoOp(after)
exten => money2,1,SayMoney(2)
 same => n,NoOp(after)
exten => noun1,1,SayCountedNoun(1,vm-message)
 same => n,NoOp(after)
exten => noun2,1,SayCountedNoun(2,vm-message)
 same => n,NoOp(after)
exten => nounbad,1,SayCountedNoun(two,vm-message)
 same => n,NoOp(after)
exten => adj,1,SayCountedAdj(2,vm-INBOX)
 same => n,NoOp(after)
exten => adjmissing,1,SayCountedAdj(2,vm-new)
 same => n,NoOp(after)
exten => adjf,1,SayCountedAdj(2,vm-new,f)
 same => n,NoOp(after)
`

// SayOrdinal and SayMoney play say.c's English lists; a file missing
// from the sound set (Debian's has no "dollars") ends SayMoney and the
// call, as say_filenames' failure does in Asterisk.
func TestSayMoneyOrdinalCounted(t *testing.T) {
	pbxtest.NeedSounds(t, "digits/h-2")
	tests := []struct {
		exten   string
		after   bool
		playing []string
		log     string
	}{
		{exten: "ord", after: true, playing: []string{"digits/40", "digits/h-2"}},
		{exten: "ordbad", after: true, log: "WARNING: argument 'x' to SayOrdinal could not be parsed as a number."},
		{exten: "ordnone", log: "WARNING: SayOrdinal requires an argument (number)"},
		{exten: "money1", after: true, playing: []string{"digits/1", "letters/dollar"}},
		{exten: "money2", playing: []string{"digits/2"}, log: "WARNING: File dollars does not exist in any format"},
		{exten: "noun1", after: true, playing: []string{"vm-message"}},
		{exten: "noun2", after: true, playing: []string{"vm-messages"}},
		{exten: "nounbad", log: "WARNING: First argument must be a number between 0 and 2,147,483,647."},
		{exten: "adj", after: true, playing: []string{"vm-INBOX"}},
		{exten: "adjmissing", log: "WARNING: File vm-new does not exist in any format"},
		// Asterisk's inverted gender check refuses the genders it names.
		{exten: "adjf", log: "WARNING: SayCountedAdj gender option must be one of 'f', 'm', 'c', or 'n'."},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			l := newMediaLab(t, sayMoneyConf, apps.Config{DataDir: pbxtest.SoundsDir})
			l.run(t, pbxtest.NewPhone(media.ULaw), "say", tt.exten)
			all := strings.Join(l.log.Lines(), "\n")
			var played []string
			for _, s := range l.log.Lines() {
				if i := strings.Index(s, "> Playing '"); i >= 0 {
					f := s[i+len("> Playing '"):]
					played = append(played, f[:strings.LastIndexByte(f[:strings.IndexByte(f, '\'')], '.')])
				}
			}
			if strings.Join(played, " ") != strings.Join(tt.playing, " ") {
				t.Errorf("played %q, want %q", played, tt.playing)
			}
			if got := strings.Contains(all, `NoOp("Test/6001-00000000", "after")`); got != tt.after {
				t.Errorf("dialplan went on: %v, want %v\n%s", got, tt.after, all)
			}
			if tt.log != "" {
				l.log.has(t, tt.log)
			}
		})
	}
}
