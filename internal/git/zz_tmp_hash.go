package git

import "github.com/go-git/go-git/v5/plumbing"

// Hash is an object name. (Temporary: the gitobj move defines it.)
type Hash = plumbing.Hash
