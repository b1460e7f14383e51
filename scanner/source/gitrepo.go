package source

import (
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// GitRepo is the part of go-git's Repository that clayscan uses, built on
// go-git's storage and plumbing packages only. Linking go-git's root
// package pulls in its transports (ssh, http, openpgp) whose package init
// cost every invocation ~10 ms; a pre-commit hook cannot afford that.
type GitRepo struct {
	// Storer reads references, the config, the index and shallow roots.
	Storer *filesystem.Storage

	// Objects are read through odb, opened at the first read.
	objectsDir string
	dbOnce     sync.Once
	db         *odb
	dbErr      error
}

var (
	// ErrUnsupportedExtension is returned for a repository whose
	// extensions.* settings go-git cannot honour (objectFormat=sha256,
	// refStorage, …): reading it anyway could miss objects.
	ErrUnsupportedExtension = errors.New("core.repositoryformatversion does not support extension")
	// ErrUnsupportedFormatVersion is returned for a
	// core.repositoryformatversion other than 0 or 1.
	ErrUnsupportedFormatVersion = errors.New("core.repositoryformatversion not supported")
)

// openGitRepo opens the git directory gitDir, honouring commondir (linked
// worktrees) and objects/info/alternates (git clone --shared, --reference).
func openGitRepo(gitDir, commonDir string) (*GitRepo, error) {
	dot := osfs.New(gitDir)
	fs := dot
	if commonDir != gitDir {
		fs = dotgit.NewRepositoryFilesystem(dot, osfs.New(commonDir))
	}
	st := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{
		// git clone --shared writes absolute paths to alternates; resolved
		// against the git directory's chroot they were not found (the
		// "object not found" of 'clayscan staged' in a shared clone).
		AlternatesFS: osfs.New("/", osfs.WithBoundOS()),
	})
	if _, err := st.Reference(plumbing.HEAD); err != nil {
		return nil, fmt.Errorf("reading HEAD: %w", err)
	}
	cfg, err := st.Config()
	if err != nil {
		return nil, fmt.Errorf("reading git config: %w", err)
	}
	if err := checkExtensions(cfg); err != nil {
		return nil, err
	}
	return &GitRepo{Storer: st, objectsDir: filepath.Join(commonDir, "objects")}, nil
}

// objects returns the repository's object reader. It keeps no delta bases:
// its readers (a pre-commit scan, a revision lookup, a config file at a
// commit) read a few objects once each.
func (r *GitRepo) objects() (*odb, error) {
	r.dbOnce.Do(func() {
		if r.db, r.dbErr = openODB(r.objectsDir, false); r.dbErr != nil {
			r.dbErr = fmt.Errorf("opening the object database: %w", r.dbErr)
		}
	})
	return r.db, r.dbErr
}

// Close releases the object reader's mapped packs. A closed GitRepo must
// not be used again.
func (r *GitRepo) Close() error {
	r.dbOnce.Do(func() { r.dbErr = errors.New("repository closed") })
	if r.db != nil {
		r.db.close()
		r.db = nil
	}
	return nil
}

// object reads object h and checks that it is a want.
func (r *GitRepo) object(h plumbing.Hash, want int, limit int64) ([]byte, error) {
	db, err := r.objects()
	if err != nil {
		return nil, err
	}
	return db.typed(h, want, limit)
}

// checkExtensions refuses repositories git itself would read differently,
// as go-git's Open does.
func checkExtensions(cfg *config.Config) error {
	ver := cfg.Core.RepositoryFormatVersion
	switch ver {
	case "", "0", "1":
	default:
		return fmt.Errorf("%w: %q", ErrUnsupportedFormatVersion, ver)
	}
	if cfg.Raw == nil || !cfg.Raw.HasSection("extensions") {
		return nil
	}
	var bad []string
	for _, opt := range cfg.Raw.Section("extensions").Options {
		name := strings.ToLower(opt.Key)
		switch name {
		case "noop", "noop-v1":
			continue
		case "partialclone", "preciousobjects", "worktreeconfig":
			if ver == "" || ver == "0" {
				continue // valid in format 0 and harmless to a reader
			}
		}
		bad = append(bad, name)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrUnsupportedExtension, strings.Join(bad, ", "))
	}
	return nil
}

// Head returns HEAD resolved to the reference it points at.
func (r *GitRepo) Head() (*plumbing.Reference, error) {
	return storer.ResolveReference(r.Storer, plumbing.HEAD)
}

// Reference returns the named reference, resolved through symbolic
// references when resolved is true.
func (r *GitRepo) Reference(name plumbing.ReferenceName, resolved bool) (*plumbing.Reference, error) {
	if resolved {
		return storer.ResolveReference(r.Storer, name)
	}
	return r.Storer.Reference(name)
}

// References iterates over all references (loose and packed).
func (r *GitRepo) References() (storer.ReferenceIter, error) {
	return r.Storer.IterReferences()
}

// CommitObject returns commit h.
func (r *GitRepo) CommitObject(h plumbing.Hash) (*Commit, error) {
	data, err := r.object(h, objCommit, -1)
	if err != nil {
		return nil, err
	}
	return parseCommitObject(h, data)
}

// ErrPathNotFound is a path that a commit's tree does not hold.
var ErrPathNotFound = errors.New("path not found")

