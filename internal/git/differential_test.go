package git_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// Differential tests against the git binary (issue 10): for each
// repository of a matrix built in temp dirs, every object's type, size and
// content equals `git cat-file --batch-all-objects --batch`, refs equal
// `git for-each-ref` and `git rev-parse`, and what a walk from Tips reaches
// equals `git rev-list --all --objects` run in every worktree (plus the
// stash's reflog).

// gitBin is the git binary the matrix is built with: $CLAYSCAN_TEST_GIT
// (a newer git, for formats git 2.39 cannot write), else git on PATH.
func gitBin() string {
	if g := os.Getenv("CLAYSCAN_TEST_GIT"); g != "" {
		return g
	}
	return "git"
}

// out runs git and returns its stdout, untrimmed.
func out(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(gitBin(), args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return b
}

// matrixRepo builds a repository with deltas, packed and loose objects,
// tags (light and annotated, nested), notes, a replace ref, two stashes,
// a linked worktree on a detached HEAD holding a commit no ref reaches,
// per-worktree refs (refs/worktree, refs/bisect) in both worktrees and a
// remote-tracking branch. initArgs go to git init.
func matrixRepo(t *testing.T, initArgs ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	run(t, t.TempDir(), append([]string{"init", "-q", "-b", "main"}, append(initArgs, dir)...)...)
	run(t, dir, "config", "gc.auto", "0")
	big := strings.Repeat("line of a file that changes a little each time\n", 200)
	for i := 0; i < 6; i++ {
		write(t, dir, "big.txt", big+fmt.Sprintf("version %d\n", i))
		write(t, dir, fmt.Sprintf("dir/sub/f%d.txt", i), fmt.Sprintf("file %d\n", i))
		run(t, dir, "add", "-A")
		run(t, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d", i))
	}
	run(t, dir, "tag", "light")
	run(t, dir, "tag", "-a", "-m", "annotated", "v1")
	run(t, dir, "tag", "-a", "-m", "a tag of a tag", "v1-outer", "v1")
	run(t, dir, "tag", "blob-tag", "HEAD:big.txt")
	run(t, dir, "notes", "add", "-m", "a note", "HEAD~1")
	run(t, dir, "replace", "--graft", "HEAD~2", "HEAD~4")
	run(t, dir, "update-ref", "refs/remotes/origin/main", "HEAD~3")
	run(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	run(t, dir, "branch", "side", "HEAD~2")
	run(t, dir, "repack", "-adq") // most objects packed, with deltas
	for i := 0; i < 2; i++ {
		write(t, dir, "big.txt", big+fmt.Sprintf("stash %d\n", i))
		run(t, dir, "stash", "-q")
	}
	run(t, dir, "update-ref", "refs/worktree/mine", "HEAD~1")
	run(t, dir, "update-ref", "refs/bisect/bad", "HEAD~2")
	wt := filepath.Join(filepath.Dir(dir), "wt")
	run(t, dir, "worktree", "add", "-q", "--detach", wt, "HEAD~1")
	write(t, wt, "only-in-worktree.txt", "reachable from the worktree's HEAD only\n")
	run(t, wt, "add", "-A")
	run(t, wt, "commit", "-q", "-m", "on the detached worktree HEAD")
	run(t, wt, "update-ref", "refs/worktree/theirs", "HEAD~1")
	write(t, dir, "loose.txt", "a loose object\n")
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-q", "-m", "loose commit")
	return dir
}

// matrixRevs are revisions of matrixRepo to resolve as git does.
var matrixRevs = []string{"HEAD~1", "v1", "v1-outer", "side", "origin", "main~2^{commit}"}

// checkObjects compares every object the ODB reads with git cat-file.
func checkObjects(t *testing.T, dir string, db *git.ODB) int {
	t.Helper()
	data := out(t, dir, "cat-file", "--batch-all-objects", "--batch")
	r := bufio.NewReader(bytes.NewReader(data))
	n := 0
	for {
		hdr, err := r.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			t.Fatalf("cat-file header %q", hdr)
		}
		size, _ := strconv.Atoi(f[2])
		want := make([]byte, size+1)
		if _, err := io_ReadFull(r, want); err != nil {
			t.Fatal(err)
		}
		want = want[:size]
		h, ok := git.ParseHash(f[0])
		if !ok {
			t.Fatalf("bad hash %q", f[0])
		}
		typ, got, err := db.Get(h)
		switch {
		case err != nil:
			t.Errorf("object %s: %v", h, err)
		case typ.String() != f[1]:
			t.Errorf("object %s: type %s, git says %s", h, typ, f[1])
		case !bytes.Equal(got, want):
			t.Errorf("object %s (%s): content differs from git's (%d bytes, want %d)", h, f[1], len(got), len(want))
		}
		n++
	}
	if n == 0 {
		t.Fatal("git cat-file listed no objects")
	}
	return n
}

func io_ReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// checkRefs compares Refs and Head with git for-each-ref and rev-parse.
func checkRefs(t *testing.T, dir string, repo *git.Repository, revs ...string) {
	t.Helper()
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out(t, dir, "for-each-ref", "--format=%(refname) %(objectname)"))), "\n") {
		name, h, _ := strings.Cut(line, " ")
		want[name] = h
	}
	refs, err := repo.Refs()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range refs {
		if r.Name == "HEAD" {
			continue
		}
		h := r.Hash
		if r.Target != "" {
			if h, err = repo.ResolveRef(r.Name); err != nil {
				t.Errorf("resolving %s: %v", r.Name, err)
				continue
			}
		}
		got[r.Name] = h.String()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refs differ from git for-each-ref:\n got %v\nwant %v", got, want)
	}
	head, err := repo.Head()
	if wantHead := strings.TrimSpace(string(out(t, dir, "rev-parse", "HEAD"))); err != nil || head.String() != wantHead {
		t.Errorf("Head() = %v, %v; git rev-parse HEAD = %s", head, err, wantHead)
	}
	for _, rev := range revs {
		wantRev := strings.TrimSpace(string(out(t, dir, "rev-parse", rev+"^{commit}")))
		if h, err := repo.ResolveRevision(rev); err != nil || h.String() != wantRev {
			t.Errorf("ResolveRevision(%q) = %v, %v; git = %s", rev, h, err, wantRev)
		}
	}
}

