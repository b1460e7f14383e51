package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// defaultBaseline is where "clayscan baseline create" writes by default.
const defaultBaseline = ".clayscan-baseline.json"

// runBaseline writes a baseline: the JSON report of a scan, whose
// fingerprints --baseline later suppresses. It is exactly
// "clayscan scan --format json -o FILE" (or history), except that it exits 0
// when there are findings: recording them is the point.
func runBaseline(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(e.stdout, "Usage: clayscan baseline create [--history] [-o FILE] [flags] [PATH]\n\nWrites the current findings as a JSON report (default %s) for --baseline.\n", defaultBaseline)
			return exitClean
		}
		return usageError(e, errors.New("usage: clayscan baseline create [--history] [-o FILE] [flags] [PATH]"))
	}
	fs, sf := newScanFlagSet(e, "baseline create")
	history := fs.Bool("history", false, "record the findings of the whole history (clayscan history) instead of the working tree")
	path, err := sf.parse(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	formatSet := false
	fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" || f.Name == "f" })
	switch {
	case formatSet && sf.format != "json":
		return usageError(e, withHint(fmt.Errorf("a baseline is a JSON report; --format %s is not supported here", sf.format),
			"drop --format (a baseline is always JSON); for a report in another format, run 'clayscan scan --format "+sf.format+"'"))
	case sf.showSecrets:
		return usageError(e, errors.New("a baseline is meant to be committed: it never holds full secrets (drop --show-secrets)"))
	case sf.baseline != "":
		// Findings in the old baseline would be left out of the new one.
		return usageError(e, errors.New("--baseline cannot be used when creating a baseline"))
	}
	sf.format = "json"
	if sf.output == "" {
		sf.output = defaultBaseline
	}
	code := execScan(ctx, e, sf, path, func(cfg *config.Settings) scanner.Source {
		if *history {
			return &source.History{Path: path, Repo: cfg.Repo, MaxFileSize: cfg.MaxFileSize}
		}
		return &source.Worktree{Path: path, Repo: cfg.Repo, MaxFileSize: cfg.MaxFileSize}
	}, scanner.Options{})
	if code == exitFindings {
		code = exitClean
	}
	if code == exitClean {
		fmt.Fprintf(e.stdout, "Scan with --baseline %s to report only findings that are not in it.\n", safePath(sf.output))
	}
	return code
}
