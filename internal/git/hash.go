package git

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// Hash is an object name: a SHA-1 name in its first 20 bytes (the other 12
// zero), or a SHA-256 name in all 32. One array type for both keeps the
// SHA-1 path as fast as it was (a comparable value, a map key, no length
// to check) at the cost of 12 bytes per name. The repository's Format says
// which it is where that matters (parsing a tree, a pack index); String
// tells them apart by the last 12 bytes, which a SHA-256 name has all zero
// with probability 2^-96.
type Hash [32]byte

// ZeroHash is the all-zero object name git uses for "none".
var ZeroHash Hash

// Format is a repository's object format: the hash function that names
// its objects (extensions.objectFormat).
type Format struct {
	name string
	size int
}

// The object formats git writes.
var (
	SHA1   = Format{"sha1", 20}
	SHA256 = Format{"sha256", 32}
)

// Size is the length of an object name in bytes.
func (f Format) Size() int { return f.size }

// HexSize is the length of an object name in hex digits.
func (f Format) HexSize() int { return 2 * f.size }

func (f Format) String() string { return f.name }

// IsZero reports whether h is the zero name.
func (h Hash) IsZero() bool { return h == ZeroHash }

// sha1Tail is the 12 bytes past a SHA-1 name.
var sha1Tail [12]byte

// Len is the length of h in bytes: 20 for a SHA-1 name (and the zero
// name), 32 for a SHA-256 one.
func (h Hash) Len() int {
	if [12]byte(h[20:]) == sha1Tail {
		return 20
	}
	return 32
}

// String is h in hex: 40 digits for SHA-1, 64 for SHA-256.
func (h Hash) String() string { return hex.EncodeToString(h[:h.Len()]) }

// Compare orders names bytewise, as git sorts them.
func (h Hash) Compare(o Hash) int { return bytes.Compare(h[:], o[:]) }

// HashFromBytes is the name whose raw bytes are b (20 or 32 of them).
func HashFromBytes(b []byte) (h Hash) {
	copy(h[:], b)
	return h
}

// NewHash returns the name that the hex string s spells; an invalid s
// gives a name that no object has. See ParseHash for a checked parse.
func NewHash(s string) Hash {
	h, _ := ParseHash(s)
	return h
}

// ParseHash parses a full lowercase hex object name: 40 digits (SHA-1) or
// 64 (SHA-256).
func ParseHash(s string) (Hash, bool) {
	var h Hash
	if len(s) != 40 && len(s) != 64 {
		return h, false
	}
	for i := 0; i < len(s); i += 2 {
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return ZeroHash, false
		}
		h[i/2] = hi<<4 | lo
	}
	return h, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// parseHash parses s as a name in format f.
func (f Format) parseHash(s string) (Hash, error) {
	if len(s) != f.HexSize() {
		return ZeroHash, fmt.Errorf("not a %s object name", f)
	}
	h, ok := ParseHash(s)
	if !ok {
		return ZeroHash, fmt.Errorf("not a %s object name", f)
	}
	return h, nil
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