// reachable walks from the tips through commits, trees and tags.
func reachable(t *testing.T, db *git.ODB, tips []git.Tip) map[string]bool {
	t.Helper()
	seen := map[git.Hash]bool{}
	stack := make([]git.Hash, 0, len(tips))
	for _, tp := range tips {
		stack = append(stack, tp.Hash)
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		typ, data, err := db.Get(h)
		if err != nil {
			t.Fatalf("walking %s: %v", h, err)
		}
		switch typ {
		case git.ObjCommit:
			c, err := git.ParseCommit(h, data)
			if err != nil {
				t.Fatal(err)
			}
			stack = append(stack, c.Tree)
			stack = append(stack, c.Parents...)
		case git.ObjTag:
			next, err := git.TagTarget(h, data)
			if err != nil {
				t.Fatal(err)
			}
			stack = append(stack, next)
		case git.ObjTree:
			it := git.TreeEntries{Rest: data, HashSize: db.HashSize()}
			for e, ok := it.Next(); ok; e, ok = it.Next() {
				if string(e.Mode) != "160000" {
					stack = append(stack, e.ObjectHash())
				}
			}
		}
	}
	outSet := map[string]bool{}
	for h := range seen {
		outSet[h.String()] = true
	}
	return outSet
}

// gitReachable is `git rev-list --all --objects` in every worktree, plus
// what the stash reflog's entries reach, without replace refs applied.
func gitReachable(t *testing.T, dirs []string) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	for _, d := range dirs {
		args := [][]string{{"--no-replace-objects", "rev-list", "--all", "--objects"}}
		// Everything reachable from each stash entry (--walk-reflogs
		// would follow the entries alone, not their parents).
		if _, err := tryGit(d, "rev-parse", "--verify", "-q", "refs/stash"); err != nil {
			// no stash
		} else if stashes := strings.Fields(string(out(t, d, "log", "-g", "--format=%H", "refs/stash"))); len(stashes) > 0 {
			args = append(args, append([]string{"--no-replace-objects", "rev-list", "--objects"}, stashes...))
		}
		for _, a := range args {
			for _, line := range strings.Split(strings.TrimSpace(string(out(t, d, a...))), "\n") {
				if h, _, _ := strings.Cut(line, " "); h != "" {
					set[h] = true
				}
			}
		}
	}
	return set
}

