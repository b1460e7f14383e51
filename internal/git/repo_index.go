package git

// HashSize is the size of the repository's object names in bytes: 20 for
// SHA-1, 32 for SHA-256 (extensions.objectFormat).
func (r *Repository) HashSize() int { return r.format.Size() }

// Config is the repository's configuration, resolved once at open: the
// system, global, local and worktree files with their includes, and the
// command-line settings of the environment.
func (r *Repository) Config() *Config { return r.loc.Config }

// IndexFile is the index git uses: GIT_INDEX_FILE when the environment
// set it at open, else the git directory's.
func (r *Repository) IndexFile() string { return r.loc.IndexFile }

// ReadIndex reads the repository's index (IndexFile). The caller closes
// it.
func (r *Repository) ReadIndex() (*Index, error) {
	return ReadIndex(r.loc.IndexFile, r.GitDir, r.HashSize())
}

// TreeReader returns a reader of the repository's tree objects, for
// expanding sparse directories.
func (r *Repository) TreeReader() TreeReader {
	return func(raw string) ([]byte, error) {
		var h Hash
		copy(h[:], raw)
		return r.object(h, ObjTree, -1)
	}
}
