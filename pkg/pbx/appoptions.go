package pbx

import "strings"

// AppOptions are an application's option letters, each with the text of
// its "(argument)" or "" when it has none.
type AppOptions = map[byte]string

// ParseAppOptions reads an application's option letters ("m(default)d"
// gives m="default" and d=""). An argument ends at the first ')', or at
// the end of the string when its ')' is missing. Dial, Queue, MixMonitor,
// MeetMe, VoiceMail and the playback applications share it so that they
// all read options alike; Originate's subroutine arguments nest
// parentheses and have their own reader.
func ParseAppOptions(s string) AppOptions {
	out := AppOptions{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		arg := ""
		if i+1 < len(s) && s[i+1] == '(' {
			if j := strings.IndexByte(s[i+2:], ')'); j >= 0 {
				arg = s[i+2 : i+2+j]
				i += j + 2
			} else {
				arg = s[i+2:]
				i = len(s)
			}
		}
		out[c] = arg
	}
	return out
}
