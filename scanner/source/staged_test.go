package source_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// Fake keys, assembled at test time so the repository never holds one.
var (
	stagedKey1 = "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	stagedKey2 = "sk_" + "live_" + "Jf5Tg8Yh2Ku4Io7Pl1Zx3Cv6"
)

// gitRepo is a real repository in a temp dir, driven by the git binary.
type gitRepo struct {
	t   testing.TB
	dir string
}

func newGitRepo(t testing.TB) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) gitIn(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r *gitRepo) git(args ...string) string { r.t.Helper(); return r.gitIn(r.dir, args...) }

// gitMayFail runs git and ignores a failure (a merge that conflicts).
func (r *gitRepo) gitMayFail(args ...string) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = gitEnv()
	_ = cmd.Run()
}

// gitEnv is the environment without the caller's GIT_* variables (tests
// may run inside a hook), with a fixed identity and no user config.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
}

func (r *gitRepo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) commit(msg string) {
	r.t.Helper()
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

// stagedRun is what one staged scan produced.
type stagedRun struct {
	res     *scanner.Result
	err     error
	targets map[string]scanner.Target
}

func scanStaged(t *testing.T, s *source.Staged) stagedRun {
	t.Helper()
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	out := stagedRun{targets: map[string]scanner.Target{}}
	src := observing{src: s, see: func(tg scanner.Target) {
		mu.Lock()
		out.targets[tg.Path] = tg
		mu.Unlock()
	}}
	out.res, out.err = scanner.Run(context.Background(), src, det, scanner.Options{})
	return out
}

// observing is a source that shows a test every target its source emits.
type observing struct {
	src scanner.Source
	see func(scanner.Target)
}

func (o observing) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	return o.src.Scan(ctx, observingSink{Sink: sink, see: o.see})
}

type observingSink struct {
	scanner.Sink
	see func(scanner.Target)
}

func (s observingSink) Scan(t scanner.Target) { s.see(t); s.Sink.Scan(t) }

// findings lists "path:line" for each finding, sorted.
func (s stagedRun) findings() []string {
	var out []string
	for _, f := range s.res.Findings {
		out = append(out, f.Path+":"+strconv.Itoa(f.Line))
	}
	sort.Strings(out)
	return out
}

func mustStaged(t *testing.T, r *gitRepo) stagedRun {
	t.Helper()
	out := scanStaged(t, &source.Staged{Path: r.dir})
	if out.err != nil {
		t.Fatalf("staged scan: %v", out.err)
	}
	if len(out.res.Errors) > 0 {
		t.Fatalf("staged scan errors: %v", out.res.Errors[0])
	}
	if out.res.Source != "staged" {
		t.Errorf("Source = %q, want staged", out.res.Source)
	}
	return out
}

func wantFindings(t *testing.T, got stagedRun, want ...string) {
	t.Helper()
	g := got.findings()
	if strings.Join(g, ",") != strings.Join(want, ",") {
		t.Errorf("findings = %v, want %v", g, want)
	}
}

func TestStagedScansIndexBlobNotWorkingFile(t *testing.T) {
	r := newGitRepo(t)
	r.write("app.env.sh", "export A=1\n")
	r.git("add", ".")
	r.commit("init")

	// Staged, then removed from the working file: the commit still adds it.
	r.write("app.env.sh", "export A=1\nexport CLAY_KEY=\""+stagedKey1+"\"\n")
	r.git("add", "app.env.sh")
	r.write("app.env.sh", "export A=1\n")
	wantFindings(t, mustStaged(t, r), "app.env.sh:2")

	// Only in the working file, never staged: the commit does not add it.
	r.git("reset", "-q")
	r.write("app.env.sh", "export A=1\nexport CLAY_KEY=\""+stagedKey1+"\"\n")
	wantFindings(t, mustStaged(t, r))
}

func TestStagedUnbornHead(t *testing.T) {
	r := newGitRepo(t)
	r.write("config/app.sh", "x=1\nexport K=\""+stagedKey1+"\"\n")
	r.write("empty.txt", "")
	r.git("add", ".")
	got := mustStaged(t, r)
	wantFindings(t, got, "config/app.sh:2")
	if _, ok := got.targets["empty.txt"]; !ok {
		t.Errorf("empty new file not emitted as a target: %v", got.targets)
	}
}

