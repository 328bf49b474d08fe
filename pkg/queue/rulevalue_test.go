package queue

import "testing"

func TestRuleValue(t *testing.T) {
	for _, tc := range []struct {
		cur, value int
		relative   bool
		ceiling    int
		want       int
	}{
		{5, 10, false, noPenalty, 10},
		{5, 10, true, noPenalty, 15},
		{5, -10, true, noPenalty, 0},
		{5, 10, true, 12, 12},
		{5, 3, false, 12, 3},
		{0, -1, false, 12, 0},
	} {
		if got := ruleValue(tc.cur, tc.value, tc.relative, tc.ceiling); got != tc.want {
			t.Errorf("ruleValue(%d, %d, %v, %d) = %d, want %d", tc.cur, tc.value, tc.relative, tc.ceiling, got, tc.want)
		}
	}
}
