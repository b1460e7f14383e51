package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Refs: HEAD, the loose and packed refs of the "files" backend and the
// reftable stacks of the "reftable" backend (refs_reftable.go), per
// worktree as git keeps them: HEAD, refs/worktree/*, refs/bisect/* and
// refs/rewritten/* belong to one worktree, everything else is shared.

var (
	// ErrRefNotFound is a ref that does not exist (or, for HEAD, an
	// unborn branch).
	ErrRefNotFound = errors.New("reference not found")
	// ErrBadRef is a ref git cannot read either (a ref file that holds
	// neither an object name nor "ref: <name>"): `git log --all` fails on
	// it, and so does a history scan, rather than scan less.
	ErrBadRef = errors.New("not an object name or a symbolic ref")
)

// RefError is a ref git cannot read either. It names the ref, never the
// file's content (which may be anything).
type RefError struct {
	Name string // the ref, or "packed-refs line N"
	Why  string
}

func (e *RefError) Error() string {
	if e.Why == "" {
		return fmt.Sprintf("ref %s: %v", e.Name, ErrBadRef)
	}
	return fmt.Sprintf("ref %s: %s", e.Name, e.Why)
}

func (e *RefError) Unwrap() error { return ErrBadRef }

// Hint says what to do about it.
func (e *RefError) Hint() string {
	return "git cannot read this ref either ('git log --all' fails on it): restore it, or delete it with 'git update-ref -d' if it is not needed"
}

// Ref is one reference: a name and the object it names, or for a symbolic
// ref the ref it points at.
type Ref struct {
	Name string
	// Hash is the object the ref names; zero for a symbolic ref.
	Hash Hash
	// Target is a symbolic ref's target ("refs/heads/main").
	Target string
}

// refBackend reads one worktree's view of the refs.
type refBackend interface {
	// read returns the ref called name, unresolved; ok is false when
	// there is none.
	read(name string) (ref Ref, ok bool, err error)
	// list returns every ref under refs/, sorted by name.
	list() ([]Ref, error)
	// perWorktree returns the refs of this worktree only (HEAD and the
	// per-worktree namespaces), sorted by name.
	perWorktree() ([]Ref, error)
	// reflog returns the new values of a ref's reflog, oldest first.
	reflog(name string) ([]Hash, error)
}

// isPerWorktree reports whether name is one worktree's own, as git's
// parse_worktree_ref decides: HEAD and other pseudo-refs (no slash),
// refs/worktree/*, refs/bisect/*, refs/rewritten/*.
func isPerWorktree(name string) bool {
	return !strings.Contains(name, "/") ||
		strings.HasPrefix(name, "refs/worktree/") ||
		strings.HasPrefix(name, "refs/bisect/") ||
		strings.HasPrefix(name, "refs/rewritten/")
}

// Head returns the object HEAD names, through the branch it points at;
// ErrRefNotFound on an unborn branch.
func (r *Repository) Head() (Hash, error) {
	return r.ResolveRef("HEAD")
}

// ResolveRef returns the object the ref called name names, following
// symbolic refs.
func (r *Repository) ResolveRef(name string) (Hash, error) {
	return resolveRef(r.refs, name)
}

func resolveRef(b refBackend, name string) (Hash, error) {
	orig := name
	for range 6 {
		ref, ok, err := b.read(name)
		if err != nil {
			return ZeroHash, err
		}
		if !ok {
			return ZeroHash, ErrRefNotFound
		}
		if ref.Target == "" {
			return ref.Hash, nil
		}
		name = ref.Target
	}
	return ZeroHash, fmt.Errorf("ref %s: symbolic refs nested too deep", orig)
}

// Refs lists HEAD and every ref under refs/ as this worktree sees them
// (what `git for-each-ref` and HEAD show), unresolved.
func (r *Repository) Refs() ([]Ref, error) {
	out, err := r.refs.list()
	if err != nil {
		return nil, err
	}
	head, ok, err := r.refs.read("HEAD")
	if err != nil {
		return nil, err
	}
	if ok {
		out = append([]Ref{head}, out...)
	}
	return out, nil
}

// Tip is a commit (or any object) a history walk starts from, and the name
// it is known by.
type Tip struct {
	Name string
	Hash Hash
}

