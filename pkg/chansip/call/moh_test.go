package call

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

func TestMOHInterpret(t *testing.T) {
	general := &sipconf.General{MOHInterpret: "lobby"}
	for _, tt := range []struct {
		name    string
		peer    *sipconf.Peer
		general *sipconf.General
		want    string
	}{
		{"peer's own", &sipconf.Peer{MOHInterpret: "jazz"}, general, "jazz"},
		{"guest: [general]'s", nil, general, "lobby"},
		{"guest without [general]", nil, nil, "default"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewManager(Deps{General: func() *sipconf.General { return tt.general }})
			d := &dialog{m: m, peer: tt.peer}
			if got := d.MOHInterpret(); got != tt.want {
				t.Errorf("MOHInterpret() = %q, want %q", got, tt.want)
			}
		})
	}
}
