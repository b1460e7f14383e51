package source_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// Fake keys, assembled at test time so the repository never holds one.
var (
	histKey1 = "sk_" + "live_" + "Hq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	histKey2 = "sk_" + "live_" + "Hf5Tg8Yh2Ku4Io7Pl1Zx3Cv6"
)

func keyLine(k string) string { return "export CLAY_KEY=\"" + k + "\"\n" }

// histRepo is a real repository in a temp dir. Each commit gets a later
// date, so ancestry and date order agree unless a test says otherwise.
type histRepo struct {
	t    testing.TB
	dir  string
	tick int
}

func newHistRepo(t testing.TB) *histRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &histRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *histRepo) gitIn(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := fmt.Sprintf("2024-01-01T00:%02d:%02dZ", r.tick/60, r.tick%60)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *histRepo) git(args ...string) string { r.t.Helper(); return r.gitIn(r.dir, args...) }

func (r *histRepo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit commits everything and returns the new commit's hash.
func (r *histRepo) commit(msg string) string {
	r.t.Helper()
	r.tick++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// repack puts every object in one pack with deltas, as a clone or gc
// leaves a repository, so the pack reader is exercised too.
func (r *histRepo) repack() {
	r.t.Helper()
	r.git("repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50")
	r.git("prune-packed")
}

func scanHistory(t *testing.T, h *source.History) *scanner.Result {
	t.Helper()
	res, err := runHistory(t, h)
	if err != nil {
		t.Fatalf("history scan: %v", err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("history scan errors: %v", res.Errors[0])
	}
	return res
}

func runHistory(t *testing.T, h *source.History) (*scanner.Result, error) {
	t.Helper()
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	return scanner.Run(context.Background(), h, det, scanner.Options{})
}

// where lists "path@commit in_head=…" for each finding, sorted.
func where(res *scanner.Result) []string {
	var out []string
	for _, f := range res.Findings {
		in := "?"
		if f.InHead != nil {
			in = fmt.Sprint(*f.InHead)
		}
		out = append(out, fmt.Sprintf("%s:%d@%s in_head=%s", f.Path, f.Line, short(f.Commit), in))
	}
	sort.Strings(out)
	return out
}

func short(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}

func at(path string, line int, commit string, inHead bool) string {
	return fmt.Sprintf("%s:%d@%s in_head=%v", path, line, short(commit), inHead)
}

// both runs check on the repository as it is (loose objects) and again
// after a repack (deltas in a pack).
func both(t *testing.T, r *histRepo, check func(t *testing.T)) {
	t.Helper()
	t.Run("loose", check)
	r.repack()
	t.Run("packed", check)
}

func wantWhere(t *testing.T, res *scanner.Result, want ...string) {
	t.Helper()
	got := where(res)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestHistoryKeyAddedThenRemoved(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.write("app.env.sh", "export A=1\n"+keyLine(histKey1))
	added := r.commit("add key")
	r.write("app.env.sh", "export A=1\n")
	r.commit("remove key")
	both(t, r, func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir})
		wantWhere(t, res, at("app.env.sh", 2, added, false))
		f := res.Findings[0]
		if f.Author != "Ada" || f.Email != "ada@example.com" || f.Date == "" {
			t.Errorf("author = %q <%q> %q", f.Author, f.Email, f.Date)
		}
		if res.Summary.Commits != 3 || res.Summary.Refs != 1 {
			t.Errorf("summary = %+v, want 3 commits on 1 ref", res.Summary)
		}
	})
}

// HEAD that names a branch is that branch, not a second ref; a detached
// HEAD on a commit no branch holds is a ref of its own (issue 5's report:
// a one-commit repository said "2 commits on 2 refs").
func TestHistoryCountsRefsOnce(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	if res := scanHistory(t, &source.History{Path: r.dir}); res.Summary.Refs != 1 || res.Summary.Commits != 1 {
		t.Errorf("attached HEAD: %d commits on %d refs, want 1 on 1", res.Summary.Commits, res.Summary.Refs)
	}
	r.git("checkout", "-q", "--detach")
	r.write("README", "detached\n")
	r.commit("only on a detached HEAD")
	if res := scanHistory(t, &source.History{Path: r.dir}); res.Summary.Refs != 2 || res.Summary.Commits != 2 {
		t.Errorf("detached HEAD: %d commits on %d refs, want 2 on 2", res.Summary.Commits, res.Summary.Refs)
	}
}

func TestHistoryKeyInDeletedFile(t *testing.T) {
	r := newHistRepo(t)
	r.write("conf/old.env", keyLine(histKey1))
	added := r.commit("add")
	r.write("other", "x\n")
	r.commit("more")
	r.git("rm", "-q", "conf/old.env")
	r.commit("delete")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("conf/old.env", 1, added, false))
	})
}

