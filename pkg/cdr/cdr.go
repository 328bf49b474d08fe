package cdr

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Disposition is a CDR's outcome, spelled as Asterisk writes it.
type Disposition string

const (
	Answered Disposition = "ANSWERED"
	NoAnswer Disposition = "NO ANSWER"
	Busy     Disposition = "BUSY"
	Failed   Disposition = "FAILED"
	Congest  Disposition = "CONGESTION"
)

// Record is one call.
type Record struct {
	AccountCode string
	Src         string
	Dst         string
	DContext    string
	CLID        string
	Channel     string
	DstChannel  string
	LastApp     string
	LastData    string
	Start       time.Time
	Answer      time.Time // zero when not answered
	End         time.Time
	Disposition Disposition
	AMAFlags    string // DOCUMENTATION by default
	UniqueID    string
	UserField   string
}

// Duration is end - start in whole seconds.
func (r *Record) Duration() int64 { return seconds(r.End.Sub(r.Start)) }

// BillSec is end - answer in whole seconds, 0 when not answered.
func (r *Record) BillSec() int64 {
	if r.Answer.IsZero() {
		return 0
	}
	return seconds(r.End.Sub(r.Answer))
}

func seconds(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}

// Config is cdr.conf + cdr_csv.conf.
type Config struct {
	Enable       bool // cdr.conf [general] enable (default yes)
	Unanswered   bool // log calls that were never answered (default no, as Asterisk)
	UseGMTime    bool
	LogUniqueID  bool
	LogUserField bool
	AccountLogs  bool
}

// DefaultConfig is used when the files are absent. Unique id and user field
// columns are on so records carry every column Asterisk can write.
func DefaultConfig() Config {
	return Config{Enable: true, LogUniqueID: true, LogUserField: true, AccountLogs: true}
}

// LoadConfig reads cdr.conf and cdr_csv.conf (either may be nil).
func LoadConfig(cdrConf, csvConf *confparse.Config) (Config, confparse.Diagnostics) {
	c := DefaultConfig()
	var diags confparse.Diagnostics
	boolOpt := func(v *confparse.Variable, dst *bool) {
		switch {
		case confparse.True(v.Value):
			*dst = true
		case confparse.False(v.Value):
			*dst = false
		default:
			diags = append(diags, confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Error,
				Message: fmt.Sprintf("Invalid value '%s' for option '%s': expected yes or no", v.Value, v.Name)})
		}
	}
	if cdrConf != nil {
		if g := cdrConf.Category("general"); g != nil {
			for _, v := range g.Vars {
				switch strings.ToLower(v.Name) {
				case "enable":
					boolOpt(v, &c.Enable)
				case "unanswered":
					boolOpt(v, &c.Unanswered)
				case "congestion", "endbeforehexten", "initiatedseconds", "batch", "size", "time",
					"scheduleronly", "safeshutdown", "debug", "channeldefaultenabled", "ignorestatechanges",
					"ignoredialchanges":
					// Batching and engine tuning: records are written as calls end.
				default:
					diags.Warnf(v.File, v.Line, "Unknown option '%s' in [general] of cdr.conf", v.Name)
				}
			}
		}
	}
	if csvConf != nil {
		if g := csvConf.Category("csv"); g != nil {
			for _, v := range g.Vars {
				switch strings.ToLower(v.Name) {
				case "usegmtime":
					boolOpt(v, &c.UseGMTime)
				case "loguniqueid":
					boolOpt(v, &c.LogUniqueID)
				case "loguserfield":
					boolOpt(v, &c.LogUserField)
				case "accountlogs":
					boolOpt(v, &c.AccountLogs)
				case "newcdrcolumns":
				default:
					diags.Warnf(v.File, v.Line, "Unknown option '%s' in [csv] of cdr_csv.conf", v.Name)
				}
			}
		}
	}
	return c, diags
}

// Writer appends records to the CSV files. Each record is written with a
// single write on an O_APPEND file before Write returns, so nothing is lost
// when the daemon stops.
type Writer struct {
	mu  sync.Mutex
	dir string // astlogdir/cdr-csv
	cfg Config
}

// NewWriter creates the cdr-csv directory under logDir.
func NewWriter(logDir string, cfg Config) (*Writer, error) {
	dir := filepath.Join(logDir, "cdr-csv")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cdr: %w", err)
	}
	return &Writer{dir: dir, cfg: cfg}, nil
}

// SetConfig swaps the settings (on reload).
func (w *Writer) SetConfig(cfg Config) {
	w.mu.Lock()
	w.cfg = cfg
	w.mu.Unlock()
}

// Write records one call, honouring enable and unanswered.
func (w *Writer) Write(r *Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.cfg.Enable {
		return nil
	}
	if !Kept(r, w.cfg.Unanswered) {
		return nil
	}
	line := Format(r, w.cfg)
	if err := appendLine(filepath.Join(w.dir, "Master.csv"), line); err != nil {
		return err
	}
	if w.cfg.AccountLogs && r.AccountCode != "" && !strings.ContainsAny(r.AccountCode, "/\\") {
		return appendLine(filepath.Join(w.dir, r.AccountCode+".csv"), line)
	}
	return nil
}

// Kept reports whether the CDR engine keeps r, for every backend. As
// Asterisk: with unanswered=no, a call that never reached a second
// channel leaves no record; a dialled call that was busy or not answered
// still does.
func Kept(r *Record, unanswered bool) bool {
	return r.Disposition == Answered || unanswered || (r.Channel != "" && r.DstChannel != "")
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cdr: %w", err)
	}
	_, werr := f.WriteString(line)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("cdr: write %s: %w", path, werr)
	}
	if cerr != nil {
		return fmt.Errorf("cdr: close %s: %w", path, cerr)
	}
	return nil
}

const timeLayout = "2006-01-02 15:04:05"

// Format renders one Master.csv line (with its newline).
func Format(r *Record, cfg Config) string {
	var b strings.Builder
	field := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(s, `"`, `""`))
		b.WriteByte('"')
	}
	number := func(n int64) {
		b.WriteByte(',')
		b.WriteString(strconv.FormatInt(n, 10))
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		if cfg.UseGMTime {
			t = t.UTC()
		}
		return t.Format(timeLayout)
	}
	field(r.AccountCode)
	field(r.Src)
	field(r.Dst)
	field(r.DContext)
	field(r.CLID)
	field(r.Channel)
	field(r.DstChannel)
	field(r.LastApp)
	field(r.LastData)
	field(stamp(r.Start))
	field(stamp(r.Answer))
	field(stamp(r.End))
	number(r.Duration())
	number(r.BillSec())
	disp := r.Disposition
	if disp == "" {
		disp = NoAnswer
	}
	field(string(disp))
	ama := r.AMAFlags
	if ama == "" {
		ama = "DOCUMENTATION"
	}
	field(ama)
	if cfg.LogUniqueID {
		field(r.UniqueID)
	}
	if cfg.LogUserField {
		field(r.UserField)
	}
	b.WriteByte('\n')
	return b.String()
}
