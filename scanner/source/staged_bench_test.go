package source_test

import (
	"context"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// BenchmarkStagedScan runs the staged source the way "clayscan staged"
// does on the repository named by CLAYSCAN_BENCH_STAGED_REPO (for the
// README figures: a clone of git/git with a one-file change staged; see
// README, "Staged scan").
func BenchmarkStagedScan(b *testing.B) {
	dir := os.Getenv("CLAYSCAN_BENCH_STAGED_REPO")
	if dir == "" {
		b.Skip("set CLAYSCAN_BENCH_STAGED_REPO to a repository with a staged change")
	}
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := scanner.Run(context.Background(), &source.Staged{Path: dir}, det, scanner.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Summary.FilesScanned == 0 {
			b.Fatal("nothing staged: stage a change first")
		}
	}
}

// BenchmarkStagedScanSmallRepo needs no setup: a small real repository with
// one staged change.
func BenchmarkStagedScanSmallRepo(b *testing.B) {
	r := newGitRepo(b)
	for i := 0; i < 200; i++ {
		r.write("dir"+strconv.Itoa(i%10)+"/f"+strconv.Itoa(i)+".txt", strings.Repeat("line\n", 50))
	}
	r.git("add", ".")
	r.commit("init")
	r.write("dir3/f3.txt", strings.Repeat("line\n", 50)+"export CLAY_API_KEY=\""+stagedKey1+"\"\n")
	r.git("add", ".")
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := scanner.Run(context.Background(), &source.Staged{Path: r.dir}, det, scanner.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddedLines diffs a 100,000-line file: a few scattered edits,
// and a full rewrite (the costly case the cost limit bounds).
func BenchmarkAddedLines(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	var sb strings.Builder
	for i := 0; i < 100_000; i++ {
		sb.WriteString("line ")
		sb.WriteString(strings.Repeat(string(rune('a'+rng.Intn(26))), 1+rng.Intn(40)))
		sb.WriteString("\n")
	}
	prev := sb.String()
	lines := strings.SplitAfter(prev, "\n")
	for i := 0; i < 20; i++ {
		lines[rng.Intn(len(lines))] = "edited line\n"
	}
	few := strings.Join(lines, "")
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	shuffled := strings.Join(lines, "")
	for _, bc := range []struct{ name, next string }{{"few-edits", few}, {"shuffled", shuffled}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.next)))
			for b.Loop() {
				source.AddedLines([]byte(prev), []byte(bc.next))
			}
		})
	}
}