func diffSets(got, want map[string]bool) string {
	var missing, extra []string
	for h := range want {
		if !got[h] {
			missing = append(missing, h)
		}
	}
	for h := range got {
		if !want[h] {
			extra = append(extra, h)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) == 0 {
		return ""
	}
	return fmt.Sprintf("missing %v, extra %v", missing, extra)
}

// checkRepo runs every comparison on the repository at dir (and its
// linked worktrees).
func checkRepo(t *testing.T, dir string, worktrees ...string) {
	t.Helper()
	repo, db := openRepoObjects(t, dir, true)
	checkObjects(t, dir, db)
	checkRefs(t, dir, repo, matrixRevs...)
	tips, err := repo.Tips()
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSets(reachable(t, db, tips), gitReachable(t, append([]string{dir}, worktrees...))); d != "" {
		t.Errorf("objects reachable from Tips differ from git rev-list --all --objects: %s", d)
	}
	// Every worktree sees the same reachable set.
	for _, wt := range worktrees {
		r, err := git.Open(wt)
		if err != nil {
			t.Fatal(err)
		}
		wtips, err := r.Tips()
		if err != nil {
			t.Fatal(err)
		}
		if d := diffSets(reachable(t, db, wtips), reachable(t, db, tips)); d != "" {
			t.Errorf("worktree %s reaches other objects: %s", wt, d)
		}
		checkRefs(t, wt, r, matrixRevs...)
		r.Close()
	}
}

func TestDifferentialSHA1(t *testing.T) {
	dir := matrixRepo(t)
	checkRepo(t, dir, filepath.Join(filepath.Dir(dir), "wt"))
}

func TestDifferentialSHA256(t *testing.T) {
	dir := matrixRepo(t, "--object-format=sha256")
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Format() != git.SHA256 {
		t.Fatalf("format = %v, want sha256", repo.Format())
	}
	repo.Close()
	checkRepo(t, dir, filepath.Join(filepath.Dir(dir), "wt"))
}

// Pack layouts git writes on request: several packs under a
// multi-pack-index, an index whose offsets are all in the 64-bit table,
// and objects reached through a chain of alternates (absolute, relative,
// recursive).
func TestDifferentialPackLayouts(t *testing.T) {
	t.Run("multi-pack-index", func(t *testing.T) {
		for _, format := range []string{"sha1", "sha256"} {
			dir := matrixRepo(t, "--object-format="+format)
			// Loose objects become their own packs; then one midx over all.
			run(t, dir, "repack", "-dq")
			write(t, dir, "more.txt", "more\n")
			run(t, dir, "add", "-A")
			run(t, dir, "commit", "-q", "-m", "more")
			run(t, dir, "repack", "-dq")
			run(t, dir, "multi-pack-index", "write")
			if _, err := os.Stat(filepath.Join(dir, ".git", "objects", "pack", "multi-pack-index")); err != nil {
				t.Fatal(err)
			}
			checkRepo(t, dir, filepath.Join(filepath.Dir(dir), "wt"))
		}
	})
	t.Run("64-bit offsets", func(t *testing.T) {
		dir := matrixRepo(t)
		run(t, dir, "repack", "-adq")
		packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
		for _, p := range packs {
			idx := strings.TrimSuffix(p, ".pack") + ".idx"
			os.Remove(idx)
			// Every offset above 0x40 goes to the 64-bit table.
			run(t, dir, "index-pack", "--index-version=2,0x40", "-o", idx, p)
			data, err := os.ReadFile(idx)
			if err != nil {
				t.Fatal(err)
			}
			n := int(data[8+255*4])<<24 | int(data[8+255*4+1])<<16 | int(data[8+255*4+2])<<8 | int(data[8+255*4+3])
			if large := len(data) - (8 + 256*4 + n*28 + 40); large < 8 {
				t.Fatalf("index has no 64-bit offsets (%d bytes of them)", large)
			}
		}
		checkRepo(t, dir, filepath.Join(filepath.Dir(dir), "wt"))
	})
	t.Run("alternates", func(t *testing.T) {
		base := matrixRepo(t)
		run(t, base, "repack", "-adq")
		// middle borrows from base by an absolute path (clone --shared),
		// top from middle by a relative one: top reads base's objects
		// through two levels.
		middle := filepath.Join(t.TempDir(), "middle")
		run(t, base, "clone", "-q", "--shared", "--bare", base, middle)
		top := filepath.Join(filepath.Dir(middle), "top")
		run(t, middle, "clone", "-q", "--shared", middle, top)
		alt := filepath.Join(top, ".git", "objects", "info", "alternates")
		if err := os.WriteFile(alt, []byte("../../../middle/objects\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		write(t, top, "top.txt", "only in top\n")
		run(t, top, "add", "-A")
		run(t, top, "commit", "-q", "-m", "top")
		if c := strings.TrimSpace(string(out(t, top, "count-objects", "-v"))); !strings.Contains(c, "alternate:") {
			t.Fatalf("top has no alternates: %s", c)
		}
		checkRepoObjects(t, top)
	})
}

// checkRepoObjects is checkRepo for a repository whose refs differ from
// the matrix's: objects and reachability only.
func checkRepoObjects(t *testing.T, dir string) {
	t.Helper()
	repo, db := openRepoObjects(t, dir, false)
	checkObjects(t, dir, db)
	tips, err := repo.Tips()
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSets(reachable(t, db, tips), gitReachable(t, []string{dir})); d != "" {
		t.Errorf("objects reachable from Tips differ from git rev-list --all --objects: %s", d)
	}
}

// GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES: objects git
// wrote to a directory of their own (a pre-receive hook's quarantine) are
// read from there, the rest from the repository's objects/ (issue 10).
func TestObjectDirectoryEnvironment(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "a.txt", "one\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "one")
	quarantine := filepath.Join(t.TempDir(), "incoming")
	if err := os.MkdirAll(quarantine, 0o755); err != nil {
		t.Fatal(err)
	}
	objects := filepath.Join(dir, ".git", "objects")
	env := []string{"GIT_OBJECT_DIRECTORY=" + quarantine, "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + objects}
	write(t, dir, "b.txt", "two\n")
	gitWith(t, dir, env, "add", ".")
	gitWith(t, dir, env, "commit", "-q", "-m", "two")
	head := gitWith(t, dir, env, "rev-parse", "HEAD")
	vars := map[string]string{"GIT_OBJECT_DIRECTORY": quarantine, "GIT_ALTERNATE_OBJECT_DIRECTORIES": objects}
	repo, err := git.OpenEnv(dir, func(name string) (string, bool) { v, ok := vars[name]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for path, want := range map[string]string{"a.txt": "one\n", "b.txt": "two\n"} {
		if data, err := repo.ReadFile(git.NewHash(head), path, -1); err != nil || string(data) != want {
			t.Errorf("%s at HEAD = %q, %v; want %q", path, data, err, want)
		}
	}
	// Without the environment the new commit is not there, as for git.
	plain, err := git.OpenEnv(dir, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.CommitObject(git.NewHash(head)); err == nil {
		t.Error("the quarantined commit was found without GIT_OBJECT_DIRECTORY")
	}
}
