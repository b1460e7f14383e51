package source_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// recordSink remembers what a source produced.
type recordSink struct {
	mu      sync.Mutex
	scanned map[string]string // path → content
	skipped map[string]scanner.SkipReason
	errs    map[string]error
	facts   map[string]scanner.PathFact // path → fact (every path is wanted)
}

func newRecordSink() *recordSink {
	return &recordSink{scanned: map[string]string{}, skipped: map[string]scanner.SkipReason{}, errs: map[string]error{}, facts: map[string]scanner.PathFact{}}
}

func (s *recordSink) WantsPath(string) bool { return true }

func (s *recordSink) Path(f scanner.PathFact) {
	s.mu.Lock()
	s.facts[f.Path] = f
	s.mu.Unlock()
}

func (s *recordSink) Scan(t scanner.Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.scanned[t.Path]; dup {
		panic("scanned twice: " + t.Path)
	}
	s.scanned[t.Path] = string(t.Data) // copy: the source reuses its buffer
}

func (s *recordSink) Skip(sk scanner.Skipped) {
	s.mu.Lock()
	s.skipped[sk.Path] = sk.Reason
	s.mu.Unlock()
}

func (s *recordSink) Error(path string, err error) {
	s.mu.Lock()
	s.errs[path] = err
	s.mu.Unlock()
}

func (s *recordSink) paths() []string {
	var ps []string
	for p := range s.scanned {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// git runs the real git binary in dir with an isolated configuration.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func scan(t *testing.T, w *source.Worktree) (*recordSink, scanner.SourceInfo) {
	t.Helper()
	sink := newRecordSink()
	info, err := w.Scan(context.Background(), sink)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return sink, info
}

// fixtureRepo builds a repository holding every kind of file the working
// tree source has to tell apart.
func fixtureRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, ".gitignore", ".env.local\nbuild/\n*.log\n")
	write(t, dir, "tracked.txt", "clean\n")
	write(t, dir, "modified.txt", "old\n")
	write(t, dir, "deleted.txt", "gone soon\n")
	write(t, dir, "src/app.go", "package app\n")
	write(t, dir, "keep.log", "tracked although *.log is ignored\n") // tracked-but-ignored
	write(t, dir, "build/tracked.txt", "tracked inside an ignored dir\n")
	write(t, dir, "big.txt", strings.Repeat("x", 2048))
	if err := os.Symlink("tracked.txt", filepath.Join(dir, "tracked-link")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".")
	git(t, dir, "add", "-f", "keep.log", "build/tracked.txt")
	// A submodule entry (gitlink) without cloning anything.
	git(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",vendor/sub")
	git(t, dir, "commit", "-qm", "init")

	write(t, dir, "modified.txt", "new content on disk\n") // only in the working copy
	os.Remove(filepath.Join(dir, "deleted.txt"))
	write(t, dir, "untracked.txt", "new file\n")
	write(t, dir, "src/new.go", "package app // untracked\n")
	write(t, dir, ".env.local", "ignored\n")
	write(t, dir, "debug.log", "ignored\n")
	write(t, dir, "build/out.txt", "ignored dir\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "untracked-link")); err != nil {
		t.Fatal(err)
	}
	// An untracked nested repository.
	nested := filepath.Join(dir, "nested")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, nested, "init", "-q")
	write(t, dir, "nested/inside.txt", "belongs to the nested repo\n")
	return dir
}

func TestWorktreeScansWhatGitWouldCommit(t *testing.T) {
	dir := fixtureRepo(t)
	sink, info := scan(t, &source.Worktree{Path: dir, MaxFileSize: 1024})

	want := []string{".gitignore", "build/tracked.txt", "keep.log", "modified.txt", "src/app.go", "src/new.go", "tracked.txt", "untracked.txt"}
	if got := sink.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("scanned %q\nwant    %q", got, want)
	}
	if got := sink.scanned["modified.txt"]; got != "new content on disk\n" {
		t.Errorf("modified.txt scanned as %q, want the working copy", got)
	}
	wantSkips := map[string]scanner.SkipReason{
		"big.txt":        scanner.SkipTooLarge,
		"tracked-link":   scanner.SkipSymlink,
		"untracked-link": scanner.SkipSymlink,
		"vendor/sub":     scanner.SkipSubmodule,
		"nested":         scanner.SkipSubmodule,
	}
	if !reflect.DeepEqual(sink.skipped, wantSkips) {
		t.Errorf("skipped %v\nwant    %v", sink.skipped, wantSkips)
	}
	if len(sink.errs) != 0 {
		t.Errorf("errors: %v", sink.errs)
	}
	if info.Kind != "worktree" || info.Root != resolved(t, dir) {
		t.Errorf("info = %+v, want kind worktree and root %s", info, dir)
	}
}

