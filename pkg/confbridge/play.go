package confbridge

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// open finds a prompt as ast_streamfile does, with its warnings.
func (m *Module) open(ch *pbx.Channel, name string) (*sound.Reader, error) {
	native := ch.NativeFormat()
	path, ff, err := m.finder.Find(name, ch.Language(), pbx.CostTo(native))
	if err != nil {
		m.log.Warning("File %s does not exist in any format\n", name)
		return nil, err
	}
	r, err := sound.Open(path, ff)
	if err != nil {
		m.log.Warning("Unable to open %s: %v\n", name, err)
		return nil, err
	}
	lang := ch.Language()
	if lang == "" {
		lang = "default"
	}
	m.log.Verbose(3, "<%s> Playing '%s.%s' (language '%s')\n", ch.Name(), name, r.Format().Name, lang)
	return r, nil
}

// play plays the files of names ('&' separated) to ch and waits for
// them, as ast_stream_and_wait does; a digit in brk stops the playback
// and is returned. A missing file is skipped after its warning.
func (m *Module) play(ch *pbx.Channel, names string, brk string) (rune, error) {
	for _, name := range strings.Split(names, "&") {
		if name == "" {
			continue
		}
		d, err := m.playOne(ch, name, brk)
		if err != nil || d != 0 {
			return d, err
		}
	}
	return 0, nil
}

func (m *Module) playOne(ch *pbx.Channel, name, brk string) (rune, error) {
	r, err := m.open(ch, name)
	if err != nil {
		return 0, nil
	}
	end := make(chan time.Time)
	quit := make(chan struct{})
	go func() {
		defer close(end)
		for {
			select {
			case <-quit:
				return
			default:
			}
			fr, err := r.ReadFrame()
			if err != nil {
				return
			}
			if ch.Write(fr) != nil {
				return
			}
		}
	}()
	stop := func(flush bool) {
		close(quit)
		<-end
		if flush {
			ch.FlushMedia()
		}
		r.Close()
	}
	for {
		fr, err := ch.ReadDigitsUntil(end)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			stop(false)
			return 0, nil
		case errors.Is(err, pbx.ErrNoMedia):
			<-end
			stop(false)
			return 0, nil
		case err != nil:
			stop(true)
			return 0, err
		}
		if fr.Kind == media.DTMFEnd && brk != "" && strings.ContainsRune(brk, fr.Digit) {
			stop(true)
			return fr.Digit, nil
		}
	}
}

// Play plays prompts ('&' separated) to ch and waits for them; no key
// interrupts them (MeetMe's prompts before the conference).
func (m *Module) Play(ch *pbx.Channel, names string) (rune, error) { return m.play(ch, names, "") }

// ReadDigits plays prompt and collects up to maxLen digits, ending with
// '#' or a pause of timeout (ast_app_getdata).
func (m *Module) ReadDigits(ch *pbx.Channel, prompt string, maxLen int, timeout time.Duration) (string, error) {
	return m.readDigits(ch, prompt, maxLen, timeout)
}

// NumberFiles are the digits/ files ast_say_number plays for n in
// English (the conference counts stay small).
func NumberFiles(n int) []string {
	switch {
	case n < 0:
		return nil
	case n <= 20:
		return []string{"digits/" + strconv.Itoa(n)}
	case n < 100:
		out := []string{"digits/" + strconv.Itoa(n/10*10)}
		if n%10 != 0 {
			out = append(out, "digits/"+strconv.Itoa(n%10))
		}
		return out
	case n < 1000:
		out := append(NumberFiles(n/100), "digits/hundred")
		if n%100 != 0 {
			out = append(out, NumberFiles(n%100)...)
		}
		return out
	}
	out := append(NumberFiles(n/1000), "digits/thousand")
	if n%1000 != 0 {
		out = append(out, NumberFiles(n%1000)...)
	}
	return out
}

// readDigits prompts with name and collects up to max digits ending with
// '#' or a pause of timeout, as ast_app_getdata does.
func (m *Module) readDigits(ch *pbx.Channel, prompt string, maxLen int, timeout time.Duration) (string, error) {
	var got strings.Builder
	d, err := m.play(ch, prompt, "0123456789*#ABCD")
	if err != nil {
		return "", err
	}
	for {
		if d != 0 {
			if d == '#' {
				return got.String(), nil
			}
			got.WriteRune(d)
			if got.Len() >= maxLen {
				return got.String(), nil
			}
		}
		d, err = ch.WaitDigit(timeout)
		if err != nil {
			return "", err
		}
		if d == 0 {
			return got.String(), nil
		}
	}
}

// fileFrames reads a whole prompt for the conference's announcer.
func fileFrames(r *sound.Reader) ([]media.Frame, error) {
	var out []media.Frame
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fr)
	}
}
