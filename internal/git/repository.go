package git

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Repository is an opened repository: where it lives, its resolved
// config, and readers for its refs, objects and index.
type Repository struct {
	// Root is the absolute work tree root; empty for a bare repository.
	Root string
	// GitDir is the absolute path of the git directory (for info/exclude).
	GitDir string
	// CommonDir holds what a linked worktree shares with its main
	// repository (objects, refs, hooks); it is GitDir otherwise.
	CommonDir string

	loc *Location // what discovery found: config, index file

	format     Format
	refStorage string
	refs       refBackend

	// Objects are read through an ODB, opened at the first read.
	objectsDir string
	altDirs    []string // GIT_ALTERNATE_OBJECT_DIRECTORIES
	dbOnce     sync.Once
	db         *ODB
	dbErr      error
}

// openRepository opens the repository discovery found, after checking its
// format as git does.
func openRepository(loc *Location) (*Repository, error) {
	root, gitDir, commonDir := loc.Root, loc.GitDir, loc.CommonDir
	rf, err := repoFormatFrom(loc.Config, commonDir)
	if err != nil {
		return nil, err
	}
	r := &Repository{Root: root, GitDir: gitDir, CommonDir: commonDir, format: rf.objects, refStorage: rf.refStorage,
		objectsDir: filepath.Join(commonDir, "objects")}
	if r.refs, err = r.backend(gitDir); err != nil {
		return nil, err
	}
	// git refuses a git directory whose HEAD it cannot read.
	if _, _, err := r.refs.read("HEAD"); err != nil {
		return nil, fmt.Errorf("reading HEAD: %w", err)
	}
	return r, nil
}

// Format is the repository's object format (SHA-1 or SHA-256).
func (r *Repository) Format() Format { return r.format }

// RefStorage is the repository's ref storage: "files" or "reftable".
func (r *Repository) RefStorage() string { return r.refStorage }

// Objects returns the repository's object reader. It keeps no delta
// bases: its readers (a pre-commit scan, a revision lookup, a config file
// at a commit) read a few objects once each. A history sweep opens its own
// ODB that does.
func (r *Repository) Objects() (*ODB, error) {
	r.dbOnce.Do(func() {
		if r.db, r.dbErr = OpenODB(r.objectsDir, r.format, false, r.altDirs...); r.dbErr != nil {
			r.dbErr = fmt.Errorf("opening the object database: %w", r.dbErr)
		}
	})
	return r.db, r.dbErr
}

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
		if e, ok, err = FindEntry(tree, data, name, r.format.Size()); err != nil {
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
// repository is complete): the shallow file, one object name a line.
func (r *Repository) Shallow() ([]Hash, error) {
	data, err := os.ReadFile(filepath.Join(r.CommonDir, "shallow"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the shallow file: %w", err)
	}
	var out []Hash
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		h, err := r.format.parseHash(line)
		if err != nil {
			return nil, fmt.Errorf("the shallow file, line %d: %w", i+1, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// OpenObjects opens an object reader of its own; keepBases caches the
// delta bases reads build, for a reader that will pass through them again
// (the history walk). The caller closes it.
func (r *Repository) OpenObjects(keepBases bool) (*ODB, error) {
	return OpenODB(r.objectsDir, r.format, keepBases, r.altDirs...)
}
