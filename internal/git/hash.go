package git

import "github.com/go-git/go-git/v5/plumbing"

// Hash is an object name.
type Hash = plumbing.Hash

// ZeroHash is the all-zero object name git uses for "none".
var ZeroHash Hash

// NewHash returns the object name that the hex string s spells; see
// ParseHash for a checked parse.
func NewHash(s string) Hash { return plumbing.NewHash(s) }

// ParseHash parses a full lowercase hex object name.
func ParseHash(s string) (Hash, bool) {
	if len(s) != 40 {
		return Hash{}, false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return Hash{}, false
		}
	}
	return plumbing.NewHash(s), true
}

// IsHex reports whether s holds only hex digits (either case).
func IsHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
