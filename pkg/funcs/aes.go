package funcs

import (
	"crypto/aes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_aes.c: AES-128 in ECB mode, the last block padded
// with zero bytes, the cipher text base64-encoded. A decrypted text ends
// at its first zero byte, as the C string it becomes does.

func aesFuncs() []pbx.Function {
	return []pbx.Function{
		{Name: "AES_ENCRYPT", Synopsis: "Encrypt a string with AES given a 16 character key.", Syntax: "AES_ENCRYPT(key,string)",
			Description: "Returns an AES encrypted string encoded in base64.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return aesRun("AES_ENCRYPT", s) }},
		{Name: "AES_DECRYPT", Synopsis: "Decrypt a string encoded in base64 with AES given a 16 character key.", Syntax: "AES_DECRYPT(key,string)",
			Description: "Returns the plain text string.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return aesRun("AES_DECRYPT", s) }},
	}
}

func aesRun(cmd, s string) (string, error) {
	a := args(s)
	key, data := arg(a, 0), arg(a, 1)
	if key == "" || data == "" {
		return "", fmt.Errorf("Syntax: %s(<key>,<data>) - missing argument!", cmd)
	}
	if len(key) != aes.BlockSize {
		return "", fmt.Errorf("Syntax: %s(<key>,<data>) - <key> parameter must be exactly 16 characters!", cmd)
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return "", fmt.Errorf("%s: %w", cmd, err)
	}
	var in []byte
	if cmd == "AES_ENCRYPT" {
		in = []byte(data)
	} else {
		in = base64Lenient(data)
	}
	out := make([]byte, (len(in)+aes.BlockSize-1)/aes.BlockSize*aes.BlockSize)
	copy(out, in)
	for i := 0; i < len(out); i += aes.BlockSize {
		if cmd == "AES_ENCRYPT" {
			block.Encrypt(out[i:i+aes.BlockSize], out[i:i+aes.BlockSize])
		} else {
			block.Decrypt(out[i:i+aes.BlockSize], out[i:i+aes.BlockSize])
		}
	}
	if cmd == "AES_ENCRYPT" {
		return base64.StdEncoding.EncodeToString(out), nil
	}
	if i := strings.IndexByte(string(out), 0); i >= 0 {
		out = out[:i]
	}
	return string(out), nil
}

// base64Lenient decodes as ast_base64decode does, without complaint:
// characters outside the alphabet (padding, line breaks) are skipped and
// a dangling last character is ignored.
func base64Lenient(s string) []byte {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			b.WriteByte(c)
		}
	}
	clean := b.String()
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(clean)
	return out
}
