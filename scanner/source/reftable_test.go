package source_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/testutil"
	"github.com/clayscan/clayscan/scanner/source"
)

// Issue 10: reftable repositories (git init --ref-format=reftable, git >=
// 2.45) exited 2. The history source walks the committed fixtures (made by
// internal/git/testdata/reftable/make-fixtures.sh) from either worktree and
// covers every commit git rev-list --all reaches from both, and the stash.
func TestHistoryReftableFixtures(t *testing.T) {
	fixtures := filepath.Join("..", "..", "internal", "git", "testdata", "reftable")
	root := testutil.ExtractTarGz(t, filepath.Join(fixtures, "fixtures.tar.gz"))
	for _, name := range []string{"reftable", "reftable-sha256"} {
		read := func(file string) []string {
			data, err := os.ReadFile(filepath.Join(fixtures, name, "expected", file))
			if err != nil {
				t.Fatal(err)
			}
			return strings.Split(strings.TrimSpace(string(data)), "\n")
		}
		reached := map[string]bool{}
		for _, h := range read("rev-list") {
			reached[h] = true
		}
		commits := 0
		for _, line := range read("cat-file") {
			if f := strings.Fields(line); f[1] == "commit" && reached[f[0]] {
				commits++
			}
		}
		for _, wt := range []string{"main", "wt"} {
			var sink discardSink
			info, err := (&source.History{Path: filepath.Join(root, name, wt)}).Scan(context.Background(), &sink)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, wt, err)
			}
			if info.Commits != int64(commits) {
				t.Errorf("%s/%s: %d commits walked, git reaches %d", name, wt, info.Commits, commits)
			}
		}
	}
}
