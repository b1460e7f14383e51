package ignore

import (
	"path/filepath"

	"github.com/clayscan/clayscan/internal/git"
)

// ForRepo returns a matcher for a repository's work tree, with
// core.excludesFile and core.ignorecase taken from its configuration as
// git resolves it (every layer, includes, the environment): an unset
// core.excludesFile means the XDG default, an empty one none, "~/" is
// expanded and a relative path is from the work tree root, where git runs.
// A value git would refuse is an error naming its file and line.
func ForRepo(repo *git.Repository) (*Matcher, error) {
	cfg := repo.Config()
	fold, err := cfg.Bool("core.ignoreCase", false)
	if err != nil {
		return nil, err
	}
	excludes := DefaultExcludesFile()
	if p, ok, err := cfg.Path("core.excludesFile", nil); err != nil {
		return nil, err
	} else if ok {
		excludes = p
		if p != "" && !filepath.IsAbs(p) {
			excludes = filepath.Join(repo.Root, p)
		}
	}
	return New(repo.Root, Options{GitDir: repo.CommonDir, ExcludesFile: excludes, IgnoreCase: fold}), nil
}
