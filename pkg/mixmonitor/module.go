package mixmonitor

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixer"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// SpoolDir is astspooldir; recordings named without a directory go
	// to SpoolDir/monitor.
	SpoolDir string
}

// Module is app_mixmonitor (MixMonitor, StopMixMonitor) and res_monitor
// (Monitor, StopMonitor): recordings of a channel's two directions
// through a pbx.Tap.
type Module struct {
	opts Options
	log  pbx.Logger
	seq  atomic.Uint64

	mu   sync.Mutex
	recs map[*pbx.Channel][]*recording
	wg   sync.WaitGroup // the recordings' owners
}

// New returns the module.
func New(opts Options) *Module {
	return &Module{opts: opts, log: opts.Log, recs: map[*pbx.Channel][]*recording{}}
}

// Close stops every recording and waits for the files and post commands.
func (m *Module) Close() {
	m.mu.Lock()
	var all []*recording
	for _, rs := range m.recs {
		all = append(all, rs...)
	}
	m.mu.Unlock()
	for _, r := range all {
		r.stop()
	}
	m.wg.Wait()
}

// Register adds the applications to eng.
func (m *Module) Register(eng *pbx.Engine) error {
	apps := []*pbx.App{
		{
			Name:     "MixMonitor",
			Synopsis: "Record a call and mix the audio during the recording.  Use of StopMixMonitor is required to guarantee the audio file is available for processing during dialplan execution.",
			Syntax:   "MixMonitor(filename.extension[,options[,command]])",
			Description: "Records the audio on the current channel to the specified file.\n" +
				"This application does not automatically answer and should be preceeded by an application such as Answer or Progress().\n" +
				"MIXMONITOR_FILENAME: Will contain the filename used to record.",
			Arguments: "file\noptions\ncommand",
			Exec:      m.mixMonitorExec,
		},
		{
			Name:      "StopMixMonitor",
			Synopsis:  "Stop recording a call through MixMonitor, and free the recording's file handle.",
			Syntax:    "StopMixMonitor([MixMonitorID])",
			Arguments: "MixMonitorID",
			Exec:      m.stopMixMonitorExec,
		},
		{
			Name:      "Monitor",
			Synopsis:  "Monitor a channel.",
			Syntax:    "Monitor([file_format[:urlbase],[fname_base,[options]]])",
			Arguments: "file_format\nfname_base\noptions",
			Exec:      m.monitorExec,
		},
		{
			Name:     "StopMonitor",
			Synopsis: "Stop monitoring a channel.",
			Syntax:   "StopMonitor()",
			Exec:     m.stopMonitorExec,
		},
	}
	apps = append(apps, m.monitorControlApps()...)
	return eng.RegisterModule("app_mixmonitor", apps, []pbx.Function{m.mixMonitorFunc()})
}

func (m *Module) logError(format string, args ...any) {
	if e, ok := m.log.(interface{ Error(string, ...any) }); ok {
		e.Error(format, args...)
		return
	}
	m.log.Warning(format, args...)
}

// volume turns -4..4 into the gain recording applies.
func volume(log pbx.Logger, opts map[byte]string, c byte, what string) int {
	v, ok := opts[c]
	if !ok {
		return 0
	}
	if v == "" {
		log.Warning("No volume level was provided for the %s volume ('%c') option.\n", what, c)
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -4 || n > 4 {
		log.Notice("Volume must be a number between -4 and 4\n")
		return 0
	}
	return n
}

func (m *Module) mixMonitorExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	file := strings.TrimSpace(args[0])
	opts := pbx.ParseAppOptions(args[1])
	_, hasR := opts['r']
	_, hasT := opts['t']
	if file == "" && !hasR && !hasT {
		m.log.Warning("MixMonitor requires an argument (filename or ,t(filename) and/or r(filename)\n")
		return pbx.Continue, nil
	}
	spec := spec{
		mixed: file, readName: opts['r'], writeName: opts['t'],
		appendTo: has(opts, 'a'), bridgedOnly: has(opts, 'b'),
		// v is what the party hears (the channel's write direction), V
		// what it says (its read direction).
		writeVol: volume(m.log, opts, 'v', "heard"),
		readVol:  volume(m.log, opts, 'V', "spoken"),
		bothVol:  volume(m.log, opts, 'W', "combined"),
		command:  strings.ReplaceAll(strings.TrimSpace(args[2]), "^{", "${"),
		realCID:  has(opts, 'c'), deleteAfter: has(opts, 'd'),
		// Asterisk 18 keeps r and t in step unless n; S is the old way
		// of asking for it.
		sync: !has(opts, 'n'), beepStop: has(opts, 'P'),
	}
	if has(opts, 'S') {
		m.log.Notice("The synchronization behavior enabled by the 'S' option is now the default and does not need to be specified.\n")
	}
	if v, ok := opts['B']; ok {
		spec.beepEvery = m.beepInterval(v)
	}
	if v, ok := opts['m']; ok {
		for _, box := range strings.Split(v, "&") {
			if box = strings.TrimSpace(box); box != "" {
				spec.mailboxes = append(spec.mailboxes, box)
			}
		}
	}
	if file != "" {
		// Set before the command is substituted, which may name it.
		path, _ := Resolve(m.opts.SpoolDir, file)
		ch.SetVar("MIXMONITOR_FILENAME", path)
	}
	if spec.command != "" {
		spec.command = ch.Engine().Substitute(ch, spec.command)
	}
	r, err := m.start(ch, spec, "MixMonitor")
	if err != nil {
		// The call goes on unrecorded, as Asterisk's does.
		return pbx.Continue, nil
	}
	if v, ok := opts['i']; ok && v != "" {
		ch.SetVar(v, r.id)
	}
	if has(opts, 'p') {
		// p: the channel hears a beep as the recording starts.
		_, _ = apps.StreamAndWait(ch, "beep", "")
	}
	return pbx.Continue, nil
}

