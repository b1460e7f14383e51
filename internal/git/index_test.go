package git

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// indexRepo is a repository built with the git binary for index tests.
type indexRepo struct {
	*configWorld
	dir      string // work tree, relative to the world's root
	hashSize int
}

func newIndexRepo(t *testing.T, initArgs ...string) *indexRepo {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	w.initRepo("repo", initArgs...)
	r := &indexRepo{configWorld: w, dir: "repo", hashSize: 20}
	for _, a := range initArgs {
		if a == "--object-format=sha256" {
			r.hashSize = 32
		}
	}
	return r
}

func (r *indexRepo) path(rel string) string { return filepath.Join(r.root, r.dir, rel) }

func (r *indexRepo) gitDir() string { return r.path(".git") }

func (r *indexRepo) files(m map[string]string) {
	for name, content := range m {
		r.write(filepath.Join(r.dir, name), content)
	}
}

func (r *indexRepo) run(args ...string) string { return r.git(r.dir, args...) }

// readTree is a TreeReader over git cat-file, for sparse expansion.
func (r *indexRepo) readTree(id string) ([]byte, error) {
	out, err := r.tryGit(r.dir, "cat-file", "tree", hex.EncodeToString([]byte(id)))
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %v: %s", err, out)
	}
	return []byte(out), nil
}

// lsFiles is "git ls-files --stage --debug" as lines "mode id stage
// flags path", flags being i (intent-to-add) and s (skip-worktree).
func (r *indexRepo) lsFiles(extra ...string) []string {
	out := r.run(append([]string{"-c", "core.quotePath=false", "ls-files", "--stage", "--debug"}, extra...)...)
	var lines []string
	var meta, path string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case l == "":
		case !strings.HasPrefix(l, "  "):
			meta, path, _ = strings.Cut(l, "\t")
		case strings.Contains(l, "flags: "):
			f, err := strconv.ParseUint(l[strings.Index(l, "flags: ")+7:], 16, 32)
			if err != nil {
				r.t.Fatalf("ls-files --debug: %q", l)
			}
			lines = append(lines, meta+" "+flagString(f&(1<<29) != 0, f&(1<<30) != 0)+" "+path)
		}
	}
	return lines
}

func flagString(ita, skip bool) string {
	f := ""
	if ita {
		f += "i"
	}
	if skip {
		f += "s"
	}
	if f == "" {
		f = "-"
	}
	return f
}

func entryLines(es []IndexEntry) []string {
	out := make([]string, len(es))
	for i := range es {
		e := &es[i]
		out[i] = fmt.Sprintf("%06o %s %d %s %s", uint32(e.Mode), hex.EncodeToString([]byte(e.RawHash())), e.Stage,
			flagString(e.IntentToAdd, e.SkipWorktree), e.Name)
	}
	return out
}

// read parses the repository's index.
func (r *indexRepo) read() *Index {
	r.t.Helper()
	idx, err := ReadIndex(filepath.Join(r.gitDir(), "index"), r.gitDir(), r.hashSize)
	if err != nil {
		r.t.Fatalf("ReadIndex: %v", err)
	}
	r.t.Cleanup(func() { idx.Close() })
	return idx
}

// check compares the parsed index, and its expansion, with git's.
func (r *indexRepo) check() *Index {
	r.t.Helper()
	idx := r.read()
	if idx.Sparse {
		compareLines(r.t, "ls-files --sparse", entryLines(idx.Entries), r.lsFiles("--sparse"))
		if err := idx.ExpandSparse(r.readTree); err != nil {
			r.t.Fatalf("ExpandSparse: %v", err)
		}
	}
	compareLines(r.t, "ls-files", entryLines(idx.Entries), r.lsFiles())
	return idx
}

func compareLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: index entries differ from git's\n got:\n  %s\n want:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// populate stages a tree with the cases the format encodes differently:
// nested directories, an executable, a symlink, a submodule, a long
// path, names that sort around "/", intent-to-add, skip-worktree and an
// unmerged path.
func (r *indexRepo) populate() {
	r.files(map[string]string{
		"a.txt": "a\n", "a/b.txt": "b\n", "a/c/d.txt": "d\n", "a-b": "x\n", "a0": "y\n",
		"dir1/one": "1\n", "dir1/sub/two": "2\n", "dir2/three": "3\n", "dir2/deep/er/four": "4\n",
		"exec.sh": "#!/bin/sh\n", "spaced name.txt": "s\n", "ünïcode.txt": "u\n",
	})
	if err := os.Chmod(r.path("exec.sh"), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink("a.txt", r.path("link")); err != nil {
		r.t.Fatal(err)
	}
	r.run("add", ".")
	r.run("commit", "-q", "-m", "one")
	sub := strings.Repeat("1", r.hashSize*2)
	r.run("update-index", "--add", "--cacheinfo", "160000,"+sub+",vendor/sub")
	// A path longer than the 12-bit length field (only in the index: no
	// file system takes it).
	long := strings.Repeat(strings.Repeat("d", 200)+"/", 21) + "long"
	blob := strings.TrimSpace(r.run("hash-object", "-w", "a.txt"))
	r.run("update-index", "--add", "--cacheinfo", "100644,"+blob+","+long)
	r.files(map[string]string{"new.txt": "n\n"})
	r.run("add", "-N", "new.txt")
	r.run("update-index", "--skip-worktree", "a0")
	info := fmt.Sprintf("0 %s\tconflict\n100644 %s 1\tconflict\n100644 %s 2\tconflict\n100644 %s 3\tconflict\n",
		strings.Repeat("0", r.hashSize*2), blob, blob, blob)
	cmd := exec.Command("git", "update-index", "--index-info")
	cmd.Dir = r.path("")
	cmd.Env = r.gitEnv()
	cmd.Stdin = strings.NewReader(info)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("update-index --index-info: %v\n%s", err, out)
	}
}

func TestIndexVersions(t *testing.T) {
	for _, v := range []string{"2", "3", "4"} {
		t.Run("v"+v, func(t *testing.T) {
			r := newIndexRepo(t)
			r.populate()
			r.run("update-index", "--index-version", v)
			idx := r.check()
			// git writes v2 when no entry needs extended flags; ours
			// have them, so v2 becomes v3.
			if want, _ := strconv.Atoi(v); idx.Version != max(want, 3) {
				t.Errorf("version = %d, want %d", idx.Version, max(want, 3))
			}
			if idx.Tree == nil {
				t.Error("no cache tree")
			}
		})
	}
}

func TestIndexSHA256(t *testing.T) {
	for _, v := range []string{"3", "4"} {
		t.Run("v"+v, func(t *testing.T) {
			r := newIndexRepo(t, "--object-format=sha256")
			r.populate()
			r.run("update-index", "--index-version", v)
			r.check()
			tree := strings.TrimSpace(r.run("rev-parse", "HEAD^{tree}"))
			r.run("read-tree", "HEAD")
			idx := r.check()
			if idx.Tree == nil || !idx.Tree.Valid || idx.Tree.Hash.String() != tree {
				t.Errorf("cache tree root = %+v, want %s", idx.Tree, tree)
			}
		})
	}
}

