package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/clayscan/clayscan/internal/safefile"
	"github.com/clayscan/clayscan/scanner/source"
	"github.com/clayscan/clayscan/scanner/suppress"

	"github.com/clayscan/clayscan/internal/git"
)

// runIgnore manages .clayscanignore: "clayscan ignore add <fingerprint>".
func runIgnore(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "-h" && args[0] != "--help" && args[0] != "help") {
		return usageError(e, errors.New("usage: clayscan ignore add <fingerprint> [--reason TEXT] [--path GLOB]"))
	}
	if args[0] != "add" {
		fmt.Fprintf(e.stdout, "Usage: clayscan ignore add <fingerprint> [--reason TEXT] [--path GLOB]\n\nAppends an entry to %s at the repository root.\n", suppress.IgnoreFile)
		return exitClean
	}
	fs := newFlagSet(e, "ignore add", "<fingerprint> [--reason TEXT] [--path GLOB]")
	reason := fs.String("reason", "", "why the finding is safe to ignore (written as a # comment)")
	scope := fs.String("path", "", "ignore the secret only in paths matching `GLOB` (gitignore-style); default: anywhere")
	dir := fs.String("C", ".", "use the repository containing `DIR`")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, fmt.Errorf("expected one fingerprint, got %d", len(pos)))
	}
	fp := strings.ToLower(pos[0])
	if !suppress.ValidFingerprint(fp) {
		return usageError(e, withHint(fmt.Errorf("%q is not a fingerprint", pos[0]),
			"copy the fingerprint printed with the finding: <rule-id>:<16 hex digits>"))
	}
	if strings.ContainsAny(*scope, " \t\n#") {
		return usageError(e, errors.New("--path must be one glob without spaces or '#'"))
	}
	if strings.ContainsAny(*reason, "\r\n") {
		return usageError(e, errors.New("--reason must be one line"))
	}
	entry := suppress.IgnoreEntry{Fingerprint: fp, Path: *scope, Reason: strings.TrimSpace(*reason)}

	root, err := filepath.Abs(*dir)
	if err != nil {
		e.errorf(err, "")
		return exitError
	}
	repo, err := git.Open(root)
	if err == nil {
		defer repo.Close()
	}
	switch {
	case err == nil && repo.Root != "":
		root = repo.Root
	case err == nil:
		e.errorf(errors.New("a bare repository has no working tree to hold "+suppress.IgnoreFile), "")
		return exitError
	case !errors.Is(err, source.ErrNotRepository):
		e.errorf(err, "")
		return exitError
	}
	name := filepath.Join(root, suppress.IgnoreFile)
	// Read and replaced whole, never through a symlink: a repository
	// could plant .clayscanignore -> ~/.bashrc (issue 12).
	old, exists, err := safefile.ReadRegular(name, 64<<20)
	if err != nil {
		e.errorf(fmt.Errorf("reading %s: %w", name, err), "")
		return exitError
	}
	if exists {
		ig, err := suppress.ParseIgnores(name, old)
		if err != nil {
			e.errorf(err, "fix the file first: each line is <fingerprint> [path-glob] [# reason]")
			return exitError
		}
		if ig.Has(fp, *scope) {
			fmt.Fprintf(e.stdout, "%s already ignores %s\n", safePath(name), safe(strings.TrimSpace(fp+" "+*scope)))
			return exitClean
		}
	}
	next := append([]byte(nil), old...)
	if len(next) > 0 && next[len(next)-1] != '\n' {
		next = append(next, '\n')
	}
	next = append(next, entry.String()+"\n"...)
	if err := safefile.Write(name, next, safefile.Mode(name, 0o600)); err != nil {
		e.errorf(fmt.Errorf("writing %s: %w", name, err), "")
		return exitError
	}
	fmt.Fprintf(e.stdout, "Added to %s: %s\n", safePath(name), safe(entry.String()))
	if entry.Reason == "" {
		fmt.Fprintf(e.stdout, "Tip: say why with --reason, so reviewers and future you know it is safe.\n")
	}
	return exitClean
}
