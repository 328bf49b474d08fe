package parking

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// parkGetChannel is res_parking's PARK_GET_CHANNEL(space,lot): the name
// of the channel parked there, nothing when the space is free.
func (m *Module) parkGetChannel() pbx.Function {
	return pbx.Function{
		Name: "PARK_GET_CHANNEL", Synopsis: "Get the channel name of an occupied parking space in a parking lot.",
		Syntax:      "PARK_GET_CHANNEL(parking_space,parking_lot)",
		Description: "This function returns the channel of the specified parking space if the parking lot space is occupied.",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			a := pbx.SplitArgs(s, ',')
			if s == "" || len(a) < 2 {
				return "", pbx.ErrorLevel(errors.New("Usage: PARK_GET_CHANNEL(<parking_space>,<parking_lot>)"))
			}
			lot := m.lookup(a[1])
			if lot == nil {
				return "", pbx.ErrorLevel(errors.New("Could not find parking lot: '" + a[1] + "'"))
			}
			space := 0
			if a[0] != "" {
				n, err := strconv.ParseUint(strings.TrimSpace(a[0]), 10, 31)
				if err != nil {
					return "", pbx.ErrorLevel(errors.New("value '" + a[0] + "' for parking_space argument is invalid. Must be an integer greater than 0."))
				}
				space = int(n)
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			if st := m.lots[lot.Name]; st != nil {
				if pc := st.parked[space]; pc != nil {
					return pc.ch.Name(), nil
				}
			}
			return "", nil
		},
	}
}
