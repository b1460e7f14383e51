package scanner

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF-16 text (what Windows PowerShell 5's ">" writes, and many Windows
// tools) is full of NUL bytes, so git's binary test calls it binary. The
// scan decodes it to UTF-8 first; lines and columns are those of the
// decoded text.

type textEncoding int

const (
	encUTF8 textEncoding = iota
	encUTF16LE
	encUTF16BE
)

// sniffUTF16 recognises UTF-16 from a byte-order mark, or without one from
// text that is mostly ASCII: every other byte NUL, on the same side, and
// no NUL character. It returns the encoding and the length of the mark.
func sniffUTF16(b []byte) (enc textEncoding, bom int) {
	if len(b) >= 2 {
		switch {
		case b[0] == 0xFF && b[1] == 0xFE:
			if len(b) >= 4 && b[2] == 0 && b[3] == 0 {
				return encUTF8, 0 // UTF-32LE: left to the binary test
			}
			return encUTF16LE, 2
		case b[0] == 0xFE && b[1] == 0xFF:
			return encUTF16BE, 2
		}
	}
	if len(b) > binarySniffLen {
		b = b[:binarySniffLen]
	}
	units := len(b) / 2
	if units < 2 {
		return encUTF8, 0
	}
	var le, be int
	for i := 0; i+1 < len(b); i += 2 {
		lo, hi := b[i], b[i+1]
		switch {
		case lo == 0 && hi == 0:
			return encUTF8, 0 // a NUL character: not text
		case hi == 0 && textByte(lo):
			le++
		case lo == 0 && textByte(hi):
			be++
		}
	}
	// Three quarters of the characters ASCII text on one side: an ASCII
	// or Latin text file has no NUL at all, a binary file seldom keeps to
	// every other byte.
	switch {
	case le*4 >= units*3:
		return encUTF16LE, 0
	case be*4 >= units*3:
		return encUTF16BE, 0
	}
	return encUTF8, 0
}

// textByte reports printable ASCII and the whitespace of text files.
func textByte(c byte) bool {
	return c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t'
}

// decodeText returns data as UTF-8 text: UTF-16 decoded, anything else as
// it is. Unpaired surrogates and a trailing odd byte become U+FFFD.
func decodeText(data []byte) ([]byte, bool) {
	enc, bom := sniffUTF16(data)
	if enc == encUTF8 {
		return data, false
	}
	out := make([]byte, 0, len(data)/2*3/2+16)
	var d utf16Decoder
	out = d.decode(out, data[bom:], enc == encUTF16BE, true)
	return out, true
}

// DecodeText returns data as the scan reads it: UTF-16 text decoded to
// UTF-8, anything else unchanged. Sources that compare versions of a file
// (the staged diff) compare what the scan reads, so that line numbers
// agree.
func DecodeText(data []byte) []byte {
	out, _ := textOf(data)
	return out
}

// utf16Decoder carries a high surrogate and an odd byte across calls.
type utf16Decoder struct {
	odd     int  // a pending odd byte plus one; 0 when there is none
	pending rune // a high surrogate waiting for its pair; 0 when none
}

// decode appends the UTF-8 form of b to out; final flushes what is left.
func (d *utf16Decoder) decode(out, b []byte, be, final bool) []byte {
	unit := func(x, y byte) uint16 {
		if be {
			return uint16(x)<<8 | uint16(y)
		}
		return uint16(y)<<8 | uint16(x)
	}
	put := func(u uint16) {
		r := rune(u)
		if d.pending != 0 {
			if utf16.IsSurrogate(r) && r >= 0xDC00 {
				out = utf8.AppendRune(out, utf16.DecodeRune(d.pending, r))
				d.pending = 0
				return
			}
			out = utf8.AppendRune(out, utf8.RuneError)
			d.pending = 0
		}
		switch {
		case r >= 0xD800 && r < 0xDC00:
			d.pending = r
		case r >= 0xDC00 && r < 0xE000:
			out = utf8.AppendRune(out, utf8.RuneError)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	if d.odd != 0 && len(b) > 0 {
		put(unit(byte(d.odd-1), b[0]))
		d.odd, b = 0, b[1:]
	}
	i := 0
	for ; i+1 < len(b); i += 2 {
		put(unit(b[i], b[i+1]))
	}
	if i < len(b) {
		d.odd = int(b[i]) + 1
	}
	if final {
		if d.pending != 0 || d.odd != 0 {
			out = utf8.AppendRune(out, utf8.RuneError)
		}
		d.pending, d.odd = 0, 0
	}
	return out
}

// utf16Reader decodes a UTF-16 stream to UTF-8.
type utf16Reader struct {
	r   io.Reader
	be  bool
	d   utf16Decoder
	raw []byte
	buf []byte // decoded
	out []byte // what of buf is not yet read
	err error
}

func newUTF16Reader(r io.Reader, be bool) *utf16Reader {
	return &utf16Reader{r: r, be: be, raw: make([]byte, 32<<10)}
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		n, err := u.r.Read(u.raw)
		u.buf = u.d.decode(u.buf[:0], u.raw[:n], u.be, err != nil)
		u.out = u.buf
		u.err = err
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}
