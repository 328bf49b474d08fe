package call

// MOHInterpret is the music class chan_sip asks for when this leg's peer
// holds the call and the leg hears music (sip.conf mohinterpret of the
// peer, else of [general]; "default" unless set). pkg/moh reads it through
// its Interpreter interface.
func (d *dialog) MOHInterpret() string {
	if d.peer != nil {
		return d.peer.MOHInterpret
	}
	if g := d.m.d.General(); g != nil {
		return g.MOHInterpret
	}
	return "default"
}
