// Package source holds clayscan's sources: the working tree, the staged
// index and the history. A source knows git and the file system, not rules:
// it pushes targets into a scanner.Sink.
package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotRepository is returned by git sources outside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Repo is an opened repository and where its work tree is.
type Repo struct {
	Git *GitRepo
	// Root is the absolute work tree root; empty for a bare repository.
	Root string
	// GitDir is the absolute path of the git directory (for info/exclude).
	GitDir string
	// CommonDir holds what a linked worktree shares with its main
	// repository (objects, refs, hooks); it is GitDir otherwise.
	CommonDir string
}

// OpenRepo opens the repository containing path (path may be a
// subdirectory or a linked worktree).
func OpenRepo(path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	repo := &Repo{}
	if root := findWorkTree(abs); root != "" {
		repo.Root = root
		repo.GitDir = findGitDir(root)
	} else if gitDir := findBareGitDir(abs); gitDir != "" {
		// A bare repository, or a git directory named directly, is
		// found the way git finds it.
		repo.GitDir = gitDir
	} else {
		return nil, fmt.Errorf("%q: %w", path, ErrNotRepository)
	}
	repo.CommonDir = commonDir(repo.GitDir)
	if repo.Git, err = openGitRepo(repo.GitDir, repo.CommonDir); err != nil {
		return nil, fmt.Errorf("opening repository at %q: %w", path, err)
	}
	return repo, nil
}

// Close releases what the repository holds open (its mapped packs).
func (r *Repo) Close() error { return r.Git.Close() }

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

// commonDir follows a linked worktree's "commondir" file to the shared
// git directory; without one, gitDir is its own common dir.
func commonDir(gitDir string) string {
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
		d := filepath.Clean(trimNewline(s[len(prefix):]))
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		return d
	}
	return p
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
