package git

import (
	"strings"
	"testing"
)

// FuzzConfigParse: a configuration file of any bytes is entries or an
// error naming a line inside it, never a panic.
func FuzzConfigParse(f *testing.F) {
	for _, s := range []string{
		"[core]\n\tbare = false\n",
		"[a \"b\\\"c\"]\n\tx = \"q;#\" \\\n y ; c\n",
		"\xef\xbb\xbf[a.B]\r\nk\r\n",
		"[include]\n\tpath = x\n[includeIf \"gitdir:~/w/\"]\n\tpath = y\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, perr := parseConfig(data)
		if perr != nil {
			if lines := strings.Count(string(data), "\n") + 2; perr.line < 0 || perr.line > lines {
				t.Fatalf("error on line %d of %d", perr.line, lines)
			}
			return
		}
		for _, e := range es {
			if e.line < 1 {
				t.Fatalf("entry %q on line %d", e.key, e.line)
			}
		}
	})
}

// FuzzSplitLink: the link extension's bitmaps, any bytes, read against a
// shared index of a few entries: an error or positions inside it, and no
// allocation sized by the input.
func FuzzSplitLink(f *testing.F) {
	f.Add(append(make([]byte, 20), "\x00\x00\x00\x40\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00"+
		"\x00\x00\x00\x40\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		allocBound(t, len(data), func() {
			l, err := parseLink(data, 20)
			if err != nil {
				return
			}
			for _, b := range [][]byte{l.deleted, l.replace} {
				_ = ewahBits(b, 7, func(pos int) error {
					if pos < 0 || pos >= 7 {
						t.Fatalf("position %d outside the shared index", pos)
					}
					return nil
				})
			}
		})
	})
}