func TestHistoryKeyStillInHead(t *testing.T) {
	r := newHistRepo(t)
	r.write("a.env", keyLine(histKey1))
	added := r.commit("add")
	r.write("b.txt", "unrelated\n")
	r.commit("more")
	wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("a.env", 1, added, true))
}

func TestHistoryUnmergedBranch(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature.env", keyLine(histKey1))
	added := r.commit("feature key")
	r.git("checkout", "-q", "main")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("feature.env", 1, added, false))
		// --branch main does not see it; --branch feature does.
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, Branch: "main"}))
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, Branch: "feature"}), at("feature.env", 1, added, true))
	})
}

func TestHistoryOnlyOnTag(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.write("release.env", keyLine(histKey1))
	added := r.commit("release")
	r.git("tag", "-a", "-m", "v1", "v1.0.0")
	r.git("reset", "-q", "--hard", "HEAD~1")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("release.env", 1, added, false))
	})
}

func TestHistoryOnlyInStash(t *testing.T) {
	r := newHistRepo(t)
	r.write("app.env.sh", "export A=1\n")
	r.commit("init")
	// Older stash entry: a tracked change (only in the stash's reflog).
	r.write("app.env.sh", "export A=1\n"+keyLine(histKey1))
	r.tick++
	r.git("stash", "-q")
	// Newest: an untracked file (in the stash's third parent).
	r.write("local.env", keyLine(histKey2))
	r.tick++
	r.git("stash", "-q", "-u")
	both(t, r, func(t *testing.T) {
		got := where(scanHistory(t, &source.History{Path: r.dir}))
		if len(got) != 2 || !strings.HasPrefix(got[0], "app.env.sh:2@") || !strings.HasPrefix(got[1], "local.env:1@") {
			t.Errorf("findings = %v, want app.env.sh:2 and local.env:1", got)
		}
	})
}

func TestHistoryDroppedStashNeedsAllObjects(t *testing.T) {
	r := newHistRepo(t)
	r.write("app.env.sh", "export A=1\n")
	r.commit("init")
	r.write("app.env.sh", "export A=1\n"+keyLine(histKey1))
	r.tick++
	r.git("stash", "-q")
	r.git("stash", "drop", "-q")
	wantWhere(t, scanHistory(t, &source.History{Path: r.dir}))
	res := scanHistory(t, &source.History{Path: r.dir, AllObjects: true})
	got := where(res)
	if len(got) != 1 || !strings.HasPrefix(got[0], "app.env.sh:2@") || res.Findings[0].Commit == "" {
		t.Errorf("--all-objects findings = %v, want app.env.sh:2 at the dropped stash commit", got)
	}
	// An orphan blob (added, never committed) has no commit but is found.
	r.write("orphan.env", keyLine(histKey2))
	r.git("add", "orphan.env")
	r.git("rm", "-q", "--cached", "orphan.env")
	res = scanHistory(t, &source.History{Path: r.dir, AllObjects: true})
	if len(res.Findings) != 2 {
		t.Errorf("--all-objects with an orphan blob: %v", where(res))
	}
}

func TestHistoryRenameReportedOnce(t *testing.T) {
	r := newHistRepo(t)
	r.write("old/name.env", keyLine(histKey1))
	added := r.commit("add")
	r.git("mv", "old/name.env", "new.env")
	r.commit("rename")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("old/name.env", 1, added, true))
	})
}

func TestHistorySameKeyTwoFiles(t *testing.T) {
	r := newHistRepo(t)
	r.write("a.env", keyLine(histKey1))
	r.write("b/c.env", "# copy\n"+keyLine(histKey1))
	added := r.commit("add")
	wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("a.env", 1, added, true), at("b/c.env", 2, added, true))
}

func TestHistoryOldestCommitWins(t *testing.T) {
	// The key enters, the file changes many times (each version a new
	// blob holding the key): one finding, at the commit that added it.
	r := newHistRepo(t)
	r.write("app.env.sh", keyLine(histKey1))
	added := r.commit("add")
	for i := 0; i < 20; i++ {
		r.write("app.env.sh", keyLine(histKey1)+strings.Repeat(fmt.Sprintf("export V%d=1\n", i), i+1))
		r.commit(fmt.Sprint("edit ", i))
	}
	both(t, r, func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir})
		wantWhere(t, res, at("app.env.sh", 1, added, true))
		if res.Summary.Blobs != 21 {
			t.Errorf("blobs = %d, want 21 distinct", res.Summary.Blobs)
		}
	})
}

