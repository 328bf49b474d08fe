package pbx

import (
	"strings"
	"testing"
)

func TestRegisterModule(t *testing.T) {
	e := New(Config{})
	nop := func(*Channel, string) (Result, error) { return Continue, nil }
	read := func(*Channel, string) (string, error) { return "", nil }
	if err := e.RegisterModule("app_one", []*App{{Name: "One", Exec: nop}}, []Function{{Name: "ONE", Read: read}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.App("one"); !ok {
		t.Error("One not registered")
	}
	for _, tc := range []struct {
		name  string
		apps  []*App
		funcs []Function
	}{
		{"app clash", []*App{{Name: "ONE", Exec: nop}}, nil},
		{"function clash", nil, []Function{{Name: "one", Read: read}}},
	} {
		err := e.RegisterModule("app_two", tc.apps, tc.funcs)
		if err == nil || !strings.HasPrefix(err.Error(), "app_two: ") {
			t.Errorf("%s: err = %v, want one starting app_two: ", tc.name, err)
		}
	}
}
