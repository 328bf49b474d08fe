package funcs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_env.c's file functions: FILE (read and write, byte
// and line mode), FILE_COUNT_LINE, FILE_FORMAT and STAT. A file is read
// whole (dialplan files are small); a modified file is written to a
// temporary name in its directory and renamed over the old one, keeping
// its permissions; appends go straight to the end.

// Line terminator formats (func_env.c's enum file_format).
type lineFormat int

const (
	ffUnknown lineFormat = iota
	ffUnix
	ffDOS
	ffMac
)

func (f lineFormat) term() string {
	switch f {
	case ffUnix:
		return "\n"
	case ffDOS:
		return "\r\n"
	case ffMac:
		return "\r"
	}
	return ""
}

// parseLineFormat reads the u/d/m argument (its first letter).
func parseLineFormat(s string) lineFormat {
	if s == "" {
		return ffUnknown
	}
	switch s[0] | 0x20 {
	case 'u':
		return ffUnix
	case 'd':
		return ffDOS
	case 'm':
		return ffMac
	}
	return ffUnknown
}

// detectFormat is file2format: the first terminator decides.
func detectFormat(data []byte) lineFormat {
	i := strings.IndexAny(string(data), "\r\n")
	switch {
	case i < 0:
		return ffUnknown
	case data[i] == '\n':
		return ffUnix
	case i+1 < len(data) && data[i+1] == '\n':
		return ffDOS
	}
	return ffMac
}

// strerror is C's strerror text of err's errno ("No such file or directory").
func strerror(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		s := en.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// terminator is one line end: data[start:end] is the terminator.
type terminator struct{ start, end int }

func terminators(data []byte, f lineFormat) []terminator {
	t := f.term()
	var out []terminator
	s := string(data)
	for i := 0; ; {
		j := strings.Index(s[i:], t)
		if j < 0 || t == "" {
			return out
		}
		out = append(out, terminator{i + j, i + j + len(t)})
		i += j + len(t)
	}
}

// fileArgs are FILE's arguments; noLength is an absent length (LLONG_MAX).
type fileArgs struct {
	name             string
	offset, length   int64
	noLength         bool
	options          string
	format           lineFormat
	rawOffset, rawLn string
}

func parseFileArgs(s string) fileArgs {
	a := args(s)
	fa := fileArgs{name: arg(a, 0), noLength: true, options: arg(a, 3), format: parseLineFormat(arg(a, 4)),
		rawOffset: nullStr(a, 1), rawLn: nullStr(a, 2)}
	if v, err := strconv.ParseInt(leadingInt(arg(a, 1)), 10, 64); err == nil {
		fa.offset = v
	}
	if v, err := strconv.ParseInt(leadingInt(arg(a, 2)), 10, 64); err == nil {
		fa.length, fa.noLength = v, false
	}
	return fa
}

func fileFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "FILE", Synopsis: "Read or write text file.", Syntax: "FILE(filename[,offset[,length[,options[,format]]]])",
			Description: "Read and write text file in character and line mode. offset and length are bytes, or lines with option l (negative: counted from the end); option a appends, option d (line mode writes) adds no line terminator; format u, d or m names the line terminator (detected from the file otherwise).",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				return fileRead(e, parseFileArgs(s))
			},
			Write: func(_ *pbx.Channel, s, value string) error {
				return fileWrite(e, parseFileArgs(s), value)
			}},
		{Name: "FILE_COUNT_LINE", Synopsis: "Obtains the number of lines of a text file.", Syntax: "FILE_COUNT_LINE(filename[,format])",
			Description: "Returns the number of lines, or -1 on error. format u, d or m forces the line terminator; otherwise the first one in the file decides.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				a := args(s)
				data, err := os.ReadFile(arg(a, 0))
				if err != nil {
					logError(e, "Unable to open '%s': %s\n", arg(a, 0), strerror(err))
					return "-1", nil
				}
				f := parseLineFormat(arg(a, 1))
				if f == ffUnknown {
					f = detectFormat(data)
				}
				return strconv.Itoa(len(terminators(data, f))), nil
			}},
		{Name: "FILE_FORMAT", Synopsis: "Return the newline format of a text file.", Syntax: "FILE_FORMAT(filename)",
			Description: "Return the line terminator type: 'u' - Unix \"\\n\" format, 'd' - DOS \"\\r\\n\" format, 'm' - Macintosh \"\\r\" format, 'x' - Cannot be determined.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				data, err := os.ReadFile(s)
				if err != nil {
					logError(e, "Cannot open '%s': %s\n", s, strerror(err))
					return "x", nil
				}
				return string("xudm"[detectFormat(data)]), nil
			}},
		{Name: "STAT", Synopsis: "Does a check on the specified file.", Syntax: "STAT(flag,filename)",
			Description: "flag: d - Checks if the file is a directory. e - Checks if the file exists. f - Checks if the file is a regular file. m - Returns the file mode (in octal). s - Returns the size (in bytes) of the file. A - Returns the epoch at which the file was last accessed. C - Returns the epoch at which the inode was last changed. M - Returns the epoch at which the file was last modified.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return statRead(s), nil }},
	}
}