// entryAt returns the tree entry at path (slash-separated, relative to the
// root) in commit's tree.
func (r *GitRepo) entryAt(commit plumbing.Hash, path string) (treeEntry, error) {
	c, err := r.CommitObject(commit)
	if err != nil {
		return treeEntry{}, err
	}
	tree, isTree := c.Tree, true
	var e treeEntry
	for name := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if !isTree {
			return treeEntry{}, fmt.Errorf("%q: %w", path, ErrPathNotFound)
		}
		data, err := r.object(tree, objTree, -1)
		if err != nil {
			return treeEntry{}, err
		}
		var ok bool
		if e, ok, err = findEntry(tree, data, name); err != nil {
			return treeEntry{}, err
		} else if !ok {
			return treeEntry{}, fmt.Errorf("%q: %w", path, ErrPathNotFound)
		}
		tree, isTree = e.objectHash(), e.isTree()
	}
	return e, nil
}

// HasPath reports whether commit's tree holds path (a file or directory).
func (r *GitRepo) HasPath(commit plumbing.Hash, path string) (bool, error) {
	_, err := r.entryAt(commit, path)
	if errors.Is(err, ErrPathNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ErrFileTooLarge is a file over the size ReadFile was given.
var ErrFileTooLarge = errors.New("file too large")

// ReadFile returns the content of the regular file at path in commit's
// tree. It returns ErrPathNotFound when there is no such file (a directory,
// symlink or submodule is not one), and ErrFileTooLarge when it is over
// limit bytes.
func (r *GitRepo) ReadFile(commit plumbing.Hash, path string, limit int64) ([]byte, error) {
	e, err := r.entryAt(commit, path)
	if err != nil {
		return nil, err
	}
	if !e.fileMode().IsRegular() {
		return nil, fmt.Errorf("%q: %w", path, ErrPathNotFound)
	}
	data, err := r.object(e.objectHash(), objBlob, limit)
	if errors.Is(err, errBlobTooLarge) {
		return nil, fmt.Errorf("%q is larger than %d bytes: %w", path, limit, ErrFileTooLarge)
	}
	return data, err
}

// Config returns the repository's configuration (.git/config).
func (r *GitRepo) Config() (*config.Config, error) {
	return r.Storer.Config()
}

// ResolveRevision resolves what users pass as --range, --since-commit or
// --branch to a commit: a full or unambiguous abbreviated SHA, HEAD, a ref
// name looked up in git's order (<x>, refs/<x>, refs/tags/<x>,
// refs/heads/<x>, refs/remotes/<x>, refs/remotes/<x>/HEAD), with ~N, ^ and
// ^N suffixes; annotated tags are peeled to their commit.
func (r *GitRepo) ResolveRevision(in plumbing.Revision) (*plumbing.Hash, error) {
	rev := in.String()
	if rev == "" {
		return &plumbing.ZeroHash, plumbing.ErrReferenceNotFound
	}
	name, steps, err := parseRevision(rev)
	if err != nil {
		return nil, err
	}
	h, err := r.resolveName(name)
	if err != nil {
		return nil, err
	}
	commit, err := r.peelToCommit(h)
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		n := st.n
		if st.op == '^' {
			if n == 0 {
				continue
			}
			if len(commit.Parents) < n {
				return nil, fmt.Errorf("revision %q: %w", rev, plumbing.ErrReferenceNotFound)
			}
			if commit, err = r.CommitObject(commit.Parents[n-1]); err != nil {
				return nil, err
			}
			continue
		}
		for i := 0; i < n; i++ {
			if len(commit.Parents) == 0 {
				return nil, fmt.Errorf("revision %q: %w", rev, plumbing.ErrReferenceNotFound)
			}
			if commit, err = r.CommitObject(commit.Parents[0]); err != nil {
				return nil, err
			}
		}
	}
	h = commit.Hash
	return &h, nil
}

// refRules is git's DWIM order for a short name (git help revisions).
var refRules = []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"}

// resolveName turns a ref name or a (possibly abbreviated) hex object name
// into an object hash. Like git, a full 40-hex name is an object name; a
// ref wins over an abbreviated one.
func (r *GitRepo) resolveName(name string) (plumbing.Hash, error) {
	if len(name) == 40 && isHex(name) {
		return plumbing.NewHash(name), nil
	}
	for _, rule := range refRules {
		ref, err := storer.ResolveReference(r.Storer, plumbing.ReferenceName(fmt.Sprintf(rule, name)))
		if err == nil {
			return ref.Hash(), nil
		}
	}
	if len(name) >= 4 && len(name) < 40 && isHex(name) {
		return r.expandPrefix(strings.ToLower(name))
	}
	return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
}

// expandPrefix finds the one object whose name starts with prefix. It
// reads pack indexes and loose object names, never the objects: an
// abbreviated SHA must not cost a scan of git/git's packs.
func (r *GitRepo) expandPrefix(prefix string) (plumbing.Hash, error) {
	even, err := hex.DecodeString(prefix[:len(prefix)&^1])
	if err != nil {
		return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
	}
	hashes, err := r.Storer.HashesWithPrefix(even)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var found []plumbing.Hash
	for _, h := range hashes {
		if strings.HasPrefix(h.String(), prefix) && !slices.Contains(found, h) {
			found = append(found, h)
		}
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
	case 1:
		return found[0], nil
	}
	return plumbing.ZeroHash, fmt.Errorf("short object ID %s is ambiguous", prefix)
}

// peelToCommit follows annotated tags to the commit they name.
func (r *GitRepo) peelToCommit(h plumbing.Hash) (*Commit, error) {
	db, err := r.objects()
	if err != nil {
		return nil, err
	}
	for i := 0; i < 10; i++ {
		typ, data, err := db.get(h)
		if err != nil {
			return nil, err
		}
		switch typ {
		case objCommit:
			return parseCommitObject(h, data)
		case objTag:
			if h, err = tagTarget(h, data); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s is a %s, not a commit", h, typeName(typ))
		}
	}
	return nil, fmt.Errorf("%s: too many nested tags", h)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
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
