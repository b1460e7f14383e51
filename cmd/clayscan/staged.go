package main

import (
	"context"
	"errors"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// runStaged scans what the next commit would add: the staged blobs, limited
// to the lines they add to HEAD (docs/scanning.md, "clayscan staged").
func runStaged(ctx context.Context, e *env, args []string) int {
	fs, sf := newScanFlagSet(e, "staged")
	path, err := sf.parse(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	// git commit -a and git commit PATH run hooks with a temporary index
	// named by GIT_INDEX_FILE: that index is what will be committed, and
	// the repository, opened as git would, reads it.
	return execScan(ctx, e, sf, path, func(cfg *config.Settings) scanner.Source {
		return hintedStaged{&source.Staged{Path: path, Repo: cfg.Repo, MaxFileSize: cfg.MaxFileSize}}
	}, scanner.Options{})
}

// hintedStaged adds the CLI's hint to the staged source's errors.
type hintedStaged struct{ *source.Staged }

func (s hintedStaged) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	info, err := s.Staged.Scan(ctx, sink)
	if errors.Is(err, source.ErrNotRepository) {
		err = withHint(err, "run clayscan staged inside a git repository (or pass its path): it scans what 'git commit' would add; to scan a directory that is not a repository, run 'clayscan scan PATH'")
	}
	return info, err
}
