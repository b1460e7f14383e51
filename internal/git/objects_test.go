package git_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clayscan/clayscan/internal/git"
)

// rawCommit writes a commit object with exactly the given text.
func rawCommit(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "commit")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return run(t, dir, "hash-object", "--literally", "-t", "commit", "-w", p)
}

// commitLine is what the tests compare of a commit, in git log's terms.
func commitLine(c *git.Commit) string {
	var parents []string
	for _, p := range c.Parents {
		parents = append(parents, p.String())
	}
	return strings.Join([]string{
		c.Tree.String(), strings.Join(parents, " "),
		c.Author.Name, c.Author.Email, strconv.FormatInt(c.Author.When.Unix(), 10), c.Author.When.Format("-0700"),
		c.Committer.Name, strconv.FormatInt(c.Committer.When.Unix(), 10), c.Committer.When.Format("-0700"),
	}, "|")
}

// wantCommitLine is commitLine as git log prints it.
func wantCommitLine(t *testing.T, dir, h string) string {
	return run(t, dir, "log", "-1", "--format=%T|%P|%an|%ae|%at|%ad|%cn|%ct|%cd", "--date=format:%z", h)
}

// TestCommitObjectMatchesGit reads commits git wrote, with time zones east
// and west of UTC (-0030 included: its hours are "-00"), merges with two
// and three parents, and names with spaces, and compares every field with
// what git log says.
func TestCommitObjectMatchesGit(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	dates := []string{"1700000000 +0530", "1700003600 -0800", "1700007200 -0030", "1700010800 +0000", "1700014400 +1400"}
	for i, d := range dates {
		write(t, dir, "f.txt", fmt.Sprint(i))
		run(t, dir, "add", ".")
		gitWith(t, dir, []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d, "GIT_AUTHOR_NAME=Jo  de la Cruz"}, "commit", "-q", "-m", "c"+fmt.Sprint(i))
	}
	for _, b := range []string{"x", "y"} {
		run(t, dir, "checkout", "-q", "-b", b, "main~2")
		write(t, dir, b+".txt", b)
		run(t, dir, "add", ".")
		run(t, dir, "commit", "-q", "-m", b)
	}
	run(t, dir, "checkout", "-q", "main")
	run(t, dir, "merge", "-q", "--no-ff", "-m", "merge x", "x")
	run(t, dir, "merge", "-q", "--no-ff", "-m", "merge y", "y")
	run(t, dir, "checkout", "-q", "-b", "octo", "main~1")
	run(t, dir, "merge", "-q", "--no-ff", "-m", "octopus", "main", "y", "x")

	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	hashes := strings.Fields(run(t, dir, "rev-list", "--all"))
	if len(hashes) < 10 {
		t.Fatalf("fixture has %d commits", len(hashes))
	}
	for _, h := range hashes {
		c, err := repo.CommitObject(git.NewHash(h))
		if err != nil {
			t.Fatalf("CommitObject(%s): %v", h, err)
		}
		if got, want := commitLine(c), wantCommitLine(t, dir, h); got != want {
			t.Errorf("commit %s:\n got  %s\n want %s", h, got, want)
		}
	}
}

// oneCommitRepo is a repository with one commit, its tree's hash, and the
// repository opened (closed when the test ends).
func oneCommitRepo(t *testing.T) (dir, tree string, repo *git.Repository) {
	t.Helper()
	dir = t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "f.txt", "x")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "base")
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	return dir, run(t, dir, "rev-parse", "HEAD^{tree}"), repo
}

// TestCommitObjectHeaders crafts commits with the headers git writes
// besides tree, parent, author and committer — a signature and a merge tag
// whose continuation lines look like headers, an encoding — and headers in
// an order git would not write, and checks them against git log.
func TestCommitObjectHeaders(t *testing.T) {
	dir, tree, repo := oneCommitRepo(t)
	base := run(t, dir, "rev-parse", "HEAD")
	texts := map[string]string{
		"signed": "tree " + tree + "\nparent " + base + "\n" +
			"author Eve <eve@example.com> 1600000000 +0200\ncommitter Mallory <m@example.com> 1600000100 -0700\n" +
			"gpgsig -----BEGIN PGP SIGNATURE-----\n \n author Fake <fake@example.com> 1 +0000\n parent " + tree + "\n -----END PGP SIGNATURE-----\n" +
			"\nsigned\n",
		"mergetag": "tree " + tree + "\nparent " + base + "\nparent " + base + "\n" +
			"author A <a@example.com> 1600000000 +0000\ncommitter C <c@example.com> 1600000000 +0000\n" +
			"mergetag object " + base + "\n type commit\n tag v1\n tagger T <t@example.com> 1 +0000\n" +
			"encoding ISO-8859-1\n\nmessage\nauthor Not <a@header> 5 +0000\n",
		"late parent": "tree " + tree + "\nauthor A <a@example.com> 1600000000 +0000\nparent " + base +
			"\ncommitter C <c@example.com> 1600000000 +0000\n\nx\n",
		"no message": "tree " + tree + "\nauthor A <a@example.com> 1600000000 +0000\ncommitter C <c@example.com> 1600000000 +0000",
	}
	for name, text := range texts {
		h := rawCommit(t, dir, text)
		c, err := repo.CommitObject(git.NewHash(h))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got, want := commitLine(c), wantCommitLine(t, dir, h); got != want {
			t.Errorf("%s:\n got  %s\n want %s", name, got, want)
		}
	}
}