func TestHistoryRangeMergeSecondParent(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature.env", keyLine(histKey1))
	added := r.commit("feature key")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main work\n")
	base := r.commit("main work")
	r.tick++
	r.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, Range: base + "..HEAD"}), at("feature.env", 1, added, true))
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, SinceCommit: base}), at("feature.env", 1, added, true))
		// Nothing new after the merge.
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, Range: "HEAD..HEAD"}))
	})
}

func TestHistoryRangeReportsOnlyWhatItAdds(t *testing.T) {
	r := newHistRepo(t)
	r.write("app.env.sh", keyLine(histKey1)+"export A=1\n")
	r.commit("old key")
	base := r.commit("base")
	// The range edits the file that already holds a key, and adds a new key.
	r.write("app.env.sh", keyLine(histKey1)+"export A=2\n"+keyLine(histKey2))
	added := r.commit("new key")
	both(t, r, func(t *testing.T) {
		wantWhere(t, scanHistory(t, &source.History{Path: r.dir, Range: base + "..HEAD"}), at("app.env.sh", 3, added, true))
		// The full sweep reports both, each where it entered.
		if got := where(scanHistory(t, &source.History{Path: r.dir})); len(got) != 2 {
			t.Errorf("full sweep = %v, want 2 findings", got)
		}
	})
}

func TestHistoryRangeSwappedIsAnError(t *testing.T) {
	r := newHistRepo(t)
	r.write("a", "1\n")
	first := r.commit("one")
	r.write("a", "2\n")
	r.commit("two")
	_, err := runHistory(t, &source.History{Path: r.dir, Range: "HEAD.." + first})
	if !errors.Is(err, scanner.ErrNothingScanned) {
		t.Errorf("swapped range: err = %v, want ErrNothingScanned", err)
	}
	_, err = runHistory(t, &source.History{Path: r.dir, Range: "nosuchref..HEAD"})
	if !errors.Is(err, source.ErrUnknownRevision) {
		t.Errorf("unknown base: err = %v, want ErrUnknownRevision", err)
	}
}

func TestHistoryShallowClone(t *testing.T) {
	r := newHistRepo(t)
	r.write("old.env", keyLine(histKey1))
	first := r.commit("old key")
	r.git("rm", "-q", "old.env")
	r.commit("remove")
	r.write("new.env", keyLine(histKey2))
	r.commit("new key")
	clone := filepath.Join(t.TempDir(), "clone")
	r.git("clone", "-q", "--depth", "1", "file://"+r.dir, clone)

	res := scanHistory(t, &source.History{Path: clone})
	if !res.Summary.Shallow {
		t.Error("Shallow = false for a --depth 1 clone")
	}
	if res.Summary.Commits != 1 || len(res.Findings) != 1 || res.Findings[0].Path != "new.env" {
		t.Errorf("shallow sweep: commits=%d findings=%v", res.Summary.Commits, where(res))
	}
	_, err := runHistory(t, &source.History{Path: clone, Range: first + "..HEAD"})
	if !errors.Is(err, source.ErrShallowBase) {
		t.Errorf("range over a missing base: err = %v, want ErrShallowBase", err)
	}
}

func TestHistoryBinaryAndLongLine(t *testing.T) {
	r := newHistRepo(t)
	r.write("blob.bin", "\x00\x01binary "+keyLine(histKey1))
	long := strings.Repeat("a", 300<<10) + " " + keyLine(histKey2)
	r.write("min.js", long)
	added := r.commit("add")
	both(t, r, func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir})
		wantWhere(t, res, at("min.js", 1, added, true))
		if res.Summary.Skipped[scanner.SkipBinary] != 1 {
			t.Errorf("skipped = %v, want one binary", res.Summary.Skipped)
		}
	})
}

func TestHistoryTooLarge(t *testing.T) {
	r := newHistRepo(t)
	r.write("big.env", strings.Repeat("x", 5000)+"\n"+keyLine(histKey1))
	r.write("small.env", keyLine(histKey2))
	r.commit("add")
	both(t, r, func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir, MaxFileSize: 1000})
		if len(res.Findings) != 1 || res.Findings[0].Path != "small.env" || res.Summary.Skipped[scanner.SkipTooLarge] != 1 {
			t.Errorf("findings = %v skipped = %v", where(res), res.Summary.Skipped)
		}
	})
}

