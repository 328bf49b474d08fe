package pbx

import "time"

// Text received in a call (a SIP MESSAGE in the dialog) is Asterisk's
// AST_FRAME_TEXT: the bridge passes it to the other party, and an
// application reading the channel (ReceiveText) takes it. A text that
// arrives while nothing reads text is dropped, as the applications that
// read other frames drop text frames.

// textWaiterKey is the datastore of a ReceiveText in progress.
type textWaiterKey struct{}

// QueueText hands text received from the channel's device to the
// application waiting for it; false when none waits (the text is
// dropped).
func (c *Channel) QueueText(text string) bool {
	w, ok := c.Datastore(textWaiterKey{}).(chan string)
	if !ok {
		return false
	}
	select {
	case w <- text:
		return true
	default:
		return false // one text is already waiting to be taken
	}
}

// ReceiveText waits for a text from the channel's device (ast_recvtext):
// timeout <= 0 waits until the channel hangs up or is interrupted. ok is
// false on timeout, hangup or interruption.
func (c *Channel) ReceiveText(timeout time.Duration) (text string, ok bool) {
	w := make(chan string, 1)
	c.SetDatastore(textWaiterKey{}, w)
	defer c.SetDatastore(textWaiterKey{}, nil)
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case text = <-w:
		return text, true
	case <-expire:
	case <-c.Done():
	case <-c.Interrupted():
	}
	// A text that came with the timeout still counts.
	select {
	case text = <-w:
		return text, true
	default:
		return "", false
	}
}
