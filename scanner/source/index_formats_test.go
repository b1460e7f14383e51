package source_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/clayscan/clayscan/scanner/source"
)

// issue 10: the working-tree scan read the index with go-git, which
// refused a skipHash index ("invalid checksum") and split and sparse
// indexes ("unknown extension"). It now reads them as the staged scan
// does: the same tracked files whatever the index format.
func TestWorktreeIndexFormats(t *testing.T) {
	build := func(t *testing.T) string {
		dir := t.TempDir()
		git(t, dir, "init", "-q")
		write(t, dir, "in/a.txt", "a\n")
		write(t, dir, "in/b.txt", "b\n")
		write(t, dir, "out/c.txt", "c\n")
		write(t, dir, "top.txt", "t\n")
		git(t, dir, "add", ".")
		git(t, dir, "commit", "-qm", "init")
		return dir
	}
	want := func(t *testing.T, dir string) []string {
		sink, _ := scan(t, &source.Worktree{Path: dir})
		if len(sink.errs) > 0 {
			t.Fatalf("errors: %v", sink.errs)
		}
		return sink.paths()
	}
	base := want(t, build(t))
	cases := map[string]func(t *testing.T, dir string){
		"v4": func(t *testing.T, dir string) { git(t, dir, "update-index", "--index-version", "4") },
		"skipHash": func(t *testing.T, dir string) {
			zeroIndexTrailer(t, filepath.Join(dir, ".git", "index"))
		},
		"split": func(t *testing.T, dir string) {
			git(t, dir, "update-index", "--split-index")
			write(t, dir, "in/b.txt", "b2\n")
			git(t, dir, "add", "in/b.txt")
		},
	}
	for name, prepare := range cases {
		t.Run(name, func(t *testing.T) {
			dir := build(t)
			prepare(t, dir)
			if got := want(t, dir); !reflect.DeepEqual(got, base) {
				t.Errorf("scanned %v, want %v", got, base)
			}
		})
	}
	t.Run("sparse", func(t *testing.T) {
		dir := build(t)
		git(t, dir, "sparse-checkout", "init", "--cone", "--sparse-index")
		git(t, dir, "sparse-checkout", "set", "in")
		// out/ is not checked out: tracked, and not on disk to scan.
		got := want(t, dir)
		if wantPaths := []string{"in/a.txt", "in/b.txt", "top.txt"}; !reflect.DeepEqual(got, wantPaths) {
			t.Errorf("scanned %v, want %v", got, wantPaths)
		}
		// A file created under the sparse directory is scanned.
		write(t, dir, "out/new.txt", "n\n")
		if got := want(t, dir); !reflect.DeepEqual(got, []string{"in/a.txt", "in/b.txt", "out/new.txt", "top.txt"}) {
			t.Errorf("scanned %v", got)
		}
	})
}

// issue 10: the two index readers gave different errors for the same
// file; there is one now.
func TestIndexErrorsAgree(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, "a.txt", "a\n")
	git(t, dir, "add", ".")
	p := filepath.Join(dir, ".git", "index")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data[:len(data)-20], "zzzz\x00\x00\x00\x00"+string(make([]byte, 20))...)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, werr := (&source.Worktree{Path: dir}).Scan(context.Background(), newRecordSink())
	_, serr := (&source.Staged{Path: dir}).Scan(context.Background(), newRecordSink())
	if werr == nil || serr == nil || werr.Error() != serr.Error() {
		t.Fatalf("worktree: %v\nstaged:   %v\nwant the same error", werr, serr)
	}
	var wh, sh interface{ Hint() string }
	if !errors.As(werr, &wh) || !errors.As(serr, &sh) || wh.Hint() != sh.Hint() || wh.Hint() == "" {
		t.Errorf("hints differ or are missing")
	}
}
