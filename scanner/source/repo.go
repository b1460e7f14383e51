package source

import "github.com/clayscan/clayscan/internal/git"

// openRepo returns the repository a command opened and passed down, or
// opens the one at path; release closes only what openRepo opened.
func openRepo(r *git.Repository, path string) (repo *git.Repository, release func(), err error) {
	if r != nil {
		return r, func() {}, nil
	}
	if path == "" {
		path = "."
	}
	if repo, err = git.Open(path); err != nil {
		return nil, nil, err
	}
	return repo, func() { repo.Close() }, nil
}
