package source

import (
	"bytes"
	"math/rand"
	"testing"
)

// sharedEntries skips exactly the whole, well-formed entries both trees
// start with (issue 14): never into an entry that differs, never over one
// git.NextEntry would not parse the same way.
func TestSharedEntries(t *testing.T) {
	const hs = 20
	entry := func(mode, name string, id byte) []byte {
		e := []byte(mode + " " + name + "\x00")
		return append(e, bytes.Repeat([]byte{id}, hs)...)
	}
	join := func(es ...[]byte) []byte { return bytes.Join(es, nil) }
	a, b, c := entry("100644", "a.txt", 1), entry("40000", "dir", 2), entry("100644", "z.go", 3)
	c2 := entry("100644", "z.go", 4)
	idNul := entry("100644", "n", 0) // an id of NUL bytes
	for _, tc := range []struct {
		name     string
		old, cur []byte
		want     int
	}{
		{"identical", join(a, b, c), join(a, b, c), len(a) + len(b) + len(c)},
		{"last id differs", join(a, b, c), join(a, b, c2), len(a) + len(b)},
		{"first differs", join(c2, b), join(c, b), 0},
		{"entry added", join(a, c), join(a, b, c), len(a)},
		{"old empty", nil, join(a, b), 0},
		{"id of NULs", join(idNul, a, c), join(idNul, a, c2), len(idNul) + len(a)},
		{"no space before the NUL", join(a, []byte("100644x\x00"), bytes.Repeat([]byte{5}, hs)), join(a, []byte("100644x\x00"), bytes.Repeat([]byte{5}, hs)), len(a)},
		{"truncated id", join(a, b[:len(b)-3]), join(a, b[:len(b)-3]), len(a)},
	} {
		if got := sharedEntries(tc.old, tc.cur, hs); got != tc.want {
			t.Errorf("%s: sharedEntries = %d, want %d", tc.name, got, tc.want)
		}
	}
	r := rand.New(rand.NewSource(14))
	for range 2000 {
		x := make([]byte, r.Intn(300))
		r.Read(x)
		y := append([]byte{}, x...)
		if len(y) > 0 && r.Intn(2) == 0 {
			y[r.Intn(len(y))] ^= byte(1 + r.Intn(255))
		}
		if got, want := commonPrefix(x, y), naivePrefix(x, y); got != want {
			t.Fatalf("commonPrefix = %d, want %d", got, want)
		}
	}
}

func naivePrefix(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