// zeroTrailer makes the index what git >= 2.40 writes with
// index.skipHash: the same bytes with an all-zero checksum.
func (r *indexRepo) zeroTrailer(name string) {
	p := filepath.Join(r.gitDir(), name)
	data, err := os.ReadFile(p)
	if err != nil {
		r.t.Fatal(err)
	}
	clear(data[len(data)-r.hashSize:])
	if err := os.WriteFile(p, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func TestIndexSkipHash(t *testing.T) {
	for _, v := range []string{"2", "4"} {
		t.Run("v"+v, func(t *testing.T) {
			r := newIndexRepo(t)
			r.populate()
			r.run("update-index", "--index-version", v)
			r.zeroTrailer("index")
			if idx := r.check(); !idx.SkipHash {
				t.Error("SkipHash not set")
			}
		})
	}
}

// With a git that writes index.skipHash itself (>= 2.40, where the
// machine has one), its index is what the zeroed trailer above stands
// for: an all-zero checksum, read alike.
func TestIndexSkipHashNewGit(t *testing.T) {
	const newGit = "/opt/git-new/bin/git"
	if _, err := os.Stat(newGit); err != nil {
		t.Skip("no git >= 2.40 at " + newGit)
	}
	r := newIndexRepo(t)
	r.files(map[string]string{"a.txt": "a\n", "d/b.txt": "b\n"})
	cmd := exec.Command(newGit, "-c", "index.skipHash=true", "add", ".")
	cmd.Dir = r.path("")
	cmd.Env = r.gitEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s add: %v\n%s", newGit, err, out)
	}
	data, err := os.ReadFile(filepath.Join(r.gitDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	if !allZero(data[len(data)-20:]) {
		t.Fatal("git wrote a checksum with index.skipHash")
	}
	if idx := r.check(); !idx.SkipHash {
		t.Error("SkipHash not set")
	}
}

func TestIndexSplit(t *testing.T) {
	for _, v := range []string{"2", "4"} {
		t.Run("v"+v, func(t *testing.T) {
			r := newIndexRepo(t)
			r.populate()
			r.run("update-index", "--index-version", v)
			r.run("update-index", "--split-index")
			// Replace, delete and add entries after the split.
			r.files(map[string]string{"a/b.txt": "changed\n", "zz-new": "z\n", "a/aa-new": "aa\n"})
			r.run("add", "a/b.txt", "zz-new", "a/aa-new")
			r.run("rm", "-q", "--cached", "dir2/three")
			r.run("update-index", "--chmod=+x", "a.txt")
			idx := r.check()
			if !idx.Split {
				t.Fatal("not read as a split index")
			}
			shared, _ := filepath.Glob(filepath.Join(r.gitDir(), "sharedindex.*"))
			if len(shared) == 0 {
				t.Fatal("git wrote no shared index")
			}
			// The conflict resolved in the split part drops its stages
			// from the shared part.
			r.run("update-index", "--add", "--cacheinfo", "100644,"+strings.TrimSpace(r.run("hash-object", "-w", "a.txt"))+",conflict")
			r.check()
		})
	}
}

func TestIndexSplitErrors(t *testing.T) {
	r := newIndexRepo(t)
	r.populate()
	r.run("update-index", "--split-index")
	r.files(map[string]string{"a/b.txt": "changed\n"})
	r.run("add", "a/b.txt")
	shared, _ := filepath.Glob(filepath.Join(r.gitDir(), "sharedindex.*"))
	if len(shared) != 1 {
		t.Fatalf("shared indexes: %v", shared)
	}
	if err := os.Rename(shared[0], shared[0]+".moved"); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIndex(filepath.Join(r.gitDir(), "index"), r.gitDir(), 20)
	var ie *IndexError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "sharedindex.") || !strings.Contains(ie.Hint(), "--no-split-index") {
		t.Errorf("missing shared index: %v (hint %q)", err, hintOf(err))
	}
}

func hintOf(err error) string {
	var ie *IndexError
	if errors.As(err, &ie) {
		return ie.Hint()
	}
	return ""
}

func TestIndexSparse(t *testing.T) {
	r := newIndexRepo(t)
	r.populate()
	r.run("update-index", "--force-remove", "conflict")
	r.run("update-index", "--force-remove", "vendor/sub")
	r.run("rm", "-q", "--cached", "new.txt")
	r.run("update-index", "--no-skip-worktree", "a0")
	r.run("sparse-checkout", "init", "--cone", "--sparse-index")
	r.run("sparse-checkout", "set", "dir1")
	idx := r.read()
	if !idx.Sparse {
		t.Fatal("git wrote no sparse directory")
	}
	var dirs int
	for i := range idx.Entries {
		if idx.Entries[i].IsSparseDir() {
			dirs++
			if !strings.HasSuffix(idx.Entries[i].Name, "/") || !idx.Entries[i].SkipWorktree {
				t.Errorf("sparse directory entry %+v", idx.Entries[i])
			}
		}
	}
	if dirs == 0 {
		t.Fatal("no sparse directory entries")
	}
	r.check()
	// Expanding one directory gives what git lists below it.
	idx = r.read()
	for i := range idx.Entries {
		e := &idx.Entries[i]
		if e.Name != "dir2/" {
			continue
		}
		kids, err := idx.ExpandDir(e, r.readTree)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, l := range r.lsFiles() {
			if strings.HasSuffix(l, " dir2/three") || strings.Contains(l, " dir2/deep/") {
				want = append(want, l)
			}
		}
		compareLines(t, "ExpandDir(dir2/)", entryLines(kids), want)
	}
	// The sparse index in version 4, with a zeroed checksum.
	r.run("update-index", "--index-version", "4")
	r.zeroTrailer("index")
	r.check()
}

func TestIndexErrors(t *testing.T) {
	r := newIndexRepo(t)
	r.files(map[string]string{"f": "f\n"})
	r.run("add", "f")
	good, err := os.ReadFile(filepath.Join(r.gitDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	withExt := func(sig string, body []byte) []byte {
		d := append([]byte(nil), good[:len(good)-20]...)
		d = append(d, sig...)
		d = append(d, byte(len(body)>>24), byte(len(body)>>16), byte(len(body)>>8), byte(len(body)))
		d = append(d, body...)
		return append(d, make([]byte, 20)...)
	}
	cases := []struct {
		name string
		data []byte
		want string // in the error; "" is no error
	}{
		{"optional extension", withExt("ZZZZ", []byte("anything")), ""},
		{"mandatory extension", withExt("zzzz", nil), `extension "zzzz"`},
		{"truncated extension", withExt("TREE", nil)[:len(good)-20+6], "malformed"},
		{"bad signature", append([]byte("DIRX"), good[4:]...), "bad signature"},
		{"version 5", append([]byte("DIRC\x00\x00\x00\x05"), good[8:]...), "index version 5"},
		{"truncated", good[:40], "malformed"},
		{"unknown extended flag", nil, "unknown index entry format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.data
			if data == nil {
				data = append([]byte(nil), good...)
				data[7] = 3
				data[12+60] |= 0x40 // extended
				// Insert the extended flags (0x0001: unknown) after the
				// flags; the path's padding absorbs them.
				data = append(data[:12+62], append([]byte{0, 1}, data[12+62:]...)...)
			}
			p := filepath.Join(t.TempDir(), "index")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			idx, err := ReadIndex(p, r.gitDir(), 20)
			if c.want == "" {
				if err != nil {
					t.Fatalf("ReadIndex: %v", err)
				}
				idx.Close()
				return
			}
			var ie *IndexError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) || ie.Hint() == "" {
				t.Errorf("ReadIndex = %v; want an IndexError naming %q and the file, with a hint", err, c.want)
			}
		})
	}
	// A missing index is an empty one (a new repository).
	idx, err := ReadIndex(filepath.Join(t.TempDir(), "index"), r.gitDir(), 20)
	if err != nil || len(idx.Entries) != 0 {
		t.Errorf("missing index: %v, %v", idx, err)
	}
}

func TestIndexPath(t *testing.T) {
	env := func(m map[string]string) Env {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if p, _ := IndexPath("/r/.git", "/r", env(nil)); p != "/r/.git/index" {
		t.Errorf("IndexPath = %q", p)
	}
	if p, _ := IndexPath("/r/.git", "/r", env(map[string]string{"GIT_INDEX_FILE": "/tmp/idx"})); p != "/tmp/idx" {
		t.Errorf("IndexPath = %q", p)
	}
	// Relative to the top of the work tree, where git reads it
	// (TestDiscover checks this against git from a subdirectory).
	if p, _ := IndexPath("/r/.git", "/r", env(map[string]string{"GIT_INDEX_FILE": "rel"})); p != "/r/rel" {
		t.Errorf("IndexPath = %q", p)
	}
	wd, _ := os.Getwd()
	if p, _ := IndexPath("/r.git", "", env(map[string]string{"GIT_INDEX_FILE": "rel"})); p != filepath.Join(wd, "rel") {
		t.Errorf("IndexPath = %q", p)
	}
}