func has(opts map[byte]string, c byte) bool { _, ok := opts[c]; return ok }

func (m *Module) stopMixMonitorExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	id := strings.TrimSpace(data)
	m.mu.Lock()
	var stop []*recording
	for _, r := range m.recs[ch] {
		if r.app == "MixMonitor" && (id == "" || r.id == id) {
			stop = append(stop, r)
		}
	}
	m.mu.Unlock()
	if id != "" && len(stop) == 0 {
		m.log.Warning("Could not find MixMonitor with ID %s\n", id)
	}
	beep := false
	for _, r := range stop {
		r.stop()
		<-r.done
		beep = beep || r.spec.beepStop
	}
	if beep && !ch.HangupRequested() {
		// P: the channel hears a beep as the recording stops.
		_, _ = apps.StreamAndWait(ch, "beep", "")
	}
	return pbx.Continue, nil
}

// monitorExec is res_monitor's Monitor(format,fname_base,options):
// <base>-in.<format> (what the party says) and <base>-out.<format> (what
// it hears), or with m one mixed <base>.<format> (Asterisk mixes the two
// after the call; gostrisk writes the mix as it goes and keeps no legs).
func (m *Module) monitorExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	format := strings.TrimSpace(args[0])
	if i := strings.IndexByte(format, ':'); i >= 0 {
		format = format[:i]
	}
	if format == "" {
		format = "wav"
	}
	base := strings.TrimSpace(args[1])
	opts := pbx.ParseAppOptions(args[2])
	if m.Running(ch, "Monitor") {
		// A second Monitor fails to start and res_monitor renames the
		// running one instead (an empty name only gets a warning); its m
		// option then decides whether the legs are joined at the end.
		m.changeMonitor(ch, base)
		if rec := m.monitorOf(ch); rec != nil {
			rec.mu.Lock()
			rec.joinFiles = has(opts, 'm')
			rec.mu.Unlock()
		}
		return pbx.Continue, nil
	}
	if base == "" {
		base = strings.ReplaceAll(ch.Name(), "/", "-")
	}
	s := spec{appendTo: has(opts, 'a'), bridgedOnly: has(opts, 'b')}
	if has(opts, 'm') {
		s.mixed = base + "." + format
	} else {
		s.readName = base + "-in." + format
		s.writeName = base + "-out." + format
	}
	if _, err := m.start(ch, s, "Monitor"); err != nil {
		return pbx.Continue, nil
	}
	return pbx.Continue, nil
}

func (m *Module) stopMonitorExec(ch *pbx.Channel, _ string) (pbx.Result, error) {
	m.mu.Lock()
	var stop []*recording
	for _, r := range m.recs[ch] {
		if r.app == "Monitor" {
			stop = append(stop, r)
		}
	}
	m.mu.Unlock()
	for _, r := range stop {
		r.stop()
		<-r.done
	}
	return pbx.Continue, nil
}

// Recording reports the paths ch is being recorded to now (tests, CLI).
func (m *Module) Recording(ch *pbx.Channel) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.recs[ch] {
		out = append(out, r.paths()...)
	}
	return out
}

// spec is what a recording writes.
type spec struct {
	mixed, readName, writeName string
	appendTo, bridgedOnly      bool
	readVol, writeVol, bothVol int
	command                    string
	// mailboxes get the mixed file as a new message (m); realCID gives
	// it the channel's caller ID instead of the connected line (c);
	// deleteAfter removes the files once done with (d).
	mailboxes            []string
	realCID, deleteAfter bool
	// sync (the default, n turns it off) keeps the r and t files in
	// step: a direction without audio gets silence.
	sync bool
	// beepStop (P) plays a beep to the channel when StopMixMonitor ends
	// the recording.
	beepStop bool
	// beepEvery (B) beeps to both parties periodically while recording.
	beepEvery time.Duration
}

// start opens the files and puts the tap on ch; an error (a directory
// that cannot be written) has been logged.
func (m *Module) start(ch *pbx.Channel, s spec, app string) (*recording, error) {
	r := &recording{m: m, ch: ch, app: app, spec: s, quit: make(chan struct{}), done: make(chan struct{}),
		id: fmt.Sprintf("%p-%d", ch, m.seq.Add(1))}
	open := func(name string) (*File, string, error) {
		if name == "" {
			return nil, "", nil
		}
		path, ff := Resolve(m.opts.SpoolDir, name)
		f, err := Create(path, ff, s.appendTo)
		if err != nil {
			m.logError("Cannot open %s: %v\n", path, err)
			return nil, path, err
		}
		return f, path, nil
	}
	var err error
	if r.mixed, r.mixedPath, err = open(s.mixed); err != nil {
		return nil, err
	}
	if r.read, _, err = open(s.readName); err != nil {
		r.abort()
		return nil, err
	}
	if r.write, _, err = open(s.writeName); err != nil {
		r.abort()
		return nil, err
	}
	r.rate = 8000
	if r.mixed != nil && r.mixed.Format().SampleRate >= 16000 {
		r.rate = 16000
	}
	m.mu.Lock()
	m.recs[ch] = append(m.recs[ch], r)
	m.mu.Unlock()
	m.log.Verbose(2, "Begin %s Recording %s\n", app, ch.Name())
	r.removeTap = ch.AddTap(r)
	m.wg.Add(1)
	go r.own()
	if s.beepEvery > 0 {
		m.wg.Add(1)
		go r.beeper(s.beepEvery)
	}
	return r, nil
}

// recording is one MixMonitor or Monitor on a channel: the tap mixing its
// two directions into the files.
type recording struct {
	m         *Module
	ch        *pbx.Channel
	app, id   string
	spec      spec
	rate      int
	mixedPath string
	mixed     *File
	read      *File
	write     *File
	removeTap func()
	quit      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once

	// muted are MixMonitorMute's flags by direction (0 read, 1 write):
	// a muted direction is recorded as silence.
	muted [2]atomic.Bool
	// paused (PauseMonitor) writes nothing until UnpauseMonitor.
	paused atomic.Bool
	// renameBase is ChangeMonitor's new file name base (guarded by mu).
	renameBase string
	// joinFiles: the legs are mixed into one file when the Monitor ends
	// (a Monitor action with Mix on a running one; guarded by mu).
	joinFiles bool

	mu  sync.Mutex // the tap is called from the reading and writing goroutines
	buf [2][]int16
	dec [2]*media.Chain
	pcm []int16
	ts  uint32
	// legAt is how much audio each leg file has had (S).
	legAt [2]time.Duration
}

func (r *recording) paths() []string {
	var out []string
	for _, f := range []*File{r.mixed, r.read, r.write} {
		if f != nil {
			out = append(out, f.Path())
		}
	}
	return out
}

func (r *recording) abort() {
	for _, f := range []*File{r.mixed, r.read, r.write} {
		if f != nil {
			f.w.Abort()
		}
	}
}

func (r *recording) stop() { r.stopOnce.Do(func() { close(r.quit) }) }

// own waits for the end of the recording (StopMixMonitor, the channel's
// hangup, the module's Close), completes the files and runs the command.
func (r *recording) own() {
	defer r.m.wg.Done()
	defer close(r.done)
	select {
	case <-r.quit:
	case <-r.ch.Done():
	}
	r.removeTap()
	r.mu.Lock()
	r.flush()
	r.mu.Unlock()
	m := r.m
	m.mu.Lock()
	rs := m.recs[r.ch]
	for i, o := range rs {
		if o == r {
			rs = append(rs[:i:i], rs[i+1:]...)
			break
		}
	}
	if len(rs) == 0 {
		delete(m.recs, r.ch)
	} else {
		m.recs[r.ch] = rs
	}
	m.mu.Unlock()
	for _, f := range []*File{r.mixed, r.read, r.write} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil {
			m.logError("%v\n", err)
		}
	}
	if r.app == "Monitor" {
		r.renameMonitorFiles()
		r.joinMonitorFiles()
	}
	if r.mixed != nil {
		m.log.Verbose(2, "%s close filestream (mixed)\n", r.app)
	}
	if r.read != nil {
		m.log.Verbose(2, "%s close filestream (read)\n", r.app)
	}
	if r.write != nil {
		m.log.Verbose(2, "%s close filestream (write)\n", r.app)
	}
	if r.spec.command != "" {
		m.log.Verbose(2, "Executing [%s]\n", r.spec.command)
		<-RunCommand(m.log, r.spec.command)
	}
	if len(r.spec.mailboxes) > 0 {
		r.toMailboxes()
	}
	if r.spec.deleteAfter {
		for _, p := range r.paths() {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				m.logError("Failed to delete recording %s: %v\n", p, err)
			}
		}
	}
	m.log.Verbose(2, "End %s Recording %s\n", r.app, r.ch.Name())
}

// TapFrame takes one frame of either direction: the leg files get it as
// it is, the mix gets it once the other direction has as much audio (or
// is silent for longer than a few frames).
func (r *recording) TapFrame(dir pbx.TapDirection, fr media.Frame) {
	if r.spec.bridgedOnly && r.ch.BridgeID() == "" || r.paused.Load() {
		return
	}
	if (dir == pbx.TapRead && r.muted[0].Load()) || (dir == pbx.TapWrite && r.muted[1].Load()) {
		fr = silenceLike(fr)
	}
	if r.spec.sync && r.read != nil && r.write != nil {
		r.legsInStep(dir, fr)
	} else {
		if dir == pbx.TapRead && r.read != nil {
			r.read.Write(fr)
		}
		if dir == pbx.TapWrite && r.write != nil {
			r.write.Write(fr)
		}
	}
	if r.mixed == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := 0
	if dir == pbx.TapWrite {
		i = 1
	}
	slin := media.SLin
	if r.rate >= 16000 {
		slin = media.SLin16
	}
	if fr.Format != slin {
		if r.dec[i] == nil || r.dec[i].Path().From != fr.Format {
			p, err := pbx.Translator().Path(fr.Format, slin)
			if err != nil {
				return
			}
			r.dec[i] = p.NewChain()
		}
		out, err := r.dec[i].Translate(fr)
		if err != nil {
			return
		}
		fr = out
	}
	r.pcm = media.DecodeSLin(r.pcm[:0], fr.Payload)
	vol := r.spec.readVol
	if i == 1 {
		vol = r.spec.writeVol
	}
	mixer.AdjustVolume(r.pcm, vol)
	r.buf[i] = append(r.buf[i], r.pcm...)
	r.mix(false)
}

// silenceLike is a signed linear frame of silence as long as fr.
func silenceLike(fr media.Frame) media.Frame {
	f := media.SLin
	if fr.Format != nil && fr.Format.SampleRate >= 16000 {
		f = media.SLin16
	}
	return media.VoiceFrame(f, make([]byte, 2*fr.Samples), fr.Timestamp)
}

// mix writes whole intervals of both directions added; one direction
// more than lag ahead of a silent other is written alone. The two
// directions reach the tap with different latencies (a jitter buffer on
// one leg, pacing on the other); lag must exceed that difference, or the
// late direction gets silence inserted at every burst (Asterisk's
// audiohooks tolerate 100 ms and more).
func (r *recording) mix(all bool) {
	n := r.rate / 50
	lag := 12 * n
	for {
		a, b := len(r.buf[0]), len(r.buf[1])
		if a < n && b < n && !(all && (a > 0 || b > 0)) {
			return
		}
		if (a < n || b < n) && a < lag && b < lag && !all {
			return
		}
		out := make([]int16, n)
		for k := 0; k < 2; k++ {
			take := min(n, len(r.buf[k]))
			for j := 0; j < take; j++ {
				v := int32(out[j]) + int32(r.buf[k][j])
				out[j] = mixer.Clip(v)
			}
			r.buf[k] = append(r.buf[k][:0], r.buf[k][take:]...)
		}
		mixer.AdjustVolume(out, r.spec.bothVol)
		slin := media.SLin
		if r.rate >= 16000 {
			slin = media.SLin16
		}
		r.mixed.Write(media.VoiceFrame(slin, media.EncodeSLin(nil, out), r.ts))
		r.ts += uint32(n)
	}
}

// flush writes what is left at the end.
func (r *recording) flush() {
	if r.mixed != nil {
		r.mix(true)
	}
}

// Running reports whether app ("MixMonitor" or "Monitor") is recording
// ch now: the one-touch recording features toggle on it, as Asterisk's
// look for a MixMonitor audiohook or a channel monitor.
func (m *Module) Running(ch *pbx.Channel, app string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.recs[ch] {
		if r.app == app {
			return true
		}
	}
	return false
}
