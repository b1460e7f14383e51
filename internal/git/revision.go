package git

import (
	"fmt"
	"strconv"
	"strings"
)

// ResolveRevision resolves what users pass as --range, --since-commit or
// --branch to a commit: a full or unambiguous abbreviated SHA, HEAD, a ref
// name looked up in git's order (<x>, refs/<x>, refs/tags/<x>,
// refs/heads/<x>, refs/remotes/<x>, refs/remotes/<x>/HEAD), with ~N, ^ and
// ^N suffixes; annotated tags are peeled to their commit.
func (r *Repository) ResolveRevision(rev string) (Hash, error) {
	if rev == "" {
		return ZeroHash, ErrRefNotFound
	}
	name, steps, err := parseRevision(rev)
	if err != nil {
		return ZeroHash, err
	}
	h, err := r.resolveName(name)
	if err != nil {
		return ZeroHash, err
	}
	commit, err := r.peelToCommit(h)
	if err != nil {
		return ZeroHash, err
	}
	for _, st := range steps {
		n := st.n
		if st.op == '^' {
			if n == 0 {
				continue
			}
			if len(commit.Parents) < n {
				return ZeroHash, fmt.Errorf("revision %q: %w", rev, ErrRefNotFound)
			}
			if commit, err = r.CommitObject(commit.Parents[n-1]); err != nil {
				return ZeroHash, err
			}
			continue
		}
		for i := 0; i < n; i++ {
			if len(commit.Parents) == 0 {
				return ZeroHash, fmt.Errorf("revision %q: %w", rev, ErrRefNotFound)
			}
			if commit, err = r.CommitObject(commit.Parents[0]); err != nil {
				return ZeroHash, err
			}
		}
	}
	return commit.Hash, nil
}

// refRules is git's DWIM order for a short name (git help revisions).
var refRules = []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"}

// resolveName turns a ref name or a (possibly abbreviated) hex object name
// into an object hash. Like git, a full hex name is an object name; a
// ref wins over an abbreviated one.
func (r *Repository) resolveName(name string) (Hash, error) {
	if len(name) == r.format.HexSize() && IsHex(name) {
		return NewHash(strings.ToLower(name)), nil
	}
	for _, rule := range refRules {
		if h, err := r.ResolveRef(fmt.Sprintf(rule, name)); err == nil {
			return h, nil
		}
	}
	if len(name) >= 4 && len(name) < r.format.HexSize() && IsHex(name) {
		return r.expandPrefix(strings.ToLower(name))
	}
	return ZeroHash, ErrRefNotFound
}

// expandPrefix finds the one object whose name starts with prefix. It
// reads pack indexes and loose object names, never the objects: an
// abbreviated SHA must not cost a scan of git/git's packs.
func (r *Repository) expandPrefix(prefix string) (Hash, error) {
	db, err := r.Objects()
	if err != nil {
		return ZeroHash, err
	}
	found := db.HashesWithPrefix(prefix)
	switch len(found) {
	case 0:
		return ZeroHash, ErrRefNotFound
	case 1:
		return found[0], nil
	}
	return ZeroHash, fmt.Errorf("short object ID %s is ambiguous", prefix)
}

// peelToCommit follows annotated tags to the commit they name.
func (r *Repository) peelToCommit(h Hash) (*Commit, error) {
	db, err := r.Objects()
	if err != nil {
		return nil, err
	}
	h, typ, data, err := db.Peel(h)
	if err != nil {
		return nil, err
	}
	if typ != ObjCommit {
		return nil, fmt.Errorf("%s is a %s, not a commit", h, typ)
	}
	return ParseCommit(h, data)
}

// revStep is one ~N or ^N suffix.
type revStep struct {
	op byte
	n  int
}

// parseRevision splits rev into a name and its ~N / ^N suffixes (a bare ~
// or ^ counts 1; ^{} and ^{commit} peel, which every revision here does).
// go-git keeps its own revision parser internal, and clayscan needs only
// this part of git's syntax.
func parseRevision(rev string) (string, []revStep, error) {
	i := strings.IndexAny(rev, "~^")
	if i < 0 {
		return rev, nil, nil
	}
	name, rest := rev[:i], rev[i:]
	if name == "" {
		return "", nil, fmt.Errorf("invalid revision %q", rev)
	}
	var steps []revStep
	for rest != "" {
		op := rest[0]
		rest = rest[1:]
		if op != '~' && op != '^' {
			return "", nil, fmt.Errorf("invalid revision %q", rev)
		}
		if op == '^' && (strings.HasPrefix(rest, "{}") || strings.HasPrefix(rest, "{commit}")) {
			rest = rest[strings.IndexByte(rest, '}')+1:]
			continue
		}
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n := 1
		if j > 0 {
			v, err := strconv.Atoi(rest[:j])
			if err != nil {
				return "", nil, fmt.Errorf("invalid revision %q", rev)
			}
			n = v
		}
		rest = rest[j:]
		steps = append(steps, revStep{op: op, n: n})
	}
	return name, steps, nil
}
