package parking

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// amiPark is res_parking's Park action. Channel is parked; TimeoutChannel
// (or Channel2) is who it comes back to when its time runs out (it is
// set as BLINDTRANSFER, as ast_bridge_set_transfer_variables does). When
// TimeoutChannel is the channel's bridge peer, the peer hears the space
// and is hung up, as the parker of a DTMF park; otherwise the channel
// alone is parked. Timeout is in milliseconds (Park's t() in seconds, at
// least 1). The answers are res_parking_manager's, their trailing LF
// included.
func (m *Module) amiPark(r *manager.Request) error {
	name := r.Get("Channel")
	timeoutCh := r.Get("TimeoutChannel")
	if timeoutCh == "" {
		timeoutCh = r.Get("Channel2")
	}
	announce, lotName, space := r.Get("AnnounceChannel"), r.Get("Parkinglot"), r.Get("ParkingSpace")
	if name == "" {
		r.Error("Channel not specified")
		return nil
	}
	override := -1
	if v := r.Get("Timeout"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			r.Error("Invalid Timeout value.")
			return nil
		}
		if n > 0 {
			n = max(1, n/1000)
		}
		override = n
	}
	eng := m.engine.Load()
	ch := channelNamed(eng, name)
	if ch == nil {
		r.Error("Channel does not exist: " + name)
		return nil
	}
	if announce != "" && channelNamed(eng, announce) == nil {
		r.Error("AnnounceChannel does not exist")
		return nil
	}
	if timeoutCh != "" {
		ch.SetVar("BLINDTRANSFER", timeoutCh)
	}
	if space != "" {
		ch.SetVar("PARKINGEXTEN", space)
	}
	if lotName == "" {
		if v, ok := ch.Var("PARKINGLOT"); ok && v != "" {
			lotName = v
		} else {
			lotName = DefaultLot
		}
	}
	lot := m.lookup(lotName)
	if lot == nil {
		m.log.Warning("Could not find parking lot: '%s'\n", lotName)
		reply(r, "Error", "Park action failed\n")
		return nil
	}
	at := 0
	if space != "" {
		n, err := strconv.Atoi(space)
		if err != nil || n < lot.Start || n > lot.Stop || m.occupied(lot.Name, n) {
			reply(r, "Error", "Park action failed\n")
			return nil
		}
		at = n
	} else if at = m.nextFree(lot); at == 0 {
		m.log.Notice("Failed to get parking space in lot '%s'. All full.\n", lot.Name)
		reply(r, "Error", "Park action failed\n")
		return nil
	}
	// The space is chosen now so that the parker can be told it: Park
	// takes the one PARKINGEXTEN names.
	ch.SetVar("PARKINGEXTEN", strconv.Itoa(at))
	// s: the parked call is not told its space (res_parking says it to
	// the parker only).
	data := lot.Name + ",s"
	if override >= 0 {
		data += "t(" + strconv.Itoa(override) + ")"
	}
	// Asterisk moves both into its bridges without touching their
	// dialplan locations: Park and the parker's announcement run in place.
	parkee := pbx.Place{Run: func(c *pbx.Channel) pbx.Result {
		res, err := c.Engine().ExecApp(c, "Park", data)
		if err != nil {
			return pbx.HangupResult
		}
		return res
	}}
	parker := ch.Peer()
	var err error
	if parker != nil && timeoutCh != "" && parker.Name() == timeoutCh {
		say := pbx.Place{Run: func(c *pbx.Channel) pbx.Result {
			_, _ = c.Engine().ExecApp(c, "SayDigits", strconv.Itoa(at))
			return pbx.HangupResult
		}}
		err = pbx.AsyncGotoPair(ch, parkee, parker, say)
	} else {
		err = ch.AsyncRun(parkee.Run)
	}
	if err != nil {
		reply(r, "Error", "Park action failed\n")
		return nil
	}
	if announce != "" && !strings.EqualFold(announce, timeoutCh) {
		if ac := channelNamed(eng, announce); ac != nil {
			go m.announceSpace(ac, at)
		}
	}
	reply(r, "Success", "Park successful\n")
	return nil
}

// announceSpace says the space to the Park action's AnnounceChannel, as
// res_parking's parked-call subscription does: into the bridge the
// channel is in (whispered over what its far end says), digit by digit;
// a channel in no bridge hears nothing, as in Asterisk. It returns when
// the digits are said or the channel hangs up.
func (m *Module) announceSpace(ch *pbx.Channel, space int) {
	if ch.Peer() == nil {
		return
	}
	var pcm []int16
	for _, d := range strconv.Itoa(space) {
		p, err := apps.PromptPCM(ch, "digits/"+string(d), 2*8000)
		if err != nil {
			m.log.Warning("Unable to announce parking space %d to %s: %v\n", space, ch.Name(), err)
			return
		}
		pcm = append(pcm, p...)
	}
	w := &pbx.Whisper{}
	remove := ch.AddWhisper(w)
	defer remove()
	// Fed in real time: a whisper keeps only 200 ms.
	const frame = 160
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for len(pcm) > 0 {
		n := min(frame, len(pcm))
		w.Write(pcm[:n])
		pcm = pcm[n:]
		select {
		case <-ch.Done():
			return
		case <-t.C:
		}
	}
}

// nextFree is the space a call parked in lot now would get (0: full).
func (m *Module) nextFree(lot *Lot) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[lot.Name]
	first := lot.Start
	if st != nil && lot.FindNext && st.next >= lot.Start && st.next <= lot.Stop {
		first = st.next
	}
	n := lot.Stop - lot.Start + 1
	for i := 0; i < n; i++ {
		s := lot.Start + (first-lot.Start+i)%n
		if st == nil || st.parked[s] == nil {
			return s
		}
	}
	return 0
}

// channelNamed is the channel with exactly this name (any case), as
// ast_channel_get_by_name finds it; nil when none.
func channelNamed(eng *pbx.Engine, name string) *pbx.Channel {
	if eng == nil {
		return nil
	}
	for _, c := range eng.Channels() {
		if strings.EqualFold(c.Name(), name) {
			return c
		}
	}
	return nil
}

// reply answers as res_parking_manager does: its messages end with a
// line feed of their own, kept before the header's CRLF.
func reply(r *manager.Request, kind, msg string) {
	var b strings.Builder
	b.WriteString("Response: " + kind + "\r\n")
	if id := r.ActionID(); id != "" {
		b.WriteString("ActionID: " + strings.NewReplacer("\r", " ", "\n", " ").Replace(id) + "\r\n")
	}
	b.WriteString("Message: " + msg + "\r\n\r\n")
	r.Raw([]byte(b.String()))
}
