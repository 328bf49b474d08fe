package media

import "encoding/binary"

// DecodeSLin appends the 16-bit little-endian samples of p to dst. A trailing
// odd byte is not a sample and is ignored.
func DecodeSLin(dst []int16, p []byte) []int16 {
	for i := 0; i+1 < len(p); i += 2 {
		dst = append(dst, int16(binary.LittleEndian.Uint16(p[i:])))
	}
	return dst
}

// EncodeSLin appends samples to dst as 16-bit little-endian bytes.
func EncodeSLin(dst []byte, s []int16) []byte {
	for _, v := range s {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}
