package git

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrRefNotFound is a ref that does not exist (or, for HEAD, an unborn
// branch).
var ErrRefNotFound = plumbing.ErrReferenceNotFound

// Ref is one reference: a name and the object it names, or for a symbolic
// ref the ref it points at.
type Ref struct {
	Name string
	// Hash is the object the ref names; zero for a symbolic ref.
	Hash Hash
	// Target is a symbolic ref's target ("refs/heads/main").
	Target string
}

// Head returns the object HEAD names, through the branch it points at;
// ErrRefNotFound on an unborn branch.
func (r *Repository) Head() (Hash, error) {
	return r.ResolveRef("HEAD")
}

// ResolveRef returns the object the ref called name names, following
// symbolic refs.
func (r *Repository) ResolveRef(name string) (Hash, error) {
	ref, err := storer.ResolveReference(r.storer, plumbing.ReferenceName(name))
	if err != nil {
		return ZeroHash, err
	}
	return ref.Hash(), nil
}

// Refs lists HEAD and every ref under refs/ (loose and packed), unresolved.
func (r *Repository) Refs() ([]Ref, error) {
	iter, err := r.storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("listing refs: %w", err)
	}
	var out []Ref
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if !strings.HasPrefix(name, "refs/") && name != "HEAD" {
			return nil
		}
		if ref.Type() == plumbing.SymbolicReference {
			out = append(out, Ref{Name: name, Target: ref.Target().String()})
		} else {
			out = append(out, Ref{Name: name, Hash: ref.Hash()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing refs: %w", err)
	}
	return out, nil
}
