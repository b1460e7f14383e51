package git_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/internal/testutil"
)

// The reftable fixtures (testdata/reftable, made by make-fixtures.sh with
// git 2.49, which git 2.39 cannot write or read): a stack of several
// tables with a deletion, symbolic refs, annotated and nested tags, notes,
// two stashes (reflog records), per-worktree refs, and a linked worktree
// (relative paths) whose own stack holds its detached HEAD; once SHA-1,
// once SHA-256. What that git said about them is in expected/.

// extractFixtures unpacks fixtures.tar.gz into a temp dir.
func extractFixtures(t *testing.T) string {
	t.Helper()
	return testutil.ExtractTarGz(t, filepath.Join("testdata", "reftable", "fixtures.tar.gz"))
}

func expected(t *testing.T, name, file string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reftable", name, "expected", file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

// refMap is name → resolved object, from our reader.
func refMap(t *testing.T, repo *git.Repository) string {
	t.Helper()
	refs, err := repo.Refs()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range refs {
		if r.Name == "HEAD" {
			continue
		}
		h, err := repo.ResolveRef(r.Name)
		if err != nil {
			t.Fatalf("resolving %s: %v", r.Name, err)
		}
		lines = append(lines, r.Name+" "+h.String()+" "+r.Target)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestReftableFixtures(t *testing.T) {
	root := extractFixtures(t)
	for _, c := range []struct {
		name   string
		format git.Format
	}{{"reftable", git.SHA1}, {"reftable-sha256", git.SHA256}} {
		t.Run(c.name, func(t *testing.T) {
			main := filepath.Join(root, c.name, "main")
			wt := filepath.Join(root, c.name, "wt")
			repo, err := git.Open(main)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			if repo.Format() != c.format || repo.RefStorage() != "reftable" {
				t.Fatalf("format %v, ref storage %q", repo.Format(), repo.RefStorage())
			}
			if got, want := refMap(t, repo), strings.Join(expected(t, c.name, "for-each-ref"), "\n"); got != want {
				t.Errorf("refs:\n%s\nwant (git for-each-ref):\n%s", got, want)
			}
			for _, line := range expected(t, c.name, "rev-parse") {
				rev, want, _ := strings.Cut(line, " ")
				if h, err := repo.ResolveRevision(rev); err != nil || h.String() != want {
					t.Errorf("ResolveRevision(%q) = %v, %v; git: %s", rev, h, err, want)
				}
			}

			wrepo, err := git.Open(wt)
			if err != nil {
				t.Fatal(err)
			}
			defer wrepo.Close()
			if got, want := refMap(t, wrepo), strings.Join(expected(t, c.name, "for-each-ref.wt"), "\n"); got != want {
				t.Errorf("worktree refs:\n%s\nwant (git for-each-ref):\n%s", got, want)
			}
			wantHead := strings.TrimPrefix(expected(t, c.name, "rev-parse.wt")[0], "HEAD ")
			if h, err := wrepo.Head(); err != nil || h.String() != wantHead {
				t.Errorf("worktree HEAD = %v, %v; git: %s", h, err, wantHead)
			}

			// Every object, by type and size.
			db, err := repo.OpenObjects(true)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, line := range expected(t, c.name, "cat-file") {
				f := strings.Fields(line)
				h, _ := git.ParseHash(f[0])
				typ, data, err := db.Get(h)
				if size, _ := strconv.Atoi(f[2]); err != nil || typ.String() != f[1] || len(data) != size {
					t.Errorf("object %s: %v %d %v; git: %s %s", f[0], typ, len(data), err, f[1], f[2])
				}
			}

			// What the walk starts from reaches what git rev-list --all
			// reaches from both worktrees, plus the stash reflog.
			want := map[string]bool{}
			for _, h := range expected(t, c.name, "rev-list") {
				want[h] = true
			}
			for _, r := range []*git.Repository{repo, wrepo} {
				tips, err := r.Tips()
				if err != nil {
					t.Fatal(err)
				}
				if d := diffSets(reachable(t, db, tips), want); d != "" {
					t.Errorf("reachable from %s's tips: %s (tips %s)", r.Root, d, tipNames(tips))
				}
			}
			tips, _ := repo.Tips()
			stash := expected(t, c.name, "stash-reflog")
			if names := tipNames(tips); !strings.Contains(names, "stash@{1}") || !strings.Contains(names, "worktrees/wt/HEAD") {
				t.Errorf("tips %s: want stash@{1} and worktrees/wt/HEAD", names)
			}
			for _, tp := range tips {
				if tp.Name == "stash@{1}" && tp.Hash.String() != stash[1] {
					t.Errorf("stash@{1} = %s, git: %s", tp.Hash, stash[1])
				}
			}
		})
	}
}

// Many refs in one table of 4 KiB blocks: several ref blocks read through
// their restart tables, past the ref index and object blocks.
func TestReftableManyRefs(t *testing.T) {
	root := extractFixtures(t)
	repo, err := git.Open(filepath.Join(root, "reftable-many", "main"))
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	got := refMap(t, repo)
	sum := sha256.Sum256([]byte(got + "\n"))
	if want := expected(t, "reftable-many", "for-each-ref.sha256")[0]; hex.EncodeToString(sum[:]) != want {
		t.Errorf("refs (%d) differ from git for-each-ref's (digest %s)", strings.Count(got, "\n")+1, want)
	}
	if n := strings.Count(got, "\n") + 1; n != 3001 {
		t.Errorf("%d refs, want 3001", n)
	}
	for _, line := range expected(t, "reftable-many", "rev-parse") {
		rev, want, _ := strings.Cut(line, " ")
		if h, err := repo.ResolveRevision(rev); err != nil || h.String() != want {
			t.Errorf("ResolveRevision(%q) = %v, %v; git: %s", rev, h, err, want)
		}
	}
}
