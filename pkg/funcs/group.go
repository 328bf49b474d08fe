package funcs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_groupcount.c: GROUP, GROUP_COUNT, GROUP_MATCH_COUNT
// and GROUP_LIST. A channel's groups live on the channel (one per
// category), so a channel that hangs up leaves the counts with it: the
// engine lists only live channels.

type groupKey struct{}

// groupEntry is one group@category of a channel.
type groupEntry struct{ group, category string }

// channelGroups returns a copy of ch's groups in the order they were set.
func channelGroups(ch *pbx.Channel) []groupEntry {
	g, _ := ch.Datastore(groupKey{}).([]groupEntry)
	return g
}

// splitGroup splits "group@category" (ast_app_group_split_group).
func splitGroup(s string) (group, category string) {
	group, category, _ = strings.Cut(s, "@")
	return group, category
}

// setGroup replaces ch's group in the category (an empty group removes it).
func setGroup(ch *pbx.Channel, group, category string) {
	ch.UpdateDatastore(groupKey{}, func(old any) any {
		prev, _ := old.([]groupEntry)
		next := make([]groupEntry, 0, len(prev)+1)
		for _, g := range prev {
			if !strings.EqualFold(g.category, category) {
				next = append(next, g)
			}
		}
		if group != "" {
			next = append(next, groupEntry{group, category})
		}
		if len(next) == 0 {
			return nil
		}
		return next
	})
}

func groupFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "GROUP", Synopsis: "Gets or sets the channel group.", Syntax: "GROUP([category])",
			Description: "category can be employed for more fine grained group management. Each channel can only be member of exactly one group per category.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("GROUP")
				}
				for _, g := range channelGroups(ch) {
					if s == "" || g.category != "" && strings.EqualFold(g.category, s) {
						return g.group, nil
					}
				}
				return "", nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("GROUP")
				}
				spec := value
				if s != "" {
					spec = value + "@" + s
				}
				if spec == "" {
					return fmt.Errorf("Setting a group requires an argument (group name)")
				}
				group, category := splitGroup(spec)
				setGroup(ch, group, category)
				return nil
			}},
		{Name: "GROUP_COUNT", Synopsis: "Counts the number of channels in the specified group.", Syntax: "GROUP_COUNT([groupname][@category])",
			Description: "Calculates the group count for the specified group, or uses the channel's current group if not specified (and non-empty).",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("GROUP_COUNT")
				}
				group, category := splitGroup(s)
				if group == "" {
					for _, g := range channelGroups(ch) {
						if category == "" || g.category != "" && strings.EqualFold(g.category, category) {
							group = g.group
							if g.category != "" {
								category = g.category
							}
							break
						}
					}
				}
				return strconv.Itoa(groupCount(e, group, category)), nil
			}},
		{Name: "GROUP_MATCH_COUNT", Synopsis: "Counts the number of channels in the groups matching the specified pattern.", Syntax: "GROUP_MATCH_COUNT(groupmatch[@category])",
			Description: "Calculates the group count for all groups that match the specified pattern. Note: category matching is applied after matching based on group. Uses standard regular expression matching on both (see regex(7)).",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				group, category := splitGroup(s)
				if group == "" {
					return "", nil
				}
				return strconv.Itoa(groupMatchCount(e, group, category)), nil
			}},
		{Name: "GROUP_LIST", Synopsis: "Gets a list of the groups set on a channel.", Syntax: "GROUP_LIST()",
			Description: "Gets a list of the groups set on a channel.",
			Read: func(ch *pbx.Channel, _ string) (string, error) {
				if ch == nil {
					return "", nil
				}
				var out []string
				for _, g := range channelGroups(ch) {
					if g.category != "" {
						out = append(out, g.group+"@"+g.category)
					} else {
						out = append(out, g.group)
					}
				}
				return strings.Join(out, " "), nil
			}},
	}
}

// groupCount counts the live channels in group (and category, when given),
// case-insensitively (ast_app_group_get_count).
func groupCount(e *pbx.Engine, group, category string) int {
	if group == "" {
		return 0
	}
	n := 0
	for _, c := range e.Channels() {
		for _, g := range channelGroups(c) {
			if strings.EqualFold(g.group, group) && (category == "" || g.category != "" && strings.EqualFold(g.category, category)) {
				n++
			}
		}
	}
	return n
}

// groupMatchCount counts the channels whose group (and category) match the
// POSIX extended regular expressions (ast_app_group_match_get_count).
func groupMatchCount(e *pbx.Engine, group, category string) int {
	gre, err := regexp.CompilePOSIX(group)
	if err != nil {
		logError(e, "Regex compile failed on: %s\n", group)
		return 0
	}
	var cre *regexp.Regexp
	if category != "" {
		if cre, err = regexp.CompilePOSIX(category); err != nil {
			logError(e, "Regex compile failed on: %s\n", category)
			return 0
		}
	}
	n := 0
	for _, c := range e.Channels() {
		for _, g := range channelGroups(c) {
			if gre.MatchString(g.group) && (cre == nil || g.category != "" && cre.MatchString(g.category)) {
				n++
			}
		}
	}
	return n
}
