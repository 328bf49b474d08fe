package amd

import "fmt"

// Detector is app_amd's state machine, fed one audio frame at a time.
// Log receives its verbose lines (without the channel prefix).
type Detector struct {
	p   Params
	log func(format string, args ...any)

	frames                   int
	inInitialSilence         bool
	inGreeting               bool
	inWord                   bool // STATE_IN_WORD, else STATE_IN_SILENCE
	voiceDuration            int
	silenceDuration          int
	totalTime                int
	wordsCount               int
	consecutiveVoiceDuration int
}

// NewDetector starts a detection with p.
func NewDetector(p Params, log func(format string, args ...any)) *Detector {
	if log == nil {
		log = func(string, ...any) {}
	}
	return &Detector{p: p, log: log, inInitialSilence: true, inWord: true}
}

// Result is AMDSTATUS and AMDCAUSE once decided.
type Result struct {
	Status, Cause string
}

// Frame feeds frameMS of audio whose trailing silence is silenceMS (0 when
// the frame is not silent), as ast_dsp_silence reports it. ok is true once
// the detector has decided.
func (d *Detector) Frame(frameMS, silenceMS int) (Result, bool) {
	p := &d.p
	d.frames++
	d.totalTime += frameMS
	if d.totalTime >= p.TotalAnalysisTime {
		d.log("Too long...\n")
		return Result{"NOTSURE", fmt.Sprintf("TOOLONG-%d", d.totalTime)}, true
	}
	if silenceMS > 0 {
		d.silenceDuration = silenceMS
		if d.silenceDuration >= p.BetweenWordsSilence {
			if d.inWord {
				d.log("Changed state to STATE_IN_SILENCE\n")
			}
			if d.consecutiveVoiceDuration < p.MinimumWordLength && d.consecutiveVoiceDuration > 0 {
				d.log("Short Word Duration: %d\n", d.consecutiveVoiceDuration)
			}
			d.inWord = false
			d.consecutiveVoiceDuration = 0
		}
		if d.inInitialSilence && d.silenceDuration >= p.InitialSilence {
			d.log("ANSWERING MACHINE: silenceDuration:%d initialSilence:%d\n", d.silenceDuration, p.InitialSilence)
			return Result{"MACHINE", fmt.Sprintf("INITIALSILENCE-%d-%d", d.silenceDuration, p.InitialSilence)}, true
		}
		if d.silenceDuration >= p.AfterGreetingSilence && d.inGreeting {
			d.log("HUMAN: silenceDuration:%d afterGreetingSilence:%d\n", d.silenceDuration, p.AfterGreetingSilence)
			return Result{"HUMAN", fmt.Sprintf("HUMAN-%d-%d", d.silenceDuration, p.AfterGreetingSilence)}, true
		}
		return Result{}, false
	}
	d.consecutiveVoiceDuration += frameMS
	d.voiceDuration += frameMS
	if d.consecutiveVoiceDuration >= p.MinimumWordLength && !d.inWord {
		d.wordsCount++
		d.log("Word detected. iWordsCount:%d\n", d.wordsCount)
		d.inWord = true
	}
	if d.consecutiveVoiceDuration >= p.MaximumWordLength {
		d.log("Maximum Word Length detected. [%d]\n", d.consecutiveVoiceDuration)
		return Result{"MACHINE", fmt.Sprintf("MAXWORDLENGTH-%d", d.consecutiveVoiceDuration)}, true
	}
	if d.wordsCount > p.MaximumNumberOfWords {
		d.log("ANSWERING MACHINE: iWordsCount:%d\n", d.wordsCount)
		return Result{"MACHINE", fmt.Sprintf("MAXWORDS-%d-%d", d.wordsCount, p.MaximumNumberOfWords)}, true
	}
	if d.inGreeting && d.voiceDuration >= p.Greeting {
		d.log("ANSWERING MACHINE: voiceDuration:%d greeting:%d\n", d.voiceDuration, p.Greeting)
		return Result{"MACHINE", fmt.Sprintf("LONGGREETING-%d-%d", d.voiceDuration, p.Greeting)}, true
	}
	if d.voiceDuration >= p.MinimumWordLength {
		if d.silenceDuration > 0 {
			d.log("Detected Talk, previous silence duration: %d\n", d.silenceDuration)
		}
		d.silenceDuration = 0
	}
	if d.consecutiveVoiceDuration >= p.MinimumWordLength && !d.inGreeting {
		if d.silenceDuration > 0 {
			d.log("Before Greeting Time:  silenceDuration: %d voiceDuration: %d\n", d.silenceDuration, d.voiceDuration)
		}
		d.inInitialSilence = false
		d.inGreeting = true
	}
	return Result{}, false
}

// Waited accounts for time without a frame (app_amd's wait timeout); ok
// once the analysis time is over.
func (d *Detector) Waited(ms int) (Result, bool) {
	d.totalTime += ms
	if d.totalTime >= d.p.TotalAnalysisTime {
		return Result{"NOTSURE", fmt.Sprintf("TOOLONG-%d", d.totalTime)}, true
	}
	return Result{}, false
}

// Timeout is the result when the real-time limit passed first.
func (d *Detector) Timeout() Result {
	if d.frames == 0 {
		return Result{"NOTSURE", fmt.Sprintf("NOAUDIODATA-%d", d.totalTime)}
	}
	return Result{"NOTSURE", fmt.Sprintf("TOOLONG-%d", d.totalTime)}
}
