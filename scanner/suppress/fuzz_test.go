package suppress

import (
	"testing"

	"github.com/clayscan/clayscan/scanner"
)

// FuzzParseIgnores: any .clayscanignore content is parsed or rejected with
// an error, never a panic; every entry it keeps formats back (String) to a
// line that parses to the same entry, and its path glob compiles and
// matches without a panic (issue 12).
func FuzzParseIgnores(f *testing.F) {
	for _, s := range []string{
		"",
		"# comment\n\nclay-sk-live-key:0123456789abcdef\n",
		"clay-sk-live-key:0123456789abcdef src/**/*.env  # test fixture\r\n",
		"clay-sk-live-key:0123456789abcdef\t# tab reason\n",
		"CLAY-SK-LIVE-KEY:0123456789ABCDEF [a-\n",
		"a:0000000000000000 !x/**/[!a-z]\\*\n",
		"not a fingerprint\n",
		"a:0000000000000000 b c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := ParseIgnores(".clayscanignore", data)
		if err != nil {
			return
		}
		for _, e := range ig.Entries {
			back, ok, err := ParseIgnoreLine(e.String())
			if err != nil || !ok || back.Fingerprint != e.Fingerprint || back.Path != e.Path || back.Reason != e.Reason {
				t.Fatalf("entry %+v formats as %q, which parses as %+v, %v, %v", e, e.String(), back, ok, err)
			}
			for _, p := range []string{"a", "src/x.env", e.Path, ".env"} {
				fd := &scanner.Finding{Fingerprint: e.Fingerprint, Path: p}
				ig.Suppress(fd)
			}
		}
		ig.Unused()
	})
}

// FuzzParseBaseline: any baseline file is parsed or rejected, never a
// panic.
func FuzzParseBaseline(f *testing.F) {
	for _, s := range []string{
		`{"findings":[{"rule_id":"r","fingerprint":"r:0011223344556677","path":"a"}]}`,
		`{"findings":null}`, `[]`, `{`, `{"findings":[{"fingerprint":5}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBaseline("baseline.json", data)
		if err != nil {
			return
		}
		b.Suppress(&scanner.Finding{Fingerprint: "r:0011223344556677", Path: "a"})
	})
}
