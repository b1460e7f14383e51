package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/clayscan/clayscan/hooks"
	"github.com/clayscan/clayscan/internal/escape"
)

// runHook installs or removes the pre-commit hook (docs/hooks.md).
func runHook(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "install" && args[0] != "uninstall") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(e.stdout, "Usage:\n  clayscan hook install [--force] [--binary PATH] [PATH]\n  clayscan hook uninstall [PATH]\n")
			return exitClean
		}
		return usageError(e, errors.New("expected 'clayscan hook install' or 'clayscan hook uninstall'"))
	}
	if args[0] == "uninstall" {
		return runHookUninstall(e, args[1:])
	}
	return runHookInstall(e, args[1:])
}

const notRepoHookHint = "run 'clayscan hook install' inside the git repository to protect (or pass its path); in a new project, run 'git init' first"

func runHookInstall(e *env, args []string) int {
	fs := newFlagSet(e, "hook install", "[--force] [--binary PATH] [PATH]")
	force := fs.Bool("force", false, "keep an existing pre-commit hook and run it before clayscan's (uninstall restores it)")
	binary := fs.String("binary", "", "record this clayscan `PATH` in the hook instead of the running binary")
	path, err := parsePath(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	bin := *binary
	if bin == "" {
		if bin, err = selfPath(); err != nil {
			e.errorf(fmt.Errorf("finding the clayscan binary: %w", err), "pass its path with --binary")
			return exitError
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		return usageError(e, err)
	}
	// A hook manager rewrites the hooks it owns: clayscan goes into its
	// configuration, which the user edits (issue 13).
	managers, err := hooks.DetectManagers(path)
	if errors.Is(err, hooks.ErrNotRepository) {
		e.errorf(err, notRepoHookHint)
		return exitError
	}
	if err != nil {
		e.errorf(err, "")
		return exitError
	}
	if len(managers) > 0 {
		printManagerSnippets(e, managers)
		return exitClean
	}
	res, err := hooks.Install(hooks.Options{Path: path, Binary: bin, Force: *force})
	if errors.Is(err, hooks.ErrNotRepository) {
		e.errorf(err, notRepoHookHint)
		return exitError
	}
	if errors.Is(err, hooks.ErrHookExists) {
		e.errorf(err, "run 'clayscan hook install --force' to keep that hook and run it before clayscan's ('clayscan hook uninstall' restores it), or call 'clayscan staged' from it yourself")
		return exitError
	}
	if err != nil {
		e.errorf(err, "")
		return exitError
	}
	switch res.Action {
	case hooks.Unchanged:
		fmt.Fprintf(e.stdout, "clayscan: the pre-commit hook at %s is already installed and up to date\n", escape.Path(res.Hook))
	case hooks.Updated:
		fmt.Fprintf(e.stdout, "clayscan: updated the pre-commit hook at %s\n", escape.Path(res.Hook))
	default:
		fmt.Fprintf(e.stdout, "clayscan: installed the pre-commit hook at %s\n", escape.Path(res.Hook))
	}
	if res.ChainedHook != "" {
		fmt.Fprintf(e.stdout, "  Your existing hook, kept as %s, runs first.\n", escape.Path(res.ChainedHook))
	}
	fmt.Fprintf(e.stdout, "  It runs 'clayscan staged' (%s, or clayscan on PATH if that is gone)\n", bin)
	if *binary == "" && strings.Contains(filepath.ToSlash(bin), "/go-build") {
		fmt.Fprintf(e.stderr, "clayscan: warning: this clayscan is a temporary 'go run' build that will disappear;\n  install it (go install github.com/clayscan/clayscan/cmd/clayscan@latest) and run 'clayscan hook install' again\n")
	}
	fmt.Fprintf(e.stdout, "  and blocks commits that add Clay credentials. To commit anyway, knowingly: git commit --no-verify\n")
	return exitClean
}

// printManagerSnippets says which hook manager was found and what to add
// to its configuration; nothing is written.
func printManagerSnippets(e *env, managers []hooks.Manager) {
	for i, m := range managers {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "clayscan: this repository uses %s (%s), which manages its git hooks:\n", m.Name, escape.Path(m.Evidence))
		fmt.Fprintf(e.stdout, "  a hook written by clayscan would be overwritten, so none was written. Add this to %s:\n\n", escape.Path(m.File))
		for _, line := range strings.SplitAfter(strings.TrimSuffix(m.Snippet, "\n"), "\n") {
			fmt.Fprintf(e.stdout, "    %s", line)
		}
		fmt.Fprintln(e.stdout)
		if m.Then != "" {
			fmt.Fprintf(e.stdout, "\n  then run: %s\n", m.Then)
		}
	}
	fmt.Fprintf(e.stdout, "\n  'clayscan staged' then blocks commits that add Clay credentials.")
	for _, m := range managers {
		if m.Name != "pre-commit" { // pre-commit builds clayscan itself
			fmt.Fprintf(e.stdout, " clayscan must be on PATH\n  (go install github.com/clayscan/clayscan/cmd/clayscan@latest) on every machine that commits.")
			break
		}
	}
	fmt.Fprintf(e.stdout, "\n  To commit anyway, knowingly: git commit --no-verify\n")
}

func runHookUninstall(e *env, args []string) int {
	fs := newFlagSet(e, "hook uninstall", "[PATH]")
	path, err := parsePath(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	res, err := hooks.Uninstall(path)
	if err != nil {
		e.errorf(err, "")
		return exitError
	}
	switch {
	case res.Action == hooks.Restored:
		fmt.Fprintf(e.stdout, "clayscan: removed the pre-commit hook and restored your hook at %s\n", escape.Path(res.Hook))
	case res.Action == hooks.Removed:
		fmt.Fprintf(e.stdout, "clayscan: removed the pre-commit hook at %s\n", escape.Path(res.Hook))
	case res.Foreign:
		fmt.Fprintf(e.stdout, "clayscan: no clayscan hook installed: the pre-commit hook at %s is not clayscan's and was left unchanged\n", escape.Path(res.Hook))
	default:
		fmt.Fprintf(e.stdout, "clayscan: no clayscan hook installed at %s\n", escape.Path(res.Hook))
	}
	return exitClean
}

// selfPath is the path the hook should record for this binary: the path it
// was started as (through PATH or a symlink such as Homebrew's, so that an
// upgrade keeps working) when that is this very file, else the resolved
// executable.
func selfPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	arg0 := os.Args[0]
	var cand string
	if strings.ContainsRune(arg0, filepath.Separator) || strings.ContainsRune(arg0, '/') {
		cand, _ = filepath.Abs(arg0)
	} else if p, err := exec.LookPath(arg0); err == nil {
		cand, _ = filepath.Abs(p)
	}
	if cand != "" {
		a, aerr := os.Stat(cand)
		b, berr := os.Stat(exe)
		if aerr == nil && berr == nil && os.SameFile(a, b) {
			return cand, nil
		}
	}
	return exe, nil
}
