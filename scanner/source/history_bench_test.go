package source_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// synthRepo builds a repository shaped like a real project in miniature:
// commits commits on a main line with a side branch merged every 50
// commits, files files of ~4 KB in nested directories, each commit editing
// a few files. It is written with git fast-import and repacked, so blobs
// are delta chains in one pack as in a clone. The real-repository figures
// (redis, git/git) come from scripts/bench.sh.
func synthRepo(b *testing.B, commits, files int) string {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir := b.TempDir()
	run := func(stdin []byte, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if stdin != nil {
			cmd.Stdin = bytes.NewReader(stdin)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(nil, "init", "-q", "-b", "main")
	rnd := rand.New(rand.NewSource(1))
	content := make([][]string, files)
	for i := range content {
		for l := 0; l < 80; l++ {
			content[i] = append(content[i], fmt.Sprintf("line %d of file %d: %x", l, i, rnd.Int63()))
		}
	}
	var s bytes.Buffer
	for c := 0; c < commits; c++ {
		branch := "refs/heads/main"
		if c%50 >= 40 {
			branch = "refs/heads/side"
		}
		fmt.Fprintf(&s, "commit %s\nmark :%d\ncommitter Ada <ada@example.com> %d +0000\ndata 3\nc%d\n", branch, c+1, 1700000000+c*60, c%10)
		if c%50 == 40 && c > 0 {
			fmt.Fprintf(&s, "from :%d\n", c)
		}
		if c%50 == 0 && c >= 50 {
			fmt.Fprintf(&s, "merge :%d\n", c-1) // the side branch's tip
		}
		for k := 0; k < 4; k++ {
			f := rnd.Intn(files)
			content[f][rnd.Intn(80)] = fmt.Sprintf("edited in %d: %x", c, rnd.Int63())
			data := strings.Join(content[f], "\n") + "\n"
			fmt.Fprintf(&s, "M 100644 inline d%d/e%d/f%d.txt\ndata %d\n%s\n", f%7, f%3, f, len(data), data)
		}
	}
	run(s.Bytes(), "fast-import", "--quiet")
	run(nil, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10")
	return dir
}

type discardSink struct{ n, bytes atomic.Int64 }

func (d *discardSink) Scan(t scanner.Target)        { d.n.Add(1); d.bytes.Add(int64(len(t.Data))) }
func (d *discardSink) Skip(scanner.Skipped)         {}
func (d *discardSink) Error(path string, err error) {}
func (d *discardSink) WantsPath(string) bool        { return false }
func (d *discardSink) Path(scanner.PathFact)        {}

// BenchmarkHistorySweep is the whole sweep through the detector, as
// `clayscan history` runs it.
func BenchmarkHistorySweep(b *testing.B) {
	dir := synthRepo(b, 1000, 200)
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := scanner.Run(context.Background(), &source.History{Path: dir}, det, scanner.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(res.Summary.BytesScanned)
	}
}

// BenchmarkHistoryRead is the source alone: walk and inflate, no detection.
func BenchmarkHistoryRead(b *testing.B) {
	dir := synthRepo(b, 1000, 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var sink discardSink
		if _, err := (&source.History{Path: dir}).Scan(context.Background(), &sink); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(sink.bytes.Load())
	}
}
