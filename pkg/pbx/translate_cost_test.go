package pbx

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestCostTo(t *testing.T) {
	if CostTo(nil) != nil {
		t.Error("CostTo(nil) is a preference")
	}
	c := CostTo(media.ULaw)
	same, slin, gsm := c(media.ULaw), c(media.SLin), c(media.GSM)
	if same < 0 || slin < 0 || gsm < 0 {
		t.Fatalf("no path to ulaw: ulaw %d slin %d gsm %d", same, slin, gsm)
	}
	if !(same <= slin && slin < gsm) {
		t.Errorf("costs to ulaw: ulaw %d, slin %d, gsm %d; want ulaw <= slin < gsm", same, slin, gsm)
	}
}
