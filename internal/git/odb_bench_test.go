package git_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// BenchmarkReadLimitedDelta reads, with a size limit, blobs stored as
// deltas in a pack: the staged scan's read of each changed file and of its
// previous version.
func BenchmarkReadLimitedDelta(b *testing.B) {
	dir := b.TempDir()
	run(b, dir, "init", "-q", "-b", "main")
	var blobs []git.Hash
	lines := make([]string, 4000)
	for i := range 20 {
		// Each version rewrites a fifth of the lines: deltas of some KB.
		for j := range lines {
			if j%5 == i%5 || i == 0 {
				lines[j] = fmt.Sprintf("line %d of a config file, version %d", j, i)
			}
		}
		write(b, dir, "f.txt", strings.Join(lines, "\n"))
		run(b, dir, "add", ".")
		run(b, dir, "commit", "-q", "-m", "c")
		blobs = append(blobs, git.NewHash(run(b, dir, "rev-parse", "HEAD:f.txt")))
	}
	run(b, dir, "repack", "-adfq", "--depth=1") // each delta on a full base
	db, err := git.OpenODB(dir+"/.git/objects", git.SHA1, false)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for range b.N {
		for _, h := range blobs {
			if _, err := db.Typed(h, git.ObjBlob, 1<<30); err != nil {
				b.Fatal(err)
			}
		}
	}
}
