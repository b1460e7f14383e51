// Package hooks installs and removes clayscan's git pre-commit hook.
//
// Install writes a small POSIX shell script into the repository's hooks
// directory (core.hooksPath when set, else the hooks directory of the main
// git directory, which linked worktrees share). The script runs
// "clayscan staged" and blocks the commit on findings, and also when
// clayscan cannot run: it fails closed. It finds clayscan at the absolute
// path recorded at install time and, when that file is gone, on PATH.
//
// Install never overwrites someone else's hook: it refuses with
// ErrHookExists, or, with Force, moves the existing hook aside
// (pre-commit.clayscan-chained) and runs it first. Uninstall removes exactly
// what Install added and puts the moved hook back.
//
// Git's configuration is read with internal/git's resolver, as git reads
// it; this package never runs git.
package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/internal/safefile"
)

const (
	// HookName is the git hook clayscan installs.
	HookName = "pre-commit"
	// ChainedSuffix names where an existing hook is moved by a forced
	// install; clayscan's hook runs it first.
	ChainedSuffix = ".clayscan-chained"
	// marker identifies a hook clayscan wrote.
	marker = "# clayscan-hook: v1"
)

// ErrHookExists is returned by Install when a pre-commit hook that
// clayscan did not write is already in place and Force is not set.
var ErrHookExists = errors.New("a pre-commit hook that clayscan did not write is already installed")

// ErrNotRepository is returned outside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Options configure Install.
type Options struct {
	// Path is any path inside the repository (or linked worktree).
	Path string
	// Binary is the absolute path of the clayscan binary that the hook
	// records; the hook falls back to PATH when it is gone.
	Binary string
	// Force chains an existing hook instead of refusing.
	Force bool
}

// Action says what Install or Uninstall did.
type Action string

const (
	Installed Action = "installed" // a new hook
	Chained   Action = "chained"   // a new hook that runs the user's hook first
	Updated   Action = "updated"   // clayscan's hook rewritten (new binary path)
	Unchanged Action = "unchanged" // clayscan's hook already up to date
	Removed   Action = "removed"   // clayscan's hook deleted
	Restored  Action = "restored"  // clayscan's hook deleted, the user's hook put back
	Absent    Action = "absent"    // nothing of clayscan's to remove
)

// Result describes what was done, and where.
type Result struct {
	Action Action
	// Hook is the path of the pre-commit hook.
	Hook string
	// ChainedHook is the path of the user's hook that clayscan's hook
	// runs first, when there is one.
	ChainedHook string
	// Foreign is set by Uninstall when a hook that clayscan did not write
	// is in place (left untouched).
	Foreign bool
}

// Dir returns the hooks directory git uses for the repository containing
// path: core.hooksPath when set in any of git's configuration (included
// files and the environment too; relative to the work tree, or to the git
// directory of a bare repository; "~/" expanded), else the hooks directory
// of the common git directory, so that a linked worktree shares its main
// repository's hooks as git does.
func Dir(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolving %q: %w", path, err)
	}
	repo, err := git.Open(abs)
	if errors.Is(err, git.ErrNotRepository) {
		return "", fmt.Errorf("%q: %w", path, ErrNotRepository)
	}
	if err != nil {
		return "", err
	}
	defer repo.Close()
	return RepoDir(repo)
}

// RepoDir is Dir for an opened repository.
func RepoDir(repo *git.Repository) (string, error) {
	root := repo.Root
	if root == "" {
		root = repo.GitDir // bare: a relative core.hooksPath is from the git directory
	}
	hooksPath, ok, err := repo.Config().Path("core.hooksPath", nil)
	if err != nil {
		return "", err
	}
	if !ok || hooksPath == "" {
		return filepath.Join(repo.CommonDir, "hooks"), nil
	}
	if !filepath.IsAbs(hooksPath) {
		hooksPath = filepath.Join(root, hooksPath)
	}
	return filepath.Clean(hooksPath), nil
}

