package agi

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// EAGI: the script also gets what the caller says on file descriptor 3,
// as 8 kHz 16-bit signed linear (native endianness), as res_agi gives
// it. Only a local script can have it: EAGI over FastAGI or AsyncAGI
// fails, as res_agi's launch_script makes it fail.

// eagiQueue bounds the frames waiting for the writer: a script that does
// not read fd 3 loses audio, it never slows the channel down.
const eagiQueue = 50

// eagiAudio feeds one script's fd 3 from a tap on the channel.
type eagiAudio struct {
	w      *os.File // our end of the pipe
	frames chan media.Frame
	remove func() // the tap's removal
	done   chan struct{}
	timer  *time.Timer // readOnce's frame wait
	once   sync.Once

	mu     sync.Mutex // TapFrame against stop's close
	closed bool
}

// startEAGI taps ch and starts the writer; r is the pipe end for the
// script's fd 3 (the caller closes it once the script started).
func startEAGI(ch *pbx.Channel) (a *eagiAudio, r *os.File, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	a = &eagiAudio{w: w, frames: make(chan media.Frame, eagiQueue), done: make(chan struct{})}
	// The writer belongs to the run: stop closes frames and waits for it.
	go a.write()
	a.remove = ch.AddTap(a)
	return a, r, nil
}

// TapFrame queues what the caller said; a full queue drops the frame.
func (a *eagiAudio) TapFrame(dir pbx.TapDirection, fr media.Frame) {
	if dir != pbx.TapRead {
		return
	}
	a.mu.Lock()
	if !a.closed {
		select {
		case a.frames <- fr:
		default:
		}
	}
	a.mu.Unlock()
}

// write turns frames into slin and writes them to the pipe. A write the
// script does not take within a frame time is dropped (res_agi's audio
// descriptor is non-blocking).
func (a *eagiAudio) write() {
	defer close(a.done)
	var chain *media.Chain
	for fr := range a.frames {
		if fr.Format != media.SLin {
			if chain == nil || chain.Path().From != fr.Format {
				p, err := pbx.Translator().Path(fr.Format, media.SLin)
				if err != nil {
					continue
				}
				chain = p.NewChain()
			}
			out, err := chain.Translate(fr)
			if err != nil {
				continue
			}
			fr = out
		}
		if len(fr.Payload) == 0 {
			continue
		}
		a.w.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := a.w.Write(fr.Payload); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			// The script closed fd 3: drain the rest.
			continue
		}
	}
}

// readOnce reads one frame of the channel (or waits a frame time) so the
// tap sees the caller's voice while no command reads it.
func (a *eagiAudio) readOnce(ch *pbx.Channel) {
	if a.timer == nil {
		a.timer = time.NewTimer(20 * time.Millisecond)
	} else {
		a.timer.Reset(20 * time.Millisecond)
	}
	if _, err := ch.ReadUntil(a.timer.C); !errors.Is(err, pbx.ErrTimeout) {
		if !a.timer.Stop() {
			select {
			case <-a.timer.C:
			default:
			}
		}
		if err != nil && !errors.Is(err, pbx.ErrInterrupted) {
			// No media or a hangup: wait a frame time rather than spin
			// until the run notices.
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// stop removes the tap, ends the writer and closes the pipe.
func (a *eagiAudio) stop() {
	a.once.Do(func() {
		a.remove()
		a.mu.Lock()
		a.closed = true
		close(a.frames)
		a.mu.Unlock()
		<-a.done
		a.w.Close()
		if a.timer != nil {
			a.timer.Stop()
		}
	})
}
