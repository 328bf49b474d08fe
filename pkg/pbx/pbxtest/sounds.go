package pbxtest

import "github.com/gostrisk/gostrisk/pkg/media/sound"

// SoundsDir is where Debian's asterisk-core-sounds packages put prompts:
// the astdatadir of tests that play them.
const SoundsDir = "/usr/share/asterisk"

// NeedSounds skips a test when the English prompt (say "hello-world") is
// not installed under SoundsDir, naming the make target that installs it.
func NeedSounds(t interface {
	Helper()
	Skipf(format string, args ...any)
}, prompt string) {
	t.Helper()
	if _, _, err := (&sound.Finder{DataDir: SoundsDir}).Find(prompt, "en", nil); err != nil {
		t.Skipf("asterisk-core-sounds-en not installed (make test-deps): %v", err)
	}
}
