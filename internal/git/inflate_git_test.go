package git_test

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// TestInflateGitStreams compares the inflater with compress/zlib on every
// zlib stream git itself writes in a repository: each entry of its pack
// (blobs, trees, commits, tags and deltas), repacked at compression levels
// 0 (stored blocks), 1 and 9, and each loose object. The stream must also
// end where the next pack entry starts.
func TestInflateGitStreams(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	lines := make([]string, 3000)
	noise := make([]byte, 300_000)
	rand.Read(noise)
	for i := range 12 {
		for j := range lines {
			if j%7 == i%7 || i == 0 {
				lines[j] = fmt.Sprintf("line %d, version %d: key = %x", j, i, j*i)
			}
		}
		write(t, dir, "config.txt", strings.Join(lines, "\n"))
		write(t, dir, fmt.Sprintf("d%d/small.txt", i%3), fmt.Sprintf("small %d\n", i))
		write(t, dir, "empty.txt", "")
		write(t, dir, "one.txt", "x")
		write(t, dir, "noise.bin", string(noise[i*1000:]))
		write(t, dir, "runs.txt", strings.Repeat("a", 100_000+i)+strings.Repeat("ab", 40_000))
		run(t, dir, "add", "-A")
		run(t, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d\n\n%s", i, strings.Repeat("body ", i*20)))
	}
	run(t, dir, "tag", "-a", "-m", "annotated", "v1")
	var z git.Inflater
	entries := 0
	for _, level := range []string{"0", "1", "9"} {
		run(t, dir, "-c", "pack.compression="+level, "repack", "-adfq", "--depth=20")
		db, err := git.OpenODB(filepath.Join(dir, ".git", "objects"), git.SHA1, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range db.Packs() {
			data := p.DataForTest()
			offs := make([]int64, p.Len())
			for i := range offs {
				offs[i] = p.OffsetAt(i)
			}
			slices.Sort(offs)
			deltas := 0
			for i, off := range offs {
				e, err := p.Header(off)
				if err != nil {
					t.Fatal(err)
				}
				end := int64(len(data) - 20) // the pack's trailing checksum
				if i+1 < len(offs) {
					end = offs[i+1]
				}
				stream := data[e.DataOff:]
				want := zlibAll(t, stream)
				if int64(len(want)) != e.Size {
					t.Fatalf("entry at %d: compress/zlib gives %d bytes, header says %d", off, len(want), e.Size)
				}
				got, used, err := z.InflateForTest(stream, int(e.Size))
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("level %s entry at %d (type %d, %d bytes): %v", level, off, e.Type, e.Size, err)
				}
				if int64(used) != end-e.DataOff {
					t.Fatalf("level %s entry at %d: stream took %d bytes, the entry has %d", level, off, used, end-e.DataOff)
				}
				got, err = z.Inflate(p, e.DataOff, e.Size, nil)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("level %s entry at %d: Inflate: %v", level, off, err)
				}
				if e.IsDelta() {
					deltas++
				}
				entries++
			}
			if deltas == 0 {
				t.Fatalf("level %s: no deltas in the pack", level)
			}
		}
		db.Close()
	}
	// Loose objects, as git writes them (core.loosecompression 1, then 9).
	for _, level := range []string{"1", "9", "0"} {
		write(t, dir, "loose.txt", strings.Repeat("a loose object at level "+level+"\n", 500))
		run(t, dir, "-c", "core.loosecompression="+level, "add", "-A")
		run(t, dir, "-c", "core.loosecompression="+level, "commit", "-q", "-m", "loose "+level)
	}
	loose := 0
	objects := filepath.Join(dir, ".git", "objects")
	subs, _ := os.ReadDir(objects)
	for _, s := range subs {
		if len(s.Name()) != 2 {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(objects, s.Name()))
		for _, f := range files {
			raw, err := os.ReadFile(filepath.Join(objects, s.Name(), f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			want := zlibAll(t, raw)
			got, used, err := z.InflateForTest(raw, len(want))
			if err != nil || !bytes.Equal(got, want) || used != len(raw) {
				t.Fatalf("loose object %s%s: %v (took %d of %d bytes)", s.Name(), f.Name(), err, used, len(raw))
			}
			loose++
		}
	}
	if entries < 100 || loose < 9 {
		t.Fatalf("%d pack entries and %d loose objects checked: the repository is not what the test means", entries, loose)
	}
}

// zlibAll inflates the zlib stream at the start of src with compress/zlib.
func zlibAll(t *testing.T, src []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
