package git

// The sparse index (index.sparse with a cone-mode sparse checkout): a
// directory outside the checkout is one entry, "dir/" with its tree's
// name, instead of one entry per file. Readers that need the files expand
// it from the tree objects, as git's ensure_full_index does, and only the
// directories they need.

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// TreeReader returns the content of the tree object with the given raw
// object name.
type TreeReader func(rawID string) ([]byte, error)

// ExpandDir returns the entries the sparse directory e stands for: every
// file below it, skip-worktree, in index order.
func (idx *Index) ExpandDir(e *IndexEntry, read TreeReader) ([]IndexEntry, error) {
	var out []IndexEntry
	if err := idx.expandTree(e.Name, e.id, read, &out, 0); err != nil {
		return nil, &IndexError{Path: idx.path, Err: err,
			hint: "the sparse index names a tree the repository cannot read: run 'git fsck', or 'git sparse-checkout disable' to expand the index"}
	}
	return out, nil
}

func (idx *Index) expandTree(dir, id string, read TreeReader, out *[]IndexEntry, depth int) error {
	if depth > 4096 {
		return fmt.Errorf("sparse directory %q: trees nested too deep", dir)
	}
	data, err := read(id)
	if err != nil {
		return fmt.Errorf("expanding sparse directory %q: %w", dir, err)
	}
	hs := idx.hashSize
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp <= 0 || nul < sp+2 || len(data) < nul+1+hs {
			return fmt.Errorf("expanding sparse directory %q: malformed tree", dir)
		}
		mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
		if err != nil {
			return fmt.Errorf("expanding sparse directory %q: malformed tree", dir)
		}
		name := dir + string(data[sp+1:nul])
		eid := string(data[nul+1 : nul+1+hs])
		data = data[nul+1+hs:]
		if filemode.FileMode(mode) == filemode.Dir {
			if err := idx.expandTree(name+"/", eid, read, out, depth+1); err != nil {
				return err
			}
			continue
		}
		*out = append(*out, IndexEntry{Name: name, id: eid, Mode: filemode.FileMode(mode), SkipWorktree: true})
	}
	return nil
}

// ExpandSparse replaces every sparse directory with its files, making the
// index what "git ls-files --stage" lists.
func (idx *Index) ExpandSparse(read TreeReader) error {
	if !idx.Sparse {
		return nil
	}
	out := make([]IndexEntry, 0, len(idx.Entries))
	for i := range idx.Entries {
		e := &idx.Entries[i]
		if !e.IsSparseDir() {
			out = append(out, *e)
			continue
		}
		kids, err := idx.ExpandDir(e, read)
		if err != nil {
			return err
		}
		out = append(out, kids...)
	}
	idx.Entries = out
	idx.Sparse = false
	return nil
}