func TestHistoryEmptyRepository(t *testing.T) {
	r := newHistRepo(t)
	_, err := runHistory(t, &source.History{Path: r.dir})
	if !errors.Is(err, source.ErrNoCommits) {
		t.Errorf("empty repository: err = %v, want ErrNoCommits", err)
	}
}

func TestHistoryCorruptObjectKeepsFindings(t *testing.T) {
	r := newHistRepo(t)
	r.write("a.env", keyLine(histKey1))
	r.write("b.txt", "will be lost\n")
	r.commit("add")
	lost := r.git("rev-parse", "HEAD:b.txt")
	if err := os.Remove(filepath.Join(r.dir, ".git", "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	res, err := runHistory(t, &source.History{Path: r.dir})
	if !errors.Is(err, source.ErrCorrupt) || !strings.Contains(err.Error(), lost) {
		t.Fatalf("err = %v, want ErrCorrupt naming %s", err, lost)
	}
	if len(res.Findings) != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), lost) {
		t.Errorf("findings = %v errors = %v, want the a.env finding and an error naming %s", where(res), res.Errors, lost)
	}
}

func TestHistoryDetachedHead(t *testing.T) {
	r := newHistRepo(t)
	r.write("a", "1\n")
	r.commit("one")
	r.git("checkout", "-q", "--detach")
	r.write("detached.env", keyLine(histKey1))
	added := r.commit("detached")
	r.git("branch", "-f", "main", "HEAD~1")
	wantWhere(t, scanHistory(t, &source.History{Path: r.dir}), at("detached.env", 1, added, true))
}

// TestSourcesAgree runs one fixture through the working-tree, staged and
// history sources: each must find the same secrets at the same places.
func TestSourcesAgree(t *testing.T) {
	r := newHistRepo(t)
	ent := "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
	hook := "https://api.clay.com/v3/sources/webhook/" + "pull-in-data-from-a-webhook-" + "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95"
	r.write(".env.example", "CLAY_API_KEY=${CLAY_API_KEY}\n")
	r.write("deploy/app.env.sh", "export A=1\n"+keyLine(histKey1))
	r.write("src/client.py", "import os\n\nKEY = \""+ent+"\"\nURL = '"+hook+"'\n")
	r.write("config/settings.yaml", "clay:\n  token: "+histKey2+"\n  other: "+histKey1+"\n")
	r.write("assets/logo.bin", "\x00\x01\x02 "+histKey1+"\n")
	r.write("docs/readme.md", "Set CLAY_API_KEY to sk_live_... from the dashboard.\n")
	r.git("add", "-A")

	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	key := func(res *scanner.Result) []string {
		var out []string
		for _, f := range res.Findings {
			out = append(out, fmt.Sprintf("%s:%d:%d %s %s", f.Path, f.Line, f.Column, f.RuleID, f.Fingerprint))
		}
		sort.Strings(out)
		return out
	}
	run := func(name string, src scanner.Source) []string {
		res, err := scanner.Run(context.Background(), src, det, scanner.Options{})
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("%s: err=%v errors=%v", name, err, res.Errors)
		}
		return key(res)
	}
	staged := run("staged", &source.Staged{Path: r.dir})
	worktree := run("scan", &source.Worktree{Path: r.dir})
	r.commit("everything")
	history := run("history", &source.History{Path: r.dir})

	if len(history) < 4 {
		t.Fatalf("history found %d secrets, want at least 4: %v", len(history), history)
	}
	for name, got := range map[string][]string{"staged": staged, "scan": worktree} {
		if strings.Join(got, "\n") != strings.Join(history, "\n") {
			t.Errorf("%s and history disagree:\n%s:\n  %s\nhistory:\n  %s", name, name, strings.Join(got, "\n  "), strings.Join(history, "\n  "))
		}
	}
}

func TestHistoryBareAndLinkedWorktree(t *testing.T) {
	r := newHistRepo(t)
	r.write("a.env", keyLine(histKey1))
	added := r.commit("add")
	r.write("b.txt", "more\n")
	r.commit("more")

	bare := filepath.Join(t.TempDir(), "bare.git")
	r.git("clone", "-q", "--bare", r.dir, bare)
	wantWhere(t, scanHistory(t, &source.History{Path: bare}), at("a.env", 1, added, true))

	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", "-b", "side", wt)
	wantWhere(t, scanHistory(t, &source.History{Path: wt}), at("a.env", 1, added, true))
}
