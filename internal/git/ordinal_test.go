package git_test

import (
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// Ordinals (issue 14): every packed object has one, unique, that leads
// back to its id and to where Locate finds it, across several packs and an
// object stored in two of them; loose objects have none.
func TestOrdinals(t *testing.T) {
	t.Run("packs", func(t *testing.T) { testOrdinals(t, false) })
	t.Run("multi-pack-index", func(t *testing.T) { testOrdinals(t, true) })
}

func testOrdinals(t *testing.T, midx bool) {
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	write(t, dir, "a.txt", "one\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-qm", "one")
	run(t, dir, "repack", "-q", "-d")
	write(t, dir, "b.txt", "two\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-qm", "two")
	run(t, dir, "repack", "-a", "-q") // a second pack, holding the first's objects too
	write(t, dir, "c.txt", "three\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-qm", "three") // loose
	if midx {
		run(t, dir, "multi-pack-index", "write")
	}

	_, db := openRepoObjects(t, dir, false)
	if len(db.Packs()) != 2 {
		t.Fatalf("%d packs, want 2", len(db.Packs()))
	}
	total := 0
	for _, p := range db.Packs() {
		total += p.Len()
	}
	if db.PackedObjects() != total {
		t.Fatalf("PackedObjects = %d, want %d", db.PackedObjects(), total)
	}
	seen := map[int]git.Hash{}
	for _, line := range strings.Split(run(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"), "\n") {
		h, ok := git.ParseHash(line)
		if !ok {
			t.Fatalf("bad id %q", line)
		}
		o, packed := db.Ordinal(h)
		loc, located := db.Locate(h)
		if packed != located {
			t.Fatalf("%s: Ordinal says packed=%v, Locate %v", h, packed, located)
		}
		if !packed {
			continue
		}
		if prev, dup := seen[o]; dup {
			t.Fatalf("ordinal %d for %s and %s", o, prev, h)
		}
		seen[o] = h
		if o < 0 || o >= total || db.OrdinalHash(o) != h {
			t.Fatalf("%s: ordinal %d leads to %s", h, o, db.OrdinalHash(o))
		}
		if l, ok := db.OrdinalLoc(o); !ok || l != loc {
			t.Fatalf("%s: OrdinalLoc %v, Locate %v", h, l, loc)
		}
	}
	if len(seen) == 0 || len(seen) == total {
		t.Fatalf("%d packed objects with ordinals of %d pack entries: want some, and a duplicate", len(seen), total)
	}
}
