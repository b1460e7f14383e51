package git_test

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// FindIndex finds every object of a pack at its place and no object that
// is not there: neighbours of each id (one bit off in the last byte, or in
// the bytes the interpolation reads) and random ids (issue 14: the search
// interpolates between its own probes).
func TestFindIndexEveryObjectAndNeighbours(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	// Buckets of about 25 ids each: the interpolating probes run.
	const files = 6400
	for i := 0; i < files; i++ {
		write(t, dir, fmt.Sprintf("d%02d/f%04d.txt", i%50, i), fmt.Sprintf("file %d\n", i))
	}
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-q", "-m", "files")
	run(t, dir, "repack", "-adq")
	db, err := git.OpenODB(filepath.Join(dir, ".git", "objects"), git.SHA1, false)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(14))
	for _, p := range db.Packs() {
		if p.Len() < files {
			t.Fatalf("pack holds %d objects, want at least %d", p.Len(), files)
		}
		present := map[git.Hash]bool{}
		for i := 0; i < p.Len(); i++ {
			present[p.HashAt(i)] = true
		}
		for i := 0; i < p.Len(); i++ {
			h := p.HashAt(i)
			if got, ok := p.FindIndex(h); !ok || got != i {
				t.Fatalf("FindIndex(%s) = %d, %v; want %d", h, got, ok, i)
			}
			for _, b := range []int{19, 8, 1} {
				for _, d := range []byte{1, 0x80} {
					n := h
					n[b] ^= d
					if _, ok := p.FindIndex(n); ok != present[n] {
						t.Fatalf("FindIndex(%s) found %v, want %v", n, ok, present[n])
					}
				}
			}
		}
		for range 20000 {
			var n git.Hash
			r.Read(n[:20])
			if _, ok := p.FindIndex(n); ok != present[n] {
				t.Fatalf("FindIndex(%s) found %v, want %v", n, ok, present[n])
			}
		}
	}
}