func resolved(t *testing.T, dir string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWorktreeIncludeIgnored(t *testing.T) {
	dir := fixtureRepo(t)
	sink, _ := scan(t, &source.Worktree{Path: dir, IncludeIgnored: true})
	for _, p := range []string{".env.local", "debug.log", "build/out.txt", "untracked.txt", "keep.log"} {
		if _, ok := sink.scanned[p]; !ok {
			t.Errorf("%s not scanned with IncludeIgnored", p)
		}
	}
	if _, ok := sink.scanned["nested/inside.txt"]; ok {
		t.Error("IncludeIgnored entered a nested repository")
	}
}

func TestWorktreeSubdirectory(t *testing.T) {
	dir := fixtureRepo(t)
	sink, _ := scan(t, &source.Worktree{Path: filepath.Join(dir, "src")})
	want := []string{"src/app.go", "src/new.go"}
	if got := sink.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("scanned %q, want %q (paths relative to the repository root)", got, want)
	}
}

func TestWorktreeOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".gitignore", "*.secret\n")
	write(t, dir, "a.txt", "a\n")
	write(t, dir, "x.secret", "ignored\n")
	write(t, dir, "sub/.gitignore", "local.txt\n")
	write(t, dir, "sub/local.txt", "ignored by sub/.gitignore\n")
	write(t, dir, "sub/b.txt", "b\n")
	sink, _ := scan(t, &source.Worktree{Path: dir})
	want := []string{".gitignore", "a.txt", "sub/.gitignore", "sub/b.txt"}
	if got := sink.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("scanned %q, want %q", got, want)
	}
	sink, _ = scan(t, &source.Worktree{Path: dir, IncludeIgnored: true})
	if _, ok := sink.scanned["sub/local.txt"]; !ok {
		t.Error("IncludeIgnored did not scan sub/local.txt outside a repository")
	}
}

// The path facts the worktree source reports cover exactly the files it
// scans, with the tracked flag and the ignore line, plus the root
// .gitignore for the rule that checks its patterns (issue 13).
func TestWorktreeFactsAgreeWithScan(t *testing.T) {
	dir := fixtureRepo(t)
	sink, _ := scan(t, &source.Worktree{Path: dir})
	for p := range sink.scanned {
		if _, ok := sink.facts[p]; !ok && p != ".gitignore" {
			t.Errorf("%s scanned but no fact reported", p)
		}
	}
	if f := sink.facts["tracked.txt"]; !f.Tracked || f.Where != rules.InWorktree {
		t.Errorf("tracked.txt: %+v", f)
	}
	if f := sink.facts["untracked.txt"]; f.Tracked || f.Ignore.Ignored {
		t.Errorf("untracked.txt: %+v", f)
	}
	if f, ok := sink.facts[".gitignore"]; !ok || f.RootIgnore == nil {
		t.Errorf(".gitignore fact: %+v", f)
	}
	// Outside a repository nothing can be committed: no facts.
	plain := t.TempDir()
	write(t, plain, ".env", "X=1\n")
	if sink, _ := scan(t, &source.Worktree{Path: plain}); len(sink.facts) != 0 {
		t.Errorf("facts outside a repository: %v", sink.facts)
	}
}

func TestWorktreeBareRepository(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "--bare")
	_, err := (&source.Worktree{Path: dir}).Scan(context.Background(), newRecordSink())
	if !errors.Is(err, source.ErrBareRepository) {
		t.Fatalf("err = %v, want ErrBareRepository", err)
	}
	if !strings.Contains(err.Error(), "clayscan history") {
		t.Errorf("error %q does not say what to do", err)
	}
}

func TestWorktreeNotADirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "f.txt", "x")
	for _, p := range []string{filepath.Join(dir, "f.txt"), filepath.Join(dir, "missing")} {
		if _, err := (&source.Worktree{Path: p}).Scan(context.Background(), newRecordSink()); err == nil {
			t.Errorf("Scan(%s) succeeded", p)
		}
	}
}