func statRead(s string) string {
	flag, name, _ := strings.Cut(s, ",")
	var st syscall.Stat_t
	if syscall.Stat(name, &st) != nil || flag == "" {
		return "0"
	}
	switch flag[0] {
	case 'e':
		return "1"
	case 's':
		return strconv.FormatUint(uint64(uint32(st.Size)), 10)
	case 'f':
		return boolStr(st.Mode&syscall.S_IFMT == syscall.S_IFREG)
	case 'd':
		return boolStr(st.Mode&syscall.S_IFMT == syscall.S_IFDIR)
	case 'M', 'A': // func_env.c reports the modification time for A too
		return strconv.Itoa(int(int32(st.Mtim.Sec)))
	case 'C':
		return strconv.Itoa(int(int32(st.Ctim.Sec)))
	case 'm':
		return strconv.FormatUint(uint64(st.Mode), 8)
	}
	return "0"
}

func fileRead(e *pbx.Engine, fa fileArgs) (string, error) {
	if !strings.Contains(fa.options, "l") {
		data, err := os.ReadFile(fa.name)
		if err != nil {
			e.Log().Warning("Cannot open file '%s' for reading: %s\n", fa.name, strerror(err))
			return "", nil
		}
		flen := int64(len(data))
		start := fa.offset
		if start < 0 {
			if start += flen; start < 0 {
				start = flen // the failed fseeko leaves the position at the end
			}
		}
		end := flen
		switch {
		case fa.noLength:
		case fa.length < 0:
			if end = flen + fa.length; end-start < 0 {
				return "", nil
			}
		default:
			end = min(start+fa.length, flen)
		}
		if start >= end || start >= flen {
			return "", nil
		}
		return string(data[start:end]), nil
	}
	format := fa.format
	data, err := os.ReadFile(fa.name)
	if format == ffUnknown {
		if err == nil {
			format = detectFormat(data)
		}
		if format == ffUnknown {
			if err != nil {
				logError(e, "Cannot open '%s': %s\n", fa.name, strerror(err))
			}
			return "", fmt.Errorf("'%s' is not a line-based file", fa.name)
		}
	}
	if fa.offset < 0 && !fa.noLength && fa.length <= fa.offset {
		return "", nil // the length leaves nothing
	}
	if err != nil {
		return "", errorf("Cannot open '%s': %s", fa.name, strerror(err))
	}
	start, end, err := lineRange(data, format, fa)
	if err != nil {
		return "", err
	}
	if start >= end {
		return "", nil
	}
	return string(data[start:end]), nil
}

// lineRange turns a line offset and length into byte positions.
// Counted from the end, offset -1 starts after the second terminator
// from the end and length -N stops before the N-th, as func_env.c scans
// backwards; an offset past the last line is an error there too.
func lineRange(data []byte, format lineFormat, fa fileArgs) (start, end int, err error) {
	terms := terminators(data, format)
	n, flen := len(terms), len(data)
	switch {
	case fa.offset == 0:
		start = 0
	case fa.offset > 0:
		if fa.offset > int64(n) {
			return 0, 0, errorf("Offset '%s' refers to before the beginning of the file!", fa.rawOffset)
		}
		start = terms[fa.offset-1].end
	default:
		idx := int64(n) - (1 - fa.offset)
		switch {
		case idx >= 0:
			start = terms[idx].end
		case -fa.offset == int64(n):
			start = 0
		default:
			return 0, 0, errorf("Offset '%s' refers to before the beginning of the file!", fa.rawOffset)
		}
	}
	end = flen
	switch {
	case fa.noLength:
	case fa.length == 0:
		end = start
	case fa.length < 0:
		if idx := int64(n) + fa.length; idx >= 0 {
			end = terms[idx].start
		}
	default:
		left := fa.length
		for _, t := range terms {
			if t.start < start {
				continue
			}
			if left--; left == 0 {
				end = t.end
				break
			}
		}
	}
	return start, end, nil
}

