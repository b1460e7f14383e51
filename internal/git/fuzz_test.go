package git

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The readers of git's binary formats take any bytes from a repository,
// which may be hostile or damaged: each must return an error, never panic,
// and never allocate more than the input can account for (issue 12).
// Seed corpora live in testdata/fuzz/<Target>; TestWriteFuzzSeeds
// regenerates them from repositories the git binary builds.

// allocBound fails the test if fn allocates more than a budget that grows
// with the input: a size field in the input must not size an allocation
// unchecked.
func allocBound(t *testing.T, inputLen int, fn func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	budget := uint64(64<<20) + 2048*uint64(inputLen)
	if got := after.TotalAlloc - before.TotalAlloc; got > budget {
		t.Fatalf("allocated %d bytes for %d bytes of input (budget %d)", got, inputLen, budget)
	}
}

// FuzzIndex: parseIndex on any bytes, for SHA-1 and SHA-256 object names.
func FuzzIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00" + string(make([]byte, 20))))
	f.Fuzz(func(t *testing.T, data []byte) {
		allocBound(t, len(data), func() {
			for _, hs := range []int{20, 32} {
				for _, top := range []bool{true, false} {
					r, err := parseIndex(data, hs, top)
					if err != nil {
						continue
					}
					for i := range r.Entries {
						e := &r.Entries[i]
						if len(e.id) != hs {
							t.Fatalf("entry %q has a %d-byte object name, want %d", e.Name, len(e.id), hs)
						}
						_ = e.Hash()
					}
				}
			}
		})
	})
}

// writeObjects lays out, in dir (reused from one input to the next: a
// fresh directory per input costs more than the read), an objects
// directory holding one pack (idx, pack), its multi-pack-index when midx
// is not empty, and one loose object (loose), for OpenODB.
func writeObjects(t *testing.T, dir string, idx, pack, midx, loose []byte) (string, Hash) {
	t.Helper()
	objects := filepath.Join(dir, "objects")
	packDir := filepath.Join(objects, "pack")
	if err := os.MkdirAll(packDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"pack-fuzz.idx": idx, "pack-fuzz.pack": pack, "multi-pack-index": midx} {
		p := filepath.Join(packDir, name)
		if data == nil || name == "multi-pack-index" && len(data) == 0 {
			os.Remove(p)
			continue
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := ParseHash("0123456789abcdef0123456789abcdef01234567")
	s := h.String()
	if err := os.MkdirAll(filepath.Join(objects, s[:2]), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(objects, s[:2], s[2:]), loose, 0o644); err != nil {
		t.Fatal(err)
	}
	return objects, h
}

// readAll reads every object the ODB's packs list, every way the scanner
// does.
func readAll(db *ODB) {
	memo := map[Loc]ObjectType{}
	for _, p := range db.Packs() {
		// A few objects are enough to reach every path; each read may walk
		// a delta chain as long as the pack allows.
		n := min(p.Len(), 24)
		for i := 0; i < n; i++ {
			h := p.HashAt(i)
			if off, ok := p.Find(h); ok {
				_, _ = db.TypeOf(Loc{p, off}, memo)
			}
			if off := p.OffsetAt(i); off >= 0 {
				_, _ = p.Header(off)
			}
			_, _, _ = db.Read(h, 1<<20)
			_, _, _ = db.Get(h)
		}
	}
}

// FuzzPack: a pack, its index and a multi-pack-index, any bytes, opened
// and read through the ODB (headers, delta chains, types, sizes), with and
// without the delta-base cache.
func FuzzPack(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, idx, pack, midx []byte) {
		objects, _ := writeObjects(t, dir, idx, pack, midx, nil)
		allocBound(t, len(idx)+len(pack)+len(midx), func() {
			for _, keep := range []bool{false, true} {
				db, err := OpenODB(objects, SHA1, keep)
				if err != nil {
					return
				}
				readAll(db)
				db.Close()
			}
		})
	})
}

// FuzzLoose: a loose object file, any bytes, read whole and under a limit.
func FuzzLoose(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		objects, h := writeObjects(t, dir, nil, nil, nil, data)
		allocBound(t, len(data), func() {
			db, err := OpenODB(objects, SHA1, false)
			if err != nil {
				return
			}
			defer db.Close()
			path := db.LoosePath(h)
			if path == "" {
				t.Fatal("loose object not found")
			}
			typ, size, out, err := db.ReadLoose(path, h, -1)
			if err == nil && int64(len(out)) != size {
				t.Fatalf("%s of size %d read as %d bytes", typ, size, len(out))
			}
			_, _, _, _ = db.ReadLoose(path, h, 16)
			_, _, _ = db.Read(h, 1<<20)
		})
	})
}

// FuzzApplyDelta: a delta and its base, any bytes.
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 16, 0x91, 0, 5, 5, ' ', 'w', 'o', 'r', 'l', 0x91, 6, 5, 1, '!'})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		allocBound(t, len(base)+len(delta), func() {
			out, err := ApplyDelta(nil, base, delta)
			if err != nil {
				return
			}
			if _, dst, _, _ := DeltaSizes(delta); int64(len(out)) != dst {
				t.Fatalf("delta built %d bytes, header says %d", len(out), dst)
			}
		})
	})
}
