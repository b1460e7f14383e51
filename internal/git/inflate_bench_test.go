package git_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// BenchmarkInflate inflates every entry of a pack (blobs, trees, commits,
// deltas: what the history sweep inflates) with the inflater and with
// compress/zlib as the readers used it, reporting MB/s of output. The pack
// is a generated repository's, and with CLAYSCAN_BENCH_REPO set, that
// repository's too (e.g. /work/ext/redis.git). Compare the decoders with
//
//	go test ./internal/git -run XXX -bench Inflate -count 6 | benchstat -col /decoder -
func BenchmarkInflate(b *testing.B) {
	repos := [][2]string{{"generated", benchRepo(b)}}
	if r := os.Getenv("CLAYSCAN_BENCH_REPO"); r != "" {
		repos = append(repos, [2]string{filepath.Base(r), r})
	}
	for _, r := range repos {
		objects := filepath.Join(r[1], ".git", "objects")
		if _, err := os.Stat(objects); err != nil {
			objects = filepath.Join(r[1], "objects") // bare
		}
		db, err := git.OpenODB(objects, git.SHA1, false)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		type entry struct {
			p *git.Pack
			e git.EntryHeader
		}
		var entries []entry
		var total int64
		for _, p := range db.Packs() {
			for i := range p.Len() {
				e, err := p.Header(p.OffsetAt(i))
				if err != nil {
					b.Fatal(err)
				}
				entries = append(entries, entry{p, e})
				total += e.Size
			}
		}
		buf := make([]byte, 0, 1<<20)
		b.Run(fmt.Sprintf("repo=%s/decoder=ours", r[0]), func(b *testing.B) {
			var z git.Inflater
			b.SetBytes(total)
			for range b.N {
				for _, en := range entries {
					if _, err := z.Inflate(en.p, en.e.DataOff, en.e.Size, buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("repo=%s/decoder=zlib", r[0]), func(b *testing.B) {
			// As Inflater did before: one reader, Reset on each stream.
			var br bytes.Reader
			var zr io.ReadCloser
			b.SetBytes(total)
			for range b.N {
				for _, en := range entries {
					br.Reset(en.p.DataForTest()[en.e.DataOff:])
					if zr == nil {
						zr, err = zlib.NewReader(&br)
					} else {
						err = zr.(zlib.Resetter).Reset(&br, nil)
					}
					if err != nil {
						b.Fatal(err)
					}
					out := buf
					if int64(cap(out)) < en.e.Size {
						out = make([]byte, en.e.Size)
					}
					if _, err := io.ReadFull(zr, out[:en.e.Size]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchRepo builds a repository shaped like a project's history: source
// files edited a little in each of many commits, so that the pack holds
// trees, commits, full blobs and deltas.
func benchRepo(b *testing.B) string {
	dir := b.TempDir()
	run(b, dir, "init", "-q", "-b", "main")
	files := make([][]string, 40)
	for f := range files {
		files[f] = make([]string, 300+f*20)
		for j := range files[f] {
			files[f][j] = fmt.Sprintf("\tif err := step%d(ctx, %d); err != nil { return fmt.Errorf(\"step %d: %%w\", err) }", j, f, j)
		}
	}
	for c := range 60 {
		for f := range files {
			if (f+c)%4 == 0 {
				files[f][(c*7+f)%len(files[f])] = fmt.Sprintf("\t// changed in commit %d\n\tcount += %d", c, c*f)
				write(b, dir, fmt.Sprintf("pkg%d/file%d.go", f%8, f), strings.Join(files[f], "\n"))
			}
		}
		run(b, dir, "add", "-A")
		run(b, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d", c))
	}
	run(b, dir, "repack", "-adq")
	return dir
}
