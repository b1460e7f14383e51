// Package source holds clayscan's sources: the working tree, the staged
// index and the history. A source knows git and the file system, not rules:
// it pushes targets into a scanner.Sink. Git's on-disk formats are read
// through internal/git.
package source

import "github.com/clayscan/clayscan/internal/git"

// hash is an object name; the sources use it everywhere.
type hash = git.Hash

// ErrNotRepository is returned by git sources outside a git repository.
var ErrNotRepository = git.ErrNotRepository
