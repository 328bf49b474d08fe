package agi

// maxArgs bounds the words of one command, as res_agi's MAX_ARGS.
const maxArgs = 128

// maxLine bounds one command line, as res_agi's AGI_BUF_LEN (2048): a
// longer line is cut there.
const maxLine = 2048

// ParseArgs splits an AGI command line into words as res_agi's
// parse_args: blanks separate words, double quotes group a word (and may
// start in its middle), a backslash takes the next character as it is.
// Words past maxArgs are dropped.
func ParseArgs(line string) []string {
	var out []string
	var cur []byte
	inWord, quoted, escaped := false, false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case escaped:
			cur = append(cur, c)
			inWord, escaped = true, false
		case c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
			inWord = true
		case (c == ' ' || c == '\t') && !quoted:
			if inWord {
				out = append(out, string(cur))
				cur, inWord = cur[:0], false
				if len(out) >= maxArgs {
					return out
				}
			}
		default:
			cur = append(cur, c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, string(cur))
	}
	return out
}
