package source_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// BenchmarkWorktreeScan scans the repository named by CLAYSCAN_BENCH_REPO
// (e.g. a clone of redis) the way "clayscan scan" does.
func BenchmarkWorktreeScan(b *testing.B) {
	dir := os.Getenv("CLAYSCAN_BENCH_REPO")
	if dir == "" {
		b.Skip("set CLAYSCAN_BENCH_REPO to a repository to scan")
	}
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for b.Loop() {
		res, err := scanner.Run(context.Background(), &source.Worktree{Path: dir}, det, scanner.Options{})
		if err != nil {
			b.Fatal(err)
		}
		bytes = res.Summary.BytesScanned
	}
	b.SetBytes(bytes)
}

// countSink counts what a source produces without scanning it.
type countSink struct {
	mu           sync.Mutex
	files, bytes int64
}

func (s *countSink) Scan(t scanner.Target) {
	s.mu.Lock()
	s.files++
	s.bytes += int64(len(t.Data))
	s.mu.Unlock()
}
func (s *countSink) Skip(scanner.Skipped)  {}
func (s *countSink) Error(string, error)   {}
func (s *countSink) WantsPath(string) bool { return false }
func (s *countSink) Path(scanner.PathFact) {}

// BenchmarkWorktreeRead measures the source alone: open the repository,
// read the index, walk for untracked files and read every file.
func BenchmarkWorktreeRead(b *testing.B) {
	dir := os.Getenv("CLAYSCAN_BENCH_REPO")
	if dir == "" {
		b.Skip("set CLAYSCAN_BENCH_REPO to a repository to scan")
	}
	var sink *countSink
	for b.Loop() {
		sink = &countSink{}
		if _, err := (&source.Worktree{Path: dir}).Scan(context.Background(), sink); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(sink.bytes)
	b.ReportMetric(float64(sink.files), "files")
}
