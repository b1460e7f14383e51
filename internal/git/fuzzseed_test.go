package git

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var writeSeeds = flag.Bool("write-fuzz-seeds", false, "regenerate testdata/fuzz seed corpora from repositories built with git")

// TestWriteFuzzSeeds regenerates the seed corpora of FuzzIndex, FuzzPack,
// FuzzLoose and FuzzApplyDelta from real repositories:
//
//	go test ./internal/git -run TestWriteFuzzSeeds -write-fuzz-seeds
func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-fuzz-seeds to regenerate the seed corpora")
	}
	gitc := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
			"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	put := func(dir, rel, s string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	seed := func(target, name string, args ...[]byte) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			fmt.Fprintf(&b, "[]byte(%q)\n", a)
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, format := range []string{"sha1", "sha256"} {
		dir := t.TempDir()
		gitc(dir, "init", "-q", "--object-format="+format)
		body := strings.Repeat("line of text that stays the same\n", 20)
		for i := 0; i < 4; i++ {
			put(dir, "a.txt", body+fmt.Sprintf("version %d\n", i))
			put(dir, fmt.Sprintf("dir/f%d.txt", i), "CLAY_API_KEY=placeholder\n")
			gitc(dir, "add", "-A")
			gitc(dir, "commit", "-qm", fmt.Sprintf("commit %d", i))
		}
		gitc(dir, "tag", "-a", "-m", "a tag", "v1")
		blob := gitc(dir, "rev-parse", "HEAD:a.txt")
		if format == "sha1" {
			loose := read(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:]))
			seed("FuzzLoose", "blob", loose)
			commit := gitc(dir, "rev-parse", "HEAD")
			seed("FuzzLoose", "commit", read(filepath.Join(dir, ".git", "objects", commit[:2], commit[2:])))
		}
		seed("FuzzIndex", "v2-"+format, read(filepath.Join(dir, ".git", "index")))
		gitc(dir, "update-index", "--index-version", "4")
		seed("FuzzIndex", "v4-"+format, read(filepath.Join(dir, ".git", "index")))
		put(dir, "new.txt", "intent to add\n")
		gitc(dir, "add", "-N", "new.txt")
		gitc(dir, "update-index", "--index-version", "3")
		seed("FuzzIndex", "v3-"+format, read(filepath.Join(dir, ".git", "index")))
		gitc(dir, "repack", "-adq", "--depth=10", "--window=10")
		packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
		if len(packs) != 1 {
			t.Fatalf("packs: %v", packs)
		}
		if format == "sha1" { // the fuzz target opens SHA-1 object directories
			idx, pack := read(packs[0]), read(strings.TrimSuffix(packs[0], ".idx")+".pack")
			seed("FuzzPack", "deltas", idx, pack, nil)
			gitc(dir, "multi-pack-index", "write")
			seed("FuzzPack", "deltas-midx", idx, pack, read(filepath.Join(dir, ".git", "objects", "pack", "multi-pack-index")))
		}
	}
	seed("FuzzApplyDelta", "copy-insert", []byte("hello world"), []byte{11, 16, 0x91, 0, 5, 5, ' ', 'w', 'o', 'r', 'l', 0x91, 6, 5, 1, '!'})
	seed("FuzzApplyDelta", "huge-size", []byte("x"), []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 'y'})
}
