package funcs

import (
	"fmt"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_global.c's SHARED (GLOBAL is built into pkg/pbx):
// variables kept on a channel that other channels may read and write.

type sharedKey struct{}

type sharedVars struct {
	mu sync.Mutex
	m  map[string]string
}

func channelShared(ch *pbx.Channel) *sharedVars {
	var sv *sharedVars
	ch.UpdateDatastore(sharedKey{}, func(old any) any {
		if o, ok := old.(*sharedVars); ok {
			sv = o
			return o
		}
		sv = &sharedVars{m: map[string]string{}}
		return sv
	})
	return sv
}

func globalFuncs(e *pbx.Engine) []pbx.Function {
	target := func(ch *pbx.Channel, a []string, what func(name string) error) (*pbx.Channel, error) {
		if name := strings.TrimSpace(arg(a, 1)); name != "" {
			other, ok := channelByName(e, name)
			if !ok {
				return nil, what(name)
			}
			return other, nil
		}
		if ch == nil {
			return nil, errNoChannel("SHARED")
		}
		return ch, nil
	}
	return []pbx.Function{{
		Name: "SHARED", Synopsis: "Gets or sets the shared variable specified.", Syntax: "SHARED(varname[,channel])",
		Description: "Implements a shared variable area, in which you may share variables between channels. The variables used in this space are separate from the general namespace of the channel and thus ${SHARED(foo)} and ${foo} represent two completely different variables, despite sharing the same name. Finally, realize that there is an inherent race between channels operating at the same time, fiddling with each others' internal variables, which is why this special variable namespace exists; it is to remind you that variables in the SHARED namespace may change at any time, without warning.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			a := args(s)
			if strings.TrimSpace(arg(a, 0)) == "" {
				return "", fmt.Errorf("SHARED() requires an argument: SHARED(<var>[,<chan>])")
			}
			c, err := target(ch, a, func(name string) error {
				return errorf("Channel '%s' not found!  Variable '%s' will be blank.", name, a[0])
			})
			if err != nil {
				return "", err
			}
			sv := channelShared(c)
			sv.mu.Lock()
			defer sv.mu.Unlock()
			return sv.m[a[0]], nil
		},
		Write: func(ch *pbx.Channel, s, value string) error {
			a := args(s)
			if strings.TrimSpace(arg(a, 0)) == "" {
				return fmt.Errorf("SHARED() requires an argument: SHARED(<var>[,<chan>])")
			}
			c, err := target(ch, a, func(name string) error {
				return errorf("Channel '%s' not found!  Variable '%s' not set to '%s'.", name, a[0], value)
			})
			if err != nil {
				return err
			}
			sv := channelShared(c)
			sv.mu.Lock()
			sv.m[a[0]] = value
			sv.mu.Unlock()
			return nil
		},
	}}
}
