package source_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

func runSource(t *testing.T, src scanner.Source) *scanner.Result {
	t.Helper()
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	res, err := scanner.Run(context.Background(), src, det, scanner.Options{})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return res
}

// lfsPointer returns the pointer git-lfs writes for content.
func lfsPointer(content string) (pointer, oid string) {
	sum := sha256.Sum256([]byte(content))
	oid = hex.EncodeToString(sum[:])
	return fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(content)), oid
}

// Issue 11: a Git LFS pointer is scanned as the object it points to, at
// the pointer's path, by staged, scan and history; a pointer whose object
// is not in the local store is named as not scanned (lfs_missing).
func TestLFSObjectsScannedOrNamed(t *testing.T) {
	r := newHistRepo(t)
	r.write(".gitignore", ".env\n")
	content := "# exported settings\nname: demo\n" + keyLine(histKey1)
	ptr, oid := lfsPointer(content)
	r.write("data/settings.bin", ptr)
	store := filepath.Join(r.dir, ".git", "lfs", "objects", oid[:2], oid[2:4])
	if err := os.MkdirAll(store, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(store, oid), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	missing, _ := lfsPointer("never fetched " + histKey2)
	r.write("media/gone.bin", missing)
	r.git("add", "-A")

	check := func(t *testing.T, res *scanner.Result, commit string) {
		t.Helper()
		if len(res.Findings) != 1 {
			t.Fatalf("findings = %v, want the key in the LFS object", where(res))
		}
		f := res.Findings[0]
		if f.RuleID != "clay-sk-live-key" || f.Path != "data/settings.bin" || f.Line != 3 || f.Commit != commit {
			t.Errorf("finding = %s %s:%d@%s, want clay-sk-live-key data/settings.bin:3@%s", f.RuleID, f.Path, f.Line, f.Commit, commit)
		}
		var named bool
		for _, s := range res.Skipped {
			if s.Path == "media/gone.bin" && s.Reason == scanner.SkipLFSMissing {
				named = true
				if commit != "" && (s.Commit != commit || s.Blob == "") {
					t.Errorf("skipped = %+v, want blob and commit %s", s, commit)
				}
			}
		}
		if !named || res.Summary.Skipped[scanner.SkipLFSMissing] != 1 {
			t.Errorf("skipped = %+v (counts %v), want media/gone.bin lfs_missing", res.Skipped, res.Summary.Skipped)
		}
	}
	t.Run("staged", func(t *testing.T) { check(t, runSource(t, &source.Staged{Path: r.dir}), "") })
	c := r.commit("add lfs files")
	t.Run("scan", func(t *testing.T) { check(t, runSource(t, &source.Worktree{Path: r.dir}), "") })
	t.Run("history", func(t *testing.T) { check(t, runSource(t, &source.History{Path: r.dir}), c) })

	// Under an explicit --max-file-size the object is too large, by the
	// size its pointer declares.
	res := runSource(t, &source.History{Path: r.dir, MaxFileSize: 10})
	if len(res.Findings) != 0 || res.Summary.Skipped[scanner.SkipTooLarge] != 2 {
		t.Errorf("with a 10-byte limit: findings %v, skipped %v; want none and 2 too_large", where(res), res.Summary.Skipped)
	}
}

// A file that only resembles a pointer is scanned as itself; the
// pre-release "hawser" version line is a pointer, as git-lfs reads it.
func TestLFSPointerLookalikeScanned(t *testing.T) {
	r := newHistRepo(t)
	r.write(".gitignore", ".env\n")
	oid := strings.Repeat("ab", 32)
	key := keyLine(histKey1)
	lookalikes := map[string]string{
		"appended.txt":      "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 3\n" + key,
		"no-oid.txt":        "version https://git-lfs.github.com/spec/v1\n" + key,
		"upper-oid.txt":     "version https://git-lfs.github.com/spec/v1\noid sha256:" + strings.ToUpper(oid) + "\nsize 3\n" + key,
		"no-size.txt":       "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\n" + key,
		"other-version.txt": "version https://example.com/spec/v1\noid sha256:" + oid + "\nsize 3\n" + key,
		"too-long.txt":      "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 3\nx " + strings.Repeat("y", 1024) + "\n" + key,
	}
	for p, c := range lookalikes {
		r.write(p, c)
	}
	r.write("hawser.bin", "version https://hawser.github.com/spec/v1\noid sha256:"+oid+"\nsize 3\n")
	r.git("add", "-A")
	res := runSource(t, &source.Staged{Path: r.dir})
	got := map[string]bool{}
	for _, f := range res.Findings {
		got[f.Path] = true
	}
	for p := range lookalikes {
		if !got[p] {
			t.Errorf("%s: not scanned as itself (findings %v)", p, where(res))
		}
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Path != "hawser.bin" || res.Skipped[0].Reason != scanner.SkipLFSMissing {
		t.Errorf("skipped = %+v, want hawser.bin lfs_missing", res.Skipped)
	}
}

// Issue 11: the LFS store is where git-lfs keeps it: lfs.storage from git
// config (relative to the git dir, or absolute, through includes too), never
// from .lfsconfig, which git-lfs does not read it from either.
func TestLFSStorageConfig(t *testing.T) {
	content := "# exported settings\nname: demo\n" + keyLine(histKey1)
	ptr, oid := lfsPointer(content)
	put := func(t *testing.T, dir string) {
		t.Helper()
		store := filepath.Join(dir, "objects", oid[:2], oid[2:4])
		if err := os.MkdirAll(store, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(store, oid), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := t.TempDir()
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, r *histRepo)
		found bool
	}{
		{"relative", func(t *testing.T, r *histRepo) {
			r.git("config", "lfs.storage", "custom-lfs")
			put(t, filepath.Join(r.dir, ".git", "custom-lfs"))
		}, true},
		{"absolute", func(t *testing.T, r *histRepo) {
			r.git("config", "lfs.storage", abs)
			put(t, abs)
		}, true},
		{"through an include", func(t *testing.T, r *histRepo) {
			inc := filepath.Join(t.TempDir(), "lfs.inc")
			if err := os.WriteFile(inc, []byte("[lfs]\n\tstorage = included-lfs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r.git("config", "include.path", inc)
			put(t, filepath.Join(r.dir, ".git", "included-lfs"))
		}, true},
		{"the default is no longer read once set", func(t *testing.T, r *histRepo) {
			r.git("config", "lfs.storage", "elsewhere")
			put(t, filepath.Join(r.dir, ".git", "lfs"))
		}, false},
		{".lfsconfig is not read for storage", func(t *testing.T, r *histRepo) {
			r.write(".lfsconfig", "[lfs]\n\tstorage = from-lfsconfig\n")
			put(t, filepath.Join(r.dir, ".git", "from-lfsconfig"))
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newHistRepo(t)
			r.write(".gitignore", ".env\n")
			r.write("data/settings.bin", ptr)
			c.setup(t, r)
			r.git("add", "-A")
			check := func(t *testing.T, res *scanner.Result, commit string) {
				t.Helper()
				if !c.found {
					if len(res.Findings) != 0 || res.Summary.Skipped[scanner.SkipLFSMissing] != 1 || len(res.Skipped) != 1 || res.Skipped[0].Path != "data/settings.bin" {
						t.Errorf("findings %v, skipped %+v; want none and data/settings.bin lfs_missing", where(res), res.Skipped)
					}
					return
				}
				if len(res.Findings) != 1 {
					t.Fatalf("findings = %v, want the key in the LFS object", where(res))
				}
				f := res.Findings[0]
				if f.RuleID != "clay-sk-live-key" || f.Path != "data/settings.bin" || f.Line != 3 || f.Commit != commit {
					t.Errorf("finding = %s %s:%d@%s, want clay-sk-live-key data/settings.bin:3@%s", f.RuleID, f.Path, f.Line, f.Commit, commit)
				}
			}
			t.Run("staged", func(t *testing.T) { check(t, runSource(t, &source.Staged{Path: r.dir}), "") })
			commit := r.commit("add lfs file")
			t.Run("scan", func(t *testing.T) { check(t, runSource(t, &source.Worktree{Path: r.dir}), "") })
			t.Run("history", func(t *testing.T) { check(t, runSource(t, &source.History{Path: r.dir}), commit) })
		})
	}
}
