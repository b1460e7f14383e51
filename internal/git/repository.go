package git

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Repository is an opened repository: where it lives, and readers for its
// refs and objects. Linking go-git's root package pulls in its transports
// (ssh, http, openpgp) whose package init cost every invocation ~10 ms; a
// pre-commit hook cannot afford that, so only go-git's storage and
// plumbing packages are used, and only where ours do not exist yet.
type Repository struct {
	// Root is the absolute work tree root; empty for a bare repository.
	Root string
	// GitDir is the absolute path of the git directory (for info/exclude).
	GitDir string
	// CommonDir holds what a linked worktree shares with its main
	// repository (objects, refs, hooks); it is GitDir otherwise.
	CommonDir string

	loc *Location // what discovery found: config, index file

	// storer reads the config, the index and shallow roots.
	storer *filesystem.Storage

	// Objects are read through an ODB, opened at the first read.
	objectsDir string
	dbOnce     sync.Once
	db         *ODB
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

// openRepository opens the git directory gitDir, honouring commondir
// (linked worktrees) and objects/info/alternates (git clone --shared,
// --reference).
func openRepository(root, gitDir, commonDir string) (*Repository, error) {
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
	return &Repository{Root: root, GitDir: gitDir, CommonDir: commonDir, storer: st, objectsDir: filepath.Join(commonDir, "objects")}, nil
}

// Objects returns the repository's object reader. It keeps no delta
// bases: its readers (a pre-commit scan, a revision lookup, a config file
// at a commit) read a few objects once each. A history sweep opens its own
// ODB that does.
func (r *Repository) Objects() (*ODB, error) {
	r.dbOnce.Do(func() {
		if r.db, r.dbErr = OpenODB(r.objectsDir, false); r.dbErr != nil {
			r.dbErr = fmt.Errorf("opening the object database: %w", r.dbErr)
		}
	})
	return r.db, r.dbErr
}

// ObjectsDir is the repository's objects directory.
func (r *Repository) ObjectsDir() string { return r.objectsDir }

// Close releases the object reader's mapped packs. A closed Repository
// must not be used again.
func (r *Repository) Close() error {
	r.dbOnce.Do(func() { r.dbErr = errors.New("repository closed") })
	if r.db != nil {
		r.db.Close()
		r.db = nil
	}
	return nil
}

// object reads object h and checks that it is a want.
func (r *Repository) object(h Hash, want ObjectType, limit int64) ([]byte, error) {
	db, err := r.Objects()
	if err != nil {
		return nil, err
	}
	return db.Typed(h, want, limit)
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

// CommitObject returns commit h.
func (r *Repository) CommitObject(h Hash) (*Commit, error) {
	data, err := r.object(h, ObjCommit, -1)
	if err != nil {
		return nil, err
	}
	return ParseCommit(h, data)
}

// ErrPathNotFound is a path that a commit's tree does not hold.
var ErrPathNotFound = errors.New("path not found")

// entryAt returns the tree entry at path (slash-separated, relative to the
// root) in commit's tree.
func (r *Repository) entryAt(commit Hash, path string) (TreeEntry, error) {
	c, err := r.CommitObject(commit)
	if err != nil {
		return TreeEntry{}, err
	}
	tree, isTree := c.Tree, true
	var e TreeEntry
	for name := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if !isTree {
			return TreeEntry{}, fmt.Errorf("%q: %w", path, ErrPathNotFound)
		}
		data, err := r.object(tree, ObjTree, -1)
		if err != nil {
			return TreeEntry{}, err
		}
		var ok bool
		if e, ok, err = FindEntry(tree, data, name); err != nil {
			return TreeEntry{}, err
		} else if !ok {
			return TreeEntry{}, fmt.Errorf("%q: %w", path, ErrPathNotFound)
		}
		tree, isTree = e.ObjectHash(), e.IsTree()
	}
	return e, nil
}

// HasPath reports whether commit's tree holds path (a file or directory).
func (r *Repository) HasPath(commit Hash, path string) (bool, error) {
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
func (r *Repository) ReadFile(commit Hash, path string, limit int64) ([]byte, error) {
	e, err := r.entryAt(commit, path)
	if err != nil {
		return nil, err
	}
	if !e.FileMode().IsRegular() {
		return nil, fmt.Errorf("%q: %w", path, ErrPathNotFound)
	}
	data, err := r.object(e.ObjectHash(), ObjBlob, limit)
	if errors.Is(err, ErrBlobTooLarge) {
		return nil, fmt.Errorf("%q is larger than %d bytes: %w", path, limit, ErrFileTooLarge)
	}
	return data, err
}

// Shallow lists the shallow clone's boundary commits (none when the
// repository is complete).
func (r *Repository) Shallow() ([]Hash, error) {
	return r.storer.Shallow()
}