func TestStagedReportsOnlyAddedLines(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.sh", "one\nexport OLD=\""+stagedKey1+"\"\nthree\nfour\n")
	r.git("add", ".")
	r.commit("old key, already in history")
	r.write("a.sh", "zero\none\nexport OLD=\""+stagedKey1+"\"\nthree\nfour\nexport NEW=\""+stagedKey2+"\"\n")
	r.git("add", ".")
	got := mustStaged(t, r)
	wantFindings(t, got, "a.sh:6")
	if l := got.targets["a.sh"].Lines; len(l) != 2 || l[0] != (scanner.LineRange{Start: 1, End: 1}) || l[1] != (scanner.LineRange{Start: 6, End: 6}) {
		t.Errorf("Lines = %v, want [{1 1} {6 6}]", l)
	}
}

func TestStagedRenameDeleteModeAddNothing(t *testing.T) {
	r := newGitRepo(t)
	r.write("old/name.sh", "export K=\""+stagedKey1+"\"\n")
	r.write("gone.sh", "export K2=\""+stagedKey2+"\"\n")
	r.write("tool.sh", "export K3=\""+stagedKey1+"\" # same key, other file\n")
	r.write("dir/deep/moved.sh", "export K4=\""+stagedKey2+"\"\n")
	r.git("add", ".")
	r.commit("keys already in history")

	if err := os.Mkdir(filepath.Join(r.dir, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("mv", "old/name.sh", "new/name.sh")
	r.git("rm", "-q", "gone.sh")
	r.git("mv", "dir", "elsewhere") // a whole directory renamed
	if err := os.Chmod(filepath.Join(r.dir, "tool.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("add", "tool.sh")
	got := mustStaged(t, r)
	wantFindings(t, got)
	if _, ok := got.targets["gone.sh"]; ok {
		t.Error("a deleted file was emitted")
	}
	for _, p := range []string{"new/name.sh", "tool.sh", "elsewhere/deep/moved.sh"} {
		tg, ok := got.targets[p]
		if !ok || tg.Lines == nil || len(tg.Lines) != 0 {
			t.Errorf("%s: emitted=%v Lines=%v, want an emitted target with no added lines", p, ok, tg.Lines)
		}
	}

	// A rename that also adds a key is diffed against the deleted blob it
	// resembles (as git diff -M does): only the new line counts.
	r.write("new/name.sh", "export K=\""+stagedKey1+"\"\nexport N=\""+stagedKey2+"\"\n")
	r.git("add", ".")
	wantFindings(t, mustStaged(t, r), "new/name.sh:2")

	// A new file that resembles no deleted one is all added.
	r.write("other.sh", "# unrelated\nexport O=\""+stagedKey1+"\"\nx=1\ny=2\n")
	r.git("add", ".")
	wantFindings(t, mustStaged(t, r), "new/name.sh:2", "other.sh:2")
}

func TestStagedFromSubdirectory(t *testing.T) {
	r := newGitRepo(t)
	r.write("sub/dir/readme.md", "hi\n")
	r.git("add", ".")
	r.commit("init")
	r.write("other/app.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", ".")
	out := scanStaged(t, &source.Staged{Path: filepath.Join(r.dir, "sub", "dir")})
	if out.err != nil {
		t.Fatal(out.err)
	}
	// The whole index is what git commits, wherever the hook runs.
	wantFindings(t, out, "other/app.sh:1")
	if got, _ := filepath.EvalSymlinks(out.res.Root); got != mustEval(t, r.dir) {
		t.Errorf("Root = %q, want %q", out.res.Root, r.dir)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	e, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStagedLinkedWorktree(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	r.git("add", ".")
	r.commit("init")
	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	if err := os.WriteFile(filepath.Join(wt, "b.sh"), []byte("export K=\""+stagedKey1+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.gitIn(wt, "add", "b.sh")

	out := scanStaged(t, &source.Staged{Path: wt})
	if out.err != nil {
		t.Fatal(out.err)
	}
	wantFindings(t, out, "b.sh:1")
	// The main work tree's index is its own: nothing staged there.
	wantFindings(t, mustStaged(t, r))

	// Committed in the worktree, a further change is diffed with the
	// worktree's HEAD, not the main one's.
	r.gitIn(wt, "commit", "-q", "-m", "key on feature")
	if err := os.WriteFile(filepath.Join(wt, "b.sh"), []byte("export K=\""+stagedKey1+"\"\nexport L=\""+stagedKey2+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.gitIn(wt, "add", "b.sh")
	out = scanStaged(t, &source.Staged{Path: wt})
	if out.err != nil {
		t.Fatal(out.err)
	}
	wantFindings(t, out, "b.sh:2")
}

func TestStagedIntentToAdd(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	r.git("add", ".")
	r.commit("init")
	r.write("later.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", "-N", "later.sh")
	got := mustStaged(t, r)
	wantFindings(t, got) // nothing staged yet: git commit leaves it out
	if _, ok := got.targets["later.sh"]; ok {
		t.Error("an intent-to-add entry was scanned")
	}
	// On an unborn HEAD too.
	r2 := newGitRepo(t)
	r2.write("later.sh", "export K=\""+stagedKey1+"\"\n")
	r2.git("add", "-N", "later.sh")
	wantFindings(t, mustStaged(t, r2))
}

func TestStagedConflictStages(t *testing.T) {
	r := newGitRepo(t)
	r.write("c.txt", "base\n")
	r.write("ok.txt", "ok\n")
	r.git("add", ".")
	r.commit("base")
	r.git("checkout", "-q", "-b", "other")
	r.write("c.txt", "export K=\""+stagedKey1+"\"\n")
	r.git("commit", "-qam", "theirs")
	r.git("checkout", "-q", "main")
	r.write("c.txt", "ours\n")
	r.write("new.sh", "export N=\""+stagedKey2+"\"\n")
	r.git("add", ".")
	r.git("commit", "-qm", "ours")
	r.gitMayFail("merge", "other")
	if !strings.Contains(r.git("ls-files", "-u"), "c.txt") {
		t.Fatal("fixture: expected c.txt to be unmerged")
	}
	r.write("staged.sh", "export S=\""+stagedKey2+"\"\n")
	r.git("add", "staged.sh")

	// Unmerged paths are skipped and counted (git refuses the commit until
	// they are resolved and staged, and then they are scanned); the rest
	// of the index is scanned as usual.
	got := mustStaged(t, r)
	wantFindings(t, got, "staged.sh:1")
	if n := got.res.Summary.Skipped[source.SkipUnmerged]; n != 1 {
		t.Errorf("skipped unmerged = %d, want 1 (%v)", n, got.res.Summary.Skipped)
	}

	// Resolved by taking theirs: the key is staged at stage 0 and found.
	r.git("checkout", "--theirs", "c.txt")
	r.git("add", "c.txt")
	wantFindings(t, mustStaged(t, r), "c.txt:1", "staged.sh:1")
}

func TestStagedSplitIndex(t *testing.T) {
	// issue 10: a split index (core.splitIndex) was refused. Its entries
	// come from the shared index, replaced, deleted and added to by
	// .git/index.
	r := newGitRepo(t)
	r.write("a.sh", "export K=\""+stagedKey1+"\"\n")
	r.write("b.txt", "b\n")
	r.write("c.txt", "c\n")
	r.git("add", ".")
	r.commit("init")
	r.git("update-index", "--split-index")
	r.write("b.txt", "export K=\""+stagedKey2+"\"\n")
	r.write("d/new.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", "b.txt", "d/new.sh")
	r.git("rm", "-q", "--cached", "c.txt")
	wantFindings(t, mustStaged(t, r), "b.txt:1", "d/new.sh:1")
}

func TestStagedSparseIndex(t *testing.T) {
	// issue 10: a sparse index was refused. A directory outside the
	// sparse checkout is one entry holding its tree; where that tree
	// differs from HEAD's, its files are read from the tree.
	for _, inHead := range []bool{true, false} {
		t.Run(fmt.Sprintf("inHead=%v", inHead), func(t *testing.T) {
			r := newGitRepo(t)
			r.write("in/a.txt", "a\n")
			if inHead {
				r.write("out/b.txt", "b\n")
			}
			r.git("add", ".")
			r.commit("init")
			r.write("out/deep/key.sh", "export K=\""+stagedKey1+"\"\n")
			r.write("out/b.txt", "b\n")
			r.write("other/c.txt", "c\n")
			r.git("add", ".")
			r.commit("keys")
			r.git("sparse-checkout", "init", "--cone", "--sparse-index")
			r.git("sparse-checkout", "set", "in")
			if _, err := os.Stat(filepath.Join(r.dir, "out")); err == nil {
				t.Fatal("out/ is checked out: not a sparse checkout")
			}
			// Nothing staged: the sparse directories equal HEAD's trees.
			wantFindings(t, mustStaged(t, r))
			// HEAD moves back; the index keeps the later trees.
			r.git("reset", "-q", "--soft", "HEAD~1")
			if idx, err := os.ReadFile(filepath.Join(r.dir, ".git", "index")); err != nil || !bytes.Contains(idx, []byte("out/\x00")) {
				t.Fatalf("the index holds no sparse directory out/ (%v)", err)
			}
			wantFindings(t, mustStaged(t, r), "out/deep/key.sh:1")
		})
	}
}

func TestStagedSkipHashIndex(t *testing.T) {
	// issue 10: index.skipHash (feature.manyFiles, git >= 2.40) writes an
	// all-zero checksum. git 2.39 cannot write one: zero the trailer of a
	// real index, which gives the same bytes.
	r := newGitRepo(t)
	r.write("a.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", ".")
	zeroIndexTrailer(t, filepath.Join(r.dir, ".git", "index"))
	wantFindings(t, mustStaged(t, r), "a.sh:1")
}

// zeroIndexTrailer makes an index what git >= 2.40 writes with
// index.skipHash: the same bytes with an all-zero checksum.
func zeroIndexTrailer(t testing.TB, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clear(data[len(data)-20:])
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStagedIndexVersions(t *testing.T) {
	// Index v2, v3 (extended flags: intent-to-add) and v4 (prefix-compressed
	// paths), with a path longer than the 12-bit name length.
	// The long path only lives in the index (it is over PATH_MAX on disk).
	long := strings.Repeat("dddddddddd/", 380) + "deep.sh"
	for _, v := range []string{"2", "3", "4"} {
		t.Run("v"+v, func(t *testing.T) {
			r := newGitRepo(t)
			r.write("a/one.txt", "1\n")
			r.write("a/two.txt", "2\n")
			r.write("b.txt", "b\n")
			r.git("add", ".")
			r.commit("init")
			r.write("a/three.sh", "export K=\""+stagedKey1+"\"\n")
			r.write("blob", "export K=\""+stagedKey2+"\"\n")
			blob := strings.TrimSpace(r.git("hash-object", "-w", "blob"))
			r.write("later.txt", "x\n")
			r.git("add", "a/three.sh")
			r.git("update-index", "--add", "--cacheinfo", "100644,"+blob+","+long)
			if v != "2" {
				r.git("add", "-N", "later.txt")
			}
			r.git("update-index", "--index-version", v)
			wantFindings(t, mustStaged(t, r), "a/three.sh:1", long+":1")
		})
	}
}

func TestStagedPackedObjects(t *testing.T) {
	// HEAD's trees and blobs read from packs, as deltas by offset and by
	// reference, must give the same result as loose objects.
	for _, mode := range []string{"ofs-delta", "ref-delta"} {
		t.Run(mode, func(t *testing.T) {
			r := newGitRepo(t)
			var lines []string
			for i := 0; i < 400; i++ {
				lines = append(lines, "line "+strconv.Itoa(i)+" of a long configuration file")
			}
			for v := 0; v < 6; v++ {
				lines[v*50] = "edited in version " + strconv.Itoa(v)
				r.write("conf/app.conf", strings.Join(lines, "\n")+"\n")
				r.write("conf/v"+strconv.Itoa(v)+".txt", strings.Join(lines[:200], "\n"))
				r.git("add", ".")
				r.commit("version " + strconv.Itoa(v))
			}
			r.git("-c", "repack.useDeltaBaseOffset="+strconv.FormatBool(mode == "ofs-delta"), "repack", "-adfq", "--depth=50", "--window=50")
			if out := r.git("count-objects", "-v"); !strings.Contains(out, "count: 0") {
				t.Fatalf("fixture: loose objects remain:\n%s", out)
			}
			lines[123] = "export CLAY_API_KEY=\"" + stagedKey1 + "\""
			r.write("conf/app.conf", strings.Join(lines, "\n")+"\n")
			r.git("add", ".")
			got := mustStaged(t, r)
			wantFindings(t, got, "conf/app.conf:124")
			if l := got.targets["conf/app.conf"].Lines; !equalSets(l, lineSet(124, 124)) {
				t.Errorf("Lines = %v, want [{124 124}]", l)
			}
		})
	}
}

func TestStagedWithoutCacheTree(t *testing.T) {
	// read-tree drops the cache-tree extension's validity; directories are
	// then hashed from the entries, with the same result.
	r := newGitRepo(t)
	for i := 0; i < 30; i++ {
		r.write("d"+strconv.Itoa(i%3)+"/f"+strconv.Itoa(i)+".txt", strconv.Itoa(i)+"\n")
	}
	r.write("x", "exec\n")
	r.git("add", ".")
	r.commit("init")
	r.git("update-index", "--chmod=+x", "x")
	r.write("d1/new.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", "d1/new.sh")
	got := mustStaged(t, r)
	wantFindings(t, got, "d1/new.sh:1")
	if len(got.targets) != 2 {
		t.Errorf("targets = %v, want d1/new.sh and x", got.targets)
	}
	r.git("commit", "-qm", "two")
	r.git("read-tree", "HEAD") // an index whose cache tree is rebuilt from HEAD
	wantFindings(t, mustStaged(t, r))
}

func TestStagedBinaryAndLargeBlobs(t *testing.T) {
	r := newGitRepo(t)
	r.write("blob.bin", "\x00\x01export K=\""+stagedKey1+"\"\n")
	// A 300 KB minified line with a key in its middle.
	line := strings.Repeat("a=1;", 40_000) + "k=\"" + stagedKey2 + "\";" + strings.Repeat("b=2;", 35_000)
	r.write("min.js", line)
	r.git("add", ".")
	got := mustStaged(t, r)
	wantFindings(t, got, "min.js:1")
	if n := got.res.Summary.Skipped[scanner.SkipBinary]; n != 1 {
		t.Errorf("skipped binary = %d, want 1", n)
	}
	if _, ok := got.targets["blob.bin"]; !ok {
		t.Error("binary blob did not go through the sink")
	}
	r.commit("big line")

	// Modified single line: the whole line is added, key and all.
	r.write("min.js", line+"c=3;")
	r.git("add", ".")
	wantFindings(t, mustStaged(t, r), "min.js:1")

	// Over the size limit: skipped and counted, not scanned.
	out := scanStaged(t, &source.Staged{Path: r.dir, MaxFileSize: 100_000})
	if out.err != nil {
		t.Fatal(out.err)
	}
	if n := out.res.Summary.Skipped[scanner.SkipTooLarge]; n != 1 {
		t.Errorf("skipped too_large = %d, want 1", n)
	}
}

func TestStagedIndexFile(t *testing.T) {
	// "git commit -a" runs the pre-commit hook with GIT_INDEX_FILE naming a
	// temporary index: that index, not .git/index, is what gets committed.
	r := newGitRepo(t)
	r.write("a.sh", "x\n")
	r.git("add", ".")
	r.commit("init")
	r.write("a.sh", "x\nexport K=\""+stagedKey1+"\"\n")
	tmp := filepath.Join(r.dir, ".git", "next-index")
	cmd := exec.Command("git", "add", "a.sh")
	cmd.Dir = r.dir
	cmd.Env = append(gitEnv(), "GIT_INDEX_FILE="+tmp)
	if data, err := os.ReadFile(filepath.Join(r.dir, ".git", "index")); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git add: %v %s", err, out)
	}
	wantFindings(t, mustStaged(t, r)) // .git/index has nothing staged
	out := scanStaged(t, &source.Staged{Path: r.dir, IndexFile: tmp})
	if out.err != nil {
		t.Fatal(out.err)
	}
	wantFindings(t, out, "a.sh:2")
}

func TestStagedNotARepository(t *testing.T) {
	out := scanStaged(t, &source.Staged{Path: t.TempDir()})
	if !errors.Is(out.err, source.ErrNotRepository) {
		t.Fatalf("err = %v, want ErrNotRepository", out.err)
	}
}

func TestAddedLines(t *testing.T) {
	for _, tc := range []struct {
		name, prev, next string
		want             scanner.LineSet
	}{
		{"same", "a\nb\n", "a\nb\n", scanner.LineSet{}},
		{"append", "a\nb\n", "a\nb\nc\n", lineSet(3, 3)},
		{"prepend", "a\nb\n", "x\na\nb\n", lineSet(1, 1)},
		{"middle", "a\nb\nc\n", "a\nx\ny\nb\nc\n", lineSet(2, 3)},
		{"replace", "a\nb\nc\n", "a\nB\nc\n", lineSet(2, 2)},
		{"delete only", "a\nb\nc\n", "a\nc\n", scanner.LineSet{}},
		{"no final newline then more", "a\nb", "a\nb\nc", lineSet(2, 3)},
		{"from empty", "", "a\nb\n", lineSet(1, 2)},
		{"to empty", "a\n", "", scanner.LineSet{}},
		{"moved block", "a\nb\nc\nd\n", "c\nd\na\nb\n", lineSet(3, 4)},
		{"suffix inside line", "key=1\n", "key=12\n", lineSet(1, 1)},
		{"shared tail bytes", "ab\nxc\n", "ab\nyc\n", lineSet(2, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := source.AddedLines([]byte(tc.prev), []byte(tc.next))
			if !equalSets(got, tc.want) {
				t.Errorf("AddedLines = %v, want %v", got, tc.want)
			}
		})
	}
}

// lineSet builds a set from start, end pairs.
func lineSet(se ...int) scanner.LineSet {
	out := scanner.LineSet{}
	for i := 0; i+1 < len(se); i += 2 {
		out = append(out, scanner.LineRange{Start: se[i], End: se[i+1]})
	}
	return out
}

func equalSets(a, b scanner.LineSet) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAddedLinesMinimal checks on random inputs that the unmarked lines of
// next are a common subsequence with prev and that the diff is minimal
// (as many added lines as len(next) - LCS).
func TestAddedLinesMinimal(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for iter := 0; iter < 2000; iter++ {
		a := randomLines(rng, rng.Intn(30))
		b := mutate(rng, a)
		set := source.AddedLines([]byte(strings.Join(a, "")), []byte(strings.Join(b, "")))
		var kept []string
		added := 0
		for i, l := range b {
			if set.Has(i + 1) {
				added++
			} else {
				kept = append(kept, l)
			}
		}
		if !isSubsequence(kept, a) {
			t.Fatalf("kept lines are not a subsequence of prev:\nprev=%q\nnext=%q\nset=%v", a, b, set)
		}
		if want := len(b) - lcs(a, b); added != want {
			t.Fatalf("added %d lines, minimal is %d:\nprev=%q\nnext=%q\nset=%v", added, want, a, b, set)
		}
	}
}

func randomLines(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('a'+rng.Intn(5))) + "\n"
	}
	return out
}

func mutate(rng *rand.Rand, a []string) []string {
	b := append([]string(nil), a...)
	for k := rng.Intn(6); k > 0; k-- {
		i := 0
		if len(b) > 0 {
			i = rng.Intn(len(b) + 1)
		}
		switch rng.Intn(3) {
		case 0:
			b = append(b[:i], append([]string{string(rune('a'+rng.Intn(7))) + "\n"}, b[i:]...)...)
		case 1:
			if i < len(b) {
				b = append(b[:i], b[i+1:]...)
			}
		default:
			if i < len(b) {
				b[i] = string(rune('a'+rng.Intn(7))) + "\n"
			}
		}
	}
	return b
}

func isSubsequence(sub, of []string) bool {
	j := 0
	for _, s := range of {
		if j < len(sub) && sub[j] == s {
			j++
		}
	}
	return j == len(sub)
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// TestAddedLinesCostlyRegionIsConservative: past Myers' cost limit, lines
// that cannot be aligned count as added, so no new line is ever missed.
func TestAddedLinesCostlyRegionIsConservative(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var a, b strings.Builder
	for i := 0; i < 20_000; i++ {
		a.WriteString(string(rune('a'+rng.Intn(3))) + "\n")
		b.WriteString(string(rune('a'+rng.Intn(3))) + "\n")
	}
	b.WriteString("NEW\n")
	set := source.AddedLines([]byte(a.String()), []byte(b.String()))
	if !set.Has(20_001) {
		t.Errorf("the new last line is not in %v", set[len(set)-1:])
	}
}

// TestStagedAgreesWithWorktreeScan: on a first commit with every file
// staged, the staged scan and the working-tree scan see the same content
// and must report the same findings.
func TestStagedAgreesWithWorktreeScan(t *testing.T) {
	r := newGitRepo(t)
	r.write("app/config.yaml", "clay:\n  api_key: \""+stagedKey1+"\"\n")
	r.write("deploy.sh", "curl -H \"Authorization: Bearer "+stagedKey2+"\" https://api.clay.com/\n")
	r.write("docs/readme.md", "Set CLAY_API_KEY=${CLAY_API_KEY} in your environment.\n")
	r.write("two.env.sh", "export A=\""+stagedKey1+"\"\nexport B=\""+stagedKey2+"\"\n")
	r.git("add", ".")
	staged := mustStaged(t, r)

	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	wt, err := scanner.Run(context.Background(), &source.Worktree{Path: r.dir}, det, scanner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := func(fs []scanner.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path+":"+strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Column)+":"+f.RuleID+":"+f.Fingerprint)
		}
		sort.Strings(out)
		return out
	}
	got, want := key(staged.res.Findings), key(wt.Findings)
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("staged findings:\n%s\nworktree findings:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStagedDamagedIndexIsAnError(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.sh", "export K=\""+stagedKey1+"\"\n")
	r.git("add", ".")
	path := filepath.Join(r.dir, ".git", "index")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{data[:len(data)/2], append([]byte("XXXX"), data[4:]...)} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		out := scanStaged(t, &source.Staged{Path: r.dir})
		var ie *source.IndexError
		if !errors.As(out.err, &ie) || ie.Hint() == "" {
			t.Errorf("err = %v, want an IndexError with a hint", out.err)
		}
	}
}

// AddedLines tells which lines of the staged blob are new: here the
// inserted line 2 and the edited line 4.
func ExampleAddedLines() {
	head := []byte("a\nb\nc\n")
	staged := []byte("a\nnew\nb\nC\n")
	fmt.Println(source.AddedLines(head, staged))
	// Output: [{2 2} {4 4}]
}

// A clone made with --shared (or --reference) keeps its objects in another
// repository, named in objects/info/alternates. The staged scan once failed
// there with "object not found", which made the fail-closed hook block every
// commit (issue 5's report).
func TestStagedSharedCloneReadsAlternates(t *testing.T) {
	origin := newGitRepo(t)
	origin.write("conf/app.conf", "a = 1\n")
	origin.git("add", ".")
	origin.commit("init")
	origin.git("repack", "-adq")

	clone := &gitRepo{t: t, dir: filepath.Join(t.TempDir(), "clone")}
	origin.git("clone", "-q", "--shared", origin.dir, clone.dir)
	if _, err := os.Stat(filepath.Join(clone.dir, ".git", "objects", "info", "alternates")); err != nil {
		t.Fatalf("fixture: no alternates file: %v", err)
	}
	clone.write("conf/app.conf", "a = 1\nexport CLAY_API_KEY=\""+stagedKey1+"\"\n")
	clone.git("add", ".")
	wantFindings(t, mustStaged(t, clone), "conf/app.conf:2")
}

// TestStagedMalformedHeadTree: a HEAD tree that ends in something that is
// not an entry is an error, not a shorter tree whose missing entries would
// read as added or removed.
func TestStagedMalformedHeadTree(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "one\n")
	r.git("add", ".")
	r.commit("one")
	blob, err := hex.DecodeString(strings.TrimSpace(r.git("rev-parse", "HEAD:a.txt")))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	obj := func(typ, name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(r.git("hash-object", "--literally", "-t", typ, "-w", p))
	}
	tree := obj("tree", "tree", "100644 a.txt\x00"+string(blob)+"100644 truncated")
	commit := obj("commit", "commit", "tree "+tree+"\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nbad tree\n")
	r.git("update-ref", "HEAD", commit)
	r.write("b.txt", "two\n")
	r.git("add", "b.txt")
	out := scanStaged(t, &source.Staged{Path: r.dir})
	if out.err == nil || !strings.Contains(out.err.Error(), "malformed tree") {
		t.Fatalf("err = %v, want a malformed tree error", out.err)
	}
}
