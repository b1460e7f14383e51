package ignore

import (
	"strings"

	"github.com/clayscan/clayscan/internal/wildmatch"
)

// Flags for Wildmatch.
const (
	Pathname = wildmatch.Pathname
	CaseFold = wildmatch.CaseFold
)

// Wildmatch reports whether text matches the glob pattern exactly as git's
// wildmatch() would with the given flags (see package wildmatch, which
// git's configuration conditions share with the ignore rules).
func Wildmatch(pattern, text string, flags int) bool {
	return wildmatch.Match(pattern, text, flags)
}

// cstr cuts s at its first NUL, as git's C code sees it.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