// Install writes clayscan's pre-commit hook. It is idempotent: run again,
// it refreshes the recorded binary path and keeps any chained hook.
func Install(opts Options) (*Result, error) {
	if opts.Binary == "" || !filepath.IsAbs(opts.Binary) {
		return nil, fmt.Errorf("the clayscan binary path %q must be absolute", opts.Binary)
	}
	dir, err := Dir(opts.Path)
	if err != nil {
		return nil, err
	}
	hook := filepath.Join(dir, HookName)
	chained := hook + ChainedSuffix
	res := &Result{Hook: hook}

	// Lstat, not ReadFile: a dangling symlink is still someone's hook.
	var current []byte
	hookExists := exists(hook)
	if hookExists && isRegular(hook) {
		// Unreadable: not ours, so never overwritten. A symlink is never
		// read as ours either: it is someone's hook (or a planted link),
		// and clayscan never writes through one (issue 12).
		current, _ = os.ReadFile(hook)
	}
	chainExists := exists(chained)

	switch {
	case hookExists && IsClayscanHook(current):
		if chainExists {
			res.ChainedHook = chained
		}
		want := Script(opts.Binary, chainExists)
		if bytes.Equal(current, want) {
			res.Action = Unchanged
			return res, nil
		}
		if err := writeHook(hook, want); err != nil {
			return nil, err
		}
		res.Action = Updated
		return res, nil

	case hookExists:
		if !opts.Force {
			return nil, fmt.Errorf("%s: %w", hook, ErrHookExists)
		}
		if chainExists {
			return nil, fmt.Errorf("cannot chain %s: %s already exists (left by an earlier install?); move one of them away first", hook, chained)
		}
		if err := os.Rename(hook, chained); err != nil {
			return nil, fmt.Errorf("moving the existing hook aside: %w", err)
		}
		if err := writeHook(hook, Script(opts.Binary, true)); err != nil {
			// Put the user's hook back rather than leave no hook at all.
			if rerr := os.Rename(chained, hook); rerr != nil {
				return nil, fmt.Errorf("%w (and restoring %s failed: %v)", err, hook, rerr)
			}
			return nil, err
		}
		res.Action, res.ChainedHook = Chained, chained
		return res, nil

	default:
		if chainExists {
			return nil, fmt.Errorf("%s exists but no pre-commit hook does: it is a hook kept by an earlier install; rename it back to %s or remove it, then install again", chained, hook)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the hooks directory: %w", err)
		}
		if err := writeHook(hook, Script(opts.Binary, false)); err != nil {
			return nil, err
		}
		res.Action = Installed
		return res, nil
	}
}

// Uninstall removes clayscan's pre-commit hook and restores the hook that
// a forced install chained. A hook clayscan did not write is left alone
// (Result.Foreign), so running Uninstall twice is safe.
func Uninstall(path string) (*Result, error) {
	dir, err := Dir(path)
	if err != nil {
		return nil, err
	}
	hook := filepath.Join(dir, HookName)
	chained := hook + ChainedSuffix
	res := &Result{Hook: hook, Action: Absent}
	current, err := os.ReadFile(hook)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(hook); lerr == nil {
			res.Foreign = true // a dangling symlink
		}
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", hook, err)
	}
	if !IsClayscanHook(current) {
		res.Foreign = true
		return res, nil
	}
	if err := os.Remove(hook); err != nil {
		return nil, fmt.Errorf("removing %s: %w", hook, err)
	}
	res.Action = Removed
	if exists(chained) {
		if err := os.Rename(chained, hook); err != nil {
			return nil, fmt.Errorf("restoring %s from %s: %w", hook, chained, err)
		}
		res.Action, res.ChainedHook = Restored, chained
	}
	return res, nil
}

// IsClayscanHook reports whether a hook file's content is one that
// Install wrote.
func IsClayscanHook(content []byte) bool {
	head := content
	if len(head) > 512 {
		head = head[:512]
	}
	for _, line := range strings.Split(string(head), "\n") {
		if strings.TrimRight(line, "\r") == marker {
			return true
		}
	}
	return false
}

// writeHook replaces path atomically with an executable script, never
// writing through a symlink (safefile).
func writeHook(path string, content []byte) error {
	if err := safefile.Write(path, content, 0o755); err != nil {
		return fmt.Errorf("writing the hook: %w", err)
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// isRegular reports a regular file, not following a symlink.
func isRegular(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
