package funcs

import (
	"fmt"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_dialgroup.c's DIALGROUP: named lists of interfaces,
// engine-wide, read as a Dial string ("SIP/a&SIP/b").

type dialGroups struct {
	mu sync.Mutex
	m  map[string][]string // key: group name lower-cased
}

func dialgroupFuncs() []pbx.Function {
	dg := &dialGroups{m: map[string][]string{}}
	return []pbx.Function{{
		Name: "DIALGROUP", Synopsis: "Manages a group of users for dialing.", Syntax: "DIALGROUP(group[,op])",
		Description: "Presents an interface meant to be used in concert with the Dial application, by presenting a list of channels which should be dialled when referenced. When DIALGROUP is read from, the argument is interpreted as the particular group for which a dial should be attempted. When DIALGROUP is written to with no arguments, the entire list is replaced with the argument specified. op may be add or del.",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			dg.mu.Lock()
			defer dg.mu.Unlock()
			list, ok := dg.m[strings.ToLower(strings.TrimSpace(s))]
			if !ok {
				return "", fmt.Errorf("No such dialgroup '%s'", s)
			}
			return strings.Join(list, "&"), nil
		},
		Write: func(_ *pbx.Channel, s, value string) error {
			a := args(s)
			name := strings.ToLower(strings.TrimSpace(arg(a, 0)))
			op := strings.ToLower(strings.TrimSpace(arg(a, 1)))
			faces := strings.FieldsFunc(value, func(r rune) bool { return r == '&' || r == ',' })
			dg.mu.Lock()
			defer dg.mu.Unlock()
			list := dg.m[name]
			switch op {
			case "add":
				for _, f := range faces {
					if !contains(list, f) {
						list = append(list, f)
					}
				}
			case "del":
				for _, f := range faces {
					i := index(list, f)
					if i < 0 {
						return fmt.Errorf("Interface '%s' not found in dialgroup '%s'", f, arg(a, 0))
					}
					list = append(list[:i:i], list[i+1:]...)
				}
			default:
				list = nil
				for _, f := range faces {
					if !contains(list, f) {
						list = append(list, f)
					}
				}
			}
			dg.m[name] = list
			return nil
		},
	}}
}

func index(list []string, s string) int {
	for i, x := range list {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }
