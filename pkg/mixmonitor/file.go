package mixmonitor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// queueLen is how many frames wait for a recording's writer: a slow disk
// drops audio from the recording instead of holding up the call.
const queueLen = 256

// MonitorDir is where recordings named without a directory go:
// astspooldir/monitor, as ast_config_AST_MONITOR_DIR.
func MonitorDir(spoolDir string) string { return filepath.Join(spoolDir, "monitor") }

// Resolve turns a recording name as MixMonitor takes it into a path and
// file format: a relative name is under the monitor directory, and the
// extension picks the format. A name without extension is written as
// headerless signed linear with ".raw" added, as Asterisk's MixMonitor
// does; an extension no format knows is written as wav under its name.
func Resolve(spoolDir, name string) (string, *sound.FileFormat) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(MonitorDir(spoolDir), name)
	}
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	if strings.Contains(ext, "/") {
		ext = ""
	}
	if ext == "" {
		if ff, ok := sound.ForExt("raw"); ok && ff.Supported() {
			return name + ".raw", ff
		}
	}
	if ff, ok := sound.ForExt(ext); ok && ff.Supported() {
		return name, ff
	}
	ff, _ := sound.ForExt("wav")
	return name, ff
}

// File is a recording being written: frames handed to Write go to a
// goroutine of its own that encodes them into the file, which is written
// under a temporary name and renamed when Close completes it.
type File struct {
	path string
	w    *sound.Writer
	ch   chan media.Frame
	done chan struct{}

	mu      sync.Mutex
	closed  bool
	dropped int
	err     error
}

// Create starts a recording at path in format ff. With appendTo, the
// audio of an existing file at path comes first (MixMonitor's a). The
// directory is created when missing, as Asterisk's ast_mkdir does.
func Create(path string, ff *sound.FileFormat, appendTo bool) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, err)
	}
	w, err := sound.Create(path, ff)
	if err != nil {
		return nil, err
	}
	if appendTo {
		if _, err := apps.AppendFile(w, path, ff); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.Abort()
			return nil, fmt.Errorf("recording %s: append: %w", path, err)
		}
	}
	f := &File{path: path, w: w, ch: make(chan media.Frame, queueLen), done: make(chan struct{})}
	go f.run()
	return f, nil
}

// Path is where the finished file is.
func (f *File) Path() string { return f.path }

// Format is the codec the file holds.
func (f *File) Format() *media.Format { return f.w.Format() }

// Write queues a voice frame of any format for the file; it never
// blocks. The frame's payload must not change afterwards.
func (f *File) Write(fr media.Frame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	select {
	case f.ch <- fr:
	default:
		f.dropped++
	}
}

func (f *File) run() {
	defer close(f.done)
	var chain *media.Chain
	for fr := range f.ch {
		if f.err != nil {
			continue
		}
		if fr.Format != f.w.Format() {
			if chain == nil || chain.Path().From != fr.Format {
				p, err := pbx.Translator().Path(fr.Format, f.w.Format())
				if err != nil {
					f.err = err
					continue
				}
				chain = p.NewChain()
			}
			out, err := chain.Translate(fr)
			if err != nil {
				f.err = err
				continue
			}
			fr = out
		}
		if len(fr.Payload) == 0 {
			continue
		}
		if err := f.w.WriteFrame(fr); err != nil {
			f.err = err
		}
	}
}

// Close completes the file and gives it its name; nothing is left on
// error.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.ch)
	f.mu.Unlock()
	<-f.done
	if f.err != nil {
		f.w.Abort()
		return fmt.Errorf("recording %s: %w", f.path, f.err)
	}
	return f.w.Close()
}

// RunCommand runs a recording's post command through /bin/sh once the
// file is complete, in the background as Asterisk's ast_safe_system with
// a trailing '&' does; ^{...} is already substituted to ${...} by the
// caller. The returned channel closes when the command has ended.
func RunCommand(log pbx.Logger, command string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var out bytes.Buffer
		cmd := exec.Command("/bin/sh", "-c", command)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := realtime.Run(cmd); err != nil {
			log.Warning("MixMonitor post command '%s' failed: %v %s\n", command, err, strings.TrimSpace(out.String()))
		}
	}()
	return done
}
