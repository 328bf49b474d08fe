package bridge

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Info is what "bridge show" prints about one live bridge.
type Info struct {
	ID         string
	Type       string // Asterisk's subclass: "basic"
	Technology string // native_rtp or simple_bridge, as it is now
	Created    time.Time
	Channels   []string // channel names, in the order they joined
}

// Bridges returns the live bridges, oldest first.
func (b *Basic) Bridges() []Info {
	b.mu.Lock()
	out := make([]Info, 0, len(b.live))
	for _, s := range b.live {
		if in := s.info(); len(in.Channels) > 0 {
			out = append(out, in)
		}
	}
	mixing := make([]*Mixing, 0, len(b.mixing))
	for _, m := range b.mixing {
		mixing = append(mixing, m)
	}
	b.mu.Unlock()
	for _, m := range mixing {
		out = append(out, m.info())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Find returns the live bridge with this id.
func (b *Basic) Find(id string) (Info, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.live[id]; ok {
		in := s.info()
		return in, len(in.Channels) > 0
	}
	if m, ok := b.mixing[id]; ok {
		return m.info(), true
	}
	return Info{}, false
}

// register and unregister keep the table the CLI reads.
func (b *Basic) register(s *session) {
	b.mu.Lock()
	if b.live == nil {
		b.live = make(map[string]*session)
	}
	b.live[s.id] = s
	b.mu.Unlock()
}

func (b *Basic) unregister(s *session) {
	b.mu.Lock()
	delete(b.live, s.id)
	b.mu.Unlock()
}

func (s *session) info() Info {
	s.techMu.Lock()
	tech := s.techShown
	s.techMu.Unlock()
	in := Info{ID: s.id, Type: bridgeType, Technology: tech, Created: s.created}
	// Asterisk's join lines name the peer first; the list follows them.
	// A channel a feature moved to another bridge for a while (an
	// attended transfer's consultation or three-way call) is not listed
	// here meanwhile, as Asterisk moves it out of this bridge.
	for _, ch := range []*pbx.Channel{s.peer.ch, s.caller.ch} {
		if ch.BridgeID() == s.id {
			in.Channels = append(in.Channels, ch.Name())
		}
	}
	return in
}

// setTech records the technology in use. Only the bridge's goroutine
// writes s.tech; the copy under techMu is for the CLI's goroutines.
func (s *session) setTech(tech string) {
	s.tech = tech
	s.techMu.Lock()
	s.techShown = tech
	s.techMu.Unlock()
}

// durationHMS is Asterisk's ast_format_duration_hh_mm_ss.
func durationHMS(d time.Duration) string {
	sec := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
}

// RegisterCLI adds "bridge show all" and "bridge show <bridge-id>" with
// main/bridge.c's layouts.
func RegisterCLI(reg *cli.Registry, b *Basic) error {
	return reg.Register(
		&cli.Command{
			Words:   []string{"bridge", "show", "all"},
			Summary: "List all bridges",
			Usage:   "Usage: bridge show all\n       List all bridges\n",
			Handler: func(a *cli.Args) error {
				const format = "%-36s %5s %-15s %-15s %s\n"
				a.Printf(format, "Bridge-ID", "Chans", "Type", "Technology", "Duration")
				now := time.Now()
				for _, in := range b.Bridges() {
					a.Printf("%-36s %5d %-15s %-15s %s\n", in.ID, len(in.Channels), in.Type,
						orUnknown(in.Technology), durationHMS(now.Sub(in.Created)))
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"bridge", "show"},
			Summary: "Show information about a bridge",
			Usage:   "Usage: bridge show <bridge-id>\n       Show information about the <bridge-id> bridge\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				in, ok := b.Find(a.Argv[2])
				if !ok {
					a.Printf("Bridge '%s' not found\n", a.Argv[2])
					return nil
				}
				// A basic bridge has no creator, so Asterisk leaves its
				// name empty too; no video, every channel active.
				a.Printf("Id: %s\n", in.ID)
				a.Printf("Type: %s\n", in.Type)
				a.Printf("Technology: %s\n", orUnknown(in.Technology))
				a.Printf("Subclass: %s\n", in.Type)
				a.Printf("Creator: \n")
				a.Printf("Name: \n")
				a.Printf("Video-Mode: none\n")
				a.Printf("Video-Source-Id: \n")
				a.Printf("Num-Channels: %d\n", len(in.Channels))
				a.Printf("Num-Active: %d\n", len(in.Channels))
				a.Printf("Duration: %s\n", durationHMS(time.Since(in.Created)))
				for _, name := range in.Channels {
					a.Printf("Channel: %s\n", name)
				}
				return nil
			},
			Complete: func(a *cli.Args, pos int, word string) []string {
				if pos != 2 {
					return nil
				}
				var out []string
				for _, in := range b.Bridges() {
					if strings.HasPrefix(in.ID, word) {
						out = append(out, in.ID)
					}
				}
				return out
			},
		},
	)
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
