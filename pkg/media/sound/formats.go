package sound

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// container is how a file format lays its audio out on disk.
type container uint8

const (
	// unsupported formats are listed (core show file formats) but gostrisk
	// neither reads nor writes them: video and the G.723.1 timestamp format.
	unsupported container = iota
	// raw is headerless audio cut into fixed-size frames.
	raw
	// wavPCM is RIFF/WAVE with 16-bit PCM (format tag 1).
	wavPCM
	// wavGSM is RIFF/WAVE with Microsoft GSM 6.10 (format tag 0x31): 65-byte
	// blocks of two GSM frames packed in Microsoft's bit order.
	wavGSM
	// sunAU is Sun's .au: a big-endian header, then raw µ-law.
	sunAU
)

// FileFormat is one of Asterisk's file formats (a format_*.so definition).
type FileFormat struct {
	// Name is Asterisk's name for the file format ("wav", "wav49", "pcm").
	Name string
	// Exts are the file extensions, in Asterisk's order; a lookup tries each.
	Exts []string
	// Codec is the format of the frames the file holds (slin for "wav").
	Codec *media.Format

	container container
	// frameBytes and frameSamples size one 20 ms frame (30 ms for iLBC,
	// whose frames cannot be cut shorter) of the file's codec.
	frameBytes   int
	frameSamples int
}

func (ff *FileFormat) String() string { return ff.Name }

// Supported reports whether gostrisk can read and write files of this format.
func (ff *FileFormat) Supported() bool { return ff.container != unsupported }

// Ext is the extension a new file of this format gets: the first one.
func (ff *FileFormat) Ext() string { return ff.Exts[0] }

// fileExt is the extension actually used on disk for ext: Asterisk stores
// "wav49" files as ".WAV" (file.c's build_filename), so both extensions of
// that format name the same file.
func fileExt(ext string) string {
	if ext == "wav49" {
		return "WAV"
	}
	return ext
}

func ff(name, exts, codec string, c container, frameBytes, frameSamples int) *FileFormat {
	f, ok := media.Lookup(codec)
	if !ok {
		panic("sound: no media format " + codec)
	}
	return &FileFormat{Name: name, Exts: strings.Split(exts, "|"), Codec: f,
		container: c, frameBytes: frameBytes, frameSamples: frameSamples}
}

// slinFF is a raw signed linear format at rate Hz: 2 bytes a sample.
func slinFF(name, exts, codec string, rate int) *FileFormat {
	return ff(name, exts, codec, raw, rate/50*2, rate/50)
}

// registration is the order Asterisk 18 registers its file formats in when
// its format modules load alphabetically (same load priority, so module
// name order), each module registering its formats in its own order.
// Asterisk inserts each new format at the head of its list, so lookups and
// `core show file formats` see them in the reverse order; fileFormats holds
// that reversed list. (Asterisk's real module order is that of readdir on
// its module directory; alphabetical is what a sorted listing gives and is
// stable.) Asterisk's ogg_vorbis and ogg_speex are not in the list: Debian's
// reference install does not load them (reference module-show.txt).
var registration = []*FileFormat{
	ff("g719", "g719", "g719", raw, 160, 960),              // 64 kbit/s, 48 kHz
	ff("g723sf", "g723|g723sf", "g723", unsupported, 0, 0), // per-frame timestamps
	ff("g726-40", "g726-40", "g726", raw, 100, 160),
	ff("g726-32", "g726-32", "g726", raw, 80, 160),
	ff("g726-24", "g726-24", "g726", raw, 60, 160),
	ff("g726-16", "g726-16", "g726", raw, 40, 160),
	ff("g729", "g729", "g729", raw, 20, 160),
	ff("gsm", "gsm", "gsm", raw, gsmFrameSize, gsmFrameSamples),
	ff("h263", "h263", "h263", unsupported, 0, 0),
	ff("h264", "h264", "h264", unsupported, 0, 0),
	ff("iLBC", "ilbc", "ilbc", raw, 50, 240), // 30 ms mode
	ff("pcm", "pcm|ulaw|ul|mu|ulw", "ulaw", raw, 160, 160),
	ff("alaw", "alaw|al|alw", "alaw", raw, 160, 160),
	ff("au", "au", "ulaw", sunAU, 160, 160),
	ff("g722", "g722", "g722", raw, 160, 320), // 4 bits a sample at 16 kHz
	ff("siren14", "siren14", "siren14", raw, 120, 640),
	ff("siren7", "siren7", "siren7", raw, 80, 320),
	slinFF("sln", "sln|slin|raw", "slin", 8000),
	slinFF("sln12", "sln12", "slin12", 12000),
	slinFF("sln16", "sln16", "slin16", 16000),
	slinFF("sln24", "sln24", "slin24", 24000),
	slinFF("sln32", "sln32", "slin32", 32000),
	slinFF("sln44", "sln44", "slin44", 44100),
	slinFF("sln48", "sln48", "slin48", 48000),
	slinFF("sln96", "sln96", "slin96", 96000),
	slinFF("sln192", "sln192", "slin192", 192000),
	ff("vox", "vox", "adpcm", raw, 80, 160), // Dialogic ADPCM, 4 bits a sample
	ff("wav", "wav", "slin", wavPCM, 320, 160),
	ff("wav16", "wav16", "slin16", wavPCM, 640, 320),
	ff("wav49", "WAV|wav49", "gsm", wavGSM, gsmFrameSize, gsmFrameSamples),
}

var fileFormats = func() []*FileFormat {
	l := make([]*FileFormat, len(registration))
	for i, f := range registration {
		l[len(l)-1-i] = f
	}
	return l
}()

// FileFormats returns every file format in Asterisk's lookup order (the
// order of `core show file formats`). The slice is a copy; the formats are
// shared and must not be modified.
func FileFormats() []*FileFormat { return append([]*FileFormat(nil), fileFormats...) }

// LookupFileFormat finds a file format by its Asterisk name ("wav49"),
// case-insensitively as Asterisk compares them.
func LookupFileFormat(name string) (*FileFormat, bool) {
	for _, f := range fileFormats {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return nil, false
}

// ForExt finds the file format an extension belongs to ("ulaw" -> pcm,
// "WAV" and "wav49" -> wav49), as Record(name.ext) and MixMonitor choose
// the format to write. Extensions compare case-sensitively, as in Asterisk,
// where ".WAV" (wav49) and ".wav" (wav) are different formats.
func ForExt(ext string) (*FileFormat, bool) {
	for _, f := range fileFormats {
		for _, e := range f.Exts {
			if e == ext {
				return f, true
			}
		}
	}
	return nil, false
}

// ShowFileFormats is the text of `core show file formats`, in Asterisk 18's
// layout (file.c: three %-10s %-10s %-20s columns, trailing spaces kept).
func ShowFileFormats() string {
	var b strings.Builder
	const row = "%-10s %-10s %-20s\n"
	fmt.Fprintf(&b, row, "Format", "Name", "Extensions")
	fmt.Fprintf(&b, row, "------", "----", "----------")
	for _, f := range fileFormats {
		fmt.Fprintf(&b, row, f.Codec.Name, f.Name, strings.Join(f.Exts, "|"))
	}
	fmt.Fprintf(&b, "%d file formats registered.\n", len(fileFormats))
	return b.String()
}