// TestCommitObjectOddIdents reads ident lines git would not write and
// keeps what can be read of them.
func TestCommitObjectOddIdents(t *testing.T) {
	dir, tree, repo := oneCommitRepo(t)
	for ident, want := range map[string]git.Signature{
		"<> 1600000000":                         {When: time.Unix(1600000000, 0).UTC()},
		"No Email 1600000000 +0100":             {},
		"A <a@b>":                               {Name: "A", Email: "a@b"},
		"A <a@b> notatime +0100":                {Name: "A", Email: "a@b"},
		"A <a@b> 1600000000 +01":                {Name: "A", Email: "a@b", When: time.Unix(1600000000, 0).UTC()},
		"A <a@b> 1600000000 bogus":              {Name: "A", Email: "a@b", When: time.Unix(1600000000, 0).UTC()},
		" Spaced  Name  <s@b> 1600000000 -0030": {Name: "Spaced  Name", Email: "s@b", When: time.Unix(1600000000, 0).In(time.FixedZone("", -1800))},
	} {
		h := rawCommit(t, dir, "tree "+tree+"\nauthor "+ident+"\ncommitter C <c@d> 1 +0000\n\nx\n")
		c, err := repo.CommitObject(git.NewHash(h))
		if err != nil {
			t.Fatalf("%q: %v", ident, err)
		}
		a := c.Author
		_, off := a.When.Zone()
		_, wantOff := want.When.Zone()
		if a.Name != want.Name || a.Email != want.Email || !a.When.Equal(want.When) || off != wantOff {
			t.Errorf("%q: got %q <%q> %v, want %q <%q> %v", ident, a.Name, a.Email, a.When, want.Name, want.Email, want.When)
		}
	}
}

func TestCommitObjectMalformed(t *testing.T) {
	dir, tree, repo := oneCommitRepo(t)
	for name, text := range map[string]string{
		"empty":          "",
		"no tree":        "author A <a@b> 1 +0000\n\nx\n",
		"tree not first": "author A <a@b> 1 +0000\ntree " + tree + "\n\nx\n",
		"short tree":     "tree " + tree[:30] + "\n\nx\n",
		"bad parent":     "tree " + tree + "\nparent zz" + tree[2:] + "\n\nx\n",
	} {
		h := git.NewHash(rawCommit(t, dir, text))
		if c, err := repo.CommitObject(h); !errors.Is(err, git.ErrMalformedCommit) {
			t.Errorf("%s: CommitObject = %+v, %v; want ErrMalformedCommit", name, c, err)
		}
	}
	blob := git.NewHash(run(t, dir, "rev-parse", "HEAD:f.txt"))
	if _, err := repo.CommitObject(blob); err == nil {
		t.Error("a blob read as a commit")
	}
}