// Tips returns what `git log --all` run in every worktree starts from: HEAD
// (when detached) and every ref under refs/ of this worktree, the HEAD and
// per-worktree refs (refs/worktree/*, refs/bisect/*) of every other
// worktree, named as git names them ("worktrees/<id>/HEAD",
// "main-worktree/refs/bisect/bad"), and the older entries of the stash's
// reflog (stash@{1}…). Symbolic refs are resolved; a dangling one (an
// unborn branch) adds nothing. A ref that cannot be read is an error
// naming it.
func (r *Repository) Tips() ([]Tip, error) {
	var tips []Tip
	seen := map[string]bool{}
	add := func(b refBackend, prefix string, refs []Ref) error {
		for _, ref := range refs {
			name := prefix + ref.Name
			if seen[name] {
				continue
			}
			seen[name] = true
			h := ref.Hash
			if ref.Target != "" {
				if ref.Name == "HEAD" && prefix == "" {
					continue // the branch it names is listed itself
				}
				var err error
				if h, err = resolveRef(b, ref.Name); errors.Is(err, ErrRefNotFound) {
					continue // unborn branch or dangling symbolic ref
				} else if err != nil {
					return err
				}
			}
			if h.IsZero() {
				return &RefError{Name: name, Why: "the zero object name"}
			}
			tips = append(tips, Tip{Name: name, Hash: h})
		}
		return nil
	}
	refs, err := r.Refs()
	if err != nil {
		return nil, err
	}
	if err := add(r.refs, "", refs); err != nil {
		return nil, err
	}
	others, err := r.otherWorktrees()
	if err != nil {
		return nil, err
	}
	for _, wt := range others {
		refs, err := wt.refs.perWorktree()
		if err != nil {
			return nil, err
		}
		if err := add(wt.refs, wt.prefix, refs); err != nil {
			return nil, err
		}
	}
	// The reflog lists the oldest entry first; the last is refs/stash.
	stashes, err := r.refs.reflog("refs/stash")
	if err != nil {
		return nil, err
	}
	for i, s := range stashes {
		if n := len(stashes) - 1 - i; n > 0 && !s.IsZero() {
			tips = append(tips, Tip{Name: fmt.Sprintf("stash@{%d}", n), Hash: s})
		}
	}
	sort.SliceStable(tips, func(i, j int) bool { return tips[i].Name < tips[j].Name })
	return tips, nil
}

// worktreeRefs is another worktree's view of the refs.
type worktreeRefs struct {
	prefix string // "worktrees/<id>/" or "main-worktree/"
	refs   refBackend
}

// otherWorktrees lists the repository's worktrees other than this one.
func (r *Repository) otherWorktrees() ([]worktreeRefs, error) {
	var out []worktreeRefs
	if r.GitDir != r.CommonDir {
		b, err := r.backend(r.CommonDir)
		if err != nil {
			return nil, err
		}
		out = append(out, worktreeRefs{prefix: "main-worktree/", refs: b})
	}
	ents, err := os.ReadDir(filepath.Join(r.CommonDir, "worktrees"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing worktrees: %w", err)
	}
	for _, e := range ents {
		dir := filepath.Join(r.CommonDir, "worktrees", e.Name())
		if !e.IsDir() || sameDir(dir, r.GitDir) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
			continue // not a worktree's git directory (git skips it too)
		}
		b, err := r.backend(dir)
		if err != nil {
			return nil, err
		}
		out = append(out, worktreeRefs{prefix: "worktrees/" + e.Name() + "/", refs: b})
	}
	return out, nil
}

func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// backend opens the refs as the worktree whose git directory is gitDir
// sees them.
func (r *Repository) backend(gitDir string) (refBackend, error) {
	if r.refStorage == "reftable" {
		return openReftableBackend(gitDir, r.CommonDir, r.format)
	}
	return &filesBackend{gitDir: gitDir, commonDir: r.CommonDir, format: r.format}, nil
}

// CheckRefName reports whether name is a valid ref name, by git's rules
// (git check-ref-format): no component starts with "." or ends with
// ".lock", no "..", "@{", control characters, space, ~ ^ : ? * [ \, no
// empty component, no trailing "." or "/", and not "@".
func CheckRefName(name string) bool {
	if name == "" || name == "@" || strings.HasSuffix(name, ".") || strings.Contains(name, "@{") || strings.Contains(name, "..") {
		return false
	}
	for comp := range strings.SplitSeq(name, "/") {
		if comp == "" || comp[0] == '.' || strings.HasSuffix(comp, ".lock") {
			return false
		}
		for i := 0; i < len(comp); i++ {
			c := comp[i]
			if c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
				return false
			}
		}
	}
	return true
}
