package git

// HashSize is the size of the repository's object names in bytes: 20 for
// SHA-1, 32 for SHA-256 (extensions.objectFormat).
func (r *Repository) HashSize() int { return 20 }

// ReadIndex reads the repository's index: GIT_INDEX_FILE's when env sets
// it, else the git directory's. The caller closes it.
func (r *Repository) ReadIndex(env Env) (*Index, error) {
	path, err := IndexPath(r.GitDir, env)
	if err != nil {
		return nil, err
	}
	return ReadIndex(path, r.GitDir, r.HashSize())
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
