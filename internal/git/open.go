package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotRepository is returned outside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Open opens the repository containing path (path may be a subdirectory,
// a linked worktree, a bare repository or a git directory).
func Open(path string) (*Repository, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	var root, gitDir string
	if root = findWorkTree(abs); root != "" {
		gitDir = findGitDir(root)
	} else if gitDir = findBareGitDir(abs); gitDir == "" {
		// A bare repository, or a git directory named directly, is
		// found the way git finds it.
		return nil, fmt.Errorf("%q: %w", path, ErrNotRepository)
	}
	repo, err := openRepository(root, gitDir, CommonDir(gitDir))
	if err != nil {
		return nil, fmt.Errorf("opening repository at %q: %w", path, err)
	}
	return repo, nil
}

// findWorkTree returns the nearest of dir and its parents holding a .git
// entry (a directory, or a "gitdir:" file), or "".
func findWorkTree(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// CommonDir follows a linked worktree's "commondir" file to the shared
// git directory; without one, gitDir is its own common dir.
func CommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimSpace(string(data))
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return filepath.Clean(d)
}

// findBareGitDir returns the nearest of dir and its parents that looks
// like a git directory (HEAD, objects/ and refs/, git's own test), or "".
func findBareGitDir(dir string) string {
	for {
		if isGitDir(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isGitDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// findGitDir resolves root/.git, following a "gitdir:" file as linked
// worktrees and submodules use.
func findGitDir(root string) string {
	p := filepath.Join(root, ".git")
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return p
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return p
	}
	const prefix = "gitdir: "
	s := string(data)
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		d := filepath.Clean(strings.TrimRight(s[len(prefix):], "\r\n"))
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		return d
	}
	return p
}
