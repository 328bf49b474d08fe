package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// chooseBranch evaluates "condition?iftrue[:iffalse]" as GotoIf, GosubIf and
// ExecIf read it and returns the branch to take, trimmed ("" when that
// branch is empty). ok is false when there is no question mark.
func chooseBranch(data string) (branch string, ok bool) {
	cond, t, f, ok := pbx.SplitCondition(data)
	if !ok {
		return "", false
	}
	if pbx.CheckCondition(cond) {
		return strings.TrimSpace(t), true
	}
	return strings.TrimSpace(f), true
}