func fileWrite(e *pbx.Engine, fa fileArgs, value string) error {
	if !strings.Contains(fa.options, "l") {
		switch {
		case strings.Contains(fa.options, "a"):
			if err := appendFile(fa.name, value); err != nil {
				e.Log().Warning("Cannot open file '%s' for appending: %s\n", fa.name, strerror(err))
			}
			return nil
		case fa.offset == 0 && fa.noLength:
			if err := replaceFile(fa.name, []byte(value)); err != nil {
				e.Log().Warning("Cannot open file '%s' for writing: %s\n", fa.name, strerror(err))
			}
			return nil
		}
		data, err := os.ReadFile(fa.name)
		if err != nil {
			e.Log().Warning("Cannot open file '%s' for modification: %s\n", fa.name, strerror(err))
			return nil
		}
		flen := int64(len(data))
		offset := fa.offset
		if offset < 0 {
			if offset += flen; offset < 0 {
				return errorf("Cannot seek to offset of '%s': %s", fa.name, strerror(syscall.EINVAL))
			}
		}
		length := fa.length
		if !fa.noLength && length < 0 {
			if length = flen - offset + length; length < 0 {
				return errorf("Length '%s' exceeds the file length.  No data will be written.", fa.rawLn)
			}
		}
		if offset > flen { // writing past the end leaves a hole of zeros
			data = append(data, make([]byte, offset-flen)...)
			flen = offset
		}
		end := flen
		if !fa.noLength {
			end = min(offset+length, flen)
		}
		out := append(append(append([]byte{}, data[:offset]...), value...), data[end:]...)
		if err := replaceFile(fa.name, out); err != nil {
			return errorf("Unable to write '%s': %s", fa.name, strerror(err))
		}
		return nil
	}

	format := fa.format
	data, rerr := os.ReadFile(fa.name)
	if format == ffUnknown {
		if rerr != nil {
			logError(e, "Cannot open '%s': %s\n", fa.name, strerror(rerr))
		} else {
			format = detectFormat(data)
		}
		if format == ffUnknown {
			return errorf("File '%s' not in line format", fa.name)
		}
	}
	line := value
	if !strings.Contains(fa.options, "d") {
		line += format.term()
	}
	switch {
	case strings.Contains(fa.options, "a"):
		if err := appendFile(fa.name, line); err != nil {
			return errorf("Unable to open '%s' for appending: %s", fa.name, strerror(err))
		}
		return nil
	case fa.offset == 0 && fa.noLength:
		if err := replaceFile(fa.name, []byte(line)); err != nil {
			return errorf("Unable to open '%s' for writing: %s", fa.name, strerror(err))
		}
		return nil
	}
	if fa.offset < 0 && !fa.noLength && fa.length < fa.offset {
		return errorf("Length cannot specify a position prior to the offset")
	}
	if rerr != nil {
		return errorf("Cannot open '%s' for modification: %s", fa.name, strerror(rerr))
	}
	start, end, err := lineRange(data, format, fa)
	if err != nil {
		return err
	}
	end = max(end, start)
	out := append(append(append([]byte{}, data[:start]...), line...), data[end:]...)
	if err := replaceFile(fa.name, out); err != nil {
		return errorf("Unable to write '%s': %s", fa.name, strerror(err))
	}
	return nil
}

func appendFile(name, value string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(value); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// replaceFile writes data under a temporary name next to name and renames
// it over name, so a reader never sees half a file; the old file's
// permissions are kept.
func replaceFile(name string, data []byte) error {
	fi, err := os.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		// Creating the file first gives it the mode fopen would (0666
		// less the umask) without touching the process umask.
		f, cerr := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o666)
		if cerr != nil {
			return cerr
		}
		f.Close()
		fi, err = os.Stat(name)
	}
	if err != nil {
		return err
	}
	mode := fi.Mode().Perm()
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
