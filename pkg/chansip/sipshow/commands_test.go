package sipshow

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

func TestCommandsThroughRegistry(t *testing.T) {
	v := &View{Config: referenceConfig(t), Now: now, Registry: []RegistryState{{State: RegRequestSent}}}
	reg := cli.NewRegistry()
	if err := reg.Register(Commands(func() *View { return v })...); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := reg.Execute(cli.NewSession(0), "sip show registry", &buf); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/sip-show-registry.txt")
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("through the registry:\n%q\nwant\n%q", buf.String(), want)
	}
	for _, c := range Commands(func() *View { return v }) {
		if c.Words[2] == "peer" {
			if got := c.Complete(nil, 3, "6"); !reflect.DeepEqual(got, []string{"6000", "6001"}) {
				t.Errorf("complete peer 6 = %v", got)
			}
			if got := c.Complete(nil, 4, "l"); !reflect.DeepEqual(got, []string{"load"}) {
				t.Errorf("complete load = %v", got)
			}
		}
	}
}
