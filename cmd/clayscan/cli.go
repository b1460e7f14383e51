package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/internal/redact"
)

// Exit codes are a public contract (README and docs/formats.md, "Exit codes").
const (
	exitClean    = 0 // no findings
	exitFindings = 1 // findings (unsuppressed)
	exitError    = 2 // usage or operational error
	// exitInterrupted: the scan was stopped by SIGINT or SIGTERM before
	// it finished; nothing was reported (128 + SIGINT, as shells do).
	exitInterrupted = 130
)

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"scan", "scan the working tree: tracked files and untracked files that are not ignored", runScan},
		{"staged", "scan what the next commit would add (for pre-commit hooks)", runStaged},
		{"history", "scan every commit on every ref, or a range of commits", runHistory},
		{"merge", "combine JSON reports (many repositories or machines) into one", runMerge},
		{"ci", "scan what a CI event brings (GitHub Actions: pull_request, push)", runCI},
		{"hook", "install or uninstall the pre-commit hook", runHook},
		{"ignore", "manage .clayscanignore entries", runIgnore},
		{"baseline", "write a baseline of current findings", runBaseline},
		{"rules", "list the detection rules", runRules},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if len(args) == 0 {
		usage(e.stderr)
		return exitError
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitClean
	case "help":
		// "clayscan help CMD" is "clayscan CMD -h".
		if len(rest) == 0 {
			usage(e.stdout)
			return exitClean
		}
		name, rest = rest[0], append(rest[1:len(rest):len(rest)], "-h")
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	err := fmt.Errorf("unknown command %q", name)
	if m := closest(name, commandNames()); m != "" {
		err = fmt.Errorf("unknown command %q; did you mean %s?", name, m)
	}
	e.errorf(err, "run 'clayscan help' for the list of commands")
	return exitError
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// closest returns the candidate nearest to s when it is near enough to be
// a typo (scna → scan, --formt → --format), or "".
func closest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(s, c)
		if d <= max(1, min(2, len(c)/3)) && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (optimal string
// alignment): a swap of two neighbours, as in "scna", counts as one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "clayscan keeps Clay API credentials out of git.\n\nUsage:\n  clayscan <command> [flags] [PATH]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'clayscan <command> -h' for a command's flags.\nExit codes: 0 nothing at or above --fail-on (default medium), 1 findings that fail,\n2 usage or operational error (also a scan that could not read everything), 130 interrupted.\n")
}

// hintError carries a line telling the user what to do about an error.
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() }
func (h *hintError) Unwrap() error { return h.err }

func withHint(err error, hint string) error { return &hintError{err: err, hint: hint} }

// errorf prints "clayscan: error: …" and, when there is one, a hint line.
// Both pass through safe: an error may quote a path, a ref, a flag or a
// config value, and must neither echo a secret nor end its line early.
func (e *env) errorf(err error, hint string) {
	fmt.Fprintf(e.stderr, "clayscan: error: %s\n", safe(err.Error()))
	var h *hintError
	if hint == "" && errors.As(err, &h) {
		hint = h.hint
	}
	// Library errors (scanner/source) carry their own hint.
	var hinter interface{ Hint() string }
	if hint == "" && errors.As(err, &hinter) {
		hint = hinter.Hint()
	}
	if hint != "" {
		fmt.Fprintf(e.stderr, "clayscan: hint: %s\n", safe(hint))
	}
}

// safe prepares a message that may quote user input or repository content
// for a terminal or a CI log: secrets masked (redact: a key pasted into an
// argument must not come back in an error), then escaped (escape.Text).
func safe(s string) string { return escape.Text(redact.String(s)) }

// safePath is safe for a file name: masked, then quoted like git quotes a
// path.
func safePath(p string) string { return escape.Path(redact.String(p)) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// newFlagSet returns a flag set that reports errors instead of exiting.
// Its Usage prints the command's flags to stdout, for -h and --help only
// (parseArgs): a mistyped flag gets one error line and a hint, not the
// whole list.
func newFlagSet(e *env, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: clayscan %s %s\n\nFlags:\n", name, usageLine)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// flagError turns the flag package's error into one line with a hint:
// the nearest flag for a typo, and where the list of flags is.
func flagError(fs *flag.FlagSet, err error) error {
	hint := fmt.Sprintf("run 'clayscan %s -h' for its flags", fs.Name())
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if m := closest(name, names); m != "" {
			hint = fmt.Sprintf("did you mean --%s? %s", m, hint)
		}
		return withHint(fmt.Errorf("unknown flag --%s", name), hint)
	}
	return withHint(err, hint)
}

// parseArgs parses flags anywhere among the arguments (clayscan scan . --format json),
// as users of other scanners expect; "--" ends flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			fs.Usage()
			return nil, flag.ErrHelp
		}
	}
	// The flag package prints the usage on every error; only -h does here.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
