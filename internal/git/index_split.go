package git

// The split index (core.splitIndex): .git/index holds the entries changed
// since a shared index, sharedindex.<name>, was written, and a "link"
// extension saying which of the shared entries are deleted or replaced
// (split-index.c).

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// parseLink reads the link extension: the shared index's name, then
// optionally the delete and replace bitmaps, whose structure is checked
// here and whose bits are read at the merge, against the shared index's
// size: a hostile run of set bits must not size an allocation.
func parseLink(b []byte, hashSize int) (*linkExt, error) {
	if len(b) < hashSize {
		return nil, malformed("corrupt link extension (too short)")
	}
	l := &linkExt{base: string(b[:hashSize])}
	b = b[hashSize:]
	if len(b) == 0 {
		return l, nil
	}
	n, err := ewahSize(b)
	if err != nil {
		return nil, malformed("corrupt delete bitmap in link extension: %v", err)
	}
	l.deleted, b = b[:n], b[n:]
	if n, err = ewahSize(b); err != nil {
		return nil, malformed("corrupt replace bitmap in link extension: %v", err)
	}
	if n != len(b) {
		return nil, malformed("garbage at the end of link extension")
	}
	l.replace = b
	return l, nil
}

// ewahSize returns the length of the EWAH-compressed bitmap at the start
// of b (ewah/ewah_io.c): a bit count, a word count, the 64-bit words and
// the position of the last run-length word.
func ewahSize(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, errors.New("eof before length")
	}
	words := uint64(binary.BigEndian.Uint32(b[4:]))
	end := 8 + words*8 + 4
	if uint64(len(b)) < end {
		return 0, errors.New("eof in data")
	}
	return int(end), nil
}

// ewahBits calls fn with the position of each set bit of an EWAH bitmap
// (ewah_each_bit), stopping at the first error. Each run-length word holds
// a run bit, a run length (32 bits) and a count of literal words (31 bits)
// that follow it. A position at or past limit is an error: every bit names
// an entry of the shared index, so a bitmap cannot make more calls than
// there are entries.
func ewahBits(b []byte, limit int, fn func(pos int) error) error {
	if len(b) == 0 {
		return nil
	}
	words := uint64(binary.BigEndian.Uint32(b[4:]))
	pos := uint64(0)
	past := func(p uint64) error {
		return fmt.Errorf("bit %d is past the shared index's %d entries", p, limit)
	}
	for w := uint64(0); w < words; {
		rlw := binary.BigEndian.Uint64(b[8+w*8:])
		w++
		run := ((rlw >> 1) & 0xffffffff) * 64
		lits := rlw >> 33
		if rlw&1 != 0 && run > 0 {
			if pos+run > uint64(limit) {
				return past(pos + run - 1)
			}
			for k := uint64(0); k < run; k++ {
				if err := fn(int(pos + k)); err != nil {
					return err
				}
			}
		}
		pos += run
		if lits > words-w {
			return errors.New("literal words past the end of the bitmap")
		}
		for k := uint64(0); k < lits; k++ {
			lw := binary.BigEndian.Uint64(b[8+w*8:])
			w++
			for c := uint64(0); c < 64; c++ {
				if lw&(1<<c) == 0 {
					continue
				}
				if pos+c >= uint64(limit) {
					return past(pos + c)
				}
				if err := fn(int(pos + c)); err != nil {
					return err
				}
			}
			pos += 64
		}
		if pos > 1<<40 {
			return past(pos)
		}
	}
	return nil
}

// mergeShared completes a split index with its shared index
// (merge_base_index). A link to the null name means no shared index.
func (r *rawIndex) mergeShared(path, gitDir string) error {
	if r.link == nil || allZero([]byte(r.link.base)) {
		return nil
	}
	name := "sharedindex." + hex.EncodeToString([]byte(r.link.base))
	shared := filepath.Join(gitDir, name)
	if _, err := os.Stat(shared); err != nil {
		shared = filepath.Join(filepath.Dir(path), name)
	}
	fail := func(err error) error {
		r.Close()
		if ie, ok := err.(*IndexError); ok {
			return ie
		}
		return &IndexError{Path: path, Err: err, hint: "run 'git update-index --no-split-index' to write the index whole, then try again"}
	}
	base, err := readIndexFile(shared, r.hashSize, false)
	if errors.Is(err, os.ErrNotExist) {
		return fail(fmt.Errorf("the split index's shared index %q is missing", shared))
	}
	if err != nil {
		return fail(err)
	}
	r.unmaps = append(r.unmaps, base.unmaps...)
	if base.trailer != r.link.base {
		return fail(fmt.Errorf("broken split index: %q holds a different index than the link names", shared))
	}
	if base.link != nil {
		return fail(malformed("the shared index %q is itself split", shared))
	}
	own := r.Entries
	merged := make([]IndexEntry, len(base.Entries))
	copy(merged, base.Entries)
	removed := make([]bool, len(merged))
	used := 0
	err = ewahBits(r.link.replace, len(merged), func(pos int) error {
		if used >= len(own) {
			return fmt.Errorf("too many replacements (%d vs %d)", used, len(own))
		}
		src := own[used]
		if src.Name != "" {
			return fmt.Errorf("corrupt link extension, entry %d should have zero length name", pos)
		}
		src.Name = merged[pos].Name
		merged[pos] = src
		used++
		return nil
	})
	if err == nil {
		err = ewahBits(r.link.deleted, len(merged), func(pos int) error {
			removed[pos] = true
			return nil
		})
	}
	if err != nil {
		return fail(malformed("%v", err))
	}
	kept := merged[:0]
	for i := range merged {
		if !removed[i] {
			kept = append(kept, merged[i])
		}
	}
	added := own[used:]
	for i := range added {
		if added[i].Name == "" {
			return fail(malformed("corrupt link extension, entry %d should have non-zero length name", used+i))
		}
	}
	r.Entries = mergeIndexEntries(kept, added)
	r.Split = true
	r.Sparse = r.Sparse || base.Sparse
	return nil
}

// mergeIndexEntries adds the split index's new entries to the shared
// ones as add_index_entry does: an entry replaces one of the same path
// and stage, and a stage-0 entry replaces the path's conflict stages.
func mergeIndexEntries(base, added []IndexEntry) []IndexEntry {
	if len(added) == 0 {
		return base
	}
	sortedAdded := append([]IndexEntry(nil), added...)
	if !isSortedEntries(sortedAdded) {
		sort.SliceStable(sortedAdded, func(i, j int) bool { return compareIndexEntries(&sortedAdded[i], &sortedAdded[j]) < 0 })
	}
	out := make([]IndexEntry, 0, len(base)+len(sortedAdded))
	i := 0
	for _, a := range sortedAdded {
		for i < len(base) && compareIndexEntries(&base[i], &a) < 0 {
			out = append(out, base[i])
			i++
		}
		if i < len(base) && compareIndexEntries(&base[i], &a) == 0 {
			i++ // replaced
		}
		if a.Stage == 0 { // a merged entry drops the path's conflict stages
			for i < len(base) && base[i].Name == a.Name {
				i++
			}
		}
		out = append(out, a)
	}
	return append(out, base[i:]...)
}

func isSortedEntries(es []IndexEntry) bool {
	for i := 1; i < len(es); i++ {
		if compareIndexEntries(&es[i-1], &es[i]) > 0 {
			return false
		}
	}
	return true
}