// TestReadFileAndHasPath reads files from a commit's tree: nested paths,
// and what is not a regular file.
func TestReadFileAndHasPath(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "top.toml", "top\n")
	write(t, dir, "a/b/c/deep.txt", "deep\n")
	write(t, dir, "big.txt", strings.Repeat("x", 5000))
	if err := os.Symlink("top.toml", filepath.Join(dir, "link.toml")); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "one")
	run(t, dir, "rm", "-q", "top.toml")
	run(t, dir, "commit", "-q", "-m", "two")
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	one := git.NewHash(run(t, dir, "rev-parse", "HEAD~1"))
	two := git.NewHash(run(t, dir, "rev-parse", "HEAD"))

	for _, c := range []struct {
		commit git.Hash
		path   string
		want   string
		err    error
	}{
		{one, "top.toml", "top\n", nil},
		{two, "top.toml", "", git.ErrPathNotFound},
		{one, "a/b/c/deep.txt", "deep\n", nil},
		{one, "a/b", "", git.ErrPathNotFound},              // a directory
		{one, "a/b/c/deep.txt/x", "", git.ErrPathNotFound}, // below a file
		{one, "a/x/deep.txt", "", git.ErrPathNotFound},
		{one, "link.toml", "", git.ErrPathNotFound}, // a symlink is not the file it names
		{one, "big.txt", "", git.ErrFileTooLarge},
	} {
		data, err := repo.ReadFile(c.commit, c.path, 4096)
		if !errors.Is(err, c.err) || (err == nil && string(data) != c.want) {
			t.Errorf("ReadFile(%s, %q) = %q, %v; want %q, %v", c.commit.String()[:7], c.path, data, err, c.want, c.err)
		}
	}
	for _, c := range []struct {
		commit git.Hash
		path   string
		want   bool
	}{
		{one, "top.toml", true}, {two, "top.toml", false}, {one, "a/b", true}, {one, "a/b/c/deep.txt", true},
		{one, "a/b/c/nope", false}, {one, "link.toml", true}, {one, "top.toml/x", false},
	} {
		if got, err := repo.HasPath(c.commit, c.path); err != nil || got != c.want {
			t.Errorf("HasPath(%s, %q) = %v, %v; want %v", c.commit.String()[:7], c.path, got, err, c.want)
		}
	}
	if _, err := repo.ReadFile(git.NewHash(strings.Repeat("ab", 20)), "top.toml", -1); err == nil {
		t.Error("ReadFile at a missing commit succeeded")
	}
}

// TestLooseObjects reads loose objects (what git add and git commit write
// before any repack): an empty blob, one over the size limit, and ones
// whose file is damaged, which are errors, never a panic or empty content.
func TestLooseObjects(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "empty", "")
	write(t, dir, "big", strings.Repeat("y", 100_000))
	write(t, dir, "small", "hello\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "loose")
	head := git.NewHash(run(t, dir, "rev-parse", "HEAD"))
	objPath := func(rev string) string {
		h := run(t, dir, "rev-parse", rev)
		return filepath.Join(dir, ".git", "objects", h[:2], h[2:])
	}
	if _, err := os.Stat(objPath("HEAD:small")); err != nil {
		t.Fatalf("the fixture's blobs are not loose: %v", err)
	}
	open := func() *git.Repository {
		t.Helper()
		repo, err := git.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { repo.Close() })
		return repo
	}
	repo := open()
	for path, want := range map[string]string{"empty": "", "small": "hello\n", "big": strings.Repeat("y", 100_000)} {
		if data, err := repo.ReadFile(head, path, -1); err != nil || string(data) != want {
			t.Errorf("ReadFile(%q) = %d bytes, %v", path, len(data), err)
		}
	}
	if _, err := repo.ReadFile(head, "big", 1000); !errors.Is(err, git.ErrFileTooLarge) {
		t.Errorf("ReadFile(big, limit 1000) = %v, want ErrFileTooLarge", err)
	}

	// Damage the small blob: truncated, then not zlib at all, then a
	// header without its NUL.
	p := objPath("HEAD:small")
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"truncated":  orig[:len(orig)/2],
		"not zlib":   []byte("blob 6\x00hello\n"),
		"no nul":     zlibBytes(t, "blob 6 hello\n"+strings.Repeat("x", 100)),
		"bad type":   zlibBytes(t, "bolb 6\x00hello\n"),
		"short body": zlibBytes(t, "blob 60\x00hello\n"),
		// Issue 14: the inflater of our own checks what git's zlib does.
		"long body":      zlibBytes(t, "blob 3\x00hello\n"),
		"long big body":  zlibBytes(t, "blob 100\x00"+strings.Repeat("y", 200)),
		"short big body": zlibBytes(t, "blob 300\x00"+strings.Repeat("y", 200)),
		"bad checksum":   flipLast(zlibBytes(t, "blob 6\x00hello\n")),
		"big, bad sum":   flipLast(zlibBytes(t, "blob 200\x00"+strings.Repeat("y", 200))),
	} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := open().ReadFile(head, "small", -1); err == nil {
			t.Errorf("%s: ReadFile = %q, want an error", name, got)
		}
	}
}

// flipLast flips a bit of b's last byte (a zlib stream's checksum).
func flipLast(b []byte) []byte {
	b[len(b)-1] ^= 1
	return b
}

func zlibBytes(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
