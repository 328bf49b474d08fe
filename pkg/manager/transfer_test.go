package manager

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// A channel in no bridge has nobody to transfer.
func TestBlindTransferOfAnUnbridgedChannel(t *testing.T) {
	l := newLab(t, testConf)
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(l.eng, "6001", "default", "s")
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: BlindTransfer", "Channel: "+ch.Name(), "Exten: 6000", "Context: default")
	if got, want := c.resp(), "Response: Error\r\nMessage: Transfer invalid\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