// A tracked file replaced on disk by a symlink is not followed; a FIFO
// does not block the scan.
func TestWorktreeSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, "a.txt", "a\n")
	write(t, dir, "b.txt", "b\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "init")
	os.Remove(filepath.Join(dir, "a.txt"))
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "b.txt"))
	if err := syscall.Mkfifo(filepath.Join(dir, "b.txt"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "untracked.fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	sink, _ := scan(t, &source.Worktree{Path: dir})
	if len(sink.scanned) != 0 || len(sink.errs) != 0 {
		t.Errorf("scanned %v, errors %v", sink.paths(), sink.errs)
	}
	if sink.skipped["a.txt"] != scanner.SkipSymlink {
		t.Errorf("skipped = %v, want a.txt as symlink", sink.skipped)
	}
}

// Issue 2: an unreadable directory or file is an error (the scan exits 2
// and keeps its findings), never a silent skip.
func TestWorktreeUnreadableIsAnError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, "ok.txt", "fine\n")
	write(t, dir, "tracked-locked.txt", "x\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "init")
	write(t, dir, "locked/inner.txt", "x\n")
	for _, p := range []string{"locked", "tracked-locked.txt"} {
		full := filepath.Join(dir, p)
		if err := os.Chmod(full, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(full, 0o755) })
	}
	sink, _ := scan(t, &source.Worktree{Path: dir})
	for _, p := range []string{"locked", "tracked-locked.txt"} {
		err, ok := sink.errs[p]
		if !ok {
			t.Errorf("%s: no error recorded (errors %v, skipped %v)", p, sink.errs, sink.skipped)
			continue
		}
		if strings.Contains(err.Error(), dir) {
			t.Errorf("%s: error %q repeats the absolute path", p, err)
		}
	}
	if len(sink.skipped) != 0 {
		t.Errorf("skipped %v, want none", sink.skipped)
	}
	if _, ok := sink.scanned["ok.txt"]; !ok {
		t.Error("ok.txt not scanned")
	}
}

func TestWorktreeCancel(t *testing.T) {
	dir := fixtureRepo(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&source.Worktree{Path: dir}).Scan(ctx, newRecordSink()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// A tracked directory replaced by a symlink is not followed: git sees the
// files below it as deleted, and reading them would leave the work tree.
func TestWorktreeSymlinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write(t, outside, "conf/secret.txt", "outside the work tree\n")
	git(t, dir, "init", "-q")
	write(t, dir, "conf/secret.txt", "tracked\n")
	write(t, dir, "top.txt", "top\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "init")
	if err := os.RemoveAll(filepath.Join(dir, "conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "conf"), filepath.Join(dir, "conf")); err != nil {
		t.Fatal(err)
	}
	sink, _ := scan(t, &source.Worktree{Path: dir})
	if got := sink.paths(); !reflect.DeepEqual(got, []string{"top.txt"}) {
		t.Errorf("scanned %q, want only top.txt", got)
	}
	if sink.skipped["conf"] != scanner.SkipSymlink {
		t.Errorf("skipped = %v, want conf as a symlink", sink.skipped)
	}
}

// A PATH reached through a symlink still maps onto the repository's paths.
func TestWorktreeSymlinkedPath(t *testing.T) {
	dir := fixtureRepo(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	sink, _ := scan(t, &source.Worktree{Path: filepath.Join(link, "src")})
	want := []string{"src/app.go", "src/new.go"}
	if got := sink.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("scanned %q, want %q", got, want)
	}
}

// A linked worktree (git worktree add) is scanned with its own index: a
// file force-added there is tracked although *.log ignores it.
func TestWorktreeLinkedWorktree(t *testing.T) {
	dir := t.TempDir()
	primary := filepath.Join(dir, "main")
	if err := os.Mkdir(primary, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, primary, "init", "-q")
	write(t, primary, ".gitignore", "*.log\n")
	git(t, primary, "add", ".")
	git(t, primary, "commit", "-qm", "init")
	linked := filepath.Join(dir, "linked")
	git(t, primary, "worktree", "add", "-q", linked)
	write(t, linked, "x.log", "forced\n")
	git(t, linked, "add", "-f", "x.log")
	sink, info := scan(t, &source.Worktree{Path: linked})
	if got := sink.paths(); !reflect.DeepEqual(got, []string{".gitignore", "x.log"}) {
		t.Errorf("scanned %q, want .gitignore and x.log", got)
	}
	if info.Root != resolved(t, linked) {
		t.Errorf("root %q, want %q", info.Root, linked)
	}
}
