package git

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The multi-pack-index is what Locate reads when git wrote one: every pack
// it names is covered, and every object of those packs is found through
// it at the offset the pack's own index gives.
func TestMIDXUsed(t *testing.T) {
	dir := t.TempDir()
	gitIn := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	gitIn("init", "-q")
	for i := 0; i < 4; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		gitIn("add", "-A")
		gitIn("commit", "-q", "-m", fmt.Sprint(i))
		gitIn("repack", "-dq")
	}
	gitIn("multi-pack-index", "write")
	db, err := OpenODB(filepath.Join(dir, ".git", "objects"), SHA1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(db.midxs) != 1 || len(db.lone) != 0 || len(db.packs) != 4 {
		t.Fatalf("%d midx, %d packs outside it, %d packs; want 1, 0, 4", len(db.midxs), len(db.lone), len(db.packs))
	}
	n := 0
	for _, p := range db.packs {
		for i := 0; i < p.Len(); i++ {
			h := p.HashAt(i)
			loc, ok := db.midxs[0].find(h)
			if !ok || loc.Pack != p || loc.Off != p.OffsetAt(i) {
				t.Errorf("%s: midx says %v %v, the pack index %s at %d", h, loc, ok, p.Name(), p.OffsetAt(i))
			}
			n++
		}
	}
	if n != db.midxs[0].n {
		t.Errorf("packs hold %d objects, the midx %d", n, db.midxs[0].n)
	}
}

// A damaged multi-pack-index is an error or ignored, never a panic.
func TestMIDXDamaged(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", `git init -q && for i in 1 2 3; do echo $i >f$i && git add -A && git -c user.name=A -c user.email=a@example.com commit -qm $i && git repack -dq; done && git multi-pack-index write`)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	db, err := OpenODB(filepath.Join(dir, ".git", "objects"), SHA1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data := db.midxs[0].data
	var hashes []Hash
	for _, p := range db.packs {
		for i := 0; i < p.Len(); i++ {
			hashes = append(hashes, p.HashAt(i))
		}
	}
	try := func(b []byte) {
		m, err := parseMIDX(b, SHA1, db.packs)
		if err != nil || m == nil {
			return
		}
		for _, h := range hashes {
			m.find(h)
		}
	}
	buf := make([]byte, len(data))
	for i := range data {
		try(data[:i])
		copy(buf, data)
		buf[i] ^= 0xff
		try(buf)
	}
}
